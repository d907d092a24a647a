"""The annual report delivered to the shared Drive folder (``[documents] drive_folder``).

After ``mila docs rapport`` wrote the report (and its PDF), :func:`deliver_report` records
it in the output folder's manifest under :func:`.report_mail.report_key` (``rapport:2025``)
and hands it to the same delivery as the other documents (``delivery/upload.py``): into
``Rapports``, uploaded once, a new revision of the same Drive file when regenerated, never
over a file a person edited in Drive, no request when nothing changed. Its link is then
``OutputFolder.link("rapport:2025")``, which ``--envoyer`` sends to the board.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..delivery.upload import DriveDelivery, DriveReport
from ..documents.outputs import OutputFolder
from ..errors import MilaError
from .context import RunContext
from .report import ReportResult, run_report
from .report_mail import report_key


def deliver_report(context: RunContext, report: ReportResult, out: Path) -> DriveReport | None:
    """Upload ``report`` (written in ``out``) to Drive when ``drive_folder`` is set; its
    link goes into ``report.link``. ``None`` without a Drive folder."""
    root = context.settings.documents.drive_folder
    if root is None:
        return None
    key = report_key(report.year)
    folder = OutputFolder(out)
    folder.record_file(key, report.path, today=context.today, pdf=report.pdf)
    try:
        delivery = DriveDelivery(context.drive, root)
    except MilaError as exc:  # no key, an unreadable key: the report stays here
        delivery = DriveDelivery(None, root, opening_error=exc)
    try:
        delivery.deliver(folder, [key])
    finally:
        folder.save()
    report.drive = delivery.report
    report.link = folder.link(key)
    return delivery.report


def produce_report(
    context: RunContext, *, year: int, out: Path, pdf: bool = False, board_on: dt.date | None = None
) -> ReportResult:
    """``mila docs rapport``: the report of ``year`` written in ``out`` with the settings'
    template and LibreOffice, then delivered to Drive (:func:`deliver_report`)."""
    settings = context.settings
    documents = settings.documents
    template = documents.templates / "rapport.docx"
    written = run_report(
        context.workbook,
        year=year,
        out_dir=out,
        today=context.today,
        association_name=settings.association.name,
        template=template if template.is_file() else None,
        booking_policy=settings.bookings,
        board_on=board_on,
        pdf=pdf,
        soffice=documents.soffice,
        pdf_timeout=documents.pdf_timeout,
    )
    deliver_report(context, written, out)
    return written
