"""Events and registrations: eligibility, seats, waiting lists, counts, promotions.

Pure functions over row models; ``compute_events`` gives every event its ``Inscrits`` and
``Liste d'attente``, every registration its ``Place`` (``confirmée`` or ``attente N``,
``attente 1`` being first in line), and the anomalies of both tabs.

Rules, in the order they apply to the registrations of one event:

- Order: by ``Inscrit le`` (a date alone counts as 00:00; a blank one after every dated
  one), then by row.
- ``annulé`` registrations hold nothing and get no ``Place``.
- Duplicates: a member registered twice (neither ``annulé``) keeps the first registration;
  the later ones get a warning and no place.
- ``absent`` ones hold no seat either (no ``Place``).
- Eligibility (``Réservé à``: ``Crescendo`` = the Crescendo option; ``PREMIUM`` = a
  ``PREMIUM`` forfait or a ``hébergé``; ``hébergés``): an ineligible registration takes no
  seat and gets an **error** (someone was promised a seat the rules do not give: staff must
  either record the member's option or forfait, or cancel the registration). Checked for
  events today or later only: for past events, today's forfait and options say nothing of
  what the member had then.
- Seats, within ``Capacité`` (blank = unlimited): ``présent`` registrations always hold one
  (the person came); then registrations whose ``Place`` read from the sheet was already
  ``confirmée`` keep it, in order (a seat once confirmed, and announced, is not withdrawn
  because an earlier registration was typed in late; only a lowered ``Capacité`` can take
  it back); then the others in order. Those left wait, ranked ``attente 1``, ``attente 2``…
  So a cancellation frees a seat that goes to ``attente 1``.
- Warnings: a member not up to date on the event date (events today or later, not
  cancelled); a past event still holding confirmed registrations ``inscrit`` (presence to
  record), on the event's row.

Rows whose date, status, capacity or ``Réservé à`` could not be read, and registrations
of unknown events or members, are left out (their own anomaly says why): no place, no count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from ..model.anomalies import Anomaly, Severity
from ..model.rows import Event, Member, Registration, id_key
from ..schema import EVENEMENTS, INSCRIPTIONS, normalize_header
from .bookings import UP_TO_DATE, StatusOn, standing_message, status_on_day

ERROR = Severity.ERROR
WARNING = Severity.WARNING
MAX_LISTED = 3

CONFIRMED = "confirmée"
WAITING = "attente"
HOLDING = frozenset({"inscrit", "présent"})  # registration statuses that hold a seat
_EVENT_INPUTS = frozenset({"date", "capacity", "reserved_to"})
_REGISTRATION_INPUTS = frozenset({"event_id", "member_id", "registered_at", "status"})
_NEVER = dt.datetime.max
_PLACE = re.compile(r"attente\s*(?:n[o°]?\s*)?(\d+)")

K = TypeVar("K", bound=Hashable)


def waiting_place(rank: int) -> str:
    """``attente 3``: the third in line."""
    return f"{WAITING} {rank}"


def parse_place(value: object) -> tuple[str, int | None] | None:
    """A ``Place`` as read: ``("confirmée", None)``, ``("attente", 3)`` or None (blank or
    anything else). Case and accents do not matter."""
    if value is None:
        return None
    key = normalize_header(value)
    if key in ("confirmee", "confirme"):
        return (CONFIRMED, None)
    match = _PLACE.fullmatch(key)
    if match:
        return (WAITING, int(match.group(1)))
    return None


def promotions(previous_places: Mapping[K, object], new_places: Mapping[K, str | None]) -> list[K]:
    """The keys (registrations) whose ``Place`` went from ``attente N`` (as read from the
    sheet) to ``confirmée`` (as computed now), in the order of ``new_places``."""
    promoted: list[K] = []
    for key, place in new_places.items():
        if place != CONFIRMED:
            continue
        before = parse_place(previous_places.get(key))
        if before is not None and before[0] == WAITING:
            promoted.append(key)
    return promoted


def eligible(member: Member, reserved_to: str | None) -> bool | None:
    """Whether ``member`` may take a seat at an event ``Réservé à`` ``reserved_to``;
    None when a value it depends on could not be read."""
    if reserved_to is None:
        return True
    if reserved_to == "Crescendo":
        return None if "crescendo" in member.unreadable else member.crescendo
    if reserved_to == "PREMIUM":
        if member.forfait == "PREMIUM" or member.category == "hébergé":
            return True
        return None if member.unreadable & {"forfait", "category"} else False
    if reserved_to == "hébergés":
        return None if "category" in member.unreadable else member.category == "hébergé"
    return True


def _ineligible_message(member_id: str | None, event: Event) -> str:
    what = {
        "Crescendo": (
            "aux membres ayant l'option Crescendo",
            "Cochez « Option Crescendo » du membre dans « Membres » s'il l'a prise",
        ),
        "PREMIUM": (
            "au forfait PREMIUM et aux membres hébergés",
            "Passez le « Forfait » du membre à PREMIUM dans « Membres » s'il l'a pris",
        ),
        "hébergés": (
            "aux membres hébergés",
            "Corrigez la « Catégorie » du membre dans « Membres » s'il est hébergé",
        ),
    }[event.reserved_to or ""]
    return (
        f"Le membre {member_id} n'a pas accès à l'événement {event.id}, réservé {what[0]} : "
        f"cette inscription ne prend pas de place. {what[1]}, sinon passez l'inscription "
        "en « annulé »."
    )


def _listed(models: Sequence[Registration]) -> str:
    parts = [f"{m.id} (ligne {m.row})" if m.id else f"ligne {m.row}" for m in models[:MAX_LISTED]]
    text = ", ".join(parts)
    if len(models) > MAX_LISTED:
        text += f" et {len(models) - MAX_LISTED} autre(s)"
    return text


@dataclass(frozen=True, slots=True)
class EventComputation:
    row: int
    id: str | None
    registered: int | None  # Inscrits: confirmed seats; None: not computable
    waiting: int | None  # Liste d'attente


@dataclass(frozen=True, slots=True)
class RegistrationComputation:
    row: int
    id: str | None
    place: str | None  # confirmée, attente N, or None (no seat)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A registration that went from ``attente N`` to ``confirmée`` in this run, for an
    event today or later: the member is to be told."""

    row: int  # sheet row of the registration, at read time
    registration_id: str | None  # None for a row still without ID
    member_id: str
    event_id: str


