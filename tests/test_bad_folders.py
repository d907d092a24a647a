"""A folder setting that names a file is refused in French, exit 2, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.cli import main


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("pas un dossier", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("section", "key"),
    [("log", "dir"), ("schedule", "state_dir"), ("documents", "out"), ("mail", "preview")],
)
def test_a_folder_that_is_a_file_is_a_french_error(section, key, a_file, tmp_path, capsys):
    """`[log] dir`, `[schedule] state_dir`… naming a file: one French line, exit 2, no traceback."""
    config = tmp_path / "mila.toml"
    config.write_text(f'[{section}]\n{key} = "notes.txt"\n', encoding="utf-8")
    code = main(["synchroniser", "--config", str(config), "--classeur", str(tmp_path / "c.xlsx")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"[{section}] {key}" in err and "doit être un dossier, mais c'est un fichier" in err
    assert "Traceback" not in err


def test_a_folder_below_a_file_is_refused_too(a_file, tmp_path, capsys):
    """`logs` under a file cannot be created either: the file above is named."""
    config = tmp_path / "mila.toml"
    config.write_text('[log]\ndir = "notes.txt/logs"\n', encoding="utf-8")
    assert main(["onglets", "--config", str(config), "--classeur", str(tmp_path / "c.xlsx")]) == 2
    assert f"« {a_file} » est un fichier" in capsys.readouterr().err
