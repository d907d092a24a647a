"""What every tab of the demo shares: constants, small helpers, the rows being built, and
the story's state (:class:`Story`: the random generator, today, names already used, the
mistakes planted).
"""

from __future__ import annotations

import calendar
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from . import names

# --- Constants -------------------------------------------------------------------------------

FEE_SWITCH = date(2024, 3, 1)  # BASIC / PREMIUM replace the single 100 € HT fee
VAT = 0.20
FEES_HT = {"BENEFICIAIRE": 100, "BASIC": 120, "PREMIUM": 170, "CRESCENDO": 10}
HOSTED_RATE, HOSTED_CAP = 10, 700
CHARTER_DATE = date(2022, 10, 3)  # the values charter was adopted

POLE_ADDRESS = "12 rue Émile Blémont, 75018 Paris"
MILAB_ADDRESS = "4 rue André Messager, 75018 Paris"
SHOP_STREETS = ("rue Émile Blémont", "rue André Messager", "rue Letort")

DATE_FMT = "DD/MM/YYYY"
DATETIME_FMT = "DD/MM/YYYY HH:MM"
TIME_FMT = "HH:MM"
EURO_FMT = '#,##0.00 "€"'

OK_STATUSES = ("à jour", "à renouveler")

# --- Small helpers -------------------------------------------------------------------------


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _with_check_digit(partial: str) -> str:
    return next(partial + d for d in "0123456789" if luhn_is_valid(partial + d))


def make_siret(rng: random.Random) -> str:
    """A 14-digit SIRET whose SIREN (9 digits) and whole number pass the Luhn check."""
    head = rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(7))
    siren = _with_check_digit(head)
    return _with_check_digit(siren + f"{rng.randint(1, 48):04d}")


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def period_end(paid: date) -> date:
    return add_months(paid, 12) - timedelta(days=1)


def fr_amount(value: float) -> str:
    """``1234.5`` -> ``"1 234,50 €"``, as staff type it."""
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return f"{text} €"


