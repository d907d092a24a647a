"""The house reads top-down: each layer imports only what lies below it (read from the source with ``ast``)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

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


# Each layer and the parts of the package it must not import.
FORBIDDEN = {
    "automations.model": [
        "automations.rules",
        "automations.jobs",
        "automations.cli",
        "automations.report",
        "automations.documents",
    ],
    "automations.rules": ["automations.jobs", "automations.cli"],
    "automations.workbook": ["automations.model", "automations.rules", "automations.jobs", "automations.cli"],
    "automations.outbox": ["automations.jobs", "automations.cli"],
    "automations.jobs": ["automations.cli"],
}

# The leaves: what of the package each may import (besides itself).
LEAVES = {
    "automations.settings": ["automations.errors", "automations.text"],
    "automations.errors": [],
    "automations.text": [],
}

# Known violations that need more than a one-line move, each with its reason. Empty: keep it so.
ALLOWED: set[tuple[str, str]] = set()


def _violation(found: Import) -> bool:
    return (found.module, found.target) not in ALLOWED


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer):
    """model, rules, workbook and jobs import none of the layers that call them."""
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
    """settings imports only errors and text of the package; errors and text import none of it."""
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
