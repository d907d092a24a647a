"""The demo workbook as a whole: :func:`build_demo_workbook` and what it says it wrote."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..jobs.prepare import prepare_new_file
from ..schema import (
    CHIFFRES,
    CONSEIL,
    DEMANDES,
    EVENEMENTS,
    FACTURES,
    INSCRIPTIONS,
    LOCAUX,
    MEMBRES,
    OCCUPATIONS,
    PAIEMENTS,
    RELANCES,
    RESERVATIONS,
    TARIFS,
    TEXTES,
)
from .board import BoardPart, fee_rows
from .bookings import BookingsPart
from .common import fee_paid
from .events import EventsPart, event_rows
from .forms import REGISTRATION_TAB, REQUEST_TAB, FormsPart, write_form_tab
from .invoices import build_demo_invoices
from .members import MembersPart, member_row
from .mistakes import MistakeLocation, locate
from .occupations import occupation_rows
from .payments import build_demo_payments, write_demo_imports
from .premises import PremisesPart, premise_rows
from .requests import done_cells, request_rows
from .writer import Writer


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo_workbook`` wrote."""

    path: Path
    seed: int
    today: date
    counts: dict[str, int]  # tab name -> data rows
    categories: dict[str, int]  # Membres rows per Catégorie
    mistakes: tuple[MistakeLocation, ...]
    imports: tuple[Path, ...] = ()  # the payment files written beside the workbook

    def lines(self) -> list[str]:
        """A French summary for the command line."""
        out = [
            f"Classeur de démonstration écrit dans {self.path} (graine {self.seed}, "
            f"date du jour {self.today:%d/%m/%Y})."
        ]
        out += [f"  {tab} : {n} lignes" for tab, n in self.counts.items()]
        cats = ", ".join(f"{n} {c}" for c, n in self.categories.items())
        out.append(f"  Membres par catégorie : {cats}")
        out.append(f"  {len(self.mistakes)} erreurs volontaires à trouver avec `mila verifier`.")
        return out


class DemoBuilder(PremisesPart, MembersPart, EventsPart, BookingsPart, BoardPart, FormsPart):
    """Every tab's part of the story, on one shared state."""


def build_demo_workbook(
    path: str | os.PathLike[str], *, seed: int = 2024, today: date = date(2026, 11, 23)
) -> DemoSummary:
    """Write the demo workbook to ``path`` (.xlsx) and say what it holds.

    Deterministic for a given ``seed`` and ``today``: ``today`` is the only clock used; the
    three years of activity are ``today.year - 2`` to ``today.year``.
    """
    b = DemoBuilder(seed, today)
    premises = b.build_premises()
    members, occupations = b.build_members_and_occupations(premises)
    events = b.build_events()
    registrations = b.build_registrations(events, members)
    bookings = b.build_bookings(premises, members)
    board = b.build_board(members)

    occupation_table = occupation_rows(occupations, today)  # sorts them and numbers C001…
    payments = build_demo_payments(members, today, fee_paid)
    invoices, rent_payments, reminders = build_demo_invoices(
        members, occupations, [str(r["ID"]) for r in occupation_table], payments, today
    )
    w = Writer()
    counts = {
        MEMBRES.name: w.sheet(
            MEMBRES, [member_row(m) for m in members], {"Activité": "Structure", "Notes": None}
        ),
        LOCAUX.name: w.sheet(LOCAUX, premise_rows(premises), {"Remarques": None}),
        OCCUPATIONS.name: w.sheet(OCCUPATIONS, occupation_table),
        RESERVATIONS.name: w.sheet(RESERVATIONS, bookings, {"Commentaire": None}),
        EVENEMENTS.name: w.sheet(EVENEMENTS, event_rows(events)),
        INSCRIPTIONS.name: w.sheet(INSCRIPTIONS, registrations),
        TARIFS.name: w.sheet(TARIFS, fee_rows()),
        PAIEMENTS.name: w.sheet(PAIEMENTS, payments + rent_payments),
        CONSEIL.name: w.sheet(CONSEIL, board),
        CHIFFRES.name: w.sheet(CHIFFRES, b.build_figures()),
        TEXTES.name: w.sheet(TEXTES, b.build_texts()),
        FACTURES.name: w.sheet(FACTURES, invoices),
        RELANCES.name: w.sheet(RELANCES, reminders),
        DEMANDES.name: w.sheet(DEMANDES, request_rows(today)),
    }
    w.fill(DEMANDES, done_cells(today))  # the requests a pass already did
    answers, requests = b.build_form_answers(events, members, registrations)  # Google Forms' own tabs
    counts[REGISTRATION_TAB] = write_form_tab(w, REGISTRATION_TAB, answers)
    counts[REQUEST_TAB] = write_form_tab(w, REQUEST_TAB, requests)
    out = Path(path)
    w.save(out, today)
    imports = write_demo_imports(out, members, today, fee_paid)
    prepare_new_file(out, today)  # dropdowns, notes, protections: as `mila preparer` leaves it

    categories: dict[str, int] = {}
    for m in members:
        categories[m.category] = categories.get(m.category, 0) + 1
    mistakes = locate(b, members, registrations, bookings)
    return DemoSummary(out, seed, today, counts, categories, mistakes, imports)
