"""Row models: one frozen dataclass per tab, and the parsing of a sheet ``Row`` into one.

The parsing is in :mod:`.parsing`, the columns of each tab in :mod:`.fields`.

Parsing never fails: a missing required value or an unreadable one becomes an
:class:`Anomaly` and the field is ``None`` (its name is listed in the model's
``unreadable`` when the cell held something that could not be read), so the model always
builds. Checks that need other rows or other tabs live in ``rules.validation``.

Every model has ``row`` (1-based sheet row at read time) and ``id`` (the ``ID`` as typed,
stripped; ``None`` when blank or for tabs without an ID column). References to other tabs
(``member_id``, ``premises_id``…) are normalised: upper case, zero-padded to the target
tab's width (``m12`` -> ``M0012``).

Severities: unreadable or missing values and impossible periods are errors; an invalid
phone number or SIRET, an implausible date and a missing surface are warnings.
Job-owned tabs (Relances, Journal) are parsed without anomalies: staff do not edit them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from ..schema import Tab

# --------------------------------------------------------------------------- IDs


_ID_PARTS = re.compile(r"([A-Z]+)\s*-?\s*0*(\d+)")


@lru_cache(maxsize=65536)
def id_key(text: str | None) -> str | None:
    """The key two IDs are compared by: ``m12``, ``M0012`` and ``M 012`` give ``M12``."""
    if text is None:
        return None
    folded = str(text).strip().upper()
    match = _ID_PARTS.fullmatch(folded)
    if match:
        return f"{match.group(1)}{int(match.group(2))}"
    return folded or None


# `M0012 – Le Fair`: an ID followed by the label the dropdowns of the Listes tab offer,
# behind an en dash, an em dash or a hyphen with spaces around it.
_LABELLED = re.compile(r"\s+[–—-]\s+")


def strip_label(text: str) -> str:
    """The ID part of a labelled reference: ``M0012 – Le Fair`` -> ``M0012``.

    Text whose part before the dash is not an ID (an organisation's name) is kept whole."""
    head = _LABELLED.split(text.strip(), maxsplit=1)[0]
    if head != text.strip() and _ID_PARTS.fullmatch(head.upper()):
        return head
    return text


def normalize_ref(text: str, target: Tab) -> str:
    """A reference as the target tab writes its IDs: ``m12`` -> ``M0012``, and
    ``M0012 – Le Fair`` -> ``M0012`` (the label is ignored, SHEETS.md)."""
    return _normalize_ref(text, target.id_prefix, target.id_width)


@lru_cache(maxsize=65536)
def _normalize_ref(text: str, prefix: str | None, width: int) -> str:
    if (
        prefix
        and len(text) == len(prefix) + width
        and text.startswith(prefix)
        and text[len(prefix) :].isascii()
        and text[len(prefix) :].isdigit()
        and prefix.isascii()
        and prefix.isalpha()
        and prefix.isupper()
    ):
        return text  # already as the tab writes it (nearly every reference): what follows gives
    folded = strip_label(text).strip().upper()
    match = _ID_PARTS.fullmatch(folded)
    if match and prefix and match.group(1) == prefix:
        return f"{prefix}{int(match.group(2)):0{width}d}"
    return folded


# --------------------------------------------------------------------------- models


@dataclass(frozen=True, slots=True)
class Member:
    row: int
    id: str | None
    structure: str | None = None
    contact: str | None = None
    email: str | None = None
    phone: str | None = None
    siret: str | None = None
    category: str | None = None  # schema.CATEGORIES
    forfait: str | None = None  # schema.FORFAITS
    crescendo: bool = False
    joined_on: dt.date | None = None  # Adhésion le
    paid_on: dt.date | None = None  # Cotisation payée le
    amount_paid: Decimal | None = None
    charter_signed_on: dt.date | None = None
    left_on: dt.date | None = None  # Sortie le
    civility: str | None = None  # Civilité of the contact: Mme, M.
    legal_form: str | None = None  # Forme juridique
    address: str | None = None  # Adresse (registered address)
    capacity: str | None = None  # Qualité du représentant: « gérante », « président »
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Premises:
    row: int
    id: str | None
    name: str | None = None
    site: str | None = None  # schema.SITES
    address: str | None = None
    surface_m2: Decimal | None = None
    capacity: int = 1
    monthly_rent: Decimal | None = None
    day_rate: Decimal | None = None
    week_rate: Decimal | None = None
    bookable: bool = False
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Occupation:
    row: int
    id: str | None
    member_id: str | None = None
    premises_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None  # None: ongoing
    monthly_rent: Decimal | None = None
    deposit: Decimal | None = None
    revised_on: dt.date | None = None  # Révisée le: the last rent revision
    index: Decimal | None = None  # Indice de référence: the ILAT value that revision used
    unreadable: frozenset[str] = frozenset()

    def ongoing_on(self, day: dt.date) -> bool:
        """Whether the occupation covers ``day`` (``Début`` ≤ day ≤ ``Fin``)."""
        return self.start is not None and self.start <= day and (self.end is None or day <= self.end)


def _start_at(value: dt.date | None) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time())


