"""Unattended operation: timings, catch-up, one instance at a time, the local record."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading

import pytest
from conftest import first_sheet

from automations.clock import FixedClock
from automations.config import load_settings
from automations.errors import ConfigError, MilaError
from automations.jobs.registry import paused_jobs
from automations.lock import AlreadyRunning, single_instance
from automations.runner import FAILURE, PREVIEW, SUCCESS, Outcome, run_guarded, state_folder
from automations.schedule import DEFAULT_TIMINGS, Scheduler, Timing, is_due, next_run
from automations.settings import ScheduleSettings
from automations.state import load_state

MONDAY = dt.datetime(2026, 11, 23, 10, 0)  # a Monday
MAIL_SERVER = '[mail]\nhost = "127.0.0.1"\nsecurity = "none"\nfrom = "adhesions@mila.fr"\n'
SATURDAY = dt.datetime(2026, 11, 28, 10, 0)


def timings_from(section: dict) -> dict[str, Timing]:
    """The timings a [schedule] section gives."""
    return ScheduleSettings.model_validate(section).timings()


class TestTimings:
    def test_sync_runs_every_15_minutes_on_working_days_from_8_to_20(self):
        """Due on Monday 10:00 after 15 min, not after 10, not at 21:00, not on Saturday."""
        sync = DEFAULT_TIMINGS["sync"]
        assert is_due(sync, MONDAY - dt.timedelta(minutes=15), MONDAY)
        assert not is_due(sync, MONDAY - dt.timedelta(minutes=10), MONDAY)
        assert not is_due(sync, None, MONDAY.replace(hour=21))
        assert not is_due(sync, None, SATURDAY)

    def test_a_daily_job_missed_in_the_morning_is_caught_up_once(self):
        """Renewals at 9:00: due at 10:00 if not yet run today, then not again until tomorrow."""
        renewals = DEFAULT_TIMINGS["renewals"]
        assert is_due(renewals, MONDAY - dt.timedelta(days=1), MONDAY)
        assert not is_due(renewals, MONDAY.replace(hour=9, minute=1), MONDAY)
        assert not is_due(renewals, None, MONDAY.replace(hour=8))

    def test_the_report_never_runs_by_itself(self):
        """The annual report has no automatic run and no next run."""
        assert not is_due(DEFAULT_TIMINGS["report"], None, MONDAY)
        assert next_run(DEFAULT_TIMINGS["report"], None, MONDAY) is None

    def test_next_runs_are_computed_from_the_last_one(self):
        """After a sync at 19:55 on Friday, the next is Monday 8:00; renewals after today's run is tomorrow 9:00."""
        friday = dt.datetime(2026, 11, 27, 19, 55)
        assert next_run(DEFAULT_TIMINGS["sync"], friday, friday + dt.timedelta(minutes=1)) == dt.datetime(
            2026, 11, 30, 8, 0
        )
        ran = MONDAY.replace(hour=9, minute=0, second=5)
        assert next_run(DEFAULT_TIMINGS["renewals"], ran, MONDAY) == dt.datetime(2026, 11, 24, 9, 0)

    def test_timings_come_from_the_configuration(self):
        """[schedule.sync] and [schedule.renewals] override the defaults; a typo is refused."""
        timings = timings_from(
            {
                "state_dir": "x",
                "sync": {"every_minutes": 30, "days": ["lundi", "mercredi"], "from": "09:00", "to": "18:00"},
                "renewals": {"at": "08:15"},
            }
        )
        assert timings["sync"] == Timing(
            every_minutes=30, days=frozenset({0, 2}), start=dt.time(9), end=dt.time(18)
        )
        assert timings["renewals"].at == dt.time(8, 15)
        with pytest.raises(ConfigError, match="relances|aucune tâche"):
            timings_from({"relances": {"at": "08:00"}})
        with pytest.raises(ConfigError, match="HH:MM"):
            timings_from({"renewals": {"at": "neuf heures"}})


