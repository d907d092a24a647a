"""The fees received in the year, from the ``Paiements`` ledger: figures and their part of the report.

:func:`fees_received` (pure) adds up the ``cotisation`` payments dated in the year (to
``as_of`` for the year in progress) and in the whole year before, by the member's category
on the day of the payment (``figures.Categories``: ``hébergé`` while it holds an office)
and, for a ``bénéficiaire``, its forfait. A refund (negative ``Montant``) is deducted in the
year it is paid back; a payment without a member is counted apart. Nothing without a
ledger (None), and no comparison when the ledger holds no fee for the year before.

:func:`write_fees_received` writes it under « Les cotisations »: one sentence phrased like
the rest of the report (« comme en 2024 » when unchanged), then the table by category.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..model.dataset import Dataset
from ..model.rows import Member
from .data import Compared
from .french import day_month, money, num, plural
from .members import Categories

if TYPE_CHECKING:
    from .writer import DocumentWriter

UNMATCHED = "Paiements sans membre"
ORDER = (
    "Hébergé·es",
    "Bénéficiaires BASIC",
    "Bénéficiaires PREMIUM",
    "Bénéficiaires",
    "Membres de droit",
    UNMATCHED,
)


@dataclass(frozen=True)
class FeesLine:
    label: str  # ORDER
    count: Compared  # payments received (refunds not counted)
    amount: Compared  # TTC, refunds deducted


@dataclass(frozen=True)
class FeesReceived:
    lines: tuple[FeesLine, ...]
    count: Compared
    amount: Compared
    refunds: Decimal = Decimal(0)  # refunded in the year (positive)


def group_of(member: Member | None, day: dt.date, categories: Categories) -> str:
    """The line of the table a payment on ``day`` belongs to."""
    if member is None:
        return UNMATCHED
    category = categories.on(member, day)
    if category == "hébergé":
        return "Hébergé·es"
    if category == "membre de droit":
        return "Membres de droit"
    return f"Bénéficiaires {member.forfait}" if member.forfait else "Bénéficiaires"


def fees_received(dataset: Dataset, year: int, as_of: dt.date) -> FeesReceived | None:
    """The fees of ``year`` (to ``as_of``) beside those of the whole year before; None
    without a ``Paiements`` tab."""
    if not dataset.has_ledger:
        return None
    categories = Categories(dataset)
    counts: dict[int, dict[str, int]] = {year: defaultdict(int), year - 1: defaultdict(int)}
    amounts: dict[int, dict[str, Decimal]] = {year: defaultdict(Decimal), year - 1: defaultdict(Decimal)}
    refunds = Decimal(0)
    seen: set[int] = set()
    for p in dataset.payments:
        if not p.is_fee or p.date is None or p.amount is None or p.date.year not in counts:
            continue
        if p.date > as_of:
            continue
        group = group_of(dataset.member(p.member_id), p.date, categories)
        amounts[p.date.year][group] += p.amount
        if p.amount > 0:
            counts[p.date.year][group] += 1
        elif p.date.year == year:
            refunds -= p.amount
        seen.add(p.date.year)
    if year not in seen and year - 1 not in seen:
        return FeesReceived((), Compared(0), Compared(Decimal(0)))
    before = year - 1 in seen
    groups = [
        g for g in ORDER if g in counts[year] or g in amounts[year] or (before and g in amounts[year - 1])
    ]
    lines = tuple(
        FeesLine(
            g,
            Compared(counts[year].get(g, 0), counts[year - 1].get(g, 0) if before else None),
            Compared(
                amounts[year].get(g, Decimal(0)), amounts[year - 1].get(g, Decimal(0)) if before else None
            ),
        )
        for g in groups
    )
    return FeesReceived(
        lines,
        Compared(sum(counts[year].values()), sum(counts[year - 1].values()) if before else None),
        Compared(
            sum(amounts[year].values(), Decimal(0)),
            sum(amounts[year - 1].values(), Decimal(0)) if before else None,
        ),
        refunds,
    )


def write_fees_received(w: DocumentWriter) -> None:
    """The sentence and the table of the fees received (nothing without a ledger)."""
    f = w.d.fees_received
    if f is None:
        return
    d = w.d
    if not f.count.value and not f.amount.value:
        w.para(f"Aucune cotisation n’est enregistrée pour {d.year} dans le registre des paiements.")
        return
    received = plural(f.count.value, "cotisation a été reçue", "cotisations ont été reçues")
    w.para(
        f"En {d.year}, {received} pour un total de {money(f.amount.value)} TTC{w.versus(f.amount, money)}.",
        keep_next=True,
    )
    has_previous = f.amount.previous is not None
    rows = []
    for line in f.lines:
        row = [line.label, num(line.count.value), money(line.amount.value)]
        if has_previous:
            row.append(money(line.amount.previous))  # type: ignore[arg-type]  # lines have one if the total has
        rows.append(row)
    total = ["Total", num(f.count.value), money(f.amount.value)]
    if f.amount.previous is not None:
        total.append(money(f.amount.previous))
    header = ["Catégorie et forfait", "Cotisations", f"Montant {d.year}"]
    header += [f"Montant {w.prev}"] if has_previous else []
    widths = [7.4, 2.8, 3.2, 3.2] if has_previous else [9.6, 3.0, 3.8]
    w.table(header, [*rows, total], widths, numeric=(1, 2, 3), bold_last=True)
    refunded = f" ; {money(f.refunds)} remboursés, déduits" if f.refunds else ""
    w.note(
        f"D’après le registre des paiements : cotisations reçues en {d.year}"
        + (f" jusqu'au {day_month(d.as_of)}" if d.partial else "")
        + f", montants TTC{refunded} ; catégorie du membre au jour du paiement."
    )
