"""What the report writer needs from Word at render time: its template, its styles, a few OOXML helpers.

``templates/rapport.docx`` is the source of the report's look: staff restyle it in Word
(fonts, colours, spacing of « Titre 1 », « Corps de texte », the « Tableau MILA » table
style…, see docs/rapport.md) and ``mila docs verifier`` checks it. The writer opens it (or
the template given), empties its body and writes the report in its styles. Its header
holds ``{{association}}`` and ``{{annee}}``, replaced at each generation.

A style the writer needs and the template lacks (deleted in Word) is copied from the
shipped template, so that the report keeps its look; :func:`template_warnings` lets the
verifier say so beforehand.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length
from docx.text.paragraph import Paragraph
from lxml import etree

from ..errors import TemplateError
from ..settings.documents import REPO_TEMPLATES

TEMPLATE_PATH = REPO_TEMPLATES / "rapport.docx"
ASSOCIATION_TOKEN = "{{association}}"
YEAR_TOKEN = "{{annee}}"
TABLE_STYLE = "Tableau MILA"
RULE = "8C9BAD"  # the grey of rules and table borders

# Every style the writer uses, by its python-docx name (Word shows « Titre 1 » for Heading 1…).
REPORT_STYLES = (
    "Normal",
    "Body Text",
    "Title",
    "Subtitle",
    "Couverture",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "TOC Heading",
    "TOC 1",
    "TOC 2",
    "List Bullet",
    "Caption",
    "Tableau",
    "Note",
    "Agenda",
    "Header",
    "Footer",
    TABLE_STYLE,
)

# The names Word shows in French for the built-in ones (the others are the same in Word).
FRENCH_NAMES = {
    "Body Text": "Corps de texte",
    "Title": "Titre",
    "Subtitle": "Sous-titre",
    "Heading 1": "Titre 1",
    "Heading 2": "Titre 2",
    "Heading 3": "Titre 3",
    "TOC Heading": "En-tête de table des matières",
    "TOC 1": "TM 1",
    "TOC 2": "TM 2",
    "List Bullet": "Liste à puces",
    "Caption": "Légende",
    "Header": "En-tête",
    "Footer": "Pied de page",
}

_RESTORE = (
    " Remettez le modèle d'origine (copiez templates/rapport.docx depuis le dépôt du projet, "
    "« git checkout -- templates/rapport.docx »), puis lancez « mila docs verifier »."
)


def open_template(path: Path | None) -> DocumentObject:
    """The template at ``path`` (``templates/rapport.docx`` by default), with the styles the
    report needs. A template missing or unreadable is a ``TemplateError``."""
    chosen = path or TEMPLATE_PATH
    if not chosen.is_file():
        raise TemplateError(
            f"Modèle du rapport introuvable : « {chosen} ». Vérifiez le chemin." + ("" if path else _RESTORE)
        )
    try:
        doc = Document(str(chosen))
    except Exception as exc:  # python-docx raises zip, XML and KeyError alike
        raise TemplateError(
            f"Le modèle du rapport « {chosen} » ne peut pas être lu ({type(exc).__name__}) : "
            "rouvrez-le dans Word et enregistrez-le au format « Document Word (*.docx) »." + _RESTORE
        ) from exc
    ensure_styles(doc)
    return doc


# --------------------------------------------------------------------------- styles


def _style_ids(doc: DocumentObject) -> dict[str | None, etree._Element]:
    return {s.get(qn("w:styleId")): s for s in doc.styles.element.findall(qn("w:style"))}


def missing_styles(doc: DocumentObject) -> list[str]:
    """The report's styles the document lacks, in the order of ``REPORT_STYLES``."""
    names = {style.name for style in doc.styles}
    return [name for name in REPORT_STYLES if name not in names]