class TestSchedulerLoop:
    def test_catch_up_runs_each_due_job_once(self):
        """At start-up on Monday 10:00, what is due runs once (documents ran at 7:31): the staff's
        requests first, the HelloAsso orders and the invoices before the renewals, the summary to
        the staff last, the report never."""
        ran: list[str] = []
        last = {"documents": MONDAY.replace(hour=7, minute=31)}
        scheduler = Scheduler(DEFAULT_TIMINGS, ran.append, last.get)
        due = ["demandes", "sync", "promotions", "paiements", "factures", "renewals", "resume"]
        assert scheduler.catch_up(MONDAY) == due
        assert ran == due

    def test_the_loop_stops_after_the_current_job_when_asked(self):
        """Setting the stop event (as SIGTERM does) ends the loop once the running job is done."""
        stop = threading.Event()
        finished: list[str] = []

        def run(job: str) -> None:
            stop.set()  # the signal arrives while the job runs
            finished.append(job)

        timings = {"sync": Timing(every_minutes=1), "renewals": Timing(at=dt.time(9, 0))}
        scheduler = Scheduler(timings, run, clock=FixedClock(MONDAY), stop_event=stop)
        scheduler.loop(tick=0.01)
        assert finished == ["sync"]  # renewals was due too, but the stop came first


class TestRunner:
    def test_each_run_is_recorded_with_its_result(self, tmp_path):
        """A success then a failure: state.json shows the failure count since the last success."""
        settings = load_settings(env={}, cwd=tmp_path)
        clock = FixedClock(MONDAY)
        run_guarded(settings, "sync", clock, lambda: 1, lambda _: Outcome(SUCCESS, "ok"))

        def fail() -> None:
            raise MilaError("Google injoignable")

        for _ in range(2):
            with pytest.raises(MilaError):
                run_guarded(settings, "sync", clock, fail, lambda _: Outcome(SUCCESS, ""))
        record = load_state(state_folder(settings) / "state.json").jobs["sync"]
        assert record.last_result == FAILURE and record.failures_since_success == 2
        assert record.last_message == "Google injoignable" and record.last_success == MONDAY.isoformat()

    def test_a_preview_run_is_not_a_success(self, tmp_path):
        """A mail job run without server (« aperçu ») neither clears the failures nor counts as a success."""
        settings = load_settings(env={}, cwd=tmp_path)

        def fail() -> None:
            raise MilaError("serveur injoignable")

        with pytest.raises(MilaError):
            run_guarded(settings, "renewals", FixedClock(MONDAY), fail, lambda _: Outcome(SUCCESS, ""))
        run_guarded(
            settings, "renewals", FixedClock(MONDAY), lambda: 1, lambda _: Outcome(PREVIEW, "3 en aperçu")
        )
        record = load_state(state_folder(settings) / "state.json").jobs["renewals"]
        assert (
            record.last_result == PREVIEW
            and record.failures_since_success == 1
            and record.last_success is None
        )

    def test_a_second_instance_waits_then_refuses_clearly(self, tmp_path):
        """While the lock is held, another job gives up after the wait with a French message."""
        settings = load_settings(env={}, cwd=tmp_path)
        held = single_instance(state_folder(settings))
        with held, pytest.raises(AlreadyRunning, match="Une autre tâche mila est en cours"):
            run_guarded(
                settings, "sync", FixedClock(MONDAY), lambda: 1, lambda _: Outcome(SUCCESS, ""), wait=0.2
            )

    def test_status_reports_last_and_next_runs(self, tmp_path, monkeypatch):
        """`mila etat --json` lists each job with its last result and failures since success."""
        from automations.cli import main

        monkeypatch.chdir(tmp_path)
        (tmp_path / "mila.toml").write_text(MAIL_SERVER, encoding="utf-8")
        settings = load_settings(env={}, cwd=tmp_path)
        run_guarded(
            settings, "sync", FixedClock(MONDAY), lambda: 1, lambda _: Outcome(SUCCESS, "3 cellule(s)")
        )
        out = io.StringIO()
        assert main(["status", "--json"], out=out) == 0
        rows = {r["job"]: r for r in json.loads(out.getvalue())}
        assert rows["sync"]["result"] == SUCCESS and rows["sync"]["message"] == "3 cellule(s)"
        assert rows["sync"]["next_run"] is not None


