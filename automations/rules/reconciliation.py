"""Payments matched to invoices (pure, no I/O): which invoice(s) each payment of
``Paiements`` settles, and what each invoice of ``Factures`` still awaits.

Payments are taken oldest first (date, then row), after a first pass: an invoice issued
« acquittée » (``Payée le`` on or before its date: the payment came first) takes its
member's payment of that day, and stays paid when the ledger has none. Then, for each
positive payment but a ``don``:

1. the invoice numbers its ``Référence`` or ``Payeur`` quotes (``F2026-0001``, and as bank
   labels write it, ``F2026 0001`` or ``F20260001``): the amount goes to them in that order,
   each up to what it still awaits; more than they await is an overpayment; a number no
   invoice bears is said;
2. else, the member's open invoice issued by then whose remainder equals the amount (the
   oldest first, those of the payment's ``Objet`` before the others); else its only open
   invoice of that ``Objet`` when the amount is less (a partial payment);
3. else, a member with open invoices of that ``Objet`` and an amount none of them awaits:
   said too. A payment of a member without such an invoice settles nothing and says nothing
   (billing started later; or the invoice « acquittée » that `mila factures` issues for it
   comes next).

An invoice's due is its TTC less its credit notes (``Avoir de``): nothing left is
« annulée par avoir »; all paid is « payée » on the day of the payment that completed it,
part paid « partiellement payée », else « émise ». Refunds (negative amounts) settle
nothing: a refund of an invoiced payment is for the staff to see in the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..formatting import format_money
from ..model.invoices import CANCELLED, ISSUED, PAID, PARTLY_PAID, Invoice, format_number, parse_number
from ..model.payments import Payment
from ..model.rows import id_key

# « F2026-0001 », « f 2026 0001 », « F20260001 » (not inside a longer word or number)
QUOTED = re.compile(r"(?<![A-Za-z0-9])F\s?(20\d{2})\s?[-/ ]?\s?(\d{4,6})(?!\d)", re.IGNORECASE)
UNINVOICED = "don"  # purposes never invoiced
ZERO = Decimal(0)


@dataclass(frozen=True)
class InvoiceState:
    """The calc columns of one invoice: ``Payée le``, ``Reste dû``, ``Statut``."""

    number: str
    paid_on: dt.date | None
    remaining: Decimal
    status: str


@dataclass(frozen=True)
class Settlement:
    """What one payment settles (``Facture``) and what the staff must look at."""

    row: int
    id: str | None
    invoices: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    amounts: tuple[Decimal, ...] = ()  # what went to each of ``invoices``, in that order

    @property
    def text(self) -> str | None:
        """The ``Facture`` cell: « F2026-0001 », « F2026-0001, F2026-0002 », or blank."""
        return ", ".join(self.invoices) or None


@dataclass
class ReconciliationPlan:
    invoices: dict[str, InvoiceState] = field(default_factory=dict)  # by number
    payments: dict[int, Settlement] = field(default_factory=dict)  # by sheet row, those concerned

    def settlement(self, row: int) -> Settlement | None:
        return self.payments.get(row)


def quoted_numbers(text: str | None) -> list[str]:
    """The invoice numbers a bank label or reference quotes, as the tab writes them."""
    found = [format_number("F", int(y), int(n)) for y, n in QUOTED.findall(text or "")]
    return list(dict.fromkeys(found))


@dataclass
class _Open:
    invoice: Invoice
    number: str
    due: Decimal
    remaining: Decimal
    cancelled: bool
    paid_on: dt.date | None = None


def reconcile(invoices: Sequence[Invoice], payments: Sequence[Payment]) -> ReconciliationPlan:
    """The plan: each invoice's state, and each payment's invoices and problems."""
    plan = ReconciliationPlan()
    credited: dict[str, Decimal] = defaultdict(Decimal)
    for note in invoices:
        if note.is_credit_note and note.credit_of and note.amount_ttc is not None:
            parts = parse_number(note.credit_of)
            if parts is not None:
                credited[format_number(*parts)] += note.amount_ttc  # negative
    book: dict[str, _Open] = {}
    for invoice in invoices:
        parts = invoice.parts
        if parts is None or invoice.is_credit_note or invoice.amount_ttc is None:
            continue
        number = format_number(*parts)
        if number in book:
            continue  # a number twice: the first row counts (the billing job reports it)
        due = max(invoice.amount_ttc + credited.get(number, ZERO), ZERO)
        cancelled = invoice.is_cancelled or (invoice.amount_ttc > 0 and due == 0)
        book[number] = _Open(invoice, number, due, ZERO if cancelled else due, cancelled)
    by_member: dict[str, list[_Open]] = defaultdict(list)
    for entry in sorted(book.values(), key=lambda e: (e.invoice.date or dt.date.min, e.number)):
        key = id_key(entry.invoice.member_id)
        if key is not None:
            by_member[key].append(entry)

    ordered = sorted(
        (
            p
            for p in payments
            if p.amount is not None and p.amount > 0 and p.date is not None and p.purpose != UNINVOICED
        ),
        key=lambda p: (p.date, p.row),
    )
    same_day: dict[tuple[str | None, dt.date | None], list[Payment]] = defaultdict(list)
    for payment in ordered:
        same_day[(id_key(payment.member_id), payment.date)].append(payment)
    for entry in book.values():
        paid = _acquitted(entry, same_day, plan)
        if paid is not None:
            plan.payments[paid.row] = _by_number(paid, [entry.number], book)
        elif _issued_paid(entry):  # « acquittée le … » with no such payment in the ledger
            entry.remaining, entry.paid_on = ZERO, entry.invoice.paid_on
    for payment in ordered:
        if payment.row in plan.payments:
            continue
        settled = _settle(payment, book, by_member)
        if settled.invoices or settled.problems:
            plan.payments[payment.row] = settled
    for entry in book.values():
        plan.invoices[entry.number] = InvoiceState(
            entry.number, entry.paid_on, entry.remaining, _status(entry)
        )
    return plan


def _issued_paid(entry: _Open) -> bool:
    """An invoice issued « acquittée »: its payment came first (``Payée le`` on or before its date)."""
    invoice = entry.invoice
    return (
        not entry.cancelled
        and invoice.paid_on is not None
        and invoice.date is not None
        and invoice.paid_on <= invoice.date
    )


def _acquitted(
    entry: _Open,
    same_day: Mapping[tuple[str | None, dt.date | None], list[Payment]],
    plan: ReconciliationPlan,
) -> Payment | None:
    """The payment an invoice issued « acquittée » was issued for: its member's, on its
    ``Payée le``, not yet taken (none when the invoice was not issued so)."""
    if not _issued_paid(entry):
        return None
    found = same_day.get((id_key(entry.invoice.member_id), entry.invoice.paid_on), [])
    return next((p for p in found if p.row not in plan.payments), None)


def _status(entry: _Open) -> str:
    if entry.cancelled:
        return CANCELLED
    if entry.remaining == 0:
        return PAID
    return PARTLY_PAID if entry.remaining < entry.due else ISSUED


def _take(entry: _Open, amount: Decimal, day: dt.date) -> Decimal:
    """Put up to ``amount`` on ``entry``; what was taken."""
    taken = min(amount, entry.remaining)
    entry.remaining -= taken
    if taken and entry.remaining == 0:
        entry.paid_on = day
    return taken


def _settle(payment: Payment, book: dict[str, _Open], by_member: dict[str, list[_Open]]) -> Settlement:
    quoted = quoted_numbers(f"{payment.reference or ''} {payment.payer or ''}")
    if any(n in book for n in quoted):
        return _by_number(payment, quoted, book)
    found = _by_member(payment, by_member)
    if quoted:  # only numbers no invoice bears: said, and the member's invoices tried
        unknown = (
            f"N° de facture {', '.join(quoted)} cité(s) par le paiement mais absent(s) de l'onglet "
            "« Factures » : vérifiez le numéro dans « Référence »."
        )
        return Settlement(found.row, found.id, found.invoices, (unknown, *found.problems), found.amounts)
    return found


def _by_member(payment: Payment, by_member: dict[str, list[_Open]]) -> Settlement:
    assert payment.amount is not None and payment.date is not None
    amount, day = payment.amount, payment.date
    key = id_key(payment.member_id)
    candidates = [
        e
        for e in by_member.get(key or "", [])
        if e.remaining > 0 and e.invoice.date is not None and e.invoice.date <= day
    ]
    same = [e for e in candidates if e.invoice.purpose in (None, payment.purpose)]
    exact = next((e for e in [*same, *candidates] if e.remaining == amount), None)
    if exact is not None:
        _take(exact, amount, day)
        return Settlement(payment.row, payment.id, (exact.number,), (), (amount,))
    if len(same) == 1 and amount < same[0].remaining:
        only = same[0]
        _take(only, amount, day)
        return Settlement(payment.row, payment.id, (only.number,), (), (amount,))
    if not same:
        return Settlement(payment.row, payment.id)
    awaited = ", ".join(f"{e.number} : {format_money(e.remaining)}" for e in same[:5])
    problem = (
        f"Montant {format_money(amount)} sans facture correspondante : les factures ouvertes de "
        f"{payment.member_id} ({payment.purpose}) attendent {awaited}. Citez le n° de la facture payée "
        "dans « Référence » (par exemple F2026-0001) ; si le paiement n'en règle aucune, choisissez son "
        "« Objet »."
    )
    return Settlement(payment.row, payment.id, (), (problem,))


def _by_number(payment: Payment, quoted: list[str], book: dict[str, _Open]) -> Settlement:
    assert payment.amount is not None and payment.date is not None
    left, numbers, problems, amounts = payment.amount, [], [], []
    unknown = [n for n in quoted if n not in book]
    if unknown:
        problems.append(
            f"N° de facture {', '.join(unknown)} cité(s) par le paiement mais absent(s) de l'onglet "
            "« Factures » : vérifiez le numéro dans « Référence »."
        )
    for number in quoted:
        entry = book.get(number)
        if entry is None:
            continue
        numbers.append(number)
        if entry.cancelled:
            amounts.append(ZERO)
            problems.append(
                f"La facture {number} est annulée par avoir : ce paiement ne la règle pas. Remboursez-le, "
                "ou citez dans « Référence » la facture qui la remplace."
            )
            continue
        taken = _take(entry, left, payment.date)
        amounts.append(taken)
        left -= taken
    if left > 0 and numbers and not all(book[n].cancelled for n in numbers):
        problems.append(
            f"Trop-perçu de {format_money(left)} : le paiement de {format_money(payment.amount)} dépasse ce "
            f"que {', '.join(numbers)} attend(ent). Remboursez la différence (une ligne au montant négatif) "
            "ou citez dans « Référence » l'autre facture qu'il règle."
        )
    return Settlement(payment.row, payment.id, tuple(numbers), tuple(problems), tuple(amounts))
