"""`mila donnees exporter` and `mila donnees effacer`: a person's requests about their data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from .common import context_of, run_entry
from .printing import JOURNAL_NOT_WRITTEN, journal_lost, print_json


def cmd_donnees(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import PersonalDataError
    from ..jobs import registry
    from ..jobs.personal_data import EraseResult, ExportResult

    command = args.donnees_command
    if (args.member is None) == (args.email is None):
        raise PersonalDataError(
            "Indiquez soit l'ID du membre (par exemple « mila donnees "
            f"{command} M0003 »), soit l'adresse avec --email, pour une personne qui n'est pas membre."
        )
    dry_run = bool(getattr(args, "dry_run", False))
    ctx = context_of(args, dry_run=dry_run)
    options = registry.PersonalDataOptions(
        command,
        member=args.member,
        email=args.email,
        out=Path(args.out) if getattr(args, "out", None) else None,
        confirm=bool(getattr(args, "confirm", False)),
    )
    job = f"donnees {command}"
    result = run_entry(ctx, job, registry.donnees, options)
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code
    print(
        f"Classeur : {ctx.workbook.description} — {_head(command, dry_run)} au {ctx.today:%d/%m/%Y}", file=out
    )
    if isinstance(result, ExportResult):
        for line in result.lines():
            print(line, file=out)
        return code
    assert isinstance(result, EraseResult)
    for line in result.lines(args.limit):
        print(line, file=out)
    if result.journal:
        print("Une ligne a été ajoutée à l'onglet Journal (l'ID seulement, aucune donnée effacée).", file=out)
    elif result.journal_error:
        journal_lost("l'effacement ci-dessus est fait", out, result.journal_error)
    return code


def _head(command: str, dry_run: bool) -> str:
    if command == "exporter":
        return "export des données personnelles"
    return "simulation, rien n'est écrit ni supprimé" if dry_run else "effacement des données personnelles"
