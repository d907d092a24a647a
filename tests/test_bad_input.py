"""The bad-input corpus: whatever the staff type, the jobs answer with an anomaly or a
clear French error, never a crash, and never change a cell the staff own.

Most checks share one workbook per backend holding every wrong value on its own row
(``corpus``): it is built, checked and synced once, then each case is asserted alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from openpyxl import load_workbook

from automations.cli import main
from automations.clock import FixedClock
from automations.errors import SchemaError, TabMissing
from automations.jobs.check import CheckResult, run_check
from automations.jobs.sync import SyncResult, run_sync
from automations.model.anomalies import Anomaly
from automations.rules.membership import MembershipPolicy
from automations.schema import normalize_header, tab_schema
from automations.workbook import Table

TODAY = dt.date(2025, 6, 15)
CLOCK = FixedClock(dt.datetime(2025, 6, 15, 9, 30))
POLICY = MembershipPolicy()
LONG = "Lorem ipsum 🎸 " * 715  # 10,010 characters
VALID_SIRET = "73282932000074"

Grid = list[list[Any]]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what no spreadsheet cell keeps


# --------------------------------------------------------------------------- helpers


def kind_of(request: pytest.FixtureRequest) -> str:
    """The backend the current test runs on: ``xlsx`` or ``google``."""
    return str(request.node.callspec.params["make_book"])


class AsText(str):
    """A value typed in a cell as plain text even though it starts with ``=``."""


def store_as_text(book: Any, tab: str, cells: dict[tuple[int, int], str]) -> None:
    """Type ``=…`` texts into cells as a person typing ``'=…`` would: text, not formula."""
    if book.kind == "xlsx":
        wb = load_workbook(book.path)
        for (row, col), text in cells.items():
            cell = wb[tab].cell(row=row, column=col)
            cell.value = text
            cell.data_type = "s"
        wb.save(book.path)
    else:
        typed = {rc: "'" + text for rc, text in cells.items()}
        book.emulator.set_cells(book.key, tab, typed, user_entered=True)


def build(make_book: Callable[[dict[str, Grid]], Any], tabs: dict[str, Grid]) -> Any:
    """``make_book``, with ``AsText`` cells stored as text after the build."""
    plain: dict[str, Grid] = {}
    texts: dict[str, dict[tuple[int, int], str]] = {}
    for tab, grid in tabs.items():
        plain[tab] = [[None if isinstance(v, AsText) else v for v in line] for line in grid]
        for r, line in enumerate(grid, start=1):
            for c, v in enumerate(line, start=1):
                if isinstance(v, AsText):
                    texts.setdefault(tab, {})[(r, c)] = str(v)
    book = make_book(plain)
    for tab, cells in texts.items():
        store_as_text(book, tab, cells)
    return book


Token = tuple[object, object] | None
Snapshot = dict[str, list[list[Token]]]


def snapshot(book: Any) -> Snapshot:
    """Every tab's cells as stored: ``(value, kind)``, so that a formula and a text
    that reads like one differ (.xlsx: openpyxl's data type; Google: formula and value)."""
    shot: Snapshot = {}
    if book.kind == "xlsx":
        wb = load_workbook(book.path)
        try:
            for ws in wb.worksheets:
                shot[ws.title] = _trim(
                    [
                        [None if c.value is None else (c.value, c.data_type) for c in line]
                        for line in ws.iter_rows()
                    ]
                )
        finally:
            wb.close()
        return shot
    for title in book.emulator.tabs(book.key):
        formulas = book.emulator.grid(book.key, title, render="FORMULA")
        values = book.emulator.grid(book.key, title)
        height = max(len(formulas), len(values))
        lines = []
        for r in range(height):
            f_line = formulas[r] if r < len(formulas) else []
            v_line = values[r] if r < len(values) else []
            width = max(len(f_line), len(v_line))
            lines.append(
                [
                    _token(f_line[c] if c < len(f_line) else None, v_line[c] if c < len(v_line) else None)
                    for c in range(width)
                ]
            )
        shot[title] = _trim(lines)
    return shot


def _token(formula: object, value: object) -> Token:
    if formula in (None, "") and value in (None, ""):
        return None
    return (formula, value)


def _trim(grid: list[list[Token]]) -> list[list[Token]]:
    while grid and all(t is None for t in grid[-1]):
        grid.pop()
    for line in grid:
        while line and line[-1] is None:
            line.pop()
    return grid


def _cell(grid: list[list[Token]], r: int, c: int) -> Token:
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else None


def _text(token: Token) -> str:
    return "" if token is None or token[0] is None else str(token[0])


def staff_changes(before: Snapshot, after: Snapshot) -> list[str]:
    """Every cell the staff own that differs between two snapshots, as ``Tab!R1C1``.

    Job-owned: the columns marked calc in the contract (found by their header), a blank
    ``ID`` given an ID of the tab's form, and rows appended to Relances and Journal.
    """
    problems: list[str] = []
    new_tabs = list(after)[len(before) :]
    if list(after)[: len(before)] != list(before):
        problems.append(f"onglets : {list(before)} -> {list(after)}")
    for title in new_tabs:
        schema = tab_schema(title)
        if schema is None or not schema.job_owned:
            problems.append(f"onglet créé : {title}")
    for title, old in before.items():
        new = after.get(title, [])
        schema = tab_schema(title)
        if schema is not None and schema.job_owned:
            if new[: len(old)] != old:
                problems.append(f"{title} : lignes existantes modifiées")
            continue
        header = [normalize_header(_text(t)) for t in (new[0] if new else [])]
        owned = _job_columns(schema, old, header)
        id_col = header.index("id") if schema is not None and schema.id_prefix and "id" in header else None
        height = max(len(old), len(new))
        width = max([len(line) for line in old + new] or [0])
        for r in range(height):
            for c in range(width):
                was, now = _cell(old, r, c), _cell(new, r, c)
                if was == now:
                    continue
                if c in owned and (r > 0 or was is None):
                    continue
                if c == id_col and r > 0 and not _text(was).strip():
                    assert schema is not None and schema.id_prefix is not None
                    if re.fullmatch(rf"{schema.id_prefix}\d{{{schema.id_width}}}", _text(now)):
                        continue
                problems.append(f"{title}!R{r + 1}C{c + 1} : {was!r} -> {now!r}")
    return problems


def _job_columns(schema: Any, old: list[list[Token]], header: list[str]) -> set[int]:
    """0-based job columns of a tab after sync (``header``, normalized): calc columns whose
    header was already there, or that sync added over an entirely empty column."""
    if schema is None:
        return set()
    old_header = [normalize_header(_text(t)) for t in (old[0] if old else [])]
    owned = set()
    for i, key in enumerate(header):
        if key not in schema.key_lookup or not schema.key_lookup[key].calc:
            continue
        already = i < len(old_header) and old_header[i] == key
        if already or all(_cell(old, r, i) is None for r in range(len(old))):
            owned.add(i)
    return owned


