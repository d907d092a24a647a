"""Figures the annual report quotes about bookings and the programme.

- ``occupancy``: for each bookable resource, per month and for the year, the share of its
  capacity used on opening days. A day counts once per unit of capacity used: on each
  opening day, used units = the number of ``confirmée`` bookings covering any part of that
  day, capped at ``Capacité`` (an hour booking of the meeting room occupies it that day).
  Rate = used units / (``Capacité`` × opening days of the period). Closed days are left
  out of both sides; ``demandée`` and ``annulée`` bookings do not count.
- ``sessions_by_type``: events dated in the year, per ``Type`` (in the contract's order).
- ``structures_by_type``: distinct members (each member is one structure) who took part in
  at least one event of a type in the year: those ``présent``, or, for an event where no
  presence was recorded (no ``présent`` nor ``absent``), those registered with a confirmed
  seat. Registrations of unknown members are left out.

Rows whose dates could not be read are left out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..model.dataset import Dataset
from ..model.rows import Registration, id_key
from ..schema import EVENT_TYPES
from .bookings import BookingPolicy, first_day, is_computable, last_day, open_days_between
from .events import CONFIRMED, compute_events, is_computable_event

RATE_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class Occupancy:
    resource_id: str
    name: str | None
    year: int
    month: int | None  # None: the whole year
    capacity: int
    open_days: int  # opening days in the period
    used_days: int  # days × units used (a desk used on 3 days by 2 people: 6)
    bookings: int  # confirmed bookings starting in the period

    @property
    def rate(self) -> Decimal:
        """``used_days / (capacity × open_days)``, 0 to 1, four decimals."""
        available = self.capacity * self.open_days
        if available == 0:
            return Decimal(0)
        return (Decimal(self.used_days) / available).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def occupancy(dataset: Dataset, year: int, policy: BookingPolicy | None = None) -> list[Occupancy]:
    """For each bookable resource (sheet order): its 12 months, then the whole year."""
    policy = policy or BookingPolicy()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    per_day: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    starts: dict[str, list[dt.date]] = defaultdict(list)
    for booking in dataset.bookings:
        if booking.status != "confirmée" or not is_computable(booking):
            continue
        key = id_key(booking.resource_id)
        if key is None:
            continue
        first, last = first_day(booking), last_day(booking)
        assert first is not None and last is not None
        if first <= end and start <= first:
            starts[key].append(first)
        day = max(first, start)
        while day <= min(last, end):
            if policy.is_open(day):
                per_day[key][day] += 1
            day += dt.timedelta(days=1)

    found: list[Occupancy] = []
    seen: set[str] = set()
    for premises in dataset.premises:
        key = id_key(premises.id)
        if not premises.bookable or key is None or premises.id is None or key in seen:
            continue
        seen.add(key)
        capacity = premises.capacity if premises.capacity and premises.capacity > 0 else 1
        days = per_day.get(key, {})
        months: list[Occupancy] = []
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            used = sum(min(capacity, n) for d, n in days.items() if d.month == month)
            count = sum(1 for d in starts.get(key, ()) if d.month == month)
            months.append(
                Occupancy(
                    premises.id,
                    premises.name,
                    year,
                    month,
                    capacity,
                    open_days_between(first, last, policy),
                    used,
                    count,
                )
            )
        found.extend(months)
        found.append(
            Occupancy(
                premises.id,
                premises.name,
                year,
                None,
                capacity,
                sum(m.open_days for m in months),
                sum(m.used_days for m in months),
                sum(m.bookings for m in months),
            )
        )
    return found


def sessions_by_type(dataset: Dataset, year: int) -> dict[str, int]:
    """Events dated in ``year``, per type (types without any session are left out)."""
    counts: dict[str, int] = defaultdict(int)
    for event in dataset.events:
        if (
            event.date is not None
            and event.date.year == year
            and event.type is not None
            and "date" not in event.unreadable
        ):
            counts[event.type] += 1
    return _in_contract_order(counts)


def structures_by_type(dataset: Dataset, year: int, today: dt.date | None = None) -> dict[str, int]:
    """Distinct members who took part in events of each type in ``year`` (present, or
    registered with a confirmed seat where no presence was recorded). ``today`` dates the
    seat computation (default: 1 January after ``year``, so that every event is past)."""
    today = today or dt.date(year + 1, 1, 1)
    events = [
        e for e in dataset.events if is_computable_event(e) and e.date is not None and e.date.year == year
    ]
    if not events:
        return {}
    outcome = compute_events(events, dataset.registrations, dataset.members_by_id, today)
    places = {c.row: c.place for c in outcome.registrations}
    event_by_key = {}
    for event in events:
        key = id_key(event.id)
        if key is not None and key not in event_by_key:
            event_by_key[key] = event
    by_event: dict[int, list[Registration]] = defaultdict(list)
    for registration in dataset.registrations:
        found = event_by_key.get(id_key(registration.event_id) or "")
        if found is not None and id_key(registration.member_id) in dataset.members_by_id:
            by_event[found.row].append(registration)
    members: dict[str, set[str]] = defaultdict(set)
    for event in events:
        regs = by_event.get(event.row, [])
        recorded = any(r.status in ("présent", "absent") for r in regs)
        for r in regs:
            took_part = (
                r.status == "présent"
                if recorded
                else (r.status == "inscrit" and places.get(r.row) == CONFIRMED)
            )
            if took_part and event.type is not None:
                members[event.type].add(id_key(r.member_id))  # type: ignore[arg-type]  # kept above: a known member
    return _in_contract_order({t: len(ids) for t, ids in members.items()})


def _in_contract_order(counts: dict[str, int]) -> dict[str, int]:
    order = {t: n for n, t in enumerate(EVENT_TYPES)}
    return {t: counts[t] for t in sorted(counts, key=lambda t: order.get(t, len(order))) if counts[t]}
