"""The .xlsx backend keeps everything it does not write, and explains what it cannot open."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FEE_HISTORY, XlsxBook, first_sheet
from lxml import etree
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from test_mail import SmtpServer

from automations import schema
from automations.clock import FixedClock
from automations.errors import WorkbookError, WorkbookLocked, WorkbookNotFound
from automations.jobs.sync import run_sync
from automations.rules.membership import MembershipPolicy
from automations.workbook import CellUpdate, Workbook
from automations.workbook.xlsx import XlsxBackend
from tests.support.processes import MilaProcess


def styled_workbook(path: Path) -> None:
    wb = OpenpyxlWorkbook()
    ws = first_sheet(wb)
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


# --------------------------------------------------------------------------- formulas' stored results

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TODAY = dt.date(2026, 11, 23)
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 30))


def sheet_part(path: Path, title: str) -> str:
    """The zip member holding the tab ``title`` (openpyxl names them in tab order)."""
    reader = load_workbook(path, read_only=True)
    titles = reader.sheetnames
    reader.close()
    return f"xl/worksheets/sheet{titles.index(title) + 1}.xml"


def rewrite_member(path: Path, name: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one member of the zip, copying the others as they are."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            target.writestr(info, change(data) if info.filename == name else data)


def store_results(path: Path, title: str, results: dict[str, object]) -> None:
    """Give formula cells the stored result a spreadsheet would have saved with them."""

    def change(data: bytes) -> bytes:
        root = etree.fromstring(data)
        for cell in root.iter(f"{{{MAIN_NS}}}c"):
            ref = cell.get("r")
            if ref is not None and ref in results:
                value = results[ref]
                v = cell.find(f"{{{MAIN_NS}}}v")
                if v is None:
                    v = etree.SubElement(cell, f"{{{MAIN_NS}}}v")
                if isinstance(value, str):
                    cell.set("t", "str")
                v.text = str(value)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    rewrite_member(path, sheet_part(path, title), change)


def stored(path: Path, title: str, ref: str) -> tuple[object, object]:
    """A cell as a spreadsheet would see it: (formula, stored result)."""
    formulas = load_workbook(path)[title][ref].value
    reader = load_workbook(path, read_only=True, data_only=True)
    try:
        return formulas, reader[title][ref].value
    finally:
        reader.close()  # a read-only workbook keeps its file open until closed


def formula_workbook(path: Path) -> None:
    """Membres whose payment date is a formula (=DATE(2026,11,8)) with its stored result,
    a staff total, and another tab with a formula, as a spreadsheet saves them."""
    wb = OpenpyxlWorkbook()
    ws = first_sheet(wb)
    ws.title = "Membres"
    ws.append(
        [
            "ID",
            "Structure",
            "Contact",
            "Email",
            "Catégorie",
            "Forfait",
            "Adhésion le",
            "Cotisation payée le",
            "Montant",
            "Total",
            "Statut",
            "Échéance",
            "Anomalies",
        ]
    )
    ws.append(
        [
            "M0001",
            "Onde",
            "Léa Morel",
            "lea@onde.fr",
            "bénéficiaire",
            "BASIC",
            dt.date(2026, 2, 1),
            "=DATE(2026,11,8)",
            100,
            "=I2*2",
            None,
            None,
            None,
        ]
    )
    ws.append(
        [
            "M0002",
            "Nord",
            "Paul Roux",
            "paul@nord.fr",
            "bénéficiaire",
            "BASIC",
            dt.date(2025, 1, 10),
            dt.date(2026, 1, 10),
            50,
            "=I3*2",
            None,
            None,
            None,
        ]
    )
    for ref in ("G2", "G3", "H2", "H3"):
        ws[ref].number_format = "DD/MM/YYYY"
    tarifs = wb.create_sheet("Tarifs")
    for line in FEE_HISTORY:
        tarifs.append(line)
    budget = wb.create_sheet("Budget")
    budget.append(["Poste", "Montant"])
    budget.append(["Loyer", "=SUM(1,2)"])
    budget.append(["Nom", '=CONCAT("Mi","la")'])
    wb.save(path)
    store_results(path, "Membres", {"H2": 46334, "J2": 200, "J3": 100})  # 46334: 08/11/2026
    store_results(path, "Budget", {"B2": 3, "B3": "Mila"})


class TestFormulaResultsSurvive:
    def test_sync_keeps_formulas_and_their_stored_results_run_after_run(self, tmp_path):
        """Three syncs later, every staff formula still holds its formula and its stored result."""
        path = tmp_path / "formules.xlsx"
        formula_workbook(path)
        for _ in range(3):
            run_sync(Workbook(XlsxBackend(path)), today=TODAY, policy=MembershipPolicy(), clock=CLOCK)
            assert stored(path, "Membres", "H2") == ("=DATE(2026,11,8)", dt.datetime(2026, 11, 8))
            assert stored(path, "Membres", "J2") == ("=I2*2", 200)
            assert stored(path, "Membres", "J3") == ("=I3*2", 100)
            assert stored(path, "Budget", "B2") == ("=SUM(1,2)", 3)
            assert stored(path, "Budget", "B3") == ('=CONCAT("Mi","la")', "Mila")

    def test_a_payment_date_given_by_a_formula_still_counts_after_a_sync(self, tmp_path):
        """The member whose payment date is a formula stays « à jour », run after run."""
        path = tmp_path / "formules.xlsx"
        formula_workbook(path)
        for _ in range(2):
            run_sync(Workbook(XlsxBackend(path)), today=TODAY, policy=MembershipPolicy(), clock=CLOCK)
            members = Workbook(XlsxBackend(path)).read(["Membres"])["Membres"]
            status = {row.id: row.get("Statut") for row in members}
            assert status == {"M0001": "à jour", "M0002": "à jour"}

    def test_a_shared_formula_in_a_job_column_is_refused_not_broken(self, tmp_path):
        """Overwriting the first cell of a shared formula would break the others: a French
        error names the cell and nothing is written."""
        path = tmp_path / "partagee.xlsx"
        styled_workbook(path)
        book = load_workbook(path)
        book["Membres"]["F2"], book["Membres"]["F3"] = "=D2", "=D3"
        book.save(path)

        def share(data: bytes) -> bytes:
            data = re.sub(rb"<f>D2</f>", b'<f t="shared" ref="F2:F3" si="0">D2</f>', data)
            return re.sub(rb"<f>D3</f>", b'<f t="shared" si="0"/>', data)

        rewrite_member(path, "xl/worksheets/sheet1.xml", share)
        before = path.read_bytes()
        wb = Workbook(XlsxBackend(path))
        wb.read()
        with pytest.raises(WorkbookError, match=r"cellule F2 .*formule.*rien n'a été écrit"):
            wb.write([CellUpdate("Membres", "M0001", "Statut", "à jour")])
        assert path.read_bytes() == before


# --------------------------------------------------------------------------- what a write keeps


class TestReadAgain:
    def test_a_file_changed_between_two_reads_is_read_again_even_with_its_old_date(self, tmp_path):
        """A second read of the same bytes gives the same grids (parsed once); a person's
        edit is seen at the next read, even one that leaves the file's modification time."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        backend = XlsxBackend(path)
        first = backend.fetch(["Membres"], {})["Membres"]
        first[1][1] = "changed by the caller"  # the grids handed out are the caller's own
        assert backend.fetch(["Membres"], {}) == XlsxBackend(path).fetch(["Membres"], {})
        assert backend.fetch(["Membres"], {})["Membres"][1][1] != "changed by the caller"
        before = path.stat()
        book = load_workbook(path)
        name = book["Membres"].cell(row=2, column=2).value
        assert isinstance(name, str)
        book["Membres"].cell(row=2, column=2).value = name[::-1]  # as many characters
        book.save(path)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert backend.fetch(["Membres"], {})["Membres"][1][1] == name[::-1]
        assert backend.fetch([], {"Membres": [2]})["Membres"][1][:2] == [None, name[::-1]]
        assert backend.titles() == ["Membres", "Budget"]


