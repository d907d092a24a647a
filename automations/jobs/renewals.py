"""`mila relances`: send the renewal reminders due today, each exactly once, and record them.

The order of a run, and what a crash at each step leaves behind:

1. start from the run's state (``jobs.workbook_state``: the whole workbook read in one
   request and evaluated once, so a member whose payment is in ``Paiements`` is « à jour »
   here as in the sheet); decide, for each member, the reminder due (``rules.renewals``)
   and render every message. A broken
   template stops the run here: nothing sent, nothing recorded.
2. connect to the server (or prepare the outbox). Unreachable: nothing recorded, a
   Journal line, :class:`~automations.errors.MailError`.
3. hand the batch to the outbox (``automations.outbox.sending``): the ``à vérifier`` rows of
   the ``en cours`` a previous run left without outcome go with the claim of the first
   message; Relances is read again once (two runs at once: the first claimer keeps the
   batch); then each message is claimed (``en cours``) just before it is sent, its claim
   appended with the previous message's outcome (``envoyée`` with the time, ``échec`` with
   the server's reason); then one Journal line.

A crash (even ``kill -9``) leaves at most the message in flight ``en cours``: the next run
reports it ``à vérifier`` and never sends it again, and sends the messages not yet claimed.
Hence *at most once*: a reminder may need a person to check it, it is never sent twice.

Without a server (a sender that does not deliver) steps 2 and 3 are replaced by writing each
message to the preview folder: ``Relances`` is not touched, so the next run with a server
sends them all; the Journal line says that nothing left. ``dry_run`` writes the same
previews (when given the preview sender) and nothing at all to the workbook.

With billing on, the same run reminds the invoices unpaid after their due date
(:mod:`automations.jobs.unpaid_invoices`); the first renewal reminder quoting a cotisation
invoice carries its PDF (:func:`automations.jobs.invoice_mail.renewal_attachment`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import outbox, schema
from ..clock import Clock
from ..errors import UNREACHABLE, MilaError, SchemaError
from ..formatting import format_date, format_date_long, format_money, format_percent, format_surface
from ..mail import (
    HeaderProblem,
    MailSettings,
    Sender,
    Templates,
    preview_notice,
)
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.dataset import Dataset
from ..model.rows import Member, id_key
from ..outbox import BY_ANOTHER_RUN, DETAILS, PLANNED, Mail, ToCheck, preview_outcome  # noqa: F401 - DETAILS: part of this module's API
from ..rules import outbox as ledger_rules
from ..rules import renewals as rules
from ..rules.membership import MemberComputation, MembershipPolicy, hosted_surface
from ..rules.outbox import LogEntry
from ..rules.receivables import open_fee_invoices
from ..rules.renewals import InDoubt, Send, Skip
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome, job_name, journal_missing
from ..settings.billing import BillingSettings
from ..settings.renewals import RenewalSettings  # the [renewals] section
from ..workbook import Workbook
from .invoice_mail import renewal_attachment
from .workbook_state import WorkbookState, read_state

log = logging.getLogger(__name__)
TASK = job_name("renewals")  # the Journal's « Tâche »
# The tabs whose broken header stops the reminders (the others only lose their rows' checks).
_NEEDED = {
    t.name
    for t in (
        schema.MEMBRES,
        schema.LOCAUX,
        schema.OCCUPATIONS,
        schema.TARIFS,
        schema.RELANCES,
        schema.PAIEMENTS,
    )
}

SUBJECTS = {
    rules.BEFORE: "sujet-avant.txt.j2",
    rules.AFTER: "sujet-apres.txt.j2",
    rules.FIRST: "sujet-premiere.txt.j2",
}
TEXT_TEMPLATE = "relance.txt.j2"
HTML_TEMPLATE = "relance.html.j2"

# --------------------------------------------------------------------------- result


@dataclass(kw_only=True)
class Reminder(Mail):
    """One message of the run, and what became of it."""

    structure: str | None
    contact: str | None
    send_on: dt.date
    amount_ttc: Decimal

    def as_dict(self) -> dict[str, object]:
        return {
            "member": self.member_id,
            "structure": self.structure,
            "address": self.address,
            "reminder": self.reminder,
            "due_date": self.reference.isoformat(),
            "scheduled_for": self.send_on.isoformat(),
            "amount_ttc": str(self.amount_ttc),
            "status": self.status,
            "message_id": self.message_id,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "details": self.details,
            "preview": self.preview,
        }


@dataclass(frozen=True)
class Skipped:
    member_id: str | None
    structure: str | None
    row: int
    reminder: str | None
    reason: str
    late: bool = False
    contact: str | None = None  # contact, email, amount: to remind by hand a reminder too old
    email: str | None = None
    amount_ttc: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "member": self.member_id,
            "structure": self.structure,
            "row": self.row,
            "reminder": self.reminder,
            "reason": self.reason,
            "late": self.late,
            "contact": self.contact,
            "email": self.email,
            "amount_ttc": str(self.amount_ttc) if self.amount_ttc is not None else None,
        }

    @property
    def who(self) -> str:
        """« M0012 Le Fair (Léa Morel) <lea@lefair.fr>, 240 € »: enough to remind by hand."""
        name = " ".join(p for p in (self.member_id or f"ligne {self.row}", self.structure) if p)
        if self.contact and self.contact != self.structure:
            name += f" ({self.contact})"
        address = f" <{self.email}>" if self.email else " (sans adresse e-mail)"
        amount = f", {format_money(self.amount_ttc)}" if self.amount_ttc is not None else ""
        return f"{name}{address}{amount}"


@dataclass
class RenewalsResult(outbox.MessageCounts):
    dry_run: bool
    today: dt.date
    sender: str = ""
    preview: bool = False  # no server: the messages were only written as previews
    preview_folder: Path | None = None  # where previews were written (run without server or dry run)
    messages: list[Reminder] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    to_check: list[ToCheck] = field(default_factory=list)
    journal: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        """Something was (or, in a dry run, would be) sent or recorded."""
        return bool(self.messages or any(c.new for c in self.to_check))

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``."""
        if self.preview:
            return journal_missing(
                preview_outcome(len(self.messages), self.preview_folder, "relance(s)"), self.journal_lost
            )
        counts = f"{self.sent} envoyée(s), {self.failed} échec(s), {len(self.skipped)} écartée(s)"
        if self.failed or self.uncertain or self.to_check:
            done = Outcome(FAILURE, f"{counts}, {len(self.to_check) + self.uncertain} à vérifier")
        else:
            done = Outcome(SUCCESS if self.sent else NOTHING, counts)
        return journal_missing(done, self.journal_lost)

    @property
    def late(self) -> list[Skipped]:
        return [s for s in self.skipped if s.late]

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing waits for a person."""
        return not (self.failed or self.uncertain or self.to_check)

    def lines(self, limit: int = 50) -> list[str]:
        """The outcome in French, for the command line (at most ``limit`` entries per group)."""
        out: list[str] = []

        def more(count: int) -> None:
            if count > limit:
                out.append(f"  … et {count - limit} autre(s) (--limite pour en voir plus)")

        if self.preview and self.messages:
            out.append(preview_notice(len(self.messages), self.preview_folder or Path(".")))
        out += outbox.by_status(
            self.messages,
            (
                (
                    PLANNED,
                    "Relances dues aujourd'hui" + (", écrites en aperçu" if self.preview_folder else ""),
                ),
                (ledger_rules.SENT, "Relances envoyées"),
                (ledger_rules.FAILED, "Refusées par le serveur (corrigez l'adresse dans « Email »)"),
                (ledger_rules.TO_CHECK, "Peut-être parties : à vérifier, jamais renvoyées automatiquement"),
                (ledger_rules.CANCELLED, "Non envoyées (elles partiront au prochain passage)"),
            ),
            lambda m: (
                f"{m.member_id} {m.structure} <{m.address}> — {m.reminder} — {format_money(m.amount_ttc)}"
            ),
            limit,
        )
        if not self.messages:
            out.append("Aucune relance due aujourd'hui.")
        elif self.dry_run and self.preview_folder:
            out.append(
                f"Aperçus écrits dans « {self.preview_folder} » : {len(self.messages)} fichier(s) "
                ".eml, à ouvrir avec Thunderbird, Outlook ou Apple Mail. Rien n'est parti, rien "
                "n'a été écrit dans le classeur."
            )
        current = [s for s in self.skipped if not s.late]
        if current:
            out.append(f"Membres non relancés : {len(current)}")
            out += [
                f"  {s.member_id or f'ligne {s.row}'} {s.structure} ({s.reminder or 'relance'}) : {s.reason}"
                for s in current[:limit]
            ]
            more(len(current))
        if self.late:
            out.append(
                f"Relances trop anciennes, non envoyées automatiquement : {len(self.late)} — relancez "
                "ces membres vous-même ou indiquez leur « Sortie le » :"
            )
            out += [f"  {s.who} — {s.reminder or 'relance'}" for s in self.late[:limit]]
            more(len(self.late))
        out += outbox.to_check_lines(
            self.to_check,
            "relance(s) restée(s)",
            "jamais renvoyées",
            guide=outbox.REMINDER_GUIDE,
            labelled=True,
        )
        if self.journal:
            out.append("Une ligne a été ajoutée à l'onglet Journal.")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            **self.counts_dict(),
            "today": self.today.isoformat(),
            "planned": len(self.messages) if self.dry_run or self.preview else 0,
            "skipped": len(self.skipped),
            "to_check": len(self.to_check),
            "skipped_members": [s.as_dict() for s in self.skipped],
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------- the job


def run_renewals(
    workbook: Workbook,
    *,
    today: dt.date,
    policy: MembershipPolicy,
    settings: RenewalSettings,
    mail: MailSettings,
    sender: Sender,
    clock: Clock,
    dry_run: bool = False,
    state: WorkbookState | None = None,
    billing: BillingSettings | None = None,
    invoice_folder: Path | None = None,
) -> RenewalsResult:
    """Send the reminders due on ``today`` and record them in Relances (``state``: the
    run's read of the workbook, read now when not given). With a sender that
    does not deliver (no server: previews), write them as previews and record nothing but a
    Journal line; with ``dry_run``, list them (and write the previews to such a sender)
    without writing anything to the workbook."""
    started = time.monotonic()
    result = RenewalsResult(
        dry_run=dry_run, today=today, sender=sender.description, preview=not sender.delivers and not dry_run
    )
    try:
        state = state or read_state(workbook, today, policy)
        problems = [a for a in state.evaluation.schema_problems if a.tab in _NEEDED]
        if problems:
            raise SchemaError(" ".join(a.message for a in problems))
        entries = state.log_entries
        snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
        plan(state, entries, today, settings, mail, clock, result, billing, invoice_folder)
    except MilaError as exc:
        result.seconds = time.monotonic() - started
        log.error("renewals failed before sending: %s", exc.message)
        if not dry_run and not isinstance(exc, UNREACHABLE):
            _journal(workbook, clock, "échec", exc.message, result)
        raise
    if dry_run or result.preview:
        skipped = f" ; {len(result.skipped)} membre(s) non relancé(s)" if result.skipped else ""
        outbox.previews(workbook, sender, clock, result, started, task=TASK, note=skipped)
        return result

    checks = [c for c in result.to_check if c.new]
    check_rows = outbox.check_rows(checks)
    batch_error = outbox.send_or_record(
        workbook,
        sender,
        clock,
        result.messages,
        check_rows,
        snapshot_ids,
        task=TASK,
        unreachable=lambda message: _journal(workbook, clock, "échec", message, result),
    )
    if batch_error is not None:
        details = _details(result) + f" ; envoi interrompu : {batch_error.message}"
        _journal(workbook, clock, _outcome(result), details, result)
        raise batch_error
    result.seconds = time.monotonic() - started
    log.info(
        "renewals: %d sent, %d failed, %d cancelled, %d uncertain, %d skipped, %d to check, %.2fs",
        result.sent,
        result.failed,
        result.cancelled,
        result.uncertain,
        len(result.skipped),
        len(result.to_check),
        result.seconds,
    )
    if result.messages or checks:
        result.journal = _journal(workbook, clock, _outcome(result), _details(result), result)
    return result


def plan(
    state: WorkbookState,
    entries: Sequence[LogEntry],
    today: dt.date,
    settings: RenewalSettings,
    mail: MailSettings,
    clock: Clock,
    result: RenewalsResult,
    billing: BillingSettings | None = None,
    invoice_folder: Path | None = None,
) -> None:
    """Decide every member's reminder and render the messages into ``result``, from the
    statuses and due dates of the run's one evaluation (which follow ``Paiements``); with
    billing on, the reminders of the invoices unpaid after their due date too. The first
    reminder quoting a cotisation invoice carries its PDF (``invoice_folder``: where
    ``mila factures`` writes them, ``AAAA/F2026-0007.pdf``), when it is there."""
    dataset = state.dataset
    histories = ledger_rules.build_histories(entries)
    id_counts = Counter(id_key(m.id) for m in dataset.members if m.id)
    templates = Templates(mail.templates)
    now = clock.now()
    invoices = open_fee_invoices(state.invoices)  # billing on: the invoice is the payment reference
    for member, computation in state.member_rows():
        decision = rules.decide(member, computation, today, settings.schedule, histories)
        if decision is None:
            continue
        label = decision.due.label if decision.due is not None else None
        if isinstance(decision, InDoubt):
            result.to_check.append(
                ToCheck.found(
                    decision.attempts,
                    decision.new,
                    member_id=member.id,
                    reference=decision.due.reference,
                    label=decision.due.label,
                    who=f"{member.id} {member.structure}",
                    about={
                        "member": member.id,
                        "structure": member.structure,
                        "reminder": decision.due.label,
                        "due_date": decision.due.reference.isoformat(),
                    },
                )
            )
            continue
        if isinstance(decision, Skip):
            fee = computation.fee
            result.skipped.append(
                Skipped(
                    member.id,
                    member.structure,
                    member.row,
                    label,
                    decision.reason,
                    decision.late,
                    member.contact,
                    member.email,
                    fee.ttc if fee is not None else None,
                )
            )
            continue
        assert isinstance(decision, Send) and member.id and member.email and computation.fee
        if id_counts[id_key(member.id)] > 1:
            result.skipped.append(
                Skipped(
                    member.id,
                    member.structure,
                    member.row,
                    label,
                    f"l'ID {member.id} figure sur plusieurs lignes de Membres : corrigez-le, "
                    "puis lancez « mila synchroniser ».",
                )
            )
            continue
        due = decision.due
        context = _context(member, computation, due, today, dataset, settings, mail)
        invoice = invoices.get(id_key(member.id) or "")
        if invoice is not None and invoice.number:
            context["facture"] = {
                "numero": invoice.number,
                "date": format_date_long(invoice.date) if invoice.date else "",
                "ttc": format_money(invoice.due),
                "fichier": None,  # the PDF attached, when this reminder carries it
            }
            context["paiement"]["reference"] = invoice.number  # type: ignore[index]  # the dict built above
        attachments = renewal_attachment(invoice, invoice_folder, entries, member.id, due.reference)
        if attachments:
            context["facture"]["fichier"] = attachments[0][0]  # type: ignore[index]  # set just above
        try:
            outgoing = compose(
                mail,
                templates,
                MessageTemplates(SUBJECTS[due.kind.moment], TEXT_TEMPLATE, HTML_TEMPLATE),
                context,
                to_name=member.contact,
                to_address=member.email,
                date=now,
                name=f"{today.isoformat()}-{member.id}-{due.label}",
                attachments=attachments,
            )
        except HeaderProblem as problem:
            result.skipped.append(Skipped(member.id, member.structure, member.row, label, problem.reason))
            continue
        result.messages.append(
            Reminder(
                member_id=member.id,
                structure=member.structure,
                contact=member.contact,
                address=outgoing.recipient,
                reminder=due.label,
                reference=due.reference,
                send_on=due.send_on,
                message_id=outgoing.message_id,
                amount_ttc=computation.fee.ttc,
                outgoing=outgoing,
            )
        )

    if billing is not None and billing.enabled:
        from .unpaid_invoices import plan_unpaid  # here: that module builds this one's records

        plan_unpaid(state, histories, today, settings, billing, mail, templates, now, result)


def _context(
    member: Member,
    computation: MemberComputation,
    due: rules.Due,
    today: dt.date,
    dataset: Dataset,
    settings: RenewalSettings,
    mail: MailSettings,
) -> dict[str, object]:
    """The variables the templates see (documented in docs/mail.md)."""
    fee = computation.fee
    assert fee is not None
    surface = None
    if member.category == "hébergé":
        found = hosted_surface(member, dataset, fee.period_start, today)
        surface = format_surface(found) if found is not None else None
    return {
        **addressed(
            mail, member, categorie=member.category, forfait=member.forfait, option_crescendo=member.crescendo
        ),
        "relance": {
            "libelle": due.label,
            "moment": due.kind.moment,
            "jours": abs(due.kind.offset),
            "date_prevue": format_date_long(due.send_on),
        },
        "facture": None,  # with billing on: the cotisation invoice to pay (numero, date, ttc)
        "echeance": format_date_long(due.reference),
        "echeance_courte": format_date(due.reference),
        "adhesion": format_date_long(member.joined_on) if member.joined_on else "",
        "jours_restants": max(0, (due.reference - today).days),
        "jours_de_retard": max(0, (today - due.reference).days),
        "date_du_jour": format_date_long(today),
        "cotisation": {
            "ht": format_money(fee.ht),
            "tva": format_money(fee.vat),
            "ttc": format_money(fee.ttc),
            "taux_tva": format_percent(fee.vat_rate),
            "detail": fee.breakdown,
            "lignes": [{"libelle": line.label, "montant": format_money(line.amount)} for line in fee.lines],
            "forfait": member.forfait if member.category == "bénéficiaire" else None,
            "surface": surface,
            "periode_debut": format_date_long(fee.period_start),
        },
        "paiement": {
            "lien": settings.payment_link,
            "iban": settings.iban,
            "bic": settings.bic,
            "titulaire": settings.account_holder or mail.association,
            "reference": f"Cotisation {member.id}",
            "instructions": settings.payment_instructions,
        },
        "contact": {
            "nom": settings.contact_name or f"l'équipe du {mail.association}",
            "email": settings.contact_email or mail.reply_to or mail.sender,
            "telephone": settings.contact_phone,
        },
    }


def _outcome(result: RenewalsResult) -> str:
    return result.journal_outcome()


def _details(result: RenewalsResult) -> str:
    parts = result.journal_parts(
        "relance(s)",
        feminine=True,
        sender=result.sender,
        failed=lambda m: f"{m.member_id} {m.reminder} ({m.details})",
        in_doubt=lambda c: f"{c.member_id} {c.label} {' '.join(c.message_ids)}",
    )
    if result.skipped:
        parts.append(f"{len(result.skipped)} membre(s) non relancé(s)")
    return " ; ".join(parts)


def _journal(workbook: Workbook, clock: Clock, outcome: str, details: str, result: RenewalsResult) -> bool:
    """Append the run to Journal; a failure to do so is logged, never raised."""
    return outbox.journal(workbook, clock, TASK, outcome, details, result.seconds)
