"""Fixtures that build small workbooks in code, on either backend, and the costly things
built once per test run and shared by every module that reads them.

Shared, built once per run (under pytest-xdist, by the first worker that asks, the others
reading its result), never to be changed by a test (take a copy):

- ``demo_built``: the demo workbook (seed 2024, 23 November 2026) and its ``DemoSummary``;
  ``demo`` gives a test its own copy;
- ``demo_synced_built``: the demo after ``mila synchroniser``; ``demo_synced`` gives a copy;
- ``demo_grids_built``: the demo's cells as the .xlsx backend reads them; ``demo_memory``
  gives a test its own in-memory backend holding them (for tests not about the .xlsx format);
- ``demo_documents_built``: every kind of document the jobs write from the demo, and the
  2025 report, in one folder, with the jobs' results; ``demo_document_texts``: the texts of
  their paragraphs, each document opened once;
- ``built_once(tmp_path_factory, name, build)``: the helper behind them, for anything else
  costly several modules read (a module-scoped fixture is enough when one module reads it,
  but under xdist each worker that runs one of its tests builds it again).

Cheap alternatives first: ``make_book`` builds a small workbook in code, on the .xlsx and
Google backends; ``FEE_HISTORY`` is the Tarifs tab the association lived through.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import io
import itertools
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.worksheet.worksheet import Worksheet

    from automations.demo import DemoSummary
    from automations.workbook import Workbook
    from automations.workbook.google import RetryPolicy

# The package, openpyxl and the Google client are imported where they are used, not here:
# pytest-xdist's controller loads this file before it starts the workers and runs no test
# (about a second of imports on the path to the first test); the workers import them anyway.

# Bytecode cached between runs, whatever PYTHONDONTWRITEBYTECODE says (it is set on the shared
# machine): without it every test process compiles the package again and pytest rewrites the
# asserts of every test module again, about 9 s of CPU per process and three processes under
# xdist (the command-line subprocesses the tests start read the same cache). The files land in
# __pycache__ folders, which .gitignore and the checkout check below leave out.
sys.dont_write_bytecode = False

# The cyclic garbage collector made rarer in the test processes: they hold the session's shared
# fixtures (the demo, its documents, their texts) and each test's workbooks, which the collector
# walked about 8,000 times per xdist worker (about 10 s of CPU each, a tenth of the suite).
# Collections every 50,000 net allocations rather than 700: 3 s per worker, for about 175 MB
# more at the peak (measured 343 MB → 518 MB). The product's own processes keep Python's defaults.
gc.set_threshold(50_000, 50, 50)

# The fee history the association lived through (SHEETS.md), as the Tarifs tab holds it.
FEE_HISTORY: list[list[object]] = [
    ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
    ["BENEFICIAIRE", "Cotisation bénéficiaire", 100, None, 20, "01/01/2018", "29/02/2024"],
    ["BASIC", "Forfait BASIC", 120, None, 20, "01/03/2024", None],
    ["PREMIUM", "Forfait PREMIUM", 170, None, 20, "01/03/2024", None],
    ["CRESCENDO", "Option Crescendo", 10, None, 20, "01/03/2024", None],
    ["HEBERGE_M2", "Cotisation hébergé", 10, 700, 20, "01/01/2018", None],
    ["MEMBRE_DE_DROIT", "Membre de droit", 0, None, 20, "01/01/2018", None],
]


def _fast_retry() -> RetryPolicy:
    """Retries of a few milliseconds: the emulator answers at once."""
    from automations.workbook.google import RetryPolicy

    return RetryPolicy(attempts=6, timeout=10.0, wait_initial=0.01, wait_max=0.05, wait_jitter=0.01)


def __getattr__(name: str) -> Any:
    """``FAST_RETRY`` (``from conftest import FAST_RETRY``), built when first asked for."""
    if name == "FAST_RETRY":
        return _fast_retry()
    raise AttributeError(name)


Grid = list[list[Any]]


def first_sheet(book: OpenpyxlWorkbook) -> Worksheet:
    """The sheet a new openpyxl workbook opens with (``active`` is typed as maybe-absent)."""
    from openpyxl.worksheet.worksheet import Worksheet

    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return sheet


def _load_workbook(path: Path) -> OpenpyxlWorkbook:
    from openpyxl import load_workbook

    return load_workbook(path)


class XlsxBook:
    """A small .xlsx built in code, with ways to look at it and edit it like a person."""

    kind = "xlsx"

    # The file of each set of tabs this process already built: two thirds of the books the
    # tests build are the same few tabs (openpyxl takes ~25 ms to write one).
    _built: dict[bytes, bytes] = {}

    def __init__(self, folder: Path, tabs: dict[str, Grid]) -> None:
        self.path = folder / "classeur.xlsx"
        key = hashlib.sha256(pickle.dumps(tabs, protocol=5)).digest()
        data = self._built.get(key)
        if data is None:
            from openpyxl import Workbook as OpenpyxlWorkbook

            wb = OpenpyxlWorkbook()
            wb.remove(first_sheet(wb))
            for title, grid in tabs.items():
                ws = wb.create_sheet(title)
                for line in grid:
                    ws.append(line)
            buffer = io.BytesIO()
            wb.save(buffer)
            data = self._built[key] = buffer.getvalue()
        self.path.write_bytes(data)

    def open(self) -> Workbook:
        from automations.workbook import Workbook
        from automations.workbook.xlsx import XlsxBackend

        return Workbook(XlsxBackend(self.path))

    def grid(self, tab: str) -> Grid:
        """Cells as stored (formulas as formulas), trailing blanks trimmed."""
        from automations.workbook.xlsx_values import XlsxValues

        with XlsxValues(self.path) as book:
            if not book.holds_formulas(tab):
                return _trim([list(r) for r in book.rows(tab)])
        wb = _load_workbook(self.path)
        try:
            return _trim([list(r) for r in wb[tab].iter_rows(values_only=True)])
        finally:
            wb.close()

    def edit(self, tab: str, cells: dict[tuple[int, int], Any]) -> None:
        wb = _load_workbook(self.path)
        for (row, col), value in cells.items():
            wb[tab].cell(row=row, column=col).value = value
        wb.save(self.path)

    def insert_rows(self, tab: str, before: int, count: int = 1) -> None:
        wb = _load_workbook(self.path)
        wb[tab].insert_rows(before, count)
        wb.save(self.path)

    def reverse_rows(self, tab: str) -> None:
        """Sort the data rows backwards, as a person sorting a column would."""
        grid = self.grid(tab)
        header, rows = grid[0], grid[1:]
        wb = _load_workbook(self.path)
        ws = wb[tab]
        for number, line in enumerate(reversed(rows), start=2):
            for col in range(1, len(header) + 1):
                ws.cell(row=number, column=col).value = line[col - 1] if col - 1 < len(line) else None
        wb.save(self.path)

    def write_requests(self) -> int:
        return 0


class GoogleBook:
    """The same, held by the Sheets emulator and opened through the Google backend."""

    kind = "google"
    _ids = itertools.count(1)

    def __init__(self, emulator: Any, tabs: dict[str, Grid]) -> None:
        self.emulator = emulator
        self.key = f"test-sheet-{next(self._ids)}"
        emulator.create_spreadsheet(self.key, sheets=tabs)

    def open(self) -> Workbook:
        from automations.workbook import Workbook
        from automations.workbook.google import GoogleBackend

        return Workbook(GoogleBackend(self.key, emulator_host=self.emulator.address, retry=_fast_retry()))

    def grid(self, tab: str) -> Grid:
        """Cells as stored (formulas as formulas); blank cells as None, as openpyxl gives them."""
        grid = self.emulator.grid(self.key, tab, render="FORMULA")
        return [[None if v == "" else v for v in line] for line in grid]

    def edit(self, tab: str, cells: dict[tuple[int, int], Any]) -> None:
        self.emulator.set_cells(self.key, tab, cells)

    def insert_rows(self, tab: str, before: int, count: int = 1) -> None:
        self.emulator.insert_rows(self.key, tab, before, count)

    def reverse_rows(self, tab: str) -> None:
        grid = self.grid(tab)
        header, rows = grid[0], grid[1:]
        cells = {}
        for number, line in enumerate(reversed(rows), start=2):
            for col in range(1, len(header) + 1):
                cells[(number, col)] = line[col - 1] if col - 1 < len(line) else None
        self.emulator.set_cells(self.key, tab, cells)


def _trim(grid: Grid) -> Grid:
    while grid and all(v is None or v == "" for v in grid[-1]):
        grid.pop()
    for row in grid:
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
    return grid


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from sheets_emulator import SheetsEmulator

    with SheetsEmulator() as emu:
        yield emu


@pytest.fixture(params=["xlsx", "google"])
def make_book(request: pytest.FixtureRequest, tmp_path: Path):
    """Build a workbook from {tab: grid} on each backend in turn."""

    def build(tabs: dict[str, Grid]) -> XlsxBook | GoogleBook:
        if request.param == "xlsx":
            return XlsxBook(tmp_path, tabs)
        return GoogleBook(request.getfixturevalue("emulator"), tabs)

    return build


DEMO_TODAY = dt.date(2026, 11, 23)


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Any]) -> tuple[Path, Any]:
    """``build(folder)``'s result, called once per test run with a folder of its own.

    Under pytest-xdist the workers share one build: the first to ask builds into the run's
    common temporary folder, under a lock, and the others read the result (pickled) and the
    files it wrote; nobody changes them afterwards (tests take copies)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = factory.mktemp(name)
        return folder, build(folder)
    shared = factory.getbasetemp().parent  # the run's folder, above each worker's own
    folder, result_file = shared / name, shared / f"{name}.pickle"
    from filelock import FileLock

    with FileLock(shared / f"{name}.lock"):
        if not result_file.is_file():
            folder.mkdir(exist_ok=True)
            result_file.write_bytes(pickle.dumps(build(folder)))
    return folder, pickle.loads(result_file.read_bytes())


