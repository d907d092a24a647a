"""The jobs the scheduler knows, each as: settings + clock -> Outcome.

Each entry opens what it needs from the settings (workbook, mail sender…), runs the
job's own entry point and describes the run in one French line. Jobs log their own
Journal lines; the runner keeps the local record.

The jobs that send mail are paused (:func:`paused_jobs`) while no mail server is
configured: they would only write previews, and the scheduler would hide that nothing
leaves. ``mila status`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..runner import FAILURE, NOTHING, PREVIEW, SUCCESS, Outcome
from ..workbook import open_workbook


@dataclass(frozen=True)
class Job:
    name: str
    work: Callable[[Settings, Clock], Any]
    describe: Callable[[Any], Outcome]
    sends_mail: bool = False  # paused while no mail server is configured


def _sync(settings: Settings, clock: Clock) -> Any:
    from .sync import run_sync

    return run_sync(
        open_workbook(settings),
        today=clock.today(),
        policy=settings.membership,
        booking_policy=settings.bookings,
        clock=clock,
    )


def _describe_sync(result: Any) -> Outcome:
    if not result.changed:
        counts = f"{result.errors} erreur(s), {result.warnings} avertissement(s)"
        return Outcome(NOTHING, f"rien à changer ; {counts}")
    summary = (
        f"{len(result.ids_assigned)} ID attribué(s), {result.cells_written} cellule(s) écrite(s) ; "
        f"{result.errors} erreur(s), {result.warnings} avertissement(s)"
    )
    if result.journal_error:  # done, but unrecorded in the sheet: count it as a failure to look at
        return Outcome(FAILURE, f"{summary} ; ligne du Journal non écrite ({result.journal_error})")
    return Outcome(SUCCESS, summary)


def _renewals(settings: Settings, clock: Clock) -> Any:
    from ..mail import make_sender
    from .renewals import run_renewals

    mail = settings.mail
    return run_renewals(
        open_workbook(settings),
        today=clock.today(),
        policy=settings.membership,
        settings=settings.renewals,
        mail=mail,
        sender=make_sender(mail),
        clock=clock,
    )


def _describe_renewals(result: Any) -> Outcome:
    if result.preview:
        return _describe_preview(result, "relance(s)")
    counts = f"{result.sent} envoyée(s), {result.failed} échec(s), {len(result.skipped)} écartée(s)"
    if result.failed or result.uncertain or result.to_check:
        return Outcome(FAILURE, f"{counts}, {len(result.to_check) + result.uncertain} à vérifier")
    return Outcome(SUCCESS if result.sent else NOTHING, counts)


def _promotions(settings: Settings, clock: Clock) -> Any:
    from ..mail import make_sender
    from .promotions import run_promotion_notices

    mail = settings.mail
    return run_promotion_notices(
        open_workbook(settings), today=clock.today(), mail=mail, sender=make_sender(mail), clock=clock
    )


def _describe_preview(result: Any, what: str) -> Outcome:
    if not result.messages:
        return Outcome(NOTHING, "aucun serveur d'envoi configuré ; rien à écrire en aperçu")
    return Outcome(PREVIEW, f"aucun serveur d'envoi configuré : {len(result.messages)} {what} en aperçu "
                            f"dans « {result.preview_folder} », rien n'est parti")


def _describe_promotions(result: Any) -> Outcome:
    if result.preview:
        return _describe_preview(result, "message(s) « place confirmée »")
    counts = (
        f"{result.sent} envoyé(s), {result.failed} échec(s), {len(result.closed)} sans objet, "
        f"{len(result.waiting)} en attente"
    )
    if not result.ok:
        return Outcome(FAILURE, f"{counts}, {len(result.to_check) + result.uncertain} à vérifier")
    return Outcome(SUCCESS if result.changed else NOTHING, counts)


def _documents(settings: Settings, clock: Clock) -> Any:
    from .documents import run_scheduled_documents

    return run_scheduled_documents(settings, clock)


def _describe_documents(result: Any) -> Outcome:
    from .documents import describe_documents

    return describe_documents(result)  # type: ignore[no-any-return]


def _helloasso(settings: Settings, clock: Clock) -> Any:
    """`mila paiements helloasso`, before the renewals: a member who paid yesterday gets no
    reminder today. Off while ``[payments] organisation`` is not configured (``config``
    then disables its timing; run by hand, it says so)."""
    if not settings.payments.organisation:
        return None
    from ..payments.helloasso_api import HelloAssoClient
    from .payments import run_helloasso

    return run_helloasso(open_workbook(settings), HelloAssoClient(settings.payments), today=clock.today(),
                         policy=settings.membership, since_default_days=settings.payments.since_days)


def _describe_helloasso(result: Any) -> Outcome:
    from .payments import describe

    if result is None:
        return Outcome(NOTHING, "désactivé : aucune organisation HelloAsso configurée "
                                "([payments] organisation)")
    return describe(result)


JOBS: dict[str, Job] = {
    "sync": Job("sync", _sync, _describe_sync),
    "paiements": Job("paiements", _helloasso, _describe_helloasso),
    "renewals": Job("renewals", _renewals, _describe_renewals, sends_mail=True),
    "promotions": Job("promotions", _promotions, _describe_promotions, sends_mail=True),
    "documents": Job("documents", _documents, _describe_documents),
}


def paused_jobs(settings: Settings) -> dict[str, str]:
    """The jobs not to run unattended now, each with the French reason: the mail jobs while
    no mail server is configured (nothing would leave)."""
    from ..mail import NO_SERVER_HINT

    if settings.mail.uses_smtp:
        return {}
    reason = f"en pause : aucun serveur d'envoi configuré, aucun message ne partirait. {NO_SERVER_HINT}"
    return {name: reason for name, job in JOBS.items() if job.sends_mail}
