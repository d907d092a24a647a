"""The parts of the annual report only a person can write: `mila preparer` adds their rows to
Textes (a « Consigne », an empty « Texte »), never touching a staff text; the daily summary
lists the empty ones in the month before the general assembly; the report says which are
still to write."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import XlsxBook
from test_digest import settings_for
from test_report_figures import GRIDS, dataset

from automations.clock import FixedClock
from automations.config import build_settings
from automations.errors import MilaError
from automations.jobs.context import RunContext
from automations.jobs.digest import run_digest
from automations.jobs.digest_items import TEXTS
from automations.jobs.prepare import run_prepare
from automations.model.dataset import Dataset
from automations.model.rows import Text
from automations.report.figures import compute_report
from automations.rules.texts import (
    PROMPTS,
    empty_prompts,
    in_reminder_window,
    missing_prompt_rows,
    report_year,
)
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

TODAY = dt.date(2026, 5, 28)
CLOCK = FixedClock(dt.datetime(2026, 5, 28, 9, 0))
HEADER = ["Année", "Section", "Titre", "Texte", "Consigne"]
TRAINING = next(p for p in PROMPTS if p.title == "Formation")


def test_the_year_of_the_next_report():
    """The year before until this year's assembly has passed (its day, or its month), then this year."""
    assert report_year(dt.date(2026, 6, 23), dt.date(2026, 6, 23)) == 2025
    assert report_year(dt.date(2026, 6, 24), dt.date(2026, 6, 23)) == 2026
    assert report_year(dt.date(2026, 6, 30), 6) == 2025
    assert report_year(dt.date(2026, 7, 1), 6) == 2026
    assert report_year(dt.date(2026, 12, 31), None) == 2025


def test_the_month_before_the_assembly():
    """31 days before the day, the day included; for a month, the month before and the month itself."""
    assembly = dt.date(2026, 6, 23)
    assert not in_reminder_window(dt.date(2026, 5, 22), assembly)
    assert in_reminder_window(dt.date(2026, 5, 23), assembly)
    assert in_reminder_window(assembly, assembly)
    assert not in_reminder_window(dt.date(2026, 6, 24), assembly)
    assert [m for m in range(1, 13) if in_reminder_window(dt.date(2026, m, 1), 6)] == [5, 6]
    assert [m for m in range(1, 13) if in_reminder_window(dt.date(2026, m, 1), 1)] == [1, 12]
    assert not in_reminder_window(TODAY, None)


def test_prompts_missing_empty_and_answered():
    """A prompt row already there (even retitled) is not added again, nor one for a part a
    staff row already holds; an empty prompt row is listed until its part is written."""
    texts = [
        Text(2, year=2025, section="association", title="Nos formations", prompt=TRAINING.prompt),
        Text(3, year=2025, section="partenaires", title="Territoire", text="La fête du quartier."),
        Text(4, year=2024, section="projets", prompt="Les projets de l'année et ceux qui se préparent."),
    ]
    missing = missing_prompt_rows(texts, 2025)
    assert len(missing) == len(PROMPTS) - 2
    assert TRAINING.prompt not in [row["Consigne"] for row in missing]
    assert ("partenaires", "Territoire") not in [(row["Section"], row["Titre"]) for row in missing]
    assert {row["Année"] for row in missing} == {2025} and not any(row["Texte"] for row in missing)
    assert [t.row for t in empty_prompts(texts, 2025)] == [2]
    assert [t.row for t in empty_prompts(texts, 2024)] == [4]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> XlsxBook:
    """A workbook with a staff text and a prompt row already answered, prepared twice."""
    folder = tmp_path_factory.mktemp("textes")
    book = XlsxBook(
        folder,
        {
            "Membres": GRIDS["Membres"],
            "Textes": [
                ["Année", "Section", "Titre", "Texte"],
                [2025, "association", "Formation", "Deux formations AFDAS."],
                [2025, "contexte", None, "Une année de croissance."],
            ],
        },
    )
    run_prepare(book.open(), today=TODAY, clock=CLOCK, assembly=dt.date(2026, 6, 23))
    run_prepare(book.open(), today=TODAY, clock=CLOCK, assembly=dt.date(2026, 6, 23))
    return book


