"""Filling .docx templates with docxtpl, safely, and checking templates staff edited in Word.

Rendering (:class:`DocumentTemplate`):

- Jinja runs in an immutable sandbox (templates are edited by staff: no access to Python
  internals) with autoescaping on, so that ``&``, ``<`` or an emoji in a company name give
  a valid document; undefined variables raise instead of printing nothing, so that a typo
  in a template never produces a convention with a blank where a name should be.
- Context strings lose the characters XML cannot hold (control characters) and those
  docxtpl gives a meaning to (``\\a``, ``\\f``); ``\\n`` becomes a line break.
- A template is read by python-docx, patched and compiled by Jinja once per process (see
  :class:`_Layout`); each document then renders only the parts docxtpl fills (body, headers,
  footers, core properties, footnotes), as docxtpl does, and the .docx copies the other
  parts' compressed bytes: the same file as docxtpl's ``render`` and ``save`` write, part for
  part, for a fraction of the time. The rendered body is parsed strictly: an invalid
  document is an error, never a file.

The variables a template may use are in :mod:`.variables`; checking templates staff edited
in Word is in :mod:`.verify`.
"""

from __future__ import annotations

import copy
import hashlib
import html
import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from docx import Document as docx_document
from docx.opc.coreprops import CoreProperties
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml.coreprops import CT_CoreProperties
from docx.oxml.ns import nsmap as docx_nsmap
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from ..errors import TemplateError
from ..zipentries import append_raw, raw_bytes
from .french import FILTERS, typographic

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_P = f"{{{W}}}p"
W_R = f"{{{W}}}r"
W_T = f"{{{W}}}t"
W_BODY = f"{{{W}}}body"


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
    """docxtpl's functions on a template's text: tags patched for Jinja, table grids fixed,
    tabs and line breaks resolved, footnotes filled (``verify`` also opens the package)."""

    def __init__(self, owner: DocumentTemplate) -> None:
        super().__init__(io.BytesIO(owner.data))
        self._owner = owner


# docxtpl fills the body, the headers and footers the body refers to, the core properties
# (these six texts) and the footnotes; python-docx saves every other part as it read it.
_BODY, _MARGIN, _CORE, _FOOTNOTES = "body", "margin", "core", "footnotes"
_CORE_TEXTS = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_JINJA_MARKS = ("{{", "{%", "{#")
_UNDATED = (1980, 1, 1, 0, 0, 0)  # the zip date of an entry the template does not hold


# python-docx's Document.sections, and docxtpl's drawings to number (fix_docpr_ids)
_SECTIONS = etree.XPath("./w:body/w:p/w:pPr/w:sectPr | ./w:body/w:sectPr", namespaces=docx_nsmap)
_DOCPR = etree.XPath("//wp:docPr", namespaces=docx_nsmap)


@dataclass
class _Entry:
    name: str  # in the zip, e.g. word/document.xml
    kind: str | None  # _BODY, _MARGIN, _CORE, _FOOTNOTES; None: the same in every document
    key: str = ""  # the part's name (a header or footer), or its index (footnotes)


