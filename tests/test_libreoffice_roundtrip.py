"""A workbook saved again by LibreOffice (or written with whole rows or columns) still opens."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import first_sheet
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from automations.cli import main
from automations.workbook import Workbook
from automations.workbook.xlsx import XlsxBackend
from automations.workbook.xlsx_ranges import repair_range

TODAY = "2026-11-23"


@pytest.fixture(scope="module")
def saved_by_libreoffice(demo_built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo (it comes out prepared), opened and saved as .xlsx by LibreOffice once for the module."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is required for this test, .ci/run installs it")
    folder = tmp_path_factory.mktemp("libreoffice")
    source = folder / "source" / "demo.xlsx"
    source.parent.mkdir()
    shutil.copyfile(demo_built[0], source)
    profile = folder / "profil"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / "demo.xlsx"


@pytest.fixture
def book(saved_by_libreoffice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of LibreOffice's file; the command runs from an empty folder (its logs land there)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "demo.xlsx"
    shutil.copyfile(saved_by_libreoffice, path)
    return path


class TestSavedByLibreOffice:
    def test_the_main_commands_run_on_it(self, book: Path, capsys: pytest.CaptureFixture[str]):
        """onglets, verifier, synchroniser, relances --simulation and preparer open it; no rule doubled."""
        assert main(["onglets", "--classeur", str(book)]) == 0
        assert main(["verifier", "--classeur", str(book), "--date", TODAY]) in (0, 1)
        assert main(["synchroniser", "--classeur", str(book), "--date", TODAY]) in (0, 1)
        assert main(["relances", "--simulation", "--classeur", str(book), "--date", TODAY]) in (0, 1)
        assert main(["preparer", "--classeur", str(book)]) == 0
        captured = capsys.readouterr()
        assert "endommagé" not in captured.err + captured.out
        assert "Cellules écrites" in captured.out
        # The rules LibreOffice cut short below were replaced, not added a second time.
        listes = load_workbook(book)["Listes"]
        owned = [d for d in listes.data_validations.dataValidation if d.errorTitle == "Onglet tenu par mila"]
        assert [str(d.sqref) for d in owned] == ["A1:XFC1048576"]


def _sheet_xml(validations: list[str]) -> bytes:
    body = "".join(
        f'<dataValidation type="custom" errorStyle="warning" sqref="{ref}"><formula1>FALSE</formula1>'
        "</dataValidation>"
        for ref in validations
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c>'
        "</row></sheetData>"
        f'<dataValidations count="{len(validations)}">{body}</dataValidations></worksheet>'
    ).encode()


def _with_ranges(path: Path, ranges: list[str]) -> Path:
    """An .xlsx whose « Listes » tab holds validations over ``ranges``, spelt as given."""
    wb = OpenpyxlWorkbook()
    ws = first_sheet(wb)
    ws.title = "Listes"
    ws.append(["ID", "Libellé"])
    ws.append(["M0001", "M0001 – Alpha"])
    dv = DataValidation(type="custom", formula1="FALSE", errorStyle="warning")
    dv.add("A1:B2")
    ws.add_data_validation(dv)
    wb.save(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'sqref="A1:B2"', f'sqref="{" ".join(ranges)}"'.encode())
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path


class TestRangeRepair:
    def test_rows_and_columns_only_are_spelt_in_full(self):
        """``1:1220`` covers every column, ``A:C`` every row; ranges already readable are left alone."""
        assert repair_range("1:1220") == "A1:XFD1220"
        assert repair_range("$2:$5") == "A2:XFD5"
        assert repair_range("A:C") == "A1:C1048576"
        assert repair_range("$b:$b D4") == "B1:B1048576 D4"
        assert repair_range("A1:XFD1048576") is None
        assert repair_range("A2 C3:D4") is None

    def test_openpyxl_refuses_the_file_as_it_is(self, tmp_path: Path):
        """The case repaired: openpyxl alone cannot read such a tab."""
        path = _with_ranges(tmp_path / "c.xlsx", ["1:1220"])
        # Given an open stream, so that the file openpyxl leaves open on failing is closed here.
        with path.open("rb") as stream, pytest.raises(TypeError):
            load_workbook(stream)

    def test_the_file_reads_without_refusal(self, tmp_path: Path):
        """The backend reads the tab openpyxl refuses: no value depends on those ranges."""
        path = _with_ranges(tmp_path / "c.xlsx", ["1:1220", "A:B"])
        grids = XlsxBackend(path).fetch(["Listes"], {})
        assert grids["Listes"] == [["ID", "Libellé"], ["M0001", "M0001 – Alpha"]]

    def test_preparing_replaces_the_whole_tab_warning_of_an_earlier_version(self, tmp_path: Path):
        """A tab prepared with ``A1:XFD1048576`` (as LibreOffice gives it back, ``1:1220``) gets one
        warning over ``A1:XFC1048576``, not a second one."""
        from automations.workbook.xlsx_prepare import prepare

        path = _with_ranges(tmp_path / "c.xlsx", ["1:1220"])
        with zipfile.ZipFile(path) as source:
            data = source.read("xl/worksheets/sheet1.xml")
        data = data.replace(b"<dataValidation ", b'<dataValidation errorTitle="Onglet tenu par mila" ')
        buffer = io.BytesIO()
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
            for info in source.infolist():
                target.writestr(
                    info, data if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
                )
        path.write_bytes(buffer.getvalue())
        prepare(XlsxBackend(path))
        ws = load_workbook(path)["Listes"]
        assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["A1:XFC1048576"]

    def test_a_write_leaves_the_file_readable_by_openpyxl(self, tmp_path: Path):
        """The next write spells the ranges in full in the file itself, keeping the cells."""
        path = _with_ranges(tmp_path / "c.xlsx", ["1:1220"])
        Workbook(XlsxBackend(path)).backend.write_cells([("Listes", 3, 1, "M0002")])
        ws = load_workbook(path)["Listes"]
        assert [str(d.sqref) for d in ws.data_validations.dataValidation] == ["A1:XFD1220"]
        assert ws["A3"].value == "M0002" and ws["B2"].value == "M0001 – Alpha"
