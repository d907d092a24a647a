"""Dates, times and date-times as people type them in French spreadsheets (or as serial numbers)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from ..formatting import MONTHS, MONTHS_SHORT, WEEKDAYS
from ..text import fold
from ..workbook.serial import from_serial, to_serial
from .cell_text import DATE_HINT, DATETIME_HINT, TIME_HINT, YEAR_HINT, ValueProblem, _check_type, _prepare

D = TypeVar("D", bound=dt.date)

EARLIEST_DATE = dt.date(1900, 1, 1)  # before this a serial or a year is unreadable
LATEST_DATE = dt.date(2199, 12, 31)
PLAUSIBLE_FROM = dt.date(2000, 1, 1)  # before this a readable date is implausible
PLAUSIBLE_YEARS_AHEAD = 2
_EARLIEST_AT = dt.datetime.combine(EARLIEST_DATE, dt.time())
_AFTER_LATEST = dt.datetime.combine(LATEST_DATE + dt.timedelta(days=1), dt.time())


# Month names as typed, folded and without their dot: Babel's (``janvier``, ``janv``) and
# the shorter spellings people use besides (``jan``, ``fev``, ``mar``, ``sep``).
_MONTHS = {
    **{fold(name).rstrip("."): n for names in (MONTHS, MONTHS_SHORT) for n, name in enumerate(names, 1)},
    "jan": 1,
    "fev": 2,
    "mar": 3,
    "sep": 9,
}
_WEEKDAYS = WEEKDAYS

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?!\d)")
_WORDS = re.compile(r"(?:([a-z]+)\.?\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4})")
_TIME = re.compile(r"(\d{1,2})\s*(?:[:h]\s*(\d{2})?(?:\s*:\s*(\d{2})(?:\.\d+)?)?)?")


def _make_date(year: int, month: int, day: int, raw: object, hint: str) -> dt.date:
    try:
        result = dt.date(year, month, day)
    except ValueError:
        raise ValueProblem("Date illisible", value=raw, hint=hint) from None
    if not EARLIEST_DATE <= result <= LATEST_DATE:
        raise ValueProblem("Date hors limites", value=raw, hint=YEAR_HINT + hint)
    return result


def _within_bounds(value: D, hint: str) -> D:
    """A date cell (or datetime) as it came, or a problem when its year is out of reach
    (31/12/9999, year 1): the same bounds as typed dates and serial numbers."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueProblem("Date hors limites", value=value, hint=YEAR_HINT + hint)
    return value


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _serial_to_datetime(serial: float, raw: object, hint: str) -> dt.datetime:
    if not math.isfinite(serial):
        raise ValueProblem("Date illisible", value=raw, hint=hint)
    if 1900 <= serial <= 2199 and float(serial).is_integer():
        raise ValueProblem(
            "Date incomplète (seulement une année)",
            value=raw,
            hint="Saisissez le jour, le mois et l'année au format JJ/MM/AAAA.",
        )
    if not to_serial(EARLIEST_DATE) <= serial < to_serial(LATEST_DATE) + 1:
        raise ValueProblem("Date hors limites", value=raw, hint=YEAR_HINT + hint)
    return from_serial(serial)


def _split_date_text(text: str, raw: object, hint: str) -> tuple[dt.date, str]:
    """The date at the start of ``text`` and what follows it (maybe a time)."""
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _make_date(year, month, day, raw, hint), text[match.end() :]
    match = _NUMERIC.match(text)
    if match:
        day_text, _, month_text, year_text = match.groups()
        return _make_date(_year(year_text), int(month_text), int(day_text), raw, hint), text[match.end() :]
    folded = fold(text)
    match = _WORDS.match(folded)
    if match:
        weekday, day_text, month_name, year_text = match.groups()
        month_number = _MONTHS.get(month_name)
        if month_number is not None and (weekday is None or weekday in _WEEKDAYS):
            return _make_date(int(year_text), month_number, int(day_text), raw, hint), folded[match.end() :]
    raise ValueProblem("Date illisible", value=raw, hint=hint)


def parse_date(value: object) -> dt.date:
    """A date from ``2024-07-02``, ``02/07/2024``, ``2/7/24``, ``02.07.2024``,
    ``2 juillet 2024``, a serial number or a date cell. A time part is ignored."""
    hint = DATE_HINT
    if isinstance(value, dt.date):
        day = _within_bounds(value, hint)
        return day.date() if isinstance(day, dt.datetime) else day
    _check_type(value, "Date illisible", hint)
    if isinstance(value, int | float | Decimal):
        return _serial_to_datetime(float(value), value, hint).date()
    if isinstance(value, dt.time):
        raise ValueProblem("Heure au lieu d'une date", value=value, hint=hint)
    day, _time = _date_and_time_text(value, hint)
    return day


