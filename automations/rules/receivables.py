"""What members still owe on their invoices: open cotisations, unpaid reminders, balances.

Pure functions over the rows of the ``Factures`` tab still standing (no credit note, not
cancelled): :func:`open_fee_invoices` finds each member's latest cotisation invoice still to
pay, which renewal reminders name as the payment reference; :func:`unpaid_reminders` plans
the reminders of invoices unpaid after their due date (only the latest offset reached, those
too late to catch up set apart); :func:`balances` sums, per member, what is still due and
how much of it is overdue, for the digest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..model.invoices import PAID, Invoice
from ..model.rows import id_key
from .invoices import COTISATION, standing
from .outbox import History, State, message_key


def open_fee_invoices(invoices: Iterable[Invoice]) -> dict[str, Invoice]:
    """Each member's latest cotisation invoice still to pay (by member ID key): the renewal
    reminders name it as the payment reference."""
    found: dict[str, Invoice] = {}
    for invoice in standing(invoices):
        key = id_key(invoice.member_id)
        if key is None or invoice.purpose != COTISATION or invoice.due <= 0 or invoice.status == PAID:
            continue
        current = found.get(key)
        if current is None or (invoice.date or dt.date.min) >= (current.date or dt.date.min):
            found[key] = invoice
    return found


# --------------------------------------------------------------------------- unpaid invoices


@dataclass(frozen=True)
class UnpaidDue:
    """The reminder due for an unpaid invoice: its offset after the due date."""

    invoice: Invoice
    offset: int
    send_on: dt.date

    @property
    def label(self) -> str:
        """What the ``Relance`` column holds: ``facture F2026-0012 J+15``."""
        return f"facture {self.invoice.number} J+{self.offset}"


def unpaid_reminders(
    invoices: Iterable[Invoice],
    today: dt.date,
    offsets: Sequence[int],
    catch_up_days: int,
    histories: Mapping[tuple[str, dt.date, str], History],
) -> tuple[list[UnpaidDue], list[UnpaidDue]]:
    """The reminders of the invoices still unpaid after their due date: for each, only the
    latest offset reached (a run that missed days sends that one, once); one older than
    ``catch_up_days`` is returned apart (``late``: staff remind by hand)."""
    due: list[UnpaidDue] = []
    late: list[UnpaidDue] = []
    for invoice in standing(invoices):
        if invoice.is_credit_note or invoice.due <= 0 or invoice.due_date is None or not invoice.number:
            continue
        reached = [o for o in offsets if invoice.due_date + dt.timedelta(days=o) <= today]
        if not reached:
            continue
        offset = max(reached)
        send_on = invoice.due_date + dt.timedelta(days=offset)
        item = UnpaidDue(invoice, offset, send_on)
        key = message_key(invoice.member_id, invoice.due_date, item.label)
        if key is None:
            continue
        history = histories.get(key)
        if history is not None and history.state is not State.FRESH:
            continue
        if (today - send_on).days > catch_up_days:
            late.append(item)
            continue
        due.append(item)
    return due, late


# --------------------------------------------------------------------------- balances


@dataclass(frozen=True)
class Balance:
    """What a member owes on its invoices: invoiced minus paid (``Reste dû``), and how much
    of it is past its due date."""

    member_id: str
    name: str
    due: Decimal
    overdue: Decimal
    numbers: tuple[str, ...]  # the invoices overdue
    oldest: dt.date | None  # the earliest due date passed


def balances(invoices: Iterable[Invoice], today: dt.date) -> list[Balance]:
    """Each member with something still to pay, in ID order."""
    found: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in standing(invoices):
        if invoice.member_id and invoice.due > 0:
            found[invoice.member_id].append(invoice)
    out = []
    for member_id, open_ in sorted(found.items(), key=lambda item: id_key(item[0]) or item[0]):
        late = [i for i in open_ if i.due_date is not None and i.due_date < today]
        out.append(
            Balance(
                member_id,
                next((i.client for i in open_ if i.client), member_id),
                sum((i.due for i in open_), Decimal(0)),
                sum((i.due for i in late), Decimal(0)),
                tuple(i.number or "" for i in late),
                min((i.due_date for i in late if i.due_date), default=None),
            )
        )
    return out
