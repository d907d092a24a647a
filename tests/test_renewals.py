"""`mila relances`: reminders sent on time, exactly once, recorded in Relances, on both backends.

Messages go to a real SMTP server (aiosmtpd on 127.0.0.1, see ``test_mail.SmtpServer``).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import FEE_HISTORY
from test_mail import SmtpServer, free_port, mail_settings, smtp_settings

from automations import schema
from automations.clock import FixedClock
from automations.config import load_settings
from automations.errors import ConfigError, MailError, TemplateError
from automations.formatting import format_money
from automations.jobs.renewals import RenewalSettings, run_renewals
from automations.mail import DEFAULT_TEMPLATES, MailSettings, SmtpSender, make_sender
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 15)
SETTINGS = RenewalSettings(
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    account_holder="Association MILA",
    payment_link="https://www.helloasso.com/associations/mila/adhesions",
    contact_name="Nadia Benali",
    contact_email="adhesions@mila.fr",
    contact_phone="01 42 00 00 00",
)
TARIFS = FEE_HISTORY
HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Option Crescendo",
    "Adhésion le",
    "Cotisation payée le",
    "Sortie le",
]
# Who gets what on 23/11/2026 (default schedule: J-30, J-7, J+15; first fee J+15):
SENT_TODAY = {
    "M0001": ("lea@onde.fr", "renouvellement J-30"),  # échéance 23/12/2026
    "M0002": ("paul@nord.fr", "renouvellement J-7"),  # échéance 30/11/2026; J-30 missed: only J-7
    "M0003": ("ines@label.fr", "première cotisation J+15"),  # joined 01/11/2026, never paid
}


def members() -> list[list[object]]:
    return [
        HEADER,
        [
            "M0001",
            "Onde Claire",
            "Léa Morel",
            "lea@onde.fr",
            "bénéficiaire",
            "PREMIUM",
            "oui",
            "10/01/2023",
            "24/12/2025",
            None,
        ],
        [
            "M0002",
            "Studio Nord & Fils",
            "Paul Roux",
            "paul@nord.fr",
            "hébergé",
            None,
            None,
            "01/09/2022",
            "01/12/2025",
            None,
        ],
        [
            "M0003",
            "Nouveau Label",
            "Inès Bah",
            "ines@label.fr",
            "bénéficiaire",
            "BASIC",
            None,
            "01/11/2026",
            None,
            None,
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
            "01/12/2025",
            None,
        ],
        [
            "M0005",
            "Partie",
            "Ana Sol",
            "ana@partie.fr",
            "bénéficiaire",
            "BASIC",
            None,
            "01/02/2024",
            "01/12/2025",
            "01/06/2026",
        ],
        [
            "M0006",
            "Mairie du 18e",
            "Jo Maire",
            "jo@mairie.fr",
            "membre de droit",
            None,
            None,
            "01/02/2020",
            "01/12/2025",
            None,
        ],
        [
            "M0007",
            "À jour",
            "Zoé Lu",
            "zoe@ajour.fr",
            "bénéficiaire",
            "BASIC",
            None,
            "01/02/2024",
            "01/06/2026",
            None,
        ],
        [
            "M0008",
            "Ancien",
            "Max Vieux",
            "max@ancien.fr",
            "bénéficiaire",
            "BASIC",
            None,
            "01/02/2020",
            "01/01/2024",
            None,
        ],
    ]


RELANCES_HEADER: list[object] = [c.name for c in schema.RELANCES.columns]


def workbook(extra: Sequence[list[object]] = (), *, log_tabs: bool = True) -> dict[str, list[list[object]]]:
    """The test workbook; ``log_tabs``: Relances and Journal exist (headers only), as after a first run."""
    tabs: dict[str, list[list[object]]] = {
        "Membres": members() + list(extra),
        "Locaux": [["ID", "Nom", "Site", "Surface m²"], ["L01", "Bureau 1", "Pépinière", 16]],
        "Occupations": [
            ["ID", "Membre", "Local", "Début", "Fin"],
            ["C001", "M0002", "L01", "01/09/2022", None],
        ],
        "Tarifs": TARIFS,
    }
    if log_tabs:
        tabs["Relances"] = [RELANCES_HEADER]
        tabs["Journal"] = [[c.name for c in schema.JOURNAL.columns]]
    return tabs


REFUSED: list[object] = [
    "M0009",
    "Refusé",
    "Rémi Nul",
    "inconnu@onde.fr",
    "bénéficiaire",
    "BASIC",
    None,
    "01/02/2020",
    "10/11/2025",
    None,
]


def renewals(book, sender, mail, *, today=TODAY, dry_run=False, wb=None):
    return run_renewals(
        wb or book.open(),
        today=today,
        policy=MembershipPolicy(),
        settings=SETTINGS,
        mail=mail,
        sender=sender,
        clock=FixedClock(dt.datetime.combine(today, NOW.time())),
        dry_run=dry_run,
    )


def smtp_run(book, server, **kw):
    mail = smtp_settings(server)
    return renewals(book, SmtpSender(mail), mail, **kw)


@pytest.fixture
def google_book(emulator):
    """For tests where the backend does not matter: the faster one (the Sheets emulator)."""
    from conftest import GoogleBook

    return lambda tabs: GoogleBook(emulator, tabs)


def relances(book) -> list[dict[str, Any]]:
    """Relances rows as {column: value}, for any backend."""
    if "Relances" not in book.open().tabs():
        return []
    grid = book.grid("Relances")
    header = grid[0]
    return [
        {name: (line[i] if i < len(line) else None) for i, name in enumerate(header)} for line in grid[1:]
    ]


def journal(book) -> list[list[Any]]:
    return book.grid("Journal")[1:] if "Journal" in book.open().tabs() else []


def received(server: SmtpServer) -> list[str]:
    return sorted(rcpt for _, rcpts, _ in server.messages for rcpt in rcpts)


class TestSending:
    def test_due_reminders_go_out_on_one_connection(self, make_book, smtp_server):
        """Three reminders due, three messages, one SMTP connection; the result lists each.
        Relances and Journal are created on the way (with the Détails column)."""
        book = make_book(workbook(log_tabs=False))
        result = smtp_run(book, smtp_server)
        assert received(smtp_server) == sorted(a for a, _ in SENT_TODAY.values())
        assert smtp_server.connections == 1
        assert (result.sent, result.failed) == (3, 0)
        assert {m.member_id: (m.address, m.reminder) for m in result.messages} == SENT_TODAY
        assert book.grid("Relances")[0] == RELANCES_HEADER and len(journal(book)) == 1

    def test_each_reminder_is_recorded_before_and_after(self, make_book, smtp_server):
        """Relances gets each reminder's « en cours » claim just before it is sent, then its
        « envoyée » with the time and the Message-ID sent; Journal gets one line."""
        book = make_book(workbook())
        smtp_run(book, smtp_server)
        rows = relances(book)
        assert [r["Statut"] for r in rows] == ["en cours", "envoyée"] * 3
        ids = {str(m["Message-ID"]) for m in smtp_server.parsed()}
        for before, after in zip(rows[0::2], rows[1::2], strict=True):
            assert before["Message-ID"] == after["Message-ID"] and after["Message-ID"] in ids
            assert (after["Membre"], after["Relance"]) == (before["Membre"], before["Relance"])
            assert before["Envoyée le"] is None and after["Envoyée le"] is not None
        assert [(r["Membre"], r["Adresse"], r["Relance"]) for r in rows[1::2]] == [
            (k, a, r) for k, (a, r) in SENT_TODAY.items()
        ]
        lines = journal(book)  # one Journal line for a run that sent something
        assert len(lines) == 1 and lines[0][1:3] == ["relances", "succès"]
        assert "3 relance(s) envoyée(s)" in lines[0][3]

    def test_two_runs_the_same_day_send_once(self, make_book, smtp_server):
        """The second run finds everything sent: no message, no connection, no Journal line."""
        book = make_book(workbook())
        smtp_run(book, smtp_server)
        again = smtp_run(book, smtp_server)
        assert again.sent == 0 and not again.messages and not again.journal
        assert len(smtp_server.messages) == 3 and smtp_server.connections == 1
        assert len(relances(book)) == 6 and len(journal(book)) == 1

    def test_daily_runs_send_each_reminder_on_its_day_once(self, make_book, smtp_server):
        """Runs on the following days send only M0002's J+15 (15/12) and M0001's J-7 (16/12), once."""
        book = make_book(workbook())
        smtp_run(book, smtp_server)
        sent = []
        for day in (1, 2, 14, 21, 22, 23):
            result = smtp_run(book, smtp_server, today=TODAY + dt.timedelta(days=day))
            sent += [(result.today, m.member_id, m.reminder) for m in result.messages]
        assert sent == [
            (dt.date(2026, 12, 15), "M0002", "renouvellement J+15"),
            (dt.date(2026, 12, 16), "M0001", "renouvellement J-7"),
        ]
        assert len(smtp_server.messages) == 5 and smtp_server.connections == 3

    def test_skipped_members_come_with_the_reason(self, google_book, smtp_server):
        """Invalid address, left, nothing to pay, reminder too old: skipped, in French."""
        book = google_book(workbook())
        result = smtp_run(book, smtp_server)
        reasons = {s.member_id: s.reason for s in result.skipped}
        assert "adresse e-mail invalide" in reasons["M0004"]
        assert "sorti le 1er juin 2026" in reasons["M0005"]
        assert "membre de droit" in reasons["M0006"]
        assert "plus de 30 jours" in reasons["M0008"] and [s.member_id for s in result.late] == ["M0008"]
        assert "M0007" not in reasons  # à jour: nothing due, nothing to say

    def test_a_name_with_a_line_break_is_skipped_not_sent(self, google_book, smtp_server):
        """A Contact holding a line break cannot add a header: that member is skipped, the others go."""
        intruder: list[object] = [
            "M0010",
            "Intrus",
            "Léa\nBcc: espion@example.org",
            "intrus@onde.fr",
            "bénéficiaire",
            "BASIC",
            None,
            "01/11/2026",
            None,
            None,
        ]
        book = google_book(workbook([intruder]))
        result = smtp_run(book, smtp_server)
        assert "retour à la ligne" in {s.member_id: s.reason for s in result.skipped}["M0010"]
        assert "espion@example.org" not in received(smtp_server) and result.sent == 3

    def test_json_result(self, google_book, smtp_server):
        """as_dict() has the counts and one entry per message with member, address and reminder."""
        book = google_book(workbook())
        data = json.loads(json.dumps(smtp_run(book, smtp_server).as_dict(), ensure_ascii=False))
        assert (data["sent"], data["failed"], data["skipped"]) == (3, 0, 4)
        assert {m["member"]: (m["address"], m["reminder"]) for m in data["messages"]} == SENT_TODAY
        assert all(m["message_id"].startswith("<") and m["status"] == "envoyée" for m in data["messages"])

    def test_french_summary_for_the_command_line(self, google_book, smtp_server):
        """lines() says in French what was sent, refused, skipped and what to do."""
        smtp_server.refuse["inconnu@onde.fr"] = "550 5.1.1 Utilisateur inconnu"
        book = google_book(workbook([REFUSED]))
        text = "\n".join(smtp_run(book, smtp_server).lines(limit=2))
        assert "Relances envoyées : 3" in text and "… et 1 autre(s)" in text
        assert "Refusées par le serveur" in text and "550 5.1.1 Utilisateur inconnu" in text
        assert "Membres non relancés : 3" in text and "Relances trop anciennes" in text and "M0008" in text
        assert "M0008 Ancien (Max Vieux) <max@ancien.fr>, " in text
        assert "Une ligne a été ajoutée à l'onglet Journal." in text

    def test_a_reminder_too_old_comes_with_name_address_and_amount(self, google_book, smtp_server):
        """A reminder too old to send says whom to remind by hand: contact, e-mail and amount due."""
        book = google_book(workbook())
        [late] = smtp_run(book, smtp_server).late
        assert (late.contact, late.email) == ("Max Vieux", "max@ancien.fr")
        assert late.amount_ttc is not None and late.amount_ttc > 0
        assert late.as_dict()["email"] == "max@ancien.fr"

    def test_google_run_takes_a_few_requests(self, emulator, smtp_server):
        """On Google Sheets a sending run takes a handful of requests and one append per message:
        read, first claim, re-read, one append per next message (outcome of the previous and
        claim of this one), last outcome, Journal (plus creating the tabs the first time)."""
        from conftest import GoogleBook

        book = GoogleBook(emulator, workbook(log_tabs=False))
        for day, most in ((TODAY, 16), (dt.date(2026, 12, 15), 9)):
            emulator.reset_requests()
            sent = smtp_run(book, smtp_server, today=day).sent
            assert sent
            assert len([r for r in emulator.requests if book.key in r.path]) <= most + sent


class TestContent:
    def test_message_in_french_with_the_fee_breakdown(self, google_book, smtp_server):
        """Name, structure, due date in French, forfait, HT / TVA / TTC, how to pay, whom to contact."""
        book = google_book(workbook())
        smtp_run(book, smtp_server)
        message = next(m for m in smtp_server.parsed() if "lea@onde.fr" in str(m["To"]))
        assert message["To"].addresses[0].display_name == "Léa Morel"
        assert message["Subject"] == "Renouvellement de votre adhésion au MILA : échéance le 23 décembre 2026"
        text = message.get_body(("plain",)).get_content()
        for expected in (
            "Bonjour Léa Morel",
            "Onde Claire",
            "23 décembre 2026",
            "dans 30 jours",
            "Forfait PREMIUM : 170 € HT",
            "Option Crescendo : 10 € HT",
            "Total HT : 180 €",
            "TVA (20 %) : 36 €",
            "Total TTC à régler : 216 €",
            "FR76 3000 6000 0112 3456 7890 189",
            "Cotisation M0001",
            "https://www.helloasso.com/associations/mila/adhesions",
            "Nadia Benali",
            "01 42 00 00 00",
        ):
            assert expected in text, expected
        html = message.get_body(("html",)).get_content()
        assert "<strong>Onde Claire</strong>" in html and "216 €" in html

    def test_hosted_member_sees_the_surface_and_html_is_escaped(self, google_book, smtp_server):
        """A hébergé's fee shows the m²; an « & » in a structure is escaped in HTML."""
        book = google_book(workbook())
        smtp_run(book, smtp_server)
        message = next(m for m in smtp_server.parsed() if "paul@nord.fr" in str(m["To"]))
        text = message.get_body(("plain",)).get_content()
        assert "16 m² × 10 €" in text and "Total TTC à régler : 192 €" in text and "30 novembre 2026" in text
        assert "Studio Nord &amp; Fils" in message.get_body(("html",)).get_content()

    def test_first_fee_reminder(self, google_book, smtp_server):
        """A member who never paid gets the welcome-and-pay message, with the joining date."""
        book = google_book(workbook())
        smtp_run(book, smtp_server)
        message = next(m for m in smtp_server.parsed() if "ines@label.fr" in str(m["To"]))
        assert message["Subject"] == "Votre cotisation d’adhésion au MILA"
        text = message.get_body(("plain",)).get_content()
        assert "le 1er novembre 2026" in text and "Total TTC à régler : 144 €" in text


