"""The figures of the annual activity report as data: what :func:`~.figures.compute_report`
returns (:class:`ReportData` and its parts), and the names the report groups by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..text import fold

if TYPE_CHECKING:
    from .fees_received import FeesReceived

Number = int | Decimal

#: The section keys of ``Textes``, in the order of the report.
SECTION_KEYS = (
    "contexte",
    "association",
    "membres",
    "partenaires",
    "actions",
    "crescendo",
    "projets",
    "rencontres",
    "communication",
)

CRESCENDO_TYPES = ("Crescendo – Rencontre networking", "Crescendo – Atelier pratique")
NETWORKING_TYPES = ("Rencontre networking", "Afterwork", "Club Oenologie", "Déj Roulette")
REPRESENTATION = "Représentation"
#: The session types of the Événements list: one member (or a few) received by an expert.
#: They count as sessions and beneficiaries, never as separate actions in the headline total.
INDIVIDUAL_TYPES = ("Audit de communication", "Diagnostic de structuration", "Consultation d'experts")

#: Event families of the "events per month" chart, each with its types.
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Accompagnement individuel", INDIVIDUAL_TYPES),
    (
        "Clubs MILA et ateliers collectifs",
        ("Club MILA", "Atelier de co-développement", "Rencontre entre managers", "JuriQuizz"),
    ),
    ("Entrepreneuriat Crescendo", CRESCENDO_TYPES),
    ("Moments networking", NETWORKING_TYPES),
    ("Représentations et autres", (REPRESENTATION, "Autre")),
)

PEPINIERE = "pépinière"
BOUTIQUES = "boutiques"


@dataclass(frozen=True)
class Compared:
    """A figure of the year beside the year before's (``None``: nothing to compare with)."""

    value: Number
    previous: Number | None = None

    @property
    def change(self) -> Number | None:
        return None if self.previous is None else self.value - self.previous


@dataclass(frozen=True)
class CategoryCount:
    category: str  # schema.CATEGORIES
    average: Compared
    at_end: Compared


@dataclass(frozen=True)
class MemberMove:
    """A member who joined or left during the year."""

    member_id: str | None
    structure: str
    category: str | None
    day: dt.date


@dataclass(frozen=True)
class MembersFigures:
    by_category: tuple[CategoryCount, ...]
    average: Compared
    at_end: Compared
    joined: tuple[MemberMove, ...]
    joined_count: Compared
    left: tuple[MemberMove, ...]
    left_count: Compared
    history: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]  # (year, ((category, count), …))


@dataclass(frozen=True)
class PremisesMove:
    structure: str
    premises: str
    day: dt.date


@dataclass(frozen=True)
class PremisesFigures:
    group: str  # PEPINIERE or BOUTIQUES
    units: int  # premises of the group
    occupied_at_end: Compared
    left: tuple[PremisesMove, ...]
    taken: tuple[PremisesMove, ...]
    left_count: Compared
    taken_count: Compared


@dataclass(frozen=True)
class BoardSeat:
    function: str | None  # schema.BOARD_FUNCTIONS
    civility: str | None
    name: str
    structure: str | None
    category: str | None  # of the member the seat is held for
    college: str | None
    decision: str | None
    joined_on: dt.date | None
    left_on: dt.date | None


@dataclass(frozen=True)
class BoardFigures:
    as_of: dt.date
    seats: tuple[BoardSeat, ...]
    joined: tuple[BoardSeat, ...]  # arrived during the year
    left: tuple[BoardSeat, ...]  # left during the year
    women: int
    men: int
    by_college: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[str, int], ...] = ()  # of the members the seats are held for


@dataclass(frozen=True)
class RateLine:
    code: str
    label: str | None
    amount_ht: Decimal
    cap_ht: Decimal | None
    vat_percent: Decimal


@dataclass(frozen=True)
class FeePeriod:
    start: dt.date
    end: dt.date
    rates: tuple[RateLine, ...]


@dataclass(frozen=True)
class ActionCount:
    type: str
    sessions: Compared
    structures: Compared


@dataclass(frozen=True)
class AgendaItem:
    day: dt.date
    type: str
    title: str
    speakers: tuple[str, ...]
    place: str | None


