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

Whether a reminder was already sent, may have left (« à vérifier ») or is still to send
is read from its history in ``Relances`` (``rules.outbox``, shared by every job that
e-mails); an address a server refused for good gets no reminder until ``Email`` changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..formatting import format_date_long
from ..model.rows import Member
from ..settings.renewals import ReminderSchedule
from .membership import MemberComputation
from .outbox import Attempt, Histories, History, State, message_key

BEFORE = "avant"  # renewal reminder before the échéance
AFTER = "après"  # renewal reminder on or after the échéance
FIRST = "première"  # the member joined and never paid


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
    key = message_key(member.id, due.reference, due.label)
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
