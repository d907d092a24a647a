"""Anomalies: one French sentence per problem found on a row, for the ``Anomalies`` column.

``Anomaly.tab`` is the contract's tab name (``schema.Tab.name``, e.g. ``Membres``) whatever
the workbook's spelling of the title; ``row`` is the 1-based sheet row at read time (None
for a problem of the whole tab) and ``id`` the row's ``ID`` when it has one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from ..schema import normalize_header

CELL_SEPARATOR = "\n"
MAX_CELL_CHARS = 5000


@lru_cache(maxsize=256)
def _tab_key(tab: str) -> str:
    return normalize_header(tab)


class Severity(str, Enum):  # noqa: UP042 - str mixin: compares and serialises as text
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        """The French word: ``erreur`` or ``avertissement``."""
        return "erreur" if self is Severity.ERROR else "avertissement"


@dataclass(frozen=True)
class Anomaly:
    tab: str
    row: int | None
    id: str | None
    column: str | None
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class Anomalies:
    """An ordered list of anomalies without duplicates, indexed by tab and row.

    Adding an anomaly already present (same tab, row, column, severity and message) does
    nothing: two checks may find the same problem, the sheet shows it once.
    """

    def __init__(self, items: Iterable[Anomaly] = ()) -> None:
        self._items: list[Anomaly] = []
        self._seen: set[Anomaly] = set()
        self._by_row: dict[tuple[str, int | None], list[Anomaly]] = defaultdict(list)
        self.extend(items)

    def add(self, anomaly: Anomaly) -> None:
        if anomaly in self._seen:
            return
        self._seen.add(anomaly)
        self._items.append(anomaly)
        self._by_row[(_tab_key(anomaly.tab), anomaly.row)].append(anomaly)

    def extend(self, anomalies: Iterable[Anomaly]) -> None:
        for anomaly in anomalies:
            self.add(anomaly)

    def __iter__(self) -> Iterator[Anomaly]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __contains__(self, anomaly: object) -> bool:
        return anomaly in self._seen

    def __repr__(self) -> str:
        return f"Anomalies({self._items!r})"

    @property
    def errors(self) -> list[Anomaly]:
        return [a for a in self._items if a.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Anomaly]:
        return [a for a in self._items if a.severity is Severity.WARNING]

    def by_tab(self, tab: str) -> list[Anomaly]:
        """The anomalies of a tab (its title matched like headers)."""
        key = _tab_key(tab)
        return [a for a in self._items if _tab_key(a.tab) == key]

    def for_row(self, tab: str, row: int | None) -> list[Anomaly]:
        """The anomalies of one row, errors first, each group in the order found."""
        found = self._by_row.get((_tab_key(tab), row), [])
        return sorted(found, key=lambda a: a.severity is not Severity.ERROR)

    def rows_with_errors(self, tab: str) -> set[int]:
        """Sheet rows of ``tab`` that carry at least one error."""
        key = _tab_key(tab)
        return {a.row for a in self._items if a.row is not None and a.is_error and _tab_key(a.tab) == key}

    def as_cell_text(self, tab: str, row: int | None) -> str:
        """The text of a row's ``Anomalies`` cell: one sentence per line, errors first;
        empty when the row is fine. Capped at 5,000 characters (Google allows 50,000)."""
        text = CELL_SEPARATOR.join(a.message for a in self.for_row(tab, row))
        if len(text) > MAX_CELL_CHARS:
            text = text[: MAX_CELL_CHARS - 1] + "…"
        return text
