"""The workbook interface behaves the same on every backend (.xlsx and Google Sheets)."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.errors import SchemaError
from automations.schema import JOURNAL
from automations.workbook import CellUpdate, NewId

HEADER: list[object] = ["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le", "Notes", "Statut"]


def members() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            HEADER,
            ["M0001", "Label Alpha", "Ana Martin", "ana@alpha.fr", "hébergé", "01/02/2024", "VIP", None],
            [
                "M0002",
                "Bêta Prod",
                "Bruno Petit",
                "bruno@beta.fr",
                "bénéficiaire",
                "03/04/2024",
                "=1+1",
                None,
            ],
            ["M0003", "Gamma", "Chloé Roy", "chloe@gamma.fr", "bénéficiaire", "05/06/2024", None, None],
        ],
        "Brouillon": [["notes libres"], ["à ne pas toucher"]],
    }


def staff_cells(grid: list[list[object]], owned: set[int]) -> list[tuple[int, int, object]]:
    """Every non-empty cell outside the given 1-based job-owned columns."""
    return [
        (r, c, v)
        for r, line in enumerate(grid, start=1)
        for c, v in enumerate(line, start=1)
        if c not in owned and v not in (None, "")
    ]


class TestReading:
    def test_headers_match_ignoring_case_accents_and_spaces(self, make_book):
        """A header typed « echeance » or «  CATEGORIE » is the contract's column."""
        book = make_book(
            {"membres": [["id", "  structure ", "CATEGORIE", "Echeance"], ["M1", "X", "hébergé", None]]}
        )
        table = book.open().read()["Membres"]
        assert table.columns == {"id": 1, "structure": 2, "categorie": 3, "echeance": 4}
        assert table.rows[0].get("Catégorie") == "hébergé"

    def test_blank_rows_are_skipped_and_rows_keep_their_sheet_number(self, make_book):
        """Blank lines in the middle are ignored; each row knows where it stands."""
        book = make_book({"Membres": [HEADER, ["M0001", "A"], [], [None, ""], ["M0002", "B"]]})
        table = book.open().read()["Membres"]
        assert [(r.number, r.id) for r in table.rows] == [(2, "M0001"), (5, "M0002")]

    def test_every_tab_is_listed_and_unknown_tabs_are_read_under_their_title(self, make_book):
        """The staff's own tabs are listed and read, never required."""
        book = make_book(members())
        wb = book.open()
        assert wb.tabs() == ["Membres", "Brouillon"]
        tables = wb.read()
        assert set(tables) == {"Membres", "Brouillon"}
        assert tables["Brouillon"].schema is None

    def test_missing_required_columns_and_duplicates_are_reported(self, make_book):
        """A tab lacking « Email » and holding « Contact » twice says so."""
        book = make_book({"Membres": [["ID", "Structure", "Contact", "contact "], ["M1", "X", "a", "b"]]})
        table = book.open().read()["Membres"]
        assert "Email" in table.missing_required
        assert table.duplicates == ["contact"]


