"""A realistic demo workbook: three years of a fictional MILA, with staff habits and mistakes.

``build_demo_workbook(path)`` writes an .xlsx that follows ../shared/SHEETS.md: about 120
members, the pépinière offices, the shops and the Milab, conventions, bookings, events and
registrations over three years, the real fee history, the board, report figures and texts.
Everything is fictional and deterministic for a given ``seed`` and ``today``.

Like a sheet the staff keep by hand, it mixes date cells with dates typed as text, amounts
with ``1 234,50 €`` strings, adds columns of its own (``Notes``...), leaves the (calc.)
columns empty for the jobs, and holds a handful of real-life mistakes listed in
``KNOWN_MISTAKES`` so that ``mila check`` has something to report.
"""

from __future__ import annotations

import calendar
import os
import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import demo_data as data
from .demo_payments import build_demo_payments, write_demo_imports
from .schema import (
    BOARD_FUNCTIONS,
    CHIFFRES,
    CONSEIL,
    EVENEMENTS,
    INSCRIPTIONS,
    LOCAUX,
    MEMBRES,
    OCCUPATIONS,
    PAIEMENTS,
    RESERVATIONS,
    TARIFS,
    TEXTES,
    Column,
    Tab,
)

__all__ = [
    "KNOWN_MISTAKES",
    "DemoSummary",
    "KnownMistake",
    "MistakeLocation",
    "build_demo_workbook",
]

# --- The deliberate mistakes -------------------------------------------------------------


class KnownMistake(NamedTuple):
    """A mistake the staff really make, planted once in the demo workbook."""

    tab: str
    what: str  # French, as `mila check` would explain it
    column: str
    code: str


KNOWN_MISTAKES: tuple[KnownMistake, ...] = (
    KnownMistake(
        MEMBRES.name, "SIRET dont la clé de contrôle est fausse", "SIRET", "siret_checksum"
    ),
    KnownMistake(
        MEMBRES.name,
        "email avec une virgule au lieu d'un point (…@gmail,com)",
        "Email",
        "email_typo",
    ),
    KnownMistake(
        MEMBRES.name, "date impossible saisie en texte (31/02)", "Adhésion le", "impossible_date"
    ),
    KnownMistake(
        MEMBRES.name,
        "bénéficiaire sans forfait alors que sa période commence après le 01/03/2024",
        "Forfait",
        "missing_forfait",
    ),
    KnownMistake(
        MEMBRES.name, "ID en double : ligne copiée sans effacer l'ID", "ID", "duplicate_id"
    ),
    KnownMistake(
        MEMBRES.name, "nouvelle ligne sans ID (la synchronisation l'attribue)", "ID", "blank_id"
    ),
    KnownMistake(INSCRIPTIONS.name, "ID de membre inconnu", "Membre", "unknown_member"),
    KnownMistake(
        RESERVATIONS.name, "réservation qui finit avant de commencer", "Fin", "end_before_start"
    ),
    KnownMistake(
        RESERVATIONS.name,
        "deux réservations confirmées de la salle de réunion qui se chevauchent",
        "Début",
        "room_overlap",
    ),
)


