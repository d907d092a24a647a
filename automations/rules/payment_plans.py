"""The rows a payments import appends to ``Paiements`` (pure: the job reads and writes).

:func:`plan_payments` takes the payments read from files or from HelloAsso, drops those
whose ``Référence`` is already in the ledger, matches each of the others to a member
(``payments.matching``: reference, e-mail, SIRET, name; the fee due breaks a tie) and
gives each its row, with an ID after every one ever given. :func:`plan_takeover` does the
same for the ``Cotisation payée le`` / ``Montant payé`` of ``Membres``, moved once.

An order refunded after its payment was imported (``Incoming.refund``) is never set aside
in silence: it becomes a refund row (negative amount, the payment's member, purpose and
payer, ``Référence`` « HelloAsso 1003 remboursement ») that cancels the payment, or, when
the ledger's row cannot be refunded as it stands, a French problem for the staff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Protocol

from .. import schema
from ..formatting import format_date, format_money
from ..model.dataset import Dataset
from ..model.payments import COTISATION, reference_key
from ..model.rows import Member, id_key
from .fees import FeeProblem, FeeSchedule, compute_fee
from .ids import next_ids
from .matching import Clue, MemberIndex
from .membership import MembershipPolicy, hosted_surface
from .payments import period_text


class Incoming(Protocol):
    """A payment as an import reads it (``payments.records.Incoming``)."""

    @property
    def date(self) -> dt.date: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def reference(self) -> str: ...
    @property
    def means(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def payer(self) -> str: ...
    @property
    def purpose(self) -> str | None: ...
    @property
    def origin(self) -> str: ...
    @property
    def clue(self) -> Clue: ...
    @property
    def refund(self) -> bool: ...


@dataclass(frozen=True)
class Planned:
    """One row to append, and how its member was found."""

    values: dict[str, object]
    how: str
    origin: str

    @property
    def id(self) -> str:
        return str(self.values["ID"])

    def as_dict(self) -> dict[str, object]:
        shown = {
            k: (format_date(v) if isinstance(v, dt.date) else float(v) if isinstance(v, Decimal) else v)
            for k, v in self.values.items()
        }
        return {**shown, "rapprochement": self.how, "origine": self.origin}


@dataclass
class PaymentPlan:
    added: list[Planned] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # references already in the ledger
    ignored: list[str] = field(default_factory=list)  # French, one per line set aside
    problems: list[str] = field(default_factory=list)  # French: what the staff must look at


REFUND_SUFFIX = "remboursement"


def refund_reference(reference: str) -> str:
    """The ``Référence`` of the refund row of the payment referenced ``reference``."""
    return f"{reference} {REFUND_SUFFIX}"


def plan_payments(
    dataset: Dataset,
    incoming: Iterable[Incoming],
    today: dt.date,
    policy: MembershipPolicy,
    due: Callable[[str], Decimal | None],
) -> PaymentPlan:
    """The rows of the payments not yet in the ledger. ``due``: a member's fee due (TTC)
    by ID key, asked only to break a tie between members (the run's one evaluation)."""
    plan = PaymentPlan()
    # A payment without reference counts as known after the first one (kept as it was).
    known: set[str | None] = {k for p in dataset.payments if (k := reference_key(p.reference))}
    fresh: list[Incoming] = []
    refunds: list[Incoming] = []
    for payment in incoming:
        if payment.refund:
            refunds.append(payment)
            continue
        ref = reference_key(payment.reference)
        if ref in known:
            plan.already.append(payment.reference)
            continue
        known.add(ref)
        fresh.append(payment)
    stamp = format_date(today)
    refund_rows = _refund_rows(dataset, refunds, known, stamp, plan)
    if not fresh and not refund_rows:
        return plan
    index = MemberIndex(dataset.members, cache(due))
    journal = [entry.details for entry in dataset.journal]
    ids = next_ids(schema.PAIEMENTS, len(fresh) + len(refund_rows), [p.id for p in dataset.payments], journal)
    matches = index.match_many([payment.clue for payment in fresh]) if fresh else []
    refund_planned = [
        Planned({"ID": new_id, **values}, how, origin)
        for new_id, (values, how, origin) in zip(ids[len(fresh) :], refund_rows, strict=True)
    ]
    for new_id, payment, match in zip(ids[: len(fresh)], fresh, matches, strict=True):
        purpose = payment.purpose or (COTISATION if match.member_id or match.proposed else "autre")
        problems = []
        if match.member_id is None and match.problem:
            problems.append(match.problem)
        if payment.date > today:
            problems.append(
                f"Date dans le futur dans « Date » ({format_date(payment.date)}) : saisissez "
                "le jour où l'argent a été reçu."
            )
        period = None
        if purpose == COTISATION and payment.amount > 0:
            period = period_text(payment.date, policy)
        source = f"import {payment.kind} du {stamp}"
        if payment.origin and payment.kind != "HelloAsso API":
            source += f" ({payment.origin.split(' ligne ')[0].split(' opération ')[0]})"
        values: dict[str, object] = {
            "ID": new_id,
            "Date": payment.date,
            "Membre": match.member_id,
            "Payeur": payment.payer or None,
            "Montant": payment.amount,
            "Moyen": payment.means,
            "Objet": purpose,
            "Référence": payment.reference,
            "Source": source,
            "Période": period,
            "Anomalies": "\n".join(problems) or None,
        }
        plan.added.append(Planned(values, match.how, payment.origin))
    plan.added += refund_planned
    return plan


def _refund_rows(
    dataset: Dataset,
    refunds: Sequence[Incoming],
    known: set[str | None],
    stamp: str,
    plan: PaymentPlan,
) -> list[tuple[dict[str, object], str, str]]:
    """The refund row (without ID) of each refunded order whose payment is in the ledger;
    the others go to ``plan.ignored`` (never imported: nothing to undo) or to
    ``plan.problems`` (a row that cannot be refunded as it stands)."""
    by_reference = {reference_key(p.reference): p for p in dataset.payments if p.reference}
    rows: list[tuple[dict[str, object], str, str]] = []
    for refund in refunds:
        reference = refund_reference(refund.reference)
        if reference_key(reference) in known:
            plan.already.append(reference)
            continue
        known.add(reference_key(reference))
        original = by_reference.get(reference_key(refund.reference))
        order = refund.reference.removeprefix("HelloAsso ").strip()
        if original is None:
            plan.ignored.append(
                f"{refund.origin} : commande {order} remboursée, jamais importée dans « Paiements » : "
                "rien à enregistrer"
            )
            continue
        where = original.id or f"la ligne {original.row}"
        amount = -refund.amount
        if original.amount is None or original.amount <= 0 or amount > original.amount:
            paid = format_money(original.amount) if original.amount is not None else "illisible"
            plan.problems.append(
                f"{refund.origin} : commande {order} remboursée ({format_money(amount)}) dans "
                f"HelloAsso, mais son paiement {where} de « Paiements » a pour montant {paid}. "
                f"Corrigez {where}, puis saisissez le remboursement à la main : une ligne au montant "
                f"négatif, même membre, Référence « {reference} »."
            )
            continue
        values: dict[str, object] = {
            "Date": refund.date,
            "Membre": original.member_id,
            "Payeur": original.payer or refund.payer or None,
            "Montant": refund.amount,
            "Moyen": original.means or refund.means,
            "Objet": original.purpose,
            "Référence": reference,
            "Source": f"import {refund.kind} du {stamp} (remboursement de {where})",
            "Période": None,
            "Anomalies": None,
        }
        rows.append((values, f"remboursement de {where}", refund.origin))
    return rows


def plan_takeover(
    dataset: Dataset, members: Sequence[Member], today: dt.date, policy: MembershipPolicy
) -> PaymentPlan:
    """One ``Paiements`` row per member's ``Cotisation payée le`` not yet in the ledger
    (``members``: as typed in ``Membres``, before the ledger is followed). The row's
    ``Référence`` is « reprise M0018 2025-03-02 »: a second run finds it and adds nothing."""
    plan = PaymentPlan()
    known: set[str | None] = {k for p in dataset.payments if (k := reference_key(p.reference))}
    ledger = {(id_key(p.member_id), p.date) for p in dataset.payments if p.is_fee}
    schedule = FeeSchedule(dataset.rates)
    journal = [entry.details for entry in dataset.journal]
    pending: list[tuple[Member, dt.date, str]] = []
    for member in members:
        if member.id is None or member.paid_on is None:
            continue
        if member.amount_paid == 0:
            plan.ignored.append(
                f"Membres ligne {member.row} ({member.id}) : montant payé nul, rien à reprendre"
            )
            continue
        reference = f"reprise {member.id} {member.paid_on.isoformat()}"
        if reference_key(reference) in known or (id_key(member.id), member.paid_on) in ledger:
            plan.already.append(reference)
            continue
        known.add(reference_key(reference))
        pending.append((member, member.paid_on, reference))
    ids = next_ids(schema.PAIEMENTS, len(pending), [p.id for p in dataset.payments], journal)
    stamp = format_date(today)
    for new_id, (member, paid_on, reference) in zip(ids, pending, strict=True):
        amount = member.amount_paid
        source = f"reprise de « Membres » du {stamp}"
        if amount is None:
            try:
                surface = (
                    hosted_surface(member, dataset, paid_on, today) if member.category == "hébergé" else None
                )
                amount = compute_fee(member, paid_on, schedule, surface).ttc
                source += " (montant déduit des tarifs : « Montant payé » était vide)"
            except FeeProblem:
                amount = None
                source += " (« Montant payé » vide : saisissez le montant)"
        values: dict[str, object] = {
            "ID": new_id,
            "Date": paid_on,
            "Membre": member.id,
            "Payeur": member.structure,
            "Montant": amount,
            "Moyen": None,
            "Objet": COTISATION,
            "Référence": reference,
            "Source": source,
            "Période": period_text(paid_on, policy),
        }
        plan.added.append(Planned(values, "reprise de « Membres »", f"Membres ligne {member.row}"))
    return plan
