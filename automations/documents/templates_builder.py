"""Builds the Word templates of templates/ with python-docx, so that they can be rebuilt.

    .venv/bin/python -m automations.documents.templates_builder [--check] [DOSSIER]

The templates are what staff open in Word: one style per role (Titre, Sous-titre,
Titre 1, Corps de texte justifié, Liste à tirets, table styles…), Cambria for the text and
Calibri for titles and tables (Caladea and Carlito, their metric twins, under
LibreOffice), French language for spelling and hyphenation, A4 with a header naming the
association and a footer « Page X sur Y ». Their text (clauses, the values charter and
its 2024 annex) is a sober model the board can replace in Word: only the ``{{ … }}`` and
``{% … %}`` tags must be kept (see docs/documents.md).

The output is deterministic (fixed dates in the package and its zip entries), so that
``--check`` can tell whether the committed templates are those this code builds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..docx_xml import child as _set
from ..docx_xml import keep_only_styles, paragraph_border
from ..docx_xml import set_fonts as _fonts
from .context import french_typography
from .french import typographic
from .settings import REPO_TEMPLATES

BODY_FONT = "Cambria"
TITLE_FONT = "Calibri"
INK = RGBColor(0x22, 0x22, 0x22)
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
GREY = RGBColor(0x5F, 0x6B, 0x7A)
RULE = "8C9BAD"  # header rule, table borders
SHADE = "E3E9F1"  # table header rows
LIGHT = "F4F6F9"  # totals
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)
TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})")

Runs = str | Sequence[tuple[str, str]]  # "text" or [("text", "b"), ("more", "i"), …]

# --------------------------------------------------------------------------- XML helpers






def _lang(rpr: object) -> None:
    _set(rpr, "w:lang", **{"w:val": "fr-FR", "w:eastAsia": "fr-FR", "w:bidi": "ar-SA"})


def _style(doc: DocumentObject, name: str, *, font: str, size: float, color: RGBColor = INK,
           bold: bool = False, italic: bool = False, before: float = 0, after: float = 6,
           line: float | None = 1.15, align: int | None = None, keep_next: bool = False,
           base: str | None = None, caps: bool = False) -> None:
    styles = doc.styles
    try:
        style = styles[name]
    except KeyError:
        from docx.enum.style import WD_STYLE_TYPE

        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base or "Normal"]
        style.quick_style = True
    rpr = style.element.get_or_add_rPr()
    _fonts(rpr, font)
    for tag in ("w:color",):
        found = rpr.find(qn(tag))
        if found is not None:
            rpr.remove(found)
    style.font.size = Pt(size)
    style.font.color.rgb = color
    style.font.bold = bold
    style.font.italic = italic
    style.font.all_caps = caps
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if align is not None:
        fmt.alignment = align
    fmt.keep_with_next = keep_next
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing", "w:tabs"):
        found = ppr.find(qn(tag))
        if found is not None:
            ppr.remove(found)


def _field(paragraph: Paragraph, code: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin / instruction / separate / result / end."""
    def run_with(child: object) -> None:
        run = paragraph.add_run()
        run._r.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _border(paragraph: Paragraph, side: str, color: str = RULE, size: int = 6, space: int = 4) -> None:
    paragraph_border(paragraph, side, color, size, space)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    _set(tcpr, "w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": fill})


def _cell_margins(table: Table, top: int = 50, bottom: int = 50, side: int = 100) -> None:
    tblpr = table._tbl.tblPr
    mar = _set(tblpr, "w:tblCellMar")
    for edge, value in (("top", top), ("bottom", bottom), ("left", side), ("right", side)):
        _set(mar, f"w:{edge}", **{"w:w": str(value), "w:type": "dxa"})


def _grid_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = _set(tblpr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{edge}", **{"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE})


