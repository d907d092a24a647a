"""One payment as an import reads it, before it is matched and appended to ``Paiements``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..rules.matching import Clue


@dataclass(frozen=True)
class Incoming:
    date: dt.date
    amount: Decimal  # TTC; negative for a refund
    reference: str
    means: str  # schema.PAYMENT_MEANS
    kind: str  # « HelloAsso » or « banque »: the Source of the row
    payer: str = ""  # as the bank or HelloAsso names the payer
    purpose: str | None = None  # schema.PAYMENT_PURPOSES; None: decided by the matching
    clue: Clue = field(default_factory=Clue)
    origin: str = ""  # « releve.csv ligne 7 », for messages
    refund: bool = False  # an order refunded: ``reference`` is the order's, ``amount`` negative


@dataclass
class FileRead:
    """What one file gave: its payments, and what was set aside (French, for the staff)."""

    name: str
    kind: str  # « export HelloAsso », « relevé bancaire (CSV) », « relevé bancaire (OFX) »
    payments: list[Incoming] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # lines not payments, with why
    warnings: list[str] = field(default_factory=list)  # a reference twice, an odd value


def purpose_from_text(text: str) -> str | None:
    """``loyer``, ``réservation``, ``don`` or ``cotisation`` when the words say so."""
    words = text.casefold()
    for keys, purpose in (
        (("loyer",), "loyer"),
        (("reservation", "réservation", "location salle", "location de salle"), "réservation"),
        (("don ", "don:", "dons", "donation"), "don"),
        (("cotisation", "adhesion", "adhésion", "membership"), "cotisation"),
    ):
        if any(k in words + " " for k in keys):
            return purpose
    return None
