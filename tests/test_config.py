"""Settings come from the file, then the environment, then the options."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.config import load_settings, log_folder, membership_policy
from automations.errors import ConfigError


def write_config(folder: Path, text: str) -> Path:
    path = folder / "mila.toml"
    path.write_text(text, encoding="utf-8")
    return path


class TestPrecedence:
    def test_the_file_is_read_from_the_current_folder(self, tmp_path):
        """./mila.toml is used without being named; relative paths start from its folder."""
        write_config(tmp_path, '[workbook]\npath = "classeur.xlsx"\ncredentials = "cle.json"\n')
        settings = load_settings(env={}, cwd=tmp_path)
        assert settings.workbook == tmp_path / "classeur.xlsx"
        assert settings.credentials == tmp_path / "cle.json"

    def test_the_environment_beats_the_file_and_options_beat_both(self, tmp_path):
        """MILA_SHEET overrides the file's path; --workbook overrides MILA_SHEET."""
        write_config(tmp_path, '[workbook]\npath = "classeur.xlsx"\n')
        env = {"MILA_SHEET": "KEY123"}
        from_env = load_settings(env=env, cwd=tmp_path)
        assert (from_env.sheet, from_env.workbook) == ("KEY123", None)
        from_option = load_settings(env=env, cwd=tmp_path, workbook="/data/autre.xlsx")
        assert (from_option.sheet, from_option.workbook) == (None, Path("/data/autre.xlsx"))

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
        assert settings.emulator_host == "127.0.0.1:9000" and settings.credentials == Path("/k.json")


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
        with pytest.raises(ConfigError, match="periode.*renew_window_days"):
            membership_policy(load_settings(env={}, cwd=tmp_path))

    def test_an_unknown_retry_key_is_named(self, tmp_path):
        """A typo in [workbook.retry] is refused."""
        write_config(tmp_path, "[workbook.retry]\ntries = 3\n")
        with pytest.raises(ConfigError, match="retry"):
            load_settings(env={}, cwd=tmp_path)


class TestSections:
    def test_membership_settings_reach_the_policy(self, tmp_path):
        """Calendar-year periods, a 45-day window and custom votes are read from the file."""
        write_config(
            tmp_path,
            "[membership]\nperiod = 'année civile'\nrenew_window_days = 45\n"
            "[membership.votes]\n'hébergé' = 5\n'bénéficiaire' = 1\n'membre de droit' = 1\n",
        )
        policy = membership_policy(load_settings(env={}, cwd=tmp_path))
        assert policy.period == "année civile" and policy.renew_window_days == 45
        assert policy.votes["hébergé"] == 5

    def test_logs_go_beside_the_configuration_by_default(self, tmp_path):
        """Without [log] dir, the log folder is logs/ beside mila.toml."""
        write_config(tmp_path, "")
        assert log_folder(load_settings(env={}, cwd=tmp_path)) == tmp_path / "logs"


class TestExample:
    def test_the_example_configuration_is_accepted_by_every_section(self):
        """credentials.example/mila.toml loads without error in every section that reads it."""
        from automations.config import booking_policy
        from automations.documents import documents_settings
        from automations.jobs.renewals import RenewalSettings
        from automations.mail import MailSettings
        from automations.schedule import timings_from_section

        example = Path(__file__).resolve().parents[1] / "credentials.example" / "mila.toml"
        settings = load_settings(config=example, env={})
        assert settings.sheet and settings.sheet.startswith("https://docs.google.com/")
        membership_policy(settings)
        booking_policy(settings)
        timings_from_section(settings.section("schedule"))
        assert MailSettings.from_settings(settings, env={}).host is None
        RenewalSettings.from_settings(settings)
        documents_settings(settings)