class TestWriting:
    def test_values_land_on_the_row_with_that_id(self, make_book):
        """A value written for M0002 lands on M0002's row and nowhere else."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        result = wb.write([CellUpdate("Membres", "M0002", "Statut", "à jour")])
        assert result.cells_written == 1
        grid = book.grid("Membres")
        assert grid[2][7] == "à jour"
        assert len(grid[1]) < 8 and len(grid[3]) < 8

    def test_rows_sorted_between_read_and_write_get_their_own_values(self, make_book):
        """A person sorting the rows after the read does not shift the values."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        book.reverse_rows("Membres")
        wb.write(
            [
                CellUpdate("Membres", "M0001", "Statut", "statut de M0001"),
                CellUpdate("Membres", "M0003", "Statut", "statut de M0003"),
            ]
        )
        for line in book.grid("Membres")[1:]:
            if line[0] in ("M0001", "M0003"):
                assert line[7] == f"statut de {line[0]}"
            else:
                assert len(line) < 8

    def test_rows_inserted_between_read_and_write_do_not_shift_values(self, make_book):
        """Two rows inserted above a member still leave its value on its own row."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        book.insert_rows("Membres", 2, 2)
        book.edit("Membres", {(2, 1): "M0009", (2, 2): "Nouveau"})
        wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        grid = book.grid("Membres")
        assert grid[3][0] == "M0001" and grid[3][7] == "à jour"
        assert len(grid[1]) < 8

    def test_a_row_whose_id_vanished_is_skipped_and_reported(self, make_book):
        """When M0003 was deleted meanwhile, nothing is written for it and the job says so."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        book.edit("Membres", {(4, c): None for c in range(1, 9)})
        result = wb.write(
            [
                CellUpdate("Membres", "M0003", "Statut", "à jour"),
                CellUpdate("Membres", "M0001", "Statut", "échue"),
            ]
        )
        assert result.cells_written == 1
        assert any("M0003" in s and "disparu" in s for s in result.skipped)
        assert book.grid("Membres")[1][7] == "échue"

    @pytest.mark.parametrize(
        "text", ["=1+1", "+33 6 12 34 56 78", "-5", "@mention", "'quoted", "0612", "01/02/2024", "TRUE"]
    )
    def test_text_is_never_interpreted(self, make_book, text):
        """Text starting like a formula, a number or a date is stored as that very text."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        wb.write([CellUpdate("Membres", "M0001", "Anomalies", text)])
        grid = book.grid("Membres")
        column = grid[0].index("Anomalies")
        assert grid[1][column] == text
        assert book.open().read()["Membres"].rows[0].get("Anomalies") == text

    def test_cells_outside_job_columns_are_identical_after_a_write(self, make_book):
        """Staff cells, formulas included, and other tabs are untouched by a write."""
        book = make_book(members())
        before = {tab: book.grid(tab) for tab in ("Membres", "Brouillon")}
        wb = book.open()
        wb.read()
        wb.write(
            [
                CellUpdate("Membres", r, c, v)
                for r in ("M0001", "M0002", "M0003")
                for c, v in (("Statut", "à jour"), ("Échéance", dt.date(2025, 1, 31)), ("Voix", 2))
            ]
        )
        after = book.grid("Membres")
        owned = {8, after[0].index("Échéance") + 1, after[0].index("Voix") + 1}
        assert staff_cells(after, owned) == staff_cells(before["Membres"], owned)
        assert book.grid("Brouillon") == before["Brouillon"]
        assert before["Membres"][2][6] == "=1+1" and after[2][6] == "=1+1"

    def test_a_missing_job_column_is_added_at_the_end_of_the_header(self, make_book):
        """Writing « Voix » to a tab without it adds the header after the last column."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        result = wb.write([CellUpdate("Membres", "M0002", "voix", 2)])
        header = book.grid("Membres")[0]
        assert header[:8] == HEADER and header[8] == "Voix"
        assert result.columns_added == [("Membres", "Voix")]
        assert book.grid("Membres")[2][8] == 2

    def test_dates_are_written_as_date_cells(self, make_book):
        """A date comes back as a date, not as the text « 2025-01-31 »."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        wb.write([CellUpdate("Membres", "M0001", "Échéance", dt.date(2025, 1, 31))])
        row = book.open().read()["Membres"].rows[0]
        value = row.get("Échéance")
        if book.kind == "google":
            assert value == (dt.date(2025, 1, 31) - dt.date(1899, 12, 30)).days
        else:
            assert value == dt.datetime(2025, 1, 31)

    def test_writing_what_is_already_there_writes_nothing(self, make_book):
        """A second identical write leaves the workbook alone."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        updates = [
            CellUpdate("Membres", "M0001", "Statut", "à jour"),
            CellUpdate("Membres", "M0001", "Échéance", dt.date(2025, 1, 31)),
            CellUpdate("Membres", "M0001", "Voix", 10),
        ]
        wb.write(updates)
        again = book.open()
        again.read()
        assert again.write(updates).cells_written == 0

    def test_a_staff_column_cannot_be_written(self, make_book):
        """Jobs never write a column that belongs to the staff."""
        book = make_book(members())
        wb = book.open()
        wb.read()
        with pytest.raises(ValueError):
            wb.write([CellUpdate("Membres", "M0001", "Email", "x@y.fr")])

    def test_a_duplicated_contract_header_stops_the_write(self, make_book):
        """Two « Statut » columns make the write refuse, naming the tab and column."""
        grid = members()
        grid["Membres"][0] = HEADER + ["statut"]
        book = make_book(grid)
        wb = book.open()
        wb.read()
        before = book.grid("Membres")
        with pytest.raises(SchemaError, match="Membres.*statut"):
            wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        assert book.grid("Membres") == before


