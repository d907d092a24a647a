"""Réservations: desks, the meeting room and the studio of the Milab, booked by members and
neighbourhood associations.

The bookings are drawn in a fixed order (the two planted mistakes, the desks week by week,
then the room and the studio month by month) from the story's one random generator: the
same seed gives the same bookings.
"""

from __future__ import annotations

import calendar
import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from operator import itemgetter

from ..schema import RESERVATIONS
from . import names
from .common import (
    OK_STATUSES,
    DemoMember,
    DemoPremise,
    Grid,
    SizedMember,
    SizedPremises,
    SizedStory,
    Story,
    add_months,
    business_day,
    is_holiday,
    random_day,
    weekday_on_or_after,
    weighted_sample,
)

ALL_DAY = (time(0), time(23, 59))
ROOM_SLOTS = (
    (time(9, 30), time(12, 30)),
    (time(10, 0), time(12, 0)),
    (time(14, 0), time(17, 0)),
    (time(14, 0), time(16, 0)),
    (time(16, 0), time(18, 0)),
)
ROOM_COMMENTS = (
    "Réunion d'équipe",
    "Entretiens de recrutement",
    "Rendez-vous client",
    "Casting",
    "Séminaire",
    None,
    None,
    None,
)
NEIGHBOURS_COMMENTS = (
    "Réunion mensuelle",
    "Assemblée générale",
    "Permanence",
    "Atelier",
    "Préparation de la fête de quartier",
)


class BookingsPart(Story):
    """The Réservations tab."""

    def build_bookings(
        self, premises: list[DemoPremise], members: list[DemoMember]
    ) -> list[dict[str, object]]:
        diary = _Diary(self, premises, members)
        diary.planted_mistakes()
        diary.desks()
        month = date(self.y0, 1, 1)
        while month <= diary.horizon:
            diary.room_for_members(month)
            diary.room_for_neighbours(month)
            diary.studio(month)
            month = add_months(month, 1)
        return diary.numbered_rows()


def _overlaps(start: time, end: time, taken: list[tuple[time, time]]) -> bool:
    return any(start < b1 and b0 < end for b0, b1 in taken)


