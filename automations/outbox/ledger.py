"""The ``Relances`` tab as the outbox writes and reads it: one row per step of a message.

``Relances`` is append-only. A message is identified by (``Membre``, ``Échéance``,
``Relance``) and each attempt by its ``Message-ID`` (see ``rules.outbox``): the claim
``en cours`` is appended just before the message is handed to the server, the outcome
(``envoyée``, ``échec``, ``annulée``, ``à vérifier``) after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from .. import schema
from ..model.parsing import parse_table
from ..model.rows import ReminderLog
from ..rules import outbox as rules
from ..rules.outbox import LogEntry
from ..workbook import Table, Workbook
from .messages import Mail, ToCheck

DETAILS = "Détails"  # column added to Relances for the server's reason and notes
STILL_SENDING = "resté « en cours » : vérifiez s'il est parti (voir docs/mail.md)"


def row(
    member_id: str | None,
    reference: dt.date,
    reminder: str,
    status: str,
    at: dt.datetime | None,
    address: str | None,
    message_id: str | None,
    details: str | None,
) -> dict[str, object]:
    """A Relances row, as ``Workbook.append_rows`` takes it."""
    return {
        "Membre": member_id,
        "Échéance": reference,
        "Relance": reminder,
        "Statut": status,
        "Envoyée le": at,
        "Adresse": address,
        "Message-ID": message_id,
        DETAILS: details,
    }


def claim_row(message: Mail) -> dict[str, object]:
    """The ``en cours`` row appended just before ``message`` is handed to the server."""
    return row(
        message.member_id,
        message.reference,
        message.reminder,
        rules.IN_PROGRESS,
        None,
        message.address,
        message.message_id,
        None,
    )


def outcome_row(message: Mail) -> dict[str, object]:
    """The row of what became of ``message`` (``envoyée``, ``échec``, ``annulée``…)."""
    return row(
        message.member_id,
        message.reference,
        message.reminder,
        message.status,
        message.sent_at,
        message.address,
        message.message_id,
        message.details,
    )


def to_check_row(
    member_id: str | None, reference: dt.date, reminder: str, address: str | None, message_id: str
) -> dict[str, object]:
    """The Relances row of a message left « en cours » by a run that stopped while sending:
    a person checks whether it left; it is never sent again on its own."""
    return row(member_id, reference, reminder, rules.TO_CHECK, None, address, message_id, STILL_SENDING)


def check_rows(checks: Sequence[ToCheck]) -> list[dict[str, object]]:
    """The « à vérifier » rows of the messages this run found « en cours »."""
    return [
        to_check_row(c.member_id, c.reference, c.label, c.address, mid) for c in checks for mid in c.new_ids
    ]


def entries(table: Table | None, today: dt.date | None) -> list[LogEntry]:
    """The rows of Relances as the rules read them (none when the tab is missing)."""
    if table is None:
        return []
    models, _ = parse_table(table, today=today, tab=schema.RELANCES)
    found = []
    for line, model in zip(table.rows, models, strict=True):
        assert isinstance(model, ReminderLog)
        details = line.get(DETAILS)
        found.append(
            LogEntry(
                row=line.number,
                member_id=model.member_id,
                reference=model.due_date,
                reminder=model.reminder,
                status=model.status,
                address=model.address,
                message_id=model.message_id,
                details=str(details).strip() if details else None,
                at=model.sent_at,
            )
        )
    return found


def append(workbook: Workbook, rows: Sequence[Mapping[str, object]]) -> None:
    """Append ``rows`` to Relances in one request (none: no request)."""
    if rows:
        workbook.append_rows(schema.RELANCES, list(rows))


def rivals(workbook: Workbook, messages: Sequence[Mail], snapshot_ids: set[str]) -> set[str]:
    """Read Relances again, once, after this run's first claim: the Message-IDs of the batch
    another run (started at the same time) has taken, that this run must not send.

    For each key of the batch, the first ``en cours`` row appended since our read
    (``snapshot_ids``: the Message-IDs Relances held then) tells which run owns it. When
    another run claimed a key of this batch before this run's first claim, that run is
    working through the same batch: this one steps back entirely (its later messages,
    not claimed yet, would otherwise race the other run's claims)."""
    table = workbook.read([schema.RELANCES.name]).get(schema.RELANCES.name)
    ours = {m.message_id for m in messages}
    keys = {k for m in messages if (k := rules.message_key(m.member_id, m.reference, m.reminder))}
    first: dict[rules.Key, tuple[int, str]] = {}
    my_first_row: int | None = None
    for entry in entries(table, None):
        if rules.normalize_status(entry.status) != rules.IN_PROGRESS or not entry.message_id:
            continue
        mid = entry.message_id.strip()
        if mid in snapshot_ids or entry.reference is None or entry.reminder is None:
            continue
        if mid in ours and my_first_row is None:
            my_first_row = entry.row
        key = rules.message_key(entry.member_id, entry.reference, entry.reminder)
        if key is not None and key in keys:
            first.setdefault(key, (entry.row, mid))
    taken = {mid for _, mid in first.values() if mid not in ours}
    before_us = any(
        r < my_first_row for r, mid in first.values() if mid not in ours and my_first_row is not None
    )
    if before_us or (taken and my_first_row is None):
        return ours  # another run goes through this batch: leave it every message
    return {
        m.message_id
        for m in messages
        if (key := rules.message_key(m.member_id, m.reference, m.reminder)) in first
        and first[key][1] != m.message_id
    }
