"""Form answers in: a responses tab shaped as Google Forms writes it becomes Inscriptions and Membres rows, once.

Each answer is a row under « Horodateur » and the questions' titles; `mila synchroniser` takes the new
ones in before its evaluation, marks them « Traitée le », and acknowledges each registration
once (SMTP on loopback, ``test_mail.SmtpServer``).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TODAY, FEE_HISTORY, GoogleBook, Grid, XlsxBook
from test_job_entries import mail_config

from automations.clock import FixedClock
from automations.config import load_settings
from automations.jobs import registry
from automations.jobs.context import RunContext
from automations.jobs.forms import pending_items
from automations.mail import make_sender
from automations.model.rows import Event
from automations.rules.forms import REGISTRATIONS, find_event, read_form
from automations.settings import FormsSettings
from automations.workbook import Workbook
from automations.workbook.table import Table
from tests.support.memory_backend import MemoryBackend

TODAY = dt.date(2026, 12, 1)
NOW = dt.datetime(2026, 12, 1, 9, 0)
FORM = "Inscriptions (formulaire)"
REQUESTS = "Adhésions (formulaire)"
QUESTIONS = ["Horodateur", "Adresse e-mail", "Nom et prénom", "Structure", "SIRET", "Événement"]
MEMBERS = 45


def siret(n: int) -> str:
    """A 14-digit SIRET with a valid Luhn checksum, different for each ``n``."""
    base = f"{n:013d}"
    for last in range(10):
        digits = [int(c) for c in base + str(last)]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits[::-1])
        )
        if total % 10 == 0:
            return base + str(last)
    raise AssertionError


def member(n: int) -> list[object]:
    return [
        f"M{n:04d}",
        f"Studio {NAMES[n % len(NAMES)]} {n}",
        f"Prénom{n} Nom{n}",
        f"contact{n}@studio{n}.fr",
        siret(n),
        "bénéficiaire",
        "PREMIUM",
        "10/01/2023",
        "15/11/2026",
    ]


NAMES = ["Aurore", "Basalte", "Cobalt", "Dune", "Écho", "Falaise", "Grenat"]


def stamp(i: int) -> str:
    """The « Horodateur » of answer ``i`` as Google Forms shows it."""
    moment = dt.datetime(2026, 11, 28, 8, 0) + dt.timedelta(minutes=17 * i, seconds=i)
    return moment.strftime("%d/%m/%Y %H:%M:%S")


def answers() -> list[list[object]]:
    """50 answers: 40 for E001 (by e-mail, SIRET or name; by ID, label or title and date),
    one for the full E002, 4 unmatched, 3 repeated (same timestamp and e-mail), 2 from a
    member already registered."""
    rows: list[list[object]] = []
    ways = ["E001", "E001 – Conférence du 04/03/2027", "Conférence 04/03/2027", "e001"]
    for i, n in enumerate(range(3, 43)):
        name, who = f"Prénom{n} Nom{n}", f"Studio {NAMES[n % len(NAMES)]} {n}"
        if n % 10 == 5:  # found by SIRET: another address
            rows.append([stamp(i), f"autre{n}@gmail.com", name, "", siret(n), ways[i % 4]])
        elif n % 10 == 7:  # found by name: another address, no SIRET
            rows.append([stamp(i), f"perso{n}@gmail.com", "", who, "", ways[i % 4]])
        else:
            rows.append([stamp(i), f"CONTACT{n}@studio{n}.fr ", name, who, "", ways[i % 4]])
    rows.append([stamp(40), "contact43@studio43.fr", "Prénom43 Nom43", "", "", "E002"])  # full: waits
    rows.append([stamp(41), "inconnu@nulle-part.fr", "Jeanne Personne", "Rien à voir", "", "E001"])
    rows.append([stamp(42), "autre.inconnu@nulle-part.fr", "", "Xylophage Zébré", "", "E001"])
    rows.append([stamp(43), "contact44@studio44.fr", "Prénom44 Nom44", "", "", "E999"])  # no such event
    rows.append([stamp(44), "contact44@studio44.fr", "Prénom44 Nom44", "", "", "Atelier imaginaire"])
    rows += [list(rows[0]), list(rows[1]), list(rows[2])]  # sent twice by the form
    rows.append([stamp(48), "contact8@studio8.fr", "", "", "", "E001"])  # M0008 again
    rows.append([stamp(49), "contact1@studio1.fr", "", "", "", "E002"])  # M0001 already in
    return rows


def workbook(extra: dict[str, Grid] | None = None) -> dict[str, Grid]:
    header = ["ID", "Structure", "Contact", "Email", "SIRET", "Catégorie", "Forfait", "Adhésion le"]
    return {
        "Membres": [[*header, "Cotisation payée le"]] + [member(n) for n in range(1, MEMBERS + 1)],
        "Événements": [
            ["ID", "Date", "Heure", "Type", "Titre", "Lieu", "Capacité"],
            ["E001", "04/03/2027", "18:30", "Club MILA", "Conférence", "Pépinière", 100],
            ["E002", "11/03/2027", "18:30", "Afterwork", "Afterwork de printemps", "Milab", 2],
        ],
        "Inscriptions": [
            ["ID", "Événement", "Membre", "Inscrit le", "Statut"],
            ["I0001", "E002", "M0001", "01/11/2026 10:00", "inscrit"],
            ["I0002", "E002", "M0002", "02/11/2026 10:00", "inscrit"],
        ],
        "Tarifs": FEE_HISTORY,
        FORM: [QUESTIONS, *answers()],
        **(extra or {}),
    }


class SortedAfterRead(MemoryBackend):
    """The in-memory backend where a person sorts ``title`` (newest first) just after mila's first read of it."""

    def __init__(self, grids: dict[str, Grid], title: str) -> None:
        super().__init__(grids)
        self.title = title
        self.sorted = False

    def fetch(self, full: Any, partial: Any) -> dict[str, Grid]:
        out = super().fetch(full, partial)
        if self.title in full and not self.sorted:
            self.sorted = True
            header, *rows = self.grids[self.title]
            self.grids[self.title] = [header, *reversed(rows)]
        return out


