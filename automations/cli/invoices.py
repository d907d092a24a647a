"""`mila factures` and `mila factures avoir NUMÉRO --motif TEXTE`."""

from __future__ import annotations

import argparse
from typing import TextIO

from ..errors import BillingError
from .common import context_of, run_entry
from .printing import JOURNAL_NOT_WRITTEN, journal_lost, print_json


def cmd_factures(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    if args.action == "avoir" and not args.number:
        raise BillingError(
            'Indiquez le numéro de la facture à annuler : mila factures avoir F2026-0001 --motif "…".'
        )
    if args.action is None and args.number:
        raise BillingError(
            f"« {args.number} » : pour annuler une facture, écrivez « mila factures avoir {args.number} "
            "--motif TEXTE »."
        )
    ctx = context_of(args, dry_run=args.dry_run)
    options = registry.InvoicesOptions(
        pdf=args.pdf,
        credit_of=args.number if args.action == "avoir" else None,
        reason=args.motif,
        send=args.send,
    )
    result = run_entry(ctx, "factures", registry.factures, options)
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 1 if result.to_look_at else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code
    head = "simulation, rien n'est écrit" if args.dry_run else "factures"
    print(f"Classeur : {ctx.workbook.description} — {head} au {ctx.today:%d/%m/%Y}", file=out)
    for line in result.lines(args.limit):
        print(line, file=out)
    if result.journal:
        print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
    elif result.journal_lost:
        journal_lost("les factures ci-dessus sont émises", out, result.journal_error)
    return code
