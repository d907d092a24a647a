"""`mila docs conventions|charte --envoyer`: each document e-mailed for signature once per version."""

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
from automations.config import Settings
from automations.documents.settings import DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_charters, run_conventions
from automations.jobs.signature import TASK
from automations.mail import MailSettings, PreviewSender, SmtpSender
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

NOW = dt.datetime.combine(DEMO_TODAY, dt.time(10, 0))


def context(
    demo: MemoryBackend, tmp_path: Path, sender: Any, mail: MailSettings, today: dt.date = DEMO_TODAY
) -> RunContext:
    settings = Settings(
        documents=DocumentsSettings(out=tmp_path / "out", soffice=str(tmp_path / "pas-de-soffice")),
        mail=mail,
    )
    return RunContext(
        settings,
        FixedClock(dt.datetime.combine(today, NOW.time())),
        today=today,
        workbook=Workbook(demo),
        sender=sender,
    )


def conventions(demo: MemoryBackend, tmp_path: Path, server: SmtpServer, **kw: Any):
    mail = smtp_settings(server)
    return run_conventions(context(demo, tmp_path, SmtpSender(mail), mail), send=True, **kw)


def rows(demo: MemoryBackend, tab: str) -> list[dict[str, Any]]:
    if tab not in demo.grids:
        return []  # the jobs create Relances and Journal on their first line
    grid = demo.grids[tab]
    return [
        {str(k): v for k, v in zip(grid[0], line, strict=False)}
        for line in grid[1:]
        if any(v is not None for v in line)
    ]


def edit(demo: MemoryBackend, *cells: tuple[str, str, str, str | int | None]) -> None:
    """Change cells ``(tab, row_id, column, value)``, each in the row whose ID (first column)
    is ``row_id``, as a person would."""
    for tab, row_id, column, value in cells:
        grid = demo.grids[tab]
        for line in grid[1:]:
            if line and line[0] == row_id:
                line.extend([None] * (len(grid[0]) - len(line)))
                line[grid[0].index(column)] = value


