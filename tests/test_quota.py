"""Issue 25 « Quota »: the requests a `mila synchroniser` sends to Google Sheets (the
project's emulator, the demo workbook), counted by ``benchmarks.quota``. Counts are
deterministic: asserted here, reported with their targets in docs/benchmarks.md."""

from __future__ import annotations

import pytest
from conftest import built_once

from benchmarks.quota import measure


@pytest.fixture(scope="session")
def quota_scenarios(demo_built, tmp_path_factory) -> dict[str, object]:
    """The scenarios of ``benchmarks.quota``, on the session's demo (built for the same day),
    measured once per test run, its tests on one xdist worker (conftest groups them)."""
    return built_once(tmp_path_factory, "quota", lambda _: {s.name: s for s in measure(demo_built[0])})[1]


def test_an_unchanged_sync_is_two_reads(quota_scenarios) -> None:
    """Metadata and one batchGet of every tab, the form tabs included; nothing written."""
    found = quota_scenarios["unchanged sync"]
    assert (found.requests, found.kinds) == (2, "metadata 1, values:batchGet 1")


def test_a_sync_after_one_edit_is_four_requests(quota_scenarios) -> None:
    """Metadata, read, re-read of the IDs, one write carrying the Journal line."""
    found = quota_scenarios["sync after one staff edit"]
    assert (found.requests, found.kinds) == (4, "metadata 1, values:batchGet 2, values:batchUpdate 1")


def test_a_form_answer_is_taken_in_with_six_requests(quota_scenarios) -> None:
    """The new Inscriptions row, its Relances record, its « Traitée le », its computed place
    and the Journal line in one write; then the acknowledgement's read and Journal line."""
    found = quota_scenarios["sync after one registration form answer"]
    assert found.requests <= 6
    assert found.requests == 6


def test_a_membership_request_is_taken_in_with_five_requests(quota_scenarios) -> None:
    """The new Membres row, its « Traitée le », its acknowledgement « à envoyer » in Relances,
    Listes with the new member and the Journal line all go in the one write; then the
    acknowledgement step reads the workbook again (issue 22: the structure is told it was
    received; here a preview, no mail server)."""
    found = quota_scenarios["sync after one membership form answer (Listes gets the member)"]
    assert (found.requests, found.listes_writes) == (5, 1)


def test_an_idle_requests_pass_is_one_read(quota_scenarios) -> None:
    """Issue 22: the scheduler's every-minute pass with nothing pending in Demandes reads that
    tab once, without the spreadsheet's metadata, and writes nothing."""
    from benchmarks.quota import IDLE_REQUESTS

    found = quota_scenarios[IDLE_REQUESTS]
    assert (found.requests, found.kinds) == (1, "values:batchGet 1")


def test_a_sort_of_membres_writes_nothing_to_listes(quota_scenarios) -> None:
    """Listes is sorted by name: sorting Membres leaves it as it is."""
    assert quota_scenarios["sync after a person sorted Membres"].listes_writes == 0
    assert quota_scenarios["sync after one staff edit"].listes_writes == 0


# --------------------------------------------------------------------------- the Journal line in the write


def _journal_book(emulator, lines: int):
    from conftest import GoogleBook
    from test_sync import workbook

    tabs = workbook()
    journal: list[list[object]] = [["Date", "Tâche", "Résultat", "Détails"]]
    journal += [
        [f"0{n % 9 + 1}/11/2026 09:00", "synchronisation", "succès", f"ligne {n}"]
        for n in range(1, lines + 1)
    ]
    tabs["Journal"] = journal
    return GoogleBook(emulator, tabs)


def _sync(book, state=None, workbook=None):
    import datetime as dt

    from test_sync import NOW, TODAY

    from automations.clock import FixedClock
    from automations.jobs.sync import run_sync
    from automations.rules.membership import MembershipPolicy

    return run_sync(
        workbook or book.open(), today=TODAY, policy=MembershipPolicy(), clock=FixedClock(NOW), state=state
    ), dt


def _synced(emulator, lines: int):
    """A synced book (IDs, Listes) whose member M0002 a person then edits."""
    book = _journal_book(emulator, lines)
    _sync(book)
    book.edit("Membres", {(3, 5): "bénéficiaire", (3, 6): "BASIC"})
    return book


