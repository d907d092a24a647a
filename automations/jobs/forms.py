"""Form answers in: the responses tabs of Google Forms turned into rows, before `mila synchroniser`
evaluates the workbook (so that the new rows get their places and anomalies in the same run).

:func:`take_in` starts from the run's state (``jobs.workbook_state``: the two responses tabs
of ``[formulaires]`` are read with every other tab, in the same request; a missing tab:
nothing to do) and, for each answer not yet processed (``rules.forms``):

- event registration form: appends the ``Inscriptions`` rows (IDs given here) in one
  request, and records their acknowledgement « à envoyer » in ``Relances``
  (:mod:`.form_replies` sends it after the sync has computed the places);
- membership form: appends the ``Membres`` rows in one request, without fee; the run's
  evaluation then flags them for the staff (``evaluation.request_anomalies``);
- writes ``Traitée le (calc.)`` and ``Anomalies (calc.)`` on the responses tab (headers
  added after its last column when missing), only where they change; the answers are
  never touched.

On Google Sheets (quota counts requests) nothing is written here: the rows, the
``Relances`` records and the marks are kept (:attr:`FormsIntake.deferred`) and travel in
the sync's one write, placed from its fresh read (rows below the last row of their tab,
marks found by their answer's key); the run's state gets the rows and the marks about to
be written, so the sync evaluates them without reading the workbook again. On a .xlsx
they are written at once, as described above.

:func:`pending_items` lists, from one read of the workbook, what waits for a person:
answers that could not be matched, membership requests to complete (for the daily digest).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .. import schema
from ..clock import Clock
from ..errors import MilaError
from ..model.dataset import Dataset
from ..rules import forms as rules
from ..rules.forms import Decision, FormTab, Plan
from ..rules.ids import next_ids
from ..settings import FormsSettings
from ..workbook import Table, Workbook
from ..workbook.base import Placed, to_cell_value
from ..workbook.placement import Cell, Grid, header_of
from ..workbook.table import Row
from .context import RunContext
from .workbook_state import WorkbookState, state_of

if TYPE_CHECKING:
    from .sync import SyncResult

from .form_replies import request_rows, run_acknowledgements
from .form_replies import summary as replies_summary
from .membership_replies import request_rows as membership_rows
from .membership_replies import run_membership_acks
from .notices import NoticesResult

log = logging.getLogger(__name__)
READ_TABS = (schema.MEMBRES, schema.EVENEMENTS, schema.INSCRIPTIONS, schema.JOURNAL)
_NEEDED = {
    rules.REGISTRATIONS: ("horodateur", "evenement"),
    rules.REQUESTS: ("horodateur", "email"),
}
_FIELD_NAMES = {"horodateur": "Horodateur", "evenement": "Événement", "email": "Adresse e-mail"}


@dataclass(frozen=True)
class PendingItem:
    """Something on a responses tab (or a row it created) that waits for a person."""

    tab: str
    row: int
    who: str
    what: str  # French: what is wrong and what to do

    def line(self) -> str:
        return f"{self.tab}, ligne {self.row} ({self.who}) : {self.what}"


@dataclass
class TabOutcome:
    """What the intake did with one responses tab."""

    kind: str
    title: str
    processed: int = 0  # answers turned into rows
    duplicates: int = 0
    unmatched: int = 0
    added: list[str] = field(default_factory=list)  # IDs appended
    missing: list[str] = field(default_factory=list)  # questions not found in the header

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "tab": self.title,
            "processed": self.processed,
            "duplicates": self.duplicates,
            "unmatched": self.unmatched,
            "added": self.added,
            "missing": self.missing,
        }


@dataclass
class FormsIntake:
    """What :func:`take_in` did (or would do, in a dry run)."""

    settings: FormsSettings
    dry_run: bool = False
    tabs: list[TabOutcome] = field(default_factory=list)
    cells_written: int = 0
    acknowledgements: int = 0  # « à envoyer » rows recorded in Relances
    joined: list[str] = field(default_factory=list)  # the membership requests taken in (member IDs)
    error: str | None = None  # why the answers could not be taken in this time
    # Deferred (Google Sheets): nothing written yet; the rows to append and the answers to
    # mark travel with the sync's write (``Workbook.write``'s ``appends`` and ``placed``).
    deferred: bool = False
    appends: list[tuple[schema.Tab, list[dict[str, object]]]] = field(default_factory=list)
    marks: list[tuple[FormTab, list[Decision], list[Decision]]] = field(default_factory=list)
    now: dt.datetime | None = None

    @property
    def changed(self) -> bool:
        return bool(self.cells_written or any(t.added for t in self.tabs))

    def ids_given(self) -> dict[str, list[str]]:
        """The IDs the answers were given, by tab (``Inscriptions``, ``Membres``): the sync's
        Journal line names them, so that none is given again after its row is deleted."""
        given: dict[str, list[str]] = {}
        for tab in self.tabs:
            if tab.added:
                target = schema.INSCRIPTIONS if tab.kind == rules.REGISTRATIONS else schema.MEMBRES
                given.setdefault(target.name, []).extend(tab.added)
        return given

    @property
    def answers(self) -> int:
        return sum(t.processed + t.duplicates for t in self.tabs)

    def placed(self) -> Placed | None:
        """The deferred marks (« Traitée le », « Anomalies »), placed from a fresh read of
        their tabs as the sync writes; ``None`` when there are none."""
        if not self.marks or self.now is None:
            return None
        now = self.now

        def cells(grids: Mapping[str, Grid], _: object) -> list[Cell]:
            found: list[Cell] = []
            for tab, decisions, wanted in self.marks:
                found += _mark_cells(grids.get(tab.title, []), tab, decisions, wanted, now)[0]
            self.cells_written += len(found)
            return found

        return [tab.title for tab, _, _ in self.marks], cells

    def with_rows(self, tables: Mapping[str, Table]) -> dict[str, Table]:
        """``tables`` as they are about to be written: the deferred rows after the last row of
        their tabs, the answers marked « traitée »; the sync evaluates them in this run."""
        out = dict(tables)
        for target, rows in self.appends:
            table = out.get(target.name)
            if table is None:
                continue
            last = max([1, *(r.number for r in table.rows)])
            added = []
            for n, row in enumerate(rows, start=1):
                given = {schema.normalize_header(name): to_cell_value(value) for name, value in row.items()}
                added.append(Row(last + n, {key: given.get(key) for key in table.columns}))
            out[target.name] = replace(table, rows=[*table.rows, *added])
        for tab, _, wanted in self.marks:
            done = {d.answer.row for d in wanted if d.done and not d.answer.done}
            key = next((k for k in out if out[k].title == tab.title), None)
            if key is None or not done:
                continue
            table = out[key]
            column = next((k for k in rules.DONE_KEYS if k in table.columns), None)
            if column is None:  # the header the write adds
                column = rules.DONE_KEY
                table = replace(table, columns={**table.columns, column: len(table.header) + 1})
            rows_now = [
                Row(r.number, {**r.cells, column: self.now}) if r.number in done else r for r in table.rows
            ]
            out[key] = replace(table, rows=rows_now)
        return out

    def summary(self) -> str:
        """One French phrase (sync's printed summary and Journal line); empty when idle."""
        parts = []
        for tab in self.tabs:
            if not (tab.processed or tab.duplicates or tab.unmatched or tab.missing):
                continue
            noun = "inscription(s)" if tab.kind == rules.REGISTRATIONS else "demande(s) d'adhésion"
            verb = "à ajouter" if self.dry_run else "ajoutée(s)"
            done = [f"{tab.processed} {noun} {verb}"] if tab.processed else []
            if done and tab.kind == rules.REQUESTS and tab.added:  # rows the staff complete
                done[0] += f" ({', '.join(tab.added)})"
            if tab.duplicates:
                done.append(f"{tab.duplicates} en double")
            if tab.unmatched:
                done.append(f"{tab.unmatched} réponse(s) à corriger (voir « Anomalies »)")
            text = f"« {tab.title} » : " + ", ".join(done or ["rien de nouveau"])
            if tab.missing:
                text += ", questions introuvables : " + ", ".join(tab.missing)
            parts.append(text)
        if self.error:
            parts.append(f"réponses aux formulaires non lues : {self.error}")
        return ("réponses aux formulaires : " + " ; ".join(parts)) if parts else ""

    def lines(self, acknowledgements: NoticesResult | None) -> list[str]:
        """What `mila synchroniser` prints about the answers (nothing when there were none)."""
        out = []
        summary = self.summary()
        if summary:
            out.append(summary[0].upper() + summary[1:] + ".")
        if acknowledgements is not None and (acknowledgements.messages or acknowledgements.waiting):
            out.append(f"{replies_summary(acknowledgements)}.")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "tabs": [t.as_dict() for t in self.tabs],
            "cells_written": self.cells_written,
            "acknowledgements": self.acknowledgements,
            "error": self.error,
        }


