"""What check and sync share: read tables in, anomalies and computed columns out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from .. import schema
from ..gcpause import gc_paused
from ..model.anomalies import Anomalies, Anomaly, Severity
from ..model.dataset import Dataset
from ..rules import forms as forms_rules
from ..rules.bookings import BookingPolicy, BookingsOutcome
from ..rules.events import EventsOutcome
from ..rules.forms import REQUESTS, find_tab, read_form
from ..rules.membership import MemberComputation, MembershipPolicy, compute_all
from ..rules.past import without_past_warnings
from ..rules.payments import PaymentComputation, compute_ledger
from ..rules.validation import Context, fee_key, validate
from ..schema import normalize_header
from ..settings import FormsSettings
from ..workbook import CellUpdate, Table


@dataclass
class Evaluation:
    tables: Mapping[str, Table]
    dataset: Dataset
    anomalies: Anomalies
    computations: list[MemberComputation]
    schema_problems: list[Anomaly]  # missing required columns, duplicate headers: nothing is written
    bookings: BookingsOutcome = field(default_factory=BookingsOutcome)  # Montant HT
    events: EventsOutcome = field(default_factory=EventsOutcome)  # Inscrits, Place, promotions
    payments: list[PaymentComputation] = field(default_factory=list)  # Période, Paiements anomalies

    @property
    def errors(self) -> int:
        return len(self.anomalies.errors)

    @property
    def warnings(self) -> int:
        return len(self.anomalies.warnings)


def schema_problems(tables: Mapping[str, Table]) -> list[Anomaly]:
    """A tab whose header lacks a required column, or holds a contract header twice.

    An empty job-owned tab (``Journal`` created, then its header write failed) is no
    problem: the next line the jobs append to it writes its header first."""
    problems: list[Anomaly] = []
    for table in tables.values():
        tab = table.schema
        if tab is None or (tab.job_owned and not table.header and not table.rows):
            continue
        for name in table.missing_required:
            problems.append(
                Anomaly(
                    tab.name,
                    1,
                    None,
                    name,
                    Severity.ERROR,
                    f"Onglet « {table.title} » : la colonne obligatoire « {name} » est absente. "
                    "Ajoutez-la à la ligne 1 (ou rétablissez son nom) ; rien n'a été écrit.",
                )
            )
        for name in table.duplicates:
            if schema.normalize_header(name) in tab.key_lookup:
                problems.append(
                    Anomaly(
                        tab.name,
                        1,
                        None,
                        name,
                        Severity.ERROR,
                        f"Onglet « {table.title} » : l'en-tête « {name} » figure deux fois. "
                        "Renommez ou supprimez l'une des deux colonnes ; rien n'a été écrit.",
                    )
                )
    return problems


@gc_paused()
def evaluate(
    tables: Mapping[str, Table],
    today: dt.date,
    policy: MembershipPolicy,
    *,
    booking_policy: BookingPolicy | None = None,
    forms: FormsSettings | None = None,
) -> Evaluation:
    """Parse, validate and compute everything the sheet should show (``forms``: where the
    membership requests answered by form are, whose ``Membres`` rows the staff complete)."""
    problems = schema_problems(tables)
    dataset = Dataset.from_tables(tables, today=today)
    anomalies = Anomalies(problems)
    anomalies.extend(dataset.anomalies)
    booking_policy = booking_policy or BookingPolicy()
    # Each member's fee, due date and status: computed here once, used by every check.
    computations = compute_all(dataset, today, policy)
    fees_due: dict[str, Decimal | None] = {}
    for member, computation in zip(dataset.members, computations, strict=True):
        fees_due.setdefault(fee_key(member), computation.fee.ht if computation.fee is not None else None)
    context = Context(dataset, today, policy, booking_policy, previous_places(tables), fees_due)
    anomalies.extend(validate(dataset, today, policy, context=context))
    for computation in computations:
        anomalies.extend(computation.anomalies)
    payments = compute_ledger(dataset, today, policy) if dataset.has_ledger else []
    for payment in payments:
        anomalies.extend(payment.anomalies)
    if forms is not None:
        anomalies.extend(request_anomalies(tables, dataset, forms))
    # Warnings about bookings and events long over are not written ([bookings] past_warnings_days).
    anomalies = Anomalies(without_past_warnings(anomalies, dataset, today, booking_policy.past_warnings_days))
    return Evaluation(
        tables, dataset, anomalies, computations, problems, context.bookings, context.events, payments
    )


def request_anomalies(tables: Mapping[str, Table], dataset: Dataset, forms: FormsSettings) -> list[Anomaly]:
    """The sentence of each ``Membres`` row a membership request created and the staff have
    not completed yet (its category, its forfait)."""
    table = find_tab(tables, forms.onglet_adhesions)
    if table is None:
        return []
    tab = read_form(REQUESTS, table, forms.questions())
    return list(forms_rules.request_anomalies(tab, dataset.members))


def previous_places(tables: Mapping[str, Table]) -> dict[int, object]:
    """Inscriptions: sheet row -> ``Place`` as read (before this run)."""
    table = tables.get(schema.INSCRIPTIONS.name)
    if table is None or not table.has("Place"):
        return {}
    key = normalize_header("Place")  # once, not once per row
    return {row.number: row.cells.get(key) for row in table.rows}


_COMPUTED_TABS = frozenset(
    {
        schema.MEMBRES.name,
        schema.RESERVATIONS.name,
        schema.EVENEMENTS.name,
        schema.INSCRIPTIONS.name,
        schema.PAIEMENTS.name,
    }
)


@gc_paused()
def desired_cells(evaluation: Evaluation, new_ids: Mapping[tuple[str, int], str]) -> list[CellUpdate]:
    """Every job-owned cell as it should be. ``new_ids`` maps (tab, row) to an ID being assigned.

    One update per computed cell (125,000 at 10,000 members), each built as the tuple it
    is (``tuple.__new__``, without the named tuple's ``__new__`` in Python)."""
    updates: list[CellUpdate] = []
    add = updates.append
    cell = partial(tuple.__new__, CellUpdate)
    rows_by_number = {  # the tabs whose computations are keyed by sheet row
        name: {row.number: row for row in table.rows}
        for name, table in evaluation.tables.items()
        if table.schema is not None and name in _COMPUTED_TABS
    }
    membres = schema.MEMBRES.name
    members = rows_by_number.get(membres, {})
    for c in evaluation.computations:
        row = members.get(c.row)
        row_id = row.id if row is not None else None
        row_id = row_id or new_ids.get((membres, c.row))
        if row is None or row_id is None:
            continue
        fee = c.fee
        add(cell((membres, row_id, "Cotisation HT", fee.ht if fee else None, row)))
        add(cell((membres, row_id, "Cotisation TTC", fee.ttc if fee else None, row)))
        add(cell((membres, row_id, "Échéance", c.echeance, row)))
        add(cell((membres, row_id, "Statut", c.status, row)))
        add(cell((membres, row_id, "Voix", c.votes if c.status is not None else None, row)))

    for tab, computed in (
        (schema.RESERVATIONS, [(c.row, {"Montant HT": c.amount}) for c in evaluation.bookings.computations]),
        (
            schema.EVENEMENTS,
            [
                (c.row, {"Inscrits": c.registered, "Liste d'attente": c.waiting})
                for c in evaluation.events.events
            ],
        ),
        (schema.INSCRIPTIONS, [(c.row, {"Place": c.place}) for c in evaluation.events.registrations]),
        (schema.PAIEMENTS, [(c.row, {"Période": c.period}) for c in evaluation.payments]),
    ):
        name = tab.name
        rows = rows_by_number.get(name, {})
        for number, values in computed:
            row = rows.get(number)
            row_id = (row.id if row is not None else None) or new_ids.get((name, number))
            if row is None or row_id is None:
                continue
            for column, value in values.items():
                add(cell((name, row_id, column, value, row)))

    for table in evaluation.tables.values():
        known = table.schema
        if known is None or known.id_prefix is None or "anomalies" not in known.key_lookup:
            continue
        name = known.name
        flagged = {a.row for a in evaluation.anomalies.by_tab(name)}  # once per tab, not per row
        for row in table.rows:
            row_id = row.id or new_ids.get((name, row.number))
            if row_id is None:
                continue
            text = (
                (evaluation.anomalies.as_cell_text(name, row.number) or None)
                if row.number in flagged
                else None
            )
            add(cell((name, row_id, "Anomalies", text, row)))
    return updates
