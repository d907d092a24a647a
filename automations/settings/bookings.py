"""``[bookings]``: the days the bookable premises are open, and how long warnings about
bookings and events stay written once they are over."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from .base import Section, Weekdays


class BookingPolicy(Section):
    """The association's settings for bookings: ``open_days``, the days the premises are
    open (``["lundi", "mardi", …]`` in the file, 0 = Monday … 6 = Sunday in code); and
    ``past_warnings_days``: a booking or an event over for more than that many days gets no
    warning any more (nothing left to do about it); its errors stay."""

    section = "bookings"

    open_days: Weekdays = frozenset({0, 1, 2, 3, 4})
    past_warnings_days: int = Field(30, ge=0, description="un nombre entier de jours, par exemple 30")

    @property
    def open_weekdays(self) -> frozenset[int]:
        return self.open_days

    def is_open(self, day: dt.date) -> bool:
        return day.weekday() in self.open_days
