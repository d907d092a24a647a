"""Parsing a sheet ``Row`` into its row model (:mod:`.rows`): the checks within one row, the
spec of each tab, and :func:`parse_row` / :func:`parse_table`.

Parsing never fails: a missing required value or an unreadable one becomes an
:class:`Anomaly` and the field is ``None``, so the model always builds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .. import schema
from ..formatting import format_money
from ..schema import ERASED, Tab
from ..workbook.table import Row, Table
from . import values as v
from .anomalies import Anomaly, Severity
from .fields import (
    BOARD_FIELDS,
    BOOKING_FIELDS,
    ERROR,
    EVENT_FIELDS,
    FIGURE_FIELDS,
    JOURNAL_FIELDS,
    MEMBER_FIELDS,
    OCCUPATION_FIELDS,
    PREMISES_FIELDS,
    RATE_FIELDS,
    REGISTRATION_FIELDS,
    REMINDER_FIELDS,
    TEXT_FIELDS,
    WARNING,
    Field,
)
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
    _start_at,
)
from .values import ValueProblem

Emit = Callable[[str | None, Severity, str], None]


MAX_PLAUSIBLE_PAYMENT = Decimal(10_000)


def _check_member(values: dict[str, object], emit: Emit) -> None:
    joined, left = values.get("joined_on"), values.get("left_on")
    if isinstance(joined, dt.date) and isinstance(left, dt.date) and left < joined:
        emit(
            "Sortie le",
            ERROR,
            "« Sortie le » est antérieure à « Adhésion le » : corrigez l'une des deux dates.",
        )
    paid = values.get("amount_paid")
    if isinstance(paid, Decimal) and paid > MAX_PLAUSIBLE_PAYMENT:
        # Google gives a date cell as its serial number (about 45 000): a date typed in
        # « Montant payé » would otherwise pass for an amount.
        emit(
            "Montant payé",
            WARNING,
            f"Montant inhabituel dans « Montant payé » : {format_money(paid)} "
            "(une cotisation dépasse rarement 1 000 €). Vérifiez qu'il ne s'agit pas d'une "
            "date ou d'une faute de frappe.",
        )


def _check_premises(values: dict[str, object], emit: Emit) -> None:
    if (
        values.get("site") in ("Pépinière", "Boutique")
        and values.get("surface_m2") is None
        and not values.get("bookable")
        and "surface_m2" not in values.get("_unreadable", ())  # type: ignore[operator]  # a tuple of names
    ):
        emit(
            "Surface m²",
            WARNING,
            "Surface manquante dans « Surface m² » pour un bureau "
            "ou une boutique : saisissez-la en m², elle sert au calcul de la cotisation "
            "des membres hébergés.",
        )


def _check_occupation(values: dict[str, object], emit: Emit) -> None:
    """``Fin`` after ``Début``; a revision within the occupation, with its index."""
    _check_period("Début", "Fin")(values, emit)
    start, end, revised = values.get("start"), values.get("end"), values.get("revised_on")
    unreadable = values.get("_unreadable", ())
    if isinstance(revised, dt.date) and isinstance(start, dt.date) and revised < start:
        emit(
            "Révisée le",
            ERROR,
            "« Révisée le » est antérieure à « Début » : saisissez la date de la dernière révision "
            "du loyer de cette occupation, ou laissez vide si le loyer n'a jamais été révisé.",
        )
    elif isinstance(revised, dt.date) and isinstance(end, dt.date) and revised > end:
        emit(
            "Révisée le",
            ERROR,
            "« Révisée le » est postérieure à « Fin » : corrigez l'une des deux dates.",
        )
    has_index = values.get("index") is not None or "index" in unreadable  # type: ignore[operator]
    if isinstance(revised, dt.date) and not has_index:
        emit(
            "Indice de référence",
            WARNING,
            "« Indice de référence » manquant pour une révision : saisissez la valeur de l'indice "
            "ILAT retenue le jour de la révision, la convention la cite.",
        )
    if values.get("index") is not None and revised is None and "revised_on" not in unreadable:  # type: ignore[operator]
        emit(
            "Révisée le",
            WARNING,
            "« Révisée le » manquante : saisissez la date de la révision qui a retenu cet "
            "« Indice de référence » (ou la date de « Début » s'il s'agit de l'indice d'origine).",
        )


def _check_period(start_column: str, end_column: str) -> Callable[[dict[str, object], Emit], None]:
    def check(values: dict[str, object], emit: Emit) -> None:
        start, end = values.get("start"), values.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            emit(
                end_column,
                ERROR,
                f"« {end_column} » est antérieure à « {start_column} » : corrigez l'une des deux dates.",
            )

    return check


def _check_booking(values: dict[str, object], emit: Emit) -> None:
    start, end = _start_at(values.get("start")), values.get("end")  # type: ignore[arg-type]  # checked by the row's validation
    if start is not None and isinstance(end, dt.date):
        end_at = (
            end
            if isinstance(end, dt.datetime)
            else dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        )
        if end_at <= start:
            emit(
                "Fin",
                ERROR,
                "La fin de la réservation (« Fin ») n'est pas après son début "
                "(« Début ») : corrigez l'une des deux dates ou heures.",
            )
    if (
        values.get("member_id") is None
        and values.get("organisation") is None
        and "member_id" not in values.get("_unreadable", ())  # type: ignore[operator]  # a tuple of names
    ):
        emit(
            "Organisme",
            ERROR,
            "Ni « Membre » ni « Organisme » : saisissez l'ID du membre "
            "qui réserve, ou le nom de l'organisme extérieur dans « Organisme ».",
        )
    if values.get("formula") is None:
        values["formula"] = "jour"
    if values.get("status") is None:
        values["status"] = "demandée"


def _check_registration(values: dict[str, object], emit: Emit) -> None:
    if values.get("status") is None:
        values["status"] = "inscrit"


def _check_rate(values: dict[str, object], emit: Emit) -> None:
    start, end = values.get("valid_from"), values.get("valid_to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        emit("Au", ERROR, "« Au » est antérieure à « Du » : corrigez la période de validité de ce tarif.")
    if values.get("vat_percent") is None:
        values["vat_percent"] = Decimal(20)


def _check_board(values: dict[str, object], emit: Emit) -> None:
    joined, left = values.get("joined_on"), values.get("left_on")
    if isinstance(joined, dt.date) and isinstance(left, dt.date) and left < joined:
        emit("Sortie", ERROR, "« Sortie » est antérieure à « Entrée » : corrigez l'une des deux dates.")


@dataclass(frozen=True)
class TabSpec:
    tab: Tab
    model: type
    fields: tuple[Field, ...]
    check: Callable[[dict[str, object], Emit], None] | None = None
    defaults: tuple[tuple[str, object], ...] = ()  # attr -> value when blank


SPECS: dict[str, TabSpec] = {
    spec.tab.name: spec
    for spec in (
        TabSpec(schema.MEMBRES, Member, MEMBER_FIELDS, _check_member, (("crescendo", False),)),
        TabSpec(
            schema.LOCAUX, Premises, PREMISES_FIELDS, _check_premises, (("capacity", 1), ("bookable", False))
        ),
        TabSpec(schema.OCCUPATIONS, Occupation, OCCUPATION_FIELDS, _check_occupation),
        TabSpec(schema.RESERVATIONS, Booking, BOOKING_FIELDS, _check_booking),
        TabSpec(schema.EVENEMENTS, Event, EVENT_FIELDS),
        TabSpec(schema.INSCRIPTIONS, Registration, REGISTRATION_FIELDS, _check_registration),
        TabSpec(schema.TARIFS, Rate, RATE_FIELDS, _check_rate),
        TabSpec(schema.CONSEIL, BoardMember, BOARD_FIELDS, _check_board),
        TabSpec(schema.CHIFFRES, Figure, FIGURE_FIELDS),
        TabSpec(schema.TEXTES, Text, TEXT_FIELDS),
        TabSpec(schema.RELANCES, ReminderLog, REMINDER_FIELDS),
        TabSpec(schema.JOURNAL, JournalEntry, JOURNAL_FIELDS),
    )
}


def spec_for(tab: str | Tab) -> TabSpec:
    """The spec of a tab, by contract name or workbook title (matched like headers)."""
    found = tab if isinstance(tab, Tab) else schema.tab_schema(tab)
    if found is None:
        raise KeyError(f"Onglet hors contrat : {tab}")
    return SPECS[found.name]


def _missing_message(f: Field) -> str:
    return ValueProblem("Valeur manquante", hint=f.missing_hint or "Complétez cette case.").for_column(
        f.column
    )


def parse_row(
    tab: str | Tab | TabSpec,
    row: Row,
    *,
    today: dt.date | None = None,
    columns: Iterable[str] | None = None,
) -> tuple[object, list[Anomaly]]:
    """One sheet row into ``(model, anomalies)``; never raises for any cell value.

    ``columns`` are the normalized header keys present in the tab (a required value is
    only reported missing when its column exists: a missing column is a schema error
    reported once by the workbook layer). ``today`` dates the plausibility checks.
    """
    spec = tab if isinstance(tab, TabSpec) else spec_for(tab)
    present = None if columns is None else frozenset(columns)
    return _parse(spec, row, today or dt.date.today(), present)


FieldPlan = tuple[tuple[Field, str, Callable[[object], object], bool], ...]
_PLANS: dict[int, tuple[TabSpec, FieldPlan]] = {}


def _field_plan(spec: TabSpec) -> FieldPlan:
    """Each field of a tab with what ``_parse`` reads of it on every row, looked up once
    per spec (by identity: hashing a spec hashes all its fields)."""
    found = _PLANS.get(id(spec))
    if found is None or found[0] is not spec:
        found = _PLANS[id(spec)] = (spec, tuple((f, f.key, f.parse, f.plausible) for f in spec.fields))
    return found[1]


@lru_cache(maxsize=16)
def _plausible_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last days :func:`values.implausible_date` finds plausible on ``today``,
    computed once per run rather than for each date cell (a test compares both)."""
    years = v.PLAUSIBLE_YEARS_AHEAD
    try:
        latest = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + years, day=28)
    return v.PLAUSIBLE_FROM, latest