class TestFailures:
    def test_a_refused_recipient_is_recorded_and_the_others_go_on(self, make_book, smtp_server):
        """550 for one address: « échec » with the server's reason; the others are sent."""
        smtp_server.refuse["inconnu@onde.fr"] = "550 5.1.1 Utilisateur inconnu"
        book = make_book(workbook([REFUSED]))
        result = smtp_run(book, smtp_server)
        assert (result.sent, result.failed) == (3, 1)
        failed = [r for r in relances(book) if r["Statut"] == "échec"]
        assert [(r["Membre"], r["Adresse"], r["Détails"]) for r in failed] == [
            ("M0009", "inconnu@onde.fr", "550 5.1.1 Utilisateur inconnu")
        ]
        assert journal(book)[0][2] == "succès partiel" and "550 5.1.1" in journal(book)[0][3]
        # The next day the same address is not tried again; the reason is listed.
        later = smtp_run(book, smtp_server, today=TODAY + dt.timedelta(days=1))
        assert later.messages == [] and "550 5.1.1" in {s.member_id: s.reason for s in later.skipped}["M0009"]
        assert len(smtp_server.messages) == 3

    def test_unreachable_server_records_nothing(self, make_book):
        """No server: a French MailError, nothing in Relances, a Journal line saying so."""
        book = make_book(workbook())
        mail = MailSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2)
        with pytest.raises(MailError, match="injoignable"):
            renewals(book, SmtpSender(mail), mail)
        assert relances(book) == []
        assert [line[2] for line in journal(book)] == ["échec"] and "injoignable" in journal(book)[0][3]

    def test_broken_template_names_file_and_line_and_sends_nothing(self, google_book, smtp_server, tmp_path):
        """A template error stops the run before anything is sent or recorded."""
        folder = tmp_path / "modeles"
        shutil.copytree(DEFAULT_TEMPLATES, folder)
        path = folder / "relance.txt.j2"
        path.write_text(
            path.read_text(encoding="utf-8").replace("{{ cotisation.ttc }}", "{{ cotisation.total }}"),
            encoding="utf-8",
        )
        book = google_book(workbook())
        mail = smtp_settings(smtp_server, templates=folder)
        with pytest.raises(TemplateError, match=r"« relance\.txt\.j2 », ligne \d+.*« total »"):
            renewals(book, SmtpSender(mail), mail)
        assert smtp_server.messages == [] and smtp_server.connections == 0 and relances(book) == []


