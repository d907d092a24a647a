"""`mila preparer` on Google Sheets: one ``spreadsheets.get``, then at most one ``batchUpdate``.

The get asks for rows 1 and 2 of every contract tab with the fields the comparison needs
(the headers and their notes, row 2's validation and number format, the column widths,
the frozen rows, the protected ranges and the conditional formats); only the requests
whose effect is missing are sent, so a second run sends none. No request touches a cell
value: notes go through ``updateCells`` with ``fields: note``, formats through
``repeatCell`` with ``fields: userEnteredFormat.numberFormat``.

A validation or a format is checked on row 2 of its column: one that a person removed
from some rows further down only is not put back (docs/preparer.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import schema
from . import a1
from .preparation import COLOURS, FORMATS, Choices, ColumnPlan, TabPlan, plan_tab, tab_contract

if TYPE_CHECKING:
    from .google import GoogleBackend

DESCRIPTION = "mila"  # the protected ranges mila owns are described « mila : … »
FIELDS = (
    "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount,frozenRowCount)),"
    "protectedRanges(protectedRangeId,range,description,warningOnly),"
    "conditionalFormats(ranges,booleanRule),"
    "data(rowData(values(formattedValue,note,dataValidation,userEnteredFormat/numberFormat)),"
    "columnMetadata(pixelSize)))"
)


def read_state(backend: GoogleBackend) -> list[dict[str, Any]]:
    """The sheets of the spreadsheet with rows 1-2 of every contract tab (one request)."""
    titles = [t for t in backend.titles() if tab_contract(t) is not None]
    params: dict[str, Any] = {
        "includeGridData": "true",
        "ranges": [f"{a1.quote_tab(t)}!1:2" for t in titles],
        "fields": FIELDS,
    }
    meta = backend._call(lambda: backend.http.fetch_sheet_metadata(backend.key, params))
    return list(meta.get("sheets", []))


def plan_requests(
    sheets: Sequence[Mapping[str, Any]], listes_title: str | None, choices: Choices | None = None
) -> list[dict[str, Any]]:
    """The batchUpdate requests whose effect is missing from ``sheets`` (as read)."""
    requests: list[dict[str, Any]] = []
    listes_header: list[object] | None = None  # not read: the contract's order
    for sheet in sheets:
        if listes_title is not None and sheet.get("properties", {}).get("title") == listes_title:
            rows = _rows(sheet)
            listes_header = [_value(rows, 0, c) for c in range(_width(rows))] or None
    for sheet in sheets:
        props = sheet.get("properties", {})
        rows = _rows(sheet)
        header: list[object] = [_value(rows, 0, c) for c in range(_width(rows))]
        plan = plan_tab(props.get("title", ""), header, choices, listes_header)
        if plan is not None:
            requests += _tab_requests(sheet, plan, rows, listes_title)
    return requests


def _rows(sheet: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    data = (sheet.get("data") or [{}])[0]
    return [list(r.get("values") or []) for r in data.get("rowData") or []]


def _width(rows: list[list[dict[str, Any]]]) -> int:
    return len(rows[0]) if rows else 0


def _cell(rows: list[list[dict[str, Any]]], r: int, c: int) -> dict[str, Any]:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else {}


def _value(rows: list[list[dict[str, Any]]], r: int, c: int) -> str:
    return str(_cell(rows, r, c).get("formattedValue") or "")


def _tab_requests(
    sheet: Mapping[str, Any], plan: TabPlan, rows: list[list[dict[str, Any]]], listes: str | None
) -> list[dict[str, Any]]:
    props = sheet["properties"]
    sheet_id = props["sheetId"]
    out: list[dict[str, Any]] = []
    if int(props.get("gridProperties", {}).get("frozenRowCount", 0)) < 1:
        out.append(
            {
                "updateSheetProperties": {
                    "properties": {"sheetId": sheet_id, "gridProperties": {"frozenRowCount": 1}},
                    "fields": "gridProperties.frozenRowCount",
                }
            }
        )
    widths = ((sheet.get("data") or [{}])[0]).get("columnMetadata") or []
    protected = list(sheet.get("protectedRanges") or [])
    rules = list(sheet.get("conditionalFormats") or [])
    wanted_protections: list[dict[str, Any]] = []
    if plan.owned:
        wanted_protections.append({"sheetId": sheet_id})
    for column in plan.columns:
        c = column.index - 1
        whole = {"sheetId": sheet_id, "startColumnIndex": c, "endColumnIndex": c + 1}
        body = {**whole, "startRowIndex": 1}
        if not plan.owned and _cell(rows, 0, c).get("note") != column.note:
            out.append(
                {
                    "updateCells": {
                        "rows": [{"values": [{"note": column.note}]}],
                        "fields": "note",
                        "range": {**whole, "startRowIndex": 0, "endRowIndex": 1},
                    }
                }
            )
        rule = _validation(column, listes)
        if rule is not None and not _same_validation(_cell(rows, 1, c).get("dataValidation"), rule):
            out.append({"setDataValidation": {"range": body, "rule": rule}})
        if column.number_format is not None:
            wanted = FORMATS[column.number_format][0]
            have = (_cell(rows, 1, c).get("userEnteredFormat") or {}).get("numberFormat")
            if have != wanted:
                out.append(
                    {
                        "repeatCell": {
                            "range": body,
                            "cell": {"userEnteredFormat": {"numberFormat": wanted}},
                            "fields": "userEnteredFormat.numberFormat",
                        }
                    }
                )
        size = widths[c].get("pixelSize", 100) if c < len(widths) else 100
        if size < column.width:
            out.append(
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": sheet_id,
                            "dimension": "COLUMNS",
                            "startIndex": c,
                            "endIndex": c + 1,
                        },
                        "properties": {"pixelSize": column.width},
                        "fields": "pixelSize",
                    }
                }
            )
        if column.calc and not plan.owned:
            wanted_protections.append(whole)
        for value, colour in column.highlights:
            condition = {"type": "TEXT_EQ", "values": [{"userEnteredValue": value}]}
            out += _conditional(rules, body, condition, colour)
        if column.flag_filled:
            out += _conditional(rules, body, {"type": "NOT_BLANK"}, "anomaly")
    out += _protections(protected, wanted_protections, plan)
    return out


def _validation(column: ColumnPlan, listes: str | None) -> dict[str, Any] | None:
    if column.list_column is not None and listes is not None:
        letter = a1.column_letters(column.list_column)
        source = f"={a1.quote_tab(listes)}!${letter}$2:${letter}"
        condition: dict[str, Any] = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": source}]}
    elif column.choices:
        condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in column.choices]}
    else:
        return None
    # strict false: a value outside the list is flagged, never refused (staff may still type).
    return {"condition": condition, "strict": False, "showCustomUi": True}


def _same_validation(have: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    if not have:
        return False
    return (
        _condition_key(have.get("condition") or {}) == _condition_key(wanted["condition"])
        and not have.get("strict", False)
        and bool(have.get("showCustomUi", False))
    )


def _condition_key(condition: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A condition as compared: a range's quotes and case do not count (Google may give
    back ``=Listes!$A$2:$A`` for ``='Listes'!$A$2:$A``)."""
    values = [str(v.get("userEnteredValue", "")) for v in condition.get("values") or []]
    if condition.get("type") == "ONE_OF_RANGE":
        values = [v.replace("'", "").casefold() for v in values]
    return str(condition.get("type", "")), tuple(values)


