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

Checking (:func:`verify_template`) reports, with the paragraph's text, the mistakes Word
makes to tags: a tag cut by a line break, a table cell, a tab, a field or tracked changes
(docxtpl cannot read it, or silently drops what stands inside), a tag docxtpl's own
patching leaves broken, curly quotes, spaced or single braces, an unknown variable, an
unclosed or mismatched block, and any other Jinja syntax error.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, nodes
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
W_TC = f"{{{W}}}tc"
TRACKED = {f"{{{W}}}ins", f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{W}}}moveTo"}
# Elements that stand between two pieces of a tag and that docxtpl drops silently.
INSIDE_TAG = {
    f"{{{W}}}tab": "une tabulation",
    f"{{{W}}}br": "un saut de ligne",
    f"{{{W}}}cr": "un saut de ligne",
    f"{{{W}}}delText": "du texte supprimé avec le suivi des modifications",
    f"{{{W}}}instrText": "un champ Word",
    f"{{{W}}}fldChar": "un champ Word",
    f"{{{W}}}fldSimple": "un champ Word",
    f"{{{W}}}sym": "un symbole",
    f"{{{W}}}noBreakHyphen": "un trait d'union insécable",
    f"{{{W}}}softHyphen": "un trait d'union conditionnel",
    f"{{{W}}}drawing": "une image",
    f"{{{W}}}footnoteReference": "un appel de note",
}

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


@dataclass(frozen=True)
class Variable:
    """A variable a template can use: ``membre.structure``; ``membres[].voix`` is the
    ``voix`` of each item of the list ``membres``."""

    path: str
    description: str
    example: str = ""

    @property
    def tag(self) -> str:
        """How to write it in Word: ``{{ membre.structure }}``; for a list item, inside
        ``{% for m in membres %}`` … ``{{ m.voix }}``."""
        if "[]" in self.path:
            head, _, tail = self.path.partition("[].")
            return f"{{{{ x.{tail} }}}} (dans {{% for x in {head} %}})"
        return f"{{{{ {self.path} }}}}"


LEAF = None
ANY = object()
_STR_METHODS = frozenset(n for n in dir(str) if not n.startswith("_"))
_GLOBALS = frozenset({"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop"})


def variable_tree(variables: Iterable[Variable]) -> dict[str, Any]:
    """``{"membre": {"structure": None}, "membres": {"[]": {"voix": None}}}``."""
    tree: dict[str, Any] = {}
    for variable in variables:
        node = tree
        parts = variable.path.replace("[]", ".[]").split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                node.setdefault(part, LEAF)
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
    return tree


@dataclass
class _Use:
    written: str  # as in the template: « m.structre »
    canonical: str  # « membres[].structre »
    lineno: int
    known: bool


