"""`mila synchroniser` keeps the job-owned Listes tab current: written when it changed, created when missing."""

from __future__ import annotations

import datetime as dt

from test_sync import sync, workbook, writes

from automations import schema
from automations.jobs.lists import label, list_columns
from automations.jobs.staff_requests import request_names
from automations.model.dataset import Dataset
from automations.workbook.table import Table

EVENTS: list[list[object]] = [
    ["ID", "Date", "Type", "Titre"],
    ["E042", "14/01/2025", "Club MILA", "Club MILA"],
    ["E043", "03/02/2025", "Afterwork", None],
]
PREMISES: list[list[object]] = [
    ["ID", "Nom", "Site", "Surface m²", "Réservable"],
    ["L01", "Bureau 1", "Pépinière", 16, None],
    ["L29", "Salle de réunion", "Milab", None, "oui"],
]


def book_tabs() -> dict[str, list[list[object]]]:
    tabs = workbook()
    tabs["Locaux"] = PREMISES
    tabs["Événements"] = EVENTS
    return tabs


def listes(book) -> dict[str, list[object]]:
    grid = book.grid("Listes")
    header = grid[0]
    return {
        name: [line[i] for line in grid[1:] if i < len(line) and line[i] is not None]
        for i, name in enumerate(header)
    }


def test_the_labels_are_the_id_a_dash_and_the_name() -> None:
    """Members by structure, premises by name, resources only if bookable, events by title and
    date; each column sorted by name."""
    tables = {title: Table.from_grid(title, grid) for title, grid in book_tabs().items()}
    columns = list_columns(Dataset.from_tables(tables, today=dt.date(2026, 11, 23)))
    # By name, not in the rows' order (the row without ID has none to offer yet).
    assert columns["Membres"] == ["M0004 – Mauvais Mail", "M0001 – Onde Claire", "M0002 – Studio Nord"]
    assert columns["Locaux"] == ["L01 – Bureau 1", "L29 – Salle de réunion"]
    assert columns["Ressources"] == ["L29 – Salle de réunion"]
    assert columns["Événements"] == ["E043 – Afterwork du 03/02/2025", "E042 – Club MILA du 14/01/2025"]
    assert label("M0009", "  ") == "M0009"


def test_sync_creates_the_tab_with_the_ids_it_assigned(make_book) -> None:
    """The first sync writes Listes, the member given M0005 this run included."""
    book = make_book(book_tabs())
    sync(book)
    found = listes(book)
    assert list(found) == ["Membres", "Locaux", "Ressources", "Événements", "Demandes", "Types d'événement"]
    assert tuple(found["Demandes"]) == request_names()  # the dropdown of « Demande »
    assert tuple(found["Types d'événement"]) == schema.EVENT_TYPES  # the dropdown of « Type »
    assert found["Membres"] == [
        "M0004 – Mauvais Mail",
        "M0005 – Nouveau Label",
        "M0001 – Onde Claire",
        "M0002 – Studio Nord",
    ]
    assert found["Ressources"] == ["L29 – Salle de réunion"]


def test_a_second_sync_writes_nothing(make_book) -> None:
    """Listes current: the second sync sends no write request and the tab is as it was."""
    book = make_book(book_tabs())
    sync(book)
    before = book.grid("Listes")
    if book.kind == "google":
        book.emulator.reset_requests()
    sync(book)
    assert writes(book) == 0
    assert book.grid("Listes") == before


def test_a_renamed_member_and_a_removed_event_update_the_tab(make_book) -> None:
    """A new structure name is written; a line no longer wanted is cleared, not left behind."""
    book = make_book(book_tabs())
    sync(book)
    book.edit("Membres", {(2, 2): "Onde Claire Paris"})
    book.edit("Événements", {(3, 1): None, (3, 2): None, (3, 3): None})
    sync(book)
    found = listes(book)
    assert "M0001 – Onde Claire Paris" in found["Membres"]
    assert found["Événements"] == ["E042 – Club MILA du 14/01/2025"]


