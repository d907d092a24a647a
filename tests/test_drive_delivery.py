"""Documents delivered to a shared Google Drive folder: once, updated in place, never over a person's edit."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TODAY

from automations.clock import FixedClock
from automations.config import build_settings
from automations.delivery.drive import DriveError, MemoryDrive
from automations.delivery.upload import DriveDelivery, subfolder
from automations.documents.outputs import OutputFolder
from automations.errors import ConfigError
from automations.jobs.context import RunContext
from automations.jobs.documents import run_charters, run_conventions
from automations.logs import NOTICES
from automations.workbook import Workbook
from tests.support.converters import BlankPdf
from tests.support.memory_backend import MemoryBackend

FAST = {"attempts": 6, "timeout": 10.0, "wait_initial": 0.01, "wait_max": 0.05, "wait_jitter": 0.01}
_roots = iter(range(1, 10_000))


@pytest.fixture
def root(emulator: Any) -> str:
    """A fresh shared folder in the emulator's Drive, as a person would create and share it."""
    return emulator.drive.create_folder("Documents MILA", f"dossier-partage-{next(_roots):04d}")


def context(
    demo: MemoryBackend, tmp_path: Path, emulator: Any, root: str, converter: Any = None, **documents: Any
) -> RunContext:
    raw = {
        "documents": {"out": str(tmp_path / "out"), "drive_folder": root, **documents},
        "workbook": {"retry": FAST},
    }
    settings = build_settings(raw, env={"DRIVE_EMULATOR_HOST": emulator.address}, base=tmp_path)
    return RunContext(
        settings,
        FixedClock(dt.datetime(2026, 11, 23, 9, 0)),
        today=DEMO_TODAY,
        workbook=Workbook(demo),
        converter=converter,
    )


def drive_requests(emulator: Any, since: int) -> list[Any]:
    return [r for r in emulator.requests[since:] if r.path.startswith(("/drive/", "/upload/"))]


def uploads(requests: list[Any]) -> list[Any]:
    return [r for r in requests if r.path.startswith("/upload/")]


def sheet_column(demo: MemoryBackend, tab: str, header: str) -> dict[str, Any]:
    """{ID: value} of one column of the workbook."""
    rows = demo.grids[tab]
    col = rows[0].index(header)
    return {str(r[0]): r[col] if col < len(r) else None for r in rows[1:] if r and r[0]}


def edit_sheet(demo: MemoryBackend, tab: str, row_id: str, header: str, value: Any) -> None:
    """Change one cell, as a person would."""
    rows = demo.grids[tab]
    col = rows[0].index(header)
    for row in rows[1:]:
        if row and row[0] == row_id:
            row.extend([None] * (len(rows[0]) - len(row)))
            row[col] = value


@pytest.fixture
def book(demo_memory: MemoryBackend) -> MemoryBackend:
    """The demo's cells in memory: these tests are about Drive, not the .xlsx file."""
    return demo_memory


def test_first_run_uploads_each_convention_once_and_links_it_in_the_sheet(book, tmp_path, emulator, root):
    """The first run uploads each convention once, in Conventions, and writes its Drive link in Occupations."""
    start = len(emulator.requests)
    result = run_conventions(context(book, tmp_path, emulator, root))
    sent = drive_requests(emulator, start)
    written = len(result.written)
    assert written > 5
    assert len(uploads(sent)) == written
    assert len(sent) <= 2 * written
    assert result.drive is not None and len(result.drive.uploaded) == written and not result.drive.failed
    folder = emulator.drive.find(root, "Conventions")
    assert folder is not None and folder.is_folder
    names = sorted(i.name for i in emulator.drive.children(folder.id))
    assert names == sorted(w.path.name for w in result.written)
    first = result.written[0]
    assert (
        emulator.drive.content(emulator.drive.find(folder.id, first.path.name).id) == first.path.read_bytes()
    )
    links = sheet_column(book, "Occupations", "Fichier convention")
    key = first.key.partition(":")[2]
    manifest = OutputFolder(tmp_path / "out")
    assert links[key] == manifest.link(first.key)
    assert links[key].startswith("https://drive.google.com/file/d/")
    entry = manifest.entry(first.key)
    assert entry is not None
    assert entry["drive"]["md5"] == emulator.drive.find(folder.id, first.path.name).revisions[-1].md5