class TestMailJobsWithoutServer:
    def test_mail_jobs_are_paused_while_no_server_is_configured(self, tmp_path):
        """No [mail] host: renewals, promotions and the summary are paused with the reason; with a host, nothing is."""
        reasons = paused_jobs(load_settings(env={}, cwd=tmp_path))
        assert set(reasons) == {"renewals", "promotions", "resume"}
        assert all("aucun serveur d'envoi configuré" in r and "[mail] host" in r for r in reasons.values())
        (tmp_path / "mila.toml").write_text(MAIL_SERVER, encoding="utf-8")
        assert paused_jobs(load_settings(env={}, cwd=tmp_path)) == {}

    def test_the_scheduler_does_not_run_mail_jobs_without_server(self, tmp_path):
        """`mila planifier --une-fois` without server says the mail jobs are paused and runs neither of them."""
        from automations.cli import main

        config = tmp_path / "mila.toml"
        config.write_text(
            "[schedule.sync]\nenabled = false\n[schedule.documents]\nenabled = false\n"
            "[schedule.demandes]\nenabled = false\n",
            encoding="utf-8",
        )
        out = io.StringIO()
        assert main(["schedule", "--une-fois", "--config", str(config)], out=out) == 0
        said = out.getvalue()
        assert "relances : en pause : aucun serveur d'envoi configuré" in said
        assert "avis de place confirmée : en pause" in said and "Aucune tâche à lancer maintenant." in said
        assert load_state(state_folder(load_settings(config=config, env={})) / "state.json").jobs == {}

    def test_status_says_mail_jobs_are_paused_and_exits_1(self, tmp_path):
        """`mila etat` names the paused mail jobs in French and exits 1; disabling them explicitly gives 0."""
        from automations.cli import main

        config = tmp_path / "mila.toml"
        config.write_text("", encoding="utf-8")
        out = io.StringIO()
        assert main(["status", "--config", str(config)], out=out) == 1
        said = out.getvalue()
        assert (
            "relances :\n  jamais exécutée sur cette machine\n  en pause : aucun serveur d'envoi configuré"
            in said
        )
        assert said.count("prochaine exécution : aucune tant qu'aucun serveur d'envoi n'est configuré") == 2
        out = io.StringIO()
        assert main(["status", "--json", "--config", str(config)], out=out) == 1
        rows = {r["job"]: r for r in json.loads(out.getvalue())}
        assert (
            rows["renewals"]["paused"]
            and rows["renewals"]["next_run"] is None
            and rows["sync"]["paused"] is None
        )
        config.write_text(
            "[schedule.renewals]\nenabled = false\n[schedule.promotions]\nenabled = false\n", encoding="utf-8"
        )
        assert main(["status", "--config", str(config)], out=io.StringIO()) == 0


class TestFailingJobs:
    def test_a_crashing_job_is_recorded_logged_in_journal_and_does_not_stop_the_next(self, tmp_path):
        """A bug in one job: the run reports it, Journal gets an « échec » line, the next job runs."""
        from dataclasses import dataclass

        from openpyxl import Workbook as OpenpyxlWorkbook
        from openpyxl import load_workbook

        from automations.runner import run_job

        path = tmp_path / "c.xlsx"
        book = OpenpyxlWorkbook()
        sheet = first_sheet(book)
        sheet.title = "Membres"
        sheet.append(["ID", "Structure"])
        book.save(path)
        settings = load_settings(env={"MILA_WORKBOOK": str(path)}, cwd=tmp_path)

        @dataclass
        class Spec:
            name: str
            fails: bool

            def work(self, settings, clock):
                if self.fails:
                    raise ZeroDivisionError("bug")
                return 1

            def describe(self, result):
                return Outcome(SUCCESS, "fait")

        clock = FixedClock(MONDAY)
        runs = [
            run_job(settings, Spec(name, fails), clock)
            for name, fails in (("sync", True), ("renewals", False))
        ]
        assert [(r.job, r.ok) for r in runs] == [("sync", False), ("renewals", True)]
        assert "erreur inattendue (ZeroDivisionError)" in runs[0].message
        journal = [list(r) for r in load_workbook(path)["Journal"].iter_rows(values_only=True)]
        assert journal[1][1:3] == ["synchronisation", FAILURE]
        state = load_state(state_folder(settings) / "state.json")
        assert (
            state.jobs["sync"].failures_since_success == 1 and state.jobs["renewals"].last_result == SUCCESS
        )
