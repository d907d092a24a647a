"""Checking .docx templates staff edited in Word (:func:`verify_template`).

It reports, with the paragraph's text, the mistakes Word makes to tags: a tag cut by a line
break, a table cell, a tab, a field or tracked changes (docxtpl cannot read it, or silently
drops what stands inside), a tag docxtpl's own patching leaves broken, curly quotes, spaced
or single braces, an unknown variable, an unclosed or mismatched block, and any other Jinja
syntax error.
"""

from __future__ import annotations

import copy
import hashlib
import html
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.exceptions import TemplateSyntaxError
from lxml import etree

from ..errors import TemplateError
from .render import W_P, W_R, W_T, DocumentTemplate, W, _Docx, _line_text, load_template, short
from .variables import Variable, used_variables

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
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "paragraph": self.paragraph,
            "part": self.part,
        }


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
        return {
            "template": self.name,
            "path": str(self.path),
            "known": self.known,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.as_dict() for p in self.problems],
        }


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

    return _Scan(
        spans,
        [m for m in _OPEN.finditer(text) if not covered(m.start())],
        [m for m in _CLOSE.finditer(text) if not covered(m.start())],
    )


def _check_paragraphs(report: TemplateReport, label: str, paragraphs: list[_Paragraph]) -> None:
    scans = [_scan(p.text) if ("{" in p.text or "}" in p.text) else _Scan([], [], []) for p in paragraphs]
    for index, (para, scan) in enumerate(zip(paragraphs, scans, strict=True)):
        text = para.text
        later = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        for match in scan.opens:
            closing = {"{{": "}}", "{%": "%}", "{#": "#}"}[match.group()]
            if later is not None and _closes_first(later.text, closing):
                if para.cell is not None and later.cell is not None and para.cell is not later.cell:
                    report.add(
                        ERROR,
                        "split_cell",
                        f"Balise coupée entre deux cases du tableau : « {match.group()} » est "
                        f"fermé par « {closing} » dans la case suivante. Une balise doit tenir "
                        "dans une seule case : retapez-la entière.",
                        text,
                        label,
                    )
                else:
                    report.add(
                        ERROR,
                        "split_paragraph",
                        f"Balise coupée par un retour à la ligne : « {match.group()} » est fermé "
                        f"par « {closing} » au paragraphe suivant. Supprimez le retour à la "
                        "ligne pour que la balise tienne sur une seule ligne.",
                        text,
                        label,
                    )
            else:
                report.add(
                    ERROR,
                    "unclosed_tag",
                    f"Balise non fermée : « {match.group()} » sans « {closing} » dans le même "
                    f"paragraphe. Ajoutez « {closing} » à la fin de la balise.",
                    text,
                    label,
                )
        for match in scan.closes:
            if index and scans[index - 1].opens and _closes_first(text, match.group()):
                continue  # reported with the paragraph that opens the tag
            report.add(
                ERROR,
                "stray_close",
                f"« {match.group()} » ferme une balise qui n'a pas été ouverte : ajoutez "
                "l'ouverture (« {{ » ou « {% ») ou supprimez ces accolades.",
                text,
                label,
            )
        if not scan.spans and not scan.opens and "{" not in text:
            continue
        for match in _SPACED.finditer(text):
            report.add(
                ERROR,
                "spaced_braces",
                f"Accolades séparées par une espace (« {match.group()} ») : écrivez « {{{{ », "
                "« }} », « {% » et « %} » sans espace entre les deux signes.",
                text,
                label,
            )
        for match in _SINGLE.finditer(text):
            inner = match.group().strip("{} ")
            report.add(
                WARNING,
                "single_brace",
                f"« {match.group()} » n'est pas une balise : une variable s'écrit avec deux "
                f"accolades de chaque côté, par exemple « {{{{ {inner} }}}} ».",
                text,
                label,
            )
        for start, end in scan.spans:
            tag = text[start:end]
            _check_tag_pieces(report, label, para, start, end, tag)
            quotes = sorted({ch for ch in tag if ch in _CURLY})
            if quotes:
                severe = any(q in "«»„‚" for q in quotes)
                report.add(
                    ERROR if severe else WARNING,
                    "curly_quotes",
                    f"Guillemets typographiques ({' '.join(quotes)}) dans la balise "
                    f"« {short(tag, 60)} » : Word les a mis à la place de guillemets droits. "
                    'Retapez-les droits (\' ou ") après avoir décoché « Guillemets "droits" '
                    "par des guillemets “typographiques” » dans les options de correction "
                    "automatique.",
                    text,
                    label,
                )


