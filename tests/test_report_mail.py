"""`mila docs rapport --envoyer`: the annual report e-mailed to the board, once per version."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TODAY
from test_mail import SmtpServer, smtp_settings

from automations.clock import FixedClock
from automations.config import Settings
from automations.documents.outputs import OutputFolder
from automations.documents.settings import DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.document_mail import DocumentSending
from automations.jobs.report import ReportResult, run_report
from automations.jobs.report_mail import TASK, report_key, send_report
from automations.mail import SmtpSender
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

YEAR = DEMO_TODAY.year - 1
LINK = "https://drive.google.com/file/d/1AbCdEf/view?usp=drivesdk"


def run(
    demo: MemoryBackend, tmp_path: Path, server: SmtpServer, today: dt.date = DEMO_TODAY, **documents: Any
) -> tuple[ReportResult, DocumentSending]:
    mail = smtp_settings(server)
    settings = Settings(documents=DocumentsSettings(out=tmp_path / "out", **documents), mail=mail)
    ctx = RunContext(
        settings,
        FixedClock(dt.datetime.combine(today, dt.time(10))),
        today=today,
        workbook=Workbook(demo),
        sender=SmtpSender(mail),
    )
    report = run_report(ctx.workbook, year=YEAR, out_dir=tmp_path / "out", today=today, soffice=None)
    return report, send_report(ctx, report, tmp_path / "out")


def put_link(folder: Path, report: ReportResult, link: str) -> None:
    """Record ``link`` as the report's uploaded copy in the manifest, as the Drive delivery does."""
    out = OutputFolder(folder)
    out.data["documents"][report_key(report.year)] = {"file": report.path.name, "drive": {"link": link}}
    out._dirty = True
    out.save()
    assert OutputFolder(folder).link(report_key(report.year)) == link


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def board_in_office(demo: MemoryBackend) -> list[dict[str, Any]]:
    grid = demo.grids["Conseil"]
    rows = [{str(k): v for k, v in zip(grid[0], line, strict=False)} for line in grid[1:]]
    return [r for r in rows if r.get("Nom") and r.get("Sortie") is None]


@pytest.mark.slow
def test_without_link_the_report_is_attached_once_per_board_member(
    demo_memory: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    demo = demo_memory  # the demo's cells in memory: these tests are about the sending, not the .xlsx
    """No Drive link: each board member in office gets the .docx attached, once; a second
    run the same day, or the next day with the same figures, sends nothing."""
    report, sending = run(demo, tmp_path, smtp_server)
    board = board_in_office(demo)
    assert sending.sent == len(smtp_server.messages) == len({r["Membre"] for r in board}) > 3
    assert any("joint au message, en Word" in n for n in sending.notes)
    message = parsed(smtp_server.messages[0][2])
    assert message["Subject"].startswith(f"Rapport d’activité {YEAR}")
    assert [p.get_filename() for p in message.iter_attachments()] == [report.path.name]
    assert "ci-joint" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert sending.journal and sending.task == TASK

    _, again = run(demo, tmp_path, smtp_server)
    assert again.messages == [] and again.already == sending.sent
    later, next_day = run(demo, tmp_path, smtp_server, today=DEMO_TODAY + dt.timedelta(days=1))
    assert later.status != "inchangé" and later.version == report.version  # only its date changed
    assert next_day.messages == [] and len(smtp_server.messages) == sending.sent


def test_with_a_drive_link_the_message_carries_the_link_not_the_file(
    demo_memory: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    demo = demo_memory  # the demo's cells in memory: these tests are about the sending, not the .xlsx
    """When the manifest holds the report's Drive link, the message gives it and attaches nothing."""
    report, _ = run(demo, tmp_path, smtp_server, board_emails=["bureau@mila.fr"])
    smtp_server.messages.clear()
    put_link(tmp_path / "out", report, LINK)
    # A new address in the configuration: a new addressee, this time with the link.
    _, sending = run(demo, tmp_path, smtp_server, board_emails=["bureau@mila.fr", "ca@mila.fr"])
    assert [m.address for m in sending.messages] == ["ca@mila.fr"] and sending.already == 1
    message = parsed(smtp_server.messages[0][2])
    assert list(message.iter_attachments()) == []
    assert LINK in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert any(LINK in n for n in sending.notes)


def test_a_board_member_without_a_linked_member_is_listed(
    demo_memory: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    demo = demo_memory  # the demo's cells in memory: these tests are about the sending, not the .xlsx
    """A Conseil row in office with a blank « Membre » gets nothing, and the output says what to fill."""
    conseil = demo.grids["Conseil"]  # as a person clears the cell
    header, line = conseil[0], conseil[1]
    line[header.index("Membre")] = None
    name = line[header.index("Nom")]
    _, sending = run(demo, tmp_path, smtp_server)
    assert isinstance(name, str) and len(sending.not_sent) == 1 and name in sending.not_sent[0]
    assert "« Membre »" in sending.not_sent[0] and "board_emails" in sending.not_sent[0]
    assert sending.sent == len(smtp_server.messages) > 0
