"""The pieces every sub-command of `mila` shares: the French parser and its help
formatter, the former English names still accepted (``FORMER_NAMES``), the lazy handler of a
command (``handler_of``) and the options many commands take (``workbook_options``,
``today_option``, ``dry_run_option``, ``limit_option``, ``json_option``). It imports nothing
heavy: a command's own module is imported only when that command runs."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import importlib
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TextIO


def handler_of(module: str, name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    """The handler ``name`` of ``automations.cli.<module>``, imported when the command runs:
    a command imports only what it uses (a sync no Word, mail template or chart library)."""

    def handler(args: argparse.Namespace, out: TextIO) -> int:
        command: Callable[[argparse.Namespace, TextIO], int] = getattr(
            importlib.import_module(f"{__package__}.{module}"), name
        )
        return command(args, out)

    handler.__name__ = handler.__qualname__ = name
    return handler


FORMER_NAMES = {
    "tabs": "onglets",
    "check": "verifier",
    "sync": "synchroniser",
    "renewals": "relances",
    "schedule": "planifier",
    "status": "etat",
    "emulator": "emulateur",
    "--workbook": "--classeur",
    "--from": "--classeur",
    "--sheet": "--feuille",
    "--today": "--date",
    "--dry-run": "--simulation",
    "--limit": "--limite",
    "--once": "--une-fois",
    "--out": "--dossier",
    "--seed": "--graine",
    "--host": "--hote",
    "--id": "--cle",
    "--member": "--membre",
    "--all": "--tous",
    "--year": "--annee",
}
"""The English names earlier versions took, and the French name each now has. They stay
accepted, so that installed systemd units, cron lines and scripts keep working, but are never
shown: not in any help, not in a message (``--from`` was the ``emulateur``'s ``--classeur``)."""

_FORMER = frozenset(FORMER_NAMES)


def add_command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """The sub-command ``name``, also reached by its former English name, which the list of
    commands does not show (argparse's ``aliases`` would)."""
    parser: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    for former, french in FORMER_NAMES.items():
        if french == name:
            sub.choices[former] = parser
    return parser


def workbook_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("classeur")
    group.add_argument(
        "--classeur",
        "--workbook",
        dest="workbook",
        metavar="CHEMIN.xlsx",
        help="classeur .xlsx local (ou MILA_WORKBOOK)",
    )
    group.add_argument(
        "--feuille",
        "--sheet",
        dest="sheet",
        metavar="CLÉ_OU_ADRESSE",
        help="feuille Google Sheets (ou MILA_SHEET)",
    )
    group.add_argument("--config", metavar="FICHIER", help="fichier de configuration (défaut : ./mila.toml)")


def today_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date",
        "--today",
        dest="today",
        type=iso_date,
        metavar="AAAA-MM-JJ",
        help="date du jour à utiliser (défaut : aujourd'hui)",
    )


def dry_run_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--simulation`` (``--dry-run``, hidden): show, write and send nothing."""
    parser.add_argument("--simulation", "--dry-run", dest="dry_run", action="store_true", help=help)


def limit_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--limite N`` (``--limit``, hidden): how many lines to show, 50 by default."""
    parser.add_argument("--limite", "--limit", dest="limit", type=int, default=50, metavar="N", help=help)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : écrivez-la AAAA-MM-JJ, par exemple 2026-11-23"
        ) from None


def json_option(parser: argparse.ArgumentParser) -> None:
    """``--json``: the outcome as JSON instead of text."""
    parser.add_argument("--json", action="store_true", help="sortie JSON")


class FrenchHelpFormatter(argparse.HelpFormatter):
    """argparse's help, with « utilisation : » instead of « usage: », and without the former
    English names of options (``FORMER_NAMES``)."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        shown = [name for name in action.option_strings if name not in _FORMER]
        if shown == action.option_strings:
            return super()._format_action_invocation(action)
        action = copy.copy(action)
        action.option_strings = shown
        return super()._format_action_invocation(action)


class FrenchParser(argparse.ArgumentParser):
    """argparse in French from top to bottom: usage, section titles, -h, complaints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="afficher cette aide et s'arrêter"
        )

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own complaint would list the former English command names too.
        if action.choices is not None and value not in action.choices:
            shown = ", ".join(f"« {choice} »" for choice in action.choices if choice not in _FORMER)
            raise argparse.ArgumentError(action, f"choix invalide « {value} » (choisissez parmi {shown})")

    def error(self, message: str) -> NoReturn:
        # argparse names an option by all its names (« --classeur/--workbook »): the first is told.
        message = re.sub(r"/(--[\w-]+)", lambda m: "" if m[1] in _FORMER else m[0], message)
        for english, french in _ARGPARSE_FR:
            message = message.replace(english, french)
        self.print_usage(sys.stderr)
        self.exit(2, f"Erreur : {message}. Aide : {self.prog} --help\n")


_ARGPARSE_FR = (
    ("the following arguments are required", "options obligatoires manquantes"),
    ("unrecognized arguments", "arguments inconnus"),
    ("invalid choice", "choix invalide"),
    ("argument ", "option "),
    ("expected one argument", "une valeur est attendue"),
    ("invalid int value", "nombre entier invalide"),
    ("choose from", "choisissez parmi"),
)
