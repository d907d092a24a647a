"""Writes outside the sync's placing by ``ID``: cells a person asked to change
(:func:`rewrite_cells`), the job-owned columns rewritten whole (:func:`rewrite_owned_columns`,
``Listes``) and the calc cells of rows found by a key column (:func:`update_keyed_rows`,
``Factures`` by « N° »). Each reads its tabs fresh under the backend's lock
(:func:`.base.exclusive`), writes in one request and leaves out the cells that already hold
their value (:func:`.base.same_value`); the per-cell write planning of a sync stays in
:class:`.base.Workbook`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from ..schema import Tab, normalize_header
from .base import Workbook, check_owned, exclusive, same_value
from .placement import Cell, Grid, header_of, locate_columns, to_cell_value
from .table import Table, is_blank


def rewrite_cells(
    workbook: Workbook, titles: Sequence[str], plan: Callable[[dict[str, Table]], list[Cell]]
) -> list[Cell]:
    """Change cells of any column, staff columns included, at a person's request (``mila
    donnees effacer``): the tabs ``titles`` are read whole just before, under the backend's
    lock, ``plan`` places the cells from that read, and they are written in one request.

    The one path by which a job writes a staff column: ``plan`` must change only what the
    request is about, and cells equal to what was read are left out here."""
    with exclusive(workbook.backend):
        grids = workbook.backend.fetch(list(titles), {}) if titles else {}
        tables = {title: Table.from_grid(title, grids.get(title, [])) for title in titles}
        current = {title: grids.get(title, []) for title in titles}
        cells = [cell for cell in plan(tables) if not _holds(current.get(cell[0], []), cell)]
        if cells:
            for title in {c[0] for c in cells}:
                workbook.backend.ensure_columns(title, max(c[2] for c in cells if c[0] == title))
                workbook.backend.ensure_rows(title, max(c[1] for c in cells if c[0] == title))
                workbook._headers.pop(title, None)
            workbook.backend.write_cells(cells)
        return cells


def _holds(grid: Grid, cell: Cell) -> bool:
    _, row, col, value = cell
    line = grid[row - 1] if row - 1 < len(grid) else []
    current = line[col - 1] if col - 1 < len(line) else None
    return same_value(current, to_cell_value(value))


def _column_cells(grid: Grid, header: Sequence[str], names: Sequence[str]) -> dict[str, dict[int, object]]:
    """{column key: {row: value}} of the non-blank cells under the named headers."""
    found: dict[str, dict[int, object]] = {}
    columns = {normalize_header(h): i for i, h in reversed(list(enumerate(header, start=1)))}
    for name in names:
        key = normalize_header(name)
        index = columns.get(key)
        cells = found.setdefault(key, {})
        if index is None:
            continue
        for number, line in enumerate(grid[1:], start=2):
            value = line[index - 1] if index - 1 < len(line) else None
            if not is_blank(value):
                cells[number] = value
    return found


def owned_columns_differ(table: Table | None, columns: Mapping[str, Sequence[str]]) -> bool:
    """Whether a job-owned tab as read lacks a column or holds other values than ``columns``."""
    if table is None:
        return True
    if any(normalize_header(name) not in table.columns for name in columns):
        return True
    grid: Grid = [list(table.header)]
    for row in table.rows:
        while len(grid) < row.number - 1:
            grid.append([])
        grid.append([row.cells.get(normalize_header(h)) for h in table.header])
    current = _column_cells(grid, table.header, list(columns))
    wanted = {normalize_header(n): dict(enumerate(v, start=2)) for n, v in columns.items()}
    return current != wanted


def rewrite_owned_columns(workbook: Workbook, schema: Tab, columns: Mapping[str, Sequence[str]]) -> int:
    """Make the job-owned tab's named columns hold exactly ``columns`` (row 2 down), creating
    the tab or a missing column first; only the cells that differ are written, in one
    request. Returns the number of cells written."""
    with exclusive(workbook.backend):
        title = workbook.ensure_tab(schema)
        grid = workbook.backend.fetch([title], {}).get(title, [])
        cells = owned_column_cells(title, grid, columns)
        if cells:
            workbook._headers.pop(title, None)
            workbook.backend.ensure_columns(title, max(col for _, _, col, _ in cells))
            workbook.backend.ensure_rows(title, max(row for _, row, _, _ in cells))
            workbook.backend.write_cells(cells)
        return len(cells)


def owned_column_cells(title: str, grid: Grid, columns: Mapping[str, Sequence[str]]) -> list[Cell]:
    """The cells that make the job-owned tab ``title`` (``grid``: as it stands) hold exactly
    ``columns`` in its named columns (row 2 down), header cells of missing columns first."""
    header = header_of(grid)
    cells: list[Cell] = []
    located = locate_columns(title, header)
    for name in columns:
        if normalize_header(name) not in located:
            header.append(name)
            located[normalize_header(name)] = len(header)
            cells.append((title, 1, len(header), name))
    current = _column_cells(grid, header, list(columns))
    for name, values in columns.items():
        key = normalize_header(name)
        col = located[key]
        have = current.get(key, {})
        for number, value in enumerate(values, start=2):
            if have.get(number) != value:
                cells.append((title, number, col, value))
        for number in sorted(set(have) - set(range(2, len(values) + 2))):
            cells.append((title, number, col, None))
    return cells


def update_keyed_rows(
    workbook: Workbook, schema: Tab, key_column: str, updates: Mapping[str, Mapping[str, object]]
) -> int:
    """Write calc cells of the rows of a job-owned tab found by ``key_column`` (``Factures``
    rows by « N° »), placed from a fresh read of the tab under the backend's lock; a key
    no row holds is skipped. Returns the number of cells written."""
    if not updates:
        return 0
    for values in updates.values():
        for column in values:
            check_owned(schema.name, column)

    def key(value: object) -> str:
        return "".join(str(value).split()).upper() if not is_blank(value) else ""

    wanted = {key(k): v for k, v in updates.items()}
    with exclusive(workbook.backend):
        title = workbook.title_for(schema.name)
        if title is None:
            return 0
        grid = workbook.backend.fetch([title], {}).get(title, [])
        header = header_of(grid)
        located = locate_columns(title, header)
        index = located.get(normalize_header(key_column))
        if index is None:
            return 0
        cells: list[Cell] = []
        for name in {c for values in updates.values() for c in values}:
            if normalize_header(name) not in located:
                header.append(name)
                located[normalize_header(name)] = len(header)
                cells.append((title, 1, len(header), name))
        for number, line in enumerate(grid[1:], start=2):
            found = wanted.get(key(line[index - 1] if index - 1 < len(line) else None))
            if not found:
                continue
            for name, value in found.items():
                col = located[normalize_header(name)]
                current = line[col - 1] if col - 1 < len(line) else None
                cell = to_cell_value(value)
                if not same_value(current, cell):
                    cells.append((title, number, col, cell))
        if cells:
            workbook._headers.pop(title, None)
            workbook.backend.ensure_columns(title, max(col for _, _, col, _ in cells))
            workbook.backend.write_cells(cells)
        return len(cells)
