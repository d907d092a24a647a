"""The styles and page frame of the annual report, and ``templates/rapport.docx`` built from them.

    .venv/bin/python -m automations.report.template [--check] [CHEMIN.docx]

The writer opens ``templates/rapport.docx`` when it exists, or builds this same template in
memory, empties its body and writes the report with its styles. The file is not shipped:
the command above writes it, for staff who want to restyle the report in Word (fonts,
colours, spacing of « Titre 1 », « Corps de texte », the « Tableau MILA » table style…)
without touching code. The header holds
``{{association}}`` and ``{{annee}}``, replaced at each generation; the footer holds the
PAGE and NUMPAGES fields (« Page 3 sur 18 »). The first page (the cover) has neither.

:func:`ensure_styles` adds the styles a restyled template may have lost, leaving the
others as staff set them. The build is deterministic, so ``--check`` tells whether the
committed template is the one this code builds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ..docx_xml import child, keep_only_styles, paragraph_border
from ..docx_xml import set_fonts as _fonts

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "templates" / "rapport.docx"
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)

BODY_FONT = "Cambria"  # Caladea under LibreOffice (same metrics)
TITLE_FONT = "Calibri"  # Carlito under LibreOffice
INK = RGBColor(0x22, 0x22, 0x22)
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
TEAL = RGBColor(0x3D, 0x8A, 0x8A)
GREY = RGBColor(0x5F, 0x6B, 0x7A)
RULE = "8C9BAD"
SHADE = "E3E9F1"
TABLE_STYLE = "Tableau MILA"

PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = Cm(2.3), Cm(2.4), Cm(2.2)
CONTENT_WIDTH_CM = 21.0 - 2 * 2.3

ASSOCIATION_TOKEN = "{{association}}"
YEAR_TOKEN = "{{annee}}"


# --------------------------------------------------------------------------- XML helpers






def field(paragraph: Paragraph, code: str, shown: str = "") -> None:
    """A Word field (PAGE, NUMPAGES…) as begin / instruction / separate / result / end."""
    def run_with(element: object) -> None:
        paragraph.add_run()._r.append(element)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    if shown:
        paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def border(paragraph: Paragraph, side: str, color: str = RULE, size: int = 4, space: int = 4) -> None:
    paragraph_border(paragraph, side, color, size, space)


# --------------------------------------------------------------------------- styles


def _paragraph_style(doc: DocumentObject, name: str, *, font: str, size: float, color: RGBColor = INK,
                     bold: bool = False, italic: bool = False, before: float = 0, after: float = 6,
                     line: float = 1.15, align: int | None = None, keep_next: bool = False,
                     base: str = "Normal", outline: int | None = None, page_break: bool = False,
                     caps: bool = False, only_missing: bool = False) -> None:
    styles = doc.styles
    try:
        style = styles[name]
        if only_missing:
            return
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if name != base:
            style.base_style = styles[base]
        style.quick_style = True
    rpr = style.element.get_or_add_rPr()
    _fonts(rpr, font)
    for tag in ("w:spacing", "w:kern", "w:caps", "w:smallCaps"):  # Word's defaults letter-space titles
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
    fmt.line_spacing = line
    fmt.alignment = align
    fmt.keep_with_next = keep_next
    fmt.page_break_before = page_break
    fmt.widow_control = True
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:pBdr", "w:contextualSpacing", "w:tabs"):
        found = ppr.find(qn(tag))
        if found is not None:
            ppr.remove(found)
    if outline is not None:
        child(ppr, "w:outlineLvl", **{"w:val": str(outline)})


def _table_style(doc: DocumentObject, only_missing: bool = False) -> None:
    """« Tableau MILA »: thin grey rules, a shaded header row in bold navy, cell margins."""
    styles = doc.styles
    try:
        styles[TABLE_STYLE]
        if only_missing:
            return
        styles.element.remove(styles[TABLE_STYLE].element)
    except KeyError:
        pass
    style = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = styles["Normal Table"] if "Normal Table" in [s.name for s in styles] else None
    el = style.element
    ppr = child(el, "w:pPr")
    child(ppr, "w:spacing", **{"w:before": "0", "w:after": "0", "w:line": "252", "w:lineRule": "auto"})
    rpr = child(el, "w:rPr")
    _fonts(rpr, TITLE_FONT)
    child(rpr, "w:sz", **{"w:val": "19"})
    child(rpr, "w:szCs", **{"w:val": "19"})
    tblpr = child(el, "w:tblPr")
    borders = child(tblpr, "w:tblBorders")
    for edge in ("top", "bottom", "insideH"):
        child(borders, f"w:{edge}", **{"w:val": "single", "w:sz": "4", "w:space": "0", "w:color": RULE})
    for edge in ("left", "right", "insideV"):
        child(borders, f"w:{edge}", **{"w:val": "nil"})
    margins = child(tblpr, "w:tblCellMar")
    for edge, value in (("top", "45"), ("bottom", "45"), ("left", "100"), ("right", "100")):
        child(margins, f"w:{edge}", **{"w:w": value, "w:type": "dxa"})
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    frpr = child(first, "w:rPr")
    child(frpr, "w:b")
    child(frpr, "w:color", **{"w:val": "1F3A5F"})
    child(first, "w:tblPr")
    trpr = child(first, "w:trPr")
    child(trpr, "w:tblHeader")
    tcpr = child(first, "w:tcPr")
    tcb = child(tcpr, "w:tcBorders")
    child(tcb, "w:bottom", **{"w:val": "single", "w:sz": "8", "w:space": "0", "w:color": "1F3A5F"})
    child(tcpr, "w:shd", **{"w:val": "clear", "w:color": "auto", "w:fill": SHADE})
    el.append(first)


def ensure_styles(doc: DocumentObject, *, only_missing: bool = True) -> None:
    """The report's styles. ``only_missing``: add those the document lacks and leave the
    others as they are (a template restyled by staff keeps its look)."""
    j, c = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER
    s = {"only_missing": only_missing}
    if not only_missing:
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _fonts(rpr, BODY_FONT)
        child(rpr, "w:lang", **{"w:val": "fr-FR", "w:eastAsia": "fr-FR", "w:bidi": "ar-SA"})
    _paragraph_style(doc, "Normal", font=BODY_FONT, size=10.5, after=0, line=1.15, **s)
    _paragraph_style(doc, "Body Text", font=BODY_FONT, size=10.5, after=6, line=1.2, align=j, **s)
    _paragraph_style(doc, "Title", font=TITLE_FONT, size=34, color=NAVY, bold=True, after=0, line=1.0, **s)
    _paragraph_style(doc, "Subtitle", font=TITLE_FONT, size=14, color=GREY, after=4, line=1.1, **s)
    _paragraph_style(doc, "Couverture", font=TITLE_FONT, size=13, color=TEAL, bold=True, after=6, line=1.0,
                     caps=True, **s)
    _paragraph_style(doc, "Heading 1", font=TITLE_FONT, size=17, color=NAVY, bold=True, before=20, after=8,
                     line=1.0, keep_next=True, outline=0, **s)
    _paragraph_style(doc, "Heading 2", font=TITLE_FONT, size=13, color=NAVY, bold=True, before=14, after=5,
                     line=1.0, keep_next=True, outline=1, **s)
    _paragraph_style(doc, "Heading 3", font=TITLE_FONT, size=11, color=TEAL, bold=True, before=10, after=4,
                     line=1.0, keep_next=True, outline=2, **s)
    _paragraph_style(doc, "TOC Heading", font=TITLE_FONT, size=17, color=NAVY, bold=True, before=0,
                     after=14, line=1.0, base="Normal", outline=9, **s)
    _paragraph_style(doc, "TOC 1", font=TITLE_FONT, size=11.5, color=NAVY, bold=True, before=8, after=2,
                     line=1.0, **s)
    _paragraph_style(doc, "TOC 2", font=TITLE_FONT, size=10.5, before=0, after=2, line=1.0, **s)
    _paragraph_style(doc, "List Bullet", font=BODY_FONT, size=10.5, after=3, line=1.15, align=j, **s)
    _paragraph_style(doc, "Caption", font=TITLE_FONT, size=9, color=GREY, italic=True, before=2, after=10,
                     line=1.0, align=c, **s)
    _paragraph_style(doc, "Tableau", font=TITLE_FONT, size=9.5, after=0, line=1.05, **s)
    _paragraph_style(doc, "Note", font=TITLE_FONT, size=9, color=GREY, after=6, line=1.1, **s)
    _paragraph_style(doc, "Agenda", font=BODY_FONT, size=10.5, after=4, line=1.15, **s)
    _paragraph_style(doc, "Header", font=TITLE_FONT, size=8.5, color=GREY, after=0, line=1.0, **s)
    _paragraph_style(doc, "Footer", font=TITLE_FONT, size=8.5, color=GREY, after=0, line=1.0, **s)
    _table_style(doc, only_missing=only_missing)
    for name, position in (("TOC 1", 0), ("TOC 2", 0.6)):
        style = doc.styles[name]
        if not style.paragraph_format.tab_stops or not only_missing:
            fmt = style.paragraph_format
            fmt.left_indent = Cm(position)
            fmt.tab_stops.add_tab_stop(Cm(CONTENT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    agenda = doc.styles["Agenda"].paragraph_format
    if agenda.left_indent is None:
        agenda.left_indent = Cm(0.6)
        agenda.first_line_indent = Cm(-0.6)


REPORT_STYLES = (
    "Normal", "Body Text", "Title", "Subtitle", "Couverture", "Heading 1", "Heading 2", "Heading 3",
    "TOC Heading", "TOC 1", "TOC 2", "List Bullet", "Caption", "Tableau", "Note", "Agenda", "Header",
    "Footer", TABLE_STYLE,
)


def prune(doc: DocumentObject) -> None:
    """Keep only the report's styles (and those they are based on or linked to): python-docx's
    default package carries some 160, which would crowd Word's style pane."""
    keep_only_styles(doc, {doc.styles[name].style_id for name in REPORT_STYLES})


