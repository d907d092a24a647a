"""Low-level OOXML helpers shared by the Word template builders (documents, report)."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph


def child(parent: object, tag: str, **attrs: str) -> object:
    """The child ``tag`` of ``parent`` (created if missing) with ``attrs`` set."""
    el = parent.find(qn(tag))  # type: ignore[attr-defined]
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)  # type: ignore[attr-defined]
    for key, value in attrs.items():
        el.set(qn(key), value)
    return el


def set_fonts(rpr: object, name: str) -> None:
    """Use font ``name`` for every script of a run-properties element."""
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), name)


def paragraph_border(paragraph: Paragraph, side: str, color: str, size: int, space: int) -> None:
    """A single rule on one ``side`` (top, bottom…) of a paragraph."""
    borders = child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    attrs = {"w:val": "single", "w:sz": str(size), "w:space": str(space), "w:color": color}
    child(borders, f"w:{side}", **attrs)
