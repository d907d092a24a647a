"""The in-memory workbook backend of the test support, which the benchmarks time jobs on."""

from __future__ import annotations

from automations.workbook import Backend, CellUpdate, Workbook
from tests.support.memory_backend import MemoryBackend

MEMBERS: list[list[object]] = [
    ["ID", "Structure", "Statut"],
    ["M0001", "Atelier Lumière", None],
    ["M0002", "Studio Ordener", "échue"],
]


def book() -> tuple[MemoryBackend, Workbook]:
    backend = MemoryBackend({"Membres": MEMBERS})
    return backend, Workbook(backend)


class TestMemoryBackend:
    def test_it_is_a_workbook_backend(self):
        """It implements the Backend protocol the workbook opens."""
        backend: Backend = MemoryBackend({})
        assert backend.titles() == []

    def test_the_workbook_reads_its_rows(self):
        """Rows read through the workbook carry the cells as given."""
        _, wb = book()
        members = wb.read(["Membres"])["Membres"]
        assert [(row.id, row.get("Structure")) for row in members] == [
            ("M0001", "Atelier Lumière"),
            ("M0002", "Studio Ordener"),
        ]

    def test_a_write_changes_the_grids_and_a_second_one_asks_nothing(self):
        """A written cell is there on the next read, and writing it again makes no request."""
        backend, wb = book()
        wb.read(["Membres"])
        wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        assert backend.grids["Membres"][1][2] == "à jour"
        assert backend.writes == 1
        again = Workbook(backend)
        again.read(["Membres"])
        result = again.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        assert result.cells_written == 0
        assert backend.writes == 1

    def test_the_given_grids_are_left_alone(self):
        """The backend works on its own copy of the grids it was given."""
        backend, wb = book()
        wb.read(["Membres"])
        wb.write([CellUpdate("Membres", "M0002", "Statut", "à jour")])
        assert MEMBERS[2][2] == "échue"

    def test_a_partial_fetch_gives_only_the_asked_columns(self):
        """Columns not asked for come back blank, the header whole."""
        backend, _ = book()
        grid = backend.fetch([], {"Membres": [1]})["Membres"]
        assert grid == [MEMBERS[0], ["M0001", None, None], ["M0002", None, None]]
