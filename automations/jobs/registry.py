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

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from ..clock import Clock
from ..config import Settings
from ..errors import MilaError
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome
from .check import CheckResult, run_check
from .context import JobResult, RunContext
from .forms import acknowledge_forms, take_in_forms
from .sync import SyncResult, run_sync

if TYPE_CHECKING:  # the other jobs are imported by their entries: a command imports only what it uses
    from .accounting import AccountingResult
    from .calendars import CalendarsResult
    from .digest import DigestResult
    from .document_run import DocumentsBatch, DocumentsResult
    from .invoices import InvoicesResult
    from .notices import NoticesResult
    from .payments import PaymentsResult
    from .payments_inbox import InboxResult
    from .personal_data import EraseResult, ExportResult
    from .prepare import PrepareResult
    from .renewals import RenewalsResult
    from .sending_switch import SwitchResult
    from .staff_requests import RequestsResult

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class RunOptions:
    """What a job takes beyond its context (the day, dry run, settings): none."""


@dataclass(frozen=True)
class CheckOptions:
    """`mila verifier`: nothing beyond the context."""


@dataclass(frozen=True)
class CalendarsOptions:
    out_dir: Path  # where the .ics files are written


@dataclass(frozen=True)
class DocumentsOptions:
    """`mila docs KIND`: which documents, for whom, where, and whether to send them."""

    kind: str  # conventions · charte · recus · emargement
    member: str | None = None
    occupation: str | None = None  # conventions: just this one (C012), the request « envoyer pour signature »
    all: bool = False  # conventions: ended ones too; charter: every active member
    out: Path | None = None
    pdf: bool = False
    send: bool = False
    preview_sending: bool = False  # the sending's dry run: previews only, documents written
    meeting: dt.date | None = None  # the attendance sheet's general assembly
    title: str = "Assemblée générale"
    place: str | None = None


@dataclass(frozen=True)
class PaymentsOptions:
    """`mila paiements COMMAND`: importer (with its files), reprendre or helloasso."""

    command: str  # importer · reprendre · helloasso
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class PersonalDataOptions:
    """`mila donnees exporter|effacer`: whom (a member ID, or an address), where the export
    goes, and whether the staff confirm an erasure the rules refuse."""

    command: str  # exporter · effacer
    member: str | None = None
    email: str | None = None
    out: Path | None = None
    confirm: bool = False


@dataclass(frozen=True)
class InvoicesOptions:
    """`mila factures` (``credit_of`` None) or `mila factures avoir NUMÉRO --motif TEXTE`."""

    pdf: bool = False  # also the PDF/A-3 Factur-X of each document (LibreOffice)
    credit_of: str | None = None  # the invoice a credit note cancels
    reason: str = ""  # the credit note's motive
    send: bool = False  # then e-mail each document not yet sent, its PDF attached (--envoyer)


@dataclass(frozen=True)
class SendingOptions:
    """`mila envois activer|suspendre`, « activer les envois » · « suspendre les envois »."""

    on: bool
    by: str | None = None  # who asked (the request's « Demandée par »)


# --------------------------------------------------------------------------- entries


def sync(ctx: RunContext, options: RunOptions = RunOptions()) -> SyncResult:
    """Bring the computed columns up to date; then tell the members whose place on a waiting
    list was just confirmed (recorded « à envoyer » first: if mail fails now, the
    promotions job sends them later)."""
    settings = ctx.settings
    forms = take_in_forms(ctx)  # form answers in first: evaluated in this run
    result = run_sync(
        ctx.workbook,
        today=ctx.today,
        policy=settings.membership,
        booking_policy=settings.bookings,
        clock=ctx.clock,
        dry_run=ctx.dry_run,
        forms=forms,
        state=ctx.state,
    )
    ctx.changed()  # the computed columns, Listes, the promotions recorded
    if result.promotions and not ctx.dry_run:
        try:
            result.notices = promotions(ctx)
        except MilaError as exc:
            log.error("sync: notices not sent now: %s", exc.message)
            result.notices_error = exc.message
    acknowledge_forms(ctx, result)
    return result


