"""Ranges other spreadsheets write that openpyxl cannot read, and their repair.

LibreOffice saves a rule over every column of a tab as rows only (``sqref="1:1220"``), and
whole columns may come back as ``A:C``; openpyxl refuses both, which would make a sound
file look « endommagé ». Such a range is spelt again in full (``A1:XFD1220``,
``A1:C1048576``): the same cells, in a form openpyxl reads. The next write spells them so in the
file (:mod:`.xlsx_sheet`); reading values never needs them (:mod:`.xlsx_values`).
"""

from __future__ import annotations

import re

LAST_ROW = 1048576
LAST_COLUMN = "XFD"
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")


def repair_range(text: str) -> str | None:
    """``text`` (ranges separated by spaces) spelt so openpyxl reads it; None if it already is."""
    parts = text.split()
    fixed = [_repair_one(p) for p in parts]
    if fixed == parts:
        return None
    return " ".join(fixed)


def _repair_one(part: str) -> str:
    rows = _ROWS.match(part)
    if rows:
        return f"A{rows.group(1)}:{LAST_COLUMN}{rows.group(2)}"
    columns = _COLUMNS.match(part)
    if columns:
        return f"{columns.group(1).upper()}1:{columns.group(2).upper()}{LAST_ROW}"
    return part
