"""Ranges other spreadsheets write that openpyxl cannot read, and their repair.

LibreOffice saves a rule over every column of a tab as rows only (``sqref="1:1220"``), and
whole columns may come back as ``A:C``; openpyxl refuses both, which would make a sound
file look « endommagé ». Such a range is spelt again in full (``A1:XFD1220``,
``A1:C1048576``): the same cells, in a form openpyxl reads. Only the ``ref`` and ``sqref``
attributes of a worksheet's parts outside its cells are looked at (validations,
conditional formats, merged cells, selections, filters).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

LAST_ROW = 1048576
LAST_COLUMN = "XFD"
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")
_ATTRIBUTE = re.compile(rb'(\s(?:sq)?ref=")([^"]*)(")')
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData[\s>/]")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData[^>]*/>")


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


def repair_part(data: bytes) -> tuple[bytes, list[str]]:
    """A worksheet part with its unreadable ranges repaired, and the ranges repaired.

    The cells (``<sheetData>``) are skipped: they hold no such range, and they are most
    of the part.
    """
    start = _SHEET_DATA.search(data)
    end = _SHEET_DATA_END.search(data, start.start()) if start else None
    if start is None or end is None:
        pieces = [data]
        keep: tuple[bytes, ...] = ()
    else:
        pieces = [data[: start.start()], data[end.end() :]]
        keep = (data[start.start() : end.end()],)
    repaired: list[str] = []

    def fix(match: re.Match[bytes]) -> bytes:
        value = match.group(2).decode("utf-8", "replace")
        better = repair_range(value)
        if better is None:
            return match.group(0)
        repaired.append(value)
        return match.group(1) + better.encode() + match.group(3)

    pieces = [_ATTRIBUTE.sub(fix, p) for p in pieces]
    if not repaired:
        return data, []
    if keep:
        return pieces[0] + keep[0] + pieces[1], repaired
    return pieces[0], repaired


_CLEAN: set[tuple[str, int, int]] = set()  # files (path, mtime, size) seen with nothing to repair


def readable_copy(path: Path) -> io.BytesIO | None:
    """The file in memory with its worksheets' unreadable ranges repaired; None when none is.

    Anything odd (not a zip, a part missing) returns None: the reader then says what is
    wrong with the file itself. A file found sound is not looked at again while unchanged.
    """
    try:
        stat = path.stat()
        seen = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return None
    if seen in _CLEAN:
        return None
    try:
        with zipfile.ZipFile(path) as source:
            infos = source.infolist()
            changed: dict[str, bytes] = {}
            for info in infos:
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                data, repaired = repair_part(source.read(info))
                if repaired:
                    changed[info.filename] = data
                    log.warning(
                        "%s: %s has ranges openpyxl cannot read (%s), read as repaired",
                        path.name,
                        info.filename,
                        ", ".join(sorted(set(repaired))[:5]),
                    )
            if not changed:
                _CLEAN.add(seen)
                return None
            copy = io.BytesIO()
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
                for info in infos:
                    target.writestr(info, changed.get(info.filename) or source.read(info))
            copy.seek(0)
            return copy
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, EOFError, ValueError):
        return None
