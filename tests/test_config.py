"""Settings come from the file, then the environment, then the options, read once into typed sections."""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import textwrap
import tomllib
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from automations.cli import main
from automations.config import ENVIRONMENT, Settings, build_settings, load_settings
from automations.errors import ConfigError
from automations.settings.french import description

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "automations"


def write_config(folder: Path, text: str) -> Path:
    path = folder / "mila.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestPrecedence:
    def test_the_file_is_read_from_the_current_folder(self, tmp_path):
        """./mila.toml is used without being named; relative paths start from its folder."""
        write_config(tmp_path, '[workbook]\npath = "classeur.xlsx"\ncredentials = "cle.json"\n')
        settings = load_settings(env={}, cwd=tmp_path)
        assert settings.workbook.path == tmp_path / "classeur.xlsx"
        assert settings.workbook.credentials == tmp_path / "cle.json"
        assert settings.source == tmp_path / "mila.toml" and settings.base == tmp_path

    def test_the_environment_beats_the_file_and_options_beat_both(self, tmp_path):
        """MILA_SHEET overrides the file's path; --classeur overrides MILA_SHEET."""
        write_config(tmp_path, '[workbook]\npath = "classeur.xlsx"\n')
        env = {"MILA_SHEET": "KEY123"}
        from_env = load_settings(env=env, cwd=tmp_path)
        assert (from_env.workbook.sheet, from_env.workbook.path) == ("KEY123", None)
        from_option = load_settings(env=env, cwd=tmp_path, workbook="/data/autre.xlsx")
        assert (from_option.workbook.sheet, from_option.workbook.path) == (None, Path("/data/autre.xlsx"))

    def test_a_sheet_and_a_file_at_the_same_level_are_refused(self, tmp_path):
        """MILA_WORKBOOK and MILA_SHEET together ask the user to choose."""
        with pytest.raises(ConfigError, match="Choisissez"):
            load_settings(env={"MILA_WORKBOOK": "a.xlsx", "MILA_SHEET": "k"}, cwd=tmp_path)

    def test_the_emulator_and_the_key_come_from_the_environment(self, tmp_path):
        """SHEETS_EMULATOR_HOST and GOOGLE_APPLICATION_CREDENTIALS are taken as given."""
        settings = load_settings(
            env={"SHEETS_EMULATOR_HOST": "127.0.0.1:9000", "GOOGLE_APPLICATION_CREDENTIALS": "/k.json"},
            cwd=tmp_path,
        )
        assert settings.workbook.emulator_host == "127.0.0.1:9000"
        assert settings.workbook.credentials == Path("/k.json")

    def test_the_mail_variables_beat_the_file(self, tmp_path):
        """MILA_SMTP_* and MILA_MAIL_* override [mail]; a relative preview folder starts from mila.toml's folder."""
        write_config(tmp_path, '[mail]\nhost = "ancien.example.org"\nport = 25\nfrom = "a@mila.fr"\n')
        env = {
            "MILA_SMTP_HOST": "smtp.gmail.com",
            "MILA_SMTP_PORT": "465",
            "MILA_SMTP_SECURITY": "SSL",
            "MILA_MAIL_FROM": "adhesions@mila.fr",
            "MILA_MAIL_OUTBOX": "envois",
        }
        mail = load_settings(env=env, cwd=tmp_path).mail
        assert (mail.host, mail.port, mail.security, mail.sender) == (
            "smtp.gmail.com",
            465,
            "ssl",
            "adhesions@mila.fr",
        )
        assert mail.preview == tmp_path / "envois"


