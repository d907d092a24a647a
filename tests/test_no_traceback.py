"""No library exception escapes a command as a traceback.

Representative `mila` commands, run through the command line's ``main``, on inputs that make
the libraries underneath raise (openpyxl and lxml, tomllib and pydantic, python-docx and
docxtpl, ofxtools, the csv and codecs modules, the file system): each ends with exit code 2
and a French « Erreur : … » line on stderr, never a Python traceback. The damaged .xlsx cut
short or carrying a DOCTYPE is in test_bad_input.py (TestDamagedXlsx); a wrong [schedule]
value and MILA_* variable in test_config.py.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FEE_HISTORY, XlsxBook

from automations.cli import main

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
TODAY = "2026-11-23"
DAMAGED_XLSX = "est endommagé ou n'est pas un classeur Excel valide"

MEMBERS: list[list[object]] = [
    ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le", "Cotisation payée le"],
    ["M0001", "Onde Claire", "Léa Morel", "lea@onde.fr", "bénéficiaire", "BASIC", "10/01/2023", "24/12/2025"],
]


# --------------------------------------------------------------------------- hostile files


def zip_of_garbage(path: Path) -> Path:
    """A zip whose parts are named as a .xlsx's (or a .docx's) but hold no XML."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", b"\x00\x01 pas du XML")
        archive.writestr("_rels/.rels", b"")
        archive.writestr("xl/workbook.xml", b"<workbook")
        archive.writestr("word/document.xml", b"")
    return path


def not_a_zip(path: Path) -> Path:
    path.write_bytes(b"Ceci n'est pas un classeur, juste du texte.\n")
    return path


def garbage_templates(folder: Path, damage: Callable[[Path], Path]) -> Path:
    """The shipped templates folder, every .docx replaced by ``damage``'s file."""
    shutil.copytree(TEMPLATES, folder)
    for docx in folder.glob("*.docx"):
        damage(docx)
    return folder


def config(folder: Path, text: str | bytes) -> Path:
    path = folder / "mila.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Hostile:
    """A command line, built in a test's folder, and the French words its error must say."""

    name: str
    argv: Callable[[Path], list[str]]
    said: str


def _book(tmp: Path) -> Path:
    return XlsxBook(tmp, {"Membres": MEMBERS, "Tarifs": FEE_HISTORY}).path


