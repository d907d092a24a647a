"""Every MilaError subclass lives in automations.errors, and its docstring tree names each one."""

from __future__ import annotations

import importlib
import pkgutil
import re

import automations
from automations import errors
from automations.errors import MilaError

# A line of the tree: the drawing (│ ├── └──) then the class name; four columns per level.
TREE_LINE = re.compile(r"^    (?P<drawing>[│├└─ ]*)(?P<name>[A-Z]\w+)\b")


def _import_every_module() -> None:
    """So that every subclass defined anywhere in the package is known to ``__subclasses__``."""
    for module in pkgutil.walk_packages(automations.__path__, "automations."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def _subclasses(cls: type[MilaError]) -> list[type[MilaError]]:
    found: list[type[MilaError]] = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def _tree() -> dict[str, str | None]:
    """Each class the docstring names, with the class it is drawn under (None for the root)."""
    parents: dict[str, str | None] = {}
    path: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        match = TREE_LINE.match(line)
        if match is None:
            continue
        depth, remainder = divmod(len(match["drawing"]), 4)
        assert remainder == 0, line
        assert depth <= len(path), f"drawn deeper than its parent: {line}"
        path[depth:] = [match["name"]]
        parents[match["name"]] = path[depth - 1] if depth else None
    return parents


def test_every_error_class_is_defined_in_the_errors_module():
    """No MilaError subclass is defined outside automations/errors.py (others import them from there)."""
    _import_every_module()
    elsewhere = [
        f"{c.__module__}.{c.__qualname__}" for c in _subclasses(MilaError) if c.__module__ != errors.__name__
    ]
    assert elsewhere == []


def test_the_docstring_tree_names_every_error_under_its_base():
    """Each class is in the tree once, drawn under its direct base; the tree names no class that is gone."""
    _import_every_module()
    expected: dict[str, str | None] = {"MilaError": None}
    for cls in _subclasses(MilaError):
        (base,) = cls.__bases__
        expected[cls.__name__] = base.__name__
    assert _tree() == expected


def test_the_tree_reader_reads_depths():
    """A sanity check of the reader itself: the root, a first-level class and a third-level one."""
    tree = _tree()
    assert tree["MilaError"] is None
    assert tree["ConfigError"] == "MilaError"
    assert tree["TabMissing"] == "SchemaError"
