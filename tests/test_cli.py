"""The `mila` command: French output, documented exit codes, no traceback."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import first_sheet
from openpyxl import Workbook as OpenpyxlWorkbook

from automations.cli import build_parser, main
from automations.cli.options import FORMER_NAMES

ROOT = Path(__file__).resolve().parents[1]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def small_xlsx(path: Path, header: list[str] | None = None) -> Path:
    wb = OpenpyxlWorkbook()
    ws = first_sheet(wb)
    ws.title = "Membres"
    ws.append(header or ["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le", "Notes"])
    ws.append(["M0001", "Alpha", "Ana", "ana@alpha.fr", "membre de droit", "01/01/2020", "x"])
    wb.create_sheet("Brouillon")
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Each command runs from an empty folder (its logs/ lands there) with no MILA_* set."""
    monkeypatch.chdir(tmp_path)
    for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)


class TestTabs:
    def test_tabs_lists_rows_and_columns(self, tmp_path):
        """Each tab with its row count, recognised and other columns, and missing contract tabs."""
        code, out = run("onglets", "--classeur", str(small_xlsx(tmp_path / "c.xlsx")))
        assert code == 0
        assert "Membres — 1 ligne(s)" in out
        assert "autres colonnes (jamais modifiées) : Notes" in out
        assert "Brouillon — onglet hors contrat" in out
        assert "Onglets du contrat absents" in out and "Tarifs" in out

    def test_a_missing_required_column_exits_1(self, tmp_path):
        """Without « Email », tabs says so and exits 1."""
        path = small_xlsx(tmp_path / "c.xlsx", ["ID", "Structure", "Contact", "Catégorie", "Adhésion le"])
        code, out = run("onglets", "--classeur", str(path))
        assert code == 1 and "colonnes obligatoires manquantes : Email" in out

    def test_tabs_json(self, tmp_path):
        """--json lists every tab with its columns."""
        code, out = run("onglets", "--classeur", str(small_xlsx(tmp_path / "c.xlsx")), "--json")
        data = json.loads(out)
        assert code == 0 and data["ok"] and data["tabs"][0]["contract"] == "Membres"


class TestErrors:
    def test_a_missing_file_exits_2_in_french_without_traceback(self, tmp_path, capsys):
        """The message names the file and how to fix it; no Python traceback."""
        code, _ = run("verifier", "--classeur", str(tmp_path / "absent.xlsx"))
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith("Erreur : Le fichier") and "introuvable" in err
        assert "Traceback" not in err

    def test_a_bad_date_option_is_refused_in_french(self, capsys):
        """--today 23/11/2026 is refused with the expected form."""
        with pytest.raises(SystemExit) as exit_info:
            main(["verifier", "--date", "23/11/2026"])
        assert exit_info.value.code == 2
        assert "AAAA-MM-JJ" in capsys.readouterr().err

    def test_a_file_and_a_sheet_together_are_refused(self, tmp_path, capsys):
        """Giving both --workbook and --sheet asks to choose one."""
        code, _ = run("onglets", "--classeur", str(tmp_path / "a.xlsx"), "--feuille", "abc")
        assert code == 2 and "Choisissez l'un des deux" in capsys.readouterr().err

    def test_no_workbook_at_all_says_how_to_give_one(self, capsys):
        """Without any workbook, the message names --workbook, --sheet and the variables."""
        code, _ = run("verifier")
        err = capsys.readouterr().err
        assert code == 2 and "--classeur" in err and "MILA_SHEET" in err


class TestDemoCommand:
    @pytest.mark.slow
    def test_demo_writes_the_same_workbook_as_the_builder(self, demo_built, tmp_path):
        """`mila demo` writes the seed-2024 demo: every part of the file (each tab's cells, styles,
        validations…) is byte for byte the tests' copy, but the time it was saved at."""
        import zipfile

        path = tmp_path / "mine.xlsx"
        code, out = run("demo", str(path), "--date", "2026-11-23")
        assert code == 0 and "mine.xlsx" in out
        # The parts compared as bytes: stricter than the cells read back, a fraction of their time.
        with zipfile.ZipFile(path) as made, zipfile.ZipFile(demo_built[0]) as reference:
            assert made.namelist() == reference.namelist()
            assert "xl/worksheets/sheet1.xml" in made.namelist()
            for name in reference.namelist():
                if name != "docProps/core.xml":  # its creation and modification times
                    assert made.read(name) == reference.read(name), name


