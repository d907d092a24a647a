"""Événements and Inscriptions: three years of the association's programme, and who came."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from operator import itemgetter

from ..schema import EVENEMENTS, EVENT_TYPES, INSCRIPTIONS, MEMBRES
from . import names, programme
from .common import (
    OK_STATUSES,
    DemoEvent,
    DemoMember,
    Grid,
    SizedMember,
    SizedStory,
    Story,
    fr_date,
    is_holiday,
    nth_weekday,
    weighted_sample,
)

CONSULTATION_TITLE = "Consultations d'experts : comptabilité, droit du spectacle, propriété intellectuelle"
CRESCENDO_PLACES = (
    ("aux BIS de Nantes", "Biennales Internationales du Spectacle, Nantes"),
    ("au café-concert Le Nord Nord", "Le Nord Nord, Paris"),
    ("au Printemps de Bourges", "Printemps de Bourges"),
    ("au Forum Entreprendre dans la Culture", "Forum Entreprendre dans la Culture, Paris"),
    ("en marge du MaMA", "MaMA Music & Convention, Paris"),
    ("aux Bars en Trans", "Bars en Trans, Rennes"),
)


class EventsPart(Story):
    """The Événements tab (three years of programme) and the Inscriptions to it."""

    def build_events(self) -> list[DemoEvent]:
        rng = self.rng
        events: list[DemoEvent] = []
        club_titles = [t for t in programme.CLUB_TITLES if not t.startswith("Rentrée")]
        rentree = next(t for t in programme.CLUB_TITLES if t.startswith("Rentrée"))
        rng.shuffle(club_titles)
        workshop_titles = list(programme.CRESCENDO_WORKSHOP_TITLES)
        rng.shuffle(workshop_titles)
        pole, room, cafet = "Pôle MILA", "Pôle MILA – salle de réunion", "Pôle MILA – cafétéria"

        def speakers(pool: Sequence[tuple[str, str]], k: int = 1) -> str:
            return "; ".join(f"{n} ({o})" for n, o in rng.sample(list(pool), k))

        def day(
            year: int, month: int, weekdays: Sequence[int] = (1, 3), weeks: Sequence[int] = (2, 3)
        ) -> date:
            return nth_weekday(year, month, rng.choice(weekdays), rng.choice(weeks))

        def add(d: date, hour: time | None, type_: str, title: str, **kw: object) -> None:
            while is_holiday(d):  # same weekday, a week later in January, earlier otherwise
                d += timedelta(days=7 if d.month == 1 else -7)
            events.append(DemoEvent(d, hour, type_, title, **kw))  # type: ignore[arg-type]  # DemoEvent's fields

        experts = programme.EXPERTS
        for year in (self.y0, self.y0 + 1, self.y0 + 2):
            for month in (1, 2, 3, 4, 5, 6, 9, 10, 12):
                title = rentree if month == 9 else club_titles.pop()
                who = (
                    "Équipe MILA (MILA)"
                    if month == 9
                    else speakers(programme.CLUB_SPEAKERS, rng.choice((1, 1, 2)))  # keeps the draw
                )
                if title in programme.CLUB_TITLE_SPEAKERS:  # speakers whose trade is the topic
                    who = "; ".join(f"{n} ({o})" for n, o in programme.CLUB_TITLE_SPEAKERS[title])
                add(
                    day(year, month),
                    time(18, 30),
                    "Club MILA",
                    title,
                    speakers=who,
                    place=pole,
                    capacity=35,
                )
            for month, (title_place, place) in zip((1, 2, 4, 6, 10, 12), CRESCENDO_PLACES, strict=True):
                add(
                    day(year, month, (1, 2, 3), (2, 3)),
                    time(18, 0),
                    "Crescendo – Rencontre networking",
                    f"Rencontre networking Crescendo {title_place}",
                    speakers=speakers(programme.CRESCENDO_GUESTS),
                    place=place,
                )
            for month in (1, 3, 5, 6, 9, 11):
                add(
                    day(year, month, (0, 2), (3, 4)),
                    time(14, 0),
                    "Crescendo – Atelier pratique",
                    workshop_titles.pop(),
                    speakers=speakers(programme.CRESCENDO_SPEAKERS),
                    place=room,
                    capacity=12,
                    reserved="Crescendo",
                )
            for month, kind in (
                (2, "relations presse"),
                (4, "médias digitaux"),
                (6, "relations presse"),
                (10, "médias digitaux"),
            ):
                add(
                    day(year, month, (0, 4)),
                    time(10, 0),
                    "Audit de communication",
                    f"Audits de communication – {kind}",
                    speakers=speakers(experts["audit"]),
                    place=room,
                    capacity=6,
                    reserved="PREMIUM",
                )
            for month in (3, 5, 9, 11):
                add(
                    day(year, month, (0, 4)),
                    time(10, 0),
                    "Diagnostic de structuration",
                    "Diagnostics de structuration",
                    speakers=speakers(experts["diagnostic"]),
                    place=room,
                    capacity=6,
                    reserved="PREMIUM",
                )
            for month in (1, 3, 5, 6, 10, 12):
                who = "; ".join(
                    f"{n} ({o})"
                    for n, o in (
                        rng.choice(experts["comptable"]),
                        experts["juriste"][0],
                        rng.choice(experts["avocat"]),
                    )
                )
                add(
                    day(year, month, (1, 4), (1, 2)),
                    time(9, 30),
                    "Consultation d'experts",
                    CONSULTATION_TITLE,
                    speakers=who,
                    place=room,
                    capacity=6,
                    reserved="PREMIUM",
                )
            for month in (3, 10):
                add(
                    day(year, month, (1,)),
                    time(10, 0),
                    "Atelier de co-développement",
                    "Atelier de co-développement entre dirigeant·e·s",
                    speakers=speakers(experts["coach"]),
                    place=room,
                    capacity=8,
                )
            for month in (1, 3, 5, 9, 11):
                add(
                    day(year, month, (2,), (1, 2)),
                    time(19, 0),
                    "Rencontre entre managers",
                    "Rencontre entre managers d'artistes",
                    speakers=speakers(experts["managers"], 2),
                    place=room,
                    capacity=15,
                )
            for k, month in enumerate((2, 5, 9, 11), start=1):
                add(
                    day(year, month, (3,), (3, 4)),
                    time(16, 0),
                    "JuriQuizz",
                    f"JuriQuizz n°{k} : toutes vos questions juridiques en deux heures",
                    speakers=speakers(experts["avocat"]),
                    place=room,
                    capacity=10,
                )
            for title, month, reserved in programme.NETWORKING_TITLES:
                place = "Hors les murs" if "hors les murs" in title else pole
                add(
                    day(year, month, (1, 2, 3)),
                    time(18, 30),
                    "Rencontre networking",
                    title,
                    place=place,
                    reserved=reserved,
                )
            for month, (org, what) in zip((3, 10), rng.sample(programme.AFTERWORK_PROVIDERS, 2), strict=True):
                add(
                    day(year, month, (3,)),
                    time(18, 30),
                    "Afterwork",
                    f"Afterwork avec {org}, {what}",
                    speakers="{} {} ({})".format(*self.person()[:2], org),
                    place=pole,
                )
            add(
                nth_weekday(year, 12, 3, 3),
                time(18, 30),
                "Afterwork",
                "Noël des adhérent·e·s",
                place=pole,
            )
            months = [1, 2, 3, 4, 5, 6, 9, 10, 11, 12]
            months.remove(rng.choice(months[:-1]))
            for month, region in zip(
                months, rng.sample(programme.OENOLOGIE_REGIONS, len(months)), strict=True
            ):
                add(
                    day(year, month, (3,), (4,)),
                    time(19, 0),
                    "Club Oenologie",
                    f"Club Oenologie : vins de {region}",
                    place=room,
                    capacity=12,
                )
            for month, title in programme.DEJ_ROULETTE:
                add(day(year, month, (3,), (1,)), time(12, 30), "Déj Roulette", title, place=cafet)
            for title, month, place in programme.REPRESENTATIONS:
                add(
                    day(year, month, (0, 1, 2, 3, 4), (1, 2, 3)),
                    None,
                    "Représentation",
                    title,
                    place=place,
                )
            ag = date(year, 7, 2) if year == self.y0 else nth_weekday(year, 6, 1, 4)
            add(ag, time(18, 0), "Autre", "Assemblée générale ordinaire", place=pole)

        # The programme is only set about two months ahead.
        events = [e for e in events if e.day <= self.today + timedelta(days=60)]
        events.sort(key=lambda e: (e.day, e.hour or time(0), e.title))
        for n, e in enumerate(events, start=1):
            e.id = EVENEMENTS.format_id(n)
        # Staff habits: a time typed as text, a date typed as text.
        for e in rng.sample([e for e in events if e.hour == time(18, 30)], 3):
            e.cells["Heure"] = "18:30"
        e = rng.choice([e for e in events if e.type == "Club Oenologie"])
        e.cells["Date"] = fr_date(e.day)
        return events

    def build_registrations(
        self, events: list[DemoEvent], members: list[DemoMember]
    ) -> list[dict[str, object]]:
        rng, today = self.rng, self.today
        today_start = datetime.combine(today, time(0))
        people = [m for m in members if m.referable]
        sizes = {
            "Club MILA": (14, 30),
            "Crescendo – Rencontre networking": (6, 16),
            "Crescendo – Atelier pratique": (6, 12),
            "Audit de communication": (3, 6),
            "Diagnostic de structuration": (3, 6),
            "Consultation d'experts": (4, 6),
            "Atelier de co-développement": (4, 8),
            "Rencontre entre managers": (5, 12),
            "JuriQuizz": (4, 9),
            "Rencontre networking": (12, 28),
            "Afterwork": (8, 20),
            "Club Oenologie": (7, 12),
            "Déj Roulette": (6, 14),
            "Autre": (25, 40),
        }
        rows: list[dict[str, object]] = []
        overflow_done = False
        for e in events:
            if e.type not in sizes or e.day > today + timedelta(days=45):
                continue
            upcoming = e.day >= today
            pool = [m for m in people if self.eligible(m, e) and m.active_on(e.day)]
            if upcoming:
                pool = [m for m in pool if m.status(today) in OK_STATUSES]
            lo, hi = sizes[e.type]
            n = rng.randint(lo, hi)
            overflow = upcoming and bool(e.capacity) and (rng.random() < 0.6 or not overflow_done)
            if overflow:
                n = (e.capacity or 0) + rng.randint(1, 3)  # a waiting list
                overflow_done = overflow_done or len(pool) > (e.capacity or 0)
            weights = [1.0 if m.status(today) in OK_STATUSES else 0.35 for m in pool]
            chosen = weighted_sample(rng, pool, weights, min(n, len(pool)))
            start = datetime.combine(e.day, e.hour or time(18, 0))
            used: list[datetime] = []
            for m in chosen:
                at = start - timedelta(minutes=rng.randint(60 * 20, 60 * 24 * 28))
                at = at.replace(hour=rng.randint(8, 22), second=0, microsecond=0)
                at = max(at, datetime.combine(m.joined, time(9, 0)))
                if at >= start or (upcoming and at >= today_start):
                    at = min(start, today_start) - timedelta(minutes=rng.randint(60, 60 * 24 * 3))
                while at in used:
                    at += timedelta(minutes=1)
                used.append(at)
                if upcoming:
                    status = "annulé" if rng.random() < 0.06 and not overflow else "inscrit"
                else:
                    r = rng.random()
                    status = "présent" if r < 0.82 else "absent" if r < 0.93 else "annulé"
                registered: object = at.date() if rng.random() < 0.04 else at
                rows.append(
                    {
                        "Événement": e.id,
                        "Membre": m.id,
                        "Inscrit le": registered,
                        "Statut": status,
                        "_at": at,
                    }
                )
        # A member ID mistyped on a registration for an upcoming Club MILA.
        club = next((e for e in events if e.type == "Club MILA" and e.day >= today), None)
        club = club or [e for e in events if e.type == "Club MILA"][-1]
        at = datetime.combine(min(club.day, today), time(0)) - timedelta(days=2, hours=-10, minutes=-17)
        ghost = {
            "Événement": club.id,
            "Membre": "M0412",
            "Inscrit le": at,
            "Statut": "inscrit" if club.day >= today else "présent",
            "_at": at,
        }
        rows.append(ghost)
        rows.sort(key=itemgetter("_at"))
        for n, row in enumerate(rows, start=1):
            row["ID"] = INSCRIPTIONS.format_id(n)
            del row["_at"]
        self.mistakes["unknown_member"] = (INSCRIPTIONS.name, ghost)
        return rows

    @staticmethod
    def eligible(m: DemoMember, e: DemoEvent) -> bool:
        if e.reserved == "Crescendo":
            return m.crescendo
        if e.reserved == "PREMIUM":
            return m.forfait == "PREMIUM" or m.category == "hébergé"
        if e.reserved == "hébergés":
            return m.category == "hébergé"
        return True


def event_rows(events: list[DemoEvent]) -> list[dict[str, object]]:
    """The Événements rows, with what the staff typed differently."""
    return [
        {
            "ID": e.id,
            "Date": e.day,
            "Heure": e.hour,
            "Type": e.type,
            "Titre": e.title,
            "Intervenants": e.speakers or None,
            "Lieu": e.place or None,
            "Capacité": e.capacity,
            "Réservé à": e.reserved,
            **e.cells,
        }
        for e in events
    ]


# --- Workbooks of any size (the benchmarks') ---------------------------------------------------


def _friday_before_weekend(day: date) -> date:
    """The day itself, or the Friday before a weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def sized_events(story: SizedStory) -> tuple[Grid, list[tuple[str, date, int | None, str | None]]]:
    """The Événements tab over six years and two months ahead, and (ID, day, capacity,
    reserved to) of each event for the registrations."""
    rng, today, count = story.rng, story.today, story.counts.events
    first = date(today.year - 6, 1, 9)
    span = (today + timedelta(days=60) - first).days
    days = sorted(_friday_before_weekend(first + timedelta(days=rng.randint(0, span))) for _ in range(count))
    grid: Grid = [[c.name for c in EVENEMENTS.columns]]
    listed: list[tuple[str, date, int | None, str | None]] = []
    places = ("Pôle MILA", "Pôle MILA – salle de réunion", "Milab", "Pôle MILA – cafétéria")
    for n, day in enumerate(days, start=1):
        kind = rng.choice(EVENT_TYPES)
        hour: object = time(rng.choice((9, 10, 12, 14, 18, 19)), rng.choice((0, 30)))
        if rng.random() < 0.1:
            hour = f"{hour:%H:%M}"  # typed as text
        capacity = rng.choice((None, None, 12, 20, 30, 40))
        reserved = rng.choice((None,) * 8 + ("Crescendo", "PREMIUM", "hébergés"))
        if kind.startswith("Crescendo"):
            reserved = "Crescendo"
        title = (
            rng.choice(programme.CLUB_TITLES)
            if kind == "Club MILA"
            else rng.choice(programme.CRESCENDO_WORKSHOP_TITLES)
            if kind.startswith("Crescendo")
            else f"{kind} du {day:%d/%m/%Y}"
        )
        speakers = None
        if rng.random() < 0.4:
            speakers = "; ".join(
                f"{rng.choice(names.FEMALE_FIRST_NAMES)} {rng.choice(names.LAST_NAMES)} "
                f"({rng.choice(story.structures)})"
                for _ in range(rng.randint(1, 3))
            )
        eid = EVENEMENTS.format_id(n)
        grid.append(
            [
                eid,
                story.typed_date(day, 0.02),
                hour,
                kind,
                title,
                speakers,
                rng.choice(places),
                capacity,
                reserved,
                None,
                None,
                None,
            ]
        )
        listed.append((eid, day, capacity, reserved))
    return grid, listed