def _no_borders(table: Table) -> None:
    tblpr = table._tbl.tblPr
    borders = _set(tblpr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{edge}", **{"w:val": "nil"})


def _widths(table: Table, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    tblpr = table._tbl.tblPr
    _set(tblpr, "w:tblLayout", **{"w:type": "fixed"})
    _set(tblpr, "w:tblW", **{"w:w": str(int(sum(widths_cm) * 567)), "w:type": "dxa"})
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(width * 567)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    _set(trpr, "w:tblHeader", **{"w:val": "true"})


def _cant_split(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    _set(trpr, "w:cantSplit", **{"w:val": "true"})


def _row_height(row: object, cm: float) -> None:
    row.height = Cm(cm)  # type: ignore[attr-defined]
    from docx.enum.table import WD_ROW_HEIGHT_RULE

    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST  # type: ignore[attr-defined]


def keep_together(t: Table) -> None:
    """Keep a table on one page (each row's paragraphs kept with the next row)."""
    for row in t.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _vertical_center(cell: _Cell) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


# --------------------------------------------------------------------------- writing


def _typeset(text: str) -> str:
    """French typography on the text around tags, never inside them."""
    return "".join(part if TAG.fullmatch(part) else french_typography(typographic(part))
                   for part in TAG.split(text))


def add_runs(paragraph: Paragraph, content: Runs) -> Paragraph:
    """``content``: a string, or (text, flags) pairs; flags: ``b`` bold, ``i`` italic,
    ``g`` grey, ``s`` small, ``n`` navy."""
    pieces = [(content, "")] if isinstance(content, str) else content
    for text, flags in pieces:
        run = paragraph.add_run(_typeset(text))
        if "b" in flags:
            run.bold = True
        if "i" in flags:
            run.italic = True
        if "g" in flags:
            run.font.color.rgb = GREY
        if "n" in flags:
            run.font.color.rgb = NAVY
        if "s" in flags:
            run.font.size = Pt(8.5)
    return paragraph


def para(container: object, content: Runs = "", style: str = "Corps", *, align: int | None = None,
         after: float | None = None, before: float | None = None, keep_next: bool = False) -> Paragraph:
    """A paragraph at the end of ``container`` (document or cell)."""
    if isinstance(container, _Cell):
        paragraph = container.paragraphs[-1]
        if paragraph.text or paragraph.runs:
            paragraph = container.add_paragraph()
        paragraph.style = container.part.document.styles[style]  # type: ignore[attr-defined]
    else:
        paragraph = container.add_paragraph(style=style)  # type: ignore[attr-defined]
    add_runs(paragraph, content)
    fmt = paragraph.paragraph_format
    if align is not None:
        fmt.alignment = align
    if after is not None:
        fmt.space_after = Pt(after)
    if before is not None:
        fmt.space_before = Pt(before)
    if keep_next:
        fmt.keep_with_next = True
    return paragraph


def tag_para(container: object, tag: str) -> Paragraph:
    """A paragraph holding only a docxtpl paragraph tag (``{%p if … %}``): removed when rendered."""
    return para(container, tag, "Corps", after=0)


def table(doc: DocumentObject, rows: int, widths: Sequence[float], *, grid: bool = True,
          align: int = WD_TABLE_ALIGNMENT.CENTER) -> Table:
    t = doc.add_table(rows=rows, cols=len(widths))
    t.alignment = align
    if grid:
        _grid_borders(t)
    else:
        _no_borders(t)
    _cell_margins(t)
    _widths(t, widths)
    for row in t.rows:
        _cant_split(row)
        for cell in row.cells:
            cell.paragraphs[0].style = doc.styles["Tableau"]
    return t


def cell_text(cell: _Cell, content: Runs, *, style: str = "Tableau", align: int | None = None,
              shade: str | None = None, bold: bool = False) -> Paragraph:
    paragraph = cell.paragraphs[0]
    if paragraph.runs:
        paragraph = cell.add_paragraph()
    paragraph.style = cell.part.document.styles[style]
    if isinstance(content, str) and bold:
        content = [(content, "b")]
    add_runs(paragraph, content)
    if align is not None:
        paragraph.paragraph_format.alignment = align
    if shade:
        _shade(cell, shade)
    return paragraph


def header_row(t: Table, labels: Sequence[str], aligns: Sequence[int | None] | None = None) -> None:
    row = t.rows[0]
    _repeat_header(row)
    for i, (cell, label) in enumerate(zip(row.cells, labels, strict=True)):
        cell_text(cell, [(label, "b")], style="Tableau entête",
                  align=aligns[i] if aligns else None, shade=SHADE)
        _vertical_center(cell)


def bullets(doc: DocumentObject, items: Sequence[Runs]) -> None:
    for item in items:
        para(doc, item, "Liste à tirets")


def spacer(doc: DocumentObject, points: float = 6) -> None:
    p = doc.add_paragraph(style="Corps")
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(points)


# --------------------------------------------------------------------------- document frame


def new_document(*, title: str, running_title: str, landscape: bool = False) -> DocumentObject:
    """An empty A4 document with the house styles, header and footer."""
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.3)
    section.top_margin = Cm(2.2)
    section.bottom_margin = Cm(2.0)
    section.header_distance = Cm(1.1)
    section.footer_distance = Cm(1.0)

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, BODY_FONT)
    _lang(rpr)
    _style(doc, "Normal", font=BODY_FONT, size=10.5, after=0, line=1.15)
    _style(doc, "Corps", font=BODY_FONT, size=10.5, after=6, line=1.2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Title", font=TITLE_FONT, size=20, color=NAVY, bold=True, after=2, line=1.0,
           align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "Subtitle", font=TITLE_FONT, size=11.5, color=GREY, after=14, line=1.1,
           align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "Heading 1", font=TITLE_FONT, size=12.5, color=NAVY, bold=True, before=12, after=4,
           line=1.0, keep_next=True)
    _style(doc, "Heading 2", font=TITLE_FONT, size=11, color=NAVY, bold=True, before=8, after=3,
           line=1.0, keep_next=True)
    _style(doc, "Intertitre", font=TITLE_FONT, size=10, color=NAVY, bold=True, before=8, after=6,
           line=1.0, keep_next=True, align=WD_ALIGN_PARAGRAPH.CENTER, caps=True)
    _style(doc, "Tableau", font=TITLE_FONT, size=9.5, after=0, line=1.05)
    _style(doc, "Tableau entête", font=TITLE_FONT, size=9.5, color=NAVY, bold=True, after=0, line=1.0,
           base="Tableau")
    _style(doc, "Note", font=TITLE_FONT, size=8.5, color=GREY, after=4, line=1.1)
    _style(doc, "Signature", font=TITLE_FONT, size=10, after=2, line=1.1)
    _style(doc, "List Bullet", font=BODY_FONT, size=10.5, after=2, line=1.15,
           align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Liste à tirets", font=BODY_FONT, size=10.5, after=2, line=1.15,
           align=WD_ALIGN_PARAGRAPH.JUSTIFY, base="List Bullet")
    _style(doc, "Header", font=TITLE_FONT, size=8.5, color=GREY, after=0, line=1.0)
    _style(doc, "Footer", font=TITLE_FONT, size=8.5, color=GREY, after=0, line=1.0)
    _dash_bullets(doc)
    for level in (1, 2):  # the navigation pane and the table of contents know these
        doc.styles[f"Heading {level}"].element.get_or_add_pPr()
        _set(doc.styles[f"Heading {level}"].element.get_or_add_pPr(), "w:outlineLvl",
             **{"w:val": str(level - 1)})

    width = section.page_width - section.left_margin - section.right_margin
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(width, alignment=2)  # right
    add_runs(header, [("{{ association.nom_complet }}", "b"), ("\t" + running_title, "")])
    _border(header, "bottom", size=4, space=4)
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.paragraph_format.tab_stops.add_tab_stop(width, alignment=2)
    add_runs(footer, "{{ association.nom }} · {{ association.adresse }}{% if association.siret %}"
                     " · SIRET {{ association.siret }}{% endif %}{% if association.rna %}"
                     " · RNA {{ association.rna }}{% endif %}\tPage ")
    _field(footer, "PAGE", "1")
    footer.add_run(" sur ")
    _field(footer, "NUMPAGES", "1")
    _border(footer, "top", size=4, space=4)

    props = doc.core_properties
    props.title = title
    props.author = "MILA – automatisations"
    props.last_modified_by = "MILA – automatisations"
    props.language = "fr-FR"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.comments = "Modèle de document : gardez les balises entre accolades (voir docs/documents.md)."
    _compat(doc)
    return doc


def _dash_bullets(doc: DocumentObject) -> None:
    """The List Bullet numbering with an en dash in the text font (not Symbol's bullet)."""
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == "1")
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == abstract_id)
    lvl = abstract.find(qn("w:lvl"))
    _set(lvl, "w:lvlText", **{"w:val": "–"})
    ppr = lvl.find(qn("w:pPr"))
    for tabs in ppr.findall(qn("w:tabs")):
        ppr.remove(tabs)
    _set(ppr, "w:ind", **{"w:left": "397", "w:hanging": "284"})
    rpr = lvl.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        lvl.append(rpr)
    _fonts(rpr, BODY_FONT)
    _set(rpr, "w:color", **{"w:val": "1F3A5F"})


