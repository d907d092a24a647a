"""The values of a .xlsx file's cells, read straight from its XML parts.

The values are those openpyxl's read-only mode gives with ``data_only=True`` (what a
formula last computed; numbers as ``int`` or ``float``; dates, times and durations by the
cell's number format; text from the shared strings, rich text joined), but read in
a fraction of its time: openpyxl builds an object per shared string and per cell through
its descriptors, which made reading the workbook most of a command's work.

Two differences, both on files openpyxl itself reads wrongly or not at all: rows and
columns beyond the sheet's ``<dimension>`` are read (openpyxl drops them, spreadsheets
do not), and ranges that only LibreOffice writes (``sqref="1:1220"``) are not looked at,
since no cell value depends on them (openpyxl refuses the whole file over them).

A tab's rows are kept while its part, the shared strings and the styles are the same bytes
(bounded by ``CACHED_VALUES``): a command that writes one tab, then reads the workbook
again, parses only that tab again, and tests starting from the same file parse it once.

Every part is parsed by :func:`.xlsx_parts.parse_part`: no DTD, no entity, no network;
whatever is missing or not well-formed raises :class:`.xlsx_parts.DamagedPackage` (or the
``ValueError``/``IndexError`` of a value that cannot be what its type says), which the
backend reports as a damaged file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import posixpath
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, from_excel, from_ISO8601

from .xlsx_parts import (
    DOC_RELS,
    MAIN,
    PACKAGE_RELS,
    REL_OFFICE_DOCUMENT,
    REL_SHARED_STRINGS,
    REL_STYLES,
    DamagedPackage,
    _rels_of,
    _text_of,
    epoch_of,
    parse_part,
    read_entry,
)

log = logging.getLogger(__name__)

Row = tuple[object, ...]
CACHED_VALUES = 1_000_000  # values kept across reads, in tabs whose bytes did not change
_TABS: OrderedDict[bytes, _Tab] = OrderedDict()  # by the digest of the tab's part and shared strings
_TABS_LOCK = threading.Lock()
_DIGITS = "0123456789"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_COLUMNS: dict[str, int] = {}  # « AB » → 28, filled as references are met


def _column(letters: str) -> int:
    found = _COLUMNS.get(letters)
    if found is None:
        found = _COLUMNS[letters] = column_index_from_string(letters.replace("$", "").upper())
    return found


def _number(text: str) -> int | float:
    """A number as openpyxl reads it: a float when it has a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class XlsxValues:
    """An open .xlsx file: its tab titles, and the values of a tab's rows."""

    def __init__(self, source: Path | IO[bytes]) -> None:
        try:
            self._zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            raise DamagedPackage(str(exc)) from exc
        try:
            self._names = set(self._zip.namelist())
            self._workbook_part = self._office_document()
            workbook = self._part(self._workbook_part)
            self._ns = etree.QName(workbook).namespace or MAIN
            self._epoch = epoch_of(workbook)
            self._targets = self._relations(_rels_of(self._workbook_part))
            self._sheets: dict[str, str] = {}
            sheets = workbook.find(f"{{{self._ns}}}sheets")
            for entry in () if sheets is None else sheets.iterfind(f"{{{self._ns}}}sheet"):
                part = self._targets.get(entry.get(f"{{{DOC_RELS}}}id", ""), ("", ""))[1]
                if part in self._names:  # as openpyxl: a tab whose part is missing is not listed
                    self._sheets.setdefault(entry.get("name", ""), part)
            self._shared: list[str] | None = None
            self._styles: tuple[frozenset[int], frozenset[int]] | None = None
            self._context: bytes | None = None
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> XlsxValues:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -----------------------------------------------------------------

    def _bytes(self, name: str) -> bytes:
        if name not in self._names:
            raise DamagedPackage(f"partie absente : {name}")
        return read_entry(self._zip, name)

    def _part(self, name: str, data: bytes | None = None) -> etree._Element:
        return parse_part(self._bytes(name) if data is None else data, name)

    def _relations(self, rels_part: str) -> dict[str, tuple[str, str]]:
        """Each relation's ID → (type, part it points to, as a name in the zip)."""
        if rels_part not in self._names:
            return {}
        folder = posixpath.dirname(posixpath.dirname(rels_part))
        found: dict[str, tuple[str, str]] = {}
        for rel in self._part(rels_part).iterfind(f"{{{PACKAGE_RELS}}}Relationship"):
            target = rel.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), target)
        return found

    def _office_document(self) -> str:
        for rel_type, target in self._relations("_rels/.rels").values():
            if rel_type == REL_OFFICE_DOCUMENT:
                return target
        raise DamagedPackage("aucun classeur dans le paquet")

    def _related(self, kind: str) -> str | None:
        for rel_type, target in self._targets.values():
            if rel_type == kind and target in self._names:
                return target
        return None

    @property
    def titles(self) -> list[str]:
        return list(self._sheets)

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            part = self._related(REL_SHARED_STRINGS)
            self._shared = []
            if part is not None:
                root = self._part(part)
                ns = etree.QName(root).namespace or MAIN
                t_tag = f"{{{ns}}}t"
                for si in root.iterfind(f"{{{ns}}}si"):
                    plain = len(si) == 1 and si[0].tag == t_tag  # most strings; else runs, phonetics
                    text = (si[0].text or "") if plain else _text_of(si, ns)
                    # openpyxl drops this escape's prefix (« _x005F_x000D_ » reads « _x000D_ »)
                    self._shared.append(text.replace("x005F_", "") if "x005F_" in text else text)
        return self._shared

    def date_styles(self) -> tuple[frozenset[int], frozenset[int]]:
        """The style numbers whose number format shows a date or time, and a duration."""
        if self._styles is None:
            dates: set[int] = set()
            durations: set[int] = set()
            part = self._related(REL_STYLES)
            if part is not None:
                root = self._part(part)
                ns = etree.QName(root).namespace or MAIN
                custom = {
                    _format_id(f.get("numFmtId")): f.get("formatCode")
                    for f in root.iterfind(f"{{{ns}}}numFmts/{{{ns}}}numFmt")
                }
                for number, xf in enumerate(root.iterfind(f"{{{ns}}}cellXfs/{{{ns}}}xf")):
                    fmt_id = _format_id(xf.get("numFmtId"))
                    fmt = custom[fmt_id] if fmt_id in custom else BUILTIN_FORMATS.get(fmt_id)
                    if is_date_format(fmt):
                        dates.add(number)
                    if is_timedelta_format(fmt):
                        durations.add(number)
            self._styles = (frozenset(dates), frozenset(durations))
        return self._styles

    # -- cells -----------------------------------------------------------------

    def holds_formulas(self, title: str) -> bool:
        """Whether a cell of the tab holds a formula (its value read is what it last computed)."""
        return _FORMULA.search(self._bytes(self._sheets[title])) is not None

    def _context_key(self) -> bytes:
        """What a tab's values depend on beside its own part and its styles: the shared strings
        and the epoch."""
        if self._context is None:
            digest = hashlib.blake2b(digest_size=20)
            digest.update(b"1904" if self._epoch == CALENDAR_MAC_1904 else b"1900")
            part = self._related(REL_SHARED_STRINGS)
            digest.update(b"|" + (b"" if part is None else self._bytes(part)))
            self._context = digest.digest()
        return self._context

    def rows(self, title: str) -> list[Row]:
        """The tab's rows from the first, each as long as its last cell read, gaps as empty rows.

        Shared with every other read of the same bytes: the rows are tuples, never to be changed.
        A write that only adds a date style (as mila's do) leaves the other tabs' rows valid:
        what is checked is how the styles of the tab's numbers read (date, duration, number)."""
        name = self._sheets[title]
        data = self._bytes(name)
        key = hashlib.blake2b(data, digest_size=20, key=self._context_key()).digest()
        with _TABS_LOCK:
            known = _TABS.get(key)
            if known is not None:
                _TABS.move_to_end(key)
        if known is not None and known.styles == self._kinds(known.styles):
            return known.rows
        root = self._part(name, data)
        ns = etree.QName(root).namespace or MAIN
        sheet_data = root.find(f"{{{ns}}}sheetData")
        numbers: set[int] = set()
        rows = (
            []
            if sheet_data is None
            else list(self._parse_rows(sheet_data.iterfind(f"{{{ns}}}row"), ns, numbers))
        )
        _remember(key, _Tab(rows, sum(len(r) for r in rows), self._kinds(numbers)))
        return rows

    def _kinds(self, styles: Iterable[int] | Mapping[int, int]) -> dict[int, int]:
        """Each style → 0 number, 1 date or time, 3 duration, as this file's styles say."""
        dates, durations = self.date_styles()
        return {s: (s in dates) + 2 * (s in durations) for s in styles}

    def _parse_rows(self, rows: Iterable[etree._Element], ns: str, numbers: set[int]) -> Iterable[Row]:
        """The values of ``rows``; ``numbers`` gets the styles of the numbers met."""
        v_tag, is_tag, t_tag = f"{{{ns}}}v", f"{{{ns}}}is", f"{{{ns}}}t"
        shared = self.shared_strings()
        dates, durations = self.date_styles()
        epoch = self._epoch
        expected = 1  # the number of the next row to give
        number = 0
        for row in rows:
            r = row.get("r")
            number = _row_number(r) if r is not None else number + 1
            if number < expected:  # a row out of order: openpyxl leaves it out
                continue
            while expected < number:
                yield ()
                expected += 1
            expected += 1
            values: dict[int, object] = {}
            column = 0
            for cell in row:
                ref = cell.get("r")
                column = _column(ref.rstrip(_DIGITS)) if ref else column + 1
                kind = cell.get("t", "n")
                value: object = None
                if kind == "inlineStr":
                    found = cell.find(is_tag)
                    if found is not None:
                        plain = len(found) == 1 and found[0].tag == t_tag
                        value = (found[0].text or "") if plain else _text_of(found, ns)
                else:
                    text = cell.findtext(v_tag)
                    if text:
                        if kind == "n":
                            value = _number(text)
                            style = cell.get("s")
                            number_style = int(style) if style else 0
                            numbers.add(number_style)
                            if number_style in dates:
                                value = _date(value, epoch, number_style in durations, ref)
                        elif kind == "s":
                            value = shared[int(text)]
                        elif kind == "b":
                            value = bool(int(text))
                        elif kind == "d":
                            value = from_ISO8601(text)
                        else:  # « str » (a formula's text), « e » (an error such as #N/A)
                            value = text
                values[column] = value
            if not values:
                yield ()
                continue
            width = max(values)
            line: list[object] = [None] * width
            for index, value in values.items():
                line[index - 1] = value
            yield tuple(line)


@dataclass(frozen=True)
class _Tab:
    """A tab's rows as read, how many values they hold, and how its numbers' styles read."""

    rows: list[Row]
    values: int
    styles: dict[int, int]


def _remember(key: bytes, tab: _Tab) -> None:
    with _TABS_LOCK:
        _TABS[key] = tab
        total = sum(t.values for t in _TABS.values())
        while _TABS and total > CACHED_VALUES:
            total -= _TABS.popitem(last=False)[1].values


def _format_id(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        value = float(text)
        if not value.is_integer():
            raise
        return int(value)


def _date(value: float, epoch: dt.datetime, duration: bool, ref: str | None) -> object:
    try:
        return from_excel(value, epoch, timedelta=duration)
    except (OverflowError, ValueError):
        log.warning("cell %s holds %s under a date format, outside the dates a spreadsheet knows", ref, value)
        return "#VALUE!"