@dataclass
class EventsOutcome:
    events: list[EventComputation] = field(default_factory=list)  # sheet order
    registrations: list[RegistrationComputation] = field(default_factory=list)  # sheet order
    anomalies: list[Anomaly] = field(default_factory=list)
    promotions: list[Promotion] = field(default_factory=list)


def _order(r: Registration) -> tuple[dt.datetime, int]:
    at = r.registered_at
    if at is None:
        return (_NEVER, r.row)
    if not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time())
    return (at, r.row)


def allocate_seats(
    count: int,
    capacity: int | None,
    *,
    present: Sequence[bool] = (),
    sticky: Sequence[bool] = (),
) -> list[str]:
    """Places for ``count`` seat-holding registrations already in order: ``present[i]``
    holds a seat whatever the capacity; ``sticky[i]`` (already ``confirmée``) keeps its
    seat before the others get theirs; the rest wait in order."""
    if capacity is None:
        return [CONFIRMED] * count
    present = list(present) or [False] * count
    sticky = list(sticky) or [False] * count
    confirmed = [False] * count
    seats = capacity
    for i in range(count):
        if present[i]:
            confirmed[i] = True
            seats -= 1
    for pass_sticky in (True, False):
        for i in range(count):
            if seats <= 0:
                break
            if not confirmed[i] and (sticky[i] or not pass_sticky):
                confirmed[i] = True
                seats -= 1
    places: list[str] = []
    rank = 0
    for i in range(count):
        if confirmed[i]:
            places.append(CONFIRMED)
        else:
            rank += 1
            places.append(waiting_place(rank))
    return places


def is_computable_event(event: Event) -> bool:
    return event.date is not None and not (event.unreadable & _EVENT_INPUTS)


