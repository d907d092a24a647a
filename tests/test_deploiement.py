"""The deployment guide's examples work as written: the environment file, the configuration."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from automations.config import load_settings

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "deploiement.md"


def block_after(marker: str, language: str) -> str:
    """The first fenced block of ``language`` after the line holding ``marker``."""
    text = GUIDE.read_text(encoding="utf-8")
    found = re.search(re.escape(marker) + r".*?```" + language + r"\n(.*?)```", text, re.S)
    assert found, f"no {language} block after {marker!r} in the guide"
    return found.group(1)


def test_the_env_file_keeps_the_app_password_as_google_prints_it(tmp_path):
    """Loaded the way the guide says (set -a; . env), the quoted app password keeps its spaces and
    mila logs in with the password Google means."""
    env_file = tmp_path / "env"
    env_file.write_text(
        block_after("`/etc/mila/env` (droits", "sh").replace(
            "/etc/mila/mila.toml", str(tmp_path / "mila.toml")
        )
    )
    (tmp_path / "mila.toml").write_text(
        block_after("`/etc/mila/mila.toml` (modèle", "toml"), encoding="utf-8"
    )
    shown = subprocess.run(
        [
            "bash",
            "-c",
            f"set -a; . {env_file}; set +a; exec {sys.executable} -c "
            "'import json, os; print(json.dumps({k: v for k, v in os.environ.items() if k.startswith(\"MILA_\")}))'",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    env = json.loads(shown.stdout)
    assert env["MILA_SMTP_PASSWORD"] == "abcd efgh ijkl mnop"
    settings = load_settings(env=env, cwd=tmp_path)
    assert settings.mail.password == "abcdefghijklmnop" and settings.mail.host == "smtp.gmail.com"
    assert settings.documents.out == Path("/srv/mila/documents")
    assert settings.mail.preview == Path("/srv/mila/apercus")
    assert settings.schedule.state_dir == Path("/var/lib/mila")


def test_every_mila_command_the_guide_runs_exists():
    """Each `mila …` subcommand named in the guide is one the parser knows, by its French name."""
    from automations.cli import build_parser
    from automations.cli.options import FORMER_NAMES

    parser = build_parser()
    known = set(next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices)
    known -= set(FORMER_NAMES)
    named = set(re.findall(r"(?:bin/mila|`mila) ([a-z][a-z-]+)", GUIDE.read_text(encoding="utf-8")))
    assert {"diagnostic", "planifier", "etat", "courriel-test"} <= named
    assert named <= known, f"the guide names unknown commands: {sorted(named - known)}"