class MistakeLocation(NamedTuple):
    """Where a known mistake landed for one seed: sheet row number and row ID (if any)."""

    code: str
    tab: str
    row: int
    row_id: str | None


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo_workbook`` wrote."""

    path: Path
    seed: int
    today: date
    counts: dict[str, int]  # tab name -> data rows
    categories: dict[str, int]  # Membres rows per Catégorie
    mistakes: tuple[MistakeLocation, ...]

    def lines(self) -> list[str]:
        """A French summary for the command line."""
        out = [
            f"Classeur de démonstration écrit dans {self.path} (graine {self.seed}, "
            f"date du jour {self.today:%d/%m/%Y})."
        ]
        out += [f"  {tab} : {n} lignes" for tab, n in self.counts.items()]
        cats = ", ".join(f"{n} {c}" for c, n in self.categories.items())
        out.append(f"  Membres par catégorie : {cats}")
        out.append(f"  {len(self.mistakes)} erreurs volontaires à trouver avec `mila check`.")
        return out


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

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CALC_FILL = PatternFill("solid", fgColor="EDEDED")
HEADER_FONT = Font(bold=True)
CALC_FONT = Font(bold=True, italic=True, color="595959")

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


def _weekday_on_or_after(d: date, weekday: int = 0) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def _business_day(d: date) -> date:
    return d if d.weekday() < 5 else _weekday_on_or_after(d, 0)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = _weekday_on_or_after(date(year, month, 1), weekday)
    return first + timedelta(weeks=n - 1)


def _is_holiday(d: date) -> bool:
    """Fixed-date French public holidays, and the Christmas week when the pôle is closed."""
    return (d.month, d.day) in _HOLIDAYS or (d.month == 12 and d.day >= 22)


_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))


def _working_day_before(d: date | None) -> date | None:
    """``d``, or the last day before it when it falls on a holiday (nobody joins on 25 December)."""
    while d is not None and _is_holiday(d):
        d -= timedelta(days=1)
    return d


def _distinct_surnames(fixed: list, hosted: list, benef: list, hosted_pool: list,
                       benef_pool: list) -> tuple[list, list]:
    """The board drawn, with a member whose surname another board member already bears
    replaced by the next one of its pool who shares none (no accidental family on the board)."""
    used = {m.contact.split()[-1] for m in fixed}
    chosen: list[list] = []
    for drawn, pool in ((hosted, hosted_pool), (benef, benef_pool)):
        kept = []
        for m in drawn:
            if m.contact.split()[-1] in used:
                m = next(c for c in pool if c.contact.split()[-1] not in used
                         and c not in drawn and c not in kept)
            used.add(m.contact.split()[-1])
            kept.append(m)
        chosen.append(kept)
    return chosen[0], chosen[1]


def _weighted_sample(rng: random.Random, items: Sequence, weights: Sequence[float], k: int) -> list:
    """k distinct items, drawn without replacement with the given weights."""
    keyed = sorted(((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)), reverse=True)
    return [items[i] for _, i in keyed[:k]]


# --- Internal rows -------------------------------------------------------------------------


@dataclass(eq=False)
class _Member:
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
class _Premise:
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
class _Occupation:
    premise: _Premise
    member: _Member
    start: date
    end: date | None = None
    rent: float | None = None
    deposit: float | None = None


@dataclass(eq=False)
class _Event:
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


# --- The builder ---------------------------------------------------------------------------


class _DemoBuilder:
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
            first = rng.choice(data.FEMALE_FIRST_NAMES if fem else data.MALE_FIRST_NAMES)
            last = rng.choice(data.LAST_NAMES)
            if (first, last) not in self.used_people:
                self.used_people.append((first, last))
                return first, last, fem
        raise RuntimeError("out of names")  # pragma: no cover

    def structure(self) -> tuple[str, str]:
        pool = [
            (name, kind)
            for kind, names in data.STRUCTURES.items()
            for name in names
            if name not in self.used_structures
        ]
        name, kind = self.rng.choice(pool)
        self.used_structures.append(name)
        return name, kind

    def phone(self, company: bool) -> str | None:
        rng = self.rng
        if rng.random() < 0.08:
            return None
        if company and rng.random() < 0.35:
            digits = "01" + rng.choice("4567") + "".join(rng.choice("0123456789") for _ in range(7))
        elif rng.random() < 0.7:
            digits = (
                "06" + rng.choice("12345678") + "".join(rng.choice("0123456789") for _ in range(7))
            )
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

    def email(self, m: _Member) -> str:
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
    ) -> _Member:
        first, last, fem = self.person(female)
        if individual:
            name, activity = f"{first} {last}", self.rng.choice(data.INDIVIDUAL_ACTIVITIES)
        else:
            name, activity = structure or self.structure()
        m = _Member(name, activity, first, last, fem, category, joined, individual=individual)
        m.email = self.email(m)
        m.phone = self.phone(company=not individual)
        if not individual or self.rng.random() < 0.5:
            m.siret = make_siret(self.rng)
            if self.rng.random() < 0.12:
                s = m.siret
                m.cells["SIRET"] = f"{s[:3]} {s[3:6]} {s[6:9]} {s[9:]}"
        return m

    def random_day(self, start: date, end: date) -> date:
        if end <= start:
            return start
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def fee_paid(self, m: _Member) -> float | None:
        """The VAT-inclusive amount the member paid on ``m.paid``."""
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

    # -- Locaux --

    def build_premises(self) -> list[_Premise]:
        rng = self.rng
        premises: list[_Premise] = []
        for n in range(1, 13):
            premises.append(
                _Premise(
                    f"L{n:02d}",
                    f"Bureau {n}",
                    "Pépinière",
                    POLE_ADDRESS,
                    10,
                    rent=250.0,
                    bookable="non",
                )
            )
        premises.append(
            _Premise(
                "L13",
                "Bureau 13",
                "Milab",
                MILAB_ADDRESS,
                16,
                rent=400.0,
                bookable="non",
                remark="Bureau principal du Milab",
            )
        )
        numbers: list[tuple[str, int]] = []
        while len(numbers) < 14:
            street = SHOP_STREETS[len(numbers) % 3]
            num = rng.randint(1, 38)
            if (street, num) not in numbers and not (street == "rue André Messager" and num == 4):
                numbers.append((street, num))
        for i, (street, num) in enumerate(numbers):
            surface = rng.choice((25, 28, 30, 32, 35, 38, 40, 42, 45, 50, 55, 60, 65, 72, 80, 85))
            short = street.split()[-1]
            premises.append(
                _Premise(
                    f"L{14 + i:02d}",
                    f"Boutique {short} {num}",
                    "Boutique",
                    f"{num} {street}, 75018 Paris",
                    surface,
                    rent=float(round(surface * rng.uniform(14, 19))),
                )
            )
        premises.append(
            _Premise(
                "L28",
                "Postes Milab",
                "Milab",
                MILAB_ADDRESS,
                None,
                capacity=6,
                day_rate=15.0,
                week_rate=60.0,
                bookable="oui",
                remark="6 postes en open space",
            )
        )
        premises.append(
            _Premise(
                "L29",
                "Salle de réunion",
                "Milab",
                MILAB_ADDRESS,
                18,
                capacity=1,
                day_rate=60.0,
                week_rate=None,
                bookable="oui",
                remark="12 places, écran et visioconférence",
            )
        )
        premises.append(
            _Premise(
                "L30",
                "Studio",
                "Milab",
                MILAB_ADDRESS,
                25,
                capacity=1,
                day_rate=80.0,
                week_rate=320.0,
                bookable="oui",
                remark="Sous-sol en partie insonorisé : voix, podcast",
            )
        )
        premises[3].remark = "Dégât des eaux : plafond refait"
        return premises

    # -- Membres and Occupations --

    def build_members_and_occupations(
        self, premises: list[_Premise]
    ) -> tuple[list[_Member], list[_Occupation]]:
        rng, today, y0 = self.rng, self.today, self.y0
        offices = premises[:12]
        milab_office = premises[12]
        shops = premises[13:27]
        members: list[_Member] = []
        occupations: list[_Occupation] = []
        former = list(data.FORMER_TENANTS)
        rng.shuffle(former)

        def occupy(p: _Premise, m: _Member, start: date, end: date | None = None) -> _Occupation:
            occ = _Occupation(p, m, start, end)
            if p.site != "Boutique":
                occ.deposit = 2 * (p.rent or 0)
                if start < date(y0 - 3, 1, 1) and rng.random() < 0.6:
                    occ.rent = (p.rent or 0) - 20  # older convention, older rate
            elif rng.random() < 0.3:
                occ.deposit = float(round((p.rent or 0) * 3, -1))
            occupations.append(occ)
            return occ

        # Office turnovers: (office index, end of the former occupation, start of the next one)
        first_of_month = date(today.year, today.month, 1)
        vacant_end = add_months(first_of_month, -2) - timedelta(days=1)
        late_start = add_months(first_of_month, -1)
        late_end = add_months(late_start, -3) - timedelta(days=1)
        idx = rng.sample(range(12), 10)
        turnovers: list[tuple[_Premise, date, date | None]] = [
            (offices[idx[0]], date(y0 - 2, 3, 31), date(y0 - 2, 5, 1)),
            (offices[idx[1]], date(y0, 3, 31), date(y0, 4, 1)),
            (offices[idx[2]], date(y0, 6, 30), date(y0, 7, 1)),
            (offices[idx[3]], date(y0, 8, 31), date(y0, 9, 1)),
            (offices[idx[4]], date(y0, 9, 30), date(y0, 10, 15)),
            (offices[idx[5]], date(y0, 12, 31), date(y0 + 1, 1, 1)),
            (milab_office, date(y0, 6, 30), date(y0, 9, 1)),
            (offices[idx[6]], date(y0 + 1, 2, 28), date(y0 + 1, 3, 1)),
            (offices[idx[7]], date(y0 + 1, 9, 30), date(y0 + 1, 10, 1)),
            (offices[idx[8]], late_end, late_start),
            (offices[idx[9]], vacant_end, None),
        ]
        vacant = offices[idx[9]]
        vacant.remark = (
            f"Libre depuis le {fr_date(vacant_end + timedelta(days=1))}, candidatures en cours"
        )
        next_start: dict[str, date] = {}
        stays = {
            1,
            3,
            5,
            7,
            8,
            9,
        }  # former tenants who stay as bénéficiaires (moved out, kept membership)
        for k, (premise, end, start_next) in enumerate(turnovers):
            name, kind = former[k]
            self.used_structures.append(name)
            joined = add_months(end, -rng.randint(30, 70))
            joined = date(joined.year, joined.month, 1)
            m = self.new_member("hébergé", joined, structure=(name, kind))
            m.surface, m.former_tenant = premise.surface, True
            occupy(premise, m, joined, end)
            if k in stays:
                m.category = "bénéficiaire"
            else:
                m.left = end
                m.paid = self.random_day(add_months(end, -11), end - timedelta(days=30))
            members.append(m)
            if start_next is not None:
                next_start[premise.id] = start_next

        # Current hosted members: 11 offices + the Milab office + 14 shops.
        hosted_places = [p for p in offices if p is not vacant] + [milab_office] + shops
        newest: _Member | None = None
        for p in hosted_places:
            if p.id in next_start:
                start = next_start[p.id]
            elif p.site == "Boutique":
                start = date(rng.randint(2007, y0 - 2), rng.randint(1, 12), 1)
            else:
                start = date(rng.randint(y0 - 9, y0 - 3), rng.choice((1, 3, 4, 6, 9, 10)), 1)
            structure = None
            if p.site == "Boutique":
                structure = data.SHOP_STRUCTURES[shops.index(p)]
                self.used_structures.append(structure[0])
            joined = start
            if start != late_start and rng.random() < 0.3:  # a bénéficiaire before moving in
                joined = add_months(start, -rng.randint(6, 30))
            m = self.new_member("hébergé", joined, structure=structure)
            m.surface = p.surface
            occupy(p, m, start)
            members.append(m)
            if start == late_start:
                newest = m

        hosted = [m for m in members if m.category == "hébergé" and m.left is None]
        statuses = ["à renouveler"] * 2 + ["échue"] + ["à jour"] * (len(hosted) - 3)
        rng.shuffle(statuses)
        for m in hosted:
            if m is newest:
                continue  # moved in last month, first invoice not paid yet: en attente
            self.set_payment(m, statuses.pop())

        # The membre de droit.
        mdd = self.new_member("membre de droit", date(2016, 6, 14), individual=True, female=False)
        mdd.structure, mdd.activity, mdd.siret = mdd.contact, "Personne physique", None
        mdd.paid = add_months(date(y0 + 2, 7, 1), -12 if today < date(y0 + 2, 7, 1) else 0)
        members.append(mdd)

        # Former tenants who stayed, then regular bénéficiaires.
        stayed = [m for m in members if m.category == "bénéficiaire"]
        for m in stayed:
            self.set_payment(m, "à jour" if rng.random() < 0.7 else "échue")
            self.choose_forfait(m)
        targets = ["sortie"] * 5 + ["en attente"] * 4 + ["échue"] * 14 + ["à renouveler"] * 8
        targets += ["à jour"] * (87 - len(targets))
        rng.shuffle(targets)
        for target in targets:
            individual = rng.random() < 0.11
            m = self.new_member("bénéficiaire", today, individual=individual)
            self.set_payment(m, target)
            self.choose_forfait(m)
            members.append(m)

        # Crescendo option: about 18 bénéficiaires with a forfait, mostly women.
        candidates = [m for m in members if m.category == "bénéficiaire" and m.forfait]
        weights = [4.0 if m.female else 0.3 for m in candidates]
        for m in _weighted_sample(rng, candidates, weights, 18):
            m.crescendo = True

        for m in members:
            m.amount = self.fee_paid(m)
            self.sign_charter(m)
        self.plant_member_mistakes(members)
        self.staff_habits(members)

        members.sort(key=lambda m: (m.joined, m.structure))
        for n, m in enumerate(members, start=1):
            m.id = MEMBRES.format_id(n)

        # Two rows added at the bottom by hand: a row copied from a recent bénéficiaire whose
        # ID was not cleared, and a brand-new row without ID. Neither the copy nor its original
        # is referenced elsewhere, so that the duplicate does not spread to other tabs.
        original = next(
            m
            for m in reversed(members)
            if m.category == "bénéficiaire" and m not in self.mistake_rows()
        )
        original.referable = False
        dup = self.new_member("bénéficiaire", today - timedelta(days=6))
        dup.forfait, dup.paid = "BASIC", today - timedelta(days=6)
        dup.amount, dup.charter, dup.id, dup.referable = (
            self.fee_paid(dup),
            dup.paid,
            original.id,
            False,
        )
        dup.note = "Ajouté(e) après le salon"
        blank = self.new_member("bénéficiaire", today - timedelta(days=2), individual=True)
        blank.forfait, blank.referable, blank.note = "PREMIUM", False, "Adhésion reçue par email"
        members += [dup, blank]
        self.mistakes["duplicate_id"] = (MEMBRES.name, dup)
        self.mistakes["blank_id"] = (MEMBRES.name, blank)
        return members, occupations

    def set_payment(self, m: _Member, target: str) -> None:
        """Payment (and joining / leaving) dates that give ``target`` as status on today."""
        rng, today = self.rng, self.today
        year_ago = add_months(today, -12)

        def joined_before(d: date, new_share: float) -> date:
            if m.category == "bénéficiaire" and m.joined >= today - timedelta(days=1):
                if rng.random() < new_share:
                    return d
                years = range(2012, d.year + 1)
                weights = [
                    (1.0 + 0.6 * (y - 2012) ** 1.3) * (2.5 if y == self.y0 else 1.0) for y in years
                ]
                year = rng.choices(years, weights=weights)[0]
                return min(self.random_day(date(year, 1, 2), date(year, 12, 20)), d)
            return m.joined

        if target == "en attente":
            m.joined = today - timedelta(days=rng.randint(3, 70))
            m.paid = None
        elif target == "à jour":
            paid = today - timedelta(days=rng.randint(35, 330))
            m.joined = joined_before(paid, 0.3)
            m.paid = max(paid, m.joined)
        elif target == "à renouveler":
            paid = year_ago + timedelta(days=rng.randint(3, 27))
            m.joined = joined_before(paid, 0.4)
            m.paid = max(paid, m.joined)
        elif target == "échue":
            paid = today - timedelta(days=rng.randint(400, 1250))
            m.joined = joined_before(paid, 0.5)
            m.paid = max(paid, m.joined)
        elif target == "sortie":
            left = today - timedelta(days=rng.randint(30, 700))
            paid = left - timedelta(days=rng.randint(60, 340))
            m.joined = joined_before(paid, 0.3)
            m.paid, m.left = max(paid, m.joined), left

    def choose_forfait(self, m: _Member) -> None:
        """A forfait for every bénéficiaire (the next period needs one), except some who left
        before the forfaits existed."""
        rng = self.rng
        before = m.paid is not None and m.paid < FEE_SWITCH
        if m.left is None or not before or rng.random() < 0.3:
            m.forfait = "PREMIUM" if rng.random() < 0.36 else "BASIC"

    def sign_charter(self, m: _Member) -> None:
        rng = self.rng
        if m.joined < CHARTER_DATE:
            if m.left is not None and m.left < CHARTER_DATE + timedelta(days=200):
                return
            if rng.random() < 0.82:
                m.charter = self.random_day(CHARTER_DATE, date(2023, 6, 30))
        elif rng.random() < 0.9 and (m.paid is not None or rng.random() < 0.5):
            m.charter = m.joined + timedelta(days=rng.choice((0, 0, 0, 1, 3, 8)))
            m.charter = min(m.charter, self.today)

    def plant_member_mistakes(self, members: list[_Member]) -> None:
        rng, y0 = self.rng, self.y0
        benef = [m for m in members if m.category == "bénéficiaire" and m.left is None]
        ok = [m for m in benef if m.status(self.today) in OK_STATUSES]

        m = rng.choice([b for b in ok if b.siret and not b.individual])
        bad = m.siret[:-1] + str((int(m.siret[-1]) + 1) % 10)
        m.siret, m.cells["SIRET"] = bad, bad
        self.mistakes["siret_checksum"] = (MEMBRES.name, m)

        m = rng.choice([b for b in ok if b.individual] or ok)
        m.email = f"{slugify(m.first)}.{slugify(m.last)}@gmail,com"
        self.mistakes["email_typo"] = (MEMBRES.name, m)

        feb = date(y0 + 1, 2, 27)
        pool = [
            b
            for b in benef
            if b.paid is not None
            and b.paid >= date(y0 + 1, 3, 1)
            and not b.former_tenant
            and b not in self.mistake_rows()
        ]
        m = rng.choice(pool)
        m.joined = feb
        if m.charter is not None:
            m.charter = feb + timedelta(days=4)
        m.cells["Adhésion le"] = f"31/02/{y0 + 1}"
        self.mistakes["impossible_date"] = (MEMBRES.name, m)

        pool = [
            b
            for b in ok
            if b.forfait == "BASIC" and not b.crescendo and b not in self.mistake_rows()
        ]
        m = rng.choice(pool)
        m.forfait = None
        self.mistakes["missing_forfait"] = (MEMBRES.name, m)

    def mistake_rows(self) -> list[object]:
        return [row for _, row in self.mistakes.values()]

    def staff_habits(self, members: list[_Member]) -> None:
        """Dates typed as text, amounts typed with a euro sign, ``x`` for yes, notes."""
        rng = self.rng
        plain = [m for m in members if m not in self.mistake_rows()]
        for m in rng.sample([m for m in plain if m.paid], 4):
            m.cells["Cotisation payée le"] = fr_date(m.paid)
        for m in rng.sample([m for m in plain if m.charter], 3):
            m.cells["Charte signée le"] = fr_date(m.charter)
        for m in rng.sample([m for m in plain if m.amount], 8):
            m.cells["Montant payé"] = (
                fr_amount(m.amount) if rng.random() < 0.7 else f"{m.amount:g} €"
            )
        for m in rng.sample([m for m in plain if m.crescendo], 2):
            m.cells["Option Crescendo"] = "x"
        for m in rng.sample(plain, 14):
            m.note = rng.choice(data.NOTES_MEMBRES)
        for m in plain:
            if not m.crescendo and m.category == "bénéficiaire" and rng.random() < 0.25:
                m.cells["Option Crescendo"] = "non"

    # -- Événements and Inscriptions --

    def build_events(self) -> list[_Event]:
        rng = self.rng
        events: list[_Event] = []
        club_titles = [t for t in data.CLUB_TITLES if not t.startswith("Rentrée")]
        rentree = next(t for t in data.CLUB_TITLES if t.startswith("Rentrée"))
        rng.shuffle(club_titles)
        workshop_titles = list(data.CRESCENDO_WORKSHOP_TITLES)
        rng.shuffle(workshop_titles)
        pole, room, cafet = "Pôle MILA", "Pôle MILA – salle de réunion", "Pôle MILA – cafétéria"

        def speakers(pool: Sequence[tuple[str, str]], k: int = 1) -> str:
            return "; ".join(f"{n} ({o})" for n, o in rng.sample(list(pool), k))

        def day(
            year: int, month: int, weekdays: Sequence[int] = (1, 3), weeks: Sequence[int] = (2, 3)
        ) -> date:
            return _nth_weekday(year, month, rng.choice(weekdays), rng.choice(weeks))

        def add(d: date, hour: time | None, type_: str, title: str, **kw: object) -> None:
            while _is_holiday(d):  # same weekday, a week later in January, earlier otherwise
                d += timedelta(days=7 if d.month == 1 else -7)
            events.append(_Event(d, hour, type_, title, **kw))  # type: ignore[arg-type]

        experts = data.EXPERTS
        for year in (self.y0, self.y0 + 1, self.y0 + 2):
            for month in (1, 2, 3, 4, 5, 6, 9, 10, 12):
                title = rentree if month == 9 else club_titles.pop()
                who = (
                    "Équipe MILA (MILA)"
                    if month == 9
                    else speakers(data.CLUB_SPEAKERS, rng.choice((1, 1, 2)))  # keeps the draw
                )
                if title in data.CLUB_TITLE_SPEAKERS:  # speakers whose trade is the topic
                    who = "; ".join(f"{n} ({o})" for n, o in data.CLUB_TITLE_SPEAKERS[title])
                add(
                    day(year, month),
                    time(18, 30),
                    "Club MILA",
                    title,
                    speakers=who,
                    place=pole,
                    capacity=35,
                )
            for month, (title_place, place) in zip(
                (1, 2, 4, 6, 10, 12), _CRESCENDO_PLACES, strict=True
            ):
                add(
                    day(year, month, (1, 2, 3), (2, 3)),
                    time(18, 0),
                    "Crescendo – Rencontre networking",
                    f"Rencontre networking Crescendo {title_place}",
                    speakers=speakers(data.CRESCENDO_GUESTS),
                    place=place,
                )
            for month in (1, 3, 5, 6, 9, 11):
                add(
                    day(year, month, (0, 2), (3, 4)),
                    time(14, 0),
                    "Crescendo – Atelier pratique",
                    workshop_titles.pop(),
                    speakers=speakers(data.CRESCENDO_SPEAKERS),
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
                    _CONSULTATION_TITLE,
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
            for title, month, reserved in data.NETWORKING_TITLES:
                place = "Hors les murs" if "hors les murs" in title else pole
                add(
                    day(year, month, (1, 2, 3)),
                    time(18, 30),
                    "Rencontre networking",
                    title,
                    place=place,
                    reserved=reserved,
                )
            for month, (org, what) in zip(
                (3, 10), rng.sample(data.AFTERWORK_PROVIDERS, 2), strict=True
            ):
                add(
                    day(year, month, (3,)),
                    time(18, 30),
                    "Afterwork",
                    f"Afterwork avec {org}, {what}",
                    speakers="{} {} ({})".format(*self.person()[:2], org),
                    place=pole,
                )
            add(
                _nth_weekday(year, 12, 3, 3),
                time(18, 30),
                "Afterwork",
                "Noël des adhérent·e·s",
                place=pole,
            )
            months = [1, 2, 3, 4, 5, 6, 9, 10, 11, 12]
            months.remove(rng.choice(months[:-1]))
            for month, region in zip(
                months, rng.sample(data.OENOLOGIE_REGIONS, len(months)), strict=True
            ):
                add(
                    day(year, month, (3,), (4,)),
                    time(19, 0),
                    "Club Oenologie",
                    f"Club Oenologie : vins de {region}",
                    place=room,
                    capacity=12,
                )
            for month, title in data.DEJ_ROULETTE:
                add(day(year, month, (3,), (1,)), time(12, 30), "Déj Roulette", title, place=cafet)
            for title, month, place in data.REPRESENTATIONS:
                add(
                    day(year, month, (0, 1, 2, 3, 4), (1, 2, 3)),
                    None,
                    "Représentation",
                    title,
                    place=place,
                )
            ag = date(year, 7, 2) if year == self.y0 else _nth_weekday(year, 6, 1, 4)
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
        self, events: list[_Event], members: list[_Member]
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
            chosen = _weighted_sample(rng, pool, weights, min(n, len(pool)))
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
        at = datetime.combine(min(club.day, today), time(0)) - timedelta(
            days=2, hours=-10, minutes=-17
        )
        ghost = {
            "Événement": club.id,
            "Membre": "M0412",
            "Inscrit le": at,
            "Statut": "inscrit" if club.day >= today else "présent",
            "_at": at,
        }
        rows.append(ghost)
        rows.sort(key=lambda r: r["_at"])  # type: ignore[arg-type, return-value]
        for n, r in enumerate(rows, start=1):
            r["ID"] = INSCRIPTIONS.format_id(n)
            del r["_at"]
        self.mistakes["unknown_member"] = (INSCRIPTIONS.name, ghost)
        return rows

    @staticmethod
    def eligible(m: _Member, e: _Event) -> bool:
        if e.reserved == "Crescendo":
            return m.crescendo
        if e.reserved == "PREMIUM":
            return m.forfait == "PREMIUM" or m.category == "hébergé"
        if e.reserved == "hébergés":
            return m.category == "hébergé"
        return True

    # -- Réservations --

    def build_bookings(
        self, premises: list[_Premise], members: list[_Member]
    ) -> list[dict[str, object]]:
        rng, today = self.rng, self.today
        desks, room, studio = (
            next(p for p in premises if p.name == n)
            for n in ("Postes Milab", "Salle de réunion", "Studio")
        )
        people = [m for m in members if m.referable and m.category != "membre de droit"]
        regulars = rng.sample([m for m in people if m.category == "bénéficiaire"], 16)
        horizon = today + timedelta(days=45)
        if horizon.year > today.year and today < date(today.year, 12, 10):
            horizon = date(today.year, 12, 21)  # bookings for January are not taken yet
        rows: list[dict[str, object]] = []
        desk_use: dict[date, list[_Member]] = {}
        room_use: dict[date, list[tuple[time, time]]] = {}
        studio_use: list[date] = []

        def status(d: date) -> str:
            r = rng.random()
            if d >= today:
                return "demandée" if r < 0.45 else "annulée" if r > 0.95 else "confirmée"
            return "confirmée" if r < 0.88 else "annulée" if r < 0.98 else "demandée"

        def who(pool: list[_Member], d: date) -> _Member | None:
            cands = [m for m in pool if m.active_on(d)]
            if d >= today:
                cands = [m for m in cands if m.status(today) in OK_STATUSES]
            if not cands:
                return None
            return _weighted_sample(
                rng, cands, [1.0 if m.status(today) in OK_STATUSES else 0.3 for m in cands], 1
            )[0]

        def book(
            res: _Premise,
            m: _Member | None,
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
            rows.append(row)
            return row

        # The two planted mistakes first, so that nothing else lands on them.
        d = _business_day(today + timedelta(days=9))
        a = who(people, d)
        book(
            room,
            a,
            datetime.combine(d, time(14, 0)),
            datetime.combine(d, time(17, 0)),
            "jour",
            "confirmée",
            comment="Réunion d'équipe",
        )
        ov2 = book(
            room,
            None,
            datetime.combine(d, time(16, 0)),
            datetime.combine(d, time(18, 0)),
            "gracieux",
            "confirmée",
            org=rng.choice(data.NEIGHBOURHOOD_ASSOCIATIONS),
            comment="Réunion du bureau",
        )
        room_use[d] = [(time(0), time(23, 59))]
        s = _weekday_on_or_after(today + timedelta(days=16), 0)
        bad = book(
            studio,
            who(people, s),
            s,
            s - timedelta(days=2),
            "semaine",
            "demandée",
            comment="Enregistrement podcast",
        )
        studio_use += [s + timedelta(days=i) for i in range(5)]
        self.mistakes["room_overlap"] = (RESERVATIONS.name, ov2)
        self.mistakes["end_before_start"] = (RESERVATIONS.name, bad)

        # Desks: weekly and daily bookings, never more than 5 of the 6 desks on one day.
        monday = _weekday_on_or_after(date(self.y0, 1, 8), 0)
        while monday <= horizon:
            quiet = (
                monday.month == 8 or _is_holiday(monday) or _is_holiday(monday + timedelta(days=4))
            )
            if not quiet or rng.random() < 0.15:
                week = [monday + timedelta(days=i) for i in range(5)]
                if rng.random() < 0.45:
                    m = who(regulars, monday)
                    if m and all(
                        len(desk_use.get(x, [])) < 5 and m not in desk_use.get(x, []) for x in week
                    ):
                        for x in week:
                            desk_use.setdefault(x, []).append(m)
                        book(desks, m, monday, week[-1], "semaine", status(monday))
                for _ in range(rng.randint(0, 3)):
                    x = rng.choice(week)
                    if _is_holiday(x):
                        continue
                    m = who(regulars if rng.random() < 0.8 else people, x)
                    if m and len(desk_use.get(x, [])) < 5 and m not in desk_use.get(x, []):
                        desk_use.setdefault(x, []).append(m)
                        book(desks, m, x, x, "jour", status(x))
            monday += timedelta(weeks=1)

        # Meeting room and studio, month by month.
        slots = (
            (time(9, 30), time(12, 30)),
            (time(10, 0), time(12, 0)),
            (time(14, 0), time(17, 0)),
            (time(14, 0), time(16, 0)),
            (time(16, 0), time(18, 0)),
        )
        comments = (
            "Réunion d'équipe",
            "Entretiens de recrutement",
            "Rendez-vous client",
            "Casting",
            "Séminaire",
            None,
            None,
            None,
        )

        def free_day(month: date, weekend: bool = False) -> date:
            last = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
            x = self.random_day(month, last)
            step = timedelta(days=-1 if x.month == 12 and x.day >= 22 else 1)
            while _is_holiday(x) or (not weekend and x.weekday() >= 5):
                x += step
            return x

        month = date(self.y0, 1, 1)
        while month <= horizon:
            for _ in range(rng.randint(1, 3)):
                x = free_day(month)
                if x > horizon or x == today:
                    continue
                m = who(people, x)
                if m is None:
                    continue
                if rng.random() < 0.15:
                    if room_use.get(x):
                        continue
                    room_use[x] = [(time(0), time(23, 59))]
                    book(room, m, x, x, "jour", status(x), comment=rng.choice(comments))
                    continue
                a0, a1 = rng.choice(slots)
                if any(a0 < b1 and b0 < a1 for b0, b1 in room_use.get(x, [])):
                    continue
                room_use.setdefault(x, []).append((a0, a1))
                book(
                    room,
                    m,
                    datetime.combine(x, a0),
                    datetime.combine(x, a1),
                    "jour",
                    status(x),
                    comment=rng.choice(comments),
                )
            if rng.random() < 0.8:
                x = free_day(month, weekend=True)
                a0, a1 = (
                    (time(10, 0), time(13, 0)) if x.weekday() >= 5 else (time(18, 30), time(20, 30))
                )
                if (
                    x <= horizon
                    and x != today
                    and not any(a0 < b1 and b0 < a1 for b0, b1 in room_use.get(x, []))
                ):
                    room_use.setdefault(x, []).append((a0, a1))
                    book(
                        room,
                        None,
                        datetime.combine(x, a0),
                        datetime.combine(x, a1),
                        "gracieux",
                        "confirmée" if x < today or rng.random() < 0.6 else "demandée",
                        org=rng.choice(data.NEIGHBOURHOOD_ASSOCIATIONS),
                        comment=rng.choice(
                            (
                                "Réunion mensuelle",
                                "Assemblée générale",
                                "Permanence",
                                "Atelier",
                                "Préparation de la fête de quartier",
                            )
                        ),
                    )
            for _ in range(rng.randint(0, 2)):
                x = free_day(month)
                if x > horizon or x == today:
                    continue
                m = who(people, x)
                if m is None:
                    continue
                if rng.random() < 0.3:
                    start = _weekday_on_or_after(x, 0)
                    week = [start + timedelta(days=i) for i in range(5)]
                    if start > horizon or any(w in studio_use for w in week):
                        continue
                    studio_use.extend(week)
                    book(
                        studio,
                        m,
                        start,
                        week[-1],
                        "semaine",
                        status(start),
                        comment=rng.choice(("Enregistrement voix", "Montage podcast", None)),
                    )
                elif x not in studio_use:
                    studio_use.append(x)
                    book(
                        studio,
                        m,
                        x,
                        x,
                        "jour",
                        status(x),
                        comment=rng.choice(("Enregistrement podcast", "Voix off", None, None)),
                    )
            month = add_months(month, 1)

        def key(r: dict[str, object]) -> datetime:
            v = r["Début"]
            return v if isinstance(v, datetime) else datetime.combine(v, time(0))  # type: ignore[arg-type]

        rows.sort(key=key)
        for n, r in enumerate(rows, start=1):
            r["ID"] = RESERVATIONS.format_id(n)
        return rows

    # -- Conseil, Tarifs, Chiffres, Textes --

    def build_board(self, members: list[_Member]) -> list[dict[str, object]]:
        rng, y0, today = self.rng, self.y0, self.today
        ag_old, ag_mid, ag_now = date(y0 - 5, 6, 20), date(y0 - 2, 6, 8), date(y0, 7, 2)
        ca_pres = date(y0, 11, 28)

        def decision(kind: str, d: date) -> str:
            return f"{kind} du {d:%d/%m/%y}"

        hosted = [
            m
            for m in members
            if m.referable
            and m.category == "hébergé"
            and m.left is None
            and m.joined < date(y0, 1, 1)
        ]
        benef = [
            m
            for m in members
            if m.referable
            and m.category == "bénéficiaire"
            and m.left is None
            and m.joined < date(y0 - 1, 1, 1)
            and m.status(today) in OK_STATUSES
            and m not in self.mistake_rows()
        ]
        mdd = next(m for m in members if m.category == "membre de droit")
        h = rng.sample(hosted, 6)
        b = rng.sample(benef, 5)
        h, b = _distinct_surnames([mdd], h, b, hosted, benef)
        plan = [
            (h[0], "Président·e", "Hébergés", ca_pres, None, decision("CA", ca_pres)),
            (h[1], "Vice-président·e", "Hébergés", ag_mid, None, decision("AG", ag_mid)),
            (b[0], "Trésorier·e", "Bénéficiaires", ag_mid, None, decision("AG", ag_mid)),
            (b[1], "Vice-trésorier·e", "Bénéficiaires", ag_old, None, decision("AG", ag_old)),
            (b[2], "Secrétaire", "Bénéficiaires", ag_now, None, decision("AG", ag_now)),
            (h[2], "Vice-secrétaire", "Hébergés", ag_mid, None, decision("AG", ag_mid)),
            (
                mdd,
                "Administrateur·rice",
                "Membre de droit",
                date(2016, 6, 14),
                None,
                "AG du 14/06/16",
            ),
            (h[3], "Administrateur·rice", "Hébergés", ag_mid, None, decision("AG", ag_mid)),
            (h[4], "Administrateur·rice", "Hébergés", ag_now, None, decision("AG", ag_now)),
            (h[5], "Administrateur·rice", "Hébergés", ag_now, None, decision("AG", ag_now)),
            (b[3], "Président·e", "Bénéficiaires", ag_old, ag_now, decision("AG", ag_now)),
            (b[4], "Secrétaire", "Bénéficiaires", ag_old, ag_now, decision("AG", ag_now)),
        ]
        order = {f: i for i, f in enumerate(BOARD_FUNCTIONS)}
        plan.sort(key=lambda p: (p[4] is not None, order[p[1]]))
        return [
            {
                "Nom": m.contact,
                "Civilité": "Mme" if m.female else "M.",
                "Membre": m.id,
                "Fonction": f,
                "Collège": college,
                "Entrée": start,
                "Sortie": end,
                "Décision": dec,
            }
            for m, f, college, start, end, dec in plan
        ]

    @staticmethod
    def build_fees() -> list[dict[str, object]]:
        since = date(2016, 1, 1)
        rows = [
            (
                "BENEFICIAIRE",
                "Cotisation bénéficiaire (tarif unique)",
                100,
                None,
                since,
                date(2024, 2, 29),
            ),
            (
                "BASIC",
                "Forfait BASIC : rencontres collectives, mutualisations, réseau",
                120,
                None,
                FEE_SWITCH,
                None,
            ),
            (
                "PREMIUM",
                "Forfait PREMIUM : BASIC + audits, diagnostics, consultations d'experts",
                170,
                None,
                FEE_SWITCH,
                None,
            ),
            (
                "CRESCENDO",
                "Option Entrepreneuriat Crescendo (ateliers pratiques)",
                10,
                None,
                FEE_SWITCH,
                None,
            ),
            (
                "HEBERGE_M2",
                "Cotisation membre hébergé, par m² mis à disposition",
                HOSTED_RATE,
                HOSTED_CAP,
                since,
                None,
            ),
            ("MEMBRE_DE_DROIT", "Membre de droit", 0, None, since, None),
        ]
        return [
            {
                "Code": c,
                "Libellé": lib,
                "Montant HT": amount,
                "Plafond HT": cap,
                "TVA %": 20,
                "Du": start,
                "Au": end,
            }
            for c, lib, amount, cap, start, end in rows
        ]

    def build_figures(self) -> list[dict[str, object]]:
        rng = self.rng
        years = (self.y0, self.y0 + 1, self.y0 + 2)

        def grow(base: float, rates: tuple[float, float]) -> tuple[float, float, float]:
            v1 = base * (1 + rates[0] + rng.uniform(-0.02, 0.02))
            v2 = v1 * (1 + rates[1] + rng.uniform(-0.02, 0.02))
            return base, v1, v2

        figures: list[tuple[str, str, str, Sequence[float]]] = [
            ("Financement", "Subvention Ville de Paris – DAE", "€", (14500, 14500, 15000)),
            ("Financement", "Subvention Ville de Paris – DAC", "€", (10000, 10000, 10000)),
            (
                "Financement",
                "Ministère de la Culture – DGMIC (convention triennale)",
                "€",
                (25000, 25000, 25000),
            ),
            (
                "Financement",
                "CNM – commission Égalité F/H (Entrepreneuriat Crescendo)",
                "€",
                (7158, 7400, 7650),
            ),
            ("Financement", "Aide à l'emploi FONPEPS", "€", (4500, 13500, 9000)),
            ("Financement", "Cotisations des adhérent·e·s", "€", grow(18950, (0.06, 0.04))),
            (
                "Financement",
                "Mises à disposition (pépinière et Milab)",
                "€",
                grow(44600, (0.02, 0.02)),
            ),
            ("Financement", "Part d'autofinancement", "%", (55, 56, 58)),
            ("Communication", "Instagram – abonné·e·s", "abonné·e·s", grow(2023, (0.22, 0.15))),
            ("Communication", "LinkedIn – abonné·e·s", "abonné·e·s", grow(1640, (0.28, 0.2))),
            ("Communication", "Facebook – abonné·e·s", "abonné·e·s", (2522, 2506, 2497)),
            ("Communication", "Newsletter – abonné·e·s", "abonné·e·s", grow(1402, (0.09, 0.07))),
            ("Communication", "YouTube – abonné·e·s", "abonné·e·s", (41, 52, 63)),
        ]
        rows = []
        for year_index, year in enumerate(years):
            for rubric, label, unit, values in figures:
                value = values[year_index]
                value = (
                    round(value, -1) if label.startswith(("Cotisations", "Mises")) else round(value)
                )
                rows.append(
                    {
                        "Année": year,
                        "Rubrique": rubric,
                        "Libellé": label,
                        "Valeur": int(value),
                        "Unité": unit,
                    }
                )
        return rows

    def build_texts(self) -> list[dict[str, object]]:
        rows = []
        for i, year in enumerate((self.y0, self.y0 + 1, self.y0 + 2)):
            for section, variants in data.TEXTES.items():
                rows.append({"Année": year, "Section": section, "Texte": variants[i]})
            for section, title, text in data.TEXTES_TITRES:
                rows.append({"Année": year, "Section": section, "Titre": title, "Texte": text})
        return rows


_CONSULTATION_TITLE = (
    "Consultations d'experts : comptabilité, droit du spectacle, propriété intellectuelle"
)
_CRESCENDO_PLACES = (
    ("aux BIS de Nantes", "Biennales Internationales du Spectacle, Nantes"),
    ("au café-concert Le Nord Nord", "Le Nord Nord, Paris"),
    ("au Printemps de Bourges", "Printemps de Bourges"),
    ("au Forum Entreprendre dans la Culture", "Forum Entreprendre dans la Culture, Paris"),
    ("en marge du MaMA", "MaMA Music & Convention, Paris"),
    ("aux Bars en Trans", "Bars en Trans, Rennes"),
)


# --- Writing -------------------------------------------------------------------------------


def _header(tab: Tab, extra: dict[str, str | None]) -> list[str]:
    """Contract headers, with staff columns inserted after a given column (None: at the end)."""
    names = [c.name for c in tab.columns]
    for name, after in extra.items():
        if after is None:
            names.append(name)
        else:
            names.insert(names.index(after) + 1, name)
    return names


def _column_kind(tab: Tab, name: str) -> Column | None:
    try:
        return tab.column(name)
    except KeyError:
        return None


def _format_for(column: Column | None, value: object) -> str | None:
    if column is None or value is None or isinstance(value, str):
        return None
    if isinstance(value, datetime):
        return DATE_FMT if value.time() == time(0) and column.kind == "date" else DATETIME_FMT
    if isinstance(value, date):
        return DATE_FMT
    if isinstance(value, time):
        return TIME_FMT
    if column.kind == "amount":
        return EURO_FMT
    return None


_BOOL_CHOICES = ("oui", "non")


class _Writer:
    def __init__(self) -> None:
        self.wb = Workbook()
        self.lists = self.wb.active
        self.lists.title = "Listes"
        self.lists.sheet_state = "hidden"
        self.list_columns = 0

    def long_list(self, title: str, values: Sequence[str]) -> str:
        """A range of the hidden ``Listes`` tab holding ``values``, for lists over 255 chars."""
        self.list_columns += 1
        col = get_column_letter(self.list_columns)
        self.lists.cell(row=1, column=self.list_columns, value=title).font = HEADER_FONT
        for i, v in enumerate(values, start=2):
            self.lists.cell(row=i, column=self.list_columns, value=v)
        return f"{quote_sheetname(self.lists.title)}!${col}$2:${col}${len(values) + 1}"

    def sheet(
        self, tab: Tab, rows: list[dict[str, object]], extra: dict[str, str | None] | None = None
    ) -> int:
        ws = self.wb.create_sheet(tab.name)
        header = _header(tab, extra or {})
        columns = [_column_kind(tab, h) for h in header]
        for j, (name, col) in enumerate(zip(header, columns, strict=True), start=1):
            cell = ws.cell(row=1, column=j, value=name)
            calc = col is not None and col.calc
            cell.font = CALC_FONT if calc else HEADER_FONT
            cell.fill = CALC_FILL if calc else HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=False)
        widths = [len(h) + 3 for h in header]
        for i, row in enumerate(rows, start=2):
            for j, (name, col) in enumerate(zip(header, columns, strict=True), start=1):
                value = row.get(name)
                if col is not None and col.calc:
                    continue  # the jobs' columns stay empty
                if value is None or value == "":
                    continue
                cell = ws.cell(row=i, column=j, value=value)
                fmt = _format_for(col, value)
                if fmt:
                    cell.number_format = fmt
                elif col is not None and col.kind == "siret":
                    cell.number_format = "@"
                if name == "Texte":
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                length = 11 if isinstance(value, date) else len(str(value))
                if isinstance(value, datetime) and value.time() != time(0):
                    length = 16
                widths[j - 1] = max(widths[j - 1], min(length + 2, 48))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = 80 if header[j - 1] == "Texte" else w
        ws.freeze_panes = "A2"
        last = max(len(rows) + 1, 2)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last}"
        self.validations(ws, tab, header, columns, last + 300)
        return len(rows)

    def validations(
        self, ws, tab: Tab, header: list[str], columns: list[Column | None], last: int
    ) -> None:
        for j, col in enumerate(columns, start=1):
            if col is None or col.calc:
                continue
            if col.kind == "choice" and col.choices:
                values: Sequence[str] = col.choices
            elif col.kind == "bool":
                values = _BOOL_CHOICES
            else:
                continue
            inline = '"' + ",".join(values) + '"'
            formula = inline if len(inline) <= 255 else self.long_list(header[j - 1], values)
            dv = DataValidation(
                type="list",
                formula1=formula,
                allow_blank=True,
                showDropDown=False,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle="Valeur inattendue",
                error=f"Choisir une valeur de la liste pour « {header[j - 1]} ».",
            )
            letter = get_column_letter(j)
            dv.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(dv)

    def save(self, path: Path, today: date) -> None:
        self.wb.properties.creator = "MILA – démo"
        self.wb.properties.title = "Classeur MILA (démonstration)"
        self.wb.properties.created = datetime.combine(today, time(9, 0))
        self.wb.move_sheet(self.lists, offset=len(self.wb.sheetnames) - 1)
        self.wb.active = 0
        self.wb.save(path)


def _member_row(m: _Member) -> dict[str, object]:
    row: dict[str, object] = {
        "ID": m.id,
        "Structure": m.structure,
        "Activité": m.activity,
        "Contact": m.contact,
        "Email": m.email,
        "Téléphone": m.phone,
        "SIRET": m.siret,
        "Catégorie": m.category,
        "Forfait": m.forfait,
        "Option Crescendo": "oui" if m.crescendo else None,
        "Adhésion le": _working_day_before(m.joined),
        "Cotisation payée le": m.paid,
        "Montant payé": m.amount,
        "Charte signée le": m.charter,
        "Sortie le": m.left,
        "Civilité": "Mme" if m.female else "M.",
        "Forme juridique": _legal_form(m),
        "Adresse": _registered_address(m),
        "Notes": m.note,
    }
    row.update(m.cells)
    return row


_FORMS = ("SARL", "SAS", "association", "SARL", "EURL", "SAS", "association", "SCOP")
_STREETS = ("rue Ordener", "rue Marcadet", "boulevard Barbès", "rue Custine", "rue Championnet",
            "rue Myrha", "rue Doudeauville", "rue Polonceau", "rue Caulaincourt", "rue Labat")


def _legal_form(m: _Member) -> str:
    """A legal form for the demo's conventions and receipts, the same on every run."""
    if m.individual:
        return "personne physique"
    return _FORMS[sum(map(ord, m.structure)) % len(_FORMS)]