class _Diary:
    """The Milab's booking diary being filled: who booked what, and what is already taken."""

    def __init__(self, story: Story, premises: list[DemoPremise], members: list[DemoMember]) -> None:
        self.story = story
        self.rng: random.Random = story.rng
        self.today = today = story.today
        self.desk, self.room, self.studio_room = (
            next(p for p in premises if p.name == n) for n in ("Postes Milab", "Salle de réunion", "Studio")
        )
        self.people = [m for m in members if m.referable and m.category != "membre de droit"]
        self.regulars = self.rng.sample([m for m in self.people if m.category == "bénéficiaire"], 16)
        horizon = today + timedelta(days=45)
        if horizon.year > today.year and today < date(today.year, 12, 10):
            horizon = date(today.year, 12, 21)  # bookings for January are not taken yet
        self.horizon = horizon
        self.rows: list[dict[str, object]] = []
        self.desk_use: dict[date, list[DemoMember]] = {}
        self.room_use: dict[date, list[tuple[time, time]]] = {}
        self.studio_use: list[date] = []

    # -- one booking --

    def status(self, d: date) -> str:
        r = self.rng.random()
        if d >= self.today:
            return "demandée" if r < 0.45 else "annulée" if r > 0.95 else "confirmée"
        return "confirmée" if r < 0.88 else "annulée" if r < 0.98 else "demandée"

    def who(self, pool: list[DemoMember], d: date) -> DemoMember | None:
        """A member of ``pool`` on ``d``, up to date for days to come; those up to date are
        likelier."""
        today = self.today
        cands = [m for m in pool if m.active_on(d)]
        if d >= today:
            cands = [m for m in cands if m.status(today) in OK_STATUSES]
        if not cands:
            return None
        weights = [1.0 if m.status(today) in OK_STATUSES else 0.3 for m in cands]
        return weighted_sample(self.rng, cands, weights, 1)[0]

    def book(
        self,
        res: DemoPremise,
        m: DemoMember | None,
        start: object,
        end: object,
        formula: str,
        state: str,
        org: str | None = None,
        comment: str | None = None,
    ) -> dict[str, object]:
        row: dict[str, object] = {
            "Ressource": res.id,
            "Membre": m.id if m else None,
            "Organisme": org,
            "Début": start,
            "Fin": end,
            "Formule": formula,
            "Statut": state,
            "Commentaire": comment,
        }
        self.rows.append(row)
        return row

    def free_day(self, month: date, weekend: bool = False) -> date:
        """A day of ``month`` the pôle is open (and a weekday unless ``weekend``)."""
        last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
        x = random_day(self.rng, month, last)
        step = timedelta(days=-1 if x.month == 12 and x.day >= 22 else 1)
        while is_holiday(x) or (not weekend and x.weekday() >= 5):
            x += step
        return x

    # -- the diary, in the order it is drawn --

    def planted_mistakes(self) -> None:
        """The two planted mistakes first, so that nothing else lands on them."""
        rng, today, room = self.rng, self.today, self.room
        d = business_day(today + timedelta(days=9))
        a = self.who(self.people, d)
        self.book(
            room,
            a,
            datetime.combine(d, time(14, 0)),
            datetime.combine(d, time(17, 0)),
            "jour",
            "confirmée",
            comment="Réunion d'équipe",
        )
        overlap = self.book(
            room,
            None,
            datetime.combine(d, time(16, 0)),
            datetime.combine(d, time(18, 0)),
            "gracieux",
            "confirmée",
            org=rng.choice(names.NEIGHBOURHOOD_ASSOCIATIONS),
            comment="Réunion du bureau",
        )
        self.room_use[d] = [ALL_DAY]
        s = weekday_on_or_after(today + timedelta(days=16), 0)
        bad = self.book(
            self.studio_room,
            self.who(self.people, s),
            s,
            s - timedelta(days=2),
            "semaine",
            "demandée",
            comment="Enregistrement podcast",
        )
        self.studio_use += [s + timedelta(days=i) for i in range(5)]
        self.story.mistakes["room_overlap"] = (RESERVATIONS.name, overlap)
        self.story.mistakes["end_before_start"] = (RESERVATIONS.name, bad)

    def desks(self) -> None:
        """Weekly and daily bookings, never more than 5 of the 6 desks on one day."""
        rng = self.rng
        monday = weekday_on_or_after(date(self.story.y0, 1, 8), 0)
        while monday <= self.horizon:
            quiet = monday.month == 8 or is_holiday(monday) or is_holiday(monday + timedelta(days=4))
            if not quiet or rng.random() < 0.15:
                week = [monday + timedelta(days=i) for i in range(5)]
                if rng.random() < 0.45:
                    m = self.who(self.regulars, monday)
                    if m and all(self.desk_free(x, m) for x in week):
                        for x in week:
                            self.desk_use.setdefault(x, []).append(m)
                        self.book(self.desk, m, monday, week[-1], "semaine", self.status(monday))
                for _ in range(rng.randint(0, 3)):
                    x = rng.choice(week)
                    if is_holiday(x):
                        continue
                    m = self.who(self.regulars if rng.random() < 0.8 else self.people, x)
                    if m and self.desk_free(x, m):
                        self.desk_use.setdefault(x, []).append(m)
                        self.book(self.desk, m, x, x, "jour", self.status(x))
            monday += timedelta(weeks=1)

    def desk_free(self, d: date, m: DemoMember) -> bool:
        taken = self.desk_use.get(d, [])
        return len(taken) < 5 and m not in taken

    def room_for_members(self, month: date) -> None:
        """One to three bookings of the meeting room: whole days or a slot."""
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            x = self.free_day(month)
            if x > self.horizon or x == self.today:
                continue
            m = self.who(self.people, x)
            if m is None:
                continue
            if rng.random() < 0.15:
                if self.room_use.get(x):
                    continue
                self.room_use[x] = [ALL_DAY]
                self.book(self.room, m, x, x, "jour", self.status(x), comment=rng.choice(ROOM_COMMENTS))
                continue
            a0, a1 = rng.choice(ROOM_SLOTS)
            if _overlaps(a0, a1, self.room_use.get(x, [])):
                continue
            self.room_use.setdefault(x, []).append((a0, a1))
            self.book(
                self.room,
                m,
                datetime.combine(x, a0),
                datetime.combine(x, a1),
                "jour",
                self.status(x),
                comment=rng.choice(ROOM_COMMENTS),
            )

    def room_for_neighbours(self, month: date) -> None:
        """Most months, a neighbourhood association has the room for free, evenings or weekends."""
        rng = self.rng
        if rng.random() >= 0.8:
            return
        x = self.free_day(month, weekend=True)
        a0, a1 = (time(10, 0), time(13, 0)) if x.weekday() >= 5 else (time(18, 30), time(20, 30))
        if x > self.horizon or x == self.today or _overlaps(a0, a1, self.room_use.get(x, [])):
            return
        self.room_use.setdefault(x, []).append((a0, a1))
        self.book(
            self.room,
            None,
            datetime.combine(x, a0),
            datetime.combine(x, a1),
            "gracieux",
            "confirmée" if x < self.today or rng.random() < 0.6 else "demandée",
            org=rng.choice(names.NEIGHBOURHOOD_ASSOCIATIONS),
            comment=rng.choice(NEIGHBOURS_COMMENTS),
        )

    def studio(self, month: date) -> None:
        """Up to two bookings of the studio: a week from Monday, or a day."""
        rng = self.rng
        for _ in range(rng.randint(0, 2)):
            x = self.free_day(month)
            if x > self.horizon or x == self.today:
                continue
            m = self.who(self.people, x)
            if m is None:
                continue
            if rng.random() < 0.3:
                start = weekday_on_or_after(x, 0)
                week = [start + timedelta(days=i) for i in range(5)]
                if start > self.horizon or any(w in self.studio_use for w in week):
                    continue
                self.studio_use.extend(week)
                self.book(
                    self.studio_room,
                    m,
                    start,
                    week[-1],
                    "semaine",
                    self.status(start),
                    comment=rng.choice(("Enregistrement voix", "Montage podcast", None)),
                )
            elif x not in self.studio_use:
                self.studio_use.append(x)
                self.book(
                    self.studio_room,
                    m,
                    x,
                    x,
                    "jour",
                    self.status(x),
                    comment=rng.choice(("Enregistrement podcast", "Voix off", None, None)),
                )

    def numbered_rows(self) -> list[dict[str, object]]:
        """The rows by start, numbered in that order."""

        def key(r: dict[str, object]) -> datetime:
            v = r["Début"]
            return v if isinstance(v, datetime) else datetime.combine(v, time(0))  # type: ignore[arg-type]  # else a date

        self.rows.sort(key=key)
        for n, r in enumerate(self.rows, start=1):
            r["ID"] = RESERVATIONS.format_id(n)
        return self.rows