class _Layout:
    """A template as ``DocxTemplate.render`` then ``save`` write it, worked out once: the zip
    entries in python-docx's order; those no document changes compressed once (the template's
    own compressed bytes when python-docx writes them as they were); the sources of the parts
    docxtpl fills. Filling a document then renders those parts only, as docxtpl does, and
    copies the others' compressed bytes."""

    def __init__(self, owner: DocumentTemplate, tools: _Docx) -> None:
        doc = docx_document(io.BytesIO(owner.data))
        main = doc.part
        package = main.package
        core = package._core_properties_part  # docxtpl's render creates it when missing
        parts = list(package.iter_parts())
        margins = [
            rel.target_part
            for uri in (tools.HEADER_URI, tools.FOOTER_URI)  # docxtpl's order: headers, footers
            for rel in main.rels.values()
            if rel.reltype == uri and rel.target_part.blob
        ]
        same: list[tuple[str, bytes]] = [
            ("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob),
            (PACKAGE_URI.rels_uri.membername, package.rels.xml),
        ]
        self.entries = [_Entry(name, None) for name, _ in same]
        self.margins: dict[str, tuple[str, str]] = {}  # part name: (source, encoding)
        constant: dict[str, bytes] = {}  # part name: the part saved, when it holds no tag
        for part in margins:
            xml = tools.get_part_xml(part)
            key, encoding = str(part.partname), tools.get_headers_footers_encoding(xml)
            self.margins[key] = (xml, encoding)
            if not any(mark in tools.patch_xml(xml) for mark in _JINJA_MARKS):
                constant[key] = serialize_part_xml(
                    parse_xml(owner._render_part(key, xml, {}).encode(encoding))
                )
        self.core: bytes | None = core.blob
        texts = [getattr(core.core_properties, name) for name in _CORE_TEXTS]
        if not any(mark in text for text in texts for mark in _JINJA_MARKS):
            constant[str(core.partname)], self.core = _core_properties(core.blob, {}), None
        for key in constant:
            self.margins.pop(key, None)
        self.footnotes: list[bytes] = []
        for part in parts:
            name, key = part.partname.membername, str(part.partname)
            if key in constant:
                self.entries.append(_Entry(name, None))
                same.append((name, constant[key]))
            elif part is main:
                self.entries.append(_Entry(name, _BODY, "body"))
            elif part in margins:
                self.entries.append(_Entry(name, _MARGIN, key))
            elif part is core:
                self.entries.append(_Entry(name, _CORE))
            elif part.content_type == _FOOTNOTES_TYPE:
                self.entries.append(_Entry(name, _FOOTNOTES, str(len(self.footnotes))))
                self.footnotes.append(part.blob)
            else:
                self.entries.append(_Entry(name, None))
                same.append((name, part.blob))
            if len(part.rels):
                self.entries.append(_Entry(part.partname.rels_uri.membername, None))
                same.append((part.partname.rels_uri.membername, part.rels.xml))
        self.body = tools.xml_to_string(doc.element.body)
        self.shell = copy.deepcopy(doc.element)  # the document's root, its body emptied
        for child in list(self.shell.body):
            self.shell.body.remove(child)
        with zipfile.ZipFile(io.BytesIO(owner.data)) as source:
            self.dates = {info.filename: info.date_time for info in source.infolist()}
            self.same = _compressed(source, same)

    def info(self, name: str) -> zipfile.ZipInfo:
        """A filled part's zip entry, dated as the template's."""
        return _entry(name, self.dates.get(name, _UNDATED))


def _entry(name: str, date_time: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    """A zip entry as python-docx writes one (deflated, read-write for its owner)."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


def _compressed(
    source: zipfile.ZipFile, entries: list[tuple[str, bytes]]
) -> dict[str, tuple[zipfile.ZipInfo, bytes]]:
    """{name: (zip entry, compressed bytes)} of ``entries``: the template's stored bytes for a
    part saved as the template holds it (python-docx read it whole, so they inflate soundly),
    else ``data`` deflated once."""
    buffer = io.BytesIO()
    held = {info.filename: info for info in source.infolist()}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            info = held.get(name)
            raw = None
            if info is not None and info.file_size == len(data) and zlib.crc32(data) == info.CRC:
                assert source.fp is not None
                raw = raw_bytes(source.fp, info)
            if info is not None and raw is not None and source.read(name) == data:
                append_raw(out, info, raw)
            else:
                out.writestr(_entry(name, info.date_time if info else _UNDATED), data)
    with zipfile.ZipFile(buffer) as built:
        assert built.fp is not None
        found = {}
        for info in built.infolist():
            raw = raw_bytes(built.fp, info)
            assert raw is not None
            found[info.filename] = (info, raw)
        return found


def _core_properties(blob: bytes, context: Mapping[str, Any]) -> bytes:
    """docProps/core.xml with docxtpl's six texts rendered, as python-docx saves it. They are
    plain texts, which the XML serialisation escapes: rendered without Jinja's escaping, else
    « A & B » would show « A &amp; B » in Word's document properties (docxtpl escapes twice)."""
    element = cast(CT_CoreProperties, parse_xml(blob))
    properties = CoreProperties(element)
    for name in _CORE_TEXTS:
        source = getattr(properties, name)
        if any(mark in source for mark in _JINJA_MARKS):
            source = "{% autoescape false %}" + source + "{% endautoescape %}"
        setattr(properties, name, environment().from_string(source).render(context))
    return serialize_part_xml(element)


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
    """A .docx template: its bytes, their SHA-256, and, from its first document on, its
    layout and its parts compiled (see :class:`_Layout`)."""

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
        self._tools = _Docx(self)
        self._layout: _Layout | None = None

    def part(self, key: str, source: str) -> _Part:
        """The part ``key`` (body, or a header's or footer's name) patched and compiled once."""
        found = self._parts.get(key)
        if found is None:
            patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", self._tools.patch_xml(source))
            try:
                template = environment().from_string(patched)
            except JinjaTemplateError as exc:
                raise self.error(exc, patched) from exc
            found = self._parts[key] = _Part(patched, template, bool(_COLUMN_TAGS.search(source)))
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
        """The filled document, as the bytes of a .docx file: what docxtpl's ``render`` and
        ``save`` write, the zip dated as the template (the same context, the same bytes)."""
        try:
            if self._layout is None:
                self._layout = _Layout(self, self._tools)
            return self._fill(self._layout, safe_context(context))
        except TemplateError:
            raise
        except JinjaTemplateError as exc:
            raise self.error(exc, "") from exc
        except (PackageNotFoundError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
            raise TemplateError(
                f"Le modèle « {self.name} » est endommagé ({exc}). Rouvrez-le dans Word et "
                "enregistrez-le à nouveau au format .docx."
            ) from exc

    def _fill(self, layout: _Layout, context: Mapping[str, Any]) -> bytes:
        # In docxtpl's order (the first error met is the one reported): body, headers and
        # footers, core properties, footnotes.
        tree = self._body_tree(self._render_part("body", layout.body, context))
        for index, element in enumerate(_DOCPR(tree), start=1001):
            element.attrib["id"] = str(index)  # docxtpl's fix_docpr_ids
        root = copy.deepcopy(layout.shell)
        root.replace(root.find(W_BODY), tree)
        filled = {"body": serialize_part_xml(root)}
        for key, (source, encoding) in layout.margins.items():  # headers, then footers
            xml = self._render_part(key, source, context).encode(encoding)
            filled[key] = serialize_part_xml(parse_xml(xml))
        core = b"" if layout.core is None else _core_properties(layout.core, context)
        if layout.footnotes:
            sections = len(_SECTIONS(root))
            for index, blob in enumerate(layout.footnotes):
                for _ in range(sections):  # docxtpl fills them once per section
                    xml = self._tools.patch_xml(blob.decode("utf-8"))
                    blob = self._tools.render_xml_part(xml, None, context, environment()).encode("utf-8")
                filled[str(index)] = blob
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for entry in layout.entries:
                if entry.kind is None:
                    append_raw(out, *layout.same[entry.name])
                else:
                    data = core if entry.kind == _CORE else filled[entry.key]
                    out.writestr(layout.info(entry.name), data)
        return buffer.getvalue()

    def _render_part(self, key: str, source: str, context: Mapping[str, Any]) -> str:
        """The part rendered as docxtpl's ``render_xml_part`` does, from its compiled source."""
        compiled = self.part(key, source)
        try:
            xml = compiled.template.render(context)
        except JinjaTemplateError as exc:
            raise self.error(exc, compiled.source) from exc
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        if any(ch in xml for ch in "\t\n\a\f"):  # else resolve_listing would change nothing
            xml = self._tools.resolve_listing(xml)
        return xml

    def _body_tree(self, xml: str) -> Any:
        """The body parsed strictly (docxtpl's parser would silently « recover » an invalid
        document); docxtpl's column fixing only when the template changes column counts."""
        try:
            tree = etree.fromstring(xml.encode("utf-8"))
        except etree.XMLSyntaxError as exc:
            raise TemplateError(
                f"Le modèle « {self.name} » produit un document Word invalide ({exc}). "
                "Lancez « mila docs verifier » pour trouver la balise en cause."
            ) from exc
        if self._parts["body"].column_tags:
            tree = self._tools.fix_tables(xml)
        superscript_ordinals(tree)
        return tree


class Renderable(Protocol):
    """What the documents jobs render: a template, or one with its annex."""

    name: str
    sha256: str

    def render(self, context: Mapping[str, Any]) -> bytes: ...


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