class MemoryBook:
    """The in-memory backend with the helpers of XlsxBook and GoogleBook."""

    def __init__(self, tabs: dict[str, Grid]) -> None:
        self.backend = MemoryBackend(tabs)

    def open(self) -> Workbook:
        return Workbook(self.backend)

    def grid(self, tab: str) -> Grid:
        return [list(line) for line in self.backend.grids[tab]]


@pytest.fixture(params=["memory", "xlsx", "google"])
def any_book(request: pytest.FixtureRequest, tmp_path: Path):
    """Build a workbook from {tab: grid} on the in-memory backend, the .xlsx backend, the emulator."""

    def build(tabs: dict[str, Grid]) -> Any:
        if request.param == "memory":
            return MemoryBook(tabs)
        if request.param == "xlsx":
            return XlsxBook(tmp_path, tabs)
        return GoogleBook(request.getfixturevalue("emulator"), tabs)

    return build


def records(book: Any, tab: str) -> list[dict[str, Any]]:
    grid = book.grid(tab)
    header = [str(h) for h in grid[0]]
    return [
        dict(zip(header, line, strict=False)) for line in grid[1:] if any(v not in (None, "") for v in line)
    ]


def run(book: Any, settings: Any, sender: Any = None) -> Any:
    ctx = RunContext(settings, FixedClock(NOW), workbook=book.open(), sender=sender)
    return registry.sync(ctx)