# Shared fixtures costly to build and read by a handful of modules: under pytest-xdist, every
# test that needs one runs on the same worker (group ``xdist_group``, as --dist loadgroup
# keeps it), which builds it while the other worker runs other tests, instead of one worker
# waiting on ``built_once``'s lock for the other to finish the build (idle core time).
_GROUPED_BY_FIXTURE = {
    "demo_documents_built": "demo_documents",  # the documents, their texts, their PDFs
    "demo_synced_built": "demo_synced",
    "quota_scenarios": "quota",
}


_HEAVY_FIXTURES = frozenset({"demo", "demo_synced", "demo_memory"})


def _group_of(item: pytest.Item) -> str | None:
    """The costly shared fixture's group above, else the module's name when the test uses a
    fixture the module defines for all its tests (scope module or class), which a worker
    would otherwise build again for its share of the module's tests."""
    names = getattr(item, "fixturenames", ())
    group = next((g for fixture, g in _GROUPED_BY_FIXTURE.items() if fixture in names), None)
    if group is not None:
        return group
    module = item.nodeid.split("::", 1)[0]
    info = getattr(item, "_fixtureinfo", None)
    for definitions in getattr(info, "name2fixturedefs", {}).values():
        for definition in definitions:
            if definition.scope in ("module", "class") and definition.baseid == module:
                return Path(module).stem
    return None


