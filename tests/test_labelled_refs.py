"""A reference typed as the Listes dropdowns offer it (``M0012 – Le Fair``) reads as its ID."""

from __future__ import annotations

import datetime as dt

import pytest

from automations import schema
from automations.model.parsing import parse_table
from automations.model.rows import Occupation, normalize_ref, strip_label
from automations.workbook.table import Table

TODAY = dt.date(2024, 7, 2)


@pytest.mark.parametrize(
    "typed",
    [
        "M0012 – Le Fair",
        "M0012 - Le Fair",
        "M0012 — Le Fair",
        "m12 – Le Fair",
        "M0012",
        " M0012 –  Le – Fair ",
    ],
)
def test_a_labelled_member_reference_reads_as_its_id(typed: str) -> None:
    """En dash, hyphen or em dash with spaces: the label after it is ignored."""
    assert normalize_ref(typed, schema.MEMBRES) == "M0012"


def test_a_label_holding_a_dash_keeps_only_the_id() -> None:
    """An event label with its own dash (« Crescendo – Atelier ») still gives the event's ID."""
    assert normalize_ref("E042 – Crescendo – Atelier pratique du 14/01/2025", schema.EVENEMENTS) == "E042"


def test_text_that_is_not_a_labelled_id_is_kept_whole() -> None:
    """« Le Fair - Paris » is no ID: it is read as typed, to be reported as unknown."""
    assert strip_label("Le Fair - Paris") == "Le Fair - Paris"
    assert normalize_ref("Le Fair - Paris", schema.MEMBRES) == "LE FAIR - PARIS"


def test_a_hyphen_without_spaces_is_part_of_the_id() -> None:
    """``M-12`` stays the ID ``M0012`` as before, not a label."""
    assert normalize_ref("M-12", schema.MEMBRES) == "M0012"


def test_an_occupation_row_with_labelled_references_reads_the_ids() -> None:
    """The Occupations row read from a sheet gives the member and premises IDs only."""
    table = Table.from_grid(
        "Occupations",
        [
            ["ID", "Membre", "Local", "Début", "Fin"],
            ["C001", "M0002 – Le Fair", "L29 – Bureau 3", "01/03/2024", None],
        ],
    )
    (occupation,), anomalies = parse_table(table, today=TODAY)
    assert isinstance(occupation, Occupation)
    assert (occupation.member_id, occupation.premises_id) == ("M0002", "L29")
    assert anomalies == []
