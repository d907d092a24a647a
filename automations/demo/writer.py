"""Writing the demo's tabs to an .xlsx the way the staff keep it: header colours, number
formats, drop-down lists, frozen header, filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..schema import (
    Column,
    Tab,
)
from .common import (
    DATE_FMT,
    DATETIME_FMT,
    EURO_FMT,
    TIME_FMT,
)

# --- Writing -------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CALC_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FONT = Font(bold=True)
CALC_FONT = Font(bold=True, italic=True, color="595959")


def _header(tab: Tab, extra: dict[str, str | None]) -> list[str]:
    """Contract headers, with staff columns inserted after a given column (None: at the end)."""
    names = [c.name for c in tab.columns]
    for name, after in extra.items():
        if after is None:
            names.append(name)
        else:
            names.insert(names.index(after) + 1, name)
    return names


def _column_kind(tab: Tab, name: str) -> Column | None:
    try:
        return tab.column(name)
    except KeyError:
        return None


def _format_for(column: Column | None, value: object) -> str | None:
    if column is None or value is None or isinstance(value, str):
        return None
    if isinstance(value, datetime):
        return DATE_FMT if value.time() == time(0) and column.kind == "date" else DATETIME_FMT
    if isinstance(value, date):
        return DATE_FMT
    if isinstance(value, time):
        return TIME_FMT
    if column.kind == "amount":
        return EURO_FMT
    return None


_BOOL_CHOICES = ("oui", "non")


class Writer:
    def __init__(self) -> None:
        self.wb = Workbook()
        lists = self.wb.active
        assert isinstance(lists, Worksheet)  # a new workbook opens on one empty worksheet
        self.lists = lists
        self.lists.title = "Listes"
        self.lists.sheet_state = "hidden"
        self.list_columns = 0

    def long_list(self, title: str, values: Sequence[str]) -> str:
        """A range of the hidden ``Listes`` tab holding ``values``, for lists over 255 chars."""
        self.list_columns += 1
        col = get_column_letter(self.list_columns)
        self.lists.cell(row=1, column=self.list_columns, value=title).font = HEADER_FONT
        for i, v in enumerate(values, start=2):
            self.lists.cell(row=i, column=self.list_columns, value=v)
        return f"{quote_sheetname(self.lists.title)}!${col}$2:${col}${len(values) + 1}"

    def sheet(
        self, tab: Tab, rows: list[dict[str, object]], extra: dict[str, str | None] | None = None
    ) -> int:
        ws = self.wb.create_sheet(tab.name)
        header = _header(tab, extra or {})
        columns = [_column_kind(tab, h) for h in header]
        for j, (name, col) in enumerate(zip(header, columns, strict=True), start=1):
            cell = ws.cell(row=1, column=j, value=name)
            calc = col is not None and col.calc
            cell.font = CALC_FONT if calc else HEADER_FONT
            cell.fill = CALC_FILL if calc else HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=False)
        widths = [len(h) + 3 for h in header]
        for i, row in enumerate(rows, start=2):
            for j, (name, col) in enumerate(zip(header, columns, strict=True), start=1):
                value = row.get(name)
                if col is not None and col.calc and not tab.job_owned:
                    continue  # the jobs' columns stay empty (a job-owned tab is the jobs' record)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=i, column=j, value=value)
                fmt = _format_for(col, value)
                if fmt:
                    cell.number_format = fmt
                elif col is not None and col.kind == "siret":
                    cell.number_format = "@"
                if name == "Texte":
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                length = 11 if isinstance(value, date) else len(str(value))
                if isinstance(value, datetime) and value.time() != time(0):
                    length = 16
                widths[j - 1] = max(widths[j - 1], min(length + 2, 48))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = 80 if header[j - 1] == "Texte" else w
        ws.freeze_panes = "A2"
        last = max(len(rows) + 1, 2)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"
        self.validations(ws, tab, header, columns, last + 300)
        return len(rows)

    def fill(self, tab: Tab, cells: list[tuple[int, str, Any]]) -> None:
        """Computed cells of a tab already written (as a pass of the jobs left them)."""
        ws = self.wb[tab.name]
        header = [c.value for c in ws[1]]
        for row, name, value in cells:
            cell = ws.cell(row=row, column=header.index(name) + 1, value=value)
            fmt = _format_for(_column_kind(tab, name), value)
            if fmt:
                cell.number_format = fmt

    def validations(self, ws, tab: Tab, header: list[str], columns: list[Column | None], last: int) -> None:
        for j, col in enumerate(columns, start=1):
            if col is None or col.calc:
                continue
            if col.kind == "choice" and col.choices:
                values: Sequence[str] = col.choices
            elif col.kind == "bool":
                values = _BOOL_CHOICES
            else:
                continue
            inline = '"' + ",".join(values) + '"'
            formula = inline if len(inline) <= 255 else self.long_list(header[j - 1], values)
            dv = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showDropDown=False,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Valeur inattendue",
                error=f"Choisir une valeur de la liste pour « {header[j - 1]} ».",
            )
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)

    def save(self, path: Path, today: date) -> None:
        self.wb.properties.creator = "MILA – démo"
        self.wb.properties.title = "Classeur MILA (démonstration)"
        self.wb.properties.created = datetime.combine(today, time(9, 0))
        self.wb.move_sheet(self.lists, offset=len(self.wb.sheetnames) - 1)
        self.wb.active = 0
        self.wb.save(path)
