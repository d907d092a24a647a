"""`mila schedule`: the long-running scheduler, and the timing rules it shares with `--once`.

Default timings (configurable in ``[schedule.<job>]``): sync every 15 minutes on
working days from 8:00 to 20:00, renewals every day at 9:00, conventions and charters
every day at 7:30, the annual report never automatically.

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
from typing import Any

import schedule as schedule_lib

from .errors import ConfigError

log = logging.getLogger(__name__)

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WORKING_DAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
SLACK = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class Timing:
    """When a job runs: every N minutes within a window, or once a day at a time."""

    every_minutes: int | None = None
    at: dt.time | None = None
    days: frozenset[int] = EVERY_DAY
    start: dt.time = dt.time(0, 0)
    end: dt.time = dt.time(23, 59, 59)
    enabled: bool = True

    def describe(self) -> str:
        if not self.enabled:
            return "jamais automatiquement"
        days = "tous les jours" if self.days == EVERY_DAY else (
            "du lundi au vendredi" if self.days == WORKING_DAYS
            else ", ".join(WEEKDAYS_FR[d] for d in sorted(self.days))
        )
        if self.every_minutes:
            return f"toutes les {self.every_minutes} min, {days}, de {self.start:%H:%M} à {self.end:%H:%M}"
        return f"{days} à {self.at:%H:%M}" if self.at else days


DEFAULT_TIMINGS: dict[str, Timing] = {
    "sync": Timing(every_minutes=15, days=WORKING_DAYS, start=dt.time(8, 0), end=dt.time(20, 0)),
    # Notices of places freed on a waiting list, on the sync's cadence (the sync records
    # them « à envoyer »; this sends what is pending, once).
    "promotions": Timing(every_minutes=15, days=WORKING_DAYS, start=dt.time(8, 0), end=dt.time(20, 0)),
    "renewals": Timing(at=dt.time(9, 0)),
    "documents": Timing(at=dt.time(7, 30)),
    "report": Timing(enabled=False),
}


def timings_from_section(section: Mapping[str, Any]) -> dict[str, Timing]:
    """The [schedule.<job>] tables over the defaults."""
    timings = dict(DEFAULT_TIMINGS)
    for job, raw in section.items():
        if not isinstance(raw, Mapping):
            continue  # scalar keys of [schedule] itself (state_dir, lock_wait_seconds)
        if job not in timings:
            raise ConfigError(
                f"Configuration : [schedule.{job}] ne correspond à aucune tâche "
                f"(tâches : {', '.join(timings)})."
            )
        timings[job] = _timing(job, raw, timings[job])
    return timings


def _timing(job: str, raw: Mapping[str, Any], default: Timing) -> Timing:
    def clock_time(key: str, fallback: dt.time | None) -> dt.time | None:
        value = raw.get(key)
        if value is None:
            return fallback
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            raise ConfigError(
                f"Configuration : [schedule.{job}] {key} = « {value} » n'est pas une heure (HH:MM)."
            ) from None

    days = default.days
    if "days" in raw:
        try:
            days = frozenset(WEEKDAYS_FR.index(str(d).strip().lower()) for d in raw["days"])
        except ValueError:
            raise ConfigError(
                f"Configuration : [schedule.{job}] days doit lister des jours parmi : "
                f"{', '.join(WEEKDAYS_FR)}."
            ) from None
    every = raw.get("every_minutes", default.every_minutes if "at" not in raw else None)
    at = clock_time("at", default.at if "every_minutes" not in raw else None)
    if every is not None and (not isinstance(every, int) or every < 1):
        raise ConfigError(f"Configuration : [schedule.{job}] every_minutes doit être un entier positif.")
    return Timing(
        every_minutes=every,
        at=at,
        days=days,
        start=clock_time("from", default.start) or default.start,
        end=clock_time("to", default.end) or default.end,
        enabled=bool(raw.get("enabled", every is not None or at is not None)),
    )


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
