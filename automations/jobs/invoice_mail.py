"""E-mailing the invoices and credit notes of ``Factures`` to the members, once
(``mila factures --envoyer``, the request « envoyer les factures », the scheduled
``factures`` job when a mail server is configured).

Through the outbox (``automations.outbox``), like every message: each document is claimed in
``Relances`` (``Relance`` « facture F2026-0007 » or « avoir A2026-0001 », ``Échéance`` the
document's date) just before it is sent, then its outcome is recorded. A document recorded
``envoyée`` is never sent again; one left ``en cours`` by a run that died is « à vérifier »:
a person looks, it is never sent again on its own. The message carries the document's
Factur-X PDF (PDF/A-3, its XML inside), produced first when missing (``jobs.invoices``).
While sending is not switched on (or without a server) the messages are written as previews
and nothing is recorded. Documents older than ``[billing] send_days`` are listed, not sent.

The order: :func:`select` (from the run's read: which documents, which are in doubt, which
cannot leave and why), the PDFs made by the caller, then :func:`send`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import outbox
from ..formatting import format_date_long, format_money
from ..mail import HeaderProblem, Templates, preview_notice
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.invoices import CANCELLED, PAID, Invoice
from ..model.rows import Member, id_key
from ..outbox import PLANNED, Mail, ToCheck, preview_outcome
from ..rules import outbox as rules
from ..rules.invoices import COTISATION, PURPOSE_WORDS, mail_label
from ..rules.outbox import LogEntry
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome
from .context import RunContext

log = logging.getLogger(__name__)
TASK = "envoi des factures"  # the Journal's « Tâche » of the sending
# An unpaid cotisation invoice goes with the renewal reminder (its first one carries the
# PDF); it is sent on its own only when no reminder went within these days of its issue.
REMINDER_HOLD_DAYS = 7
DOCUMENT_MAILS = ("facture ", "avoir ")  # the Relance of a document sent, or of an unpaid one
MESSAGE = MessageTemplates.named("facture")


@dataclass(kw_only=True)
class InvoiceMail(Mail):
    """One invoice or credit note to e-mail, and what became of it (an ``outbox.Mail``)."""

    structure: str | None
    number: str
    attachment: str  # the file attached

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "number": self.number, "attachment": self.attachment}


@dataclass
class InvoicesSending(outbox.MessageCounts):
    """What ``--envoyer`` did: the messages, the documents in doubt, those not sent and why."""

    sender: str = ""
    dry_run: bool = False
    preview: bool = False  # not delivered: written as previews, nothing recorded
    preview_folder: Path | None = None
    messages: list[InvoiceMail] = field(default_factory=list)
    to_check: list[ToCheck] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)  # French: why a document did not leave
    too_old: list[str] = field(default_factory=list)  # numbers older than send_days
    to_send: list[str] = field(default_factory=list)  # a dry run: the numbers that would leave
    with_reminder: list[str] = field(default_factory=list)  # left to the renewal reminder
    send_days: int = 60
    journal: bool = False
    journal_error: str | None = None
    seconds: float = 0.0
    interrupted: str | None = None  # French: why the sending stopped before its end

    def outcome(self) -> Outcome:
        """The sending in one French line (a request's « Résultat », ``mila etat``)."""
        if self.preview:
            return preview_outcome(len(self.messages), self.preview_folder, "facture(s)")
        counts = f"{self.sent} facture(s) ou avoir(s) envoyé(s)"
        if self.interrupted:
            return Outcome(FAILURE, f"{counts} ; envoi interrompu : {self.interrupted}")
        if self.failed or self.uncertain or self.to_check or self.not_sent:
            extra = len(self.to_check) + self.uncertain
            return Outcome(
                FAILURE,
                f"{counts}, {self.failed} refusé(s), {len(self.not_sent)} non envoyé(s)"
                + (f", {extra} à vérifier" if extra else ""),
            )
        return Outcome(SUCCESS if self.sent else NOTHING, counts)

    def lines(self, limit: int = 50) -> list[str]:
        """The outcome in French, for the command line."""
        out: list[str] = []
        if self.dry_run and self.to_send:
            listed = ", ".join(self.to_send[:limit]) + (" …" if len(self.to_send) > limit else "")
            out.append(f"Factures et avoirs qui seraient envoyés : {len(self.to_send)} ({listed}).")
        if self.preview and self.messages:
            out.append(preview_notice(len(self.messages), self.preview_folder or Path(".")))
        out += outbox.by_status(
            self.messages,
            (
                (PLANNED, "Factures à envoyer, écrites en aperçu (rien n'est parti)"),
                (rules.SENT, "Factures et avoirs envoyés"),
                (rules.FAILED, "Refusés par le serveur (corrigez l'adresse dans « Email » de Membres)"),
                (rules.TO_CHECK, "Peut-être partis : à vérifier, jamais renvoyés automatiquement"),
                (rules.CANCELLED, "Non envoyés (ils partiront au prochain passage)"),
            ),
            lambda m: f"{m.number} → {m.member_id} {m.structure or ''} <{m.address}> ({m.attachment})",
            limit,
        )
        if self.interrupted:
            out.append(f"Envoi des factures interrompu : {self.interrupted}")
        elif not self.messages and not self.to_check and not self.to_send:
            out.append("Aucune facture à envoyer maintenant : celles déjà envoyées ne repartent pas.")
        if self.with_reminder:
            listed = ", ".join(self.with_reminder[:10]) + (" …" if len(self.with_reminder) > 10 else "")
            out.append(
                f"Factures de cotisation jointes à la relance de renouvellement (« mila relances »), "
                f"pas envoyées à part : {len(self.with_reminder)} ({listed})."
            )
        if self.not_sent:
            out.append(f"Factures non envoyées : {len(self.not_sent)}")
            out += [f"  {line}" for line in self.not_sent[:limit]]
        if self.too_old:
            listed = ", ".join(self.too_old[:10]) + (" …" if len(self.too_old) > 10 else "")
            out.append(
                f"Factures de plus de {self.send_days} jours jamais envoyées, non envoyées "
                f"automatiquement : {len(self.too_old)} ({listed}). Envoyez-les vous-même si besoin "
                "(le PDF est dans le dossier des factures)."
            )
        out += outbox.to_check_lines(self.to_check, "facture(s) restée(s)", "jamais renvoyée(s)")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            **self.counts_dict(),
            "not_sent": self.not_sent,
            "too_old": self.too_old,
            "to_send": self.to_send,
            "interrupted": self.interrupted,
            "with_reminder": self.with_reminder,
        }


