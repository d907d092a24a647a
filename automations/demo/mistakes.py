"""The deliberate mistakes planted in the demo workbook, and where they landed for a seed."""

from __future__ import annotations

from typing import NamedTuple

from ..schema import (
    INSCRIPTIONS,
    MEMBRES,
    RESERVATIONS,
)
from .common import (
    DemoMember,
    Story,
)

# --- The deliberate mistakes -------------------------------------------------------------


class KnownMistake(NamedTuple):
    """A mistake the staff really make, planted once in the demo workbook."""

    tab: str
    what: str  # French, as `mila verifier` would explain it
    column: str
    code: str


KNOWN_MISTAKES: tuple[KnownMistake, ...] = (
    KnownMistake(MEMBRES.name, "SIRET dont la clé de contrôle est fausse", "SIRET", "siret_checksum"),
    KnownMistake(
        MEMBRES.name,
        "email avec une virgule au lieu d'un point (…@gmail,com)",
        "Email",
        "email_typo",
    ),
    KnownMistake(MEMBRES.name, "date impossible saisie en texte (31/02)", "Adhésion le", "impossible_date"),
    KnownMistake(
        MEMBRES.name,
        "bénéficiaire sans forfait alors que sa période commence après le 01/03/2024",
        "Forfait",
        "missing_forfait",
    ),
    KnownMistake(MEMBRES.name, "ID en double : ligne copiée sans effacer l'ID", "ID", "duplicate_id"),
    KnownMistake(MEMBRES.name, "nouvelle ligne sans ID (la synchronisation l'attribue)", "ID", "blank_id"),
    KnownMistake(INSCRIPTIONS.name, "ID de membre inconnu", "Membre", "unknown_member"),
    KnownMistake(RESERVATIONS.name, "réservation qui finit avant de commencer", "Fin", "end_before_start"),
    KnownMistake(
        RESERVATIONS.name,
        "deux réservations confirmées de la salle de réunion qui se chevauchent",
        "Début",
        "room_overlap",
    ),
)


class MistakeLocation(NamedTuple):
    """Where a known mistake landed for one seed: sheet row number and row ID (if any)."""

    code: str
    tab: str
    row: int
    row_id: str | None


def locate(
    b: Story,
    members: list[DemoMember],
    registrations: list[dict[str, object]],
    bookings: list[dict[str, object]],
) -> tuple[MistakeLocation, ...]:
    rows_of: dict[str, list] = {
        MEMBRES.name: members,
        INSCRIPTIONS.name: registrations,
        RESERVATIONS.name: bookings,
    }
    found = []
    for mistake in KNOWN_MISTAKES:
        tab, obj = b.mistakes[mistake.code]
        index = next(i for i, r in enumerate(rows_of[tab]) if r is obj)
        row_id = obj.id if isinstance(obj, DemoMember) else obj["ID"]  # type: ignore[index]  # else a row dict
        found.append(MistakeLocation(mistake.code, tab, index + 2, row_id))
    return tuple(found)
