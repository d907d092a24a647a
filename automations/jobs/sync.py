"""`mila synchroniser`: assign missing IDs, write every computed column and the anomalies.

A run that changes nothing sends no write request and leaves no trace in the sheet
(only in the local log). A run that changed something, or failed, appends one line
to ``Journal``; when that line cannot be written, ``SyncResult.journal_error`` says why
(the command then says so and exits with code 3).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from .. import journal, schema
from ..clock import Clock
from ..errors import UNREACHABLE, MilaError, SchemaError
from ..rules.bookings import BookingPolicy
from ..rules.events import CONFIRMED, Promotion
from ..rules.ids import describe_ids, next_ids
from ..rules.membership import MembershipPolicy
from ..runner import NOTHING, SUCCESS, Outcome, job_name, journal_missing
from ..workbook import CellUpdate, NewId, Workbook
from ..workbook.base import Placed, WriteResult
from ..workbook.placement import Cell, Grid
from .evaluation import Evaluation, desired_cells
from .forms import FormsIntake
from .lists import keep_lists_current, lists_differ, lists_in_write
from .membership_replies import MembershipAcks
from .notices import NoticesResult
from .promotions import record_promotions
from .reconcile import reconciliation_updates
from .workbook_state import WorkbookState, read_state

log = logging.getLogger(__name__)
TASK = job_name("sync")  # the Journal's « Tâche »


@dataclass(frozen=True)
class Change:
    tab: str
    id: str
    column: str
    before: object
    after: object


@dataclass
class SyncResult:
    dry_run: bool
    ids_assigned: list[NewId] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    cells_written: int = 0  # every cell the run wrote (computed columns, Listes, form tabs)
    columns_added: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    journal: bool = False
    journal_error: str | None = None  # why the Journal line of a run that changed something was lost
    seconds: float = 0.0
    # Registrations whose Place this run turned from « attente N » to « confirmée » (written,
    # or that would be in a dry run), for events today or later: the members to tell.
    promotions: list[Promotion] = field(default_factory=list)
    # The « place confirmée » notices sent right after a run that gave places (none in a
    # dry run), or why they could not be sent now (the promotions job sends them later).
    notices: NoticesResult | None = None
    notices_error: str | None = None
    # The form answers taken in just before (jobs/forms.py), and their acknowledgements.
    forms: FormsIntake | None = None
    acknowledgements: NoticesResult | None = None
    membership_acks: MembershipAcks | None = None  # the membership requests' acknowledgements

    @property
    def changed(self) -> bool:
        return bool(self.cells_written or self.ids_assigned or (self.forms and self.forms.changed))

    @property
    def journal_lost(self) -> bool:
        """The changes are written but the Journal line saying so is not (nor the notices')."""
        return self.journal_error is not None or bool(self.notices and self.notices.journal_lost)

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``; a lost Journal line is a failure."""
        counts = f"{self.errors} erreur(s), {self.warnings} avertissement(s)"
        if not self.changed:
            return Outcome(NOTHING, f"rien à changer ; {counts}")
        summary = (
            f"{len(self.ids_assigned)} ID attribué(s), {self.cells_written} cellule(s) écrite(s) ; {counts}"
        )
        if self.notices is not None and self.notices.messages:
            summary += (
                f" ; {len(self.notices.messages)} message(s) « place confirmée » en aperçu, rien n'est parti"
                if self.notices.preview
                else f" ; {self.notices.sent} message(s) « place confirmée » envoyé(s)"
            )
        if self.notices_error:
            summary += " ; messages « place confirmée » pas encore envoyés"
        if self.forms is not None and self.forms.summary():
            summary += " ; " + self.forms.summary()
        if self.journal_error:
            return journal_missing(Outcome(SUCCESS, summary), True, self.journal_error)
        return journal_missing(Outcome(SUCCESS, summary), self.journal_lost)

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "ids_assigned": len(self.ids_assigned),
            "new_ids": [{"tab": n.tab, "row": n.row.number, "id": n.new_id} for n in self.ids_assigned],
            "cells_written": self.cells_written,
            "changes": len(self.changes),
            "columns_added": [f"{t}.{c}" for t, c in self.columns_added],
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "journal": self.journal,
            "journal_error": self.journal_error,
            "seconds": round(self.seconds, 3),
            "promotions": [
                {"registration": p.registration_id, "member": p.member_id, "event": p.event_id}
                for p in self.promotions
            ],
            "notices": self.notices.as_dict() if self.notices is not None else None,
            "notices_error": self.notices_error,
            "forms": self.forms.as_dict() if self.forms is not None else None,
            "acknowledgements": self.acknowledgements.as_dict() if self.acknowledgements else None,
            "membership_acknowledgements": (
                {"messages": [m.as_dict() for m in self.membership_acks.messages]}
                if self.membership_acks
                else None
            ),
        }


def plan_new_ids(evaluation: Evaluation) -> list[NewId]:
    """One new ID for every row without one, after every ID ever given in its tab."""
    journal = [entry.details for entry in evaluation.dataset.journal]
    planned: list[NewId] = []
    for table in evaluation.tables.values():
        tab = table.schema
        if tab is None or tab.id_prefix is None:
            continue
        blank = [row for row in table.rows if row.id is None]
        if not blank:
            continue
        ids = next_ids(tab, len(blank), [row.id for row in table.rows], journal)
        planned.extend(NewId(tab.name, row, new_id) for row, new_id in zip(blank, ids, strict=True))
    return planned


def run_sync(
    workbook: Workbook,
    *,
    today: dt.date,
    policy: MembershipPolicy,
    clock: Clock,
    dry_run: bool = False,
    booking_policy: BookingPolicy | None = None,
    forms: FormsIntake | None = None,
    state: WorkbookState | None = None,
) -> SyncResult:
    """Bring every computed column of the workbook up to date (``forms``: the form answers
    taken in just before, whose membership requests get their anomaly; ``state``: the
    run's read of the workbook, read now when not given)."""
    started = time.monotonic()
    result = SyncResult(dry_run=dry_run, forms=forms)
    try:
        settings = forms.settings if forms is not None else None
        state = state or read_state(workbook, today, policy, booking_policy, settings)
        evaluation = state.evaluation
        result.errors, result.warnings = evaluation.errors, evaluation.warnings
        if evaluation.schema_problems:
            if not dry_run and forms is not None and forms.deferred:
                # The answers are taken in all the same (as where they are written at once).
                workbook.write([], appends=forms.appends, placed=forms.placed())
            raise SchemaError(" ".join(a.message for a in evaluation.schema_problems))
        new_ids = plan_new_ids(evaluation)
        assigned = {(n.tab, n.row.number): n.new_id for n in new_ids}
        updates = workbook.pending(reconciliation_updates(state, desired_cells(evaluation, assigned)))
        result.changes = [_change(u) for u in updates]
        if dry_run:
            result.ids_assigned = new_ids
            result.promotions = _promotions(evaluation, assigned, None)
            return result
        # On Google Sheets, Listes and the form answers go in the write's own request, and
        # so does the Journal line when nothing is written after it (no promotion to
        # record): it stays the run's last line.
        lists = None
        differ = lists_differ(evaluation.tables, evaluation.dataset, new_ids)
        if differ and _in_write(workbook):
            lists = lists_in_write(workbook, evaluation.dataset)
        last = not _promotions(evaluation, assigned, None) and (lists is not None or not differ)
        deferred = forms is not None and forms.deferred
        written = workbook.write(
            updates,
            new_ids,
            appends=forms.appends if forms is not None and deferred else (),
            placed=_both(forms.placed() if forms is not None and deferred else None, lists),
            with_rows=(schema.JOURNAL, lambda w: [_line(result, w, clock, started)]) if last else None,
        )
        result.promotions = _promotions(evaluation, assigned, written.cells)
        _take(result, written)
        result.journal = bool(written.rows_carried)
        if lists is None:
            listed = keep_lists_current(workbook, evaluation.tables, evaluation.dataset, written.ids_assigned)
            # Every cell the run wrote: computed columns, Listes, the form tabs' marks (those
            # of a write that carried them are counted in it).
            result.cells_written += listed + (forms.cells_written if forms and not deferred else 0)
        if result.promotions:
            # Record each promoted registration in Relances as « à envoyer » at once, so
            # that its notice is sent later even if mail is down now (jobs/promotions.py).
            record_promotions(workbook, result.promotions, clock=clock)
    except MilaError as exc:
        result.seconds = time.monotonic() - started
        log.error("sync failed: %s", exc.message)
        if not dry_run and not isinstance(exc, UNREACHABLE):
            given = _ids_given(result)
            details = exc.message + (f" ; {given}" if given else "")
            _journal(workbook, clock, "échec", details, result)
        raise
    result.seconds = time.monotonic() - started
    log.info(
        "sync: %d ids, %d cells, %d errors, %d warnings, %.2fs",
        len(result.ids_assigned),
        result.cells_written,
        result.errors,
        result.warnings,
        result.seconds,
    )
    if result.changed and not result.journal:
        result.journal = _journal(workbook, clock, "succès", _details(result), result)
    return result


def _in_write(workbook: Workbook) -> bool:
    """Whether more than the computed cells can travel in the write's request."""
    return bool(getattr(workbook.backend, "append_in_write", False))


def _both(first: Placed | None, second: Placed | None) -> Placed | None:
    """Two sets of placed cells as one (``Workbook.write``'s ``placed``)."""
    if first is None or second is None:
        return first or second

    def cells(grids: Mapping[str, Grid], written: WriteResult) -> list[Cell]:
        return [*first[1](grids, written), *second[1](grids, written)]

    return [*first[0], *second[0]], cells


def _take(result: SyncResult, written: WriteResult) -> None:
    result.ids_assigned = written.ids_assigned
    result.cells_written = written.cells_written
    result.columns_added = written.columns_added
    result.skipped = written.skipped


def _line(result: SyncResult, written: WriteResult, clock: Clock, started: float) -> dict[str, object]:
    """The Journal line of the run whose write is ``written``, made as that write goes."""
    done = replace(result)
    _take(done, written)
    seconds = time.monotonic() - started
    return journal.JournalLine(TASK, "succès", _details(done), seconds).cells(clock)


def _promotions(
    evaluation: Evaluation,
    assigned: dict[tuple[str, int], str],
    written: list[tuple[str, str, str, object]] | None,
) -> list[Promotion]:
    """The promotions of the evaluation, with the IDs being assigned; after a write, only
    those whose ``Place`` was actually written (a row skipped is promoted next run)."""
    tab = schema.INSCRIPTIONS.name
    placed = (
        None
        if written is None
        else {
            row_id
            for title, row_id, column, value in written
            if schema.normalize_header(title) == schema.normalize_header(tab)
            and column == "Place"
            and value == CONFIRMED
        }
    )
    found = []
    for promotion in evaluation.events.promotions:
        row_id = promotion.registration_id or assigned.get((tab, promotion.row))
        if row_id is None or (placed is not None and row_id not in placed):
            continue
        found.append(replace(promotion, registration_id=row_id))
    return found


def _change(update: CellUpdate) -> Change:
    before = update.row.get(update.column) if update.row is not None else None
    return Change(update.tab, update.row_id, update.column, before, update.value)


def _ids_given(result: SyncResult) -> str:
    """« ID attribués : Inscriptions : I0012 à I0014 ; Membres : M0121 » for the IDs this run
    gave, the form answers' included (read back by ``rules.ids``: never given again)."""
    by_tab: dict[str, list[str]] = dict(result.forms.ids_given()) if result.forms is not None else {}
    for new in result.ids_assigned:
        by_tab.setdefault(new.tab, []).append(new.new_id)
    if not by_tab:
        return ""
    listed = " ; ".join(f"{tab} : {describe_ids(ids)}" for tab, ids in by_tab.items())
    return f"ID attribués : {listed}"


def _details(result: SyncResult) -> str:
    parts = []
    given = _ids_given(result)
    if given:
        parts.append(given)
    parts.append(f"{result.cells_written} cellule(s) écrite(s)")
    parts.append(f"{result.errors} erreur(s), {result.warnings} avertissement(s)")
    if result.skipped:
        parts.append(f"{len(result.skipped)} ligne(s) non modifiée(s) : " + " ".join(result.skipped))
    if result.forms is not None and result.forms.summary():
        parts.append(result.forms.summary())
    return " ; ".join(parts)


def _journal(workbook: Workbook, clock: Clock, outcome: str, details: str, result: SyncResult) -> bool:
    """Append the run to Journal; a failure to do so is logged, never raised."""
    result.journal_error = journal.record(workbook, clock, TASK, outcome, details, result.seconds)
    return result.journal_error is None
