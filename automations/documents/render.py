"""Filling .docx templates with docxtpl, safely, and checking templates staff edited in Word.

Rendering (:class:`DocumentTemplate`):

- Jinja runs in an immutable sandbox (templates are edited by staff: no access to Python
  internals) with autoescaping on, so that ``&``, ``<`` or an emoji in a company name give
  a valid document; undefined variables raise instead of printing nothing, so that a typo
  in a template never produces a convention with a blank where a name should be.
- Context strings lose the characters XML cannot hold (control characters) and those
  docxtpl gives a meaning to (``\\a``, ``\\f``); ``\\n`` becomes a line break.
- A template is patched and compiled by Jinja once per process and part (body, headers,
  footers); each document then only loads the .docx package, renders and saves. The
  rendered body is parsed strictly: an invalid document is an error, never a file.

The variables a template may use are in :mod:`.variables`; checking templates staff edited
in Word is in :mod:`.verify`.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from ..errors import TemplateError
from .french import FILTERS, typographic

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_P = f"{{{W}}}p"
W_R = f"{{{W}}}r"
W_T = f"{{{W}}}t"


# --------------------------------------------------------------------------- environment


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, compiling each distinct source once (core properties are rendered
    through ``from_string`` by docxtpl on every document)."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
        self.filters.update(FILTERS)  # {{ x|de }}, {{ x|a }}: see french.py
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        found = self._compiled.get(source)
        if found is None:
            if len(self._compiled) > 256:
                self._compiled.clear()
            found = self._compiled[source] = super().from_string(source)
        return found


_ENV: _Environment | None = None


def environment() -> _Environment:
    """The one sandboxed Jinja environment documents are rendered with."""
    global _ENV
    if _ENV is None:
        _ENV = _Environment()
    return _ENV


# --------------------------------------------------------------------------- safe context

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without what XML 1.0 cannot hold or docxtpl would read as a paragraph or
    page break (``\\a``, ``\\f``); tabs and line breaks stay (docxtpl renders them)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text)


def safe_context(value: Any) -> Any:
    """A copy of a context whose strings are all :func:`xml_safe`, with typographic
    apostrophes (« L’Usine »)."""
    if isinstance(value, str):
        return typographic(xml_safe(value))
    if isinstance(value, Mapping):
        return {str(k): safe_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_context(v) for v in value]
    return value


# --------------------------------------------------------------------------- rendering


def _line_text(source: str, lineno: int | None) -> str:
    """The visible text of line ``lineno`` of a patched part (one paragraph per line)."""
    if not lineno:
        return ""
    lines = source.split("\n")
    if not 1 <= lineno <= len(lines):
        return ""
    return short(html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1])))


def short(text: str, limit: int = 140) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_COLUMN_TAGS = re.compile(r"\{%-?\s*(?:tc\b|hm\b|colspan\b|cellbg\b)")


@dataclass
class _Part:
    source: str  # patched XML, one paragraph per line (as docxtpl renders it)
    template: Any  # compiled Jinja template
    column_tags: bool  # the part loops over table cells: docxtpl must fix the table grids


class _Docx(DocxTemplate):
    """docxtpl, with each part's patched source compiled once (see DocumentTemplate)."""

    def __init__(self, owner: DocumentTemplate) -> None:
        super().__init__(io.BytesIO(owner.data))
        self._owner = owner

    def _render_part(self, key: str, src: str | None, part: Any, context: Mapping[str, Any]) -> str:
        compiled = self._owner.part(key, lambda: src if src is not None else self.get_xml(), self)
        self.current_rendering_part = part
        try:
            xml = compiled.template.render(context)
        except JinjaTemplateError as exc:
            raise self._owner.error(exc, compiled.source) from exc
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(ch in xml for ch in "\t\n\a\f"):  # else resolve_listing would change nothing
            xml = self.resolve_listing(xml)
        return xml

    def build_xml(self, context: Mapping[str, Any], jinja_env: Any = None) -> str:
        return self._render_part("body", None, self.docx._part, context)

    def build_headers_footers_xml(self, context: Any, uri: str, jinja_env: Any = None) -> Iterator[Any]:
        for rel_key, part in self.get_headers_footers(uri):
            xml = self.get_part_xml(part)
            encoding = self.get_headers_footers_encoding(xml)
            yield rel_key, self._render_part(str(part.partname), xml, part, context).encode(encoding)

    def fix_tables(self, xml: str) -> Any:
        """The body parsed strictly (docxtpl's parser would silently « recover » an invalid
        document); docxtpl's column fixing only when the template changes column counts."""
        try:
            tree = etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise TemplateError(
                f"Le modèle « {self._owner.name} » produit un document Word invalide ({exc}). "
                "Lancez « mila docs verifier » pour trouver la balise en cause."
            ) from exc
        if self._owner.part("body", self.get_xml, self).column_tags:
            tree = super().fix_tables(xml)
        superscript_ordinals(tree)
        return tree


_ORDINAL = re.compile(r"(?<![\w])(1)(er|re)(?=[\s\u00a0\u202f])")
W_RPR = f"{{{W}}}rPr"
W_VERT = f"{{{W}}}vertAlign"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_AFTER_VERT = {"rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"}


