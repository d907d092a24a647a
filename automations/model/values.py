"""Parsers for the values people type in French spreadsheets.

Each parser takes a raw cell value as a backend gives it (``str``, ``int``, ``float``,
``bool``, ``datetime.date``/``datetime.datetime``/``datetime.time`` or ``None``) and returns
the value, or raises :class:`ValueProblem` with a French explanation. No other exception
ever escapes, whatever the input (10,000-character cells, emoji, formulas typed as text).

A :class:`ValueProblem` does not know the column it came from; the row models turn it into
one sentence with :meth:`ValueProblem.for_column`::

    Date illisible dans « Adhésion le » : « 31/02/2024 ». Saisissez une date au format JJ/MM/AAAA.

Spreadsheet serial numbers (Google's date cells) count days from 1899-12-30 (``workbook.serial``).
Contact data (e-mail, phone, SIRET) has its parsers in :mod:`.contact`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TypeVar

from ..formatting import MONTHS, MONTHS_SHORT, WEEKDAYS, cents, format_date
from ..text import fold
from ..workbook.serial import from_serial, to_serial

D = TypeVar("D", bound=dt.date)

EARLIEST_DATE = dt.date(1900, 1, 1)  # before this a serial or a year is unreadable
LATEST_DATE = dt.date(2199, 12, 31)
PLAUSIBLE_FROM = dt.date(2000, 1, 1)  # before this a readable date is implausible
PLAUSIBLE_YEARS_AHEAD = 2
MAX_AMOUNT = Decimal("100000000")  # a hundred million euros: beyond, surely a typo
SHOWN_CHARS = 40

YEAR_HINT = "Vérifiez l'année. "
DATE_HINT = "Saisissez une date au format JJ/MM/AAAA."
DATETIME_HINT = "Saisissez une date au format JJ/MM/AAAA, suivie si besoin d'une heure (18:30)."
TIME_HINT = "Saisissez une heure au format 18:30 ou 18h30."
AMOUNT_HINT = "Saisissez un montant en euros, par exemple 1 234,50."
NUMBER_HINT = "Saisissez un nombre, par exemple 12 ou 12,5."
INTEGER_HINT = "Saisissez un nombre entier, par exemple 12."
BOOL_HINT = "Saisissez « oui » ou « non » (ou « x » pour oui, vide pour non)."


class ValueProblem(ValueError):
    """A value that cannot be read, explained in French.

    ``problem`` names what is wrong (``Date illisible``), ``value`` is what was typed and
    ``hint`` says what to do. ``str(problem)`` is a standalone sentence; ``for_column``
    names the column.
    """

    def __init__(self, problem: str, *, value: object = None, hint: str = "") -> None:
        self.problem = problem
        self.shown = show_value(value) if value is not None else ""
        self.hint = hint
        super().__init__(self.for_column(None))

    @property
    def message(self) -> str:
        return self.for_column(None)

    def for_column(self, column: str | None) -> str:
        text = self.problem
        if column:
            text += f" dans « {column} »"
        if self.shown:
            text += f" : « {self.shown} »"
        text += "."
        if self.hint:
            text += " " + self.hint
        return text


def show_value(value: object, limit: int = SHOWN_CHARS) -> str:
    """A raw value as quoted in a message: one line, at most ``limit`` characters."""
    try:
        if isinstance(value, dt.datetime):
            text = format_date(value) + (f" {value:%H:%M}" if value.time() != dt.time() else "")
        elif isinstance(value, dt.date):
            text = format_date(value)
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = str(value)
    except Exception:  # a value whose str() fails: say so rather than crash
        text = "?"
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def is_blank(value: object) -> bool:
    """None, or a string of spaces (normal, non-breaking, narrow no-break)."""
    if value is None:
        return True
    return isinstance(value, str) and not value.strip()


def clean_text(value: object) -> str:
    """A cell as text: stripped, leading apostrophe removed, numbers without ``.0``."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    text = str(value).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return text


def _prepare(value: str, problem: str, hint: str) -> str:
    """Strip a text value and refuse at once what no parser could read."""
    text = value.strip()
    if text.startswith("'"):
        text = text[1:].strip()
    if text.startswith("="):
        raise ValueProblem(
            "Formule au lieu d'une valeur", value=value, hint="Saisissez la valeur elle-même, sans « = »."
        )
    if len(text) > 200:
        raise ValueProblem(problem, value=value, hint=hint)
    return text


# --------------------------------------------------------------------------- dates

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


def _check_type(value: object, problem: str, hint: str) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | dt.date | dt.time):
        raise ValueProblem(problem, value=value, hint=hint)


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


# --------------------------------------------------------------------------- numbers

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007\u200a]+")
_NUMBER_TEXT = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_MINUS = "-\u2212\u2013"
# ``1.234``: a thousands dot or a decimal point? (``1.234.567`` and ``1.234,5`` are clear)
_AMBIGUOUS_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}(?![\d.,])")


