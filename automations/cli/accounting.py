"""`mila compta --annee AAAA --dossier DOSSIER`: the year's FEC and CSV journal."""

from __future__ import annotations

import argparse
from typing import TextIO

from .common import context_of, run_entry
from .printing import print_json


def cmd_compta(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args, dry_run=False)
    options = registry.AccountingOptions(year=args.year, folder=args.out)
    result = run_entry(ctx, "compta", registry.compta, options)
    code = 1 if result.skipped or not result.balanced else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code
    print(f"Classeur : {ctx.workbook.description} — export comptable {args.year}", file=out)
    for line in result.report():
        print(line, file=out)
    if result.skipped:
        print(f"Lignes laissées hors du fichier : {len(result.skipped)}", file=out)
        for line in result.skipped[:50]:
            print(f"  {line}", file=out)
    print(
        "Transmettez le fichier FEC à votre expert-comptable ; le journal CSV s'ouvre dans un tableur.",
        file=out,
    )
    return code