def journal_rows(book: Any) -> list[dict[str, object]]:
    """The Journal's rows as {column: value}, read through the workbook interface."""
    table = book.open().read(["Journal"]).get("Journal")
    if table is None:
        return []
    return [{name: row.get(name) for name in ("Date", "Tâche", "Résultat", "Détails")} for row in table]


def cli_args(book: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> list[str]:
    """Options pointing ``mila`` at the book, in a clean environment and folder."""
    for name in (
        "MILA_CONFIG",
        "MILA_WORKBOOK",
        "MILA_SHEET",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "SHEETS_EMULATOR_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the local log goes to ./logs
    if book.kind == "xlsx":
        return ["--classeur", str(book.path), "--date", TODAY.isoformat()]
    monkeypatch.setenv("SHEETS_EMULATOR_HOST", book.emulator.address)
    return ["--feuille", book.key, "--date", TODAY.isoformat()]


def sync(book: Any) -> SyncResult:
    return run_sync(book.open(), today=TODAY, policy=POLICY, clock=CLOCK)


def check(book: Any) -> CheckResult:
    return run_check(book.open(), today=TODAY, policy=POLICY)


def grid(header: list[str], rows: list[dict[str, object]]) -> Grid:
    return [list(header)] + [[row.get(h) for h in header] for row in rows]


# --------------------------------------------------------------------------- the corpus

MEMBRES = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Téléphone",
    "SIRET",
    "Catégorie",
    "Forfait",
    "Option Crescendo",
    "Adhésion le",
    "Cotisation payée le",
    "Montant payé",
    "Notes",
    "Charte signée le",
    "Sortie le",
    "Cotisation HT",
    "Cotisation TTC",
    "Échéance",
    "Statut",
    "Voix",
    "Anomalies",
]
LOCAUX = [
    "ID",
    "Nom",
    "Site",
    "Adresse",
    "Surface m²",
    "Capacité",
    "Loyer mensuel HT",
    "Tarif jour HT",
    "Tarif semaine HT",
    "Réservable",
    "Anomalies",
]
OCCUPATIONS = [
    "ID",
    "Membre",
    "Local",
    "Début",
    "Fin",
    "Loyer mensuel HT",
    "Dépôt de garantie",
    "Révisée le",
    "Indice de référence",
    "Anomalies",
]
RESERVATIONS = [
    "ID",
    "Ressource",
    "Membre",
    "Organisme",
    "Début",
    "Fin",
    "Formule",
    "Statut",
    "Montant HT",
    "Anomalies",
]
EVENEMENTS = [
    "ID",
    "Date",
    "Heure",
    "Type",
    "Titre",
    "Intervenants",
    "Lieu",
    "Capacité",
    "Réservé à",
    "Inscrits",
    "Liste d'attente",
    "Anomalies",
]
INSCRIPTIONS = ["ID", "Événement", "Membre", "Inscrit le", "Statut", "Place", "Anomalies"]
TARIFS = ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"]
CONSEIL = ["Nom", "Civilité", "Membre", "Fonction", "Collège", "Entrée", "Sortie", "Décision"]
CHIFFRES = ["Année", "Rubrique", "Libellé", "Valeur", "Unité"]
TEXTES = ["Année", "Section", "Texte"]

HEADERS = {
    "Membres": MEMBRES,
    "Locaux": LOCAUX,
    "Occupations": OCCUPATIONS,
    "Réservations": RESERVATIONS,
    "Événements": EVENEMENTS,
    "Inscriptions": INSCRIPTIONS,
    "Tarifs": TARIFS,
    "Conseil": CONSEIL,
    "Chiffres": CHIFFRES,
    "Textes": TEXTES,
}

# Rows every case row refers to; the ones in CLEAN carry no anomaly at all.
FIXED: dict[str, list[dict[str, object]]] = {
    "Membres": [
        {
            "ID": "M0001",
            "Structure": "Studio Alpha",
            "Contact": "Ana Martin",
            "Email": "ana@alpha.fr",
            "Catégorie": "hébergé",
            "Adhésion le": "15/01/2024",
            "Cotisation payée le": "10/01/2025",
            "Montant payé": "240,00",
            "Notes": '=HYPERLINK("https://mila.fr","site")',
            "Charte signée le": "15/01/2024",
        },
        {
            "ID": "M0002",
            "Structure": "Bêta Prod",
            "Contact": "Bruno Petit",
            "Email": "bruno@beta.fr",
            "Téléphone": "06 12 34 56 78",
            "SIRET": VALID_SIRET,
            "Catégorie": "bénéficiaire",
            "Forfait": "BASIC",
            "Option Crescendo": "non",
            "Adhésion le": "15/01/2024",
            "Cotisation payée le": "10/01/2025",
            "Montant payé": "144,00",
            "Notes": "=SUM(A1:A3)",
            "Charte signée le": "15/01/2024",
        },
    ],
    "Locaux": [
        {
            "ID": "L01",
            "Nom": "Bureau 3",
            "Site": "Pépinière",
            "Surface m²": 20,
            "Capacité": 1,
            "Loyer mensuel HT": 300,
            "Réservable": "non",
        },
        {
            "ID": "L02",
            "Nom": "Salle de réunion",
            "Site": "Milab",
            "Capacité": 1,
            "Tarif jour HT": 50,
            "Réservable": "oui",
        },
        {"ID": "L03", "Nom": "Postes Milab", "Site": "Milab", "Capacité": 50, "Réservable": "non"},
    ],
    "Occupations": [{"ID": "C001", "Membre": "M0001", "Local": "L01", "Début": "01/01/2024"}],
    "Réservations": [
        {
            "ID": "R0001",
            "Ressource": "L02",
            "Membre": "M0002",
            "Début": "02/07/2025 09:00",
            "Fin": "02/07/2025 12:00",
            "Formule": "jour",
            "Statut": "demandée",
        },
    ],
    "Événements": [
        {
            "ID": "E001",
            "Date": "10/07/2025",
            "Heure": "18:30",
            "Type": "Club MILA",
            "Titre": "Club de juillet",
            "Capacité": 20,
        },
    ],
    "Inscriptions": [
        {
            "ID": "I0001",
            "Événement": "E001",
            "Membre": "M0002",
            "Inscrit le": "01/07/2025 10:00",
            "Statut": "inscrit",
        },
    ],
    "Tarifs": [
        {"Code": "BENEFICIAIRE", "Montant HT": 100, "TVA %": 20, "Du": "01/01/2020", "Au": "29/02/2024"},
        {"Code": "BASIC", "Montant HT": 120, "TVA %": 20, "Du": "01/03/2024"},
        {"Code": "PREMIUM", "Montant HT": 170, "TVA %": 20, "Du": "01/03/2024"},
        {"Code": "CRESCENDO", "Montant HT": 10, "TVA %": 20, "Du": "01/03/2024"},
        {"Code": "HEBERGE_M2", "Montant HT": 10, "Plafond HT": 700, "TVA %": 20, "Du": "01/01/2020"},
        {"Code": "MEMBRE_DE_DROIT", "Montant HT": 0, "TVA %": 20, "Du": "01/01/2020"},
    ],
    "Conseil": [
        {
            "Nom": "Ana Martin",
            "Civilité": "Mme",
            "Membre": "M0001",
            "Fonction": "Présidente",
            "Entrée": "02/07/2024",
            "Décision": "AG du 02/07/24",
        }
    ],
    "Chiffres": [
        {"Année": 2024, "Rubrique": "Financement", "Libellé": "Subventions", "Valeur": 12000, "Unité": "€"}
    ],
    "Textes": [{"Année": 2024, "Section": "intro", "Texte": "Une belle année."}],
}
CLEAN = {
    "Membres": [3],
    "Locaux": [2, 3, 4],
    "Occupations": [2],
    "Réservations": [2],
    "Événements": [2],
    "Inscriptions": [2],
    "Conseil": [2],
    "Chiffres": [2],
    "Textes": [2],
}

ID_FORMS = {
    "Membres": "M{:04d}",
    "Locaux": "L{:02d}",
    "Occupations": "C{:03d}",
    "Réservations": "R{:04d}",
    "Événements": "E{:03d}",
    "Inscriptions": "I{:04d}",
}


def base_row(tab: str, n: int) -> dict[str, object]:
    """A valid row of ``tab``, distinct from the others by ``n``."""
    if tab == "Membres":
        return {
            "Structure": f"Label {n}",
            "Contact": "Chloé Roy",
            "Email": f"membre{n}@label.fr",
            "Catégorie": "bénéficiaire",
            "Forfait": "BASIC",
            "Option Crescendo": "non",
            "Adhésion le": "15/01/2024",
            "Cotisation payée le": "10/01/2025",
            "Montant payé": "144,00",
            "Charte signée le": "15/01/2024",
        }
    if tab == "Locaux":
        return {"Nom": f"Poste {n}", "Site": "Milab", "Capacité": 2, "Réservable": "non"}
    if tab == "Occupations":  # past conventions of a roomy premises: no overlap, no warning
        return {"Membre": "M0001", "Local": "L03", "Début": "01/01/2022", "Fin": "31/12/2022"}
    if tab == "Réservations":  # one day each: no overlap whatever the future checks
        return {
            "Ressource": "L02",
            "Membre": "M0002",
            "Début": f"{n % 28 + 1:02d}/08/2025 09:00",
            "Fin": f"{n % 28 + 1:02d}/08/2025 12:00",
            "Formule": "jour",
            "Statut": "demandée",
        }
    if tab == "Événements":
        return {
            "Date": "10/07/2025",
            "Heure": "18:30",
            "Type": "Club MILA",
            "Titre": f"Club {n}",
            "Capacité": 20,
        }
    if tab == "Inscriptions":
        return {"Événement": "E001", "Membre": "M0002", "Inscrit le": "01/07/2025 10:00", "Statut": "inscrit"}
    if tab == "Tarifs":  # one past year each: no overlap with the others
        return {
            "Code": "MEMBRE_DE_DROIT",
            "Libellé": "ancien",
            "Montant HT": 0,
            "TVA %": 20,
            "Du": f"01/01/{2000 + n}",
            "Au": f"31/12/{2000 + n}",
        }
    if tab == "Conseil":
        return {
            "Nom": f"Personne {n}",
            "Civilité": "M.",
            "Fonction": "Administrateur",
            "Entrée": "02/07/2024",
        }
    if tab == "Chiffres":
        return {"Année": 2024, "Rubrique": "Financement", "Libellé": f"Ligne {n}", "Valeur": 10}
    if tab == "Textes":
        return {"Année": 2024, "Section": f"section {n}", "Texte": "Un paragraphe."}
    raise KeyError(tab)


@dataclass(frozen=True)
class Case:
    """A wrong (or odd but readable) value typed in one column of one row."""

    tab: str
    column: str
    value: object  # or {"xlsx": …, "google": …} when a backend cannot hold the value
    expect: str | None  # words of the French message; None: read without anomaly
    severity: str = "error"
    blank_id: bool = False  # the row has no ID yet: sync assigns one
    label: str = ""

    @property
    def name(self) -> str:
        shown = self.label or re.sub(r"\s+", " ", repr(self.value))[:30]
        return f"{self.tab}.{self.column}={shown}"


def bad(tab: str, column: str, value: object, expect: str, **kw: Any) -> Case:
    return Case(tab, column, value, expect, **kw)


def odd(tab: str, column: str, value: object, **kw: Any) -> Case:
    return Case(tab, column, value, None, **kw)


WRONG = [
    # date
    bad("Membres", "Adhésion le", "31/02/2025", "Date illisible"),
    bad("Membres", "Adhésion le", "bientôt", "Date illisible"),
    bad("Membres", "Adhésion le", True, "Date illisible", label="booléen"),
    bad("Membres", "Adhésion le", 2024, "Date incomplète", label="2024 (nombre)"),
    bad("Membres", "Adhésion le", None, "Valeur manquante", label="vide"),
    bad("Membres", "Adhésion le", "\u00a0 ", "Valeur manquante", label="espaces insécables"),
    bad("Membres", "Cotisation payée le", "32/01/2025", "Date illisible"),
    bad("Membres", "Cotisation payée le", "2025-13-01", "Date illisible"),
    bad("Membres", "Charte signée le", "01/01/1850", "Date hors limites"),
    bad("Membres", "Charte signée le", "01/01/1990", "Date invraisemblable", severity="warning"),
    bad("Membres", "Sortie le", "'=TODAY()", "Formule au lieu d'une valeur"),
    bad(
        "Membres", "Sortie le", AsText("=TODAY()"), "Formule au lieu d'une valeur", label="=TODAY() en texte"
    ),
    bad("Membres", "Sortie le", LONG, "Date illisible", label="10 000 caractères"),
    bad("Membres", "Sortie le", "#N/A", "Date illisible"),
    bad("Membres", "Sortie le", 1e300, "Date hors limites"),
    bad("Membres", "Sortie le", -5, "Date hors limites"),
    bad("Occupations", "Début", "hier", "Date illisible"),
    bad("Occupations", "Fin", "31/04/2022", "Date illisible"),
    bad("Occupations", "Révisée le", "l'an dernier", "Date illisible"),
    bad("Occupations", "Indice de référence", "cent trente", "Nombre illisible"),
    bad("Occupations", "Indice de référence", "0", "Indice impossible"),
    bad("Événements", "Date", "mardi prochain", "Date illisible"),
    bad("Tarifs", "Du", "01/13/2001", "Date illisible"),
    # datetime
    bad("Réservations", "Début", "03/08/2025 25:00", "Date illisible"),
    bad("Réservations", "Début", "18:30", "Date illisible"),
    bad("Réservations", "Fin", "demain", "Date illisible"),
    bad("Réservations", "Fin", True, "Date illisible", label="booléen"),
    bad("Réservations", "Fin", "01/01/2025 08:00", "n'est pas après son début", label="avant le début"),
    bad("Inscriptions", "Inscrit le", "le 1er juillet", "Date illisible"),
    # time
    bad("Événements", "Heure", "25h", "Heure impossible"),
    bad("Événements", "Heure", "18h75", "Heure impossible"),
    bad("Événements", "Heure", "midi", "Heure illisible"),
    bad("Événements", "Heure", 30, "Heure illisible"),
    bad("Événements", "Heure", dt.date(2025, 7, 10), "Saisissez une heure au format 18:30", label="une date"),
    # amount
    bad("Membres", "Montant payé", "-50", "Montant négatif"),
    bad("Membres", "Montant payé", -50, "Montant négatif", label="-50 (nombre)"),
    bad("Membres", "Montant payé", "cent euros", "Montant illisible"),
    bad("Membres", "Montant payé", "1.234", "deux décimales"),
    bad("Membres", "Montant payé", "12 m²", "Montant illisible"),
    bad("Membres", "Montant payé", "50 $", "Montant illisible"),
    bad("Membres", "Montant payé", True, "Montant illisible", label="booléen"),
    bad("Membres", "Montant payé", 1e9, "Montant démesuré"),
    bad("Locaux", "Loyer mensuel HT", "trois cents", "Montant illisible"),
    bad("Occupations", "Dépôt de garantie", "-100 €", "Montant négatif"),
    bad("Tarifs", "Montant HT", "gratuit ?", "Montant illisible"),
    bad("Tarifs", "Montant HT", None, "Valeur manquante", label="vide"),
    # number
    bad("Locaux", "Surface m²", "vingt", "Nombre illisible"),
    bad("Locaux", "Surface m²", "-3", "Nombre négatif"),
    bad("Locaux", "Surface m²", "1.234", "Nombre ambigu"),
    bad("Locaux", "Capacité", 0, "Capacité impossible"),
    bad("Locaux", "Capacité", "2,5", "Nombre entier attendu"),
    bad("Locaux", "Capacité", "beaucoup", "Nombre illisible"),
    bad("Événements", "Capacité", -5, "Nombre négatif"),
    bad("Événements", "Capacité", "20 places", "Nombre illisible"),
    bad("Chiffres", "Valeur", "beaucoup", "Nombre illisible"),
    bad("Chiffres", "Année", "deux mille", "Nombre illisible"),
    bad("Chiffres", "Année", 1850, "Année impossible"),
    bad("Tarifs", "TVA %", "vingt", "Pourcentage illisible"),
    bad("Tarifs", "TVA %", 150, "Pourcentage impossible"),
    # bool
    bad("Membres", "Option Crescendo", "peut-être", "oui/non illisible"),
    bad("Membres", "Option Crescendo", 2, "oui/non illisible"),
    bad("Membres", "Option Crescendo", dt.date(2025, 1, 1), "oui/non illisible", label="une date"),
    bad("Locaux", "Réservable", "bof", "oui/non illisible"),
    # choice
    bad("Membres", "Catégorie", "hebergeur", "Valeur inconnue"),
    bad("Membres", "Catégorie", "hébergé 🏠", "Valeur inconnue"),
    bad("Membres", "Catégorie", True, "Valeur inconnue", label="booléen"),
    bad(
        "Membres",
        "Catégorie",
        {"xlsx": "hébergé\x7f", "google": "hébergé\x07\x1b"},
        "Valeur inconnue",
        label="caractères de contrôle",
    ),
    bad("Membres", "Catégorie", None, "Valeur manquante", label="vide"),
    bad("Membres", "Forfait", "GOLD", "Valeur inconnue"),
    bad("Membres", "Forfait", 170, "Valeur inconnue"),
    bad("Locaux", "Site", "Paris", "Valeur inconnue"),
    bad("Réservations", "Formule", "mois", "Valeur inconnue"),
    bad("Réservations", "Statut", "peut-être", "Valeur inconnue"),
    bad("Événements", "Type", "Concert", "Valeur inconnue"),
    bad("Événements", "Réservé à", "VIP", "Valeur inconnue"),
    bad("Inscriptions", "Statut", "venu", "Valeur inconnue"),
    bad("Tarifs", "Code", "GOLD", "Valeur inconnue"),
    bad("Conseil", "Civilité", "Dr", "Valeur inconnue"),
    bad("Conseil", "Fonction", "Chef", "Valeur inconnue"),
    # email
    bad("Membres", "Email", "ana@label.fr, bob@label.fr", "Plusieurs adresses"),
    bad("Membres", "Email", "ana@label.fr bob@label.fr", "Plusieurs adresses"),
    bad("Membres", "Email", "ana@label.fr\nbob@label.fr", "Plusieurs adresses", label="deux lignes"),
    bad("Membres", "Email", "ana@label,fr", "Adresse e-mail invalide"),
    bad("Membres", "Email", "ana.label.fr", "Adresse e-mail invalide"),
    bad("Membres", "Email", "ana\u00a0@label.fr", "Adresse e-mail invalide", label="espace insécable"),
    bad("Membres", "Email", 12345, "Adresse e-mail invalide"),
    bad(
        "Membres",
        "Email",
        AsText('=HYPERLINK("mailto:ana@label.fr")'),
        "Formule au lieu",
        label="=HYPERLINK en texte",
    ),
    bad("Membres", "Email", None, "Valeur manquante", label="vide"),
    # phone
    bad("Membres", "Téléphone", "06 12 AB 56 78", "téléphone invalide", severity="warning"),
    bad("Membres", "Téléphone", "0612", "téléphone invalide", severity="warning"),
    bad("Membres", "Téléphone", "appeler Marie", "téléphone invalide", severity="warning"),
    bad("Membres", "Téléphone", True, "téléphone invalide", severity="warning", label="booléen"),
    # siret
    bad("Membres", "SIRET", "1234567890123", "13 chiffres au lieu de 14", severity="warning"),
    bad("Membres", "SIRET", "12345678901234", "clé de contrôle", severity="warning"),
    bad("Membres", "SIRET", "en cours", "chiffres seulement", severity="warning"),
    bad("Membres", "SIRET", 123, "3 chiffres au lieu de 14", severity="warning"),
    # ref
    bad("Occupations", "Membre", "M9999", "ID inconnu"),
    bad("Occupations", "Membre", 42, "ID inconnu"),
    bad("Occupations", "Local", "L99", "ID inconnu"),
    bad("Occupations", "Local", None, "Valeur manquante", label="vide"),
    bad("Réservations", "Ressource", "L01", "n'est pas réservable"),
    bad("Réservations", "Ressource", "Salle", "ID inconnu"),
    bad("Réservations", "Membre", "Label 🎸", "ID inconnu"),
    bad("Inscriptions", "Événement", "E999", "ID inconnu"),
    bad("Inscriptions", "Membre", "M0002 et M0003", "ID inconnu"),
    bad("Conseil", "Membre", "M9999", "ID inconnu"),
    # id
    bad("Membres", "ID", "M0001", "en double"),
    bad("Locaux", "ID", "l11", "en double"),  # the first Locaux case row is L11
    bad("Membres", "ID", 12, "invalide", label="un nombre"),
    bad("Membres", "ID", "M🎸", "invalide"),
    bad("Membres", "ID", AsText("=1+1"), "invalide", label="=1+1 en texte"),
    bad("Membres", "ID", "../../../../etc/x", "invalide"),
    bad("Membres", "ID", "M99999999999999999999", "invalide"),
    bad("Locaux", "ID", "L1.5", "invalide"),
    # a row without ID: sync gives it one and writes its anomaly under it
    bad("Membres", "Email", "sans arobase", "Adresse e-mail invalide", blank_id=True),
    bad("Événements", "Heure", "tard", "Heure illisible", blank_id=True),
]

TOLERATED = [
    odd("Membres", "ID", "  m0999 ", label="espaces autour"),
    odd("Membres", "ID", "M-0998", label="avec un tiret"),
    odd("Membres", "Structure", 12345, label="un nombre"),
    odd("Membres", "Structure", "Label 🎸"),
    odd("Membres", "Structure", LONG, label="10 000 caractères"),
    odd("Membres", "Structure", AsText("=SUM(A1:A3)"), label="=SUM en texte"),
    odd(
        "Membres",
        "Structure",
        {"xlsx": "Label\x7f\u200b\ufeff", "google": "Label\x07\x1b\x7f"},
        label="caractères de contrôle",
    ),
    odd("Membres", "Contact", True, label="booléen"),
    odd("Membres", "Contact", "Ana\tMartin\nRoy", label="tabulation et retour à la ligne"),
    odd("Membres", "Téléphone", "'0612345678"),
    odd("Membres", "SIRET", "'35600000000048", label="'SIRET"),
    odd("Membres", "Email", "'apostrophe@label.fr"),
    odd("Membres", "Email", "\u00a0espace@label.fr\u00a0", label="espaces insécables autour"),
    odd("Membres", "Adhésion le", "'15/01/2024"),
    odd("Membres", "Adhésion le", " 15/01/2024\n", label="espace et retour à la ligne"),
    odd("Membres", "Montant payé", "'144,00"),
    odd("Membres", "Montant payé", "144,00\u00a0€", label="espace insécable avant €"),
    odd("Membres", "Montant payé", "=SUM(A1:A3)", label="formule"),
    odd("Membres", "Notes", '=HYPERLINK("https://label.fr","site")', label="formule"),
    odd("Membres", "Notes", LONG, label="10 000 caractères"),
    odd("Événements", "Titre", dt.date(2025, 1, 1), label="une date"),
    odd("Événements", "Titre", "Concert 🎸\tlive\r\n", label="emoji et tabulation"),
    odd("Textes", "Texte", LONG, label="10 000 caractères"),
]

CASES = WRONG + TOLERATED


@dataclass
class Placed:
    case: Case
    row: int
    id: str | None


@dataclass
class CorpusRun:
    book: Any
    placed: dict[str, Placed]
    checked: CheckResult
    synced: SyncResult
    before: Snapshot
    after: Snapshot
    tables: dict[str, Table] = field(default_factory=dict)  # read after sync

    def anomalies(self, tab: str, row: int, column: str | None = None) -> list[Anomaly]:
        return [a for a in self.checked.anomalies.for_row(tab, row) if column is None or a.column == column]

    def anomalies_cell(self, tab: str, row: int) -> str:
        table = self.tables[tab]
        found = [r for r in table.rows if r.number == row]
        assert len(found) == 1, f"{tab} ligne {row} introuvable après sync"
        value = found[0].get("Anomalies")
        return "" if value is None else str(value)


def corpus_tabs(kind: str) -> tuple[dict[str, Grid], dict[str, Placed]]:
    """The corpus workbook for one backend, and where each case stands."""
    rows = {tab: [dict(r) for r in FIXED[tab]] for tab in HEADERS}
    placed: dict[str, Placed] = {}
    counters = dict.fromkeys(HEADERS, 10)
    for case in CASES:
        n = counters[case.tab] = counters[case.tab] + 1
        row = base_row(case.tab, n)
        form = ID_FORMS.get(case.tab)
        row_id = None if case.blank_id or form is None else form.format(n)
        if form is not None:
            row["ID"] = row_id
        value = case.value[kind] if isinstance(case.value, dict) else case.value
        row[case.column] = value
        if case.column == "ID":
            row_id = str(value).strip()
        rows[case.tab].append(row)
        placed[case.name] = Placed(case, len(rows[case.tab]) + 1, row_id)
    tabs = {tab: grid(HEADERS[tab], rows[tab]) for tab in HEADERS}
    tabs["Brouillon"] = [["notes libres", "=1+1"], ["'=pas une formule", LONG], [None, "🎸"]]
    return tabs, placed


assert len({c.name for c in CASES}) == len(CASES), "two cases share a name"


@pytest.fixture(scope="module")
def corpus_cache() -> dict[str, CorpusRun]:
    return {}


@pytest.fixture
def corpus(make_book, request: pytest.FixtureRequest, corpus_cache: dict[str, CorpusRun]) -> CorpusRun:
    """The corpus on this test's backend, checked then synced (once per backend)."""
    kind = kind_of(request)
    if kind not in corpus_cache:
        tabs, placed = corpus_tabs(kind)
        book = build(make_book, tabs)
        before = snapshot(book)
        checked = check(book)
        synced = sync(book)
        run = CorpusRun(book, placed, checked, synced, before, snapshot(book))
        run.tables = book.open().read()
        corpus_cache[kind] = run
    return corpus_cache[kind]


# --------------------------------------------------------------------------- tests


class TestWrongValues:
    @pytest.mark.parametrize("case", WRONG, ids=lambda c: c.name)
    def test_wrong_value_is_an_anomaly_naming_tab_row_and_column(self, corpus, case):
        """Each wrong value gives a French anomaly on its own tab, row and column."""
        where = corpus.placed[case.name]
        found = corpus.anomalies(case.tab, where.row, case.column)
        assert found, f"aucune anomalie : {corpus.anomalies(case.tab, where.row)}"
        match = [a for a in found if case.expect in a.message]
        assert match, [a.message for a in found]
        anomaly = match[0]
        assert anomaly.tab == case.tab
        assert anomaly.severity.value == case.severity
        assert anomaly.id == (None if case.blank_id else where.id)
        assert case.column.casefold() in anomaly.message.casefold()
        assert anomaly.message.endswith(".") and len(anomaly.message) < 400

    @pytest.mark.parametrize(
        "case", [c for c in WRONG if "Anomalies" in HEADERS[c.tab]], ids=lambda c: c.name
    )
    def test_sync_writes_the_message_in_the_rows_anomalies_cell(self, corpus, case):
        """After sync, the row's ``Anomalies`` cell holds the message check reported."""
        where = corpus.placed[case.name]
        cell = corpus.anomalies_cell(case.tab, where.row)
        messages = [
            a.message for a in corpus.anomalies(case.tab, where.row, case.column) if case.expect in a.message
        ]
        assert messages and CONTROL.sub("", messages[0]) in cell.split("\n")

    @pytest.mark.parametrize("case", TOLERATED, ids=lambda c: c.name)
    def test_odd_but_readable_value_raises_no_anomaly(self, corpus, case):
        """Emoji, apostrophes, odd spaces, long texts and formulas in text columns are read."""
        where = corpus.placed[case.name]
        assert corpus.anomalies(case.tab, where.row, case.column) == []

    def test_clean_rows_stay_clean(self, corpus):
        """The valid rows next to the bad ones carry no anomaly: problems do not spread."""
        for tab, numbers in CLEAN.items():
            for number in numbers:
                assert corpus.anomalies(tab, number) == [], (tab, number)

    def test_sync_completes_and_counts_what_check_found(self, corpus):
        """Sync runs to the end on the corpus, with check's error and warning counts."""
        assert corpus.synced.errors == corpus.checked.errors > 0
        assert corpus.synced.warnings == corpus.checked.warnings > 0
        assert corpus.synced.skipped == []
        assert corpus.synced.journal

    def test_sync_changes_no_staff_cell(self, corpus):
        """Outside the jobs' columns and blank IDs, every cell of every tab is as before."""
        assert staff_changes(corpus.before, corpus.after) == []
        assert list(corpus.after) == [*corpus.before, "Listes", "Journal"]  # Listes: the dropdowns

    def test_rows_without_id_get_one_and_keep_their_anomaly(self, corpus):
        """A blank ``ID`` is filled once, and the anomaly is written under the new ID."""
        for case in (c for c in WRONG if c.blank_id):
            where = corpus.placed[case.name]
            row = next(r for r in corpus.tables[case.tab].rows if r.number == where.row)
            assert row.id and re.fullmatch(r"[A-Z]\d{3,4}", row.id)
            assert case.expect in corpus.anomalies_cell(case.tab, where.row)


class TestOddCells:
    def test_date_cell_in_amount_column_is_an_anomaly(self, make_book, request):
        """A date typed in « Montant payé » is an anomaly, not an amount of 45 667 €."""
        # On Google a date cell reads as its serial number (dates must stay exact whatever
        # the sheet's locale); the implausible amount is what gives it away.
        tabs = small_members([*MEMBER_HEADER, "Montant payé"])
        tabs["Membres"][1].append(dt.date(2025, 1, 10))
        book = make_book(tabs)
        found = check(book).anomalies.for_row("Membres", 2)
        assert [a.column for a in found if a.column == "Montant payé"] == ["Montant payé"]

    def _case(self, corpus, name_part: str) -> Placed:
        return next(p for name, p in corpus.placed.items() if name_part in name)

    def test_long_cell_is_quoted_shortly(self, corpus):
        """A 10,000-character date is quoted in at most 40 characters, and left as typed."""
        where = self._case(corpus, "Sortie le=10 000")
        (anomaly,) = corpus.anomalies("Membres", where.row, "Sortie le")
        assert len(anomaly.message) < 250 and "…" in anomaly.message
        assert corpus.anomalies_cell("Membres", where.row) == anomaly.message

    def test_staff_formulas_stay_formulas(self, corpus):
        """Formulas in staff columns are still formulas after sync, texts still texts."""
        header = [_text(t) for t in corpus.after["Membres"][0]]
        notes, structure = header.index("Notes"), header.index("Structure")
        after = corpus.after["Membres"]
        assert _text(after[1][notes]) == '=HYPERLINK("https://mila.fr","site")'
        assert _text(after[2][notes]) == "=SUM(A1:A3)"
        as_text = self._case(corpus, "Structure==SUM en texte")
        token = after[as_text.row - 1][structure]
        assert _text(token) == "=SUM(A1:A3)"
        if corpus.book.kind == "xlsx":
            assert after[1][notes][1] == "f" and token[1] == "s"
        else:
            assert token[1] == "=SUM(A1:A3)"  # its value is the text itself, not a sum

    def test_messages_echoing_formulas_are_written_as_text(self, corpus):
        """An anomaly quoting ``=TODAY()`` is written as plain text, never as a formula."""
        where = self._case(corpus, "Sortie le==TODAY() en texte")
        header = [normalize_header(_text(t)) for t in corpus.after["Membres"][0]]
        token = corpus.after["Membres"][where.row - 1][header.index("anomalies")]
        assert "=TODAY()" in _text(token)
        if corpus.book.kind == "xlsx":
            assert token[1] == "s"
        else:
            assert token[0] == token[1]

    def test_control_characters_never_reach_a_written_cell(self, corpus):
        """Control characters typed by staff are left in their cell and kept out of what sync writes."""
        where = self._case(corpus, "Catégorie=caractères de contrôle")
        assert "Valeur inconnue" in corpus.anomalies_cell("Membres", where.row)
        for tab in ("Membres", "Événements", "Locaux"):
            header = [normalize_header(_text(t)) for t in corpus.after[tab][0]]
            column = header.index("anomalies")
            for line in corpus.after[tab][1:]:
                assert not CONTROL.search(_text(line[column] if column < len(line) else None))


MEMBER_HEADER = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Adhésion le",
    "Cotisation payée le",
    "Notes",
    "Statut",
    "Anomalies",
]


