"""The emulator's in-memory spreadsheets and the Sheets API v4 semantics on top of them.

Cells are kept as lists of rows. A cell is ``None`` (empty), a plain ``str``/``int``/``float``/
``bool`` (the common case, cheap), or a ``Cell`` when it holds a formula or a number format.
Every method here expects the caller (the emulator) to hold the store lock.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from . import formula as fx
from .a1 import GridRange, column_letters, format_range, parse_range, quote_tab
from .formats import (
    Locale,
    NumberFormat,
    classify_pattern,
    excel_pattern,
    format_general,
    get_locale,
    json_number,
    parse_user_entered,
    render,
    to_serial,
)

DEFAULT_ROWS = 1000
DEFAULT_COLS = 26


class ApiError(Exception):
    """An error answered with Google's body: ``{"error": {"code", "message", "status"}}``."""

    STATUSES = {
        400: "INVALID_ARGUMENT",
        401: "UNAUTHENTICATED",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ABORTED",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        501: "UNIMPLEMENTED",
        502: "UNAVAILABLE",
        503: "UNAVAILABLE",
        504: "DEADLINE_EXCEEDED",
    }

    def __init__(self, code: int, message: str, status: str | None = None, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or self.STATUSES.get(code, "UNKNOWN")
        self.details = details

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


class Cell:
    """A cell holding a formula and/or a number format (plain values are stored bare)."""

    __slots__ = ("value", "formula", "fmt")

    def __init__(self, value=None, formula: str | None = None, fmt: NumberFormat | None = None):
        self.value = value
        self.formula = formula
        self.fmt = fmt

    def __repr__(self) -> str:
        return f"Cell({self.value!r}, formula={self.formula!r}, fmt={self.fmt!r})"


def is_empty(raw) -> bool:
    if raw is None:
        return True
    if type(raw) is Cell:
        return raw.value is None and raw.formula is None
    return False


@dataclass
class Sheet:
    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROWS
    col_count: int = DEFAULT_COLS
    rows: list[list] = field(default_factory=list)
    frozen_rows: int = 0
    frozen_cols: int = 0
    hidden: bool = False
    # What `spreadsheets.batchUpdate` can set besides values and number formats; kept as
    # sent, returned by `spreadsheets.get`. Notes by (row, col), 0-based; validations as
    # ((r0, c0, r1, c1) inclusive, rule or None to clear), the last covering one wins.
    notes: dict = field(default_factory=dict)
    validations: list = field(default_factory=list)
    widths: dict = field(default_factory=dict)  # column -> pixelSize
    protected: list = field(default_factory=list)  # ProtectedRange objects
    conditional: list = field(default_factory=list)  # ConditionalFormatRule objects

    def validation(self, r: int, c: int):
        for (r0, c0, r1, c1), rule in reversed(self.validations):
            if r0 <= r <= r1 and c0 <= c <= c1:
                return rule
        return None

    # -- raw cell access (0-based) ------------------------------------------------------------
    def get(self, r: int, c: int):
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return None

    def put(self, r: int, c: int, raw) -> None:
        rows = self.rows
        if raw is None and (r >= len(rows) or c >= len(rows[r])):
            return
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = raw

    def trim(self, start: int = 0, stop: int | None = None) -> None:
        """Drop trailing absent cells of rows ``start:stop`` (all by default), then trailing
        empty rows (storage only: a cell that keeps a number format stays)."""
        rows = self.rows
        for row in rows[start:stop]:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()

    def properties(self, index: int) -> dict:
        grid: dict = {"rowCount": self.row_count, "columnCount": self.col_count}
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_cols:
            grid["frozenColumnCount"] = self.frozen_cols
        props: dict = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        return props


@dataclass
class Window:
    """A resolved range on one tab: 0-based inclusive bounds."""

    sheet: Sheet
    r0: int
    c0: int
    r1: int
    c1: int

    def a1(self) -> str:
        return format_range(self.sheet.title, self.r0 + 1, self.c0 + 1, self.r1 + 1, self.c1 + 1)


DEFAULT_FORMAT = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

_THEME_COLORS = [
    ("TEXT", {}),
    ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
    ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
    ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
    ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
    ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
    ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
    ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
    ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}),
]
SPREADSHEET_THEME = {
    "primaryFontFamily": "Arial",
    "themeColors": [{"colorType": t, "color": {"rgbColor": c}} for t, c in _THEME_COLORS],
}

RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")


def default_tab_title(locale: str, n: int = 1) -> str:
    return f"Feuille {n}" if locale.lower().startswith("fr") else f"Sheet{n}"


