"""The workbook as one run sees it: read once, evaluated once.

Every job starts from a :class:`WorkbookState` (``RunContext.state``): the tables of one
read of the whole workbook (one ``batchGet`` on Google Sheets, the form tabs, ``Journal``
and ``Relances`` included) and their one :class:`~.evaluation.Evaluation` (validation,
fees, the statuses and due dates that follow the ``Paiements`` ledger, bookings, events).
A member's status, due date and amount due are therefore computed in one place, and two
jobs of the same run, or of two runs on the same workbook, cannot disagree about them:
the reminders, the summary, ``mila etat`` and ``mila verifier`` count the same things.

A job that writes rows another step of the same run must see (the form answers taken in
before the sync evaluates) says so with :meth:`RunContext.changed`; the next use of the
state reads the workbook again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .. import schema
from ..model.dataset import Dataset
from ..model.invoices import Invoice
from ..model.parsing import parse_table
from ..model.rows import JournalEntry, Member, id_key
from ..outbox import entries
from ..rules.bookings import BookingPolicy
from ..rules.membership import MemberComputation, MembershipPolicy
from ..rules.outbox import LogEntry
from ..settings import FormsSettings
from ..workbook import Table, Workbook
from .evaluation import Evaluation, evaluate


@dataclass
class WorkbookState:
    """One read of the workbook and its one evaluation, for ``today``."""

    tables: Mapping[str, Table]
    evaluation: Evaluation
    today: dt.date
    _by_member: dict[str, MemberComputation] = field(default_factory=dict, repr=False)

    @property
    def dataset(self) -> Dataset:
        return self.evaluation.dataset

    @property
    def journal(self) -> list[JournalEntry]:
        return self.evaluation.dataset.journal

    @cached_property
    def log_entries(self) -> list[LogEntry]:
        """The rows of ``Relances`` as the sending rules read them."""
        return entries(self.tables.get(schema.RELANCES.name), self.today)

    @cached_property
    def invoices(self) -> list[Invoice]:
        """The rows of ``Factures`` (invoices and credit notes), in sheet order; none when
        the tab is missing. Read here, not in the evaluation: only billing needs them."""
        table = self.tables.get(schema.FACTURES.name)
        if table is None:
            table = next((t for t in self.tables.values() if t.schema is schema.FACTURES), None)
        if table is None:
            return []
        models, _ = parse_table(table, today=self.today, tab=schema.FACTURES)
        return [m for m in models if isinstance(m, Invoice)]

    def member_rows(self) -> list[tuple[Member, MemberComputation]]:
        """Every member with its computation (status, due date, fee), in sheet order."""
        return list(zip(self.dataset.members, self.evaluation.computations, strict=True))

    def computation(self, member_id: str) -> MemberComputation | None:
        """The one computation of a member (the first row when an ID stands twice)."""
        if not self._by_member:
            for member, computation in self.member_rows():
                if (key := id_key(member.id)) is not None:
                    self._by_member.setdefault(key, computation)
        key = id_key(member_id)
        return self._by_member.get(key) if key is not None else None

    def subset(self, *tabs: schema.Tab) -> dict[str, Table]:
        """The tables of these contract tabs that the workbook has."""
        return {t.name: self.tables[t.name] for t in tabs if t.name in self.tables}


def read_state(
    workbook: Workbook,
    today: dt.date,
    policy: MembershipPolicy,
    booking_policy: BookingPolicy | None = None,
    forms: FormsSettings | None = None,
) -> WorkbookState:
    """Read every tab of the workbook in one request and evaluate it once."""
    tables = workbook.read()
    return state_of(tables, today, policy, booking_policy, forms)


def state_of(
    tables: Mapping[str, Table],
    today: dt.date,
    policy: MembershipPolicy,
    booking_policy: BookingPolicy | None = None,
    forms: FormsSettings | None = None,
) -> WorkbookState:
    """The state of tables already read (a test's, or a read made for another reason)."""
    evaluation = evaluate(tables, today, policy, booking_policy=booking_policy, forms=forms)
    return WorkbookState(tables, evaluation, today)