@pytest.hookimpl(trylast=True)  # after pytest-xdist's own hook (see below)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests of the costly fixtures above, and make --dist loadgroup keep every
    group on one worker: pytest-xdist (3.8) names a test's group by appending « @group » to
    ``item._nodeid``, which pytest 9.2 no longer reads (a node's id is now ``item._id``), so
    that every xdist_group was spread over the workers like any test."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            group = _group_of(item)
            if group is not None:
                item.add_marker(pytest.mark.xdist_group(group))
    if not getattr(config.option, "loadgroup", False):  # set on xdist's workers under loadgroup
        return
    # The tests that run jobs on the whole demo or are marked slow first (a stable sort: the
    # same order on every worker): the last tests handed out are then short ones, and no core
    # waits at the end of the run for another that got a long test last.
    items.sort(
        key=lambda item: (
            not (
                _HEAVY_FIXTURES.intersection(getattr(item, "fixturenames", ()))
                or item.get_closest_marker("slow")
            )
        )
    )
    for item in items:
        groups = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        if not groups or "@" in item.nodeid:
            continue
        nodeid = f"{item.nodeid}@{'_'.join(groups)}"
        if hasattr(item, "_id"):  # pytest 9.2 and later
            from _pytest.nodeid import NodeId

            setattr(item, "_id", NodeId.parse(nodeid))  # noqa: B010 (a private attribute)
        else:
            setattr(item, "_nodeid", nodeid)  # noqa: B010


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The demo workbook, built once per test run (seed 2024, as ``mila demo`` does)."""
    from automations.demo import build_demo_workbook

    folder, summary = built_once(
        tmp_path_factory, "demo", lambda f: build_demo_workbook(f / "demo.xlsx", seed=2024, today=DEMO_TODAY)
    )
    return folder / "demo.xlsx", summary


def _sync_demo(demo: Path, folder: Path) -> str:
    from automations.cli import main

    shutil.copyfile(demo, folder / "demo.xlsx")
    (folder / "mila.toml").write_text("", encoding="utf-8")  # its logs/ and state/ go beside it
    out = io.StringIO()
    options = ["--config", str(folder / "mila.toml"), "--classeur", str(folder / "demo.xlsx")]
    code = main(["sync", *options, "--date", DEMO_TODAY.isoformat(), "--json"], out=out)
    assert code == 0, out.getvalue()
    (folder / "sync.json").write_text(out.getvalue(), encoding="utf-8")
    return out.getvalue()


@pytest.fixture(scope="session")
def demo_synced_built(demo_built: tuple[Path, DemoSummary], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workbook after ``mila sync --date 2026-11-23``, once per test run; beside it
    the empty ``mila.toml`` it ran with, the ``logs/`` and ``state/`` it left, and in
    ``sync.json`` what it printed (``--json``)."""
    folder, _ = built_once(tmp_path_factory, "demo_synced", lambda f: _sync_demo(demo_built[0], f))
    return folder / "demo.xlsx"


def _demo_documents(grids: dict[str, Grid], folder: Path) -> dict[str, Any]:
    """The jobs run on the demo's cells in memory, one backend for them all (each sees what the
    one before wrote, as they would in the file): the documents are the subject, not the .xlsx
    file, whose reading and writing cost most of this when the jobs ran on it."""
    from automations.clock import FixedClock
    from automations.config import Settings
    from automations.documents.settings import AssociationSettings, DocumentsSettings
    from automations.jobs.context import RunContext
    from automations.jobs.documents import run_attendance, run_charters, run_conventions, run_receipts
    from automations.jobs.report import run_report
    from automations.rules.membership import MembershipPolicy
    from automations.workbook import Workbook
    from tests.support.memory_backend import MemoryBackend

    backend = MemoryBackend(grids)
    today = DEMO_DOCUMENTS_DAY
    clock = FixedClock(dt.datetime.combine(today, dt.time(9)))

    def run(documents: DocumentsSettings) -> RunContext:
        settings = Settings(
            association=AssociationSettings(), documents=documents, membership=MembershipPolicy()
        )
        return RunContext(settings, clock, today=today, workbook=Workbook(backend))

    default = run_conventions(run(DocumentsSettings(out=folder / "none")))
    shops = DocumentsSettings(out=folder / "out", shop_conventions=True)
    results = {
        "default": default,
        "conventions": run_conventions(run(shops)),
        "charte": run_charters(run(shops), all_members=True),
        "recus": run_receipts(run(shops)),
        "emargement": run_attendance(run(shops), meeting=dt.date(2026, 6, 12)),
    }
    report = folder / "out" / "rapport"  # beside, not among, the documents members receive
    run_report(Workbook(backend), year=2025, out_dir=report, today=today, soffice=None)
    return results


DEMO_DOCUMENTS_DAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="session")
def demo_documents_built(
    demo_grids_built: dict[str, Grid], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """``(out, results)``: every kind of document the jobs write from the demo on 30 November
    2026, written once per test run into ``out``: the conventions (shops' included), every
    member's charter and the register, the receipts, the attendance sheet of the 12 June 2026
    meeting; and in ``out / "rapport"`` the 2025 report (without LibreOffice's layout pass),
    written from the workbook as those jobs left it. ``results`` are the
    jobs' results by kind (``conventions``, ``charte``, ``recus``, ``emargement``), and
    ``default``: the conventions of a first run without ``shop_conventions``, written
    elsewhere. Read the files; copy one before changing it."""
    folder, results = built_once(
        tmp_path_factory, "demo_documents", lambda f: _demo_documents(demo_grids_built, f)
    )
    return folder / "out", results


def _demo_grids(demo: Path) -> dict[str, Grid]:
    from automations.workbook.xlsx import XlsxBackend

    backend = XlsxBackend(demo)
    return backend.fetch(backend.titles(), {})


@pytest.fixture(scope="session")
def demo_grids_built(
    demo_built: tuple[Path, DemoSummary], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Grid]:
    """Every tab of the demo workbook as the .xlsx backend reads it, once per test run."""
    _, grids = built_once(tmp_path_factory, "demo_grids", lambda _: _demo_grids(demo_built[0]))
    return grids


@pytest.fixture
def demo_memory(demo_grids_built: dict[str, Grid]) -> Any:
    """The demo workbook's cells in a backend of the test's own, in memory (``MemoryBackend``):
    for a test about what a job does with the demo's rows, not about the .xlsx file (a read of
    the demo file costs about a second of CPU; this, nothing)."""
    from tests.support.memory_backend import MemoryBackend

    return MemoryBackend(demo_grids_built)


@pytest.fixture(scope="session")
def demo_document_texts(
    demo_documents_built: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[list[str], list[str]]]:
    """``{path relative to the folder: docx_paragraphs(...)}`` of every .docx of
    ``demo_documents_built``, each opened once per test run for the modules that read them all
    (read as python-docx reads them: ``tests/support/docx_text.py``)."""
    from tests.support.docx_text import docx_paragraphs

    out = demo_documents_built[0]

    def read(_: Path) -> dict[str, tuple[list[str], list[str]]]:
        return {
            str(p.relative_to(out)): docx_paragraphs(p.read_bytes()) for p in sorted(out.glob("**/*.docx"))
        }

    return built_once(tmp_path_factory, "demo_document_texts", read)[1]


@pytest.fixture(scope="session")
def demo_opened(demo_built: tuple[Path, DemoSummary]) -> Any:
    """The demo workbook opened by openpyxl (styles, notes, validations: about a second), once
    per process for the tests that look at it as Excel would; never to be changed. Its tests
    share the ``demo`` xdist group, so that one process opens it."""
    return _load_workbook(demo_built[0])


@pytest.fixture
def demo_synced(demo_synced_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the synced demo workbook, for a test whose starting point is a synced demo."""
    path = tmp_path / "demo.xlsx"
    shutil.copyfile(demo_synced_built, path)
    return path


@pytest.fixture
def demo(demo_built: tuple[Path, DemoSummary], tmp_path: Path) -> Path:
    """A fresh copy of the session's demo workbook, for a test that changes it."""
    path = tmp_path / "demo.xlsx"
    shutil.copyfile(demo_built[0], path)
    return path


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for the test, stopped cleanly after it."""
    from test_mail import SmtpServer

    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------- nothing written in the checkout


@pytest.fixture(scope="session", autouse=True)
def session_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Session and module fixtures run from an empty folder too, not from the checkout."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("session_cwd"))
        yield


@pytest.fixture(autouse=True)
def outside_the_checkout(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts in an empty folder of its own, never in the checkout: what a job
    writes by default relative to where it runs (logs/, state/, apercus/, out/) lands there.
    A test that wants its files in ``tmp_path`` changes folder itself (monkeypatch.chdir)."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd", numbered=True))


ROOT = Path(__file__).resolve().parents[1]
_BEFORE = pytest.StashKey[set[str] | None]()
# What running the tests may leave in the checkout: Python's and pytest's caches.
_CACHES = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache")


def _checkout_entries() -> set[str] | None:
    """The files and folders ``git status`` shows as new in the checkout, ignored ones
    included, caches left out; None without git or outside a git checkout. (Changes to
    tracked files are left out: a person may edit one while the tests run.)"""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--ignored"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {
        line
        for line in done.stdout.splitlines()
        if line.startswith(("??", "!!"))
        and not any(part in _CACHES for part in Path(line[3:].strip('"')).parts)
    }


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the main process, not an xdist worker
        session.config.stash[_BEFORE] = _checkout_entries()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when the tests left something new in the checkout."""
    before = session.config.stash.get(_BEFORE, None)
    if before is None or hasattr(session.config, "workerinput"):
        return
    after = _checkout_entries()
    new = sorted((after or set()) - before)
    if new:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "The tests wrote inside the checkout (git status --ignored):\n  " + "\n  ".join(new)
        if reporter is not None:
            reporter.write_sep("=", "files left in the checkout", red=True)
            reporter.write_line(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
