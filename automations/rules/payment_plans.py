"""The rows a payments import appends to ``Paiements`` (pure: the job reads and writes).

:func:`plan_payments` takes the payments read from files or from HelloAsso, drops those
whose ``Référence`` is already in the ledger, matches each of the others to a member
(``payments.matching``: reference, e-mail, SIRET, name; the fee due breaks a tie) and
gives each its row, with an ID after every one ever given. :func:`plan_takeover` does the
same for the ``Cotisation payée le`` / ``Montant payé`` of ``Membres``, moved once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Protocol

from .. import schema
from ..formatting import format_date
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
    for payment in incoming:
        ref = reference_key(payment.reference)
        if ref in known:
            plan.already.append(payment.reference)
            continue
        known.add(ref)
        fresh.append(payment)
    if not fresh:
        return plan
    index = MemberIndex(dataset.members, cache(due))
    journal = [entry.details for entry in dataset.journal]
    ids = next_ids(schema.PAIEMENTS, len(fresh), [p.id for p in dataset.payments], journal)
    stamp = format_date(today)
    matches = index.match_many([payment.clue for payment in fresh])
    for new_id, payment, match in zip(ids, fresh, matches, strict=True):
        purpose = payment.purpose or (COTISATION if match.member_id else "autre")
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
    return plan


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
