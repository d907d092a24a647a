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
   blank, no attempt in ``Relances``) through the outbox (:mod:`.receipt_mail`).

Which payments and which numbers are pure rules (``rules.receipts``, plans); the sending
is :mod:`.receipt_mail`.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import schema
from ..documents import context as ctx
from ..documents.outputs import OutputFolder, PdfUnavailable, safe_filename
from ..documents.settings import AssociationSettings
from ..documents.typography import money
from ..formatting import format_date
from ..model.dataset import Dataset
from ..model.rows import Member, id_key
from ..rules.fees import FeeProblem, FeeSchedule, compute_fee
from ..rules.ids import receipts_in_journal
from ..rules.membership import MembershipPolicy, due_date, hosted_surface
from ..rules.receipts import NUMBER, choose_receipts, number_receipts, receipt_label  # noqa: F401
from ..workbook import CellUpdate
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
from .receipt_mail import TASK, Chosen, ReceiptMail, ReceiptsSending, send_receipts  # noqa: F401

log = logging.getLogger(__name__)
READ_TABS = (
    schema.MEMBRES,
    schema.LOCAUX,
    schema.OCCUPATIONS,
    schema.TARIFS,
    schema.CONSEIL,
    schema.PAIEMENTS,
    schema.JOURNAL,  # the receipt numbers ever given (rules.ids.receipts_in_journal)
)


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
            party = run.association_context(today, other_party=m, order=order)
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
                **_issue(run),
            )
            if context["ecart"]:
                run.result.warnings.append(
                    f"Reçu {number} ({_label(m)}) : le montant payé ({money(m.amount_paid)}) diffère "
                    "de la cotisation calculée ; le reçu indique le montant reçu."
                )
            items.append(
                _Item(f"recu:{number}", safe_filename("Recu", number, m.structure), context, VOLATILE)
            )
        folder.save()  # the numbers, even if rendering fails below
        run.produce(run.template("recu"), items)

    return _guarded(run, body)


# A receipt is dated the day it is produced and signed by who holds office that day: an
# unchanged receipt is not produced again because a day passed or the board changed (its
# file keeps the day and the signatory it was produced with).
VOLATILE = ("recu.date", "association.signataire", "association.president", "association.tresorier")


def _issue(run: _Run) -> dict[str, Any]:
    """The receipt's day (today: never the payment's) and its VAT ([billing] vat_registered)."""
    billing = run.context.settings.billing
    return {
        "issued_on": run.today,
        "vat_registered": billing.vat_registered,
        "vat_exemption": billing.vat_exemption_mention,
    }


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
                run.context.converter.check()
                run.pdf = True  # attach the PDF when LibreOffice is there: to the receipts to send only
                run.pdf_keys = {c.item.key for c in chosen if c.item is not None and _to_send(c, run)}
            except PdfUnavailable:
                run.result.warnings.append("LibreOffice est introuvable : les reçus partent en Word (.docx).")
        folder = run.produce(run.template("recu"), [c.item for c in chosen if c.item is not None])
        if sending is not None:
            assert sender is not None
            send_receipts(run, folder, [c for c in chosen if c.item is not None], mail, sender, sending)

    return _guarded(run, body)


def _choose(run: _Run, dataset: Dataset, wanted: str | None) -> list[Chosen]:
    """The payments that get a receipt, oldest first (``rules.receipts``); the others the
    staff must fix, said."""
    table = run.tables[schema.PAIEMENTS.name]
    rows = {r.number: r for r in table.rows}
    numbered = {r.number for r in table.rows if not is_blank(r.get("Reçu n°"))}
    plan = choose_receipts(dataset, run.documents.receipts_for, numbered, wanted)
    run.result.skipped.extend(plan.skipped)
    return [Chosen(c, rows[c.payment.row]) for c in plan.chosen]


def _number(run: _Run, folder: OutputFolder, chosen: list[Chosen]) -> None:
    """Give each payment its number (``rules.receipts.number_receipts``): the one in
    ``Reçu n°``; else the one the manifest gave the same payment taken from ``Membres``; else
    the next of its year, after every number of the column, of the manifest and of the
    Journal lines of earlier runs (a number whose payment row was deleted is never given
    again). New numbers are written to the sheet (and noted in the manifest, and in this
    run's Journal line) before anything else."""
    table = run.tables[schema.PAIEMENTS.name]
    receipts = folder.data["receipts"]
    known_last: dict[str, object] = dict(receipts["last"])
    for year, rank in receipts_in_journal(entry.details for entry in run.dataset.journal).items():
        known_last[str(year)] = max(int(str(known_last.get(str(year), 0))), rank)
    current = {c.payment.row: c.row.get("Reçu n°") for c in chosen}
    plan = number_receipts(
        [c.choice for c in chosen],
        {row: str(value).strip() for row, value in current.items() if not is_blank(value)},
        [str(row.get("Reçu n°") or "") for row in table.rows],
        known_last,
        receipts["numbers"],
    )
    for each in chosen:
        each.number = plan.numbers.get(each.payment.row)
    updates: list[CellUpdate] = []
    for choice, number in plan.new:
        p = choice.payment
        assert p.date is not None and p.id is not None
        receipts["numbers"][f"paiement:{p.id}"] = number
        of_year = str(p.date.year)
        receipts["last"][of_year] = max(int(receipts["last"].get(of_year, 0)), plan.last[p.date.year])
        folder._dirty = True
        row = next(c.row for c in chosen if c.choice is choice)
        updates.append(CellUpdate(schema.PAIEMENTS.name, p.id, "Reçu n°", number, row=row))
    if not updates:
        return
    written = run.workbook.write(updates)
    run.result.cells_written += written.cells_written
    run.result.skipped.extend(written.skipped)
    placed = {cell[1] for cell in written.cells}
    run.result.numbered += [str(u.value) for u in updates if u.row_id in placed]
    for each in chosen:
        if each.payment.id in {u.row_id for u in updates} and each.payment.id not in placed:
            each.number = None  # the row moved away: numbered at the next run
    folder.save()


def _item(run: _Run, dataset: Dataset, policy: MembershipPolicy, choice: Chosen) -> _Item:
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
    party = run.association_context(run.today, other_party=m, order=order)
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
        **_issue(run),
    )
    if p.is_fee and context["ecart"]:
        run.result.warnings.append(
            f"Reçu {number} ({_label(m)}, {p.id}) : le montant payé ({money(p.amount)}) diffère "
            "de la cotisation calculée ; le reçu indique le montant reçu."
        )
    return _Item(f"recu:{number}", safe_filename("Recu", number, m.structure), context, VOLATILE)


# How « Moyen » reads in « par … » on the receipt.
METHODS = {"carte": "carte bancaire", "prélèvement": "prélèvement bancaire"}


def _to_send(choice: Chosen, run: _Run) -> bool:
    """Whether the receipt may go by e-mail in this run (not sent yet, not too old to send)."""
    date = choice.payment.date
    return (
        is_blank(choice.row.get("Reçu envoyé le"))
        and date is not None
        and (run.today - date).days <= run.documents.receipts_send_days
    )