class TestFiftyAnswers:
    @pytest.mark.slow
    def test_the_right_rows_and_one_acknowledgement_each_then_nothing(self, any_book, smtp_server, tmp_path):
        """50 answers give 41 registrations, one waiting with its rank, each told once; a second sync does nothing."""
        book = any_book(workbook())
        settings = load_settings(config=mail_config(tmp_path / "conf", smtp_server), env={})
        result = run(book, settings)

        added = records(book, "Inscriptions")[2:]
        assert [r["ID"] for r in added] == [f"I{n:04d}" for n in range(3, 44)]
        pairs = [(r["Événement"], r["Membre"]) for r in added]
        assert pairs == [("E001", f"M{n:04d}") for n in range(3, 43)] + [("E002", "M0043")]
        assert added[-1]["Place"] == "attente 1"
        assert {r["Place"] for r in added[:-1]} == {"confirmée"}

        forms = result.forms.tabs[0]
        assert (forms.processed, forms.duplicates, forms.unmatched) == (41, 5, 4)
        summary = result.outcome().summary
        assert (
            "« Inscriptions (formulaire) » : 41 inscription(s) ajoutée(s), 5 en double, 4 réponse(s) à corriger"
            in summary
        )
        journal = records(book, "Journal")
        assert "41 inscription(s) ajoutée(s)" in journal[0]["Détails"]

        assert result.acknowledgements is not None and result.acknowledgements.sent == 41
        received = smtp_server.parsed()
        assert len(received) == 41
        subjects = [m["Subject"] for m in received]
        assert sum(s.startswith("Inscription reçue : Conférence") for s in subjects) == 40
        waiting = [m for m in received if m["To"].addresses[0].addr_spec == "contact43@studio43.fr"]
        assert waiting[0]["Subject"].startswith("Liste d’attente (rang 1) : Afterwork de printemps")
        assert "au rang 1" in waiting[0].get_body(("plain",)).get_content()

        form = records(book, FORM)
        done = [r for r in form if r.get("Traitée le (calc.)") not in (None, "")]
        assert len(done) == 46  # 41 added + 5 duplicates; the 4 unmatched are read again next time
        notes = {i: str(r.get("Anomalies (calc.)") or "") for i, r in enumerate(form)}
        assert "aucun membre reconnu (inconnu@nulle-part.fr)" in notes[41]
        assert "l'événement E999 n'existe pas" in notes[43]
        assert "aucun événement ne répond à « Atelier imaginaire »" in notes[44]
        assert notes[45].startswith("Réponse en double de la ligne 2")
        assert "M0008 est déjà inscrit à E001" in notes[48]
        assert "M0001 est déjà inscrit à E002 (I0001)" in notes[49]
        typed = [a or None for line in answers() for a in line]  # a blank answer is stored as an empty cell
        assert [r[q] or None for r in form for q in QUESTIONS] == typed

        before = {tab: book.grid(tab) for tab in ("Inscriptions", "Relances", FORM)}
        again = run(book, settings)
        assert len(smtp_server.messages) == 41
        assert not again.forms.changed and again.acknowledgements is not None
        assert not again.acknowledgements.messages and not again.journal
        assert {tab: book.grid(tab) for tab in before} == before


class TestMembershipRequests:
    def test_a_request_becomes_a_member_to_complete(self, tmp_path):
        """A membership answer adds a Membres row without fee, whose anomaly asks to complete Catégorie and Forfait."""
        requests = [
            ["Horodateur", "Adresse e-mail", "Structure", "Nom et prénom", "Téléphone", "SIRET"],
            ["30/11/2026 14:03:12", "bonjour@lesondes.fr", "Les Ondes", "Inès Faure", "06 12 34 56 78", ""],
            ["30/11/2026 15:00:00", "contact1@studio1.fr", "Studio Aurore 1 bis", "X", "", ""],
        ]
        book = MemoryBook(workbook({REQUESTS: requests}))
        result = run(book, load_settings(env={}, cwd=tmp_path))
        added = records(book, "Membres")[-1]
        assert (added["ID"], added["Structure"], added["Email"], added["Catégorie"]) == (
            f"M{MEMBERS + 1:04d}",
            "Les Ondes",
            "bonjour@lesondes.fr",
            None,
        )
        assert added["Adhésion le"] == dt.date(2026, 11, 30)
        assert (
            "Demande d'adhésion reçue par formulaire le 30/11/2026 (Adhésions (formulaire), ligne 2) : "
            "complétez Catégorie et Forfait"
        ) in added["Anomalies"]
        note = records(book, REQUESTS)[1]["Anomalies (calc.)"]
        assert "déjà celui du membre M0001" in note
        assert result.forms.tabs[1].processed == 1
        items = pending_items(book.open().read())
        assert [(i.tab, i.row) for i in items if i.tab == "Membres"] == [("Membres", MEMBERS + 2)]
        assert "complétez Catégorie et Forfait" in items[-1].what

    def test_a_request_is_acknowledged_once(self, tmp_path, smtp_server):
        """Issue 22: the structure that sent a membership request is told, once, that it was
        received; the Relances record travels with the new row, a second sync sends nothing."""
        requests = [
            ["Horodateur", "Adresse e-mail", "Structure", "Nom et prénom", "Téléphone", "SIRET"],
            ["30/11/2026 14:03:12", "bonjour@lesondes.fr", "Les Ondes", "Inès Faure", "06 12 34 56 78", ""],
        ]
        book = MemoryBook(workbook({REQUESTS: requests}))
        settings = load_settings(config=mail_config(tmp_path / "conf", smtp_server), env={})
        first = run(book, settings)
        assert first.membership_acks is not None and first.membership_acks.sent == 1
        arrived = [(to, data) for _, to, data in smtp_server.messages if to == ["bonjour@lesondes.fr"]]
        assert len(arrived) == 1 and "Demande d" in arrived[0][1].decode("utf-8", "replace")
        labels = [r["Relance"] for r in records(book, "Relances") if r["Membre"] == f"M{MEMBERS + 1:04d}"]
        assert labels[0] == f"adhésion reçue M{MEMBERS + 1:04d}" and "envoyée" in {
            r["Statut"] for r in records(book, "Relances") if r["Relance"] == labels[0]
        }
        count = len(smtp_server.messages)
        again = run(book, settings)
        assert len(smtp_server.messages) == count
        assert again.membership_acks is None or again.membership_acks.messages == []

    def test_no_responses_tab_means_nothing_to_do(self, tmp_path):
        """Without a responses tab the sync reads and writes as before."""
        tabs = workbook()
        del tabs[FORM]
        book = MemoryBook(tabs)
        result = run(book, load_settings(env={}, cwd=tmp_path))
        assert result.forms is not None and result.forms.tabs == [] and not result.forms.summary()
        assert len(records(book, "Inscriptions")) == 2


