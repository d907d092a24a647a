"""The numbers invoices and credit notes take: one continuous sequence per year and prefix.

Each prefix (``F`` for invoices, ``A`` for credit notes) has one sequence per calendar year
(``F2026-0001``, ``A2026-0001``); :func:`number_invoices` gives each draft the next number
after the highest ever issued (:func:`last_numbers`), dated the day of issue and due after the
payment terms, and :func:`gaps` reports, in French, any sequence of the ``Factures`` tab that
skips a number, which an issued invoice, never deleted, should not allow.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ..model.invoices import CREDIT_NOTE_PREFIX, INVOICE_PREFIX, Invoice, format_number
from .invoices import Draft, Issued


def last_numbers(invoices: Iterable[Invoice]) -> dict[tuple[str, int], int]:
    """The highest sequence ever issued per (prefix, year)."""
    last: dict[tuple[str, int], int] = {}
    for invoice in invoices:
        parts = invoice.parts
        if parts is not None:
            prefix, year, sequence = parts
            last[(prefix, year)] = max(last.get((prefix, year), 0), sequence)
    return last


def number_invoices(
    drafts: Sequence[Draft], invoices: Iterable[Invoice], today: dt.date, terms_days: int
) -> list[Issued]:
    """Each draft with the next number of its sequence, dated ``today``, due ``terms_days`` later."""
    last = last_numbers(invoices)
    issued = []
    for draft in drafts:
        prefix = CREDIT_NOTE_PREFIX if draft.credit_of else INVOICE_PREFIX
        key = (prefix, today.year)
        last[key] = last.get(key, 0) + 1
        due = today if draft.paid_on is not None or draft.credit_of else today + dt.timedelta(days=terms_days)
        issued.append(Issued(format_number(prefix, today.year, last[key]), today, due, draft))
    return issued


def gaps(invoices: Iterable[Invoice]) -> list[str]:
    """French lines for each sequence that skips a number (it never should)."""
    seen: dict[tuple[str, int], set[int]] = defaultdict(set)
    for invoice in invoices:
        parts = invoice.parts
        if parts is not None:
            seen[(parts[0], parts[1])].add(parts[2])
    out = []
    for (prefix, year), numbers in sorted(seen.items()):
        missing = sorted(set(range(1, max(numbers) + 1)) - numbers)
        if missing:
            shown = ", ".join(format_number(prefix, year, n) for n in missing[:5])
            out.append(
                f"Factures : numéro(s) absent(s) de la suite {prefix}{year} : {shown}. Une facture "
                "émise ne se supprime jamais : rétablissez la ligne (historique des versions du classeur)."
            )
    return out
