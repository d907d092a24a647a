"""Parsing a sheet ``Row`` into its row model (:mod:`.rows`): the spec of each tab (its
model, fields, defaults and cross-field check from :mod:`.row_checks`), and
:func:`parse_row` / :func:`parse_table`.

Parsing never fails: a missing required value or an unreadable one becomes an
:class:`Anomaly` and the field is ``None``, so the model always builds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from types import MemberDescriptorType
from typing import cast

from .. import schema
from ..schema import ERASED, Tab
from ..workbook.table import Row, Table, row_ids
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
from .row_checks import (
    Emit,
    check_board,
    check_booking,
    check_member,
    check_occupation,
    check_premises,
    check_rate,
    check_registration,
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
)
from .values import ValueProblem


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
        TabSpec(schema.MEMBRES, Member, MEMBER_FIELDS, check_member, (("crescendo", False),)),
        TabSpec(
            schema.LOCAUX, Premises, PREMISES_FIELDS, check_premises, (("capacity", 1), ("bookable", False))
        ),
        TabSpec(schema.OCCUPATIONS, Occupation, OCCUPATION_FIELDS, check_occupation),
        TabSpec(schema.RESERVATIONS, Booking, BOOKING_FIELDS, check_booking),
        TabSpec(schema.EVENEMENTS, Event, EVENT_FIELDS),
        TabSpec(schema.INSCRIPTIONS, Registration, REGISTRATION_FIELDS, check_registration),
        TabSpec(schema.TARIFS, Rate, RATE_FIELDS, check_rate),
        TabSpec(schema.CONSEIL, BoardMember, BOARD_FIELDS, check_board),
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
    models, anomalies = _parse_rows(spec, [row], today or dt.date.today(), present)
    return models[0], anomalies


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


# ----------------------------------------------------------------------------- column by column
#
# A tab is parsed one column at a time: each distinct value of a column is read once (a
# status, a category, a date or an amount repeats on thousands of rows) into an outcome,
# the field's value or a ``_Note`` saying what to report; the rows are then assembled from
# their columns' outcomes, in the order of the fields, so that each row's anomalies come
# out as if the row had been read alone.

_MISSING, _UNREADABLE, _IMPLAUSIBLE = 1, 2, 3


class _Note:
    """What a cell gives besides (or instead of) a value: a missing required value, an
    unreadable value (``value`` unset), or a readable but implausible date (``value`` set)."""

    __slots__ = ("kind", "message", "severity", "value")

    def __init__(self, kind: int, severity: Severity, message: str, value: object = None) -> None:
        self.kind, self.severity, self.message, self.value = kind, severity, message, value


_SKIP = _Note(0, WARNING, "")  # a blank cell with nothing to report: the field keeps its default


def _cache_key(raw: object) -> object:
    """The key under which a raw value's outcome is remembered within a column, or ``None``
    for a value read each time. Values of other classes never share a key (``True``, ``1``
    and ``1.0`` are equal in Python); nor do ``0.0`` and ``-0.0``, or time zones."""
    cls = raw.__class__
    if cls is str:
        return raw
    if cls is int or cls is dt.date:
        return (cls, raw)
    if cls is float:
        return (cls, raw) if raw else None
    if cls is dt.datetime or cls is dt.time:
        when = cast(dt.datetime | dt.time, raw)
        # a time zone and ``fold`` are not in the equality of two values
        return (cls, raw) if when.tzinfo is None and not when.fold else None
    return None


def _reader(
    f: Field, blank: object, warn_dates: bool, span: tuple[dt.date, dt.date], today: dt.date
) -> Callable[[object], object]:
    """The outcome of one raw (not ``None``) cell of field ``f``: its value, or a ``_Note``."""
    parse, column, severity = f.parse, f.column, f.severity
    earliest, latest = span

    def read(raw: object) -> object:
        if raw.__class__ is str and not raw.strip():
            return blank
        try:
            value = parse(raw)
        except ValueProblem as problem:
            if problem.problem == "Valeur manquante":
                return blank
            return _Note(_UNREADABLE, severity, problem.for_column(column))
        except Exception:  # a parser bug must not stop the job: report the cell instead
            return _Note(
                _UNREADABLE,
                ERROR,
                ValueProblem("Valeur illisible", value=raw, hint="Corrigez cette case.").for_column(column),
            )
        if warn_dates and isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            why = None if earliest <= day <= latest else v.implausible_date(value, today)
            if why:
                message = ValueProblem(why, value=raw, hint="Vérifiez l'année.").for_column(column)
                return _Note(_IMPLAUSIBLE, WARNING, message, value)
        return value

    return read


def _column(
    cells: list[dict[str, object]], key: str, blank: object, read: Callable[[object], object]
) -> tuple[list[object], list[int]]:
    """The outcome of each row's cell in column ``key``, each distinct value read once; and
    the positions of the rows whose outcome is a ``_Note`` (something to report)."""
    try:  # a table's rows hold every column of its header (`Table.from_grid`)
        raws = list(map(itemgetter(key), cells))
    except KeyError:  # a column the tab lacks, or rows made another way
        raws = [row_cells.get(key) for row_cells in cells]
    if _equal_means_same(raws):  # nearly every column: its values looked up as they are
        table = {raw: blank if raw is None else read(raw) for raw in set(raws)}
        out = list(map(table.__getitem__, raws))
        if not any(outcome.__class__ is _Note for outcome in table.values()):
            return out, []
        return out, [i for i, outcome in enumerate(out) if outcome.__class__ is _Note]
    seen: dict[object, object] = {}
    remembered = seen.get
    out = []
    add = out.append
    for row_cells in cells:
        raw = row_cells.get(key)
        if raw is None:
            add(blank)
            continue
        k = raw if raw.__class__ is str else _cache_key(raw)
        if k is None:
            add(read(raw))
            continue
        outcome = remembered(k, _SKIP_KEY)
        if outcome is _SKIP_KEY:
            outcome = seen[k] = read(raw)
        add(outcome)
    return out, [i for i, outcome in enumerate(out) if outcome.__class__ is _Note]


_SKIP_KEY = object()  # not remembered yet
_PLAIN = frozenset({type(None), str, int, dt.date})  # equal values of these classes read alike
_NUMBERS = frozenset({bool, int, float})


def _equal_means_same(raws: list[object]) -> bool:
    """Whether two equal values of ``raws`` always give the same outcome, so that they may
    share one: not when ``True``, ``1`` and ``1.0``, or ``0.0`` and ``-0.0``, or two
    moments in different time zones, stand in one column (see ``_cache_key``)."""
    kinds = set(map(type, raws))
    if kinds <= _PLAIN:
        return True
    if not kinds <= _PLAIN | _NUMBERS | {dt.datetime, dt.time} or len(kinds & _NUMBERS) > 1:
        return False
    if float in kinds and 0.0 in raws:
        return False
    if dt.datetime in kinds or dt.time in kinds:
        return all(
            r.tzinfo is None and not r.fold
            for r in raws
            if r.__class__ is dt.datetime or r.__class__ is dt.time
        )
    return True


@lru_cache(maxsize=32)
def _blank_values(spec: TabSpec) -> dict[str, object]:
    """What a blank cell gives each field that may be blank: the spec's default for it, else
    the model's (the value the model takes when the field is not given)."""
    given = dict(spec.defaults)
    out: dict[str, object] = {}
    for f in dataclasses.fields(spec.model):
        if f.name in given:
            out[f.name] = given[f.name]
        elif f.default is not dataclasses.MISSING:
            out[f.name] = f.default
    return out


