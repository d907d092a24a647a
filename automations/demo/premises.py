"""Locaux: the pépinière offices, the Milab, the shops of the neighbourhood."""

from __future__ import annotations

from datetime import date, timedelta

from ..schema import LOCAUX, OCCUPATIONS
from .common import (
    MILAB_ADDRESS,
    POLE_ADDRESS,
    SHOP_STREETS,
    DemoPremise,
    Grid,
    SizedMember,
    SizedPremises,
    SizedStory,
    Story,
    add_months,
    fr_amount,
)


class PremisesPart(Story):
    """The Locaux tab: 12 offices and the Milab office, 14 shops, 3 resources to book."""

    def build_premises(self) -> list[DemoPremise]:
        rng = self.rng
        premises: list[DemoPremise] = []
        for n in range(1, 13):
            premises.append(
                DemoPremise(
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
            DemoPremise(
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
                DemoPremise(
                    f"L{14 + i:02d}",
                    f"Boutique {short} {num}",
                    "Boutique",
                    f"{num} {street}, 75018 Paris",
                    surface,
                    rent=float(round(surface * rng.uniform(14, 19))),
                )
            )
        premises.append(
            DemoPremise(
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
            DemoPremise(
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
            DemoPremise(
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


def premise_rows(premises: list[DemoPremise]) -> list[dict[str, object]]:
    """The Locaux rows; the biggest rents typed by hand, with a euro sign."""
    rows: list[dict[str, object]] = [
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
    for row in rows:
        rent = row["Loyer mensuel HT"]
        if isinstance(rent, float) and rent >= 1000:
            row["Loyer mensuel HT"] = fr_amount(rent)
    return rows


# --- Workbooks of any size (the benchmarks') ---------------------------------------------------


def sized_premises(story: SizedStory) -> list[SizedPremises]:
    """Offices, shops and, for one in ten, a resource to book (desks, rooms, studio)."""
    rng, count = story.rng, story.counts.premises
    bookable = [
        ("Postes Milab", "Milab", None, 6),
        ("Salle de réunion", "Milab", 18, 1),
        ("Studio", "Milab", 25, 1),
        ("Cabine podcast", "Milab", 8, 1),
        ("Salle polyvalente", "Pépinière", 40, 1),
        ("Postes Pépinière", "Pépinière", None, 4),
    ][: max(2, count // 10)]
    out: list[SizedPremises] = []
    offices = max(1, (count - len(bookable)) // 3)
    for n in range(1, count - len(bookable) + 1):
        pid = LOCAUX.format_id(n)
        if n <= offices:
            out.append(SizedPremises(pid, f"Bureau {n}", "Pépinière", rng.choice((10, 12, 16)), False, None))
        else:
            surface = rng.choice((25, 28, 30, 35, 40, 45, 50, 60, 72, 80, 85, 95))
            out.append(SizedPremises(pid, f"Boutique {n - offices}", "Boutique", surface, False, None))
    for name, site, area, capacity in bookable:
        pid = LOCAUX.format_id(len(out) + 1)
        out.append(SizedPremises(pid, name, site, area, True, capacity))
    return out


def sized_premises_grid(story: SizedStory, premises: list[SizedPremises]) -> Grid:
    """The Locaux tab; some big rents typed with a euro sign."""
    rng = story.rng
    header = [c.name for c in LOCAUX.columns] + ["Remarques"]
    rows: Grid = [header]
    for p in premises:
        rent = None if p.bookable else float(round((p.surface or 10) * rng.uniform(14, 25)))
        rent_cell: object = rent
        if rent is not None and rent >= 1000 and rng.random() < 0.5:
            rent_cell = fr_amount(rent)
        address = (
            "4 rue André Messager, 75018 Paris"
            if p.site == "Milab"
            else f"{rng.randint(1, 60)} rue Émile Blémont, 75018 Paris"
        )
        rows.append(
            [
                p.id,
                p.name,
                p.site,
                address,
                p.surface,
                p.capacity,
                rent_cell,
                (15.0 if p.capacity and p.capacity > 1 else 60.0) if p.bookable else None,
                (60.0 if p.capacity and p.capacity > 1 else 240.0) if p.bookable else None,
                "oui" if p.bookable else rng.choice(("non", None)),
                None,  # Anomalies (calc.)
                "Clés chez l'accueil" if rng.random() < 0.2 else None,
            ]
        )
    return rows


def sized_occupations(story: SizedStory, premises: list[SizedPremises], members: list[SizedMember]) -> Grid:
    """Chains of conventions per office or shop, the last one ongoing; past ones
    reference former tenants among the other members."""
    rng, today, count = story.rng, story.today, story.counts.occupations
    places = [p for p in premises if not p.bookable]
    hosted = [m for m in members if m.category == "hébergé"]
    others = [m for m in members if m.category != "hébergé"]
    per_place = max(1, count // len(places))
    extra = count - per_place * len(places)
    lines: list[tuple[str, str | None, date, date | None, float]] = []
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
                start = date(start.year, start.month, 1)
                tenant.joined = min(tenant.joined, start)
                begin, finish = start, None
            else:
                tenant = rng.choice(others)
                finish = start - timedelta(days=1)
                begin = date(add_months(finish, -months).year, add_months(finish, -months).month, 1)
                start = begin
            lines.append((p.id, tenant.id, begin, finish, rng.random()))
    lines.sort(key=lambda line: (line[2], line[0]))
    grid: Grid = [[c.name for c in OCCUPATIONS.columns]]
    for n, (pid, mid, begin, finish, r) in enumerate(lines, start=1):
        deposit = float(round(r * 1500, -1)) if r < 0.4 else None
        grid.append(
            [
                OCCUPATIONS.format_id(n),
                mid,
                pid,
                story.typed_date(begin, 0.02),
                story.typed_date(finish, 0.02),
                None,
                deposit,
                None,
                None,
                None,
            ]
        )
    return grid
