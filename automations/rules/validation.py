"""Checks across rows and tabs of a parsed workbook, into anomalies.

``validate(dataset, today)`` runs every check of ``CHECKS`` and the ``extra_checks`` given
(a check is any callable taking a :class:`Context` and returning anomalies). Bookings and
events are computed once per context (``Context.bookings``, ``Context.events``): their
checks return the anomalies, ``jobs.evaluation`` writes the values. Row-level problems
were already found while parsing (``dataset.anomalies``); ``validate`` returns only the
new ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from typing import Any

from .. import schema
from ..model.anomalies import Anomalies, Anomaly, Severity
from ..model.dataset import Dataset
from ..model.rows import Member, Occupation, id_key
from ..model.values import show_value
from .bookings import BookingPolicy, BookingsOutcome, compute_bookings
from .events import EventsOutcome, compute_events
from .fees import FORFAITS_FROM, FeeSchedule, forfait_missing_message
from .ids import id_numbers, max_digits
from .membership import MembershipPolicy, compute_member, fee_period_start, status

ERROR = Severity.ERROR
WARNING = Severity.WARNING
MAX_LISTED = 3


@dataclass
class Context:
    dataset: Dataset
    today: dt.date
    policy: MembershipPolicy
    booking_policy: BookingPolicy = field(default_factory=BookingPolicy)
    # Inscriptions: sheet row -> ``Place`` as read (sticky seats, promotions)
    previous_places: Mapping[int, object] = field(default_factory=dict)
    # Each member's fee due (HT), by ID key (« row N » without ID): the run's one computation
    # (``rules.membership.compute_all``) when the evaluation gives it; else computed here.
    fees_due: dict[str, Decimal | None] = field(default_factory=dict)

    @cached_property
    def active_members(self) -> list[Member]:
        """Members who have not left (``Sortie le`` blank or after today)."""
        return [m for m in self.dataset.members if m.left_on is None or m.left_on > self.today]

    @cached_property
    def schedule(self) -> FeeSchedule:
        return FeeSchedule(self.dataset.rates)

    def status_on(self, member: Member, day: dt.date) -> str | None:
        """The member's status on ``day`` (a member with nothing to pay is ``à jour``)."""
        key = fee_key(member)
        if key not in self.fees_due:
            fee = compute_member(member, self.dataset, self.schedule, self.today, self.policy).fee
            self.fees_due[key] = fee.ht if fee is not None else None
        return status(member, day, self.policy, fee_due=self.fees_due[key])

    @cached_property
    def bookings(self) -> BookingsOutcome:
        """Amounts and anomalies of « Réservations » (``rules.bookings``)."""
        d = self.dataset
        return compute_bookings(
            d.bookings, d.premises_by_id, d.members_by_id, self.today, self.booking_policy, self.status_on
        )

    @cached_property
    def events(self) -> EventsOutcome:
        """Places, counts, anomalies and promotions of events (``rules.events``)."""
        d = self.dataset
        return compute_events(
            d.events,
            d.registrations,
            d.members_by_id,
            self.today,
            previous_places=self.previous_places,
            status_on=self.status_on,
        )


Check = Callable[[Context], Iterable[Anomaly]]


def fee_key(member: Member) -> str:
    """How :attr:`Context.fees_due` knows a member."""
    return id_key(member.id) or f"row {member.row}"


def _others(group: Sequence[object], model: object) -> tuple[list[object], int]:
    """Up to ``MAX_LISTED`` members of ``group`` other than ``model``, and how many there are
    (cheap even for a group of thousands)."""
    shown = []
    for other in group:
        if other is not model:
            shown.append(other)
            if len(shown) == MAX_LISTED:
                break
    return shown, len(group) - 1


def _rows_text(models: Sequence[object], total: int | None = None) -> str:
    """``M0003 (ligne 5)``, ``ligne 5`` … for up to three rows, then ``et N autre(s)``."""
    total = len(models) if total is None else total
    parts = []
    for model in models[:MAX_LISTED]:
        number = model.row  # type: ignore[attr-defined]  # every row model has a row
        ident = getattr(model, "id", None)
        parts.append(f"{ident} (ligne {number})" if ident else f"ligne {number}")
    text = ", ".join(parts)
    if total > MAX_LISTED:
        text += f" et {total - MAX_LISTED} autre(s)"
    return text