def test_a_second_run_sends_no_drive_request(book, tmp_path, emulator, root):
    """Nothing regenerated: not one Drive request, nothing written."""
    run_conventions(context(book, tmp_path, emulator, root))
    start = len(emulator.requests)
    again = run_conventions(context(book, tmp_path, emulator, root))
    assert drive_requests(emulator, start) == []
    assert not again.changed and again.drive is not None and not again.drive.changed


def test_a_changed_occupation_updates_only_its_file_in_place(book, tmp_path, emulator, root):
    """One occupation changed: one new revision of its Drive file (same ID and link), in two requests."""
    first = run_conventions(context(book, tmp_path, emulator, root))
    target = first.written[0]
    conv_id = target.key.partition(":")[2]
    before = OutputFolder(tmp_path / "out").uploaded(target.key)
    assert before is not None
    edit_sheet(book, "Occupations", conv_id, "Loyer mensuel HT", 987)
    start = len(emulator.requests)
    second = run_conventions(context(book, tmp_path, emulator, root))
    sent = drive_requests(emulator, start)
    assert [w.key for w in second.written] == [target.key]
    assert [(r.method, r.path) for r in uploads(sent)] == [
        ("PATCH", f"/upload/drive/v3/files/{before['id']}")
    ]
    assert len(sent) == 2  # the folder's listing (edit check), the update
    item = emulator.drive.item(before["id"])
    assert len(item.revisions) == 2
    assert item.content == (tmp_path / "out" / second.written[0].path.name).read_bytes()
    after = OutputFolder(tmp_path / "out").uploaded(target.key)
    assert after is not None and after["id"] == before["id"] and after["link"] == before["link"]
    assert second.drive is not None and second.drive.updated == [item.name]
    assert sheet_column(book, "Occupations", "Fichier convention")[conv_id] == before["link"]


def test_a_file_edited_in_drive_is_left_alone_and_reported(book, tmp_path, emulator, root):
    """A convention a person changed in Drive keeps their version; the new one goes beside it, said in French."""
    first = run_conventions(context(book, tmp_path, emulator, root))
    target = first.written[0]
    conv_id = target.key.partition(":")[2]
    before = OutputFolder(tmp_path / "out").uploaded(target.key)
    assert before is not None
    emulator.drive.edit_by_person(before["id"], b"annotated by the treasurer")
    edit_sheet(book, "Occupations", conv_id, "Loyer mensuel HT", 654)
    second = run_conventions(context(book, tmp_path, emulator, root))
    assert emulator.drive.content(before["id"]) == b"annotated by the treasurer"
    assert second.drive is not None
    [line] = second.drive.beside
    assert "modifié dans Google Drive" in line and "_v2.docx" in line
    after = OutputFolder(tmp_path / "out").uploaded(target.key)
    assert after is not None and after["id"] != before["id"] and after["name"].endswith("_v2.docx")
    assert emulator.drive.item(after["id"]).parents == emulator.drive.item(before["id"]).parents
    assert sheet_column(book, "Occupations", "Fichier convention")[conv_id] == after["link"]
    journal = sheet_column(book, "Journal", "Détails")
    assert any("modifié dans Google Drive" in str(v) for v in journal.values())


def test_quota_and_outage_answers_are_retried_with_a_french_notice(book, tmp_path, emulator, root, caplog):
    """429 and 503 from Drive are retried (the French line names Google Drive) and the run completes."""
    emulator.fail_next(429, match="/upload/drive/")
    emulator.fail_next(503, match="/drive/v3/files")
    with caplog.at_level(logging.WARNING, logger=NOTICES):
        result = run_conventions(context(book, tmp_path, emulator, root))
    emulator.clear_faults()
    assert result.drive is not None and not result.drive.failed
    assert len(result.drive.uploaded) == len(result.written)
    notices = [r.getMessage() for r in caplog.records if r.name == NOTICES]
    assert any(n.startswith("Google Drive demande de ralentir (quota dépassé, erreur 429)") for n in notices)
    assert any(n.startswith("Google Drive ne répond pas (erreur 503)") for n in notices)


