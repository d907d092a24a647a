"""Changing a few cells of a .xlsx file inside its XML, and nothing else.

A .xlsx is a zip of XML parts. Saving through openpyxl rewrites every part and drops
what openpyxl does not model, among which the stored result of every formula: a file
saved that way reads back with blank formula cells until a spreadsheet recalculates
it. Here the package is opened as it is, only the ``<c>`` elements of the written
cells change (plus the sheet's ``<dimension>``, and a date style or a new tab when a
write needs one), and every other part is copied unchanged.

Every part is parsed without DTDs, entities or network access; a part that declares
a DOCTYPE, or that is not well-formed, makes the whole file count as damaged
(:class:`DamagedPackage`) before anything is written.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import logging
import math
import os
import posixpath
import re
import tempfile
import zipfile
import zlib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from .xlsx_ranges import repair_range

log = logging.getLogger(__name__)
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
REL_OFFICE_DOCUMENT = DOC_RELS + "/officeDocument"
REL_WORKSHEET = DOC_RELS + "/worksheet"
REL_STYLES = DOC_RELS + "/styles"
REL_SHARED_STRINGS = DOC_RELS + "/sharedStrings"
REL_CALC_CHAIN = DOC_RELS + "/calcChain"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# Number formats a date may be given a readable one over: General, and openpyxl's defaults.
_PLAIN_FORMATS = {"general", "yyyy-mm-dd", "yyyy-mm-dd h:mm:ss"}

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class DamagedPackage(Exception):
    """A part of the file is missing, not well-formed, or declares a DOCTYPE."""


class CellRefused(Exception):
    """A cell cannot be written without breaking the staff's formulas; ``ref`` names it."""

    def __init__(self, title: str, ref: str, reason: str) -> None:
        super().__init__(reason)
        self.title = title
        self.ref = ref
        self.reason = reason


