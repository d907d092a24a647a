"""The .xlsx backend keeps everything it does not write, and explains what it cannot open."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from automations.errors import WorkbookError, WorkbookLocked, WorkbookNotFound
from automations.workbook import CellUpdate, Workbook
from automations.workbook.xlsx import XlsxBackend


def styled_workbook(path: Path) -> None:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.title = "Membres"
    ws.append(["ID", "Structure", "Catégorie", "Montant payé", "Total", "Statut"])
    ws.append(["M0001", "Alpha", "hébergé", 120, "=D2*2", None])
    ws.append(["M0002", "Bêta", "bénéficiaire", 170, "=D3*2", None])
    ws["A1"].font = Font(bold=True, color="FF0000")
    ws["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.column_dimensions["B"].width = 42
    ws.freeze_panes = "A2"
    dv = DataValidation(type="list", formula1='"hébergé,bénéficiaire,membre de droit"')
    ws.add_data_validation(dv)
    dv.add("C2:C200")
    other = wb.create_sheet("Budget")
    other["A1"] = "Poste"
    other["B2"] = "=SUM(1,2)"
    wb.save(path)


class TestKeepsWhatItDoesNotWrite:
    def test_formatting_widths_validation_formulas_and_other_tabs_survive_a_write(self, tmp_path):
        """After a write, styles, widths, frozen panes, lists, formulas and other tabs are intact."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        wb = Workbook(XlsxBackend(path))
        wb.read()
        wb.write([CellUpdate("Membres", "M0002", "Statut", "à jour")])
        book = load_workbook(path)
        ws = book["Membres"]
        assert ws["F3"].value == "à jour"
        assert ws["A1"].font.bold and ws["A1"].font.color.rgb.endswith("FF0000")
        assert ws["B2"].fill.fgColor.rgb.endswith("FFFF00")
        assert ws.column_dimensions["B"].width == 42
        assert ws.freeze_panes == "A2"
        assert ws.data_validations.dataValidation[0].formula1 == '"hébergé,bénéficiaire,membre de droit"'
        assert ws["E2"].value == "=D2*2"
        assert book["Budget"]["B2"].value == "=SUM(1,2)"

    def test_a_formula_like_text_is_saved_as_text(self, tmp_path):
        """« =HYPERLINK(…) » written by a job stays a string cell in the file."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        wb = Workbook(XlsxBackend(path))
        wb.read()
        wb.write([CellUpdate("Membres", "M0001", "Anomalies", '=HYPERLINK("http://x")')])
        cell = load_workbook(path)["Membres"]["G2"]
        assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x")'


class TestOpeningErrors:
    def test_a_missing_file_is_named_with_the_fix(self, tmp_path):
        """A wrong path says the file is missing and how to make a demo one."""
        with pytest.raises(WorkbookNotFound, match="introuvable.*mila demo"):
            XlsxBackend(tmp_path / "absent.xlsx")

    def test_a_csv_is_refused_as_not_an_xlsx(self, tmp_path):
        """A .csv file is refused with the way to save it properly."""
        path = tmp_path / "membres.csv"
        path.write_text("ID;Structure\n", encoding="utf-8")
        with pytest.raises(WorkbookError, match=r"n'est pas un classeur \.xlsx"):
            XlsxBackend(path)

    def test_a_corrupt_file_is_explained_not_crashed_on(self, tmp_path):
        """Bytes that are not a zip give a French message, no traceback."""
        path = tmp_path / "abime.xlsx"
        path.write_bytes(b"this is not a spreadsheet")
        with pytest.raises(WorkbookError, match="endommagé ou n'est pas un classeur Excel valide"):
            Workbook(XlsxBackend(path)).read()

    def test_a_file_open_in_libreoffice_is_not_written(self, tmp_path):
        """With LibreOffice's lock file beside it, the write is refused and the file untouched."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        before = path.read_bytes()
        (tmp_path / ".~lock.c.xlsx#").write_text("x", encoding="utf-8")
        wb = Workbook(XlsxBackend(path))
        wb.read()
        with pytest.raises(WorkbookLocked, match="ouvert dans un tableur"):
            wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        assert path.read_bytes() == before

    def test_a_file_open_in_excel_is_not_written(self, tmp_path):
        """Excel's « ~$ » owner file also stops the write."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        (tmp_path / "~$c.xlsx").write_text("x", encoding="utf-8")
        wb = Workbook(XlsxBackend(path))
        wb.read()
        with pytest.raises(WorkbookLocked):
            wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