class TestCheckAndSync:
    def test_check_exits_1_on_the_demo_errors_and_lists_them(self, demo):
        """The demo's planted mistakes are listed by tab with row and ID; exit code 1."""
        code, out = run("verifier", "--classeur", str(demo), "--date", "2026-11-23")
        assert code == 1
        assert "Membres —" in out and re.search(r"ligne \d+ \(M\d{4}\) \[erreur\]", out)
        assert "Total :" in out

    def test_check_json(self, demo):
        """--json is valid JSON with the counts and the anomalies."""
        code, out = run("verifier", "--classeur", str(demo), "--date", "2026-11-23", "--json")
        data = json.loads(out)
        assert code == 1 and data["errors"] == len([a for a in data["anomalies"] if a["severity"] == "error"])

    def test_sync_then_sync_again_on_the_demo(self, demo_synced_built, tmp_path):
        """The README's first command: a first sync writes, a second one has nothing to do;
        each run leaves a line in logs/mila.log, even the one that changes nothing. (The first
        run is the session's: ``mila synchroniser --json`` with an empty mila.toml beside the
        demo, whose folder, logs included, is copied here for the second.)"""
        import shutil

        folder = tmp_path / "demo"
        shutil.copytree(demo_synced_built.parent, folder)
        first = json.loads((folder / "sync.json").read_text(encoding="utf-8"))
        assert first["ids_assigned"] == 1 and first["cells_written"] > 100
        assert {"ids_assigned", "cells_written", "errors", "warnings"} <= set(first)
        options = ("--config", str(folder / "mila.toml"), "--classeur", str(folder / "demo.xlsx"))
        code, out = run("synchroniser", *options, "--date", "2026-11-23")
        assert code == 0 and "Rien à changer" in out
        lines = (folder / "logs" / "mila.log").read_text(encoding="utf-8").splitlines()
        runs = [line for line in lines if "automations.runner: sync:" in line]
        assert len(runs) == 2 and "rien à faire" in runs[1]

    def test_dry_run_prints_changes_in_french(self, demo):
        """--dry-run lists cells with before → after in French formats and writes nothing."""
        before = demo.read_bytes()
        code, out = run("synchroniser", "--classeur", str(demo), "--date", "2026-11-23", "--simulation")
        assert code == 0 and "rien n'est écrit" in out
        assert re.search(r"« Cotisation HT » : \(vide\) → « \d+ €", out)
        assert demo.read_bytes() == before