def take_in(
    workbook: Workbook,
    settings: FormsSettings,
    *,
    state: WorkbookState,
    today: dt.date,
    clock: Clock,
    dry_run: bool = False,
    defer: bool = False,
) -> FormsIntake:
    """Turn the new answers of the responses tabs into rows (see the module's docstring),
    from the run's state (the responses tabs are read with every other tab). A failure is
    kept in ``error`` (the sync runs all the same)."""
    intake = FormsIntake(settings, dry_run, deferred=defer and not dry_run)
    names = {rules.REGISTRATIONS: settings.onglet_inscriptions, rules.REQUESTS: settings.onglet_adhesions}
    titles = {
        kind: table.title
        for kind, name in names.items()
        if (table := rules.find_tab(state.tables, name)) is not None
    }
    if not titles:
        return intake
    try:
        _take_in(workbook, settings, titles, state, clock, intake)
    except MilaError as exc:
        log.error("forms: answers not taken in: %s", exc.message)
        intake.error = exc.message
    return intake


def _take_in(
    workbook: Workbook,
    settings: FormsSettings,
    titles: Mapping[str, str],
    state: WorkbookState,
    clock: Clock,
    intake: FormsIntake,
) -> None:
    tables, today = state.tables, state.today
    if [
        a
        for a in state.evaluation.schema_problems
        if a.tab in (schema.MEMBRES.name, schema.INSCRIPTIONS.name)
    ]:
        return  # the sync reports the tab to repair; nothing is appended meanwhile
    dataset = state.dataset
    journal = [entry.details for entry in dataset.journal]
    now = clock.now().replace(microsecond=0)
    plans: list[Plan] = []
    for kind, title in titles.items():
        tab = rules.read_form(kind, tables[title], settings.questions())
        outcome = TabOutcome(kind, title, missing=[_FIELD_NAMES[f] for f in tab.missing(_NEEDED[kind])])
        if (
            kind == rules.REGISTRATIONS
            and not outcome.missing
            and not ({"email", "structure", "contact", "siret"} & set(tab.columns))
        ):
            outcome.missing.append("Adresse e-mail")
        intake.tabs.append(outcome)
        planner = rules.plan_registrations if kind == rules.REGISTRATIONS else rules.plan_requests
        plan = planner(tab, dataset)
        plans.append(plan)
        for decision in plan.decisions:
            if decision.values is not None:
                outcome.processed += 1
            elif decision.duplicate:
                outcome.duplicates += 1
            else:
                outcome.unmatched += 1
    acks: list[tuple[str, str, dt.date]] = []
    joined: list[str] = []  # the membership requests taken in (member IDs)
    for plan, outcome in zip(plans, intake.tabs, strict=True):
        rows = plan.rows
        if not rows:
            continue
        target = schema.INSCRIPTIONS if outcome.kind == rules.REGISTRATIONS else schema.MEMBRES
        known = dataset.registrations if target is schema.INSCRIPTIONS else dataset.members
        existing = [r.id for r in known]
        ids = next_ids(target, len(rows), existing, journal)
        outcome.added = ids
        values = [{"ID": new_id, **(d.values or {})} for new_id, d in zip(ids, rows, strict=True)]
        if target is schema.INSCRIPTIONS:
            for new_id, decision in zip(ids, rows, strict=True):
                event = dataset.event(decision.event_id)
                day = event.date if event is not None and event.date is not None else today
                assert decision.member_id is not None
                acks.append((new_id, decision.member_id, day))
        else:
            joined.extend(ids)  # membership requests: acknowledged once too
        if intake.deferred:
            intake.appends.append((target, values))
        elif not intake.dry_run:
            workbook.append_rows(target, values)
            log.info("forms: %d row(s) appended to %s", len(values), target.name)
    if intake.dry_run:
        return
    if acks or joined:
        records = [*request_rows(acks), *membership_rows(joined, today)]
        if intake.deferred:
            intake.appends.append((schema.RELANCES, records))
        else:
            workbook.append_rows(schema.RELANCES, records)
        intake.acknowledgements = len(records)
        intake.joined = list(joined)
    if intake.deferred:
        intake.marks = [(p.tab, p.decisions, w) for p in plans if (w := _wanted(p.decisions))]
        intake.now = now
        return
    for plan in plans:
        intake.cells_written += _mark(workbook, plan.tab, plan.decisions, now)


