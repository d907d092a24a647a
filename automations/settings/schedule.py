"""``[schedule]``: the state folder, the lock's wait, and one ``[schedule.<job>]`` table per job.

Default timings: the staff's requests (``Demandes``) every minute and sync (and the « place
confirmée » notices) every 15 minutes on working
days from 8:00 to 20:00, the HelloAsso orders every day at 8:30 (off while ``[payments]
organisation`` is not set), renewals every day at 9:00, conventions and charters every day
at 7:30, the annual report never automatically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field

from .base import WEEKDAYS, FolderPath, Section, Weekdays

WEEKDAYS_FR = WEEKDAYS
WORKING_DAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


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
        days = (
            "tous les jours"
            if self.days == EVERY_DAY
            else (
                "du lundi au vendredi"
                if self.days == WORKING_DAYS
                else ", ".join(WEEKDAYS_FR[d] for d in sorted(self.days))
            )
        )
        if self.every_minutes:
            return f"toutes les {self.every_minutes} min, {days}, de {self.start:%H:%M} à {self.end:%H:%M}"
        return f"{days} à {self.at:%H:%M}" if self.at else days


DEFAULT_TIMINGS: dict[str, Timing] = {
    # The staff's requests (the « Demandes » tab): a pass with nothing pending is one small read.
    "demandes": Timing(every_minutes=1, days=WORKING_DAYS, start=dt.time(8, 0), end=dt.time(20, 0)),
    "sync": Timing(every_minutes=15, days=WORKING_DAYS, start=dt.time(8, 0), end=dt.time(20, 0)),
    # Notices of places freed on a waiting list, on the sync's cadence (the sync records
    # them « à envoyer »; this sends what is pending, once).
    "promotions": Timing(every_minutes=15, days=WORKING_DAYS, start=dt.time(8, 0), end=dt.time(20, 0)),
    # HelloAsso's orders, before the renewals (off while [payments] organisation is not set)
    "paiements": Timing(at=dt.time(8, 30)),
    # The invoices due, before the renewals whose first reminder quotes them (off while
    # [billing] enabled is false)
    "factures": Timing(at=dt.time(8, 45)),
    "renewals": Timing(at=dt.time(9, 0)),
    "documents": Timing(at=dt.time(7, 30)),
    "report": Timing(enabled=False),
    # The daily summary to the staff, after the morning jobs (sent only when something is new)
    "resume": Timing(at=dt.time(9, 30)),
}


def _clock_time(value: object) -> object:
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            return value  # refused as « une heure HH:MM »
    return value


ClockTime = Annotated[
    dt.time,
    BeforeValidator(_clock_time),
    Field(description="une heure HH:MM entre guillemets, par exemple « 09:00 »"),
]


class JobTiming(Section):
    """One ``[schedule.<job>]`` table, over the job's default timing."""

    section = "schedule.<tâche>"

    every_minutes: int | None = Field(None, ge=1, description="un nombre entier de minutes, par exemple 15")
    at: ClockTime | None = None
    days: Weekdays | None = None
    start: ClockTime | None = Field(None, alias="from")
    end: ClockTime | None = Field(None, alias="to")
    enabled: bool | None = Field(None, description="true ou false")

    def over(self, default: Timing) -> Timing:
        """The timing this table gives: an ``at`` replaces a default ``every_minutes`` and
        the other way round; a job with neither is off unless ``enabled = true``."""
        given = self.model_fields_set
        every = (
            self.every_minutes
            if "every_minutes" in given
            else (default.every_minutes if "at" not in given else None)
        )
        at = self.at if "at" in given else (default.at if "every_minutes" not in given else None)
        return Timing(
            every_minutes=every,
            at=at,
            days=self.days if self.days is not None else default.days,
            start=self.start or default.start,
            end=self.end or default.end,
            enabled=self.enabled if self.enabled is not None else (every is not None or at is not None),
        )


class ScheduleSettings(Section):
    """``[schedule]``: where the lock and state.json live, how long to wait for the lock."""

    section = "schedule"

    state_dir: FolderPath = Field(Path("state"), validate_default=True)
    lock_wait_seconds: float = Field(60.0, ge=0, description="un nombre de secondes, par exemple 60")
    sync: JobTiming | None = None
    demandes: JobTiming | None = None
    promotions: JobTiming | None = None
    paiements: JobTiming | None = None
    factures: JobTiming | None = None
    renewals: JobTiming | None = None
    documents: JobTiming | None = None
    report: JobTiming | None = None
    resume: JobTiming | None = None

    def timings(self) -> dict[str, Timing]:
        """Each job's timing: its ``[schedule.<job>]`` table over the default."""
        timings = dict(DEFAULT_TIMINGS)
        for job, default in DEFAULT_TIMINGS.items():
            table: JobTiming | None = getattr(self, job)
            if table is not None:
                timings[job] = table.over(default)
        return timings