class TestWithoutServer:
    def test_acknowledgements_are_previews_and_stay_to_send(self, tmp_path):
        """Without a mail server the acknowledgements are previews; Relances keeps them « à envoyer »."""
        book = MemoryBook(workbook())
        settings = load_settings(env={}, cwd=tmp_path)
        sender = make_sender(settings.mail)
        result = run(book, settings, sender)
        assert result.acknowledgements.preview and len(result.acknowledgements.messages) == 41
        statuses = {r["Statut"] for r in records(book, "Relances")}
        assert statuses == {"à envoyer"}
        again = run(book, settings, sender)
        assert again.acknowledgements is None  # no new answer, no server: no preview written again

    def test_a_server_later_sends_what_was_left(self, tmp_path, smtp_server):
        """Acknowledgements left « à envoyer » go with the first run that has a mail server."""
        book = MemoryBook(workbook())
        run(book, load_settings(env={}, cwd=tmp_path))
        settings = load_settings(config=mail_config(tmp_path / "conf", smtp_server), env={})
        result = run(book, settings)
        assert result.acknowledgements.sent == 41 and len(smtp_server.messages) == 41


class TestPending:
    def test_unmatched_answers_are_listed_for_the_digest(self, tmp_path):
        """pending_items lists each answer left with its anomaly, with tab, row and what to do."""
        book = MemoryBook(workbook())
        run(book, load_settings(env={}, cwd=tmp_path))
        items = pending_items(book.open().read())
        assert [(i.tab, i.row) for i in items] == [(FORM, 43), (FORM, 44), (FORM, 45), (FORM, 46)]
        assert items[0].who == "Rien à voir" and "ajoutez le membre" in items[0].what


class TestRules:
    EVENTS = [
        Event(2, "E042", dt.date(2025, 1, 14), type="Club MILA", title="Les droits voisins"),
        Event(3, "E043", dt.date(2025, 2, 11), type="Club MILA", title="Les droits voisins"),
    ]

    @pytest.mark.parametrize(
        "text",
        [
            "E042",
            "E042 – Club MILA du 14/01/2025",
            "e 42",
            "Les droits voisins du 14/01/2025",
            "droits voisins 14/1/25",
        ],
    )
    def test_an_event_is_found_by_id_or_label(self, text):
        """The event question may hold the ID, the dropdown's label, or the title and date."""
        assert find_event(text, self.EVENTS) == (self.EVENTS[0], None)

    def test_a_title_without_date_that_fits_two_events_is_ambiguous(self):
        """Two events share the title: the answer names both, for the staff to choose."""
        event, why = find_event("Les droits voisins", self.EVENTS)
        assert event is None and why is not None and "E042 du 14/01/2025, E043 du 11/02/2025" in why

    def test_questions_are_found_by_their_configured_titles(self):
        """A configured title is read; the default e-mail question is then not looked for."""
        table = Table.from_grid(FORM, [["Timestamp", "Mail", "Événement"], [46000.5, "a@b.fr", "E042"]])
        tab = read_form(REGISTRATIONS, table, FormsSettings.model_validate({"email": "Mail"}).questions())
        assert tab.answers[0].email == "a@b.fr" and tab.answers[0].stamp == dt.datetime(2025, 12, 9, 12)