class TestErrors:
    def test_an_unreadable_file_is_explained(self, tmp_path):
        """A TOML syntax error names the file and points to the example."""
        write_config(tmp_path, "[workbook\npath=")
        with pytest.raises(ConfigError, match="illisible.*credentials.example"):
            load_settings(env={}, cwd=tmp_path)

    def test_a_named_file_that_does_not_exist_is_refused(self, tmp_path):
        """--config pointing nowhere says so."""
        with pytest.raises(ConfigError, match="introuvable"):
            load_settings(config=tmp_path / "absent.toml", env={}, cwd=tmp_path)

    def test_an_unknown_membership_key_is_named(self, tmp_path):
        """A typo in [membership] lists the keys that exist."""
        write_config(tmp_path, "[membership]\nperiode = 'année civile'\n")
        with pytest.raises(ConfigError, match=r"\[membership\] periode : clé inconnue.*renew_window_days"):
            load_settings(env={}, cwd=tmp_path)

    def test_an_unknown_retry_key_is_named(self, tmp_path):
        """A typo in [workbook.retry] is refused, with the keys possible."""
        write_config(tmp_path, "[workbook.retry]\ntries = 3\n")
        with pytest.raises(ConfigError, match=r"\[workbook.retry\] tries : clé inconnue.*attempts"):
            load_settings(env={}, cwd=tmp_path)

    def test_an_unknown_section_lists_the_sections(self, tmp_path):
        """A misspelt section name is refused, not silently ignored."""
        write_config(tmp_path, "[shedule]\nstate_dir = 'etat'\n")
        with pytest.raises(ConfigError, match=r"\[shedule\] : section inconnue.*schedule"):
            load_settings(env={}, cwd=tmp_path)

    def test_a_section_that_is_not_a_table_is_explained(self, tmp_path):
        """``mail = "x"`` asks for a [mail] table."""
        write_config(tmp_path, 'mail = "smtp.gmail.com"\n')
        with pytest.raises(ConfigError, match=r"\[mail\] doit être une section"):
            load_settings(env={}, cwd=tmp_path)

    def test_several_mistakes_are_listed_together(self, tmp_path):
        """Every wrong value is named at once, one line each, with the file's path."""
        path = write_config(tmp_path, "[schedule]\nlock_wait_seconds = 'une minute'\nstate_dir = 3\n")
        with pytest.raises(ConfigError) as caught:
            load_settings(env={}, cwd=tmp_path)
        message = caught.value.message
        assert f"« {path} »" in message and "2 réglages à corriger" in message
        assert "[schedule] lock_wait_seconds : « une minute » ne convient pas" in message
        assert "un nombre de secondes, par exemple 60" in message
        assert "[schedule] state_dir : « 3 » ne convient pas" in message


# One wrong value per section, and what the message must name.
BAD_VALUES = [
    ("[workbook]\npath = 12\n", r"\[workbook\] path : « 12 ».*chemin"),
    (
        "[workbook.retry]\nattempts = 'six'\n",
        r"\[workbook.retry\] attempts : « six ».*nombre entier d'essais",
    ),
    ("[mail]\ntimeout = -5\n", r"\[mail\] timeout : « -5 ».*nombre de secondes positif"),
    ("[mail]\nsecurity = 'tls13'\n", r"\[mail\] security : « tls13 ».*starttls"),
    (
        "[schedule]\nlock_wait_seconds = 'une minute'\n",
        r"\[schedule\] lock_wait_seconds : « une minute ».*secondes",
    ),
    ("[schedule.sync]\nevery_minutes = 0\n", r"\[schedule.sync\] every_minutes : « 0 ».*minutes"),
    ("[schedule.renewals]\nat = 'neuf heures'\n", r"\[schedule.renewals\] at : « neuf heures ».*HH:MM"),
    ("[schedule.sync]\ndays = ['lundi', 'dimanch']\n", r"\[schedule.sync\] days : « dimanch ».*jours parmi"),
    (
        "[membership]\nperiod = 'trimestre'\n",
        r"\[membership\] period : « trimestre ».*« 12 mois » ou « année civile »",
    ),
    ("[membership]\nrenew_window_days = -1\n", r"\[membership\] renew_window_days : « -1 ».*jours"),
    ("[membership.votes]\n'hébergé' = 'dix'\n", r"\[membership.votes\] hébergé : « dix ».*voix"),
    ("[bookings]\nopen_days = 'lundi'\n", r"\[bookings\] open_days : « lundi ».*liste de jours"),
    ("[renewals]\noffsets = [-30, 'x']\n", r"\[renewals\] offsets : « x ».*nombres entiers de jours"),
    ("[renewals]\niban = 123\n", r"\[renewals\] iban : « 123 ».*texte entre guillemets"),
    ("[association]\nsiret = '123'\n", r"\[association\] siret : « 123 ».*14 chiffres"),
    ("[association]\nquorum_percent = 150\n", r"\[association\] quorum_percent : « 150 ».*pourcentage"),
    ("[documents]\npdf_timeout = 'longtemps'\n", r"\[documents\] pdf_timeout : « longtemps ».*secondes"),
    ("[log]\ndir = false\n", r"\[log\] dir : « false ».*chemin"),
]