# --- Workbooks of any size (the benchmarks') ---------------------------------------------------


def sized_bookings(story: SizedStory, premises: list[SizedPremises], members: list[SizedMember]) -> Grid:
    """Bookings that respect each resource's capacity and opening days, by members up
    to date for those to come; about 0.6 % of them with a mistake (end before start,
    a room booked twice, a Saturday)."""
    rng, today, count = story.rng, story.today, story.counts.bookings
    resources = [p for p in premises if p.bookable]
    people = [m for m in members if m.id and m.category != "membre de droit"]
    first = date(today.year - 5, 1, 2)
    span = (today + timedelta(days=45) - first).days
    days = [first + timedelta(days=k) for k in range(span + 1)]
    days = [d for d in days if d.weekday() < 5]
    rooms: dict[tuple[str, date], list[tuple[int, int]]] = {}
    desks: Counter[tuple[str, date]] = Counter()
    lines: list[list[object]] = []
    tries = 0
    twice = count // 500  # rooms booked twice, added below
    while len(lines) < count - twice and tries < 50 * count:
        tries += 1
        res, day = rng.choice(resources), rng.choice(days)
        formula = "jour"
        start: object
        end: object
        if res.capacity and res.capacity > 1:  # desks: a day, or a week from Monday
            week = rng.random() < 0.15
            covered = [day - timedelta(days=day.weekday() - k) for k in range(5)] if week else [day]
            if any(desks[(res.id, d)] >= res.capacity for d in covered):
                continue
            for d in covered:
                desks[(res.id, d)] += 1
            start, end = covered[0], covered[-1]
            formula = "semaine" if week else "jour"
        else:  # rooms: hours, one booking at a time
            hour = rng.randint(8, 18)
            until = min(hour + rng.randint(1, 4), 21)
            used = rooms.setdefault((res.id, day), [])
            if any(hour < e and b < until for b, e in used):
                continue
            used.append((hour, until))
            start = datetime.combine(day, time(hour))
            end = datetime.combine(day, time(until))
        member: object = None
        organisation = None
        if rng.random() < 0.05:
            organisation = rng.choice(names.NEIGHBOURHOOD_ASSOCIATIONS)
            formula = "gracieux"
        else:
            m = story.member_for(people, day, paid_up=day >= today)
            if m is None:
                continue
            member = m.id
        r = rng.random()
        if day >= today:
            status = "demandée" if r < 0.45 else "annulée" if r > 0.95 else "confirmée"
        else:
            status = "confirmée" if r < 0.88 else "annulée" if r < 0.98 else "demandée"
        if rng.random() < 0.02 and isinstance(start, datetime):
            start = f"{start:%d/%m/%Y %H:%M}"  # typed as text
        typed_formula = formula if formula != "jour" or rng.random() < 0.9 else None
        lines.append([day, res.id, member, organisation, start, end, typed_formula, status])
    for line in rng.sample(lines, len(lines) // 300):  # end typed before start
        start, end = line[4], line[5]
        if isinstance(start, datetime) and isinstance(end, datetime):
            line[4], line[5] = end, start
    rooms_booked = [
        line
        for line in lines
        if isinstance(line[4], datetime)
        and isinstance(line[5], datetime)
        and line[5] > line[4] + timedelta(hours=1)
    ]
    for line in rng.sample(rooms_booked, min(twice, len(rooms_booked))):  # booked twice
        booked_from = line[4]
        if isinstance(booked_from, datetime):  # always, as above
            again = booked_from + timedelta(hours=1)
            lines.append([line[0], line[1], line[2], None, again, line[5], "jour", "confirmée"])
    for line in rng.sample(lines, count // 500):  # booked for a Saturday
        booked_on, booked_from, booked_until = line[0], line[4], line[5]
        if (
            isinstance(booked_on, date)
            and isinstance(booked_from, datetime)
            and isinstance(booked_until, datetime)
        ):
            to_saturday = timedelta(days=5 - booked_on.weekday())
            line[4], line[5] = booked_from + to_saturday, booked_until + to_saturday
    del lines[count:]
    lines.sort(key=itemgetter(0))  # by day
    grid: Grid = [[c.name for c in RESERVATIONS.columns] + ["Commentaire"]]
    for n, line in enumerate(lines, start=1):
        comment = "Réunion d'équipe" if rng.random() < 0.03 else None
        grid.append([RESERVATIONS.format_id(n), *line[1:], None, None, comment])
    for k in range(min(2, len(grid) - 1)):  # typed in at the bottom, without ID yet
        grid[-1 - k][0] = None
    return grid
