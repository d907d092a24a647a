"""The demo's ``Demandes`` tab: a few requests already done (their computed cells as a pass
writes them) and a few pending, as the staff would leave them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

# (ID, request, target, asked by, days ago, hour, status, result) — status None: pending.
_ROWS: tuple[tuple[str | None, str, str | None, str, int, time, str | None, str | None], ...] = (
    (
        "D0001",
        "préparer le classeur",
        None,
        "accueil@mila.fr",
        6,
        time(9, 2),
        "faite",
        "4 × liste déroulante ; 2 × note d'en-tête",
    ),
    (
        "D0002",
        "synchroniser maintenant",
        None,
        "accueil@mila.fr",
        3,
        time(14, 31),
        "faite",
        "2 ID attribué(s), 48 cellule(s) écrite(s) ; 11 erreur(s), 6 avertissement(s)",
    ),
    (
        "D0003",
        "prévisualiser les relances",
        None,
        "tresorerie@mila.fr",
        2,
        time(10, 5),
        "faite",
        "aucun serveur d'envoi configuré : 14 relance(s) en aperçu, rien n'est parti",
    ),
    (
        "D0004",
        "envoyer pour signature",
        "C999",
        "accueil@mila.fr",
        1,
        time(16, 40),
        "refusée",
        "cible « C999 » : aucune occupation C999 dans l'onglet Occupations.",
    ),
    (None, "importer les paiements", None, "tresorerie@mila.fr", 0, time(8, 55), None, None),
    (None, "produire le rapport", "2025", "direction@mila.fr", 0, time(9, 10), None, None),
)


def request_rows(today: date) -> list[dict[str, object]]:
    """The staff's cells of each row."""
    return [
        {
            "ID": rid,
            "Demande": kind,
            "Cible": target,
            "Demandée par": by,
            "Demandée le": datetime.combine(today - timedelta(days=ago), at),
        }
        for rid, kind, target, by, ago, at, _, _ in _ROWS
    ]


def done_cells(today: date) -> list[tuple[int, str, Any]]:
    """(row, column, value) of the computed cells of the rows already done."""
    cells: list[tuple[int, str, Any]] = []
    for number, (_, _, _, _, ago, at, status, result) in enumerate(_ROWS, start=2):
        if status is None:
            continue
        done = datetime.combine(today - timedelta(days=ago), at) + timedelta(minutes=1)
        cells += [(number, "Statut", status), (number, "Résultat", result), (number, "Traitée le", done)]
    return cells
