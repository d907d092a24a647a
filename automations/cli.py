"""The `mila` command: parse options, call one job, print the outcome in French.

The library does the work; this module only turns options into a call and a result
or a ``MilaError`` into text and an exit code. No traceback reaches a user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from . import __version__
from .config import Settings, load_settings
from .errors import MilaError
from .workbook import open_workbook

Handler = Callable[[argparse.Namespace, TextIO], int]


def _workbook_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("classeur")
    group.add_argument("--workbook", metavar="CHEMIN.xlsx", help="classeur .xlsx local (ou MILA_WORKBOOK)")
    group.add_argument("--sheet", metavar="CLÉ_OU_ADRESSE", help="feuille Google Sheets (ou MILA_SHEET)")
    group.add_argument("--config", metavar="FICHIER", help="fichier de configuration (défaut : ./mila.toml)")


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(config=args.config, workbook=args.workbook, sheet=args.sheet)


# -- commands ----------------------------------------------------------------------


def cmd_tabs(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.tabs import describe_tabs

    report = describe_tabs(open_workbook(_settings(args)))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0 if report.ok else 1
    print(f"Classeur : {report.description} — {len(report.tabs)} onglet(s)", file=out)
    for tab in report.tabs:
        print(file=out)
        if tab.contract is None:
            print(f"{tab.title} — onglet hors contrat, ignoré ({tab.rows} ligne(s))", file=out)
            continue
        print(f"{tab.title} — {tab.rows} ligne(s)", file=out)
        print(f"  colonnes reconnues : {_join(tab.recognised)}", file=out)
        if tab.unknown:
            print(f"  autres colonnes (jamais modifiées) : {_join(tab.unknown)}", file=out)
        if tab.missing_required:
            print(
                f"  ERREUR colonnes obligatoires manquantes : {_join(tab.missing_required)} "
                "— ajoutez-les à la ligne 1",
                file=out,
            )
        if tab.duplicates:
            print(f"  ERREUR en-têtes en double : {_join(tab.duplicates)} — renommez l'un des deux", file=out)
        if tab.missing_calc:
            print(f"  colonnes calculées à créer par mila sync : {_join(tab.missing_calc)}", file=out)
    if report.absent:
        print(file=out)
        print(f"Onglets du contrat absents (lus comme vides) : {_join(report.absent)}", file=out)
    return 0 if report.ok else 1


def cmd_emulator(args: argparse.Namespace, out: TextIO) -> int:
    from .workbook.emulator import serve

    def ready(address: str, spreadsheet_id: str) -> None:
        print(f"Émulateur de l'API Google Sheets prêt sur http://{address}", file=out)
        print(f"Copie locale de « {args.source} », clé de la feuille : {spreadsheet_id}", file=out)
        print("Dans un autre terminal :", file=out)
        print(f"  export SHEETS_EMULATOR_HOST={address}", file=out)
        print(f"  mila tabs --sheet {spreadsheet_id}", file=out)
        print("Ctrl-C pour arrêter (le fichier d'origine n'est jamais modifié).", file=out)
        out.flush()

    serve(args.source, host=args.host, port=args.port, spreadsheet_id=args.id, on_ready=ready)
    return 0


# -- parsing -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mila",
        description="Automatisations du MILA : vérifier et tenir à jour le classeur partagé.",
    )
    parser.add_argument("--version", action="version", version=f"mila {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)

    tabs = sub.add_parser("tabs", help="lister les onglets, leurs lignes et leurs colonnes")
    _workbook_options(tabs)
    tabs.add_argument("--json", action="store_true", help="sortie JSON")
    tabs.set_defaults(handler=cmd_tabs)

    emulator = sub.add_parser(
        "emulator", help="servir une copie d'un .xlsx par un émulateur local de l'API Google Sheets"
    )
    emulator.add_argument("--from", dest="source", required=True, metavar="CLASSEUR.xlsx")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8085)
    emulator.add_argument("--id", default=None, help="clé de la feuille servie (défaut : dérivée du nom)")
    emulator.set_defaults(handler=cmd_emulator)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, out)
    except MilaError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


def _join(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "aucune"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
