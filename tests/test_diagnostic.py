"""`mila diagnostic`: the read-only first-run checklist, and what it relies on."""

from __future__ import annotations

import pytest
from conftest import FAST_RETRY
from test_google_backend import service_account_key

from automations import schema
from automations.errors import AccessDenied
from automations.workbook import Workbook
from automations.workbook.google import GoogleBackend

BOT = "mila-bot@mila-test.iam.gserviceaccount.com"


def backend(emulator, key: str, credentials) -> GoogleBackend:
    return GoogleBackend(key, emulator_host=emulator.address, credentials_path=credentials, retry=FAST_RETRY)


class TestEditorRole:
    @pytest.mark.parametrize(("role", "expected"), [("writer", True), ("reader", False)])
    def test_drive_says_whether_the_account_may_edit(self, emulator, tmp_path, role, expected):
        """Drive's capabilities.canEdit tells an editor from a reader, with one read request."""
        sheet = f"role-{role}"
        emulator.create_spreadsheet(sheet, sheets={"Membres": [["ID"], ["M0001"]]})
        emulator.share(sheet, BOT, role=role)
        found = backend(emulator, sheet, service_account_key(tmp_path, emulator, BOT))
        emulator.reset_requests()
        assert found.can_edit() is expected
        assert [(r.method, r.path) for r in emulator.requests] == [("GET", f"/drive/v3/files/{sheet}")]

    def test_a_reader_cannot_write_and_is_told_to_ask_for_editor(self, emulator, tmp_path):
        """A write by a reader is refused as Google does, with the French advice to share as editor."""
        journal = [["Date", "Tâche", "Résultat", "Détails"]]
        emulator.create_spreadsheet("read-only", sheets={"Journal": journal})
        emulator.share("read-only", BOT, role="reader")
        book = Workbook(backend(emulator, "read-only", service_account_key(tmp_path, emulator, BOT)))
        line = {"Date": "01/12/2026 09:00", "Tâche": "sync", "Résultat": "succès", "Détails": "essai"}
        with pytest.raises(AccessDenied, match="éditeur"):
            book.append_rows(schema.JOURNAL, [line])
        assert emulator.grid("read-only", "Journal") == journal
