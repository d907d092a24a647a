"""A mail server that echoes the password back in its refusal: the password reaches neither
the screen, nor mila.log, nor state.json, nor the Journal."""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from conftest import XlsxBook
from openpyxl import load_workbook
from test_mail import SmtpServer

from automations.cli import main
from automations.mail.smtp import redact, secret_forms

PASSWORD = "tres-Secret-42"
USER = "adhesions@mila.fr"


class EchoingServer(SmtpServer):
    """Refuses every login, quoting what it received: the password and the AUTH PLAIN string."""

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
        return AuthResult(
            success=False, handled=False, message=f"535 5.7.8 refused {mechanism} {PASSWORD} {plain}"
        )


@pytest.fixture
def echoing() -> Any:
    server = EchoingServer(users={USER: "autre"}).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_forms_of_a_password_are_all_masked():
    """As typed, and base64 as AUTH PLAIN and AUTH LOGIN send it."""
    forms = secret_forms(USER, PASSWORD)
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    login = base64.b64encode(PASSWORD.encode()).decode()
    text = redact(f"535 {PASSWORD} {plain} {login}", forms)
    assert PASSWORD not in text and plain not in text and login not in text
    assert text.count("[secret masqué]") == 3


def test_a_password_echoed_by_the_server_is_masked_everywhere(echoing, tmp_path, monkeypatch, capsys):
    """The summary's sending fails on the refused login: its message, the log, the state and
    the Journal say why, without the password."""
    monkeypatch.setenv("MILA_SMTP_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)
    book = XlsxBook(
        tmp_path,
        {
            "Membres": [
                ["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le"],
                ["M0001", "Studio Nord", "Marc Petit", "pas-une-adresse", "bénéficiaire", "10/01/2024"],
            ]
        },
    )
    config = tmp_path / "mila.toml"
    config.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {echoing.port}\nsecurity = "none"\nuser = "{USER}"\n'
        f'from = "{USER}"\n\n[digest]\nto = ["equipe@mila.fr"]\n\n[log]\ndir = "{tmp_path / "logs"}"\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    code = main(
        [
            "resume",
            "--classeur",
            str(book.path),
            "--config",
            str(config),
            "--date",
            dt.date(2026, 11, 23).isoformat(),
        ],
        out=out,
    )
    screen = out.getvalue() + capsys.readouterr().err
    assert code != 0
    assert "535" in screen and "[secret masqué]" in screen
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    wb = load_workbook(book.path, read_only=True)
    journal = " ".join(str(v) for line in wb["Journal"].iter_rows(values_only=True) for v in line if v)
    wb.close()
    assert "[secret masqué]" in journal
    places = {"écran": screen, "Journal": journal}
    places |= {
        str(p): p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.suffix in (".log", ".json")
    }
    assert any(name.endswith("mila.log") for name in places)
    for where, text in places.items():
        assert PASSWORD not in text and plain not in text, where


def test_the_log_masks_the_addresses_and_phones_of_people(tmp_path):
    """mila.log names members by ID: a person's address or phone in a line is masked, the
    association's own address (the sender) kept."""
    import logging

    from automations.logs import close_logging, setup_logging

    path = setup_logging(tmp_path, keep=["adhesions@mila.fr"])
    try:
        logging.getLogger("automations.test").warning(
            "M0003 refused: 550 <jeanne@dupont.fr> unknown; call 07 11 22 33 44 or +33 6 12 34 56 78; "
            "sent by adhesions@mila.fr; SIRET 683 721 419 00110"
        )
    finally:
        close_logging()
    text = path.read_text(encoding="utf-8")
    assert "jeanne@dupont.fr" not in text and "07 11 22 33 44" not in text and "6 12 34 56 78" not in text
    assert "M0003" in text and "adhesions@mila.fr" in text and "683 721 419 00110" in text
    assert text.count("[adresse masquée]") == 1 and text.count("[téléphone masqué]") == 2