_Builder = Callable[[int, "str | None", Iterable[object]], object]


@lru_cache(maxsize=32)
def _builder(model: type, attrs: tuple[str, ...]) -> _Builder | None:
    """A maker of ``model`` instances from ``row``, ``id`` and the values of ``attrs`` in
    that order (``unreadable`` empty), or ``None`` when it cannot be one: the same object as
    ``model(row=..., id=..., unreadable=frozenset(), **dict(zip(attrs, values)))``, each slot
    set through its descriptor, without the frozen dataclass's ``__init__`` (which sets each
    field through ``object.__setattr__``: about half the cost of parsing a row of many
    fields). Only for a slotted dataclass without ``__post_init__`` whose fields are exactly
    ``row``, ``id``, ``attrs`` and ``unreadable``."""
    names = [f.name for f in dataclasses.fields(model)]
    if (
        sorted(names) != sorted(("row", "id", *attrs, "unreadable"))
        or hasattr(model, "__post_init__")
        or not all(isinstance(model.__dict__.get(name), MemberDescriptorType) for name in names)
    ):
        return None
    # The setters' calls written out one per slot (the loop over them cost a third of the
    # building): the source below holds only generated names, never a field's.
    scope: dict[str, object] = {"new": object.__new__, "model": model, "no_problem": frozenset()}
    lines = ["def build(number, row_id, values):", "    made = new(model)"]
    if attrs:
        lines.append("    " + "".join(f"v{i}, " for i in range(len(attrs))) + "= values")
    for index, name in enumerate(("row", "id", "unreadable", *attrs)):
        scope[f"set{index}"] = model.__dict__[name].__set__
    lines += ["    set0(made, number)", "    set1(made, row_id)", "    set2(made, no_problem)"]
    lines += [f"    set{i + 3}(made, v{i})" for i in range(len(attrs))]
    lines.append("    return made")
    exec("\n".join(lines), scope)  # noqa: S102  # generated from positions only, as dataclasses does
    return cast(_Builder, scope["build"])


