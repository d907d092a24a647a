"""The workbook contract of ../shared/SHEETS.md as data: tabs, columns, owners.

A column is either the staff's (jobs only read it) or the jobs' (``calc``: jobs
overwrite it). ``required`` means the *column* must exist in the header row; whether
a *value* is required on a row is the row models' business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .settings.documents import BOARD_FUNCTIONS  # noqa: F401 - the Conseil tab's choices
from .text import fold


@lru_cache(maxsize=4096)
def _normalize(text: str) -> str:
    return fold(text)


def normalize_header(text: object) -> str:
    """The key two headers are compared by: no accents, no case, single spaces.

    ``"  Échéance "`` and ``"echeance"`` give the same key; ``"Surface m²"`` gives
    ``"surface m2"``.
    """
    if text is None:
        return ""
    return _normalize(text if isinstance(text, str) else str(text))


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "text"  # id, text, date, datetime, time, amount, number, bool, choice, ref
    required: bool = False
    calc: bool = False
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return normalize_header(self.name)


@dataclass(frozen=True)
class Tab:
    name: str
    columns: tuple[Column, ...]
    id_prefix: str | None = None  # "M" for M0001; None: the tab has no ID column
    id_width: int = 4
    job_owned: bool = False  # Relances, Journal: created and appended to by the jobs
    row_key: str | None = None  # a tab without ID column: the column its rows are written by
    key_lookup: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_lookup", {c.key: c for c in self.columns})

    def column(self, name: str) -> Column:
        return self.key_lookup[normalize_header(name)]

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def calc_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.calc)

    def format_id(self, number: int) -> str:
        assert self.id_prefix is not None
        return f"{self.id_prefix}{number:0{self.id_width}d}"


def row_key_alias(tab: Tab | None, columns: dict[str, int]) -> None:
    """A tab identified by another column than ``ID`` (``Factures``: ``N°``): that column
    stands for ``id`` in ``columns``, so that its rows are read and written by it."""
    if tab is not None and tab.row_key is not None and "id" not in columns:
        key = normalize_header(tab.row_key)
        if key in columns:
            columns["id"] = columns[key]


def _c(name: str, kind: str = "text", **kw: object) -> Column:
    return Column(name, kind, **kw)  # type: ignore[arg-type]  # Column's own keywords, checked at import


# What `mila donnees effacer` writes in place of a person's name (Membres « Contact »,
# Conseil « Nom », a payer's name): a member row holding it in « Contact » is one whose
# personal data was erased, and its blank contact fields are not asked for again.
ERASED = "[données effacées]"

ID = _c("ID", "id", required=True)
ANOMALIES = _c("Anomalies", "text", calc=True)

CATEGORIES = ("hébergé", "bénéficiaire", "membre de droit")
FORFAITS = ("BASIC", "PREMIUM")
STATUSES = ("à jour", "à renouveler", "échue", "en attente", "sortie")
SITES = ("Pépinière", "Milab", "Boutique")
BOOKING_FORMULAS = ("jour", "semaine", "gracieux")
BOOKING_STATUSES = ("demandée", "confirmée", "annulée")
EVENT_TYPES = (
    "Club MILA",
    "Crescendo – Rencontre networking",
    "Crescendo – Atelier pratique",
    "Audit de communication",
    "Diagnostic de structuration",
    "Consultation d'experts",
    "Atelier de co-développement",
    "Rencontre entre managers",
    "JuriQuizz",
    "Rencontre networking",
    "Afterwork",
    "Club Oenologie",
    "Déj Roulette",
    "Représentation",
    "Autre",
)
RESERVED_TO = ("Crescendo", "PREMIUM", "hébergés")
REGISTRATION_STATUSES = ("inscrit", "présent", "absent", "annulé")
FEE_CODES = ("BENEFICIAIRE", "BASIC", "PREMIUM", "CRESCENDO", "HEBERGE_M2", "MEMBRE_DE_DROIT")
PAYMENT_MEANS = ("virement", "chèque", "espèces", "carte", "HelloAsso", "prélèvement")
PAYMENT_PURPOSES = ("cotisation", "loyer", "réservation", "don", "autre")
INVOICE_PURPOSES = ("cotisation", "loyer", "réservation", "autre")
INVOICE_STATUSES = ("émise", "partiellement payée", "payée", "annulée par avoir")

MEMBRES = Tab(
    "Membres",
    (
        ID,
        _c("Structure", required=True),
        _c("Contact", required=True),
        _c("Email", "email", required=True),
        _c("Téléphone", "phone"),
        _c("SIRET", "siret"),
        _c("Catégorie", "choice", required=True, choices=CATEGORIES),
        _c("Forfait", "choice", choices=FORFAITS),
        _c("Option Crescendo", "bool"),
        _c("Adhésion le", "date", required=True),
        _c("Cotisation payée le", "date"),
        _c("Montant payé", "amount"),
        _c("Charte signée le", "date"),
        _c("Sortie le", "date"),
        _c("Civilité", "choice", choices=("Mme", "M.")),
        _c("Forme juridique"),
        _c("Adresse"),
        _c("Qualité du représentant"),
        _c("Cotisation HT", "amount", calc=True),
        _c("Cotisation TTC", "amount", calc=True),
        _c("Échéance", "date", calc=True),
        _c("Statut", "choice", calc=True, choices=STATUSES),
        _c("Voix", "number", calc=True),
        ANOMALIES,
    ),
    id_prefix="M",
    id_width=4,
)

LOCAUX = Tab(
    "Locaux",
    (
        ID,
        _c("Nom", required=True),
        _c("Site", "choice", required=True, choices=SITES),
        _c("Adresse"),
        _c("Surface m²", "number"),
        _c("Capacité", "number"),
        _c("Loyer mensuel HT", "amount"),
        _c("Tarif jour HT", "amount"),
        _c("Tarif semaine HT", "amount"),
        _c("Réservable", "bool"),
        ANOMALIES,
    ),
    id_prefix="L",
    id_width=2,
)

OCCUPATIONS = Tab(
    "Occupations",
    (
        ID,
        _c("Membre", "ref", required=True),
        _c("Local", "ref", required=True),
        _c("Début", "date", required=True),
        _c("Fin", "date"),
        _c("Loyer mensuel HT", "amount"),
        _c("Dépôt de garantie", "amount"),
        _c("Révisée le", "date"),
        _c("Indice de référence", "number"),
        _c("Convention générée le", "datetime", calc=True),
        _c("Fichier convention", "text", calc=True),
        ANOMALIES,
    ),
    id_prefix="C",
    id_width=3,
)

RESERVATIONS = Tab(
    "Réservations",
    (
        ID,
        _c("Ressource", "ref", required=True),
        _c("Membre", "ref"),
        _c("Organisme"),
        _c("Début", "datetime", required=True),
        _c("Fin", "datetime", required=True),
        _c("Formule", "choice", choices=BOOKING_FORMULAS),
        _c("Statut", "choice", choices=BOOKING_STATUSES),
        _c("Montant HT", "amount", calc=True),
        ANOMALIES,
    ),
    id_prefix="R",
    id_width=4,
)

EVENEMENTS = Tab(
    "Événements",
    (
        ID,
        _c("Date", "date", required=True),
        _c("Heure", "time"),
        _c("Type", "choice", required=True, choices=EVENT_TYPES),
        _c("Titre", required=True),
        _c("Intervenants"),
        _c("Lieu"),
        _c("Capacité", "number"),
        _c("Réservé à", "choice", choices=RESERVED_TO),
        _c("Inscrits", "number", calc=True),
        _c("Liste d'attente", "number", calc=True),
        ANOMALIES,
    ),
    id_prefix="E",
    id_width=3,
)

INSCRIPTIONS = Tab(
    "Inscriptions",
    (
        ID,
        _c("Événement", "ref", required=True),
        _c("Membre", "ref", required=True),
        _c("Inscrit le", "datetime"),
        _c("Statut", "choice", choices=REGISTRATION_STATUSES),
        _c("Place", "text", calc=True),
        ANOMALIES,
    ),
    id_prefix="I",
    id_width=4,
)

TARIFS = Tab(
    "Tarifs",
    (
        _c("Code", "choice", required=True, choices=FEE_CODES),
        _c("Libellé"),
        _c("Montant HT", "amount", required=True),
        _c("Plafond HT", "amount"),
        _c("TVA %", "number"),
        _c("Du", "date", required=True),
        _c("Au", "date"),
    ),
)

PAIEMENTS = Tab(
    "Paiements",
    (
        ID,
        _c("Date", "date", required=True),
        _c("Membre", "ref"),
        _c("Payeur"),
        _c("Montant", "amount", required=True),
        _c("Moyen", "choice", choices=PAYMENT_MEANS),
        _c("Objet", "choice", choices=PAYMENT_PURPOSES),
        _c("Référence"),
        _c("Source"),
        _c("Période", "text", calc=True),
        _c("Reçu n°", "text", calc=True),
        _c("Reçu envoyé le", "date", calc=True),
        _c("Facture", "text", calc=True),  # the invoice(s) it settles, when billing is on
        ANOMALIES,
    ),
    id_prefix="P",
    id_width=5,
)

CONSEIL = Tab(
    "Conseil",
    (
        _c("Nom", required=True),
        _c("Civilité", "choice", choices=("Mme", "M.")),
        _c("Membre", "ref"),
        _c("Fonction", "choice", required=True, choices=BOARD_FUNCTIONS),
        _c("Collège"),
        _c("Entrée", "date"),
        _c("Sortie", "date"),
        _c("Décision"),
    ),
)

CHIFFRES = Tab(
    "Chiffres",
    (
        _c("Année", "number", required=True),
        _c("Rubrique", required=True),
        _c("Libellé", required=True),
        _c("Valeur", "number", required=True),
        _c("Unité"),
    ),
)

TEXTES = Tab(
    "Textes",
    (
        _c("Année", "number", required=True),
        _c("Section", required=True),
        _c("Titre"),
        _c("Texte", required=True),
        _c("Consigne"),  # what to write: the prompt rows `mila preparer` adds (rules/texts.py)
    ),
)

# What a request becomes (SHEETS.md « Demandes »). The requests themselves (the dropdown of
# « Demande ») are registered with the job that does each (``jobs.staff_requests``).
REQUEST_STATUSES = ("en attente", "en cours", "faite", "refusée", "échec")

# No column is required of the whole workbook: a Demandes tab missing one stops only the
# requests (``jobs.staff_requests`` names it), never the sync. Its IDs (``D0001``) are given
# by the requests' pass when it first writes a row, not by the sync (no ``id_prefix``): the
# pass claims a row and gives its ID in one write.
DEMANDES = Tab(
    "Demandes",
    (
        _c("ID", "id"),
        _c("Demande", "choice"),
        _c("Cible"),
        _c("Demandée par", "email"),
        _c("Demandée le", "datetime"),
        _c("Statut", "choice", calc=True, choices=REQUEST_STATUSES),
        _c("Résultat", "text", calc=True),
        _c("Lien", "text", calc=True),
        _c("Traitée le", "datetime", calc=True),
    ),
)

RELANCES = Tab(
    "Relances",
    (
        _c("Membre", "ref", required=True),
        _c("Échéance", "date", required=True),
        _c("Relance", required=True),
        _c("Statut", required=True),
        _c("Envoyée le", "datetime"),
        _c("Adresse"),
        _c("Message-ID"),
        _c("Détails"),  # the server's reason for a refusal; not in SHEETS.md, added by the jobs
    ),
    job_owned=True,
)

JOURNAL = Tab(
    "Journal",
    (
        _c("Date", "datetime", required=True),
        _c("Tâche", required=True),
        _c("Résultat", required=True),
        _c("Détails"),
    ),
    job_owned=True,
)

# Job-owned ledger of invoices and credit notes (SHEETS.md « Factures »), written by
# `mila factures` when billing is on. Rows are identified by « N° » (no ID column). Once a
# row is issued only its calc columns change (« Payée le », « Reste dû », « Statut »,
# « Fichier », « Anomalies »); the others are written once. « Notes » is the staff's own.
FACTURES = Tab(
    "Factures",
    (
        _c("N°", required=True),
        _c("Date", "date", required=True),
        _c("Membre", "ref"),
        _c("Client"),
        _c("Objet", "choice", choices=INVOICE_PURPOSES),
        _c("Période"),
        _c("Montant HT", "amount", required=True),
        _c("TVA %", "number"),
        _c("TVA", "amount"),
        _c("Montant TTC", "amount", required=True),
        _c("Échéance", "date"),
        _c("Payée le", "date", calc=True),
        _c("Reste dû", "amount", calc=True),
        _c("Statut", "choice", calc=True, choices=INVOICE_STATUSES),
        _c("Avoir de"),
        _c("Fichier", "text", calc=True),
        ANOMALIES,
        _c("Notes"),
    ),
    job_owned=True,
    row_key="N°",  # its calc columns are written by invoice number, as others by ID
)

# Job-owned too, but outside TABS: no row model reads it (the jobs only write it), and a
# workbook without it lacks nothing. ``tab_schema`` knows it. SHEETS.md « Listes ».
LISTES = Tab(
    "Listes",
    (
        _c("Membres"),
        _c("Locaux"),
        _c("Ressources"),
        _c("Événements"),
        _c("Demandes"),  # the requests of « Demande » (too long for a list typed in: Excel's 255)
        _c("Types d'événement"),  # the « Type » of Événements (too long for a list typed in too)
    ),
    job_owned=True,
)

# The reference columns and the Listes column their dropdown draws from.
REFERENCE_LISTS = {
    "membre": "Membres",
    "local": "Locaux",
    "ressource": "Ressources",
    "evenement": "Événements",
}

# The columns whose dropdown lists what the jobs know (not rows of the workbook), drawn from
# this column of Listes: (tab, column) -> the Listes column.
JOB_LISTS = {("Demandes", "Demande"): "Demandes", ("Événements", "Type"): "Types d'événement"}

TABS: tuple[Tab, ...] = (
    MEMBRES,
    LOCAUX,
    OCCUPATIONS,
    RESERVATIONS,
    EVENEMENTS,
    INSCRIPTIONS,
    TARIFS,
    PAIEMENTS,
    CONSEIL,
    CHIFFRES,
    TEXTES,
    DEMANDES,
    RELANCES,
    JOURNAL,
    FACTURES,
)

# The tabs without which the workbook is not the association's: a job that reads one of
# them stops with an error naming it, rather than reading it as empty. The other tabs,
# when missing, mean "no rows" (SHEETS.md).
REQUIRED_TABS: tuple[Tab, ...] = (MEMBRES,)

_BY_KEY = {normalize_header(t.name): t for t in (*TABS, LISTES)}


def tab_schema(title: str) -> Tab | None:
    """The contract for a tab title (matched like headers), or None for a staff tab."""
    return _BY_KEY.get(normalize_header(title))