def test_the_journal_line_goes_below_a_line_appended_after_the_read(emulator) -> None:
    """Another installation appends to Journal between this run's read and its write: the
    fresh read of Journal's column A finds it, and this run's line goes below, over nothing."""
    from test_sync import TODAY

    from automations.jobs.workbook_state import read_state
    from automations.rules.membership import MembershipPolicy

    book = _synced(emulator, 3)
    workbook = book.open()
    state = read_state(workbook, TODAY, MembershipPolicy())
    before = book.grid("Journal")
    there = len(before) + 1
    book.edit("Journal", {(there, 1): "07/12/2026 05:00", (there, 2): "relances", (there, 4): "ailleurs"})
    emulator.reset_requests()
    result, _ = _sync(book, state=state, workbook=workbook)
    assert result.journal and result.cells_written
    journal = book.grid("Journal")
    assert journal[: len(before)] == before and journal[there - 1][3] == "ailleurs"
    assert len(journal) == there + 1 and journal[there][1:3] == ["synchronisation", "succès"]
    posts = [r for r in emulator.requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].path.endswith("values:batchUpdate")


def test_a_full_journal_grid_grows_once_for_many_lines(emulator) -> None:
    """A Journal whose grid has no blank row left: the line is written after 500 rows are
    added in one request, so the next lines need none."""
    book = _synced(emulator, 9)
    rows = len(book.grid("Journal"))
    emulator.resize_tab(book.key, "Journal", rows=rows)
    emulator.reset_requests()
    result, _ = _sync(book)
    assert result.journal
    assert emulator.grid_size(book.key, "Journal")[0] == rows + 1 + 500
    assert book.grid("Journal")[rows][1] == "synchronisation"
    grows = [r for r in emulator.requests if r.path.endswith(f"{book.key}:batchUpdate")]
    assert len(grows) == 1
    assert len([r for r in emulator.requests if r.method == "POST"]) == 2


def test_xlsx_keeps_its_journal_append(make_book) -> None:
    """On a .xlsx nothing travels with the write: the line is appended after it, as before."""
    book = make_book(__import__("test_sync").workbook())
    result, _ = _sync(book)
    assert result.journal
    journal = book.grid("Journal")
    assert journal[-1][1] == "synchronisation" and journal[-1][2] == "succès"


@pytest.mark.parametrize("kind", ["xlsx", "google"])
def test_answers_are_taken_in_even_when_another_tab_needs_repair(kind, tmp_path, request) -> None:
    """A tab the sync refuses (Occupations without its required columns): the answers are
    taken in all the same, on Google (where they travel with the sync's write) as on a .xlsx."""
    from conftest import GoogleBook, XlsxBook
    from test_forms import FORM, records, run, workbook

    from automations.config import load_settings
    from automations.errors import SchemaError

    tabs = workbook({"Occupations": [["ID", "Membre"], ["C001", "M0001"]]})
    book = (
        XlsxBook(tmp_path, tabs) if kind == "xlsx" else GoogleBook(request.getfixturevalue("emulator"), tabs)
    )
    with pytest.raises(SchemaError):
        run(book, load_settings(env={}, cwd=tmp_path))
    added = [r for r in records(book, "Inscriptions") if r["ID"] not in ("I0001", "I0002")]
    assert len(added) == 41
    assert sum(1 for r in records(book, FORM) if r.get("Traitée le (calc.)")) == 46  # 5 duplicates


def test_a_row_typed_at_the_bottom_meanwhile_is_not_written_over(emulator, tmp_path) -> None:
    """A person types a registration at the bottom of Inscriptions (no ID yet) between the
    run's read and its write: the row taken in from a new answer goes below it."""
    from conftest import GoogleBook
    from test_forms import FORM, NOW, records, stamp, workbook

    from automations.clock import FixedClock
    from automations.config import load_settings
    from automations.jobs.context import RunContext
    from automations.jobs.registry import JOBS

    book = GoogleBook(emulator, workbook())
    settings = load_settings(env={}, cwd=tmp_path)
    JOBS["sync"].entry(RunContext(settings, FixedClock(NOW), workbook=book.open()))
    answers = len(book.grid(FORM))
    book.edit(
        FORM,
        {(answers + 1, 1): stamp(60), (answers + 1, 2): "contact45@studio45.fr", (answers + 1, 6): "E001"},
    )
    ctx = RunContext(settings, FixedClock(NOW), workbook=book.open())
    assert ctx.state.tables  # the run's read
    bottom = len(book.grid("Inscriptions")) + 1
    book.edit("Inscriptions", {(bottom, 2): "E002", (bottom, 3): "M0044"})
    emulator.reset_requests()
    JOBS["sync"].entry(ctx)
    grid = book.grid("Inscriptions")
    assert grid[bottom - 1][1:3] == ["E002", "M0044"]
    assert grid[bottom][1:3] == ["E001", "M0045"] and grid[bottom][0]
    assert sum(1 for r in records(book, "Inscriptions") if r["Membre"] == "M0045") == 1