def test_drive_down_leaves_the_documents_without_link_and_the_next_run_uploads(
    book, tmp_path, emulator, root
):
    """Drive unreachable: documents made, file names in the sheet, the failure said; the next run delivers them."""
    emulator.fail_next(503, count=1000, match="/drive/")
    try:
        down = run_conventions(context(book, tmp_path, emulator, root))
    finally:
        emulator.clear_faults()
    assert down.written and down.drive is not None
    assert len(down.drive.failed) == len(down.written) and not down.drive.uploaded
    assert "Google Drive a répondu « 503 »" in (down.drive.error or "")
    assert "non déposé(s) sur Google Drive" in down.outcome().summary
    cells = sheet_column(book, "Occupations", "Fichier convention")
    key = down.written[0].key.partition(":")[2]
    assert cells[key] == down.written[0].path.name
    assert OutputFolder(tmp_path / "out").link(down.written[0].key) is None
    start = len(emulator.requests)
    up = run_conventions(context(book, tmp_path, emulator, root))
    assert up.written == [] and up.drive is not None
    assert len(uploads(drive_requests(emulator, start))) == len(down.written)
    assert sheet_column(book, "Occupations", "Fichier convention")[key].startswith("https://")


def test_charters_go_to_their_folder_with_their_pdf(book, tmp_path, emulator, root):
    """Charters land in Chartes, the register beside them; with --pdf each PDF is uploaded too
    (blank pages: what goes to Drive is the subject, not LibreOffice's drawing)."""
    result = run_charters(context(book, tmp_path, emulator, root, BlankPdf()), member="M0001", pdf=True)
    folder = emulator.drive.find(root, "Chartes")
    assert folder is not None
    names = {i.name for i in emulator.drive.children(folder.id)}
    docx = result.written[0].path.name
    assert {docx, docx.replace(".docx", ".pdf")} <= names


def test_the_drive_folder_setting_takes_an_address_or_an_id():
    """drive_folder accepts the browser's address or the bare ID, and refuses anything else in French."""
    env: dict[str, str] = {}
    for given in (
        "https://drive.google.com/drive/u/0/folders/1AbCdEfGhIjKlMnOpQ_rS-t?usp=sharing",
        "https://drive.google.com/open?id=1AbCdEfGhIjKlMnOpQ_rS-t",
        "1AbCdEfGhIjKlMnOpQ_rS-t",
    ):
        settings = build_settings({"documents": {"drive_folder": given}}, env=env, base=Path("."))
        assert settings.documents.drive_folder == "1AbCdEfGhIjKlMnOpQ_rS-t"
    from_env = build_settings({}, env={"MILA_DRIVE_FOLDER": "1AbCdEfGhIjKlMnOpQ_rS-t"}, base=Path("."))
    assert from_env.documents.drive_folder == "1AbCdEfGhIjKlMnOpQ_rS-t"
    with pytest.raises(ConfigError, match="dossier Google Drive"):
        build_settings({"documents": {"drive_folder": "https://example.org/x/y"}}, env=env, base=Path("."))


def test_memory_drive_delivery_budget_and_a_trashed_file(tmp_path):
    """In memory: new files cost one upload each plus the folders, unchanged ones nothing, a trashed one is uploaded again."""
    out = OutputFolder(tmp_path)
    for n in range(3):
        out.write(
            f"recu:2025-00{n}",
            f"Recu_{n}.docx",
            b"x%d" % n,
            data_fingerprint="f",
            template_sha="t",
            reason="nouveau",
            today=DEMO_TODAY,
        )
    drive = MemoryDrive()
    keys = [f"recu:2025-00{n}" for n in range(3)]
    DriveDelivery(drive, drive.root).deliver(out, keys)
    assert (
        drive.calls.count("upload") == 3 and len(drive.calls) == 3 + 3
    )  # the root listed, Reçus and 2025 created
    assert subfolder("recu:2025-001") == ("Reçus", "2025")
    drive.calls.clear()
    DriveDelivery(drive, drive.root).deliver(out, keys)
    assert drive.calls == []
    gone = out.uploaded("recu:2025-001")
    assert gone is not None
    drive.trash_by_person(gone["id"])
    out.write(
        "recu:2025-001",
        "Recu_1.docx",
        b"new",
        data_fingerprint="g",
        template_sha="t",
        reason="",
        today=DEMO_TODAY,
    )
    delivery = DriveDelivery(drive, drive.root)
    delivery.deliver(out, keys)
    assert (
        delivery.report.uploaded == ["Recu_1.docx"]
        and (out.uploaded("recu:2025-001") or {}).get("id") != gone["id"]
    )


