"""The annual report delivered to the shared Drive folder, and its link e-mailed to the board."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TODAY
from test_mail import SmtpServer, smtp_settings

from automations.cli import main
from automations.clock import FixedClock
from automations.config import build_settings
from automations.documents.outputs import OutputFolder
from automations.jobs.context import RunContext
from automations.jobs.report import ReportResult
from automations.jobs.report_drive import produce_report
from automations.jobs.report_mail import report_key, send_report
from automations.mail import SmtpSender
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

YEAR = DEMO_TODAY.year - 1
FAST = {"attempts": 6, "timeout": 10.0, "wait_initial": 0.01, "wait_max": 0.05, "wait_jitter": 0.01}
_roots = iter(range(1, 10_000))


@pytest.fixture
def root(emulator: Any) -> str:
    """A fresh shared folder in the emulator's Drive."""
    return emulator.drive.create_folder("Documents MILA", f"rapport-partage-{next(_roots):04d}")


def context(
    demo: MemoryBackend, tmp_path: Path, emulator: Any, root: str | None, server: SmtpServer, today: dt.date
) -> RunContext:
    mail = smtp_settings(server)
    raw: dict[str, Any] = {
        "documents": {
            "out": str(tmp_path / "out"),
            "soffice": "soffice-absent",  # no layout pass: the contents stay unnumbered (faster)
            "board_emails": ["bureau@mila.fr"],
            **({"drive_folder": root} if root else {}),
        },
        "workbook": {"retry": FAST},
    }
    settings = build_settings(raw, env={"DRIVE_EMULATOR_HOST": emulator.address}, base=tmp_path)
    settings = settings.model_copy(update={"mail": mail})
    return RunContext(
        settings,
        FixedClock(dt.datetime.combine(today, dt.time(10))),
        today=today,
        workbook=Workbook(demo),
        sender=SmtpSender(mail),
    )


def produce(ctx: RunContext, tmp_path: Path) -> ReportResult:
    return produce_report(ctx, year=YEAR, out=tmp_path / "out")


def drive_requests(emulator: Any, since: int) -> list[Any]:
    return [r for r in emulator.requests[since:] if r.path.startswith(("/drive/", "/upload/"))]


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def book(demo_memory: MemoryBackend) -> MemoryBackend:
    """The demo's cells in memory: these tests are about Drive, not the .xlsx file."""
    return demo_memory


@pytest.mark.slow
def test_the_report_goes_to_rapports_once_and_its_link_to_the_board(
    book, tmp_path, emulator, root, smtp_server
):
    """Uploaded into Rapports, the same Drive file on a later generation, the link mailed once without attachment."""
    ctx = context(book, tmp_path, emulator, root, smtp_server, DEMO_TODAY)
    report = produce(ctx, tmp_path)
    assert report.drive is not None and report.drive.uploaded == [report.path.name]
    folder = emulator.drive.find(root, "Rapports")
    assert folder is not None and folder.is_folder
    uploaded = emulator.drive.find(folder.id, report.path.name)
    assert emulator.drive.content(uploaded.id) == report.path.read_bytes()
    manifest = OutputFolder(tmp_path / "out")
    entry = manifest.entry(report_key(YEAR))
    assert entry is not None and entry["file"] == report.path.name and entry["drive"]["id"] == uploaded.id
    link = manifest.link(report_key(YEAR))
    assert link is not None and link == report.link and link.startswith("https://drive.google.com/")
    assert any(link in line for line in report.lines())

    start = len(emulator.requests)
    again = produce(ctx, tmp_path)
    assert again.status == "inchangé" and drive_requests(emulator, start) == []

    # The next day the report's date changes: a new revision of the same Drive file, in one request.
    later = context(book, tmp_path, emulator, root, smtp_server, DEMO_TODAY + dt.timedelta(days=1))
    start = len(emulator.requests)
    regenerated = produce(later, tmp_path)
    assert regenerated.status == "mis à jour"
    assert regenerated.drive is not None and regenerated.drive.updated == [report.path.name]
    assert len(drive_requests(emulator, start)) <= 2
    assert emulator.drive.find(folder.id, report.path.name).id == uploaded.id
    assert [f.name for f in emulator.drive.children(folder.id)] == [report.path.name]
    assert emulator.drive.content(uploaded.id) == regenerated.path.read_bytes()
    assert OutputFolder(tmp_path / "out").link(report_key(YEAR)) == link

    sending = send_report(later, regenerated, tmp_path / "out")
    assert [m.address for m in sending.messages] == ["bureau@mila.fr"]
    assert len(smtp_server.messages) == 1
    message = parsed(smtp_server.messages[0][2])
    assert list(message.iter_attachments()) == []
    assert link in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]

    second = send_report(later, produce(later, tmp_path), tmp_path / "out")
    assert second.messages == [] and len(smtp_server.messages) == 1