def _check_tag_pieces(
    report: TemplateReport, label: str, para: _Paragraph, start: int, end: int, tag: str
) -> None:
    """A tag cut in several runs: fine for docxtpl, unless something stands inside."""
    inside = [what for offset, what in para.markers if start < offset < end]
    atoms = [a for a in para.atoms if a.start < end and a.end > start and a.end > a.start]
    runs = {id(a.run) for a in atoms}
    if inside:
        report.add(
            ERROR,
            "split_runs",
            f"La balise « {short(tag, 60)} » est coupée par {inside[0]} : docxtpl ne peut pas "
            "la lire telle quelle (ce qui est au milieu serait perdu). Supprimez la balise et "
            "retapez-la d'un seul trait.",
            para.text,
            label,
        )
    elif any(a.tracked for a in atoms):
        report.add(
            ERROR,
            "split_runs",
            f"La balise « {short(tag, 60)} » a été modifiée avec le suivi des modifications "
            "activé : docxtpl lirait aussi le texte supprimé ou inséré. Acceptez toutes les "
            "modifications (Révision > Accepter), puis enregistrez.",
            para.text,
            label,
        )
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
                report.add(
                    ERROR,
                    "unreadable_tag",
                    "Balise illisible pour docxtpl : elle est coupée en morceaux que Word a "
                    "séparés. Supprimez la balise et retapez-la d'un seul trait (sans copier-"
                    "coller depuis un autre document).",
                    para.text,
                    label,
                )
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
                report.add(
                    ERROR,
                    "unclosed_block",
                    f"Bloc « {inner[1]} » jamais fermé : ajoutez « {{% end{inner[0]} %}} » "
                    f"avant « {shown} ».",
                    _line_text(source, inner[2]),
                    label,
                )
                while stack and stack[-1][0] != opener:
                    stack.pop()
                if stack:
                    stack.pop()
            else:
                report.add(
                    ERROR,
                    "stray_end",
                    f"« {shown} » ferme un bloc qui n'a pas été ouvert : supprimez-le, ou "
                    f"ajoutez plus haut le « {{% {opener} … %}} » qu'il ferme.",
                    _line_text(source, line),
                    label,
                )
        elif keyword in ("else", "elif") and not stack:
            ok = False
            report.add(
                ERROR,
                "stray_end",
                f"« {shown} » hors de tout bloc « {{% if … %}} » ou « {{% for … %}} ».",
                _line_text(source, line),
                label,
            )
    for keyword, shown, line in stack:
        ok = False
        report.add(
            ERROR,
            "unclosed_block",
            f"Bloc « {shown} » jamais fermé : ajoutez « {{% end{keyword} %}} » là où il doit se terminer.",
            _line_text(source, line),
            label,
        )
    return ok


_VERIFIED: dict[tuple[str, bytes, tuple[Variable, ...] | None], TemplateReport] = {}


def verify_template(path: Path, variables: Sequence[Variable] | None) -> TemplateReport:
    """Every problem of one template. ``variables``: those it may use (None: not checked).

    A template whose bytes were verified before in this process, against the same variables,
    is not verified again (``mila diagnostic`` and ``mila docs verifier`` each check them all)."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).digest()
    except OSError:
        return _verify_template(path, variables)
    key = (str(Path(path).resolve()), digest, None if variables is None else tuple(variables))
    found = _VERIFIED.get(key)
    if found is None:
        if len(_VERIFIED) > 64:
            _VERIFIED.clear()
        found = _VERIFIED[key] = _verify_template(path, variables)
    return copy.deepcopy(found)


def _verify_template(path: Path, variables: Sequence[Variable] | None) -> TemplateReport:
    report = TemplateReport(Path(path).name, Path(path), known=variables is not None)
    try:
        template = DocumentTemplate(Path(path))
        roots = _part_roots(Path(path))
        docx = _Docx(template)
        docx.init_docx()
    except (TemplateError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, PackageNotFoundError) as exc:
        message = (
            exc.message
            if isinstance(exc, TemplateError)
            else (f"Le fichier n'est pas un document Word .docx lisible ({exc}).")
        )
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
            report.add(
                ERROR, "unreadable_tag", f"docxtpl ne peut pas préparer cette partie ({exc}).", part=label
            )
            continue
        if not _check_blocks(report, label, source):
            continue
        try:
            parsed_uses = used_variables(source, variables or ())
        except TemplateSyntaxError as exc:
            report.add(
                ERROR,
                "syntax",
                f"Balise mal formée, Jinja ne peut pas la lire (détail technique : {exc.message}). "
                "Vérifiez les accolades, les guillemets et les mots-clés (if, for, endif, endfor).",
                _line_text(source, exc.lineno),
                label,
            )
            continue
        if variables is None:
            continue
        for use in parsed_uses:
            if use.known:
                continue
            report.add(
                ERROR,
                "unknown_variable",
                f"Variable inconnue « {use.written} » : elle n'existe pas pour ce modèle. "
                f"Corrigez son nom (liste : « mila docs variables {Path(path).stem} »).",
                _line_text(source, use.lineno),
                label,
            )
    return report


def template_variables_used(path: Path, variables: Sequence[Variable]) -> set[str]:
    """The documented variables (canonical paths) a template reads."""
    try:
        template = load_template(Path(path))
        docx = _Docx(template)
        docx.init_docx()
        roots = _part_roots(Path(path))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, PackageNotFoundError) as exc:
        raise TemplateError(
            f"Le modèle « {Path(path).name} » n'est pas un document Word .docx lisible ({exc}). "
            "Enregistrez-le depuis Word au format « Document Word (*.docx) »."
        ) from exc
    used: set[str] = set()
    for _, _, root in roots:
        body = root.find(f"{{{W}}}body")
        raw = etree.tostring(body if body is not None else root, encoding="unicode")
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", docx.patch_xml(raw))
        try:
            used |= {u.canonical for u in used_variables(source, variables) if u.known}
        except TemplateSyntaxError:
            continue
    return used
