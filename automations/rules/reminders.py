"""Which renewal reminder is due for a member on a day: pure functions, no I/O.

A reminder is identified by (member ID, reference date, reminder label), as the
``Relances`` tab records it:

- renewal reminders are dated from the ``Échéance`` (the last day of the period paid
  for): ``renouvellement J-30``, ``renouvellement J-7``, ``renouvellement J+15`` by
  default (``ReminderSchedule.offsets``);
- a member who joined and never paid gets ``première cotisation J+15`` (15 days after
  ``Adhésion le``, ``ReminderSchedule.unpaid_offsets``); its reference date, written in
  the ``Échéance`` column of ``Relances``, is ``Adhésion le``.

On a given day only the *latest* reminder whose date has come is considered: a run
that missed days (or weeks) sends that one, once, and never the earlier ones it skipped.
A reminder whose date is more than ``catch_up_days`` old is not sent automatically (a
first run would otherwise write to every member lapsed for years); it is listed instead.

The history of a reminder is the rows of ``Relances`` with its key, in sheet order. Each
sending attempt carries its own ``Message-ID``; the statuses are::

    en cours      written before the message is handed to the server
    envoyée       the server accepted it
    échec         the server refused it (``Détails``: code and reason)
    annulée       not sent after all (the batch stopped, or another run sent it)
    à vérifier    an ``en cours`` left without outcome (a crash): reported once
    à renvoyer    typed by a person: forget the attempts above, send again

A reminder is *sent* as soon as one attempt is ``envoyée``; *in doubt* while an attempt
is ``en cours`` or ``à vérifier`` (it may have left: it is never sent again, a person
checks); otherwise it is still to send (a temporary 4xx refusal is retried by the next
run). Attempts are told apart by Message-ID, so two runs writing at the same time cannot
make a sent reminder look unsent. An address a server refused for good (5xx) gets no
reminder at all until ``Email`` holds another address.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..formatting import format_date_long
from ..model.rows import Member, id_key
from ..schema import normalize_header
from ..settings.renewals import ReminderSchedule
from .membership import MemberComputation

BEFORE = "avant"  # renewal reminder before the échéance
AFTER = "après"  # renewal reminder on or after the échéance
FIRST = "première"  # the member joined and never paid

# Relances.Statut values
IN_PROGRESS = "en cours"
SENT = "envoyée"
FAILED = "échec"
CANCELLED = "annulée"
TO_CHECK = "à vérifier"
RESEND = "à renvoyer"


@dataclass(frozen=True)
class ReminderKind:
    """One reminder of the schedule: ``offset`` days from its reference date."""

    moment: str  # BEFORE, AFTER or FIRST
    offset: int

    @property
    def label(self) -> str:
        """What the ``Relance`` column holds: ``renouvellement J-30``."""
        sign = "+" if self.offset >= 0 else "-"
        prefix = "première cotisation" if self.moment == FIRST else "renouvellement"
        return f"{prefix} J{sign}{abs(self.offset)}"


@dataclass(frozen=True)
class Due:
    """The reminder due for a member: which one, from which date, since when."""

    kind: ReminderKind
    reference: dt.date  # the Échéance, or Adhésion le for a first fee
    send_on: dt.date

    @property
    def label(self) -> str:
        return self.kind.label


def kinds(schedule: ReminderSchedule, never_paid: bool) -> list[ReminderKind]:
    """The reminders of the schedule (``[renewals]`` in the configuration) for a member."""
    if never_paid:
        return [ReminderKind(FIRST, o) for o in schedule.unpaid_offsets]
    return [ReminderKind(BEFORE if o < 0 else AFTER, o) for o in schedule.offsets]


def latest_due(
    reference: dt.date, never_paid: bool, today: dt.date, schedule: ReminderSchedule
) -> Due | None:
    """The latest reminder whose date has come (on or before ``today``), or None."""
    found: Due | None = None
    for kind in kinds(schedule, never_paid):
        send_on = reference + dt.timedelta(days=kind.offset)
        if send_on <= today and (found is None or send_on >= found.send_on):
            found = Due(kind, reference, send_on)
    return found


# --------------------------------------------------------------------------- history


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
    """The attempts of one reminder, and what they add up to."""

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


def reminder_key(member_id: str | None, reference: dt.date, label: str) -> Key | None:
    member = id_key(member_id)
    if member is None:
        return None
    return (member, reference, normalize_header(label))


class Histories(dict[Key, History]):
    """The history of every reminder, by key; and the addresses servers refused for good.

    ``refusals`` maps (member key, address) to the last permanent (5xx) refusal at that
    address, unless a message to it was accepted since: no reminder, whichever, is sent
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
    """The history of every reminder found in ``Relances``, rows taken in sheet order.

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
        key = reminder_key(entry.member_id, entry.reference, entry.reminder)
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


# --------------------------------------------------------------------------- decision


@dataclass(frozen=True)
class Send:
    due: Due


@dataclass(frozen=True)
class Skip:
    """A reminder is due but will not be sent; ``reason`` says why, in French.

    ``late``: the reminder's date is beyond the catch-up window (listed apart)."""

    due: Due | None
    reason: str
    late: bool = False


