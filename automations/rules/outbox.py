"""The send-once history of a message, read from ``Relances``: pure functions, no I/O.

Every job that e-mails (renewal reminders, place notices, acknowledgements, receipts,
documents for signature, the report to the board, the daily summary) records its messages
in ``Relances``. A message is identified by (addressee, reference date, label) —
(``Membre``, ``Échéance``, ``Relance``) — and its history is the rows with that key, in
sheet order. Each sending attempt carries its own ``Message-ID``; the statuses are::

    en cours      the claim, written just before the message is handed to the server
    envoyée       the server accepted it
    échec         the server refused it (``Détails``: code and reason)
    annulée       not sent after all (the batch stopped, or another run sent it)
    à vérifier    an ``en cours`` left without outcome (a crash): reported once
    à renvoyer    typed by a person: forget the attempts above, send again

A message is *sent* as soon as one attempt is ``envoyée``; *in doubt* while an attempt is
``en cours`` or ``à vérifier`` (it may have left: it is never sent again, a person
checks); otherwise it is still to send (a temporary 4xx refusal is retried by the next
run). Attempts are told apart by Message-ID, so two runs writing at the same time cannot
make a sent message look unsent. An address a server refused for good (5xx) gets no
message of the same addressee until ``Email`` holds another address.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..model.rows import id_key
from ..schema import normalize_header

# Relances.Statut values
IN_PROGRESS = "en cours"
SENT = "envoyée"
FAILED = "échec"
CANCELLED = "annulée"
TO_CHECK = "à vérifier"
RESEND = "à renvoyer"


@dataclass(frozen=True)
class LogEntry:
    """One row of ``Relances``, as the rules need it."""

    row: int
    member_id: str | None
    reference: dt.date | None  # Échéance
    reminder: str | None  # Relance
    status: str | None
    address: str | None = None
    message_id: str | None = None
    details: str | None = None
    at: dt.date | None = None  # Envoyée le


class State(enum.Enum):
    FRESH = "à envoyer"
    SENT = "envoyée"
    IN_DOUBT = "à vérifier"
    FAILED = "échec"


@dataclass(frozen=True)
class Attempt:
    message_id: str | None
    status: str  # normalised: one of the Relances statuses
    address: str | None
    details: str | None
    row: int
    at: dt.date | None = None


@dataclass(frozen=True)
class History:
    """The attempts of one message, and what they add up to."""

    attempts: tuple[Attempt, ...] = ()

    @property
    def state(self) -> State:
        if any(a.status == SENT for a in self.attempts):
            return State.SENT
        if any(a.status in (IN_PROGRESS, TO_CHECK) for a in self.attempts):
            return State.IN_DOUBT
        failures = [a for a in self.attempts if a.status == FAILED]
        if failures and failures[-1] is self.attempts[-1]:
            return State.FAILED
        return State.FRESH

    @property
    def in_doubt(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status in (IN_PROGRESS, TO_CHECK)]

    @property
    def unreported(self) -> list[Attempt]:
        """``en cours`` attempts not yet marked ``à vérifier``: found by this run."""
        return [a for a in self.attempts if a.status == IN_PROGRESS]


_FINAL = frozenset({SENT, FAILED, CANCELLED})
_STATUSES = {normalize_header(s): s for s in (IN_PROGRESS, SENT, FAILED, CANCELLED, TO_CHECK, RESEND)}


def normalize_status(text: str | None) -> str | None:
    """``Envoyée``, ``envoyee``, ``échec : 550 …`` -> the status word; None if unknown."""
    if not text:
        return None
    key = normalize_header(text)
    if key in _STATUSES:
        return _STATUSES[key]
    head = normalize_header(text.split(":", 1)[0])
    return _STATUSES.get(head)


Key = tuple[str, dt.date, str]


def message_key(member_id: str | None, reference: dt.date, label: str) -> Key | None:
    member = id_key(member_id)
    if member is None:
        return None
    return (member, reference, normalize_header(label))


class Histories(dict[Key, History]):
    """The history of every message, by key; and the addresses servers refused for good.

    ``refusals`` maps (member key, address) to the last permanent (5xx) refusal at that
    address, unless a message to it was accepted since: no message of that addressee, whichever, is sent
    there again until the address in ``Email`` changes (or a person writes
    ``à renvoyer``)."""

    def __init__(self, items: Mapping[Key, History] | None = None) -> None:
        super().__init__(items or {})
        self.refusals: dict[tuple[str, str], Attempt] = {}
        found = sorted(((key[0], a) for key, h in self.items() for a in h.attempts), key=lambda p: p[1].row)
        for member, attempt in found:
            if not attempt.address:
                continue
            where = (member, attempt.address.strip().casefold())
            if attempt.status == FAILED and _permanent(attempt):
                self.refusals[where] = attempt
            elif attempt.status == SENT:
                self.refusals.pop(where, None)

    def refusal(self, member_id: str | None, address: str | None) -> Attempt | None:
        member = id_key(member_id)
        if member is None or not address:
            return None
        return self.refusals.get((member, address.strip().casefold()))


def build_histories(entries: Iterable[LogEntry]) -> Histories:
    """The history of every message found in ``Relances``, rows taken in sheet order.

    Within a key, an attempt's status is the last row with its Message-ID, except that an
    outcome (``envoyée``, ``échec``, ``annulée``) is never overridden by a later ``en cours``
    or ``à vérifier`` (written by a run that read Relances before the outcome was
    recorded); ``à renvoyer`` forgets every attempt before it. Rows whose key or status
    cannot be read are ignored.
    """
    attempts: dict[Key, dict[object, Attempt]] = {}
    for entry in sorted(entries, key=lambda e: e.row):
        if entry.reference is None or entry.reminder is None:
            continue
        key = message_key(entry.member_id, entry.reference, entry.reminder)
        status = normalize_status(entry.status)
        if key is None or status is None:
            continue
        by_id = attempts.setdefault(key, {})
        if status == RESEND:
            by_id.clear()
            continue
        ident: object = entry.message_id.strip() if entry.message_id else ("row", entry.row)
        previous = by_id.get(ident)
        if previous is not None and previous.status in _FINAL and status not in _FINAL:
            continue  # « à vérifier » written by a run that read before the outcome: stale
        by_id.pop(ident, None)
        by_id[ident] = Attempt(
            message_id=entry.message_id.strip() if entry.message_id else None,
            status=status,
            address=entry.address or (previous.address if previous else None),
            details=entry.details,
            row=entry.row,
            at=entry.at or (previous.at if previous else None),
        )
    return Histories({key: History(tuple(by_id.values())) for key, by_id in attempts.items()})


def _permanent(attempt: Attempt) -> bool:
    """A 5xx refusal (or one without code): not retried at the same address."""
    details = (attempt.details or "").strip()
    return details[:1] != "4"
