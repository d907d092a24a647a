"""One entry per job: ``RunContext -> result``, called the same way by the command line
(``mila synchroniser``, ``mila relances``…) and by the scheduler.

Each result says what it did (``as_dict``, ``lines`` or the command's printing), describes
its run in one French line for ``mila etat`` (``outcome``), and whether its ``Journal``
line was lost (``journal_lost``). Jobs write their own Journal lines; the runner keeps the
local record.

The jobs that send mail are paused (:func:`paused_jobs`) while no mail server is
configured: they would only write previews, and the scheduler would hide that nothing
leaves. ``mila etat`` says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..clock import Clock
from ..config import Settings
from ..errors import MilaError
from ..runner import NOTHING, Outcome
from .context import JobResult, RunContext
from .digest import DigestResult, run_digest
from .document_run import DocumentsBatch
from .documents import run_scheduled_documents
from .forms import acknowledge_forms, take_in_forms
from .notices import NoticesResult
from .prepare import PrepareResult, run_prepare
from .promotions import run_promotion_notices
from .renewals import RenewalsResult, run_renewals
from .sync import SyncResult, run_sync

log = logging.getLogger(__name__)


def sync(ctx: RunContext) -> SyncResult:
    """Bring the computed columns up to date; then tell the members whose place on a waiting
    list was just confirmed (recorded « à envoyer » first: if mail fails now, the
    promotions job sends them later)."""
    settings = ctx.settings
    result = run_sync(
        ctx.workbook,
        today=ctx.today,
        policy=settings.membership,
        booking_policy=settings.bookings,
        clock=ctx.clock,
        dry_run=ctx.dry_run,
        forms=take_in_forms(ctx),  # form answers in first: evaluated in this run
    )
    if result.promotions and not ctx.dry_run:
        try:
            result.notices = promotions(ctx)
        except MilaError as exc:
            log.error("sync: notices not sent now: %s", exc.message)
            result.notices_error = exc.message
    acknowledge_forms(ctx, result)
    return result


def renewals(ctx: RunContext) -> RenewalsResult:
    """Send the membership reminders due today, each once."""
    settings = ctx.settings
    return run_renewals(
        ctx.workbook,
        today=ctx.today,
        policy=settings.membership,
        settings=settings.renewals,
        mail=settings.mail,
        sender=ctx.sender,
        clock=ctx.clock,
        dry_run=ctx.dry_run,
        state=ctx.state,
    )


def promotions(ctx: RunContext) -> NoticesResult:
    """Send the « place confirmée » notices still to send."""
    return run_promotion_notices(
        ctx.workbook,
        today=ctx.today,
        mail=ctx.settings.mail,
        sender=ctx.sender,
        clock=ctx.clock,
        dry_run=ctx.dry_run,
        state=ctx.state,
    )


def documents(ctx: RunContext) -> DocumentsBatch:
    """The conventions, then the charters to sign (what the scheduler runs every day)."""
    return run_scheduled_documents(ctx)


def resume(ctx: RunContext) -> DigestResult:
    """The daily summary to the staff ([digest] to), sent when something is new."""
    return run_digest(ctx)


def preparer(ctx: RunContext) -> PrepareResult:
    """Apply the workbook contract to the sheet itself (`mila preparer`, run by hand):
    dropdowns, header notes, formats, warning-only protections; only what is missing."""
    return run_prepare(ctx.workbook, today=ctx.today, clock=ctx.clock)


R = TypeVar("R", bound=JobResult)


@dataclass(frozen=True)
class Job(Generic[R]):
    name: str
    entry: Callable[[RunContext], R]
    sends_mail: bool = False  # paused while no mail server is configured

    def work(self, settings: Settings, clock: Clock) -> R:
        """The scheduled run: today, for real, the workbook and sender of the settings."""
        return self.entry(RunContext(settings, clock))

    def describe(self, result: R) -> Outcome:
        """The one French line of a run, for ``mila etat``."""
        return result.outcome()


@dataclass
class PaymentsRun:
    """The scheduled HelloAsso pull: its result, or ``None`` while no organisation is set."""

    result: Any | None
    journal_lost: bool = False  # the import appends its rows in one request, no Journal line

    def as_dict(self) -> dict[str, object]:
        return self.result.as_dict() if self.result is not None else {"disabled": True}

    def outcome(self) -> Outcome:
        from .payments import describe

        if self.result is None:
            return Outcome(
                NOTHING, "désactivé : aucune organisation HelloAsso configurée ([payments] organisation)"
            )
        return describe(self.result)


def paiements(ctx: RunContext) -> PaymentsRun:
    """`mila paiements helloasso`, before the renewals: a member who paid yesterday gets no
    reminder today. Off while ``[payments] organisation`` is not configured (``config``
    then disables its timing; run by hand, it says so)."""
    settings = ctx.settings
    if not settings.payments.organisation:
        return PaymentsRun(None)
    from ..payments.helloasso_api import HelloAssoClient
    from .payments import run_helloasso

    return PaymentsRun(
        run_helloasso(
            ctx.workbook,
            HelloAssoClient(settings.payments),
            today=ctx.today,
            policy=settings.membership,
            dry_run=ctx.dry_run,
            since_default_days=settings.payments.since_days,
        )
    )


JOBS: dict[str, Job[Any]] = {
    "sync": Job("sync", sync),
    "paiements": Job("paiements", paiements),
    "renewals": Job("renewals", renewals, sends_mail=True),
    "promotions": Job("promotions", promotions, sends_mail=True),
    "documents": Job("documents", documents),
    "resume": Job("resume", resume, sends_mail=True),
}


def paused_jobs(settings: Settings) -> dict[str, str]:
    """The jobs not to run unattended now, each with the French reason: the mail jobs while
    no mail server is configured (nothing would leave)."""
    from ..mail import NO_SERVER_HINT

    if settings.mail.uses_smtp:
        return {}
    reason = f"en pause : aucun serveur d'envoi configuré, aucun message ne partirait. {NO_SERVER_HINT}"
    return {name: reason for name, job in JOBS.items() if job.sends_mail}