@dataclass(frozen=True)
class InDoubt:
    """A previous attempt may have left: never sent again, a person checks."""

    due: Due
    attempts: tuple[Attempt, ...]
    new: tuple[Attempt, ...] = field(default=())  # found by this run (not yet « à vérifier »)


Decision = Send | Skip | InDoubt


def _reference(member: Member, computation: MemberComputation) -> tuple[dt.date | None, bool, str | None]:
    """(reference date, never paid, reason when it cannot be known)."""
    if "paid_on" in member.unreadable:
        return (
            None,
            False,
            (
                "« Cotisation payée le » est illisible : corrigez la date dans l'onglet Membres "
                "pour que les relances reprennent."
            ),
        )
    if member.paid_on is not None:
        return computation.echeance, False, None
    if "joined_on" in member.unreadable or member.joined_on is None:
        return (
            None,
            True,
            (
                "« Adhésion le » est vide ou illisible et aucune cotisation n'est enregistrée : "
                "complétez la date d'adhésion dans l'onglet Membres."
            ),
        )
    return member.joined_on, True, None


def decide(
    member: Member,
    computation: MemberComputation,
    today: dt.date,
    schedule: ReminderSchedule,
    histories: Histories,
) -> Decision | None:
    """What to do for ``member`` today: send a reminder, skip it (why), report an
    attempt in doubt, or nothing (None: no reminder is due, or it was already sent)."""
    reference, never_paid, unknown = _reference(member, computation)
    left = member.left_on is not None and member.left_on <= today
    if reference is None:
        return None if left or unknown is None else Skip(None, unknown)
    due = latest_due(reference, never_paid, today, schedule)
    if due is None:
        return None
    key = reminder_key(member.id, due.reference, due.label)
    history = histories.get(key, History()) if key is not None else History()
    state = history.state
    if state is State.SENT:
        return None
    if state is State.IN_DOUBT:
        return InDoubt(due, tuple(history.in_doubt), tuple(history.unreported))
    late = (today - due.send_on).days > schedule.catch_up_days
    if left:
        return (
            None
            if late
            else Skip(due, f"membre sorti le {format_date_long(member.left_on)} : aucune relance.")
        )
    if late:
        return Skip(
            due,
            (
                f"relance prévue le {format_date_long(due.send_on)}, il y a plus de "
                f"{schedule.catch_up_days} jours : elle n'est plus envoyée automatiquement. "
                "Relancez ce membre vous-même, ou indiquez sa date de sortie dans « Sortie le »."
            ),
            late=True,
        )
    if member.id is None:
        return Skip(due, "ligne sans ID : lancez « mila synchroniser » pour lui en attribuer un.")
    if member.email is None:
        if "email" in member.unreadable:
            return Skip(due, "adresse e-mail invalide : corrigez la case « Email » dans l'onglet Membres.")
        return Skip(due, "aucune adresse e-mail : complétez la case « Email » dans l'onglet Membres.")
    refusal = histories.refusal(member.id, member.email)
    if refusal is not None:
        return Skip(
            due,
            (
                f"l'adresse {member.email} a été refusée par le serveur "
                f"({refusal.details or 'sans détail'}) : "
                "corrigez-la dans « Email », les relances repartiront au prochain passage."
            ),
        )
    fee = computation.fee
    if fee is None:
        return Skip(
            due,
            (
                "cotisation non calculée : corrigez les anomalies de cette ligne "
                "(« mila verifier » les liste), la relance partira ensuite."
            ),
        )
    if fee.ttc == 0:
        return Skip(due, "aucune cotisation à payer (membre de droit) : pas de relance.")
    return Send(due)


def _permanent(attempt: Attempt) -> bool:
    """A 5xx refusal (or one without code): not retried at the same address."""
    details = (attempt.details or "").strip()
    return details[:1] != "4"
