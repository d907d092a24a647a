"""`mila schedule`: the long-running scheduler, and the timing rules it shares with `--once`.

Default timings (configurable in ``[schedule.<job>]``, read by
:mod:`automations.settings.schedule`): sync every 15 minutes on working days from 8:00
to 20:00, renewals every day at 9:00, conventions and charters every day at 7:30, the
annual report never automatically.

The loop uses the ``schedule`` library with the real clock; ``--once`` (for cron or a
systemd timer) and ``mila status`` use :func:`is_due` and :func:`next_run`, which
take the time as an argument.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import schedule as schedule_lib

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
    """The long-running loop: one job at a time, a clean stop after the current job."""

    timings: Mapping[str, Timing]
    run: Callable[[str], None]  # runs one job by name; must not raise
    last_run: Callable[[str], dt.datetime | None] = lambda job: None
    stop_event: threading.Event = field(default_factory=threading.Event)

    def catch_up(self, now: dt.datetime) -> list[str]:
        """Run, once each, the jobs already due when the scheduler starts (a 9:00 job
        missed because the machine was off runs at start-up)."""
        ran = []
        for job, timing in self.timings.items():
            if self.stop_event.is_set():
                break
            if is_due(timing, self.last_run(job), now):
                self.run(job)
                ran.append(job)
        return ran

    def build(self) -> schedule_lib.Scheduler:
        scheduler = schedule_lib.Scheduler()
        for job, timing in self.timings.items():
            if not timing.enabled:
                continue
            if timing.every_minutes:
                scheduler.every(timing.every_minutes).minutes.do(self._maybe, job, timing).tag(job)
            elif timing.at is not None:
                scheduler.every().day.at(timing.at.strftime("%H:%M:%S")).do(self._maybe, job, timing).tag(job)
        return scheduler

    def _maybe(self, job: str, timing: Timing) -> None:
        now = dt.datetime.now()
        if self.stop_event.is_set() or now.weekday() not in timing.days:
            return
        if timing.every_minutes and not timing.start <= now.time() <= timing.end:
            return
        self.run(job)

    def loop(self, scheduler: schedule_lib.Scheduler, *, tick: float = 1.0) -> None:
        """Run due jobs until asked to stop (SIGTERM, Ctrl-C or ``stop_event``)."""
        while not self.stop_event.is_set():
            scheduler.run_pending()
            self.stop_event.wait(tick)

    def install_signal_handlers(self) -> None:
        def stop(signum: int, _frame: object) -> None:
            log.info("signal %s: stopping after the current job", signum)
            self.stop_event.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