def parse_part(data: bytes, name: str) -> etree._Element:
    """One XML part, parsed safely: no DTD, no entity, no network."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DamagedPackage(f"{name}: {exc}") from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise DamagedPackage(f"{name}: DOCTYPE")
    return root


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass
class _Sheet:
    """A worksheet part being changed: its rows indexed by number."""

    title: str
    part: str
    root: etree._Element
    ns: str
    data: etree._Element  # <sheetData>
    numbers: list[int] = field(default_factory=list)
    rows: list[etree._Element] = field(default_factory=list)
    touched: tuple[int, int, int, int] | None = None  # min row, min col, max row, max col

    @classmethod
    def load(cls, title: str, part: str, root: etree._Element) -> _Sheet:
        ns = etree.QName(root).namespace or MAIN
        data = root.find(f"{{{ns}}}sheetData")
        if data is None:
            data = etree.SubElement(root, f"{{{ns}}}sheetData")  # pragma: no cover - never seen
        sheet = cls(title, part, root, ns, data)
        _repair_ranges(title, root, data)
        previous = 0
        for row in data.iterfind(f"{{{ns}}}row"):
            number = int(row.get("r") or previous + 1)
            if row.get("r") is None:
                row.set("r", str(number))
            previous = number
            sheet.numbers.append(number)
            sheet.rows.append(row)
            column = 0
            for cell in row.iterfind(f"{{{ns}}}c"):
                ref = cell.get("r")
                if ref is None:
                    column += 1
                    cell.set("r", f"{get_column_letter(column)}{number}")
                else:
                    column = _column_of(ref)
        return sheet

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def row(self, number: int) -> etree._Element:
        at = bisect_left(self.numbers, number)
        if at < len(self.numbers) and self.numbers[at] == number:
            return self.rows[at]
        row = etree.Element(self.q("row"), r=str(number))
        if at < len(self.rows):
            self.rows[at].addprevious(row)
        elif self.rows:
            self.rows[-1].addnext(row)
        else:
            self.data.append(row)
        self.numbers.insert(at, number)
        self.rows.insert(at, row)
        return row

    def cell(self, number: int, column: int) -> etree._Element:
        row = self.row(number)
        ref = f"{get_column_letter(column)}{number}"
        found = after = None
        for cell in row.iterfind(self.q("c")):
            current = _column_of(cell.get("r", ""))
            if current == column:
                found = cell
                break
            if current > column:
                after = cell
                break
        if found is None:
            found = etree.Element(self.q("c"), r=ref)
            if after is not None:
                after.addprevious(found)
            else:
                row.append(found)
            if row.get("spans"):
                del row.attrib["spans"]  # optional hint; a stale one is worse than none
        self._touch(number, column)
        return found

    def _touch(self, number: int, column: int) -> None:
        if self.touched is None:
            self.touched = (number, column, number, column)
        else:
            r0, c0, r1, c1 = self.touched
            self.touched = (min(r0, number), min(c0, column), max(r1, number), max(c1, column))

    def last_filled_row(self, shared: list[str]) -> int:
        for number, row in zip(reversed(self.numbers), reversed(self.rows), strict=True):
            if any(not _blank_cell(cell, self.ns, shared) for cell in row.iterfind(self.q("c"))):
                return number
        return 0

    def update_dimension(self) -> None:
        if self.touched is None:
            return
        dimension = self.root.find(self.q("dimension"))
        if dimension is None:
            return
        r0, c0, r1, c1 = self.touched
        bounds = _range_bounds(dimension.get("ref", ""))
        if bounds is not None:
            r0, c0 = min(r0, bounds[0]), min(c0, bounds[1])
            r1, c1 = max(r1, bounds[2]), max(c1, bounds[3])
        dimension.set("ref", f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}")


def _repair_ranges(title: str, root: etree._Element, data: etree._Element) -> None:
    """Ranges openpyxl cannot read (``1:1220``, ``A:C``) spelt in full, outside the cells."""
    for child in root:
        if child is data:
            continue
        for element in child.iter():
            for name in ("sqref", "ref"):
                value = element.get(name)
                better = None if value is None else repair_range(value)
                if better is not None:
                    log.warning("%s: range %r written as %r", title, value, better)
                    element.set(name, better)


def _column_of(ref: str) -> int:
    match = _CELL_REF.match(ref)
    if match is None:
        raise DamagedPackage(f"référence de cellule « {ref[:20]} »")
    return column_index_from_string(match.group(1).upper())


def _range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    try:
        first, _, last = ref.partition(":")
        c0, r0 = coordinate_from_string(first.replace("$", ""))
        c1, r1 = coordinate_from_string((last or first).replace("$", ""))
        return r0, column_index_from_string(c0), r1, column_index_from_string(c1)
    except ValueError:
        return None


def _text_of(element: etree._Element | None, ns: str) -> str:
    if element is None:
        return ""
    # Rich text runs (<r><t>) and plain <t>; phonetic guides (<rPh>) are not the text.
    return "".join(t.text or "" for t in element.iter(f"{{{ns}}}t") if not _phonetic(t))


def _phonetic(t: etree._Element) -> bool:
    parent = t.getparent()
    return parent is not None and etree.QName(parent).localname == "rPh"


def _blank_cell(cell: etree._Element, ns: str, shared: list[str]) -> bool:
    if cell.find(f"{{{ns}}}f") is not None:
        return False
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return not _text_of(cell.find(f"{{{ns}}}is"), ns).strip()
    value = cell.find(f"{{{ns}}}v")
    text = value.text if value is not None else None
    if text is None or text == "":
        return True
    if kind == "s":
        try:
            return not shared[int(text)].strip()
        except (ValueError, IndexError):
            return False
    if kind == "str":
        return not text.strip()
    return False


class Package:
    """An open .xlsx file whose parts can be changed, then saved as a new file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise DamagedPackage(str(exc)) from exc
        self._names = set(self._zip.namelist())
        self._parsed: dict[str, etree._Element] = {}
        self._changed: set[str] = set()
        self._added: list[str] = []
        self._dropped: set[str] = set()
        self._sheets: dict[str, _Sheet] = {}
        self._shared: list[str] | None = None
        self._date_styles: dict[tuple[int, str], int] = {}
        self.workbook_part = self._office_document()
        self._workbook = self.part(self.workbook_part)
        self._rels_part = _rels_of(self.workbook_part)
        self._rels = self.part(self._rels_part)
        wb_pr = self._workbook.find(f"{{{self._ns}}}workbookPr")
        self._epoch = (
            CALENDAR_MAC_1904
            if wb_pr is not None and wb_pr.get("date1904") in ("1", "true")
            else CALENDAR_WINDOWS_1900
        )

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -----------------------------------------------------------------

    @property
    def _ns(self) -> str:
        return etree.QName(self._workbook).namespace or MAIN

    def part(self, name: str) -> etree._Element:
        if name not in self._parsed:
            if name not in self._names:
                raise DamagedPackage(f"partie absente : {name}")
            self._parsed[name] = parse_part(self._read(name), name)
        return self._parsed[name]

    def _read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError) as exc:
            raise DamagedPackage(f"{name}: {exc}") from exc

    def _office_document(self) -> str:
        rels = self.part("_rels/.rels")
        for rel in rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship"):
            if rel.get("Type") == REL_OFFICE_DOCUMENT:
                return rel.get("Target", "").lstrip("/")
        raise DamagedPackage("aucun classeur dans le paquet")

    def _target(self, rel: etree._Element) -> str:
        target = rel.get("Target", "")
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.workbook_part), target))

    def _related(self, kind: str) -> str | None:
        for rel in self._rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship"):
            if rel.get("Type") == kind:
                return self._target(rel)
        return None

    def sheet_titles(self) -> list[str]:
        sheets = self._workbook.find(f"{{{self._ns}}}sheets")
        return [] if sheets is None else [s.get("name", "") for s in sheets.iterfind(f"{{{self._ns}}}sheet")]

    def sheet(self, title: str) -> _Sheet:
        if title in self._sheets:
            return self._sheets[title]
        sheets = self._workbook.find(f"{{{self._ns}}}sheets")
        for entry in [] if sheets is None else sheets.iterfind(f"{{{self._ns}}}sheet"):
            if entry.get("name") == title:
                rid = entry.get(f"{{{DOC_RELS}}}id")
                for rel in self._rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship"):
                    if rel.get("Id") == rid:
                        part = self._target(rel)
                        self._sheets[title] = _Sheet.load(title, part, self.part(part))
                        self._changed.add(part)
                        return self._sheets[title]
                raise DamagedPackage(f"onglet « {title} » sans partie")
        raise KeyError(title)

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            part = self._related(REL_SHARED_STRINGS)
            self._shared = []
            if part is not None and part in self._names:
                root = self.part(part)
                ns = etree.QName(root).namespace or MAIN
                self._shared = [_text_of(si, ns) for si in root.iterfind(f"{{{ns}}}si")]
        return self._shared

    # -- cells -----------------------------------------------------------------

    def set_cell(self, title: str, number: int, column: int, value: object) -> None:
        """Write one value as plain data: text stays text even when it starts with « = »."""
        sheet = self.sheet(title)
        cell = sheet.cell(number, column)
        formula = cell.find(sheet.q("f"))
        if formula is not None:
            if formula.get("t") in ("shared", "array") and formula.get("ref"):
                raise CellRefused(
                    title, cell.get("r", ""), "elle porte une formule qui s'étend à d'autres cellules"
                )
            self._drop_calc_chain()
        for child in list(cell):
            cell.remove(child)
        for attribute in ("t", "cm", "vm", "ph"):
            cell.attrib.pop(attribute, None)
        if value is None:
            return
        if isinstance(value, bool):
            cell.set("t", "b")
            etree.SubElement(cell, sheet.q("v")).text = "1" if value else "0"
        elif isinstance(value, (int, float)) and (not isinstance(value, float) or math.isfinite(value)):
            text = repr(value) if isinstance(value, float) else str(value)
            etree.SubElement(cell, sheet.q("v")).text = text
        elif isinstance(value, dt.date):
            etree.SubElement(cell, sheet.q("v")).text = _number(to_excel(value, self._epoch))
            wanted = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
            style = self._date_style(int(cell.get("s", "0")), wanted)
            if style is not None:
                cell.set("s", str(style))
        else:
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell.set("t", "inlineStr")
            inline = etree.SubElement(cell, sheet.q("is"))
            t = etree.SubElement(inline, sheet.q("t"))
            t.text = text
            if text != text.strip() or "\n" in text:
                t.set(XML_SPACE, "preserve")

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        """Rows after the last row holding anything, starting in column A."""
        sheet = self.sheet(title)
        last = max(sheet.last_filled_row(self.shared_strings()), 1)
        for offset, values in enumerate(rows, start=1):
            for column, value in enumerate(values, start=1):
                if value is not None:
                    self.set_cell(title, last + offset, column, value)

    # -- styles ----------------------------------------------------------------

    def _styles(self) -> tuple[etree._Element, str] | None:
        part = self._related(REL_STYLES)
        if part is None or part not in self._names:
            return None
        root = self.part(part)
        return root, part

    def _date_style(self, current: int, wanted: str) -> int | None:
        """The style index to give a date cell styled ``current``: it, or a copy with a date format."""
        key = (current, wanted)
        if key in self._date_styles:
            return self._date_styles[key]
        found = self._styles()
        if found is None:
            return None
        root, part = found
        ns = etree.QName(root).namespace or MAIN
        xfs = root.find(f"{{{ns}}}cellXfs")
        if xfs is None:
            return None
        entries = xfs.findall(f"{{{ns}}}xf")
        if current >= len(entries):
            current = 0
        if not entries:
            return None
        xf = entries[current]
        formats = root.find(f"{{{ns}}}numFmts")
        codes = {
            int(f.get("numFmtId", "0")): f.get("formatCode", "")
            for f in ([] if formats is None else formats.iterfind(f"{{{ns}}}numFmt"))
        }
        format_id = int(xf.get("numFmtId", "0"))
        if format_id != 0 and codes.get(format_id, "").lower() not in _PLAIN_FORMATS:
            self._date_styles[key] = current
            return current  # the staff chose a format: keep it
        wanted_id = next((i for i, code in codes.items() if code == wanted), None)
        if wanted_id is None:
            wanted_id = max([163, *codes]) + 1
            if formats is None:
                formats = etree.Element(f"{{{ns}}}numFmts")
                root.insert(0, formats)
            etree.SubElement(formats, f"{{{ns}}}numFmt", numFmtId=str(wanted_id), formatCode=wanted)
            formats.set("count", str(len(formats)))
        new = copy.deepcopy(xf)
        new.set("numFmtId", str(wanted_id))
        new.set("applyNumberFormat", "1")
        xfs.append(new)
        xfs.set("count", str(len(xfs.findall(f"{{{ns}}}xf"))))
        self._changed.add(part)
        index = len(entries)
        self._date_styles[key] = index
        return index

    def _bold_style(self) -> int | None:
        found = self._styles()
        if found is None:
            return None
        root, part = found
        ns = etree.QName(root).namespace or MAIN
        fonts, xfs = root.find(f"{{{ns}}}fonts"), root.find(f"{{{ns}}}cellXfs")
        if fonts is None or xfs is None or not len(fonts) or not len(xfs):
            return None
        font = copy.deepcopy(fonts[0])
        if font.find(f"{{{ns}}}b") is None:
            font.insert(0, etree.Element(f"{{{ns}}}b"))
        fonts.append(font)
        fonts.set("count", str(len(fonts)))
        xf = copy.deepcopy(xfs.findall(f"{{{ns}}}xf")[0])
        xf.set("fontId", str(len(fonts) - 1))
        xf.set("applyFont", "1")
        xfs.append(xf)
        xfs.set("count", str(len(xfs.findall(f"{{{ns}}}xf"))))
        self._changed.add(part)
        return len(xfs.findall(f"{{{ns}}}xf")) - 1

    # -- tabs ------------------------------------------------------------------

    def add_sheet(self, title: str, header: Sequence[str]) -> None:
        """A new last tab whose first row is ``header`` (bold), frozen below it."""
        ns = self._ns
        sheets = self._workbook.find(f"{{{ns}}}sheets")
        if sheets is None:
            raise DamagedPackage("classeur sans onglets")
        folder = posixpath.join(posixpath.dirname(self.workbook_part), "worksheets")
        number = 1
        while posixpath.join(folder, f"sheet{number}.xml") in self._names | set(self._added):
            number += 1
        part = posixpath.join(folder, f"sheet{number}.xml")
        ids = {rel.get("Id") for rel in self._rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship")}
        rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
        etree.SubElement(
            self._rels,
            f"{{{PACKAGE_RELS}}}Relationship",
            Id=rid,
            Type=REL_WORKSHEET,
            Target=f"worksheets/sheet{number}.xml",
        )
        sheet_id = max([0, *(int(s.get("sheetId", "0")) for s in sheets)]) + 1
        entry = etree.SubElement(sheets, f"{{{ns}}}sheet", name=title, sheetId=str(sheet_id))
        entry.set(f"{{{DOC_RELS}}}id", rid)
        types = self.part("[Content_Types].xml")
        etree.SubElement(
            types, f"{{{CONTENT_TYPES}}}Override", PartName=f"/{part}", ContentType=WORKSHEET_TYPE
        )
        self._changed.update({self.workbook_part, self._rels_part, "[Content_Types].xml"})
        width = max(len(header), 1)
        root = etree.fromstring(
            f'<worksheet xmlns="{ns}" xmlns:r="{DOC_RELS}">'
            f'<dimension ref="A1:{get_column_letter(width)}1"/>'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            "</sheetView></sheetViews>"
            '<sheetFormatPr defaultRowHeight="15"/><sheetData/>'
            '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
            "</worksheet>".encode()
        )
        self._parsed[part] = root
        self._added.append(part)
        self._sheets[title] = _Sheet.load(title, part, root)
        bold = self._bold_style()
        for column, name in enumerate(header, start=1):
            self.set_cell(title, 1, column, name)
            if bold is not None:
                self._sheets[title].cell(1, column).set("s", str(bold))

    def _drop_calc_chain(self) -> None:
        """Forget Excel's calculation order (it rebuilds it) once a formula cell is overwritten."""
        part = self._related(REL_CALC_CHAIN)
        if part is None:
            return
        for rel in list(self._rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship")):
            if rel.get("Type") == REL_CALC_CHAIN:
                self._rels.remove(rel)
        types = self.part("[Content_Types].xml")
        for override in list(types.iterfind(f"{{{CONTENT_TYPES}}}Override")):
            if override.get("PartName", "").lstrip("/") == part:
                types.remove(override)
        self._dropped.add(part)
        self._changed.update({self._rels_part, "[Content_Types].xml"})

    # -- saving ----------------------------------------------------------------

    def save(self, target: Path) -> None:
        """Write the package, changed parts re-serialised and the others copied, to ``target``
        atomically (a temporary file beside it, then a rename)."""
        for sheet in self._sheets.values():
            sheet.update_dimension()
        fd, tmp = tempfile.mkstemp(prefix=".mila-", suffix=target.suffix, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                try:
                    self._write(handle)
                except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                    raise DamagedPackage(str(exc)) from exc
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _write(self, handle: IO[bytes]) -> None:
        with zipfile.ZipFile(handle, "w") as out:
            for info in self._zip.infolist():
                if info.filename in self._dropped:
                    continue
                if info.filename in self._changed and info.filename in self._parsed:
                    out.writestr(_copy_info(info), _serialize(self._parsed[info.filename]))
                elif info.filename.endswith((".xml", ".rels")) and info.filename not in self._parsed:
                    # Copied as it is, once known to be sound: never save a damaged file again.
                    data = self._read(info.filename)
                    parse_part(data, info.filename)
                    out.writestr(_copy_info(info), data)
                else:
                    with self._zip.open(info) as source, out.open(_copy_info(info), "w") as sink:
                        while chunk := source.read(1 << 20):
                            sink.write(chunk)
            for name in self._added:
                info = zipfile.ZipInfo(name, date_time=dt.datetime.now().timetuple()[:6])
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, _serialize(self._parsed[name]))


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.comment = info.comment
    return new


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")
