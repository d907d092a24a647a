"""The report's paragraphs, runs and tables as OOXML elements, built in lxml exactly as
python-docx's ``add_paragraph``, ``add_run``, ``add_table`` and their font, paragraph and
table properties write them (its proxies cost most of a report's rendering: some 3,000 runs
and 500 table cells)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import cast

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from lxml import etree

from .french import typeset

# The elements the report's writer builds itself.
W_B, W_I, W_SZ, W_VERTALIGN = qn("w:b"), qn("w:i"), qn("w:sz"), qn("w:vertAlign")
W_P, W_PPR, W_PSTYLE, W_KEEPNEXT, W_JC = qn("w:p"), qn("w:pPr"), qn("w:pStyle"), qn("w:keepNext"), qn("w:jc")
W_R, W_RPR, W_T, W_TAB, W_BR = qn("w:r"), qn("w:rPr"), qn("w:t"), qn("w:tab"), qn("w:br")
W_TBLPR, W_TBLSTYLE, W_TBLW, W_TBLLAYOUT, W_TBLLOOK = (
    qn("w:tblPr"),
    qn("w:tblStyle"),
    qn("w:tblW"),
    qn("w:tblLayout"),
    qn("w:tblLook"),
)
W_TBLGRID, W_GRIDCOL, W_TR, W_TRPR, W_TC, W_TCPR, W_TCW = (
    qn("w:tblGrid"),
    qn("w:gridCol"),
    qn("w:tr"),
    qn("w:trPr"),
    qn("w:tc"),
    qn("w:tcPr"),
    qn("w:tcW"),
)
W_CANTSPLIT, W_TBLHEADER, W_SECTPR = qn("w:cantSplit"), qn("w:tblHeader"), qn("w:sectPr")
W_VAL, W_W, W_TYPE = qn("w:val"), qn("w:w"), qn("w:type")
XML_SPACE = qn("xml:space")
TBL_LOOK = tuple(
    (qn(f"w:{key}"), value)
    for key, value in (
        ("firstColumn", "1"),
        ("firstRow", "1"),
        ("lastColumn", "0"),
        ("lastRow", "0"),
        ("noHBand", "0"),
        ("noVBand", "1"),
        ("val", "04A0"),
    )
)
ST_ALIGN = {member: str(member.xml_value) for member in WD_ALIGN_PARAGRAPH}
_RUN_SPLIT = re.compile(r"(\t|\r|\n)")


# « 1er », « 1re », « 18e » : the letters of an ordinal go in superscript.
_ORDINAL = re.compile(r"(?<![\w,.])(\d+)(ers?|res?|es?|èmes?)(?![\w])")


def add_text(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    size: Pt | None = None,
) -> None:
    """``text`` typeset as runs of ``paragraph``, the letters of ordinals (« 1er », « 18e »)
    raised in superscript."""
    points = None if size is None else half_points(size)
    append_runs(paragraph._p, text, bold=bold, italic=italic, size=points)


def append_runs(
    p: etree._Element,
    text: str,
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    size: str | None = None,
) -> None:
    """The runs of ``text`` (typeset) appended to the paragraph element ``p``, written as
    python-docx's ``add_run`` and font properties write them (an empty ``w:rPr`` included),
    directly in lxml: the report adds some 3,000 runs."""
    text = typeset(text)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _ORDINAL.finditer(text):
        pieces.append((text[at : match.end(1)], False))
        pieces.append((match.group(2), True))
        at = match.end()
    pieces.append((text[at:], False))
    for piece, raised in pieces:
        if not piece:
            continue
        r = etree.SubElement(p, W_R)
        rpr = etree.SubElement(r, W_RPR)
        if bold is not None:
            _on_off(etree.SubElement(rpr, W_B), bold)
        if italic is not None:
            _on_off(etree.SubElement(rpr, W_I), italic)
        if size is not None:
            etree.SubElement(rpr, W_SZ).set(W_VAL, size)
        if raised:
            etree.SubElement(rpr, W_VERTALIGN).set(W_VAL, "superscript")
        _run_content(r, piece)


def _run_content(r: etree._Element, text: str) -> None:
    """``w:t`` for text, ``w:tab`` for a tab, ``w:br`` for a line break (python-docx's rule)."""
    for chunk in _RUN_SPLIT.split(text):
        if not chunk:
            continue
        if chunk == "\t":
            etree.SubElement(r, W_TAB)
        elif chunk in ("\r", "\n"):
            etree.SubElement(r, W_BR)
        else:
            t = etree.SubElement(r, W_T)
            t.text = chunk
            if len(chunk.strip()) < len(chunk):
                t.set(XML_SPACE, "preserve")


def _on_off(element: etree._Element, value: bool) -> None:
    if not value:
        element.set(W_VAL, "0")


def half_points(size: Pt) -> str:
    return str(int(size.pt * 2))


def set_attrs(element: etree._Element, *pairs: str) -> None:
    for key, value in zip(pairs[::2], pairs[1::2], strict=True):
        element.set(key, value)


def paragraph_element(style_id: str) -> CT_P:
    """An empty paragraph of the style ``style_id``."""
    p = cast(CT_P, OxmlElement("w:p"))
    etree.SubElement(etree.SubElement(p, W_PPR), W_PSTYLE).set(W_VAL, style_id)
    return p


def table_element(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    style: str | None,
    cell_style: str,
    numeric: Sequence[int] = (),
    bold_last: bool = False,
    bold_rows: Sequence[int] = (),
    header_pt: float | None = None,
) -> CT_Tbl:
    """A table of fixed column ``widths`` (cm), centred, of the table style ``style`` (None:
    the default one): its header row repeated on each page and bold (``header_pt``: its size),
    no row split across pages, the cells of ``numeric`` columns right-aligned, the last row
    (``bold_last``) and the rows of ``bold_rows`` bold, a short table (14 rows at most) kept
    on one page. A row shorter than the header leaves its last cells empty."""
    tbl = cast(CT_Tbl, OxmlElement("w:tbl"))
    tblpr = etree.SubElement(tbl, W_TBLPR)
    if style is not None:
        etree.SubElement(tblpr, W_TBLSTYLE).set(W_VAL, style)
    set_attrs(etree.SubElement(tblpr, W_TBLW), W_TYPE, "dxa", W_W, str(int(sum(widths) * 567)))
    etree.SubElement(tblpr, W_JC).set(W_VAL, "center")
    etree.SubElement(tblpr, W_TBLLAYOUT).set(W_TYPE, "fixed")
    look = etree.SubElement(tblpr, W_TBLLOOK)
    for key, value in TBL_LOOK:
        look.set(key, value)
    grid = etree.SubElement(tbl, W_TBLGRID)
    if len(widths) != len(header):
        raise ValueError("one width per column")
    for width in widths:
        etree.SubElement(grid, W_GRIDCOL).set(W_W, str(int(width * 567)))
    cell_widths = [str(Cm(width).twips) for width in widths]
    header_size = half_points(Pt(header_pt)) if header_pt else None
    keep = len(rows) <= 14
    for r, values in enumerate([list(header), *[list(v) for v in rows]]):
        tr = etree.SubElement(tbl, W_TR)
        trpr = etree.SubElement(tr, W_TRPR)
        etree.SubElement(trpr, W_CANTSPLIT).set(W_VAL, "true")
        if r == 0:
            etree.SubElement(trpr, W_TBLHEADER).set(W_VAL, "true")
        bold = True if r == 0 or (bold_last and r == len(rows)) or (r - 1) in bold_rows else None
        if len(values) > len(header):
            raise IndexError("more values than columns")
        for c, cell_width in enumerate(cell_widths):
            tc = etree.SubElement(tr, W_TC)
            set_attrs(etree.SubElement(etree.SubElement(tc, W_TCPR), W_TCW), W_TYPE, "dxa", W_W, cell_width)
            p = etree.SubElement(tc, W_P)
            if c >= len(values):  # a short row: its last cells stay empty
                continue
            value = values[c]
            ppr = etree.SubElement(p, W_PPR)
            etree.SubElement(ppr, W_PSTYLE).set(W_VAL, cell_style)
            if keep and r < len(rows):
                etree.SubElement(ppr, W_KEEPNEXT)
            if c in numeric:
                etree.SubElement(ppr, W_JC).set(W_VAL, "right")
            append_runs(p, value, bold=bold, size=header_size if r == 0 else None)
    return tbl
