"""What `mila preparer` applies to a tab, from SHEETS.md (``schema``) and the tab's header row.

A pure function of the header: columns are located by their header like everywhere else
(the staff may have reordered them), so the same plan comes out of any order. Each
backend turns the plan into its own requests (:mod:`.google_prepare`, :mod:`.xlsx_prepare`)
and sends only what is missing; neither changes a cell value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .. import schema
from ..schema import Column, Tab, normalize_header

YES_NO = ("oui", "non")
CALC_NOTE = "Calculée par mila : ne pas modifier."
OWNED_NOTE = "Onglet tenu par mila : ne pas modifier."
# Conditional formats: the cell's background when it holds one of these values.
HIGHLIGHTS = {"échue": "red", "à renouveler": "orange"}
COLOURS = {  # (red, green, blue) in 0..1, as Google gives them; Excel's ARGB beside
    "red": ((0.957, 0.8, 0.8), "FFF4CCCC"),
    "orange": ((0.988, 0.898, 0.804), "FFFCE5CD"),
    "anomaly": ((1.0, 0.949, 0.8), "FFFFF2CC"),
}

# What a column holds, in the staff's words; the kind of column says the rest.
HOLDS = {
    "id": "Identifiant de la ligne, attribué par mila synchroniser : laisser vide sur une nouvelle ligne.",
    "structure": "Nom de la structure, ou de la personne.",
    "contact": "Prénom et nom du ou de la représentant·e.",
    "email": "Adresse où partent les relances.",
    "telephone": "Numéro français ou international.",
    "siret": "14 chiffres (la clé de contrôle est vérifiée).",
    "nom": "Nom.",
    "adresse": "Adresse postale.",
    "surface m2": "Surface en m².",
    "capacite": "Nombre de places ou de réservations simultanées.",
    "organisme": "Organisme extérieur, quand la réservation n'est pas d'un membre.",
    "titre": "Titre.",
    "intervenants": "« Nom (Organisation) », séparés par des points-virgules.",
    "lieu": "Lieu.",
    "heure": "Heure, par exemple 18:30.",
    "payeur": "Le payeur tel que la banque ou HelloAsso le nomme.",
    "reference": "Référence de la banque ou de HelloAsso ; jamais deux fois la même.",
    "source": "D'où vient la ligne : saisie, import…",
    "place": "« confirmée » ou rang sur la liste d'attente.",
    "qualite du representant": "Fonction du ou de la représentant·e dans la structure, telle "
    "qu'elle figure dans les conventions : gérante, président, directeur général…",
    "revisee le": "Date de la dernière révision du loyer ; la prochaine révision part de cette date.",
    "indice de reference": "Valeur de l'indice ILAT (Insee) retenue à la dernière révision, "
    "par exemple 136,33 ; à défaut, l'indice du trimestre de « Début ».",
    "anomalies": "Les problèmes de la ligne, une phrase chacun ; vide quand tout va bien.",
    "texte": "Le paragraphe du rapport d'activité ; vide tant qu'il reste à écrire (voir « Consigne »).",
    "consigne": "Ce que seule l'équipe peut raconter dans cette partie du rapport (ajouté par "
    "mila preparer) : écrivez-le dans « Texte ».",
    "cible": "À quoi s'applique la demande : une occupation (C012), un membre (M0034), une année.",
    "demandee par": "Votre adresse e-mail : la réponse y est envoyée quand la demande est faite.",
    "demandee le": "Quand la demande a été faite (jj/mm/aaaa hh:mm).",
    "resultat": "Ce que mila a fait, en une ligne.",
    "lien": "Le fichier produit (Google Drive) ou les aperçus à regarder.",
    "traitee le": "Quand mila a traité la ligne.",
}
KIND_HOLDS = {
    "date": "Date (jj/mm/aaaa).",
    "datetime": "Date, et heure si besoin (jj/mm/aaaa hh:mm).",
    "amount": "Montant en euros.",
    "number": "Nombre.",
    "bool": "oui ou non.",
}
REF_HOLDS = {
    "membre": "Le membre (M0012) : choisir dans la liste.",
    "local": "Le local (L01) : choisir dans la liste.",
    "ressource": "La ressource réservable (L01) : choisir dans la liste.",
    "evenement": "L'événement (E001) : choisir dans la liste.",
}
# Google's number formats; Excel's format codes beside.
FORMATS = {
    "date": ({"type": "DATE", "pattern": "dd/mm/yyyy"}, "DD/MM/YYYY"),
    "datetime": ({"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"}, "DD/MM/YYYY HH:MM"),
    "amount": ({"type": "CURRENCY", "pattern": '#,##0.00 "€"'}, '#,##0.00\\ "€"'),
}


@dataclass(frozen=True)
class ColumnPlan:
    index: int  # 1-based, where the header stands now
    name: str  # the contract's name
    note: str  # the header's note
    choices: tuple[str, ...] = ()  # a dropdown of these values
    list_column: int | None = None  # a dropdown drawn from this column of Listes (1-based)
    number_format: str | None = None  # a key of FORMATS
    width: int = 100  # pixels, at least
    calc: bool = False  # warning-only protection
    highlights: tuple[tuple[str, str], ...] = ()  # (value, colour) conditional formats
    flag_filled: bool = False  # a conditional format on a non-blank cell (Anomalies)


@dataclass(frozen=True)
class TabPlan:
    title: str
    columns: tuple[ColumnPlan, ...]
    owned: bool = False  # a job-owned tab: the whole tab is protected (warning only)


def tab_contract(title: str) -> Tab | None:
    """The contract of a tab title, the job-owned ``Listes`` included."""
    if normalize_header(title) == normalize_header(schema.LISTES.name):
        return schema.LISTES
    return schema.tab_schema(title)


# Dropdowns the contract leaves to the jobs: (tab, column) -> the choices (the requests of
# ``Demandes``, registered with the jobs that do them).
Choices = Mapping[tuple[str, str], tuple[str, ...]]


def _locate(header: Sequence[object]) -> dict[str, int]:
    """Each header of row 1 (normalized) and its column (1-based), the first one kept."""
    located: dict[str, int] = {}
    for index, text in enumerate(header, start=1):
        key = normalize_header(text)
        if key and key not in located:
            located[key] = index
    return located


def plan_tab(
    title: str,
    header: list[object],
    choices: Choices | None = None,
    listes_header: Sequence[object] | None = None,
) -> TabPlan | None:
    """The plan for a tab whose row 1 is ``header``; None for a staff tab of its own.
    ``choices``: dropdowns of columns whose values the jobs know (``Demandes``' « Demande »).
    ``listes_header``: row 1 of the ``Listes`` tab as it is, where each dropdown's column is
    looked for by its name (a tab holding other columns first, as the demo's, included);
    without it, the contract's order."""
    tab = tab_contract(title)
    if tab is None:
        return None
    located = _locate(header)
    listes = _locate(listes_header) if listes_header is not None else None
    given = choices or {}
    columns = tuple(
        _plan_column(tab, column, located[column.key], given.get((tab.name, column.name), ()), listes)
        for column in tab.columns
        if column.key in located
    )
    return TabPlan(title, columns, owned=tab.job_owned)


def _listes_column(name: str, listes: Mapping[str, int] | None) -> int | None:
    """The column of ``Listes`` holding ``name`` (None when the tab lacks it)."""
    if listes is None:
        return [c.name for c in schema.LISTES.columns].index(name) + 1
    return listes.get(normalize_header(name))


def _plan_column(
    tab: Tab,
    column: Column,
    index: int,
    known: tuple[str, ...] = (),
    listes: Mapping[str, int] | None = None,
) -> ColumnPlan:
    width = max(90, min(260, 8 * len(column.name) + 30))
    if tab.job_owned:
        return ColumnPlan(index, column.name, OWNED_NOTE, width=max(width, 160))
    ref = schema.REFERENCE_LISTS.get(column.key) if column.kind == "ref" else None
    if column.calc:
        note = f"{_holds(column)}\n{CALC_NOTE}"
    else:
        note = f"{_holds(column)}\n{'Saisie obligatoire.' if column.required else 'Saisie facultative.'}"
    choices: tuple[str, ...] = ()
    if not column.calc:
        choices = YES_NO if column.kind == "bool" else (column.choices or known)
    if known and not column.calc:
        note = f"Valeurs : {' · '.join(known)}.\n" + note
    list_column = None
    if ref is not None and not column.calc:
        list_column = _listes_column(ref, listes)
        width = max(width, 200)
    job_list = schema.JOB_LISTS.get((tab.name, column.name))
    if job_list is not None and choices and not column.calc:
        list_column = _listes_column(job_list, listes)  # None: the choices typed in, when they fit
    if column.key == "anomalies":
        width = 320
    elif column.kind == "email" or column.key in ("structure", "titre", "adresse"):
        width = max(width, 180)
    elif column.kind == "choice":
        width = max(width, min(260, 8 * max((len(c) for c in column.choices or known), default=0) + 40))
    return ColumnPlan(
        index=index,
        name=column.name,
        note=note,
        choices=choices,
        list_column=list_column,
        number_format=column.kind if column.kind in FORMATS else None,
        width=width,
        calc=column.calc,
        highlights=tuple((v, HIGHLIGHTS[v]) for v in column.choices if v in HIGHLIGHTS)
        if column.calc
        else (),
        flag_filled=column.key == "anomalies",
    )


def _holds(column: Column) -> str:
    if column.kind == "ref":
        return REF_HOLDS.get(column.key, "Identifiant d'une ligne d'un autre onglet.")
    if column.kind in ("choice", "bool") and (column.choices or column.kind == "bool"):
        listed = " · ".join(column.choices or YES_NO)
        return " ".join(
            filter(
                None, (HOLDS.get(column.key), f"Valeurs : {listed}" + ("" if listed.endswith(".") else "."))
            )
        )
    return HOLDS.get(column.key) or KIND_HOLDS.get(column.kind) or f"{column.name}."