def ensure_styles(doc: DocumentObject, reference: Path = TEMPLATE_PATH) -> list[str]:
    """Add the report's styles ``doc`` lacks, as the ``reference`` template defines them
    (with the styles they are based on); a bare style when the reference lacks it too.
    The others stay as staff set them. Returns the names added."""
    missing = missing_styles(doc)
    if not missing:
        return []
    source = Document(str(reference)) if reference.is_file() else None
    for name in missing:
        model = _style_element(source, name) if source is not None else None
        if source is None or model is None:
            kind = WD_STYLE_TYPE.TABLE if name == TABLE_STYLE else WD_STYLE_TYPE.PARAGRAPH
            doc.styles.add_style(name, kind)
        else:
            _copy_style(doc, source, model)
    return missing


def _style_element(doc: DocumentObject, name: str) -> etree._Element | None:
    try:
        return doc.styles[name].element
    except KeyError:
        return None


def _copy_style(doc: DocumentObject, source: DocumentObject, element: etree._Element) -> None:
    """Copy a style element, and those it is based on that ``doc`` lacks; a numbering it
    refers to and ``doc`` lacks is dropped (the paragraphs keep their other formatting)."""
    have = _style_ids(doc)
    theirs = _style_ids(source)
    numbering = {n.get(qn("w:numId")) for n in doc.part.numbering_part.element.findall(qn("w:num"))}
    pending = [element]
    while pending:
        current = pending.pop()
        style_id = current.get(qn("w:styleId"))
        if style_id in have:
            continue
        copied = copy.deepcopy(current)
        for num_pr in copied.iter(qn("w:numPr")):
            num_id = num_pr.find(qn("w:numId"))
            if num_id is None or num_id.get(qn("w:val")) not in numbering:
                parent = num_pr.getparent()
                if parent is not None:  # always: the element was found inside the copy
                    parent.remove(num_pr)
        doc.styles.element.append(copied)
        have[style_id] = copied
        based = current.find(qn("w:basedOn"))
        if based is not None and based.get(qn("w:val")) in theirs:
            pending.append(theirs[based.get(qn("w:val"))])


def content_width(doc: DocumentObject) -> Length:
    """The width between the margins of the template's first section."""
    section = doc.sections[0]
    width, left, right = section.page_width, section.left_margin, section.right_margin
    if width is None or left is None or right is None:
        raise TemplateError(
            "Le modèle du rapport ne dit pas la largeur de sa page ou de ses marges : "
            "ouvrez-le dans Word, réglez la mise en page (Marges) et enregistrez-le."
        )
    return Length(width - left - right)


def template_warnings(path: Path) -> list[str]:
    """What ``mila docs verifier`` says of a report template (French), beyond its tags:
    the styles it lacks, a header without the association or the year."""
    try:
        doc = Document(str(path))
    except Exception:  # an unreadable file: the tag check reports it
        return []
    warnings = [
        f"Style « {FRENCH_NAMES.get(name, name)} » absent : le rapport prendra celui du modèle "
        "d'origine. Recréez-le dans Word (Accueil > Styles) si vous voulez le personnaliser."
        for name in missing_styles(doc)
    ]
    header = "".join(p.text for p in doc.sections[0].header.paragraphs)
    for token, what in ((ASSOCIATION_TOKEN, "le nom de l'association"), (YEAR_TOKEN, "l'année")):
        if token not in header:
            warnings.append(
                f"L'en-tête ne contient plus « {token} » : il n'affichera pas {what}. "
                f"Retapez « {token} » dans l'en-tête si vous le souhaitez."
            )
    return warnings


# --------------------------------------------------------------------------- OOXML


def child(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    """The child ``tag`` of ``parent`` (created if missing) with ``attrs`` set."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for key, value in attrs.items():
        el.set(qn(key), value)
    return el


def border(paragraph: Paragraph, side: str, color: str = RULE, size: int = 4, space: int = 4) -> None:
    """A single rule on one ``side`` (top, bottom…) of a paragraph."""
    borders = child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    attrs = {"w:val": "single", "w:sz": str(size), "w:space": str(space), "w:color": color}
    child(borders, f"w:{side}", **attrs)


def to_bytes(doc: DocumentObject, when: dt.datetime) -> bytes:
    """The package with fixed zip timestamps: the same document gives the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=when.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()