class TestOtherJobs:
    def test_renewals_dry_run_writes_previews_and_leaves_the_workbook_alone(self, demo, tmp_path):
        """`mila renewals --dry-run` lists who would get what, with the amounts, writes the previews,
        and leaves the workbook file byte for byte as it was."""
        before = demo.read_bytes()
        code, out = run("relances", "--classeur", str(demo), "--date", "2026-11-23", "--simulation")
        previews = sorted((tmp_path / "apercus").iterdir())
        assert (
            code == 0
            and previews
            and f"Relances dues aujourd'hui, écrites en aperçu : {len(previews)}" in out
        )
        assert re.search(r"— renouvellement J-\d+ — \d[\d\u202f ]*(,\d\d)? €", out)
        assert f"Aperçus écrits dans « {tmp_path / 'apercus'} »" in out and "rien ne part" in out
        assert demo.read_bytes() == before

    @pytest.mark.slow
    def test_renewals_without_server_then_with_one_sends_each_reminder_once(self, demo, tmp_path):
        """Two runs without server write previews and record nothing; the run once a server is
        configured sends every reminder, one message per member, and the next run sends nothing."""
        from test_mail import SmtpServer

        for _ in range(2):
            code, out = run("relances", "--classeur", str(demo), "--date", "2026-11-23")
            due = len(list((tmp_path / "apercus").iterdir()))
            assert code == 0 and due > 0
            assert f"Aucun serveur d'envoi configuré : {due} message(s) écrit(s) en aperçu dans « " in out
            assert (
                "rien n'est parti. Pour envoyer, renseignez [mail] host" in out
                and "(voir docs/mail.md)" in out
            )
            assert not re.search(r"(?<!non )envoyé", out, re.IGNORECASE)
        _, tabs = run("onglets", "--classeur", str(demo))
        assert "Relances — 1 ligne(s)" in tabs  # the demo's one reminder of an unpaid invoice: nothing added
        server = SmtpServer().start()
        try:
            (tmp_path / "mila.toml").write_text(
                f'[mail]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
                'from = "adhesions@mila.fr"\nsending_starts_on = true\n',
                encoding="utf-8",
            )
            code, out = run("relances", "--classeur", str(demo), "--date", "2026-11-23")
            assert code == 0 and f"Relances envoyées : {due}" in out
            recipients = [rcpt for _, rcpts, _ in server.messages for rcpt in rcpts]
            assert len(recipients) == due == len(set(recipients))
            code, out = run("relances", "--classeur", str(demo), "--date", "2026-11-23")
            assert "Aucune relance due aujourd'hui." in out and len(server.messages) == due
        finally:
            server.stop()
        _, tabs = run("onglets", "--classeur", str(demo))
        assert (
            f"Relances — {2 * due + 1} ligne(s)" in tabs
        )  # « en cours » then « envoyée », from the real run only (after the demo's one row)

    @pytest.mark.slow
    def test_documents_calendars_and_report_are_written(self, demo, tmp_path):
        """Conventions, the annual report and the calendars land in their folders."""
        # No LibreOffice layout pass for the report's contents (test_report_document makes one).
        (tmp_path / "mila.toml").write_text('[documents]\nsoffice = "pas-de-libreoffice"\n', encoding="utf-8")
        code, out = run("docs", "conventions", "--classeur", str(demo), "--date", "2026-11-23")
        assert code == 0 and "Documents produits" in out
        assert list((tmp_path / "out").glob("Convention_C*.docx"))
        code, out = run("docs", "rapport", "--classeur", str(demo), "--annee", "2025", "--date", "2026-11-23")
        assert code == 0 and (tmp_path / "out" / "Rapport_activite_2025.docx").is_file()
        code, out = run("calendrier", "--classeur", str(demo), "--dossier", str(tmp_path / "cal"))
        assert code == 0 and (tmp_path / "cal" / "programme.ics").is_file()

    def test_a_year_without_data_is_explained(self, demo, capsys):
        """`mila docs rapport --year 2015` says there is no data for that year, exit 2."""
        code, _ = run("docs", "rapport", "--classeur", str(demo), "--annee", "2015", "--date", "2026-11-23")
        assert code == 2 and "Aucune donnée pour 2015" in capsys.readouterr().err


