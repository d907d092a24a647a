"""What every section model shares: strict types, French descriptions, paths from the file's folder.

A section is a frozen pydantic model that refuses unknown keys. Each field says in its
``description`` the form it expects, in French (« un nombre de secondes, par exemple 60 »):
:mod:`.french` builds the error message from it. Relative paths are resolved against the
configuration file's folder, given as ``base`` in the validation context by
``config.load_settings``; a model built directly in code keeps its paths as given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar

from babel.dates import get_day_names
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from ..text import fold

# Babel's French day names, 0 = Monday (formatting.WEEKDAYS; settings are a leaf and ask Babel).
WEEKDAYS = tuple(str(get_day_names("wide", locale="fr_FR")[d]) for d in range(7))


class Section(BaseModel):
    """One section of mila.toml (``section`` is its name in the file)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)
    section: ClassVar[str] = ""

    @model_validator(mode="wrap")
    @classmethod
    def _french(cls, data: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        """Built directly in code (tests, a job's defaults): the same French errors as from
        a file. Read from a configuration, the errors go up to ``config.load_settings``."""
        try:
            return handler(data)
        except ValidationError as exc:
            if info.context is not None:
                raise
            from .french import config_error

            raise config_error(exc, cls) from None


def configured(info: ValidationInfo) -> bool:
    """Whether the model is being read from a configuration (not built in code)."""
    return isinstance(info.context, Mapping) and "base" in info.context


# --------------------------------------------------------------------------- shared types


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def _blank_is_none(value: object) -> object:
    return (value.strip() or None) if isinstance(value, str) else value


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("doit tenir sur une ligne")
    return value


def _resolve(value: Path, info: ValidationInfo) -> Path:
    value = value.expanduser()
    if value.is_absolute() or not configured(info):
        return value
    return Path(info.context["base"]) / value  # type: ignore[index]  # configured(): a context


def _weekday(value: object) -> object:
    if isinstance(value, str) and fold(value) in WEEKDAYS:
        return WEEKDAYS.index(fold(value))
    return value


TEXT = "un texte entre guillemets"
Text = Annotated[str, BeforeValidator(_stripped), Field(description=TEXT)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_is_none), Field(description=TEXT)]
OneLine = Annotated[
    str,
    BeforeValidator(_stripped),
    AfterValidator(_one_line),
    Field(description="un texte d'une seule ligne, entre guillemets"),
]
ConfigPath = Annotated[
    Path,
    BeforeValidator(_blank_is_none),
    Field(strict=False),
    AfterValidator(_resolve),
    Field(
        description="un chemin de fichier ou de dossier entre guillemets (relatif au dossier de "
        "mila.toml), par exemple « out »"
    ),
]


def _folder(value: Path) -> Path:
    """A folder mila creates if need be: refused when it, or a folder above it, is a file."""
    for place in (value, *value.parents):
        try:
            if not place.exists():
                continue
            if place.is_dir():
                return value
        except OSError:  # unreadable: left to the first use, which says so
            return value
        shown = "c'est un fichier" if place == value else f"« {place} » est un fichier"
        raise ValueError(
            f"« {value} » doit être un dossier, mais {shown} : indiquez un dossier (il est créé "
            "s'il n'existe pas), ou déplacez ce fichier"
        )
    return value


FolderPath = Annotated[ConfigPath, AfterValidator(_folder)]
Seconds = Annotated[float, Field(gt=0, description="un nombre de secondes positif, par exemple 30")]
Days = Annotated[int, Field(ge=0, description="un nombre entier de jours, positif ou nul, par exemple 30")]
Weekday = Annotated[int, BeforeValidator(_weekday), Field(ge=0, le=6)]
WEEKDAY_LIST = "une liste de jours parmi " + ", ".join(WEEKDAYS) + ', par exemple ["lundi", "mardi"]'
Weekdays = Annotated[frozenset[Weekday], Field(strict=False, min_length=1, description=WEEKDAY_LIST)]


# --------------------------------------------------------------------------- secrets

_SECRETS = {
    "password",
    "passwd",
    "pwd",
    "pass",
    "mot_de_passe",
    "motdepasse",
    "mdp",
    "secret",
    "client_secret",
    "token",
    "api_key",
    "apikey",
    "private_key",
    "access_token",
    "refresh_token",
}
_SECRET_END = re.compile(r"_(password|passwd|mot_de_passe|mdp|secret|token)$")


def is_secret_key(key: str) -> bool:
    """``password``, ``SMTP_Password``, ``client-secret``… but not ``password_file``."""
    name = re.sub(r"[\s-]+", "_", fold(key))
    return name in _SECRETS or bool(_SECRET_END.search(name))
