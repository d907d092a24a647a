"""Changing a few cells of a .xlsx file inside its XML, and nothing else.

A .xlsx is a zip of XML parts. Saving through openpyxl rewrites every part and drops
what openpyxl does not model, among which the stored result of every formula: a file
saved that way reads back with blank formula cells until a spreadsheet recalculates
it. Here the package is opened as it is, only the ``<c>`` elements of the written
cells change (plus the sheet's ``<dimension>``, and a date style or a new tab when a
write needs one), and every other part is copied unchanged.

Every part is parsed without DTDs, entities or network access; a part that declares
a DOCTYPE, or that is not well-formed, makes the whole file count as damaged
(:class:`DamagedPackage`) before anything is written. The parts, their parser and those
errors are in :mod:`.xlsx_parts`; a worksheet part being changed is :mod:`.xlsx_sheet`.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import os
import posixpath
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from lxml import etree
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import to_excel

from ..zipentries import append_raw, raw_bytes
from .xlsx_parts import (
    _PLAIN_FORMATS,
    CONTENT_TYPES,
    DATE_FORMAT,
    DATETIME_FORMAT,
    DOC_RELS,
    MAIN,
    PACKAGE_RELS,
    REL_CALC_CHAIN,
    REL_OFFICE_DOCUMENT,
    REL_SHARED_STRINGS,
    REL_STYLES,
    REL_WORKSHEET,
    WORKSHEET_TYPE,
    XML_SPACE,
    CellRefused,
    DamagedPackage,
    _copy_info,
    _number,
    _rels_of,
    _serialize,
    _text_of,
    epoch_of,
    parse_part,
    read_entry,
)
from .xlsx_sheet import _Sheet
from .xlsx_zip import check_sound


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
        self._epoch = epoch_of(self._workbook)

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
        return read_entry(self._zip, name)

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
        with zipfile.ZipFile(handle, "w") as out, self.path.open("rb") as original:
            for info in self._zip.infolist():
                if info.filename in self._dropped:
                    continue
                if info.filename in self._changed and info.filename in self._parsed:
                    out.writestr(_copy_info(info), _serialize(self._parsed[info.filename]))
                    continue
                # Copied as it is, compressed, once known to be sound: never save a damaged file again.
                raw = raw_bytes(original, info)
                if raw is not None:
                    check_sound(info, raw)
                    append_raw(out, info, raw)
                elif info.filename.endswith((".xml", ".rels")):
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