class TestGooglePath:
    @pytest.mark.slow
    def test_the_emulator_command_serves_a_copy_that_mila_can_read(self, demo):
        """`mila emulator --from demo.xlsx` prints where it listens; `mila tabs --sheet` reads through it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MILA_", "SHEETS_EMULATOR"))}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "automations.cli",
                "emulateur",
                "--classeur",
                str(demo),
                "--port",
                "0",
                "--cle",
                "demo",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=demo.parent,
        )
        try:
            assert server.stdout is not None
            first = server.stdout.readline()
            address = re.search(r"http://([\d.]+:\d+)", first)
            assert address, first
            env["SHEETS_EMULATOR_HOST"] = address.group(1)
            done = subprocess.run(
                [sys.executable, "-m", "automations.cli", "onglets", "--feuille", "demo"],
                capture_output=True,
                text=True,
                env=env,
                cwd=demo.parent,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
            _, local = run("onglets", "--classeur", str(demo))
            members = re.search(r"Membres — \d+ ligne\(s\)", local)
            assert members and members.group(0) in done.stdout
            assert "feuille Google Sheets « demo »" in done.stdout
        finally:
            server.terminate()
            server.communicate(timeout=10)

    def test_retries_show_one_french_line_each_and_the_log_keeps_the_details(
        self, emulator, tmp_path, monkeypatch, capsys
    ):
        """While Google answers 503, stderr shows one French line per new attempt and no English;
        mila.log keeps the details, stamped in Paris time with the offset."""
        key = "cli-retries"
        header = ["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le"]
        emulator.create_spreadsheet(key, sheets={"Membres": [header, ["M0001", "Alpha"]]})
        (tmp_path / "mila.toml").write_text(
            "[workbook.retry]\nattempts = 6\ntimeout = 5\nwait_initial = 0.001\n"
            "wait_max = 0.01\nwait_jitter = 0\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("SHEETS_EMULATOR_HOST", emulator.address)
        emulator.fail_next(503, count=3)
        code, out = run("onglets", "--feuille", key)
        err = capsys.readouterr().err
        assert code == 0 and "Membres — 1 ligne(s)" in out
        assert err.splitlines() == [
            f"Google Sheets ne répond pas (erreur 503) : nouvel essai dans moins d'une seconde ({n}/6)…"
            for n in (2, 3, 4)
        ]
        log = (tmp_path / "logs" / "mila.log").read_text(encoding="utf-8")
        assert log.count("retry ") == 3 and "APIError" in log
        assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \+0[12]00 ", log, re.MULTILINE)


class TestMailCheck:
    def config(self, folder: Path, port: int, password: str) -> None:
        (folder / "smtp.txt").write_text(password, encoding="utf-8")
        (folder / "mila.toml").write_text(
            f'[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "contact@mila.fr"\n'
            'password_file = "smtp.txt"\nfrom = "contact@mila.fr"\n',
            encoding="utf-8",
        )

    def test_the_test_message_reaches_the_address_given(self, tmp_path):
        """`mila courriel-test ADRESSE` logs in and sends one message to ADRESSE; exit 0."""
        from test_mail import SmtpServer

        server = SmtpServer(users={"contact@mila.fr": "bon-mot-de-passe"}).start()
        try:
            self.config(tmp_path, server.port, "bon-mot-de-passe")
            code, out = run("courriel-test", "moi@mila.fr")
        finally:
            server.stop()
        assert code == 0 and [rcpt for _, rcpt, _ in server.messages] == [["moi@mila.fr"]]
        assert (
            "Connexion et identification réussies" in out and "Message d'essai parti pour moi@mila.fr" in out
        )

    def test_a_wrong_password_is_explained_without_showing_it(self, tmp_path, capsys):
        """A refused login: a French error (exit 2), no traceback, the password nowhere."""
        from test_mail import SmtpServer

        server = SmtpServer(users={"contact@mila.fr": "bon-mot-de-passe"}).start()
        try:
            self.config(tmp_path, server.port, "mauvais-secret")
            code, out = run("courriel-test", "moi@mila.fr")
        finally:
            server.stop()
        said = out + capsys.readouterr().err
        assert code == 2 and server.messages == []
        assert "refuse l'identifiant « contact@mila.fr » ou son mot de passe" in said
        assert "Le message d'essai n'est pas parti." in said
        assert "mauvais-secret" not in said and "Traceback" not in said

    def test_an_unreachable_server_is_explained(self, tmp_path, capsys):
        """Nobody listening on the port: a French error saying what to check, exit 2."""
        from test_mail import free_port

        self.config(tmp_path, free_port(), "bon-mot-de-passe")
        code, out = run("courriel-test", "moi@mila.fr")
        said = out + capsys.readouterr().err
        assert code == 2 and "est injoignable (connexion refusée)" in said and "[mail] host et port" in said
        assert "bon-mot-de-passe" not in said and "Traceback" not in said

    def test_without_server_it_says_what_to_set(self, capsys):
        """No [mail] host: exit 2 and the setting to fill in, in French."""
        code, _ = run("courriel-test", "moi@mila.fr")
        err = capsys.readouterr().err
        assert code == 2 and "Erreur : Aucun serveur d'envoi configuré" in err and "[mail] host" in err


class TestDocumentation:
    def test_every_command_has_help_and_is_in_the_readme(self):
        """Each subcommand has a help line and appears in the README's table, by its French name only."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        for former in FORMER_NAMES:
            said = former if former.startswith("-") else f"mila {former}"
            assert not re.search(rf"{re.escape(said)}\b(?!-)", readme), former
        sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
        for name, parser in sub.choices.items():
            if name in FORMER_NAMES:
                continue
            assert parser.description or any(c.dest == name for c in sub._choices_actions)
            assert f"mila {name}" in readme, name
        for choice in sub._choices_actions:
            assert choice.help, choice.dest