def _parse_rows(
    spec: TabSpec, rows: list[Row], today: dt.date, present: frozenset[str] | None
) -> tuple[list[object], list[Anomaly]]:
    """Every row of a tab into its model, with the anomalies of each row in row order.

    A blank cell with nothing to report reads as the value the model would take without it,
    so that a row none of whose cells has anything to report (nearly every row) is built
    from its outcomes at once; the others go field by field."""
    tab = spec.tab
    tab_name, has_ids, quiet = tab.name, bool(tab.id_prefix), tab.job_owned
    span = _plausible_span(today)
    cells = [row.cells for row in rows]
    blank_values = _blank_values(spec)
    attrs: list[str] = []
    fields: list[Field] = []
    columns: list[list[object]] = []
    noted: set[int] = set()
    for f in spec.fields:
        key = f.key
        blank: object
        if f.required and (present is None or key in present):
            blank = _Note(_MISSING, ERROR, _missing_message(f))
        else:
            blank = blank_values.get(f.attr, _SKIP)
        read = _reader(f, blank, f.plausible and not quiet, span, today)
        attrs.append(f.attr)
        fields.append(f)
        column, with_notes = _column(cells, key, blank, read)
        columns.append(column)
        noted.update(with_notes)
    model, check, defaults = spec.model, spec.check, spec.defaults
    base = {attr: value for attr, value in defaults if attr not in attrs}  # defaults of no field
    build = None if base else _builder(model, tuple(attrs))
    models: list[object] = []
    anomalies: list[Anomaly] = []
    no_problem: frozenset[str] = frozenset()
    by_row = zip(*columns, strict=True) if columns else ((),) * len(rows)
    ids = row_ids(rows) if has_ids else [None] * len(rows)
    # What the tab's check reports about the row at hand, made into anomalies after it: one
    # emitter for the whole tab, not one per row (the check finds nothing on nearly every row).
    said: list[tuple[str | None, Severity, str]] = []

    def emit(column: str | None, severity: Severity, message: str) -> None:
        said.append((column, severity, message))

    for position, (row, row_id, outcomes) in enumerate(zip(rows, ids, by_row, strict=True)):
        if position not in noted:  # every cell read, or blank with nothing to report
            if build is not None and check is None:
                models.append(build(row.number, row_id, outcomes))
                continue
            values: dict[str, object] = dict(zip(attrs, outcomes, strict=False))  # as long as each other
            if base:
                values = {**base, **values}
            if check is not None:
                values["_unreadable"] = []
                check(values, emit)
                del values["_unreadable"]
            if build is not None and len(values) == len(attrs):  # the check set no other key
                models.append(build(row.number, row_id, values.values()))
            else:
                models.append(model(row=row.number, id=row_id, unreadable=no_problem, **values))
            if said:
                if not quiet:
                    number = row.number
                    anomalies += [Anomaly(tab_name, number, row_id, *problem) for problem in said]
                said.clear()
            continue
        number = row.number
        found: list[Anomaly] | None = None
        values = dict(defaults)
        unreadable: list[str] | None = None
        # A member whose personal data was erased (`mila donnees effacer`): its blanked
        # contact fields are no longer asked for.
        erased = row.cells.get("contact") == ERASED
        for index, outcome in enumerate(outcomes):
            if outcome.__class__ is not _Note:
                values[attrs[index]] = outcome
                continue
            if outcome is _SKIP:
                continue
            kind = outcome.kind
            if kind == _MISSING and erased:
                continue
            if kind == _UNREADABLE:
                if unreadable is None:
                    unreadable = []
                unreadable.append(attrs[index])
            elif kind == _IMPLAUSIBLE:
                values[attrs[index]] = outcome.value
            if not quiet:
                if found is None:
                    found = []
                found.append(
                    Anomaly(tab_name, number, row_id, fields[index].column, outcome.severity, outcome.message)
                )
        if check is not None:
            values["_unreadable"] = unreadable or []
            check(values, emit)
            del values["_unreadable"]
            if said:
                if not quiet:
                    found = found or []
                    found += [Anomaly(tab_name, number, row_id, *problem) for problem in said]
                said.clear()
        models.append(
            model(
                row=number,
                id=row_id,
                unreadable=frozenset(unreadable) if unreadable else no_problem,
                **values,
            )
        )
        if found:
            anomalies.extend(found)
    return models, anomalies


def parse_table(
    table: Table, *, today: dt.date | None = None, tab: str | Tab | None = None
) -> tuple[list[object], list[Anomaly]]:
    """Every row of a table into models, with the anomalies found row by row."""
    spec = spec_for(tab if tab is not None else (table.schema or table.title))
    return _parse_rows(spec, table.rows, today or dt.date.today(), frozenset(table.columns))


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
