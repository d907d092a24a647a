"""The Google Sheets backend, through the emulator: few requests, retries, clear errors."""

from __future__ import annotations

import functools
import json
import logging
import socket
from pathlib import Path

import pytest
import requests
from conftest import FAST_RETRY
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gspread.exceptions import APIError

from automations.errors import (
    AccessDenied,
    CredentialsError,
    WorkbookError,
    WorkbookNotFound,
    WorkbookUnavailable,
)
from automations.logs import NOTICES
from automations.workbook import CellUpdate, Workbook
from automations.workbook.google import (
    GoogleBackend,
    RetryPolicy,
    retry_delay,
    retry_notice,
    spreadsheet_key,
)

TABS = ("Membres", "Locaux", "Occupations", "Réservations", "Événements", "Inscriptions", "Tarifs")


def big_workbook(rows: int) -> dict[str, list[list[object]]]:
    header: list[object] = ["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le", "Statut"]
    tabs: dict[str, list[list[object]]] = {
        "Membres": [header]
        + [
            [f"M{i:04d}", f"S{i}", f"C{i}", f"m{i}@x.fr", "bénéficiaire", 45000 + i, None]
            for i in range(1, rows + 1)
        ]
    }
    for tab in TABS[1:]:
        tabs[tab] = [["ID", "Nom"], ["X1", "x"]]
    return tabs


@functools.cache
def rsa_key(name: str = "compte") -> rsa.RSAPrivateKey:
    """A real 2048-bit RSA key per name, made once per process (each costs ~0.1 s of CPU)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account_key(folder: Path, emulator, email: str) -> Path:
    """A real RSA key in Google's JSON shape, whose public half the emulator knows."""
    private = rsa_key()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    emulator.register_service_account(email, public)
    info = {
        "type": "service_account",
        "project_id": "mila-test",
        "private_key_id": "k1",
        "private_key": pem,
        "client_email": email,
        "client_id": "1",
        "token_uri": emulator.token_uri,
    }
    path = folder / "key.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    return path


@pytest.fixture
def sheet(emulator, request):
    key = f"g-{request.node.name}"[:90]
    emulator.create_spreadsheet(key, sheets=big_workbook(50))
    emulator.reset_requests()
    return key


def api_error(status: int, retry_after: str | None = None) -> APIError:
    """Google's error answer for ``status``, as gspread raises it."""
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"error": {"code": status, "message": "x", "status": "X"}}).encode()
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return APIError(response)


def api_calls(emulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emulator.requests]


def open_book(emulator, key, **kw) -> Workbook:
    kw.setdefault("retry", FAST_RETRY)
    return Workbook(GoogleBackend(key, emulator_host=emulator.address, **kw))


class TestFewRequests:
    @pytest.mark.parametrize("rows", [100, 10_000])
    def test_reading_every_tab_costs_two_requests_whatever_the_size(self, emulator, rows):
        """Metadata plus one values:batchGet, at 100 rows as at 10,000."""
        key = f"size-{rows}"
        emulator.create_spreadsheet(key, sheets=big_workbook(rows))
        emulator.reset_requests()
        tables = open_book(emulator, key).read()
        assert len(tables["Membres"]) == rows
        calls = api_calls(emulator)
        assert len(calls) == 2
        assert calls[1].endswith("values:batchGet")

    def test_a_write_costs_one_read_of_the_ids_and_one_batch_update(self, emulator, sheet):
        """Writing many cells is one values:batchGet then one values:batchUpdate."""
        wb = open_book(emulator, sheet)
        wb.read()
        emulator.reset_requests()
        wb.write([CellUpdate("Membres", f"M{i:04d}", "Statut", "à jour") for i in range(1, 51)])
        calls = api_calls(emulator)
        assert len(calls) == 2
        assert calls[0].endswith("values:batchGet") and calls[1].endswith("values:batchUpdate")

    def test_a_write_with_nothing_to_change_costs_no_request(self, emulator, sheet):
        """Writing what the sheet already holds sends nothing at all."""
        updates = [CellUpdate("Membres", "M0001", "Statut", "à jour")]
        wb = open_book(emulator, sheet)
        wb.read()
        wb.write(updates)
        again = open_book(emulator, sheet)
        again.read()
        emulator.reset_requests()
        assert again.write(updates).cells_written == 0
        assert api_calls(emulator) == []