def small_members(header: list[str] | None = None) -> dict[str, Grid]:
    header = header or MEMBER_HEADER
    rows = [
        [
            "M0001",
            "Alpha",
            "Ana Martin",
            "ana@alpha.fr",
            "membre de droit",
            "15/01/2024",
            "10/01/2025",
            "=SUM(A1:A2)",
            None,
            None,
        ],
        [
            None,
            "Bêta 🎸",
            "Bruno Petit",
            "bruno@beta.fr, x@y.fr",
            "membre de droit",
            "31/02/2024",
            None,
            "à rappeler",
            None,
            None,
        ],
    ]
    return {
        "Membres": [header, *rows],
        "Tarifs": [TARIFS, ["MEMBRE_DE_DROIT", None, 0, None, 20, "01/01/2020", None]],
        "Brouillon": [["=1+1", "libre"]],
    }


class TestHeaders:
    def test_headers_with_other_accents_case_and_spaces_are_recognised(self, make_book):
        """``  adhesion  LE``, ``EMAIL``, `` statut `` are the contract's columns, job-owned ones included."""
        header = [
            "id",
            "  STRUCTURE ",
            "contact",
            "EMAIL",
            "Categorie",
            "adhesion  LE",
            "Cotisation Payee Le",
            "notes",
            " statut ",
            "ANOMALIES",
        ]
        book = make_book(small_members(header))
        before = snapshot(book)
        found = check(book).anomalies.for_row("Membres", 3)
        assert {a.column for a in found} == {"Email", "Adhésion le"}
        assert any("« Adhésion le »" in a.message for a in found)
        result = sync(book)
        assert ("Membres", "Statut") not in result.columns_added
        assert ("Membres", "Anomalies") not in result.columns_added
        after = snapshot(book)
        assert staff_changes(before, after) == []
        members = after["Membres"]
        assert _text(members[1][8]) == "à jour"
        assert "Date illisible" in _text(members[2][9])

    def test_missing_required_header_stops_sync_before_any_write(
        self, make_book, monkeypatch, tmp_path, capsys
    ):
        """``mila synchroniser`` exits 2 naming the tab and the column; only a Journal line is added."""
        header = [h for h in MEMBER_HEADER if h != "Email"]
        tabs = small_members()
        tabs["Membres"] = [header] + [line[:3] + line[4:] for line in tabs["Membres"][1:]]
        book = make_book(tabs)
        before = snapshot(book)
        code = main(["sync", *cli_args(book, monkeypatch, tmp_path)], io.StringIO())
        assert code == 2
        message = capsys.readouterr().err
        assert "Onglet « Membres »" in message and "« Email »" in message
        assert "obligatoire" in message and "rien n'a été écrit" in message
        after = snapshot(book)
        assert list(after) == [*before, "Journal"]
        assert {t: after[t] for t in before} == before
        (line,) = journal_rows(book)
        assert line["Tâche"] == "synchronisation" and line["Résultat"] == "échec"
        assert "« Email »" in str(line["Détails"])

    def test_missing_required_header_is_an_error_anomaly_for_check(self, make_book):
        """Check reports the missing column on the tab's header row, as an error."""
        book = make_book(
            {
                "Membres": [
                    ["ID", "Structure", "Contact", "Email", "Catégorie"],
                    ["M0001", "A", "B", "a@b.fr", "hébergé"],
                ]
            }
        )
        result = check(book)
        (anomaly,) = [a for a in result.anomalies if a.column == "Adhésion le"]
        assert (anomaly.tab, anomaly.row, anomaly.severity.value) == ("Membres", 1, "error")
        assert "Onglet « Membres »" in anomaly.message

    @pytest.mark.parametrize("twice", ["Email", "Statut"])
    def test_duplicate_contract_header_stops_sync(self, make_book, monkeypatch, tmp_path, capsys, twice):
        """A contract header standing twice (staff or job column) is a clear error; nothing is written."""
        book = make_book(small_members([*MEMBER_HEADER, twice]))
        before = snapshot(book)
        code = main(["sync", *cli_args(book, monkeypatch, tmp_path)], io.StringIO())
        assert code == 2
        assert f"l'en-tête « {twice} » figure deux fois" in capsys.readouterr().err
        after = snapshot(book)
        assert {t: after[t] for t in before} == before
        assert [r["Résultat"] for r in journal_rows(book)] == ["échec"]

    def test_duplicate_staff_header_is_kept_untouched(self, make_book):
        """Two staff columns with one name are allowed and never written."""
        header = [*MEMBER_HEADER, "Notes", "Commentaire 💬"]
        tabs = small_members(header)
        tabs["Membres"][1] += ["autre note", "=LEN(B2)"]
        book = make_book(tabs)
        before = snapshot(book)
        sync(book)
        assert staff_changes(before, snapshot(book)) == []

    def test_unknown_staff_columns_are_never_touched(self, make_book):
        """Staff columns between and after the contract's keep every value and formula."""
        header = ["Suivi", *MEMBER_HEADER, "Relancé par", "Divers 🎸", 2025]
        tabs = small_members()
        tabs["Membres"] = [header] + [
            ["=ROW()", *line, "Chloé", 'Voir "dossier"\n2e ligne', True] for line in tabs["Membres"][1:]
        ]
        book = make_book(tabs)
        before = snapshot(book)
        result = sync(book)
        assert result.cells_written > 0
        assert staff_changes(before, snapshot(book)) == []

    def test_added_column_never_lands_on_staff_data_under_a_blank_header(self, make_book):
        """When sync adds a missing job column, staff cells under a blank header are kept."""
        header = [h for h in MEMBER_HEADER if h != "Anomalies"]
        tabs = small_members(header)
        tabs["Membres"] = [header] + [
            [*line[: len(header)], "note sans en-tête"] for line in tabs["Membres"][1:]
        ]
        book = make_book(tabs)
        before = snapshot(book)
        sync(book)
        assert staff_changes(before, snapshot(book)) == []

    def test_two_tabs_matching_one_contract_tab_never_mix_their_rows(self, make_book):
        """With « Événements » and an old copy « Evenements », one tab's anomalies never land on the other's rows."""
        header = EVENEMENTS
        good = ["E001", "10/07/2025", "18:30", "Club MILA", "Club de juillet", None, None, 20]
        old = ["E001", "10/07/2025", "18:30", "Concert", "Vieille copie", None, None, 20]
        book = make_book({"Événements": [header, good], "Evenements": [header, old]})
        try:
            sync(book)
        except SchemaError:
            return  # a clear error is a fine answer too
        table = book.open().read(["Événements"])["Événements"]
        assert table.title == "Événements"
        assert table.rows[0].get("Type") == "Club MILA"
        assert table.rows[0].get("Anomalies") is None


