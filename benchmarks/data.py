"""Big, realistic workbooks for the benchmarks, built in memory, deterministically.

``build_grids(Sizes(...), seed=...)`` returns ``{tab title: grid}`` (row 1 = headers) for
Membres (the contract's 20 columns and 5 staff columns), Locaux, Occupations,
Réservations, Événements, Inscriptions and Tarifs (the real fee history). Values look like
what the staff type: mostly date and number cells, some dates typed as text, amounts with
a euro sign, ``x`` for yes, notes, and about 1 % of rows with a real-life mistake (bad
SIRET checksum, e-mail typo, impossible date, missing forfait, unknown member, a booking
that ends before it starts), a few rows without ID and one ID standing twice. Every
job-owned (calc.) column is present and blank: the first ``mila sync`` fills them all.

The same grids can be written as an .xlsx file (:func:`write_xlsx`), loaded into the
Sheets emulator (:func:`load_emulator`) or served from memory
(:class:`tests.support.memory_backend.MemoryBackend`).

The end of the module holds what every benchmark shares: :class:`BenchResult` (what a
benchmark module's ``run()`` returns to ``run_all``), repeated measurement with a time
budget, a small stack sampler, and Markdown formatting.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import random
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.cell import WriteOnlyCell

from automations.demo import add_months, fr_amount, make_siret, names, programme, slugify
from automations.schema import (
    EVENEMENTS,
    EVENT_TYPES,
    INSCRIPTIONS,
    LOCAUX,
    MEMBRES,
    OCCUPATIONS,
    RESERVATIONS,
    TARIFS,
)

Grid = list[list[Any]]

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 0)
FEE_SWITCH = dt.date(2024, 3, 1)

# Staff columns of Membres: (name, inserted after this column; None = at the end).
MEMBER_STAFF_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Activité", "Structure"),
    ("Référent·e", "Contact"),
    ("Source", None),
    ("Suivi", None),
    ("Notes", None),
)
STAFF_NAMES = ("Nadia", "Julien", "Clémence", "Karim", "Sophie")
SOURCES = (
    "Bouche à oreille", "Salon MaMA", "Site internet", "Parrainage", "Mairie du 18e",
    "Réseau Crescendo", "LinkedIn", "Newsletter",
)
FOLLOW_UPS = (
    "Relancé·e par téléphone le {d}", "Facture envoyée le {d}", "RDV d'accueil le {d}",
    "Attestation envoyée le {d}", "Mail de bienvenue envoyé le {d}",
)


@dataclass(frozen=True)
class Sizes:
    """Rows per tab (data rows, header excluded)."""

    members: int = 10_000
    premises: int = 60
    occupations: int = 2_000
    bookings: int = 15_000
    events: int = 1_000
    registrations: int = 15_000

    @classmethod
    def scaled(cls, members: int) -> Sizes:
        """The default proportions for ``members`` members (small tabs keep a floor)."""
        full = cls()
        ratio = members / full.members
        return cls(
            members=members,
            premises=max(12, min(full.premises, round(full.premises * ratio * 10))),
            occupations=max(20, round(full.occupations * ratio)),
            bookings=max(20, round(full.bookings * ratio)),
            events=max(10, round(full.events * ratio)),
            registrations=max(20, round(full.registrations * ratio)),
        )

    def describe(self) -> str:
        return (
            f"{num(self.members)} members, {self.premises} premises, "
            f"{num(self.occupations)} occupations, {num(self.bookings)} bookings, "
            f"{num(self.events)} events, {num(self.registrations)} registrations"
        )


# --------------------------------------------------------------------------- generator


@dataclass
class _Member:
    id: str | None
    category: str
    joined: dt.date
    paid: dt.date | None
    left: dt.date | None
    forfait: str | None
    crescendo: bool
    surface: int | None = None


@dataclass
class _Premises:
    id: str
    name: str
    site: str
    surface: int | None
    bookable: bool
    capacity: int | None


class _Generator:
    def __init__(self, sizes: Sizes, seed: int, today: dt.date) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.today = today
        self.emails: set[str] = set()
        self.structures = [n for group in names.STRUCTURES.values() for n in group]
        self.activities = list(names.STRUCTURES)

    # -- small helpers --

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def typed_date(self, day: dt.date | None, share: float = 0.03) -> object:
        """A date cell, or now and then the date typed as text as staff do."""
        if day is None:
            return None
        r = self.rng.random()
        if r < share * 0.7:
            return f"{day:%d/%m/%Y}"
        if r < share:
            return f"{day.day}/{day.month}/{day:%y}"
        return day

    def phone(self, company: bool) -> str | None:
        """A French number typed in one of the usual ways (as in ``automations.demo``)."""
        rng = self.rng
        if rng.random() < 0.08:
            return None
        tail = "".join(rng.choice("0123456789") for _ in range(7))
        if company and rng.random() < 0.35:
            digits = "01" + rng.choice("4567") + tail
        elif rng.random() < 0.7:
            digits = ("06" + rng.choice("12345678") + tail).replace("0639", "0637", 1)
        else:
            digits = "07" + rng.choice("5678") + tail
        pairs = [digits[i : i + 2] for i in range(0, 10, 2)]
        style = rng.random()
        if style < 0.6:
            return " ".join(pairs)
        if style < 0.8:
            return "+33 " + digits[1] + " " + " ".join(pairs[1:])
        if style < 0.9:
            return digits
        return ".".join(pairs)

    def member_for(
        self, pool: Sequence[_Member], day: dt.date, *, paid_up: bool
    ) -> _Member | None:
        """A member of ``pool`` who is a member on ``day`` and, when ``paid_up``, whose
        period covers it (bookings and registrations to come are by members up to date)."""
        for _ in range(60):
            m = self.rng.choice(pool)
            if m.joined > day or (m.left is not None and m.left <= day):
                continue
            if paid_up and (m.paid is None or _period_end(m.paid) < day):
                continue
            return m
        return None

    def email(self, local: str, domain: str) -> str:
        address = f"{local}@{domain}"
        n = 2
        while address in self.emails:
            address = f"{local}{n}@{domain}"
            n += 1
        self.emails.add(address)
        return address

    # -- tabs --

    def premises(self) -> list[_Premises]:
        rng, count = self.rng, self.sizes.premises
        bookable = [
            ("Postes Milab", "Milab", None, 6),
            ("Salle de réunion", "Milab", 18, 1),
            ("Studio", "Milab", 25, 1),
            ("Cabine podcast", "Milab", 8, 1),
            ("Salle polyvalente", "Pépinière", 40, 1),
            ("Postes Pépinière", "Pépinière", None, 4),
        ][: max(2, count // 10)]
        out: list[_Premises] = []
        offices = max(1, (count - len(bookable)) // 3)
        for n in range(1, count - len(bookable) + 1):
            pid = LOCAUX.format_id(n)
            if n <= offices:
                out.append(_Premises(pid, f"Bureau {n}", "Pépinière", rng.choice((10, 12, 16)),
                                     False, None))
            else:
                surface = rng.choice((25, 28, 30, 35, 40, 45, 50, 60, 72, 80, 85, 95))
                out.append(_Premises(pid, f"Boutique {n - offices}", "Boutique", surface,
                                     False, None))
        for name, site, surface, capacity in bookable:
            pid = LOCAUX.format_id(len(out) + 1)
            out.append(_Premises(pid, name, site, surface, True, capacity))
        return out

    def premises_grid(self, premises: list[_Premises]) -> Grid:
        rng = self.rng
        header = [c.name for c in LOCAUX.columns] + ["Remarques"]
        rows: Grid = [header]
        for p in premises:
            rent = None if p.bookable else float(round((p.surface or 10) * rng.uniform(14, 25)))
            rent_cell: object = rent
            if rent is not None and rent >= 1000 and rng.random() < 0.5:
                rent_cell = fr_amount(rent)
            address = (
                "4 rue André Messager, 75018 Paris" if p.site == "Milab"
                else f"{rng.randint(1, 60)} rue Émile Blémont, 75018 Paris"
            )
            rows.append([
                p.id, p.name, p.site, address, p.surface, p.capacity, rent_cell,
                (15.0 if p.capacity and p.capacity > 1 else 60.0) if p.bookable else None,
                (60.0 if p.capacity and p.capacity > 1 else 240.0) if p.bookable else None,
                "oui" if p.bookable else rng.choice(("non", None)),
                None,  # Anomalies (calc.)
                "Clés chez l'accueil" if rng.random() < 0.2 else None,
            ])
        return rows

    def plan_members(self, hosted: int) -> list[_Member]:
        """Categories and dates for every member, sorted by joining date like the sheet."""
        rng, today, count = self.rng, self.today, self.sizes.members
        year_ago = add_months(today, -12)
        members: list[_Member] = []
        for i in range(count):
            if i < hosted:
                category = "hébergé"
            elif rng.random() < 0.005:
                category = "membre de droit"
            else:
                category = "bénéficiaire"
            r = rng.random()
            target = (
                "sortie" if r < 0.11 else "en attente" if r < 0.16 else "échue" if r < 0.34
                else "à renouveler" if r < 0.40 else "à jour"
            )
            if i < hosted and target in ("sortie", "en attente"):
                target = "à jour"
            joined = self.day_between(dt.date(2008, 1, 2), today - dt.timedelta(days=400))
            paid: dt.date | None
            left = None
            if target == "en attente":
                joined = today - dt.timedelta(days=rng.randint(3, 70))
                paid = None
            elif target == "à jour":
                paid = today - dt.timedelta(days=rng.randint(35, 330))
            elif target == "à renouveler":
                paid = year_ago + dt.timedelta(days=rng.randint(3, 27))
            elif target == "échue":
                paid = today - dt.timedelta(days=rng.randint(400, 1250))
            else:
                left = today - dt.timedelta(days=rng.randint(30, 1500))
                paid = left - dt.timedelta(days=rng.randint(60, 340))
            if paid is not None:
                joined = min(joined, paid)
            forfait = None
            if category == "bénéficiaire" and (left is None or left >= FEE_SWITCH
                                               or rng.random() < 0.3):
                forfait = "PREMIUM" if rng.random() < 0.36 else "BASIC"
            crescendo = forfait is not None and rng.random() < 0.15
            members.append(_Member(None, category, joined, paid, left, forfait, crescendo))
        order = list(range(count))
        order.sort(key=lambda k: members[k].joined)
        ranked = [members[k] for k in order]
        for n, m in enumerate(ranked, start=1):
            m.id = MEMBRES.format_id(n)
        return ranked

    def member_header(self) -> list[str]:
        header = [c.name for c in MEMBRES.columns]
        for name, after in MEMBER_STAFF_COLUMNS:
            if after is None:
                header.append(name)
            else:
                header.insert(header.index(after) + 1, name)
        return header

    def members_grid(self, members: list[_Member]) -> Grid:
        rng = self.rng
        header = self.member_header()
        rows: Grid = [header]
        for m in members:
            individual = m.category == "membre de droit" or rng.random() < 0.11
            female = rng.random() < 0.55
            first = rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
            last = rng.choice(names.LAST_NAMES)
            if individual:
                structure = f"{first} {last}"
                activity = rng.choice(names.INDIVIDUAL_ACTIVITIES)
                email = self.email(f"{slugify(first)}.{slugify(last)}",
                                   rng.choice(("example.com", "example.org", "example.net")))
            else:
                activity = rng.choice(self.activities)
                structure = f"{rng.choice(names.STRUCTURES[activity])} {rng.choice(names.LAST_NAMES)}"
                domain = slugify(structure) + rng.choice((".fr", ".fr", ".com", ".net"))
                local = rng.choice((slugify(first), "contact", "bonjour",
                                    f"{slugify(first)}.{slugify(last)}"))
                email = self.email(local, domain)
            siret: str | None = None
            if not individual or rng.random() < 0.5:
                siret = make_siret(rng)
                if rng.random() < 0.12:
                    siret = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
            amount: object = None
            if m.paid is not None:
                if m.category == "membre de droit":
                    ht = 0.0
                elif m.category == "hébergé":
                    ht = float(min((m.surface or 10) * 10, 700))
                elif m.paid < FEE_SWITCH:
                    ht = 100.0
                else:
                    ht = {"BASIC": 120.0, "PREMIUM": 170.0, None: 120.0}[m.forfait]
                    ht += 10.0 if m.crescendo else 0.0
                amount = round(ht * 1.2, 2)
                if rng.random() < 0.03:
                    amount = fr_amount(amount) if rng.random() < 0.7 else f"{amount:g} €"
            crescendo: object = None
            if m.crescendo:
                crescendo = "x" if rng.random() < 0.1 else "oui"
            elif m.category == "bénéficiaire" and rng.random() < 0.25:
                crescendo = "non"
            charter = None
            if rng.random() < 0.85:
                charter = min(max(m.joined, dt.date(2022, 10, 3))
                              + dt.timedelta(days=rng.choice((0, 0, 1, 3, 8))), self.today)
            follow = None
            if rng.random() < 0.2:
                follow = rng.choice(FOLLOW_UPS).format(
                    d=f"{self.day_between(m.joined, self.today):%d/%m/%Y}")
            values = {
                "ID": m.id,
                "Structure": structure,
                "Activité": activity,
                "Contact": f"{first} {last}",
                "Référent·e": rng.choice(STAFF_NAMES),
                "Email": email,
                "Téléphone": self.phone(company=not individual),
                "SIRET": siret,
                "Catégorie": m.category,
                "Forfait": m.forfait,
                "Option Crescendo": crescendo,
                "Adhésion le": self.typed_date(m.joined),
                "Cotisation payée le": self.typed_date(m.paid),
                "Montant payé": amount,
                "Charte signée le": self.typed_date(charter),
                "Sortie le": self.typed_date(m.left),
                "Source": rng.choice(SOURCES) if rng.random() < 0.6 else None,
                "Suivi": follow,
                "Notes": rng.choice(names.NOTES_MEMBRES) if rng.random() < 0.15 else None,
            }
            self.plant_member_mistake(values, m)
            rows.append([values.get(h) for h in header])
        self.copy_and_blank(rows, header.index("ID"), header)
        return rows

    def plant_member_mistake(self, values: dict[str, object], m: _Member) -> None:
        """About 1 % of members carry one of the mistakes the staff really make."""
        rng = self.rng
        if rng.random() >= 0.01:
            return
        kind = rng.choice(("siret", "email", "date", "forfait"))
        if kind == "siret" and values["SIRET"]:
            s = str(values["SIRET"]).replace(" ", "")
            values["SIRET"] = s[:-1] + str((int(s[-1]) + 1) % 10)
        elif kind == "email":  # a comma for the last dot: « …@gmail,com »
            local, _, domain = str(values["Email"]).rpartition(".")
            values["Email"] = f"{local},{domain}"
        elif kind == "date":
            values["Adhésion le"] = f"31/02/{m.joined.year}"
        elif kind == "forfait" and m.category == "bénéficiaire" and m.left is None:
            values["Forfait"] = None

    def copy_and_blank(self, rows: Grid, id_index: int, header: list[str]) -> None:
        """A row copied without clearing its ID, and rows added by hand without an ID."""
        if len(rows) < 5:
            return
        copied = list(rows[len(rows) // 2])
        copied[header.index("Email")] = self.email("copie", "example.org")
        copied[header.index("Notes")] = "Ajouté(e) après le salon"
        rows.append(copied)
        for k in range(3):
            blank = list(rows[2 + k])
            blank[id_index] = None
            blank[header.index("Email")] = self.email(f"nouveau{k}", "example.com")
            blank[header.index("Structure")] = f"Nouvelle structure {k + 1}"
            blank[header.index("SIRET")] = None
            rows.append(blank)

    def occupations(
        self, premises: list[_Premises], members: list[_Member]
    ) -> Grid:
        """Chains of conventions per office or shop, the last one ongoing; past ones
        reference former tenants among the other members."""
        rng, today, count = self.rng, self.today, self.sizes.occupations
        places = [p for p in premises if not p.bookable]
        hosted = [m for m in members if m.category == "hébergé"]
        others = [m for m in members if m.category != "hébergé"]
        per_place = max(1, count // len(places))
        extra = count - per_place * len(places)
        lines: list[list[object]] = []
        hosted_iter = iter(hosted)
        for i, p in enumerate(places):
            chain = per_place + (1 if i < extra else 0)
            start = today
            for k in range(chain):
                months = rng.randint(2, 9)
                if k == 0:
                    tenant = next(hosted_iter, None)
                    if tenant is None:  # more places than hosted members: vacant place
                        start = add_months(today, -months)
                        continue
                    tenant.surface = p.surface
                    start = min(add_months(today, -months), tenant.paid or today)
                    start = dt.date(start.year, start.month, 1)
                    tenant.joined = min(tenant.joined, start)
                    begin, finish = start, None
                else:
                    tenant = rng.choice(others)
                    finish = start - dt.timedelta(days=1)
                    begin = dt.date(add_months(finish, -months).year,
                                    add_months(finish, -months).month, 1)
                    start = begin
                lines.append([p.id, tenant.id, begin, finish, rng.random()])
        lines.sort(key=lambda line: (line[2], line[0]))
        grid: Grid = [[c.name for c in OCCUPATIONS.columns]]
        for n, (pid, mid, begin, finish, r) in enumerate(lines, start=1):
            deposit = float(round(r * 1500, -1)) if r < 0.4 else None
            grid.append([OCCUPATIONS.format_id(n), mid, pid, self.typed_date(begin, 0.02),
                         self.typed_date(finish, 0.02), None, deposit, None, None, None])
        return grid

    def events(self) -> tuple[Grid, list[tuple[str, dt.date, int | None, str | None]]]:
        rng, today, count = self.rng, self.today, self.sizes.events
        first = dt.date(today.year - 6, 1, 9)
        span = (today + dt.timedelta(days=60) - first).days
        days = sorted(_weekday(first + dt.timedelta(days=rng.randint(0, span)))
                      for _ in range(count))
        grid: Grid = [[c.name for c in EVENEMENTS.columns]]
        listed: list[tuple[str, dt.date, int | None, str | None]] = []
        places = ("Pôle MILA", "Pôle MILA – salle de réunion", "Milab", "Pôle MILA – cafétéria")
        for n, day in enumerate(days, start=1):
            kind = rng.choice(EVENT_TYPES)
            hour: object = dt.time(rng.choice((9, 10, 12, 14, 18, 19)), rng.choice((0, 30)))
            if rng.random() < 0.1:
                hour = f"{hour:%H:%M}"  # typed as text
            capacity = rng.choice((None, None, 12, 20, 30, 40))
            reserved = rng.choice((None,) * 8 + ("Crescendo", "PREMIUM", "hébergés"))
            if kind.startswith("Crescendo"):
                reserved = "Crescendo"
            title = (
                rng.choice(programme.CLUB_TITLES) if kind == "Club MILA"
                else rng.choice(programme.CRESCENDO_WORKSHOP_TITLES) if kind.startswith("Crescendo")
                else f"{kind} du {day:%d/%m/%Y}"
            )
            speakers = None
            if rng.random() < 0.4:
                speakers = "; ".join(
                    f"{rng.choice(names.FEMALE_FIRST_NAMES)} {rng.choice(names.LAST_NAMES)} "
                    f"({rng.choice(self.structures)})" for _ in range(rng.randint(1, 3)))
            eid = EVENEMENTS.format_id(n)
            grid.append([eid, self.typed_date(day, 0.02), hour, kind, title, speakers,
                         rng.choice(places), capacity, reserved, None, None, None])
            listed.append((eid, day, capacity, reserved))
        return grid, listed

    def registrations(
        self, events: list[tuple[str, dt.date, int | None, str | None]], members: list[_Member]
    ) -> Grid:
        """Registrations by eligible members, up to date for events to come, once per
        member and event; about 0.5 % of them with a mistake."""
        rng, today, count = self.rng, self.today, self.sizes.registrations
        people = [m for m in members if m.id]
        pools = {
            None: people,
            "Crescendo": [m for m in people if m.crescendo],
            "PREMIUM": [m for m in people if m.forfait == "PREMIUM" or m.category == "hébergé"],
            "hébergés": [m for m in people if m.category == "hébergé"],
        }
        taken: set[tuple[str, str]] = set()
        lines: list[tuple[dt.datetime, str, object, object, str]] = []
        while len(lines) < count:
            eid, day, _capacity, reserved = rng.choice(events)
            m = self.member_for(pools[reserved] or people, day, paid_up=day >= today)
            if m is None or m.id is None or (eid, m.id) in taken:
                continue
            taken.add((eid, m.id))
            at = dt.datetime.combine(day, dt.time(rng.randint(8, 22), rng.randint(0, 59)))
            at -= dt.timedelta(days=rng.randint(1, 28))
            at = max(at, dt.datetime.combine(m.joined, dt.time(9)))
            if day >= today:
                at = min(at, dt.datetime.combine(today, dt.time(8)) - dt.timedelta(days=1))
                status = "annulé" if rng.random() < 0.06 else "inscrit"
            else:
                r = rng.random()
                status = "présent" if r < 0.82 else "absent" if r < 0.93 else "annulé"
            member_id: object = m.id
            r = rng.random()
            if r < 0.003:  # a mistyped member ID
                member_id = MEMBRES.format_id(self.sizes.members + 500 + rng.randint(0, 99))
            elif r < 0.004 and lines:  # the same registration typed twice
                previous = rng.choice(lines)
                eid, member_id = previous[1], previous[2]
            registered: object = at.date() if rng.random() < 0.04 else at
            lines.append((at, eid, member_id, registered, status))
        lines.sort(key=lambda line: line[0])
        grid: Grid = [[c.name for c in INSCRIPTIONS.columns] + ["Commentaire"]]
        for n, (_at, eid, mid, registered, status) in enumerate(lines, start=1):
            comment = "Inscrit·e par téléphone" if rng.random() < 0.02 else None
            grid.append([INSCRIPTIONS.format_id(n), eid, mid, registered, status, None, None,
                         comment])
        for k in range(min(2, len(grid) - 1)):  # typed in at the bottom, without ID yet
            grid[-1 - k][0] = None
        return grid

    def bookings(self, premises: list[_Premises], members: list[_Member]) -> Grid:
        """Bookings that respect each resource's capacity and opening days, by members up
        to date for those to come; about 0.6 % of them with a mistake (end before start,
        a room booked twice, a Saturday)."""
        rng, today, count = self.rng, self.today, self.sizes.bookings
        resources = [p for p in premises if p.bookable]
        people = [m for m in members if m.id and m.category != "membre de droit"]
        first = dt.date(today.year - 5, 1, 2)
        span = (today + dt.timedelta(days=45) - first).days
        days = [first + dt.timedelta(days=k) for k in range(span + 1)]
        days = [d for d in days if d.weekday() < 5]
        rooms: dict[tuple[str, dt.date], list[tuple[int, int]]] = {}
        desks: Counter[tuple[str, dt.date]] = Counter()
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
                covered = [day - dt.timedelta(days=day.weekday() - k) for k in range(5)] \
                    if week else [day]
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
                start = dt.datetime.combine(day, dt.time(hour))
                end = dt.datetime.combine(day, dt.time(until))
            member: object = None
            organisation = None
            if rng.random() < 0.05:
                organisation = rng.choice(names.NEIGHBOURHOOD_ASSOCIATIONS)
                formula = "gracieux"
            else:
                m = self.member_for(people, day, paid_up=day >= today)
                if m is None:
                    continue
                member = m.id
            r = rng.random()
            if day >= today:
                status = "demandée" if r < 0.45 else "annulée" if r > 0.95 else "confirmée"
            else:
                status = "confirmée" if r < 0.88 else "annulée" if r < 0.98 else "demandée"
            if rng.random() < 0.02 and isinstance(start, dt.datetime):
                start = f"{start:%d/%m/%Y %H:%M}"  # typed as text
            typed_formula = formula if formula != "jour" or rng.random() < 0.9 else None
            lines.append([day, res.id, member, organisation, start, end, typed_formula, status])
        for line in rng.sample(lines, len(lines) // 300):  # end typed before start
            start, end = line[4], line[5]
            if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
                line[4], line[5] = end, start
        rooms_booked = [line for line in lines
                        if isinstance(line[4], dt.datetime) and isinstance(line[5], dt.datetime)
                        and line[5] > line[4] + dt.timedelta(hours=1)]  # type: ignore[operator]
        for line in rng.sample(rooms_booked, min(twice, len(rooms_booked))):  # booked twice
            lines.append([line[0], line[1], line[2], None, line[4] + dt.timedelta(hours=1),
                          line[5], "jour", "confirmée"])  # type: ignore[operator]
        for line in rng.sample(lines, count // 500):  # booked for a Saturday
            if isinstance(line[4], dt.datetime) and isinstance(line[5], dt.datetime):
                line[4] += dt.timedelta(days=5 - line[0].weekday())  # type: ignore[union-attr]
                line[5] += dt.timedelta(days=5 - line[0].weekday())  # type: ignore[union-attr]
        del lines[count:]
        lines.sort(key=lambda line: line[0])  # type: ignore[arg-type, return-value]
        grid: Grid = [[c.name for c in RESERVATIONS.columns] + ["Commentaire"]]
        for n, (_day, rid, mid, org, start, end, formula, status) in enumerate(lines, start=1):
            comment = "Réunion d'équipe" if rng.random() < 0.03 else None
            grid.append([RESERVATIONS.format_id(n), rid, mid, org, start, end, formula, status,
                         None, None, comment])
        for k in range(min(2, len(grid) - 1)):  # typed in at the bottom, without ID yet
            grid[-1 - k][0] = None
        return grid


def _period_end(paid: dt.date) -> dt.date:
    return add_months(paid, 12) - dt.timedelta(days=1)


def _weekday(day: dt.date) -> dt.date:
    """The day itself, or the Friday before a weekend."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def tarifs_grid() -> Grid:
    """The fee history the association has lived through (SHEETS.md)."""
    since = dt.date(2016, 1, 1)
    rows = [
        ("BENEFICIAIRE", "Cotisation bénéficiaire (tarif unique)", 100, None, since,
         dt.date(2024, 2, 29)),
        ("BASIC", "Forfait BASIC", 120, None, FEE_SWITCH, None),
        ("PREMIUM", "Forfait PREMIUM", 170, None, FEE_SWITCH, None),
        ("CRESCENDO", "Option Entrepreneuriat Crescendo", 10, None, FEE_SWITCH, None),
        ("HEBERGE_M2", "Cotisation membre hébergé, par m²", 10, 700, since, None),
        ("MEMBRE_DE_DROIT", "Membre de droit", 0, None, since, None),
    ]
    header = [c.name for c in TARIFS.columns]
    return [header] + [[c, lib, amount, cap, 20, du, au] for c, lib, amount, cap, du, au in rows]


