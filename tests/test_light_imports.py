"""A command imports only what it uses: a sync or a check imports no numpy, Word, template
or chart library (each costs a tenth of a second or more, on every run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.data import Sizes, build_grids, write_xlsx

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "docx", "docxtpl", "jinja2", "matplotlib")

# Runs `mila COMMAND` in a fresh interpreter, then prints the command's exit code and the
# heavy modules it left in sys.modules.
SCRIPT = """
import io, json, sys
import automations.cli

code = automations.cli.main(sys.argv[1:], io.StringIO())
heavy = sorted(name for name in {heavy!r} if name in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small workbook of the seven main tabs: no form answers, so no mail to render."""
    return write_xlsx(build_grids(Sizes.scaled(60)), tmp_path_factory.mktemp("light") / "classeur.xlsx")


def _run(command: str, workbook: Path, folder: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MILA_", "SHEETS_EMULATOR"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY), command, "--classeur", str(workbook)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("command", ["synchroniser", "verifier"])
def test_a_sync_or_a_check_imports_no_heavy_library(command, workbook, tmp_path):
    result = _run(command, workbook, tmp_path)
    assert result["code"] in (0, 1)  # done (1: anomalies for a person to look at)
    assert result["heavy"] == []


def test_the_probe_sees_a_heavy_import(workbook, tmp_path):
    """The same probe on `mila docs variables recu`, which reads a Word template: python-docx
    is there, so the assertion above would see a heavy import."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY), "docs", "variables", "recu"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "docx" in json.loads(done.stdout.strip().splitlines()[-1])["heavy"]