@dataclass(frozen=True)
class Selected:
    """The documents to e-mail now, each with its member (the PDFs still to be found)."""

    documents: list[tuple[Invoice, Member]]
    snapshot_ids: set[str]


def select(ctx: RunContext, sending: InvoicesSending) -> Selected:
    """The documents of ``Factures`` not yet sent (from the run's read: the ``Factures`` and
    ``Relances`` tabs); those in doubt, too old or without address go into ``sending``."""
    state = ctx.state
    entries = state.log_entries
    histories = rules.build_histories(entries)
    members = state.dataset.members_by_id
    since = ctx.today - dt.timedelta(days=sending.send_days)
    chosen: list[tuple[Invoice, Member]] = []
    for invoice in state.invoices:
        if invoice.parts is None or invoice.date is None or not invoice.number:
            continue
        label = mail_label(invoice.number, credit_note=invoice.is_credit_note)
        key = rules.message_key(invoice.member_id, invoice.date, label)
        history = histories.get(key, rules.History()) if key is not None else rules.History()
        if history.state is rules.State.SENT:
            continue
        if history.state is rules.State.IN_DOUBT:
            sending.to_check.append(
                ToCheck.found(
                    history.in_doubt,
                    history.unreported,
                    member_id=invoice.member_id,
                    reference=invoice.date,
                    label=label,
                    who=f"{invoice.number} ({invoice.member_id})",
                    about={"number": invoice.number, "member": invoice.member_id},
                )
            )
            continue
        if invoice.date < since:
            sending.too_old.append(invoice.number)
            continue
        if _with_renewal(invoice):
            if _carried(invoice, entries):
                continue  # the renewal reminder carried it
            if (ctx.today - invoice.date).days < REMINDER_HOLD_DAYS:
                sending.with_reminder.append(invoice.number)
                continue
        member = members.get(id_key(invoice.member_id) or "")
        why = _unsendable(invoice, member, histories)
        if why is not None:
            sending.not_sent.append(f"{invoice.number} ({invoice.member_id or 'sans membre'}) : {why}")
            continue
        assert member is not None
        chosen.append((invoice, member))
    snapshot = {e.message_id.strip() for e in entries if e.message_id}
    return Selected(chosen, snapshot)


