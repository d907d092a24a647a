"""The ``Paiements`` tab as models: one row per payment received, and the ledger's view
of a member (its latest ``cotisation`` payment).

A refund is a negative ``Montant``; it cancels the latest earlier payment of the same
member, purpose and amount. Registered in ``parsing.SPECS`` like every other tab.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from .. import schema
from . import values as v
from .anomalies import Severity
from .fields import Field, _ref, _text
from .parsing import SPECS, TabSpec
from .row_checks import Emit
from .rows import id_key

COTISATION = "cotisation"


@dataclass(frozen=True, slots=True)
class Payment:
    row: int
    id: str | None
    date: dt.date | None = None
    member_id: str | None = None
    payer: str | None = None
    amount: Decimal | None = None  # negative for a refund
    means: str | None = None  # schema.PAYMENT_MEANS
    purpose: str = COTISATION  # schema.PAYMENT_PURPOSES
    reference: str | None = None
    source: str | None = None
    unreadable: frozenset[str] = frozenset()

    @property
    def is_fee(self) -> bool:
        return self.purpose == COTISATION

    @property
    def is_refund(self) -> bool:
        return self.amount is not None and self.amount < 0


_MEANS_ALIASES = {
    "cheque": "chèque",
    "cb": "carte",
    "carte bancaire": "carte",
    "especes": "espèces",
    "liquide": "espèces",
    "helloasso": "HelloAsso",
    "hello asso": "HelloAsso",
    "prelevement": "prélèvement",
    "vir": "virement",
    "virement bancaire": "virement",
}
_PURPOSE_ALIASES = {
    "adhesion": COTISATION,
    "adhésion": COTISATION,
    "reservation": "réservation",
    "location": "réservation",
    "loyers": "loyer",
}

PAYMENT_FIELDS = (
    Field(
        "Date",
        "date",
        v.parse_date,
        True,
        "Saisissez le jour où l'argent a été reçu, au format JJ/MM/AAAA.",
        plausible=True,
    ),
    Field("Membre", "member_id", _ref(schema.MEMBRES)),
    Field("Payeur", "payer", _text),
    Field(
        "Montant",
        "amount",
        partial(v.parse_amount, allow_negative=True),
        True,
        "Saisissez le montant reçu en euros (négatif pour un remboursement).",
    ),
    Field("Moyen", "means", partial(v.parse_choice, choices=schema.PAYMENT_MEANS, aliases=_MEANS_ALIASES)),
    Field(
        "Objet", "purpose", partial(v.parse_choice, choices=schema.PAYMENT_PURPOSES, aliases=_PURPOSE_ALIASES)
    ),
    Field("Référence", "reference", _text),
    Field("Source", "source", _text),
)


def _check_payment(values: dict[str, object], emit: Emit) -> None:
    if values.get("purpose") is None:
        values["purpose"] = COTISATION
    if values.get("amount") == 0:
        emit(
            "Montant",
            Severity.WARNING,
            "Montant nul dans « Montant » : saisissez la somme reçue, ou supprimez la ligne.",
        )


SPECS[schema.PAIEMENTS.name] = TabSpec(
    schema.PAIEMENTS, Payment, PAYMENT_FIELDS, _check_payment, (("purpose", COTISATION),)
)


def reference_key(text: object) -> str | None:
    """The key two references are compared by: no case, no spaces."""
    if text is None:
        return None
    key = "".join(str(text).split()).casefold()
    return key or None


def effective_fee_payments(payments: Iterable[Payment]) -> dict[str, list[Payment]]:
    """The ``cotisation`` payments of each member (by ID key), oldest first, without those
    a later refund of the same amount cancelled."""
    by_member: dict[str, list[Payment]] = {}
    refunds: dict[str, list[Payment]] = {}
    for payment in payments:
        key = id_key(payment.member_id)
        if key is None or not payment.is_fee or payment.date is None or payment.amount is None:
            continue
        if payment.amount > 0:
            by_member.setdefault(key, []).append(payment)
        elif payment.amount < 0:
            refunds.setdefault(key, []).append(payment)
    for key, found in by_member.items():
        found.sort(key=lambda p: (p.date, p.row))
        for refund in sorted(refunds.get(key, []), key=lambda p: (p.date, p.row)):
            for index in range(len(found) - 1, -1, -1):
                paid = found[index]
                if paid.date <= refund.date and paid.amount == -refund.amount:  # type: ignore[operator]  # dated, kept above
                    del found[index]
                    break
    return {key: found for key, found in by_member.items() if found}


def latest_fee_payments(payments: Iterable[Payment]) -> dict[str, Payment]:
    """Each member's latest ``cotisation`` payment not cancelled by a refund."""
    return {key: found[-1] for key, found in effective_fee_payments(payments).items()}
