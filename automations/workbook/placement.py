"""Where each job-owned cell goes, decided from a fresh read of the tab: pure, no I/O.

The safety-critical half of :meth:`Workbook.write`: given a tab's grid as it stands
just before the write and the cells a job wants to set, say which cells to write
(row and column numbers) and which updates could not be placed, and why, in French.
A row is found by its ``ID``; a row whose ``ID`` stands twice, or a row that had no
``ID``, is recognised by its staff cells instead. Nothing here reads or writes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from ..errors import SchemaError
from ..schema import normalize_header, row_key_alias, tab_schema
from .table import Row, is_blank

log = logging.getLogger(__name__)

Grid = list[list[object]]
Cell = tuple[str, int, int, object]  # tab title, 1-based row, 1-based column, value


class CellUpdate(NamedTuple):
    """Set a job-owned ``column`` of the row whose ``ID`` is ``row_id``.

    ``row``, the row as read, lets the write find a row whose ID stands twice: it is
    then recognised by its staff cells, as a row without ID is.

    A named tuple rather than a frozen dataclass: a sync builds one per computed cell
    (125,000 at 10,000 members), and a tuple is built three times faster.
    """

    tab: str
    row_id: str
    column: str
    value: object
    row: Row | None = None


@dataclass(frozen=True)
class NewId:
    """Give the blank-``ID`` row ``row`` (as read) the identifier ``new_id``."""

    tab: str
    row: Row
    new_id: str


@dataclass
class Placement:
    """What to write in one tab, and what could not be placed."""

    cells: list[Cell] = field(default_factory=list)  # in order: new IDs, then headers and values
    ids_assigned: list[NewId] = field(default_factory=list)
    columns_added: list[tuple[str, str]] = field(default_factory=list)  # tab, column name
    skipped: list[str] = field(default_factory=list)  # French: what could not be placed, and why
    written: list[tuple[str, str, str, object]] = field(default_factory=list)  # tab, id, column, value
    width: int | None = None  # the columns the grid must have first, when it has fewer


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Characters a cell holds: Excel's limit (Google Sheets refuses more than 50,000). One limit for
# both, so that a workbook moved from one to the other keeps every cell as it is.
CELL_LIMIT = 32_767
_logged: set[int] = set()  # texts already written in full to the local log by this process


def fit_cell(text: str, limit: int = CELL_LIMIT) -> str:
    """``text`` when it fits a cell; else its beginning and a French note saying it was cut,
    the whole text going once to the local log (``logs/mila.log``). The last guard of every
    write: the jobs summarise their own long texts before (Journal details, imported names)."""
    if len(text) <= limit:
        return text
    note = f" […] (texte coupé : {len(text):,} caractères ; le texte entier est dans logs/mila.log)".replace(
        ",", "\u202f"
    )
    if hash(text) not in _logged:
        _logged.add(hash(text))
        log.warning("a text of %d characters was cut to fit a cell; in full: %s", len(text), text)
    return text[: limit - len(note)].rstrip() + note


def to_cell_value(value: object) -> object:
    """Turn a computed value into what backends write: numbers as numbers, text
    without the control characters no spreadsheet keeps and cut to fit a cell
    (:func:`fit_cell`), blank as ``None``."""
    if isinstance(value, str):
        value = fit_cell(_CONTROL.sub("", value))
        return value or None
    if value is None or isinstance(value, (bool, int, float, dt.date)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def header_of(grid: Grid) -> list[str]:
    """Row 1 of a grid as text."""
    return [("" if v is None else str(v)) for v in (grid[0] if grid else [])]


def locate_columns(title: str, header: list[str]) -> dict[str, int]:
    """Normalised header → 1-based column; a contract header standing twice is an error."""
    columns: dict[str, int] = {}
    schema = tab_schema(title)
    for index, text in enumerate(header, start=1):
        key = normalize_header(text)
        if not key:
            continue
        if key in columns:
            if schema is not None and key in schema.key_lookup:
                raise SchemaError(
                    f"Onglet « {title} » : l'en-tête « {text.strip()} » figure deux fois "
                    f"(colonnes {columns[key]} et {index}). Renommez ou supprimez l'une des deux ; "
                    "rien n'a été écrit."
                )
            continue
        columns[key] = index
    row_key_alias(schema, columns)
    return columns


def id_column(title: str, columns: dict[str, int]) -> int:
    """The ID column's number; a tab without one can't be written."""
    if "id" not in columns:
        raise SchemaError(
            f"Onglet « {title} » : la colonne « ID » a disparu. "
            "Rétablissez-la puis relancez ; rien n'a été écrit."
        )
    return columns["id"]


def contract_name(tab: str, column: str) -> str:
    """The contract's spelling of a column name, or the name as given."""
    schema = tab_schema(tab)
    if schema and normalize_header(column) in schema.key_lookup:
        return schema.column(column).name
    return column