def _registered_address(m: _Member) -> str:
    seed = sum(map(ord, m.structure + m.contact))
    return f"{seed % 97 + 1} {_STREETS[seed % len(_STREETS)]}, 75018 Paris"


def build_demo_workbook(
    path: str | os.PathLike[str], *, seed: int = 2024, today: date = date(2026, 11, 23)
) -> DemoSummary:
    """Write the demo workbook to ``path`` (.xlsx) and say what it holds.

    Deterministic for a given ``seed`` and ``today``: ``today`` is the only clock used; the
    three years of activity are ``today.year - 2`` to ``today.year``.
    """
    b = _DemoBuilder(seed, today)
    premises = b.build_premises()
    members, occupations = b.build_members_and_occupations(premises)
    events = b.build_events()
    registrations = b.build_registrations(events, members)
    bookings = b.build_bookings(premises, members)
    board = b.build_board(members)

    occupations.sort(key=lambda o: (o.start, o.premise.id))
    occupation_rows = [
        {
            "ID": OCCUPATIONS.format_id(n),
            "Membre": o.member.id,
            "Local": o.premise.id,
            "Début": o.start,
            "Fin": o.end,
            "Loyer mensuel HT": o.rent,
            "Dépôt de garantie": o.deposit,
        }
        for n, o in enumerate(occupations, start=1)
    ]
    premise_rows: list[dict[str, object]] = [
        {
            "ID": p.id,
            "Nom": p.name,
            "Site": p.site,
            "Adresse": p.address,
            "Surface m²": p.surface,
            "Capacité": p.capacity,
            "Loyer mensuel HT": p.rent,
            "Tarif jour HT": p.day_rate,
            "Tarif semaine HT": p.week_rate,
            "Réservable": p.bookable,
            "Remarques": p.remark,
        }
        for p in premises
    ]
    for row in premise_rows:  # staff typed the biggest rents by hand
        rent = row["Loyer mensuel HT"]
        if isinstance(rent, float) and rent >= 1000:
            row["Loyer mensuel HT"] = fr_amount(rent)
    event_rows = [
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
    member_rows = [_member_row(m) for m in members]

    w = _Writer()
    counts = {
        MEMBRES.name: w.sheet(MEMBRES, member_rows, {"Activité": "Structure", "Notes": None}),
        LOCAUX.name: w.sheet(LOCAUX, premise_rows, {"Remarques": None}),
        OCCUPATIONS.name: w.sheet(OCCUPATIONS, occupation_rows),
        RESERVATIONS.name: w.sheet(RESERVATIONS, bookings, {"Commentaire": None}),
        EVENEMENTS.name: w.sheet(EVENEMENTS, event_rows),
        INSCRIPTIONS.name: w.sheet(INSCRIPTIONS, registrations),
        TARIFS.name: w.sheet(TARIFS, b.build_fees()),
        PAIEMENTS.name: w.sheet(PAIEMENTS, build_demo_payments(members, today, b.fee_paid)),
        CONSEIL.name: w.sheet(CONSEIL, board),
        CHIFFRES.name: w.sheet(CHIFFRES, b.build_figures()),
        TEXTES.name: w.sheet(TEXTES, b.build_texts()),
    }
    out = Path(path)
    w.save(out, today)
    write_demo_imports(out, members, today, b.fee_paid)

    categories: dict[str, int] = {}
    for m in members:
        categories[m.category] = categories.get(m.category, 0) + 1
    return DemoSummary(
        out, seed, today, counts, categories, _locate(b, members, registrations, bookings)
    )


def _locate(
    b: _DemoBuilder,
    members: list[_Member],
    registrations: list[dict[str, object]],
    bookings: list[dict[str, object]],
) -> tuple[MistakeLocation, ...]:
    rows_of: dict[str, list] = {
        MEMBRES.name: members,
        INSCRIPTIONS.name: registrations,
        RESERVATIONS.name: bookings,
    }
    found = []
    for mistake in KNOWN_MISTAKES:
        tab, obj = b.mistakes[mistake.code]
        index = next(i for i, r in enumerate(rows_of[tab]) if r is obj)
        row_id = obj.id if isinstance(obj, _Member) else obj["ID"]  # type: ignore[index]
        found.append(MistakeLocation(mistake.code, tab, index + 2, row_id))  # type: ignore[arg-type]
    return tuple(found)
