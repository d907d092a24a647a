"""The Sheets API v4 methods, on top of the store. Called with the store lock held."""

from __future__ import annotations

import copy
import secrets
from typing import TYPE_CHECKING, Any

from .store import (
    DATE_OPTIONS,
    DEFAULT_COLS,
    DEFAULT_ROWS,
    RENDER_OPTIONS,
    ApiError,
    Evaluator,
    Sheet,
    Spreadsheet,
    default_tab_title,
    transpose,
)

if TYPE_CHECKING:
    from .server import SheetsEmulator

INPUT_OPTIONS = ("RAW", "USER_ENTERED")
INSERT_OPTIONS = ("OVERWRITE", "INSERT_ROWS")
DIMENSIONS = ("ROWS", "COLUMNS")


def _enum(value: str | None, allowed: tuple[str, ...], default: str, field: str, proto: str) -> str:
    if value is None or value == "":
        return default
    if value not in allowed:
        raise ApiError(
            400,
            f"Invalid value at '{field}' (type.googleapis.com/google.apps.sheets.v4.{proto}), \"{value}\"",
        )
    return value


def _input_option(value: str | None, field: str = "value_input_option") -> str:
    if not value:
        raise ApiError(400, "'valueInputOption' is required but not specified")
    return _enum(value, INPUT_OPTIONS, "RAW", field, "ValueInputOption")


def _render(query: dict, prefix: str = "") -> tuple[str, str, str]:
    key = f"{prefix}ValueRenderOption" if prefix else "valueRenderOption"
    dkey = f"{prefix}DateTimeRenderOption" if prefix else "dateTimeRenderOption"
    snake = "response_value_render_option" if prefix else "value_render_option"
    dsnake = "response_date_time_render_option" if prefix else "date_time_render_option"
    render = _enum(query.get(key), RENDER_OPTIONS, "FORMATTED_VALUE", snake, "ValueRenderOption")
    date = _enum(query.get(dkey), DATE_OPTIONS, "SERIAL_NUMBER", dsnake, "DateTimeRenderOption")
    major = _enum(query.get("majorDimension"), DIMENSIONS, "ROWS", "major_dimension", "Dimension")
    return render, date, major


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1")


# ---------------------------------------------------------------------------------------------
# spreadsheets
# ---------------------------------------------------------------------------------------------


def create(emulator: SheetsEmulator, body: dict) -> dict:
    props = body.get("properties") or {}
    sid = secrets.token_urlsafe(33)[:44].replace("-", "x")
    locale = props.get("locale", "en_US")
    sheets = body.get("sheets") or []
    ss = Spreadsheet(
        sid, props.get("title", "Untitled spreadsheet"), locale, props.get("timeZone", "Etc/GMT")
    )
    if not sheets:
        ss.add_sheet(default_tab_title(locale))
    for i, sheet in enumerate(sheets):
        p = sheet.get("properties") or {}
        grid = p.get("gridProperties") or {}
        ss.add_sheet(
            p.get("title") or default_tab_title(locale, i + 1),
            sheet_id=p.get("sheetId"),
            rows=grid.get("rowCount", DEFAULT_ROWS),
            cols=grid.get("columnCount", DEFAULT_COLS),
        )
    emulator._spreadsheets[sid] = ss
    return ss.metadata()


