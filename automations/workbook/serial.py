"""Spreadsheet serial numbers: days since 1899-12-30, the fraction the time of day.

How Google Sheets gives date cells (``dateTimeRenderOption=SERIAL_NUMBER``). openpyxl's
``from_excel``/``to_excel`` are Excel's version of this count, which keeps Lotus's
29 February 1900 (serials below 61 are a day apart from Google's) and reads times to
the millisecond; they serve the .xlsx package (``xlsx_package.py``), this serves
Google's cells and the comparison of a value read with one to write.
"""

from __future__ import annotations

import datetime as dt

EPOCH = dt.datetime(1899, 12, 30)
SECONDS_PER_DAY = 86400


def from_serial(serial: float) -> dt.datetime:
    """``45000.5`` -> ``2023-03-15 12:00``: the time rounded to the second."""
    days = int(serial)
    seconds = round((serial - days) * SECONDS_PER_DAY)
    return EPOCH + dt.timedelta(days=days, seconds=seconds)


def to_serial(value: dt.date) -> float:
    """``2023-03-15`` -> ``45000.0``; a ``datetime`` gets its time as the fraction (its wall
    time: a spreadsheet cell has no time zone, so an aware value keeps its clock reading)."""
    if not isinstance(value, dt.datetime):
        return float((value - EPOCH.date()).days)
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return (value - EPOCH).total_seconds() / SECONDS_PER_DAY
