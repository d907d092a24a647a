"""The .xlsx reader gives the values openpyxl's read-only mode gives, on every kind of cell."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from automations.workbook.xlsx import XlsxBackend, _trim
from automations.workbook.xlsx_parts import DamagedPackage
from automations.workbook.xlsx_values import XlsxValues

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""

PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""

# Style 0 plain, 1 a custom date, 2 the built-in time « h:mm », 3 a duration, 4 a built-in date, 5 a number.
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}">
<numFmts count="2"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/><numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
<cellXfs count="6">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="20" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
</styleSheet>"""

SHARED = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="{MAIN}" count="5" uniqueCount="5">
<si><t>ID</t></si>
<si><t xml:space="preserve">  espaces gardés  </t></si>
<si><r><rPr><b/></rPr><t>Riche </t></r><r><t>texte</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>
<si><t>ligne_x005F_x000D_fin</t></si>
<si><t/></si>
</sst>"""

CELLS = """
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Libellé</t></is></c>
  <c r="C1" t="inlineStr"><is><r><t>en </t></r><r><t>deux</t></r></is></c><c r="E1" t="s"><v>1</v></c></row>
<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="C2" t="s"><v>4</v></c>
  <c r="D2"><v>42</v></c><c r="E2"><v>2.50</v></c><c r="F2"><v>1E3</v></c><c r="G2" s="5"><v>-3.25</v></c></row>
<row r="4"><c r="A4" s="1"><v>45987</v></c><c r="B4" s="4"><v>45987.5</v></c><c r="C4" s="2"><v>0.75</v></c>
  <c r="D4" s="3"><v>1.5</v></c><c r="E4" t="b"><v>1</v></c><c r="F4" t="b"><v>0</v></c></row>
<row r="5"><c r="A5" t="e"><v>#N/A</v></c><c r="B5" t="str"><f>A1&amp;"x"</f><v>IDx</v></c>
  <c r="C5"><f>1+1</f><v>2</v></c><c r="D5"><f>NOW()</f></c><c r="E5"><v></v></c><c r="F5" t="d"><v>2026-11-23T10:30:00</v></c></row>
<row><c><v>1</v></c><c t="inlineStr"><is><t>sans référence</t></is></c><c r="E6"><v>5</v></c><c><v>6</v></c></row>
<row r="8" spans="1:3" ht="20" customHeight="1"><c r="B8"><v>7</v></c><c r="c8"><v>8</v></c></row>
"""


def _sheet(cells: str, dimension: str = "A1:G8") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData>
<dataValidations count="1"><dataValidation type="list" sqref="A2:A9"><formula1>"a,b"</formula1></dataValidation></dataValidations>
</worksheet>"""


def _package(path: Path, cells: str = CELLS, *, date1904: bool = False, dimension: str = "A1:G8") -> Path:
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    workbook = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{REL}">{pr}<sheets>
<sheet name="Membres" sheetId="1" r:id="rId1"/><sheet name="Vide" sheetId="2" r:id="rId2"/></sheets></workbook>"""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": SHARED,
        "xl/worksheets/sheet1.xml": _sheet(cells, dimension),
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8"))
    return path


def _openpyxl_values(path: Path) -> dict[str, list[list[object]]]:
    with path.open("rb") as stream:
        wb = load_workbook(stream, read_only=True, data_only=True)
        values = {t: _trim([list(r) for r in wb[t].iter_rows(values_only=True)]) for t in wb.sheetnames}
        wb.close()
    return values


def _values(path: Path) -> dict[str, list[list[object]]]:
    with XlsxValues(path) as book:
        return {t: _trim([list(r) for r in book.rows(t)]) for t in book.titles}


@pytest.mark.parametrize("date1904", [False, True])
def test_every_kind_of_cell_reads_as_openpyxl_reads_it(tmp_path: Path, date1904: bool):
    """Shared, inline and rich text, numbers, dates, times, durations, booleans, errors, formulas'
    results, rows and cells without references, gaps: the same values as openpyxl's."""
    path = _package(tmp_path / "c.xlsx", date1904=date1904)
    ours = _values(path)
    assert ours == _openpyxl_values(path)
    rows = ours["Membres"]
    assert rows[0] == ["ID", "Libellé", "en deux", None, "  espaces gardés  "]
    assert rows[1][:3] == ["Riche texte", "ligne_x000D_fin", ""]
    assert rows[2] == []  # row 3 is missing from the file
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    assert rows[3][:2] == [epoch + dt.timedelta(days=45987), epoch + dt.timedelta(days=45987.5)]
    assert rows[3][2:] == [dt.time(18, 0), dt.timedelta(days=1.5), True, False]
    assert rows[4] == ["#N/A", "IDx", 2, None, None, dt.datetime(2026, 11, 23, 10, 30)]
    assert rows[5] == [1, "sans référence", None, None, 5, 6]
    assert rows[7] == [None, 7, 8] and ours["Vide"] == []


def test_cells_beyond_a_wrong_dimension_are_read(tmp_path: Path):
    """A ``<dimension>`` smaller than the cells (openpyxl would drop the rest) does not hide any."""
    path = _package(tmp_path / "c.xlsx", dimension="A1:B2")
    assert _values(path)["Membres"][7] == [None, 7, 8]
    assert len(_openpyxl_values(path)["Membres"]) == 2  # what openpyxl gives