def test_a_report_edited_in_drive_is_left_alone(book, tmp_path, emulator, root, smtp_server):
    """A person saved a new version of the report in Drive: it is kept, the new one goes beside it."""
    report = produce(context(book, tmp_path, emulator, root, smtp_server, DEMO_TODAY), tmp_path)
    folder = emulator.drive.find(root, "Rapports")
    uploaded = emulator.drive.find(folder.id, report.path.name)
    emulator.drive.edit_by_person(uploaded.id, b"annotated by the board")
    later = context(book, tmp_path, emulator, root, smtp_server, DEMO_TODAY + dt.timedelta(days=1))
    regenerated = produce(later, tmp_path)
    assert emulator.drive.content(uploaded.id) == b"annotated by the board"
    assert regenerated.drive is not None and regenerated.drive.beside
    beside = emulator.drive.find(folder.id, f"Rapport_activite_{YEAR}_v2.docx")
    assert beside is not None and beside.id != uploaded.id
    assert regenerated.link is not None and beside.id in regenerated.link
    assert any("modifié dans Google Drive" in line for line in regenerated.lines())


def test_without_drive_folder_nothing_is_uploaded(book, tmp_path, emulator, smtp_server):
    """No drive_folder: no Drive request, no link, the report attached as before."""
    start = len(emulator.requests)
    report = produce(context(book, tmp_path, emulator, None, smtp_server, DEMO_TODAY), tmp_path)
    assert report.drive is None and report.link is None
    assert drive_requests(emulator, start) == []
    assert OutputFolder(tmp_path / "out").link(report_key(YEAR)) is None


@pytest.mark.slow
def test_the_command_uploads_the_report_then_sends_its_link(
    demo: Path,
    tmp_path: Path,
    emulator: Any,
    root: str,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`mila docs rapport` prints the Drive link; `--envoyer` mails it once, without attachment."""
    monkeypatch.chdir(tmp_path)  # logs/, out/ and the lock land there
    for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST", "DRIVE_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "mila.toml").write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "none"\n'
        'from = "adhesions@mila.fr"\nsending_starts_on = true\n[documents]\nsoffice = "pas-de-soffice"\n'
        f'board_emails = ["bureau@mila.fr"]\ndrive_folder = "{root}"\n'
        f'drive_emulator_host = "{emulator.address}"\n',
        encoding="utf-8",
    )
    command = [
        "docs",
        "rapport",
        "--annee",
        str(YEAR),
        "--classeur",
        str(demo),
        "--date",
        DEMO_TODAY.isoformat(),
    ]
    out = io.StringIO()
    assert main(command, out=out) == 0
    link = OutputFolder(tmp_path / "out").link(report_key(YEAR))
    assert link is not None and f"Google Drive (déposé) : {link}" in out.getvalue()
    out = io.StringIO()
    assert main([*command, "--envoyer"], out=out) == 0
    assert "lien du rapport dans le Drive" in out.getvalue()
    assert len(smtp_server.messages) == 1
    message = parsed(smtp_server.messages[0][2])
    assert list(message.iter_attachments()) == []
    assert link in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert main([*command, "--envoyer"], out=io.StringIO()) == 0
    assert len(smtp_server.messages) == 1