class TestRoundTrip:
    def test_values_round_trip_and_everything_else_is_kept_byte_for_byte(self, tmp_path):
        """Dates, numbers, « = » texts, accents and appended rows read back as written; the
        other parts of the file (other tabs, shared strings, validations) are unchanged."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        with zipfile.ZipFile(path) as z:
            before = {name: z.read(name) for name in z.namelist()}
        backend = XlsxBackend(path)
        backend.write_cells(
            [
                ("Membres", 2, 6, '=HYPERLINK("http://x")'),
                ("Membres", 3, 6, "  Élodie, café « crème » ✓  "),
                ("Membres", 2, 7, dt.date(2026, 11, 8)),
                ("Membres", 3, 7, dt.datetime(2026, 11, 8, 14, 30)),
                ("Membres", 2, 8, 1234.5),
                ("Membres", 3, 8, 42),
                ("Membres", 2, 9, True),
            ]
        )
        backend.append_rows(
            "Membres",
            [
                ["M0003", "Gamma", "bénéficiaire", 12.25, None, "=1+1", dt.date(2025, 1, 31)],
                ["M0004", "Δelta"],
            ],
        )
        grid = backend.fetch(["Membres"], {})["Membres"]
        assert grid[1][5:9] == ['=HYPERLINK("http://x")', dt.datetime(2026, 11, 8), 1234.5, True]
        assert grid[2][5:8] == ["  Élodie, café « crème » ✓  ", dt.datetime(2026, 11, 8, 14, 30), 42]
        assert grid[3] == ["M0003", "Gamma", "bénéficiaire", 12.25, None, "=1+1", dt.datetime(2025, 1, 31)]
        assert grid[4] == ["M0004", "Δelta"]
        book = load_workbook(path)
        ws = book["Membres"]
        assert ws["F2"].data_type == "s" and ws["F4"].data_type == "s"  # text, never a formula
        assert ws["G2"].number_format == "DD/MM/YYYY" and ws["G3"].number_format == "DD/MM/YYYY HH:MM"
        assert ws["E2"].value == "=D2*2" and book["Budget"]["B2"].value == "=SUM(1,2)"
        assert ws.data_validations.dataValidation[0].formula1 == '"hébergé,bénéficiaire,membre de droit"'
        assert ws["A1"].font.bold and ws["B2"].fill.fgColor.rgb.endswith("FFFF00")
        assert ws.column_dimensions["B"].width == 42 and ws.freeze_panes == "A2"
        with zipfile.ZipFile(path) as z:
            after = {name: z.read(name) for name in z.namelist()}
        assert set(after) == set(before)
        changed = {name for name in before if before[name] != after[name]}
        assert changed == {"xl/worksheets/sheet1.xml", "xl/styles.xml"}  # the tab written, a date style

    def test_a_new_tab_is_added_without_touching_the_others(self, tmp_path):
        """A job creating Journal adds one tab with a bold, frozen header; the other tabs' parts are unchanged."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        with zipfile.ZipFile(path) as z:
            sheets_before = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}
        backend = XlsxBackend(path)
        backend.add_tab("Journal", ["Date", "Tâche", "Résultat", "Détails"])
        backend.append_rows("Journal", [[dt.datetime(2026, 11, 23, 9, 30), "sync", "succès", "ok"]])
        book = load_workbook(path)
        assert book.sheetnames == ["Membres", "Budget", "Journal"]
        journal = book["Journal"]
        assert [c.value for c in journal[1]] == ["Date", "Tâche", "Résultat", "Détails"]
        assert journal["A1"].font.bold and journal.freeze_panes == "A2"
        assert [c.value for c in journal[2]] == [dt.datetime(2026, 11, 23, 9, 30), "sync", "succès", "ok"]
        with zipfile.ZipFile(path) as z:
            assert all(z.read(n) == data for n, data in sheets_before.items())


