"""The variables a .docx template may use, and the walk of a template that finds those it uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from .render import environment


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
