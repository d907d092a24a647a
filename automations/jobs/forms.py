"""Form answers in: the responses tabs of Google Forms turned into rows, before `mila synchroniser`
evaluates the workbook (so that the new rows get their places and anomalies in the same run).

:func:`take_in` reads the two responses tabs of ``[formulaires]`` (a missing tab: nothing
to do) and, for each answer not yet processed (``rules.forms``):

- event registration form: appends the ``Inscriptions`` rows (IDs given here) in one
  request, and records their acknowledgement « à envoyer » in ``Relances``
  (:mod:`.form_replies` sends it after the sync has computed the places);
- membership form: appends the ``Membres`` rows in one request, without fee; the sync
  then flags them for the staff (:meth:`FormsIntake.annotate`);
- writes ``Traitée le (calc.)`` and ``Anomalies (calc.)`` on the responses tab (headers
  added after its last column when missing), only where they change; the answers are
  never touched.

:func:`pending_items` lists, from one read of the workbook, what waits for a person:
answers that could not be matched, membership requests to complete (for the daily digest).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
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
from ..workbook.base import to_cell_value
from ..workbook.placement import header_of
from .context import RunContext
from .evaluation import schema_problems

if TYPE_CHECKING:
    from .evaluation import Evaluation
    from .sync import SyncResult

from .form_replies import request_rows, run_acknowledgements
from .form_replies import summary as replies_summary
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
    error: str | None = None  # why the answers could not be taken in this time

    @property
    def changed(self) -> bool:
        return bool(self.cells_written or any(t.added for t in self.tabs))

    @property
    def answers(self) -> int:
        return sum(t.processed + t.duplicates for t in self.tabs)

    def annotate(self, evaluation: Evaluation) -> None:
        """Add to the sync's anomalies the sentence of each ``Membres`` row a membership
        request created and the staff have not completed yet."""
        table = rules.find_tab(evaluation.tables, self.settings.onglet_adhesions)
        if table is None:
            return
        tab = rules.read_form(rules.REQUESTS, table, self.settings.questions())
        evaluation.anomalies.extend(rules.request_anomalies(tab, evaluation.dataset.members))

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
    workbook: Workbook, settings: FormsSettings, *, today: dt.date, clock: Clock, dry_run: bool = False
) -> FormsIntake:
    """Turn the new answers of the responses tabs into rows (see the module's docstring).
    A failure is kept in ``error`` (the sync runs all the same)."""
    intake = FormsIntake(settings, dry_run)
    names = {rules.REGISTRATIONS: settings.onglet_inscriptions, rules.REQUESTS: settings.onglet_adhesions}
    titles = {kind: title for kind, name in names.items() if (title := workbook.title_for(name)) is not None}
    if not titles:
        return intake
    try:
        _take_in(workbook, settings, titles, today, clock, intake)
    except MilaError as exc:
        log.error("forms: answers not taken in: %s", exc.message)
        intake.error = exc.message
    return intake


def _take_in(
    workbook: Workbook,
    settings: FormsSettings,
    titles: Mapping[str, str],
    today: dt.date,
    clock: Clock,
    intake: FormsIntake,
) -> None:
    tables = workbook.read([*(t.name for t in READ_TABS), *titles.values()])
    if [a for a in schema_problems(tables) if a.tab in (schema.MEMBRES.name, schema.INSCRIPTIONS.name)]:
        return  # the sync reports the tab to repair; nothing is appended meanwhile
    dataset = Dataset.from_tables({k: t for k, t in tables.items() if t.schema is not None}, today=today)
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
        if not intake.dry_run:
            workbook.append_rows(target, values)
            log.info("forms: %d row(s) appended to %s", len(values), target.name)
    if intake.dry_run:
        return
    if acks:
        workbook.append_rows(schema.RELANCES, request_rows(acks))
        intake.acknowledgements = len(acks)
    for plan in plans:
        intake.cells_written += _mark(workbook, plan.tab, plan.decisions, now)


def _mark(workbook: Workbook, tab: FormTab, decisions: Sequence[Decision], now: dt.datetime) -> int:
    """Write « Traitée le » and « Anomalies » of the decided answers, found again by their
    key in a fresh read (the staff may have sorted the tab); returns the cells written."""
    wanted = [
        d
        for d in decisions
        if (d.done and not d.answer.done) or (d.anomaly or None) != (d.answer.anomaly or None)
    ]
    if not wanted:
        return 0
    backend = workbook.backend
    exclusive = getattr(backend, "exclusive", None)
    with exclusive() if exclusive is not None else nullcontext():
        grid = backend.fetch([tab.title], {}).get(tab.title, [])
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
        by_key: dict[rules.AnswerKey, list[int]] = {}
        for row in table.rows:
            by_key.setdefault(rules.row_key(row, tab), []).append(row.number)
        for decision in wanted:
            numbers = by_key.get(decision.answer.key, [])
            if not numbers:
                log.warning("forms: answer of row %d no longer found in %s", decision.answer.row, tab.title)
                continue
            number = decision.answer.row if decision.answer.row in numbers else numbers[0]
            numbers.remove(number)
            if decision.done and not decision.answer.done:
                cells.append((tab.title, number, columns[rules.DONE], to_cell_value(now)))
            cells.append((tab.title, number, columns[rules.ANOMALIES], to_cell_value(decision.anomaly)))
        backend.ensure_columns(tab.title, width)
        backend.write_cells(cells)
    return len(cells)


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
    """The intake of `mila synchroniser`, before its evaluation."""
    return take_in(
        ctx.workbook, ctx.settings.formulaires, today=ctx.today, clock=ctx.clock, dry_run=ctx.dry_run
    )


def acknowledge_forms(ctx: RunContext, result: SyncResult) -> None:
    """After the sync: send the acknowledgements of the registrations taken in, now that
    their places are computed. Those left from an earlier run (mail down) go with a mail
    server only: without one, each run would write their previews again."""
    intake = result.forms
    if ctx.dry_run or intake is None:
        return
    if not intake.acknowledgements and not ctx.sender.delivers:
        return
    ctx.changed()  # the sync wrote the places: the acknowledgements start from a fresh state
    try:
        result.acknowledgements = run_acknowledgements(
            ctx.workbook,
            today=ctx.today,
            mail=ctx.settings.mail,
            sender=ctx.sender,
            clock=ctx.clock,
            state=ctx.state,
        )
    except MilaError as exc:
        log.error("sync: acknowledgements not sent now: %s", exc.message)
        intake.error = intake.error or f"accusés de réception pas encore envoyés : {exc.message}"