class Spreadsheet:
    def __init__(self, spreadsheet_id: str, title: str, locale: str, time_zone: str):
        self.id = spreadsheet_id
        self.title = title
        self.locale_code = locale
        self.locale: Locale = get_locale(locale)
        self.time_zone = time_zone
        self.sheets: list[Sheet] = []
        self.shares: dict[str, str] = {}  # account e-mail -> "writer" or "reader"
        self._rng = random.Random(spreadsheet_id)

    # -- tabs ---------------------------------------------------------------------------------
    def new_sheet_id(self) -> int:
        used = {s.sheet_id for s in self.sheets}
        while True:
            candidate = self._rng.randint(1, 2_147_483_646)
            if candidate not in used:
                return candidate

    def add_sheet(
        self,
        title: str,
        *,
        sheet_id: int | None = None,
        index: int | None = None,
        rows: int = DEFAULT_ROWS,
        cols: int = DEFAULT_COLS,
    ) -> Sheet:
        if sheet_id is None:
            sheet_id = 0 if not self.sheets else self.new_sheet_id()
        sheet = Sheet(sheet_id=sheet_id, title=title, row_count=rows, col_count=cols)
        if index is None or index >= len(self.sheets):
            self.sheets.append(sheet)
        else:
            self.sheets.insert(max(index, 0), sheet)
        return sheet

    def find_sheet(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        low = title.lower()
        for sheet in self.sheets:
            if sheet.title.lower() == low:
                return sheet
        return None

    def sheet_by_id(self, sheet_id) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        return None

    def tab(self, title: str) -> Sheet:
        sheet = self.find_sheet(title)
        if sheet is None:
            raise KeyError(title)
        return sheet

    def metadata(self) -> dict:
        return {
            "spreadsheetId": self.id,
            "properties": {
                "title": self.title,
                "locale": self.locale_code,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
                "defaultFormat": DEFAULT_FORMAT,
                "spreadsheetTheme": SPREADSHEET_THEME,
            },
            "sheets": [{"properties": s.properties(i)} for i, s in enumerate(self.sheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.id}/edit",
        }

    # -- ranges -------------------------------------------------------------------------------
    def parse(self, a1: str) -> tuple[Sheet, GridRange]:
        if "!" not in a1 and not a1.startswith("'"):
            # A bare tab title wins over a reference ("A" is the tab A, columns need "A:A").
            named = self.find_sheet(a1.strip())
            if named is not None:
                return named, GridRange(tab=named.title)
        try:
            grid = parse_range(a1)
        except ValueError as exc:
            raise ApiError(400, f"Unable to parse range: {a1}") from exc
        if grid.tab is None:
            if not self.sheets:
                raise ApiError(400, f"Unable to parse range: {a1}")
            sheet = self.sheets[0]
        else:
            found = self.find_sheet(grid.tab)
            if found is None:
                raise ApiError(400, f"Unable to parse range: {a1}")
            sheet = found
        for value in (grid.start_row, grid.end_row, grid.start_col, grid.end_col):
            if value is not None and value < 1:
                raise ApiError(400, f"Unable to parse range: {a1}")
        return sheet, grid

    def window(self, a1: str) -> tuple[Window, GridRange]:
        """Resolve a range to the grid; bounds past the grid are Google's 400."""
        sheet, g = self.parse(a1)
        r0, r1 = g.start_row, g.end_row
        c0, c1 = g.start_col, g.end_col
        if r0 is not None and r1 is not None and r1 < r0:
            r0, r1 = r1, r0
        if c0 is not None and c1 is not None and c1 < c0:
            c0, c1 = c1, c0
        if (
            (r0 or 1) > sheet.row_count
            or (r1 or 1) > sheet.row_count
            or ((c0 or 1) > sheet.col_count or (c1 or 1) > sheet.col_count)
        ):
            raise grid_limit_error(sheet, format_range(sheet.title, r0, c0, r1, c1))
        win = Window(
            sheet,
            (r0 or 1) - 1,
            (c0 or 1) - 1,
            (r1 or sheet.row_count) - 1,
            (c1 or sheet.col_count) - 1,
        )
        return win, g

    # -- reading ------------------------------------------------------------------------------
    def read(
        self,
        a1: str,
        *,
        render_option: str = "FORMATTED_VALUE",
        date_option: str = "SERIAL_NUMBER",
        major: str = "ROWS",
        evaluator: Evaluator | None = None,
    ) -> dict:
        win, _ = self.window(a1)
        values = self.render_window(win, render_option, date_option, evaluator)
        out: dict = {"range": win.a1(), "majorDimension": major}
        if major == "COLUMNS":
            values = transpose(values)
        if values:
            out["values"] = values
        return out

    def render_window(
        self, win: Window, render_option: str, date_option: str, evaluator: Evaluator | None = None
    ) -> list[list]:
        sheet = win.sheet
        ev = evaluator or Evaluator(self)
        cell_out = self.renderer(render_option, date_option, ev, sheet)
        out: list[list] = []
        last_nonempty = -1
        rows = sheet.rows
        end = min(win.r1 + 1, len(rows))
        c0, c1 = win.c0, win.c1 + 1
        for r in range(win.r0, end):
            row = rows[r]
            chunk = row[c0:c1]
            rendered = []
            keep = 0
            for i, raw in enumerate(chunk):
                t = type(raw)
                if t is str:
                    rendered.append(raw)
                    if raw:
                        keep = i + 1
                elif raw is None:
                    rendered.append("")
                else:
                    value = cell_out(raw, r, c0 + i)
                    rendered.append(value)
                    if value != "":
                        keep = i + 1
            del rendered[keep:]
            out.append(rendered)
            if keep:
                last_nonempty = len(out) - 1
        del out[last_nonempty + 1 :]
        return out

    def renderer(self, render_option: str, date_option: str, ev: Evaluator, sheet: Sheet):
        loc = self.locale
        formatted = render_option == "FORMATTED_VALUE"
        want_formula = render_option == "FORMULA"
        date_strings = date_option == "FORMATTED_STRING"

        def cell_out(raw, r: int, c: int):
            t = type(raw)
            if t is bool:
                return (loc.true if raw else loc.false) if formatted else raw
            if t is int or t is float:
                return format_general(raw, loc) if formatted else json_number(raw)
            if t is str:
                return raw
            if raw is None:
                return ""
            # A Cell: formula and/or format.
            if raw.formula is not None:
                if want_formula:
                    return raw.formula
                value = ev.value(sheet, r, c)
                fmt = raw.fmt or ev.inferred_format(sheet, r, c)
            else:
                value = raw.value
                fmt = raw.fmt
            if value is None:
                return ""
            if isinstance(value, fx.FormulaError):
                return value.code
            if formatted:
                return render(value, fmt, loc)
            if isinstance(value, (bool, str)):
                return value
            if date_strings and fmt is not None and fmt.is_temporal:
                return render(value, fmt, loc)
            return json_number(value)

        return cell_out

    # -- writing ------------------------------------------------------------------------------
    def to_raw(self, value, input_option: str, existing) -> object:
        """What a JSON value from a request becomes in the store."""
        fmt = existing.fmt if type(existing) is Cell else None
        if value is None:
            return existing
        if isinstance(value, str):
            if value == "":
                return Cell(None, None, fmt) if fmt else None
            if input_option == "USER_ENTERED":
                if value.startswith("=") and len(value) > 1:
                    return Cell(None, value, fmt)
                parsed = parse_user_entered(value, self.locale)
                new_fmt = parsed.fmt or fmt
                if new_fmt is None:
                    return parsed.value
                return Cell(parsed.value, None, new_fmt)
            return Cell(value, None, fmt) if fmt else value
        if isinstance(value, (bool, int, float)):
            return Cell(value, None, fmt) if fmt else value
        raise TypeError(type(value).__name__)

    def write(self, a1: str, values: list, *, input_option: str, major: str = "ROWS") -> dict:
        """values.update: returns the update counts (``updatedRange`` ...)."""
        win, g = self.window(a1)
        grid = _as_rows(values, major)
        height = len(grid)
        width = max((len(r) for r in grid), default=0)
        single = (
            g.start_row is not None
            and g.start_col is not None
            and g.start_row == g.end_row
            and g.start_col == g.end_col
        )
        sheet = win.sheet
        limit_r1 = sheet.row_count - 1 if single else win.r1
        limit_c1 = sheet.col_count - 1 if single else win.c1
        if height and win.r0 + height - 1 > limit_r1:
            raise ApiError(
                400,
                f"Requested writing within range [{a1}], but tried writing to row [{win.r0 + height}]",
            )
        if width and win.c0 + width - 1 > limit_c1:
            raise ApiError(
                400,
                f"Requested writing within range [{a1}], but tried writing to column "
                f"[{column_letters(win.c0 + width)}]",
            )
        return self._put_grid(sheet, win.r0, win.c0, grid, input_option)

    def _put_grid(self, sheet: Sheet, r0: int, c0: int, grid: list[list], input_option: str):
        cells = 0
        for i, row in enumerate(grid):
            for j, value in enumerate(row):
                if value is None:
                    continue
                r, c = r0 + i, c0 + j
                try:
                    raw = self.to_raw(value, input_option, sheet.get(r, c))
                except TypeError as exc:
                    raise ApiError(400, f"Invalid values[{i}][{j}]: {_describe(value)}") from exc
                sheet.put(r, c, raw)
                cells += 1
        height = len(grid)
        sheet.trim(r0, r0 + height)
        width = max((len(r) for r in grid), default=0)
        result: dict = {"spreadsheetId": self.id}
        if height and width:
            result["updatedRange"] = format_range(sheet.title, r0 + 1, c0 + 1, r0 + height, c0 + width)
        else:
            result["updatedRange"] = format_range(sheet.title, r0 + 1, c0 + 1)
        if cells:
            result["updatedRows"] = sum(1 for row in grid if any(v is not None for v in row))
            result["updatedColumns"] = sum(
                1 for j in range(width) if any(j < len(row) and row[j] is not None for row in grid)
            )
            result["updatedCells"] = cells
        result["_written"] = (sheet, r0, c0, height, width)
        return result

    def clear(self, a1: str) -> str:
        win, _ = self.window(a1)
        sheet = win.sheet
        for r in range(win.r0, min(win.r1 + 1, len(sheet.rows))):
            row = sheet.rows[r]
            for c in range(win.c0, min(win.c1 + 1, len(row))):
                raw = row[c]
                if type(raw) is Cell and raw.fmt is not None:
                    row[c] = Cell(None, None, raw.fmt)
                else:
                    row[c] = None
        sheet.trim(win.r0, win.r1 + 1)
        return win.a1()

    def append(
        self, a1: str, values: list, *, input_option: str, insert_option: str, major: str = "ROWS"
    ) -> dict:
        win, _ = self.window(a1)
        sheet = win.sheet
        grid = _as_rows(values, major)
        height = len(grid)
        width = max((len(r) for r in grid), default=0)
        table = find_table(sheet, win)
        out: dict = {"spreadsheetId": self.id}
        if table is None:
            r0, c0 = win.r0, win.c0
        else:
            tr0, tc0, tr1, tc1 = table
            out["tableRange"] = format_range(sheet.title, tr0 + 1, tc0 + 1, tr1 + 1, tc1 + 1)
            r0, c0 = tr1 + 1, tc0
        if height:
            if insert_option == "INSERT_ROWS":
                self.insert_rows(sheet, r0, height)
            elif r0 + height > sheet.row_count:
                sheet.row_count = r0 + height
        if width and c0 + width > sheet.col_count:
            sheet.col_count = c0 + width
        out["updates"] = self._put_grid(sheet, r0, c0, grid, input_option)
        return out

    # -- structure ----------------------------------------------------------------------------
    def insert_rows(self, sheet: Sheet, at: int, count: int) -> None:
        """Insert ``count`` empty rows before 0-based row ``at``; formulas follow."""
        if at < len(sheet.rows):
            sheet.rows[at:at] = [[] for _ in range(count)]
        sheet.row_count += count
        self._shift_formulas(sheet, "ROWS", at + 1, count)

    def delete_rows(self, sheet: Sheet, at: int, count: int) -> None:
        del sheet.rows[at : at + count]
        sheet.row_count -= count
        self._shift_formulas(sheet, "ROWS", at + 1, -count)

    def insert_columns(self, sheet: Sheet, at: int, count: int) -> None:
        for row in sheet.rows:
            if at < len(row):
                row[at:at] = [None] * count
        sheet.col_count += count
        self._shift_formulas(sheet, "COLUMNS", at + 1, count)

    def delete_columns(self, sheet: Sheet, at: int, count: int) -> None:
        for row in sheet.rows:
            del row[at : at + count]
        sheet.col_count -= count
        self._shift_formulas(sheet, "COLUMNS", at + 1, -count)
        sheet.trim()

    def _shift_formulas(self, target: Sheet, dimension: str, start: int, delta: int) -> None:
        comma = self.locale.decimal == ","
        for sheet in self.sheets:
            for row in sheet.rows:
                for c, raw in enumerate(row):
                    if type(raw) is Cell and raw.formula is not None:
                        new = fx.shift_references(
                            raw.formula,
                            own_sheet=sheet.title,
                            target_sheet=target.title,
                            dimension=dimension,
                            start=start,
                            delta=delta,
                            decimal_comma=comma,
                        )
                        if new != raw.formula:
                            row[c] = Cell(raw.value, new, raw.fmt)

    def resize(self, sheet: Sheet, rows: int | None = None, cols: int | None = None) -> None:
        if rows is not None:
            if rows < 1:
                raise ApiError(400, "Invalid requests: rowCount must be at least 1")
            sheet.row_count = rows
            del sheet.rows[rows:]
        if cols is not None:
            if cols < 1:
                raise ApiError(400, "Invalid requests: columnCount must be at least 1")
            sheet.col_count = cols
            for row in sheet.rows:
                del row[cols:]
        sheet.trim()


def grid_limit_error(sheet: Sheet, a1: str) -> ApiError:
    return ApiError(
        400,
        f"Range ({a1}) exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}",
    )


def _describe(value) -> str:
    if isinstance(value, list):
        return "list_value {...}"
    if isinstance(value, dict):
        return "struct_value {...}"
    return repr(value)


def _as_rows(values, major: str) -> list[list]:
    if values is None:
        return []
    if not isinstance(values, list) or any(not isinstance(r, list) for r in values):
        raise ApiError(400, "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
    return transpose(values) if major == "COLUMNS" else values


def transpose(rows: list[list]) -> list[list]:
    width = max((len(r) for r in rows), default=0)
    out = []
    for j in range(width):
        col = [row[j] if j < len(row) else "" for row in rows]
        while col and col[-1] in ("", None):
            col.pop()
        out.append(col)
    while out and not out[-1]:
        out.pop()
    return out


def find_table(sheet: Sheet, win: Window) -> tuple[int, int, int, int] | None:
    """The 'table' values.append appends to: the block of contiguous data around the last
    filled cell of the range (0-based inclusive bounds), or None when the range is empty."""
    rows = sheet.rows
    last = None
    for r in range(min(win.r1, len(rows) - 1), win.r0 - 1, -1):
        row = rows[r]
        for c in range(min(win.c1, len(row) - 1), win.c0 - 1, -1):
            if not is_empty(row[c]):
                last = (r, c)
                break
        if last:
            break
    if last is None:
        return None
    r0 = r1 = last[0]
    c0 = c1 = last[1]
    max_r, max_c = sheet.row_count - 1, sheet.col_count - 1

    def row_has(r: int, a: int, b: int) -> bool:
        if r >= len(rows):
            return False
        row = rows[r]
        return any(not is_empty(row[c]) for c in range(a, min(b, len(row) - 1) + 1))

    def col_has(c: int, a: int, b: int) -> bool:
        for r in range(a, min(b, len(rows) - 1) + 1):
            row = rows[r]
            if c < len(row) and not is_empty(row[c]):
                return True
        return False

    changed = True
    while changed:
        changed = False
        while r0 > 0 and row_has(r0 - 1, c0, c1):
            r0 -= 1
            changed = True
        while r1 < max_r and row_has(r1 + 1, c0, c1):
            r1 += 1
            changed = True
        while c0 > 0 and col_has(c0 - 1, r0, r1):
            c0 -= 1
            changed = True
        while c1 < max_c and col_has(c1 + 1, r0, r1):
            c1 += 1
            changed = True
    return r0, c0, r1, c1


class Evaluator(fx.Context):
    """Evaluates formula cells for one request, memoising results and catching cycles."""

    def __init__(self, ss: Spreadsheet):
        self.ss = ss
        self.locale = ss.locale
        self.time_zone = ss.time_zone
        self._cache: dict[tuple[int, int, int], object] = {}
        self._fmt_cache: dict[tuple[int, int, int], NumberFormat | None] = {}
        self._busy: set[tuple[int, int, int]] = set()
        self._current: list[Sheet] = []

    def _sheet(self, title: str | None) -> Sheet:
        if title is None:
            return self._current[-1]
        sheet = self.ss.find_sheet(title)
        if sheet is None:
            raise fx.FormulaError(fx.REF)
        return sheet

    def value(self, sheet: Sheet, r: int, c: int):
        raw = sheet.get(r, c)
        if type(raw) is not Cell:
            return raw
        if raw.formula is None:
            return raw.value
        key = (id(sheet), r, c)
        if key in self._cache:
            return self._cache[key]
        if key in self._busy:
            return fx.FormulaError(fx.REF)
        self._busy.add(key)
        self._current.append(sheet)
        try:
            result = fx.evaluate(raw.formula, self)
        finally:
            self._current.pop()
            self._busy.discard(key)
        if isinstance(result, float):
            result = json_number(result) if result.is_integer() else result
        self._cache[key] = result
        return result

    def inferred_format(self, sheet: Sheet, r: int, c: int) -> NumberFormat | None:
        key = (id(sheet), r, c)
        if key not in self._fmt_cache:
            self._fmt_cache[key] = None  # cycle guard
            raw = sheet.get(r, c)
            fmt = None
            if type(raw) is Cell and raw.formula is not None:
                self._current.append(sheet)
                try:
                    fmt = fx.infer_format(raw.formula, self)
                finally:
                    self._current.pop()
            self._fmt_cache[key] = fmt
        return self._fmt_cache[key]

    # Context API (1-based coordinates)
    def cell_value(self, sheet: str | None, row: int, col: int):
        target = self._sheet(sheet)
        if row > target.row_count or col > target.col_count:
            raise fx.FormulaError(fx.REF)
        value = self.value(target, row - 1, col - 1)
        return value

    def cell_format(self, sheet: str | None, row: int, col: int) -> NumberFormat | None:
        try:
            target = self._sheet(sheet)
        except fx.FormulaError:
            return None
        raw = target.get(row - 1, col - 1)
        if type(raw) is Cell:
            if raw.fmt is not None:
                return raw.fmt
            if raw.formula is not None:
                return self.inferred_format(target, row - 1, col - 1)
        return None

    def range_values(self, ref: fx.RefRange) -> list[list]:
        target = self._sheet(ref.sheet)
        r0 = (ref.r0 or 1) - 1
        c0 = (ref.c0 or 1) - 1
        r1 = min((ref.r1 or target.row_count), target.row_count) - 1
        c1 = min((ref.c1 or target.col_count), target.col_count) - 1
        if r1 < r0:
            r0, r1 = r1, r0
        if c1 < c0:
            c0, c1 = c1, c0
        out = []
        for r in range(r0, min(r1 + 1, len(target.rows))):
            row = target.rows[r]
            out.append([self.value(target, r, c) if c < len(row) else None for c in range(c0, c1 + 1)])
        return out


# ---------------------------------------------------------------------------------------------
# Python values (fixtures, xlsx) into cells
# ---------------------------------------------------------------------------------------------


def python_to_raw(value, loc: Locale, number_format: str | None = None):
    """A Python value as a stored cell: dates become DATE-formatted serials, strings that
    start with ``=`` formulas, everything else stays as it is."""
    fmt = None
    if number_format:
        pattern = excel_pattern(number_format)
        kind = classify_pattern(pattern)
        if kind:
            fmt = NumberFormat(kind, pattern)
    if value is None or value == "":
        return None
    t = type(value)
    if fmt is None and (t is str or t is int or t is float or t is bool):
        return Cell(None, value, None) if t is str and value[:1] == "=" and len(value) > 1 else value
    if isinstance(value, dt.datetime):
        serial = to_serial(value)
        if fmt is None or not fmt.is_temporal:
            has_time = value.time() != dt.time(0)
            fmt = loc.datetime if has_time else loc.date
        return Cell(serial, None, fmt)
    if isinstance(value, dt.date):
        if fmt is None or not fmt.is_temporal:
            fmt = loc.date
        return Cell(to_serial(value), None, fmt)
    if isinstance(value, dt.time):
        if fmt is None or not fmt.is_temporal:
            fmt = loc.time
        return Cell(to_serial(value), None, fmt)
    if isinstance(value, str):
        if value.startswith("=") and len(value) > 1:
            return Cell(None, value, fmt)
        return value
    if isinstance(value, (bool, int, float)):
        return Cell(value, None, fmt) if fmt and fmt.type not in ("TEXT",) else value
    return str(value)


def sheet_from_grid(ss: Spreadsheet, title: str, grid: list[list], **kw) -> Sheet:
    sheet = ss.add_sheet(title, **kw)
    loc = ss.locale
    sheet.rows = [[None if v is None else python_to_raw(v, loc) for v in row] for row in grid]
    height = len(grid)
    width = max((len(r) for r in grid), default=0)
    sheet.row_count = max(sheet.row_count, height)
    sheet.col_count = max(sheet.col_count, width)
    sheet.trim()
    return sheet


def quoted(title: str) -> str:
    return quote_tab(title)


SortKey = Callable[[list], object]
