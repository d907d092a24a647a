"""`mila preparer`: the workbook contract (SHEETS.md) applied to the sheet itself.

Header row frozen, a note on each header, dropdowns on the choice, yes/no and reference
columns (these drawn from the ``Listes`` tab, refreshed first), date and euro formats,
widths that fit, warning-only protection of the computed columns and job-owned tabs,
conditional formats on ``Statut`` and ``Anomalies``. Only what is missing is sent: a
second run writes nothing. No cell value of the staff's is ever changed.

A run that changed something appends one ``Journal`` line, « préparation du classeur »;
the ``Journal``, ``Listes`` and ``Demandes`` tabs are created first so that they are
prepared too (``Demandes``' dropdown lists the requests the jobs know: ``staff_requests``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .. import journal, schema
from ..clock import Clock
from ..model.dataset import Dataset
from ..rules.texts import Assembly, missing_prompt_rows, report_year
from ..runner import NOTHING, SUCCESS, Outcome, journal_missing
from ..workbook import Workbook
from ..workbook.prepare import KINDS, prepare_workbook
from .lists import keep_lists_current

log = logging.getLogger(__name__)
TASK = "préparation du classeur"


@dataclass
class PrepareResult:
    changes: Counter[str] = field(default_factory=Counter)
    lists_written: int = 0
    texts_added: int = 0  # prompt rows of Textes (rules/texts.py)
    texts_year: int | None = None
    journal: bool = False
    journal_error: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.lists_written or self.texts_added)

    @property
    def journal_lost(self) -> bool:
        return self.journal_error is not None

    def summary(self) -> str:
        """The changes in one French line."""
        if not self.changed:
            return "le classeur était déjà préparé : rien n'a été écrit"
        parts = [f"{count} × {KINDS[kind]}" for kind, count in sorted(self.changes.items(), key=_order)]
        if self.lists_written:
            parts.append(f"onglet Listes mis à jour ({self.lists_written} cellule(s))")
        if self.texts_added:
            parts.append(
                f"{self.texts_added} ligne(s) à écrire pour le rapport {self.texts_year} ajoutée(s) à "
                "l'onglet Textes (colonne « Consigne »)"
            )
        return " ; ".join(parts)

    def outcome(self) -> Outcome:
        if not self.changed:
            return Outcome(NOTHING, self.summary())
        return journal_missing(Outcome(SUCCESS, self.summary()), self.journal_lost)

    def as_dict(self) -> dict[str, object]:
        return {
            "changes": dict(self.changes),
            "lists_written": self.lists_written,
            "texts_added": self.texts_added,
            "texts_year": self.texts_year,
            "journal": self.journal,
            "journal_error": self.journal_error,
        }


def _order(item: tuple[str, int]) -> int:
    return list(KINDS).index(item[0])


def prepare_new_file(path: Path, today: dt.date) -> Counter[str]:
    """Prepare a .xlsx the project just wrote (the demo): the Listes tab and the
    presentation, without a Journal line (nothing of the staff's happened yet)."""
    from ..workbook.xlsx import XlsxBackend

    workbook = Workbook(XlsxBackend(path))
    tables = workbook.read()
    keep_lists_current(workbook, tables, Dataset.from_tables(tables, today=today), create=True)
    return prepare_workbook(workbook, job_choices())


def job_choices() -> dict[tuple[str, str], tuple[str, ...]]:
    """The dropdowns whose values the jobs know: the requests of ``Demandes``."""
    from .staff_requests import request_names

    return {(schema.DEMANDES.name, "Demande"): request_names()}


def run_prepare(
    workbook: Workbook, *, today: dt.date, clock: Clock, assembly: Assembly = None
) -> PrepareResult:
    """Prepare the workbook; add the rows of ``Textes`` the next report needs from a person
    (the year before until this year's general assembly, ``assembly``, has passed); append a
    Journal line when something changed."""
    result = PrepareResult()
    workbook.ensure_tab(schema.JOURNAL)
    if workbook.title_for(schema.DEMANDES.name) is None:
        workbook.ensure_tab(schema.DEMANDES)
        result.changes["tab"] += 1
    tables = workbook.read()
    dataset = Dataset.from_tables(tables, today=today)
    result.lists_written = keep_lists_current(workbook, tables, dataset, create=True)
    result.texts_year = report_year(today, assembly)
    result.texts_added = workbook.append_rows(
        schema.TEXTES, missing_prompt_rows(dataset.texts, result.texts_year)
    )
    result.changes.update(prepare_workbook(workbook, job_choices()))
    log.info("prepare: %s", dict(result.changes))
    if result.changed:
        result.journal_error = journal.record(workbook, clock, TASK, "succès", result.summary())
        result.journal = result.journal_error is None
    return result
