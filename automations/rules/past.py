"""Rows wholly in the past: bookings and events over for more than a number of days.

A warning on such a row asks for something nobody can do any more (a Saturday booking of
2024 will not move), and it hides the errors that still need a person; so their warnings
are left out of the ``Anomalies`` column. Their errors stay: an unknown member ID or an
end before the start is still wrong in the records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from .. import schema
from ..model.anomalies import Anomaly, Severity
from ..model.dataset import Dataset
from ..model.rows import id_key


def _last_day(value: dt.date | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def past_rows(dataset: Dataset, today: dt.date, days: int) -> set[tuple[str, int]]:
    """(tab, sheet row) of the bookings and events that ended more than ``days`` days
    before ``today``, and of the registrations to those events."""
    limit = today - dt.timedelta(days=days)
    rows: set[tuple[str, int]] = set()
    for booking in dataset.bookings:
        end = _last_day(booking.end) or _last_day(booking.start)
        if end is not None and end < limit:
            rows.add((schema.RESERVATIONS.name, booking.row))
    over: set[str | None] = set()
    for event in dataset.events:
        if event.date is not None and event.date < limit:
            rows.add((schema.EVENEMENTS.name, event.row))
            if event.id:
                over.add(id_key(event.id))
    for registration in dataset.registrations:
        if registration.event_id and id_key(registration.event_id) in over:
            rows.add((schema.INSCRIPTIONS.name, registration.row))
    return rows


def without_past_warnings(
    anomalies: Iterable[Anomaly], dataset: Dataset, today: dt.date, days: int
) -> Iterator[Anomaly]:
    """``anomalies`` less the warnings of rows wholly in the past (:func:`past_rows`)."""
    past = past_rows(dataset, today, days)
    for anomaly in anomalies:
        if (
            anomaly.severity is Severity.WARNING
            and anomaly.row is not None
            and (anomaly.tab, anomaly.row) in past
        ):
            continue
        yield anomaly