class TestEmptyWorkbooks:
    def test_empty_workbook_is_a_clear_error_and_left_alone(self, make_book):
        """A workbook with one blank tab (a wrong key?): check and sync name the missing
        « Membres » tab; nothing is written, not even a Journal line."""
        book = make_book({"Feuille 1": []})
        before = snapshot(book)
        with pytest.raises(TabMissing, match="L'onglet « Membres » est introuvable.*Feuille 1"):
            check(book)
        with pytest.raises(TabMissing, match="rien n'a été écrit"):
            sync(book)
        assert snapshot(book) == before

    def test_header_only_tabs_are_empty_tabs(self, make_book):
        """Tabs holding only their header row give no rows, no anomaly and no write."""
        book = make_book({tab: [header] for tab, header in HEADERS.items()})
        before = snapshot(book)
        assert len(check(book).anomalies) == 0
        result = sync(book)
        assert not result.changed
        assert snapshot(book) == before

    def test_blank_rows_are_ignored_and_get_no_id(self, make_book):
        """Rows of spaces, non-breaking spaces, tabs and newlines are blank: no ID, no anomaly."""
        book = make_book(
            {"Membres": [MEMBER_HEADER, [None, " ", "\u00a0"], [], ["", "\t", "\n", " \u00a0 "], [None] * 10]}
        )
        before = snapshot(book)
        assert len(check(book).anomalies) == 0
        result = sync(book)
        assert result.ids_assigned == [] and not result.changed
        assert snapshot(book) == before

    @pytest.mark.parametrize("layout", ["vide", "en-tête en ligne 2", "données en ligne 1"])
    def test_contract_tab_without_header_row_is_a_clear_error(self, make_book, layout):
        """A Membres tab whose row 1 is not a header stops sync, naming the tab and a column."""
        row = ["M0001", "Alpha", "Ana", "ana@alpha.fr", "hébergé", "15/01/2024"]
        grids = {"vide": [], "en-tête en ligne 2": [[], MEMBER_HEADER, row], "données en ligne 1": [row, row]}
        book = make_book({"Membres": grids[layout], "Notes": [["libre"]]})
        before = snapshot(book)
        with pytest.raises(SchemaError, match="Onglet « Membres » : la colonne obligatoire « ID »"):
            sync(book)
        after = snapshot(book)
        assert {t: after[t] for t in before} == before
        assert [r["Résultat"] for r in journal_rows(book)] == ["échec"]

    def test_missing_optional_tabs_read_as_empty(self, make_book):
        """With only Membres and Tarifs, sync runs and creates no tab but Listes and Journal."""
        book = make_book(small_members())
        before = snapshot(book)
        result = sync(book)
        assert result.changed
        after = snapshot(book)
        assert list(after) == [*before, "Listes", "Journal"]
        assert staff_changes(before, after) == []


