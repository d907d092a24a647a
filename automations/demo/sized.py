"""A workbook of any size, drawn like the demo: what the benchmarks time the jobs on.

``build_grids(counts, seed=...)`` returns ``{tab title: grid}`` (row 1 = headers) for Membres
(the contract's 20 columns and 5 staff columns), Locaux, Occupations, Réservations,
Événements, Inscriptions and Tarifs (the real fee history), with the demo's people,
structures, phone numbers, fees and staff habits: mostly date and number cells, some dates
typed as text, amounts with a euro sign, ``x`` for yes, notes, and about 1 % of rows with a
real-life mistake (bad SIRET checksum, e-mail typo, impossible date, missing forfait, unknown
member, a booking that ends before it starts), a few rows without ID and one ID standing
twice. Every job-owned (calc.) column is present and blank: the first ``mila synchroniser`` fills
them all. Each tab's part lives in that tab's module, next to the demo's story.
"""

from __future__ import annotations

from datetime import date

from ..schema import EVENEMENTS, INSCRIPTIONS, LOCAUX, MEMBRES, OCCUPATIONS, RESERVATIONS, TARIFS
from .board import fee_rows
from .bookings import sized_bookings
from .common import Counts, Grid, SizedStory
from .events import sized_events, sized_registrations
from .members import sized_members_grid, sized_plan_members
from .premises import sized_occupations, sized_premises, sized_premises_grid


def tarifs_grid() -> Grid:
    """The Tarifs tab as a grid: the fee history the association has lived through."""
    header = [c.name for c in TARIFS.columns]
    return [header] + [[row.get(h) for h in header] for row in fee_rows()]


def build_grids(counts: Counts, *, seed: int = 2024, today: date = date(2026, 11, 23)) -> dict[str, Grid]:
    """The seven tabs as ``{title: grid}``; the same ``counts``, ``seed`` and ``today`` give the
    same grids."""
    story = SizedStory(counts, seed, today)
    premises = sized_premises(story)
    places = [p for p in premises if not p.bookable]
    members = sized_plan_members(story, hosted=min(len(places), counts.members // 4))
    occupations = sized_occupations(story, premises, members)
    events, listed = sized_events(story)
    return {
        MEMBRES.name: sized_members_grid(story, members),
        LOCAUX.name: sized_premises_grid(story, premises),
        OCCUPATIONS.name: occupations,
        RESERVATIONS.name: sized_bookings(story, premises, members),
        EVENEMENTS.name: events,
        INSCRIPTIONS.name: sized_registrations(story, listed, members),
        TARIFS.name: tarifs_grid(),
    }
