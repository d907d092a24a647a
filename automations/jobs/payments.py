"""`mila paiements …`: payments appended to ``Paiements``, all or nothing, never twice.

- ``run_import``: HelloAsso exports and bank statements (CSV, XLSX, OFX);
- ``run_takeover`` (`reprendre`): the ``Cotisation payée le`` / ``Montant payé`` of
  ``Membres`` moved into the ledger once;
- ``run_helloasso``: the orders of the configured forms since the last import, from the API.

Each reads the workbook once (the tab titles, then one batch of tabs), matches every
payment to a member (``payments.matching``), drops those whose ``Référence`` is already in
the ledger, and appends the rest in ONE request; on any error nothing is appended. A
run that appended rows then leaves one ``Journal`` line naming the IDs it gave (« ID
attribués : Paiements : P00005 à P00007 »), so that a payment row deleted later never
gives its ID to another (``rules.ids``); a run whose append failed leaves an « échec »
line instead (none when Google could not be reached), a run that appended nothing none.
A second run with the same input sends no write request.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from .. import schema
from ..clock import Clock, SystemClock
from ..errors import UNREACHABLE, MilaError, SchemaError
from ..journal import JournalLine
from ..model.dataset import Dataset
from ..model.parsing import parse_table
from ..model.rows import Member
from ..payments.records import FileRead
from ..rules.ids import describe_ids
from ..rules.membership import MembershipPolicy
from ..rules.payment_plans import PaymentPlan, Planned, plan_payments, plan_takeover
from ..runner import NOTHING, SUCCESS, Outcome, job_name, journal_missing
from ..workbook import Workbook
from ..workbook.base import to_cell_value
from ..workbook.table import Table
from .workbook_state import WorkbookState, read_state

log = logging.getLogger(__name__)
TASK = job_name("paiements")
TABS = (schema.MEMBRES, schema.PAIEMENTS, schema.TARIFS, schema.OCCUPATIONS, schema.LOCAUX, schema.JOURNAL)


class OrdersSource(Protocol):
    """What ``run_helloasso`` asks of its client: the orders between two days, as a file read."""

    def orders(self, since: dt.date, until: dt.date) -> FileRead: ...


@dataclass
class PaymentsResult:
    dry_run: bool
    added: list[Planned] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # references already in the ledger
    files: list[FileRead] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the staff must look at (a refund)
    appended: int = 0  # rows actually written
    journal: bool = False  # the run's Journal line is written
    journal_error: str | None = None  # why the Journal line of a run that appended rows was lost
    seconds: float = 0.0

    @property
    def matched(self) -> int:
        return sum(1 for p in self.added if p.values.get("Membre"))

    @property
    def journal_lost(self) -> bool:
        """Rows appended, but the Journal line saying so (and naming their IDs) is not."""
        return self.journal_error is not None

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``; a lost Journal line is a failure."""
        return describe(self)

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "added": [p.as_dict() for p in self.added],
            "appended": self.appended,
            "matched": self.matched,
            "unmatched": len(self.added) - self.matched,
            "already_in_ledger": len(self.already),
            "files": [
                {"name": f.name, "kind": f.kind, "payments": len(f.payments), "ignored": len(f.ignored)}
                for f in self.files
            ],
            "ignored": self.ignored,
            "warnings": self.warnings,
            "problems": self.problems,
            "journal": self.journal,
            "journal_error": self.journal_error,
        }


def describe(result: PaymentsResult) -> Outcome:
    """The one French line `mila etat` keeps of a run; a lost Journal line is a failure."""
    check = (
        f" ; {len(result.problems)} remboursement(s) à saisir à la main (voir la sortie de la commande)"
        if result.problems
        else ""
    )
    if not result.appended:
        return Outcome(
            NOTHING, f"aucun nouveau paiement ({len(result.already)} déjà dans le registre){check}"
        )
    outcome = Outcome(
        SUCCESS,
        f"{result.appended} paiement(s) ajouté(s), dont {result.appended - result.matched} à rapprocher"
        + check,
    )
    return journal_missing(outcome, result.journal_lost, result.journal_error)


# -- the shared core ----------------------------------------------------------------


