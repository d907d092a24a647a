"""`mila preparer` applies SHEETS.md to the sheet: dropdowns, notes, formats, protections, once."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from conftest import GoogleBook, XlsxBook
from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from test_lists import book_tabs
from test_sync import sync

from automations import schema
from automations.cli import main
from automations.clock import FixedClock
from automations.jobs.prepare import TASK, run_prepare
from automations.workbook import Workbook
from automations.workbook.google_prepare import read_state
from automations.workbook.xlsx import XlsxBackend

TODAY = dt.date(2026, 11, 23)
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 30))


def prepare(book):
    return run_prepare(book.open(), today=TODAY, clock=CLOCK)


def posts(book) -> list[str]:
    """The write requests the emulator received for this book."""
    return [r.path for r in book.emulator.requests if r.method == "POST" and book.key in r.path]


def all_grids(book, titles) -> dict[str, list[list[object]]]:
    return {title: book.grid(title) for title in titles}


def cached_values(path: Path) -> dict[str, list[list[object]]]:
    """Every tab as the backend reads it (formulas' stored results, not the formulas)."""
    backend = XlsxBackend(path)
    titles = backend.titles()
    return backend.fetch(titles, {})


def synced_book(make_book):
    tabs = book_tabs()
    tabs["Demandes"] = [[c.name for c in schema.DEMANDES.columns]]  # else the first run creates it
    book = make_book(tabs)
    sync(book)
    return book


@pytest.fixture
def google_book(emulator, tmp_path):
    """The synced test workbook on the Sheets emulator only."""
    return synced_book(lambda tabs: GoogleBook(emulator, tabs))


@pytest.fixture
def xlsx_book(tmp_path):
    """The synced test workbook as a local .xlsx only."""
    return synced_book(lambda tabs: XlsxBook(tmp_path, tabs))


STAFF_TABS = ("Membres", "Locaux", "Occupations", "Événements", "Tarifs")


class TestOnceAndOnlyOnce:
    def test_a_second_run_writes_nothing(self, make_book):
        """Right after a preparation, another sends no write request (Google) and leaves the file's bytes (.xlsx)."""
        book = synced_book(make_book)
        first = prepare(book)
        assert first.changed and first.journal
        if book.kind == "google":
            book.emulator.reset_requests()
            second = prepare(book)
            assert posts(book) == []
        else:
            before = hashlib.sha256(book.path.read_bytes()).digest()
            second = prepare(book)
            assert hashlib.sha256(book.path.read_bytes()).digest() == before
        assert not second.changed and not second.journal

    def test_google_gets_one_batch_update(self, google_book):
        """On Google Sheets the presentation is one batchUpdate, the Journal line one append;
        before them, the report's prompt rows of Textes: its new « Consigne » column (the grid
        widened, the header written), then one append."""
        book = google_book
        book.emulator.reset_requests()
        prepare(book)
        sheet = f"/v4/spreadsheets/{book.key}"
        assert posts(book) == [
            f"{sheet}:batchUpdate",
            f"{sheet}/values:batchUpdate",
            f"{sheet}/values/'Textes'!A1:append",
            f"{sheet}:batchUpdate",
            f"{sheet}/values/'Journal'!A1:append",
        ]

    def test_every_staff_cell_is_unchanged(self, make_book):
        """Every cell of every tab, compared one by one, is the same before and after."""
        book = synced_book(make_book)
        before = all_grids(book, STAFF_TABS)
        cached = cached_values(book.path) if book.kind == "xlsx" else None
        prepare(book)
        assert all_grids(book, STAFF_TABS) == before
        if cached is not None:
            after = cached_values(book.path)
            assert {t: after[t] for t in STAFF_TABS} == {t: cached[t] for t in STAFF_TABS}

    def test_the_journal_line_names_the_task(self, make_book):
        """The run that changed something appends « préparation du classeur » to Journal."""
        book = synced_book(make_book)
        prepare(book)
        journal = book.grid("Journal")
        assert journal[-1][1:3] == [TASK, "succès"] and TASK == "préparation du classeur"


def sheet_state(book) -> dict[str, dict]:
    backend = book.open().backend
    return {s["properties"]["title"]: s for s in read_state(backend)}


def cell(sheet: dict, row: int, col: int) -> dict:
    rows = sheet["data"][0].get("rowData", [])
    values = rows[row].get("values", []) if row < len(rows) else []
    return values[col] if col < len(values) else {}


class TestGoogle:
    @pytest.fixture
    def book(self, google_book):
        book = google_book
        prepare(book)
        return book

    def test_choice_and_yes_no_columns_get_a_lenient_dropdown(self, book):
        """Catégorie offers the three categories, Option Crescendo oui/non; strict false, shown as chips."""
        membres = sheet_state(book)["Membres"]
        header = book.grid("Membres")[0]
        rule = cell(membres, 1, header.index("Catégorie"))["dataValidation"]
        assert rule["condition"] == {
            "type": "ONE_OF_LIST",
            "values": [{"userEnteredValue": v} for v in ("hébergé", "bénéficiaire", "membre de droit")],
        }
        assert rule["strict"] is False and rule["showCustomUi"] is True
        crescendo = cell(membres, 1, header.index("Option Crescendo"))["dataValidation"]
        assert [v["userEnteredValue"] for v in crescendo["condition"]["values"]] == ["oui", "non"]

    def test_reference_columns_draw_from_listes(self, book):
        """Occupations' Membre and Local offer the Listes columns A and B."""
        occupations = sheet_state(book)["Occupations"]
        member = cell(occupations, 1, 1)["dataValidation"]["condition"]
        premises = cell(occupations, 1, 2)["dataValidation"]["condition"]
        assert member == {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "='Listes'!$A$2:$A"}]}
        assert premises["values"][0]["userEnteredValue"] == "='Listes'!$B$2:$B"

    def test_headers_have_notes_and_the_header_row_is_frozen(self, book):
        """Each header says what it holds; a computed column says not to edit it."""
        membres = sheet_state(book)["Membres"]
        header = book.grid("Membres")[0]
        assert membres["properties"]["gridProperties"]["frozenRowCount"] == 1
        assert "Saisie obligatoire." in cell(membres, 0, header.index("Email"))["note"]
        assert "Calculée par mila : ne pas modifier." in cell(membres, 0, header.index("Statut"))["note"]

    def test_computed_columns_and_owned_tabs_are_protected_with_a_warning_only(self, book):
        """Each computed column of Membres and the whole Journal and Listes tabs: warningOnly."""
        state = sheet_state(book)
        header = book.grid("Membres")[0]
        ranges = state["Membres"]["protectedRanges"]
        assert all(p["warningOnly"] for p in ranges)
        columns = sorted(p["range"]["startColumnIndex"] for p in ranges)
        calc = ["Cotisation HT", "Cotisation TTC", "Échéance", "Statut", "Voix", "Anomalies"]
        assert columns == sorted(header.index(n) for n in calc)
        for tab in ("Journal", "Listes"):
            (whole,) = state[tab]["protectedRanges"]
            assert whole["warningOnly"] and set(whole["range"]) == {"sheetId"}

    def test_dates_and_amounts_get_french_formats_and_statut_is_coloured(self, book):
        """Adhésion le shows dd/mm/yyyy, Cotisation HT euros; échue, à renouveler and Anomalies coloured."""
        membres = sheet_state(book)["Membres"]
        header = book.grid("Membres")[0]
        date = cell(membres, 1, header.index("Adhésion le"))["userEnteredFormat"]["numberFormat"]
        euro = cell(membres, 1, header.index("Cotisation HT"))["userEnteredFormat"]["numberFormat"]
        assert date == {"type": "DATE", "pattern": "dd/mm/yyyy"}
        assert euro["type"] == "CURRENCY" and "€" in euro["pattern"]
        conditions = {
            (r["ranges"][0]["startColumnIndex"], str(r["booleanRule"]["condition"]))
            for r in membres["conditionalFormats"]
        }
        statut, anomalies = header.index("Statut"), header.index("Anomalies")
        assert (anomalies, str({"type": "NOT_BLANK"})) in conditions
        assert {c for c, _ in conditions} == {statut, anomalies}
        assert len(conditions) == 3