def place(
    title: str,
    header: list[str],
    columns: dict[str, int],
    grid: Grid,
    updates: Sequence[CellUpdate],
    new_ids: Sequence[NewId] = (),
    *,
    whole: bool,
) -> Placement:
    """Place ``new_ids`` then ``updates`` in the tab ``title`` as it stands now.

    ``header`` and ``columns`` come from the fresh read's row 1 (``columns`` has an
    ``id`` entry); ``grid`` is that read: the whole tab when ``whole``, else row 1
    and the ID column. Columns the updates need and the header lacks are added at the
    right (of every cell when ``whole``). ``header`` and ``columns`` are not changed.
    """
    header, columns = list(header), dict(columns)
    id_col = columns["id"]
    positions = _id_positions(grid, id_col)
    taken: set[int] = set()
    out = Placement()

    for new in new_ids:
        number = _find_row(title, grid, columns, new.row, None, taken)
        if number is None:
            out.skipped.append(
                f"Onglet « {title} » : la ligne sans ID lue en ligne {new.row.number} "
                "a changé ou disparu avant l'écriture ; l'ID sera attribué au prochain passage."
            )
            continue
        taken.add(number)
        positions.setdefault(new.new_id, []).append(number)
        out.cells.append((title, number, id_col, new.new_id))
        out.ids_assigned.append(new)

    placed: dict[tuple[str, int], int | None] = {}
    width = max([len(header), *(len(line) for line in grid)]) if whole else len(header)
    for update in updates:
        key = normalize_header(update.column)
        value = to_cell_value(update.value)
        if key not in columns and value is None:
            continue  # nothing to clear in a column that does not exist
        if key not in columns:
            width += 1
            columns[key] = width
            name = contract_name(title, update.column)
            header.append(name)
            out.cells.append((title, 1, width, name))
            out.columns_added.append((title, name))
        rows = positions.get(update.row_id, [])
        target = rows[0] if len(rows) == 1 else None
        if len(rows) > 1 and update.row is not None:
            ref = (update.row_id, update.row.number)
            if ref not in placed:
                found = _find_row(title, grid, columns, update.row, update.row_id, taken)
                placed[ref] = found
                if found is not None:
                    taken.add(found)
            target = placed[ref]
        if target is None:
            why = "a disparu" if not rows else "figure sur plusieurs lignes"
            message = (
                f"Onglet « {title} » : la ligne {update.row_id} {why} depuis la lecture ; "
                "elle n'a pas été modifiée."
            )
            if message not in out.skipped:
                out.skipped.append(message)
            continue
        out.cells.append((title, target, columns[key], value))
        out.written.append((title, update.row_id, update.column, value))
    if width > len(grid[0] if grid else []):
        out.width = width
    return out


def _id_positions(grid: Grid, id_col: int) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for number, values in enumerate(grid[1:], start=2):
        if id_col - 1 < len(values):
            value = values[id_col - 1]
            if not is_blank(value):
                text = Row(number, {"id": value}).id
                assert text is not None
                positions.setdefault(text, []).append(number)
    return positions


def _find_row(
    title: str,
    grid: Grid,
    columns: dict[str, int],
    row: Row,
    expected_id: str | None,
    taken: set[int],
) -> int | None:
    """Where a row read earlier stands now: same staff cells and same ID (or none)."""
    schema = tab_schema(title)
    keys = [
        k
        for k in row.cells
        if k != "id"
        and k in columns
        and not (schema and k in schema.key_lookup and schema.key_lookup[k].calc)
    ]
    id_index = columns["id"] - 1

    def matches(number: int) -> bool:
        if number in taken or number - 1 >= len(grid):
            return False
        values = grid[number - 1]
        current = values[id_index] if id_index < len(values) else None
        if expected_id is None:
            if not is_blank(current):
                return False
        elif is_blank(current) or Row(number, {"id": current}).id != expected_id:
            return False
        for key in keys:
            index = columns[key] - 1
            now = values[index] if index < len(values) else None
            then = row.cells.get(key)
            if not (now == then or (is_blank(now) and is_blank(then))):
                return False
        return True

    if matches(row.number):
        return row.number
    for number in range(2, len(grid) + 1):
        if matches(number):
            return number
    return None