@dataclass(frozen=True, slots=True)
class Booking:
    row: int
    id: str | None
    resource_id: str | None = None
    member_id: str | None = None
    organisation: str | None = None
    start: dt.date | None = None  # a datetime when a time was given
    end: dt.date | None = None  # a datetime when a time was given
    formula: str = "jour"  # schema.BOOKING_FORMULAS
    status: str = "demandée"  # schema.BOOKING_STATUSES
    unreadable: frozenset[str] = frozenset()

    @property
    def start_at(self) -> dt.datetime | None:
        """The start as a datetime: a plain date starts at 00:00."""
        return _start_at(self.start)

    @property
    def end_at(self) -> dt.datetime | None:
        """The end as an exclusive datetime: a plain date ends at the next midnight."""
        if self.end is None or isinstance(self.end, dt.datetime):
            return self.end
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())


@dataclass(frozen=True, slots=True)
class Event:
    row: int
    id: str | None
    date: dt.date | None = None
    time: dt.time | None = None
    type: str | None = None  # schema.EVENT_TYPES
    title: str | None = None
    speakers_text: str | None = None
    place: str | None = None
    capacity: int | None = None  # None: unlimited
    reserved_to: str | None = None  # schema.RESERVED_TO, None: everyone
    unreadable: frozenset[str] = frozenset()

    @property
    def starts_at(self) -> dt.datetime | None:
        if self.date is None:
            return None
        return dt.datetime.combine(self.date, self.time or dt.time())

    @property
    def speakers(self) -> list[str]:
        """``Intervenants`` split on ``;`` (each ``Name (Organisation)``)."""
        if not self.speakers_text:
            return []
        return [s.strip() for s in self.speakers_text.split(";") if s.strip()]


@dataclass(frozen=True, slots=True)
class Registration:
    row: int
    id: str | None
    event_id: str | None = None
    member_id: str | None = None
    registered_at: dt.date | None = None  # a datetime when a time was given
    status: str = "inscrit"  # schema.REGISTRATION_STATUSES
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Rate:
    row: int
    id: None = None
    code: str | None = None  # schema.FEE_CODES
    label: str | None = None
    amount_ht: Decimal | None = None
    cap_ht: Decimal | None = None
    vat_percent: Decimal = Decimal(20)  # blank TVA % = 20 %
    valid_from: dt.date | None = None  # Du
    valid_to: dt.date | None = None  # Au; None: still valid
    unreadable: frozenset[str] = frozenset()

    def valid_on(self, day: dt.date) -> bool:
        return (
            self.valid_from is not None
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


@dataclass(frozen=True, slots=True)
class BoardMember:
    row: int
    id: None = None
    name: str | None = None
    civility: str | None = None
    member_id: str | None = None
    function: str | None = None  # schema.BOARD_FUNCTIONS
    college: str | None = None
    joined_on: dt.date | None = None  # Entrée
    left_on: dt.date | None = None  # Sortie
    decision: str | None = None
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Figure:
    row: int
    id: None = None
    year: int | None = None
    section: str | None = None  # Rubrique
    label: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Text:
    row: int
    id: None = None
    year: int | None = None
    section: str | None = None
    text: str | None = None
    title: str | None = None  # a subsection of the section, in the order of the rows
    prompt: str | None = None  # Consigne: what only a person can write there
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ReminderLog:
    row: int
    id: None = None
    member_id: str | None = None
    due_date: dt.date | None = None  # Échéance
    reminder: str | None = None  # Relance
    status: str | None = None
    sent_at: dt.date | None = None
    address: str | None = None
    message_id: str | None = None
    unreadable: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class JournalEntry:
    row: int
    id: None = None
    at: dt.date | None = None
    task: str | None = None
    result: str | None = None
    details: str | None = None
    unreadable: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- field specs
