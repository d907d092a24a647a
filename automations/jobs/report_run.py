"""`mila docs rapport`: the typed entry that writes the year's report, delivers it to
Drive, and, when asked, sends it to the board (:mod:`.report_drive`, :mod:`.report_mail`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..runner import FAILURE, SUCCESS, Outcome
from .context import RunContext
from .document_mail import DocumentSending
from .report import ReportResult


@dataclass(frozen=True)
class ReportOptions:
    year: int
    out: Path
    pdf: bool = False
    board_on: dt.date | None = None  # the day the board's composition is given
    send: bool = False  # e-mail it to the board, once per version
    preview_sending: bool = False  # the sending's dry run: previews only


@dataclass
class ReportRun:
    """The report written (and delivered), and its sending to the board when asked."""

    report: ReportResult
    sending: DocumentSending | None = None

    @property
    def journal_lost(self) -> bool:
        return self.sending is not None and self.sending.journal_lost

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``."""
        if self.sending is not None:
            return self.sending.outcome()
        report, drive = self.report, self.report.drive
        if drive is not None and drive.failed:
            return Outcome(FAILURE, f"rapport {report.year} non déposé sur Google Drive : {drive.error}")
        return Outcome(SUCCESS, f"rapport d'activité {report.year} {report.status}")

    def as_dict(self) -> dict[str, object]:
        found = self.report.as_dict()
        return found if self.sending is None else {**found, "sending": self.sending.as_dict()}


def run_report(ctx: RunContext, options: ReportOptions) -> ReportRun:
    """Write the report of ``options.year`` and, with ``send``, e-mail it to the board."""
    from .report_drive import produce_report
    from .report_mail import send_report

    written = produce_report(
        ctx, year=options.year, out=options.out, pdf=options.pdf, board_on=options.board_on
    )
    if not options.send:
        return ReportRun(written)
    return ReportRun(written, send_report(ctx, written, options.out, dry_run=options.preview_sending))
