"""No ID is ever handed out twice (issue 20), even after a person deleted the row that held it.

For each kind (``M``, ``L``, ``C``, ``R``, ``E``, ``I``, ``P``, receipt numbers) and each way
one is given (``mila synchroniser`` on a row typed without ID, a form answer, a payments
import, ``docs recus``): rows are given IDs, the row holding the highest is deleted (a
row removed in the .xlsx with openpyxl, or from the in-memory grid), a new row comes, and
the job runs again: the deleted ID is not given again. The payments jobs leave one
``Journal`` line per run that appended rows, naming the IDs, and none otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import FEE_HISTORY, Grid, XlsxBook
from openpyxl import load_workbook

from automations import schema
from automations.cli import main
from automations.clock import FixedClock
from automations.config import load_settings
from automations.errors import WorkbookError
from automations.jobs.context import RunContext
from automations.jobs.payments import run_helloasso, run_import, run_takeover
from automations.jobs.registry import JOBS
from automations.payments.records import FileRead, Incoming
from automations.rules.ids import highest_mentioned, receipts_in_journal
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook
from automations.workbook.xlsx import XlsxBackend
from tests.support.memory_backend import MemoryBackend

TODAY = dt.date(2026, 11, 23)
DATE = TODAY.isoformat()
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 0))
POLICY = MembershipPolicy()
JOURNAL_HEADER = [c.name for c in schema.JOURNAL.columns]
TARIFS: Grid = cast(Grid, FEE_HISTORY)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command runs from an empty folder (its logs/ and state land there)."""
    monkeypatch.chdir(tmp_path)
    for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)


