"""Fixtures that build small workbooks in code, on either backend."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from automations.demo import DemoSummary, build_demo_workbook
from automations.workbook import Workbook
from automations.workbook.google import GoogleBackend, RetryPolicy
from automations.workbook.xlsx import XlsxBackend

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

FAST_RETRY = RetryPolicy(attempts=6, timeout=10.0, wait_initial=0.01, wait_max=0.05, wait_jitter=0.01)

Grid = list[list[Any]]


def first_sheet(book: OpenpyxlWorkbook) -> Worksheet:
    """The sheet a new openpyxl workbook opens with (``active`` is typed as maybe-absent)."""
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return sheet


class XlsxBook:
    """A small .xlsx built in code, with ways to look at it and edit it like a person."""

    kind = "xlsx"

    def __init__(self, folder: Path, tabs: dict[str, Grid]) -> None:
        self.path = folder / "classeur.xlsx"
        wb = OpenpyxlWorkbook()
        wb.remove(first_sheet(wb))
        for title, grid in tabs.items():
            ws = wb.create_sheet(title)
            for line in grid:
                ws.append(line)
        wb.save(self.path)

    def open(self) -> Workbook:
        return Workbook(XlsxBackend(self.path))

    def grid(self, tab: str) -> Grid:
        """Cells as stored (formulas as formulas), trailing blanks trimmed."""
        wb = load_workbook(self.path)
        try:
            return _trim([list(r) for r in wb[tab].iter_rows(values_only=True)])
        finally:
            wb.close()

    def edit(self, tab: str, cells: dict[tuple[int, int], Any]) -> None:
        wb = load_workbook(self.path)
        for (row, col), value in cells.items():
            wb[tab].cell(row=row, column=col).value = value
        wb.save(self.path)

    def insert_rows(self, tab: str, before: int, count: int = 1) -> None:
        wb = load_workbook(self.path)
        wb[tab].insert_rows(before, count)
        wb.save(self.path)

    def reverse_rows(self, tab: str) -> None:
        """Sort the data rows backwards, as a person sorting a column would."""
        grid = self.grid(tab)
        header, rows = grid[0], grid[1:]
        wb = load_workbook(self.path)
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
        return Workbook(GoogleBackend(self.key, emulator_host=self.emulator.address, retry=FAST_RETRY))

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


@pytest.fixture(scope="session")
def demo_built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    """The demo workbook, built once per test session (seed 2024, as ``mila demo`` does)."""
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    return path, build_demo_workbook(path, seed=2024, today=DEMO_TODAY)


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