@dataclass(frozen=True)
class ActionsFigures:
    by_type: tuple[ActionCount, ...]
    per_month: tuple[tuple[str, tuple[int, ...]], ...]  # (family, 12 monthly counts)
    agenda: tuple[AgendaItem, ...]  # every event of the year, by date (general assemblies aside)
    assemblies: tuple[AgendaItem, ...] = ()  # the general assemblies of the year

    @property
    def organised(self) -> tuple[ActionCount, ...]:
        """The actions the association organised for the companies (representations aside)."""
        return tuple(a for a in self.by_type if a.type != REPRESENTATION)

    @property
    def collective(self) -> tuple[ActionCount, ...]:
        """The collective actions and events (individual sessions and representations aside)."""
        return tuple(a for a in self.organised if a.type not in INDIVIDUAL_TYPES)

    @property
    def individual(self) -> tuple[ActionCount, ...]:
        """The individual sessions (audits, diagnostics, consultations), by type."""
        return tuple(a for a in self.organised if a.type in INDIVIDUAL_TYPES)

    def organised_total(self) -> Compared:
        """The headline count: collective actions and events. Compared with the year before
        only when the workbook records every type of them for that year."""
        return _total([a.sessions for a in self.collective])

    def individual_sessions(self) -> Compared:
        return _total([a.sessions for a in self.individual])

    def individual_beneficiaries(self) -> Compared:
        """Member structures received, type by type (one received for an audit and a
        diagnostic counts for each)."""
        return _total([a.structures for a in self.individual])

    def count(self, event_type: str) -> ActionCount | None:
        return next((a for a in self.by_type if a.type == event_type), None)

    def items(self, *types: str) -> tuple[AgendaItem, ...]:
        return tuple(item for item in self.agenda if item.type in types)


def _total(counts: list[Compared]) -> Compared:
    previous = (
        None
        if not counts or any(c.previous is None for c in counts)
        else sum(c.previous or 0 for c in counts)
    )
    return Compared(sum(c.value for c in counts), previous)


@dataclass(frozen=True)
class ResourceFigures:
    resource_id: str
    name: str
    capacity: int
    bookings: Compared
    rate: Compared  # 0 to 1
    monthly: tuple[Decimal, ...]  # 12 rates, 0 to 1


@dataclass(frozen=True)
class FreeBookings:
    """Bookings of the ``gracieux`` formula (the room lent to neighbourhood associations)."""

    count: Compared
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class FigureLine:
    section: str
    label: str
    unit: str | None
    value: Decimal
    previous: Decimal | None


@dataclass(frozen=True)
class StaffText:
    """A paragraph of ``Textes``: ``title`` makes it a subsection of its section."""

    row: int
    title: str | None
    text: str


@dataclass(frozen=True)
class ReportData:
    year: int
    today: dt.date  # the date of the report
    as_of: dt.date  # the last day counted: 31 December, or today for the year in progress
    previous_year: int
    coverage: tuple[int, ...]  # years with data in the workbook
    members: MembersFigures
    premises: tuple[PremisesFigures, ...]
    board: BoardFigures
    fees: tuple[FeePeriod, ...]
    actions: ActionsFigures
    resources: tuple[ResourceFigures, ...]
    free_bookings: FreeBookings
    figures: tuple[FigureLine, ...]
    texts: tuple[tuple[str, tuple[StaffText, ...]], ...]  # (section key, paragraphs)
    unknown_texts: tuple[tuple[int, str], ...] = ()  # (row, section) not a known key
    previous_has_activity: bool = False
    notes: tuple[str, ...] = field(default=())  # French, about data left out
    fees_received: FeesReceived | None = None  # from Paiements; None without it

    @property
    def partial(self) -> bool:
        """Whether the year is still in progress on the date of the report."""
        return self.as_of < dt.date(self.year, 12, 31)

    def text(self, section: str) -> tuple[StaffText, ...]:
        return dict(self.texts).get(section, ())

    def figures_of(self, section: str) -> tuple[FigureLine, ...]:
        key = fold(section)
        return tuple(f for f in self.figures if fold(f.section) == key)

    def other_figure_sections(self) -> tuple[str, ...]:
        seen: list[str] = []
        for f in self.figures:
            if fold(f.section) not in ("financement", "communication") and f.section not in seen:
                seen.append(f.section)
        return tuple(seen)
