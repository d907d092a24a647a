"""Drive delivery: Drive requests per run of ``mila docs conventions`` / ``charte`` on the demo.

Issue 15: « at most 2 per new document and 1 per updated one, none when nothing changed ».

The demo workbook (seed 2024) as an .xlsx, Drive held by the project's emulator
(``DRIVE_EMULATOR_HOST``), each request counted at the emulator: a first run (every
document new), a second run (nothing changed), one occupation changed, five changed, a
file edited in Drive then its occupation changed; then the charters of the demo.

    .venv/bin/python -m benchmarks.drive [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from automations.clock import FixedClock
from automations.config import build_settings
from automations.demo import build_demo_workbook
from automations.documents.outputs import OutputFolder
from automations.jobs.context import RunContext
from automations.jobs.documents import run_charters, run_conventions
from automations.workbook import Workbook
from automations.workbook.xlsx import XlsxBackend
from sheets_emulator import SheetsEmulator

from .data import BenchResult, Verdict, md_table

TITLE = "Drive delivery: requests per documents run (demo, emulator)"
TODAY = dt.date(2026, 11, 23)
ROOT_ID = "dossier-partage-bench"


def _context(book: Path, out: Path, emulator: SheetsEmulator) -> RunContext:
    raw = {"documents": {"out": str(out), "drive_folder": ROOT_ID}}
    settings = build_settings(raw, env={"DRIVE_EMULATOR_HOST": emulator.address}, base=out.parent)
    return RunContext(
        settings,
        FixedClock(dt.datetime(2026, 11, 23, 9, 0)),
        today=TODAY,
        workbook=Workbook(XlsxBackend(book)),
    )


def _change_rents(book: Path, ids: list[str], rent: int) -> None:
    wb = load_workbook(book)
    ws = wb["Occupations"]
    col = [c.value for c in ws[1]].index("Loyer mensuel HT") + 1
    for row in ws.iter_rows(min_row=2):
        if row[0].value in ids:
            ws.cell(row=row[0].row, column=col).value = rent
    wb.save(book)


def _kinds(requests: list[Any]) -> str:
    names = Counter(
        "upload"
        if r.method == "POST" and r.path.startswith("/upload/")
        else "update"
        if r.method == "PATCH"
        else "list"
        if r.method == "GET" and r.path == "/drive/v3/files"
        else "folder"
        if r.method == "POST"
        else "get"
        for r in requests
    )
    return ", ".join(f"{n} {k}" for k, n in sorted(names.items())) or "none"


def measure() -> list[tuple[str, int, int, str]]:
    """(step, documents concerned, Drive requests, by kind) for each step."""
    rows: list[tuple[str, int, int, str]] = []
    with tempfile.TemporaryDirectory() as tmp, SheetsEmulator() as emulator:
        book, out = Path(tmp) / "demo.xlsx", Path(tmp) / "out"
        build_demo_workbook(book, seed=2024, today=TODAY)
        emulator.drive.create_folder("Documents MILA", ROOT_ID)

        def step(label: str, run: Any, concerned: Any) -> Any:
            start = len(emulator.requests)
            result = run(_context(book, out, emulator))
            sent = emulator.requests[start:]
            rows.append((label, concerned(result), len(sent), _kinds(sent)))
            return result

        first = step("conventions, first run", run_conventions, lambda r: len(r.written))
        step("conventions, nothing changed", run_conventions, lambda r: len(r.written))
        ids = [w.key.partition(":")[2] for w in first.written]
        _change_rents(book, ids[:1], 911)
        step("conventions, 1 occupation changed", run_conventions, lambda r: len(r.written))
        _change_rents(book, ids[1:6], 912)
        step("conventions, 5 occupations changed", run_conventions, lambda r: len(r.written))
        edited = OutputFolder(out).uploaded(first.written[6].key)
        assert edited is not None
        emulator.drive.edit_by_person(edited["id"], b"annotated in Drive")
        _change_rents(book, ids[6:7], 913)
        step(
            "conventions, 1 changed whose file was edited in Drive", run_conventions, lambda r: len(r.written)
        )
        step("charters, first run", run_charters, lambda r: len(r.written))
        step("charters, nothing changed", run_charters, lambda r: len(r.written))
    return rows


def run(quick: bool = False) -> BenchResult:
    rows = measure()
    by_step = {label: (docs, sent) for label, docs, sent, _ in rows}
    new_docs, new_sent = by_step["conventions, first run"]
    _, none_sent = by_step["conventions, nothing changed"]
    five_docs, five_sent = by_step["conventions, 5 occupations changed"]
    lines = [
        "Requests counted at the emulator (every Drive request: listings, folder creations, "
        "uploads, updates, metadata). A new document is one multipart upload; each run lists a "
        "folder at most once (its sub-folders, and its files' MD5 and head revision for the "
        "edit check) and creates a missing sub-folder once; an updated document is one media "
        "update after that listing.",
        "",
        md_table(("Step", "documents", "Drive requests", "by kind"), rows),
    ]
    verdicts = (
        Verdict(
            "new documents: requests ≤ 2 per document", f"{new_sent} for {new_docs}", new_sent <= 2 * new_docs
        ),
        Verdict("nothing changed: no request", str(none_sent), none_sent == 0),
        Verdict(
            "updated documents: 1 per document (+1 listing per run)",
            f"{five_sent} for {five_docs}",
            five_sent <= five_docs + 1,
        ),
    )
    return BenchResult(TITLE, "\n".join(lines), verdicts)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=TITLE)
    parser.add_argument("--quick", action="store_true")
    result = run(parser.parse_args().quick)
    print(f"### {result.title}\n\n{result.markdown_section}\n")
    for verdict in result.verdicts:
        print(f"- {verdict.target}: {verdict.measured} ({'met' if verdict.met else 'not met'})")