def _parse(
    spec: TabSpec, row: Row, today: dt.date, present: frozenset[str] | None
) -> tuple[object, list[Anomaly]]:
    cells = row.cells
    row_id = row.id if spec.tab.id_prefix else None
    tab_name = spec.tab.name
    anomalies: list[Anomaly] = []
    values: dict[str, object] = dict(spec.defaults)
    unreadable: list[str] = []
    quiet = spec.tab.job_owned

    def emit(column: str | None, severity: Severity, message: str) -> None:
        if not quiet:
            anomalies.append(Anomaly(tab_name, row.number, row_id, column, severity, message))

    earliest, latest = _plausible_span(today)
    # A member whose personal data was erased (`mila donnees effacer`): its blanked
    # contact fields are no longer asked for.
    erased = cells.get("contact") == ERASED
    for f, key, parse, plausible in _field_plan(spec):
        raw = cells.get(key)
        if raw is None or (raw.__class__ is str and not raw.strip()):
            if f.required and not erased and (present is None or key in present):
                emit(f.column, ERROR, _missing_message(f))
            continue
        try:
            value = parse(raw)
        except ValueProblem as problem:
            if problem.problem == "Valeur manquante":
                if f.required and (present is None or f.key in present):
                    emit(f.column, ERROR, _missing_message(f))
                continue
            unreadable.append(f.attr)
            emit(f.column, f.severity, problem.for_column(f.column))
            continue
        except Exception:  # a parser bug must not stop the job: report the cell instead
            unreadable.append(f.attr)
            emit(
                f.column,
                ERROR,
                ValueProblem("Valeur illisible", value=raw, hint="Corrigez cette case.").for_column(f.column),
            )
            continue
        if plausible and not quiet and isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            why = None if earliest <= day <= latest else v.implausible_date(value, today)
            if why:
                emit(
                    f.column,
                    WARNING,
                    ValueProblem(why, value=raw, hint="Vérifiez l'année.").for_column(f.column),
                )
        values[f.attr] = value
    if spec.check is not None:
        values["_unreadable"] = unreadable
        spec.check(values, emit)
        del values["_unreadable"]
    model = spec.model(
        row=row.number, id=row_id if spec.tab.id_prefix else None, unreadable=frozenset(unreadable), **values
    )
    return model, anomalies


