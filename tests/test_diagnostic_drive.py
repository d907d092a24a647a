"""`mila diagnostic` checks the shared Drive folder: it exists, is a folder, the account may add files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FAST_RETRY
from test_google_backend import service_account_key

from automations.config import build_settings
from automations.delivery.drive import DOCX_MIME, MemoryDrive
from automations.delivery.google_drive import GoogleDrive
from automations.jobs.diagnostic import DRIVE_LABEL, OK, TO_FIX, Check, run_diagnostic
from automations.workbook import open_workbook

BOT = "mila-bot@mila-test.iam.gserviceaccount.com"
_folders = iter(range(1, 10_000))


def settings(demo: Path, tmp_path: Path, emulator: Any, folder: str | None) -> Any:
    raw: dict[str, Any] = {
        "workbook": {"path": str(demo), "credentials": str(service_account_key(tmp_path, emulator, BOT))},
        "documents": {"out": str(tmp_path / "out"), **({"drive_folder": folder} if folder else {})},
    }
    return build_settings(raw, env={"DRIVE_EMULATOR_HOST": emulator.address}, base=tmp_path)


def drive_line(demo: Path, tmp_path: Path, emulator: Any, folder: str | None) -> list[Check]:
    diagnosis = run_diagnostic(
        settings(demo, tmp_path, emulator, folder), open_book=open_workbook, connect=lambda mail: None
    )
    return [c for c in diagnosis.checks if c.label == DRIVE_LABEL]


@pytest.fixture
def folder(emulator: Any) -> str:
    """A new folder of the emulator's Drive, shared with nobody yet."""
    return emulator.drive.create_folder("Documents MILA", f"diag-drive-{next(_folders):04d}")


def test_a_folder_shared_as_editor_is_ready(demo, tmp_path, emulator, folder):
    """Shared with the service account as editor: OK, in one read request that asks for the capabilities."""
    emulator.drive.share(folder, BOT, "writer")
    start = len(emulator.requests)
    [line] = drive_line(demo, tmp_path, emulator, folder)
    assert line.status == OK and "Documents MILA" in line.detail
    asked = [r for r in emulator.requests[start:] if r.path.startswith("/drive/")]
    assert [(r.method, r.path) for r in asked] == [("GET", f"/drive/v3/files/{folder}")]
    assert "capabilities" in asked[0].query["fields"] and asked[0].account == BOT


def test_a_folder_shared_as_reader_says_to_share_as_editor(demo, tmp_path, emulator, folder):
    """Shared as reader only: to fix, naming the service account's e-mail and the Éditeur role."""
    emulator.drive.share(folder, BOT, "reader")
    [line] = drive_line(demo, tmp_path, emulator, folder)
    assert line.status == TO_FIX
    assert BOT in line.detail and "Éditeur" in line.detail and "ne peut pas y déposer" in line.detail


def test_a_folder_not_shared_with_the_account_is_not_found(demo, tmp_path, emulator, folder):
    """Shared with someone else only, or a wrong ID: to fix, check the setting and share it."""
    emulator.drive.share(folder, "quelqu-un@mila.fr", "writer")
    [hidden] = drive_line(demo, tmp_path, emulator, folder)
    [wrong] = drive_line(demo, tmp_path, emulator, "1IdentifiantInconnu")
    for line in (hidden, wrong):
        assert line.status == TO_FIX and "introuvable" in line.detail and BOT in line.detail


def test_a_file_instead_of_a_folder(demo, tmp_path, emulator, folder):
    """drive_folder naming a document, not a folder: to fix, give a folder's address."""
    made = GoogleDrive(emulator_host=emulator.address, retry=FAST_RETRY).upload(
        folder, "Convention.docx", b"docx", DOCX_MIME
    )
    [line] = drive_line(demo, tmp_path, emulator, made.id)
    assert line.status == TO_FIX and "pas un dossier" in line.detail


def test_without_drive_folder_there_is_no_drive_line(demo, tmp_path, emulator):
    """No [documents] drive_folder: the checklist says nothing of Drive and asks it nothing."""
    start = len(emulator.requests)
    assert drive_line(demo, tmp_path, emulator, None) == []
    assert not [r for r in emulator.requests[start:] if r.path.startswith("/drive/")]


def test_the_in_memory_drive_tells_a_reader_folder(tmp_path):
    """The in-memory Drive answers the same question: editor, reader, missing."""
    drive = MemoryDrive()
    assert drive.access(drive.root).can_add is True  # type: ignore[union-attr]
    drive.read_only.add(drive.root)
    assert drive.access(drive.root).can_add is False  # type: ignore[union-attr]
    assert drive.access("absent") is None