def build_grids(
    sizes: Sizes = Sizes(), *, seed: int = 2024, today: dt.date = TODAY
) -> dict[str, Grid]:
    """The seven tabs as ``{title: grid}``; the same ``sizes`` and ``seed`` give the same grids."""
    gen = _Generator(sizes, seed, today)
    premises = gen.premises()
    places = [p for p in premises if not p.bookable]
    members = gen.plan_members(hosted=min(len(places), sizes.members // 4))
    occupations = gen.occupations(premises, members)
    events, listed = gen.events()
    return {
        MEMBRES.name: gen.members_grid(members),
        LOCAUX.name: gen.premises_grid(premises),
        OCCUPATIONS.name: occupations,
        RESERVATIONS.name: gen.bookings(premises, members),
        EVENEMENTS.name: events,
        INSCRIPTIONS.name: gen.registrations(listed, members),
        TARIFS.name: tarifs_grid(),
    }


def cell_count(grids: Mapping[str, Grid]) -> int:
    return sum(len(row) for grid in grids.values() for row in grid)


# --------------------------------------------------------------------------- storage

_DATE_FORMAT = "DD/MM/YYYY"
_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_TIME_FORMAT = "HH:MM"


def write_xlsx(grids: Mapping[str, Grid], path: str | Path) -> Path:
    """Write the grids as an .xlsx (openpyxl write-only mode), dates as formatted date cells."""
    out = Path(path)
    wb = OpenpyxlWorkbook(write_only=True)
    for title, grid in grids.items():
        ws = wb.create_sheet(title)
        for line in grid:
            ws.append([_xlsx_cell(ws, value) for value in line])
    wb.save(out)
    return out


def _xlsx_cell(ws: Any, value: object) -> object:
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _DATETIME_FORMAT if value.time() != dt.time() else _DATE_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, dt.time):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _TIME_FORMAT
        return cell
    return value


def load_emulator(emulator: Any, key: str, grids: Mapping[str, Grid]) -> None:
    """Create (or replace) spreadsheet ``key`` in a running ``SheetsEmulator``."""
    emulator.create_spreadsheet(key, "Classeur MILA (benchmark)", sheets=dict(grids))


# --------------------------------------------------------------------------- shared helpers

T = TypeVar("T")
REPEATS = 3
# A measurement is repeated REPEATS times unless its runs already took this long: should a
# regression make one run take minutes, the whole benchmark still ends in reasonable time
# (the report then says how many runs a measurement had).
BUDGET_S = 300.0


@dataclass(frozen=True)
class Verdict:
    target: str  # « read: requests ≤ 2 »
    measured: str  # « 2 »
    met: bool


@dataclass(frozen=True)
class BenchResult:
    """What a benchmark module's ``run()`` gives ``run_all``: a title and a Markdown section
    (starting at ``###`` level), with the verdicts for the summary table."""

    title: str
    markdown_section: str
    verdicts: tuple[Verdict, ...] = ()


def repeat(fn: Callable[[], T], *, times: int = REPEATS, budget: float = BUDGET_S) -> list[T]:
    """Call ``fn`` up to ``times`` times, stopping early (after at least one call) once the
    calls so far took longer than ``budget`` seconds."""
    results: list[T] = []
    started = time.perf_counter()
    for _ in range(times):
        results.append(fn())
        if time.perf_counter() - started > budget:
            break
    return results


def in_child(
    fn: Callable[[Callable[[str], None]], T], on_mark: Callable[[str], None] | None = None
) -> T:
    """Run ``fn(mark)`` in a forked process and return what it returns.

    A fork is a fresh ``mila`` process with its modules already imported: the caches
    (``lru_cache`` on parsing, lazily loaded phone metadata...) start cold as in a real run,
    the memory it takes is its own, and the objects inherited from the parent are frozen
    out of the garbage collector's reach. ``mark(phase)`` stops the child until the parent
    has run ``on_mark(phase)`` (e.g. counted the emulator's requests so far).
    """
    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()

    def target() -> None:
        def mark(phase: str) -> None:
            there.send(("mark", phase))
            there.recv()

        # What the parent holds (the generated grids, the emulator's spreadsheets) is not
        # the child's: keep the garbage collector from walking it, as it would not in a
        # real `mila` process.
        gc.freeze()
        try:
            there.send(("done", fn(mark)))
        except BaseException:  # noqa: BLE001 - reported to the parent, which raises
            there.send(("error", traceback.format_exc()))

    process = context.Process(target=target, name="mila-bench-run", daemon=True)
    process.start()
    there.close()
    try:
        while True:
            try:
                kind, payload = here.recv()
            except EOFError:
                raise RuntimeError(
                    f"benchmark child process died (exit code {process.exitcode})") from None
            if kind == "mark":
                if on_mark is not None:
                    on_mark(payload)
                here.send(None)
            elif kind == "done":
                return payload  # type: ignore[no-any-return]
            else:
                raise RuntimeError(f"benchmark child process failed:\n{payload}")
    finally:
        process.join()
        here.close()


def median_of(runs: Sequence[Mapping[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:.1f} s"


def num(value: float) -> str:
    """``12345`` -> ``12 345``."""
    return f"{value:,.0f}".replace(",", " ")


def mib(size: float) -> str:
    return f"{size / 2**20:.0f} MiB" if size >= 10 * 2**20 else f"{size / 2**20:.1f} MiB"


def runs_note(count: int) -> str:
    if count >= REPEATS:
        return f"median of {count} runs"
    return f"{count} run{'s' if count > 1 else ''} only (budget {BUDGET_S:.0f} s exceeded)"


def md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict_word(met: bool) -> str:
    return "**met**" if met else "**not met**"


class StackSampler:
    """A statistical profiler light enough to run during a timed measurement.

    A thread looks at the main thread's stack every ``interval`` seconds and counts the
    innermost frame that belongs to the project (``automations``), with the project frame
    that called it: the share of samples of a function is the share of time spent in it or
    in library code it called.
    """

    def __init__(self, interval: float = 0.005, package: str = "automations") -> None:
        self.interval = interval
        self.package = f"{package}/"
        self.counts: Counter[str] = Counter()
        self.samples = 0
        self._stop = threading.Event()
        self._target = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, name="stack-sampler", daemon=True)

    def __enter__(self) -> StackSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(self._target)  # noqa: SLF001
            self.samples += 1
            found: list[str] = []
            while frame is not None and len(found) < 2:
                name = self._name(frame.f_code)
                if name is not None:
                    found.append(name)
                frame = frame.f_back
            if not found:
                self.counts["(outside `automations`)"] += 1
            else:
                self.counts[" ← ".join(found)] += 1

    def _name(self, code: Any) -> str | None:
        path = code.co_filename.replace("\\", "/")
        if self.package not in path:
            return None
        module = path.split(self.package, 1)[1][:-3].replace("/", ".")
        return f"`{module}.{getattr(code, 'co_qualname', code.co_name)}`"

    def top(self, count: int = 8) -> list[tuple[str, float]]:
        total = max(1, self.samples)
        return [(name, n / total) for name, n in self.counts.most_common(count)]


__all__ = [
    "BUDGET_S",
    "REPEATS",
    "BenchResult",
    "StackSampler",
    "Verdict",
    "md_table",
    "median_of",
    "in_child",
    "mib",
    "num",
    "repeat",
    "runs_note",
    "seconds",
    "verdict_word",
    "NOW",
    "TODAY",
    "Grid",
    "Sizes",
    "build_grids",
    "cell_count",
    "load_emulator",
    "tarifs_grid",
    "write_xlsx",
]


def run_one(run: Callable[..., BenchResult], description: str, quick_help: str = "small smoke size") -> None:
    """`python -m benchmarks.<name> [--quick]`: run one benchmark and print its section."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args()
    result = run(quick=args.quick)
    print(f"### {result.title}\n\n{result.markdown_section}")

