"""E-mailing the receipts of ``Paiements`` once (``mila docs recus --envoyer``), through the
outbox (``automations.outbox``): each receipt claimed in ``Relances`` (``Relance`` =
``reçu 2025-014``, ``Échéance`` = the payment's date) just before it is sent, then
``Reçu envoyé le`` written for each receipt sent. The PDF is attached when LibreOffice is
there, else the .docx. A receipt left ``en cours`` by a run that died is ``à vérifier``:
never sent again. A receipt recorded ``envoyée`` whose date could not be written gets it at
the next run. Without a server the messages are written as previews and nothing is
recorded; a payment older than ``[documents] receipts_send_days`` is listed, not sent.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import outbox, schema
from ..documents.outputs import OutputFolder
from ..mail import (
    HeaderProblem,
    MailSettings,
    Sender,
    Templates,
    preview_notice,
)
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.payments import Payment
from ..model.rows import Member
from ..outbox import PLANNED, Mail, ToCheck
from ..rules import outbox as rules
from ..rules.receipts import ReceiptChoice, receipt_label
from ..workbook import CellUpdate, Row
from ..workbook.table import is_blank
from .document_run import _Item, _label, _Run

TASK = "envoi des reçus"  # the Journal's « Tâche » of the sending
MESSAGE = MessageTemplates.named("recu")


# --------------------------------------------------------------------------- result


@dataclass(kw_only=True)
class ReceiptMail(Mail):
    """One receipt to e-mail, and what became of it (an ``outbox.Mail``)."""

    structure: str | None
    payment_id: str
    number: str
    attachment: str  # the file attached
    row: Row = field(repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "payment": self.payment_id,
            "number": self.number,
            "member": self.member_id,
            "address": self.address,
            "attachment": self.attachment,
            "status": self.status,
            "message_id": self.message_id,
            "details": self.details,
            "preview": self.preview,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


@dataclass
class ReceiptsSending(outbox.MessageCounts):
    """What ``--envoyer`` did: the messages, the receipts in doubt, those not sent and why."""

    sender: str = ""
    dry_run: bool = False
    preview: bool = False  # no server: written as previews, nothing recorded
    preview_folder: Path | None = None
    messages: list[ReceiptMail] = field(default_factory=list)
    to_check: list[ToCheck] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)  # French: why a receipt did not leave
    too_old: list[str] = field(default_factory=list)  # receipt numbers past receipts_send_days
    send_days: int = 60  # [documents] receipts_send_days
    dates_written: int = 0
    journal: bool = False
    seconds: float = 0.0

    def lines(self, limit: int = 50) -> list[str]:
        """The outcome in French, for the command line."""
        out: list[str] = []
        if self.preview and self.messages:
            out.append(preview_notice(len(self.messages), self.preview_folder or Path(".")))
        out += outbox.by_status(
            self.messages,
            (
                (PLANNED, "Reçus à envoyer, écrits en aperçu"),
                (rules.SENT, "Reçus envoyés"),
                (rules.FAILED, "Refusés par le serveur (corrigez l'adresse dans « Email » de Membres)"),
                (rules.TO_CHECK, "Peut-être partis : à vérifier, jamais renvoyés automatiquement"),
                (rules.CANCELLED, "Non envoyés (ils partiront au prochain passage)"),
            ),
            lambda m: f"Reçu {m.number} ({m.payment_id}) → {m.member_id} {m.structure or ''} <{m.address}>",
            limit,
        )
        if not self.messages and not self.to_check:
            out.append("Aucun reçu à envoyer.")
        if self.not_sent:
            out.append(f"Reçus non envoyés : {len(self.not_sent)}")
            out += [f"  {line}" for line in self.not_sent[:limit]]
        if self.too_old:
            listed = ", ".join(self.too_old[:10]) + (" …" if len(self.too_old) > 10 else "")
            out.append(
                f"Reçus de paiements de plus de {self.send_days} jours, non envoyés automatiquement : "
                f"{len(self.too_old)} ({listed}). Envoyez-les vous-même si besoin, puis notez "
                "la date dans « Reçu envoyé le »."
            )
        out += outbox.to_check_lines(self.to_check, "reçu(s) resté(s)", "jamais renvoyé(s)")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            **self.counts_dict(),
            "not_sent": self.not_sent,
            "too_old": self.too_old,
            "dates_written": self.dates_written,
        }


@dataclass
class Chosen:
    """A payment that gets a receipt (``rules.receipts``), its row, number and document."""

    choice: ReceiptChoice
    row: Row
    number: str | None = None
    item: _Item | None = None

    @property
    def payment(self) -> Payment:
        return self.choice.payment

    @property
    def member(self) -> Member:
        return self.choice.member


# --------------------------------------------------------------------------- sending


def send_receipts(
    run: _Run,
    folder: OutputFolder,
    chosen: list[Chosen],
    mail: MailSettings,
    sender: Sender,
    sending: ReceiptsSending,
) -> None:
    started = time.monotonic()
    workbook, clock, today = run.workbook, run.clock, run.today
    entries = outbox.entries(run.tables.get(schema.RELANCES.name), today)
    snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
    histories = rules.build_histories(entries)
    templates = Templates(mail.templates)
    repairs: list[CellUpdate] = []
    now = clock.now()
    for choice in chosen:
        p, m, number = choice.payment, choice.member, choice.number
        assert p.date is not None and p.id is not None and m.id is not None and number is not None
        if not is_blank(choice.row.get("Reçu envoyé le")):
            continue
        label = receipt_label(number)
        key = rules.message_key(m.id, p.date, label)
        history = histories.get(key, rules.History()) if key is not None else rules.History()
        if history.state is rules.State.SENT:
            when = next((a.at for a in history.attempts if a.status == rules.SENT and a.at), today)
            repairs.append(
                CellUpdate(schema.PAIEMENTS.name, p.id, "Reçu envoyé le", _day(when), row=choice.row)
            )
            continue
        if history.state is rules.State.IN_DOUBT:
            sending.to_check.append(
                ToCheck.found(
                    history.in_doubt,
                    history.unreported,
                    member_id=m.id,
                    reference=p.date,
                    label=receipt_label(number),
                    who=f"Reçu {number} ({p.id})",
                    about={"payment": p.id, "number": number, "member": m.id},
                )
            )
            continue
        if (today - p.date).days > run.documents.receipts_send_days:
            sending.too_old.append(number)
            continue
        why = _unsendable(m, histories)
        if why is not None:
            sending.not_sent.append(f"Reçu {number} ({_label(m)}) : {why}")
            continue
        assert m.email is not None and choice.item is not None
        entry = folder.entry(choice.item.key) or {}
        attached = folder.folder / str(entry.get("pdf") or entry.get("file"))
        context = _context(choice.item.context, m, mail, attached.name)
        try:
            outgoing = compose(
                mail,
                templates,
                MESSAGE,
                context,
                to_name=m.contact,
                to_address=m.email,
                date=now,
                name=f"{today.isoformat()}-{m.id}-recu-{number}",
                attachments=[(attached.name, attached.read_bytes())],
            )
        except HeaderProblem as problem:
            sending.not_sent.append(f"Reçu {number} ({_label(m)}) : {problem.reason}")
            continue
        sending.messages.append(
            ReceiptMail(
                member_id=m.id,
                structure=m.structure,
                address=outgoing.recipient,
                reminder=label,
                reference=p.date,
                message_id=outgoing.message_id,
                payment_id=p.id,
                number=number,
                attachment=attached.name,
                row=choice.row,
                outgoing=outgoing,
            )
        )
    if sending.preview:
        outbox.previews(workbook, sender, clock, sending, started, task=TASK, note="")
        return
    checks = [c for c in sending.to_check if c.new]
    check_rows = outbox.check_rows(checks)

    def unreachable(message: str) -> None:
        sending.seconds = time.monotonic() - started
        outbox.journal(workbook, clock, TASK, "échec", message, sending.seconds)

    batch_error = outbox.send_or_record(
        workbook,
        sender,
        clock,
        sending.messages,
        check_rows,
        snapshot_ids,
        task=TASK,
        unreachable=unreachable,
    )
    dates = [
        CellUpdate(schema.PAIEMENTS.name, m.payment_id, "Reçu envoyé le", _day(m.sent_at or now), row=m.row)
        for m in sending.messages
        if m.status == rules.SENT
    ]
    if dates or repairs:
        written = workbook.write([*dates, *repairs])
        sending.dates_written = written.cells_written
        run.result.cells_written += written.cells_written
        run.result.skipped.extend(written.skipped)
    sending.seconds = time.monotonic() - started
    if sending.messages or checks:
        details = _details(sending) + (f" ; envoi interrompu : {batch_error.message}" if batch_error else "")
        sending.journal = outbox.journal(
            workbook, clock, TASK, sending.journal_outcome(), details, sending.seconds
        )
    if batch_error is not None:
        raise batch_error


def _unsendable(member: Member, histories: rules.Histories) -> str | None:
    if member.email is None:
        if "email" in member.unreadable:
            return "adresse e-mail invalide : corrigez la case « Email » dans l'onglet Membres."
        return "aucune adresse e-mail : complétez la case « Email » dans l'onglet Membres."
    refusal = histories.refusal(member.id, member.email)
    if refusal is not None:
        return (
            f"l'adresse {member.email} a été refusée par le serveur "
            f"({refusal.details or 'sans détail'}) : corrigez-la dans « Email », le reçu partira au "
            "prochain passage."
        )
    return None


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _context(receipt: dict[str, Any], member: Member, mail: MailSettings, file_name: str) -> dict[str, Any]:
    """The variables of the e-mail templates recu.*.j2 (documented in docs/documents.md)."""
    return {
        **addressed(mail, member),
        "recu": receipt["recu"],
        "paiement": receipt["paiement"],
        "fichier": file_name,
    }


def _details(sending: ReceiptsSending) -> str:
    parts = sending.journal_parts(
        "reçu(s)",
        feminine=False,
        sender=sending.sender,
        failed=lambda m: f"{m.number} ({m.details})",
        in_doubt=lambda c: f"{c.detail('number')} {' '.join(c.message_ids)}",
    )
    return " ; ".join(parts)
