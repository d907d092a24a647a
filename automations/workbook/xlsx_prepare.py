"""`mila preparer` on a local .xlsx: the plan of :mod:`.preparation` written into the XML parts.

Like every write of the .xlsx backend, the file is patched, never rewritten by openpyxl:
cell values and formulas with their stored results are not touched. What changes:

- ``<sheetView>``: a frozen pane below row 1;
- ``<cols>``: widths (only ever widened) and, for date and amount columns, the column's
  style, so that a value typed later shows as a date or in euros;
- the ``s`` (style) of the existing date and amount cells of those columns, when they have
  no format of their own (the staff's own formats are kept); new styles go to styles.xml;
- ``<dataValidations>``: the dropdowns (a list typed in, or a column of ``Listes``), with an
  error style of « avertissement » so a value outside the list can still be typed;
- the computed columns and the job-owned tabs: Excel has no warning-only protection (a
  protected sheet refuses the change outright), so the closest honest equivalent is used:
  a validation that no typed value passes, with the « avertissement » style: Excel and
  LibreOffice warn « Colonne calculée par mila… Continuer ? » and keep the value if the
  person insists. A paste is not checked (as in any spreadsheet validation);
- ``<conditionalFormatting>`` with its ``<dxf>`` styles;
- the header notes: a comments part and its VML drawing (made with openpyxl's own comment
  writer), or added to the sheet's existing ones; a note of someone else's on a header
  cell is left as it is.

The file is saved only when something changed: a second run leaves its bytes as they were.
"""

from __future__ import annotations

import copy
import logging
import posixpath
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lxml import etree
from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet
from openpyxl.utils.cell import get_column_letter
from openpyxl.xml.functions import fromstring as openpyxl_fromstring
from openpyxl.xml.functions import tostring as openpyxl_tostring

from .. import schema
from . import a1
from .preparation import CALC_NOTE, COLOURS, FORMATS, Choices, ColumnPlan, TabPlan, plan_tab, tab_contract
from .xlsx_package import Package
from .xlsx_parts import CONTENT_TYPES, DOC_RELS, PACKAGE_RELS, DamagedPackage, _rels_of, parse_part
from .xlsx_sheet import _Sheet

if TYPE_CHECKING:
    from .xlsx import XlsxBackend

log = logging.getLogger(__name__)
AUTHOR = "mila"
LAST_ROW = 1048576
# A whole tab, less its very last column: LibreOffice saves a range over every column as
# rows only (« 1:1220 »), which openpyxl cannot read; this one it saves as « A1:XFC1220 ».
WHOLE_TAB = f"A1:XFC{LAST_ROW}"
EXCEL_LIST_LIMIT = 255  # characters of a list typed into a validation
REL_COMMENTS = DOC_RELS + "/comments"
REL_VML = DOC_RELS + "/vmlDrawing"
COMMENTS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_TYPE = "application/vnd.openxmlformats-officedocument.vmlDrawing"
WARNING_TITLE = "Colonne calculée par mila"
WARNING_TEXT = (
    "Cette colonne est calculée par mila synchroniser : votre saisie serait remplacée. "
    "Ne la modifiez pas. Continuer quand même ?"
)
OWNED_TITLE = "Onglet tenu par mila"
OWNED_TEXT = "Cet onglet est tenu par mila : ne le modifiez pas. Continuer quand même ?"
LIST_TITLE = "Valeur hors de la liste"
LIST_TEXT = (
    "Cette valeur n'est pas dans la liste. mila la signalera dans Anomalies si elle n'est pas valable."
)

# The order of a worksheet's children (ECMA-376, CT_Worksheet).
ORDER = [
    "sheetPr",
    "dimension",
    "sheetViews",
    "sheetFormatPr",
    "cols",
    "sheetData",
    "sheetCalcPr",
    "sheetProtection",
    "protectedRanges",
    "scenarios",
    "autoFilter",
    "sortState",
    "dataConsolidate",
    "customSheetViews",
    "mergeCells",
    "phoneticPr",
    "conditionalFormatting",
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
]


