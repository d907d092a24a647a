"""What a sheet shows besides its values: notes, validation rules, column widths,
protected ranges and conditional formats, as `spreadsheets.batchUpdate` sets them and
`spreadsheets.get` returns them.

The requests are kept as sent (Google's own normalisation of a rule is not modelled);
row and column insertions do not move them. Enough for a client that sets them and
reads them back to decide whether to set them again.
"""

from __future__ import annotations

import itertools
from typing import Any

from .api import _dimension_range, _grid_window, _sheet_for, _snapshot, _update_cells
from .store import ApiError, Cell, Sheet, Spreadsheet

_PROTECTED_IDS = itertools.count(1_000_001)


def _set_data_validation(ss: Spreadsheet, params: dict, undo: list) -> None:
    sheet, r0, c0, r1, c1 = _grid_window(ss, params.get("range") or {})
    rule = params.get("rule")
    if rule is not None and not (rule.get("condition") or {}).get("type"):
        raise ApiError(400, "rule.condition.type is required")
    _snapshot(ss, undo)
    sheet.validations.append(((r0, c0, r1, c1), rule))
    return None


def _add_protected_range(ss: Spreadsheet, params: dict, undo: list) -> dict:
    wanted = dict(params.get("protectedRange") or {})
    rng = wanted.get("range") or {}
    _sheet_for(ss, rng.get("sheetId"))
    _snapshot(ss, undo)
    wanted.setdefault("protectedRangeId", next(_PROTECTED_IDS))
    sheet = _sheet_for(ss, rng.get("sheetId"))
    sheet.protected.append(wanted)
    return {"protectedRange": wanted}


def _delete_protected_range(ss: Spreadsheet, params: dict, undo: list) -> None:
    wanted = params.get("protectedRangeId")
    for sheet in ss.sheets:
        for found in sheet.protected:
            if found.get("protectedRangeId") == wanted:
                _snapshot(ss, undo)
                sheet.protected.remove(found)
                return None
    raise ApiError(400, f"No protected range with id: {wanted}")


def _update_dimension_properties(ss: Spreadsheet, params: dict, undo: list) -> None:
    sheet, dim, start, end = _dimension_range(ss, params)
    fields = params.get("fields") or ""
    size = (params.get("properties") or {}).get("pixelSize")
    _snapshot(ss, undo)
    if dim == "COLUMNS" and "pixelSize" in fields and size is not None:
        for column in range(start, end):
            sheet.widths[column] = int(size)
    return None


def _add_conditional_format_rule(ss: Spreadsheet, params: dict, undo: list) -> None:
    rule = params.get("rule") or {}
    ranges = rule.get("ranges") or []
    if not ranges:
        raise ApiError(400, "rule.ranges is required")
    sheet = _sheet_for(ss, ranges[0].get("sheetId"))
    _snapshot(ss, undo)
    index = int(params.get("index", 0))
    sheet.conditional.insert(min(index, len(sheet.conditional)), rule)
    return None


def _update_cells_and_notes(ss: Spreadsheet, params: dict, undo: list) -> None:
    """``updateCells``: values and formats as before, and ``note`` when the mask names it."""
    _update_cells(ss, params, undo)
    fields = [f.strip() for f in (params.get("fields") or "").split(",")]
    if "note" not in fields and "*" not in fields:
        return None
    start = params.get("start")
    if start is not None:
        sheet = _sheet_for(ss, start.get("sheetId"))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
    else:
        sheet, r0, c0, _, _ = _grid_window(ss, params.get("range") or {})
    for i, row in enumerate(params.get("rows") or []):
        for j, cell in enumerate(row.get("values") or []):
            note = cell.get("note")
            if note:
                sheet.notes[(r0 + i, c0 + j)] = note
            else:
                sheet.notes.pop((r0 + i, c0 + j), None)
    return None


REQUESTS = {
    "setDataValidation": _set_data_validation,
    "addProtectedRange": _add_protected_range,
    "deleteProtectedRange": _delete_protected_range,
    "updateDimensionProperties": _update_dimension_properties,
    "addConditionalFormatRule": _add_conditional_format_rule,
    "updateCells": _update_cells_and_notes,
}


def cell_extras(sheet: Sheet, r: int, c: int) -> dict[str, Any]:
    """The note, validation rule and number format of a cell (0-based), as CellData keys."""
    out: dict[str, Any] = {}
    note = sheet.notes.get((r, c))
    if note:
        out["note"] = note
    rule = sheet.validation(r, c)
    if rule is not None:
        out["dataValidation"] = rule
    raw = sheet.get(r, c)
    if type(raw) is Cell and raw.fmt is not None:
        out["userEnteredFormat"] = {"numberFormat": {"type": raw.fmt.type, "pattern": raw.fmt.pattern}}
    return out


def sheet_extras(sheet: Sheet) -> dict[str, Any]:
    """The sheet-level parts of a Sheet resource: protected ranges, conditional formats."""
    out: dict[str, Any] = {}
    if sheet.protected:
        out["protectedRanges"] = [dict(p) for p in sheet.protected]
    if sheet.conditional:
        out["conditionalFormats"] = [dict(r) for r in sheet.conditional]
    return out


def column_metadata(sheet: Sheet, c0: int, c1: int) -> list[dict[str, Any]]:
    """DimensionProperties of columns c0..c1 (0-based, inclusive); 100 pixels by default."""
    return [{"pixelSize": sheet.widths.get(c, 100)} for c in range(c0, c1 + 1)]