def check(ctx: RunContext, options: CheckOptions = CheckOptions()) -> CheckResult:
    """Every anomaly of the workbook, from the run's one evaluation; writes nothing."""
    settings = ctx.settings
    return run_check(
        ctx.workbook,
        today=ctx.today,
        policy=settings.membership,
        booking_policy=settings.bookings,
        state=ctx.state,
    )


def calendars(ctx: RunContext, options: CalendarsOptions) -> CalendarsResult:
    """The .ics calendars of every bookable resource and of the programme."""
    from .calendars import run_calendars

    return run_calendars(
        ctx.workbook,
        out_dir=options.out_dir,
        today=ctx.today,
        booking_policy=ctx.settings.bookings,
        state=ctx.state,
    )


def renewals(ctx: RunContext, options: RunOptions = RunOptions()) -> RenewalsResult:
    """Send the membership reminders due today, each once."""
    from .renewals import run_renewals

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
        billing=settings.billing,
        invoice_folder=settings.documents.out / "factures" if settings.billing.enabled else None,
    )


def promotions(ctx: RunContext, options: RunOptions = RunOptions()) -> NoticesResult:
    """Send the « place confirmée » notices still to send."""
    from .promotions import run_promotion_notices

    return run_promotion_notices(
        ctx.workbook,
        today=ctx.today,
        mail=ctx.settings.mail,
        sender=ctx.sender,
        clock=ctx.clock,
        dry_run=ctx.dry_run,
        state=ctx.state,
    )


def documents(ctx: RunContext, options: RunOptions = RunOptions()) -> DocumentsBatch:
    """The conventions, then the charters to sign (what the scheduler runs every day)."""
    from .documents import run_scheduled_documents

    return run_scheduled_documents(ctx)


def docs(ctx: RunContext, options: DocumentsOptions) -> DocumentsResult:
    """`mila docs KIND`: one kind of document, produced (and, with ``send``, sent once)."""
    from . import documents as jobs

    if options.kind == "conventions":
        return jobs.run_conventions(
            ctx,
            member=options.member,
            occupation=options.occupation,
            include_ended=options.all,
            out=options.out,
            pdf=options.pdf,
            send=options.send,
            dry_run=options.preview_sending,
        )
    if options.kind == "charte":
        return jobs.run_charters(
            ctx,
            member=options.member,
            all_members=options.all,
            out=options.out,
            pdf=options.pdf,
            send=options.send,
            dry_run=options.preview_sending,
        )
    if options.kind == "recus":
        return jobs.run_receipts(
            ctx, member=options.member, out=options.out, pdf=options.pdf, send=options.send
        )
    return jobs.run_attendance(
        ctx,
        meeting=options.meeting,
        title=options.title,
        place=options.place,
        out=options.out,
        pdf=options.pdf,
    )


@dataclass(frozen=True)
class AccountingOptions:
    """`mila compta --annee AAAA --dossier DOSSIER`."""

    year: int
    folder: Path


def compta(ctx: RunContext, options: AccountingOptions) -> AccountingResult:
    """The year's accounting entries as a FEC file and a CSV journal in the folder; writes
    nothing to the workbook."""
    from .accounting import run_accounting

    return run_accounting(ctx, year=options.year, folder=options.folder)


def factures(ctx: RunContext, options: InvoicesOptions = InvoicesOptions()) -> InvoicesResult:
    """Issue the invoices due and not yet issued (each once), or one credit note; the
    documents and their Factur-X files, uploaded to Drive when it is set."""
    from .invoices import run_invoices

    return run_invoices(
        ctx, pdf=options.pdf, credit_of=options.credit_of, reason=options.reason, send=options.send
    )


@dataclass
class RenewalsPreview:
    """The reminders due today, written as previews (« prévisualiser les relances »)."""

    result: RenewalsResult

    @property
    def journal_lost(self) -> bool:
        return False  # a dry run writes no Journal line

    def as_dict(self) -> dict[str, object]:
        return self.result.as_dict()

    def outcome(self) -> Outcome:
        count, folder = len(self.result.messages), self.result.preview_folder
        if not count:
            return Outcome(NOTHING, "aucune relance due aujourd'hui : rien à écrire en aperçu")
        return Outcome(
            SUCCESS,
            f"{count} relance(s) due(s) aujourd'hui écrite(s) en aperçu dans « {folder} », rien n'est parti",
        )


