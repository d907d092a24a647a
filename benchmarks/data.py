"""What the benchmarks share: their sizes, workbooks of those sizes, timing and reports.

``build_grids(Sizes(...), seed=...)`` returns ``{tab title: grid}`` (row 1 = headers), drawn
by the demo's generator (:func:`automations.demo.build_grids`: the demo's people, fees,
staff habits and mistakes, in the proportions of a big association); ``Sizes`` gives the
benchmarks' proportions.

The same grids can be written as an .xlsx file (:func:`write_xlsx`), loaded into the
Sheets emulator (:func:`load_emulator`) or served from memory
(:class:`tests.support.memory_backend.MemoryBackend`).

The end of the module holds what every benchmark shares: :class:`BenchResult` (what a
benchmark module's ``run()`` returns to ``run_all``), repeated measurement with a time
budget, a small stack sampler, and Markdown formatting.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell

from automations import demo
from automations.demo import tarifs_grid

Grid = list[list[Any]]

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0)


@dataclass(frozen=True)
class Sizes(demo.Counts):
    """Rows per tab (data rows, header excluded), the full benchmark size by default."""

    members: int = 10_000
    premises: int = 60
    occupations: int = 2_000
    bookings: int = 15_000
    events: int = 1_000
    registrations: int = 15_000

    @classmethod
    def scaled(cls, members: int) -> Sizes:
        """The default proportions for ``members`` members (small tabs keep a floor)."""
        full = cls()
        ratio = members / full.members
        return cls(
            members=members,
            premises=max(12, min(full.premises, round(full.premises * ratio * 10))),
            occupations=max(20, round(full.occupations * ratio)),
            bookings=max(20, round(full.bookings * ratio)),
            events=max(10, round(full.events * ratio)),
            registrations=max(20, round(full.registrations * ratio)),
        )

    def describe(self) -> str:
        return (
            f"{num(self.members)} members, {self.premises} premises, "
            f"{num(self.occupations)} occupations, {num(self.bookings)} bookings, "
            f"{num(self.events)} events, {num(self.registrations)} registrations"
        )


def build_grids(sizes: Sizes = Sizes(), *, seed: int = 2024, today: dt.date = TODAY) -> dict[str, Grid]:
    """The seven tabs as ``{title: grid}``, drawn by the demo's generator at ``sizes``."""
    return demo.build_grids(sizes, seed=seed, today=today)


def cell_count(grids: Mapping[str, Grid]) -> int:
    return sum(len(row) for grid in grids.values() for row in grid)


# --------------------------------------------------------------------------- storage

_DATE_FORMAT = "DD/MM/YYYY"
_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_TIME_FORMAT = "HH:MM"


def write_xlsx(grids: Mapping[str, Grid], path: str | Path) -> Path:
    """Write the grids as an .xlsx (openpyxl write-only mode), dates as formatted date cells."""
    out = Path(path)
    wb = OpenpyxlWorkbook(write_only=True)
    for title, grid in grids.items():
        ws = wb.create_sheet(title)
        for line in grid:
            ws.append([_xlsx_cell(ws, value) for value in line])
    wb.save(out)
    return out


def _xlsx_cell(ws: Any, value: object) -> object:
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(ws)
        cell.value = value
        cell.number_format = _DATETIME_FORMAT if value.time() != dt.time() else _DATE_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws)
        cell.value = value
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, dt.time):
        cell = WriteOnlyCell(ws)
        cell.value = value
        cell.number_format = _TIME_FORMAT
        return cell
    return value


def load_emulator(emulator: Any, key: str, grids: Mapping[str, Grid]) -> None:
    """Create (or replace) spreadsheet ``key`` in a running ``SheetsEmulator``."""
    emulator.create_spreadsheet(key, "Classeur MILA (benchmark)", sheets=dict(grids))


# --------------------------------------------------------------------------- shared helpers

T = TypeVar("T")
REPEATS = 3
# A measurement is repeated REPEATS times unless its runs already took this long: should a
# regression make one run take minutes, the whole benchmark still ends in reasonable time
# (the report then says how many runs a measurement had).
BUDGET_S = 300.0


@dataclass(frozen=True)
class Verdict:
    target: str  # « read: requests ≤ 2 »
    measured: str  # « 2 »
    met: bool


@dataclass(frozen=True)
class BenchResult:
    """What a benchmark module's ``run()`` gives ``run_all``: a title and a Markdown section
    (starting at ``###`` level), with the verdicts for the summary table."""

    title: str
    markdown_section: str
    verdicts: tuple[Verdict, ...] = ()