def _wanted(decisions: Sequence[Decision]) -> list[Decision]:
    """The decisions that change « Traitée le » or « Anomalies » of their answer."""
    return [
        d
        for d in decisions
        if (d.done and not d.answer.done) or (d.anomaly or None) != (d.answer.anomaly or None)
    ]


def _mark(workbook: Workbook, tab: FormTab, decisions: Sequence[Decision], now: dt.datetime) -> int:
    """Write « Traitée le » and « Anomalies » of the decided answers, found again by their
    key in a fresh read (the staff may have sorted the tab); returns the cells written."""
    wanted = _wanted(decisions)
    if not wanted:
        return 0
    backend = workbook.backend
    exclusive = getattr(backend, "exclusive", None)
    with exclusive() if exclusive is not None else nullcontext():
        grid = backend.fetch([tab.title], {}).get(tab.title, [])
        cells, width = _mark_cells(grid, tab, decisions, wanted, now)
        backend.ensure_columns(tab.title, width)
        backend.write_cells(cells)
    return len(cells)


def _mark_cells(
    grid: Grid, tab: FormTab, decisions: Sequence[Decision], wanted: Sequence[Decision], now: dt.datetime
) -> tuple[list[Cell], int]:
    """The « Traitée le » and « Anomalies » cells of ``wanted`` (among ``decisions``), each
    answer found by its key in ``grid`` (the tab as it stands now), with the headers the tab
    lacks; and the columns the grid must have."""
    table = Table.from_grid(tab.title, grid)
    header = header_of(grid)
    width = max([len(header), *(len(line) for line in grid)])
    cells: list[tuple[str, int, int, object]] = []
    columns: dict[str, int] = {}
    for name, keys in ((rules.DONE, rules.DONE_KEYS), (rules.ANOMALIES, rules.ANOMALIES_KEYS)):
        found = next((table.columns[k] for k in keys if k in table.columns), None)
        if found is None:
            width += 1
            found = width
            cells.append((tab.title, 1, found, name))
        columns[name] = found
    rows = _Rows(table, tab)
    placed: dict[int, int] = {}  # row when planned -> row now, of every answer decided
    for decision in decisions:
        number = rows.take(decision.answer.key, decision.answer.row, decision.answer.done)
        if number is not None:
            placed[decision.answer.row] = number
    for decision in wanted:
        number = placed.get(decision.answer.row)
        if number is None:
            log.warning("forms: answer of row %d no longer found in %s", decision.answer.row, tab.title)
            continue
        if decision.done and not decision.answer.done:
            cells.append((tab.title, number, columns[rules.DONE], to_cell_value(now)))
        text = decision.anomaly
        if decision.refers is not None:
            key, row = decision.refers
            text = decision.anomaly_at(placed.get(row) or rows.processed(key, row))
        cells.append((tab.title, number, columns[rules.ANOMALIES], to_cell_value(text)))
    return cells, width