def renewals_preview(ctx: RunContext, options: RunOptions = RunOptions()) -> RenewalsPreview:
    """The reminders due today written as previews (the request « prévisualiser les
    relances »): nothing sent, nothing recorded."""
    preview = RunContext(ctx.settings, ctx.clock, today=ctx.today, dry_run=True, workbook=ctx.workbook)
    return RenewalsPreview(renewals(preview))


def envois(ctx: RunContext, options: SendingOptions) -> SwitchResult:
    """Switch sending on or off (a Journal line: ``sending_switch``)."""
    from .sending_switch import switch

    return switch(ctx, on=options.on, by=options.by)


def payments_inbox(ctx: RunContext, options: RunOptions = RunOptions()) -> InboxResult:
    """The files dropped in ``[payments] drive_inbox`` imported, then moved to « Importés/AAAA »."""
    from .payments_inbox import run_inbox

    return run_inbox(ctx)


def demandes(ctx: RunContext, options: RunOptions = RunOptions()) -> RequestsResult:
    """The pending requests of the ``Demandes`` tab, each done once (``staff_requests``)."""
    from .staff_requests import run_requests

    return run_requests(ctx)


def resume(ctx: RunContext, options: RunOptions = RunOptions()) -> DigestResult:
    """The daily summary to the staff ([digest] to), sent when something is new."""
    from .digest import run_digest

    return run_digest(ctx)


def preparer(ctx: RunContext, options: RunOptions = RunOptions()) -> PrepareResult:
    """Apply the workbook contract to the sheet itself (`mila preparer`, run by hand):
    dropdowns, header notes, formats, warning-only protections, the rows of ``Textes`` the
    next report needs from a person; only what is missing."""
    from .prepare import run_prepare

    return run_prepare(
        ctx.workbook, today=ctx.today, clock=ctx.clock, assembly=ctx.settings.digest.assemblee_generale
    )


def donnees(ctx: RunContext, options: PersonalDataOptions) -> ExportResult | EraseResult:
    """A person's request about their data: the export (everything held about them, in one
    zip), or the erasure of their personal data (accounting records kept)."""
    from .personal_data import run_erase, run_export

    if options.command == "exporter":
        assert options.out is not None
        return run_export(ctx, options.member, options.email, options.out)
    return run_erase(ctx, options.member, options.email, options.confirm)


R = TypeVar("R", bound=JobResult, covariant=True)


@dataclass(frozen=True)
class Job(Generic[R]):
    """A job the scheduler runs: its name, its entry (with no options: the defaults), and
    whether it sends mail (paused while no mail server is configured)."""

    name: str
    entry: Callable[[RunContext], R]
    sends_mail: bool = False

    def work(self, settings: Settings, clock: Clock) -> R:
        """The scheduled run: today, for real, the workbook and sender of the settings. The
        previews a mail job writes (sending not switched on yet) go to Drive « Aperçus »."""
        ctx = RunContext(settings, clock)
        if not self.sends_mail:
            return self.entry(ctx)
        from .preview_drive import preview_files, upload_previews

        before = preview_files(ctx)
        result = self.entry(ctx)
        upload_previews(ctx, before)
        return result

    def describe(self, result: JobResult) -> Outcome:
        """The one French line of a run, for ``mila etat``."""
        return result.outcome()