class TestDemo:
    def test_the_demo_shows_the_forms_at_work_with_no_configuration(self, demo_memory, tmp_path):
        """On the demo, sync takes in both responses tabs: registrations, a waiting list, an unknown person, a repeat.
        (The demo's cells in memory: what is looked at is the rows, not the .xlsx file.)"""
        settings = load_settings(env={}, cwd=tmp_path)
        clock = FixedClock(dt.datetime.combine(DEMO_TODAY, dt.time(9)))
        result = registry.sync(RunContext(settings, clock, workbook=Workbook(demo_memory)))
        assert result.forms is not None and result.acknowledgements is not None
        registrations, requests = result.forms.tabs
        assert (registrations.processed, registrations.duplicates, registrations.unmatched) == (10, 1, 1)
        assert requests.processed == 3
        assert "3 demande(s) d'adhésion ajoutée(s) (M0126, M0127, M0128)" in result.forms.summary()
        acknowledgements = result.acknowledgements
        assert acknowledgements.preview and len(acknowledgements.messages) == 10
        outgoing = [m.outgoing for m in acknowledgements.messages if m.outgoing is not None]
        parsed = [email.message_from_bytes(o.data, policy=email.policy.default) for o in outgoing]
        subjects = [str(m["Subject"]) for m in parsed]
        assert sum(s.startswith("Liste d’attente (rang ") for s in subjects) == 1
        assert "réponses aux formulaires" in result.outcome().summary


class TestStaffEdits:
    def test_an_unmatched_answer_is_taken_once_the_member_is_known_even_after_a_sort(self, tmp_path):
        """Once staff add the unknown person to Membres, the next sync takes the answer in, found by key after a sort."""
        book = MemoryBook(workbook())
        settings = load_settings(env={}, cwd=tmp_path)
        run(book, settings)
        grids = book.backend.grids
        grids["Membres"].append(["M0100", "Rien à voir", "Jeanne Personne", "inconnu@nulle-part.fr", None])
        grids["Membres"][-1] += ["bénéficiaire", "BASIC", "01/11/2026", "01/11/2026"]
        header, *answered = grids[FORM]
        grids[FORM] = [header, *reversed(answered)]  # the staff sorted the tab, newest first
        result = run(book, settings)
        assert result.forms.tabs[0].added == ["I0044"]
        assert records(book, "Inscriptions")[-1]["Membre"] == "M0100"
        row = next(r for r in records(book, FORM) if r["Adresse e-mail"] == "inconnu@nulle-part.fr")
        assert row["Traitée le (calc.)"] == NOW and row["Anomalies (calc.)"] is None

    def test_rows_named_in_anomalies_are_those_after_a_sort_during_the_run(self, tmp_path):
        """A person sorts the tab between mila's read and its write: « ligne N » names the row as it is then."""
        book = MemoryBook(workbook())
        book.backend = SortedAfterRead(book.backend.grids, FORM)
        run(book, load_settings(env={}, cwd=tmp_path))
        form = records(book, FORM)
        by_row = {number: r for number, r in enumerate(form, start=2)}
        doubles = {
            number: int(m.group(1))
            for number, r in by_row.items()
            if (m := re.match(r"Réponse en double de la ligne (\d+)", r["Anomalies (calc.)"] or ""))
        }
        assert len(doubles) == 3 and all(named != number for number, named in doubles.items())
        for number, named in doubles.items():
            same = [by_row[number][q] for q in ("Horodateur", "Adresse e-mail")]
            assert [by_row[named][q] for q in ("Horodateur", "Adresse e-mail")] == same
            assert by_row[named]["Anomalies (calc.)"] is None and by_row[named]["Traitée le (calc.)"]
        twice = [r["Anomalies (calc.)"] for r in form if "(réponse ligne" in (r["Anomalies (calc.)"] or "")]
        assert len(twice) == 1
        for text in twice:
            found = re.search(r"réponse ligne (\d+)", text)
            assert found is not None
            original = by_row[int(found.group(1))]
            assert original["Anomalies (calc.)"] is None and original["Traitée le (calc.)"] == NOW

    def test_a_missing_question_is_named_and_nothing_is_added(self, tmp_path):
        """A registration tab without its « Événement » question adds nothing and says which question is missing."""
        tabs = workbook()
        tabs[FORM] = [[c for c in line[:5]] for line in tabs[FORM]]
        book = MemoryBook(tabs)
        result = run(book, load_settings(env={}, cwd=tmp_path))
        assert "questions introuvables : Événement" in result.forms.summary()
        assert len(records(book, "Inscriptions")) == 2
        assert book.grid(FORM)[0] == QUESTIONS[:5]
