"""The tests' fast reader of .docx texts gives what python-docx gives (tests/support/docx_text.py)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from tests.support.docx_text import docx_paragraphs


def with_python_docx(data: bytes) -> tuple[list[str], list[str]]:
    """The same texts, read through python-docx's document, tables and sections."""
    doc = Document(io.BytesIO(data))
    body = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            body += [p.text for cell in row.cells for p in cell.paragraphs]
    margins = []
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            margins += [p.text for p in part.paragraphs]
    return body, margins


def awkward_document() -> bytes:
    """Links, tabs, every kind of break, hyphens, merged cells, and sections whose headers
    and footers are missing, their own, or inherited."""
    doc = Document()
    doc.add_paragraph("Plain text, then a tab:\tand a line break")
    runs = (
        '<w:r><w:t xml:space="preserve">Avant </w:t></w:r>'
        '<w:hyperlink r:id="rIdX"><w:r><w:t>le lien</w:t></w:r><w:r><w:tab/><w:t>suite</w:t></w:r></w:hyperlink>'
        '<w:r><w:br/><w:t>ligne</w:t><w:br w:type="page"/><w:t>page</w:t><w:cr/><w:noBreakHyphen/>'
        '<w:ptab w:relativeTo="margin" w:alignment="right" w:leader="none"/><w:t/></w:r>'
        '<w:ins w:id="1" w:author="x" w:date="2026-01-01T00:00:00Z"><w:r><w:t>inséré</w:t></w:r></w:ins>'
    )
    doc.element.body.insert(1, parse_xml(f"<w:p {nsdecls('w', 'r')}>{runs}</w:p>"))
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"{r}.{c}"
    table.cell(0, 0).merge(table.cell(0, 1))  # across
    table.cell(1, 2).merge(table.cell(2, 2))  # down
    table.cell(2, 0).add_paragraph("second paragraph of a cell")
    doc.add_section(WD_SECTION.NEW_PAGE)
    second = doc.sections[1]
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "En-tête de la seconde section"
    second.different_first_page_header_footer = True
    second.first_page_footer.is_linked_to_previous = False
    second.first_page_footer.paragraphs[0].text = "Pied de première page"
    doc.add_section(WD_SECTION.NEW_PAGE)  # inherits the second's
    doc.add_paragraph("Après la dernière section")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_an_awkward_document_reads_as_python_docx_reads_it() -> None:
    """Links, tabs, line and page breaks, hyphens, merged cells, inherited headers."""
    data = awkward_document()
    found = docx_paragraphs(data)
    assert found == with_python_docx(data)
    assert "Avant le lien\tsuite\nlignepage\n-\t" in found[0]  # the inserted run is not read
    assert found[0].count("0.0") == 2  # a cell spanning two columns is read twice
    assert "En-tête de la seconde section" in found[1] and "Pied de première page" in found[1]


def test_a_changed_text_is_seen() -> None:
    """The comparison above can fail: a text python-docx reads differently is told apart."""
    data = awkward_document()
    doc = Document(io.BytesIO(data))
    doc.paragraphs[0].runs[0].text = "Autre texte"
    buffer = io.BytesIO()
    doc.save(buffer)
    assert docx_paragraphs(buffer.getvalue()) != docx_paragraphs(data)
    assert docx_paragraphs(buffer.getvalue()) == with_python_docx(buffer.getvalue())


def test_the_demo_documents_read_as_python_docx_reads_them(
    demo_documents_built: tuple[Path, dict[str, Any]],
) -> None:
    """The first document of each kind the demo writes, and the report."""
    out = demo_documents_built[0]
    firsts: dict[str, Path] = {}
    for path in sorted(out.glob("**/*.docx")):
        firsts.setdefault(path.name.split("_")[0], path)
    assert len(firsts) >= 5, sorted(firsts)
    for path in firsts.values():
        data = path.read_bytes()
        assert docx_paragraphs(data) == with_python_docx(data), path.name
