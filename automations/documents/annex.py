"""A template followed by an annex: the convention, then the règlement intérieur from a new page."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..errors import TemplateError
from ..zipentries import append_raw, raw_bytes
from .render import W_BODY, W_P, DocumentTemplate, W

W_SECTPR = f"{{{W}}}sectPr"
W_PPR = f"{{{W}}}pPr"
W_HYPERLINK = f"{{{W}}}hyperlink"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class AnnexedTemplate:
    """A template followed, from a new page, by an annex rendered with the same context
    (the règlement intérieur after the convention). The annex brings its text, tables and
    paragraph styles (those the main template lacks read as its normal text); its links
    keep their text; an image or an embedded object is refused in French, its file part
    not being carried over."""

    def __init__(self, main: DocumentTemplate, annex: DocumentTemplate) -> None:
        self.main, self.annex = main, annex
        self.name = main.name
        self.sha256 = hashlib.sha256(f"{main.sha256}+{annex.sha256}".encode()).hexdigest()

    def render(self, context: Mapping[str, Any]) -> bytes:
        return append_annex(self.main.render(context), self.annex.render(context), self.annex.name)


def append_annex(document: bytes, annex: bytes, annex_name: str) -> bytes:
    """``document`` with the body of ``annex`` after it, from a new page."""
    main_root = etree.fromstring(zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml"))
    annex_root = etree.fromstring(zipfile.ZipFile(io.BytesIO(annex)).read("word/document.xml"))
    main_body, annex_body = main_root.find(W_BODY), annex_root.find(W_BODY)
    if main_body is None or annex_body is None:
        raise TemplateError(f"Le modèle « {annex_name} » n'a pas de corps de document lisible.")
    for link in list(annex_body.iter(W_HYPERLINK)):  # the link's text stays, its target goes
        parent = link.getparent()
        assert parent is not None
        for child in list(link):
            link.addprevious(child)
        parent.remove(link)
    blocks = [el for el in annex_body if el.tag != W_SECTPR]
    for block in blocks:
        for inner in list(block.iter(W_SECTPR)):  # a section break: the convention's pages go on
            parent = inner.getparent()
            assert parent is not None
            parent.remove(inner)
        for element in block.iter():
            if any(name.startswith(f"{{{R_NS}}}") for name in element.attrib):
                raise TemplateError(
                    f"« {annex_name} » contient une image ou un objet incorporé, qui ne peut pas être "
                    "annexé à la convention : retirez-le du document (gardez le texte et les tableaux)."
                )
    if not blocks:
        return document
    first = blocks[0]
    if first.tag == W_P:
        ppr = first.find(W_PPR)
        if ppr is None:
            ppr = etree.Element(W_PPR)
            first.insert(0, ppr)
        if ppr.find(f"{{{W}}}pageBreakBefore") is None:
            before = [c for c in ppr if etree.QName(c).localname in ("pStyle", "keepNext", "keepLines")]
            marker = etree.Element(f"{{{W}}}pageBreakBefore")
            if before:  # pStyle, keepNext, keepLines, then pageBreakBefore (Word is strict)
                before[-1].addnext(marker)
            else:
                ppr.insert(0, marker)
    else:
        breaker = etree.fromstring(f'<w:p xmlns:w="{W}"><w:r><w:br w:type="page"/></w:r></w:p>')
        blocks.insert(0, breaker)
    anchor = main_body.find(W_SECTPR)
    for block in blocks:
        if anchor is not None:
            anchor.addprevious(block)
        else:
            main_body.append(block)
    xml = etree.tostring(main_root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(document)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        assert source.fp is not None
        for info in source.infolist():  # the other parts: their compressed bytes, as rendered
            if info.filename == "word/document.xml":
                target.writestr(info, xml)
            elif (raw := raw_bytes(source.fp, info)) is not None:
                append_raw(target, info, raw)
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()
