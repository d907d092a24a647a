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

This module gathers the parsers, each kind in its own module: :mod:`.cell_text` (the
problem, the hints, the raw cell as text), :mod:`.dates`, :mod:`.numbers` and
:mod:`.choices` (yes/no and lists of choices).
"""

from .cell_text import (
    AMOUNT_HINT,
    BOOL_HINT,
    DATE_HINT,
    DATETIME_HINT,
    INTEGER_HINT,
    NUMBER_HINT,
    SHOWN_CHARS,
    TIME_HINT,
    YEAR_HINT,
    ValueProblem,
    clean_text,
    is_blank,
    show_value,
)
from .choices import choice_key, parse_bool, parse_choice
from .dates import (
    EARLIEST_DATE,
    LATEST_DATE,
    PLAUSIBLE_FROM,
    PLAUSIBLE_YEARS_AHEAD,
    implausible_date,
    parse_date,
    parse_datetime,
    parse_time,
)
from .numbers import MAX_AMOUNT, parse_amount, parse_int, parse_number, parse_percent

__all__ = [
    "AMOUNT_HINT",
    "BOOL_HINT",
    "DATETIME_HINT",
    "DATE_HINT",
    "EARLIEST_DATE",
    "INTEGER_HINT",
    "LATEST_DATE",
    "MAX_AMOUNT",
    "NUMBER_HINT",
    "PLAUSIBLE_FROM",
    "PLAUSIBLE_YEARS_AHEAD",
    "SHOWN_CHARS",
    "TIME_HINT",
    "YEAR_HINT",
    "ValueProblem",
    "choice_key",
    "clean_text",
    "implausible_date",
    "is_blank",
    "parse_amount",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_number",
    "parse_percent",
    "parse_time",
    "show_value",
]
