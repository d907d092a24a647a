"""The workbook interface the jobs use, over any backend (Google Sheets, .xlsx).

A backend knows how to fetch grids and write cells in as few requests as it can;
this module holds what is the same for every backend: header matching, locating a
row by its ``ID`` from a fresh read just before writing, never writing outside the
jobs' columns, skipping writes that would change nothing. Where each cell goes is
decided by :func:`.placement.place`, a pure function of the fresh read; here is the I/O
around it (what to read, the lock, the write). The writes that do not place by ``ID``
(cells a person asked to change, job-owned columns rewritten whole, rows found by a key
column) are in :mod:`.rewrite`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from ..errors import TabMissing
from ..gcpause import gc_paused
from ..schema import REQUIRED_TABS, Tab, normalize_header, tab_schema
from .placement import (
    Cell,
    CellUpdate,
    Grid,
    NewId,
    contract_name,
    header_of,
    id_column,
    locate_columns,
    place,
    to_cell_value,
)
from .serial import to_serial
from .table import Row, Table, is_blank

__all__ = ["Backend", "CellUpdate", "Grid", "NewId", "Workbook", "WriteResult", "same_value", "to_cell_value"]

log = logging.getLogger(__name__)
# Rows added to a tab's grid when rows written with a write (``Workbook.write``'s
# ``with_rows``) would fall below it: one request for many appends, not one each.
SPARE_ROWS = 500

RowsOf = Callable[["WriteResult"], Sequence[Mapping[str, object]]]  # rows made from a write's result
# Tabs read whole just before a write, and the cells to write placed from their grids.
Placed = tuple[Sequence[str], Callable[[Mapping[str, Grid], "WriteResult"], list[Cell]]]


class Backend(Protocol):
    """What a storage must offer. Every method is one round trip at most."""

    description: str  # for messages: « le fichier demo.xlsx », « la feuille Google … »

    def titles(self) -> list[str]:
        """The tab titles, in order."""
        ...

    def fetch(self, full: Sequence[str], partial: Mapping[str, Sequence[int]]) -> dict[str, Grid]:
        """Whole tabs for ``full``; for ``partial``, row 1 and the given 1-based columns.

        Cells not asked for are ``None``. Trailing blank rows may be trimmed.
        """
        ...

    def write_cells(self, cells: Sequence[tuple[str, int, int, object]]) -> None:
        """Write (tab, row, column, value) cells, 1-based, in one request.

        Values are ``None`` (clear), ``str`` (always plain text), ``int``/``float``,
        ``bool``, ``datetime.date`` or ``datetime.datetime``.
        """
        ...

    def add_tab(self, title: str, header: Sequence[str]) -> None:
        """Create a tab whose first row is ``header``."""
        ...

    def ensure_columns(self, title: str, count: int) -> None:
        """Make sure the tab's grid has at least ``count`` columns."""
        ...

    def ensure_rows(self, title: str, count: int) -> None:
        """Make sure the tab's grid has at least ``count`` rows (a Google tab is created with
        1,000: writing below them is refused)."""
        ...

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        """Add rows after the tab's last non-blank row, starting in column A."""
        ...

    # Optional: ``append_in_write = True`` for a backend whose quota counts requests (Google
    # Sheets), whose ``ensure_rows`` then takes ``spare=``: rows to add to a tab can go in a
    # write's own request, at the row after the last one a fresh read found
    # (``Workbook.write(..., with_rows=...)``), instead of in a request of their own.


@dataclass
class WriteResult:
    cells_written: int = 0  # computed cells, and the ``placed`` ones (not rows added)
    ids_assigned: list[NewId] = field(default_factory=list)
    columns_added: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # French: what could not be placed, and why
    cells: list[tuple[str, str, str, object]] = field(default_factory=list)  # tab, id, column, value
    # The rows of ``with_rows`` written in the same request as the cells (0: not carried,
    # the caller appends them itself).
    rows_carried: int = 0


def same_value(current: object, wanted: object) -> bool:
    """Whether writing ``wanted`` over ``current`` (as read) would change nothing."""
    if is_blank(current) and wanted is None:
        return True
    if wanted is None or is_blank(current):
        return False
    if isinstance(wanted, bool) or isinstance(current, bool):
        return current is wanted if isinstance(current, bool) else False
    if isinstance(wanted, dt.date):
        return _as_serial(current) == _as_serial(wanted)
    if isinstance(wanted, (int, float)):
        if isinstance(current, (int, float)):
            return abs(float(current) - float(wanted)) < 1e-9
        return False
    return isinstance(current, str) and current == wanted