def fr_date(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def weekday_on_or_after(d: date, weekday: int = 0) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def business_day(d: date) -> date:
    return d if d.weekday() < 5 else weekday_on_or_after(d, 0)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = weekday_on_or_after(date(year, month, 1), weekday)
    return first + timedelta(weeks=n - 1)


def is_holiday(d: date) -> bool:
    """Fixed-date French public holidays, and the Christmas week when the pôle is closed."""
    return (d.month, d.day) in _HOLIDAYS or (d.month == 12 and d.day >= 22)


_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def working_day_before(d: date | None) -> date | None:
    """``d``, or the last day before it when it falls on a holiday (nobody joins on 25 December)."""
    while d is not None and is_holiday(d):
        d -= timedelta(days=1)
    return d


def weighted_sample(rng: random.Random, items: Sequence, weights: Sequence[float], k: int) -> list:
    """k distinct items, drawn without replacement with the given weights."""
    keyed = sorted(((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)), reverse=True)
    return [items[i] for _, i in keyed[:k]]


def phone_number(rng: random.Random, company: bool) -> str | None:
    """A French number typed in one of the usual ways, or none (8 %)."""
    if rng.random() < 0.08:
        return None
    if company and rng.random() < 0.35:
        digits = "01" + rng.choice("4567") + "".join(rng.choice("0123456789") for _ in range(7))
    elif rng.random() < 0.7:
        digits = "06" + rng.choice("12345678") + "".join(rng.choice("0123456789") for _ in range(7))
        digits = digits.replace("0639", "0637", 1)  # 06 39 and 06 9x are overseas ranges
    else:
        digits = "07" + rng.choice("5678") + "".join(rng.choice("0123456789") for _ in range(7))
    pairs = [digits[i : i + 2] for i in range(0, 10, 2)]
    style = rng.random()
    if style < 0.6:
        return " ".join(pairs)
    if style < 0.8:
        return "+33 " + digits[1] + " " + " ".join(pairs[1:])
    if style < 0.9:
        return digits
    return ".".join(pairs)


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A day from ``start`` to ``end``, both included (``start`` when they cross)."""
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def fee_paid(m: DemoMember | SizedMember) -> float | None:
    """The VAT-inclusive amount the member paid on ``m.paid``, by the fee history."""
    if m.paid is None:
        return None
    if m.category == "membre de droit":
        return 0.0
    if m.category == "hébergé":
        ht = min((m.surface or 10) * HOSTED_RATE, HOSTED_CAP)
    elif m.paid < FEE_SWITCH or m.forfait is None:
        ht = FEES_HT["BENEFICIAIRE"] if m.paid < FEE_SWITCH else FEES_HT["BASIC"]
    else:
        ht = FEES_HT[m.forfait] + (FEES_HT["CRESCENDO"] if m.crescendo else 0)
    return round(ht * (1 + VAT), 2)


# --- Internal rows -------------------------------------------------------------------------


@dataclass(eq=False)
class DemoMember:
    structure: str
    activity: str
    first: str
    last: str
    female: bool
    category: str
    joined: date
    individual: bool = False
    forfait: str | None = None
    crescendo: bool = False
    paid: date | None = None
    amount: float | None = None
    charter: date | None = None
    left: date | None = None
    siret: str | None = None
    email: str = ""
    phone: str | None = None
    note: str | None = None
    surface: int | None = None
    former_tenant: bool = False
    id: str | None = None
    referable: bool = True  # may appear in other tabs
    cells: dict[str, object] = field(default_factory=dict)  # values as typed, overriding

    @property
    def contact(self) -> str:
        return f"{self.first} {self.last}"

    def status(self, today: date) -> str:
        if self.left is not None and self.left <= today:
            return "sortie"
        if self.paid is None:
            return "en attente"
        end = period_end(self.paid)
        if end < today:
            return "échue"
        return "à renouveler" if end <= today + timedelta(days=30) else "à jour"

    def active_on(self, d: date) -> bool:
        return self.joined <= d and (self.left is None or self.left > d)


@dataclass(eq=False)
class DemoPremise:
    id: str
    name: str
    site: str
    address: str
    surface: int | None = None
    capacity: int | None = None
    rent: float | None = None
    day_rate: float | None = None
    week_rate: float | None = None
    bookable: str | None = None
    remark: str | None = None


@dataclass(eq=False)
class DemoEvent:
    day: date
    hour: time | None
    type: str
    title: str
    speakers: str = ""
    place: str = ""
    capacity: int | None = None
    reserved: str | None = None
    id: str = ""
    cells: dict[str, object] = field(default_factory=dict)


# --- The story's state and people -------------------------------------------------------------


class Story:
    """The state every tab's part of the story shares: the random generator (one, drawn in
    a fixed order: the same seed gives the same workbook), today, the names already used, and
    the mistakes planted so far."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.y0 = today.year - 2  # the three years: y0, y0 + 1, y0 + 2 (current)
        self.used_structures: list[str] = []
        self.used_people: list[tuple[str, str]] = []
        self.mistakes: dict[str, tuple[str, object]] = {}  # code -> (tab, row object)

    # -- people and structures --

    def person(self, female: bool | None = None) -> tuple[str, str, bool]:
        rng = self.rng
        for _ in range(1000):
            fem = rng.random() < 0.55 if female is None else female
            first = rng.choice(names.FEMALE_FIRST_NAMES if fem else names.MALE_FIRST_NAMES)
            last = rng.choice(names.LAST_NAMES)
            if (first, last) not in self.used_people:
                self.used_people.append((first, last))
                return first, last, fem
        raise RuntimeError("out of names")  # pragma: no cover

    def structure(self) -> tuple[str, str]:
        pool = [
            (name, kind)
            for kind, names in names.STRUCTURES.items()
            for name in names
            if name not in self.used_structures
        ]
        name, kind = self.rng.choice(pool)
        self.used_structures.append(name)
        return name, kind

    def email(self, m: DemoMember) -> str:
        rng = self.rng
        first, last = slugify(m.first), slugify(m.last)
        if m.individual:
            return f"{first}.{last}@{rng.choice(('example.com', 'example.org', 'example.net'))}"
        domain = slugify(m.structure) + rng.choice((".fr", ".fr", ".fr", ".com", ".net"))
        local = rng.choice((first, f"{first}.{last}", "contact", "bonjour", first[0] + last))
        return f"{local}@{domain}"

    def new_member(
        self,
        category: str,
        joined: date,
        *,
        structure: tuple[str, str] | None = None,
        individual: bool = False,
        female: bool | None = None,
    ) -> DemoMember:
        first, last, fem = self.person(female)
        if individual:
            name, activity = f"{first} {last}", self.rng.choice(names.INDIVIDUAL_ACTIVITIES)
        else:
            name, activity = structure or self.structure()
        m = DemoMember(name, activity, first, last, fem, category, joined, individual=individual)
        m.email = self.email(m)
        m.phone = phone_number(self.rng, company=not individual)
        if not individual or self.rng.random() < 0.5:
            m.siret = make_siret(self.rng)
            if self.rng.random() < 0.12:
                s = m.siret
                m.cells["SIRET"] = f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"
        return m

    def mistake_rows(self) -> list[object]:
        """The rows (or members) a mistake was planted on: other habits leave them alone."""
        return [row for _, row in self.mistakes.values()]