def test_a_drive_failure_stops_the_run_s_deliveries(tmp_path):
    """After the first failure no more request is made; every document left is listed, without a link."""
    out = OutputFolder(tmp_path)
    for n in range(3):
        out.write(
            f"charte:M{n}",
            f"Charte_{n}.docx",
            b"c%d" % n,
            data_fingerprint="f",
            template_sha="t",
            reason="nouveau",
            today=DEMO_TODAY,
        )
    drive = MemoryDrive(fail_with=DriveError("Google Drive est injoignable."))
    delivery = DriveDelivery(drive, drive.root)
    delivery.deliver(out, [f"charte:M{n}" for n in range(3)])
    assert len(drive.calls) == 1
    assert delivery.report.failed == ["Charte_0.docx", "Charte_1.docx", "Charte_2.docx"]
    assert all(out.link(f"charte:M{n}") is None for n in range(3))


def drive_api_error(status: int, reason: str) -> Any:
    """gspread's APIError for a Drive answer with this status and reason."""
    import json as _json

    import requests
    from gspread.exceptions import APIError

    response = requests.Response()
    response.status_code = status
    body = {"error": {"code": status, "message": reason, "errors": [{"reason": reason, "domain": "global"}]}}
    response._content = _json.dumps(body).encode()
    return APIError(response)


def test_drive_refusals_are_explained_in_french_and_rate_limits_retried(emulator):
    """A service account without storage, a folder not shared, Drive's 403 rate limit: each said or retried as it should."""
    from automations.delivery.google_drive import DriveHTTPClient, GoogleDrive

    drive = GoogleDrive(emulator_host=emulator.address)
    quota = drive._error(drive_api_error(403, "storageQuotaExceeded"), "dossier « x »")
    assert "Drive partagé" in quota.message and "gestionnaire de contenu" in quota.message
    denied = drive._error(drive_api_error(403, "insufficientFilePermissions"), "dossier « x »")
    assert denied.message.startswith(
        "Accès refusé au dossier « x » dans Google Drive : partagez-le avec le compte"
    )
    assert isinstance(drive.http, DriveHTTPClient)
    assert drive.http.should_retry(drive_api_error(403, "userRateLimitExceeded")) is True
    assert drive.http.should_retry(drive_api_error(403, "insufficientFilePermissions")) is False


def test_the_command_exits_1_when_every_upload_failed(demo, tmp_path, emulator, root, monkeypatch):
    """`mila docs conventions` with Drive down: the documents are made, the failure said, exit 1."""
    import io

    from automations.cli import main

    monkeypatch.chdir(tmp_path)  # logs/, out/ and the lock land there
    for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST", "DRIVE_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "mila.toml").write_text(
        f'[documents]\ndrive_folder = "{root}"\ndrive_emulator_host = "{emulator.address}"\n'
        f"[workbook.retry]\n" + "".join(f"{k} = {v}\n" for k, v in FAST.items()),
        encoding="utf-8",
    )
    command = ["docs", "conventions", "--classeur", str(demo), "--date", DEMO_TODAY.isoformat()]
    emulator.fail_next(503, count=1000, match="/drive/")
    try:
        out = io.StringIO()
        assert main(command, out=out) == 1
    finally:
        emulator.clear_faults()
    assert "non déposé(s) sur Google Drive" in out.getvalue()
    assert main(command, out=io.StringIO()) == 0  # Drive back: delivered, exit 0