_AS_IS = frozenset({bool, int, float, dt.date, dt.datetime})  # written as they are (to_cell_value)
_PLAIN = frozenset({str, bool, int, float, dt.date})  # two equal values of one of these: the same cell
_UNSEEN = object()


def _as_serial(value: object) -> float | None:
    if isinstance(value, dt.datetime):
        return round(to_serial(value), 6)
    if isinstance(value, dt.date):
        return to_serial(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 6)
    return None


class Workbook:
    """The shared workbook, whatever holds it. Jobs read tables and write by ``ID``."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._titles: list[str] | None = None
        self._title_index: dict[str, str] | None = None
        self._last: dict[str, Table] = {}
        # Row 1 of each tab as last read or written by this run: an append places its
        # columns by it without reading the header again.
        self._headers: dict[str, list[str]] = {}

    @property
    def description(self) -> str:
        return self.backend.description

    # -- reading ---------------------------------------------------------------

    def tabs(self) -> list[str]:
        if self._titles is None:
            self._titles = self.backend.titles()
        return list(self._titles)

    def title_for(self, name: str) -> str | None:
        """The workbook's own title for a contract tab name (matched like headers)."""
        if self._title_index is None:
            self._title_index = {}
            for title in self.tabs():
                self._title_index.setdefault(normalize_header(title), title)
        return self._title_index.get(normalize_header(name))

    def read(self, names: Iterable[str] | None = None, *, require: bool = True) -> dict[str, Table]:
        """Read tabs (all by default) in one request. Keys are the contract's tab names
        for contract tabs and the workbook's titles for the others.

        A required tab (``schema.REQUIRED_TABS``) asked for, or every tab asked for, and
        missing raises :class:`TabMissing` before anything is read, unless ``require`` is
        false (``mila onglets`` describes such a workbook)."""
        names = None if names is None else list(names)
        if require:
            self._require([t.name for t in REQUIRED_TABS] if names is None else names)
        titles = self.tabs() if names is None else [t for n in names if (t := self.title_for(n))]
        grids = self.backend.fetch(titles, {}) if titles else {}
        tables: dict[str, Table] = {}
        for title in titles:
            table = Table.from_grid(title, grids.get(title, []))
            if table.schema is not None and table.schema.name in tables:
                # A second tab matching the same contract tab (an old copy, say): the
                # first one is the tab; this one is left alone like any staff tab.
                table = replace(table, schema=None)
            tables[table.schema.name if table.schema else title] = table
            self._last[title] = table
            self._headers[title] = header_of(grids.get(title, []))
        return tables

    def peek(self, tab: Tab) -> Table | None:
        """One contract tab, read whole in one request: on Google Sheets opened lazily, by its
        contract title and without reading the tab list first (``fetch_named``); the tab list
        is read only when no tab has exactly that title. ``None`` when the tab is missing."""
        fetch_named = getattr(self.backend, "fetch_named", None)
        if fetch_named is not None and self._titles is None:
            grid = fetch_named(tab.name)
            if grid is not None:
                table = Table.from_grid(tab.name, grid)
                self._last[tab.name] = table
                self._headers[tab.name] = header_of(grid)
                return table
        return self.read([tab.name], require=False).get(tab.name)

    def _require(self, names: Sequence[str]) -> None:
        asked = {normalize_header(n) for n in names}
        for tab in REQUIRED_TABS:
            if normalize_header(tab.name) not in asked or self.title_for(tab.name) is not None:
                continue
            present = self.tabs()
            listed = ", ".join(f"« {t} »" for t in present[:6]) + (" …" if len(present) > 6 else "")
            found = f"Onglets trouvés : {listed}. " if present else "Le classeur n'a aucun onglet. "
            raise TabMissing(
                f"L'onglet « {tab.name} » est introuvable ({self.description}). {found}"
                "Vérifiez que c'est le bon classeur (--classeur, --feuille) et que l'onglet n'a été "
                "ni renommé ni supprimé ; rien n'a été écrit."
            )

    # -- writing ---------------------------------------------------------------

    def write(
        self,
        updates: Sequence[CellUpdate],
        new_ids: Sequence[NewId] = (),
        *,
        appends: Sequence[tuple[Tab, Sequence[Mapping[str, object]]]] = (),
        placed: Placed | None = None,
        with_rows: tuple[Tab, RowsOf] | None = None,
    ) -> WriteResult:
        """Write job-owned cells, placing each row from a fresh read of its tab's IDs.

        Updates whose value equals what was last read are dropped; when nothing is
        left, no request is made. Rows whose ID vanished since the read are skipped
        and reported in French; so are rows whose ID now stands twice. A backend that
        can be locked (a local file) stays locked from that fresh read to the write.

        On a backend that counts requests (``append_in_write``), more can travel in the
        same request, each placed from the same fresh read:

        - ``appends``: rows (with their ``ID``) to add after the last row of a tab (read
          whole with the IDs); an update of one of these rows goes in the row;
        - ``placed``: tabs read whole, and the cells to write placed from what they hold
          and from the result (the form answers marked « traitée », ``Listes``);
        - ``with_rows``: a tab and the rows to add to it made from the result (the run's
          ``Journal`` line), when there is something else to write; ``rows_carried``
          then counts them, otherwise nothing is done with them and the caller appends them.
        """
        changed = self.pending(updates)
        if not changed and not new_ids and not any(rows for _, rows in appends) and placed is None:
            return WriteResult()
        if (appends or placed) and not getattr(self.backend, "append_in_write", False):
            raise ValueError("appends and placed cells travel with a write on Google Sheets only")
        with exclusive(self.backend):
            return self._write(changed, new_ids, appends, placed, with_rows)

    def _write(
        self,
        changed: Sequence[CellUpdate],
        new_ids: Sequence[NewId],
        appends: Sequence[tuple[Tab, Sequence[Mapping[str, object]]]] = (),
        placed: Placed | None = None,
        with_rows: tuple[Tab, RowsOf] | None = None,
    ) -> WriteResult:
        result = WriteResult()
        for update in changed:
            check_owned(update.tab, update.column)

        added: dict[str, tuple[Tab, list[dict[str, object]]]] = {}
        for tab, rows in appends:
            if rows:
                added.setdefault(self.ensure_tab(tab), (tab, []))[1].extend(dict(r) for r in rows)
        in_rows = {
            (title, str(row["ID"])): row
            for title, (_, rows) in added.items()
            for row in rows
            if row.get("ID")
        }
        merged = 0
        if in_rows:
            kept = []
            for update in changed:
                target = in_rows.get((self._title(update.tab), update.row_id))
                if target is None:
                    kept.append(update)
                else:
                    target[update.column] = update.value
                    merged += 1
            changed = kept

        by_tab: dict[str, list[CellUpdate]] = {}
        for update in changed:
            by_tab.setdefault(self._title(update.tab), []).append(update)
        ids_by_tab: dict[str, list[NewId]] = {}
        for new in new_ids:
            ids_by_tab.setdefault(self._title(new.tab), []).append(new)

        # Whole tabs where rows are recognised by content (no ID, or an ID twice), or
        # where a column is added (it must go right of every cell, even under a blank
        # header); elsewhere the header row and the ID column are enough.
        full = sorted(
            set(ids_by_tab)
            | {
                t
                for t, ups in by_tab.items()
                if any(self._ambiguous(t, u) or self._new_column(t, u) for u in ups)
            }
        )
        partial = {
            title: [self._last[title].columns.get("id", 1)] if title in self._last else [1]
            for title in by_tab
            if title not in full
        }
        carry = self._carried_tab(with_rows, {*by_tab, *ids_by_tab, *added})
        if carry is not None:
            partial[carry] = [1]  # a job-owned tab: its column A says where its rows end
        # Tabs rows are added to are read whole: a row a person is typing at the bottom, its
        # ID not given yet, is never written over. Their grid holds the ID column as well.
        reads = {*(placed[0] if placed is not None else ()), *added} - set(full)
        fresh = self.backend.fetch(
            [*full, *sorted(reads)], {t: c for t, c in partial.items() if t not in reads}
        )
        cells: list[Cell] = []
        for title in sorted(set(by_tab) | set(ids_by_tab)):
            grid = fresh.get(title, [])
            header = header_of(grid)
            columns = locate_columns(title, header)
            id_col = id_column(title, columns)
            if title in partial and title not in reads and partial[title] != [id_col]:
                # The ID column moved since the read: read it again where it is now.
                grid = self.backend.fetch([], {title: [id_col]}).get(title, [])
            placement = place(
                title,
                header,
                columns,
                grid,
                by_tab.get(title, []),
                ids_by_tab.get(title, []),
                whole=title in full,
            )
            cells += placement.cells
            result.ids_assigned += placement.ids_assigned
            result.columns_added += placement.columns_added
            result.skipped += placement.skipped
            result.cells += placement.written
            if placement.width is not None:
                self.backend.ensure_columns(title, placement.width)
            if placement.columns_added:
                self._headers.pop(title, None)

        result.cells_written = len(cells) + merged
        for title, (tab, rows) in added.items():
            cells += self._row_cells(title, tab, fresh.get(title, []), rows)
        if placed is not None:
            more = placed[1](fresh, result)
            result.cells_written += len(more)
            for title in {c[0] for c in more}:
                self.backend.ensure_columns(title, max(c[2] for c in more if c[0] == title))
                self.backend.ensure_rows(title, max(c[1] for c in more if c[0] == title))
                self._headers.pop(title, None)
            cells += more
        if cells and carry is not None and with_rows is not None:
            rows = with_rows[1](result)
            cells += self._row_cells(carry, with_rows[0], fresh.get(carry, []), rows)
            result.rows_carried = len(rows)
        if cells:
            self.backend.write_cells(cells)
        for skipped in result.skipped:
            log.warning("%s", skipped)
        return result

    def _carried_tab(self, with_rows: tuple[Tab, RowsOf] | None, written: set[str]) -> str | None:
        """The title of the tab whose rows can travel with this write, if they can."""
        if with_rows is None or not getattr(self.backend, "append_in_write", False):
            return None
        title = self.title_for(with_rows[0].name)
        return title if title is not None and title not in written else None

    def _row_cells(
        self, title: str, schema: Tab, grid: Grid, rows: Sequence[Mapping[str, object]]
    ) -> list[Cell]:
        """The cells of ``rows`` below the last row of ``title`` (``grid``: the tab, or its row 1
        and column A, read just now; the run's read of the whole tab counts too), with the
        header cells of the columns it lacks. Blank values are not written."""
        header, cells, columns = self._header_for(title, schema, header_of(grid), rows)
        table = self._last.get(title)
        last = max([len(grid), 1, *([r.number for r in table.rows] if table is not None else [])])
        for number, row in enumerate(rows, start=last + 1):
            for name, value in row.items():
                if (value := to_cell_value(value)) is not None:
                    cells.append((title, number, columns[normalize_header(name)], value))
        ensure_rows = self.backend.ensure_rows
        ensure_rows(title, last + len(rows), spare=SPARE_ROWS)  # type: ignore[call-arg]  # append_in_write backends take it
        return cells

    def _header_for(
        self, title: str, schema: Tab, header: list[str], rows: Sequence[Mapping[str, object]]
    ) -> tuple[list[str], list[Cell], dict[str, int]]:
        """The tab's header with the columns ``rows`` need added at its end (the whole
        contract header for a job-owned tab found empty), the header cells to write for
        them, and where each column is."""
        names: list[str] = []
        if schema.job_owned and not any(h.strip() for h in header):
            header, names = [], [c.name for c in schema.columns]
        columns = locate_columns(title, header)
        added: list[Cell] = []
        for name in [*names, *(name for row in rows for name in row)]:
            key = normalize_header(name)
            if key not in columns:
                header.append(contract_name(title, name))
                columns[key] = len(header)
                added.append((title, 1, len(header), header[-1]))
        if added:
            self._headers.pop(title, None)
            self.backend.ensure_columns(title, len(header))
        return header, added, columns

    @gc_paused()
    def pending(self, updates: Sequence[CellUpdate]) -> list[CellUpdate]:
        """The updates that would change a cell, compared with what was last read.

        A sync plans one update per computed cell (125,000 at 10,000 members): each tab's
        rows by ID and columns, each column's key and each distinct text's written form are
        looked up once, not once per cell. The comparison is :func:`same_value`, with its
        common outcomes (a blank cell, a cell already equal) decided inline."""
        tables: dict[str, tuple[dict[str, list[Row]], dict[str, int]] | None] = {}
        keys: dict[str, str] = {}
        texts: dict[str, object] = {}  # a computed text -> as written (control characters out, cut)
        amounts: dict[Decimal, object] = {}  # a computed amount -> as written (fees repeat)
        changed: list[CellUpdate] = []
        add = changed.append
        last_tab: str | None = None
        found: tuple[dict[str, list[Row]], dict[str, int]] | None = None
        for update in updates:
            tab, row_id, column, value, wanted_row = update
            if tab != last_tab:  # the updates come tab by tab
                if tab in tables:
                    found = tables[tab]
                else:
                    table = self._last.get(self._title(tab))
                    found = tables[tab] = None if table is None else (table.by_id, table.columns)
                last_tab = tab
            if found is None:
                add(update)
                continue
            by_id, columns = found
            key = keys.get(column)
            if key is None:
                key = keys[column] = normalize_header(column)
            cls = value.__class__
            if value is None or cls in _AS_IS:
                wanted = value
            elif isinstance(value, str):
                wanted = texts.get(value, _UNSEEN)
                if wanted is _UNSEEN:
                    wanted = texts[value] = to_cell_value(value)
            elif isinstance(value, Decimal) and value.is_finite():  # equal amounts are written alike
                wanted = amounts.get(value, _UNSEEN)
                if wanted is _UNSEEN:
                    wanted = amounts[value] = to_cell_value(value)
            else:
                wanted = to_cell_value(value)
            if key not in columns:
                if wanted is not None:
                    add(update)
                continue
            row = None
            candidates = by_id.get(row_id)
            if candidates is not None:
                if wanted_row is None:
                    row = candidates[0]
                else:
                    for candidate in candidates:
                        if candidate.number == wanted_row.number:
                            row = candidate
                            break
            if row is None:
                add(update)
                continue
            current = row.cells.get(key)
            if current is None:  # a blank cell, as nearly every one on a first run
                if wanted is not None:
                    add(update)
            elif wanted is None:
                if not is_blank(current):
                    add(update)
            elif current.__class__ is wanted.__class__ and current.__class__ in _PLAIN and current == wanted:
                if isinstance(current, str) and not current.strip():
                    add(update)  # a blank text is no value (same_value)
            elif not same_value(current, wanted):
                add(update)
        return changed

    def _new_column(self, title: str, update: CellUpdate) -> bool:
        table = self._last.get(title)
        return table is None or normalize_header(update.column) not in table.columns

    def _ambiguous(self, title: str, update: CellUpdate) -> bool:
        if update.row is None:
            return False
        table = self._last.get(title)
        if table is None:
            return False
        return len(table.by_id.get(update.row_id, ())) > 1

    def _title(self, name: str) -> str:
        return self.title_for(name) or name

    # -- tabs and columns ------------------------------------------------------

    def ensure_tab(self, schema: Tab) -> str:
        """Create the tab with the contract's headers when it is missing; return its title."""
        title = self.title_for(schema.name)
        if title is not None:
            return title
        self.backend.add_tab(schema.name, [c.name for c in schema.columns])
        self._titles = None
        self._title_index = None
        self._headers.pop(schema.name, None)
        return schema.name

    def append_rows(self, schema: Tab, rows: Sequence[Mapping[str, object]]) -> int:
        """Append rows given as {column name: value} to a tab, creating it if missing.

        Columns are placed by the tab's current header; contract columns missing
        from the header are added at its end first. A job-owned tab found empty (its
        header write failed once) gets its whole header back.
        """
        if not rows:
            return 0
        with exclusive(self.backend):
            return self._append_rows(schema, rows)

    def _append_rows(self, schema: Tab, rows: Sequence[Mapping[str, object]]) -> int:
        title = self.ensure_tab(schema)
        known = self._headers.get(title)
        if known is None:
            known = header_of(self.backend.fetch([], {title: [1]}).get(title, []))
        header, added, columns = self._header_for(title, schema, list(known), rows)
        if added:
            self.backend.write_cells(added)
            self._headers[title] = list(header)
        lines = []
        for row in rows:
            line: list[object] = [None] * len(header)
            for name, value in row.items():
                line[columns[normalize_header(name)] - 1] = to_cell_value(value)
            lines.append(line)
        self.backend.append_rows(title, lines)
        return len(lines)


def exclusive(backend: Backend) -> AbstractContextManager[object]:
    """The backend's own lock when it has one (a local file); Google Sheets places every
    write from a fresh read and needs none."""
    lock = getattr(backend, "exclusive", None)
    return lock() if lock is not None else nullcontext()


def check_owned(tab: str, column: str) -> None:
    schema = tab_schema(tab)
    if schema is None or normalize_header(column) not in schema.key_lookup:
        raise ValueError(f"{tab}.{column} is not a contract column")
    if not schema.column(column).calc:
        raise ValueError(f"{tab}.{column} belongs to the staff; jobs never write it")