class TestIds:
    def test_a_blank_id_is_assigned_on_the_same_row_even_after_a_sort(self, make_book):
        """The new ID goes to the row read without one, wherever it now stands."""
        book = make_book(
            {"Membres": [HEADER, ["M0001", "A", "a"], [None, "Sans ID", "s"], ["M0002", "B", "b"]]}
        )
        wb = book.open()
        table = wb.read()["Membres"]
        blank = next(r for r in table.rows if r.id is None)
        book.reverse_rows("Membres")
        result = wb.write([], [NewId("Membres", blank, "M0003")])
        assert len(result.ids_assigned) == 1
        lines = {line[1]: line[0] for line in book.grid("Membres")[1:]}
        assert lines == {"A": "M0001", "Sans ID": "M0003", "B": "M0002"}

    def test_a_blank_id_row_changed_meanwhile_is_left_for_next_time(self, make_book):
        """When the person edits the row before the ID is written, no ID is guessed."""
        book = make_book({"Membres": [HEADER, [None, "Sans ID", "s"]]})
        wb = book.open()
        blank = wb.read()["Membres"].rows[0]
        book.edit("Membres", {(2, 2): "Renommé"})
        result = wb.write([], [NewId("Membres", blank, "M0001")])
        assert result.ids_assigned == [] and result.skipped
        assert book.grid("Membres")[1][0] in (None, "")

    def test_rows_sharing_an_id_each_get_their_own_message(self, make_book):
        """Two rows with the same ID are told apart by their content, even after a sort."""
        book = make_book(
            {"Membres": [HEADER, ["M0001", "Alpha", "a"], ["M0002", "Bêta", "b"], ["M0001", "Double", "d"]]}
        )
        wb = book.open()
        rows = [r for r in wb.read()["Membres"].rows if r.id == "M0001"]
        book.reverse_rows("Membres")
        wb.write(
            [CellUpdate("Membres", "M0001", "Anomalies", f"ligne {r.get('Structure')}", row=r) for r in rows]
        )
        grid = book.grid("Membres")
        column = grid[0].index("Anomalies")
        assert {line[1]: line[column] for line in grid[1:] if line[0] == "M0001"} == {
            "Alpha": "ligne Alpha",
            "Double": "ligne Double",
        }


class TestTabs:
    def test_a_missing_tab_is_created_with_its_headers_and_rows_appended(self, make_book):
        """Journal is created with the contract's headers, then rows follow one another."""
        book = make_book(members())
        wb = book.open()
        wb.append_rows(
            JOURNAL, [{"Date": dt.datetime(2026, 11, 23, 9, 0), "Tâche": "sync", "Résultat": "=ok"}]
        )
        wb.append_rows(JOURNAL, [{"Tâche": "renewals", "Résultat": "succès", "Détails": "2 envoyées"}])
        grid = book.grid("Journal")
        assert grid[0] == ["Date", "Tâche", "Résultat", "Détails"]
        assert grid[1][1:3] == ["sync", "=ok"]
        assert grid[2][1:4] == ["renewals", "succès", "2 envoyées"]

    def test_a_tab_created_meanwhile_by_another_run_is_used_as_it_is(self, make_book):
        """When Journal appears between the read and the append, rows go under its header."""
        book = make_book(members())
        wb = book.open()
        wb.tabs()
        other = book.open()
        other.append_rows(JOURNAL, [{"Tâche": "autre", "Résultat": "succès"}])
        wb.append_rows(JOURNAL, [{"Tâche": "sync", "Résultat": "succès"}])
        grid = book.grid("Journal")
        assert [line[1] for line in grid[1:]] == ["autre", "sync"]
        assert book.open().tabs().count("Journal") == 1

    def test_appended_rows_follow_the_columns_as_the_staff_ordered_them(self, make_book):
        """When a person moved columns, appended values still go under the right header."""
        book = make_book({"Journal": [["Résultat", "Notes", "Tâche", "Date"], ["ok", "perso", "sync", None]]})
        wb = book.open()
        wb.append_rows(JOURNAL, [{"Tâche": "check", "Résultat": "erreur", "Détails": "x"}])
        grid = book.grid("Journal")
        assert grid[0] == ["Résultat", "Notes", "Tâche", "Date", "Détails"]
        assert grid[1] == ["ok", "perso", "sync"]
        assert grid[2][0] == "erreur" and grid[2][2] == "check" and grid[2][4] == "x"