def _compat(doc: DocumentObject) -> None:
    """Word 2013+ layout, French hyphenation off (justified text without odd cuts)."""
    settings = doc.settings.element
    _set(settings, "w:autoHyphenation", **{"w:val": "false"})
    lang = settings.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:val"), "fr-FR")


def prune(doc: DocumentObject) -> None:
    """Keep only the styles the template uses (python-docx's default package carries
    800 kB of them), and drop the parts Word does not need: a lighter template is
    faster to fill and clearer in Word's style pane."""
    parts = [doc.element]
    for section in doc.sections:
        parts += [section.header._element, section.footer._element]
    used: set[str] = set()
    for root in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used |= {el.get(qn("w:val")) for el in root.iter(qn(tag))}
    used |= {"Heading1", "Heading2", "ListBullet"}  # kept for staff adding titles and lists
    keep_only_styles(doc, used)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)
    package_rels = doc.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail") or rel.reltype.endswith("/customXml"):
            package_rels.pop(rel_id)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/customXml"):
            doc.part.drop_rel(rel_id)


def to_bytes(doc: DocumentObject) -> bytes:
    """The pruned package, with fixed zip timestamps: the same code gives the same bytes."""
    buffer = io.BytesIO()
    prune(doc)
    doc.save(buffer)
    return deterministic(buffer.getvalue())


def save(doc: DocumentObject, path: Path) -> bytes:
    data = to_bytes(doc)
    path.write_bytes(data)
    return data


