"""The run's line in ``Journal``, written by every sending job (through ``automations.journal``,
the one writer of the tab)."""

from __future__ import annotations

from .. import journal as journal_writer
from ..clock import Clock
from ..workbook import Workbook


def journal(workbook: Workbook, clock: Clock, task: str, outcome: str, details: str, seconds: float) -> bool:
    """Append the run to Journal; a failure to do so is logged, never raised."""
    return journal_writer.record(workbook, clock, task, outcome, details, seconds) is None