class _Rows:
    """The rows of a responses tab read again, found by their answer's key (staff may have
    sorted the tab since it was planned); each row given to one answer only."""

    def __init__(self, table: Table, tab: FormTab) -> None:
        done = next((k for k in rules.DONE_KEYS if k in table.columns), None)
        noted = next((k for k in rules.ANOMALIES_KEYS if k in table.columns), None)
        self.by_key: dict[rules.AnswerKey, list[tuple[int, bool]]] = {}
        self.clean: set[int] = set()  # rows processed without anomaly: an original, not a double
        for row in table.rows:
            filled = done is not None and not _blank(row.cells.get(done))
            self.by_key.setdefault(rules.row_key(row, tab), []).append((row.number, filled))
            if filled and (noted is None or _blank(row.cells.get(noted))):
                self.clean.add(row.number)
        self.taken: set[int] = set()

    def take(self, key: rules.AnswerKey, row: int, done: bool) -> int | None:
        """The row now of the answer planned at ``row``: one with its key, processed or not as
        it was then; the same number when it still fits."""
        free = [(n, d) for n, d in self.by_key.get(key, []) if n not in self.taken]
        fitting = [n for n, d in free if d == done] or [n for n, _ in free]
        if not fitting:
            return None
        number = row if row in fitting else fitting[0]
        self.taken.add(number)
        return number

    def processed(self, key: rules.AnswerKey, row: int) -> int | None:
        """The row now of an answer processed in an earlier run (the same number when it fits)."""
        done = [n for n, d in self.by_key.get(key, []) if d and n not in self.taken]
        found = [n for n in done if n in self.clean] or done
        if not found:
            return None
        return row if row in found else found[0]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def pending_items(tables: Mapping[str, Table], settings: FormsSettings | None = None) -> list[PendingItem]:
    """What waits for a person, from one read of the workbook (``Workbook.read()``):
    answers left unprocessed with an anomaly (unmatched), and membership requests whose
    ``Membres`` row still lacks its category or forfait. Pure: reads nothing."""
    settings = settings or FormsSettings()
    items: list[PendingItem] = []
    registrations = rules.find_tab(tables, settings.onglet_inscriptions)
    requests = rules.find_tab(tables, settings.onglet_adhesions)
    for kind, table in ((rules.REGISTRATIONS, registrations), (rules.REQUESTS, requests)):
        if table is None:
            continue
        tab = rules.read_form(kind, table, settings.questions())
        for answer in tab.answers:
            if not answer.done and answer.anomaly:
                items.append(PendingItem(tab.title, answer.row, answer.who, answer.anomaly))
    if requests is not None:
        tab = rules.read_form(rules.REQUESTS, requests, settings.questions())
        members = Dataset.from_tables({k: t for k, t in tables.items() if t.schema is not None}).members
        members_tab = tables.get(schema.MEMBRES.name)
        members_title = members_tab.title if members_tab is not None else schema.MEMBRES.name
        for anomaly in rules.request_anomalies(tab, members):
            member = next(m for m in members if m.row == anomaly.row)
            who = f"{member.id or 'sans ID'} {member.structure or member.contact or ''}".strip()
            items.append(PendingItem(members_title, anomaly.row or 0, who, anomaly.message))
    return items


