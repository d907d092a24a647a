"""French display of money, numbers, dates and times, shared by sheets, emails and documents.

One convention everywhere:

- digits are grouped by three with a NARROW NO-BREAK SPACE (U+202F, ``GROUP_SEPARATOR``),
  the French CLDR symbol Babel gives: ``1 234,50`` never breaks across lines;
- the decimal separator is a comma; whole euros print without decimals (``170 €``),
  other amounts with two (``1 234,50 €``);
- every other space (before ``€``, ``m²``, ``%``, ``HT``) is a plain space, so that the
  sentences built from these pieces (``Forfait PREMIUM 170 € + option Crescendo 10 € =
  180 € HT``) compare equal to what people type.

Formatting is cached: fees repeat the same few amounts thousands of times.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.dates import format_date as _babel_format_date
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal as _babel_format_decimal

LOCALE = "fr_FR"
GROUP_SEPARATOR = "\u202f"
CENT = Decimal("0.01")

# Babel's French names (CLDR): ``lundi`` … ``dimanche`` (0 = Monday, as ``date.weekday()``),
# ``janvier`` … ``décembre`` and ``janv.`` … ``déc.`` (index 0 = January).
WEEKDAYS: tuple[str, ...] = tuple(str(get_day_names("wide", locale=LOCALE)[d]) for d in range(7))
MONTHS: tuple[str, ...] = tuple(str(get_month_names("wide", locale=LOCALE)[m]) for m in range(1, 13))
MONTHS_SHORT: tuple[str, ...] = tuple(
    str(get_month_names("abbreviated", locale=LOCALE)[m]) for m in range(1, 13)
)


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    """A Decimal from a number (floats through their shortest repr, not binary noise)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def cents(value: Decimal | int | float | str) -> Decimal:
    """Rounded to the cent, half away from zero (the accountants' rounding)."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=4096)
def _format_decimal_cached(value: Decimal, pattern: str) -> str:
    return _babel_format_decimal(value, format=pattern, locale=LOCALE)


def format_number(value: Decimal | int | float, max_decimals: int = 2) -> str:
    """``16``, ``16,5``, ``1 234,56``: no trailing zeros, at most ``max_decimals``."""
    try:
        number = to_decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    pattern = "#,##0" + ("." + "#" * max_decimals if max_decimals > 0 else "")
    return _format_decimal_cached(number, pattern)


def format_amount(value: Decimal | int | float) -> str:
    """The number part of an amount: ``170``, ``1 234,50`` (cents shown only when not zero)."""
    try:
        number = cents(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    pattern = "#,##0" if number == number.to_integral_value() else "#,##0.00"
    return _format_decimal_cached(number, pattern)


def format_money(value: Decimal | int | float) -> str:
    """``170 €``, ``1 234,50 €``, ``0 €``."""
    return f"{format_amount(value)} €"


def format_percent(value: Decimal | int | float) -> str:
    """A rate given in percent: ``20 %``, ``5,5 %``."""
    return f"{format_number(value)} %"


def format_surface(value: Decimal | int | float) -> str:
    """``16 m²``, ``16,5 m²``."""
    return f"{format_number(value)} m²"


def format_date(value: dt.date) -> str:
    """The short French form the staff type: ``02/07/2024``."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


@lru_cache(maxsize=2048)
def format_date_long(value: dt.date) -> str:
    """The written form: ``2 juillet 2024``, ``1er mars 2024``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    text = _babel_format_date(value, format="d MMMM y", locale=LOCALE)
    if value.day == 1:
        text = "1er" + text[1:]
    return text


def format_time(value: dt.time | dt.datetime) -> str:
    """``18h30``, ``9h``."""
    return f"{value.hour}h{value.minute:02d}" if value.minute else f"{value.hour}h"


def format_datetime(value: dt.datetime | dt.date) -> str:
    """``02/07/2024 à 18h30``; a plain date prints as a date."""
    if isinstance(value, dt.datetime):
        return f"{format_date(value)} à {format_time(value)}"
    return format_date(value)
