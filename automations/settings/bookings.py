"""``[bookings]``: the days the bookable premises are open."""

from __future__ import annotations

import datetime as dt

from .base import Section, Weekdays


class BookingPolicy(Section):
    """The association's settings for bookings: ``open_days``, the days the premises are
    open (``["lundi", "mardi", …]`` in the file, 0 = Monday … 6 = Sunday in code)."""

    section = "bookings"

    open_days: Weekdays = frozenset({0, 1, 2, 3, 4})

    @property
    def open_weekdays(self) -> frozenset[int]:
        return self.open_days

    def is_open(self, day: dt.date) -> bool:
        return day.weekday() in self.open_days