class TestRetries:
    def test_five_quota_errors_then_success_reads_normally(self, emulator, sheet):
        """Five 429 answers in a row are waited out and the read succeeds."""
        wb = open_book(emulator, sheet)
        emulator.fail_next(429, count=5)
        assert len(wb.read()["Membres"]) == 50

    def test_retry_after_sets_the_delay_up_to_the_longest_wait(self):
        """Google's Retry-After is the delay the retry hook returns, capped at the policy's wait_max."""
        policy = RetryPolicy()
        assert retry_delay(api_error(429, retry_after="4"), policy) == 4.0
        assert retry_delay(api_error(429, retry_after="600"), policy) == policy.wait_max
        assert retry_delay(api_error(503), policy) is True
        assert retry_delay(api_error(404), policy) is False

    def test_the_emulators_retry_after_reaches_the_hook(self, emulator, sheet, caplog):
        """A 429 with « Retry-After » makes stamina's hook wait what Google asked (capped), not the backoff."""
        caplog.set_level(logging.INFO, logger="automations.workbook.google")
        policy = RetryPolicy(attempts=4, timeout=5, wait_initial=0.001, wait_max=0.02, wait_jitter=0)
        wb = open_book(emulator, sheet, retry=policy)
        emulator.fail_next(429, count=2, retry_after=1)
        emulator.fail_next(503, count=1)
        wb.read()
        waits = [r.retry_wait for r in caplog.records if hasattr(r, "retry_wait")]
        assert waits == pytest.approx([0.02, 0.02, 0.004])

    def test_each_retry_shows_one_french_line_and_no_english(self, emulator, sheet, caplog):
        """Two 503 answers: two French notices (« nouvel essai … (2/6) », « (3/6) »); the English
        details stay in the local log's records, at INFO, never on the notices channel."""
        caplog.set_level(logging.INFO, logger="automations")
        wb = open_book(
            emulator,
            sheet,
            retry=RetryPolicy(attempts=6, timeout=5, wait_initial=0.001, wait_max=0.01, wait_jitter=0),
        )
        emulator.fail_next(503, count=2)
        wb.read()
        notices = [r.getMessage() for r in caplog.records if r.name == NOTICES]
        assert notices == [
            "Google Sheets ne répond pas (erreur 503) : nouvel essai dans moins d'une seconde (2/6)…",
            "Google Sheets ne répond pas (erreur 503) : nouvel essai dans moins d'une seconde (3/6)…",
        ]
        details = [r for r in caplog.records if r.name == "automations.workbook.google"]
        assert len(details) == 2 and all(r.levelno == logging.INFO for r in details)
        assert not [r for r in caplog.records if r.name.startswith("stamina")]

    def test_the_french_line_says_the_wait_in_seconds(self):
        """Waits of a second or more are said in whole seconds, with the attempt to come."""
        assert retry_notice(api_error(503), 4.2, 2, 6) == (
            "Google Sheets ne répond pas (erreur 503) : nouvel essai dans 4 s (2/6)…"
        )
        assert retry_notice(api_error(429), 12, 3, 6).startswith("Google Sheets demande de ralentir")
        assert retry_notice(requests.ConnectionError(), 2, 2, 6).startswith("Google Sheets est injoignable")

    def test_an_outage_beyond_the_budget_fails_cleanly_with_nothing_written(self, emulator, sheet):
        """When every write attempt gets 503, the job stops with a French message and no cell changed."""
        wb = open_book(
            emulator,
            sheet,
            retry=RetryPolicy(attempts=3, timeout=5, wait_initial=0.01, wait_max=0.02, wait_jitter=0),
        )
        wb.read()
        before = emulator.grid(sheet, "Membres")
        emulator.fail_next(503, count=3, match="values:batchUpdate")
        with pytest.raises(WorkbookUnavailable, match="plusieurs reprises"):
            wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        assert emulator.grid(sheet, "Membres") == before
        assert wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")]).cells_written == 1

    def test_an_unreachable_network_is_explained(self):
        """A refused connection ends, after retries, in « injoignable »."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        policy = RetryPolicy(attempts=2, timeout=2, wait_initial=0.01, wait_max=0.01, wait_jitter=0)
        with pytest.raises(WorkbookUnavailable, match="injoignable"):
            GoogleBackend("abc", emulator_host=f"127.0.0.1:{port}", retry=policy)


class TestErrors:
    def test_an_unknown_spreadsheet_is_not_found(self, emulator):
        """A 404 names the key and where it came from."""
        with pytest.raises(WorkbookNotFound, match="introuvable.*--feuille"):
            open_book(emulator, "no-such-sheet")

    def test_a_sheet_not_shared_names_the_service_account_to_share_with(self, emulator, tmp_path):
        """A 403 prints the service account's email and says to share the sheet as editor."""
        emulator.create_spreadsheet("private-sheet", sheets={"Membres": [["ID"]]})
        emulator.share("private-sheet", "someone-else@example.iam.gserviceaccount.com")
        key = service_account_key(tmp_path, emulator, "mila-bot@mila-test.iam.gserviceaccount.com")
        with pytest.raises(AccessDenied) as info:
            open_book(emulator, "private-sheet", credentials_path=key)
        assert "mila-bot@mila-test.iam.gserviceaccount.com" in info.value.message
        assert "éditeur" in info.value.message

    def test_a_real_signed_key_goes_through_the_token_flow(self, emulator, tmp_path):
        """A generated service-account key gets a token by a signed JWT and reads the shared sheet."""
        emulator.create_spreadsheet("shared-sheet", sheets={"Membres": [["ID", "Structure"], ["M1", "A"]]})
        emulator.share("shared-sheet", "reader@mila-test.iam.gserviceaccount.com")
        key = service_account_key(tmp_path, emulator, "reader@mila-test.iam.gserviceaccount.com")
        emulator.reset_requests()
        tables = open_book(emulator, "shared-sheet", credentials_path=key).read()
        assert tables["Membres"].rows[0].id == "M1"

    def test_a_key_the_emulator_does_not_know_is_refused(self, emulator, tmp_path):
        """A key whose signature Google cannot check ends in a French credentials error."""
        key = service_account_key(tmp_path, emulator, "ghost@mila-test.iam.gserviceaccount.com")
        info = json.loads(key.read_text())
        other = rsa_key("inconnue")
        info["private_key"] = other.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        key.write_text(json.dumps(info))
        emulator.create_spreadsheet("any-sheet", sheets={"Membres": [["ID"]]})
        with pytest.raises(CredentialsError, match="refusé la clé"):
            open_book(emulator, "any-sheet", credentials_path=key)

    def test_a_tab_renamed_while_running_is_explained(self, emulator, sheet):
        """Google's 400 for a tab that no longer exists becomes a French message, not a traceback."""
        wb = open_book(emulator, sheet)
        emulator.rename_tab(sheet, "Locaux", "Locaux 2025")
        with pytest.raises(WorkbookError, match="renommé"):
            wb.read()

    def test_a_missing_key_file_is_named(self, emulator, tmp_path):
        """A key path that does not exist is named with where it was configured."""
        with pytest.raises(CredentialsError, match="introuvable.*GOOGLE_APPLICATION_CREDENTIALS"):
            open_book(emulator, "x", credentials_path=tmp_path / "absent.json")

    def test_a_file_that_is_not_a_key_is_refused(self, emulator, tmp_path):
        """A JSON file that is not a service-account key says to download a new one."""
        bad = tmp_path / "key.json"
        bad.write_text('{"hello": "world"}')
        with pytest.raises(CredentialsError, match="pas une clé de compte de service"):
            open_book(emulator, "x", credentials_path=bad)

    def test_without_the_emulator_a_key_is_required(self):
        """Outside the emulator, no key means a message pointing to the configuration."""
        with pytest.raises(CredentialsError, match="GOOGLE_APPLICATION_CREDENTIALS"):
            GoogleBackend("abc")


class TestSpreadsheetKey:
    def test_a_full_url_gives_the_key(self):
        """The address copied from the browser works as well as the key."""
        url = "https://docs.google.com/spreadsheets/d/1AbC-dEf_123/edit#gid=0"
        assert spreadsheet_key(url) == "1AbC-dEf_123"
        assert spreadsheet_key(" 1AbC-dEf_123 ") == "1AbC-dEf_123"

    def test_the_sheet_is_opened_by_its_url(self, emulator, sheet):
        """--feuille accepts the browser's address."""
        wb = open_book(emulator, f"https://docs.google.com/spreadsheets/d/{sheet}/edit")
        assert "Membres" in wb.tabs()
