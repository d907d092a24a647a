"""« Place confirmée » notices: a promotion written by the sync is recorded, then told to the member once.

Messages go to a real SMTP server (aiosmtpd on 127.0.0.1, see ``test_mail.SmtpServer``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from test_mail import free_port, mail_settings, smtp_settings
from test_renewals import Crash, CrashingSender, CrashingWorkbook, received, relances

from automations.clock import FixedClock
from automations.errors import MailError
from automations.jobs.promotions import event_when, notice_key, record_promotions, run_promotion_notices
from automations.jobs.sync import run_sync
from automations.mail import MailSettings, SmtpSender, make_sender
from automations.model.rows import Event
from automations.outbox import entries
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2027, 2, 15)
NOW = dt.datetime(2027, 2, 15, 9, 15)
EVENT_DAY = dt.date(2027, 3, 4)
LABEL = "place confirmée I0002"


def workbook() -> dict[str, list[list[object]]]:
    """One event with a single seat: I0001 (M0001) is confirmed, I0002 (M0002) waits."""
    return {
        "Membres": [
            [
                "ID",
                "Structure",
                "Contact",
                "Email",
                "Catégorie",
                "Forfait",
                "Adhésion le",
                "Cotisation payée le",
            ],
            [
                "M0001",
                "Onde Claire",
                "Léa Morel",
                "lea@onde.fr",
                "bénéficiaire",
                "PREMIUM",
                "10/01/2023",
                "15/11/2026",
            ],
            [
                "M0002",
                "Studio Nord & Fils",
                "Paul Roux",
                "paul@nord.fr",
                "bénéficiaire",
                "BASIC",
                "01/09/2022",
                "10/11/2026",
            ],
        ],
        "Événements": [
            ["ID", "Date", "Heure", "Type", "Titre", "Intervenants", "Lieu", "Capacité"],
            [
                "E001",
                "04/03/2027",
                "18:30",
                "Club MILA",
                "Les droits voisins à l'ère du streaming",
                "Marie Dupont (Sacem); Karim Benali (Adami)",
                "Pépinière, salle Ella Fitzgerald",
                1,
            ],
        ],
        "Inscriptions": [
            ["ID", "Événement", "Membre", "Inscrit le", "Statut"],
            ["I0001", "E001", "M0001", "01/02/2027 10:00", "inscrit"],
            ["I0002", "E001", "M0002", "02/02/2027 10:00", "inscrit"],
        ],
        "Tarifs": [
            ["Code", "Montant HT", "Du", "Au"],
            ["BASIC", 120, "01/03/2024", None],
            ["PREMIUM", 170, "01/03/2024", None],
        ],
    }


def clock(today: dt.date = TODAY) -> FixedClock:
    return FixedClock(dt.datetime.combine(today, NOW.time()))


def set_cell(book, tab: str, row_id: str, column: str, value: object) -> None:
    grid = book.grid(tab)
    row = next(i for i, line in enumerate(grid, start=1) if line and line[0] == row_id)
    book.edit(tab, {(row, grid[0].index(column) + 1): value})


def sync(book):
    return run_sync(book.open(), today=TODAY, policy=MembershipPolicy(), clock=clock())


def promote(book):
    """Sync, cancel I0001, sync again: I0002 gets the seat and the sync records its notice « à envoyer »."""
    sync(book)
    set_cell(book, "Inscriptions", "I0001", "Statut", "annulé")
    result = sync(book)
    assert [(p.registration_id, p.member_id, p.event_id) for p in result.promotions] == [
        ("I0002", "M0002", "E001")
    ]
    assert record_promotions(book.open(), result.promotions, clock=clock()) == 0  # already recorded by sync
    return result


def notices(book, mail: MailSettings, sender=None, *, today=TODAY, dry_run=False, wb=None):
    return run_promotion_notices(
        wb or book.open(),
        today=today,
        mail=mail,
        sender=sender or SmtpSender(mail),
        clock=clock(today),
        dry_run=dry_run,
    )


def journal(book) -> list[list[Any]]:
    """Journal lines of this job (the sync writes its own)."""
    if "Journal" not in book.open().tabs():
        return []
    return [line for line in book.grid("Journal")[1:] if line[1] == "avis de place confirmée"]


def statuses(book) -> list[str]:
    return [r["Statut"] for r in relances(book)]


@pytest.fixture
def google_book(emulator):
    """For tests where the backend does not matter: the Sheets emulator."""
    from conftest import GoogleBook

    return lambda tabs: GoogleBook(emulator, tabs)


class TestRecording:
    def test_the_promotion_is_recorded_to_send_with_the_event_date(self, make_book):
        """The sync appends one « à envoyer » row: member, event date, « place confirmée I0002 »."""
        book = make_book(workbook())
        promote(book)
        rows = relances(book)
        assert [(r["Membre"], r["Relance"], r["Statut"]) for r in rows] == [("M0002", LABEL, "à envoyer")]
        [entry] = entries(book.open().read(["Relances"])["Relances"], None)
        assert (entry.reference, entry.member_id, entry.message_id) == (EVENT_DAY, "M0002", None)
        assert "E001" in rows[0]["Détails"]

    def test_recording_the_same_promotion_twice_appends_once(self, make_book):
        """A second record of the same promotion (same registration) appends nothing."""
        book = make_book(workbook())
        result = promote(book)
        assert record_promotions(book.open(), result.promotions + result.promotions, clock=clock()) == 0
        assert statuses(book) == ["à envoyer"]

    def test_nothing_to_record_sends_no_request(self, google_book):
        """No promotion: nothing read, nothing appended, no Relances tab created."""
        book = google_book(workbook())
        assert record_promotions(book.open(), [], clock=clock()) == 0
        assert "Relances" not in book.open().tabs()

    def test_labels_are_read_leniently(self):
        """The key is the registration ID, whatever the case, accents and zero padding."""
        assert notice_key("place confirmée I0002") == notice_key("Place confirmee  i2") == "I2"
        assert notice_key("renouvellement J-30") is None


class TestSending:
    def test_a_promotion_recorded_by_sync_is_sent_once_with_the_right_content(self, make_book, smtp_server):
        """End to end: the freed seat goes to I0002, Paul Roux gets one message in French with the
        event's title, type, date, place and speakers; Relances and Journal record it."""
        book = make_book(workbook())
        promote(book)
        result = notices(book, smtp_settings(smtp_server))
        assert received(smtp_server) == ["paul@nord.fr"] and smtp_server.connections == 1
        assert (result.sent, result.failed, result.ok) == (1, 0, True)
        message = smtp_server.parsed()[0]
        assert message["To"].addresses[0].display_name == "Paul Roux"
        assert message["Subject"] == (
            "Votre place est confirmée : Les droits voisins à l’ère du streaming, jeudi 4 mars 2027 à 18h30"
        )
        text = message.get_body(("plain",)).get_content()
        for expected in (
            "Bonjour Paul Roux",
            "Une place s’est libérée",
            "votre inscription est confirmée",
            "Les droits voisins à l’ère du streaming",
            "Type : Club MILA",
            "Date : jeudi 4 mars 2027 à 18h30",
            "Lieu : Pépinière, salle Ella Fitzgerald",
            "Intervenants : Marie Dupont (Sacem), Karim Benali (Adami)",
            "I0002, au nom de Studio Nord & Fils",
            "Si vous ne pouvez plus venir",
            "répondant simplement à ce message",
            "L’équipe du MILA",
        ):
            assert expected in text, expected
        html = message.get_body(("html",)).get_content()
        assert "Studio Nord &amp; Fils" in html and "jeudi 4 mars 2027 à 18h30" in html
        rows = relances(book)
        assert [r["Statut"] for r in rows] == ["à envoyer", "en cours", "envoyée"]
        assert rows[1]["Message-ID"] == rows[2]["Message-ID"] == message["Message-ID"]
        assert {r["Relance"] for r in rows} == {LABEL} and rows[2]["Adresse"] == "paul@nord.fr"
        lines = journal(book)
        assert len(lines) == 1 and lines[0][2] == "succès" and "1 message(s)" in lines[0][3]

    def test_a_second_run_sends_nothing(self, make_book, smtp_server):
        """Once sent: no message, no connection, no new row, no Journal line."""
        book = make_book(workbook())
        promote(book)
        notices(book, smtp_settings(smtp_server))
        again = notices(book, smtp_settings(smtp_server), today=TODAY + dt.timedelta(days=1))
        assert (
            again.messages == []
            and not again.journal
            and again.lines() == ["Aucun message « place confirmée » à envoyer."]
        )
        assert len(smtp_server.messages) == 1 and smtp_server.connections == 1
        assert len(relances(book)) == 3 and len(journal(book)) == 1

    def test_smtp_down_keeps_the_notice_and_the_next_run_sends_it(self, make_book, smtp_server):
        """Server unreachable: a French MailError, nothing recorded as sent, the « à envoyer » stays;
        the next run sends it."""
        book = make_book(workbook())
        promote(book)
        down = MailSettings(host="127.0.0.1", port=free_port(), security="none", timeout=2)
        with pytest.raises(MailError, match="injoignable"):
            notices(book, down)
        assert statuses(book) == ["à envoyer"]
        assert [line[2] for line in journal(book)] == ["échec"] and "injoignable" in journal(book)[0][3]
        later = notices(book, smtp_settings(smtp_server))
        assert later.sent == 1 and received(smtp_server) == ["paul@nord.fr"]
        assert statuses(book) == ["à envoyer", "en cours", "envoyée"]

    def test_dry_run_lists_and_does_nothing(self, google_book, smtp_server):
        """--simulation: who would be told; no connection, no row, no Journal line."""
        book = google_book(workbook())
        promote(book)
        result = notices(book, smtp_settings(smtp_server), dry_run=True)
        assert [(m.registration_id, m.address, m.status) for m in result.messages] == [
            ("I0002", "paul@nord.fr", "prévue")
        ]
        assert result.as_dict()["planned"] == 1 and smtp_server.connections == 0
        assert statuses(book) == ["à envoyer"] and journal(book) == []

    def test_without_server_the_notice_is_a_preview_and_stays_to_send(self, make_book, smtp_server, tmp_path):
        """No server: the notice is written to the preview folder, Relances keeps « à envoyer » only,
        Journal says nothing left; once a server is configured it is sent, once."""
        book = make_book(workbook())
        promote(book)
        mail = mail_settings({}, {}, base=tmp_path)
        for _ in range(2):
            result = notices(book, mail, make_sender(mail))
            assert result.preview and result.sent == 0 and [m.status for m in result.messages] == ["prévue"]
        assert [p.name for p in (tmp_path / "apercus").iterdir()] == [
            "2027-02-15-M0002-place-confirmee-I0002.eml"
        ]
        assert statuses(book) == ["à envoyer"]
        assert [line[2] for line in journal(book)] == ["aperçu", "aperçu"]
        assert journal(book)[0][3].startswith(
            "Aucun serveur d'envoi configuré : 1 message(s) écrit(s) en aperçu"
        )
        text = "\n".join(result.lines())
        assert "rien n'est parti" in text and not re.search(r"(?<!non )envoyé", text, re.IGNORECASE)
        later = notices(book, smtp_settings(smtp_server))
        assert later.sent == 1 and received(smtp_server) == ["paul@nord.fr"]
        assert statuses(book) == ["à envoyer", "en cours", "envoyée"]

    def test_without_server_a_notice_out_of_date_is_not_closed(self, google_book, tmp_path):
        """No server: a notice that no longer makes sense is listed, but Relances is not written."""
        book = google_book(workbook())
        promote(book)
        set_cell(book, "Inscriptions", "I0002", "Statut", "annulé")
        mail = mail_settings({}, {}, base=tmp_path)
        result = notices(book, mail, make_sender(mail))
        assert result.closed and statuses(book) == ["à envoyer"] and journal(book) == []
        assert "qui seraient classés « annulée »" in "\n".join(result.lines())

    def test_mila_sync_without_server_says_the_notice_did_not_leave(self, tmp_path):
        """`mila synchroniser` that frees a seat, with no server: the notice is a preview, the output says
        nothing left and how to configure the server, Relances holds only « à envoyer »."""
        import io

        from conftest import XlsxBook

        from automations.cli import main

        book = XlsxBook(tmp_path, workbook())
        (tmp_path / "mila.toml").write_text(f'[workbook]\npath = "{book.path}"\n', encoding="utf-8")
        command = ["sync", "--config", str(tmp_path / "mila.toml"), "--date", TODAY.isoformat()]
        assert main(command, out=io.StringIO()) == 0
        set_cell(book, "Inscriptions", "I0001", "Statut", "annulé")
        out = io.StringIO()
        assert main(command, out=out) == 0
        said = out.getvalue()
        assert "Aucun serveur d'envoi configuré : 1 message(s) écrit(s) en aperçu dans « " in said
        assert "rien n'est parti. Pour envoyer, renseignez [mail] host" in said
        assert not re.search(r"(?<!non )envoyé", said, re.IGNORECASE)
        assert [p.name for p in (tmp_path / "apercus").iterdir()] == [
            "2027-02-15-M0002-place-confirmee-I0002.eml"
        ]
        assert statuses(book) == ["à envoyer"]

    def test_french_summary_and_json(self, google_book, smtp_server):
        """lines() says in French what was sent; as_dict() has the counts and the message."""
        book = google_book(workbook())
        promote(book)
        result = notices(book, smtp_settings(smtp_server))
        text = "\n".join(result.lines())
        assert "Messages « place confirmée » envoyés : 1" in text
        assert "I0002 M0002 Studio Nord & Fils <paul@nord.fr> — Les droits voisins" in text
        assert "Une ligne a été ajoutée à l'onglet Journal." in text
        data = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
        assert (data["sent"], data["failed"], data["closed"]) == (1, 0, 0)
        assert data["messages"][0]["registration"] == "I0002" and data["messages"][0]["status"] == "envoyée"

    def test_the_date_reads_in_french(self):
        """Weekday, day (1er on the first), month, year and the time when there is one."""
        assert (
            event_when(Event(2, "E001", dt.date(2027, 3, 4), dt.time(18, 30))) == "jeudi 4 mars 2027 à 18h30"
        )
        assert event_when(Event(2, "E001", dt.date(2027, 3, 1))) == "lundi 1er mars 2027"


