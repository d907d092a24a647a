"""Which payments get a receipt, and which number each takes: pure functions returning plans.

- :func:`choose_receipts`: the payments of ``Paiements`` whose ``Objet`` is one of
  ``[documents] receipts_for``, with a positive ``Montant``, a date, an ID met once and a
  known member whose ID stands on one row of ``Membres``; a ``cotisation`` cancelled by a
  refund gets none unless it already has a number. The others are listed with what the
  staff must fix, in French.
- :func:`number_receipts`: the number in ``Reçu n°`` when there is one; else the one the
  manifest gave the same payment taken from ``Membres``; else the next of its year
  (``2025-014``), after every number the sheet or the manifest ever held.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from ..formatting import format_date, format_money
from ..model.dataset import Dataset
from ..model.payments import Payment, effective_fee_payments
from ..model.rows import Member, id_key

NUMBER = re.compile(r"^\s*(\d{4})-(\d+)\s*$")


def receipt_label(number: str) -> str:
    """What the ``Relance`` column of ``Relances`` holds for a receipt: ``reçu 2025-014``."""
    return f"reçu {number}"


@dataclass(frozen=True)
class ReceiptChoice:
    """A payment that gets a receipt, and its member."""

    payment: Payment
    member: Member


@dataclass(frozen=True)
class ChoicePlan:
    chosen: tuple[ReceiptChoice, ...]  # oldest first
    skipped: tuple[str, ...]  # the payments left out, with what to fix (French)


def choose_receipts(
    dataset: Dataset,
    purposes: Collection[str],
    numbered: Collection[int],
    wanted: str | None = None,
) -> ChoicePlan:
    """The payments that get a receipt (``numbered``: the sheet rows whose ``Reçu n°`` is
    filled; ``wanted``: one member's key, or None for all)."""
    counts = Counter(id_key(p.id) for p in dataset.payments if p.id)
    members = Counter(id_key(m.id) for m in dataset.members if m.id)
    effective = {p.row for found in effective_fee_payments(dataset.payments).values() for p in found}
    chosen: list[ReceiptChoice] = []
    skipped: list[str] = []
    for p in dataset.payments:
        if p.purpose not in purposes or p.date is None or p.amount is None or p.amount <= 0:
            continue
        if wanted is not None and id_key(p.member_id) != wanted:
            continue
        where = f"Paiement {p.id}" if p.id else f"Paiements ligne {p.row}"
        if p.id is None or counts[id_key(p.id)] > 1:
            skipped.append(
                f"{where} : ID manquant ou en double ; lancez « mila synchroniser » "
                "(« mila verifier » liste les doublons)."
            )
            continue
        if p.member_id and members[id_key(p.member_id)] > 1:
            skipped.append(
                f"{where} : l'ID {p.member_id} figure sur plusieurs lignes de Membres ; corrigez-le, "
                "puis lancez « mila synchroniser » (aucun reçu d'ici là)."
            )
            continue
        found = dataset.member(p.member_id) if p.member_id else None
        if found is None or found.id is None:
            why = (
                f"membre « {p.member_id} » introuvable dans l'onglet Membres"
                if p.member_id
                else "aucun membre dans « Membre »"
            )
            skipped.append(
                f"{where} du {format_date(p.date)} ({format_money(p.amount)}) : "
                f"{why} ; saisissez l'ID du membre pour que son reçu soit fait."
            )
            continue
        if p.is_fee and p.row not in effective and p.row not in numbered:
            skipped.append(f"{where} : remboursé, pas de reçu.")
            continue
        chosen.append(ReceiptChoice(p, found))
    chosen.sort(key=lambda c: (c.payment.date, c.payment.row))
    return ChoicePlan(tuple(chosen), tuple(skipped))


@dataclass(frozen=True)
class NumberingPlan:
    numbers: dict[int, str]  # the number of each chosen payment, by its row in Paiements
    new: tuple[tuple[ReceiptChoice, str], ...]  # the numbers to write in « Reçu n° »
    last: dict[int, int] = field(default_factory=dict)  # the last rank of each year, after them


def number_receipts(
    chosen: Iterable[ReceiptChoice],
    current: Mapping[int, str],
    every_number: Iterable[str],
    manifest_last: Mapping[str, object],
    legacy: Mapping[str, object],
) -> NumberingPlan:
    """The number of each chosen payment. ``current``: the filled ``Reçu n°`` cells by row;
    ``every_number``: every ``Reçu n°`` of the sheet; ``manifest_last``: the last rank the
    manifest gave each year; ``legacy``: the numbers the manifest gave payments read from
    ``Membres`` (``M0012|2025-01-10``)."""
    taken: set[str] = set()
    last: Counter[int] = Counter()
    for text in every_number:
        match = NUMBER.match(text)
        if match:
            taken.add(match.group(0).strip())
            last[int(match.group(1))] = max(last[int(match.group(1))], int(match.group(2)))
    for year, rank in manifest_last.items():
        if str(year).isdigit():
            last[int(year)] = max(last[int(year)], int(str(rank)))
    numbers: dict[int, str] = {}
    new: list[tuple[ReceiptChoice, str]] = []
    for choice in chosen:
        p = choice.payment
        assert p.date is not None
        if p.row in current:
            numbers[p.row] = current[p.row]
            continue
        old = legacy.get(f"{choice.member.id}|{p.date.isoformat()}") if p.is_fee else None
        if old and str(old) not in taken:
            number = str(old)
        else:
            number = ""
            while not number or number in taken:  # never one given twice, whatever the manifest says
                last[p.date.year] += 1
                number = f"{p.date.year}-{last[p.date.year]:03d}"
        taken.add(number)
        numbers[p.row] = number
        new.append((choice, number))
    return NumberingPlan(numbers, tuple(new), dict(last))
