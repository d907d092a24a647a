"""`mila docs recus` on a workbook with a ``Paiements`` tab: one receipt per payment,
numbered once in the sheet, e-mailed to the member once.

The order of a run, and what each step leaves behind:

1. read Membres, Locaux, Occupations, Tarifs, Conseil and Paiements (and Relances when
   sending), in one request;
2. choose the payments: those whose ``Objet`` is in ``[documents] receipts_for``
   (``cotisation`` by default), with a positive ``Montant``, a date, an ID and a known
   member; a ``cotisation`` cancelled by a refund gets none unless it already has a number;
3. give each new one the next number of its year (``2025-014``) and write it in
   ``Reçu n°`` in one request, *before* any file: the sheet is the record of numbers. A
   payment taken over from ``Membres`` keeps the number the manifest gave it then;
4. write the receipts (documents/outputs.py: a file is rewritten only when its data or
   template changed; the manifest keeps the files);
5. with ``sender`` (``--envoyer``): e-mail each receipt not yet sent (``Reçu envoyé le``
   blank, no attempt in ``Relances``) with the bookkeeping of the reminders
   (``automations.outbox``): an ``en cours`` row before, the outcome after, ``Relance`` =
   ``reçu 2025-014``, ``Échéance`` = the payment's date; then ``Reçu envoyé le`` for each
   receipt sent. The PDF is attached when LibreOffice is there, else the .docx.

A crash between the ``en cours`` row and the outcome leaves the receipt ``à vérifier``:
never sent again. A receipt recorded ``envoyée`` whose date could not be written gets it
at the next run. Without a server the messages are written as previews and nothing is
recorded; a payment older than ``[documents] receipts_send_days`` is listed, not sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import outbox, schema
from ..documents import context as ctx
from ..documents.outputs import OutputFolder, PdfUnavailable, find_soffice, safe_filename
from ..documents.settings import AssociationSettings
from ..documents.typography import money
from ..formatting import format_date, format_money
from ..mail import (
    HeaderProblem,
    MailSettings,
    Outgoing,
    Sender,
    Templates,
    build_message,
    new_message_id,
    preview_notice,
)
from ..model.dataset import Dataset
from ..model.payments import Payment, effective_fee_payments
from ..model.rows import Member, id_key
from ..outbox import PLANNED
from ..rules import outbox as rules
from ..rules.fees import FeeProblem, FeeSchedule, compute_fee
from ..rules.membership import MembershipPolicy, due_date, hosted_surface
from ..workbook import CellUpdate, Row
from ..workbook.table import is_blank
from .context import RunContext
from .document_run import (
    DOCUMENT_TABS,
    DocumentsResult,
    _duplicate_ids,
    _guarded,
    _Item,
    _label,
    _Run,
)

log = logging.getLogger(__name__)
TASK = "envoi des reçus"  # the Journal's « Tâche » of the sending
READ_TABS = (
    schema.MEMBRES,
    schema.LOCAUX,
    schema.OCCUPATIONS,
    schema.TARIFS,
    schema.CONSEIL,
    schema.PAIEMENTS,
)
NUMBER = re.compile(r"^\s*(\d{4})-(\d+)\s*$")
SUBJECT_TEMPLATE = "recu.sujet.txt.j2"
TEXT_TEMPLATE = "recu.txt.j2"
HTML_TEMPLATE = "recu.html.j2"


def receipt_label(number: str) -> str:
    """What the ``Relance`` column of ``Relances`` holds for a receipt: ``reçu 2025-014``."""
    return f"reçu {number}"


# --------------------------------------------------------------------------- result


@dataclass
class ReceiptMail:
    """One receipt to e-mail, and what became of it (a ``outbox.Message``)."""

    member_id: str
    structure: str | None
    address: str
    reminder: str  # the Relance label: « reçu 2025-014 »
    reference: dt.date  # Échéance: the payment's date
    message_id: str
    payment_id: str
    number: str
    attachment: str  # the file attached
    row: Row = field(repr=False)
    status: str = PLANNED
    details: str | None = None
    sent_at: dt.datetime | None = None
    outgoing: Outgoing | None = field(default=None, repr=False)
    preview: str | None = None

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


@dataclass(frozen=True)
class ReceiptToCheck:
    """A receipt left ``en cours`` by an earlier run: it may have left; a person checks."""

    payment_id: str
    member_id: str | None
    number: str
    reference: dt.date
    message_ids: tuple[str, ...]
    address: str | None
    new_ids: tuple[str, ...] = ()  # found « en cours » by this run: marked « à vérifier »

    @property
    def new(self) -> bool:
        return bool(self.new_ids)

    def as_dict(self) -> dict[str, object]:
        return {
            "payment": self.payment_id,
            "number": self.number,
            "member": self.member_id,
            "message_ids": list(self.message_ids),
            "new": self.new,
        }


@dataclass
class ReceiptsSending(outbox.MessageCounts):
    """What ``--envoyer`` did: the messages, the receipts in doubt, those not sent and why."""

    sender: str = ""
    dry_run: bool = False
    preview: bool = False  # no server: written as previews, nothing recorded
    preview_folder: Path | None = None
    messages: list[ReceiptMail] = field(default_factory=list)
    to_check: list[ReceiptToCheck] = field(default_factory=list)
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
        if self.to_check:
            out.append(
                f"À vérifier : {len(self.to_check)} reçu(s) resté(s) « en cours » après un arrêt, "
                "jamais renvoyé(s) :"
            )
            out += [
                f"  Reçu {c.number} ({c.payment_id}) — Message-ID {' '.join(c.message_ids)}"
                for c in self.to_check
            ]
            out.append(
                "  Cherchez ce Message-ID dans les messages envoyés ; s'il n'est pas parti, "
                "écrivez « à renvoyer » dans « Statut » d'une nouvelle ligne de Relances."
            )
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "sender": self.sender,
            "preview": self.preview,
            "preview_folder": str(self.preview_folder) if self.preview_folder else None,
            "sent": self.sent,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "uncertain": self.uncertain,
            "messages": [m.as_dict() for m in self.messages],
            "checks": [c.as_dict() for c in self.to_check],
            "not_sent": self.not_sent,
            "too_old": self.too_old,
            "dates_written": self.dates_written,
            "journal": self.journal,
        }


@dataclass
class _Chosen:
    payment: Payment
    member: Member
    row: Row
    number: str | None = None
    item: _Item | None = None


# --------------------------------------------------------------------------- the job: the entry point


def run_receipts(
    context: RunContext,
    *,
    out: Path | None = None,
    member: str | None = None,
    pdf: bool = False,
    send: bool = False,
) -> DocumentsResult:
    """A receipt for each payment the sheet shows. With a ``Paiements`` tab: one per payment
    there, numbered in ``Reçu n°`` and, with ``send``, e-mailed once through the context's
    sender. Without it: one per ``Cotisation payée le`` + ``Montant payé`` of ``Membres``,
    numbered ``<year of payment>-<rank in that year>`` in order of payment date the first
    time a payment is seen, then kept in the manifest."""
    if context.workbook.title_for(schema.PAIEMENTS.name) is not None:
        return run_ledger_receipts(context, out=out, member=member, pdf=pdf, send=send)
    run = _Run("recus", context, out=out, pdf=pdf)
    today, association, policy = run.today, run.association, context.settings.membership
    sender = context.sender if send else None

    def body() -> None:
        dataset, wanted = run.read_for(DOCUMENT_TABS, member)
        order = ("Trésorier·e", *(f for f in association.signatory_order if f != "Trésorier·e"))
        receipt_warnings(run, association)
        if sender is not None:
            run.result.warnings.append(
                "Les reçus ne sont envoyés par e-mail que depuis l'onglet "
                "« Paiements » (voir docs/paiements.md) : aucun n'est parti."
            )
        schedule = FeeSchedule(dataset.rates)
        twice = _duplicate_ids(dataset.members)
        payments: list[Member] = []
        for m in dataset.members:
            if wanted is not None and id_key(m.id) != wanted:
                continue
            if m.paid_on is None:
                continue
            if m.id is None or id_key(m.id) in twice:
                run.result.skipped.append(
                    f"Membres ligne {m.row} ({m.structure or 'sans nom'}) : ID "
                    "manquant ou en double ; lancez « mila verifier »."
                )
                continue
            if m.amount_paid is None or m.amount_paid <= 0:
                run.result.skipped.append(
                    f"Membre {_label(m)} : « Montant payé » manquant pour le "
                    f"paiement du {format_date(m.paid_on)}."
                )
                continue
            payments.append(m)
        payments.sort(key=lambda m: (m.paid_on, id_key(m.id) or ""))
        folder = OutputFolder(run.result.folder)
        items: list[_Item] = []
        for m in payments:
            assert m.paid_on is not None and m.amount_paid is not None
            number, _ = folder.receipt_number(f"{m.id}|{m.paid_on.isoformat()}", m.paid_on.year)
            surface = hosted_surface(m, dataset, m.paid_on, today) if m.category == "hébergé" else None
            try:
                fee = compute_fee(m, m.paid_on, schedule, surface)
            except FeeProblem:
                fee = None
            party = run.association_context(m.paid_on, other_party=m, order=order)
            context = ctx.receipt_context(
                association=party,
                member=m,
                number=number,
                period_start=m.paid_on,
                period_end=due_date(m.paid_on, policy),
                amount_paid=m.amount_paid,
                fee=fee,
                vat_percent=Decimal(20),
                board=dataset.board,
            )
            if context["ecart"]:
                run.result.warnings.append(
                    f"Reçu {number} ({_label(m)}) : le montant payé ({money(m.amount_paid)}) diffère "
                    "de la cotisation calculée ; le reçu indique le montant reçu."
                )
            items.append(_Item(f"recu:{number}", safe_filename("Recu", number, m.structure), context))
        folder.save()  # the numbers, even if rendering fails below
        run.produce(run.template("recu"), items)

    return _guarded(run, body)


def receipt_warnings(run: _Run, association: AssociationSettings) -> None:
    """What a receipt lacks when the configuration or the board leaves it out."""
    if not run.association_context()["tresorier"]["connu"]:
        run.result.warnings.append(
            "Aucun trésorier ou trésorière en fonction dans l'onglet Conseil : "
            "les reçus sont signés par le membre du bureau suivant "
            "([association] signatory_order)."
        )
    if not association.siret:
        run.result.warnings.append(
            "SIRET de l'association non renseigné ([association] siret) : une "
            "entreprise a besoin de lui pour classer ses reçus."
        )
    if not association.vat_number:
        run.result.warnings.append(
            "Numéro de TVA intracommunautaire non renseigné ([association] "
            "vat_number) : les reçus montrent la TVA sans lui."
        )


# --------------------------------------------------------------------------- the ledger's receipts


def run_ledger_receipts(
    context: RunContext,
    *,
    out: Path | None = None,
    member: str | None = None,
    pdf: bool = False,
    send: bool = False,
) -> DocumentsResult:
    """A receipt for each payment of ``Paiements`` (see the module's docstring); with
    ``send``, the receipts not yet sent are e-mailed, once, through the context's sender."""
    run = _Run("recus", context, out=out, pdf=pdf)
    association, documents = run.association, run.documents
    policy, mail = context.settings.membership, context.settings.mail
    sender = context.sender if send else None
    sending = (
        ReceiptsSending(
            sender=sender.description, preview=not sender.delivers, send_days=documents.receipts_send_days
        )
        if sender
        else None
    )
    run.result.sending = sending

    def body() -> None:
        tabs = [t.name for t in READ_TABS] + ([schema.RELANCES.name] if sending else [])
        dataset, wanted = run.read_for(tabs, member)
        receipt_warnings(run, association)
        chosen = _choose(run, dataset, wanted)
        folder = OutputFolder(run.result.folder)
        _number(run, folder, chosen)
        for choice in chosen:
            if choice.number is not None:
                choice.item = _item(run, dataset, policy, choice)
        if sending is not None and not run.pdf:
            try:
                find_soffice(documents.soffice)
                run.pdf = True  # attach the PDF when LibreOffice is there
            except PdfUnavailable:
                run.result.warnings.append("LibreOffice est introuvable : les reçus partent en Word (.docx).")
        folder = run.produce(run.template("recu"), [c.item for c in chosen if c.item is not None])
        if sending is not None:
            assert sender is not None
            _send(run, folder, [c for c in chosen if c.item is not None], mail, sender, sending)

    return _guarded(run, body)


def _choose(run: _Run, dataset: Dataset, wanted: str | None) -> list[_Chosen]:
    """The payments that get a receipt, oldest first; the others the staff must fix, said."""
    table = run.tables[schema.PAIEMENTS.name]
    rows = {r.number: r for r in table.rows}
    counts = Counter(id_key(p.id) for p in dataset.payments if p.id)
    effective = {p.row for found in effective_fee_payments(dataset.payments).values() for p in found}
    purposes = run.documents.receipts_for
    chosen: list[_Chosen] = []
    for p in dataset.payments:
        if p.purpose not in purposes or p.date is None or p.amount is None or p.amount <= 0:
            continue
        if wanted is not None and id_key(p.member_id) != wanted:
            continue
        where = f"Paiement {p.id}" if p.id else f"Paiements ligne {p.row}"
        row = rows[p.row]
        if p.id is None or counts[id_key(p.id)] > 1:
            run.result.skipped.append(
                f"{where} : ID manquant ou en double ; lancez « mila synchroniser » "
                "(« mila verifier » liste les doublons)."
            )
            continue
        found = dataset.member(p.member_id) if p.member_id else None
        if found is None or found.id is None:
            why = (
                f"membre « {p.member_id} » introuvable dans l'onglet Membres"
                if p.member_id
                else "aucun membre dans « Membre »"
            )
            run.result.skipped.append(
                f"{where} du {format_date(p.date)} ({format_money(p.amount)}) : "
                f"{why} ; saisissez l'ID du membre pour que son reçu soit fait."
            )
            continue
        if p.is_fee and p.row not in effective and is_blank(row.get("Reçu n°")):
            run.result.skipped.append(f"{where} : remboursé, pas de reçu.")
            continue
        chosen.append(_Chosen(p, found, row))
    chosen.sort(key=lambda c: (c.payment.date, c.payment.row))
    return chosen


def _number(run: _Run, folder: OutputFolder, chosen: list[_Chosen]) -> None:
    """Give each payment its number: the one in ``Reçu n°``; else the one the manifest gave
    the same payment taken from ``Membres``; else the next of its year. New numbers are
    written to the sheet (and noted in the manifest) before anything else."""
    table = run.tables[schema.PAIEMENTS.name]
    taken: set[str] = set()
    last: Counter[int] = Counter()
    for row in table.rows:
        match = NUMBER.match(str(row.get("Reçu n°") or ""))
        if match:
            taken.add(match.group(0).strip())
            last[int(match.group(1))] = max(last[int(match.group(1))], int(match.group(2)))
    receipts = folder.data["receipts"]
    for year, rank in receipts["last"].items():
        if str(year).isdigit():
            last[int(year)] = max(last[int(year)], int(rank))
    updates: list[CellUpdate] = []
    for choice in chosen:
        p = choice.payment
        assert p.date is not None and p.id is not None
        current = choice.row.get("Reçu n°")
        if not is_blank(current):
            choice.number = str(current).strip()
            continue
        legacy = receipts["numbers"].get(f"{choice.member.id}|{p.date.isoformat()}") if p.is_fee else None
        if legacy and str(legacy) not in taken:
            number = str(legacy)
        else:
            last[p.date.year] += 1
            number = f"{p.date.year}-{last[p.date.year]:03d}"
        taken.add(number)
        receipts["numbers"][f"paiement:{p.id}"] = number
        receipts["last"][str(p.date.year)] = max(
            int(receipts["last"].get(str(p.date.year), 0)), last[p.date.year]
        )
        folder._dirty = True
        choice.number = number
        updates.append(CellUpdate(schema.PAIEMENTS.name, p.id, "Reçu n°", number, row=choice.row))
    if not updates:
        return
    written = run.workbook.write(updates)
    run.result.cells_written += written.cells_written
    run.result.skipped.extend(written.skipped)
    placed = {cell[1] for cell in written.cells}
    for choice in chosen:
        if choice.payment.id in {u.row_id for u in updates} and choice.payment.id not in placed:
            choice.number = None  # the row moved away: numbered at the next run
    folder.save()


def _item(run: _Run, dataset: Dataset, policy: MembershipPolicy, choice: _Chosen) -> _Item:
    p, m, number = choice.payment, choice.member, choice.number
    assert p.date is not None and p.amount is not None and number is not None
    fee = None
    if p.is_fee:
        surface = hosted_surface(m, dataset, p.date, run.today) if m.category == "hébergé" else None
        try:
            fee = compute_fee(m, p.date, FeeSchedule(dataset.rates), surface)
        except FeeProblem:
            fee = None
    order = ("Trésorier·e", *(f for f in run.association.signatory_order if f != "Trésorier·e"))
    party = run.association_context(p.date, other_party=m, order=order)
    vat = Decimal(20) if p.is_fee else run.association.rent_vat_percent
    context = ctx.receipt_context(
        association=party,
        member=m,
        number=number,
        period_start=p.date,
        period_end=due_date(p.date, policy),
        amount_paid=p.amount,
        fee=fee,
        vat_percent=vat,
        board=dataset.board,
        method=METHODS.get(p.means or "", p.means or ""),
        paid_on=p.date,
        purpose=p.purpose,
        payment_id=p.id or "",
    )
    if p.is_fee and context["ecart"]:
        run.result.warnings.append(
            f"Reçu {number} ({_label(m)}, {p.id}) : le montant payé ({money(p.amount)}) diffère "
            "de la cotisation calculée ; le reçu indique le montant reçu."
        )
    return _Item(f"recu:{number}", safe_filename("Recu", number, m.structure), context)


# How « Moyen » reads in « par … » on the receipt.
METHODS = {"carte": "carte bancaire", "prélèvement": "prélèvement bancaire"}


# --------------------------------------------------------------------------- sending


def _send(
    run: _Run,
    folder: OutputFolder,
    chosen: list[_Chosen],
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
                ReceiptToCheck(
                    p.id,
                    m.id,
                    number,
                    p.date,
                    tuple(a.message_id or f"(ligne {a.row})" for a in history.in_doubt),
                    next((a.address for a in history.in_doubt if a.address), None),
                    tuple(a.message_id for a in history.unreported if a.message_id),
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
        message_id = new_message_id(mail.domain)
        context = _context(choice.item.context, m, mail, attached.name)
        try:
            outgoing = build_message(
                mail,
                to_name=m.contact,
                to_address=m.email,
                subject=templates.render(SUBJECT_TEMPLATE, context),
                text=templates.render(TEXT_TEMPLATE, context),
                html=templates.render(HTML_TEMPLATE, context),
                message_id=message_id,
                date=now,
                name=f"{today.isoformat()}-{m.id}-recu-{number}",
                attachments=[(attached.name, attached.read_bytes())],
            )
        except HeaderProblem as problem:
            sending.not_sent.append(f"Reçu {number} ({_label(m)}) : {problem.reason}")
            continue
        sending.messages.append(
            ReceiptMail(
                m.id,
                m.structure,
                outgoing.recipient,
                label,
                p.date,
                message_id,
                p.id,
                number,
                attached.name,
                choice.row,
                outgoing=outgoing,
            )
        )
    if sending.preview:
        outbox.previews(workbook, sender, clock, sending, started, task=TASK, note="")
        return
    checks = [c for c in sending.to_check if c.new]
    check_rows = [
        outbox.to_check_row(c.member_id, c.reference, receipt_label(c.number), c.address, mid)
        for c in checks
        for mid in c.new_ids
    ]

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
        "association": {"nom": mail.association, "signature": mail.signature},
        "membre": {
            "id": member.id,
            "structure": member.structure or member.contact or "",
            "contact": member.contact or member.structure or "",
            "email": member.email,
        },
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
        in_doubt=lambda c: f"{c.number} {' '.join(c.message_ids)}",
    )
    return " ; ".join(parts)