def prepare(backend: XlsxBackend, choices: Choices | None = None) -> Counter[str]:
    """Apply the plan to every contract tab of the file; the changes, by kind."""
    with backend.exclusive():
        backend._check_not_locked()
        with backend._reading() as book:  # row 1 of each contract tab
            titles = book.titles
            headers = {t: [list(next(iter(book.rows(t)), ()))] for t in titles if tab_contract(t) is not None}
        try:
            package = Package(backend.path)
        except PermissionError as exc:
            raise backend._denied(exc, "lu") from exc
        except (DamagedPackage, OSError) as exc:
            raise backend._damaged(exc) from exc
        with package:
            try:
                changes = _prepare_package(package, titles, headers, choices)
                if changes:
                    package.save(backend.path)
            except DamagedPackage as exc:
                raise backend._damaged(exc) from exc
    return changes


def _prepare_package(
    package: Package, titles: Sequence[str], headers: dict, choices: Choices | None = None
) -> Counter[str]:
    changes: Counter[str] = Counter()
    listes = next((t for t in titles if tab_contract(t) is schema.LISTES), None)
    listes_grid = (headers.get(listes) or []) if listes is not None else []
    listes_header = list(listes_grid[0]) if listes_grid and any(listes_grid[0]) else None
    for title in titles:
        grid = headers.get(title) or []
        plan = plan_tab(title, list(grid[0]) if grid else [], choices, listes_header)
        if plan is None:
            continue
        _Preparer(package, package.sheet(title), plan, listes, changes).run()
    return changes


