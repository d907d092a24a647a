"""Workbook I/O: the Google backend through the Sheets emulator against the .xlsx backend.

Issue: « Reading a 10,000-row, 25-column Membres tab plus six other tabs: requests made
(target ≤ 2), and read + plan + write time through the emulator compared with the .xlsx
backend in the same run ». For each size and backend, on a fresh copy of the same workbook:

1. first run: open + ``Workbook.read()`` of every tab; plan (``evaluate`` +
   ``desired_cells`` + ``pending``); ``Workbook.write()`` of every calc. column and of the
   missing IDs;
2. second run on the result: open + read, plan, write (nothing to change: no request).

Each run is a forked process, as each ``mila synchroniser`` is (modules imported, caches cold).
The Google backend is the real one (``GoogleBackend(key, emulator_host=...)``, anonymous
credentials, as with ``SHEETS_EMULATOR_HOST``), talking HTTP over loopback to a
``SheetsEmulator`` that runs in the benchmark's own process; its answers are part of the
measured time. Requests are counted from ``emulator.requests`` between phases.

    .venv/bin/python -m benchmarks.workbook_io [--quick]
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from automations.jobs.evaluation import desired_cells, evaluate
from automations.jobs.sync import plan_new_ids
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook
from automations.workbook.google import GoogleBackend, RetryPolicy
from automations.workbook.xlsx import XlsxBackend
from sheets_emulator import SheetsEmulator

from .data import (
    TODAY,
    BenchResult,
    Grid,
    Sizes,
    Verdict,
    build_grids,
    cell_count,
    in_child,
    load_emulator,
    md_table,
    median_of,
    mib,
    num,
    repeat,
    run_one,
    runs_note,
    seconds,
    verdict_word,
    write_xlsx,
)

TITLE = "Workbook I/O: Google backend (emulator) and .xlsx"
FULL_SIZES = (100, 10_000)
QUICK_SIZES = (100, 500)
READ_REQUESTS_TARGET = 2
POLICY = MembershipPolicy()
# One attempt: a retry would hide a slow answer and blur the request counts.
NO_RETRY = RetryPolicy(attempts=1, timeout=900.0)
PHASES = (
    ("read1", "first run: open + read"),
    ("plan1", "first run: plan"),
    ("write1", "first run: write"),
    ("read2", "second run: open + read"),
    ("plan2", "second run: plan"),
    ("write2", "second run: write"),
)


class _Recorder:
    """Request counts per phase, from the emulator's log (None for the .xlsx backend)."""

    def __init__(self, emulator: SheetsEmulator | None) -> None:
        self.emulator = emulator
        self.seen = 0
        self.kinds: dict[str, Counter[str]] = {}

    def take(self, phase: str) -> int | None:
        if self.emulator is None:
            return None
        requests = self.emulator.requests
        new = requests[self.seen :]
        self.seen = len(requests)
        self.kinds[phase] = Counter(_kind(r.method, r.path) for r in new)
        return len(new)


def _kind(method: str, path: str) -> str:
    tail = path.rsplit("/", 1)[-1]
    if ":" in tail:
        return tail.split(":", 1)[1]  # values:batchGet -> batchGet
    if "/values/" in path:
        return f"values {method}"
    return "metadata" if method == "GET" else f"{method} spreadsheet"


def _one_run(open_workbook: Callable[[], Workbook], mark: Callable[[str], None]) -> dict[str, Any]:
    """In a child process: what a sync does (read, plan, write); seconds per phase."""
    out: dict[str, Any] = {}
    started = time.perf_counter()
    workbook = open_workbook()
    tables = workbook.read()
    out["read"] = time.perf_counter() - started
    mark("read")

    started = time.perf_counter()
    evaluation = evaluate(tables, TODAY, POLICY)
    new_ids = plan_new_ids(evaluation)
    assigned = {(n.tab, n.row.number): n.new_id for n in new_ids}
    updates = workbook.pending(desired_cells(evaluation, assigned))
    out["plan"] = time.perf_counter() - started
    mark("plan")

    started = time.perf_counter()
    written = workbook.write(updates, new_ids)
    out["write"] = time.perf_counter() - started
    mark("write")
    out["cells"] = written.cells_written
    out["ids"] = len(written.ids_assigned)
    out["skipped"] = len(written.skipped)
    return out


def _scenario(
    prepare: Callable[[], object], open_workbook: Callable[[], Workbook], recorder: _Recorder
) -> dict[str, Any]:
    """A fresh copy of the workbook, then two runs, each in its own process like two
    ``mila synchroniser``: seconds and requests per phase."""
    prepare()
    recorder.take("setup")
    out: dict[str, Any] = {}
    for run in ("1", "2"):
        requests: dict[str, int | None] = {}

        def on_mark(phase: str, run: str = run, requests: dict[str, int | None] = requests) -> None:
            requests[phase] = recorder.take(phase + run)

        result = in_child(lambda mark: _one_run(open_workbook, mark), on_mark)
        for key, value in result.items():
            out[key + run] = value
        for phase, count in requests.items():
            out[f"req_{phase}{run}"] = count
    out["kinds"] = {phase: dict(c) for phase, c in recorder.kinds.items() if phase != "setup"}
    return out