# --------------------------------------------------------------------------- IDs


ID_TABS = (
    (schema.MEMBRES, "members"),
    (schema.LOCAUX, "premises"),
    (schema.OCCUPATIONS, "occupations"),
    (schema.RESERVATIONS, "bookings"),
    (schema.EVENEMENTS, "events"),
    (schema.INSCRIPTIONS, "registrations"),
)


def check_duplicate_ids(ctx: Context) -> Iterable[Anomaly]:
    """An ID standing on two rows of one tab: an error on each of them."""
    for tab, attr in ID_TABS:
        models_of_tab = getattr(ctx.dataset, attr)
        if _distinct_keys(tab, [model.id for model in models_of_tab]):  # nearly always
            continue
        groups: dict[str, list[object]] = defaultdict(list)
        for model in models_of_tab:
            key = id_key(model.id)
            if key is not None:
                groups[key].append(model)
        for models in groups.values():
            if len(models) < 2:
                continue
            for model in models:
                others, total = _others(models, model)
                row, ident = model.row, model.id  # type: ignore[attr-defined]  # a row model
                yield Anomaly(
                    tab.name,
                    row,
                    ident,
                    "ID",
                    ERROR,
                    f"ID « {ident} » en double (aussi {_rows_text(others, total)}) : "
                    "effacez l'ID de la ligne ajoutée par erreur pour que « mila synchroniser » "
                    "lui en attribue un nouveau, ou supprimez le doublon.",
                )


def _distinct_keys(tab: schema.Tab, ids: list[str | None]) -> bool:
    """Whether no two of ``ids`` share an ID key (:func:`id_key`). The key of an ID written
    as the tab writes them (its prefix of capital letters, then ASCII digits) is the prefix
    and the digits' number, so those are compared by number; others by their keys."""
    present = [text for text in ids if text is not None]
    prefix = tab.id_prefix or ""
    if prefix.isascii() and prefix.isalpha() and prefix.isupper():
        width = len(prefix)
        numbers = set()
        for text in present:
            if text.__class__ is str and text.startswith(prefix):
                digits = text[width:]
                if digits.isascii() and digits.isdigit():
                    numbers.add(int(digits))
                    continue
            break
        else:
            return len(numbers) == len(present)
    keys = [key for key in map(id_key, present) if key is not None]
    return len(set(keys)) == len(keys)


def check_id_format(ctx: Context) -> Iterable[Anomaly]:
    """An ID that does not fit its tab's pattern (``=1+1``, ``../etc/x``, a number far too
    long): an error; ``mila synchroniser`` ignores it when numbering new rows."""
    for tab, attr in ID_TABS:
        assert tab.id_prefix is not None
        example = tab.format_id(1)
        models = getattr(ctx.dataset, attr)
        for model, number in zip(models, id_numbers(tab, [m.id for m in models]), strict=True):
            if model.id is None or number is not None:
                continue
            shown = show_value(model.id)
            yield Anomaly(
                tab.name,
                model.row,
                shown,
                "ID",
                ERROR,
                f"ID « {shown} » invalide : un ID de l'onglet « {tab.name} » s'écrit "
                f"{tab.id_prefix} suivi d'un numéro d'au plus {max_digits(tab)} chiffres "
                f"(par exemple {example}). Effacez-le pour que « mila synchroniser » en attribue un, "
                "ou corrigez-le.",
            )


REFERENCES = (
    # tab, attribute of the rows, field, column, target tab, attribute of target index
    (schema.OCCUPATIONS, "occupations", "member_id", "Membre", schema.MEMBRES, "members_by_id"),
    (schema.OCCUPATIONS, "occupations", "premises_id", "Local", schema.LOCAUX, "premises_by_id"),
    (schema.RESERVATIONS, "bookings", "resource_id", "Ressource", schema.LOCAUX, "premises_by_id"),
    (schema.RESERVATIONS, "bookings", "member_id", "Membre", schema.MEMBRES, "members_by_id"),
    (schema.INSCRIPTIONS, "registrations", "event_id", "Événement", schema.EVENEMENTS, "events_by_id"),
    (schema.INSCRIPTIONS, "registrations", "member_id", "Membre", schema.MEMBRES, "members_by_id"),
    (schema.CONSEIL, "board", "member_id", "Membre", schema.MEMBRES, "members_by_id"),
)

