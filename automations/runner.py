"""Running a job under the single-instance lock, and keeping the local record of runs.

Both the scheduler and the manual commands go through :func:`run_guarded`, so that a
manual `mila synchroniser` never runs at the same time as a scheduled one, and `mila etat`
knows about every run.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .clock import Clock
from .config import Settings
from .errors import MilaError
from .lock import same_workbook, single_instance
from .state import load_state, save_state

log = logging.getLogger(__name__)
T = TypeVar("T")

SUCCESS = "succès"
FAILURE = "échec"
NOTHING = "rien à faire"
PREVIEW = "aperçu"  # a mail job run without server: previews written, nothing left

# The French name of each job, as staff read it everywhere (Journal « Tâche », `mila etat`,
# the scheduler's output, the digest, the lock's messages). The keys are the names of the
# command line, of [schedule.<job>] and of state.json; the older English names the Journal
# holds (« sync », « renewals », « docs conventions »…) are keys too, so they read the same.
JOB_TITLES = {
    "demandes": "demandes de l'équipe",
    "envois": "envois",
    "sync": "synchronisation",
    "paiements": "paiements",
    "renewals": "relances",
    "promotions": "avis de place confirmée",
    "documents": "documents",
    "receipts": "envoi des reçus",
    "calendars": "calendriers",
    "report": "rapport d'activité",
    "resume": "résumé quotidien",
    "docs conventions": "documents : conventions",
    "docs charte": "documents : chartes",
    "docs recus": "documents : reçus",
    "docs emargement": "documents : émargement",
    "preparer": "préparation du classeur",
    "donnees exporter": "données personnelles : export",
    "donnees effacer": "données personnelles : effacement",
    "factures": "factures",
    "compta": "export comptable",
}


def job_name(task: object) -> str:
    """The French name of a job, from its key or from a Journal « Tâche » (old English
    names included); a name already French, or unknown, is given back as it is."""
    text = str(task or "").strip()
    return JOB_TITLES.get(text, JOB_TITLES.get(text.lower(), text))


def state_folder(settings: Settings) -> Path:
    """Where the lock and state.json live: [schedule] state_dir, beside the configuration."""
    return settings.schedule.state_dir


@dataclass(frozen=True)
class Outcome:
    """What a job says of its run: a result word and one French line."""

    result: str  # SUCCESS, NOTHING or FAILURE
    summary: str


def journal_missing(outcome: Outcome, lost: bool, reason: str | None = None) -> Outcome:
    """The record of a run whose Journal line is lost: a failure for a person to look at
    (the changes are made, but the sheet does not say so)."""
    if not lost:
        return outcome
    because = f" ({reason})" if reason else ""
    return Outcome(FAILURE, f"{outcome.summary} ; ligne du Journal non écrite{because}")


def run_guarded(
    settings: Settings,
    job: str,
    clock: Clock,
    work: Callable[[], T],
    describe: Callable[[T], Outcome],
    *,
    wait: float | None = None,
) -> T:
    """Run ``work`` holding the locks (this installation's and the workbook's, wherever the
    command was started from); record how it ended in state.json; re-raise failures."""
    folder = state_folder(settings)
    if wait is None:
        wait = settings.schedule.lock_wait_seconds
    what = f"« {job_name(job)} »"
    with (
        single_instance(folder, wait=wait, what=what),
        same_workbook(path=settings.workbook.path, sheet=settings.workbook.sheet, wait=wait, what=what),
    ):
        started = time.monotonic()
        at = clock.now()
        try:
            value = work()
        except MilaError as exc:
            _record(folder, job, at, FAILURE, exc.message, time.monotonic() - started)
            raise
        except Exception as exc:
            log.exception("%s crashed", job)
            message = f"erreur inattendue : {type(exc).__name__}"
            _record(folder, job, at, FAILURE, message, time.monotonic() - started)
            raise
        outcome = describe(value)
        _record(folder, job, at, outcome.result, outcome.summary, time.monotonic() - started)
        return value


class JobSpec(Protocol):
    @property
    def name(self) -> str: ...

    def work(self, settings: Settings, clock: Clock) -> Any: ...

    def describe(self, result: Any) -> Outcome: ...


@dataclass(frozen=True)
class JobRun:
    job: str
    ok: bool
    message: str  # French, for the scheduler's output


def run_job(settings: Settings, spec: JobSpec, clock: Clock) -> JobRun:
    """Run one scheduled job; whatever happens, return (one failing job never stops the others).

    Jobs write their own Journal line when they fail cleanly; a crash (a bug) gets one here.
    """
    try:
        value = run_guarded(settings, spec.name, clock, lambda: spec.work(settings, clock), spec.describe)
    except MilaError as exc:
        return JobRun(spec.name, False, exc.message)
    except Exception as exc:
        message = (
            f"erreur inattendue ({type(exc).__name__}) ; détails dans le journal local mila.log. "
            "La tâche sera relancée à l'heure prévue."
        )
        _journal_crash(settings, spec.name, clock, message)
        return JobRun(spec.name, False, message)
    return JobRun(spec.name, True, spec.describe(value).summary)


def _journal_crash(settings: Settings, job: str, clock: Clock, message: str) -> None:
    from .journal import record
    from .workbook import open_workbook

    try:
        record(open_workbook(settings), clock, job_name(job), FAILURE, message)
    except Exception:  # the sheet may be what failed; the local log has it all
        log.exception("could not write the crash of %s to Journal", job)


def _record(folder: Path, job: str, at: dt.datetime, result: str, message: str, duration: float) -> None:
    log.info("%s: %s — %s (%.1f s)", job, result, message, duration)
    path = folder / "state.json"
    state = load_state(path)
    state.record(job, at, result, message, duration)
    try:
        save_state(path, state)
    except OSError as exc:  # the record is a convenience; never fail a job over it
        log.error("could not save %s: %s", path, exc)