class Crash(BaseException):
    """The process dying: nothing after it runs (not an Exception, so nobody catches it)."""


class CrashingWorkbook:
    """A workbook whose ``crash_at``-th append dies: the 2nd is the outcomes after sending."""

    def __init__(self, inner: Any, crash_at: int) -> None:
        self.inner, self.crash_at, self.appends = inner, crash_at, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def append_rows(self, tab: Any, rows: Any) -> int:
        self.appends += 1
        if self.appends == self.crash_at:
            raise Crash
        return int(self.inner.append_rows(tab, rows))


class CrashingSender:
    """Delivers for real, then dies right after the ``after``-th message left."""

    delivers = True

    def __init__(self, inner: SmtpSender, after: int) -> None:
        self.inner, self.after, self.sent = inner, after, 0
        self.description = inner.description

    def open(self) -> None:
        self.inner.open()

    def send(self, message: Any) -> str:
        reply = self.inner.send(message)
        self.sent += 1
        if self.sent == self.after:
            raise Crash
        return reply

    def close(self) -> None:
        self.inner.close()


class TestCrashes:
    def test_crash_when_recording_blocks_only_the_message_in_flight(self, make_book, smtp_server):
        """The 1st reminder sent, then the process dies writing its outcome (with the 2nd's
        claim): the next run reports the 1st « à vérifier » once (Journal) and sends the two
        others; later runs keep listing it without a new Journal line."""
        book = make_book(workbook())
        mail = smtp_settings(smtp_server)
        with pytest.raises(Crash):
            renewals(book, SmtpSender(mail), mail, wb=CrashingWorkbook(book.open(), crash_at=2))
        assert len(smtp_server.messages) == 1
        assert [(r["Membre"], r["Statut"]) for r in relances(book)] == [("M0001", "en cours")]

        after = smtp_run(book, smtp_server, today=TODAY + dt.timedelta(days=1))
        assert after.sent == 2 and received(smtp_server) == sorted(a for a, _ in SENT_TODAY.values())
        assert [c.member_id for c in after.to_check] == ["M0001"] and after.to_check[0].new
        assert [r["Statut"] for r in relances(book)][1:2] == ["à vérifier"]
        assert journal(book)[-1][2] == "à vérifier" and "à vérifier" in journal(book)[-1][3]

        third = smtp_run(book, smtp_server, today=TODAY + dt.timedelta(days=2))
        assert len(smtp_server.messages) == 3 and [c.new for c in third.to_check] == [False]
        assert len(relances(book)) == 6 and len(journal(book)) == 1

    def test_crash_in_the_middle_of_the_batch(self, make_book, smtp_server):
        """Dying after the 2nd message: it is « à vérifier », the 1st « envoyée », the 3rd was
        never claimed (« annulée ») and is sent by the next run; nobody gets two messages."""
        book = make_book(workbook())
        mail = smtp_settings(smtp_server)
        with pytest.raises(Crash):
            renewals(book, CrashingSender(SmtpSender(mail), after=2), mail)
        outcomes = [(r["Membre"], r["Statut"]) for r in relances(book)]
        assert outcomes == [
            ("M0001", "en cours"),
            ("M0001", "envoyée"),
            ("M0002", "en cours"),
            ("M0002", "à vérifier"),
            ("M0003", "annulée"),
        ]
        after = smtp_run(book, smtp_server)
        assert [m.member_id for m in after.messages] == ["M0003"] and after.sent == 1
        assert [c.member_id for c in after.to_check] == ["M0002"]
        assert received(smtp_server) == sorted(a for a, _ in SENT_TODAY.values())

    def test_a_person_can_ask_for_a_resend(self, make_book, smtp_server):
        """After checking, a row « à renvoyer » lets the next run send the reminder again."""
        book = make_book(workbook())
        mail = smtp_settings(smtp_server)
        with pytest.raises(Crash):
            renewals(book, SmtpSender(mail), mail, wb=CrashingWorkbook(book.open(), crash_at=2))
        wb = book.open()
        wb.append_rows(
            schema.RELANCES,
            [
                {
                    "Membre": "M0001",
                    "Échéance": dt.date(2026, 12, 23),
                    "Relance": "renouvellement J-30",
                    "Statut": "à renvoyer",
                }
            ],
        )
        result = smtp_run(book, smtp_server)
        assert [m.member_id for m in result.messages] == ["M0001", "M0002", "M0003"] and result.sent == 3

    def test_two_runs_at_once_send_once(self, make_book, smtp_server):
        """A second run starting while the first connects: whichever records « en cours » first
        sends; the other cancels its copies. (The Relances tab exists beforehand: two first-ever
        runs racing to create it make the second one fail on « tab already exists », which
        sends nothing.)"""
        book = make_book(workbook())  # Relances exists: see the note above
        mail = smtp_settings(smtp_server)
        second: list[Any] = []

        class RacingSender(SmtpSender):
            def open(self) -> None:
                second.append(renewals(book, SmtpSender(mail), mail))
                super().open()

        first = renewals(book, RacingSender(mail), mail)
        assert received(smtp_server) == sorted(a for a, _ in SENT_TODAY.values())
        assert second[0].sent == 3 and first.sent == 0 and first.cancelled == 3
        assert smtp_run(book, smtp_server, today=TODAY + dt.timedelta(days=1)).to_check == []