@dataclass
class PaymentsRun:
    """The scheduled payments pass: the HelloAsso pull (``None`` while no organisation is
    set) and the Drive inbox (``None`` while ``[payments] drive_inbox`` is not set)."""

    result: PaymentsResult | None
    inbox: InboxResult | None = None

    @property
    def journal_lost(self) -> bool:
        """Payments appended, but the Journal line naming their IDs could not be written."""
        return bool(self.result is not None and self.result.journal_lost) or bool(
            self.inbox is not None and self.inbox.journal_lost
        )

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = self.result.as_dict() if self.result is not None else {"disabled": True}
        return found if self.inbox is None else {**found, "inbox": self.inbox.as_dict()}

    def outcome(self) -> Outcome:
        from .payments import describe

        if self.result is None and self.inbox is None:
            return Outcome(
                NOTHING, "désactivé : aucune organisation HelloAsso configurée ([payments] organisation)"
            )
        outcomes = [describe(self.result)] if self.result is not None else []
        outcomes += [self.inbox.outcome()] if self.inbox is not None else []
        result = next((o.result for o in outcomes if o.result == FAILURE), None) or next(
            (o.result for o in outcomes if o.result != NOTHING), NOTHING
        )
        return Outcome(result, " ; ".join(o.summary for o in outcomes))


def payments(ctx: RunContext, options: PaymentsOptions) -> PaymentsResult:
    """`mila paiements importer|reprendre|helloasso`, run by hand."""
    from . import payments as job

    settings = ctx.settings
    policy = settings.membership
    if options.command == "importer":
        return job.run_import(
            ctx.workbook, options.files, today=ctx.today, policy=policy, dry_run=ctx.dry_run, clock=ctx.clock
        )
    if options.command == "reprendre":
        return job.run_takeover(
            ctx.workbook, today=ctx.today, policy=policy, dry_run=ctx.dry_run, clock=ctx.clock
        )
    from ..payments.helloasso_api import HelloAssoClient

    return job.run_helloasso(
        ctx.workbook,
        HelloAssoClient(settings.payments),
        today=ctx.today,
        policy=policy,
        dry_run=ctx.dry_run,
        since_default_days=settings.payments.since_days,
        clock=ctx.clock,
    )


def paiements(ctx: RunContext, options: RunOptions = RunOptions()) -> PaymentsRun:
    """`mila paiements helloasso`, before the renewals: a member who paid yesterday gets no
    reminder today; then the files dropped in ``[payments] drive_inbox``. Off while neither
    ``[payments] organisation`` nor ``drive_inbox`` is configured (``config`` then disables
    its timing; run by hand, it says so)."""
    settings = ctx.settings
    pulled = None
    if settings.payments.organisation:
        from ..payments.helloasso_api import HelloAssoClient
        from .payments import run_helloasso

        pulled = run_helloasso(
            ctx.workbook,
            HelloAssoClient(settings.payments),
            today=ctx.today,
            policy=settings.membership,
            dry_run=ctx.dry_run,
            since_default_days=settings.payments.since_days,
            clock=ctx.clock,
        )
        ctx.changed()
    inbox = payments_inbox(ctx) if settings.payments.drive_inbox else None
    return PaymentsRun(pulled, inbox)


JOBS: dict[str, Job[JobResult]] = {
    "demandes": Job("demandes", demandes),
    "sync": Job("sync", sync),
    "paiements": Job("paiements", paiements),
    "factures": Job("factures", lambda ctx: factures(ctx, _scheduled_invoices(ctx))),
    "renewals": Job("renewals", renewals, sends_mail=True),
    "promotions": Job("promotions", promotions, sends_mail=True),
    "documents": Job("documents", documents),
    "resume": Job("resume", resume, sends_mail=True),
}


def _scheduled_invoices(ctx: RunContext) -> InvoicesOptions:
    """The scheduled ``factures``: the PDFs, and with a mail server the documents e-mailed
    (previews while sending is not switched on in the workbook)."""
    return InvoicesOptions(pdf=True, send=ctx.settings.mail.uses_smtp)


def paused_jobs(settings: Settings) -> dict[str, str]:
    """The jobs not to run unattended now, each with the French reason: the mail jobs while
    no mail server is configured (nothing would leave)."""
    from ..mail import NO_SERVER_HINT

    if settings.mail.uses_smtp:
        return {}
    reason = f"en pause : aucun serveur d'envoi configuré, aucun message ne partirait. {NO_SERVER_HINT}"
    return {name: reason for name, job in JOBS.items() if job.sends_mail}
