"""The whole workbook as models: every tab parsed, with the anomalies found row by row."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from .. import schema
from ..workbook.table import Table
from . import invoices as _invoices  # noqa: F401 - registers the Factures tab's spec
from .anomalies import Anomalies
from .parsing import parse_table
from .payments import Payment, latest_fee_payments
from .rows import (
    BoardMember,
    Booking,
    Event,
    Figure,
    JournalEntry,
    Member,
    Occupation,
    Premises,
    Rate,
    Registration,
    ReminderLog,
    Text,
    id_key,
)

# contract tab name -> Dataset attribute
ATTRIBUTES = {
    schema.MEMBRES.name: "members",
    schema.LOCAUX.name: "premises",
    schema.OCCUPATIONS.name: "occupations",
    schema.RESERVATIONS.name: "bookings",
    schema.EVENEMENTS.name: "events",
    schema.INSCRIPTIONS.name: "registrations",
    schema.TARIFS.name: "rates",
    schema.PAIEMENTS.name: "payments",
    schema.CONSEIL.name: "board",
    schema.CHIFFRES.name: "figures",
    schema.TEXTES.name: "texts",
    schema.RELANCES.name: "reminders",
    schema.JOURNAL.name: "journal",
}


@dataclass
class Dataset:
    """All rows of the workbook as models, and the anomalies of parsing them.

    Lookups by ID (``member("m12")``) compare IDs like :func:`rows.id_key`; when an ID
    stands twice, the first row wins (``rules.validation`` reports the duplicate).
    """

    members: list[Member] = field(default_factory=list)
    premises: list[Premises] = field(default_factory=list)
    occupations: list[Occupation] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    board: list[BoardMember] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    reminders: list[ReminderLog] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    anomalies: Anomalies = field(default_factory=Anomalies)
    titles: dict[str, str] = field(default_factory=dict)  # contract name -> workbook title

    @classmethod
    def from_tables(cls, tables: Mapping[str, Table], *, today: dt.date | None = None) -> Dataset:
        """Parse every contract tab of ``tables`` (keyed by workbook title, matched with
        ``schema.tab_schema``); staff tabs are ignored, a missing tab gives no rows. When two
        titles match one tab, the first wins. ``today`` dates the plausibility checks."""
        day = today or dt.date.today()
        dataset = cls()
        for title, table in tables.items():
            tab = schema.tab_schema(title) or table.schema
            if tab is None or tab.name in dataset.titles or tab.name not in ATTRIBUTES:
                continue  # a staff tab, a second copy, or Listes (written by the jobs, never read)
            dataset.titles[tab.name] = title
            models, anomalies = parse_table(table, today=day, tab=tab)
            setattr(dataset, ATTRIBUTES[tab.name], models)
            dataset.anomalies.extend(anomalies)
        if schema.PAIEMENTS.name in dataset.titles:
            dataset.members = follow_ledger(dataset.members, dataset.payments)
        dataset.occupations = end_with_departures(dataset.occupations, dataset.members)
        return dataset

    @property
    def has_ledger(self) -> bool:
        """Whether the workbook has a ``Paiements`` tab (the fee periods then follow it)."""
        return schema.PAIEMENTS.name in self.titles

    def rows_of(self, tab: str) -> list:
        """The models of a tab, by contract name or workbook title."""
        found = schema.tab_schema(tab)
        if found is None or found.name not in ATTRIBUTES:
            return []
        return getattr(self, ATTRIBUTES[found.name])

    # ------------------------------------------------------------------ indexes

    @staticmethod
    def _index(models: list) -> dict:
        index: dict = {}
        for model in models:
            key = id_key(model.id)
            if key is not None and key not in index:
                index[key] = model
        return index

    @cached_property
    def members_by_id(self) -> dict[str, Member]:
        """Members by ID key (see ``rows.id_key``)."""
        return self._index(self.members)

    @cached_property
    def premises_by_id(self) -> dict[str, Premises]:
        return self._index(self.premises)

    @cached_property
    def events_by_id(self) -> dict[str, Event]:
        return self._index(self.events)

    @cached_property
    def occupations_by_member(self) -> dict[str, list[Occupation]]:
        index: dict[str, list[Occupation]] = defaultdict(list)
        for occupation in self.occupations:
            key = id_key(occupation.member_id)
            if key is not None:
                index[key].append(occupation)
        return dict(index)

    def member(self, member_id: str | None) -> Member | None:
        return self.members_by_id.get(id_key(member_id) or "")

    def premises_item(self, premises_id: str | None) -> Premises | None:
        return self.premises_by_id.get(id_key(premises_id) or "")

    def event(self, event_id: str | None) -> Event | None:
        return self.events_by_id.get(id_key(event_id) or "")

    def occupations_of(self, member_id: str | None) -> list[Occupation]:
        return self.occupations_by_member.get(id_key(member_id) or "", [])


def end_with_departures(occupations: list[Occupation], members: list[Member]) -> list[Occupation]:
    """Occupations that end, at the latest, the day their member left the association
    (``Sortie le``): a leaver's occupation whose « Fin » was left blank no longer holds the
    premises (no overlap with the next occupant, no rent, no convention to sign). The
    sheet's « Fin » is left as the staff typed it."""
    left: dict[str, dt.date] = {}
    for member in members:
        key = id_key(member.id)
        if key is not None and member.left_on is not None:
            left.setdefault(key, member.left_on)
    if not left:
        return occupations
    ended = []
    for occupation in occupations:
        day = left.get(id_key(occupation.member_id) or "")
        over = day is not None and (occupation.end is None or occupation.end > day)
        if over and day is not None and (occupation.start is None or occupation.start <= day):
            occupation = replace(occupation, end=day)
        ended.append(occupation)
    return ended


def follow_ledger(members: list[Member], payments: list[Payment]) -> list[Member]:
    """Members whose ``paid_on`` / ``amount_paid`` are their latest ``cotisation`` payment
    in ``Paiements``; a member with none there keeps the values of ``Membres``."""
    latest = latest_fee_payments(payments)
    if not latest:
        return members
    followed = []
    for member in members:
        payment = latest.get(id_key(member.id) or "")
        if payment is not None:
            member = replace(
                member,
                paid_on=payment.date,
                amount_paid=payment.amount,
                unreadable=member.unreadable - {"paid_on", "amount_paid"},
            )
        followed.append(member)
    return followed
