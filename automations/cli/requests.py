"""The commands of the staff's requests: `mila demandes` and `mila envois`."""

from __future__ import annotations

import argparse
from typing import TextIO

from .common import context_of, run_entry
from .printing import JOURNAL_NOT_WRITTEN, journal_lost, print_json


def cmd_demandes(args: argparse.Namespace, out: TextIO) -> int:
    """Do the pending requests of the Demandes tab once (what the scheduler runs every minute)."""
    from ..jobs import registry

    ctx = context_of(args)
    if "workbook" not in ctx.__dict__:
        ctx.use_workbook(lazy=True)
    result = run_entry(ctx, "demandes", registry.demandes, registry.RunOptions())
    failed = any(h.status == "échec" for h in result.handled)
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 1 if failed else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code
    print(f"Classeur : {ctx.workbook.description} — demandes de l'équipe", file=out)
    for line in result.lines():
        print(line, file=out)
    if result.journal_lost:
        journal_lost("les demandes ci-dessus sont traitées", out, result.journal_error)
    return code


def cmd_envois(args: argparse.Namespace, out: TextIO) -> int:
    """Switch sending on or off in the workbook, or say how it stands."""
    from ..jobs import registry

    ctx = context_of(args)
    if args.action == "etat":
        state = ctx.sending
        if args.json:
            print_json({"on": state.on, "recorded": state.recorded, "by": state.by}, out)
        else:
            print(f"Classeur : {ctx.workbook.description}", file=out)
            print(state.describe(), file=out)
        return 0
    on = args.action == "activer"
    result = run_entry(ctx, "envois", registry.envois, registry.SendingOptions(on=on, by=None))
    if args.json:
        print_json(result.as_dict(), out)
    else:
        print(f"Classeur : {ctx.workbook.description}", file=out)
        print(result.outcome().summary[:1].upper() + result.outcome().summary[1:] + ".", file=out)
    if result.journal_lost:
        return JOURNAL_NOT_WRITTEN
    return 0
