"""The e-mail templates of ``templates/emails/``, rendered in a sandbox; failures become French
:class:`~automations.errors.TemplateError` naming the file and line."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..documents.french import FILTERS, typographic
from ..errors import TemplateError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment


def _typeset(value: Any) -> Any:
    """What a template prints, with typographic apostrophes (« L’Usine »)."""
    if isinstance(value, str) and not hasattr(value, "__html__"):  # Markup is already final
        return typographic(value)
    return value


class Templates:
    """The e-mail templates of a folder, rendered in a sandbox.

    ``*.html.j2`` (and ``*.html``) are autoescaped: a ``<`` typed in a member's name shows
    as text. A variable the template uses but the context lacks is an error, not a blank.
    Each template is compiled once per process and folder, and again when its file changes
    (a template the staff edited is read afresh by the next run of a long-lived scheduler).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.env = _environment(str(self.folder.resolve()))

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render template ``name``; any failure is a French :class:`TemplateError`."""
        import jinja2

        try:
            template = self.env.get_template(name)
            return template.render(context)
        except jinja2.TemplateNotFound as exc:
            missing = exc.name or name
            raise TemplateError(
                f"Modèle d'e-mail introuvable : « {missing} » dans le dossier « {self.folder} ». "
                "Restaurez-le depuis le dépôt (templates/emails/) ou corrigez [mail] templates."
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            where = exc.name or exc.filename or name
            raise TemplateError(
                f"Le modèle d'e-mail « {where} » est mal écrit, ligne {exc.lineno} : {exc.message}. "
                "Corrigez les balises {{ … }} et {% … %} de cette ligne ; aucun message n'a été envoyé."
            ) from None
        except jinja2.UndefinedError as exc:
            where, line = _template_position(exc, name)
            raise TemplateError(
                f"Le modèle d'e-mail « {where} », ligne {line}, utilise une variable qui n'existe pas "
                f"({_undefined_french(exc.message)}). Corrigez son nom en vous aidant de la liste "
                "des variables de docs/mail.md ; aucun message n'a été envoyé."
            ) from None
        except jinja2.TemplateError as exc:  # SecurityError and the like
            where, line = _template_position(exc, name)
            raise TemplateError(
                f"Le modèle d'e-mail « {where} », ligne {line}, ne peut pas être rendu : {exc}. "
                "Corrigez cette ligne ; aucun message n'a été envoyé."
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(
                f"Le modèle d'e-mail « {name} » est illisible ({exc}). Enregistrez-le en UTF-8 "
                "dans le dossier des modèles ; aucun message n'a été envoyé."
            ) from None
        except Exception as exc:  # an error raised by an expression of the template
            where, line = _template_position(exc, name)
            raise TemplateError(
                f"Le modèle d'e-mail « {where} », ligne {line}, provoque une erreur : {exc}. "
                "Corrigez cette ligne ; aucun message n'a été envoyé."
            ) from None


@lru_cache(maxsize=64)
def _environment(folder: str) -> SandboxedEnvironment:
    """The sandboxed environment of a templates folder, shared by every :class:`Templates` of
    that folder so that its compiled templates are too (compiling is most of a rendering's cost)."""
    from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.loaders import split_template_path
    from jinja2.sandbox import SandboxedEnvironment

    class _Loader(FileSystemLoader):
        """A template is out of date as soon as its file's size or modification time (to the
        nanosecond) differs from when it was read: two quick saves within one tick of a coarse
        clock still differ in size or inode."""

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
            stamp = None  # taken before the read: a save during it makes the copy out of date
            for base in self.searchpath:
                try:
                    stamp = _stamp(os.path.join(base, *split_template_path(template)))
                    break
                except OSError:
                    continue
            source, filename, _ = super().get_source(environment, template)

            def uptodate() -> bool:
                try:
                    return stamp is not None and _stamp(filename) == stamp
                except OSError:
                    return False

            return source, filename, uptodate

    env = SandboxedEnvironment(
        loader=_Loader(folder, encoding="utf-8"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=True,
        finalize=_typeset,
    )
    env.filters.update(FILTERS)  # {{ membre.structure|de }}: see documents/french.py
    return env


def _stamp(filename: str) -> tuple[int, int, int]:
    status = os.stat(filename)
    return status.st_mtime_ns, status.st_size, status.st_ino


def _template_position(exc: BaseException, name: str) -> tuple[str, str]:
    """The innermost template file and line of a rendering error."""
    found = (name, "?")
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".txt")):
            found = (Path(filename).name, str(line))
    return found


_UNDEFINED_ATTR = re.compile(r"'(.+?)' has no attribute '(.+?)'")
_UNDEFINED_NAME = re.compile(r"'(.+?)' is undefined")


def _undefined_french(message: str | None) -> str:
    message = message or ""
    if match := _UNDEFINED_ATTR.search(message):
        return f"« {match.group(2)} » n'existe pas à cet endroit"
    if match := _UNDEFINED_NAME.search(message):
        return f"« {match.group(1)} » est inconnue"
    return message
