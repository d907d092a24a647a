"""The XML parts of a .xlsx: their namespaces, a safe parser, cell references, and what
makes a package count as damaged (:class:`DamagedPackage`) or a cell refused (:class:`CellRefused`).

Every part is parsed without DTDs, entities or network access; a part that declares a
DOCTYPE, or that is not well-formed, makes the whole file count as damaged.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib

from lxml import etree
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

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


def read_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    """The bytes of the part ``name``; a part missing or that cannot be inflated is damage."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError) as exc:
        raise DamagedPackage(f"{name}: {exc}") from exc


def epoch_of(workbook: etree._Element) -> dt.datetime:
    """The day serial 0 stands for in this workbook: 1904 when its ``workbookPr`` says so."""
    ns = etree.QName(workbook).namespace or MAIN
    pr = workbook.find(f"{{{ns}}}workbookPr")
    return (
        CALENDAR_MAC_1904 if pr is not None and pr.get("date1904") in ("1", "true") else CALENDAR_WINDOWS_1900
    )


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=True)


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