class TestClosing:
    def test_a_registration_cancelled_before_sending_is_closed_with_the_reason(self, make_book, smtp_server):
        """I0002 cancelled before the run: no message, the notice is closed « annulée » with the reason,
        once; later runs do nothing."""
        book = make_book(workbook())
        promote(book)
        set_cell(book, "Inscriptions", "I0002", "Statut", "annulé")
        result = notices(book, smtp_settings(smtp_server))
        assert result.messages == [] and smtp_server.connections == 0
        assert [(c.registration_id, c.reason) for c in result.closed] == [
            ("I0002", "inscription annulée avant l'envoi du message.")
        ]
        closing = relances(book)[-1]
        assert (closing["Statut"], closing["Relance"], closing["Message-ID"]) == ("annulée", LABEL, None)
        assert closing["Détails"] == "inscription annulée avant l'envoi du message."
        assert "sans objet" in journal(book)[0][3]
        again = notices(book, smtp_settings(smtp_server))
        assert again.closed == [] and len(relances(book)) == 2 and len(journal(book)) == 1

    @pytest.mark.parametrize(
        ("edit", "today", "reason"),
        [
            (
                ("Inscriptions", "I0002", "Place", "attente 1"),
                TODAY,
                "la place n'est plus confirmée (Place : « attente 1 »)",
            ),
            (None, EVENT_DAY + dt.timedelta(days=1), "l'événement a eu lieu le 4 mars 2027"),
        ],
    )
    def test_a_place_no_longer_confirmed_or_a_past_event_closes_the_notice(
        self, google_book, smtp_server, edit, today, reason
    ):
        """Place back on the waiting list, or the event already held: closed, nothing sent."""
        book = google_book(workbook())
        promote(book)
        if edit:
            set_cell(book, *edit)
        result = notices(book, smtp_settings(smtp_server), today=today)
        assert result.messages == [] and reason in result.closed[0].reason
        assert statuses(book) == ["à envoyer", "annulée"] and reason in relances(book)[-1]["Détails"]

    def test_a_closed_notice_recorded_again_is_reopened_and_sent(self, google_book, smtp_server):
        """Closed after a cancellation, then the member gets the seat again: recorded anew and sent once."""
        book = google_book(workbook())
        promotion = promote(book).promotions
        set_cell(book, "Inscriptions", "I0002", "Statut", "annulé")
        notices(book, smtp_settings(smtp_server))
        set_cell(book, "Inscriptions", "I0002", "Statut", "inscrit")
        assert record_promotions(book.open(), promotion, clock=clock()) == 1
        assert record_promotions(book.open(), promotion, clock=clock()) == 0
        result = notices(book, smtp_settings(smtp_server))
        assert result.sent == 1 and received(smtp_server) == ["paul@nord.fr"]
        assert statuses(book) == ["à envoyer", "annulée", "à envoyer", "en cours", "envoyée"]