def _number_text(text: str, raw: object, problem: str, hint: str) -> Decimal:
    """A Decimal from French or English digits, grouping and decimal separators."""
    text = _SPACES.sub("", text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text and text[0] in _MINUS:
        negative, text = True, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    comma, dot = text.count(","), text.count(".")
    if comma and dot:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        if text.count(decimal_sep) > 1:
            raise ValueProblem(problem, value=raw, hint=hint)
        groups = text.split(decimal_sep)[0].split(group_sep)
        if any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            raise ValueProblem(problem, value=raw, hint=hint)
        text = text.replace(group_sep, "").replace(decimal_sep, ".")
    elif comma > 1 or dot > 1:
        sep = "," if comma else "."
        groups = text.split(sep)
        if any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            raise ValueProblem(problem, value=raw, hint=hint)
        text = text.replace(sep, "")
    elif comma:
        text = text.replace(",", ".")
    if not _NUMBER_TEXT.fullmatch(text):
        raise ValueProblem(problem, value=raw, hint=hint)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueProblem(problem, value=raw, hint=hint) from None
    return -number if negative else number


def _number(value: object, problem: str, hint: str) -> tuple[Decimal, str]:
    """A Decimal and the text's trailing unit, from a number cell or typed text."""
    if isinstance(value, str):
        return _number_from_text(value, problem, hint)
    if isinstance(value, bool | dt.date | dt.time):
        raise ValueProblem(problem, value=value, hint=hint)
    if isinstance(value, int):
        return Decimal(value), ""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem(problem, value=value, hint=hint)
        return Decimal(repr(value)), ""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueProblem(problem, value=value, hint=hint)
        return value, ""
    raise ValueProblem(problem, value=value, hint=hint)


@lru_cache(maxsize=8192)  # amounts repeat a lot in a sheet; only successes are cached
def _number_from_text(value: str, problem: str, hint: str) -> tuple[Decimal, str]:
    text = _prepare(value, problem, hint)
    unit = ""
    match = re.search(r"\s*(€|eur(?:os?)?|ht|ttc|m²|m2|%|\s)+$", text, re.IGNORECASE)
    if match and match.start() > 0:
        unit = match.group(0).strip().casefold()
        text = text[: match.start()]
    else:
        match = re.match(r"(€|eur)\s*", text, re.IGNORECASE)
        if match:
            unit, text = "€", text[match.end() :]
    if not text.strip():
        raise ValueProblem(problem, value=value, hint=hint)
    return _number_text(text, value, problem, hint), unit


def parse_amount(value: object, *, allow_negative: bool = False) -> Decimal:
    """An amount in euros, rounded to the cent: ``1 234,50 €``, ``1234.50``, ``1.234,50``,
    ``170 € HT``, a number cell. Negative amounts are refused unless allowed."""
    hint = AMOUNT_HINT
    if isinstance(value, str) and fold(value.strip().lstrip("'")) in ("gratuit", "offert"):
        return Decimal("0.00")
    number, unit = _number(value, "Montant illisible", hint)
    if unit and not re.fullmatch(r"(€|eur(os?)?|ht|ttc|\s)+", unit):
        raise ValueProblem("Montant illisible", value=value, hint=hint)
    if number < 0 and not allow_negative:
        raise ValueProblem("Montant négatif", value=value, hint="Saisissez un montant positif ou nul.")
    if isinstance(value, str) and number.as_tuple().exponent < -2:  # type: ignore[operator]  # finite: an int
        raise ValueProblem(
            "Montant illisible (plus de deux décimales)",
            value=value,
            hint="Saisissez au plus deux chiffres après la virgule, par exemple 1234,50 ou 1 234,50.",
        )
    if abs(number) >= MAX_AMOUNT:
        raise ValueProblem(
            "Montant démesuré", value=value, hint="Vérifiez le montant : il dépasse cent millions d'euros."
        )
    return cents(number)


def parse_number(value: object, *, allow_negative: bool = False) -> Decimal:
    """A number: ``12``, ``12,5``, ``1 234``, ``16 m²``, ``20 %``, a number cell."""
    hint = NUMBER_HINT
    number, _unit = _number(value, "Nombre illisible", hint)
    if isinstance(value, str) and _AMBIGUOUS_THOUSANDS.match(_SPACES.sub("", value).lstrip("'")):
        raise ValueProblem(
            "Nombre ambigu",
            value=value,
            hint="Écrivez 1234 pour mille deux cent trente-quatre, "
            "ou 1,234 pour un virgule deux trois quatre.",
        )
    if number < 0 and not allow_negative:
        raise ValueProblem("Nombre négatif", value=value, hint="Saisissez un nombre positif ou nul.")
    if abs(number) >= Decimal("1e12"):
        raise ValueProblem("Nombre démesuré", value=value, hint=hint)
    return _tidy(number)


def _tidy(number: Decimal) -> Decimal:
    """``Decimal('20')`` rather than ``Decimal('20.00')`` or ``Decimal('2E+1')``."""
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number.normalize()


def parse_int(value: object, *, allow_negative: bool = False) -> int:
    """A whole number: ``12``, ``12,0``, a number cell holding 12.0."""
    number = parse_number(value, allow_negative=allow_negative)
    if number != number.to_integral_value():
        raise ValueProblem("Nombre entier attendu", value=value, hint=INTEGER_HINT)
    return int(number)


def parse_percent(value: object) -> Decimal:
    """A rate in percent: ``20``, ``20 %``, ``5,5``, or a percent cell (0.2 means 20 %)."""
    number, unit = _number(value, "Pourcentage illisible", "Saisissez un taux, par exemple 20.")
    if unit == "" and not isinstance(value, str) and 0 < number < 1:
        number *= 100  # a cell formatted as percent holds the fraction
    if not 0 <= number <= 100:
        raise ValueProblem(
            "Pourcentage impossible", value=value, hint="Saisissez un taux entre 0 et 100, par exemple 20."
        )
    return _tidy(number)


# --------------------------------------------------------------------------- yes / no

_TRUE = frozenset({"oui", "o", "x", "vrai", "true", "yes", "y", "1", "ok", "✓", "✔", "✔️", "☑"})
_FALSE = frozenset({"non", "n", "faux", "false", "no", "0", "-", "✗", "☐"})


def parse_bool(value: object) -> bool:
    """Yes/no from ``oui``/``non``, ``x``/blank, ``vrai``/``faux``, ``TRUE``/``FALSE``,
    ``yes``/``no``, ``1``/``0``, a checkbox cell. Blank is no."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)
    if not isinstance(value, str):
        raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)
    text = value.strip().lstrip("'").strip()
    if len(text) > 20:
        raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)
    key = fold(text)
    if key in _TRUE:
        return True
    if key in _FALSE or not key:
        return False
    raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)


# --------------------------------------------------------------------------- choices

_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212]\s*")
_GENDER_SUFFIX = re.compile(r"[\u00b7\u2022\u22c5]\w*")
_APOSTROPHES = re.compile(r"[\u2019\u2018\u02bc`´]")


def choice_key(text: str) -> str:
    """The key choices are matched by: no case, no accents, one kind of dash and
    apostrophe, single spaces (``Crescendo - atelier  pratique`` = ``Crescendo – Atelier
    pratique``)."""
    text = _APOSTROPHES.sub("'", text)
    text = fold(text)
    text = _GENDER_SUFFIX.sub("", text)  # Président·e -> president
    return " ".join(_DASHES.sub(" - ", text).split())


def _stem(key: str) -> str:
    """A key without plural or feminine endings (``hebergees`` -> ``heberg``)."""
    words = []
    for word in key.split(" "):
        if len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        while len(word) > 3 and word.endswith("e"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


@lru_cache(maxsize=128)
def _choice_index(choices: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    exact = {choice_key(c): c for c in choices}
    stems: dict[str, str] = {}
    clashes: set[str] = set()
    for key, canonical in exact.items():
        stem = _stem(key)
        if stem in stems and stems[stem] != canonical:
            clashes.add(stem)
        stems[stem] = canonical
    for stem in clashes:
        del stems[stem]
    return exact, stems


def parse_choice(
    value: object,
    choices: Iterable[str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """The canonical spelling of one of ``choices``, matched ignoring case, accents,
    surrounding spaces, dash and apostrophe variants, and a plural or feminine ending
    (``HEBERGE``, ``Hébergée`` -> ``hébergé``; ``premium`` -> ``PREMIUM``). ``aliases``
    maps other spellings to a canonical choice."""
    options = tuple(choices)
    alias_items = tuple(aliases.items()) if aliases else ()
    if isinstance(value, str) and len(value) <= 200:
        found = _match_choice(value, options, alias_items)
        if found is not None:
            return found
    listing = ", ".join(options)
    hint = f"Choisissez parmi : {listing}." if len(listing) < 400 else "Choisissez dans la liste."
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem("Valeur inconnue", value=value, hint=hint)
    text = _prepare(str(value), "Valeur inconnue", hint)
    found = _match_choice(text, options, alias_items)
    if found is None:
        raise ValueProblem("Valeur inconnue", value=value, hint=hint)
    return found


@lru_cache(maxsize=4096)
def _match_choice(text: str, options: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> str | None:
    text = text.strip()
    if text.startswith("'"):
        text = text[1:]
    key = choice_key(text)
    exact, stems = _choice_index(options)
    if key in exact:
        return exact[key]
    for alias, canonical in aliases:
        if choice_key(alias) == key:
            return canonical
    return stems.get(_stem(key))