REORDERED: list[object] = [
    "Email",
    "Anomalies",
    "Catégorie",
    "Structure",
    "Notes",
    "ID",
    "Contact",
    "Adhésion le",
    "Statut",
]


def reordered_tabs() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            REORDERED,
            [
                "lea@onde.fr",
                None,
                "bénéficiaire",
                "Onde Claire",
                "=1+1",
                "M0001",
                "Léa Morel",
                "10/01/2023",
                None,
            ],
            ["paul@nord.fr", "vieux", "hébergé", "Studio Nord", None, "M0002", "Paul Roux", 44800, "échue"],
        ],
    }


def stored(grid: list[list[object]]) -> list[list[object]]:
    """Cells as the file stores them: a number shown as a date is still that number."""
    return [[to_excel(v) if isinstance(v, dt.datetime) else v for v in line] for line in grid]


def test_columns_reordered_by_the_staff_get_their_own_presentation(make_book):
    """Dropdown, protection and colour follow the headers wherever they stand; values unchanged."""
    book = make_book(reordered_tabs())
    before = book.grid("Membres")
    prepare(book)
    # The number 44800 typed in « Adhésion le » now shows as 27/08/2022: the same stored number.
    assert stored(book.grid("Membres")) == stored(before)
    category, anomalies = REORDERED.index("Catégorie"), REORDERED.index("Anomalies")
    if book.kind == "google":
        membres = sheet_state(book)["Membres"]
        assert cell(membres, 1, category)["dataValidation"]["condition"]["values"][0] == {
            "userEnteredValue": "hébergé"
        }
        assert "dataValidation" not in cell(membres, 1, REORDERED.index("Notes"))
        assert {p["range"]["startColumnIndex"] for p in membres["protectedRanges"]} == {
            anomalies,
            REORDERED.index("Statut"),
        }
    else:
        ws = load_workbook(book.path)["Membres"]
        rules = {str(d.sqref): (d.type, d.formula1) for d in ws.data_validations.dataValidation}
        assert rules["C2:C1048576"] == ("list", '"hébergé,bénéficiaire,membre de droit"')
        assert rules["B1:B1048576"][0] == "custom" and rules["I1:I1048576"][0] == "custom"
        assert not any(ref.startswith("E") for ref in rules)
        assert ws["B1"].comment is not None and "Calculée par mila" in ws["B1"].comment.text


