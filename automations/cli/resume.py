"""`mila resume`: the summary of what needs a person, sent to the staff ([digest] to)."""

from __future__ import annotations

import argparse
from typing import TextIO

from .common import context_of, run_entry
from .printing import JOURNAL_NOT_WRITTEN, print_json


def cmd_resume(args: argparse.Namespace, out: TextIO) -> int:
    """Send the summary when something is new (--simulation: show it, send and note nothing)."""
    from ..jobs import registry
    from ..runner import FAILURE

    ctx = context_of(args, dry_run=args.dry_run)
    result = run_entry(ctx, "resume", registry.resume, registry.RunOptions())
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 1 if result.outcome().result == FAILURE else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code
    print(f"Classeur : {ctx.workbook.description} — résumé du {ctx.today:%d/%m/%Y}", file=out)
    for line in result.lines():
        print(line, file=out)
    return code