def repeat(fn: Callable[[], T], *, times: int = REPEATS, budget: float = BUDGET_S) -> list[T]:
    """Call ``fn`` up to ``times`` times, stopping early (after at least one call) once the
    calls so far took longer than ``budget`` seconds."""
    results: list[T] = []
    started = time.perf_counter()
    for _ in range(times):
        results.append(fn())
        if time.perf_counter() - started > budget:
            break
    return results


def in_child(fn: Callable[[Callable[[str], None]], T], on_mark: Callable[[str], None] | None = None) -> T:
    """Run ``fn(mark)`` in a forked process and return what it returns.

    A fork is a fresh ``mila`` process with its modules already imported: the caches
    (``lru_cache`` on parsing, lazily loaded phone metadata...) start cold as in a real run,
    the memory it takes is its own, and the objects inherited from the parent are frozen
    out of the garbage collector's reach. ``mark(phase)`` stops the child until the parent
    has run ``on_mark(phase)`` (e.g. counted the emulator's requests so far).
    """
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()

    def target() -> None:
        def mark(phase: str) -> None:
            there.send(("mark", phase))
            there.recv()

        # What the parent holds (the generated grids, the emulator's spreadsheets) is not
        # the child's: keep the garbage collector from walking it, as it would not in a
        # real `mila` process.
        gc.freeze()
        try:
            there.send(("done", fn(mark)))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            there.send(("error", traceback.format_exc()))

    process = context.Process(target=target, name="mila-bench-run", daemon=True)
    process.start()
    there.close()
    try:
        while True:
            try:
                kind, payload = here.recv()
            except EOFError:
                raise RuntimeError(f"benchmark child process died (exit code {process.exitcode})") from None
            if kind == "mark":
                if on_mark is not None:
                    on_mark(payload)
                here.send(None)
            elif kind == "done":
                return payload
            else:
                raise RuntimeError(f"benchmark child process failed:\n{payload}")
    finally:
        process.join()
        here.close()


def median_of(runs: Sequence[Mapping[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:.1f} s"


def num(value: float) -> str:
    """``12345`` -> ``12 345``."""
    return f"{value:,.0f}".replace(",", " ")


def mib(size: float) -> str:
    return f"{size / 2**20:.0f} MiB" if size >= 10 * 2**20 else f"{size / 2**20:.1f} MiB"


def runs_note(count: int) -> str:
    if count >= REPEATS:
        return f"median of {count} runs"
    return f"{count} run{'s' if count > 1 else ''} only (budget {BUDGET_S:.0f} s exceeded)"


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict_word(met: bool) -> str:
    return "**met**" if met else "**not met**"


class StackSampler:
    """A statistical profiler light enough to run during a timed measurement.

    A thread looks at the main thread's stack every ``interval`` seconds and counts the
    innermost frame that belongs to the project (``automations``), with the project frame
    that called it: the share of samples of a function is the share of time spent in it or
    in library code it called.
    """

    def __init__(self, interval: float = 0.005, package: str = "automations") -> None:
        self.interval = interval
        self.package = f"{package}/"
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._target = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, name="stack-sampler", daemon=True)

    def __enter__(self) -> StackSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        target = self._target
        if target is None:  # the main thread has started, so it has an ident
            return
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(target)  # noqa: SLF001
            self.samples += 1
            found: list[str] = []
            while frame is not None and len(found) < 2:
                name = self._name(frame.f_code)
                if name is not None:
                    found.append(name)
                frame = frame.f_back
            if not found:
                self.counts["(outside `automations`)"] += 1
            else:
                self.counts[" ← ".join(found)] += 1

    def _name(self, code: Any) -> str | None:
        path = code.co_filename.replace("\\", "/")
        if self.package not in path:
            return None
        module = path.split(self.package, 1)[1][:-3].replace("/", ".")
        return f"`{module}.{getattr(code, 'co_qualname', code.co_name)}`"

    def top(self, count: int = 8) -> list[tuple[str, float]]:
        total = max(1, self.samples)
        return [(name, n / total) for name, n in self.counts.most_common(count)]


__all__ = [
    "BUDGET_S",
    "REPEATS",
    "BenchResult",
    "StackSampler",
    "Verdict",
    "md_table",
    "median_of",
    "in_child",
    "mib",
    "num",
    "repeat",
    "runs_note",
    "seconds",
    "verdict_word",
    "NOW",
    "TODAY",
    "Grid",
    "Sizes",
    "build_grids",
    "cell_count",
    "load_emulator",
    "tarifs_grid",
    "write_xlsx",
]


def run_one(run: Callable[..., BenchResult], description: str, quick_help: str = "small smoke size") -> None:
    """`python -m benchmarks.<name> [--quick]`: run one benchmark and print its section."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    result = run(quick=args.quick)
    print(f"### {result.title}\n\n{result.markdown_section}")
