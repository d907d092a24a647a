"""The members of the annual activity report: daily categories, averages over the year,
arrivals and departures (the definitions are in :mod:`.figures`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from ..model.dataset import Dataset
from ..model.rows import Member, id_key
from ..schema import CATEGORIES
from ..text import sort_key
from .data import CategoryCount, Compared, MemberMove, MembersFigures


def _member_interval(member: Member) -> tuple[dt.date, dt.date | None] | None:
    """First and last day of membership (last None: still a member)."""
    if member.joined_on is None or "joined_on" in member.unreadable or member.category is None:
        return None
    last = member.left_on - dt.timedelta(days=1) if member.left_on is not None else None
    if last is not None and last < member.joined_on:
        return None
    return member.joined_on, last


class Categories:
    """Each member's category day by day: ``hébergé`` on the days it holds an office or a
    shop (an ongoing occupation of non-bookable premises), ``bénéficiaire`` on the other
    days of its membership; ``membre de droit`` stays. A member without any occupation row
    keeps its ``Catégorie`` (its premises are not in the workbook)."""

    def __init__(self, dataset: Dataset) -> None:
        held = {id_key(p.id) for p in dataset.premises if p.id and not p.bookable}
        self.spans: dict[str, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
        for o in dataset.occupations:
            key = id_key(o.member_id)
            if key and o.start is not None and id_key(o.premises_id) in held:
                self.spans[key].append((o.start, o.end))

    def _hosting(self, member: Member) -> list[tuple[dt.date, dt.date | None]] | None:
        if member.category == "membre de droit":
            return None
        return self.spans.get(id_key(member.id) or "")

    def on(self, member: Member, day: dt.date) -> str | None:
        spans = self._hosting(member)
        if spans is None:
            return member.category
        hosted = any(s <= day and (e is None or day <= e) for s, e in spans)
        return "hébergé" if hosted else "bénéficiaire"

    def days(self, member: Member, first: dt.date, last: dt.date) -> dict[str, int]:
        """Days of each category between ``first`` and ``last`` (both counted)."""
        total = (last - first).days + 1
        spans = self._hosting(member)
        if spans is None:
            return {member.category: total} if member.category else {}
        hosted: set[dt.date] = set()
        for s, e in spans:
            a, b = max(s, first), min(e or last, last)
            hosted.update(a + dt.timedelta(days=n) for n in range((b - a).days + 1))
        return {"hébergé": len(hosted), "bénéficiaire": total - len(hosted)}


def _active_on(members: Iterable[Member], day: dt.date) -> list[Member]:
    found = []
    for member in members:
        span = _member_interval(member)
        if span is not None and span[0] <= day and (span[1] is None or day <= span[1]):
            found.append(member)
    return found


def _daily_average(
    members: list[Member], start: dt.date, end: dt.date, categories: Categories
) -> dict[str, int]:
    """Mean daily count of members per category between ``start`` and ``end``, rounded."""
    days = (end - start).days + 1
    totals: dict[str, int] = defaultdict(int)
    for member in members:
        span = _member_interval(member)
        if span is None:
            continue
        first = max(span[0], start)
        last = end if span[1] is None else min(span[1], end)
        if first <= last:
            for category, n in categories.days(member, first, last).items():
                totals[category] += n
    averages = {c: _round(Decimal(totals.get(c, 0)) / days) for c in CATEGORIES}
    averages["total"] = _round(Decimal(sum(totals.values())) / days)
    return averages


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _counts(members: list[Member], day: dt.date, categories: Categories) -> dict[str, int]:
    counts = {c: 0 for c in CATEGORIES}
    for member in members:
        category = categories.on(member, day)
        if category in counts:
            counts[category] += 1
    return counts


def _moves(
    members: list[Member], attr: str, start: dt.date, end: dt.date, categories: Categories
) -> tuple[MemberMove, ...]:
    found = []
    for member in members:
        day = getattr(member, attr)
        if day is not None and start <= day <= end and attr not in member.unreadable:
            when = day if attr == "joined_on" else day - dt.timedelta(days=1)
            found.append(
                MemberMove(
                    member.id,
                    member.structure or member.contact or member.id or "?",
                    categories.on(member, when),
                    day,
                )
            )
    return tuple(sorted(found, key=lambda m: (sort_key(m.structure), m.day)))


def members_figures(dataset: Dataset, year: int, as_of: dt.date) -> MembersFigures:
    members = dataset.members
    start, prev_start, prev_end = dt.date(year, 1, 1), dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)
    had_previous = any(
        span is not None and span[0] <= prev_end and (span[1] is None or span[1] >= prev_start)
        for span in map(_member_interval, members)
    )
    categories = Categories(dataset)
    average = _daily_average(members, start, as_of, categories)
    at_end = _counts(_active_on(members, as_of), as_of, categories)
    prev_average = _daily_average(members, prev_start, prev_end, categories) if had_previous else None
    prev_at_end = _counts(_active_on(members, prev_end), prev_end, categories) if had_previous else None

    def compared(now: dict[str, int], before: dict[str, int] | None, key: str) -> Compared:
        value = now[key] if key != "total-count" else sum(now.values())
        if before is None:
            return Compared(value)
        return Compared(value, before[key] if key != "total-count" else sum(before.values()))

    joined = _moves(members, "joined_on", start, as_of, categories)
    left = _moves(members, "left_on", start, as_of, categories)
    prev_joined = _moves(members, "joined_on", prev_start, prev_end, categories)
    prev_left = _moves(members, "left_on", prev_start, prev_end, categories)
    # Arrivals and departures of the year before are known when the workbook records some
    # for it: a rebuilt history where every older member joins on one day says nothing of it.
    moves_known = had_previous and bool(prev_joined or prev_left)
    return MembersFigures(
        by_category=tuple(
            CategoryCount(c, compared(average, prev_average, c), compared(at_end, prev_at_end, c))
            for c in CATEGORIES
        ),
        average=compared(average, prev_average, "total"),
        at_end=compared(at_end, prev_at_end, "total-count"),
        joined=joined,
        joined_count=Compared(len(joined), len(prev_joined) if moves_known else None),
        left=left,
        left_count=Compared(len(left), len(prev_left) if moves_known else None),
        history=_history(members, year, as_of, categories),
    )


def _history(
    members: list[Member], year: int, as_of: dt.date, categories: Categories, span: int = 5
) -> tuple:
    """Members per category on 31 December of up to ``span`` years ending with ``year``
    (``as_of`` for the year itself), from the first year anyone was a member."""
    starts = [s[0].year for s in map(_member_interval, members) if s is not None]
    if not starts:
        return ()
    first = max(min(starts), year - span + 1)
    rows = []
    for y in range(first, year + 1):
        day = as_of if y == year else dt.date(y, 12, 31)
        rows.append((y, tuple(_counts(_active_on(members, day), day, categories).items())))
    return tuple(rows)