# --------------------------------------------------------------------------- damaged or hostile files

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)


class TestDamagedFilesAreNeverWritten:
    @pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml"])
    def test_a_doctype_anywhere_stops_the_write_before_anything_changes(self, tmp_path, part):
        """A part declaring entities makes the write a French « endommagé » error; the file is unchanged."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        rewrite_member(path, part, lambda data: BILLION_LAUGHS + re.sub(rb"^<\?xml[^>]*\?>", b"", data))
        before = path.read_bytes()
        with pytest.raises(WorkbookError, match="endommagé"):
            XlsxBackend(path).write_cells(
                [("Membres", 2, 6, "à jour"), ("Membres", 2, 7, dt.date(2026, 1, 1))]
            )
        assert path.read_bytes() == before


# --------------------------------------------------------------------------- two runs at once

APPENDER = """
import sys
from automations.workbook.xlsx import XlsxBackend
path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
backend = XlsxBackend(path)
for n in range(count):
    backend.append_rows("Membres", [[f"{tag}{n:03d}", "ligne"]])
"""


class TestTwoProcesses:
    @pytest.mark.slow
    def test_appends_from_two_processes_never_erase_each_other(self, tmp_path):
        """Two processes appending to the same file at once: every row of both is there."""
        path = tmp_path / "c.xlsx"
        styled_workbook(path)
        runs = [
            subprocess.Popen([sys.executable, "-c", APPENDER, str(path), tag, "15"], cwd=folder)
            for tag, folder in (("A", tmp_path), ("B", Path(tempfile.gettempdir())))
        ]
        assert [run.wait(timeout=120) for run in runs] == [0, 0]
        ids = [str(line[0]) for line in XlsxBackend(path).fetch(["Membres"], {})["Membres"][3:]]
        assert sorted(ids) == sorted([f"A{n:03d}" for n in range(15)] + [f"B{n:03d}" for n in range(15)])

    @pytest.mark.slow
    def test_two_renewals_started_from_two_folders_send_each_reminder_once(self, tmp_path):
        """`mila relances` twice at once on one .xlsx, from two folders (cron and a person):
        each due member gets one message, and Relances keeps one « envoyée » row for each."""
        due = {f"M{n:04d}": f"membre{n}@label.fr" for n in range(1, 13)}
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MILA_", "SHEETS_", "GOOGLE_"))}
        server = SmtpServer().start()
        try:
            env.update(
                MILA_SMTP_HOST="127.0.0.1",
                MILA_SMTP_PORT=str(server.port),
                MILA_SMTP_SECURITY="none",
                MILA_MAIL_FROM="adhesions@mila.fr",
            )
            for trial in range(3):
                server.messages.clear()
                path = tmp_path / f"essai{trial}" / "classeur.xlsx"
                folders = [tmp_path / f"essai{trial}" / "cron", tmp_path / f"essai{trial}" / "bureau"]
                for folder in folders:
                    folder.mkdir(parents=True)
                XlsxBook(path.parent, renewal_tabs(due))
                command = ["renewals", "--classeur", str(path), "--date", "2026-11-23"]
                runs = [MilaProcess(command, cwd=folder, env=env) for folder in folders]  # at once
                outputs = [run.wait(timeout=180) for run in runs]
                assert [run.returncode for run in outputs] == [0, 0], outputs
                received = sorted(rcpt for _, rcpts, _ in server.messages for rcpt in rcpts)
                assert received == sorted(due.values())
                grid = XlsxBackend(path).fetch(["Relances"], {})["Relances"]
                status = grid[0].index("Statut")
                sent = sorted(str(line[0]) for line in grid[1:] if line[status] == "envoyée")
                assert sent == sorted(due)
        finally:
            server.stop()


def renewal_tabs(due: dict[str, str]) -> dict[str, list[list[object]]]:
    """Members whose fee falls due on 23/12/2026 (the J-30 reminder goes on 23/11/2026)."""
    header: list[object] = [
        "ID",
        "Structure",
        "Contact",
        "Email",
        "Catégorie",
        "Forfait",
        "Adhésion le",
        "Cotisation payée le",
    ]
    members: list[list[object]] = [
        [mid, f"Label {mid}", "Léa Morel", email, "bénéficiaire", "PREMIUM", "10/01/2023", "24/12/2025"]
        for mid, email in due.items()
    ]
    return {
        "Membres": [header, *members],
        "Tarifs": FEE_HISTORY,
        "Relances": [[c.name for c in schema.RELANCES.columns]],
        # Sending switched on by a person (the last « envois » line of Journal).
        "Journal": [
            [c.name for c in schema.JOURNAL.columns],
            ["01/11/2026 09:00", "envois", "activés", "activés par l'équipe"],
        ],
    }