def compute_events(
    events: Sequence[Event],
    registrations: Sequence[Registration],
    members: Mapping[str, Member],
    today: dt.date,
    *,
    previous_places: Mapping[int, object] | None = None,
    status_on: StatusOn | None = None,
) -> EventsOutcome:
    """Places, counts, anomalies and promotions. ``members`` is indexed by ID key
    (``Dataset.members_by_id``); ``previous_places`` maps a registration's sheet row to
    its ``Place`` as read (for sticky seats and promotions)."""
    previous = previous_places or {}
    status_on = status_on or status_on_day()
    outcome = EventsOutcome()
    anomalies = outcome.anomalies

    by_key: dict[str, Event] = {}
    for event in events:
        key = id_key(event.id)
        if key is not None and key not in by_key:
            by_key[key] = event
    groups: dict[str, list[Registration]] = defaultdict(list)
    for r in registrations:
        if r.unreadable & _REGISTRATION_INPUTS or r.event_id is None or r.member_id is None:
            continue
        key = id_key(r.event_id)
        if key is None:
            continue
        found = by_key.get(key)
        if found is None or not is_computable_event(found):
            continue
        if id_key(r.member_id) not in members:
            continue
        groups[key].append(r)

    places: dict[int, str | None] = {}  # id(registration) -> place
    counts: dict[int, tuple[int, int]] = {}  # id(event) -> (registered, waiting)
    for key, regs in groups.items():
        event = by_key[key]
        assert event.date is not None
        upcoming = event.date >= today
        regs.sort(key=_order)
        first_of: dict[str, Registration] = {}
        holders: list[Registration] = []
        for r in regs:
            if r.status == "annulé":
                continue
            member_key = id_key(r.member_id)
            assert member_key is not None
            kept = first_of.get(member_key)
            if kept is not None:
                anomalies.append(
                    Anomaly(
                        INSCRIPTIONS.name,
                        r.row,
                        r.id,
                        "Membre",
                        WARNING,
                        f"Inscription en double : le membre {r.member_id} est déjà inscrit à "
                        f"l'événement {event.id} ({_listed([kept])}). Cette ligne ne prend pas de "
                        "place : supprimez-la ou passez son « Statut » à « annulé ».",
                    )
                )
                continue
            first_of[member_key] = r
            if r.status not in HOLDING:
                continue
            member = members[member_key]
            if upcoming:
                if eligible(member, event.reserved_to) is False:
                    anomalies.append(
                        Anomaly(
                            INSCRIPTIONS.name,
                            r.row,
                            r.id,
                            "Membre",
                            ERROR,
                            _ineligible_message(r.member_id, event),
                        )
                    )
                    continue
                member_status = status_on(member, event.date)
                if member_status is not None and member_status not in UP_TO_DATE:
                    anomalies.append(
                        Anomaly(
                            INSCRIPTIONS.name,
                            r.row,
                            r.id,
                            "Membre",
                            WARNING,
                            standing_message(r.member_id, event.date, member_status, "date de l'événement"),
                        )
                    )
            holders.append(r)
        allocated = allocate_seats(
            len(holders),
            event.capacity,
            present=[r.status == "présent" for r in holders],
            sticky=[_was_confirmed(previous.get(r.row)) for r in holders],
        )
        waiting = 0
        for r, place in zip(holders, allocated, strict=True):
            places[id(r)] = place
            if place != CONFIRMED:
                waiting += 1
        counts[id(event)] = (len(holders) - waiting, waiting)
        if not upcoming:
            pending = [
                r for r, p in zip(holders, allocated, strict=True) if p == CONFIRMED and r.status == "inscrit"
            ]
            if pending:
                anomalies.append(
                    Anomaly(
                        EVENEMENTS.name,
                        event.row,
                        event.id,
                        "Inscrits",
                        WARNING,
                        f"Événement passé : {len(pending)} inscription(s) encore au statut "
                        f"« inscrit » ({_listed(pending)}). Dans l'onglet « Inscriptions », "
                        "indiquez « présent » ou « absent » dans « Statut » pour chacune.",
                    )
                )
        elif event.id is not None:
            new = {r.row: places[id(r)] for r in holders}
            promoted = set(promotions({r.row: previous.get(r.row) for r in holders}, new))
            outcome.promotions.extend(
                Promotion(r.row, r.id, r.member_id, event.id)  # type: ignore[arg-type]  # holders have a member
                for r in holders
                if r.row in promoted
            )

    outcome.events = [
        EventComputation(e.row, e.id, *counts.get(id(e), (0, 0)))
        if is_computable_event(e)
        else EventComputation(e.row, e.id, None, None)
        for e in events
    ]
    outcome.registrations = [RegistrationComputation(r.row, r.id, places.get(id(r))) for r in registrations]
    outcome.promotions.sort(key=lambda p: p.row)
    return outcome


def _was_confirmed(value: object) -> bool:
    parsed = parse_place(value)
    return parsed is not None and parsed[0] == CONFIRMED
