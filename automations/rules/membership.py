"""Membership periods, statuses and votes, and the per-member computation of ``mila synchroniser``.

Periods (SHEETS.md): a period lasts 12 months from ``Cotisation payée le`` (paid
2024-03-15 -> échéance 2025-03-14; paid 2024-02-29 -> 2025-02-28), or, in calendar-year
mode, ends on 31 December of the year of payment.

Statuses: ``sortie`` when ``Sortie le`` is set and ≤ today; ``en attente`` when never paid;
``échue`` when the échéance is past; ``à renouveler`` when it falls within the renewal
window (30 days by default, today included); ``à jour`` otherwise. A member with nothing to
pay (a membre de droit at 0 €) is ``à jour``: reminding them would make no sense.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from ..model.anomalies import Anomaly, Severity
from ..model.rows import Member, Occupation, Premises, id_key
from ..schema import MEMBRES
from ..settings.membership import (  # noqa: F401 - the policy is the [membership] section
    ALL_STATUSES_BUT_SORTIE,
    CALENDAR_YEAR,
    DEFAULT_VOTES,
    TWELVE_MONTHS,
    MembershipPolicy,
)
from .fees import Fee, FeeProblem, FeeSchedule, compute_fee


class OccupancySource(Protocol):
    """What the computation needs from the workbook (``Dataset`` provides it)."""

    def occupations_of(self, member_id: str | None) -> list[Occupation]: ...

    def premises_item(self, premises_id: str | None) -> Premises | None: ...


@dataclass(frozen=True)
class MemberComputation:
    row: int
    id: str | None
    fee: Fee | None  # None: nothing due (sortie) or not computable (see anomalies)
    echeance: dt.date | None  # last day of the period paid for
    status: str | None  # None: unknown because a date could not be read
    votes: int
    period_start: dt.date | None  # first day of the period the fee is for
    anomalies: tuple[Anomaly, ...] = ()


def due_date(paid_on: dt.date, policy: MembershipPolicy | None = None) -> dt.date:
    """The last day of the period opened by a payment on ``paid_on``."""
    policy = policy or MembershipPolicy()
    return _due_date(paid_on, policy.period == CALENDAR_YEAR)


@lru_cache(maxsize=4096)
def _due_date(paid_on: dt.date, calendar_year: bool) -> dt.date:
    """:func:`due_date`, once per day of payment (a run asks it three times per member, and
    thousands of members paid on the same days)."""
    if calendar_year:
        return dt.date(paid_on.year, 12, 31)
    try:
        anniversary = paid_on.replace(year=paid_on.year + 1)
    except ValueError:  # paid on 29 February: the anniversary is 1 March
        anniversary = dt.date(paid_on.year + 1, 3, 1)
    return anniversary - dt.timedelta(days=1)


def next_period_start(member: Member, policy: MembershipPolicy | None = None) -> dt.date | None:
    """The day after the échéance; ``Adhésion le`` when never paid; None when neither."""
    if member.paid_on is not None:
        return due_date(member.paid_on, policy) + dt.timedelta(days=1)
    return member.joined_on


def fee_period_start(
    member: Member, today: dt.date, policy: MembershipPolicy | None = None
) -> dt.date | None:
    """The first day of the period the fee due now is for, whose rates apply.

    The next period when it starts today or later (renewals). When it started in the past
    (period lapsed, or never paid since an old ``Adhésion le``), the period opens with the
    payment, so today (12-month mode) or 1 January of this year (calendar-year mode), but
    never before the next period start.
    """
    policy = policy or MembershipPolicy()
    start = next_period_start(member, policy)
    if start is None or start >= today:
        return start
    if policy.period == CALENDAR_YEAR:
        return max(start, dt.date(today.year, 1, 1))
    return today


def status(
    member: Member,
    today: dt.date,
    policy: MembershipPolicy | None = None,
    *,
    fee_due: Decimal | None = None,
) -> str | None:
    """``à jour`` · ``à renouveler`` · ``échue`` · ``en attente`` · ``sortie``.

    ``fee_due`` = 0 (nothing to pay) gives ``à jour``. None when ``Cotisation payée le`` or
    ``Sortie le`` could not be read: better no status than a wrong reminder.
    """
    policy = policy or MembershipPolicy()
    if "left_on" in member.unreadable:
        return None
    if member.left_on is not None and member.left_on <= today:
        return "sortie"
    if "paid_on" in member.unreadable:
        return None
    if fee_due is not None and fee_due == 0:
        return "à jour"
    if member.paid_on is None:
        return "en attente"
    echeance = due_date(member.paid_on, policy)
    if echeance < today:
        return "échue"
    if (echeance - today).days <= policy.renew_window_days:
        return "à renouveler"
    return "à jour"


def votes(member: Member, member_status: str | None, policy: MembershipPolicy | None = None) -> int:
    """Votes at the general assembly: by category; 0 for ``sortie`` (and for statuses
    outside ``policy.voting_statuses``)."""
    policy = policy or MembershipPolicy()
    if member_status not in policy.voting_statuses or member.category is None:
        return 0
    return int(policy.votes.get(member.category, 0))


def hosted_surface(
    member: Member, source: OccupancySource, day: dt.date, today: dt.date | None = None
) -> Decimal | None:
    """The surface a hébergé occupies: the sum of ``Surface m²`` of the premises of its
    occupations ongoing on ``day`` (the period start), or, when none is, ongoing on
    ``today`` (a convention not yet recorded for the coming period should not zero the
    fee). None when there is no such occupation or a premises' surface is unknown."""
    occupations = source.occupations_of(member.id)
    for when in (day, today):
        if when is None:
            continue
        ongoing = [o for o in occupations if o.ongoing_on(when)]
        if not ongoing:
            continue
        total = Decimal(0)
        seen: set[str] = set()
        for occupation in ongoing:
            key = id_key(occupation.premises_id)
            if key is None or key in seen:
                continue
            seen.add(key)
            premises = source.premises_item(occupation.premises_id)
            if premises is None or premises.surface_m2 is None:
                return None
            total += premises.surface_m2
        return total
    return None