# --------------------------------------------------------------------------- within `mila synchroniser`


def take_in_forms(ctx: RunContext) -> FormsIntake:
    """The intake of `mila synchroniser`, before its evaluation, so that the sync evaluates
    the new rows in the same run. On Google Sheets nothing is written here: the rows and the
    marks travel with the sync's one write (quota counts requests), and the run's state gets
    what is about to be written. Elsewhere (a .xlsx) they are written now and the run's state
    is read again."""
    workbook = ctx.workbook
    intake = take_in(
        workbook,
        ctx.settings.formulaires,
        state=ctx.state,
        today=ctx.today,
        clock=ctx.clock,
        dry_run=ctx.dry_run,
        defer=bool(getattr(workbook.backend, "append_in_write", False)),
    )
    if intake.deferred:
        if intake.appends or intake.marks:
            settings = ctx.settings
            tables = intake.with_rows(ctx.state.tables)
            ctx.use_state(
                state_of(tables, ctx.today, settings.membership, settings.bookings, settings.formulaires)
            )
    elif intake.changed and not intake.dry_run:
        ctx.changed()
    return intake


def acknowledge_forms(ctx: RunContext, result: SyncResult) -> None:
    """After the sync: send the acknowledgements of the registrations and membership requests
    taken in, now that their places are computed. Those left from an earlier run (mail down)
    go with a mail server only: without one, each run would write their previews again."""
    intake = result.forms
    if ctx.dry_run or intake is None:
        return
    delivers = ctx.sender.delivers
    registrations = intake.acknowledgements - len(intake.joined)
    if not registrations and not intake.joined and not delivers:
        return
    ctx.changed()  # the sync wrote the places: the acknowledgements start from a fresh state
    if registrations or delivers:
        try:
            result.acknowledgements = run_acknowledgements(
                ctx.workbook,
                today=ctx.today,
                mail=ctx.settings.mail,
                sender=ctx.sender,
                clock=ctx.clock,
                state=ctx.state,
                data_contact=ctx.settings.donnees.contact,
            )
        except MilaError as exc:
            log.error("sync: acknowledgements not sent now: %s", exc.message)
            intake.error = intake.error or f"accusés de réception pas encore envoyés : {exc.message}"
    try:  # from the same fresh state (the sync's rows in it)
        only = None if delivers else set(intake.joined)  # previews: this run's requests only
        result.membership_acks = run_membership_acks(ctx, only=only)
    except MilaError as exc:
        log.error("sync: membership acknowledgements not sent now: %s", exc.message)
        intake.error = intake.error or f"accusés de réception d'adhésion pas encore envoyés : {exc.message}"