@pytest.fixture
def book(demo_memory: MemoryBackend) -> MemoryBackend:
    """The demo's cells in memory: these tests are about the sending, not the .xlsx file."""
    return demo_memory


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_sending_twice_sends_one_email_per_member(
    book: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """Two runs with --envoyer: each convention leaves once, to its occupant, with the .docx
    and a message saying what to sign and how; the second run sends nothing."""
    first = conventions(book, tmp_path, smtp_server)
    sending = first.sending
    assert sending.sent == len(first.written) > 5 and not sending.not_sent
    recipients = [r[1] for r in smtp_server.messages]
    assert len(recipients) == len({tuple(r) for r in recipients}) == sending.sent
    message = parsed(smtp_server.messages[0][2])
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert message["Subject"].startswith("Convention C") and "à signer" in message["Subject"]
    assert "Local :" in text and "Imprimez le document" in text and "répondant simplement" in text
    attached = [p.get_filename() for p in message.iter_attachments()]
    assert len(attached) == 1 and str(attached[0]).endswith(".docx")
    log = [r for r in rows(book, "Relances") if "à signer" in str(r["Relance"])]
    assert sorted(r["Statut"] for r in log) == ["en cours"] * sending.sent + ["envoyée"] * sending.sent
    assert [r["Tâche"] for r in rows(book, "Journal")].count(TASK) == 1

    second = conventions(book, tmp_path, smtp_server)
    assert len(smtp_server.messages) == sending.sent
    assert second.sending.messages == [] and second.sending.already == sending.sent


def test_a_regenerated_convention_is_sent_again_once(
    book: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """A changed occupation makes a new version of its convention: sent again, once; the
    others are not."""
    first = conventions(book, tmp_path, smtp_server)
    occupation = first.sending.messages[0].who.split()[1]  # « Convention C008 → … »
    edit(book, ("Occupations", occupation, "Loyer mensuel HT", 999))
    second = conventions(book, tmp_path, smtp_server)
    assert [w.key for w in second.written] == [f"convention:{occupation}"]
    assert [m.who.split()[1] for m in second.sending.messages] == [occupation]
    assert second.sending.sent == 1 and second.sending.already == first.sending.sent - 1
    text = parsed(smtp_server.messages[-1][2]).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Loyer mensuel : 999" in text
    third = conventions(book, tmp_path, smtp_server)
    assert third.sending.messages == [] and len(smtp_server.messages) == first.sending.sent + 1


def test_a_member_without_valid_address_is_reported_and_nothing_sent(
    book: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """An occupant whose « Email » is not an address gets nothing; the output says what to fix."""
    first = conventions(book, tmp_path, smtp_server, member="M0008")
    assert first.sending.sent == 1
    edit(
        book,
        ("Membres", "M0008", "Email", "pas une adresse"),
        ("Occupations", "C008", "Loyer mensuel HT", 999),
    )
    second = conventions(book, tmp_path, smtp_server, member="M0008")
    assert second.sending.messages == [] and len(smtp_server.messages) == 1
    assert len(second.sending.not_sent) == 1
    assert "adresse e-mail invalide" in second.sending.not_sent[0]
    assert "« Email »" in second.sending.not_sent[0] and "Membres" in second.sending.not_sent[0]


def test_without_server_previews_and_nothing_recorded_as_sent(
    book: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """No server: the charters to sign are written as .eml previews, Relances stays
    untouched, and a later run with a server sends every one of them."""
    mail = MailSettings(preview=tmp_path / "apercus")
    result = run_charters(context(book, tmp_path, PreviewSender(mail.preview), mail), send=True)
    sending = result.sending
    assert sending.preview and len(sending.messages) > 0 and sending.sent == 0
    previews = sorted((tmp_path / "apercus").glob("*.eml"))
    assert len(previews) == len(sending.messages)
    message = parsed(previews[0].read_bytes())
    assert message["Subject"].startswith("Charte des valeurs à signer")
    assert str([p.get_filename() for p in message.iter_attachments()][0]).startswith("Charte_")
    assert [r for r in rows(book, "Relances") if "charte" in str(r["Relance"])] == []
    mail = smtp_settings(smtp_server)
    later = run_charters(context(book, tmp_path, SmtpSender(mail), mail), send=True)
    assert later.sending.sent == len(sending.messages) == len(smtp_server.messages)


def test_a_signed_charter_is_not_sent(book: MemoryBackend, tmp_path: Path, smtp_server: SmtpServer) -> None:
    """A member whose « Charte signée le » is filled gets no charter to sign, and the output says why."""
    signed = next(r["ID"] for r in rows(book, "Membres") if r.get("Charte signée le") and r.get("Email"))
    mail = smtp_settings(smtp_server)
    result = run_charters(context(book, tmp_path, SmtpSender(mail), mail), send=True, member=signed)
    assert result.written and result.sending.messages == [] and smtp_server.messages == []
    assert any(signed in note and "signée le" in note for note in result.sending.notes)


def test_dry_run_writes_previews_and_records_nothing(book: MemoryBackend, tmp_path: Path) -> None:
    """--simulation: previews written, no Relances row and no Journal line for the sending."""
    mail = MailSettings(preview=tmp_path / "apercus")
    result = run_conventions(
        context(book, tmp_path, PreviewSender(mail.preview), mail), send=True, dry_run=True
    )
    assert result.sending.dry_run and not result.sending.preview
    assert len(list((tmp_path / "apercus").glob("*.eml"))) == len(result.sending.messages) > 0
    assert not [r for r in rows(book, "Relances") if "à signer" in str(r["Relance"])]
    assert TASK not in [r["Tâche"] for r in rows(book, "Journal")]


@pytest.mark.slow
def test_the_commands_send_for_signature_and_to_the_board(
    demo: Path, tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mila docs conventions --envoyer --simulation` sends nothing; without --simulation it sends;
    `mila docs rapport --envoyer` sends the report to the board and says how."""
    monkeypatch.chdir(tmp_path)  # logs/, out/ and apercus/ land there
    for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "mila.toml").write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "none"\n'
        'from = "adhesions@mila.fr"\nsending_starts_on = true\n[documents]\nsoffice = "pas-de-soffice"\n',
        encoding="utf-8",
    )
    common = ("--classeur", str(demo), "--date", DEMO_TODAY.isoformat())
    out = io.StringIO()
    assert main(["docs", "conventions", "--envoyer", "--simulation", *common], out=out) == 0
    assert "écrits en aperçu" in out.getvalue() and smtp_server.messages == []
    assert list((tmp_path / "apercus").glob("*-signature-convention-*.eml"))
    out = io.StringIO()
    assert main(["docs", "conventions", "--envoyer", *common], out=out) == 0
    assert "Envoyés : " in out.getvalue() and smtp_server.messages
    sent = len(smtp_server.messages)
    out = io.StringIO()
    assert main(["docs", "rapport", "--annee", str(DEMO_TODAY.year - 1), "--envoyer", *common], out=out) == 0
    text = out.getvalue()
    assert "Destinataires : l'onglet Conseil" in text and "joint au message" in text
    assert len(smtp_server.messages) > sent and "Une ligne a été ajoutée à l'onglet Journal." in text