def deterministic(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- common blocks

C, R, L = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT


def signature_table(doc: DocumentObject, left: Sequence[Runs], right: Sequence[Runs],
                    width: float = 16.4, box: float = 2.6) -> Table:
    """Two signature blocks side by side, each with a framed space to sign."""
    t = table(doc, 2, (width / 2 - 0.3, 0.6, width / 2 - 0.3), grid=False)
    for col, lines in ((0, left), (2, right)):
        for i, line in enumerate(lines):
            cell_text(t.rows[0].cells[col], line, style="Signature", bold=(i == 0))
        frame = t.rows[1].cells[col]
        tcpr = frame._tc.get_or_add_tcPr()
        borders = _set(tcpr, "w:tcBorders")
        for edge in ("top", "left", "bottom", "right"):
            _set(borders, f"w:{edge}", **{"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE})
        cell_text(frame, [("Signature", "gs")], style="Note")
    _row_height(t.rows[1], box)
    keep_together(t)
    return t


def parties_intro(doc: DocumentObject, text: str) -> None:
    para(doc, text, "Intertitre", before=6)


def title_block(doc: DocumentObject, title: str, subtitle: Runs) -> None:
    para(doc, title, "Title")
    para(doc, subtitle, "Subtitle")


# --------------------------------------------------------------------------- the templates


def build_convention() -> DocumentObject:
    doc = new_document(title="Convention de mise à disposition",
                       running_title="Convention de mise à disposition n° {{ convention.id }}")
    title_block(doc, "Convention de mise à disposition de locaux",
                "{{ local.nom }} · {{ local.site }} · convention n° {{ convention.id }}")

    parties_intro(doc, "Entre les soussignés")
    para(doc, [("{{ association.nom_complet }}", "b"),
               (", {{ association.forme }}, dont le siège est situé {{ association.adresse }}"
                "{% if association.siret %}, SIRET {{ association.siret }}{% endif %}"
                "{% if association.rna %}, RNA {{ association.rna }}{% endif %}, représentée par "
                "{% if association.signataire.connu %}{{ association.signataire.civilite }} "
                "{{ association.signataire.nom }}, {{ association.signataire.qualite }}"
                "{% else %}un membre de son bureau dûment habilité{% endif %},", "")])
    para(doc, [("ci-après dénommée « l'Association », d'une part,", "i")], align=R)
    parties_intro(doc, "et")
    para(doc, [("{{ membre.structure }}", "b"),
               ("{% if membre.personne %}{% if membre.adresse %}, demeurant {{ membre.adresse }}{% endif %}"
                "{% else %}{% if membre.forme_juridique %}, {{ membre.forme_juridique }}{% endif %}"
                "{% if membre.adresse %}, dont le siège est situé {{ membre.adresse }}{% endif %}{% endif %}"
                "{% if membre.siret %}, SIRET {{ membre.siret }}{% endif %}"
                "{% if membre.represente_par %}, {{ membre.represente_par }}{% endif %}, "
                "membre de l'Association sous le numéro {{ membre.id }},", "")])
    para(doc, [("ci-après dénommé{{ membre.accord }} « l'Occupant », d'autre part.", "i")], align=R)
    parties_intro(doc, "Il a été convenu ce qui suit")

    para(doc, "Article 1 – Objet", "Heading 1")
    para(doc, "L'Association met à la disposition de l'Occupant, qui l'accepte, le local désigné "
              "ci-dessous, dans le cadre de son dispositif de soutien et d'hébergement des "
              "entreprises de la filière musicale.")
    t = table(doc, 4, (4.2, 12.2))
    for row, (label, value) in zip(t.rows, (
        ("Local", "{{ local.nom }} (réf. {{ local.id }})"),
        ("Site", "{{ local.site }}"),
        ("Adresse", "{{ local.adresse }}"),
        ("Surface", "{{ local.surface or \"non précisée\" }}"),
    ), strict=True):
        cell_text(row.cells[0], label, style="Tableau entête", shade=SHADE)
        cell_text(row.cells[1], value)
    spacer(doc)
    para(doc, "L'Occupant déclare bien connaître le local pour l'avoir visité. Un état des lieux "
              "contradictoire, signé des deux parties, est établi à la remise des clés et annexé à la "
              "présente convention ; un état des lieux de sortie est établi de la même façon à leur "
              "restitution. L'Occupant prend le local dans l'état décrit à l'entrée.")

    para(doc, "Article 2 – Durée", "Heading 1")
    para(doc, "La présente convention est conclue {% if convention.indeterminee %}{{ convention.duree }}. "
              "Chacune des parties peut y mettre fin à tout moment par lettre recommandée avec accusé "
              "de réception, moyennant un préavis de trois mois.{% else %}pour une durée déterminée, "
              "{{ convention.duree }}. À son terme, elle est renouvelée par tacite reconduction pour des "
              "périodes successives d'un an, sauf si l'une des parties y met fin par lettre recommandée "
              "avec accusé de réception reçue au moins trois mois avant l'échéance.{% endif %}")

    para(doc, "Article 3 – Redevance", "Heading 1")
    para(doc, "En contrepartie de la mise à disposition, l'Occupant verse à l'Association une "
              "redevance mensuelle, payable d'avance avant le cinq de chaque mois :", keep_next=True)
    t = table(doc, 3, (10.4, 6.0))
    for row, (label, value, strong) in zip(t.rows, (
        ("Redevance mensuelle hors taxes", "{{ loyer.ht }}", False),
        ("TVA ({{ loyer.taux_tva }})", "{{ loyer.tva }}", False),
        ("Redevance mensuelle toutes taxes comprises", "{{ loyer.ttc }}", True),
    ), strict=True):
        cell_text(row.cells[0], label, bold=strong, shade=LIGHT if strong else None)
        cell_text(row.cells[1], value, align=R, bold=strong, shade=LIGHT if strong else None)
    spacer(doc)
    tag_para(doc, "{%p if association.iban %}")
    para(doc, "Les paiements sont effectués par virement sur le compte de l'Association : "
              "IBAN {{ association.iban }}{% if association.bic %}, BIC {{ association.bic }}{% endif %}.")
    tag_para(doc, "{%p endif %}")
    para(doc, "La redevance couvre l'usage du local et des parties communes, l'eau, l'électricité, "
              "le chauffage et l'accès à internet, dans le cadre d'un usage raisonnable.")
    para(doc, "La redevance est révisée de plein droit chaque année, à la date anniversaire de la "
              "convention, selon la variation de l'indice des loyers des activités tertiaires (ILAT) "
              "publié par l'Insee ; l'indice de référence est le dernier publié à la date de début de "
              "la convention.")

    para(doc, "Article 4 – Dépôt de garantie", "Heading 1")
    tag_para(doc, "{%p if depot.prevu %}")
    para(doc, "À la signature, l'Occupant verse un dépôt de garantie de {{ depot.montant }}. Il lui est "
              "restitué dans un délai d'un mois après la remise des clés, déduction faite des sommes "
              "restant dues et du coût des éventuelles remises en état.")
    tag_para(doc, "{%p else %}")
    para(doc, "Aucun dépôt de garantie n'est demandé à l'Occupant.")
    tag_para(doc, "{%p endif %}")

    para(doc, "Article 5 – Adhésion et cotisation", "Heading 1")
    para(doc, "La mise à disposition est réservée aux membres de l'Association. L'Occupant, membre "
              "hébergé, s'engage à rester à jour de sa cotisation annuelle pendant toute la durée "
              "de la convention.")
    tag_para(doc, "{%p if cotisation.connue %}")
    para(doc, [("À la date de la présente convention, la cotisation annuelle de l'Occupant s'élève à ", ""),
               ("{{ cotisation.ht }} hors taxes", "b"),
               (", soit {{ cotisation.ttc }} toutes taxes comprises ({{ cotisation.detail }}). "
                "Son montant suit le barème voté par le conseil d'administration.", "")])
    tag_para(doc, "{%p else %}")
    para(doc, "Le montant de la cotisation annuelle suit le barème voté par le conseil d'administration ; "
              "il est communiqué à l'Occupant lors de son adhésion.")
    tag_para(doc, "{%p endif %}")

    para(doc, "Article 6 – Charte des valeurs", "Heading 1")
    para(doc, "L'Occupant {% if charte.signee %}a signé le {{ charte.date }} la charte des valeurs "
              "communes de l'Association – écologie, partage, inclusion – et s'engage à en respecter "
              "les principes{% else %}s'engage à signer la charte des valeurs communes de l'Association "
              "– écologie, partage, inclusion – et à en respecter les principes{% endif %} dans les "
              "locaux comme dans la vie du réseau. "
              "Le non-respect de la charte peut conduire le conseil d'administration à prononcer "
              "l'exclusion de l'Occupant, après l'avoir entendu, et met alors fin à la présente convention.")

    para(doc, "Article 7 – Usage des locaux et assurance", "Heading 1")
    para(doc, "L'Occupant utilise le local pour les besoins de son activité professionnelle, avec soin "
              "et dans le respect du règlement intérieur des lieux. Il ne peut ni céder la présente "
              "convention ni sous-louer le local, même partiellement. Il souscrit une assurance "
              "couvrant sa responsabilité civile et les risques liés à son activité, dont il remet "
              "chaque année l'attestation à l'Association.")

    para(doc, "Article 8 – Fin de la convention", "Heading 1")
    para(doc, "Si l'une des parties manque à ses obligations, l'autre peut mettre fin à la convention "
              "un mois après une mise en demeure restée sans effet. À la fin de la convention, "
              "l'Occupant restitue le local et ses clés dans l'état où il les a reçus, compte tenu de "
              "l'usure normale.")

    para(doc, "Article 9 – Droit applicable et litiges", "Heading 1")
    para(doc, "La présente convention est soumise au droit français. Les parties s'efforcent de régler "
              "à l'amiable tout différend né de son interprétation ou de son exécution ; à défaut "
              "d'accord, le litige est porté devant le tribunal judiciaire de {{ association.ville }}.")

    para(doc, "Fait à {{ document.lieu }}, le {{ document.date }}, en deux exemplaires originaux.",
         before=10, after=10, keep_next=True)
    signature_table(
        doc,
        ["Pour l'Association",
         "{% if association.signataire.connu %}{{ association.signataire.civilite }} "
         "{{ association.signataire.nom }}{% endif %}",
         "{{ association.signataire.titre }}"],
        ["{% if membre.personne %}L'Occupant{% else %}Pour l'Occupant{% endif %}",
         "{{ membre.representant_complet }}",
         [("{% if not membre.personne %}{{ membre.structure }}{% endif %}", "")],
         [("Précédée de la mention « Lu et approuvé »", "gi")]],
    )
    return doc


CHARTER_VALUES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("1. Écologie",
     "Nous réduisons l'empreinte de nos activités et de nos lieux de travail partagés.",
     (
         "Réduire nos déchets, les trier dans les espaces partagés et privilégier le réemploi "
         "du matériel et des équipements.",
         "Limiter nos consommations d'énergie : éteindre lumières, chauffage et appareils en "
         "quittant les lieux.",
         "Privilégier les transports en commun et les mobilités douces pour nos déplacements et "
         "ceux de nos artistes, quand c'est possible.",
         "Prendre en compte l'impact environnemental de nos productions, tournées et événements.",
     )),
    ("2. Partage",
     "Nous faisons vivre l'entraide et la solidarité professionnelle qui fondent le réseau.",
     (
         "Partager contacts, savoir-faire et retours d'expérience avec les autres membres.",
         "Participer, selon nos moyens, aux rencontres, ateliers et temps collectifs.",
         "Mutualiser matériel, espaces et prestataires quand cela profite à tous.",
         "Respecter les espaces communs et la confidentialité des informations échangées.",
     )),
    ("3. Inclusion",
     "Nous accueillons chaque personne avec respect, dans les locaux comme dans la vie du réseau.",
     (
         "Refuser toute discrimination liée notamment à l'origine, au genre, à l'orientation "
         "sexuelle, à l'âge, au handicap, à la religion ou à la situation sociale.",
         "Refuser toute forme de harcèlement et de violence, en particulier sexistes et sexuelles.",
         "Favoriser l'égalité entre les femmes et les hommes et la place des minorités de genre "
         "dans la filière musicale.",
         "Signaler à l'équipe ou au conseil d'administration toute situation contraire à ces "
         "principes, dont nous serions victimes ou témoins.",
     )),
)

GLOSSARY = (
    ("Agissement sexiste", "Agissement lié au sexe d'une personne, ayant pour objet ou pour effet de porter "
     "atteinte à sa dignité ou de créer un environnement intimidant, hostile, dégradant, humiliant "
     "ou offensant."),
    ("Discrimination", "Traitement défavorable d'une personne fondé sur un critère interdit par la loi "
     "(origine, sexe, âge, handicap, orientation sexuelle, etc.), par exemple pour un emploi ou "
     "l'accès à un service."),
    ("Harcèlement moral", "Agissements répétés qui dégradent les conditions de travail d'une personne et "
     "peuvent porter atteinte à ses droits, à sa dignité, à sa santé ou à son avenir professionnel."),
    ("Harcèlement sexuel", "Propos ou comportements à connotation sexuelle ou sexiste imposés de façon "
     "répétée, qui portent atteinte à la dignité d'une personne ou créent une situation "
     "intimidante, hostile ou offensante ; une pression grave exercée pour obtenir un acte sexuel "
     "y est assimilée, même unique."),
    ("Minorités de genre", "Femmes et personnes trans, non binaires ou intersexes, sous-représentées dans la "
     "filière musicale."),
    ("Mutualisation", "Mise en commun de moyens (matériel, espaces, compétences, prestataires) entre "
     "plusieurs structures."),
    ("Réemploi", "Nouvelle utilisation d'un produit ou d'un équipement qui n'est pas un déchet, pour "
     "l'usage auquel il était destiné."),
)

LINKS = (
    ("Défenseur des droits", "defenseurdesdroits.fr", "signaler une discrimination, être conseillé"),
    ("Arrêtons les violences", "arretonslesviolences.gouv.fr",
     "s'informer sur les violences sexistes et sexuelles, les signaler"),
    ("Violences Femmes Info", "3919", "écoute nationale, gratuite et anonyme"),
    ("Centre national de la musique", "cnm.fr", "ressources pour la filière, dont la prévention des "
     "violences et harcèlements sexistes et sexuels"),
    ("ADEME", "ademe.fr", "guides pour réduire l'impact environnemental d'une activité"),
    ("Music Declares Emergency", "musicdeclares.net", "mouvement de la filière pour le climat, dont le "
     "MILA est signataire"),
    ("Service-Public.fr", "service-public.fr", "fiches pratiques sur le droit du travail et les "
     "discriminations"),
)

LAWS = (
    ("Code pénal, art. 225-1 et 225-2",
     "définition de la discrimination, critères interdits et peines encourues"),
    ("Code pénal, art. 222-33", "définition et répression du harcèlement sexuel"),
    ("Code pénal, art. 222-33-2", "répression du harcèlement moral au travail"),
    ("Code du travail, art. L1132-1", "principe de non-discrimination dans l'emploi"),
    ("Code du travail, art. L1142-2-1", "interdiction des agissements sexistes"),
    ("Code du travail, art. L1152-1 et L1153-1",
     "interdiction du harcèlement moral et du harcèlement sexuel"),
    ("Loi n° 2008-496 du 27 mai 2008", "lutte contre les discriminations, adaptation au droit européen"),
    ("Loi n° 2020-105 du 10 février 2020 (AGEC)", "lutte contre le gaspillage et économie circulaire"),
    ("Code de l'environnement, art. L541-1", "priorité à la prévention des déchets, puis au réemploi "
     "et au recyclage"),
)

SITUATIONS = (
    "Des remarques répétées sur le physique, la tenue ou la vie privée d'une personne, lors d'un "
    "afterwork ou dans les locaux.",
    "Des « blagues » sexistes, racistes ou homophobes dans un groupe de discussion du réseau.",
    "Insister pour obtenir un rendez-vous ou un contact personnel malgré un refus.",
    "Écarter une personne d'un projet ou d'une rencontre en raison de son origine, de son genre, "
    "de son âge ou de son handicap.",
    "Utiliser sans accord le matériel, les contacts ou le travail d'un autre membre.",
    "Laisser lumières, chauffage ou matériel allumés en quittant les espaces partagés, jeter du "
    "matériel encore utilisable.",
)


def build_charter() -> DocumentObject:
    doc = new_document(title="Charte des valeurs communes", running_title="Charte des valeurs communes")
    title_block(doc, "Charte des valeurs communes",
                "Écologie · Partage · Inclusion — avec l'annexe de ressources 2024")
    para(doc, "{{ association.le_nom|majuscule }} réunit des entreprises et des professionnels de la "
              "filière musicale qui partagent des locaux, des services et un réseau. Cette charte, "
              "adoptée par le conseil "
              "d'administration en 2022, exprime les valeurs que ses membres ont en commun et les "
              "engagements qu'ils prennent les uns envers les autres. Elle est remise à chaque nouveau "
              "membre et signée par tous. En cas de manquement, le conseil d'administration peut, "
              "après avoir entendu le membre concerné, prononcer son exclusion.")
    for heading, lead, items in CHARTER_VALUES:
        para(doc, heading, "Heading 1")
        para(doc, [(lead, "i")])
        bullets(doc, items)

    para(doc, "Engagement du membre", "Heading 1", before=14)
    para(doc, [("Je {{ membre.soussigne }} ", ""), ("{{ membre.representant }}", "b"),
               ("{% if not membre.personne %}, {{ membre.qualite }} {{ membre.structure|de }}"
                "{% endif %}", ""),
               (" (membre n° {{ membre.id }}), déclare avoir pris connaissance de la charte des valeurs "
                "communes {{ association.le_nom|de }} et de son annexe, et m'engage à en respecter les "
                "principes.", "")], keep_next=True)
    tag_para(doc, "{%p if charte.signee %}")
    para(doc, [("Charte signée le {{ charte.date }} : exemplaire réimprimé pour information.", "gi")],
         keep_next=True)
    tag_para(doc, "{%p endif %}")
    t = table(doc, 2, (8.0, 8.4), grid=False)
    cell_text(t.rows[0].cells[0], "Fait à ……………………………………", style="Signature")
    cell_text(t.rows[0].cells[1], "le ……………………………………", style="Signature")
    frame = t.rows[1].cells[1]
    tcpr = frame._tc.get_or_add_tcPr()
    borders = _set(tcpr, "w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        _set(borders, f"w:{edge}", **{"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE})
    cell_text(frame, [("Signature", "gs")], style="Note")
    cell_text(t.rows[1].cells[0], [("{{ membre.structure }}", "b")], style="Signature")
    cell_text(t.rows[1].cells[0], [("{{ membre.categorie }} · n° {{ membre.id }}", "g")], style="Signature")
    _row_height(t.rows[1], 2.6)
    keep_together(t)

    annex = para(doc, "Annexe 2024 – Ressources", "Title")
    annex.paragraph_format.page_break_before = True
    para(doc, "Glossaire, liens utiles, textes de loi et exemples de situations inappropriées", "Subtitle")
    para(doc, "A. Glossaire", "Heading 1")
    t = table(doc, len(GLOSSARY) + 1, (4.2, 12.2))
    header_row(t, ("Terme", "Définition"))
    for row, (term, definition) in zip(t.rows[1:], GLOSSARY, strict=True):
        cell_text(row.cells[0], term, bold=True)
        cell_text(row.cells[1], definition)
    para(doc, "B. Liens utiles", "Heading 1")
    t = table(doc, len(LINKS) + 1, (4.6, 4.6, 7.2))
    header_row(t, ("Organisme", "Adresse ou numéro", "Pour quoi faire"))
    for row, (name, where, what) in zip(t.rows[1:], LINKS, strict=True):
        cell_text(row.cells[0], name, bold=True)
        cell_text(row.cells[1], where)
        cell_text(row.cells[2], what)
    para(doc, "C. Textes de loi", "Heading 1")
    t = table(doc, len(LAWS) + 1, (6.4, 10.0))
    header_row(t, ("Référence", "Objet"))
    for row, (ref, what) in zip(t.rows[1:], LAWS, strict=True):
        cell_text(row.cells[0], ref, bold=True)
        cell_text(row.cells[1], what)
    para(doc, [("Les textes font foi dans leur version en vigueur, consultable sur legifrance.gouv.fr.",
                "gi")],
         "Note", before=3)
    para(doc, "D. Exemples de situations inappropriées", "Heading 1")
    bullets(doc, SITUATIONS)
    para(doc, "Ces exemples ne sont pas exhaustifs. Toute personne confrontée à une telle situation, "
              "comme victime ou comme témoin, peut s'adresser à l'équipe {{ association.le_nom|de }} ou à un "
              "membre du conseil d'administration, en toute confidentialité.", before=4)
    return doc


def build_register() -> DocumentObject:
    doc = new_document(title="Registre des signatures de la charte",
                       running_title="Registre des signatures de la charte des valeurs")
    title_block(doc, "Registre des signatures de la charte des valeurs",
                "Arrêté au {{ registre.date }}")
    para(doc, [("Membres actifs : ", ""), ("{{ registre.total }}", "b"), (" · chartes signées : ", ""),
               ("{{ registre.signees }}", "b"), (" · à signer : ", ""), ("{{ registre.a_signer }}", "b")],
         align=C, after=10)
    widths = (1.0, 5.3, 4.0, 2.9, 3.2)
    t = table(doc, 4, widths)
    header_row(t, ("N°", "Structure", "Représentant·e", "Catégorie", "Signée le"),
               (C, None, None, None, None))
    cell_text(t.rows[1].cells[0], "{%tr for m in membres %}")
    row = t.rows[2]
    cell_text(row.cells[0], [("{{ m.numero }}", "g")], align=C)
    cell_text(row.cells[1], [("{{ m.structure }}", "b")])
    cell_text(row.cells[2], "{{ m.representant }}")
    cell_text(row.cells[3], "{{ m.categorie }}")
    cell_text(row.cells[4], [("{% if m.signee %}{{ m.signature }}{% else %}", ""), ("à signer", "ig"),
                             ("{% endif %}", "")])
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    para(doc, [("Registre des membres actifs à la date où il est arrêté, avec la date à laquelle chacun "
                "a signé la charte des valeurs communes.", "gi")],
         "Note", before=6)
    return doc


def build_receipt() -> DocumentObject:
    doc = new_document(title="Reçu de cotisation", running_title="{{ recu.titre }} n° {{ recu.numero }}")
    t = table(doc, 1, (9.4, 7.0), grid=False)
    left, right = t.rows[0].cells
    cell_text(left, [("{{ association.nom_complet }}", "bn")], style="Signature")
    cell_text(left, "{{ association.adresse }}", style="Tableau")
    for tag, line in (("association.siret", "SIRET {{ association.siret }}"),
                      ("association.tva_intracom", "TVA intracommunautaire {{ association.tva_intracom }}"),
                      ("association.email", "{{ association.email }}")):
        cell_text(left, f"{{%p if {tag} %}}", style="Tableau")
        cell_text(left, line, style="Tableau")
        cell_text(left, "{%p endif %}", style="Tableau")
    cell_text(right, [("Reçu n° {{ recu.numero }}", "bn")], style="Signature", align=R)
    cell_text(right, "Émis le {{ recu.date }}", style="Tableau", align=R)
    spacer(doc, 14)
    title_block(doc, "{{ recu.titre }}",
                '{% if recu.objet == "cotisation" %}Période du {{ periode.debut }} au '
                '{{ periode.fin }}{% else %}Paiement du {{ paiement.date }}{% endif %}')

    para(doc, "Reçu de", "Heading 2")
    para(doc, [("{{ membre.structure }}", "b"),
               ("{% if membre.forme_juridique and not membre.personne %}, {{ membre.forme_juridique }}"
                "{% endif %}{% if membre.siret %} · SIRET {{ membre.siret }}{% endif %}", "")], after=0)
    tag_para(doc, "{%p if membre.adresse %}")
    para(doc, "{{ membre.adresse }}", after=0)
    tag_para(doc, "{%p endif %}")
    para(doc, "{% if membre.represente_par %}{{ membre.represente_par|majuscule }} · {% endif %}"
              "membre n° {{ membre.id }} · {{ membre.categorie }}",
         after=10)

    t = table(doc, 5, (8.8, 2.6, 2.4, 2.6))
    header_row(t, ("Désignation", "HT", "TVA ({{ montant.taux_tva }})", "TTC"), (None, R, R, R))
    cell_text(t.rows[1].cells[0], "{%tr for l in lignes %}")
    cell_text(t.rows[2].cells[0], "{{ l.libelle }}")
    cell_text(t.rows[2].cells[1], "{{ l.montant }}", align=R)
    cell_text(t.rows[2].cells[2], "{{ l.tva }}", align=R)
    cell_text(t.rows[2].cells[3], "{{ l.ttc }}", align=R)
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    total = t.rows[4]
    cell_text(total.cells[0], "Total", bold=True, shade=SHADE)
    cell_text(total.cells[1], "{{ montant.ht }}", align=R, bold=True, shade=SHADE)
    cell_text(total.cells[2], "{{ montant.tva }}", align=R, bold=True, shade=SHADE)
    cell_text(total.cells[3], "{{ montant.ttc }}", align=R, bold=True, shade=SHADE)
    spacer(doc, 10)
    para(doc, [("{{ association.designation|majuscule }} certifie avoir reçu {{ membre.structure|de }}, le "
                "{{ paiement.date }}{% if paiement.moyen %}, par {{ paiement.moyen }}{% endif %}, "
                "la somme de ", ""), ("{{ paiement.montant }}", "b"),
               (" toutes taxes comprises au titre de {{ recu.au_titre }}.", "")])
    tag_para(doc, "{%p if detail %}")
    para(doc, [("Calcul : {{ detail }}.", "g")], "Note")
    tag_para(doc, "{%p endif %}")

    para(doc, "Fait à {{ document.lieu }}, le {{ recu.date }}.", before=12, after=8, keep_next=True)
    t = table(doc, 2, (8.0, 8.4), grid=False)
    cell_text(t.rows[0].cells[1], [("Pour l'Association", "b")], style="Signature")
    cell_text(t.rows[0].cells[1], "{% if association.signataire.connu %}"
                                  "{{ association.signataire.civilite }} {{ association.signataire.nom }}, "
                                  "{{ association.signataire.titre|lower }}"
                                  "{% else %}Le trésorier ou la trésorière{% endif %}", style="Signature")
    frame = t.rows[1].cells[1]
    tcpr = frame._tc.get_or_add_tcPr()
    borders = _set(tcpr, "w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        _set(borders, f"w:{edge}", **{"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE})
    cell_text(frame, [("Signature", "gs")], style="Note")
    _row_height(t.rows[1], 2.4)
    keep_together(t)
    para(doc, [('{% if recu.objet == "cotisation" %}Ce reçu atteste le paiement d\'une cotisation donnant '
                "accès aux services de l'Association pour la période indiquée ; ce n'est pas un reçu fiscal "
                "au titre des dons.{% else %}Ce reçu n'est pas un reçu fiscal au titre des dons.{% endif %}",
                "gi")],
         "Note", before=14)
    return doc


