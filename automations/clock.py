"""The clock, behind a small interface so that jobs and tests agree on « now »."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current local time in Paris, without tzinfo (as the sheet shows it)."""
        ...

    def today(self) -> dt.date: ...


class SystemClock:
    """The real time, in Paris."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(PARIS).replace(tzinfo=None, microsecond=0)

    def today(self) -> dt.date:
        return self.now().date()


class FixedClock:
    """A clock that says what it is told; ``advance`` moves it."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def today(self) -> dt.date:
        return self.at.date()

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)
