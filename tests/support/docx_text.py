"""The texts of a .docx's paragraphs, as python-docx reads them, at a quarter of its cost.

``Document(...)`` loads the whole package (styles, numbering, theme, settings…) and python-docx
evaluates an XPath per paragraph and per run for their text: reading the ~400 demo documents
that way took about 5 s of CPU, most of the test that reads them all. This reads only the
body, the headers and the footers, with python-docx's own elements for what is subtle (a
table row's cells: a cell spanning columns repeated, a cell continuing a vertical merge read
as the one above), and the paragraph text rule of ``Paragraph.text`` written out without
XPath. ``tests/test_docx_text.py`` checks it gives what python-docx gives.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Any

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_P, W_TBL, W_R, W_HYPERLINK, W_T, W_TAB, W_PTAB, W_CR, W_BR, W_NBH, W_TYPE = (
    f"{{{W}}}{name}"
    for name in ("p", "tbl", "r", "hyperlink", "t", "tab", "ptab", "cr", "br", "noBreakHyphen", "type")
)


def docx_paragraphs(data: bytes) -> tuple[list[str], list[str]]:
    """``(body, margins)``: the texts of the body's paragraphs then of each table cell's (row
    by row, as ``row.cells`` gives them) in ``body``; in ``margins``, for each section, its
    header, footer, first-page header and first-page footer (inherited from the section
    before when it has none; a first section without one reads as one empty paragraph, as
    python-docx makes it)."""
    from docx.enum.section import WD_HEADER_FOOTER
    from docx.oxml.parser import parse_xml
    from docx.table import Table

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document: Any = parse_xml(package.read("word/document.xml"))
        relations = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        targets = {r.get("Id"): r.get("Target") or "" for r in relations}

        def part(rid: str) -> Any:
            target = targets[rid]
            name = (
                target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join("word", target))
            )
            return parse_xml(package.read(name))

        root = document.body
        body = [paragraph_text(p) for p in root.iterchildren(W_P)]
        for tbl in root.iterchildren(W_TBL):
            for row in Table(tbl, None).rows:  # type: ignore[arg-type]
                body += [paragraph_text(p) for cell in row.cells for p in cell._tc.iterchildren(W_P)]
        margins: list[str] = []
        known: dict[tuple[str, object], list[str]] = {}
        primary, first = WD_HEADER_FOOTER.PRIMARY, WD_HEADER_FOOTER.FIRST_PAGE
        for section in document.sectPr_lst:
            for kind, which in (
                ("header", primary),
                ("footer", primary),
                ("header", first),
                ("footer", first),
            ):
                reference = getattr(section, f"get_{kind}Reference")(which)
                if reference is not None:
                    known[(kind, which)] = [paragraph_text(p) for p in part(reference.rId).iterchildren(W_P)]
                elif (kind, which) not in known:
                    known[(kind, which)] = [""]
                margins += known[(kind, which)]
    return body, margins


def paragraph_text(p: Any) -> str:
    """``Paragraph.text``: its runs' and its links' runs' text, a tab or an absolute tab as
    « \\t », a line break or a carriage return as « \\n » (a page or column break as nothing),
    a non-breaking hyphen as « - »."""
    out: list[str] = []
    for child in p:
        if child.tag == W_R:
            _run_text(child, out)
        elif child.tag == W_HYPERLINK:
            for run in child.iterchildren(W_R):
                _run_text(run, out)
    return "".join(out)


def _run_text(run: Any, out: list[str]) -> None:
    for element in run:
        tag = element.tag
        if tag == W_T:
            out.append(element.text or "")
        elif tag in (W_TAB, W_PTAB):
            out.append("\t")
        elif tag == W_CR:
            out.append("\n")
        elif tag == W_BR:
            if element.get(W_TYPE, "textWrapping") == "textWrapping":
                out.append("\n")
        elif tag == W_NBH:
            out.append("-")
