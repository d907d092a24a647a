"""A workbook backend held in memory: no I/O, for fast tests and for timing computation alone.

It implements the ``Backend`` protocol of ``automations.workbook.base`` on plain grids
(``{tab title: rows}``, row 1 = headers). Cells hold what they are given: no parsing of typed
text, no formulas; writes change the grids, so a second run sees what the first one wrote.
The benchmarks use it too (``from tests.support.memory_backend import MemoryBackend``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Grid = list[list[Any]]


class MemoryBackend:
    """Grids in memory, counting the reads and writes the workbook asked for."""

    description = "classeur en mémoire"

    def __init__(self, grids: Mapping[str, Grid]) -> None:
        self.grids: dict[str, Grid] = {
            t: [list(r) for r in g] for t, g in grids.items()
        }  # cells are immutable
        self.fetches = 0
        self.writes = 0

    def titles(self) -> list[str]:
        return list(self.grids)

    def fetch(self, full: Sequence[str], partial: Mapping[str, Sequence[int]]) -> dict[str, Grid]:
        self.fetches += 1
        out: dict[str, Grid] = {t: [list(r) for r in self.grids[t]] for t in full if t in self.grids}
        for title, cols in partial.items():
            if title in out or title not in self.grids:
                continue
            wanted = {c - 1 for c in cols}
            grid = self.grids[title]
            out[title] = [list(grid[0])] + [
                [v if i in wanted else None for i, v in enumerate(r)] for r in grid[1:]
            ]
        return out

    def write_cells(self, cells: Sequence[tuple[str, int, int, object]]) -> None:
        self.writes += 1
        for title, row, col, value in cells:
            grid = self.grids[title]
            while len(grid) < row:
                grid.append([])
            line = grid[row - 1]
            while len(line) < col:
                line.append(None)
            line[col - 1] = value

    def add_tab(self, title: str, header: Sequence[str]) -> None:
        self.grids[title] = [list(header)]

    def ensure_columns(self, title: str, count: int) -> None:
        """Grids have no fixed width."""

    def ensure_rows(self, title: str, count: int) -> None:
        """Grids have no fixed height."""

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        self.grids[title].extend(list(r) for r in rows)
