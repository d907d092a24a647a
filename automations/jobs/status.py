"""`mila etat`: the last and next run of each job, read from the local record; and
``--alerter``: the same, as a short French e-mail, when a job failed since its last success.

Exit code of the command (:attr:`Status.code`): 1 when something needs a person (a job
that failed since its last success, or mail jobs paused for want of a server), 0 otherwise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..config import Settings
from ..errors import ConfigError
from ..mail import NO_SERVER_HINT, Sender, checked_address
from ..mail.check import send_one
from ..runner import job_name, state_folder
from ..schedule import next_run
from ..state import load_state
from .registry import JOBS, paused_jobs


@dataclass(frozen=True)
class JobStatus:
    job: str
    last_run: str | None  # ISO, Paris time
    result: str | None
    message: str | None
    next_run: str | None  # ISO, to the minute
    failures_since_success: int
    paused: str | None  # the French reason, for a mail job without server

    def lines(self) -> list[str]:
        out = [f"{job_name(self.job)} :"]
        if self.last_run:
            last = dt.datetime.fromisoformat(self.last_run)
            out.append(f"  dernière exécution : {last:%d/%m/%Y à %H:%M} — {self.result} ({self.message})")
        else:
            out.append("  jamais exécutée sur cette machine")
        if self.failures_since_success:
            out.append(f"  échecs depuis la dernière réussite : {self.failures_since_success}")
        if self.paused:
            out.append(f"  {self.paused}")
            out.append("  prochaine exécution : aucune tant qu'aucun serveur d'envoi n'est configuré")
            return out
        when = f"{dt.datetime.fromisoformat(self.next_run):%d/%m/%Y à %H:%M}" if self.next_run else None
        out.append(f"  prochaine exécution : {when or 'jamais automatiquement'}")
        return out

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Status:
    rows: list[JobStatus]

    @property
    def failing(self) -> list[JobStatus]:
        """The jobs that failed since their last success."""
        return [row for row in self.rows if row.failures_since_success]

    @property
    def code(self) -> int:
        """1 when something needs a person (a job failing, or mail jobs that cannot send)."""
        return 1 if self.failing or any(row.paused for row in self.rows) else 0

    def lines(self) -> list[str]:
        return [line for row in self.rows for line in row.lines()]

    def as_list(self) -> list[dict[str, object]]:
        return [row.as_dict() for row in self.rows]


def job_status(settings: Settings, now: dt.datetime) -> Status:
    """Each job's last run (from state.json), its next run, and whether it is paused."""
    state = load_state(state_folder(settings) / "state.json")
    timings = settings.schedule.timings()
    paused = paused_jobs(settings)
    rows = []
    for job in JOBS:
        record = state.jobs.get(job)
        timing = timings.get(job)
        pause = paused.get(job) if timing and timing.enabled else None
        upcoming = next_run(timing, state.last_run(job), now) if timing and not pause else None
        rows.append(
            JobStatus(
                job=job,
                last_run=record.last_run if record else None,
                result=record.last_result if record else None,
                message=record.last_message if record else None,
                next_run=upcoming.isoformat(timespec="minutes") if upcoming else None,
                failures_since_success=record.failures_since_success if record else 0,
                paused=pause,
            )
        )
    return Status(rows)


@dataclass(frozen=True)
class Alert:
    """What ``--alerter`` did: sent to ``recipient`` (None when there was nothing to report)."""

    recipient: str | None
    message_id: str | None = None
    server: str | None = None
    failing: tuple[str, ...] = ()


def send_alert(
    settings: Settings, status: Status, address: str, now: dt.datetime, *, sender: Sender | None = None
) -> Alert:
    """E-mail the status to ``address`` when a job failed since its last success; nothing
    otherwise. Without a mail server: a French error (nothing can be sent)."""
    mail = settings.mail
    if not mail.uses_smtp:
        raise ConfigError(f"Aucun serveur d'envoi configuré : l'alerte ne peut pas partir. {NO_SERVER_HINT}")
    address = checked_address(address)
    failing = status.failing
    if not failing:
        return Alert(None)
    names = ", ".join(f"« {job_name(row.job)} »" for row in failing)
    text = (
        "Bonjour,\n\n"
        f"mila signale {len(failing)} tâche(s) en échec depuis sa dernière réussite : {names}.\n\n"
        + "\n".join(status.lines())
        + "\n\nLe détail est dans l'onglet Journal du classeur et dans le journal local mila.log ; "
        "« mila etat » sur le serveur redonne cet état. Voir docs/deploiement.md, « Suivre ce qui "
        "se passe ».\n\n"
        f"{mail.signature}\n"
    )
    sent = send_one(
        mail,
        address,
        subject=f"mila : {len(failing)} tâche(s) en échec ({mail.association})",
        text=text,
        now=now,
        name="alerte",
        sender=sender,
        unsent="L'alerte n'est pas partie.",
        refused="Le serveur refuse l'alerte pour « {address} » ({details}) : vérifiez l'adresse.",
    )
    return Alert(sent.recipient, sent.message_id, sent.server, tuple(row.job for row in failing))