def _dash_bullets(doc: DocumentObject) -> None:
    """The List Bullet numbering with an en dash in the text font (not Symbol's bullet)."""
    numbering = doc.part.numbering_part.element
    style = doc.styles["List Bullet"].element
    numpr = style.find(qn("w:pPr")).find(qn("w:numPr"))
    num_id = numpr.find(qn("w:numId")).get(qn("w:val")) if numpr is not None else "1"
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == abstract_id)
    lvl = abstract.find(qn("w:lvl"))
    child(lvl, "w:lvlText", **{"w:val": "–"})
    ppr = lvl.find(qn("w:pPr"))
    for tabs in ppr.findall(qn("w:tabs")):
        ppr.remove(tabs)
    child(ppr, "w:ind", **{"w:left": "397", "w:hanging": "284"})
    rpr = lvl.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        lvl.append(rpr)
    _fonts(rpr, BODY_FONT)
    child(rpr, "w:color", **{"w:val": "3D8A8A"})


# --------------------------------------------------------------------------- the template


def build_template() -> DocumentObject:
    """A4, the report's styles, the header and footer, a body explaining the template."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_SIDE
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.header_distance, section.footer_distance = Cm(1.1), Cm(1.0)
    section.different_first_page_header_footer = True  # the cover has neither

    ensure_styles(doc, only_missing=False)
    _dash_bullets(doc)

    width = Cm(CONTENT_WIDTH_CM)
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
    header.add_run(ASSOCIATION_TOKEN).bold = True
    header.add_run("\tRapport d'activité ")
    header.add_run(YEAR_TOKEN)
    border(header, "bottom")
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    field(footer, "PAGE", "1")
    footer.add_run(" sur ")
    field(footer, "NUMPAGES", "1")

    doc.add_paragraph("Modèle du rapport d'activité", style="Title")
    doc.add_paragraph(
        "Ce modèle ne sert qu'à ses styles et à sa mise en page : à chaque génération "
        "(« mila docs rapport --year AAAA »), son contenu est remplacé par le rapport. Modifiez "
        "dans Word les styles Titre, Sous-titre, Couverture, Titre 1 à 3, Corps de texte, Liste à "
        "puces, Légende, Tableau, Note, Agenda, TOC 1 et 2, le style de tableau « Tableau MILA », "
        "l'en-tête et le pied de page. Gardez {{association}} et {{annee}} dans l'en-tête : ils "
        "sont remplacés par le nom de l'association et l'année.",
        style="Body Text",
    )
    for level in (1, 2, 3):
        doc.add_paragraph(f"Exemple de titre de niveau {level}", style=f"Heading {level}")
    doc.add_paragraph("Exemple de liste à puces.", style="List Bullet")

    props = doc.core_properties
    props.title = "Rapport d'activité (modèle)"
    props.author = props.last_modified_by = "MILA – automatisations"
    props.language = "fr-FR"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    settings = doc.settings.element
    child(settings, "w:autoHyphenation", **{"w:val": "false"})
    prune(doc)
    return doc


def to_bytes(doc: DocumentObject, when: dt.datetime = FIXED_TIME) -> bytes:
    """The package with fixed zip timestamps: the same document gives the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construit le modèle du rapport d'activité.")
    parser.add_argument("path", nargs="?", type=Path, default=TEMPLATE_PATH)
    parser.add_argument("--check", action="store_true",
                        help="vérifier que le modèle enregistré est celui que ce code construit")
    args = parser.parse_args(argv)
    data = to_bytes(build_template())
    if args.check:
        same = args.path.exists() and args.path.read_bytes() == data
        print(f"{args.path} : {'à jour' if same else 'différent du modèle construit'}")
        return 0 if same else 1
    args.path.parent.mkdir(parents=True, exist_ok=True)
    args.path.write_bytes(data)
    print(f"Modèle écrit : {args.path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