def mila(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


# -- two backends, edited as a person would ---------------------------------------------


class Book:
    """A workbook on the .xlsx backend (run through the `mila` command) or in memory (run
    through the job's entry), with a person's edits: delete a row, add one."""

    def __init__(self, kind: str, folder: Path, tabs: dict[str, Grid]) -> None:
        self.kind = kind
        if kind == "xlsx":
            self.xlsx = XlsxBook(folder, tabs)
        else:
            self.memory = MemoryBackend(tabs)

    def open(self) -> Workbook:
        return self.xlsx.open() if self.kind == "xlsx" else Workbook(self.memory)

    def grid(self, tab: str) -> Grid:
        if self.kind == "xlsx":
            return self.xlsx.grid(tab)
        return [list(line) for line in self.memory.grids[tab]]

    def ids(self, tab: str) -> list[str]:
        return [str(line[0]) for line in self.grid(tab)[1:] if line and line[0]]

    def delete_row(self, tab: str, row_id: str) -> None:
        """The row holding ``row_id`` removed, the rows below moving up."""
        number = next(i for i, line in enumerate(self.grid(tab), start=1) if line and line[0] == row_id)
        if self.kind == "xlsx":
            wb = load_workbook(self.xlsx.path)
            wb[tab].delete_rows(number)
            wb.save(self.xlsx.path)
        else:
            del self.memory.grids[tab][number - 1]

    def add_row(self, tab: str, values: dict[str, object]) -> None:
        header = self.grid(tab)[0]
        line: list[Any] = [values.get(str(name)) for name in header]
        if self.kind == "xlsx":
            wb = load_workbook(self.xlsx.path)
            ws = wb[tab]
            last = max((i for i, r in enumerate(ws.iter_rows(values_only=True), 1) if any(r)), default=1)
            for column, value in enumerate(line, start=1):
                ws.cell(row=last + 1, column=column).value = value
            wb.save(self.xlsx.path)
        else:
            self.memory.grids[tab].append(line)

    def journal(self) -> list[dict[str, Any]]:
        grid = self.grid("Journal") if "Journal" in self.titles() else []
        return [dict(zip(grid[0], line, strict=False)) for line in grid[1:] if any(line)]

    def titles(self) -> list[str]:
        return self.open().tabs()

    def sync(self) -> None:
        if self.kind == "xlsx":
            code, out = mila("synchroniser", "--classeur", str(self.xlsx.path), "--date", DATE)
            assert code == 0, out
        else:  # the scheduler's entry: form answers in, then the sync
            settings = load_settings(env={}, cwd=Path.cwd())
            JOBS["sync"].entry(RunContext(settings, CLOCK, workbook=self.open()))


@pytest.fixture(params=["xlsx", "memory"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[dict[str, Grid]], Book]:
    def build(tabs: dict[str, Grid]) -> Book:
        return Book(request.param, tmp_path, tabs)

    return build


# -- IDs given by `mila synchroniser` to rows typed without one --------------------------

MEMBER = {
    "Contact": "Ana",
    "Email": "ana@exemple.fr",
    "Catégorie": "bénéficiaire",
    "Forfait": "BASIC",
    "Adhésion le": "01/01/2026",
}
# A row of each tab, typed by the staff without ID (``n`` makes each row different).
TYPED = {
    "Membres": lambda n: {**MEMBER, "Structure": f"Structure {n}", "Email": f"s{n}@exemple.fr"},
    "Locaux": lambda n: {"Nom": f"Salle {n}", "Site": "Pépinière"},
    "Occupations": lambda n: {"Membre": "M0001", "Local": "L01", "Début": f"0{n}/01/2026"},
    "Réservations": lambda n: {
        "Ressource": "L01",
        "Membre": "M0001",
        "Début": f"1{n}/12/2026 10:00",
        "Fin": f"1{n}/12/2026 12:00",
    },
    "Événements": lambda n: {"Date": f"1{n}/12/2026", "Type": "Club MILA", "Titre": f"Club {n}"},
    "Inscriptions": lambda n: {"Événement": "E001", "Membre": "M0001", "Inscrit le": f"0{n}/11/2026 10:00"},
    "Paiements": lambda n: {
        "Date": f"0{n}/11/2026",
        "Payeur": f"Mairie {n}",
        "Montant": 10 * n,
        "Objet": "don",
    },
}
PREFIXES = {"Membres": "M", "Locaux": "L", "Occupations": "C", "Réservations": "R", "Événements": "E"}
PREFIXES |= {"Inscriptions": "I", "Paiements": "P"}


def typed_workbook(tab: str) -> dict[str, Grid]:
    """M0001, L01 and E001 to refer to, and in ``tab`` two rows without ID."""
    tabs: dict[str, Grid] = {
        "Membres": [["ID", "Structure", *MEMBER], ["M0001", "Le Fair", *MEMBER.values()]],
        "Locaux": [["ID", "Nom", "Site"], ["L01", "Bureau 1", "Pépinière"]],
        "Événements": [["ID", "Date", "Type", "Titre"], ["E001", "10/12/2026", "Club MILA", "Club"]],
        "Tarifs": TARIFS,
        "Journal": [JOURNAL_HEADER],
    }
    if tab not in tabs:
        tabs[tab] = [["ID", *TYPED[tab](1)]]
    for n in (1, 2):
        tabs[tab].append([None, *(TYPED[tab](n)[str(name)] for name in tabs[tab][0][1:])])
    return tabs


@pytest.mark.parametrize("tab", list(TYPED))
def test_sync_never_gives_a_deleted_rows_id_again(make, tab: str) -> None:
    """M, L, C, R, E, I, P: the highest ID's row deleted, the next row typed gets the one after."""
    book = make(typed_workbook(tab))
    book.sync()
    ids = book.ids(tab)
    prefix = PREFIXES[tab]
    width = getattr(schema, _CONTRACT[tab]).id_width
    highest = max(ids, key=lambda i: int(i[1:]))
    assert all(i.startswith(prefix) for i in ids) and len(ids) >= 2
    book.delete_row(tab, highest)
    book.add_row(tab, TYPED[tab](3))
    book.sync()
    after = book.ids(tab)
    assert highest not in after
    assert f"{prefix}{int(highest[1:]) + 1:0{width}d}" in after
    assert len(after) == len(ids)


_CONTRACT = {
    "Membres": "MEMBRES",
    "Locaux": "LOCAUX",
    "Occupations": "OCCUPATIONS",
    "Réservations": "RESERVATIONS",
    "Événements": "EVENEMENTS",
    "Inscriptions": "INSCRIPTIONS",
    "Paiements": "PAIEMENTS",
}


# -- IDs given to form answers (Inscriptions, Membres) -------------------------------------

FORM = "Inscriptions (formulaire)"
REQUESTS = "Adhésions (formulaire)"


def forms_workbook() -> dict[str, Grid]:
    header = ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le"]
    members = [
        [
            f"M{n:04d}",
            f"Studio {n}",
            f"Contact {n}",
            f"c{n}@studio{n}.fr",
            "bénéficiaire",
            "BASIC",
            "01/01/2026",
        ]
        for n in range(1, 6)
    ]
    return {
        "Membres": [header, *members],
        "Événements": [
            ["ID", "Date", "Type", "Titre", "Capacité"],
            ["E001", "04/03/2027", "Club MILA", "Conférence", 100],
        ],
        "Inscriptions": [["ID", "Événement", "Membre", "Inscrit le", "Statut"]],
        "Tarifs": TARIFS,
        "Journal": [JOURNAL_HEADER],
        FORM: [
            ["Horodateur", "Adresse e-mail", "Événement"],
            ["20/11/2026 10:00:00", "c1@studio1.fr", "E001"],
            ["20/11/2026 11:00:00", "c2@studio2.fr", "E001"],
        ],
        REQUESTS: [
            ["Horodateur", "Adresse e-mail", "Structure", "Nom et prénom"],
            ["21/11/2026 10:00:00", "a@ondes.fr", "Les Ondes", "Inès Faure"],
            ["21/11/2026 11:00:00", "b@rives.fr", "Les Rives", "Tom Rey"],
        ],
    }


def test_form_answers_never_get_a_deleted_rows_id_again(make) -> None:
    """I and M given to form answers: the Journal names them; I0002 and M0007 deleted, the
    next answers get I0003 and M0008."""
    book = make(forms_workbook())
    book.sync()
    assert book.ids("Inscriptions") == ["I0001", "I0002"]
    assert book.ids("Membres")[-2:] == ["M0006", "M0007"]
    details = " ".join(str(line["Détails"]) for line in book.journal())
    assert "Inscriptions : I0001 et I0002" in details and "Membres : M0006 et M0007" in details
    book.delete_row("Inscriptions", "I0002")
    book.delete_row("Membres", "M0007")
    book.add_row(
        FORM, {"Horodateur": "22/11/2026 10:00:00", "Adresse e-mail": "c3@studio3.fr", "Événement": "E001"}
    )
    book.add_row(
        REQUESTS,
        {
            "Horodateur": "22/11/2026 10:00:00",
            "Adresse e-mail": "c@cap.fr",
            "Structure": "Le Cap",
            "Nom et prénom": "Eva",
        },
    )
    book.sync()
    assert book.ids("Inscriptions") == ["I0001", "I0003"]
    assert book.ids("Membres")[-2:] == ["M0006", "M0008"]


# -- P given by the payments imports; their Journal line ---------------------------------------

MEMBERS: Grid = [
    [
        "ID",
        "Structure",
        "Contact",
        "Email",
        "Catégorie",
        "Forfait",
        "Adhésion le",
        "Cotisation payée le",
        "Montant payé",
    ],
    [
        "M0001",
        "Le Fair",
        "Awa Diallo",
        "contact@lefair.fr",
        "bénéficiaire",
        "BASIC",
        "01/01/2023",
        "10/01/2026",
        144,
    ],
    [
        "M0002",
        "Atelier Ficelle",
        "Jean Martin",
        "jean@ficelle.fr",
        "bénéficiaire",
        "BASIC",
        "01/01/2023",
        None,
        None,
    ],
]
LEDGER = ["ID", "Date", "Membre", "Payeur", "Montant", "Moyen", "Objet", "Référence", "Source"]
STATEMENT_HEADER = "Date;Libellé;Débit;Crédit;\n"


def ledger_workbook(journal: bool = True) -> dict[str, Grid]:
    tabs: dict[str, Grid] = {"Membres": MEMBERS, "Tarifs": TARIFS, "Paiements": [LEDGER]}
    if journal:
        tabs["Journal"] = [JOURNAL_HEADER]
    return tabs


def statement(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text(STATEMENT_HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


FIRST = ["10/11/2026;VIR DE LE FAIR COTISATION M0001;;144,00;", "11/11/2026;VIR DE MAIRIE;;50,00;"]
FIRST += ["12/11/2026;VIR DE ATELIER FICELLE M0002;;144,00;"]
SECOND = ["15/11/2026;VIR DE DONATEUR;;20,00;"]


def payments_journal(book: Book) -> list[dict[str, Any]]:
    return [line for line in book.journal() if line["Tâche"] == "paiements"]


def import_files(book: Book, *files: Path) -> tuple[int, str]:
    if book.kind == "xlsx":
        return mila(
            "paiements", "importer", *map(str, files), "--classeur", str(book.xlsx.path), "--date", DATE
        )
    result = run_import(book.open(), list(files), today=TODAY, policy=POLICY, clock=CLOCK)
    return (3 if result.journal_lost else 0), ""


def test_an_import_leaves_one_journal_line_naming_its_ids_and_none_when_idle(make, tmp_path: Path) -> None:
    """`paiements importer`: one « succès » line naming P00001 à P00003; the same file again
    appends nothing and writes no line."""
    book = make(ledger_workbook())
    first = statement(tmp_path, "releve.csv", FIRST)
    code, out = import_files(book, first)
    assert code == 0, out
    assert book.ids("Paiements") == ["P00001", "P00002", "P00003"]
    lines = payments_journal(book)
    assert len(lines) == 1 and lines[0]["Résultat"] == "succès"
    assert "ID attribués : Paiements : P00001 à P00003" in lines[0]["Détails"]
    assert "3 paiement(s) ajouté(s)" in lines[0]["Détails"] and "releve.csv" in lines[0]["Détails"]
    if book.kind == "xlsx":
        assert "Une ligne a été ajoutée à l'onglet Journal." in out
    code, out = import_files(book, first)
    assert code == 0 and len(payments_journal(book)) == 1
    assert "Une ligne a été ajoutée" not in out


def test_a_deleted_imported_payment_gives_its_id_to_no_one(make, tmp_path: Path) -> None:
    """P00003 imported then deleted by a person: the next import gives P00004."""
    book = make(ledger_workbook())
    import_files(book, statement(tmp_path, "releve.csv", FIRST))
    book.delete_row("Paiements", "P00003")
    code, _ = import_files(book, statement(tmp_path, "releve-2.csv", SECOND))
    assert code == 0
    assert book.ids("Paiements") == ["P00001", "P00002", "P00004"]
    assert highest_mentioned(schema.PAIEMENTS, [line["Détails"] for line in book.journal()]) == 4


def test_the_journal_tab_is_created_when_missing(tmp_path: Path) -> None:
    """A workbook without `Journal` gets it, with its header, and the run's line."""
    book = Book("xlsx", tmp_path, ledger_workbook(journal=False))
    code, _ = import_files(book, statement(tmp_path, "releve.csv", SECOND))
    assert code == 0
    assert book.grid("Journal")[0] == JOURNAL_HEADER and len(payments_journal(book)) == 1


def test_a_lost_journal_line_is_said_and_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows are appended but the Journal refuses the line: the command says so, in
    French, and exits with code 3 (no traceback); `mila etat` counts the run as failed."""
    book = Book("xlsx", tmp_path, ledger_workbook())
    original = XlsxBackend.append_rows

    def refuse_journal(self: XlsxBackend, title: str, rows: Any) -> None:
        if title == "Journal":
            raise WorkbookError("le classeur est en lecture seule")
        original(self, title, rows)

    monkeypatch.setattr(XlsxBackend, "append_rows", refuse_journal)
    code, out = import_files(book, statement(tmp_path, "releve.csv", SECOND))
    assert code == 3
    assert "la ligne qui les note dans l'onglet Journal n'a pas pu être écrite" in out
    assert "le classeur est en lecture seule" in out and "Traceback" not in out
    assert book.ids("Paiements") == ["P00001"] and payments_journal(book) == []
    _, status = mila("etat", "--classeur", str(book.xlsx.path))
    assert "ligne du Journal non écrite" in status


def test_takeover_and_helloasso_pull_leave_one_line_each(tmp_path: Path) -> None:
    """`reprendre` and `helloasso` write their line too, and a second pull none."""
    book = Book("memory", tmp_path, ledger_workbook())
    taken = run_takeover(book.open(), today=TODAY, policy=POLICY, clock=CLOCK)
    assert [p.id for p in taken.added] == ["P00001"] and taken.journal

    class Orders:
        def orders(self, since: dt.date, until: dt.date) -> FileRead:
            order = Incoming(
                dt.date(2026, 11, 20), Decimal(144), "HelloAsso 77", "HelloAsso", "HelloAsso API"
            )
            return FileRead("HelloAsso (API)", "HelloAsso API", [order])

    pulled = run_helloasso(book.open(), Orders(), today=TODAY, policy=POLICY, clock=CLOCK)
    again = run_helloasso(book.open(), Orders(), today=TODAY, policy=POLICY, clock=CLOCK)
    assert [p.id for p in pulled.added] == ["P00002"] and again.appended == 0 and not again.journal
    details = [line["Détails"] for line in payments_journal(book)]
    assert len(details) == 2
    assert "Paiements : P00001" in details[0] and "Paiements : P00002" in details[1]


# -- receipt numbers ----------------------------------------------------------------------


def receipts_workbook() -> dict[str, Grid]:
    from test_ledger_receipts import workbook

    return workbook()


@pytest.mark.parametrize("manifest_lost", [False, True])
def test_a_deleted_payments_receipt_number_is_never_given_again(tmp_path: Path, manifest_lost: bool) -> None:
    """2025-002 given, its payment row deleted (and, the second time, the documents folder
    lost with its register): the next 2025 receipt is 2025-003, from the Journal."""
    from test_ledger_receipts import column, receipts

    book = XlsxBook(tmp_path, receipts_workbook())
    first = receipts(book, tmp_path)
    assert column(book, "Reçu n°") == ["2024-001", None, "2025-001", "2025-002", None]
    assert "reçus numérotés : 2024-001, 2025-001 et 2025-002" in " ".join(
        str(line[3]) for line in book.grid("Journal")[1:]
    )
    assert first.numbered == ["2024-001", "2025-001", "2025-002"]
    wb = load_workbook(book.path)
    ws = wb["Paiements"]
    ws.delete_rows(next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "P00004"))
    ws.append(
        ["P00006", "03/03/2025", "M0002", "Studio Nord", 192, "virement", "cotisation", "VIR-10", "saisie"]
    )
    wb.save(book.path)
    if manifest_lost:
        shutil.rmtree(first.folder)
    second = receipts(book, tmp_path)
    assert second.numbered == ["2025-003"]
    assert column(book, "Reçu n°") == ["2024-001", None, "2025-001", None, "2025-003"]


def test_receipt_numbers_are_read_back_from_journal_lines_only_where_named() -> None:
    """Only the part after « reçus numérotés : » counts: a date or a folder is no number."""
    lines = [
        "3 document(s) produit(s) dans /srv/2025-123 ; reçus numérotés : 2024-001, 2025-001 à 2025-004 (0.2 s)",
        "import du 2025-03-04 ; rien",
        None,
    ]
    assert receipts_in_journal(lines) == {2024: 1, 2025: 4}