PREVIEWS = [
    "2026-11-23-M0001-renouvellement-J-30.eml",
    "2026-11-23-M0002-renouvellement-J-7.eml",
    "2026-11-23-M0003-premiere-cotisation-J+15.eml",
]


def preview_body(path: Path) -> str:
    """The text part of a preview file."""
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = parsed.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


class TestDryRunAndPreviews:
    def test_dry_run_lists_and_does_nothing(self, make_book, smtp_server):
        """--simulation given a real server: who would get what; no connection, no Relances, no Journal."""
        book = make_book(workbook())
        result = smtp_run(book, smtp_server, dry_run=True)
        assert {m.member_id: (m.address, m.reminder) for m in result.messages} == SENT_TODAY
        assert all(m.status == "prévue" for m in result.messages) and result.as_dict()["planned"] == 3
        assert smtp_server.connections == 0 and relances(book) == [] and journal(book) == []

    def test_dry_run_writes_previews_with_the_amounts_and_nothing_to_the_workbook(
        self, google_book, tmp_path
    ):
        """--simulation (the preview sender): one .eml per reminder with its amount; the workbook is unchanged."""
        book = google_book(workbook())
        mail = mail_settings({}, {}, base=tmp_path)
        before = {tab: book.grid(tab) for tab in ("Membres", "Relances", "Journal")}
        result = renewals(book, make_sender(mail, dry_run=True), mail, dry_run=True)
        assert sorted(p.name for p in (tmp_path / "apercus").iterdir()) == PREVIEWS
        for m in result.messages:
            assert m.preview is not None and format_money(m.amount_ttc) in preview_body(Path(m.preview))
        assert {tab: book.grid(tab) for tab in before} == before and not result.journal
        lines = "\n".join(result.lines())
        assert (
            f"M0001 Onde Claire <lea@onde.fr> — renouvellement J-30 — {format_money(result.messages[0].amount_ttc)}"
            in lines
        )
        assert "Aperçus écrits dans" in lines and "rien n'a été écrit dans le classeur" in lines

    def test_without_server_messages_are_previews_and_nothing_is_recorded(self, make_book, tmp_path):
        """No SMTP configured: one .eml per reminder in the preview folder, no Relances row, and
        a Journal line saying nothing left and how to configure the server."""
        book = make_book(workbook())
        mail = mail_settings({}, {}, base=tmp_path)
        result = renewals(book, make_sender(mail), mail)
        assert sorted(p.name for p in (tmp_path / "apercus").iterdir()) == PREVIEWS
        assert result.preview and result.sent == 0 and result.ok and relances(book) == []
        first = tmp_path / "apercus" / PREVIEWS[0]
        assert b"Message-ID: " + result.messages[0].message_id.encode() in first.read_bytes()
        [line] = journal(book)
        assert line[1:3] == ["relances", "aperçu"]
        assert line[3].startswith(
            f"Aucun serveur d'envoi configuré : 3 message(s) écrit(s) en aperçu dans "
            f"« {tmp_path / 'apercus'} » ; rien n'est parti. Pour envoyer, renseignez "
            "[mail] host"
        )
        said = "\n".join(result.lines())
        assert said.startswith("Aucun serveur d'envoi configuré : 3 message(s)") and "docs/mail.md" in said
        affirmed = re.compile(r"(?<!non )envoyé", re.IGNORECASE)  # « envoyé » never says a preview left
        assert not affirmed.search(said) and not affirmed.search(line[3])

    def test_a_preview_run_then_a_real_run_sends_each_reminder_once(self, make_book, smtp_server, tmp_path):
        """Two runs without server (previews), then one with a server: each member gets exactly one
        message, Relances is written by the real run only, and a later run sends nothing."""
        book = make_book(workbook())
        mail = mail_settings({}, {}, base=tmp_path)
        for _ in range(2):
            assert len(renewals(book, make_sender(mail), mail).messages) == 3
        assert relances(book) == [] and smtp_server.messages == []
        result = smtp_run(book, smtp_server)
        assert result.sent == 3 and received(smtp_server) == sorted(a for a, _ in SENT_TODAY.values())
        rows = relances(book)
        assert sorted(r["Statut"] for r in rows) == ["en cours"] * 3 + ["envoyée"] * 3
        assert [line[2] for line in journal(book)] == ["aperçu", "aperçu", "succès"]
        again = smtp_run(book, smtp_server)
        assert again.messages == [] and len(smtp_server.messages) == 3


