"""One worksheet part of a .xlsx being changed: its rows indexed by number, its cells
found or made in column order, and the ``<dimension>`` grown to what was written."""

from __future__ import annotations

import logging
from bisect import bisect_left
from dataclasses import dataclass, field

from lxml import etree
from openpyxl.utils.cell import get_column_letter

from .xlsx_parts import MAIN, _blank_cell, _column_of, _range_bounds
from .xlsx_ranges import repair_range

log = logging.getLogger(__name__)


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