class _VariableWalker:
    """Walks a Jinja AST, resolving every variable against a variable tree."""

    def __init__(self, tree: Mapping[str, Any]) -> None:
        self.tree = tree
        self.uses: list[_Use] = []

    def walk(self, node: nodes.Node) -> None:
        self._visit(node, {})

    # resolve returns (spec, written, canonical); spec is LEAF, a dict, or ANY
    def _resolve(self, node: nodes.Node, scope: dict[str, Any]) -> tuple[Any, str, str]:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                spec, canonical = scope[node.name]
                return spec, node.name, canonical
            if node.name in self.tree:
                self.uses.append(_Use(node.name, node.name, node.lineno, True))
                return self.tree[node.name], node.name, node.name
            if node.name in _GLOBALS or node.name in ("true", "false", "none"):
                return ANY, node.name, node.name
            self.uses.append(_Use(node.name, node.name, node.lineno, False))
            return ANY, node.name, node.name
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            spec, written, canonical = self._resolve(node.node, scope)
            if isinstance(node, nodes.Getattr):
                attr: Any = node.attr
            elif isinstance(node.arg, nodes.Const):
                attr = node.arg.value
            else:
                self._visit(node.arg, scope)
                attr = None  # an index: membres[0]
            if spec is ANY:
                return ANY, written, canonical
            if attr is None or isinstance(attr, int):
                if isinstance(spec, dict) and "[]" in spec:
                    return spec["[]"], f"{written}[…]", f"{canonical}[]"
                return ANY, written, canonical
            attr = str(attr)
            w, c = f"{written}.{attr}", f"{canonical}.{attr}"
            if spec is LEAF:
                if attr in _STR_METHODS:
                    return ANY, w, c
                self.uses.append(_Use(w, c, node.lineno, False))
                return ANY, w, c
            if attr in spec:
                self.uses.append(_Use(w, c, node.lineno, True))
                return spec[attr], w, c
            self.uses.append(_Use(w, c, node.lineno, False))
            return ANY, w, c
        self._visit(node, scope)
        return ANY, "", ""

    def _bind(self, target: nodes.Node, scope: dict[str, Any], spec: Any, canonical: str) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = (spec, canonical)
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, scope, ANY, "")

    def _visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            self._resolve(node, scope)
            return
        if isinstance(node, nodes.For):
            spec, _, canonical = self._resolve(node.iter, scope)
            inner = dict(scope)
            item = spec["[]"] if isinstance(spec, dict) and "[]" in spec else ANY
            self._bind(node.target, inner, item, f"{canonical}[]" if item is not ANY else "")
            inner["loop"] = (ANY, "loop")
            if node.test is not None:
                self._visit(node.test, inner)
            for child in node.body:
                self._visit(child, inner)
            for child in node.else_:
                self._visit(child, scope)
            return
        if isinstance(node, nodes.Assign):
            self._visit(node.node, scope)
            self._bind(node.target, scope, ANY, "")
            return
        if isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self._visit(child, scope)
            self._bind(node.target, scope, ANY, "")
            return
        if isinstance(node, nodes.Macro):
            scope[node.name] = (ANY, "")
            inner = dict(scope)
            for arg in node.args:
                self._bind(arg, inner, ANY, "")
            for default in node.defaults:
                self._visit(default, scope)
            for child in node.body:
                self._visit(child, inner)
            return
        if isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self._visit(value, scope)
                self._bind(target, inner, ANY, "")
            for child in node.body:
                self._visit(child, inner)
            return
        for child in node.iter_child_nodes():
            self._visit(child, scope)


def used_variables(source: str, variables: Iterable[Variable]) -> list[_Use]:
    """Every variable a (patched) template part reads, known or not."""
    walker = _VariableWalker(variable_tree(variables))
    walker.walk(environment().parse(source))
    return walker.uses


# --------------------------------------------------------------------------- verifier

ERROR = "erreur"
WARNING = "avertissement"


@dataclass(frozen=True)
class TemplateProblem:
    severity: str  # ERROR or WARNING
    code: str  # split_paragraph, split_cell, split_runs, unreadable_tag, curly_quotes, ...
    message: str  # French
    paragraph: str = ""  # the paragraph's text, as seen in Word
    part: str = "corps"  # corps, en-tête, pied de page

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "paragraph": self.paragraph, "part": self.part}


