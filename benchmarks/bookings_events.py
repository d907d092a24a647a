"""Conflict detection and waiting lists inside the sync target, 30,000 bookings + registrations.

Issue 5: « Conflict detection and waiting lists for 30,000 bookings and registrations:
included in the sync target (≤ 3 s); report the share it takes. » Measured on the workbook
of ``benchmarks.sync_compute`` (10,000 members, 15,000 bookings, 1,000 events, 15,000
registrations; tables built in memory, no I/O): the whole check + compute + plan of a first
run (``evaluate`` + ``desired_cells`` + ``Workbook.pending``), and within it the time of
``rules.bookings.compute_bookings`` (sweep-line conflicts, prices, opening days, members'
standing) and ``rules.events.compute_events`` (eligibility, seats, waiting lists, counts).
Then both functions alone on harder data: 30,000 bookings of one meeting room over three
months (conflicts everywhere), and 30,000 registrations for 300 events of 20 seats (long
waiting lists).

    .venv/bin/python -m benchmarks.bookings_events [--quick]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

import automations.rules.validation as validation_module
from automations.jobs.evaluation import desired_cells, evaluate
from automations.jobs.sync import plan_new_ids
from automations.model.rows import Booking, Event, Member, Premises, Registration
from automations.rules.bookings import BookingsOutcome, compute_bookings
from automations.rules.events import EventsOutcome, compute_events
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

from .data import (
    TODAY,
    BenchResult,
    Sizes,
    Verdict,
    md_table,
    median_of,
    num,
    repeat,
    run_one,
    runs_note,
    seconds,
    verdict_word,
)

TITLE = "Bookings and events in sync: conflicts and waiting lists, 30,000 rows"
TARGET_S = 3.0
FULL = Sizes()
QUICK = Sizes.scaled(500)
POLICY = MembershipPolicy()


@contextlib.contextmanager
def _timed(times: dict[str, float], *, without: bool = False) -> Iterator[None]:
    """Time the two computations where the validation context calls them; ``without``
    replaces them by empty outcomes (no anomaly, no computed cell: the sync as it was)."""

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    bookings_fn: Callable[..., Any] = validation_module.compute_bookings
    events_fn: Callable[..., Any] = validation_module.compute_events
    if without:
        bookings_fn, events_fn = (lambda *a, **k: BookingsOutcome()), (lambda *a, **k: EventsOutcome())
    with (
        mock.patch.object(validation_module, "compute_bookings", wrap("bookings", bookings_fn)),
        mock.patch.object(validation_module, "compute_events", wrap("events", events_fn)),
    ):
        yield


def _sync_once(grids: dict[str, Any], *, without: bool = False) -> dict[str, float]:
    workbook = Workbook(MemoryBackend(grids))
    tables = workbook.read()
    times: dict[str, float] = {}
    started = time.perf_counter()
    with _timed(times, without=without):
        evaluation = evaluate(tables, TODAY, POLICY)
    times["evaluate"] = time.perf_counter() - started
    mark = time.perf_counter()
    new_ids = plan_new_ids(evaluation)
    desired = desired_cells(evaluation, {(n.tab, n.row.number): n.new_id for n in new_ids})
    times["desired"] = time.perf_counter() - mark
    mark = time.perf_counter()
    pending = workbook.pending(desired)
    times["pending"] = time.perf_counter() - mark
    times["target"] = time.perf_counter() - started
    times["cells_pending"] = len(pending)
    mine = {"Montant HT", "Inscrits", "Liste d'attente", "Place"}
    times["cells"] = sum(1 for u in pending if u.column in mine)
    times["excess"] = sum(1 for c in evaluation.bookings.computations if c.excess)
    times["waiting"] = sum(c.waiting or 0 for c in evaluation.events.events)
    times["booking_anomalies"] = len(evaluation.bookings.anomalies)
    times["event_anomalies"] = len(evaluation.events.anomalies)
    return times


def _stress_bookings(count: int, seed: int = 5) -> tuple[list[Booking], dict[str, Premises]]:
    """``count`` hour bookings of one room over three months: conflicts everywhere."""
    rng = random.Random(seed)
    room = Premises(2, "L01", "Salle de réunion", "Milab", capacity=1, day_rate=Decimal(60), bookable=True)
    first = dt.date(2026, 9, 1)
    bookings = []
    for n in range(count):
        day = first + dt.timedelta(days=rng.randrange(90))
        hour = rng.randint(8, 18)
        start = dt.datetime.combine(day, dt.time(hour))
        bookings.append(
            Booking(
                n + 2,
                f"R{n + 1:05d}",
                "L01",
                None,
                "Asso",
                start,
                start + dt.timedelta(hours=rng.randint(1, 4)),
                "jour",
                rng.choice(("confirmée", "demandée", "demandée")),
            )
        )
    return bookings, {"L1": room}


def _stress_registrations(
    count: int, seed: int = 6
) -> tuple[list[Event], list[Registration], dict[str, Member]]:
    """``count`` registrations for 300 events of 20 seats from 2,000 members."""
    rng = random.Random(seed)
    members = {
        f"M{n}": Member(
            n + 1,
            f"M{n:04d}",
            f"S{n}",
            category="bénéficiaire",
            forfait="PREMIUM",
            crescendo=True,
            joined_on=dt.date(2023, 1, 1),
            paid_on=dt.date(2026, 10, 1),
        )
        for n in range(1, 2001)
    }
    events = [
        Event(
            n + 1,
            f"E{n:03d}",
            TODAY + dt.timedelta(days=n % 60),
            dt.time(18),
            "Club MILA",
            f"Club {n}",
            capacity=20,
            reserved_to=rng.choice((None, None, "PREMIUM", "Crescendo")),
        )
        for n in range(1, 301)
    ]
    registrations = [
        Registration(
            n + 2,
            f"I{n + 1:05d}",
            f"E{rng.randint(1, 300):03d}",
            f"M{rng.randint(1, 2000):04d}",
            dt.datetime(2026, 10, 1) + dt.timedelta(minutes=rng.randrange(80_000)),
            rng.choice(("inscrit",) * 9 + ("annulé",)),
        )
        for n in range(count)
    ]
    return events, registrations, members


def _stress_once(count: int) -> dict[str, float]:
    bookings, premises = _stress_bookings(count)
    started = time.perf_counter()
    outcome = compute_bookings(bookings, premises, {}, TODAY)
    booking_time = time.perf_counter() - started
    events, registrations, members = _stress_registrations(count)
    started = time.perf_counter()
    places = compute_events(events, registrations, members, TODAY)
    event_time = time.perf_counter() - started
    return {
        "bookings": booking_time,
        "events": event_time,
        "excess": sum(1 for c in outcome.computations if c.excess),
        "waiting": sum(c.waiting or 0 for c in places.events),
    }


def run(quick: bool = False) -> BenchResult:
    sizes = QUICK if quick else FULL
    from .data import build_grids

    grids = build_grids(sizes)
    runs, bare = [], []
    for _ in range(3):  # interleaved, so that a busy moment of the machine hits both
        runs += repeat(lambda: _sync_once(grids), times=1)
        bare += repeat(lambda: _sync_once(grids, without=True), times=1)
    first = runs[0]
    target = median_of(runs, "target")
    before = median_of(bare, "target")
    bookings_s, events_s = median_of(runs, "bookings"), median_of(runs, "events")
    stress_count = 2_000 if quick else 30_000
    stress = repeat(lambda: _stress_once(stress_count))
    met = target <= TARGET_S
    rows_total = sizes.bookings + sizes.registrations
    lines = [
        f"Workbook: {sizes.describe()} (`automations.demo.build_grids`, seed 2024), tables built in memory, "
        f"first-run state. Timings: median of {len(runs)} runs of each variant, interleaved. "
        f"Found: {num(first['excess'])} "
        f"bookings beyond capacity, {num(first['waiting'])} registrations waiting, "
        f"{num(first['booking_anomalies'])} booking and {num(first['event_anomalies'])} event "
        f"anomalies; {num(first['cells'])} cells of Montant HT, Place, Inscrits and Liste "
        "d'attente to write.",
        "",
        md_table(
            ("Step", "Time", "Share of the sync target"),
            [
                (
                    "`compute_bookings` (sweep-line conflicts, prices, closed days, standing)",
                    seconds(bookings_s),
                    f"{bookings_s / target:.0%}",
                ),
                (
                    "`compute_events` (eligibility, seats, waiting lists, counts, duplicates)",
                    seconds(events_s),
                    f"{events_s / target:.0%}",
                ),
                (
                    "**both**",
                    f"**{seconds(bookings_s + events_s)}**",
                    f"**{(bookings_s + events_s) / target:.0%}**",
                ),
                (
                    "all it adds to the sync: the two computations, their anomalies and the "
                    "cells they plan (target minus the same sync without them)",
                    seconds(target - before),
                    f"{(target - before) / target:.0%}",
                ),
                (
                    f"**sync target: evaluate + desired_cells + pending** (≤ {TARGET_S:.0f} s)",
                    f"**{seconds(target)}**",
                    verdict_word(met),
                ),
            ],
        ),
        "",
        "The sync target by phase, with and without bookings and events:",
        "",
        md_table(
            ("Phase", "With", "Without"),
            [
                (label, seconds(median_of(runs, key)), seconds(median_of(bare, key)))
                for key, label in (
                    ("evaluate", "`evaluate`"),
                    ("desired", "`desired_cells`"),
                    ("pending", "`Workbook.pending`"),
                    ("target", "**target**"),
                )
            ]
            + [
                (
                    "cells to write",
                    num(median_of(runs, "cells_pending")),
                    num(median_of(bare, "cells_pending")),
                )
            ],
        ),
        "",
        f"Harder data, each function alone ({runs_note(len(stress))}):",
        "",
        md_table(
            ("Case", "Time", "Found"),
            [
                (
                    f"{num(stress_count)} hour bookings of one room over 3 months",
                    seconds(median_of(stress, "bookings")),
                    f"{num(stress[0]['excess'])} beyond capacity",
                ),
                (
                    f"{num(stress_count)} registrations, 300 events of 20 seats",
                    seconds(median_of(stress, "events")),
                    f"{num(stress[0]['waiting'])} waiting",
                ),
            ],
        ),
    ]
    verdicts = (
        Verdict(
            f"sync target with conflicts and waiting lists ≤ {TARGET_S:.0f} s "
            f"({num(rows_total)} bookings + registrations)",
            seconds(target),
            met,
        ),
    )
    return BenchResult(
        TITLE if not quick else f"{TITLE} (quick: {sizes.members} members)", "\n".join(lines), verdicts
    )


def main() -> None:
    run_one(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
