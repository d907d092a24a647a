"""The ``Factures`` tab as models: one row per invoice (``F2026-0001``) or credit note
(``A2026-0001``) issued by `mila factures`.

The tab is job-owned: rows are appended by the jobs and never changed but for their
calc columns (``Payée le``, ``Reste dû``, ``Statut``, ``Fichier``, ``Anomalies``).
Rows are identified by ``N°`` (the model's ``number``); ``id`` stays None. A credit note
holds negative amounts and names the invoice it cancels in ``Avoir de``. Registered in
``parsing.SPECS`` like every other tab.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from .. import schema
from . import values as v
from .fields import Field, _ref, _text
from .parsing import SPECS, TabSpec

INVOICE_PREFIX = "F"
CREDIT_NOTE_PREFIX = "A"
ISSUED = "émise"
PARTLY_PAID = "partiellement payée"
PAID = "payée"
CANCELLED = "annulée par avoir"

# F2026-0001, A2026-0001: a prefix, the year, a number continuous within the year
NUMBER = re.compile(r"([FA])(\d{4})-(\d{4,})")


def parse_number(text: str | None) -> tuple[str, int, int] | None:
    """``("F", 2026, 1)`` for ``F2026-0001`` (spaces and case ignored); None otherwise."""
    if not text:
        return None
    found = NUMBER.fullmatch("".join(str(text).split()).upper())
    if found is None:
        return None
    return found.group(1), int(found.group(2)), int(found.group(3))


def format_number(prefix: str, year: int, sequence: int) -> str:
    """``F2026-0001``: the prefix, the year and the sequence on four digits (or more)."""
    return f"{prefix}{year}-{sequence:04d}"


@dataclass(frozen=True, slots=True)
class Invoice:
    row: int
    id: None = None
    number: str | None = None  # N°
    date: dt.date | None = None
    member_id: str | None = None
    client: str | None = None  # the client's name and SIREN as the invoice shows them
    purpose: str | None = None  # schema.INVOICE_PURPOSES
    period: str | None = None  # Période, as written (« janvier 2026 », « 01/03/2026 – 28/02/2027 »)
    amount_ht: Decimal | None = None  # negative on a credit note
    vat_percent: Decimal | None = None
    vat: Decimal | None = None
    amount_ttc: Decimal | None = None
    due_date: dt.date | None = None  # Échéance
    paid_on: dt.date | None = None  # Payée le
    remaining: Decimal | None = None  # Reste dû
    status: str | None = None  # schema.INVOICE_STATUSES
    credit_of: str | None = None  # Avoir de: the invoice a credit note cancels
    file: str | None = None  # Fichier: the Drive link, once uploaded
    notes: str | None = None  # the staff's own
    unreadable: frozenset[str] = frozenset()

    @property
    def parts(self) -> tuple[str, int, int] | None:
        """``("F", 2026, 1)`` for ``F2026-0001``; None for a number not of that form."""
        return parse_number(self.number)

    @property
    def is_credit_note(self) -> bool:
        parts = self.parts
        return parts is not None and parts[0] == CREDIT_NOTE_PREFIX

    @property
    def is_cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def due(self) -> Decimal:
        """What is still to be paid: ``Reste dû`` once reconciled, else the whole TTC
        (nothing for a credit note or a cancelled invoice)."""
        if self.is_credit_note or self.is_cancelled or self.amount_ttc is None:
            return Decimal(0)
        return self.remaining if self.remaining is not None else self.amount_ttc


INVOICE_FIELDS = (
    Field("N°", "number", _text),
    Field("Date", "date", v.parse_date),
    Field("Membre", "member_id", _ref(schema.MEMBRES)),
    Field("Client", "client", _text),
    Field("Objet", "purpose", partial(v.parse_choice, choices=schema.INVOICE_PURPOSES)),
    Field("Période", "period", _text),
    Field("Montant HT", "amount_ht", partial(v.parse_amount, allow_negative=True)),
    Field("TVA %", "vat_percent", v.parse_percent),
    Field("TVA", "vat", partial(v.parse_amount, allow_negative=True)),
    Field("Montant TTC", "amount_ttc", partial(v.parse_amount, allow_negative=True)),
    Field("Échéance", "due_date", v.parse_date),
    Field("Payée le", "paid_on", v.parse_date),
    Field("Reste dû", "remaining", partial(v.parse_amount, allow_negative=True)),
    Field("Statut", "status", partial(v.parse_choice, choices=schema.INVOICE_STATUSES)),
    Field("Avoir de", "credit_of", _text),
    Field("Fichier", "file", _text),
    Field("Notes", "notes", _text),
)

SPECS[schema.FACTURES.name] = TabSpec(schema.FACTURES, Invoice, INVOICE_FIELDS)