class TestCheckJson:
    def _run(self, book, monkeypatch, tmp_path) -> tuple[int, dict[str, Any]]:
        out = io.StringIO()
        code = main(["check", "--json", *cli_args(book, monkeypatch, tmp_path)], out)
        return code, json.loads(out.getvalue())

    def test_errors_give_exit_code_1_and_every_anomaly_in_json(self, make_book, monkeypatch, tmp_path):
        """Bad input gives valid JSON listing tab, row, id, column, severity and message."""
        book = make_book(small_members())
        before = snapshot(book)
        code, data = self._run(book, monkeypatch, tmp_path)
        assert code == 1
        assert set(data) >= {"errors", "warnings", "anomalies"}
        assert data["errors"] == sum(a["severity"] == "error" for a in data["anomalies"]) > 0
        assert data["warnings"] == sum(a["severity"] == "warning" for a in data["anomalies"])
        for anomaly in data["anomalies"]:
            assert set(anomaly) == {"tab", "row", "id", "column", "severity", "message"}
        email = next(a for a in data["anomalies"] if a["column"] == "Email")
        assert (email["tab"], email["row"], email["id"]) == ("Membres", 3, None)
        assert email["message"].startswith("Plusieurs adresses e-mail")
        assert snapshot(book) == before

    def test_warnings_only_give_exit_code_0(self, make_book, monkeypatch, tmp_path):
        """A bad phone number or SIRET is a warning: check exits 0."""
        header = [*MEMBER_HEADER, "Téléphone", "SIRET"]
        tabs = small_members(header)
        tabs["Membres"] = [header, tabs["Membres"][1] + ["06 12 AB 56 78", "123"]]
        book = make_book(tabs)
        code, data = self._run(book, monkeypatch, tmp_path)
        assert code == 0
        assert data["errors"] == 0 and data["warnings"] == 2
        assert {a["column"] for a in data["anomalies"]} == {"Téléphone", "SIRET"}

    def test_check_on_the_corpus_is_valid_json(self, corpus, monkeypatch, tmp_path):
        """The whole corpus, emoji and control characters included, serialises as JSON."""
        code, data = self._run(corpus.book, monkeypatch, tmp_path)
        assert code == 1
        assert data["errors"] == corpus.checked.errors
        assert len(data["anomalies"]) == len(corpus.checked.anomalies)