class _Preparer:
    """One tab's part, changed in place; what changed counted in ``changes``."""

    def __init__(
        self, package: Package, sheet: _Sheet, plan: TabPlan, listes: str | None, changes: Counter[str]
    ) -> None:
        self.package = package
        self.sheet = sheet
        self.root = sheet.root
        self.ns = sheet.ns
        self.plan = plan
        self.listes = listes
        self.changes = changes

    def q(self, tag: str) -> str:
        return f"{{{self.ns}}}{tag}"

    def child(self, tag: str) -> etree._Element:
        """The worksheet's ``tag`` child, created at its place in the schema's order."""
        found = self.root.find(self.q(tag))
        if found is not None:
            return found
        return self.place(etree.Element(self.q(tag)))

    def place(self, element: etree._Element) -> etree._Element:
        """Insert ``element`` after the last child that comes before it or with it in ORDER."""
        rank = ORDER.index(etree.QName(element).localname)
        last = None
        for existing in self.root:
            name = etree.QName(existing).localname if isinstance(existing.tag, str) else ""
            if name in ORDER and ORDER.index(name) <= rank:
                last = existing
        if last is None:
            self.root.insert(0, element)
        else:
            last.addnext(element)
        return element

    def run(self) -> None:
        self.freeze()
        for column in self.plan.columns:
            self.width_and_format(column)
            self.validation(column)
            self.conditional(column)
        if self.plan.owned:
            self.warn_range(WHOLE_TAB, OWNED_TITLE, OWNED_TEXT)
        else:
            self.notes()

    # -- frozen header ------------------------------------------------------------

    def freeze(self) -> None:
        views = self.child("sheetViews")
        view = views.find(self.q("sheetView"))
        if view is None:
            view = etree.SubElement(views, self.q("sheetView"), workbookViewId="0")
        pane = view.find(self.q("pane"))
        if (
            pane is not None
            and pane.get("state") in ("frozen", "frozenSplit")
            and float(pane.get("ySplit", "0")) >= 1
        ):
            return
        if pane is None:
            pane = etree.Element(self.q("pane"))
            view.insert(0, pane)
        x_split = float(pane.get("xSplit", "0")) if pane.get("state") in ("frozen", "frozenSplit") else 0
        for name in list(pane.attrib):
            del pane.attrib[name]
        if x_split:
            pane.set("xSplit", str(int(x_split)))
        pane.set("ySplit", "1")
        pane.set("topLeftCell", f"{get_column_letter(int(x_split) + 1)}2")
        active = "bottomRight" if x_split else "bottomLeft"
        pane.set("activePane", active)
        pane.set("state", "frozen")
        if not any(s.get("pane") == active for s in view.iterfind(self.q("selection"))):
            selection = etree.Element(
                self.q("selection"), pane=active, activeCell=pane.get("topLeftCell", "A2")
            )
            selection.set("sqref", pane.get("topLeftCell", "A2"))
            pane.addnext(selection)
        self.changes["frozen"] += 1

    # -- widths and number formats -----------------------------------------------

    def width_and_format(self, column: ColumnPlan) -> None:
        index = column.index
        wanted_width = round((column.width - 5) / 7, 2)
        code = FORMATS[column.number_format][1] if column.number_format else None
        col = self.col(index, create=False)
        have_width = float(col.get("width", "0")) if col is not None else 0.0
        need_width = have_width + 0.01 < wanted_width
        style = None
        if code is not None:
            current = int(col.get("style", "0")) if col is not None else 0
            style = self.package._date_style(current, code)
            if style == current:
                style = None
        if need_width or style is not None:
            col = self.col(index, create=True)
            assert col is not None  # created when missing
            if need_width:
                col.set("width", str(wanted_width))
                col.set("customWidth", "1")
                self.changes["width"] += 1
            if style is not None:
                col.set("style", str(style))
        cells = self.format_cells(index, code) if code is not None else 0
        if style is not None or cells:
            self.changes["format"] += 1

    def col(self, index: int, *, create: bool) -> etree._Element | None:
        """The ``<col>`` of one column; a span covering it is split so it stands alone."""
        cols = self.root.find(self.q("cols"))
        if cols is not None:
            for col in cols.iterfind(self.q("col")):
                low, high = int(col.get("min", "0")), int(col.get("max", "0"))
                if not low <= index <= high:
                    continue
                if not create or low == high:
                    return col
                return self._split(cols, col, low, high, index)
        if not create:
            return None
        cols = self.child("cols")
        element = etree.Element(self.q("col"), min=str(index), max=str(index))
        for position, col in enumerate(cols.iterfind(self.q("col"))):
            if int(col.get("min", "0")) > index:
                cols.insert(position, element)
                return element
        cols.append(element)
        return element

    def _split(
        self, cols: etree._Element, col: etree._Element, low: int, high: int, index: int
    ) -> etree._Element:
        pieces = [(low, index - 1), (index, index), (index + 1, high)]
        made = []
        for start, end in pieces:
            if start > end:
                continue
            piece = copy.deepcopy(col)
            piece.set("min", str(start))
            piece.set("max", str(end))
            made.append((start, piece))
        position = list(cols).index(col)
        cols.remove(col)
        for offset, (_, piece) in enumerate(made):
            cols.insert(position + offset, piece)
        return next(piece for start, piece in made if start == index)

    def format_cells(self, index: int, code: str) -> int:
        """Give the existing cells below the header the format, unless they have their own."""
        changed = 0
        for number, row in zip(self.sheet.numbers, self.sheet.rows, strict=True):
            if number < 2:
                continue
            for cell in row.iterfind(self.q("c")):
                ref = cell.get("r") or ""
                letters = ref.rstrip("0123456789").lstrip("$")
                if letters != get_column_letter(index):
                    continue
                if cell.find(self.q("v")) is None and cell.find(self.q("is")) is None:
                    continue
                current = int(cell.get("s", "0"))
                style = self.package._date_style(current, code)
                if style is not None and style != current:
                    cell.set("s", str(style))
                    changed += 1
        return changed

    # -- validations ---------------------------------------------------------------

    def validation(self, column: ColumnPlan) -> None:
        letter = get_column_letter(column.index)
        if column.calc:
            self.warn_range(f"{letter}1:{letter}{LAST_ROW}", WARNING_TITLE, WARNING_TEXT)
            return
        if column.list_column is not None and self.listes is not None:
            source = get_column_letter(column.list_column)
            formula = f"{a1.quote_tab(self.listes)}!${source}$2:${source}${LAST_ROW}"
        elif column.choices:
            formula = '"' + ",".join(c.replace('"', '""') for c in column.choices) + '"'
            if len(formula) - 2 > EXCEL_LIST_LIMIT:
                log.info("%s: the list of %s is too long for Excel", self.plan.title, column.name)
                return
        else:
            return
        attrs = {
            "type": "list",
            "errorStyle": "warning",
            "allowBlank": "1",
            "showErrorMessage": "1",
            "errorTitle": LIST_TITLE,
            "error": LIST_TEXT,
        }
        self.add_validation(f"{letter}2:{letter}{LAST_ROW}", formula, attrs)

    def warn_range(self, sqref: str, title: str, text: str) -> None:
        attrs = {
            "type": "custom",
            "errorStyle": "warning",
            "allowBlank": "1",
            "showErrorMessage": "1",
            "errorTitle": title,
            "error": text,
        }
        self.add_validation(sqref, "FALSE", attrs, kind="protection")

    def add_validation(
        self, sqref: str, formula: str, attrs: dict[str, str], kind: str = "validation"
    ) -> None:
        holder = self.root.find(self.q("dataValidations"))
        if holder is not None:
            for existing in holder.iterfind(self.q("dataValidation")):
                if not _same_range(existing.get("sqref") or "", sqref) and not _whole_tab_before(
                    existing, sqref, attrs
                ):
                    continue
                have = existing.find(self.q("formula1"))
                same = have is not None and have.text == formula and existing.get("type") == attrs["type"]
                if same and existing.get("sqref") == sqref:
                    return
                # A rule of an earlier preparation on the same range, or on the same range cut
                # short by LibreOffice, or the whole-tab warning of an earlier version: replaced.
                holder.remove(existing)
                break
        holder = self.child("dataValidations")
        element = etree.SubElement(holder, self.q("dataValidation"), attrs)
        element.set("sqref", sqref)
        etree.SubElement(element, self.q("formula1")).text = formula
        holder.set("count", str(len(holder.findall(self.q("dataValidation")))))
        self.changes[kind] += 1

    # -- conditional formats -------------------------------------------------------

    def conditional(self, column: ColumnPlan) -> None:
        letter = get_column_letter(column.index)
        sqref = f"{letter}2:{letter}{LAST_ROW}"
        for value, colour in column.highlights:
            text = '"' + value.replace('"', '""') + '"'
            self.add_rule(sqref, {"type": "cellIs", "operator": "equal"}, text, colour)
        if column.flag_filled:
            self.add_rule(sqref, {"type": "expression"}, f"LEN(TRIM({letter}2))>0", "anomaly")

    def add_rule(self, sqref: str, attrs: dict[str, str], formula: str, colour: str) -> None:
        priorities = [0]
        for block in self.root.iterfind(self.q("conditionalFormatting")):
            for rule in block.iterfind(self.q("cfRule")):
                priorities.append(int(rule.get("priority", "0")))
                have = rule.find(self.q("formula"))
                if block.get("sqref") == sqref and have is not None and have.text == formula:
                    return
        dxf = self.dxf(COLOURS[colour][1])
        if dxf is None:
            return
        block = etree.Element(self.q("conditionalFormatting"), sqref=sqref)
        rule = etree.SubElement(block, self.q("cfRule"), attrs)
        rule.set("dxfId", str(dxf))
        rule.set("priority", str(max(priorities) + 1))
        etree.SubElement(rule, self.q("formula")).text = formula
        self.place(block)
        self.changes["conditional"] += 1

    def dxf(self, argb: str) -> int | None:
        """The index of a differential style filling the cell with ``argb`` (added if needed)."""
        found = self.package._styles()
        if found is None:
            return None
        root, part = found
        ns = etree.QName(root).namespace or self.ns
        dxfs = root.find(f"{{{ns}}}dxfs")
        if dxfs is None:
            dxfs = etree.Element(f"{{{ns}}}dxfs")
            after = None
            for tag in ("cellStyles", "cellXfs", "cellStyleXfs", "borders", "fills", "fonts", "numFmts"):
                after = root.find(f"{{{ns}}}{tag}")
                if after is not None:
                    break
            if after is not None:
                after.addnext(dxfs)
            else:
                root.insert(0, dxfs)
        for index, existing in enumerate(dxfs.iterfind(f"{{{ns}}}dxf")):
            colour = existing.find(f"{{{ns}}}fill/{{{ns}}}patternFill/{{{ns}}}bgColor")
            if colour is not None and colour.get("rgb") == argb and len(existing) == 1:
                return index
        dxf = etree.SubElement(dxfs, f"{{{ns}}}dxf")
        fill = etree.SubElement(
            etree.SubElement(dxf, f"{{{ns}}}fill"), f"{{{ns}}}patternFill", patternType="solid"
        )
        etree.SubElement(fill, f"{{{ns}}}bgColor", rgb=argb)
        dxfs.set("count", str(len(dxfs.findall(f"{{{ns}}}dxf"))))
        self.package._changed.add(part)
        return len(dxfs.findall(f"{{{ns}}}dxf")) - 1

    # -- header notes --------------------------------------------------------------

    def notes(self) -> None:
        wanted = {f"{get_column_letter(c.index)}1": c.note for c in self.plan.columns}
        if not wanted:
            return
        rels_name = _rels_of(self.sheet.part)
        rels = self._rels(rels_name)
        comments_part = self._target_of(rels, REL_COMMENTS)
        records: list[CommentRecord] = []
        if comments_part is not None:
            tree = openpyxl_fromstring(etree.tostring(self.package.part(comments_part)))
            existing = CommentSheet.from_tree(tree)  # type: ignore[arg-type]  # stubs name their own element type
            authors = existing.authors.author if existing is not None else []
            for record in existing.commentList if existing is not None else []:
                record.author = authors[record.authorId] if record.authorId < len(authors) else ""
                records.append(record)
        by_ref = {r.ref: r for r in records}
        added = 0
        for ref, note in wanted.items():
            record = by_ref.get(ref)
            if record is not None and (record.author != AUTHOR or record.content == note):
                continue  # ours and current, or someone else's note: left as it is
            if record is None:
                record = CommentRecord(ref=ref, author=AUTHOR, height=110, width=260)
                records.append(record)
            record.text.t = note
            record.text.r = []
            added += 1
        if not added:
            return
        vml_part = self._vml_part(rels)
        vml_root = None
        if vml_part is not None:
            try:
                vml_root = openpyxl_fromstring(self.package._read(vml_part))
            except Exception:  # Excel's VML is often not well-formed XML: keep the notes out
                log.warning("%s: drawing %s unreadable, header notes left out", self.plan.title, vml_part)
                return
        sheet = CommentSheet.from_comments(records)
        comments_xml = parse_part(openpyxl_tostring(sheet.to_tree()), "comments")
        vml_xml = parse_part(sheet.write_shapes(vml_root), "vml")
        if comments_part is None:
            comments_part = self._new_part("xl/comments/comment{}.xml", COMMENTS_TYPE)
            self._relate(rels, rels_name, REL_COMMENTS, comments_part)
        if vml_part is None:
            vml_part = self._new_part("xl/drawings/commentsDrawing{}.vml", None)
            rid = self._relate(rels, rels_name, REL_VML, vml_part)
            legacy = self.child("legacyDrawing")
            legacy.set(f"{{{DOC_RELS}}}id", rid)
        self._store(comments_part, comments_xml)
        self._store(vml_part, vml_xml)
        self.changes["note"] += added

    def _rels(self, name: str) -> etree._Element:
        if name in self.package._names or name in self.package._added:
            return self.package.part(name) if name in self.package._names else self.package._parsed[name]
        root = etree.Element(f"{{{PACKAGE_RELS}}}Relationships", nsmap={None: PACKAGE_RELS})
        self.package._parsed[name] = root
        self.package._added.append(name)
        return root

    def _target_of(self, rels: etree._Element, kind: str) -> str | None:
        for rel in rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship"):
            if rel.get("Type") == kind and rel.get("TargetMode") != "External":
                return self._resolve(rel.get("Target", ""))
        return None

    def _vml_part(self, rels: etree._Element) -> str | None:
        legacy = self.root.find(self.q("legacyDrawing"))
        if legacy is None:
            return None
        rid = legacy.get(f"{{{DOC_RELS}}}id")
        for rel in rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship"):
            if rel.get("Id") == rid:
                return self._resolve(rel.get("Target", ""))
        return None

    def _resolve(self, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(self.sheet.part), target))

    def _new_part(self, pattern: str, content_type: str | None) -> str:
        taken = self.package._names | set(self.package._added)
        number = 1
        while pattern.format(number) in taken:
            number += 1
        name = pattern.format(number)
        types = self.package.part("[Content_Types].xml")
        if content_type is not None:
            etree.SubElement(
                types, f"{{{CONTENT_TYPES}}}Override", PartName=f"/{name}", ContentType=content_type
            )
        elif not any(d.get("Extension") == "vml" for d in types.iterfind(f"{{{CONTENT_TYPES}}}Default")):
            default = etree.Element(f"{{{CONTENT_TYPES}}}Default", Extension="vml", ContentType=VML_TYPE)
            types.insert(0, default)
        self.package._changed.add("[Content_Types].xml")
        self.package._added.append(name)
        return name

    def _relate(self, rels: etree._Element, rels_name: str, kind: str, part: str) -> str:
        ids = {rel.get("Id") for rel in rels.iterfind(f"{{{PACKAGE_RELS}}}Relationship")}
        rid = next(f"rId{n}" for n in range(1, len(ids) + 2) if f"rId{n}" not in ids)
        target = posixpath.relpath(part, posixpath.dirname(self.sheet.part))
        etree.SubElement(rels, f"{{{PACKAGE_RELS}}}Relationship", Id=rid, Type=kind, Target=target)
        self.package._changed.add(rels_name)
        return rid

    def _store(self, part: str, root: etree._Element) -> None:
        self.package._parsed[part] = root
        self.package._changed.add(part)


__all__ = ["CALC_NOTE", "prepare"]


def _same_range(have: str, wanted: str) -> bool:
    """The same range, or the same one cut short below (LibreOffice keeps only the used rows)."""
    if have == wanted:
        return True
    top, _, bottom = have.partition(":")
    want_top, _, want_bottom = wanted.partition(":")
    digits = "0123456789"
    return bool(bottom) and top == want_top and bottom.rstrip(digits) == want_bottom.rstrip(digits)


def _whole_tab_before(existing: etree._Element, sqref: str, attrs: dict[str, str]) -> bool:
    """``existing`` is the owned-tab warning of an earlier preparation, over another range.

    Earlier versions spread it over ``A1:XFD1048576``; LibreOffice gives that back as
    ``1:1220`` (read as ``A1:XFD1220``). The new rule replaces it rather than doubling it.
    """
    return sqref == WHOLE_TAB and existing.get("errorTitle") == attrs.get("errorTitle") == OWNED_TITLE
