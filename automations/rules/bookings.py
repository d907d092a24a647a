"""Bookings of the bookable premises: conflicts beyond ``Capacité``, prices, opening days.

Pure functions over row models (``Booking``, ``Premises``, ``Member``); nothing here
reads or writes a workbook. ``compute_bookings`` gives, for every row of « Réservations »,
its ``Montant HT`` and the anomalies of the row.

Conflicts. A booking occupies ``[start_at, end_at)`` (a plain date covers the whole day,
so day and hour bookings mix). Bookings ``demandée`` and ``confirmée`` count, ``annulée``
ones do not. A sweep-line over the start and end instants of each resource finds the
moments when more bookings than ``Capacité`` overlap; only the bookings that cover such a
moment are candidates for being in excess. They are then given the resource by priority
(``confirmée`` before ``demandée``, then the booking entered first: smaller ID, rows still
without ID last, then row order): a booking is in excess when, at some overloaded moment
it covers, the bookings before it already fill the capacity. Each excess booking gets an
error naming the bookings it collides with; the others none. O(n log n) for realistic
sheets (the second step only looks at the overloaded moments).

Prices (``Montant HT``, rounded to the cent): ``jour`` = days × ``Tarif jour HT``, counting
the opening days the booking covers (all its days when it covers none); ``semaine`` =
started weeks (7 calendar days) × ``Tarif semaine HT``; ``gracieux`` = 0. A cancelled
booking costs 0, and so does any booking of a resource with neither rate (lent free). When
the resource has one rate but not the one the formula needs, the amount stays blank with an
error.

Warnings: a booking starting or ending on a closed day (Saturday and Sunday by default,
``BookingPolicy``); a member not up to date (status ``à jour`` or ``à renouveler``) on the
booking's first day, for bookings not cancelled and not over yet (for a past day, the last
payment alone cannot tell). Rows whose dates, status or formula could not be read are left
out (their parsing anomaly says why); a booking without ``Membre`` nor ``Organisme`` is
already an error of the row model.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..formatting import WEEKDAYS, format_date, format_datetime
from ..model.anomalies import Anomaly, Severity
from ..model.rows import Booking, Member, Premises, id_key
from ..schema import RESERVATIONS
from ..settings.bookings import BookingPolicy  # the [bookings] section
from .membership import MembershipPolicy, status

ERROR = Severity.ERROR
WARNING = Severity.WARNING
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_LISTED = 3

UP_TO_DATE = frozenset({"à jour", "à renouveler"})
HOLDING = frozenset({"demandée", "confirmée"})  # booking statuses that occupy the resource
_DATES = frozenset({"start", "end"})
_INPUTS = frozenset({"start", "end", "status", "formula"})

# The status of a member on a given day (``membership.status`` at that day), None if unknown.
StatusOn = Callable[[Member, dt.date], "str | None"]


@dataclass(frozen=True, slots=True)
class BookingComputation:
    row: int
    id: str | None
    amount: Decimal | None  # Montant HT; None: not computable (see the anomalies)
    excess: bool = False  # beyond the resource's capacity


@dataclass
class BookingsOutcome:
    computations: list[BookingComputation] = field(default_factory=list)  # sheet order
    anomalies: list[Anomaly] = field(default_factory=list)

    def by_row(self) -> dict[int, BookingComputation]:
        return {c.row: c for c in self.computations}


class PriceProblem(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


# --------------------------------------------------------------------------- days


def first_day(booking: Booking) -> dt.date | None:
    start = booking.start_at
    return start.date() if start is not None else None


def last_day(booking: Booking) -> dt.date | None:
    """The last day the booking covers (a booking ending at midnight does not cover the
    day that starts then)."""
    end = booking.end_at
    if end is None:
        return None
    return (end - dt.timedelta(microseconds=1)).date()


def is_computable(booking: Booking) -> bool:
    """Dates, status and formula read, and the end after the start."""
    if booking.unreadable & _INPUTS:
        return False
    start, end = booking.start_at, booking.end_at
    return start is not None and end is not None and end > start


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def open_days_between(first: dt.date, last: dt.date, policy: BookingPolicy) -> int:
    """Opening days from ``first`` to ``last`` included."""
    total = (last - first).days + 1
    if total <= 1:
        return 1 if total == 1 and first.weekday() in policy.open_weekdays else 0
    weeks, rest = divmod(total, 7)
    count = weeks * len(policy.open_weekdays)
    start = first.weekday()
    count += sum(1 for k in range(rest) if (start + k) % 7 in policy.open_weekdays)
    return count


# --------------------------------------------------------------------------- prices


def booking_price(
    booking: Booking, premises: Premises | None, policy: BookingPolicy | None = None
) -> Decimal:
    """``Montant HT`` of a computable booking; raises ``PriceProblem`` when the rate it
    needs is missing. ``premises`` may be None only for ``gracieux`` or cancelled ones."""
    first, last = first_day(booking), last_day(booking)
    assert first is not None and last is not None
    return _price(booking, first, last, premises, policy or BookingPolicy())


def _price(
    booking: Booking,
    first: dt.date,
    last: dt.date,
    premises: Premises | None,
    policy: BookingPolicy,
) -> Decimal:
    if booking.status == "annulée" or booking.formula == "gracieux":
        return ZERO
    if booking.formula == "semaine":
        rate, column = (premises.week_rate if premises else None), "Tarif semaine HT"
        units = -(-((last - first).days + 1) // 7)
    else:
        rate, column = (premises.day_rate if premises else None), "Tarif jour HT"
        units = open_days_between(first, last, policy) or (last - first).days + 1
    if rate is None:
        if premises is None:
            raise PriceProblem("Ressource", "")  # unknown resource: already reported
        if premises.day_rate is None and premises.week_rate is None:
            return ZERO  # a resource without any rate is lent free
        raise PriceProblem(
            "Formule",
            f"Montant impossible à calculer : « {column} » est vide pour "
            f"{_resource_name(premises, booking.resource_id)} dans l'onglet "
            f"« Locaux ». Saisissez ce tarif, ou choisissez la formule « gracieux » si la "
            "réservation est gratuite.",
        )
    return (rate * units).quantize(CENT, rounding=ROUND_HALF_UP)


def _resource_name(premises: Premises | None, resource_id: str | None) -> str:
    if premises is None:
        return f"« {resource_id} »"
    return f"« {premises.name or premises.id} » ({premises.id})"


# --------------------------------------------------------------------------- conflicts


def _priority(booking: Booking) -> tuple[int, int, int, int]:
    key = id_key(booking.id)
    number = -1
    if key is not None:
        digits = key.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        number = int(digits) if digits.isdigit() else -1
    return (
        0 if booking.status == "confirmée" else 1,
        0 if number >= 0 else 1,
        number,
        booking.row,
    )


@dataclass(frozen=True, slots=True)
class Conflict:
    booking: Booking
    at: dt.datetime  # the first moment it cannot fit
    holders: tuple[Booking, ...]  # the bookings that fill the capacity then, by priority


Interval = tuple[dt.datetime, dt.datetime, Booking]  # start_at, end_at, booking


def find_conflicts(bookings: Sequence[Booking], capacity: int) -> list[Conflict]:
    """The bookings of one resource in excess of ``capacity`` (see the module's text).

    ``bookings`` must be computable and holding (``demandée`` or ``confirmée``)."""
    # Ignored below: computable bookings (the caller's promise) have a start and an end.
    return _conflicts([(b.start_at, b.end_at, b) for b in bookings], capacity)  # type: ignore[misc]  # computable bookings: both ends are set


def _conflicts(items: Sequence[Interval], capacity: int) -> list[Conflict]:
    if len(items) <= capacity:
        return []
    # 1. Sweep-line: the elementary segments where more than ``capacity`` overlap.
    points: list[tuple[dt.datetime, int]] = []
    for start, end, _ in items:
        points.append((start, 1))
        points.append((end, -1))
    points.sort()
    seg_starts: list[dt.datetime] = []
    seg_ends: list[dt.datetime] = []
    active = 0
    i, n = 0, len(points)
    while i < n:
        at = points[i][0]
        while i < n and points[i][0] == at:
            active += points[i][1]
            i += 1
        if active > capacity and i < n:
            seg_starts.append(at)
            seg_ends.append(points[i][0])
    if not seg_starts:
        return []
    # 2. Candidates: the bookings covering at least one overloaded segment.
    candidates: list[tuple[tuple[int, int, int, int], Booking, int, int]] = []
    for start, end, b in items:
        lo = bisect.bisect_left(seg_starts, start)
        hi = bisect.bisect_right(seg_ends, end)
        if lo < hi:
            candidates.append((_priority(b), b, lo, hi))
    candidates.sort(key=lambda c: c[0])
    # 3. Greedy by priority over the overloaded segments only.
    used = [0] * len(seg_starts)
    holders: list[list[Booking]] = [[] for _ in seg_starts]
    conflicts: list[Conflict] = []
    for _, b, lo, hi in candidates:
        if max(used[lo:hi]) < capacity:
            for k in range(lo, hi):
                used[k] += 1
                holders[k].append(b)
            continue
        full = next(k for k in range(lo, hi) if used[k] >= capacity)
        conflicts.append(Conflict(b, seg_starts[full], tuple(holders[full])))
    return conflicts


def _listed(bookings: Sequence[Booking]) -> str:
    parts = []
    for b in bookings[:MAX_LISTED]:
        parts.append(f"{b.id} (ligne {b.row})" if b.id else f"ligne {b.row}")
    text = ", ".join(parts)
    if len(bookings) > MAX_LISTED:
        text += f" et {len(bookings) - MAX_LISTED} autre(s)"
    return text


def _conflict_message(conflict: Conflict, premises: Premises | None, capacity: int) -> str:
    at = conflict.at
    when = format_date(at.date()) if at.time() == dt.time() else format_datetime(at)
    name = _resource_name(premises, conflict.booking.resource_id)
    places = "place" if capacity == 1 else "places"
    return (
        f"Ressource {name} déjà complète le {when} ({capacity} {places}) : cette réservation "
        f"est en conflit avec {_listed(conflict.holders)}. Changez « Début » ou « Fin », "
        "choisissez une autre ressource, ou passez l'une des réservations en « annulée »."
    )


# --------------------------------------------------------------------------- members


def status_on_day(
    policy: MembershipPolicy | None = None, fee_due: Callable[[Member], Decimal | None] | None = None
) -> StatusOn:
    """A ``StatusOn`` from the membership policy (``fee_due`` gives 0 for members with
    nothing to pay, who are always up to date)."""
    policy = policy or MembershipPolicy()

    def status_on(member: Member, day: dt.date) -> str | None:
        return status(member, day, policy, fee_due=fee_due(member) if fee_due else None)

    return status_on


def standing_message(member_id: str | None, day: dt.date, member_status: str, what: str) -> str:
    """The warning for a member not up to date on ``day`` (``what``: « premier jour de la
    réservation », « date de l'événement »)."""
    return (
        f"Le membre {member_id} n'est pas à jour de cotisation au {format_date(day)}, {what} "
        f"(statut « {member_status} » à cette date) : demandez-lui de renouveler son adhésion "
        "avant, ou vérifiez « Cotisation payée le » dans l'onglet « Membres »."
    )


# --------------------------------------------------------------------------- everything


def compute_bookings(
    bookings: Sequence[Booking],
    premises: Mapping[str, Premises],
    members: Mapping[str, Member],
    today: dt.date,
    policy: BookingPolicy | None = None,
    status_on: StatusOn | None = None,
) -> BookingsOutcome:
    """Amounts and anomalies of every booking. ``premises`` and ``members`` are indexed by
    ID key (``rows.id_key``), as ``Dataset.premises_by_id`` and ``members_by_id`` are."""
    policy = policy or BookingPolicy()
    status_on = status_on or status_on_day()
    tab = RESERVATIONS.name
    outcome = BookingsOutcome()
    anomalies = outcome.anomalies
    by_resource: dict[str, list[Interval]] = defaultdict(list)
    amounts: dict[int, Decimal | None] = {}
    prices: dict[tuple[object, ...], tuple[Decimal | None, PriceProblem | None]] = {}
    today_start = dt.datetime.combine(today, dt.time())
    one_tick = dt.timedelta(microseconds=1)
    open_weekdays = policy.open_weekdays

    for b in bookings:
        start, end = b.start_at, b.end_at
        if b.unreadable & _INPUTS or start is None or end is None or end <= start:
            amounts[id(b)] = None
            continue
        first, last = start.date(), (end - one_tick).date()
        resource_key = id_key(b.resource_id)
        resource = premises.get(resource_key) if resource_key is not None else None
        # The price depends on these only: computed once for the many alike bookings.
        price_key = (resource_key, b.formula, b.status, first.weekday(), (last - first).days)
        priced = prices.get(price_key)
        if priced is None:
            try:
                priced = prices[price_key] = (_price(b, first, last, resource, policy), None)
            except PriceProblem as problem:
                priced = prices[price_key] = (None, problem)
        amounts[id(b)] = priced[0]
        if priced[1] is not None and priced[1].message:
            anomalies.append(Anomaly(tab, b.row, b.id, priced[1].column, ERROR, priced[1].message))
        if b.status not in HOLDING:
            continue
        if resource is not None and resource_key is not None:  # a resource was found by its key
            by_resource[resource_key].append((start, end, b))
        closed = [d for d in dict.fromkeys((first, last)) if d.weekday() not in open_weekdays]
        if closed:
            day = closed[0]
            anomalies.append(
                Anomaly(
                    tab,
                    b.row,
                    b.id,
                    "Début",
                    WARNING,
                    f"Réservation un jour de fermeture ({WEEKDAYS[day.weekday()]} "
                    f"{format_date(day)}) : vérifiez « Début » et « Fin », ou confirmez avec "
                    "l'équipe que le lieu sera ouvert.",
                )
            )
        if b.member_id is not None and end > today_start:
            member = members.get(id_key(b.member_id) or "")
            if member is not None:
                member_status = status_on(member, first)
                if member_status is not None and member_status not in UP_TO_DATE:
                    anomalies.append(
                        Anomaly(
                            tab,
                            b.row,
                            b.id,
                            "Membre",
                            WARNING,
                            standing_message(
                                b.member_id, first, member_status, "premier jour de la réservation"
                            ),
                        )
                    )

    excess: set[int] = set()
    for key, group in by_resource.items():
        resource = premises[key]
        capacity = resource.capacity if resource.capacity and resource.capacity > 0 else 1
        for conflict in _conflicts(group, capacity):
            b = conflict.booking
            excess.add(id(b))
            anomalies.append(
                Anomaly(tab, b.row, b.id, "Début", ERROR, _conflict_message(conflict, resource, capacity))
            )

    outcome.computations = [
        BookingComputation(b.row, b.id, amounts.get(id(b)), id(b) in excess) for b in bookings
    ]
    return outcome
