"""The one translation of a pydantic ``ValidationError`` into a French :class:`ConfigError`.

Each problem becomes one line naming the section and the key as written in mila.toml
(``[schedule] lock_wait_seconds``), or the environment variable the value came from, the
value read, and the form expected: the ``description`` of the field. An unknown key lists
the keys possible; a message a validator raised (already French) is given as it is.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from ..errors import ConfigError
from .base import is_secret_key

HELP = "Aide : docs/configuration.md (modèle : credentials.example/mila.toml)."
Loc = tuple[str, ...]


def config_error(
    exc: ValidationError,
    root: type[BaseModel],
    *,
    source: Path | None = None,
    origins: Mapping[Loc, str] | None = None,
) -> ConfigError:
    """One French ConfigError for all the problems of ``exc``, raised validating ``root``."""
    section: str = getattr(root, "section", "")  # a Section's name in the file; none for the root
    prefix: Loc = (section,) if section else ()
    lines = list(dict.fromkeys(_line(e, root, prefix, origins or {}) for e in exc.errors(include_url=False)))
    where = f"Configuration « {source} »" if source else "Configuration"
    if len(lines) == 1:
        return ConfigError(f"{where} : {lines[0]} {HELP}")
    listed = "\n".join(f"  - {line}" for line in lines)
    return ConfigError(f"{where} : {len(lines)} réglages à corriger :\n{listed}\n{HELP}")


def _line(error: Mapping[str, Any], root: type[BaseModel], prefix: Loc, origins: Mapping[Loc, str]) -> str:
    tables, key, model, info, rest = _walk(root, tuple(error["loc"]))
    if key and rest and isinstance(rest[0], str):  # a key of a table of values: [membership.votes] hébergé
        tables, key = (*tables, key), rest[0]
    path = prefix + tables
    kind = error["type"]
    if kind == "extra_forbidden":
        possible = ", ".join(_keys(model)) if model else ""
        if not path:
            return f"[{key}] : section inconnue. Sections possibles : {possible}."
        return f"[{'.'.join(path)}] {key} : clé inconnue. Clés possibles : {possible}."
    variable = origins.get(tables + ((key,) if key else ()))
    if variable:
        named = f"la variable d'environnement {variable}"
    elif key:
        named = f"[{'.'.join(path)}] {key}" if path else f"[{key}]"
    else:
        named = f"[{'.'.join(path)}]"
    if kind == "value_error":
        return f"{named} : {error['ctx']['error']}."
    if kind in ("model_type", "model_attributes_type", "dict_type") and _is_table(info):
        return f"{named} doit être une section (une table « [{'.'.join(path + ((key,) if key else ()))}] »)."
    expected = description(info) or "une autre valeur"
    if key and is_secret_key(key):
        return f"{named} ne convient pas : attendu {expected}."
    return f"{named} : {_shown(error.get('input'))} ne convient pas. Attendu : {expected}."


def _walk(
    root: type[BaseModel], loc: Sequence[str | int]
) -> tuple[Loc, str | None, type[BaseModel] | None, FieldInfo | None, Sequence[str | int]]:
    """Along a pydantic ``loc``: the tables, the key, the model holding it, its field, what is left."""
    tables: Loc = ()
    model: type[BaseModel] = root
    for n, part in enumerate(loc):
        found = _field(model, str(part))
        if found is None:
            return tables, str(part), model, None, loc[n + 1 :]
        inner = _model_of(found.annotation)
        if inner is None or n == len(loc) - 1:
            return tables, str(part), model, found, loc[n + 1 :]
        tables += (str(part),)
        model = inner
    return tables, None, model, None, ()


def _field(model: type[BaseModel], name: str) -> FieldInfo | None:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def _keys(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if (found := _model_of(arg)) is not None:
                return found
    return None


def description(info: FieldInfo | None) -> str | None:
    """The form a field expects, in French: its own description, or its type's."""
    if info is None:
        return None
    if info.description:
        return info.description
    for arg in typing.get_args(info.annotation):
        for meta in typing.get_args(arg)[1:] if typing.get_origin(arg) is typing.Annotated else ():
            if isinstance(meta, FieldInfo) and meta.description:
                return meta.description
    return None


def _is_table(info: FieldInfo | None) -> bool:
    return info is not None and _model_of(info.annotation) is not None


def _shown(value: object) -> str:
    if isinstance(value, Mapping):
        return "une table"
    if isinstance(value, bool):
        return "« true »" if value else "« false »"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    text = " ".join(str(value).split())
    return f"« {text[:60]}{'…' if len(text) > 60 else ''} »"