def superscript_ordinals(root: Any) -> None:
    """« 1er juillet », « 1re édition »: the « er » in superscript, in a run of its own
    with the formatting of the text around, as Word's autocorrect types it."""
    for t in list(root.iter(W_T)):
        text = t.text or ""
        if "1" not in text or not _ORDINAL.search(text):
            continue
        run = t.getparent()
        if run is None or run.tag != W_R or len(run.findall(W_T)) != 1:
            continue
        pieces = _ORDINAL.split(text)  # text, "1", "er", text, "1", "er", text…
        rpr = run.find(W_RPR)
        anchor = run
        first = True
        for i in range(0, len(pieces), 3):
            chunks = [(pieces[i] + (pieces[i + 1] if i + 1 < len(pieces) else ""), False)]
            if i + 2 < len(pieces):
                chunks.append((pieces[i + 2], True))
            for chunk, sup in chunks:
                if not chunk:
                    continue
                if first:
                    t.text = chunk
                    t.set(XML_SPACE, "preserve")
                    first = False
                    continue
                new_run = etree.SubElement(run.getparent(), W_R)
                anchor.addnext(new_run)
                anchor = new_run
                new_rpr = etree.fromstring(etree.tostring(rpr)) if rpr is not None else None
                if sup:
                    if new_rpr is None:
                        new_rpr = etree.Element(W_RPR)
                    vert = new_rpr.find(W_VERT)
                    if vert is None:  # at its place in the schema's order (Word is strict)
                        vert = etree.Element(W_VERT)
                        after = next((c for c in new_rpr if etree.QName(c).localname in _AFTER_VERT), None)
                        if after is None:
                            new_rpr.append(vert)
                        else:
                            after.addprevious(vert)
                    vert.set(f"{{{W}}}val", "superscript")
                if new_rpr is not None:
                    new_run.append(new_rpr)
                new_t = etree.SubElement(new_run, W_T)
                new_t.text = chunk
                new_t.set(XML_SPACE, "preserve")


class DocumentTemplate:
    """A .docx template: its bytes, their SHA-256, and its parts compiled on first use."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        try:
            self.data = self.path.read_bytes()
        except FileNotFoundError:
            raise TemplateError(
                f"Le modèle « {self.path} » est introuvable. Vérifiez [documents] templates, ou "
                "remettez le modèle d'origine (copiez-le depuis le dossier templates/ du projet)."
            ) from None
        except OSError as exc:
            raise TemplateError(f"Le modèle « {self.path} » est illisible : {exc.strerror}.") from exc
        if not zipfile.is_zipfile(io.BytesIO(self.data)):
            raise TemplateError(
                f"Le modèle « {self.name} » n'est pas un document Word .docx lisible. "
                "Enregistrez-le depuis Word au format « Document Word (*.docx) »."
            )
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self._parts: dict[str, _Part] = {}

    def part(self, key: str, source: Any, docx: _Docx) -> _Part:
        found = self._parts.get(key)
        if found is None:
            raw = source()
            patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", docx.patch_xml(raw))
            try:
                template = environment().from_string(patched)
            except JinjaTemplateError as exc:
                raise self.error(exc, patched) from exc
            found = self._parts[key] = _Part(patched, template, bool(_COLUMN_TAGS.search(raw)))
        return found

    def error(self, exc: Exception, source: str) -> TemplateError:
        """A French TemplateError for a Jinja failure, with the paragraph in cause."""
        where = _line_text(source, getattr(exc, "lineno", None))
        where = f" Paragraphe : « {where} »." if where else ""
        if isinstance(exc, UndefinedError):
            what = f"une variable inconnue ({_undefined_name(exc)})"
        elif isinstance(exc, SecurityError):
            what = "une balise interdite (accès à des attributs internes)"
        elif isinstance(exc, TemplateSyntaxError):
            what = f"une balise mal formée ({exc.message})"
        else:
            what = f"une erreur de balise ({exc})"
        return TemplateError(
            f"Le modèle « {self.name} » ne peut pas être rempli : il contient {what}.{where} "
            "Lancez « mila docs verifier » pour la liste complète des problèmes."
        )

    def render(self, context: Mapping[str, Any]) -> bytes:
        """The filled document, as the bytes of a .docx file."""
        try:
            doc = _Docx(self)
            doc.render(safe_context(context), environment(), autoescape=True)
            buffer = io.BytesIO()
            doc.save(buffer)
        except TemplateError:
            raise
        except JinjaTemplateError as exc:
            raise self.error(exc, "") from exc
        except (PackageNotFoundError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
            raise TemplateError(
                f"Le modèle « {self.name} » est endommagé ({exc}). Rouvrez-le dans Word et "
                "enregistrez-le à nouveau au format .docx."
            ) from exc
        return buffer.getvalue()


class Renderable(Protocol):
    """What the documents jobs render: a template, or one with its annex."""

    name: str
    sha256: str

    def render(self, context: Mapping[str, Any]) -> bytes: ...


W_BODY = f"{{{W}}}body"
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
        for info in source.infolist():
            target.writestr(info, xml if info.filename == "word/document.xml" else source.read(info.filename))
    return out.getvalue()


def _undefined_name(exc: UndefinedError) -> str:
    match = re.search(r"'([^']+)' is undefined", str(exc))
    if match:
        return f"« {match.group(1)} »"
    match = re.search(r"has no attribute '([^']+)'", str(exc))
    if match:
        return f"attribut « {match.group(1)} »"
    return str(exc)


_CACHE: dict[tuple[str, str], DocumentTemplate] = {}


def load_template(path: Path) -> DocumentTemplate:
    """The template at ``path``, compiled parts reused while its bytes do not change."""
    template = DocumentTemplate(path)
    key = (str(Path(path).resolve()), template.sha256)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) > 32:
            _CACHE.clear()
        found = _CACHE[key] = template
    return found


# --------------------------------------------------------------------------- variables


# --------------------------------------------------------------------------- verifier