# --- Workbooks of any size (the benchmarks') ---------------------------------------------------

Grid = list[list[Any]]  # a tab as {row: [cells]}, row 1 = headers


@dataclass(frozen=True)
class Counts:
    """Rows per tab of a sized workbook (data rows, header excluded)."""

    members: int
    premises: int
    occupations: int
    bookings: int
    events: int
    registrations: int


@dataclass(eq=False)
class SizedMember:
    id: str | None
    category: str
    joined: date
    paid: date | None
    left: date | None
    forfait: str | None
    crescendo: bool
    surface: int | None = None


@dataclass(eq=False)
class SizedPremises:
    id: str
    name: str
    site: str
    surface: int | None
    bookable: bool
    capacity: int | None


class SizedStory:
    """The state a workbook of any size is drawn from: the same people, structures, phone
    numbers, fees and staff habits as the demo, in the proportions of a big association, with
    about 1 % of rows carrying a real-life mistake."""

    def __init__(self, counts: Counts, seed: int, today: date) -> None:
        self.counts = counts
        self.rng = random.Random(seed)
        self.today = today
        self.emails: set[str] = set()
        self.structures = [n for group in names.STRUCTURES.values() for n in group]
        self.activities = list(names.STRUCTURES)

    def typed_date(self, day: date | None, share: float = 0.03) -> object:
        """A date cell, or now and then the date typed as text as staff do."""
        if day is None:
            return None
        r = self.rng.random()
        if r < share * 0.7:
            return f"{day:%d/%m/%Y}"
        if r < share:
            return f"{day.day}/{day.month}/{day:%y}"
        return day

    def member_for(self, pool: Sequence[SizedMember], day: date, *, paid_up: bool) -> SizedMember | None:
        """A member of ``pool`` who is a member on ``day`` and, when ``paid_up``, whose
        period covers it (bookings and registrations to come are by members up to date)."""
        for _ in range(60):
            m = self.rng.choice(pool)
            if m.joined > day or (m.left is not None and m.left <= day):
                continue
            if paid_up and (m.paid is None or period_end(m.paid) < day):
                continue
            return m
        return None

    def email(self, local: str, domain: str) -> str:
        """``local@domain``, numbered when the address is taken already."""
        address = f"{local}@{domain}"
        n = 2
        while address in self.emails:
            address = f"{local}{n}@{domain}"
            n += 1
        self.emails.add(address)
        return address