CASES = [
    Hostile(
        "zip de déchets : verifier",
        lambda tmp: ["verifier", "--classeur", str(zip_of_garbage(tmp / "c.xlsx"))],
        DAMAGED_XLSX,
    ),
    Hostile(
        "zip de déchets : synchroniser",
        lambda tmp: ["synchroniser", "--classeur", str(zip_of_garbage(tmp / "c.xlsx"))],
        DAMAGED_XLSX,
    ),
    Hostile(
        "zip de déchets : relances",
        lambda tmp: ["relances", "--simulation", "--classeur", str(zip_of_garbage(tmp / "c.xlsx"))],
        DAMAGED_XLSX,
    ),
    Hostile(
        "zip de déchets : preparer",
        lambda tmp: ["preparer", "--classeur", str(zip_of_garbage(tmp / "c.xlsx"))],
        DAMAGED_XLSX,
    ),
    Hostile(
        "pas un zip : onglets",
        lambda tmp: ["onglets", "--classeur", str(not_a_zip(tmp / "c.xlsx"))],
        DAMAGED_XLSX,
    ),
    Hostile(
        "pas un zip : synchroniser",
        lambda tmp: ["synchroniser", "--classeur", str(not_a_zip(tmp / "c.xlsx"))],
        DAMAGED_XLSX,
    ),
    Hostile(
        "TOML mal formé",
        lambda tmp: [
            "verifier",
            "--config",
            str(config(tmp, "[mail\nhost = ")),
            "--classeur",
            str(_book(tmp)),
        ],
        "est illisible",
    ),
    Hostile(
        "configuration binaire",
        lambda tmp: ["etat", "--config", str(config(tmp, b"\xff\xfe[mail]\x00"))],
        "est illisible",
    ),
    Hostile(
        "mauvais type : port en toutes lettres",
        lambda tmp: ["etat", "--config", str(config(tmp, '[mail]\nport = "vingt-cinq"\n'))],
        "[mail] port : « vingt-cinq » ne convient pas",
    ),
    Hostile(
        "mauvais type : période en nombre",
        lambda tmp: [
            "verifier",
            "--config",
            str(config(tmp, "[membership]\nperiod = 12\n")),
            "--classeur",
            str(_book(tmp)),
        ],
        "[membership] period : « 12 » ne convient pas",
    ),
    Hostile(
        "modèle Word zip de déchets : variables",
        lambda tmp: [
            "docs",
            "variables",
            "convention",
            "--config",
            str(config(tmp, f'[documents]\ntemplates = "{garbage_templates(tmp / "t", zip_of_garbage)}"\n')),
        ],
        "n'est pas un document Word .docx lisible",
    ),
    Hostile(
        "modèle Word zip de déchets : émargement",
        lambda tmp: [
            "docs",
            "emargement",
            "--date",
            TODAY,
            "--config",
            str(config(tmp, f'[documents]\ntemplates = "{garbage_templates(tmp / "t", zip_of_garbage)}"\n')),
            "--classeur",
            str(_book(tmp)),
        ],
        "Le modèle « emargement.docx » est endommagé",
    ),
    Hostile(
        "modèle Word qui n'est pas un zip : charte",
        lambda tmp: [
            "docs",
            "charte",
            "--config",
            str(config(tmp, f'[documents]\ntemplates = "{garbage_templates(tmp / "t", not_a_zip)}"\n')),
            "--classeur",
            str(_book(tmp)),
        ],
        "n'est pas un document Word .docx lisible",
    ),
    Hostile(
        "relevé OFX de déchets",
        lambda tmp: [
            "paiements",
            "importer",
            str(_write(tmp / "releve.ofx", b"OFXHEADER:100\n\x00\xff<OFX><STMTTRN")),
            "--classeur",
            str(_book(tmp)),
        ],
        "illisible comme relevé OFX",
    ),
    Hostile(
        "CSV en UTF-16",
        lambda tmp: [
            "paiements",
            "importer",
            str(_write(tmp / "releve.csv", "Date;Libellé;Montant\n01/11/2026;VIR;10\n".encode("utf-16"))),
            "--classeur",
            str(_book(tmp)),
        ],
        "ce n'est pas un fichier texte CSV",
    ),
    Hostile(
        "export HelloAsso .xlsx de déchets",
        lambda tmp: [
            "paiements",
            "importer",
            str(zip_of_garbage(tmp / "export.xlsx")),
            "--classeur",
            str(_book(tmp)),
        ],
        "illisible comme classeur Excel",
    ),
    Hostile(
        "démonstration écrite sur un dossier",
        lambda tmp: ["demo", str(_folder(tmp / "dossier.xlsx"))],
        "ne peut pas être écrit",
    ),
]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MILA_* or Google variable from the machine, and the test's folder as the working one."""
    for name in (
        "MILA_CONFIG",
        "MILA_WORKBOOK",
        "MILA_SHEET",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "SHEETS_EMULATOR_HOST",
        "DRIVE_EMULATOR_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the local log goes to ./logs
    return tmp_path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_library_failure_is_a_french_error_with_exit_code_2(case, clean, capsys):
    """The command ends with exit code 2 and « Erreur : » in French; nothing escapes as an exception."""
    argv = case.argv(clean)
    out = io.StringIO()
    try:
        code = main(argv, out)
    except Exception as exc:  # what this test is about: say which library let it through
        pytest.fail(f"{type(exc).__module__}.{type(exc).__name__} escaped `mila {' '.join(argv)}`: {exc}")
    err = capsys.readouterr().err
    assert code == 2, err + out.getvalue()
    assert err.startswith("Erreur : ") and case.said in err, err
    assert "Traceback" not in err + out.getvalue()


def test_a_real_process_prints_no_traceback(clean):
    """The same in a real `mila` process: exit 2, one French line, no traceback on either stream."""
    path = zip_of_garbage(clean / "c.xlsx")
    done = subprocess.run(
        [sys.executable, "-m", "automations.cli", "verifier", "--classeur", str(path)],
        cwd=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Erreur : ") and DAMAGED_XLSX in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