_EXAMPLES = {schema.MEMBRES.name: "M0001", schema.LOCAUX.name: "L01", schema.EVENEMENTS.name: "E001"}


def check_references(ctx: Context) -> Iterable[Anomaly]:
    """An ID of another tab that no row of that tab carries: an error. A booked resource
    that is not ``Réservable``: an error too."""
    for tab, attr, ref, column, target, index_name in REFERENCES:
        index = getattr(ctx.dataset, index_name)
        models = getattr(ctx.dataset, attr)
        values = list(map(attrgetter(ref), models))
        found_for: dict[str, Any] = {}  # each distinct reference looked up once (they repeat)
        for value in set(values):
            if value is not None:
                found_for[value] = index.get(id_key(value))
        if all(
            found is not None and (ref != "resource_id" or found.bookable) for found in found_for.values()
        ):
            continue  # nearly always: every reference found (the rows are not walked)
        for model, value in zip(models, values, strict=True):
            if value is None:
                continue
            found = found_for[value]
            if found is None:
                yield Anomaly(
                    tab.name,
                    model.row,
                    model.id,
                    column,
                    ERROR,
                    f"ID inconnu dans « {column} » : « {value} » ne figure pas dans l'onglet "
                    f"« {target.name} ». Saisissez l'ID d'une ligne de cet onglet "
                    f"(par exemple {_EXAMPLES[target.name]}).",
                )
            elif ref == "resource_id" and not found.bookable:
                yield Anomaly(
                    tab.name,
                    model.row,
                    model.id,
                    column,
                    ERROR,
                    f"Le local « {value} » ({found.name or 'sans nom'}) n'est pas réservable : "
                    "choisissez une ressource dont « Réservable » vaut oui dans « Locaux ».",
                )


# --------------------------------------------------------------------------- members


def _same_value_warnings(members: list[Member], attr: str, column: str, what: str) -> Iterable[Anomaly]:
    groups: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        value = getattr(member, attr)
        if value:
            groups[value.casefold()].append(member)
    for group in groups.values():
        if len(group) < 2:
            continue
        for member in group:
            others, total = _others(group, member)
            yield Anomaly(
                schema.MEMBRES.name,
                member.row,
                member.id,
                column,
                WARNING,
                f"{what} que {_rows_text(others, total)} : vérifiez qu'il ne s'agit pas d'un "
                f"doublon (sinon, ignorez ce message ou corrigez « {column} »).",
            )


def check_member_duplicates(ctx: Context) -> Iterable[Anomaly]:
    """Two members still active with the same e-mail or the same SIRET: a warning on both."""
    yield from _same_value_warnings(ctx.active_members, "email", "Email", "Même e-mail")
    yield from _same_value_warnings(ctx.active_members, "siret", "SIRET", "Même SIRET")


def check_hosted_members(ctx: Context) -> Iterable[Anomaly]:
    """A ``hébergé`` without an occupation ongoing today: a warning."""
    for member in ctx.active_members:
        if member.category != "hébergé":
            continue
        if any(o.ongoing_on(ctx.today) for o in ctx.dataset.occupations_of(member.id)):
            continue
        yield Anomaly(
            schema.MEMBRES.name,
            member.row,
            member.id,
            "Catégorie",
            WARNING,
            "Membre hébergé sans occupation en cours : ajoutez sa convention dans l'onglet "
            "« Occupations », ou changez sa « Catégorie » s'il n'est plus hébergé.",
        )


def check_forfaits(ctx: Context) -> Iterable[Anomaly]:
    """A ``bénéficiaire`` without a forfait whose period (the one the fee is due for)
    starts on or after 2024-03-01: an error."""
    for member in ctx.active_members:
        if member.category != "bénéficiaire" or member.forfait is not None:
            continue
        if "forfait" in member.unreadable:
            continue  # already reported as unreadable
        start = fee_period_start(member, ctx.today, ctx.policy)
        if start is not None and start >= FORFAITS_FROM:
            yield Anomaly(
                schema.MEMBRES.name, member.row, member.id, "Forfait", ERROR, forfait_missing_message(start)
            )


# --------------------------------------------------------------------------- occupations


