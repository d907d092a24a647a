"""One entry per job: the command line and the scheduler do the same things; `status --alerter`;
a lost Journal line exits 3 for every job; the scheduler's loop on the injected clock."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import GoogleBook, XlsxBook
from test_mail import SmtpServer
from test_promotion_notices import TODAY as EVENT_TODAY
from test_promotion_notices import clock as event_clock
from test_promotion_notices import set_cell
from test_promotion_notices import sync as first_sync
from test_promotion_notices import workbook as event_workbook
from test_renewals import SENT_TODAY, received
from test_renewals import TODAY as RENEWALS_TODAY
from test_renewals import workbook as renewals_workbook

from automations.cli import JOURNAL_NOT_WRITTEN, main
from automations.clock import FixedClock
from automations.config import load_settings
from automations.jobs import registry
from automations.jobs.context import RunContext
from automations.jobs.registry import JOBS
from automations.jobs.sync import SyncResult
from automations.runner import FAILURE, Outcome, run_guarded, run_job, state_folder
from automations.schedule import Scheduler, Timing
from automations.workbook import Workbook
from automations.workbook.xlsx import XlsxBackend

MONDAY = dt.datetime(2026, 11, 23, 10, 0)


def mail_config(folder: Path, server: SmtpServer, extra: str = "") -> Path:
    """A mila.toml in ``folder`` whose [mail] sends through ``server``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mila.toml"
    path.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\nfrom = "adhesions@mila.fr"\n'
        "sending_starts_on = true\n" + extra,
        encoding="utf-8",
    )
    return path


