"""Occupations: the demo's conventions, one premise let to one member from a start date to
an optional end, with the rent and deposit the convention states. :func:`new_occupation`
makes one as :class:`automations.demo.members.MembersPart` lets a premise (older office
conventions keep an older rate; shops a deposit now and then), and :func:`occupation_rows`
turns them into the Occupations tab: numbered by start date, with the last ILAT revision of
the offices let for more than a year and the current term of fixed-term ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from ..schema import OCCUPATIONS
from .common import DemoMember, DemoPremise


@dataclass(eq=False)
class DemoOccupation:
    premise: DemoPremise
    member: DemoMember
    start: date
    end: date | None = None
    rent: float | None = None
    deposit: float | None = None


def new_occupation(
    rng: random.Random, y0: int, p: DemoPremise, m: DemoMember, start: date, end: date | None = None
) -> DemoOccupation:
    """The convention letting ``p`` to ``m``: an office's deposit is two months' rent, and
    an office let before ``y0 - 3`` keeps, six times in ten, its older rate."""
    occ = DemoOccupation(p, m, start, end)
    if p.site != "Boutique":
        occ.deposit = 2 * (p.rent or 0)
        if start < date(y0 - 3, 1, 1) and rng.random() < 0.6:
            occ.rent = (p.rent or 0) - 20  # older convention, older rate
    elif rng.random() < 0.3:
        occ.deposit = float(round((p.rent or 0) * 3, -1))
    return occ


# The ILAT (indice des loyers des activités tertiaires, Insee) of the second quarter of each
# year, rounded: the demo's revisions cite them. Approximate, for the demo only.
ILAT = {
    2016: 108.4,
    2017: 110.0,
    2018: 112.6,
    2019: 115.1,
    2020: 115.4,
    2021: 116.9,
    2022: 123.0,
    2023: 130.6,
    2024: 135.3,
    2025: 136.4,
    2026: 137.5,
}


def _revision(o: DemoOccupation, today: date) -> tuple[date | None, float | None]:
    """``Révisée le`` and ``Indice de référence`` of an office occupation ongoing for more
    than a year: its last anniversary (one in four was not revised last year: the one
    before), with that year's index; none for shops (commercial leases) or younger ones."""
    if o.premise.site == "Boutique" or (o.end is not None and o.end < today):
        return None, None
    last = date(today.year, o.start.month, 1)
    if last > today:
        last = date(today.year - 1, o.start.month, 1)
    if sum(map(ord, o.member.structure)) % 4 == 0:
        last = date(last.year - 1, last.month, 1)
    if last <= o.start or last.year not in ILAT:
        return None, None
    return last, ILAT[last.year]


def _fixed_term(o: DemoOccupation, today: date) -> date | None:
    """One ongoing office occupation in three runs for a fixed term of three years, renewed
    as they end: its ``Fin`` is the end of the current term."""
    if o.end is not None or o.premise.site == "Boutique" or sum(map(ord, o.member.structure)) % 3:
        return o.end
    end = o.start
    while end <= today:
        end = date(end.year + 3, end.month, end.day)
    return end - timedelta(days=1)


def occupation_rows(occupations: list[DemoOccupation], today: date) -> list[dict[str, object]]:
    """The Occupations rows, by start date, numbered in that order."""
    occupations.sort(key=lambda o: (o.start, o.premise.id))
    rows: list[dict[str, object]] = []
    for n, o in enumerate(occupations, start=1):
        revised, index = _revision(o, today)
        rows.append(
            {
                "ID": OCCUPATIONS.format_id(n),
                "Membre": o.member.id,
                "Local": o.premise.id,
                "Début": o.start,
                "Fin": _fixed_term(o, today),
                "Loyer mensuel HT": o.rent,
                "Dépôt de garantie": o.deposit,
                "Révisée le": revised,
                "Indice de référence": index,
            }
        )
    return rows