class TestFailures:
    def test_a_temporary_refusal_is_retried_by_the_next_run(self, google_book, smtp_server):
        """450: « échec » with the reason; the next run sends it."""
        smtp_server.refuse["paul@nord.fr"] = "450 4.2.1 Boite pleine, reessayez plus tard"
        book = google_book(workbook())
        promote(book)
        first = notices(book, smtp_settings(smtp_server))
        assert (first.sent, first.failed, first.ok) == (0, 1, False)
        assert relances(book)[-1]["Détails"] == "450 4.2.1 Boite pleine, reessayez plus tard"
        del smtp_server.refuse["paul@nord.fr"]
        second = notices(book, smtp_settings(smtp_server))
        assert second.sent == 1 and received(smtp_server) == ["paul@nord.fr"]

    def test_a_permanent_refusal_waits_for_another_address(self, google_book, smtp_server):
        """550: not tried again at that address; the notice waits, with the reason, and leaves
        once « Email » is corrected."""
        smtp_server.refuse["paul@nord.fr"] = "550 5.1.1 Utilisateur inconnu"
        book = google_book(workbook())
        promote(book)
        notices(book, smtp_settings(smtp_server))
        second = notices(book, smtp_settings(smtp_server))
        assert second.messages == [] and "550 5.1.1" in second.waiting[0].reason
        assert smtp_server.connections == 1
        set_cell(book, "Membres", "M0002", "Email", "paul.roux@nord.fr")
        third = notices(book, smtp_settings(smtp_server))
        assert third.sent == 1 and received(smtp_server) == ["paul.roux@nord.fr"]


