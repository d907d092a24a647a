"""The fee engine: what a member owes for a period, from the dated rows of ``Tarifs``.

The rates valid on the first day of the period apply (``Du`` ≤ day ≤ ``Au``, blank ``Au``
= still valid; when two rows of one code overlap, the one with the latest ``Du`` wins and
``rules.validation`` reports the overlap).

- ``bénéficiaire``: its forfait's rate (``BASIC``, ``PREMIUM``) when one is valid on that
  day, else the ``BENEFICIAIRE`` rate (the single fee before 2024-03-01). Without a forfait
  once only forfaits exist: a :class:`FeeProblem`.
- ``hébergé``: ``HEBERGE_M2`` × the surface it occupies, capped at the rate's ``Plafond HT``.
- ``membre de droit``: the ``MEMBRE_DE_DROIT`` rate (0 € is "pas de cotisation").
- ``Option Crescendo`` ticked: the ``CRESCENDO`` rate is added for a bénéficiaire or a
  hébergé, when one is valid that day (before 2024-03-01 the option did not exist and
  costs nothing). A membre de droit pays no option.

Amounts are rounded to the cent, half up; VAT is computed per line at each rate's
``TVA %`` and rounded once. ``Fee.breakdown`` is the French sentence emails and documents
reuse: ``Forfait PREMIUM 170 € + option Crescendo 10 € = 180 € HT``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..formatting import cents, format_date, format_money, format_surface
from ..model.rows import Member, Rate

FORFAITS_FROM = dt.date(2024, 3, 1)  # per SHEETS.md: a bénéficiaire needs a forfait from then


class FeeProblem(Exception):
    """A fee that cannot be computed, explained in French (``message``), with the
    column of the member's row the problem is best reported on."""

    def __init__(self, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: Decimal  # HT


@dataclass(frozen=True)
class Fee:
    period_start: dt.date
    ht: Decimal
    vat_rate: Decimal  # percent, e.g. 20
    vat: Decimal
    ttc: Decimal
    lines: tuple[FeeLine, ...]
    breakdown: str


class FeeSchedule:
    """The usable rows of ``Tarifs`` (code, amount and ``Du`` readable), by code."""

    def __init__(self, rates: Iterable[Rate]) -> None:
        by_code: dict[str, list[Rate]] = defaultdict(list)
        for rate in rates:
            if rate.code and rate.amount_ht is not None and rate.valid_from is not None:
                by_code[rate.code].append(rate)
        self._by_code = {
            code: sorted(found, key=lambda r: (r.valid_from, r.row), reverse=True)
            for code, found in by_code.items()
        }
        self._cache: dict[dt.date, dict[str, Rate]] = {}

    @property
    def codes(self) -> set[str]:
        return set(self._by_code)

    def rates_on(self, day: dt.date) -> dict[str, Rate]:
        """The rate of each code valid on ``day`` (codes without one are absent)."""
        found = self._cache.get(day)
        if found is None:
            found = {}
            for code, rates in self._by_code.items():
                for rate in rates:  # latest Du first
                    if rate.valid_on(day):
                        found[code] = rate
                        break
            self._cache[day] = found
        return found

    def rate(self, code: str, day: dt.date) -> Rate | None:
        return self.rates_on(day).get(code)

    def require(self, code: str, day: dt.date) -> Rate:
        """The rate of ``code`` on ``day``, or a :class:`FeeProblem` saying what to add."""
        found = self.rate(code, day)
        if found is None:
            raise FeeProblem(missing_rate_message(code, day), "Catégorie")
        return found

    def overlaps(self) -> list[tuple[Rate, Rate]]:
        """Pairs of rows of one code whose validity periods overlap."""
        pairs = []
        for rates in self._by_code.values():
            ordered = sorted(rates, key=lambda r: (r.valid_from, r.row))
            for i, first in enumerate(ordered):
                for second in ordered[i + 1 :]:
                    if first.valid_to is None or second.valid_from <= first.valid_to:  # type: ignore[operator]  # FeeSchedule keeps rates with a Du
                        pairs.append((first, second))
        return pairs


def missing_rate_message(code: str, day: dt.date) -> str:
    return (
        f"Aucun tarif « {code} » valable le {format_date(day)} dans l'onglet « Tarifs » : "
        f"ajoutez-y une ligne {code} dont la période « Du »/« Au » couvre cette date."
    )


def forfait_missing_message(period_start: dt.date) -> str:
    """The sentence shared by the fee engine and the validation (so it shows once)."""
    return (
        f"Forfait manquant dans « Forfait » pour un bénéficiaire dont la période commence le "
        f"{format_date(period_start)} : choisissez BASIC ou PREMIUM."
    )


def _vat(lines: list[tuple[FeeLine, Rate]]) -> Decimal:
    return cents(sum((line.amount * rate.vat_percent / 100 for line, rate in lines), Decimal(0)))


def compute_fee(
    member: Member,
    period_start: dt.date,
    schedule: FeeSchedule,
    hosted_surface_m2: Decimal | None = None,
) -> Fee:
    """The fee of ``member`` for the period starting on ``period_start``.

    ``hosted_surface_m2`` is the surface a hébergé occupies (see
    ``rules.membership.hosted_surface``). Raises :class:`FeeProblem` when a rate, the
    category, the forfait or the surface is missing.
    """
    category = member.category
    day = period_start
    priced: list[tuple[FeeLine, Rate]] = []
    option_allowed = True
    if category == "membre de droit":
        rate = schedule.require("MEMBRE_DE_DROIT", day)
        amount = cents(rate.amount_ht)  # type: ignore[arg-type]  # FeeSchedule keeps rates with one
        if amount == 0:
            label = text = "Membre de droit : pas de cotisation"
        else:
            label = "Cotisation membre de droit"
            text = f"{label} {format_money(amount)}"
        priced.append((FeeLine(label, amount), rate))
        option_allowed = False
    elif category == "bénéficiaire":
        forfait_rate = schedule.rate(member.forfait, day) if member.forfait else None
        single_rate = schedule.rate("BENEFICIAIRE", day)
        if forfait_rate is not None:
            label = f"Forfait {member.forfait}"
            rate = forfait_rate
        elif single_rate is not None:
            label = "Cotisation bénéficiaire"
            rate = single_rate
        elif member.forfait:
            raise FeeProblem(missing_rate_message(member.forfait, day), "Forfait")
        elif any(schedule.rate(code, day) for code in ("BASIC", "PREMIUM")):
            raise FeeProblem(forfait_missing_message(day), "Forfait")
        else:
            raise FeeProblem(missing_rate_message("BENEFICIAIRE", day), "Catégorie")
        amount = cents(rate.amount_ht)  # type: ignore[arg-type]  # FeeSchedule keeps rates with one
        text = f"{label} {format_money(amount)}"
        priced.append((FeeLine(label, amount), rate))
    elif category == "hébergé":
        rate = schedule.require("HEBERGE_M2", day)
        if hosted_surface_m2 is None or hosted_surface_m2 <= 0:
            raise FeeProblem(
                "Cotisation non calculée : aucune surface connue pour ce membre hébergé. "
                "Ajoutez sa convention dans « Occupations » et la surface du local dans "
                "« Locaux » (« Surface m² »).",
                "Catégorie",
            )
        unit = cents(rate.amount_ht)  # type: ignore[arg-type]  # FeeSchedule keeps rates with one
        raw = cents(hosted_surface_m2 * unit)
        text = f"{format_surface(hosted_surface_m2)} × {format_money(unit)} = {format_money(raw)}"
        amount = raw
        label = f"Cotisation hébergé ({format_surface(hosted_surface_m2)} × {format_money(unit)})"
        if rate.cap_ht is not None and raw > rate.cap_ht:
            amount = cents(rate.cap_ht)
            text += f", plafonné à {format_money(amount)}"
            label += f", plafonnée à {format_money(amount)}"
        priced.append((FeeLine(label, amount), rate))
    else:
        raise FeeProblem(
            "Catégorie manquante dans « Catégorie » : choisissez hébergé, bénéficiaire ou "
            "membre de droit pour que la cotisation soit calculée.",
            "Catégorie",
        )

    option = schedule.rate("CRESCENDO", day) if member.crescendo and option_allowed else None
    if option is not None:
        option_amount = cents(option.amount_ht)  # type: ignore[arg-type]  # FeeSchedule keeps rates with one
        priced.append((FeeLine("Option Crescendo", option_amount), option))
        total = sum((line.amount for line, _ in priced), Decimal(0))
        breakdown = f"{text} + option Crescendo {format_money(option_amount)} = {format_money(total)} HT"
    elif category == "membre de droit" and priced[0][0].amount == 0:
        breakdown = text
    else:
        breakdown = f"{text} HT"

    ht = cents(sum((line.amount for line, _ in priced), Decimal(0)))
    vat = _vat(priced)
    return Fee(
        period_start=period_start,
        ht=ht,
        vat_rate=priced[0][1].vat_percent,
        vat=vat,
        ttc=ht + vat,
        lines=tuple(line for line, _ in priced),
        breakdown=breakdown,
    )