@dataclass
class TemplateReport:
    name: str
    path: Path
    problems: list[TemplateProblem] = field(default_factory=list)
    known: bool = True  # a template the jobs use (its variables are checked)

    @property
    def errors(self) -> list[TemplateProblem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[TemplateProblem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, severity: str, code: str, message: str, paragraph: str = "", part: str = "corps") -> None:
        problem = TemplateProblem(severity, code, message, short(paragraph), part)
        if problem not in self.problems:
            self.problems.append(problem)

    def as_dict(self) -> dict[str, object]:
        return {"template": self.name, "path": str(self.path), "known": self.known,
                "errors": len(self.errors), "warnings": len(self.warnings),
                "problems": [p.as_dict() for p in self.problems]}


_OPEN = re.compile(r"\{[{%#]")
_CLOSE = re.compile(r"[}%#]\}")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_SPACED = re.compile(r"\{\s+[{%]|[}%]\s+\}")
_SINGLE = re.compile(r"(?<![{%])\{\s*[A-Za-z_][\w.]*\s*\}(?![}%])")
_CURLY = "“”‘’«»„‚"
_OPENERS = {"if", "for", "macro", "call", "filter", "with", "block", "raw", "autoescape", "trans"}


@dataclass
class _Atom:
    start: int
    end: int
    run: Any
    tracked: bool


@dataclass
class _Paragraph:
    text: str
    atoms: list[_Atom]
    markers: list[tuple[int, str]]  # (offset, what) of non-text elements
    cell: Any  # the table cell holding the paragraph, or None
    element: Any


def _walk_paragraph(el: Any, run: Any, tracked: bool, para: _Paragraph, pieces: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag == W_P:
            continue  # a text box's paragraph: listed on its own
        if tag == W_T:
            text = child.text or ""
            position = sum(len(p) for p in pieces)
            para.atoms.append(_Atom(position, position + len(text), run, tracked))
            pieces.append(text)
            continue
        if tag in INSIDE_TAG:
            para.markers.append((sum(len(p) for p in pieces), INSIDE_TAG[tag]))
        _walk_paragraph(child, child if tag == W_R else run, tracked or tag in TRACKED, para, pieces)


def _paragraphs(root: Any) -> list[_Paragraph]:
    """Every paragraph of a part, in order, with its text and what stands between."""
    out: list[_Paragraph] = []
    for p in root.iter(W_P):
        cell = next(iter(p.iterancestors(W_TC)), None)
        para = _Paragraph("", [], [], cell, p)
        pieces: list[str] = []
        _walk_paragraph(p, None, False, para, pieces)
        para.text = "".join(pieces)
        out.append(para)
    return out


def _part_roots(path: Path) -> list[tuple[str, str, Any]]:
    """(label, part name, XML root) of the body, headers and footers of a .docx."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        parts = [("corps", "word/document.xml")]
        parts += [("en-tête", n) for n in sorted(names) if re.fullmatch(r"word/header\d*\.xml", n)]
        parts += [("pied de page", n) for n in sorted(names) if re.fullmatch(r"word/footer\d*\.xml", n)]
        roots = []
        for label, name in parts:
            roots.append((label, name, etree.fromstring(archive.read(name))))
        return roots


def _closes_first(text: str, closing: str) -> bool:
    """Whether ``text`` closes a tag (``closing``) before opening another one."""
    position = text.find(closing)
    if position < 0:
        return False
    opening = _OPEN.search(text)
    return opening is None or position < opening.start()


@dataclass
class _Scan:
    spans: list[tuple[int, int]]
    opens: list[re.Match[str]]  # openings that belong to no complete tag
    closes: list[re.Match[str]]  # closings that belong to no complete tag


def _scan(text: str) -> _Scan:
    spans = [m.span() for m in _TAG.finditer(text)]

    def covered(position: int) -> bool:
        return any(start <= position < end for start, end in spans)

    return _Scan(spans, [m for m in _OPEN.finditer(text) if not covered(m.start())],
                 [m for m in _CLOSE.finditer(text) if not covered(m.start())])


def _check_paragraphs(report: TemplateReport, label: str, paragraphs: list[_Paragraph]) -> None:
    scans = [_scan(p.text) if ("{" in p.text or "}" in p.text) else _Scan([], [], []) for p in paragraphs]
    for index, (para, scan) in enumerate(zip(paragraphs, scans, strict=True)):
        text = para.text
        later = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        for match in scan.opens:
            closing = {"{{": "}}", "{%": "%}", "{#": "#}"}[match.group()]
            if later is not None and _closes_first(later.text, closing):
                if para.cell is not None and later.cell is not None and para.cell is not later.cell:
                    report.add(ERROR, "split_cell",
                               f"Balise coupée entre deux cases du tableau : « {match.group()} » est "
                               f"fermé par « {closing} » dans la case suivante. Une balise doit tenir "
                               "dans une seule case : retapez-la entière.", text, label)
                else:
                    report.add(ERROR, "split_paragraph",
                               f"Balise coupée par un retour à la ligne : « {match.group()} » est fermé "
                               f"par « {closing} » au paragraphe suivant. Supprimez le retour à la "
                               "ligne pour que la balise tienne sur une seule ligne.", text, label)
            else:
                report.add(ERROR, "unclosed_tag",
                           f"Balise non fermée : « {match.group()} » sans « {closing} » dans le même "
                           f"paragraphe. Ajoutez « {closing} » à la fin de la balise.", text, label)
        for match in scan.closes:
            if index and scans[index - 1].opens and _closes_first(text, match.group()):
                continue  # reported with the paragraph that opens the tag
            report.add(ERROR, "stray_close",
                       f"« {match.group()} » ferme une balise qui n'a pas été ouverte : ajoutez "
                       "l'ouverture (« {{ » ou « {% ») ou supprimez ces accolades.", text, label)
        if not scan.spans and not scan.opens and "{" not in text:
            continue
        for match in _SPACED.finditer(text):
            report.add(ERROR, "spaced_braces",
                       f"Accolades séparées par une espace (« {match.group()} ») : écrivez « {{{{ », "
                       "« }} », « {% » et « %} » sans espace entre les deux signes.", text, label)
        for match in _SINGLE.finditer(text):
            inner = match.group().strip("{} ")
            report.add(WARNING, "single_brace",
                       f"« {match.group()} » n'est pas une balise : une variable s'écrit avec deux "
                       f"accolades de chaque côté, par exemple « {{{{ {inner} }}}} ».", text, label)
        for start, end in scan.spans:
            tag = text[start:end]
            _check_tag_pieces(report, label, para, start, end, tag)
            quotes = sorted({ch for ch in tag if ch in _CURLY})
            if quotes:
                severe = any(q in "«»„‚" for q in quotes)
                report.add(ERROR if severe else WARNING, "curly_quotes",
                           f"Guillemets typographiques ({' '.join(quotes)}) dans la balise "
                           f"« {short(tag, 60)} » : Word les a mis à la place de guillemets droits. "
                           "Retapez-les droits (' ou \") après avoir décoché « Guillemets \"droits\" "
                           "par des guillemets “typographiques” » dans les options de correction "
                           "automatique.", text, label)


def _check_tag_pieces(report: TemplateReport, label: str, para: _Paragraph, start: int, end: int,
                      tag: str) -> None:
    """A tag cut in several runs: fine for docxtpl, unless something stands inside."""
    inside = [what for offset, what in para.markers if start < offset < end]
    atoms = [a for a in para.atoms if a.start < end and a.end > start and a.end > a.start]
    runs = {id(a.run) for a in atoms}
    if inside:
        report.add(ERROR, "split_runs",
                   f"La balise « {short(tag, 60)} » est coupée par {inside[0]} : docxtpl ne peut pas "
                   "la lire telle quelle (ce qui est au milieu serait perdu). Supprimez la balise et "
                   "retapez-la d'un seul trait.", para.text, label)
    elif any(a.tracked for a in atoms):
        report.add(ERROR, "split_runs",
                   f"La balise « {short(tag, 60)} » a été modifiée avec le suivi des modifications "
                   "activé : docxtpl lirait aussi le texte supprimé ou inséré. Acceptez toutes les "
                   "modifications (Révision > Accepter), puis enregistrez.", para.text, label)
    elif len(runs) > 1:
        pass  # docxtpl joins the pieces; the first piece's formatting applies


def _check_patched(
    report: TemplateReport, label: str, docx: DocxTemplate, paragraphs: list[_Paragraph]
) -> None:
    """Tags docxtpl's own patching leaves with XML inside: it cannot read them."""
    for para in paragraphs:
        if "{" not in para.text:
            continue
        patched = docx.patch_xml(etree.tostring(para.element, encoding="unicode"))
        for match in _TAG.finditer(patched):
            if "<" in match.group():
                report.add(ERROR, "unreadable_tag",
                           "Balise illisible pour docxtpl : elle est coupée en morceaux que Word a "
                           "séparés. Supprimez la balise et retapez-la d'un seul trait (sans copier-"
                           "coller depuis un autre document).", para.text, label)
                break


def _tag_line(source: str, position: int) -> int:
    return source.count("\n", 0, position) + 1


def _check_blocks(report: TemplateReport, label: str, source: str) -> bool:
    """Unclosed, mismatched or stray ``{% if %}``/``{% for %}`` blocks; True when balanced."""
    stack: list[tuple[str, str, int]] = []
    ok = True
    for match in re.finditer(r"\{%-?\s*(\w+)(.*?)-?%\}", source, re.S):
        keyword, rest = match.group(1), match.group(2)
        line = _tag_line(source, match.start())
        shown = short(html.unescape(re.sub(r"<[^>]+>", "", match.group())), 60)
        if keyword == "set" and "=" in rest:
            continue
        if keyword in _OPENERS or keyword == "set":
            stack.append((keyword, shown, line))
        elif keyword.startswith("end"):
            opener = keyword[3:]
            if stack and stack[-1][0] == opener:
                stack.pop()
                continue
            ok = False
            if any(k == opener for k, _, _ in stack):
                inner = stack[-1]
                report.add(ERROR, "unclosed_block",
                           f"Bloc « {inner[1]} » jamais fermé : ajoutez « {{% end{inner[0]} %}} » "
                           f"avant « {shown} ».", _line_text(source, inner[2]), label)
                while stack and stack[-1][0] != opener:
                    stack.pop()
                if stack:
                    stack.pop()
            else:
                report.add(ERROR, "stray_end",
                           f"« {shown} » ferme un bloc qui n'a pas été ouvert : supprimez-le, ou "
                           f"ajoutez plus haut le « {{% {opener} … %}} » qu'il ferme.",
                           _line_text(source, line), label)
        elif keyword in ("else", "elif") and not stack:
            ok = False
            report.add(ERROR, "stray_end",
                       f"« {shown} » hors de tout bloc « {{% if … %}} » ou « {{% for … %}} ».",
                       _line_text(source, line), label)
    for keyword, shown, line in stack:
        ok = False
        report.add(ERROR, "unclosed_block",
                   f"Bloc « {shown} » jamais fermé : ajoutez « {{% end{keyword} %}} » là où il doit "
                   "se terminer.", _line_text(source, line), label)
    return ok


def verify_template(path: Path, variables: Sequence[Variable] | None) -> TemplateReport:
    """Every problem of one template. ``variables``: those it may use (None: not checked)."""
    report = TemplateReport(Path(path).name, Path(path), known=variables is not None)
    try:
        template = DocumentTemplate(Path(path))
        roots = _part_roots(Path(path))
        docx = _Docx(template)
        docx.init_docx()
    except (TemplateError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, PackageNotFoundError) as exc:
        message = exc.message if isinstance(exc, TemplateError) else (
            f"Le fichier n'est pas un document Word .docx lisible ({exc}).")
        report.add(ERROR, "unreadable_file", message)
        return report
    for label, _, root in roots:
        paragraphs = _paragraphs(root)
        before = len(report.errors)
        _check_paragraphs(report, label, paragraphs)
        _check_patched(report, label, docx, paragraphs)
        if len(report.errors) > before:
            continue  # Jinja would read these broken tags across paragraphs: fix them first
        raw = etree.tostring(root, encoding="unicode")
        body = root.find(f"{{{W}}}body")
        if body is not None:
            raw = etree.tostring(body, encoding="unicode")
        try:
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", docx.patch_xml(raw))
        except Exception as exc:  # docxtpl's regexes on a strange part
            report.add(ERROR, "unreadable_tag", f"docxtpl ne peut pas préparer cette partie ({exc}).",
                       part=label)
            continue
        if not _check_blocks(report, label, source):
            continue
        try:
            parsed_uses = used_variables(source, variables or ())
        except TemplateSyntaxError as exc:
            report.add(ERROR, "syntax",
                       f"Balise mal formée, Jinja ne peut pas la lire (détail technique : {exc.message}). "
                       "Vérifiez les accolades, les guillemets et les mots-clés (if, for, endif, endfor).",
                       _line_text(source, exc.lineno), label)
            continue
        if variables is None:
            continue
        for use in parsed_uses:
            if use.known:
                continue
            report.add(ERROR, "unknown_variable",
                       f"Variable inconnue « {use.written} » : elle n'existe pas pour ce modèle. "
                       f"Corrigez son nom (liste : « mila docs variables {Path(path).stem} »).",
                       _line_text(source, use.lineno), label)
    return report


def template_variables_used(path: Path, variables: Sequence[Variable]) -> set[str]:
    """The documented variables (canonical paths) a template reads."""
    template = load_template(Path(path))
    docx = _Docx(template)
    docx.init_docx()
    used: set[str] = set()
    for _, _, root in _part_roots(Path(path)):
        body = root.find(f"{{{W}}}body")
        raw = etree.tostring(body if body is not None else root, encoding="unicode")
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", docx.patch_xml(raw))
        try:
            used |= {u.canonical for u in used_variables(source, variables) if u.known}
        except TemplateSyntaxError:
            continue
    return used
