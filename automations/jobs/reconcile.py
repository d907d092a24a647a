"""Payments reconciled to invoices in `mila synchroniser`, from the run's one state.

The plan is the pure rule :func:`rules.reconciliation.reconcile`; this module turns it
into cell updates: ``Paiements`` « Facture » and the payment's problems added to its
« Anomalies »; ``Factures`` « Payée le », « Reste dû », « Statut », written by ``N°``.
Nothing is done while the workbook has no invoice.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import schema
from ..model.anomalies import CELL_SEPARATOR
from ..model.invoices import format_number, parse_number
from ..rules.reconciliation import ReconciliationPlan, reconcile
from ..workbook import CellUpdate
from ..workbook.table import Table
from .workbook_state import WorkbookState


def _table(state: WorkbookState, tab: schema.Tab) -> Table | None:
    return next((t for t in state.tables.values() if t.schema is tab), None)


def plan_of(state: WorkbookState) -> ReconciliationPlan | None:
    """The reconciliation of the state's payments and invoices; None without invoices."""
    invoices = state.invoices
    if not invoices or not state.dataset.has_ledger:
        return None
    return reconcile(invoices, state.dataset.payments)


def reconciliation_updates(state: WorkbookState, updates: Sequence[CellUpdate]) -> list[CellUpdate]:
    """``updates`` (the sync's desired cells) with the reconciliation's: each payment's
    « Facture », its problems after its other anomalies, each invoice's state."""
    plan = plan_of(state)
    if plan is None:
        return list(updates)
    payments = _table(state, schema.PAIEMENTS)
    problems: dict[str, tuple[str, ...]] = {}
    added: list[CellUpdate] = []
    if payments is not None:
        for row in payments.rows:
            if row.id is None:
                continue  # given an ID in this run: reconciled at the next one
            settled = plan.settlement(row.number)
            added.append(
                CellUpdate(schema.PAIEMENTS.name, row.id, "Facture", settled.text if settled else None, row)
            )
            if settled is not None and settled.problems:
                problems[row.id] = settled.problems
    merged: list[CellUpdate] = []
    for update in updates:
        extra = problems.pop(update.row_id, None) if update.tab == schema.PAIEMENTS.name else None
        if extra and update.column == "Anomalies":
            text = CELL_SEPARATOR.join([*([str(update.value)] if update.value else []), *extra])
            update = CellUpdate(update.tab, update.row_id, update.column, text, update.row)
        elif extra:
            problems[update.row_id] = extra  # not this column: kept for the row's Anomalies
        merged.append(update)
    invoices = _table(state, schema.FACTURES)
    if invoices is not None:
        for number, found in invoices.by_id.items():
            if len(found) != 1:
                continue  # a number twice: not written (the billing job reports it)
            parts = parse_number(number)
            invoice_state = plan.invoices.get(format_number(*parts)) if parts else None
            if invoice_state is None:
                continue  # a credit note, or an unreadable row
            row = found[0]
            for column, value in (
                ("Payée le", invoice_state.paid_on),
                ("Reste dû", invoice_state.remaining),
                ("Statut", invoice_state.status),
            ):
                added.append(CellUpdate(schema.FACTURES.name, number, column, value, row))
    return merged + added