def test_a_sort_of_membres_writes_nothing_to_listes(make_book) -> None:
    """The labels are sorted by name: a person sorting Membres (rows swapped) leaves Listes as
    it is, and the next sync writes nothing at all."""
    book = make_book(book_tabs())
    sync(book)
    before = book.grid("Listes")
    members = book.grid("Membres")
    book.edit(
        "Membres",
        {
            (row, col + 1): value
            for row, line in ((2, members[2]), (3, members[1]))
            for col, value in enumerate(line)
        },
    )
    if book.kind == "google":
        book.emulator.reset_requests()
    sync(book)
    assert writes(book) == 0
    assert book.grid("Listes") == before


def test_a_labelled_reference_is_read_as_its_id(make_book) -> None:
    """An occupation typed « M0002 – Studio Nord » counts for the member: no unknown-member anomaly."""
    tabs = book_tabs()
    tabs["Occupations"] = [
        ["ID", "Membre", "Local", "Début", "Fin", "Anomalies"],
        ["C001", "M0002 – Studio Nord", "L01 – Bureau 1", "01/09/2022", None, None],
    ]
    book = make_book(tabs)
    sync(book)
    grid = book.grid("Occupations")
    assert len(grid[1]) < 6 or grid[1][5] in (None, "")
    members = book.grid("Membres")
    fee = members[0].index("Cotisation HT")
    assert members[2][fee] == 160  # 16 m² × 10 € for the hosted member, through the occupation


def test_a_workbook_without_rows_gets_no_tab(make_book) -> None:
    """Nothing to offer yet: a sync on header-only tabs creates no Listes tab and writes nothing."""
    tabs = {name: grid[:1] for name, grid in book_tabs().items()}
    book = make_book(tabs)
    if book.kind == "google":
        book.emulator.reset_requests()
    sync(book)
    assert writes(book) == 0
    assert "Listes" not in book.open().tabs()


def test_more_labels_than_a_new_google_tab_has_rows(make_book) -> None:
    """1,200 events need Listes rows beyond the 1,000 of a new Google tab: the grid grows, the
    labels are all there, and the next sync writes nothing."""
    tabs = book_tabs()
    tabs["Événements"] = [EVENTS[0]] + [
        [f"E{n:03d}", dt.date(2025, 1, 1) + dt.timedelta(days=n % 300), "Club MILA", f"Club {n}"]
        for n in range(1, 1201)
    ]
    book = make_book(tabs)
    sync(book)
    found = listes(book)
    assert len(found["Événements"]) == 1200 and any(
        str(t).startswith("E1200 – Club 1200") for t in found["Événements"]
    )
    if book.kind == "google":
        book.emulator.reset_requests()
    sync(book)
    assert writes(book) == 0


def test_the_prepared_xlsx_offers_every_event_type_from_listes(tmp_path) -> None:
    """The event types are longer than the 255 characters Excel allows a list typed into a
    validation: the dropdown of « Type » is drawn from the Listes column « Types d'événement »."""
    from conftest import XlsxBook
    from openpyxl import load_workbook

    from automations.clock import FixedClock
    from automations.jobs.prepare import run_prepare
    from automations.workbook import Workbook
    from automations.workbook.xlsx import XlsxBackend

    assert len(",".join(schema.EVENT_TYPES)) > 255
    book = XlsxBook(tmp_path, book_tabs())
    today = dt.date(2026, 11, 23)
    run_prepare(Workbook(XlsxBackend(book.path)), today=today, clock=FixedClock(dt.datetime(2026, 11, 23, 9)))
    saved = load_workbook(book.path)
    column = next(c for c in saved["Listes"][1] if c.value == "Types d'événement").column_letter
    assert tuple(c.value for c in saved["Listes"][column][1:] if c.value) == schema.EVENT_TYPES
    [type_validation] = [v for v in saved["Événements"].data_validations.dataValidation if "C2" in v.sqref]
    assert type_validation.type == "list"
    assert type_validation.formula1.replace("'", "").startswith(f"Listes!${column}$2:${column}$")