def _time_from_text(text: str, raw: object, hint: str) -> dt.time:
    match = _TIME.fullmatch(text.strip())
    if not match or ("h" not in text.casefold() and ":" not in text):
        raise ValueProblem("Heure illisible", value=raw, hint=hint)
    hour = int(match.group(1))
    minute = int(match.group(2) or 0)
    second = int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        hour = 0  # never seen in practice; kept readable rather than refused
    if hour > 23 or minute > 59 or second > 59:
        raise ValueProblem("Heure impossible", value=raw, hint=hint)
    return dt.time(hour, minute, second)


@lru_cache(maxsize=8192)  # dates repeat a lot in a sheet; only successes are cached
def _date_and_time_text(value: str, hint: str) -> tuple[dt.date, dt.time | None]:
    """A date and an optional time from typed text (``02/07/2024 à 18h30``)."""
    text = _prepare(value, "Date illisible", hint)
    if not text:
        raise ValueProblem("Date manquante", hint=hint)
    day, rest = _split_date_text(text, value, hint)
    rest = rest.strip()
    if not rest:
        return day, None
    if rest[0] in "Tt,":
        rest = rest[1:].strip()
    if rest.startswith("à"):
        rest = rest[1:].strip()
    try:
        return day, _time_from_text(rest, value, hint)
    except ValueProblem:
        raise ValueProblem("Date illisible", value=value, hint=hint) from None


def parse_time(value: object) -> dt.time:
    """A time from ``18:30``, ``18h30``, ``18h``, ``18:30:00``, a time cell, a fraction of a
    day (Google's time cells) or a whole number of hours (``18``)."""
    hint = TIME_HINT
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and value.date() >= EARLIEST_DATE:
            # a date cell (.xlsx reads it as a datetime at 00:00), not a time
            raise ValueProblem("Date au lieu d'une heure", value=value, hint=hint)
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.date):
        raise ValueProblem("Date au lieu d'une heure", value=value, hint=hint)
    _check_type(value, "Heure illisible", hint)
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise ValueProblem("Heure illisible", value=value, hint=hint)
        if number.is_integer() and number <= 23:
            return dt.time(int(number))
        if number < 1:
            seconds = round(number * 86400)
            if seconds >= 86400:
                seconds = 86399
            return dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
        raise ValueProblem("Heure illisible", value=value, hint=hint)
    text = _prepare(value, "Heure illisible", hint)  # type: ignore[arg-type]  # only text is left here
    return _time_from_text(text, value, hint)


def parse_datetime(value: object) -> dt.date | dt.datetime:
    """A date with an optional time: ``02/07/2024 18:30``, ``2024-07-02 18h30``,
    ``2024-07-02T18:30:00``, a serial with a fraction, a date cell.

    Returns a ``datetime`` when a time was given and a plain ``date`` otherwise, so that
    "the whole day" stays distinguishable from "midnight". A date cell at exactly 00:00
    (how .xlsx stores plain dates) counts as a plain date.
    """
    hint = DATETIME_HINT
    if (
        type(value) is dt.datetime
        and value.tzinfo is None
        and not value.microsecond
        and _EARLIEST_AT <= value < _AFTER_LATEST
    ):
        # a naive date cell within bounds (nearly every one): what the lines below give
        return value.date() if not (value.hour or value.minute or value.second) else value
    if isinstance(value, dt.datetime):
        value = _within_bounds(value, hint).replace(tzinfo=None, microsecond=0)
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return _within_bounds(value, hint)
    _check_type(value, "Date illisible", hint)
    if isinstance(value, int | float | Decimal):
        result = _serial_to_datetime(float(value), value, hint)
        return result.date() if result.time() == dt.time() else result
    if isinstance(value, dt.time):
        raise ValueProblem("Heure sans date", value=value, hint=hint)
    day, time = _date_and_time_text(value, hint)
    if time is None or time == dt.time():
        return day
    return dt.datetime.combine(day, time)


def implausible_date(
    day: dt.date,
    today: dt.date,
    *,
    earliest: dt.date = PLAUSIBLE_FROM,
    years_ahead: int = PLAUSIBLE_YEARS_AHEAD,
) -> str | None:
    """Why a readable date is surely a typo (French), or None when it is plausible:
    before 2000, or more than ``years_ahead`` years after ``today``."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if day < earliest:
        return f"Date invraisemblable (avant {earliest.year})"
    try:
        latest = today.replace(year=today.year + years_ahead)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + years_ahead, day=28)
    if day > latest:
        return f"Date invraisemblable (plus de {years_ahead} ans dans le futur)"
    return None
