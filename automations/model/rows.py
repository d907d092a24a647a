"""Row models: one frozen dataclass per tab, and the parsing of a sheet ``Row`` into one.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, partial

from .. import schema
from ..formatting import format_money
from ..schema import Tab
from ..workbook.table import Row, Table
from . import contact
from . import values as v
from .anomalies import Anomaly, Severity
from .values import ValueProblem

ERROR = Severity.ERROR
WARNING = Severity.WARNING

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


def normalize_ref(text: str, target: Tab) -> str:
    """A reference as the target tab writes its IDs: ``m12`` -> ``M0012``."""
    return _normalize_ref(text, target.id_prefix, target.id_width)


@lru_cache(maxsize=65536)
def _normalize_ref(text: str, prefix: str | None, width: int) -> str:
    folded = text.strip().upper()
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
    unreadable: frozenset[str] = frozenset()

    def ongoing_on(self, day: dt.date) -> bool:
        """Whether the occupation covers ``day`` (``Début`` ≤ day ≤ ``Fin``)."""
        return (
            self.start is not None
            and self.start <= day
            and (self.end is None or day <= self.end)
        )


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


def _text(value: object) -> str:
    text = v.clean_text(value)
    if not text:
        raise ValueProblem("Valeur manquante")
    return text


def _ref(target: Tab) -> Callable[[object], str]:
    def parse(value: object) -> str:
        return normalize_ref(v.clean_text(value), target)

    return parse


def _capacity(value: object) -> int:
    number = v.parse_int(value)
    if number < 1:
        raise ValueProblem("Capacité impossible", value=value,
                           hint="Saisissez un nombre entier d'au moins 1.")
    return number


def _event_capacity(value: object) -> int:
    number = v.parse_int(value)
    if number < 1:
        raise ValueProblem("Capacité impossible", value=value,
                           hint="Saisissez un nombre de places d'au moins 1, "
                           "ou laissez vide pour un nombre illimité.")
    return number


def _year(value: object) -> int:
    number = v.parse_int(value)
    if not 1990 <= number <= 2200:
        raise ValueProblem("Année impossible", value=value,
                           hint="Saisissez une année sur quatre chiffres, par exemple 2024.")
    return number


def _choice(choices: tuple[str, ...], **aliases: str) -> Callable[[object], str]:
    alias_map = {k.replace("_", " "): val for k, val in aliases.items()} or None
    return partial(v.parse_choice, choices=choices, aliases=alias_map)


_BOARD_ALIASES = {
    "Administrateur": "Administrateur·rice",
    "Administratrice": "Administrateur·rice",
    "Présidente": "Président·e",
    "Vice-présidente": "Vice-président·e",
    "Trésorière": "Trésorier·e",
    "Vice-trésorière": "Vice-trésorier·e",
    "Madame": "Mme",
    "Monsieur": "M.",
    "M": "M.",
}


@dataclass(frozen=True)
class Field:
    """How one column becomes one model field."""

    column: str  # the contract's column name
    attr: str
    parse: Callable[[object], object]
    required: bool = False  # a value is required on every row
    missing_hint: str = ""
    severity: Severity = ERROR  # of an unreadable value
    plausible: bool = False  # warn about dates before 2000 or far in the future
    key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", schema.normalize_header(self.column))


DATE_MISSING = "Saisissez une date au format JJ/MM/AAAA."
F = Field


MEMBER_FIELDS = (
    F("Structure", "structure", _text, True, "Saisissez le nom de la structure ou de la personne."),
    F("Contact", "contact", _text, True, "Saisissez le prénom et le nom du représentant."),
    F("Email", "email", contact.parse_email, True, "Saisissez l'adresse où envoyer les relances."),
    F("Téléphone", "phone", contact.parse_phone, severity=WARNING),
    F("SIRET", "siret", contact.parse_siret, severity=WARNING),
    F("Catégorie", "category", _choice(schema.CATEGORIES), True,
      "Choisissez hébergé, bénéficiaire ou membre de droit."),
    F("Forfait", "forfait", _choice(schema.FORFAITS)),
    F("Option Crescendo", "crescendo", v.parse_bool),
    F("Adhésion le", "joined_on", v.parse_date, True,
      "Saisissez la date de première adhésion au format JJ/MM/AAAA.", plausible=True),
    F("Cotisation payée le", "paid_on", v.parse_date, plausible=True),
    F("Montant payé", "amount_paid", v.parse_amount),
    F("Charte signée le", "charter_signed_on", v.parse_date, plausible=True),
    F("Sortie le", "left_on", v.parse_date, plausible=True),
    F("Civilité", "civility", _choice(("Mme", "M."), **_BOARD_ALIASES), severity=WARNING),
    F("Forme juridique", "legal_form", _text),
    F("Adresse", "address", _text),
)

PREMISES_FIELDS = (
    F("Nom", "name", _text, True, "Saisissez le nom du local, par exemple « Bureau 3 »."),
    F("Site", "site", _choice(schema.SITES), True, "Choisissez Pépinière, Milab ou Boutique."),
    F("Adresse", "address", _text),
    F("Surface m²", "surface_m2", v.parse_number),
    F("Capacité", "capacity", _capacity),
    F("Loyer mensuel HT", "monthly_rent", v.parse_amount),
    F("Tarif jour HT", "day_rate", v.parse_amount),
    F("Tarif semaine HT", "week_rate", v.parse_amount),
    F("Réservable", "bookable", v.parse_bool),
)

OCCUPATION_FIELDS = (
    F("Membre", "member_id", _ref(schema.MEMBRES), True,
      "Saisissez l'ID du membre occupant (onglet « Membres », par exemple M0001)."),
    F("Local", "premises_id", _ref(schema.LOCAUX), True,
      "Saisissez l'ID du local occupé (onglet « Locaux », par exemple L01)."),
    F("Début", "start", v.parse_date, True,
      "Saisissez la date de début de la convention au format JJ/MM/AAAA.", plausible=True),
    F("Fin", "end", v.parse_date, plausible=True),
    F("Loyer mensuel HT", "monthly_rent", v.parse_amount),
    F("Dépôt de garantie", "deposit", v.parse_amount),
)

BOOKING_FIELDS = (
    F("Ressource", "resource_id", _ref(schema.LOCAUX), True,
      "Saisissez l'ID du local réservé (onglet « Locaux », par exemple L05)."),
    F("Membre", "member_id", _ref(schema.MEMBRES)),
    F("Organisme", "organisation", _text),
    F("Début", "start", v.parse_datetime, True,
      "Saisissez la date (et l'heure) de début, par exemple 02/07/2024 09:00.", plausible=True),
    F("Fin", "end", v.parse_datetime, True,
      "Saisissez la date (et l'heure) de fin, par exemple 02/07/2024 18:00.", plausible=True),
    F("Formule", "formula", _choice(schema.BOOKING_FORMULAS)),
    F("Statut", "status", _choice(schema.BOOKING_STATUSES)),
)

EVENT_FIELDS = (
    F("Date", "date", v.parse_date, True, DATE_MISSING, plausible=True),
    F("Heure", "time", v.parse_time),
    F("Type", "type", _choice(schema.EVENT_TYPES), True,
      "Choisissez un type dans la liste, par exemple « Club MILA » ou « Autre »."),
    F("Titre", "title", _text, True, "Saisissez le titre de l'événement."),
    F("Intervenants", "speakers_text", _text),
    F("Lieu", "place", _text),
    F("Capacité", "capacity", _event_capacity),
    F("Réservé à", "reserved_to", _choice(schema.RESERVED_TO)),
)

REGISTRATION_FIELDS = (
    F("Événement", "event_id", _ref(schema.EVENEMENTS), True,
      "Saisissez l'ID de l'événement (onglet « Événements », par exemple E001)."),
    F("Membre", "member_id", _ref(schema.MEMBRES), True,
      "Saisissez l'ID du membre inscrit (onglet « Membres », par exemple M0001)."),
    F("Inscrit le", "registered_at", v.parse_datetime, plausible=True),
    F("Statut", "status", _choice(schema.REGISTRATION_STATUSES)),
)

RATE_FIELDS = (
    F("Code", "code", _choice(schema.FEE_CODES), True,
      "Choisissez un code : " + ", ".join(schema.FEE_CODES) + "."),
    F("Libellé", "label", _text),
    F("Montant HT", "amount_ht", v.parse_amount, True, "Saisissez le montant HT en euros."),
    F("Plafond HT", "cap_ht", v.parse_amount),
    F("TVA %", "vat_percent", v.parse_percent),
    F("Du", "valid_from", v.parse_date, True,
      "Saisissez la date d'entrée en vigueur au format JJ/MM/AAAA.", plausible=True),
    F("Au", "valid_to", v.parse_date),
)

BOARD_FIELDS = (
    F("Nom", "name", _text, True, "Saisissez le prénom et le nom de l'administrateur."),
    F("Civilité", "civility", _choice(("Mme", "M."), **_BOARD_ALIASES)),
    F("Membre", "member_id", _ref(schema.MEMBRES)),
    F("Fonction", "function", _choice(schema.BOARD_FUNCTIONS, **_BOARD_ALIASES), True,
      "Choisissez une fonction, par exemple « Administrateur·rice »."),
    F("Collège", "college", _text),
    F("Entrée", "joined_on", v.parse_date, plausible=True),
    F("Sortie", "left_on", v.parse_date, plausible=True),
    F("Décision", "decision", _text),
)

FIGURE_FIELDS = (
    F("Année", "year", _year, True, "Saisissez l'année, par exemple 2024."),
    F("Rubrique", "section", _text, True, "Saisissez la rubrique, par exemple « Financement »."),
    F("Libellé", "label", _text, True, "Saisissez ce que mesure ce chiffre."),
    F("Valeur", "value", partial(v.parse_number, allow_negative=True), True,
      "Saisissez la valeur, par exemple 12 ou 12,5."),
    F("Unité", "unit", _text),
)

TEXT_FIELDS = (
    F("Année", "year", _year, True, "Saisissez l'année, par exemple 2024."),
    F("Section", "section", _text, True, "Saisissez la clé de la section du rapport."),
    F("Titre", "title", _text),
    F("Texte", "text", _text, True, "Saisissez le paragraphe, ou supprimez la ligne."),
)

REMINDER_FIELDS = (
    F("Membre", "member_id", _ref(schema.MEMBRES)),
    F("Échéance", "due_date", v.parse_date),
    F("Relance", "reminder", _text),
    F("Statut", "status", _text),
    F("Envoyée le", "sent_at", v.parse_datetime),
    F("Adresse", "address", _text),
    F("Message-ID", "message_id", _text),
)

JOURNAL_FIELDS = (
    F("Date", "at", v.parse_datetime),
    F("Tâche", "task", _text),
    F("Résultat", "result", _text),
    F("Détails", "details", _text),
)


# --------------------------------------------------------------------------- row checks

Emit = Callable[[str | None, Severity, str], None]


MAX_PLAUSIBLE_PAYMENT = Decimal(10_000)


def _check_member(values: dict[str, object], emit: Emit) -> None:
    joined, left = values.get("joined_on"), values.get("left_on")
    if isinstance(joined, dt.date) and isinstance(left, dt.date) and left < joined:
        emit("Sortie le", ERROR, "« Sortie le » est antérieure à « Adhésion le » : "
             "corrigez l'une des deux dates.")
    paid = values.get("amount_paid")
    if isinstance(paid, Decimal) and paid > MAX_PLAUSIBLE_PAYMENT:
        # Google gives a date cell as its serial number (about 45 000): a date typed in
        # « Montant payé » would otherwise pass for an amount.
        emit("Montant payé", WARNING, f"Montant inhabituel dans « Montant payé » : {format_money(paid)} "
             "(une cotisation dépasse rarement 1 000 €). Vérifiez qu'il ne s'agit pas d'une "
             "date ou d'une faute de frappe.")


def _check_premises(values: dict[str, object], emit: Emit) -> None:
    if (
        values.get("site") in ("Pépinière", "Boutique")
        and values.get("surface_m2") is None
        and not values.get("bookable")
        and "surface_m2" not in values.get("_unreadable", ())  # type: ignore[operator]
    ):
        emit("Surface m²", WARNING, "Surface manquante dans « Surface m² » pour un bureau "
             "ou une boutique : saisissez-la en m², elle sert au calcul de la cotisation "
             "des membres hébergés.")


def _check_period(start_column: str, end_column: str) -> Callable[[dict[str, object], Emit], None]:
    def check(values: dict[str, object], emit: Emit) -> None:
        start, end = values.get("start"), values.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            emit(end_column, ERROR, f"« {end_column} » est antérieure à « {start_column} » : "
                 "corrigez l'une des deux dates.")

    return check


def _check_booking(values: dict[str, object], emit: Emit) -> None:
    start, end = _start_at(values.get("start")), values.get("end")  # type: ignore[arg-type]
    if start is not None and isinstance(end, dt.date):
        end_at = end if isinstance(end, dt.datetime) else dt.datetime.combine(
            end + dt.timedelta(days=1), dt.time())
        if end_at <= start:
            emit("Fin", ERROR, "La fin de la réservation (« Fin ») n'est pas après son début "
                 "(« Début ») : corrigez l'une des deux dates ou heures.")
    if values.get("member_id") is None and values.get("organisation") is None \
            and "member_id" not in values.get("_unreadable", ()):  # type: ignore[operator]
        emit("Organisme", ERROR, "Ni « Membre » ni « Organisme » : saisissez l'ID du membre "
             "qui réserve, ou le nom de l'organisme extérieur dans « Organisme ».")
    if values.get("formula") is None:
        values["formula"] = "jour"
    if values.get("status") is None:
        values["status"] = "demandée"


def _check_registration(values: dict[str, object], emit: Emit) -> None:
    if values.get("status") is None:
        values["status"] = "inscrit"


def _check_rate(values: dict[str, object], emit: Emit) -> None:
    start, end = values.get("valid_from"), values.get("valid_to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        emit("Au", ERROR, "« Au » est antérieure à « Du » : corrigez la période de validité "
             "de ce tarif.")
    if values.get("vat_percent") is None:
        values["vat_percent"] = Decimal(20)


def _check_board(values: dict[str, object], emit: Emit) -> None:
    joined, left = values.get("joined_on"), values.get("left_on")
    if isinstance(joined, dt.date) and isinstance(left, dt.date) and left < joined:
        emit("Sortie", ERROR, "« Sortie » est antérieure à « Entrée » : corrigez l'une des "
             "deux dates.")


# --------------------------------------------------------------------------- tab specs


@dataclass(frozen=True)
class TabSpec:
    tab: Tab
    model: type
    fields: tuple[Field, ...]
    check: Callable[[dict[str, object], Emit], None] | None = None
    defaults: tuple[tuple[str, object], ...] = ()  # attr -> value when blank


SPECS: dict[str, TabSpec] = {
    spec.tab.name: spec
    for spec in (
        TabSpec(schema.MEMBRES, Member, MEMBER_FIELDS, _check_member, (("crescendo", False),)),
        TabSpec(schema.LOCAUX, Premises, PREMISES_FIELDS, _check_premises,
                (("capacity", 1), ("bookable", False))),
        TabSpec(schema.OCCUPATIONS, Occupation, OCCUPATION_FIELDS, _check_period("Début", "Fin")),
        TabSpec(schema.RESERVATIONS, Booking, BOOKING_FIELDS, _check_booking),
        TabSpec(schema.EVENEMENTS, Event, EVENT_FIELDS),
        TabSpec(schema.INSCRIPTIONS, Registration, REGISTRATION_FIELDS, _check_registration),
        TabSpec(schema.TARIFS, Rate, RATE_FIELDS, _check_rate),
        TabSpec(schema.CONSEIL, BoardMember, BOARD_FIELDS, _check_board),
        TabSpec(schema.CHIFFRES, Figure, FIGURE_FIELDS),
        TabSpec(schema.TEXTES, Text, TEXT_FIELDS),
        TabSpec(schema.RELANCES, ReminderLog, REMINDER_FIELDS),
        TabSpec(schema.JOURNAL, JournalEntry, JOURNAL_FIELDS),
    )
}


def spec_for(tab: str | Tab) -> TabSpec:
    """The spec of a tab, by contract name or workbook title (matched like headers)."""
    found = tab if isinstance(tab, Tab) else schema.tab_schema(tab)
    if found is None:
        raise KeyError(f"Onglet hors contrat : {tab}")
    return SPECS[found.name]


def _missing_message(f: Field) -> str:
    return ValueProblem("Valeur manquante", hint=f.missing_hint or "Complétez cette case.") \
        .for_column(f.column)


def parse_row(
    tab: str | Tab | TabSpec,
    row: Row,
    *,
    today: dt.date | None = None,
    columns: Iterable[str] | None = None,
) -> tuple[object, list[Anomaly]]:
    """One sheet row into ``(model, anomalies)``; never raises for any cell value.

    ``columns`` are the normalized header keys present in the tab (a required value is
    only reported missing when its column exists: a missing column is a schema error
    reported once by the workbook layer). ``today`` dates the plausibility checks.
    """
    spec = tab if isinstance(tab, TabSpec) else spec_for(tab)
    present = None if columns is None else frozenset(columns)
    return _parse(spec, row, today or dt.date.today(), present)


def _parse(
    spec: TabSpec, row: Row, today: dt.date, present: frozenset[str] | None
) -> tuple[object, list[Anomaly]]:
    cells = row.cells
    row_id = row.id if spec.tab.id_prefix else None
    tab_name = spec.tab.name
    anomalies: list[Anomaly] = []
    values: dict[str, object] = dict(spec.defaults)
    unreadable: list[str] = []
    quiet = spec.tab.job_owned

    def emit(column: str | None, severity: Severity, message: str) -> None:
        if not quiet:
            anomalies.append(Anomaly(tab_name, row.number, row_id, column, severity, message))

    for f in spec.fields:
        raw = cells.get(f.key)
        if raw is None or (raw.__class__ is str and not raw.strip()):  # type: ignore[union-attr]
            if f.required and (present is None or f.key in present):
                emit(f.column, ERROR, _missing_message(f))
            continue
        try:
            value = f.parse(raw)
        except ValueProblem as problem:
            if problem.problem == "Valeur manquante":
                if f.required and (present is None or f.key in present):
                    emit(f.column, ERROR, _missing_message(f))
                continue
            unreadable.append(f.attr)
            emit(f.column, f.severity, problem.for_column(f.column))
            continue
        except Exception:  # a parser bug must not stop the job: report the cell instead
            unreadable.append(f.attr)
            emit(f.column, ERROR, ValueProblem("Valeur illisible", value=raw,
                                               hint="Corrigez cette case.").for_column(f.column))
            continue
        if f.plausible and not quiet:
            day = value if isinstance(value, dt.date) else None
            why = v.implausible_date(day, today) if day is not None else None
            if why:
                emit(f.column, WARNING, ValueProblem(why, value=raw, hint="Vérifiez l'année.")
                     .for_column(f.column))
        values[f.attr] = value
    if spec.check is not None:
        values["_unreadable"] = unreadable
        spec.check(values, emit)
        del values["_unreadable"]
    model = spec.model(row=row.number, id=row_id if spec.tab.id_prefix else None,
                       unreadable=frozenset(unreadable), **values)
    return model, anomalies


def parse_table(
    table: Table, *, today: dt.date | None = None, tab: str | Tab | None = None
) -> tuple[list[object], list[Anomaly]]:
    """Every row of a table into models, with the anomalies found row by row."""
    spec = spec_for(tab if tab is not None else (table.schema or table.title))
    day = today or dt.date.today()
    present = frozenset(table.columns)
    models: list[object] = []
    anomalies: list[Anomaly] = []
    for row in table.rows:
        model, found = _parse(spec, row, day, present)
        models.append(model)
        if found:
            anomalies.extend(found)
    return models, anomalies


def _one(tab: Tab) -> Callable[..., tuple[object, list[Anomaly]]]:
    def parse(row: Row, *, today: dt.date | None = None) -> tuple[object, list[Anomaly]]:
        return parse_row(tab, row, today=today)

    parse.__doc__ = f"One row of « {tab.name} » into its model and anomalies."
    return parse


parse_member = _one(schema.MEMBRES)
parse_premises = _one(schema.LOCAUX)
parse_occupation = _one(schema.OCCUPATIONS)
parse_booking = _one(schema.RESERVATIONS)
parse_event = _one(schema.EVENEMENTS)
parse_registration = _one(schema.INSCRIPTIONS)
parse_rate = _one(schema.TARIFS)
