"""The `mila` command: parse options, call one job, print the outcome in French.

``parser`` sets up the French options (with ``options``, ``parser_money`` and
``parser_documents``); ``workbook``, ``operation``, ``documents`` and
``tools`` hold the commands, each building the job's run context, calling its entry and
printing its result; ``printing`` and ``common`` what they share.

The library does the work; this module only turns options into a call and a result
or a ``MilaError`` into text and an exit code. No traceback reaches a user, and no
terminal control character from a cell reaches the terminal (``Shown``).

Exit codes: 0 done; 1 done, with something for a person to look at (errors in the
workbook for ``verifier``, a refused reminder…); 2 stopped on a ``MilaError``, explained;
3 done, but the ``Journal`` line of a run that changed the workbook could not be written
(``JOURNAL_NOT_WRITTEN``).
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from ..errors import MilaError
from ..logs import close_logging, hide_notices, show_notices
from .options import FrenchParser
from .parser import build_parser
from .printing import JOURNAL_NOT_WRITTEN, Shown

__all__ = ["JOURNAL_NOT_WRITTEN", "FrenchParser", "Shown", "build_parser", "main"]

Handler = Callable[..., int]


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser, built once per process: a process running several commands (the scheduler,
    the tests) does not build its 41 sub-commands again each time."""
    return build_parser()


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    # Shown is an io.TextIOBase, which typing does not count as a TextIO: it is one in use.
    out = cast(TextIO, Shown(out or sys.stdout))
    err = cast(TextIO, Shown(sys.stderr))
    args = _parser().parse_args(argv)
    handler: Handler = args.handler
    show_notices(err)
    try:
        return handler(args, out)
    except MilaError as exc:
        print(f"Erreur : {exc.message}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=err)
        return 130
    except BrokenPipeError:
        # The output was cut short by its reader (`mila verifier | head`): nothing to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        hide_notices()
        close_logging()