def _conditional(
    rules: list[dict[str, Any]], body: dict[str, Any], condition: dict[str, Any], colour: str
) -> list[dict[str, Any]]:
    for rule in rules:
        boolean = rule.get("booleanRule") or {}
        if boolean.get("condition") == condition and any(
            _same_range(r, body) for r in rule.get("ranges", [])
        ):
            return []
    red, green, blue = COLOURS[colour][0]
    rule = {
        "ranges": [body],
        "booleanRule": {
            "condition": condition,
            "format": {"backgroundColor": {"red": red, "green": green, "blue": blue}},
        },
    }
    rules.append(rule)
    return [{"addConditionalFormatRule": {"rule": rule, "index": 0}}]


def _same_range(have: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    keys = ("sheetId", "startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")
    return all(have.get(k, 0 if k == "sheetId" else None) == wanted.get(k) for k in keys)


def _protections(
    protected: list[dict[str, Any]], wanted: list[dict[str, Any]], plan: TabPlan
) -> list[dict[str, Any]]:
    """Add the warning-only protections missing; drop mila's own that no longer fit (a
    computed column the staff moved elsewhere, say)."""
    out: list[dict[str, Any]] = []
    kept: set[int] = set()
    for rng in wanted:
        found = next(
            (p for p in protected if p.get("warningOnly") and _same_range(p.get("range", {}), rng)),
            None,
        )
        if found is not None:
            kept.add(id(found))
            continue
        what = f"onglet « {plan.title} »" if "startColumnIndex" not in rng else _column_name(plan, rng)
        out.append(
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": rng,
                        "description": f"{DESCRIPTION} : {what} tenu par mila, ne pas modifier",
                        "warningOnly": True,
                    }
                }
            }
        )
    for p in protected:
        if id(p) in kept or not str(p.get("description", "")).startswith(f"{DESCRIPTION} :"):
            continue
        if "protectedRangeId" in p:
            out.append({"deleteProtectedRange": {"protectedRangeId": p["protectedRangeId"]}})
    return out


def _column_name(plan: TabPlan, rng: Mapping[str, Any]) -> str:
    index = int(rng["startColumnIndex"]) + 1
    name = next((c.name for c in plan.columns if c.index == index), "?")
    return f"colonne calculée « {name} »"


def prepare(backend: GoogleBackend, choices: Choices | None = None) -> list[dict[str, Any]]:
    """Apply the plan: read once, send the missing requests in one batchUpdate; the requests sent."""
    sheets = read_state(backend)
    titles = [s.get("properties", {}).get("title", "") for s in sheets]
    listes = next((t for t in titles if tab_contract(t) is schema.LISTES), None)
    requests = plan_requests(sheets, listes, choices)
    if requests:
        backend._call(lambda: backend.http.batch_update(backend.key, {"requests": requests}))
    return requests
