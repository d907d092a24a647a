"""The house reads top-down: each layer imports only what lies below it (read from the source with ``ast``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

# One xdist worker reads the sources (``_all_imports``, about a second), not each of them.
pytestmark = pytest.mark.xdist_group("layers")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "automations"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. automations.rules.fees
    target: str  # what it names, e.g. automations.model.rows.id_key
    function: str | None  # the function the import is made in, None at module level
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[Import]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Import):
                found.extend(Import(module, alias.name, function, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                found.extend(
                    Import(module, f"{source}.{alias.name}", function, child.lineno) for alias in child.names
                )
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), None)
    return found


@cache
def _all_imports() -> tuple[Import, ...]:
    return tuple(found for path in sorted(PACKAGE.rglob("*.py")) for found in _imports(path))


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# The backends behind the workbook interface (``Workbook``, ``Table``, ``serial``): only the
# workbook package, the command line, the jobs and the runner open a file or a spreadsheet.
BACKENDS = [
    "automations.workbook.google",
    "automations.workbook.google_prepare",
    "automations.workbook.xlsx",
    "automations.workbook.xlsx_package",
    "automations.workbook.xlsx_parts",
    "automations.workbook.xlsx_prepare",
    "automations.workbook.xlsx_sheet",
]

# The house from the top: cli → demo → jobs → runner; beside them the services the jobs
# use (mail, delivery, report, documents, payments: adapters and outputs) → rules → model →
# workbook interface; settings, config, schema, errors and text are leaves (below).
# Each package and the parts of the package it must not import.
FORBIDDEN = {
    "automations.cli": [],  # the top: it may import anything
    "automations.demo": ["automations.cli"],
    "automations.jobs": ["automations.cli", "automations.demo"],
    "automations.runner": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        "automations.payments",
        "automations.rules",
    ],
    # The one writer of Journal: below the jobs and the runner, over the workbook interface.
    "automations.journal": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        "automations.payments",
        "automations.rules",
        "automations.model",
        *BACKENDS,
    ],
    "automations.mail": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.delivery",
        "automations.report",
        "automations.payments",
        "automations.rules",
        "automations.model",
        "automations.workbook",
    ],
    "automations.delivery": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.report",
        "automations.payments",
        "automations.rules",
        "automations.model",
    ],
    "automations.report": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.payments",
        *BACKENDS,
    ],
    "automations.documents": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.payments",
        *BACKENDS,
    ],
    "automations.payments": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        *BACKENDS,
    ],
    "automations.calendars": ["automations.cli", "automations.demo", "automations.jobs", *BACKENDS],
    "automations.rules": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        "automations.payments",
        *BACKENDS,
    ],
    "automations.model": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        "automations.payments",
        "automations.rules",
        *BACKENDS,
    ],
    "automations.workbook": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.runner",
        "automations.mail",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        "automations.payments",
        "automations.rules",
        "automations.model",
    ],
    # The outbox: every job that e-mails sends through it; over mail, rules and the workbook.
    "automations.outbox": [
        "automations.cli",
        "automations.demo",
        "automations.jobs",
        "automations.delivery",
        "automations.report",
        "automations.documents",
        "automations.payments",
        *BACKENDS,
    ],
}

# The leaves: what of the package each may import (besides itself).
LEAVES = {
    "automations.errors": [],
    "automations.text": [],
    "automations.clock": [],
    "automations.formatting": [],
    "automations.gcpause": [],
    "automations.state": [],
    "automations.zipentries": [],
    "automations.settings": ["automations.errors", "automations.text"],
    "automations.config": ["automations.errors", "automations.settings", "automations.text"],
    "automations.schema": ["automations.errors", "automations.settings", "automations.text"],
    "automations.lock": ["automations.errors"],
    "automations.logs": ["automations.clock"],
    "automations.schedule": ["automations.clock", "automations.settings"],
}

# Who may import the two tops: nothing but the command line imports it; only the command
# line imports the demo (``mila demo``).
IMPORTED_ONLY_BY = {
    "automations.cli": ["automations.cli"],
    "automations.demo": ["automations.cli", "automations.demo"],
}

# Known violations that need more than a one-line move, each with its reason. Empty: keep it so.
ALLOWED: set[tuple[str, str]] = set()


def _violation(found: Import) -> bool:
    return (found.module, found.target) not in ALLOWED


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    """Each package imports none of the layers that call it (nor a workbook backend, below jobs)."""
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in _all_imports()
        if _within(found.module, layer)
        and any(_within(found.target, above) for above in FORBIDDEN[layer])
        and _violation(found)
    ]
    assert wrong == []


@pytest.mark.parametrize("leaf", sorted(LEAVES))
def test_settings_errors_and_text_are_leaves(leaf):
    """settings, config and schema import only errors, settings and text of the package; errors,
    text, clock, formatting, gcpause, state and zipentries import none of it; lock, logs and schedule what
    they list."""
    allowed = [leaf, *LEAVES[leaf]]
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in _all_imports()
        if _within(found.module, leaf)
        and _within(found.target, "automations")
        and not any(_within(found.target, ok) for ok in allowed)
        and _violation(found)
    ]
    assert wrong == []


@pytest.mark.parametrize("top", sorted(IMPORTED_ONLY_BY))
def test_nothing_but_the_command_line_imports_the_tops(top):
    """Nothing but cli imports cli; only cli imports demo."""
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in _all_imports()
        if _within(found.target, top)
        and not any(_within(found.module, ok) for ok in IMPORTED_ONLY_BY[top])
        and _violation(found)
    ]
    assert wrong == []


def test_every_package_and_module_has_its_rule():
    """A new package (or top-level module) under automations/ fails here until it gets its rule."""
    names = {
        f"automations.{path.stem if path.is_file() else path.name}"
        for path in PACKAGE.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.name not in ("__init__.py", "__main__.py"))
    }
    ruled = set(FORBIDDEN) | set(LEAVES)
    assert sorted(names - ruled) == []
    assert sorted(ruled - names) == []  # a rule for a package that is gone


def test_only_the_emulator_command_imports_the_emulator():
    """The runtime package reaches sheets_emulator only from `mila emulateur` (tests and benchmarks may too)."""
    wrong = [
        f"{found.module}:{found.line} imports {found.target}"
        for found in _all_imports()
        if _within(found.target, "sheets_emulator")
        and (found.module, found.function) != ("automations.cli.tools", "cmd_emulator")
    ]
    assert wrong == []


def test_the_import_reader_resolves_relative_imports():
    """A relative import is read as the absolute module it names, with the function it sits in."""
    found = {(i.target, i.function) for i in _imports(PACKAGE / "cli" / "tools.py")}
    assert ("automations.demo.build_demo_workbook", "cmd_demo") in found
    assert ("sheets_emulator.serve", "cmd_emulator") in found