_FEE_INPUTS = frozenset({"category", "forfait", "crescendo", "paid_on", "joined_on"})


def compute_member(
    member: Member,
    source: OccupancySource,
    schedule: FeeSchedule,
    today: dt.date,
    policy: MembershipPolicy | None = None,
    fees: dict[tuple[object, ...], Fee | FeeProblem] | None = None,
) -> MemberComputation:
    """Fee for the next period, échéance, status and votes of one member, with the
    anomalies that explain a fee that could not be computed (errors on the member's row).

    ``source`` is the ``Dataset`` (occupations and premises, for a hébergé's surface).
    No fee for a member who has left; none either when a value it depends on is missing
    or unreadable (the row's parsing anomalies already say so). ``fees`` remembers the
    outcome of ``compute_fee`` for the members of one ``schedule`` (see :func:`_fee`).
    """
    policy = policy or MembershipPolicy()
    anomalies: list[Anomaly] = []
    echeance = due_date(member.paid_on, policy) if member.paid_on is not None else None
    period = fee_period_start(member, today, policy)
    fee: Fee | None = None
    leaving = member.left_on is not None and member.left_on <= today
    if (
        not leaving
        and period is not None
        and member.category is not None
        and not (member.unreadable & _FEE_INPUTS)
    ):
        surface = None
        if member.category == "hébergé":
            surface = hosted_surface(member, source, period, today)
        outcome = _fee(member, period, schedule, surface, fees)
        if isinstance(outcome, FeeProblem):
            anomalies.append(
                Anomaly(MEMBRES.name, member.row, member.id, outcome.column, Severity.ERROR, outcome.message)
            )
        else:
            fee = outcome
    member_status = status(member, today, policy, fee_due=fee.ht if fee else None)
    return MemberComputation(
        row=member.row,
        id=member.id,
        fee=fee,
        echeance=echeance,
        status=member_status,
        votes=votes(member, member_status, policy),
        period_start=period,
        anomalies=tuple(anomalies),
    )


def _fee(
    member: Member,
    period: dt.date,
    schedule: FeeSchedule,
    surface: Decimal | None,
    fees: dict[tuple[object, ...], Fee | FeeProblem] | None,
) -> Fee | FeeProblem:
    """``compute_fee``'s fee, or the problem it raised. The fee depends on the member's
    category, forfait and Crescendo option, the period and the surface only: thousands of
    members share one, computed once in ``fees``. A hébergé's surface counts as written
    (``12`` and ``12.0`` are equal numbers but are written differently in the fee's text)."""
    key = (
        member.category,
        member.forfait,
        member.crescendo,
        period,
        None if surface is None else str(surface),
    )
    if fees is not None and key in fees:
        return fees[key]
    try:
        outcome: Fee | FeeProblem = compute_fee(member, period, schedule, surface)
    except FeeProblem as problem:
        outcome = problem
    if fees is not None:
        fees[key] = outcome
    return outcome


class _Dataset(OccupancySource, Protocol):
    members: list[Member]
    rates: list


def compute_all(
    dataset: _Dataset,
    today: dt.date,
    policy: MembershipPolicy | None = None,
    schedule: FeeSchedule | None = None,
) -> list[MemberComputation]:
    """``compute_member`` for every member of a ``Dataset``, in sheet order."""
    policy = policy or MembershipPolicy()
    schedule = schedule or FeeSchedule(dataset.rates)
    fees: dict[tuple[object, ...], Fee | FeeProblem] = {}
    return [compute_member(m, dataset, schedule, today, policy, fees) for m in dataset.members]


def members_active_on(members: Iterable[Member], today: dt.date) -> list[Member]:
    """Members who have not left (``Sortie le`` blank or after today)."""
    return [m for m in members if m.left_on is None or m.left_on > today]