def rows(book: XlsxBook, tab: str, *, leave_out: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The rows of ``tab`` as {column: value}, without the columns that tell when or which message."""
    grid = book.grid(tab)
    return [
        {name: value for name, value in zip(grid[0], line, strict=False) if name not in leave_out}
        for line in grid[1:]
    ]


class TestSchedulerAndCommandLineParity:
    def test_the_scheduled_sync_does_what_mila_sync_does(self, tmp_path, smtp_server):
        """A sync that confirms a place on a waiting list: `mila synchroniser` and the scheduler's sync write
        the same cells, record and send the same « place confirmée » notice, and note the same Journal."""
        books = {}
        for name in ("manual", "scheduled"):
            (tmp_path / name).mkdir()
            book = XlsxBook(tmp_path / name, event_workbook())
            first_sync(book)
            set_cell(book, "Inscriptions", "I0001", "Statut", "annulé")
            books[name] = (book, mail_config(tmp_path / name, smtp_server))

        manual, config = books["manual"]
        out = io.StringIO()
        assert (
            main(
                [
                    "sync",
                    "--classeur",
                    str(manual.path),
                    "--config",
                    str(config),
                    "--date",
                    EVENT_TODAY.isoformat(),
                ],
                out=out,
            )
            == 0
        )
        assert "Messages « place confirmée » envoyés : 1" in out.getvalue()

        scheduled, config = books["scheduled"]
        settings = load_settings(config=config, workbook=str(scheduled.path), env={})
        done = run_job(settings, JOBS["sync"], event_clock())
        assert done.ok and "1 message(s) « place confirmée » envoyé(s)" in done.message

        assert received(smtp_server) == ["paul@nord.fr", "paul@nord.fr"]
        for tab in ("Membres", "Événements", "Inscriptions"):
            assert rows(manual, tab) == rows(scheduled, tab)
        when = ("Envoyée le", "Message-ID", "Date", "Détails")
        assert rows(manual, "Relances", leave_out=when) == rows(scheduled, "Relances", leave_out=when)
        statuses = [r["Statut"] for r in rows(manual, "Relances")]
        assert statuses == ["à envoyer", "en cours", "envoyée"]
        journal = [(r["Tâche"], r["Résultat"]) for r in rows(manual, "Journal")]
        assert journal == [(r["Tâche"], r["Résultat"]) for r in rows(scheduled, "Journal")]
        assert ("avis de place confirmée", "succès") in journal

    def test_the_command_line_and_the_scheduler_call_the_same_entry(self, tmp_path):
        """Every scheduled job runs its registry entry on a run context built from the settings."""
        settings = load_settings(env={}, cwd=tmp_path)
        seen: list[RunContext] = []
        job = JOBS["sync"]
        done = SyncResult(dry_run=False)

        def spy_entry(ctx: RunContext) -> SyncResult:
            seen.append(ctx)
            return done

        spy = type(job)(job.name, spy_entry)
        assert spy.work(settings, FixedClock(MONDAY)) is done
        assert seen[0].settings is settings and seen[0].today == MONDAY.date() and not seen[0].dry_run


class TestLostJournalLine:
    def test_renewals_whose_journal_line_is_lost_exit_3(self, emulator, monkeypatch, tmp_path, smtp_server):
        """`mila relances` that sent its reminders but could not note them in Journal says so, exit 3."""
        for name in ("MILA_CONFIG", "MILA_WORKBOOK", "MILA_SHEET", "GOOGLE_APPLICATION_CREDENTIALS"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("SHEETS_EMULATOR_HOST", emulator.address)
        book = GoogleBook(emulator, renewals_workbook())
        config = mail_config(
            tmp_path,
            smtp_server,
            "[workbook.retry]\nattempts = 2\ntimeout = 5\n"
            "wait_initial = 0.001\nwait_max = 0.01\nwait_jitter = 0\n",
        )
        emulator.fail_next(503, count=2, match="Journal")
        out = io.StringIO()
        code = main(
            [
                "renewals",
                "--feuille",
                book.key,
                "--config",
                str(config),
                "--date",
                RENEWALS_TODAY.isoformat(),
            ],
            out=out,
        )
        emulator.clear_faults()
        said = out.getvalue()
        assert code == JOURNAL_NOT_WRITTEN == 3
        assert received(smtp_server) == sorted(address for address, _ in SENT_TODAY.values())
        assert "les envois ci-dessus sont faits, mais la ligne qui les note dans l'onglet Journal" in said
        assert book.grid("Journal")[1:] == []
        record = json.loads((state_folder(load_settings(config=config, env={})) / "state.json").read_text())
        assert record["jobs"]["renewals"]["last_result"] == FAILURE
        assert "ligne du Journal non écrite" in record["jobs"]["renewals"]["last_message"]

    def test_notices_whose_journal_line_is_lost_leave_the_sync_journal_incomplete(
        self, tmp_path, smtp_server
    ):
        """A sync whose « place confirmée » notice left but whose Journal line did not: the sync
        result says its Journal is incomplete, and its record is a failure to look at."""
        book = XlsxBook(tmp_path, event_workbook())
        first_sync(book)
        set_cell(book, "Inscriptions", "I0001", "Statut", "annulé")
        settings = load_settings(config=mail_config(tmp_path / "conf", smtp_server), env={})
        workbook = Workbook(NoPromotionsJournal(book.path))
        result = registry.sync(RunContext(settings, event_clock(), workbook=workbook))
        assert result.journal and result.notices is not None and result.notices.sent == 1
        assert result.journal_lost and not result.notices.journal
        outcome = result.outcome()
        assert outcome.result == FAILURE and "ligne du Journal non écrite" in outcome.summary


class NoPromotionsJournal(XlsxBackend):
    """An .xlsx backend that loses the Journal lines of the « place confirmée » notices only."""

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        from automations.errors import WorkbookUnavailable

        if title == "Journal" and any("avis de place confirmée" in line for line in rows):
            raise WorkbookUnavailable("Google Sheets est injoignable (essai).")
        super().append_rows(title, rows)


class TestStatusAlert:
    def failing(self, tmp_path: Path, server: SmtpServer) -> Path:
        """An installation whose sync failed twice since its last success."""
        config = mail_config(tmp_path, server)
        settings = load_settings(config=config, env={})
        run_guarded(settings, "sync", FixedClock(MONDAY), lambda: 1, lambda _: Outcome("succès", "ok"))

        def fail() -> None:
            from automations.errors import MilaError

            raise MilaError("Google Sheets est injoignable")

        for _ in range(2):
            with pytest.raises(Exception, match="injoignable"):
                run_guarded(settings, "sync", FixedClock(MONDAY), fail, lambda _: Outcome("succès", ""))
        return config

    def test_a_failure_is_mailed_in_french(self, tmp_path, smtp_server):
        """A job failing since its last success: one short French e-mail to the address, exit 1."""
        config = self.failing(tmp_path, smtp_server)
        out = io.StringIO()
        assert main(["status", "--config", str(config), "--alerter", "equipe@mila.fr"], out=out) == 1
        assert "Alerte envoyée à equipe@mila.fr" in out.getvalue()
        [(sender, recipients, data)] = smtp_server.messages
        assert recipients == ["equipe@mila.fr"] and sender == "adhesions@mila.fr"
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert message["Subject"].startswith("mila : 1 tâche(s) en échec")
        body = message.get_body().get_content()  # type: ignore[union-attr]
        assert "« synchronisation »" in body and "synchronisation :" in body
        assert "échecs depuis la dernière réussite : 2" in body and "Google Sheets est injoignable" in body

    def test_nothing_to_report_sends_nothing(self, tmp_path, smtp_server):
        """No failure since the last success: nothing is sent, and the command says so."""
        config = mail_config(tmp_path, smtp_server)
        settings = load_settings(config=config, env={})
        run_guarded(settings, "sync", FixedClock(MONDAY), lambda: 1, lambda _: Outcome("succès", "ok"))
        out = io.StringIO()
        assert main(["status", "--config", str(config), "--alerter", "equipe@mila.fr"], out=out) == 0
        assert "Rien à signaler" in out.getvalue() and "aucune alerte envoyée" in out.getvalue()
        assert smtp_server.messages == [] and smtp_server.connections == 0

    def test_without_a_mail_server_the_alert_is_a_french_error(self, tmp_path, capsys):
        """No [mail] host: exit 2, with what to configure."""
        config = tmp_path / "mila.toml"
        config.write_text("", encoding="utf-8")
        assert (
            main(["status", "--config", str(config), "--alerter", "equipe@mila.fr"], out=io.StringIO()) == 2
        )
        err = capsys.readouterr().err
        assert "Erreur : Aucun serveur d'envoi configuré : l'alerte ne peut pas partir" in err
        assert "[mail] host" in err


class TestSchedulerClock:
    def test_the_loop_runs_what_is_due_on_the_injected_clock(self):
        """Five minutes pass at each look: sync at 10:05 then every 15 minutes, renewals once."""
        stop = threading.Event()
        ran: list[tuple[str, dt.time]] = []

        class Passing(FixedClock):
            def now(self) -> dt.datetime:
                self.advance(minutes=5)
                if self.at >= MONDAY + dt.timedelta(hours=1):
                    stop.set()
                return self.at

        clock = Passing(MONDAY)
        timings = {"sync": Timing(every_minutes=15), "renewals": Timing(at=dt.time(9, 0))}
        scheduler = Scheduler(
            timings, lambda job: ran.append((job, clock.at.time())), clock=clock, stop_event=stop
        )
        scheduler.loop(tick=0)
        assert ran == [
            ("sync", dt.time(10, 5)),
            ("renewals", dt.time(10, 5)),
            ("sync", dt.time(10, 20)),
            ("sync", dt.time(10, 35)),
            ("sync", dt.time(10, 50)),
        ]
