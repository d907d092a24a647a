"""Amounts, numbers, integers and percentages typed the French way (1 234,50 €, 12,5 %)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..formatting import cents
from ..text import fold
from .cell_text import AMOUNT_HINT, INTEGER_HINT, NUMBER_HINT, ValueProblem, _prepare

MAX_AMOUNT = Decimal("100000000")  # a hundred million euros: beyond, surely a typo


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