def _every_parser(parser):
    """The parser and all its sub-command parsers, depth first."""
    import argparse

    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from _every_parser(child)


def test_every_help_is_french_from_top_to_bottom():
    """`mila --help` and each sub-command's help have no English word of argparse's own."""
    english = (
        "usage:",
        "options:\n  -h, --help            show",
        "show this help",
        "positional arguments",
        "optional arguments",
        "show program's version",
    )
    helps = [p.format_help() for p in _every_parser(build_parser())]
    assert len(helps) > 20
    for text in helps:
        assert text.startswith("utilisation : mila")
        assert "afficher cette aide et s'arrêter" in text
        for word in english:
            assert word not in text, (word, text.splitlines()[0])


class TestFormerEnglishNames:
    def test_the_english_command_names_still_run_their_command(self, tmp_path):
        """`mila tabs --workbook …` (an installed cron line) does what `mila onglets --classeur …` does."""
        path = str(small_xlsx(tmp_path / "c.xlsx"))
        assert run("tabs", "--workbook", path, "--json") == run("onglets", "--classeur", path, "--json")

    def test_each_former_name_reaches_the_french_one(self):
        """Every English command or option name parses to what its French name gives."""
        parser = build_parser()
        for former, french in FORMER_NAMES.items():
            if not former.startswith("-"):
                assert _parsed(parser, former, *_needs(french)) == _parsed(parser, french, *_needs(french))
        for french, english in _OPTION_CASES:
            assert _parsed(parser, *french.split()) == _parsed(parser, *english.split()), french
        assert _parsed(parser, "docs", "emargement", "--today", "2026-01-05")["today"] == dt.date(2026, 1, 5)
        used = {word for french, english in _OPTION_CASES for word in english.split()}
        assert {former for former in FORMER_NAMES if former.startswith("-")} <= used

    def test_no_help_and_no_complaint_shows_an_english_name(self, capsys):
        """The former names appear in no help, and a wrong command or a missing value is told in French."""
        shown = "\n".join(p.format_help() for p in _every_parser(build_parser()))
        for former in FORMER_NAMES:
            assert not re.search(rf"(?<![\w-]){re.escape(former)}(?![\w-])", shown), former
        with pytest.raises(SystemExit):
            main(["synchronise"])
        err = capsys.readouterr().err
        assert "« synchroniser »" in err and "« relances »" in err
        assert not any(f"« {former} »" in err for former in FORMER_NAMES), err
        with pytest.raises(SystemExit):
            main(["sync", "--workbook"])
        err = capsys.readouterr().err
        assert "Erreur : option --classeur" in err and "--workbook" not in err


def _parsed(parser, *argv: str) -> dict[str, object]:
    """The options ``argv`` gives, but the command's name as typed."""
    return {k: v for k, v in vars(parser.parse_args(argv)).items() if k != "command"}


def _needs(command: str) -> list[str]:
    """What a command needs besides its name to parse."""
    return ["--classeur", "x.xlsx"] if command == "emulateur" else []


_OPTION_CASES = [
    (
        "synchroniser --classeur c.xlsx --date 2026-11-23 --simulation --limite 3",
        "sync --workbook c.xlsx --today 2026-11-23 --dry-run --limit 3",
    ),
    ("onglets --feuille abc", "tabs --sheet abc"),
    ("planifier --une-fois", "schedule --once"),
    ("demo d.xlsx --graine 7", "demo d.xlsx --seed 7"),
    ("emulateur --classeur x.xlsx --hote 0.0.0.0 --cle k", "emulator --from x.xlsx --host 0.0.0.0 --id k"),
    ("docs conventions --dossier o --membre M0001 --tous", "docs conventions --out o --member M0001 --all"),
    ("docs rapport --annee 2025", "docs rapport --year 2025"),
]
"""Command lines with the French names, and the same with the former English ones."""
