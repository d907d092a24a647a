"""A tab as read: its header, its non-blank rows, its columns matched to the contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

from ..schema import Tab, normalize_header, row_key_alias, tab_schema

T = TypeVar("T")


class _once(Generic[T]):  # noqa: N801  # used as a decorator, like ``cached_property``
    """``functools.cached_property`` without its lock: Python 3.11 takes a lock at every
    first read, and a sync reads the ID of each of its 40,000 rows once. The value is
    stored as the instance's attribute, which later reads find first (set as an attribute,
    not through ``__dict__``, which Python would then make for each row)."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _once[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | _once[T]:
        if instance is None:
            return self
        value = self.compute(instance)
        object.__setattr__(instance, self.name, value)  # past the frozen dataclass's guard
        return value


def is_blank(value: object) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


@dataclass(frozen=True)
class Row:
    """One non-blank data row. ``cells`` maps a normalized header key to the raw value.

    Raw values are what the backend gives: ``str``, ``int``, ``float``, ``bool``,
    ``datetime.date`` / ``datetime.datetime`` (.xlsx date cells) or ``None``. Google
    returns date cells as serial numbers; the row models turn both into dates.
    """

    number: int  # 1-based row number in the sheet at read time
    cells: dict[str, object]

    def get(self, name: str) -> object:
        return self.cells.get(normalize_header(name))

    @_once
    def id(self) -> str | None:
        value = self.cells.get("id")
        if is_blank(value):
            return None
        return str(value).strip()


def row_ids(rows: list[Row]) -> list[str | None]:
    """Each row's :attr:`Row.id`, in order: the same values, computed in one loop for a
    whole tab (a sync reads the ID of each of its 40,000 rows) and kept by each row."""
    out: list[str | None] = []
    add = out.append
    keep = object.__setattr__  # a Row is frozen; its ID, once known, shadows the property
    for row in rows:
        value = row.cells.get("id")
        row_id: str | None
        if value is None:
            row_id = None
        elif value.__class__ is str:
            row_id = value.strip() or None
        else:
            row_id = str(value).strip()
        keep(row, "id", row_id)
        add(row_id)
    return out


@dataclass(frozen=True)
class Table:
    """A tab's header and rows, with its columns located by the contract's names."""

    title: str
    header: list[str]
    rows: list[Row]
    columns: dict[str, int]  # normalized key -> 1-based column index (first occurrence)
    schema: Tab | None = None
    duplicates: list[str] = field(default_factory=list)  # headers that stand twice

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @_once
    def by_id(self) -> dict[str, list[Row]]:
        """Rows by ID as read (an ID standing twice lists both rows)."""
        index: dict[str, list[Row]] = {}
        for row, row_id in zip(self.rows, row_ids(self.rows), strict=True):
            if row_id is not None:
                index.setdefault(row_id, []).append(row)
        return index

    def has(self, name: str) -> bool:
        return normalize_header(name) in self.columns

    @property
    def missing_required(self) -> list[str]:
        if self.schema is None:
            return []
        return [c.name for c in self.schema.required_columns if c.key not in self.columns]

    @property
    def missing_calc(self) -> list[str]:
        if self.schema is None:
            return []
        return [c.name for c in self.schema.calc_columns if c.key not in self.columns]

    @property
    def recognised(self) -> list[str]:
        if self.schema is None:
            return []
        return [h for h in self.header if normalize_header(h) in self.schema.key_lookup]

    @property
    def unknown(self) -> list[str]:
        known = self.schema.key_lookup if self.schema else {}
        return [h for h in self.header if h and str(h).strip() and normalize_header(h) not in known]

    @classmethod
    def from_grid(cls, title: str, grid: list[list[object]]) -> Table:
        """Build from a grid of raw values whose first row is the header row."""
        schema = tab_schema(title)
        header = [("" if v is None else str(v)) for v in (grid[0] if grid else [])]
        while header and not header[-1].strip():
            header.pop()
        columns: dict[str, int] = {}
        duplicates: list[str] = []
        for index, text in enumerate(header, start=1):
            key = normalize_header(text)
            if not key:
                continue
            if key in columns:
                duplicates.append(text.strip())
                continue
            columns[key] = index
        row_key_alias(schema, columns)
        staff_keys = [
            k
            for k in columns
            if schema is None or k not in schema.key_lookup or not schema.key_lookup[k].calc
        ]
        pairs = [(k, i - 1) for k, i in columns.items()]
        width = max((i for _, i in pairs), default=-1) + 1
        rows: list[Row] = []
        add = rows.append
        for number, values in enumerate(grid[1:], start=2):
            if len(values) >= width:  # most rows: no bounds to check
                cells = {k: values[i] for k, i in pairs}
            else:
                n = len(values)
                cells = {k: (values[i] if i < n else None) for k, i in pairs}
            for k in staff_keys:  # kept when a staff cell is not blank (is_blank, inlined)
                v = cells[k]
                if v is not None and (v.__class__ is not str or v.strip()):
                    add(Row(number, cells))
                    break
        return cls(title, header, rows, columns, schema, duplicates)