def get_spreadsheet(ss: Spreadsheet, query: dict, query_lists: dict) -> dict:
    from .presentation import cell_extras, column_metadata, sheet_extras

    meta = ss.metadata()
    if _truthy(query.get("includeGridData", "false")):
        ev = Evaluator(ss)
        ranges = query_lists.get("ranges") or [s.title for s in ss.sheets]
        by_sheet: dict[int, list] = {}
        for a1 in ranges:
            win, _ = ss.window(a1)
            values = ss.render_window(win, "FORMATTED_VALUE", "SERIAL_NUMBER", ev)
            raw = ss.render_window(win, "UNFORMATTED_VALUE", "SERIAL_NUMBER", ev)
            row_data = []
            # A small window is given whole (a note or a rule on a blank cell included).
            height = win.r1 - win.r0 + 1 if win.r1 - win.r0 < 50 else len(values)
            for i in range(height):
                frow = values[i] if i < len(values) else []
                urow = raw[i] if i < len(raw) else []
                cells: list[dict[str, object]] = []
                for j in range(win.c1 - win.c0 + 1):
                    f = frow[j] if j < len(frow) else ""
                    u = urow[j] if j < len(urow) else ""
                    extras = cell_extras(win.sheet, win.r0 + i, win.c0 + j)
                    if f == "":
                        cells.append(extras)
                        continue
                    eff = (
                        {"boolValue": u}
                        if isinstance(u, bool)
                        else {"numberValue": u}
                        if isinstance(u, (int, float))
                        else {"stringValue": u}
                    )
                    cells.append({"effectiveValue": eff, "formattedValue": f, **extras})
                while cells and not cells[-1]:
                    cells.pop()
                row_data.append({"values": cells} if cells else {})
            while row_data and not row_data[-1]:
                row_data.pop()
            data: dict[str, Any] = {"columnMetadata": column_metadata(win.sheet, win.c0, win.c1)}
            if win.r0:
                data["startRow"] = win.r0
            if win.c0:
                data["startColumn"] = win.c0
            if row_data:
                data["rowData"] = row_data
            by_sheet.setdefault(win.sheet.sheet_id, []).append(data)
        for sheet in meta["sheets"]:
            sheet["data"] = by_sheet.get(sheet["properties"]["sheetId"], [{}])
    for sheet, resource in zip(ss.sheets, meta["sheets"], strict=True):
        resource.update(sheet_extras(sheet))
    return meta


def batch_update(ss: Spreadsheet, body: dict) -> dict:
    requests = body.get("requests") or []
    replies = []
    undo: list = []
    try:
        for i, request in enumerate(requests):
            if not isinstance(request, dict) or len(request) != 1:
                raise ApiError(400, f"Invalid requests[{i}]: exactly one kind of request expected.")
            ((kind, params),) = request.items()
            handler = _REQUESTS.get(kind)
            try:
                reply = handler(ss, params or {}, undo) if handler else None
            except ApiError as err:
                raise ApiError(err.code, f"Invalid requests[{i}].{kind}: {err.message}") from err
            replies.append({kind: reply} if reply is not None else {})
    except ApiError:
        for step in reversed(undo):
            step()
        raise
    out: dict[str, Any] = {"spreadsheetId": ss.id, "replies": replies}
    if _truthy(body.get("includeSpreadsheetInResponse", False)):
        out["updatedSpreadsheet"] = ss.metadata()
    return out


def _sheet_for(ss: Spreadsheet, sheet_id) -> Sheet:
    sheet = ss.sheet_by_id(sheet_id if sheet_id is not None else 0)
    if sheet is None:
        raise ApiError(400, f"No grid with id: {sheet_id if sheet_id is not None else 0}")
    return sheet


def _snapshot(ss: Spreadsheet, undo: list) -> None:
    """Remember the spreadsheet's tabs and their contents so a failed batch can be undone."""
    sheets = list(ss.sheets)
    saved = [
        (
            s,
            s.title,
            s.row_count,
            s.col_count,
            s.frozen_rows,
            s.frozen_cols,
            s.hidden,
            [list(r) for r in s.rows],
            copy.deepcopy((s.notes, s.validations, s.widths, s.protected, s.conditional)),
        )
        for s in sheets
    ]
    title, locale, tz = ss.title, ss.locale_code, ss.time_zone

    def restore() -> None:
        from .formats import get_locale

        ss.sheets[:] = sheets
        for s, t, rc, cc, fr, fc, hid, rows, extras in saved:
            s.title, s.row_count, s.col_count = t, rc, cc
            s.frozen_rows, s.frozen_cols, s.hidden, s.rows = fr, fc, hid, rows
            s.notes, s.validations, s.widths, s.protected, s.conditional = extras
        ss.title, ss.locale_code, ss.time_zone = title, locale, tz
        ss.locale = get_locale(locale)

    if not undo:
        undo.append(restore)


def _duplicate_title(title: str) -> ApiError:
    return ApiError(400, f'A sheet with the name "{title}" already exists. Please enter another name.')


