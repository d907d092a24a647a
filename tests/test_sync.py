"""`mila synchroniser` assigns IDs, writes computed columns and anomalies, and logs what it did."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import FEE_HISTORY

from automations.clock import FixedClock
from automations.errors import SchemaError
from automations.jobs.sync import run_sync
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 15)

MEMBERS_HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Option Crescendo",
    "Adhésion le",
    "Cotisation payée le",
    "Notes",
]
TARIFS = FEE_HISTORY


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            MEMBERS_HEADER,
            [
                "M0001",
                "Onde Claire",
                "Léa Morel",
                "lea@onde.fr",
                "bénéficiaire",
                "PREMIUM",
                "oui",
                "10/01/2023",
                "15/11/2026",
                "fidèle",
            ],
            [
                "M0002",
                "Studio Nord",
                "Paul Roux",
                "paul@nord.fr",
                "hébergé",
                None,
                None,
                "01/09/2022",
                "10/12/2025",
                None,
            ],
            [
                None,
                "Nouveau Label",
                "Inès Bah",
                "ines@label.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "20/11/2026",
                None,
                "=1+1",
            ],
            [
                "M0004",
                "Mauvais Mail",
                "Tom Vidal",
                "tom@mail,fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/02/2024",
                "01/02/2026",
                None,
            ],
        ],
        "Locaux": [["ID", "Nom", "Site", "Surface m²"], ["L01", "Bureau 1", "Pépinière", 16]],
        "Occupations": [
            ["ID", "Membre", "Local", "Début", "Fin"],
            ["C001", "M0002", "L01", "01/09/2022", None],
        ],
        "Tarifs": TARIFS,
    }


def sync(book, *, dry_run=False, clock=None):
    return run_sync(
        book.open(), today=TODAY, policy=MembershipPolicy(), clock=clock or FixedClock(NOW), dry_run=dry_run
    )


def column(grid, name):
    index = grid[0].index(name)
    return {line[0]: (line[index] if index < len(line) else None) for line in grid[1:]}


def writes(book) -> int:
    """Write requests the emulator received for this book (0 for .xlsx)."""
    if book.kind != "google":
        return 0
    return sum(1 for r in book.emulator.requests if r.method == "POST" and book.key in r.path)


class TestFirstRun:
    def test_computed_columns_hold_the_fee_due_date_status_and_votes(self, make_book):
        """PREMIUM + Crescendo paid on 15/11/2026 owes 180 € HT, 216 € TTC, due 14/11/2027, à jour, 2 votes."""
        book = make_book(workbook())
        sync(book)
        table = book.open().read()["Membres"]
        row = next(r for r in table.rows if r.id == "M0001")
        assert row.get("Cotisation HT") == 180
        assert row.get("Cotisation TTC") == 216
        assert row.get("Statut") == "à jour"
        assert row.get("Voix") == 2
        due = row.get("Échéance")
        expected = dt.date(2027, 11, 14)
        assert due == (
            dt.datetime.combine(expected, dt.time())
            if book.kind == "xlsx"
            else (expected - dt.date(1899, 12, 30)).days
        )

    def test_a_hosted_member_pays_by_the_square_metre(self, make_book):
        """16 m² × 10 € = 160 € HT for the member occupying Bureau 1; 10 votes."""
        book = make_book(workbook())
        sync(book)
        row = next(r for r in book.open().read()["Membres"].rows if r.id == "M0002")
        assert (row.get("Cotisation HT"), row.get("Cotisation TTC"), row.get("Voix")) == (160, 192, 10)
        assert row.get("Statut") == "à renouveler"

    def test_a_row_without_id_gets_the_next_one(self, make_book):
        """The new member gets M0005, after the highest ID in the tab."""
        book = make_book(workbook())
        result = sync(book)
        assert [n.new_id for n in result.ids_assigned] == ["M0005"]
        assert column(book.grid("Membres"), "Structure")["M0005"] == "Nouveau Label"

    def test_anomalies_are_written_on_the_row_in_french(self, make_book):
        """The bad address is explained on its own row; fine rows stay blank."""
        book = make_book(workbook())
        sync(book)
        anomalies = column(book.grid("Membres"), "Anomalies")
        assert "e-mail invalide" in anomalies["M0004"] and "tom@mail,fr" in anomalies["M0004"]
        assert anomalies["M0001"] in (None, "")

    def test_the_run_is_logged_in_journal(self, make_book):
        """A run that changed something appends one Journal line with the counts and the new IDs."""
        book = make_book(workbook())
        result = sync(book)
        journal = book.grid("Journal")
        assert journal[0] == ["Date", "Tâche", "Résultat", "Détails"]
        assert len(journal) == 2 and result.journal
        assert journal[1][1:3] == ["synchronisation", "succès"]
        assert "M0005" in journal[1][3] and "cellule(s) écrite(s)" in journal[1][3]

    def test_staff_cells_are_unchanged(self, make_book):
        """Every staff column, including a formula typed in Notes, is as before."""
        book = make_book(workbook())
        before = book.grid("Membres")
        sync(book)
        after = book.grid("Membres")
        for name in MEMBERS_HEADER[1:]:
            i = after[0].index(name)
            assert [line[i] if i < len(line) else None for line in after[1:]] == [
                line[i] if i < len(line) else None for line in before[1:]
            ]


class TestSecondRun:
    def test_a_second_run_writes_nothing_and_leaves_no_trace(self, make_book):
        """Right after a sync, another one sends no write request and adds no Journal line."""
        book = make_book(workbook())
        sync(book)
        journal = book.grid("Journal")
        if book.kind == "google":
            book.emulator.reset_requests()
        second = sync(book)
        assert second.cells_written == 0 and not second.ids_assigned and not second.journal
        assert writes(book) == 0
        assert book.grid("Journal") == journal

    def test_a_fixed_row_has_its_anomaly_cleared(self, make_book):
        """Once the address is corrected, the next sync empties the Anomalies cell."""
        book = make_book(workbook())
        sync(book)
        row = next(i for i, line in enumerate(book.grid("Membres"), start=1) if line[0] == "M0004")
        book.edit("Membres", {(row, 4): "tom@mail.fr"})
        sync(book)
        assert column(book.grid("Membres"), "Anomalies")["M0004"] in (None, "")

    def test_ids_are_never_reused_after_a_row_is_deleted(self, make_book):
        """M0005 deleted, a new row gets M0006, not M0005 again."""
        book = make_book(workbook())
        sync(book)
        grid = book.grid("Membres")
        row = next(i for i, line in enumerate(grid, start=1) if line[0] == "M0005")
        book.edit("Membres", {(row, c): None for c in range(1, len(grid[0]) + 1)})
        end = len(grid) + 1
        book.edit(
            "Membres", {(end, 2): "Encore Un", (end, 3): "Zoé", (end, 4): "z@z.fr", (end, 5): "bénéficiaire"}
        )
        result = sync(book)
        assert [n.new_id for n in result.ids_assigned] == ["M0006"]


class TestDryRun:
    def test_a_dry_run_lists_changes_and_writes_nothing(self, make_book):
        """--simulation shows the IDs and cells that would change, and the workbook stays as it was."""
        book = make_book(workbook())
        before = {t: book.grid(t) for t in ("Membres", "Tarifs")}
        if book.kind == "google":
            book.emulator.reset_requests()
        result = sync(book, dry_run=True)
        assert [n.new_id for n in result.ids_assigned] == ["M0005"]
        assert any(c.id == "M0001" and c.column == "Statut" and c.after == "à jour" for c in result.changes)
        assert {t: book.grid(t) for t in before} == before
        assert "Journal" not in book.open().tabs()
        assert writes(book) == 0


class TestFailures:
    def test_a_missing_required_column_writes_no_data_and_logs_the_failure(self, make_book):
        """Without « Catégorie », sync refuses, names tab and column, touches no data, logs « échec »."""
        data = workbook()
        data["Membres"] = [
            [c if c != "Catégorie" else "Categ." for c in data["Membres"][0]],
            *data["Membres"][1:],
        ]
        book = make_book(data)
        before = {t: book.grid(t) for t in ("Membres", "Locaux", "Occupations", "Tarifs")}
        with pytest.raises(SchemaError, match="Membres.*Catégorie"):
            sync(book)
        assert {t: book.grid(t) for t in before} == before
        journal = book.grid("Journal")
        assert journal[1][1:3] == ["synchronisation", "échec"] and "Catégorie" in journal[1][3]