class TestXlsxOpened:
    @pytest.fixture
    def sheet(self, xlsx_book):
        book = xlsx_book
        prepare(book)
        return load_workbook(book.path)

    def test_dropdowns_warnings_and_notes_are_there(self, sheet):
        """openpyxl sees the lists, the warning-style rules on computed columns, and the notes."""
        ws = sheet["Membres"]
        header = [c.value for c in ws[1]]
        letter = {name: ws.cell(row=1, column=i + 1).column_letter for i, name in enumerate(header)}
        rules = {str(d.sqref): d for d in ws.data_validations.dataValidation}
        category = rules[f"{letter['Catégorie']}2:{letter['Catégorie']}1048576"]
        assert category.type == "list" and category.errorStyle == "warning" and category.showErrorMessage
        statut = rules[f"{letter['Statut']}1:{letter['Statut']}1048576"]
        assert statut.type == "custom" and statut.errorStyle == "warning" and "calculée" in statut.error
        assert ws.freeze_panes == "A2"
        assert ws[f"{letter['Email']}1"].comment.text.startswith("Adresse où partent les relances.")
        assert ws[f"{letter['Email']}1"].comment.author == "mila"
        occupations = sheet["Occupations"]
        refs = {str(d.sqref): d.formula1 for d in occupations.data_validations.dataValidation}
        assert refs["B2:B1048576"] == "'Listes'!$A$2:$A$1048576"

    def test_formats_widths_and_colours_are_there(self, sheet):
        """Adhésion le cells show dd/mm/yyyy, Cotisation HT in euros, Statut coloured, columns widened."""
        ws = sheet["Membres"]
        header = [c.value for c in ws[1]]
        joined = ws.cell(row=2, column=header.index("Adhésion le") + 1)
        fee = ws.cell(row=2, column=header.index("Cotisation HT") + 1)
        assert joined.number_format.upper().startswith("DD/MM/YYYY")
        assert "€" in fee.number_format
        statut_letter = ws.cell(row=1, column=header.index("Statut") + 1).column_letter
        ranges = {str(r.sqref) for r in ws.conditional_formatting}
        assert f"{statut_letter}2:{statut_letter}1048576" in ranges
        assert ws.column_dimensions["B"].width >= 20
        journal = sheet["Journal"]
        (whole,) = journal.data_validations.dataValidation
        assert str(whole.sqref) == "A1:XFC1048576" and whole.errorStyle == "warning"


