"""What every parser of :mod:`.values` shares: the French problem a value raises, the
hints it gives, and the raw cell as text (quoted in a message, blank or not, cleaned).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..formatting import format_date

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


def _check_type(value: object, problem: str, hint: str) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal | dt.date | dt.time):
        raise ValueProblem(problem, value=value, hint=hint)
