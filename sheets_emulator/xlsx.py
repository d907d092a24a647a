"""Reading and writing .xlsx workbooks (openpyxl) for ``load_xlsx``/``save_xlsx``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .formats import from_serial
from .store import DEFAULT_COLS, DEFAULT_ROWS, Cell, Spreadsheet, python_to_raw


def read_workbook(
    path: Path, spreadsheet_id: str, *, locale: str, time_zone: str, title: str | None = None
) -> Spreadsheet:
    """Every tab of an .xlsx as a spreadsheet: formulas stay formulas, date cells become
    DATE-formatted serial numbers, other number formats are kept for FORMATTED_VALUE."""
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=False)
    try:
        ss = Spreadsheet(spreadsheet_id, title or path.stem, locale, time_zone)
        loc = ss.locale
        for ws in wb.worksheets:
            sheet = ss.add_sheet(ws.title)
            height = width = 0
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    if value is None:
                        continue
                    if not isinstance(value, (str, int, float, bool, dt.date, dt.time)):
                        # ArrayFormula, DataTableFormula...: keep their text.
                        value = getattr(value, "text", None) or str(value)
                    raw = python_to_raw(value, loc, cell.number_format)
                    at_row, at_column = cell.row, cell.column
                    if raw is None or at_row is None or at_column is None:  # a read cell has both
                        continue
                    sheet.put(at_row - 1, at_column - 1, raw)
                    height = max(height, at_row)
                    width = max(width, at_column)
            sheet.row_count = max(DEFAULT_ROWS, height, ws.max_row or 0)
            sheet.col_count = max(DEFAULT_COLS, width)
            if ws.freeze_panes:
                frozen = ws[ws.freeze_panes]
                sheet.frozen_rows = frozen.row - 1
                sheet.frozen_cols = frozen.column - 1
            sheet.hidden = ws.sheet_state != "visible"
            sheet.trim()
        if not ss.sheets:
            ss.add_sheet("Feuille 1" if locale.startswith("fr") else "Sheet1")
        return ss
    finally:
        wb.close()


def write_workbook(ss: Spreadsheet, path: Path) -> None:
    """The spreadsheet as an .xlsx: formulas as formulas, dated cells as dates."""
    import openpyxl

    wb = openpyxl.Workbook()
    first = wb.active
    if first is not None:  # the empty sheet a new workbook opens on
        wb.remove(first)
    for sheet in ss.sheets:
        ws = wb.create_sheet(sheet.title)
        for r, row in enumerate(sheet.rows, start=1):
            for c, raw in enumerate(row, start=1):
                if raw is None:
                    continue
                if type(raw) is Cell:
                    value = raw.formula if raw.formula is not None else raw.value
                    if value is None:
                        continue
                    cell = ws.cell(r, c)
                    fmt = raw.fmt
                    if (
                        fmt is not None
                        and fmt.is_temporal
                        and isinstance(value, (int, float))
                        and not isinstance(value, bool)
                    ):
                        moment = from_serial(float(value))
                        cell.value = moment.date() if fmt.type == "DATE" else moment
                    else:
                        cell.value = value
                    if fmt is not None:
                        cell.number_format = fmt.pattern
                else:
                    ws.cell(r, c).value = raw
        if sheet.frozen_rows or sheet.frozen_cols:
            ws.freeze_panes = ws.cell(sheet.frozen_rows + 1, sheet.frozen_cols + 1)
        if sheet.hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