@pytest.mark.xdist_group("demo")  # with test_demo: one process opens the demo with openpyxl
def test_the_demo_comes_out_prepared(demo: Path, demo_opened, capsys):
    """The demo workbook has its dropdowns and notes; once prepared, `mila preparer` says that
    the workbook was already prepared and changes no byte."""
    ws = demo_opened["Membres"]
    assert ws.freeze_panes == "A2" and ws["A1"].comment is not None
    assert any(d.type == "list" for d in ws.data_validations.dataValidation)
    before = demo.read_bytes()
    result = run_prepare(Workbook(XlsxBackend(demo)), today=TODAY, clock=CLOCK)
    # Only the Journal tab, which the demo does not ship, is new.
    assert set(result.changes) <= {"frozen", "width", "protection"}
    second = demo.read_bytes()
    assert second != before
    capsys.readouterr()
    assert main(["preparer", "--classeur", str(demo)]) == 0
    assert "le classeur était déjà préparé : rien n'a été écrit" in capsys.readouterr().out
    assert demo.read_bytes() == second


def test_preparing_keeps_every_demo_value(demo_synced: Path):
    """On the demo after a sync, preparing again leaves every cell value and stored result as it
    was; it only adds, after the staff's texts, the report's prompt rows still missing (an empty
    « Texte », a « Consigne »), none for a part the demo's texts already hold."""
    copy = demo_synced
    before = cached_values(copy)
    assert main(["preparer", "--classeur", str(copy)]) == 0
    after = cached_values(copy)
    assert {t: g for t, g in after.items() if t not in ("Journal", "Textes")} == {
        t: g for t, g in before.items() if t not in ("Journal", "Textes")
    }
    texts = before["Textes"]
    assert after["Textes"][: len(texts)] == texts
    added = after["Textes"][len(texts) :]
    header = texts[0]
    assert added and all(
        row[header.index("Texte")] is None and row[header.index("Consigne")] for row in added
    )
    written = {(row[1], row[2]) for row in texts[1:] if row[0] == 2025}
    assert not {(row[1], row[2]) for row in added} & written


def test_a_rule_given_back_in_googles_own_spelling_is_not_sent_again():
    """``=Listes!$A$2:$A`` without quotes and ``strict`` left out mean the rule is already there."""
    from automations.workbook.google_prepare import plan_requests

    header = [{"formattedValue": "ID"}, {"formattedValue": "Membre"}]
    rule = {
        "condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "=Listes!$A$2:$A"}]},
        "showCustomUi": True,
    }
    occupations = {
        "properties": {"sheetId": 7, "title": "Occupations", "gridProperties": {"frozenRowCount": 1}},
        "data": [{"rowData": [{"values": header}, {"values": [{}, {"dataValidation": rule}]}]}],
    }
    requests = plan_requests([occupations], "Listes")
    assert not any("setDataValidation" in r for r in requests)
    assert any("updateCells" in r for r in requests)  # the notes are still missing


def test_a_missing_demandes_tab_is_created_with_the_requests_dropdown(tmp_path) -> None:
    """`mila preparer` creates Demandes with its headers; its « Demande » column lists exactly
    the requests the jobs know (docs/demandes.md), from the Listes column « Demandes » (typed
    into the validation, the list would pass Excel's 255 characters)."""
    from openpyxl import load_workbook

    from automations.jobs.staff_requests import request_names

    book = XlsxBook(tmp_path, book_tabs())
    result = prepare(book)
    assert result.changes["tab"] == 1
    sheet = load_workbook(book.path)["Demandes"]
    assert [c.value for c in sheet[1]] == [c.name for c in schema.DEMANDES.columns]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if "B" in str(v.sqref)]
    assert lists == ["'Listes'!$E$2:$E$1048576"]
    listes = load_workbook(book.path)["Listes"]
    assert listes["E1"].value == "Demandes"
    assert tuple(c.value for c in listes["E"][1:] if c.value) == request_names()