def _measure_size(
    members: int, emulator: SheetsEmulator, folder: Path
) -> tuple[Sizes, Mapping[str, Grid], int, dict[str, list[dict[str, Any]]]]:
    sizes = Sizes.scaled(members)
    grids = build_grids(sizes)
    pristine = write_xlsx(grids, folder / f"pristine-{members}.xlsx")
    work = folder / f"classeur-{members}.xlsx"
    key = f"bench-{members}"

    def load_google() -> None:
        load_emulator(emulator, key, grids)
        emulator.reset_requests()

    def open_google() -> Workbook:
        return Workbook(GoogleBackend(key, emulator_host=emulator.address, retry=NO_RETRY, timeout=900.0))

    runs = {
        "xlsx": repeat(
            lambda: _scenario(
                lambda: shutil.copy(pristine, work), lambda: Workbook(XlsxBackend(work)), _Recorder(None)
            )
        ),
        "google": repeat(lambda: _scenario(load_google, open_google, _Recorder(emulator))),
    }
    return sizes, grids, pristine.stat().st_size, runs


def _kinds_text(kinds: Mapping[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) or "none"


def _section(
    sizes: Sizes, grids: Mapping[str, Grid], file_size: int, runs: dict[str, list[dict[str, Any]]]
) -> tuple[str, list[Verdict]]:
    xlsx, google = runs["xlsx"], runs["google"]
    last = google[-1]
    rows = []
    for key, label in PHASES:
        a, b = median_of(xlsx, key), median_of(google, key)
        requests = last["req_" + key]
        kinds = _kinds_text(last["kinds"].get(key, {}))
        rows.append(
            (
                label,
                seconds(a),
                seconds(b),
                f"{b / a:.1f}×" if a > 0.001 else "—",
                f"{requests} ({kinds})" if requests else "0",
            )
        )
    for run, label in (("1", "first run"), ("2", "second run")):
        total_a = sum(median_of(xlsx, k + run) for k in ("read", "plan", "write"))
        total_b = sum(median_of(google, k + run) for k in ("read", "plan", "write"))
        total_r = sum(last[f"req_{k}{run}"] for k in ("read", "plan", "write"))
        rows.append(
            (
                f"**{label}: read + plan + write**",
                f"**{seconds(total_a)}**",
                f"**{seconds(total_b)}**",
                f"**{total_b / total_a:.1f}×**",
                f"**{total_r}**",
            )
        )
    read_requests = max(r["req_read1"] for r in google)
    second_writes = max(r["req_write2"] for r in google)
    same = all(r["cells1"] == google[0]["cells1"] and r["cells2"] == 0 for r in xlsx + google)
    verdicts = [
        Verdict(
            f"open + read every tab ({num(sizes.members)} members): requests ≤ {READ_REQUESTS_TARGET}",
            str(read_requests),
            read_requests <= READ_REQUESTS_TARGET,
        ),
        Verdict(
            f"second run ({num(sizes.members)} members): write requests = 0",
            str(second_writes),
            second_writes == 0,
        ),
    ]
    text = "\n".join(
        [
            f"#### {num(sizes.members)} members",
            "",
            f"Workbook: {sizes.describe()}; 7 tabs, Membres 25 columns, "
            f"{num(cell_count(grids))} cells in all; .xlsx file {mib(file_size)}. "
            f".xlsx: {runs_note(len(xlsx))}; emulator: {runs_note(len(google))}. "
            f"First run: {num(last['cells1'])} cells written ({num(last['ids1'])} of them new IDs), "
            f"{last['skipped1']} rows skipped; second run: {num(last['cells2'])} cells written. "
            f"Both backends wrote the same number of cells: {'yes' if same else '**no**'}.",
            "",
            md_table(
                ("Phase", ".xlsx", "Google (emulator)", "emulator / .xlsx", "Requests (emulator)"), rows
            ),
            "",
            "Targets: "
            + "; ".join(f"{v.target}: {v.measured} — {verdict_word(v.met)}" for v in verdicts)
            + ".",
        ]
    )
    return text, verdicts


def run(quick: bool = False) -> BenchResult:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    sections: list[str] = [
        "Time per phase and requests the emulator received. « open » is the backend's "
        "construction (the Google backend reads the spreadsheet's metadata: 1 request); "
        "« plan » makes no request on either backend. The .xlsx read takes the values "
        "straight from the sheets' XML; the .xlsx write changes the written cells inside the "
        "XML and copies the other parts as they are, compressed.",
    ]
    verdicts: list[Verdict] = []
    with tempfile.TemporaryDirectory(prefix="mila-bench-") as tmp, SheetsEmulator() as emulator:
        for members in sizes:
            text, found = _section(*_measure_size(members, emulator, Path(tmp)))
            sections += ["", text]
            verdicts += found
    return BenchResult(TITLE, "\n".join(sections), tuple(verdicts))


def main() -> None:
    run_one(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