def sized_registrations(
    story: SizedStory, events: list[tuple[str, date, int | None, str | None]], members: list[SizedMember]
) -> Grid:
    """Registrations by eligible members, up to date for events to come, once per
    member and event; about 0.5 % of them with a mistake."""
    rng, today, count = story.rng, story.today, story.counts.registrations
    people = [m for m in members if m.id]
    pools = {
        None: people,
        "Crescendo": [m for m in people if m.crescendo],
        "PREMIUM": [m for m in people if m.forfait == "PREMIUM" or m.category == "hébergé"],
        "hébergés": [m for m in people if m.category == "hébergé"],
    }
    taken: set[tuple[str, str]] = set()
    lines: list[tuple[datetime, str, object, object, str]] = []
    while len(lines) < count:
        eid, day, _capacity, reserved = rng.choice(events)
        m = story.member_for(pools[reserved] or people, day, paid_up=day >= today)
        if m is None or m.id is None or (eid, m.id) in taken:
            continue
        taken.add((eid, m.id))
        at = datetime.combine(day, time(rng.randint(8, 22), rng.randint(0, 59)))
        at -= timedelta(days=rng.randint(1, 28))
        at = max(at, datetime.combine(m.joined, time(9)))
        if day >= today:
            at = min(at, datetime.combine(today, time(8)) - timedelta(days=1))
            status = "annulé" if rng.random() < 0.06 else "inscrit"
        else:
            r = rng.random()
            status = "présent" if r < 0.82 else "absent" if r < 0.93 else "annulé"
        member_id: object = m.id
        r = rng.random()
        if r < 0.003:  # a mistyped member ID
            member_id = MEMBRES.format_id(story.counts.members + 500 + rng.randint(0, 99))
        elif r < 0.004 and lines:  # the same registration typed twice
            previous = rng.choice(lines)
            eid, member_id = previous[1], previous[2]
        registered: object = at.date() if rng.random() < 0.04 else at
        lines.append((at, eid, member_id, registered, status))
    lines.sort(key=lambda line: line[0])
    grid: Grid = [[c.name for c in INSCRIPTIONS.columns] + ["Commentaire"]]
    for n, (_at, eid, mid, registered, status) in enumerate(lines, start=1):
        comment = "Inscrit·e par téléphone" if rng.random() < 0.02 else None
        grid.append([INSCRIPTIONS.format_id(n), eid, mid, registered, status, None, None, comment])
    for k in range(min(2, len(grid) - 1)):  # typed in at the bottom, without ID yet
        grid[-1 - k][0] = None
    return grid