def check_occupations(ctx: Context) -> Iterable[Anomaly]:
    """Occupations of one premises overlapping beyond its ``Capacité`` (an error on each),
    and ongoing or future occupations by a member who is not ``hébergé`` (a warning)."""
    by_premises: dict[str, list[Occupation]] = defaultdict(list)
    for occupation in ctx.dataset.occupations:
        key = id_key(occupation.premises_id)
        if key is not None and occupation.start is not None:
            by_premises[key].append(occupation)
    for key, occupations in by_premises.items():
        premises = ctx.dataset.premises_by_id.get(key)
        capacity = premises.capacity if premises is not None else 1
        conflicts: dict[int, list[Occupation]] = defaultdict(list)
        for occupation in occupations:
            assert occupation.start is not None
            at_start = [o for o in occupations if o.ongoing_on(occupation.start)]
            if len(at_start) <= capacity:
                continue
            for o in at_start:
                for other in at_start:
                    if other is not o and other not in conflicts[id(o)]:
                        conflicts[id(o)].append(other)
        for o in occupations:
            others = sorted(conflicts.get(id(o), []), key=lambda x: x.row)
            if others:
                yield Anomaly(
                    schema.OCCUPATIONS.name,
                    o.row,
                    o.id,
                    "Début",
                    ERROR,
                    f"Occupations qui se chevauchent sur le local « {o.premises_id} » "
                    f"(avec {_rows_text(others)}) : corrigez « Début » ou « Fin » pour que "
                    "les périodes se suivent sans se recouvrir.",
                )
    for occupation in ctx.dataset.occupations:
        if occupation.end is not None and occupation.end < ctx.today:
            continue  # a past convention: the member may have changed category since
        member = ctx.dataset.member(occupation.member_id)
        if member is None or member.category is None or member.category == "hébergé":
            continue
        yield Anomaly(
            schema.OCCUPATIONS.name,
            occupation.row,
            occupation.id,
            "Membre",
            WARNING,
            f"Le membre « {occupation.member_id} » occupe ce local mais sa catégorie est "
            f"« {member.category} » : passez-le en « hébergé » dans « Membres », ou "
            "renseignez la « Fin » de cette occupation.",
        )


# --------------------------------------------------------------------------- rates


def check_rates(ctx: Context) -> Iterable[Anomaly]:
    """Two rows of one code in ``Tarifs`` whose periods overlap: an error on both."""
    for first, second in ctx.schedule.overlaps():
        for rate, other in ((first, second), (second, first)):
            yield Anomaly(
                schema.TARIFS.name,
                rate.row,
                None,
                "Du",
                ERROR,
                f"Deux tarifs « {rate.code} » valables en même temps (avec la ligne "
                f"{other.row}) : renseignez « Au » sur l'ancien tarif, la veille du « Du » "
                "du nouveau.",
            )


# --------------------------------------------------------------------------- hooks


def check_bookings(ctx: Context) -> Iterable[Anomaly]:
    """Bookings beyond ``Capacité``, missing rates, closed days, members not up to date
    (``rules.bookings``; the amounts stay available as ``ctx.bookings``)."""
    return ctx.bookings.anomalies


def check_events(ctx: Context) -> Iterable[Anomaly]:
    """Eligibility, duplicate registrations, members not up to date, presence to record
    (``rules.events``; places and counts stay available as ``ctx.events``)."""
    return ctx.events.anomalies


CHECKS: tuple[Check, ...] = (
    check_duplicate_ids,
    check_id_format,
    check_references,
    check_member_duplicates,
    check_hosted_members,
    check_forfaits,
    check_occupations,
    check_rates,
    check_bookings,
    check_events,
)


def validate(
    dataset: Dataset,
    today: dt.date,
    policy: MembershipPolicy | None = None,
    *,
    extra_checks: Sequence[Check] = (),
    context: Context | None = None,
) -> Anomalies:
    """The cross-tab anomalies of ``dataset`` (not the parsing ones, already in
    ``dataset.anomalies``). ``context``, when given (built on the same dataset), is the one
    the checks run on: its computed bookings and events stay available to the caller."""
    ctx = context or Context(dataset, today, policy or MembershipPolicy())
    found = Anomalies()
    for check in (*CHECKS, *extra_checks):
        found.extend(check(ctx))
    return found