def test_a_tab_read_again_unchanged_is_the_same_object_and_a_new_style_does_not_change_its_values(
    tmp_path: Path,
):
    """The rows of a tab whose bytes did not change are not parsed again, even when mila's own
    write adds a date style; a tab whose bytes changed is."""
    path = _package(tmp_path / "c.xlsx")
    backend = XlsxBackend(path)
    before = backend.fetch(["Membres"], {})["Membres"]
    with XlsxValues(path) as book:
        first = book.rows("Membres")
    backend.write_cells([("Vide", 1, 1, dt.date(2026, 1, 2))])  # adds a date style, Membres unchanged
    with XlsxValues(path) as book:
        assert book.rows("Membres") is first
        assert book.rows("Vide") == [(dt.datetime(2026, 1, 2),)]
    backend.write_cells([("Membres", 2, 4, 43)])
    after = backend.fetch(["Membres"], {})["Membres"]
    assert after[1][3] == 43 and after[:1] + after[2:] == before[:1] + before[2:]


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        ('<row r="1"><c r="A1" t="s"><v>99</v></c></row>', "a shared string that does not exist"),
        ('<row r="1"><c r="A1"><v>abc</v></c></row>', "a number that is not one"),
        ('<row r="1"><c r="A1"><v>1</v></row>', "XML cut short"),
    ],
)
def test_a_damaged_tab_is_refused_in_french(tmp_path: Path, cells: str, why: str):
    """What cannot be read is the file's damage, said in French, never a traceback."""
    from automations.errors import WorkbookError

    path = _package(tmp_path / "c.xlsx", cells)
    with pytest.raises(WorkbookError, match="endommagé"):
        XlsxBackend(path).fetch(["Membres"], {})


def test_a_doctype_is_refused_before_anything_is_expanded(tmp_path: Path):
    """An entity declared in a part is never expanded: the file counts as damaged."""
    path = _package(tmp_path / "c.xlsx")
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<sst ", b'<!DOCTYPE sst [<!ENTITY a "aaaa">]><sst ', 1)
            target.writestr(info, data)
    with XlsxValues(bomb) as book, pytest.raises(DamagedPackage, match="DOCTYPE"):
        book.rows("Membres")


@pytest.mark.slow
def test_the_demo_reads_as_openpyxl_reads_it(demo_built, tmp_path: Path):
    """The demo, every tab: the same values both ways."""
    path = shutil.copyfile(demo_built[0], tmp_path / "demo.xlsx")
    assert _values(path) == _openpyxl_values(path)


def test_a_write_copies_the_untouched_parts_as_they_are_stored(tmp_path: Path):
    """The parts a write does not change keep their compressed bytes, CRC and sizes; the file
    reads the same values but for the written cell."""
    path = _package(tmp_path / "c.xlsx")
    with zipfile.ZipFile(path) as before:
        stored = {i.filename: (i.CRC, i.compress_size, i.file_size) for i in before.infolist()}
        raw_before = path.read_bytes()
    XlsxBackend(path).write_cells([("Vide", 1, 1, "écrit")])
    with zipfile.ZipFile(path) as after:
        assert after.testzip() is None
        changed = {
            i.filename
            for i in after.infolist()
            if stored.get(i.filename) != (i.CRC, i.compress_size, i.file_size)
        }
        untouched = [i for i in after.infolist() if i.filename not in changed]
        for info in untouched:  # the very bytes of the original entry, found in the old file
            assert after.read(info) and _raw(path, info) in raw_before
    assert changed <= {"xl/worksheets/sheet2.xml"}
    assert _values(path)["Vide"] == [["écrit"]]


def _raw(path: Path, info: zipfile.ZipInfo) -> bytes:
    from automations.zipentries import raw_bytes

    with path.open("rb") as handle:
        found = raw_bytes(handle, info)
    assert found is not None
    return found


@pytest.mark.parametrize("damage", ["not well-formed", "CRC"])
def test_a_damaged_part_nobody_reads_stops_the_write_and_the_file_is_kept(tmp_path: Path, damage: str):
    """A part the write would copy as it is (here the second tab) is checked first: damaged, the
    write stops with « endommagé » and the file keeps every byte."""
    from automations.errors import WorkbookError

    path = _package(tmp_path / "c.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml" and damage == "not well-formed":
                data = data.replace(b"</worksheet>", b"")
            target.writestr(info, data)
    if damage == "CRC":  # the stored CRC of the second tab no longer matches its bytes
        with zipfile.ZipFile(bad) as z:
            info = z.getinfo("xl/worksheets/sheet2.xml")
        image = bytearray(bad.read_bytes())
        central = image.rfind(b"PK\x01\x02", 0, image.rfind(b"xl/worksheets/sheet2.xml") + 1)
        image[central + 16 : central + 20] = (info.CRC ^ 0xFFFF).to_bytes(4, "little")
        local = info.header_offset
        image[local + 14 : local + 18] = (info.CRC ^ 0xFFFF).to_bytes(4, "little")
        bad.write_bytes(bytes(image))
    before = bad.read_bytes()
    with pytest.raises(WorkbookError, match="endommagé"):
        XlsxBackend(bad).write_cells([("Membres", 2, 4, 43)])
    assert bad.read_bytes() == before
