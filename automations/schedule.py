"""`mila planifier`: the long-running scheduler, and the timing rules it shares with `--une-fois`.

Default timings (configurable in ``[schedule.<job>]``, read by
:mod:`automations.settings.schedule`): sync every 15 minutes on working days from 8:00
to 20:00, renewals every day at 9:00, conventions and charters every day at 7:30, the
annual report never automatically.

One set of rules: the loop, ``--une-fois`` (for cron or a systemd timer) and ``mila etat``
all use :func:`is_due` and :func:`next_run`, on the time of an injected
:class:`~automations.clock.Clock`.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .clock import Clock, SystemClock
from .settings.schedule import (  # noqa: F401 - timings are read by settings.schedule
    DEFAULT_TIMINGS,
    EVERY_DAY,
    WEEKDAYS_FR,
    WORKING_DAYS,
    Timing,
)

log = logging.getLogger(__name__)

SLACK = dt.timedelta(seconds=30)


def is_due(timing: Timing, last_run: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the job should run at ``now``, given when it last ran."""
    if not timing.enabled or now.weekday() not in timing.days:
        return False
    if timing.every_minutes:
        if not timing.start <= now.time() <= timing.end:
            return False
        return last_run is None or now - last_run >= dt.timedelta(minutes=timing.every_minutes) - SLACK
    if timing.at is None:
        return False
    slot = dt.datetime.combine(now.date(), timing.at)
    return now >= slot and (last_run is None or last_run < slot)


def next_run(timing: Timing, last_run: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    """The next time the job will run (``now`` when it is due), or None if never."""
    if not timing.enabled:
        return None
    if is_due(timing, last_run, now):
        return now
    for offset in range(0, 8):
        day = now.date() + dt.timedelta(days=offset)
        if day.weekday() not in timing.days:
            continue
        if timing.every_minutes:
            start = dt.datetime.combine(day, timing.start)
            interval = dt.timedelta(minutes=timing.every_minutes)
            candidate = max(start, last_run + interval) if last_run else start
            candidate = max(candidate, now) if offset == 0 else candidate
            if candidate.date() == day and candidate.time() <= timing.end:
                return candidate
        elif timing.at is not None:
            slot = dt.datetime.combine(day, timing.at)
            if slot > now:
                return slot
    return None


@dataclass
class Scheduler:
    """The long-running loop: one job at a time, a clean stop after the current job.

    Every ``tick`` it asks :func:`is_due`, with the time of the injected clock and each
    job's last run (the local record, or this loop's own last attempt when the record
    could not be written), and runs what is due in the order of ``timings``."""

    timings: Mapping[str, Timing]
    run: Callable[[str], None]  # runs one job by name; must not raise
    last_run: Callable[[str], dt.datetime | None] = lambda job: None
    clock: Clock = field(default_factory=SystemClock)
    stop_event: threading.Event = field(default_factory=threading.Event)
    attempted: dict[str, dt.datetime] = field(default_factory=dict)

    def run_due(self, now: dt.datetime | None = None) -> list[str]:
        """Run, once each, the jobs due at ``now`` (the clock's time by default); at start-up
        this catches up a 9:00 job missed because the machine was off."""
        ran = []
        at = now or self.clock.now()
        for job, timing in self.timings.items():
            if self.stop_event.is_set():
                break
            if is_due(timing, self._last(job), at):
                self.attempted[job] = at
                self.run(job)
                ran.append(job)
        return ran

    catch_up = run_due

    def _last(self, job: str) -> dt.datetime | None:
        known = [t for t in (self.last_run(job), self.attempted.get(job)) if t is not None]
        return max(known) if known else None

    def loop(self, *, tick: float = 20.0) -> None:
        """Run due jobs until asked to stop (SIGTERM, Ctrl-C or ``stop_event``)."""
        while not self.stop_event.is_set():
            self.run_due()
            self.stop_event.wait(tick)

    def install_signal_handlers(self) -> None:
        def stop(signum: int, _frame: object) -> None:
            log.info("signal %s: stopping after the current job", signum)
            self.stop_event.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