class TestBadValues:
    @pytest.mark.parametrize(
        ("toml", "expected"),
        BAD_VALUES,
        ids=[t.split("\n")[0] + t.split("\n")[1].split()[0] for t, _ in BAD_VALUES],
    )
    def test_a_bad_value_in_any_section_names_the_key_and_the_form_expected(self, tmp_path, toml, expected):
        """Each section's wrong value is a French ConfigError: file, [section] key, value read, form expected."""
        path = write_config(tmp_path, toml)
        with pytest.raises(ConfigError, match=expected) as caught:
            load_settings(env={}, cwd=tmp_path)
        assert caught.value.message.startswith(f"Configuration « {path} » : ")
        assert "docs/configuration.md" in caught.value.message
        assert not re.search(r"Input should|valid |Value error|type=", caught.value.message)

    @pytest.mark.parametrize(
        ("env", "expected"),
        [
            ({"MILA_SMTP_PORT": "abc"}, r"variable d'environnement MILA_SMTP_PORT : « abc ».*numéro de port"),
            ({"MILA_SMTP_PORT": "70000"}, r"MILA_SMTP_PORT : « 70000 ».*numéro de port"),
            ({"MILA_SMTP_SECURITY": "tls13"}, r"MILA_SMTP_SECURITY : « tls13 ».*starttls"),
            (
                {"MILA_MAIL_FROM": "MILA <a@mila.fr>"},
                r"MILA_MAIL_FROM : « MILA <a@mila.fr> » n'est pas une adresse",
            ),
            ({"MILA_SMTP_HOST": "smtp.gmail.com", "MILA_SMTP_USER": "a@mila.fr"}, "MILA_SMTP_PASSWORD"),
        ],
    )
    def test_a_bad_environment_value_names_the_variable(self, tmp_path, env, expected):
        """A wrong MILA_* variable is named as such, with the form expected."""
        with pytest.raises(ConfigError, match=expected):
            load_settings(env=env, cwd=tmp_path)

    @pytest.mark.parametrize(
        "toml",
        ["[schedule]\nlock_wait_seconds = 'une minute'\n", "[schedule]\nstate_dir = 3\n"],
    )
    def test_through_the_command_a_bad_setting_exits_2_in_french(self, tmp_path, capsys, toml):
        """`mila etat` with a wrong [schedule] value: exit 2, a French line on stderr, no traceback."""
        path = write_config(tmp_path, toml)
        out = io.StringIO()
        assert main(["status", "--config", str(path)], out=out) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"Erreur : Configuration « {path} » : [schedule] ")
        assert "ne convient pas. Attendu :" in err
        assert "Traceback" not in err and out.getvalue() == ""

    def test_through_the_command_a_bad_variable_exits_2(self, tmp_path):
        """MILA_SMTP_PORT=abc stops a real `mila etat` process with exit 2, naming the variable."""
        path = write_config(tmp_path, "")
        env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT} | {"MILA_SMTP_PORT": "abc"}
        done = subprocess.run(
            [sys.executable, "-m", "automations.cli", "status", "--config", str(path)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 2 and done.stdout == ""
        assert "MILA_SMTP_PORT : « abc » ne convient pas" in done.stderr and "Traceback" not in done.stderr


class TestSecrets:
    @pytest.mark.parametrize(
        "toml",
        [
            "[mail]\npassword = 'hunter22'\n",
            "[workbook]\ntoken = 'hunter22'\n",
            "[workbook.retry]\nclient_secret = 'hunter22'\n",
            "[documents]\nMot_De_Passe = 'hunter22'\n",
            "[association]\nsmtp-password = 'hunter22'\n",
            "[renewals]\nSECRET = 'hunter22'\n",
        ],
    )
    def test_a_password_under_any_section_is_refused(self, tmp_path, toml):
        """A password, token or secret anywhere in mila.toml is refused, without repeating it."""
        write_config(tmp_path, toml)
        with pytest.raises(
            ConfigError, match="variable d'environnement.*MILA_SMTP_PASSWORD.*password_file"
        ) as caught:
            load_settings(env={}, cwd=tmp_path)
        assert "hunter22" not in caught.value.message

    def test_a_password_file_is_not_a_password(self, tmp_path):
        """[mail] password_file names a file: accepted, and the password read from it."""
        (tmp_path / "smtp.txt").write_text("s3cret\n", encoding="utf-8")
        write_config(
            tmp_path, "[mail]\nhost = 'smtp.gmail.com'\nuser = 'a@mila.fr'\npassword_file = 'smtp.txt'\n"
        )
        assert load_settings(env={}, cwd=tmp_path).mail.password == "s3cret"


class TestSections:
    def test_membership_settings_reach_the_policy(self, tmp_path):
        """Calendar-year periods, a 45-day window and custom votes are read from the file."""
        write_config(
            tmp_path,
            "[membership]\nperiod = 'année civile'\nrenew_window_days = 45\n"
            "[membership.votes]\n'hébergé' = 5\n'bénéficiaire' = 1\n'membre de droit' = 1\n",
        )
        policy = load_settings(env={}, cwd=tmp_path).membership
        assert policy.period == "année civile" and policy.renew_window_days == 45
        assert policy.votes["hébergé"] == 5

    def test_logs_and_state_go_beside_the_configuration_by_default(self, tmp_path):
        """Without [log] dir nor [schedule] state_dir, logs/ and state/ are beside mila.toml."""
        path = write_config(tmp_path, "")
        settings = load_settings(config=path, env={}, cwd=tmp_path / "ailleurs")
        assert settings.log.dir == tmp_path / "logs" and settings.schedule.state_dir == tmp_path / "state"

    def test_every_key_says_what_it_expects_in_french(self):
        """Each key of every section has a French description, which error messages quote."""
        missing: list[str] = []

        def visit(model: type, where: str) -> None:
            for name, info in model.model_fields.items():  # type: ignore[attr-defined]
                inner = _model(info.annotation)
                if inner is not None:
                    visit(inner, f"{where}.{name}")
                elif not description(info):
                    missing.append(f"{where} {name}")

        visit(Settings, "")
        assert missing == []


def _model(annotation: object) -> type | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


class TestEnvironment:
    def test_only_the_configuration_reads_the_environment(self):
        """No module but config.py reads os.environ: the environment is read once, at start-up."""
        readers = []
        for path in PACKAGE.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("environ", "getenv", "environb")
                    or isinstance(node, ast.alias)
                    and node.name in ("environ", "getenv")
                ):
                    readers.append(path.relative_to(ROOT).as_posix())
        assert set(readers) == {"automations/config.py"}

    def test_every_variable_read_is_listed_and_documented(self):
        """Each variable name in the settings' source is in ENVIRONMENT and in docs/configuration.md."""
        names: set[str] = set()
        for path in [PACKAGE / "config.py", *(PACKAGE / "settings").glob("*.py")]:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and re.fullmatch(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+", node.value)
                ):
                    names.add(node.value)
        assert {"MILA_CONFIG", "MILA_SMTP_PASSWORD", "MILA_MAIL_OUTBOX", "SHEETS_EMULATOR_HOST"} <= names
        assert names <= set(ENVIRONMENT)
        docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
        assert [n for n in ENVIRONMENT if f"| `{n}` |" not in docs] == []


class TestLayering:
    def test_settings_are_a_leaf(self):
        """config.py and automations/settings/ import nothing of the package but the errors, the text
        helpers and settings; the text helpers import nothing of the package."""
        imported: set[str] = set()
        for path in [PACKAGE / "config.py", *(PACKAGE / "settings").glob("*.py")]:
            package = path.relative_to(ROOT).with_suffix("").parts[:-1]
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level:
                    parts = package[: len(package) - node.level + 1]
                    imported.add(".".join((*parts, node.module or "")).rstrip("."))
                elif isinstance(node, ast.ImportFrom | ast.Import):
                    names = (
                        [node.module or ""]
                        if isinstance(node, ast.ImportFrom)
                        else [a.name for a in node.names]
                    )
                    imported.update(n for n in names if n.startswith("automations"))
        assert {n for n in imported if not n.startswith("automations.settings")} == {
            "automations.errors",
            "automations.text",
        }
        text = ast.parse((PACKAGE / "text.py").read_text(encoding="utf-8"))
        assert not [n for n in ast.walk(text) if isinstance(n, ast.ImportFrom) and n.level]
        assert not [
            a.name
            for n in ast.walk(text)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
            if (getattr(n, "module", None) or a.name).startswith("automations")
        ]


class TestExample:
    def test_the_example_configuration_is_accepted_by_every_section(self):
        """credentials.example/mila.toml loads without error, every section typed."""
        example = ROOT / "credentials.example" / "mila.toml"
        settings = load_settings(config=example, env={})
        assert settings.workbook.sheet and settings.workbook.sheet.startswith("https://docs.google.com/")
        assert settings.mail.host is None and settings.renewals.schedule.offsets == (-30, -7, 15)
        assert settings.bookings.open_weekdays == frozenset(range(5))
        assert settings.schedule.timings()["renewals"].at is not None
        assert settings.association.name == "MILA" and settings.documents.out == example.parent / "out"

    def test_every_toml_example_of_the_docs_is_accepted(self, tmp_path):
        """The ```toml blocks of docs/*.md are valid settings, as written."""
        blocks = [
            (path.name, textwrap.dedent(block))
            for path in sorted((ROOT / "docs").glob("*.md"))
            for block in re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        ]
        assert len(blocks) >= 5
        for name, block in blocks:
            settings = build_settings(tomllib.loads(block), env={"MILA_SMTP_PASSWORD": "x"}, base=tmp_path)
            assert isinstance(settings, Settings), name

    def test_settings_can_be_built_from_a_mapping(self, tmp_path):
        """build_settings takes a file's content as a mapping: the same checks as load_settings."""
        with pytest.raises(ConfigError, match=r"\[bookings\] open_days"):
            build_settings({"bookings": {"open_days": []}}, env={}, base=tmp_path)