def _add_sheet(ss: Spreadsheet, params: dict, undo: list) -> dict:
    props = params.get("properties") or {}
    title = props.get("title")
    if title is None or title == "":
        n = len(ss.sheets) + 1
        while ss.find_sheet(default_tab_title(ss.locale_code, n)) is not None:
            n += 1
        title = default_tab_title(ss.locale_code, n)
    if ss.find_sheet(title) is not None:
        raise _duplicate_title(title)
    sheet_id = props.get("sheetId")
    if sheet_id is not None and ss.sheet_by_id(sheet_id) is not None:
        raise ApiError(400, f"A sheet with the id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    _snapshot(ss, undo)
    sheet = ss.add_sheet(
        title,
        sheet_id=sheet_id if sheet_id is not None else ss.new_sheet_id(),
        index=props.get("index"),
        rows=int(grid.get("rowCount", DEFAULT_ROWS)),
        cols=int(grid.get("columnCount", DEFAULT_COLS)),
    )
    sheet.frozen_rows = int(grid.get("frozenRowCount", 0))
    sheet.frozen_cols = int(grid.get("frozenColumnCount", 0))
    sheet.hidden = bool(props.get("hidden", False))
    return {"properties": sheet.properties(ss.sheets.index(sheet))}


def _delete_sheet(ss: Spreadsheet, params: dict, undo: list) -> None:
    sheet = _sheet_for(ss, params.get("sheetId"))
    if len(ss.sheets) == 1:
        raise ApiError(400, "You can't remove all the sheets in a document.")
    _snapshot(ss, undo)
    ss.sheets.remove(sheet)
    return None


def _fields(mask: str | None) -> list[str]:
    if not mask:
        raise ApiError(400, "At least one field must be updated, but none were specified.")
    # Google takes a path as « gridProperties.frozenRowCount » or « gridProperties/frozenRowCount ».
    return [f.strip().replace(".", "/") for f in mask.split(",") if f.strip()]


def _update_sheet_properties(ss: Spreadsheet, params: dict, undo: list) -> None:
    props = params.get("properties") or {}
    sheet = _sheet_for(ss, props.get("sheetId"))
    fields = _fields(params.get("fields"))
    _snapshot(ss, undo)
    grid = props.get("gridProperties") or {}

    def wanted(name: str) -> bool:
        parts = name.split("/")
        return any(f == "*" or f == name or parts[: len(f.split("/"))] == f.split("/") for f in fields)

    if wanted("title") and "title" in props:
        other = ss.find_sheet(props["title"])
        if other is not None and other is not sheet:
            raise _duplicate_title(props["title"])
        sheet.title = props["title"]
    if wanted("gridProperties/rowCount") and "rowCount" in grid:
        ss.resize(sheet, rows=int(grid["rowCount"]))
    if wanted("gridProperties/columnCount") and "columnCount" in grid:
        ss.resize(sheet, cols=int(grid["columnCount"]))
    if wanted("gridProperties/frozenRowCount"):
        sheet.frozen_rows = int(grid.get("frozenRowCount", 0))
    if wanted("gridProperties/frozenColumnCount"):
        sheet.frozen_cols = int(grid.get("frozenColumnCount", 0))
    if wanted("hidden"):
        sheet.hidden = bool(props.get("hidden", False))
    if wanted("index") and "index" in props:
        ss.sheets.remove(sheet)
        ss.sheets.insert(min(int(props["index"]), len(ss.sheets)), sheet)
    return None


def _update_spreadsheet_properties(ss: Spreadsheet, params: dict, undo: list) -> None:
    from .formats import get_locale

    props = params.get("properties") or {}
    fields = _fields(params.get("fields"))
    _snapshot(ss, undo)
    if ("title" in fields or "*" in fields) and "title" in props:
        ss.title = props["title"]
    if ("locale" in fields or "*" in fields) and "locale" in props:
        ss.locale_code = props["locale"]
        ss.locale = get_locale(props["locale"])
    if ("timeZone" in fields or "*" in fields) and "timeZone" in props:
        ss.time_zone = props["timeZone"]
    return None


def _dimension_range(ss: Spreadsheet, params: dict) -> tuple[Sheet, str, int, int]:
    rng = params.get("range") or {}
    sheet = _sheet_for(ss, rng.get("sheetId"))
    dim = rng.get("dimension")
    if dim not in DIMENSIONS:
        raise ApiError(400, "range.dimension must be ROWS or COLUMNS")
    start = int(rng.get("startIndex", 0))
    size = sheet.row_count if dim == "ROWS" else sheet.col_count
    end = int(rng.get("endIndex", size))
    if start < 0 or end < start:
        raise ApiError(400, "Invalid dimension range")
    return sheet, dim, start, end


def _insert_dimension(ss: Spreadsheet, params: dict, undo: list) -> None:
    sheet, dim, start, end = _dimension_range(ss, params)
    size = sheet.row_count if dim == "ROWS" else sheet.col_count
    if start > size:
        raise ApiError(400, f"Range ({sheet.title}) exceeds grid limits.")
    _snapshot(ss, undo)
    if end > start:
        if dim == "ROWS":
            ss.insert_rows(sheet, start, end - start)
        else:
            ss.insert_columns(sheet, start, end - start)
    return None


def _delete_dimension(ss: Spreadsheet, params: dict, undo: list) -> None:
    sheet, dim, start, end = _dimension_range(ss, params)
    size = sheet.row_count if dim == "ROWS" else sheet.col_count
    end = min(end, size)
    if end - start >= size:
        raise ApiError(
            400,
            "You can't delete all the rows on the sheet."
            if dim == "ROWS"
            else "You can't delete all the columns on the sheet.",
        )
    _snapshot(ss, undo)
    if end > start:
        if dim == "ROWS":
            ss.delete_rows(sheet, start, end - start)
        else:
            ss.delete_columns(sheet, start, end - start)
    return None


def _append_dimension(ss: Spreadsheet, params: dict, undo: list) -> None:
    sheet = _sheet_for(ss, params.get("sheetId"))
    dim = params.get("dimension")
    length = int(params.get("length", 0))
    if dim not in DIMENSIONS or length < 1:
        raise ApiError(400, "appendDimension needs a dimension and a positive length")
    _snapshot(ss, undo)
    if dim == "ROWS":
        sheet.row_count += length
    else:
        sheet.col_count += length
    return None


def _grid_window(ss: Spreadsheet, rng: dict) -> tuple[Sheet, int, int, int, int]:
    """A GridRange (0-based, end-exclusive, open ends) as 0-based inclusive bounds."""
    from .a1 import format_range
    from .store import grid_limit_error

    sheet = _sheet_for(ss, rng.get("sheetId"))
    r0 = int(rng.get("startRowIndex", 0))
    c0 = int(rng.get("startColumnIndex", 0))
    r1 = int(rng.get("endRowIndex", sheet.row_count))
    c1 = int(rng.get("endColumnIndex", sheet.col_count))
    if r0 >= sheet.row_count or c0 >= sheet.col_count:
        raise grid_limit_error(
            sheet,
            format_range(
                sheet.title,
                r0 + 1,
                c0 + 1,
                r1 if "endRowIndex" in rng else None,
                c1 if "endColumnIndex" in rng else None,
            ),
        )
    return sheet, r0, c0, min(r1, sheet.row_count) - 1, min(c1, sheet.col_count) - 1


def _number_format(ss: Spreadsheet, cell: dict):
    from .formats import NumberFormat

    nf = (cell.get("userEnteredFormat") or {}).get("numberFormat")
    if not nf:
        return None
    kind = nf.get("type", "NUMBER")
    pattern = nf.get("pattern") or {
        "DATE": ss.locale.date_pattern,
        "DATE_TIME": ss.locale.datetime_pattern,
        "TIME": ss.locale.time_pattern,
        "PERCENT": "0.00%",
        "CURRENCY": f'#,##0.00 "{ss.locale.currency}"',
        "SCIENTIFIC": "0.00E+00",
        "NUMBER": "#,##0.00",
    }.get(kind, "")
    return NumberFormat(kind, pattern) if kind != "TEXT" else NumberFormat("TEXT", "@")


def _wants(fields: str, *names: str) -> bool:
    """Whether a field mask touches one of ``names``: ``*``, a whole ``names[-1]`` object,
    or a path naming ``names[0]`` (``userEnteredFormat(numberFormat)``)."""
    parts = [f.strip() for f in fields.split(",")]
    return any(f == "*" or f == names[-1] or names[0] in f for f in parts)


def _with_format(raw, fmt):
    from .store import Cell

    if type(raw) is Cell:
        return Cell(raw.value, raw.formula, fmt)
    if raw is None and fmt is None:
        return None
    return Cell(raw, None, fmt)


def _cell_value(cell: dict):
    """A CellData's userEnteredValue as a stored value (formula text or plain value)."""
    from .store import Cell

    value = cell.get("userEnteredValue") or {}
    if "formulaValue" in value:
        return Cell(None, value["formulaValue"], None)
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in value:
            return value[key] if value[key] != "" else None
    return None


def _repeat_cell(ss: Spreadsheet, params: dict, undo: list) -> None:
    fields = params.get("fields") or ""
    sheet, r0, c0, r1, c1 = _grid_window(ss, params.get("range") or {})
    cell = params.get("cell") or {}
    _snapshot(ss, undo)
    set_format = _wants(fields, "numberFormat", "userEnteredFormat")
    set_value = _wants(fields, "userEnteredValue", "userEnteredValue")
    fmt = _number_format(ss, cell)
    value = _cell_value(cell)
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            _update_one(sheet, r, c, set_value, value, set_format, fmt)
    sheet.trim(r0, r1 + 1)
    return None


def _update_one(sheet: Sheet, r: int, c: int, set_value: bool, value, set_format: bool, fmt):
    from .store import Cell

    raw = sheet.get(r, c)
    if set_value:
        old_fmt = raw.fmt if type(raw) is Cell else None
        raw = _with_format(value, old_fmt) if old_fmt is not None else value
    if set_format:
        if type(raw) is Cell:
            raw = Cell(raw.value, raw.formula, fmt)
            if raw.fmt is None and raw.formula is None:
                raw = raw.value
        elif fmt is not None:
            raw = Cell(raw, None, fmt)
    if raw is None and sheet.get(r, c) is None:
        return
    sheet.put(r, c, raw)


def _update_cells(ss: Spreadsheet, params: dict, undo: list) -> None:
    fields = params.get("fields") or ""
    rows = params.get("rows") or []
    if "start" in params:
        start = params["start"] or {}
        sheet = _sheet_for(ss, start.get("sheetId"))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        r1 = r0 + len(rows) - 1
        c1 = c0 + max((len(r.get("values") or []) for r in rows), default=1) - 1
        if r1 >= sheet.row_count or c1 >= sheet.col_count:
            from .a1 import format_range
            from .store import grid_limit_error

            raise grid_limit_error(sheet, format_range(sheet.title, r0 + 1, c0 + 1, r1 + 1, c1 + 1))
    else:
        sheet, r0, c0, r1, c1 = _grid_window(ss, params.get("range") or {})
    _snapshot(ss, undo)
    set_format = _wants(fields, "numberFormat", "userEnteredFormat")
    set_value = _wants(fields, "userEnteredValue", "userEnteredValue")
    for i, row in enumerate(rows):
        for j, cell in enumerate(row.get("values") or []):
            r, c = r0 + i, c0 + j
            if r > r1 or c > c1:
                continue
            _update_one(sheet, r, c, set_value, _cell_value(cell), set_format, _number_format(ss, cell))
    sheet.trim(r0, r1 + 1)
    return None


_REQUESTS = {
    "repeatCell": _repeat_cell,
    "updateCells": _update_cells,
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
}


def _register_presentation() -> None:
    """Notes, validations, widths, protections, conditional formats (presentation.py)."""
    from .presentation import REQUESTS

    _REQUESTS.update(REQUESTS)


_register_presentation()


# ---------------------------------------------------------------------------------------------
# spreadsheets.values
# ---------------------------------------------------------------------------------------------


def values_get(ss: Spreadsheet, a1: str, query: dict) -> dict:
    render, date, major = _render(query)
    return ss.read(a1, render_option=render, date_option=date, major=major)


def batch_get(ss: Spreadsheet, query: dict, query_lists: dict) -> dict:
    render, date, major = _render(query)
    ev = Evaluator(ss)
    ranges = query_lists.get("ranges") or []
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    value_ranges = [
        ss.read(a1, render_option=render, date_option=date, major=major, evaluator=ev) for a1 in ranges
    ]
    if value_ranges:
        out["valueRanges"] = value_ranges
    return out


def _finish_update(
    ss: Spreadsheet, result: dict, include: bool, render: str, date: str, major: str = "ROWS"
) -> dict:
    sheet, r0, c0, height, width = result.pop("_written")
    if include:
        from .store import Window

        win = Window(sheet, r0, c0, r0 + max(height, 1) - 1, c0 + max(width, 1) - 1)
        values = ss.render_window(win, render, date, Evaluator(ss))
        data: dict[str, Any] = {"range": result["updatedRange"], "majorDimension": major}
        if major == "COLUMNS":
            values = transpose(values)
        if values:
            data["values"] = values
        result["updatedData"] = data
    return result


def _body_major(body: dict) -> str:
    return _enum(body.get("majorDimension"), DIMENSIONS, "ROWS", "major_dimension", "Dimension")


def values_update(ss: Spreadsheet, a1: str, query: dict, body: dict) -> dict:
    option = _input_option(query.get("valueInputOption"))
    render, date, _ = _render(query, "response")
    major = _body_major(body)
    result = ss.write(a1, body.get("values") or [], input_option=option, major=major)
    return _finish_update(
        ss, result, _truthy(query.get("includeValuesInResponse", False)), render, date, major
    )


def values_append(ss: Spreadsheet, a1: str, query: dict, body: dict) -> dict:
    option = _input_option(query.get("valueInputOption"))
    insert = _enum(
        query.get("insertDataOption"),
        INSERT_OPTIONS,
        "OVERWRITE",
        "insert_data_option",
        "InsertDataOption",
    )
    render, date, _ = _render(query, "response")
    major = _body_major(body)
    result = ss.append(a1, body.get("values") or [], input_option=option, insert_option=insert, major=major)
    result["updates"] = _finish_update(
        ss,
        result["updates"],
        _truthy(query.get("includeValuesInResponse", False)),
        render,
        date,
        major,
    )
    return result


def values_batch_update(ss: Spreadsheet, body: dict) -> dict:
    option = _input_option(body.get("valueInputOption"))
    include = _truthy(body.get("includeValuesInResponse", False))
    render = _enum(
        body.get("responseValueRenderOption"),
        RENDER_OPTIONS,
        "FORMATTED_VALUE",
        "response_value_render_option",
        "ValueRenderOption",
    )
    date = _enum(
        body.get("responseDateTimeRenderOption"),
        DATE_OPTIONS,
        "SERIAL_NUMBER",
        "response_date_time_render_option",
        "DateTimeRenderOption",
    )
    data = body.get("data") or []
    saved = {id(s): (s, [list(r) for r in s.rows]) for s in ss.sheets}
    responses = []
    rows_touched: set[tuple[int, int]] = set()
    cols_touched: set[tuple[int, int]] = set()
    sheets_touched: set[int] = set()
    cells = 0
    try:
        for item in data:
            major = _body_major(item)
            result = ss.write(
                item.get("range", ""), item.get("values") or [], input_option=option, major=major
            )
            sheet, r0, c0, height, width = result["_written"]
            grid = item.get("values") or []
            if major == "COLUMNS":
                grid = transpose(grid)
            for i, row in enumerate(grid):
                for j, value in enumerate(row):
                    if value is not None:
                        rows_touched.add((sheet.sheet_id, r0 + i))
                        cols_touched.add((sheet.sheet_id, c0 + j))
                        sheets_touched.add(sheet.sheet_id)
            cells += result.get("updatedCells", 0)
            responses.append(_finish_update(ss, result, include, render, date, major))
    except ApiError:
        for sheet, rows in saved.values():
            sheet.rows = rows
        raise
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if rows_touched:
        out["totalUpdatedRows"] = len(rows_touched)
        out["totalUpdatedColumns"] = len(cols_touched)
        out["totalUpdatedCells"] = cells
        out["totalUpdatedSheets"] = len(sheets_touched)
    if responses:
        out["responses"] = responses
    return out


def values_clear(ss: Spreadsheet, a1: str) -> dict:
    return {"spreadsheetId": ss.id, "clearedRange": ss.clear(a1)}


def batch_clear(ss: Spreadsheet, body: dict) -> dict:
    ranges = body.get("ranges") or []
    saved = {id(s): (s, [list(r) for r in s.rows]) for s in ss.sheets}
    try:
        cleared = [ss.clear(a1) for a1 in ranges]
    except ApiError:
        for sheet, rows in saved.values():
            sheet.rows = rows
        raise
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if cleared:
        out["clearedRanges"] = cleared
    return out
