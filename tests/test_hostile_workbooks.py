"""Workbooks a person (or an accident) can produce that once crashed a job, wrote where it
should not, or reached the terminal raw: each is a French anomaly or error, on both backends."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from conftest import FEE_HISTORY, GoogleBook
from test_bad_input import cli_args, snapshot

from automations import schema
from automations.cli import JOURNAL_NOT_WRITTEN, main
from automations.clock import FixedClock
from automations.errors import WorkbookUnavailable
from automations.jobs.sync import run_sync
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook

TODAY = dt.date(2025, 6, 15)  # as in test_bad_input.cli_args
CLOCK = FixedClock(dt.datetime(2025, 6, 15, 9, 30))
MEMBER_HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Adhésion le",
    "Cotisation payée le",
    "Montant payé",
]
JOURNAL_HEADER: list[object] = [c.name for c in schema.JOURNAL.columns]
# What a terminal obeys rather than shows (cli._UNSHOWN), newline and tab excepted.
UNSHOWN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def member(n: int, **cells: object) -> list[object]:
    row = {
        "ID": f"M{n:04d}",
        "Structure": f"Structure {n}",
        "Contact": f"Contact {n}",
        "Email": f"m{n}@label.fr",
        "Catégorie": "bénéficiaire",
        "Forfait": "BASIC",
        "Adhésion le": "01/02/2024",
        "Cotisation payée le": "01/07/2024",
        "Montant payé": 144,
    }
    row.update(cells)
    return [row.get(str(h)) for h in MEMBER_HEADER]


def tabs(*members: list[object], **extra: list[list[object]]) -> dict[str, list[list[object]]]:
    """A small workbook: Membres (M0001 plain, then ``members``), Tarifs, and ``extra`` tabs."""
    found: dict[str, list[list[object]]] = {
        "Membres": [MEMBER_HEADER, member(1), *members],
        "Tarifs": FEE_HISTORY,
    }
    found.update({name.replace("_", " "): grid for name, grid in extra.items()})
    return found


def mila(
    book: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: Any, *argv: str
) -> tuple[int, str, str]:
    """Run ``mila argv`` on the book; (exit code, stdout, stderr)."""
    out = io.StringIO()
    options = cli_args(book, monkeypatch, tmp_path)
    if argv[0] == "tabs":
        options = options[:-2]  # no --date
    code = main([*argv, *options], out=out)
    return code, out.getvalue(), capsys.readouterr().err


def sync(wb: Workbook):
    return run_sync(wb, today=TODAY, policy=MembershipPolicy(), clock=CLOCK)


# --------------------------------------------------------------------------- dates out of reach

FAR = dt.datetime(9999, 12, 31)
YEAR_ONE = dt.datetime(1, 1, 1)
OUT_OF_REACH = {  # row of Membres -> value of « Cotisation payée le »
    3: FAR,
    4: YEAR_ONE,
    5: 2958466,
    6: -3,
    7: "31/12/9999",
}


def dates_book(make_book):
    members = [member(n - 1, **{"Cotisation payée le": v}) for n, v in OUT_OF_REACH.items()]
    return make_book(
        tabs(
            *members,
            Locaux=[
                ["ID", "Nom", "Site", "Surface m²", "Réservable", "Tarif jour HT"],
                ["L01", "Bureau 1", "Pépinière", 16, "non", None],
                ["L05", "Salle", "Milab", 40, "oui", 100],
            ],
            Occupations=[
                ["ID", "Membre", "Local", "Début", "Fin"],
                ["C001", "M0001", "L01", "01/09/2022", FAR],
            ],
            Réservations=[
                ["ID", "Ressource", "Membre", "Début", "Fin", "Formule", "Statut"],
                ["R0001", "L05", "M0001", dt.datetime(2025, 6, 20, 9), FAR, "jour", "confirmée"],
                [
                    "R0002",
                    "L05",
                    "M0001",
                    dt.datetime(2025, 6, 21, 9),
                    dt.datetime(1, 1, 1, 10),
                    "jour",
                    "confirmée",
                ],
            ],
            Événements=[
                ["ID", "Date", "Type", "Titre"],
                ["E001", FAR, "Club MILA", "Club"],
                ["E002", "20/06/2025", "Club MILA", "Club de juin"],
            ],
        )
    )


class TestDatesOutOfReach:
    def test_check_names_each_cell_whatever_way_the_date_arrived(
        self, make_book, monkeypatch, tmp_path, capsys
    ):
        """31/12/9999 and year 1 as date cells, serial 2958466, a negative serial, 31/12/9999 as text:
        each is « Date hors limites » on its tab, row and column."""
        book = dates_book(make_book)
        code, out, err = mila(book, monkeypatch, tmp_path, capsys, "check", "--json")
        assert code == 1 and err == ""
        found = {
            (a["tab"], a["row"], a["column"])
            for a in json.loads(out)["anomalies"]
            if a["message"].startswith("Date hors limites")
        }
        expected = {("Membres", row, "Cotisation payée le") for row in OUT_OF_REACH}
        expected |= {
            ("Occupations", 2, "Fin"),
            ("Réservations", 2, "Fin"),
            ("Réservations", 3, "Fin"),
            ("Événements", 2, "Date"),
        }
        assert found == expected

    @pytest.mark.parametrize(
        "command",
        [
            ["sync"],
            ["renewals"],
            ["renewals", "--simulation"],
            ["calendrier", "--dossier", "cal"],
            ["docs", "recus"],
            ["docs", "conventions"],
        ],
        ids=" ".join,
    )
    def test_every_job_runs_through(self, make_book, monkeypatch, tmp_path, capsys, command):
        """No job stops on such a date: each ends with its usual exit code and no error."""
        book = dates_book(make_book)
        code, out, err = mila(book, monkeypatch, tmp_path, capsys, *command)
        assert code in (0, 1), err
        assert "Erreur" not in err and out


# --------------------------------------------------------------------------- terminal escapes

HOSTILE = "Evil\x1b]0;pwned\x07\x1b[2J\x9b2J\u202eRoot\u2066x\x7f\x85"


class TestTerminalEscapes:
    @pytest.fixture
    def book(self, make_book, request):
        text = (
            HOSTILE
            if request.node.callspec.params["make_book"] == "google"
            else HOSTILE.replace("\x1b", "").replace("\x07", "")
        )  # an .xlsx cell cannot hold C0 controls
        return make_book(
            tabs(
                member(
                    2,
                    Structure=text,
                    Email=text + "@",
                    **{"Cotisation payée le": "01/07/2024", "Adhésion le": "01/02/2024"},
                )
            )
        )

    @pytest.mark.parametrize("command", [["check"], ["renewals", "--simulation"], ["renewals"]], ids=" ".join)
    def test_controls_typed_in_cells_never_reach_the_terminal(
        self, book, monkeypatch, tmp_path, capsys, command
    ):
        """Escape sequences, C1 controls and bidi overrides typed in cells are dropped from what the
        command prints; the visible text around them stays."""
        code, out, err = mila(book, monkeypatch, tmp_path, capsys, *command)
        assert code in (0, 1), err
        assert "Evil" in out and "Root" in out
        assert not UNSHOWN.search(out.replace("\n", "").replace("\t", "")) and not UNSHOWN.search(err)


# --------------------------------------------------------------------------- odd IDs


class TestOddIds:
    ODD = ["=1+1", "../../../../etc/x", "M99999999999999999999"]

    def test_odd_ids_are_anomalies_and_do_not_count_for_numbering(self, make_book):
        """Three IDs that are not « M » and a number: an error each; the blank row gets M0002."""
        grid = [MEMBER_HEADER, member(1)]
        for n, odd in enumerate(self.ODD, start=2):
            grid.append(member(n, ID=odd))
        grid.append(member(9, ID=None))
        book = make_book({"Membres": grid, "Tarifs": FEE_HISTORY})
        if book.kind == "xlsx":  # typed as text, not as a formula
            from test_bad_input import store_as_text

            store_as_text(book, "Membres", {(3, 1): "=1+1"})
        else:
            book.emulator.set_cells(book.key, "Membres", {(3, 1): "'=1+1"}, user_entered=True)
        result = sync(book.open())
        assert [n.new_id for n in result.ids_assigned] == ["M0002"]
        tables = book.open().read()
        for row in tables["Membres"].rows:
            cell = str(row.get("Anomalies") or "")
            if row.number in (3, 4, 5):
                assert "invalide" in cell and "M0001" in cell, cell
            else:
                assert "ID" not in cell


# --------------------------------------------------------------------------- missing tabs

WITHOUT_MEMBRES = {
    "Locaux": [["ID", "Nom", "Site"], ["L01", "Bureau 1", "Pépinière"]],
    "Occupations": [["ID", "Membre", "Local", "Début"], ["C001", "M0001", "L01", "01/09/2022"]],
    "Inscriptions": [["ID", "Événement", "Membre"], ["I0001", "E001", "M0001"]],
    "Tarifs": FEE_HISTORY,
}


class TestMissingTabs:
    @pytest.mark.parametrize(
        "command",
        [
            ["check"],
            ["sync"],
            ["renewals"],
            ["calendrier", "--dossier", "cal"],
            ["docs", "recus"],
            ["docs", "conventions"],
            ["docs", "charte"],
            ["docs", "emargement"],
            ["docs", "rapport", "--annee", "2024"],
        ],
        ids=" ".join,
    )
    def test_a_deleted_membres_tab_stops_every_job_that_reads_it(
        self, make_book, monkeypatch, tmp_path, capsys, command
    ):
        """With « Membres » deleted, each job says so in French and exits 2, writing nothing."""
        book = make_book(WITHOUT_MEMBRES)
        before = snapshot(book)
        code, _, err = mila(book, monkeypatch, tmp_path, capsys, *command)
        assert code == 2
        assert err.startswith("Erreur : L'onglet « Membres » est introuvable")
        assert "Locaux" in err and "rien n'a été écrit" in err
        assert snapshot(book) == before

    def test_a_workbook_with_none_of_the_tabs_is_not_the_right_one(
        self, make_book, monkeypatch, tmp_path, capsys
    ):
        """The wrong spreadsheet (none of the contract's tabs): no « Rien à changer », an error naming
        « Membres », nothing written."""
        book = make_book({"Budget 2025": [["Poste", "Montant"], ["Loyer", 1200]]})
        before = snapshot(book)
        code, out, err = mila(book, monkeypatch, tmp_path, capsys, "sync")
        assert code == 2 and "Rien à changer" not in out
        assert "« Membres » est introuvable" in err and "« Budget 2025 »" in err
        assert snapshot(book) == before

    def test_tabs_still_describes_such_a_workbook(self, make_book, monkeypatch, tmp_path, capsys):
        """`mila onglets` lists what is there and says « Membres » is absent, without stopping."""
        book = make_book(WITHOUT_MEMBRES)
        code, out, _ = mila(book, monkeypatch, tmp_path, capsys, "tabs")
        assert "absents (lus comme vides) : Membres" in out and code in (0, 1)


# --------------------------------------------------------------------------- Journal


class TestJournal:
    def test_an_empty_journal_tab_gets_its_header_back(self, make_book):
        """A Journal tab left empty (its header write failed) no longer blocks sync: the next line
        written restores the header above it."""
        book = make_book(tabs(member(2, ID=None), Journal=[]))
        result = sync(book.open())
        assert result.journal and result.journal_error is None
        grid = book.grid("Journal")
        assert grid[0] == JOURNAL_HEADER and len(grid) == 2 and grid[1][1] == "synchronisation"
        assert sync(book.open()).journal_error is None

    def test_the_scheduler_counts_a_lost_journal_line_as_a_failure(self, tmp_path):
        """`mila etat` sees a sync whose Journal line was lost as « échec », with the reason."""
        from conftest import XlsxBook

        from automations.jobs.registry import JOBS

        wb = XlsxBook(tmp_path, tabs(member(2, ID=None))).open()
        wb.backend = FailingAppends(wb.backend)
        outcome = JOBS["sync"].describe(sync(wb))
        assert outcome.result == "échec" and "ligne du Journal non écrite" in outcome.summary

    def test_an_empty_relances_tab_gets_its_header_back(self, make_book):
        """The same for Relances: rows appended to an empty tab come under the contract's header."""
        book = make_book(tabs(Relances=[]))
        book.open().append_rows(schema.RELANCES, [{"Membre": "M0001", "Statut": "envoyée"}])
        grid = book.grid("Relances")
        assert grid[0] == [c.name for c in schema.RELANCES.columns]
        assert grid[1][0] == "M0001" and grid[1][3] == "envoyée"

    def test_a_lost_journal_line_is_reported_on_the_xlsx(self, tmp_path):
        """When only the Journal append fails, the result says why (the changes are written)."""
        from conftest import XlsxBook

        book = XlsxBook(tmp_path, tabs(member(2, ID=None)))
        wb = book.open()
        wb.backend = FailingAppends(wb.backend)
        result = sync(wb)
        assert result.ids_assigned and not result.journal
        assert result.journal_error and "injoignable" in result.journal_error
        assert "Journal" not in book.open().tabs() or len(book.grid("Journal")) <= 1

    def test_a_lost_journal_line_exits_3_with_a_french_warning(self, emulator, monkeypatch, tmp_path, capsys):
        """On the emulator, every append answered 503: sync writes its cells, says the Journal line
        is missing, and exits 3."""
        book = GoogleBook(emulator, tabs(member(2, ID=None), Journal=[JOURNAL_HEADER]))
        (tmp_path / "mila.toml").write_text(
            "[workbook.retry]\nattempts = 3\ntimeout = 5\nwait_initial = 0.001\nwait_max = 0.01\n"
            "wait_jitter = 0\n",
            encoding="utf-8",
        )
        emulator.fail_next(503, count=3, match=":append")
        code, out, err = mila(book, monkeypatch, tmp_path, capsys, "sync")
        emulator.clear_faults()
        assert code == JOURNAL_NOT_WRITTEN == 3
        assert "ID attribués : 1" in out
        assert "la ligne qui les note dans l'onglet Journal n'a pas pu être écrite" in out
        assert "(erreur 503)" in err and "stamina" not in err
        assert book.grid("Journal") == [JOURNAL_HEADER]


def test_documents_whose_journal_line_is_lost_exit_3(emulator, monkeypatch, tmp_path, capsys):
    """`mila docs recus` that produced receipts but could not note them in Journal says so, exit 3."""
    book = GoogleBook(emulator, tabs(Journal=[JOURNAL_HEADER]))
    (tmp_path / "mila.toml").write_text(
        "[workbook.retry]\nattempts = 2\ntimeout = 5\nwait_initial = 0.001\nwait_max = 0.01\n"
        "wait_jitter = 0\n",
        encoding="utf-8",
    )
    emulator.fail_next(503, count=2, match=":append")
    code, out, _ = mila(book, monkeypatch, tmp_path, capsys, "docs", "recus", "--dossier", "recus")
    emulator.clear_faults()
    assert code == JOURNAL_NOT_WRITTEN
    assert "Documents produits : 1" in out and "n'a pas pu être écrite" in out


class FailingAppends:
    """A backend whose appends fail as an outage would; everything else goes through."""

    def __init__(self, backend: Any) -> None:
        self.inner = backend
        self.description = backend.description

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def append_rows(self, title: str, rows: Any) -> None:
        raise WorkbookUnavailable("Google Sheets est injoignable (essai).")
