"""The columns each row model reads: one :class:`Field` per column, with the reader of its
value, whether it is required, and what to tell staff when it is missing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from .. import schema
from ..schema import Tab
from . import contact
from . import values as v
from .anomalies import Severity
from .rows import normalize_ref
from .values import ValueProblem

ERROR = Severity.ERROR
WARNING = Severity.WARNING


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
        raise ValueProblem(
            "Capacité impossible", value=value, hint="Saisissez un nombre entier d'au moins 1."
        )
    return number


def _event_capacity(value: object) -> int:
    number = v.parse_int(value)
    if number < 1:
        raise ValueProblem(
            "Capacité impossible",
            value=value,
            hint="Saisissez un nombre de places d'au moins 1, ou laissez vide pour un nombre illimité.",
        )
    return number


def _index(value: object) -> object:
    number = v.parse_number(value)
    if number <= 0:
        raise ValueProblem(
            "Indice impossible",
            value=value,
            hint="Saisissez la valeur de l'indice ILAT publiée par l'Insee, par exemple 136,33.",
        )
    return number


def _year(value: object) -> int:
    number = v.parse_int(value)
    if not 1990 <= number <= 2200:
        raise ValueProblem(
            "Année impossible", value=value, hint="Saisissez une année sur quatre chiffres, par exemple 2024."
        )
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
    F(
        "Catégorie",
        "category",
        _choice(schema.CATEGORIES),
        True,
        "Choisissez hébergé, bénéficiaire ou membre de droit.",
    ),
    F("Forfait", "forfait", _choice(schema.FORFAITS)),
    F("Option Crescendo", "crescendo", v.parse_bool),
    F(
        "Adhésion le",
        "joined_on",
        v.parse_date,
        True,
        "Saisissez la date de première adhésion au format JJ/MM/AAAA.",
        plausible=True,
    ),
    F("Cotisation payée le", "paid_on", v.parse_date, plausible=True),
    F("Montant payé", "amount_paid", v.parse_amount),
    F("Charte signée le", "charter_signed_on", v.parse_date, plausible=True),
    F("Sortie le", "left_on", v.parse_date, plausible=True),
    F("Civilité", "civility", _choice(("Mme", "M."), **_BOARD_ALIASES), severity=WARNING),
    F("Forme juridique", "legal_form", _text),
    F("Adresse", "address", _text),
    F("Qualité du représentant", "capacity", _text),
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
    F(
        "Membre",
        "member_id",
        _ref(schema.MEMBRES),
        True,
        "Saisissez l'ID du membre occupant (onglet « Membres », par exemple M0001).",
    ),
    F(
        "Local",
        "premises_id",
        _ref(schema.LOCAUX),
        True,
        "Saisissez l'ID du local occupé (onglet « Locaux », par exemple L01).",
    ),
    F(
        "Début",
        "start",
        v.parse_date,
        True,
        "Saisissez la date de début de la convention au format JJ/MM/AAAA.",
        plausible=True,
    ),
    F("Fin", "end", v.parse_date, plausible=True),
    F("Loyer mensuel HT", "monthly_rent", v.parse_amount),
    F("Dépôt de garantie", "deposit", v.parse_amount),
    F("Révisée le", "revised_on", v.parse_date, plausible=True),
    F("Indice de référence", "index", _index),
)

BOOKING_FIELDS = (
    F(
        "Ressource",
        "resource_id",
        _ref(schema.LOCAUX),
        True,
        "Saisissez l'ID du local réservé (onglet « Locaux », par exemple L05).",
    ),
    F("Membre", "member_id", _ref(schema.MEMBRES)),
    F("Organisme", "organisation", _text),
    F(
        "Début",
        "start",
        v.parse_datetime,
        True,
        "Saisissez la date (et l'heure) de début, par exemple 02/07/2024 09:00.",
        plausible=True,
    ),
    F(
        "Fin",
        "end",
        v.parse_datetime,
        True,
        "Saisissez la date (et l'heure) de fin, par exemple 02/07/2024 18:00.",
        plausible=True,
    ),
    F("Formule", "formula", _choice(schema.BOOKING_FORMULAS)),
    F("Statut", "status", _choice(schema.BOOKING_STATUSES)),
)

EVENT_FIELDS = (
    F("Date", "date", v.parse_date, True, DATE_MISSING, plausible=True),
    F("Heure", "time", v.parse_time),
    F(
        "Type",
        "type",
        _choice(schema.EVENT_TYPES),
        True,
        "Choisissez un type dans la liste, par exemple « Club MILA » ou « Autre ».",
    ),
    F("Titre", "title", _text, True, "Saisissez le titre de l'événement."),
    F("Intervenants", "speakers_text", _text),
    F("Lieu", "place", _text),
    F("Capacité", "capacity", _event_capacity),
    F("Réservé à", "reserved_to", _choice(schema.RESERVED_TO)),
)

REGISTRATION_FIELDS = (
    F(
        "Événement",
        "event_id",
        _ref(schema.EVENEMENTS),
        True,
        "Saisissez l'ID de l'événement (onglet « Événements », par exemple E001).",
    ),
    F(
        "Membre",
        "member_id",
        _ref(schema.MEMBRES),
        True,
        "Saisissez l'ID du membre inscrit (onglet « Membres », par exemple M0001).",
    ),
    F("Inscrit le", "registered_at", v.parse_datetime, plausible=True),
    F("Statut", "status", _choice(schema.REGISTRATION_STATUSES)),
)

RATE_FIELDS = (
    F(
        "Code",
        "code",
        _choice(schema.FEE_CODES),
        True,
        "Choisissez un code : " + ", ".join(schema.FEE_CODES) + ".",
    ),
    F("Libellé", "label", _text),
    F("Montant HT", "amount_ht", v.parse_amount, True, "Saisissez le montant HT en euros."),
    F("Plafond HT", "cap_ht", v.parse_amount),
    F("TVA %", "vat_percent", v.parse_percent),
    F(
        "Du",
        "valid_from",
        v.parse_date,
        True,
        "Saisissez la date d'entrée en vigueur au format JJ/MM/AAAA.",
        plausible=True,
    ),
    F("Au", "valid_to", v.parse_date),
)

BOARD_FIELDS = (
    F("Nom", "name", _text, True, "Saisissez le prénom et le nom de l'administrateur."),
    F("Civilité", "civility", _choice(("Mme", "M."), **_BOARD_ALIASES)),
    F("Membre", "member_id", _ref(schema.MEMBRES)),
    F(
        "Fonction",
        "function",
        _choice(schema.BOARD_FUNCTIONS, **_BOARD_ALIASES),
        True,
        "Choisissez une fonction, par exemple « Administrateur·rice ».",
    ),
    F("Collège", "college", _text),
    F("Entrée", "joined_on", v.parse_date, plausible=True),
    F("Sortie", "left_on", v.parse_date, plausible=True),
    F("Décision", "decision", _text),
)

FIGURE_FIELDS = (
    F("Année", "year", _year, True, "Saisissez l'année, par exemple 2024."),
    F("Rubrique", "section", _text, True, "Saisissez la rubrique, par exemple « Financement »."),
    F("Libellé", "label", _text, True, "Saisissez ce que mesure ce chiffre."),
    F(
        "Valeur",
        "value",
        partial(v.parse_number, allow_negative=True),
        True,
        "Saisissez la valeur, par exemple 12 ou 12,5.",
    ),
    F("Unité", "unit", _text),
)

TEXT_FIELDS = (
    F("Année", "year", _year, True, "Saisissez l'année, par exemple 2024."),
    F("Section", "section", _text, True, "Saisissez la clé de la section du rapport."),
    F("Titre", "title", _text),
    F("Texte", "text", _text),  # empty: a paragraph still to write (its « Consigne » says what)
    F("Consigne", "prompt", _text),
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