def parse_table(
    table: Table, *, today: dt.date | None = None, tab: str | Tab | None = None
) -> tuple[list[object], list[Anomaly]]:
    """Every row of a table into models, with the anomalies found row by row."""
    spec = spec_for(tab if tab is not None else (table.schema or table.title))
    day = today or dt.date.today()
    present = frozenset(table.columns)
    models: list[object] = []
    anomalies: list[Anomaly] = []
    for row in table.rows:
        model, found = _parse(spec, row, day, present)
        models.append(model)
        if found:
            anomalies.extend(found)
    return models, anomalies


def _one(tab: Tab) -> Callable[..., tuple[object, list[Anomaly]]]:
    def parse(row: Row, *, today: dt.date | None = None) -> tuple[object, list[Anomaly]]:
        return parse_row(tab, row, today=today)

    parse.__doc__ = f"One row of « {tab.name} » into its model and anomalies."
    return parse


parse_member = _one(schema.MEMBRES)
parse_premises = _one(schema.LOCAUX)
parse_occupation = _one(schema.OCCUPATIONS)
parse_booking = _one(schema.RESERVATIONS)
parse_event = _one(schema.EVENEMENTS)
parse_registration = _one(schema.INSCRIPTIONS)
parse_rate = _one(schema.TARIFS)
