"""The ledger of ``Paiements`` as ``mila synchroniser`` computes it (pure, no I/O).

For each payment: the membership period a ``cotisation`` pays (``Période``), and its
anomalies: a member unknown to ``Membres``; a ``cotisation`` without a member (with the
members it might come from); an amount different from the fee due for that period, with
the fee's breakdown; a refund without the payment it refunds; a possible duplicate (same
member, amount and date from two sources); a reference used twice; a date in the future.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from ..formatting import cents, format_date, format_money
from ..model.anomalies import Anomaly, Severity
from ..model.payments import Payment, reference_key
from ..model.rows import Member, Occupation, Premises, Rate, id_key
from ..schema import PAIEMENTS
from .fees import FeeProblem, FeeSchedule, compute_fee
from .matching import Clue, MemberIndex
from .membership import MembershipPolicy, due_date, hosted_surface

TAB = PAIEMENTS.name
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class _Ledger(Protocol):
    members: list[Member]
    payments: list[Payment]
    rates: list[Rate]

    def member(self, member_id: str | None) -> Member | None: ...

    def occupations_of(self, member_id: str | None) -> list[Occupation]: ...

    def premises_item(self, premises_id: str | None) -> Premises | None: ...


@dataclass(frozen=True)
class PaymentComputation:
    row: int
    id: str | None
    period: str | None  # « 01/03/2025 – 28/02/2026 » for a cotisation
    anomalies: tuple[Anomaly, ...] = ()


def period_text(paid_on: dt.date, policy: MembershipPolicy) -> str:
    """The membership period a payment on ``paid_on`` opens, as the sheet shows it."""
    return f"{format_date(paid_on)} – {format_date(due_date(paid_on, policy))}"


def source_kind(source: str | None) -> str:
    """Where a row came from, coarsely: « HelloAsso », « banque », « reprise » or « saisie »."""
    text = (source or "").casefold()
    if "helloasso" in text or "hello asso" in text:
        return "HelloAsso"
    if "banque" in text or "relevé" in text or "releve" in text:
        return "banque"
    if "reprise" in text:
        return "reprise"
    return "saisie"


def clue_of(payment: Payment) -> Clue:
    """What a row of the ledger says about its payer, for naming candidate members."""
    payer = payment.payer or ""
    email = EMAIL.search(payer)
    name = EMAIL.sub("", payer).strip(" ()<>,;")
    return Clue(
        text=f"{payer} {payment.reference or ''}",
        email=email.group(0) if email else None,
        names=(name,) if name else (),
        amount=payment.amount,
    )


def compute_ledger(
    dataset: _Ledger,
    today: dt.date,
    policy: MembershipPolicy | None = None,
    schedule: FeeSchedule | None = None,
) -> list[PaymentComputation]:
    """``Période`` and the anomalies of every row of ``Paiements``, in sheet order."""
    policy = policy or MembershipPolicy()
    schedule = schedule or FeeSchedule(dataset.rates)
    found: dict[int, list[Anomaly]] = defaultdict(list)
    index: MemberIndex | None = None

    def add(payment: Payment, column: str | None, severity: Severity, message: str) -> None:
        found[payment.row].append(Anomaly(TAB, payment.row, payment.id, column, severity, message))

    for payment in dataset.payments:
        if payment.date is not None and payment.date > today:
            add(
                payment,
                "Date",
                Severity.WARNING,
                f"Date dans le futur dans « Date » ({format_date(payment.date)}) : saisissez le jour "
                "où l'argent a été reçu.",
            )
        member = dataset.member(payment.member_id) if payment.member_id else None
        if payment.member_id and member is None:
            add(
                payment,
                "Membre",
                Severity.ERROR,
                f"Membre inconnu dans « Membre » : « {payment.member_id} » n'existe pas dans l'onglet "
                "« Membres ». Saisissez l'ID d'un membre (par exemple M0012), ou laissez vide pour un "
                "payeur extérieur.",
            )
        elif (
            payment.member_id is None
            and "member_id" not in payment.unreadable
            and payment.is_fee
            and payment.amount is not None
            and payment.amount > 0
        ):
            index = index or MemberIndex(dataset.members)
            match = index.match(clue_of(payment))
            if match.member_id is not None:
                message = (
                    f"Membre manquant pour une cotisation : ce paiement semble venir de "
                    f"{index.label(id_key(match.member_id) or '')} ({match.how}). "
                    "Saisissez son ID dans « Membre »."
                )
            else:
                message = f"Membre manquant pour une cotisation. {match.problem}"
            add(payment, "Membre", Severity.WARNING, message)
        if (
            member is not None
            and payment.is_fee
            and payment.date is not None
            and payment.amount is not None
            and payment.amount > 0
        ):
            _check_amount(payment, member, dataset, schedule, today, add)
    _check_refunds(dataset.payments, add)
    _check_duplicates(dataset.payments, add)
    _check_references(dataset.payments, add)

    computed = []
    for payment in dataset.payments:
        period = None
        if payment.is_fee and payment.date is not None and payment.amount is not None and payment.amount > 0:
            period = period_text(payment.date, policy)
        computed.append(PaymentComputation(payment.row, payment.id, period, tuple(found[payment.row])))
    return computed


def _check_amount(
    payment: Payment, member: Member, dataset: _Ledger, schedule: FeeSchedule, today: dt.date, add
) -> None:
    assert payment.date is not None and payment.amount is not None
    surface = hosted_surface(member, dataset, payment.date, today) if member.category == "hébergé" else None
    try:
        fee = compute_fee(member, payment.date, schedule, surface)
    except FeeProblem:
        return  # the member's row already says why its fee cannot be computed
    if cents(payment.amount) != fee.ttc:
        add(
            payment,
            "Montant",
            Severity.WARNING,
            f"Montant {format_money(payment.amount)} différent de la cotisation due pour la période "
            f"commençant le {format_date(payment.date)} : {format_money(fee.ttc)} TTC "
            f"({fee.breakdown}). Vérifiez le paiement, le membre ou son forfait.",
        )


def _owner(payment: Payment) -> str | None:
    return id_key(payment.member_id) or (
        "payeur:" + payment.payer.casefold().strip() if payment.payer else None
    )


def _check_refunds(payments: list[Payment], add) -> None:
    paid: dict[tuple[str, str, Decimal], list[Payment]] = defaultdict(list)
    for p in payments:
        owner = _owner(p)
        if owner and p.amount is not None and p.amount > 0 and p.date is not None:
            paid[(owner, p.purpose, p.amount)].append(p)
    used: set[int] = set()
    for refund in sorted(
        (p for p in payments if p.is_refund and p.date is not None), key=lambda p: (p.date, p.row)
    ):
        owner = _owner(refund)
        assert refund.amount is not None and refund.date is not None
        candidates = [
            p
            for p in paid.get((owner or "", refund.purpose, -refund.amount), [])
            if p.row not in used and p.date <= refund.date  # type: ignore[operator]  # `paid` holds dated rows
        ]
        if candidates:
            used.add(max(candidates, key=lambda p: (p.date, p.row)).row)
            continue
        who = (
            f"de {refund.member_id}"
            if refund.member_id
            else (f"de « {refund.payer} »" if refund.payer else "de ce payeur")
        )
        add(
            refund,
            "Montant",
            Severity.WARNING,
            f"Remboursement sans paiement correspondant : aucun paiement ({refund.purpose}) de "
            f"{format_money(-refund.amount)} {who} au {format_date(refund.date)} ou avant. Vérifiez le "
            "montant et le membre, ou saisissez d'abord le paiement remboursé.",
        )


def _check_duplicates(payments: list[Payment], add) -> None:
    groups: dict[tuple[str, Decimal, dt.date], list[Payment]] = defaultdict(list)
    for p in payments:
        key = id_key(p.member_id)
        if key and p.amount is not None and p.date is not None:
            groups[(key, p.amount, p.date)].append(p)
    for group in groups.values():
        if len({source_kind(p.source) for p in group}) < 2:
            continue
        for p in group:
            others = ", ".join(o.id or f"ligne {o.row}" for o in group if o is not p)
            add(
                p,
                None,
                Severity.WARNING,
                f"Doublon possible avec {others} : même membre, même montant, même date, autre "
                "source. S'il s'agit du même paiement, supprimez l'une des lignes.",
            )


def _check_references(payments: list[Payment], add) -> None:
    by_reference: dict[str, list[Payment]] = defaultdict(list)
    for p in payments:
        key = reference_key(p.reference)
        if key:
            by_reference[key].append(p)
    for group in by_reference.values():
        for p in group[1:]:
            first = group[0]
            add(
                p,
                "Référence",
                Severity.ERROR,
                f"Référence « {p.reference} » déjà utilisée par {first.id or f'la ligne {first.row}'} : "
                "une référence ne sert qu'une fois. Corrigez-la, ou supprimez la ligne en double.",
            )