def build_attendance() -> DocumentObject:
    doc = new_document(title="Feuille d'émargement",
                       running_title="Feuille d'émargement · {{ assemblee.titre }} du "
                                     "{{ assemblee.date_courte }}", landscape=True)
    title_block(doc, "Feuille d'émargement",
                "{{ assemblee.titre }} du {{ assemblee.date }} · {{ assemblee.lieu }}")
    para(doc, [("Membres à jour de leur cotisation au {{ assemblee.date }} : ", ""),
               ("{{ totaux.membres }}", "b"), (", totalisant ", ""), ("{{ totaux.voix }} voix", "b"),
               (". Chaque membre présent signe en face de son nom ; pour un membre représenté, "
                "indiquez à qui il a donné pouvoir.", "")], after=8)
    widths = (1.0, 6.4, 4.8, 3.6, 1.4, 4.2, 3.7)
    t = table(doc, 4, widths)
    header_row(t, ("N°", "Structure", "Représentant·e", "Catégorie", "Voix", "Pouvoir donné à", "Signature"),
               (C, None, None, None, C, None, None))
    cell_text(t.rows[1].cells[0], "{%tr for m in membres %}")
    row = t.rows[2]
    _row_height(row, 0.95)
    cell_text(row.cells[0], [("{{ m.numero }}", "g")], align=C)
    cell_text(row.cells[1], [("{{ m.structure }}", "b")])
    cell_text(row.cells[2], "{{ m.representant }}")
    cell_text(row.cells[3], "{{ m.categorie }}")
    cell_text(row.cells[4], "{{ m.voix }}", align=C)
    for cell in row.cells:
        _vertical_center(cell)
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    spacer(doc, 10)

    t = table(doc, 4, (12.0, 5.0), align=WD_TABLE_ALIGNMENT.LEFT)
    for row, (label, value, strong) in zip(t.rows, (
        ("Total des voix des membres à jour", "{{ totaux.voix }}", False),
        ("Quorum : {{ totaux.quorum_pourcentage }} des voix des membres à jour", "{{ totaux.quorum }} voix",
         False),
        ("Voix des membres présents ou représentés", "", True),
        ("Quorum atteint", "☐ oui     ☐ non", True),
    ), strict=True):
        cell_text(row.cells[0], label, bold=strong, shade=LIGHT)
        cell_text(row.cells[1], value, align=C)
        _row_height(row, 0.8)
        for cell in row.cells:
            _vertical_center(cell)
    spacer(doc, 10)
    signature_table(doc, ["Le président ou la présidente de séance", "Nom :"],
                    ["Le ou la secrétaire de séance", "Nom :"], width=25.1, box=2.2)
    return doc


BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    "convention.docx": build_convention,
    "charte.docx": build_charter,
    "registre_charte.docx": build_register,
    "recu.docx": build_receipt,
    "emargement.docx": build_attendance,
}


def build_all(folder: Path = REPO_TEMPLATES) -> dict[str, bytes]:
    """Write every template into ``folder``; returns their bytes by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    return {name: save(builder(), folder / name) for name, builder in BUILDERS.items()}


def built_bytes(name: str) -> bytes:
    return to_bytes(BUILDERS[name]())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reconstruire les modèles Word de templates/.")
    parser.add_argument("folder", nargs="?", type=Path, default=REPO_TEMPLATES)
    parser.add_argument("--check", action="store_true",
                        help="vérifier que les modèles du dossier sont ceux que ce code produit")
    args = parser.parse_args(argv)
    if args.check:
        stale = [n for n in BUILDERS if not (args.folder / n).is_file()
                 or (args.folder / n).read_bytes() != built_bytes(n)]
        for name in stale:
            print(f"Modèle différent de celui que produit le code : {name}")
        return 1 if stale else 0
    for name in build_all(args.folder):
        print(f"Modèle écrit : {args.folder / name}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
