"""`mila preparer`: requests sent on Google Sheets, and the .xlsx left unchanged on a second run.

Issue 14: « one command, on Google Sheets (a single ``spreadsheets.batchUpdate``) … a second
run sends no write request ». The seven tabs of the demo's generator (10,000 members at
full size) are held by a ``SheetsEmulator`` in this process and opened through the real
Google backend; requests are counted from ``emulator.requests``: the first run (one get,
one batchUpdate of N sub-requests, the Listes values and the Journal line), then the second.
The same tabs as an .xlsx: the file's bytes after the second run against the first.

    .venv/bin/python -m benchmarks.preparer [--quick]
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections import Counter
from pathlib import Path

from automations.clock import FixedClock
from automations.jobs.prepare import run_prepare
from automations.workbook import Workbook
from automations.workbook.google import GoogleBackend, RetryPolicy
from automations.workbook.xlsx import XlsxBackend
from sheets_emulator import SheetsEmulator

from .data import (
    NOW,
    TODAY,
    BenchResult,
    Sizes,
    Verdict,
    build_grids,
    load_emulator,
    md_table,
    seconds,
    write_xlsx,
)

TITLE = "Workbook preparation: requests on Google Sheets, bytes on .xlsx"
FULL, QUICK = 10_000, 500
RETRY = RetryPolicy(attempts=3, timeout=30.0, wait_initial=0.05, wait_max=0.2, wait_jitter=0.01)


def _counts(emulator: SheetsEmulator, key: str) -> tuple[int, int, int]:
    """(reads, writes, sub-requests of the batchUpdates) received for ``key``."""
    mine = [r for r in emulator.requests if key in r.path]
    batch = [r for r in mine if r.method == "POST" and r.path.endswith(":batchUpdate")]
    subs = sum(len((r.body or {}).get("requests", [])) for r in batch)
    return sum(r.method == "GET" for r in mine), sum(r.method == "POST" for r in mine), subs


def _number(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


def measure(members: int) -> dict[str, object]:
    grids = build_grids(Sizes.scaled(members))
    clock = FixedClock(NOW)
    out: dict[str, object] = {}
    with SheetsEmulator() as emulator:
        load_emulator(emulator, "bench-prep", grids)
        for phase in ("first", "second"):
            emulator.reset_requests()
            started = time.perf_counter()
            result = run_prepare(
                Workbook(GoogleBackend("bench-prep", emulator_host=emulator.address, retry=RETRY)),
                today=TODAY,
                clock=clock,
            )
            out[f"{phase}_s"] = time.perf_counter() - started
            out[f"{phase}_reads"], out[f"{phase}_writes"], out[f"{phase}_subs"] = _counts(
                emulator, "bench-prep"
            )
            out[f"{phase}_changes"] = sum(result.changes.values())
            out[f"{phase}_kinds"] = Counter(result.changes)
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsx(grids, Path(folder) / "bench.xlsx")
        run_prepare(Workbook(XlsxBackend(path)), today=TODAY, clock=clock)
        first = hashlib.sha256(path.read_bytes()).hexdigest()
        started = time.perf_counter()
        run_prepare(Workbook(XlsxBackend(path)), today=TODAY, clock=clock)
        out["xlsx_second_s"] = time.perf_counter() - started
        out["xlsx_unchanged"] = hashlib.sha256(path.read_bytes()).hexdigest() == first
    return out


def run(quick: bool = False) -> BenchResult:
    members = QUICK if quick else FULL
    m = measure(members)
    verdicts = (
        Verdict(
            "preparer: second run 0 write requests (Google)",
            str(m["second_writes"]),
            m["second_writes"] == 0,
        ),
        Verdict(
            "preparer: second run leaves the .xlsx bytes", str(m["xlsx_unchanged"]), bool(m["xlsx_unchanged"])
        ),
    )
    table = md_table(
        ["", "value"],
        [
            ["members", f"{members:,}"],
            ["first run: read · write requests", f"{m['first_reads']} · {m['first_writes']}"],
            ["first run: sub-requests in the one batchUpdate", str(m["first_subs"])],
            ["first run: time through the emulator", seconds(_number(m["first_s"]))],
            ["second run: read · write requests", f"{m['second_reads']} · {m['second_writes']}"],
            [
                "second run on the .xlsx: time · bytes unchanged",
                f"{seconds(_number(m['xlsx_second_s']))} · {m['xlsx_unchanged']}",
            ],
        ],
    )
    section = f"### {TITLE}\n\n{__doc__.split(chr(10) + chr(10))[1]}\n\n{table}\n"
    return BenchResult(TITLE, section, verdicts)


if __name__ == "__main__":  # pragma: no cover
    import sys

    result = run(quick="--quick" in sys.argv)
    print(result.markdown_section)
    for v in result.verdicts:
        print(f"{'OK ' if v.met else 'NO '} {v.target}: {v.measured}")
