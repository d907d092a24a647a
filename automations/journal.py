"""The one writer of the ``Journal`` tab: every run that changes the workbook, sends or
fails leaves its line here, and nowhere else is a Journal line written.

A line is ``Date`` · ``Tâche`` · ``Résultat`` · ``Détails``. The details are kept within
what a cell holds (Google refuses more than 50,000 characters, Excel 32,767): a longer
text is cut at a word, says so, and goes whole to the local log (``mila.log``). A line
that cannot be written is logged, never raised: the caller gets the French reason and the
command exits 3 (see ``runner.journal_missing``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from . import schema
from .clock import Clock
from .errors import MilaError
from .workbook import Workbook

log = logging.getLogger(__name__)

DETAILS_LIMIT = 30_000  # below Excel's 32,767 and Google's 50,000 characters per cell
_CUT = " … (texte coupé : la suite est dans le journal local mila.log)"


@dataclass(frozen=True)
class JournalLine:
    task: str  # the French job name (runner.job_name)
    outcome: str  # succès · échec · rien à faire · aperçu…
    details: str
    seconds: float | None = None  # the run's duration, added to the details

    def cells(self, clock: Clock) -> dict[str, object]:
        details = self.details if self.seconds is None else f"{self.details} ({self.seconds:.1f} s)"
        return {"Date": clock.now(), "Tâche": self.task, "Résultat": self.outcome, "Détails": fit(details)}


def fit(details: str, limit: int = DETAILS_LIMIT) -> str:
    """The details as they fit in one cell; a longer text is cut at a word and logged whole."""
    if len(details) <= limit:
        return details
    log.info("Journal details cut to fit a cell; whole text: %s", details)
    head = details[: limit - len(_CUT)]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ;,") + _CUT


def line_cells(
    title: str, header: Sequence[str], last_row: int, line: JournalLine, clock: Clock
) -> list[tuple[str, int, int, object]] | None:
    """The cells of ``line`` as the row after ``last_row`` of the Journal tab ``title`` whose
    row 1 is ``header``, to travel in a write of other cells (one request); None when the
    tab lacks one of its columns (the line is then appended by :func:`write_line`)."""
    columns = {schema.normalize_header(h): i for i, h in reversed(list(enumerate(header, start=1)))}
    cells = []
    for name, value in line.cells(clock).items():
        col = columns.get(schema.normalize_header(name))
        if col is None:
            return None
        cells.append((title, last_row + 1, col, value))
    return cells


def write_line(workbook: Workbook, clock: Clock, line: JournalLine) -> str | None:
    """Append ``line`` to Journal. Returns ``None`` once written, else why it was not."""
    try:
        workbook.append_rows(schema.JOURNAL, [line.cells(clock)])
    except MilaError as exc:
        log.error("could not write to Journal: %s", exc.message)
        return exc.message
    return None


def record(
    workbook: Workbook, clock: Clock, task: str, outcome: str, details: str, seconds: float | None = None
) -> str | None:
    """:func:`write_line` of the line these make."""
    return write_line(workbook, clock, JournalLine(task, outcome, details, seconds))