def send(
    ctx: RunContext,
    selected: Selected,
    pdfs: Mapping[str, Path],
    sending: InvoicesSending,
    credit_of_dates: Mapping[str, dt.date] | None = None,
) -> None:
    """Render the message of each selected document with its PDF (``pdfs``: by number; a
    document without one is listed, not sent), then send them through the outbox, or
    write them as previews while sending is not switched on."""
    started = time.monotonic()
    settings = ctx.settings
    mail = settings.mail
    sender = ctx.sender
    sending.sender = sender.description
    sending.preview = not sender.delivers
    templates = Templates(mail.templates)
    now = ctx.clock.now()
    for invoice, member in selected.documents:
        assert invoice.number and invoice.date and member.email and member.id
        pdf = pdfs.get(invoice.number)
        if pdf is None or not pdf.is_file():
            sending.not_sent.append(
                f"{invoice.number} ({member.id}) : son PDF Factur-X n'a pas pu être produit (voir "
                "« Attention » ci-dessus) ; elle partira au prochain passage."
            )
            continue
        context = invoice_mail_context(invoice, member, ctx, pdf.name)
        try:
            outgoing = compose(
                mail,
                templates,
                MESSAGE,
                context,
                to_name=member.contact,
                to_address=member.email,
                date=now,
                name=f"{ctx.today.isoformat()}-{member.id}-{invoice.number}",
                attachments=[(pdf.name, pdf.read_bytes())],
            )
        except HeaderProblem as problem:
            sending.not_sent.append(f"{invoice.number} ({member.id}) : {problem.reason}")
            continue
        sending.messages.append(
            InvoiceMail(
                member_id=member.id,
                structure=member.structure,
                address=outgoing.recipient,
                reminder=mail_label(invoice.number, credit_note=invoice.is_credit_note),
                reference=invoice.date,
                message_id=outgoing.message_id,
                number=invoice.number,
                attachment=pdf.name,
                outgoing=outgoing,
            )
        )
    workbook, clock = ctx.workbook, ctx.clock
    if sending.preview:
        outbox.previews(workbook, sender, clock, sending, started, task=TASK, note="")
        return
    checks = [c for c in sending.to_check if c.new]

    def unreachable(message: str) -> None:
        sending.seconds = time.monotonic() - started
        outbox.journal(workbook, clock, TASK, "échec", message, sending.seconds)

    batch_error = outbox.send_or_record(
        workbook,
        sender,
        clock,
        sending.messages,
        outbox.check_rows(checks),
        selected.snapshot_ids,
        task=TASK,
        unreachable=unreachable,
    )
    sending.seconds = time.monotonic() - started
    if sending.messages or checks:
        details = _details(sending) + (f" ; envoi interrompu : {batch_error.message}" if batch_error else "")
        sending.journal = outbox.journal(
            workbook, clock, TASK, sending.journal_outcome(), details, sending.seconds
        )
    ctx.changed()
    if batch_error is not None:
        raise batch_error


def invoice_mail_context(
    invoice: Invoice, member: Member, ctx: RunContext, file_name: str
) -> dict[str, object]:
    """The variables of the templates ``facture.*.j2`` (documented in docs/facturation.md)."""
    settings = ctx.settings
    mail, renewals = settings.mail, settings.renewals
    paid = invoice.status == PAID and invoice.paid_on is not None and not invoice.is_credit_note
    return {
        **addressed(mail, member),
        "facture": {
            "numero": invoice.number,
            "date": format_date_long(invoice.date) if invoice.date else "",
            "echeance": format_date_long(invoice.due_date) if invoice.due_date else "",
            "objet": PURPOSE_WORDS.get(invoice.purpose or "", invoice.purpose or ""),
            "periode": invoice.period or "",
            "ht": format_money(abs(invoice.amount_ht or Decimal(0))),
            "ttc": format_money(abs(invoice.amount_ttc or Decimal(0))),
            "reste": format_money(invoice.due),
            "acquittee": paid,
            "payee_le": format_date_long(invoice.paid_on) if paid and invoice.paid_on else "",
            "avoir": invoice.is_credit_note,
            "avoir_de": invoice.credit_of or "",
        },
        "paiement": {
            "lien": renewals.payment_link,
            "iban": renewals.iban,
            "bic": renewals.bic,
            "titulaire": renewals.account_holder or mail.association,
            "reference": invoice.number,
            "instructions": renewals.payment_instructions,
        },
        "contact": {
            "nom": renewals.contact_name or f"l'équipe du {mail.association}",
            "email": renewals.contact_email or mail.reply_to or mail.sender,
            "telephone": renewals.contact_phone,
        },
        "fichier": file_name,
    }


