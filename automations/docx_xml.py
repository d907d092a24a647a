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


def keep_only_styles(doc: object, used: set[str]) -> set[str]:
    """Remove every style but ``used`` (style IDs), the default ones and those they are
    based on, followed by or linked to; drop latent styles and numbering links to removed
    styles. Returns the styles kept. python-docx's default package carries some 160
    styles: a pruned template is lighter and clearer in Word's style pane."""
    styles_el = doc.styles.element  # type: ignore[attr-defined]
    by_id = {s.get(qn("w:styleId")): s for s in styles_el.findall(qn("w:style"))}
    kept = set(used) | {sid for sid, s in by_id.items() if s.get(qn("w:default")) == "1"}
    pending = list(kept)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in kept:
                kept.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in kept:
            styles_el.remove(style)
    latent = styles_el.find(qn("w:latentStyles"))
    if latent is not None:
        styles_el.remove(latent)
    numbering = doc.part.numbering_part.element  # type: ignore[attr-defined]
    for ref in list(numbering.iter(qn("w:pStyle"))):
        if ref.get(qn("w:val")) not in kept:
            ref.getparent().remove(ref)
    return kept
