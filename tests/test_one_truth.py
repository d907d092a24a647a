"""One truth for every job, on the demo: after its HelloAsso export and bank statement are
imported, the reminders, the summary, ``mila etat`` and ``mila verifier`` give the same
numbers for the same things, and no member whose payment was matched is reminded."""

from __future__ import annotations

import collections
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TODAY

from automations.cli import main
from automations.demo.workbook import DemoSummary

DAY = DEMO_TODAY.isoformat()


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def as_json(*argv: str) -> Any:
    code, out = run(*argv, "--json")
    assert code in (0, 1), out
    return json.loads(out)


# One worker builds the imported demo once for both tests (the module fixture below).
pytestmark = pytest.mark.xdist_group("one_truth")
_ENV = ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST")


@pytest.fixture(scope="module")
def imported_once(demo_built: tuple[Path, DemoSummary], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the demo, its payments imported then synchronised, with its
    ``mila.toml``, ``logs/`` and ``state/``: built once for the module, copied by each test."""
    folder = tmp_path_factory.mktemp("one_truth")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        for name in _ENV:
            patch.delenv(name, raising=False)
        demo = folder / "demo.xlsx"
        shutil.copyfile(demo_built[0], demo)
        (folder / "mila.toml").write_text('[digest]\nto = ["equipe@mila.fr"]\n', encoding="utf-8")
        files = [str(f) for f in demo_built[1].imports]
        assert len(files) == 2
        code, out = run("paiements", "importer", "--classeur", str(demo), *files, "--date", DAY)
        assert code == 0, out
        code, out = run("synchroniser", "--classeur", str(demo), "--date", DAY)
        assert code == 0, out
    return folder


@pytest.fixture
def imported(imported_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo, its payments imported then synchronised, in a folder of its own (a copy of
    the module's, its local state and logs included)."""
    folder = tmp_path / "one_truth"
    shutil.copytree(imported_once, folder)
    monkeypatch.chdir(folder)
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    return folder / "demo.xlsx"


def test_a_member_whose_payment_was_imported_is_up_to_date_and_not_reminded(imported: Path) -> None:
    book = str(imported)
    check = as_json("verifier", "--classeur", book, "--date", DAY)
    reminders = as_json("relances", "--simulation", "--classeur", book, "--date", DAY)
    planned = {m["member"] for m in reminders["messages"]}
    late = {s["member"] for s in reminders["skipped_members"] if s["late"]}
    import openpyxl

    sheet = openpyxl.load_workbook(imported, read_only=True)
    rows = list(sheet["Paiements"].iter_rows(values_only=True))
    header = list(rows[0])
    imported_members = {
        str(r[header.index("Membre")])
        for r in rows[1:]
        if r[header.index("Source")]
        and str(r[header.index("Source")]).startswith("import")
        and r[header.index("Membre")]
    }
    members = list(sheet["Membres"].iter_rows(values_only=True))
    status = {str(r[0]): r[members[0].index("Statut")] for r in members[1:] if r[0]}
    paid = {m for m in imported_members if status.get(m) == "à jour"}
    assert len(paid) >= 3, (imported_members, status)
    assert not paid & planned and not paid & late
    assert check["errors"] > 0  # the demo's deliberate mistakes


def test_the_summary_the_reminders_the_status_and_the_check_count_the_same_things(imported: Path) -> None:
    book = str(imported)
    check = as_json("verifier", "--classeur", book, "--date", DAY)
    reminders = as_json("relances", "--simulation", "--classeur", book, "--date", DAY)
    summary = as_json("resume", "--simulation", "--classeur", book, "--date", DAY)
    sections = collections.Counter(item["section"] for item in summary["items"])

    # Reminders too old to send: the same members in the summary and in `relances`.
    late = {s["member"] for s in reminders["skipped_members"] if s["late"]}
    assert late and {i["ref"] for i in summary["items"] if i["section"] == "trop_anciennes"} == late
    # Errors: the rows `verifier` finds in error are those the summary lists (payments
    # without member and membership requests have their own sections).
    errors = {(a["tab"], a["row"]) for a in check["anomalies"] if a["severity"] == "erreur"}
    listed = {
        (i["tab"], i["row"])
        for i in summary["items"]
        if i["section"] in ("erreurs", "paiements", "adhesions")
    }
    assert errors <= listed, errors - listed
    # `mila etat` keeps the sync's counts: those of `verifier`.
    status = {s["job"]: s for s in as_json("etat", "--classeur", book)}
    assert f"{check['errors']} erreur(s), {check['warnings']} avertissement(s)" in status["sync"]["message"]
    assert sections["trop_anciennes"] == len(late)