def _with_renewal(invoice: Invoice) -> bool:
    """An unpaid cotisation invoice: the renewal reminder carries it (``jobs.renewals``)."""
    return (
        invoice.purpose == COTISATION
        and not invoice.is_credit_note
        and invoice.status not in (PAID, CANCELLED)
    )


def _carried(invoice: Invoice, entries: Sequence[LogEntry]) -> bool:
    """Whether a renewal reminder went to the member since the invoice was issued (the
    first one carries its PDF: it is not sent again on its own)."""
    key = id_key(invoice.member_id)
    assert invoice.date is not None
    return any(
        id_key(e.member_id) == key
        and rules.normalize_status(e.status) == rules.SENT
        and e.at is not None
        and _day(e.at) >= invoice.date
        and not (e.reminder or "").startswith(DOCUMENT_MAILS)
        for e in entries
    )


def renewal_attachment(
    invoice: Invoice | None,
    folder: Path | None,
    entries: Sequence[LogEntry],
    member_id: str,
    reference: dt.date,
) -> list[tuple[str, bytes]]:
    """The cotisation invoice's PDF to attach to this reminder: the first reminder of the
    renewal sent since the invoice was issued carries it (none when it is not written yet:
    ``mila factures --pdf``, scheduled before the reminders, writes it; none when the invoice
    was e-mailed on its own)."""
    if invoice is None or folder is None or invoice.parts is None or invoice.date is None:
        return []
    key = id_key(member_id)
    own = mail_label(invoice.number or "")
    for entry in entries:
        if entry.reminder == own and rules.normalize_status(entry.status) == rules.SENT:
            return []  # e-mailed on its own (mila factures --envoyer)
        if (
            id_key(entry.member_id) == key
            and entry.reference == reference
            and not (entry.reminder or "").startswith(DOCUMENT_MAILS)
            and rules.normalize_status(entry.status) == rules.SENT
            and entry.at is not None
            and _day(entry.at) >= invoice.date
        ):
            return []  # an earlier reminder of this renewal carried it
    pdf = folder / str(invoice.parts[1]) / f"{invoice.number}.pdf"
    try:
        return [(pdf.name, pdf.read_bytes())] if pdf.is_file() else []
    except OSError:
        log.warning("renewals: invoice PDF %s unreadable", pdf)
        return []


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _unsendable(invoice: Invoice, member: Member | None, histories: rules.Histories) -> str | None:
    if member is None or not member.id:
        return (
            f"membre « {invoice.member_id or ''} » introuvable dans Membres : corrigez « Membre » de "
            "la facture ou l'ID du membre."
        )
    if member.email is None:
        if "email" in member.unreadable:
            return "adresse e-mail invalide : corrigez la case « Email » dans l'onglet Membres."
        return "aucune adresse e-mail : complétez la case « Email » dans l'onglet Membres."
    refusal = histories.refusal(member.id, member.email)
    if refusal is not None:
        return (
            f"l'adresse {member.email} a été refusée par le serveur "
            f"({refusal.details or 'sans détail'}) : corrigez-la dans « Email », la facture partira "
            "au prochain passage."
        )
    return None


def _details(sending: InvoicesSending) -> str:
    parts = sending.journal_parts(
        "facture(s) ou avoir(s)",
        feminine=True,
        sender=sending.sender,
        failed=lambda m: f"{m.number} ({m.details})",
        in_doubt=lambda c: f"{c.detail('number')} {' '.join(c.message_ids)}",
    )
    return " ; ".join(parts)