class TestDamagedXlsx:
    """A .xlsx cut short or carrying a hostile DOCTYPE: a French « endommagé », exit 2, nothing written."""

    @staticmethod
    def _damage(path: Any, change: Callable[[bytes], bytes]) -> None:
        import zipfile

        with zipfile.ZipFile(path) as source:
            members = [(info, source.read(info)) for info in source.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info, data in members:
                target.writestr(info, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)

    @staticmethod
    def _with_doctype(doctype: bytes, reference: bytes) -> Callable[[bytes], bytes]:
        def change(data: bytes) -> bytes:
            body = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
            body = body.replace(b"<v>Alpha</v>", b"<v>" + reference + b"</v>", 1)
            return (
                b'<?xml version="1.0"?>'
                + doctype
                + body.replace(
                    b"</sheetData>",
                    b'<row r="9"><c r="A9" t="inlineStr"><is><t>'
                    + reference
                    + b"</t></is></c></row></sheetData>",
                    1,
                )
            )

        return change

    def _cases(self, tmp_path: Any) -> dict[str, Callable[[bytes], bytes]]:
        secret = tmp_path / "secret.txt"
        secret.write_text("MOT-DE-PASSE-SECRET", encoding="utf-8")
        laughs = b"".join(
            b'<!ENTITY l%d "%s">' % (n, b"".join(b"&l%d;" % (n - 1) for _ in range(10))) for n in range(1, 9)
        )
        return {
            "tronqué": lambda data: data[: len(data) // 2],
            "billion laughs": self._with_doctype(b'<!DOCTYPE w [<!ENTITY l0 "ha">' + laughs + b"]>", b"&l8;"),
            "XXE": self._with_doctype(
                b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">]>', b"&xxe;"
            ),
        }

    @pytest.mark.parametrize("case", ["tronqué", "billion laughs", "XXE"])
    @pytest.mark.parametrize("command", ["check", "sync", "renewals"])
    def test_a_damaged_file_is_named_and_left_as_it_is(self, case, command, tmp_path, monkeypatch, capsys):
        """The command exits 2 with « le fichier … est endommagé », no traceback, nothing
        expanded or fetched, and the file keeps every byte."""
        from conftest import XlsxBook

        book = XlsxBook(tmp_path, small_members())
        self._damage(book.path, self._cases(tmp_path)[case])
        before = book.path.read_bytes()
        out = io.StringIO()
        code = main([command, *cli_args(book, monkeypatch, tmp_path)], out)
        err = capsys.readouterr().err
        assert code == 2
        assert "Le fichier « classeur.xlsx » est endommagé ou n'est pas un classeur Excel valide" in err
        assert "Traceback" not in err + out.getvalue()
        assert "MOT-DE-PASSE-SECRET" not in err + out.getvalue()
        assert book.path.read_bytes() == before