def _read(workbook: Workbook, today: dt.date, policy: MembershipPolicy) -> WorkbookState:
    """The run's one read and evaluation of the workbook; a broken ``Membres`` or
    ``Paiements`` header stops the import before anything is written."""
    state = read_state(workbook, today, policy)
    problems = [
        a for a in state.evaluation.schema_problems if a.tab in (schema.MEMBRES.name, schema.PAIEMENTS.name)
    ]
    if problems:
        raise SchemaError(" ".join(a.message for a in problems))
    return state


def _due(state: WorkbookState) -> Callable[[str], Decimal | None]:
    """A member's fee due (TTC), from the run's one evaluation."""

    def due(key: str) -> Decimal | None:
        computation = state.computation(key)
        fee = computation.fee if computation is not None else None
        return fee.ttc if fee is not None else None

    return due


def _take(result: PaymentsResult, plan: PaymentPlan) -> None:
    result.added += plan.added
    result.already += plan.already
    result.ignored += plan.ignored
    result.problems += plan.problems


def _append(
    workbook: Workbook, tables: Mapping[str, Table], tab: schema.Tab, rows: Sequence[dict[str, object]]
) -> int:
    """Append to ``tab`` in one request, placed by the header just read. Calc. columns the
    tab lacks are left for `mila synchroniser` to add; a staff column missing (or no tab)
    goes through ``Workbook.append_rows``, which adds it first."""
    if not rows:
        return 0
    table = tables.get(tab.name)
    calc = {c.key for c in tab.calc_columns}
    staff = [n for n in rows[0] if schema.normalize_header(n) not in calc]
    if (
        table is None
        or not table.header
        or any(schema.normalize_header(n) not in table.columns for n in staff)
    ):
        return workbook.append_rows(tab, rows)
    width = max([len(table.header), *table.columns.values()])
    places = [(name, table.columns.get(schema.normalize_header(name))) for name in rows[0]]
    lines = []
    for row in rows:
        line: list[object] = [None] * width
        for name, column in places:
            if column is not None:
                line[column - 1] = to_cell_value(row.get(name))
        lines.append(line)
    workbook.backend.append_rows(table.title, lines)
    return len(lines)


def _finish(workbook: Workbook, tables: Mapping[str, Table], result: PaymentsResult) -> PaymentsResult:
    if not result.dry_run and result.added:
        result.appended = _append(workbook, tables, schema.PAIEMENTS, [p.values for p in result.added])
        log.info("paiements: %d row(s) appended, %d already there", result.appended, len(result.already))
    return result


def _run(
    workbook: Workbook,
    clock: Clock | None,
    result: PaymentsResult,
    work: Callable[[], tuple[Mapping[str, Table], Dataset]],
) -> PaymentsResult:
    """Read and plan (``work``), append, then leave the run's one Journal line: « succès »
    naming the IDs given when rows were appended, none when nothing was, « échec » when the
    append failed (unless Google could not be reached: the line could not be written either)."""
    clock = clock or SystemClock()
    started = time.monotonic()
    tables: Mapping[str, Table] | None = None
    try:
        tables, _ = work()
        _finish(workbook, tables, result)
    except MilaError as exc:
        result.seconds = time.monotonic() - started
        if tables is not None and not isinstance(exc, UNREACHABLE):
            _journal(workbook, tables, clock, "échec", exc.message, result)
        raise
    result.seconds = time.monotonic() - started
    if result.appended:
        result.journal = _journal(workbook, tables, clock, "succès", journal_details(result), result)
    return result


def journal_details(result: PaymentsResult) -> str:
    """The « Détails » of a run's Journal line: the IDs given (as `mila synchroniser` writes
    them, read back by ``rules.ids``), the count, and where the payments came from."""
    ids = [p.id for p in result.added[: result.appended]]
    parts = [
        f"ID attribués : {schema.PAIEMENTS.name} : {describe_ids(ids)}",
        f"{result.appended} paiement(s) ajouté(s), dont {result.appended - result.matched} à rapprocher",
    ]
    if result.already:
        parts.append(f"{len(result.already)} déjà dans le registre")
    if result.problems:
        parts.append(f"{len(result.problems)} remboursement(s) à saisir à la main")
    if result.files:
        parts.append("lu(s) : " + ", ".join(read.name for read in result.files))
    return " ; ".join(parts)