class TestPreparer:
    def test_adds_one_row_per_part_to_write_after_the_staff_rows(self, book):
        """The staff's rows as they were; one row per prompt for 2025 (the report of the AG of
        23 June 2026), « Formation » aside (written), with its Consigne and no Texte."""
        grid = book.grid("Textes")
        assert grid[0] == HEADER
        assert grid[1][:4] == [2025, "association", "Formation", "Deux formations AFDAS."]
        assert grid[2][:4] == [2025, "contexte", None, "Une année de croissance."]
        assert not grid[1][4:] and not grid[2][4:]  # no Consigne written on a staff row
        added = grid[3:]
        assert len(added) == len(PROMPTS) - 1  # and the second run added nothing
        assert all(row[0] == 2025 and row[3] is None and row[4] for row in added)
        assert [row[1:3] for row in added][:2] == [
            ["contexte", "Un dispositif de soutien à la filière musicale"],
            ["contexte", "Un contexte économique"],
        ]

    def test_the_report_says_which_parts_are_still_to_write(self, book):
        """The report leaves the empty rows out and names them, by row and title."""
        tables = book.open().read()
        data = compute_report(Dataset.from_tables(tables, today=TODAY), 2025, TODAY)
        note = next(n for n in data.notes if n.startswith("Parties à écrire"))
        assert "ligne 4 « Un dispositif de soutien à la filière musicale »" in note
        assert "Formation" not in note
        assert all(t.text for _, items in data.texts for t in items)


def summary_points(tmp_path: Path, today: dt.date, assembly: object) -> list[str]:
    backend = MemoryBackend(
        {
            "Membres": [GRIDS["Membres"][0]],
            "Textes": [
                HEADER,
                [2025, "association", "Formation", None, TRAINING.prompt],
                [2025, "contexte", None, "Une année de croissance.", None],
            ],
        }
    )
    settings = settings_for(tmp_path, None)
    settings = settings.model_copy(
        update={"digest": settings.digest.model_copy(update={"assemblee_generale": assembly})}
    )
    ctx = RunContext(settings, CLOCK, today=today, workbook=Workbook(backend), dry_run=True)
    return [item.line for item in run_digest(ctx).items if item.section == TEXTS]


def test_the_summary_lists_the_texts_to_write_in_the_month_before_the_assembly(tmp_path):
    """On 28 May for an AG on 23 June: the empty « Formation » row (by row), and the prompts
    not in the tab yet (the request « préparer le classeur »); on 20 May, or without the setting, nothing."""
    lines = summary_points(tmp_path, TODAY, dt.date(2026, 6, 23))
    assert lines[0] == f"ligne 2 : rapport 2025, association « Formation » : {TRAINING.prompt}"
    assert len(lines) == len(PROMPTS)  # 1 empty row, the others still to add
    assert all("demande « préparer le classeur »" in line for line in lines[1:])
    assert summary_points(tmp_path, dt.date(2026, 5, 20), dt.date(2026, 6, 23)) == []
    assert summary_points(tmp_path, TODAY, None) == []
    assert len(summary_points(tmp_path, TODAY, 6)) == len(PROMPTS)


def test_the_assembly_setting(tmp_path):
    """A date, a month number or a French month name; anything else, a French error."""

    def setting(value: object) -> object:
        return build_settings(
            {"digest": {"assemblee_generale": value}}, env={}, base=tmp_path
        ).digest.assemblee_generale

    assert setting(dt.date(2026, 6, 23)) == dt.date(2026, 6, 23)
    assert setting("2026-06-23") == dt.date(2026, 6, 23)
    assert setting("Juin") == 6
    assert setting(6) == 6
    with pytest.raises(MilaError, match="assemblee_generale"):
        setting("bientôt")
    with pytest.raises(MilaError, match="assemblee_generale"):
        setting(13)


def test_dataset_helper_still_reads_texts_without_a_consigne_column():
    """An older Textes tab (no « Consigne ») reads as before: no prompt."""
    texts = dataset().texts
    assert texts and all(t.prompt is None for t in texts)
