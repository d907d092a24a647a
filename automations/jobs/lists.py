"""The job-owned ``Listes`` tab: the ``ID – label`` values the reference dropdowns offer.

``mila synchroniser`` keeps it current (SHEETS.md « Listes »): one column each for the members
(``M0012 – Le Fair``), the premises (``L29 – Bureau 3``), the bookable premises
(``Ressources``), the events (``E042 – Club MILA du 14/01/2025``) and the staff's requests
(``Demandes``: the ``Demande`` dropdown, too long to be typed into a validation for Excel) and
the types of event (``Types d'événement``: the ``Type`` dropdown of ``Événements``, too long
as well), the first four columns in the
order of its labels' names (accents and case ignored; the ID breaks ties): the order the
staff look for a name in, and one that a person sorting ``Membres`` does not change. The
tab is written only when its content changed, and created when it is missing (once there
is a row with an ID to offer). A reference typed with
its label reads as the ID alone (:func:`automations.model.rows.normalize_ref`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

from .. import schema
from ..model.dataset import Dataset
from ..text import sort_key
from ..workbook import NewId, Workbook
from ..workbook.base import Placed, WriteResult
from ..workbook.placement import Cell, Grid
from ..workbook.rewrite import owned_column_cells, owned_columns_differ, rewrite_owned_columns
from ..workbook.table import Table

log = logging.getLogger(__name__)
DASH = " – "


def label(row_id: str, text: str | None) -> str:
    """``M0012 – Le Fair``; the ID alone when there is no label."""
    text = " ".join((text or "").split())
    return f"{row_id}{DASH}{text}" if text else row_id


def _by_name(labels: Iterable[str]) -> list[str]:
    """Labels in the order of their names (the text after the ID), then of their IDs."""

    def key(text: str) -> tuple[bool, str, str]:
        row_id, _, name = text.partition(DASH)
        return (not name, sort_key(name), row_id)

    return sorted(labels, key=key)


def list_columns(dataset: Dataset, new_ids: Iterable[NewId] = ()) -> dict[str, list[str]]:
    """The Listes columns for the rows of ``dataset``, with the IDs just assigned, each
    sorted by name (:func:`_by_name`, whatever the rows' order); rows without an ID (none
    assigned) are left out."""
    assigned = {(schema.normalize_header(n.tab), n.row.number): n.new_id for n in new_ids}

    def row_id(tab: schema.Tab, model: object) -> str | None:
        given = getattr(model, "id", None)
        return given or assigned.get((schema.normalize_header(tab.name), getattr(model, "row", 0)))

    members = [label(i, m.structure) for m in dataset.members if (i := row_id(schema.MEMBRES, m)) is not None]
    premises = [(i, p) for p in dataset.premises if (i := row_id(schema.LOCAUX, p)) is not None]
    events = []
    for event in dataset.events:
        i = row_id(schema.EVENEMENTS, event)
        if i is None:
            continue
        title = event.title or event.type or ""
        when = f" du {event.date:%d/%m/%Y}" if event.date is not None else ""
        events.append(label(i, f"{title}{when}".strip()))
    return {
        "Membres": _by_name(members),
        "Locaux": _by_name(label(i, p.name) for i, p in premises),
        "Ressources": _by_name(label(i, p.name) for i, p in premises if p.bookable),
        "Événements": _by_name(events),
        "Demandes": list(_request_names()),  # in registration order, as the jobs know them
        "Types d'événement": list(schema.EVENT_TYPES),  # in the contract's order
    }


# The Listes columns of what the jobs know, not of the workbook's rows.
JOB_KNOWN = frozenset(schema.JOB_LISTS.values())


def _request_names() -> tuple[str, ...]:
    from .staff_requests import request_names

    return request_names()


def _nothing_to_offer(wanted: Mapping[str, list[str]]) -> bool:
    """No row with an ID yet: a workbook without rows gets no Listes tab from the sync (the
    requests alone do not make one; ``mila preparer`` does)."""
    return not any(v for k, v in wanted.items() if k not in JOB_KNOWN)


def lists_differ(tables: Mapping[str, Table], dataset: Dataset, new_ids: Sequence[NewId] = ()) -> bool:
    """Whether :func:`keep_lists_current` would write (no request: from the run's read)."""
    wanted = list_columns(dataset, new_ids)
    current = tables.get(schema.LISTES.name)
    if current is None and _nothing_to_offer(wanted):
        return False
    return owned_columns_differ(current, wanted)


def lists_in_write(workbook: Workbook, dataset: Dataset) -> Placed:
    """``Listes`` as cells of the run's write (``Workbook.write``'s ``placed``, Google Sheets):
    the tab read whole with the IDs, its labels those of ``dataset`` with the IDs the write
    assigns. The tab is created first when missing."""
    title = workbook.ensure_tab(schema.LISTES)

    def cells(grids: Mapping[str, Grid], written: WriteResult) -> list[Cell]:
        found = owned_column_cells(title, grids.get(title, []), list_columns(dataset, written.ids_assigned))
        if found:
            log.info("Listes: %d cells written", len(found))
        return found

    return [title], cells


def keep_lists_current(
    workbook: Workbook,
    tables: Mapping[str, Table],
    dataset: Dataset,
    new_ids: Sequence[NewId] = (),
    *,
    create: bool = False,
) -> int:
    """Write the ``Listes`` tab when it differs from the workbook's rows (``tables`` as
    read by the run, the IDs it assigned in ``new_ids``); the number of cells written,
    0 without any request when it is current. ``create``: write it even before any row has
    an ID (``mila preparer``: the ``Demande`` dropdown draws from it)."""
    wanted = list_columns(dataset, new_ids)
    current = tables.get(schema.LISTES.name)
    if current is None and not create and _nothing_to_offer(wanted):
        return 0  # nothing to offer yet: a workbook without rows gets no tab
    if not owned_columns_differ(current, wanted):
        return 0
    written = rewrite_owned_columns(workbook, schema.LISTES, wanted)
    log.info("Listes: %d cells written", written)
    return written
