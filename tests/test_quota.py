"""Issue 25 « Quota »: the requests a `mila synchroniser` sends to Google Sheets (the
project's emulator, the demo workbook), counted by ``benchmarks.quota``. Counts are
deterministic: asserted here, reported with their targets in docs/benchmarks.md."""

from __future__ import annotations

import pytest

from benchmarks.quota import measure


@pytest.fixture(scope="module")
def scenarios() -> dict[str, object]:
    return {s.name: s for s in measure()}


def test_an_unchanged_sync_is_two_reads(scenarios) -> None:
    """Metadata and one batchGet of every tab, the form tabs included; nothing written."""
    found = scenarios["unchanged sync"]
    assert (found.requests, found.kinds) == (2, "metadata 1, values:batchGet 1")


def test_a_sync_after_one_edit_is_four_requests(scenarios) -> None:
    """Metadata, read, re-read of the IDs, one write carrying the Journal line."""
    found = scenarios["sync after one staff edit"]
    assert (found.requests, found.kinds) == (4, "metadata 1, values:batchGet 2, values:batchUpdate 1")


def test_a_form_answer_is_taken_in_with_six_requests(scenarios) -> None:
    """The new Inscriptions row, its Relances record, its « Traitée le », its computed place
    and the Journal line in one write; then the acknowledgement's read and Journal line."""
    found = scenarios["sync after one registration form answer"]
    assert found.requests <= 6
    assert found.requests == 6


def test_a_sort_of_membres_writes_nothing_to_listes(scenarios) -> None:
    """Listes is sorted by name: sorting Membres leaves it as it is."""
    assert scenarios["sync after a person sorted Membres"].listes_writes == 0
    assert scenarios["sync after one staff edit"].listes_writes == 0
