"""French day and month names and list joining come from Babel, with the verdicts they had."""

from __future__ import annotations

import datetime as dt

import pytest

from automations.formatting import MONTHS, MONTHS_SHORT, WEEKDAYS
from automations.model.values import parse_date
from automations.report.french import join_fr
from automations.settings.base import WEEKDAYS as SETTINGS_WEEKDAYS


def test_babel_gives_the_names_the_hand_tables_had():
    """Day names from Monday, month names and their abbreviations, as the code spelled them."""
    assert (
        WEEKDAYS
        == SETTINGS_WEEKDAYS
        == ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    )
    assert MONTHS[0] == "janvier" and MONTHS[7] == "août" and MONTHS[11] == "décembre"
    assert MONTHS_SHORT == (
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 juillet 2024", dt.date(2024, 7, 2)),
        ("1er Août 2024", dt.date(2024, 8, 1)),
        ("mardi 3 sept. 2024", dt.date(2024, 9, 3)),
        ("3 sep 2024", dt.date(2024, 9, 3)),
        ("5 fev 2024", dt.date(2024, 2, 5)),
        ("5 févr. 2024", dt.date(2024, 2, 5)),
        ("7 jan 2025", dt.date(2025, 1, 7)),
        ("7 Janv 2025", dt.date(2025, 1, 7)),
        ("9 mar 2025", dt.date(2025, 3, 9)),
        ("31 DÉC 2025", dt.date(2025, 12, 31)),
    ],
)
def test_dates_in_words_read_every_spelling_they_read_before(text, expected):
    """Full names, Babel's abbreviations and the short spellings people type all read."""
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["a"], "a"),
        (["a", ""], "a"),
        (["a", "b"], "a et b"),
        (["a", "b", "c"], "a, b et c"),
        (["un, deux", "{0}", "trois"], "un, deux, {0} et trois"),
    ],
)
def test_lists_join_as_french_writes_them(items, expected):
    """« a, b et c », blanks left out, whatever the items contain."""
    assert join_fr(items) == expected