class TestSettings:
    def test_renewals_section_is_read(self, tmp_path):
        """[renewals] and [mail] come from mila.toml; paths are relative to it."""
        (tmp_path / "mila.toml").write_text(
            '[mail]\npreview = "envois"\nassociation = "MILA"\n'
            '[renewals]\noffsets = [15, -30]\ncatch_up_days = 10\niban = "FR76 1234"\n',
            encoding="utf-8",
        )
        settings = load_settings(config=tmp_path / "mila.toml", env={})
        renewal = settings.renewals
        assert renewal.schedule.offsets == (-30, 15) and renewal.schedule.catch_up_days == 10
        assert renewal.iban == "FR76 1234" and renewal.payment_link is None
        mail = settings.mail
        assert mail.preview == tmp_path / "envois" and not mail.uses_smtp

    @pytest.mark.parametrize(
        ("section", "match"),
        [
            ({"offset": [-30]}, "offset : clé inconnue"),
            ({"offsets": [-30, "x"]}, "nombres entiers"),
            ({"iban": 123}, "texte"),
        ],
    )
    def test_wrong_renewals_settings_are_explained(self, section, match):
        """A mistake in [renewals] is a French ConfigError."""
        with pytest.raises(ConfigError, match=match):
            RenewalSettings.model_validate(section)