class TestCrashes:
    def test_crash_between_send_and_record_is_to_check_and_never_resent(self, make_book, smtp_server):
        """Sent but the outcome never recorded: the next run sends nothing and marks it « à vérifier »
        once (Journal); later runs list it without writing anything."""
        book = make_book(workbook())
        promote(book)
        mail = smtp_settings(smtp_server)
        with pytest.raises(Crash):
            notices(book, mail, wb=CrashingWorkbook(book.open(), crash_at=2))
        assert received(smtp_server) == ["paul@nord.fr"] and statuses(book) == ["à envoyer", "en cours"]

        after = notices(book, mail, today=TODAY + dt.timedelta(days=1))
        assert after.messages == [] and [c.detail("registration") for c in after.to_check] == ["I0002"]
        assert after.to_check[0].new and not after.ok
        assert statuses(book) == ["à envoyer", "en cours", "à vérifier"]
        assert journal(book)[-1][2] == "à vérifier" and "I0002" in journal(book)[-1][3]
        assert "Cherchez ce Message-ID" in "\n".join(after.lines())

        third = notices(book, mail, today=TODAY + dt.timedelta(days=2))
        assert third.to_check and not third.to_check[0].new and len(relances(book)) == 3
        assert len(smtp_server.messages) == 1 and len(journal(book)) == 1

    def test_crash_while_sending_is_to_check(self, google_book, smtp_server):
        """Dying right after the message left: « à vérifier » recorded, never sent again."""
        book = google_book(workbook())
        promote(book)
        mail = smtp_settings(smtp_server)
        with pytest.raises(Crash):
            notices(book, mail, CrashingSender(SmtpSender(mail), after=1))
        assert statuses(book) == ["à envoyer", "en cours", "à vérifier"]
        after = notices(book, mail)
        assert after.messages == [] and len(after.to_check) == 1 and len(smtp_server.messages) == 1

    def test_two_runs_at_once_send_once(self, google_book, smtp_server):
        """A second run starting while the first connects: only one of them sends."""
        book = google_book(workbook())
        promote(book)
        mail = smtp_settings(smtp_server)
        second: list[Any] = []

        class RacingSender(SmtpSender):
            def open(self) -> None:
                second.append(notices(book, mail))
                super().open()

        first = notices(book, mail, RacingSender(mail))
        assert received(smtp_server) == ["paul@nord.fr"]
        assert second[0].sent == 1 and first.sent == 0 and first.cancelled == 1
        assert notices(book, mail, today=TODAY + dt.timedelta(days=1)).to_check == []