def _journal(
    workbook: Workbook,
    tables: Mapping[str, Table],
    clock: Clock,
    outcome: str,
    details: str,
    result: PaymentsResult,
) -> bool:
    """Append the run's line to Journal (placed by the header read with the other tabs: no
    read more); a failure to do so is kept in ``journal_error`` (the command then says so
    and exits with code 3), never raised. The one place this job writes to Journal."""
    line = JournalLine(TASK, outcome, details, result.seconds).cells(clock)
    try:
        _append(workbook, tables, schema.JOURNAL, [line])
        return True
    except MilaError as exc:
        log.error("could not write to Journal: %s", exc.message)
        result.journal_error = exc.message
        return False


# -- the entry points ---------------------------------------------------------------


def run_import(
    workbook: Workbook,
    files: Sequence[Path],
    *,
    today: dt.date,
    policy: MembershipPolicy,
    dry_run: bool = False,
    clock: Clock | None = None,
) -> PaymentsResult:
    """Import HelloAsso exports and bank statements; every file is read before anything is
    written, so that a bad file leaves the sheet untouched."""
    from ..payments.files import read_import

    result = PaymentsResult(dry_run=dry_run)
    result.files = [read_import(Path(f), today) for f in files]
    for read in result.files:
        result.ignored += read.ignored
        result.warnings += read.warnings

    def work() -> tuple[Mapping[str, Table], Dataset]:
        state = _read(workbook, today, policy)
        incoming = [p for read in result.files for p in read.payments]
        _take(result, plan_payments(state.dataset, incoming, today, policy, _due(state)))
        return state.tables, state.dataset

    return _run(workbook, clock, result, work)


def run_takeover(
    workbook: Workbook,
    *,
    today: dt.date,
    policy: MembershipPolicy,
    dry_run: bool = False,
    clock: Clock | None = None,
) -> PaymentsResult:
    """Move each member's ``Cotisation payée le`` / ``Montant payé`` into ``Paiements`` once.

    The row's ``Référence`` is « reprise M0018 2025-03-02 »: a second run finds it and
    adds nothing. A blank ``Montant payé`` is taken from the fee of that period (``Source``
    says so)."""
    result = PaymentsResult(dry_run=dry_run)
    return _run(workbook, clock, result, lambda: _plan_takeover(workbook, today, policy, result))


def _plan_takeover(
    workbook: Workbook, today: dt.date, policy: MembershipPolicy, result: PaymentsResult
) -> tuple[Mapping[str, Table], Dataset]:
    state = _read(workbook, today, policy)
    members_table = state.tables.get(schema.MEMBRES.name)
    parsed = parse_table(members_table, today=today)[0] if members_table is not None else []
    typed = [m for m in parsed if isinstance(m, Member)]  # all of them: the tab is « Membres »
    _take(result, plan_takeover(state.dataset, typed, today, policy))
    return state.tables, state.dataset


def run_helloasso(
    workbook: Workbook,
    client: OrdersSource,
    *,
    today: dt.date,
    policy: MembershipPolicy,
    dry_run: bool = False,
    since_default_days: int = 365,
    clock: Clock | None = None,
) -> PaymentsResult:
    """Pull the orders of the configured forms since the last HelloAsso import.

    ``client`` is a ``payments.helloasso_api.HelloAssoClient`` (or a stand-in with the same
    ``orders(since)`` method). The start is the latest date of a HelloAsso row of the
    ledger, less a week (the references drop what was already there)."""
    result = PaymentsResult(dry_run=dry_run)

    def work() -> tuple[Mapping[str, Table], Dataset]:
        state = _read(workbook, today, policy)
        dataset = state.dataset
        dates = [p.date for p in dataset.payments if p.date is not None and p.means == "HelloAsso"]
        since = (
            (max(dates) - dt.timedelta(days=7)) if dates else today - dt.timedelta(days=since_default_days)
        )
        read = client.orders(since, today)
        result.files = [read]
        result.ignored += read.ignored
        result.warnings += read.warnings
        _take(result, plan_payments(dataset, read.payments, today, policy, _due(state)))
        return state.tables, dataset

    return _run(workbook, clock, result, work)
