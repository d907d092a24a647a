"""``mila docs verifier`` and ``mila docs variables``: the checks of the Word templates, and
the variables each one may use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..documents import catalogue
from ..documents.french import FILTER_HELP
from ..documents.settings import DocumentsSettings
from ..documents.variables import Variable
from ..documents.verify import TemplateReport, template_variables_used, verify_template
from ..errors import TemplateError
from ..report.word import template_warnings


@dataclass
class VerifyResult:
    folder: Path
    reports: list[TemplateReport]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def errors(self) -> int:
        return sum(len(r.errors) for r in self.reports)

    @property
    def warnings(self) -> int:
        return sum(len(r.warnings) for r in self.reports)

    def as_dict(self) -> dict[str, object]:
        return {
            "folder": str(self.folder),
            "ok": self.ok,
            "errors": self.errors,
            "warnings": self.warnings,
            "templates": [r.as_dict() for r in self.reports],
        }


def verify_templates(documents: DocumentsSettings) -> VerifyResult:
    """Check every template of the folder: the five the jobs use, and any other .docx."""
    folder = documents.templates
    reports: list[TemplateReport] = []
    for name, file_name in catalogue.TEMPLATE_FILES.items():
        path = folder / file_name
        if not path.is_file():
            report = TemplateReport(file_name, path)
            report.add(
                "erreur",
                "missing",
                f"Modèle absent : « {file_name} » est introuvable dans {folder}. Remettez le "
                "modèle d'origine (copiez-le depuis le dossier templates/ du projet).",
            )
            reports.append(report)
            continue
        reports.append(verify_template(path, catalogue.VARIABLES[name]))
    known = set(catalogue.TEMPLATE_FILES.values())
    for path in sorted(folder.glob("*.docx")) if folder.is_dir() else []:
        if path.name in known or path.name.startswith(("~$", ".")):
            continue
        if path.name == catalogue.RULES_FILE:  # annexed to the conventions, with their variables
            reports.append(verify_template(path, catalogue.VARIABLES["convention"]))
            continue
        if path.name in STYLE_ONLY_TEMPLATES:
            report = verify_template(path, None)  # no variables expected: syntax only
            for warning in template_warnings(path):  # the report's styles and header
                report.add("avertissement", "report_template", warning)
            reports.append(report)
            continue
        report = verify_template(path, None)
        report.add(
            "avertissement",
            "unknown_template",
            "Modèle inconnu des automatisations : sa syntaxe est vérifiée, pas ses variables.",
        )
        reports.append(report)
    return VerifyResult(folder, reports)


@dataclass
class VariablesResult:
    name: str
    path: Path
    variables: list[tuple[Variable, bool]]  # (variable, used by the template now)
    filters: tuple[tuple[str, str, str, str], ...] = FILTER_HELP  # (name, description, tag, example)

    def as_dict(self) -> dict[str, object]:
        return {
            "template": self.name,
            "path": str(self.path),
            "variables": [
                {
                    "name": v.path,
                    "tag": v.tag,
                    "description": v.description,
                    "example": v.example,
                    "used": used,
                }
                for v, used in self.variables
            ],
            "filters": [{"name": n, "description": d, "tag": t, "example": e} for n, d, t, e in self.filters],
        }


# Templates that only carry styles for documents built in code (the annual report):
# known, so not reported as unknown; checked for broken tags like the others.
STYLE_ONLY_TEMPLATES = frozenset({"rapport.docx"})


def template_names() -> list[str]:
    return list(catalogue.TEMPLATE_FILES)


def template_variables(name: str, documents: DocumentsSettings) -> VariablesResult:
    """The variables template ``name`` (``convention``, ``charte.docx``…) can use."""
    key = Path(name).stem.strip().lower()
    key = {
        "conventions": "convention",
        "recus": "recu",
        "reçu": "recu",
        "registre": "registre_charte",
        "charter": "charte",
    }.get(key, key)
    if key in ("reglement_interieur", "reglement"):  # annexed to the conventions, with their variables
        path = documents.templates / catalogue.RULES_FILE
        variables = catalogue.VARIABLES["convention"]
        used = template_variables_used(path, variables) if path.is_file() else set()
        return VariablesResult("reglement_interieur", path, [(v, v.path in used) for v in variables])
    if key not in catalogue.VARIABLES:
        raise TemplateError(f"Modèle inconnu : « {name} ». Modèles : {', '.join(catalogue.TEMPLATE_FILES)}.")
    path = documents.templates / catalogue.TEMPLATE_FILES[key]
    variables = catalogue.VARIABLES[key]
    used = template_variables_used(path, variables) if path.is_file() else set()
    return VariablesResult(key, path, [(v, v.path in used) for v in variables])
