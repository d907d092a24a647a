"""`mila diagnostic`: the read-only first-run checklist, and what it relies on."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FAST_RETRY, first_sheet
from openpyxl import Workbook as OpenpyxlWorkbook
from test_google_backend import service_account_key
from test_mail import SmtpServer

from automations import schema
from automations.cli import main
from automations.config import build_settings
from automations.errors import AccessDenied
from automations.jobs.diagnostic import TO_FIX, Diagnosis, check_python, run_diagnostic, writable_folder
from automations.workbook import Workbook, open_workbook
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


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(users={"contact@mila.fr": "bon-mot-de-passe"}).start()
    yield server
    server.stop()


STAFF_SETTINGS = (
    '[digest]\nto = ["equipe@mila.fr"]\n[renewals]\npayment_instructions = "Par chèque à l\'ordre du MILA."\n'
)


def configure(folder: Path, port: int, password: str = "bon-mot-de-passe") -> None:
    (folder / "smtp.txt").write_text(password, encoding="utf-8")
    (folder / "mila.toml").write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "contact@mila.fr"\n'
        'password_file = "smtp.txt"\nfrom = "contact@mila.fr"\n' + STAFF_SETTINGS,
        encoding="utf-8",
    )


class TestDiagnosticCommand:
    @pytest.fixture(autouse=True)
    def in_tmp(self, tmp_path, monkeypatch):
        """Each command runs from its own empty folder, with no MILA_* set."""
        monkeypatch.chdir(tmp_path)
        for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST"):
            monkeypatch.delenv(name, raising=False)

    def test_a_ready_installation_passes_and_nothing_changes(self, demo, tmp_path, smtp):
        """Demo workbook and a real SMTP login: exit 0, every line OK or a note, no file written,
        no folder made, no message sent."""
        configure(tmp_path, smtp.port)
        before = snapshot(tmp_path)
        code, out = run("diagnostic", "--classeur", str(demo))
        assert code == 0, out
        assert "À CORRIGER" not in out and "Tout est prêt" in out
        assert "connexion et identification réussies (aucun message envoyé)" in out
        assert "Colonnes du classeur — toutes les colonnes obligatoires sont là" in out
        assert snapshot(tmp_path) == before and smtp.messages == []
        assert not any((tmp_path / name).exists() for name in ("out", "apercus", "logs", "state"))

    def test_no_mail_server_is_a_point_to_fix(self, demo, tmp_path):
        """Without [mail] host the checklist says the mails stay previews and how to set the server; exit 1."""
        (tmp_path / "mila.toml").write_text(STAFF_SETTINGS, encoding="utf-8")
        code, out = run("diagnostic", "--classeur", str(demo))
        assert code == 1
        assert "À CORRIGER Serveur d'envoi des courriels — aucun serveur configuré" in out
        assert "MILA_SMTP_HOST" in out and "1 point(s) à corriger" in out

    def test_a_refused_login_is_explained_without_the_password(self, demo, tmp_path, smtp):
        """A wrong password: the mail line says the server refused the login; the password is nowhere."""
        configure(tmp_path, smtp.port, password="mauvais-secret")
        code, out = run("diagnostic", "--classeur", str(demo))
        assert code == 1 and "refuse l'identifiant « contact@mila.fr »" in out
        assert "mauvais-secret" not in out and smtp.messages == []

    def test_no_summary_recipient_and_no_way_to_pay_are_points_to_fix(self, demo, tmp_path, smtp):
        """A first installation that forgot [digest] to and how to pay: two lines say what to add."""
        configure(tmp_path, smtp.port)
        config = tmp_path / "mila.toml"
        config.write_text(config.read_text(encoding="utf-8").replace(STAFF_SETTINGS, ""), encoding="utf-8")
        code, out = run("diagnostic", "--classeur", str(demo))
        assert code == 1 and "2 point(s) à corriger" in out
        assert "Résumé quotidien — personne ne le reçoit" in out and "[digest]" in out
        assert (
            "Moyens de paiement des relances — les relances ne disent pas" in out
            and "payment_instructions" in out
        )
        configure(tmp_path, smtp.port)
        code, out = run("diagnostic", "--classeur", str(demo))
        assert code == 0 and "Résumé quotidien — envoyé à equipe@mila.fr" in out

    def test_a_bad_setting_is_reported_in_the_checklist(self, tmp_path):
        """A wrong value in mila.toml is one line to fix, in French, not a traceback."""
        (tmp_path / "mila.toml").write_text(
            '[schedule]\nlock_wait_seconds = "une minute"\n', encoding="utf-8"
        )
        code, out = run("diagnostic", "--classeur", "absent.xlsx")
        assert code == 1
        assert "À CORRIGER Configuration" in out and "lock_wait_seconds" in out and "Traceback" not in out

    def test_a_missing_required_column_and_a_missing_file_are_named(self, tmp_path):
        """A Membres tab without Email: the columns line names it; an absent file: the workbook line says so."""
        path = tmp_path / "classeur.xlsx"
        book = OpenpyxlWorkbook()
        sheet = first_sheet(book)
        sheet.title = "Membres"
        sheet.append(["ID", "Structure", "Contact", "Catégorie", "Adhésion le"])
        book.save(path)
        code, out = run("diagnostic", "--classeur", str(path))
        assert code == 1 and "onglet « Membres » : colonne(s) obligatoire(s) absente(s) : Email" in out
        code, out = run("diagnostic", "--classeur", str(tmp_path / "absent.xlsx"))
        assert code == 1 and "À CORRIGER Classeur" in out and "introuvable" in out

    def test_json_lists_every_check(self, demo):
        """--json gives ok and one entry per check with its status."""
        code, out = run("diagnostic", "--classeur", str(demo), "--json")
        data = json.loads(out)
        assert code == 1 and data["ok"] is False
        assert {c["label"] for c in data["checks"]} >= {"Python", "Configuration", "Classeur", "Modèles Word"}


class TestChecks:
    def test_an_old_python_is_a_point_to_fix(self):
        """Python 3.10 is refused with the version needed; 3.11 passes."""
        old, new = Diagnosis(), Diagnosis()
        check_python(old, (3, 10))
        check_python(new, (3, 11))
        assert not old.ok and "3.11 ou plus récent" in old.checks[0].detail and new.ok

    def test_a_folder_path_through_a_file_cannot_receive_documents(self, tmp_path):
        """A folder not yet made is fine under a writable parent; one under a plain file is not."""
        (tmp_path / "fichier").write_text("x")
        assert writable_folder(tmp_path / "a" / "b") is None
        assert "n'est pas un dossier" in (writable_folder(tmp_path / "fichier" / "out") or "")

    def test_a_reader_account_is_told_to_ask_for_editor(self, emulator, tmp_path):
        """On Google, a sheet shared as reader gives the line to fix: share as Éditeur."""
        emulator.create_spreadsheet(
            "diag-reader",
            sheets={"Membres": [["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le"]]},
        )
        emulator.share("diag-reader", BOT, role="reader")
        key = service_account_key(tmp_path, emulator, BOT)
        settings = build_settings(
            {
                "workbook": {
                    "sheet": "diag-reader",
                    "credentials": str(key),
                    "emulator_host": emulator.address,
                    "retry": {"attempts": 2, "wait_initial": 0.01, "wait_max": 0.01},
                }
            },
            env={},
            base=tmp_path,
        )
        diagnosis = run_diagnostic(settings, open_book=open_workbook, connect=lambda mail: None)
        [line] = [c for c in diagnosis.checks if c.label == "Droit de modifier le classeur"]
        assert line.status == TO_FIX and "Éditeur" in line.detail
