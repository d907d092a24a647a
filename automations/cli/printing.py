"""What the commands share to print: JSON, cell values, lists, the lost-Journal warning,
and the stream that never lets a cell's control characters reach the terminal."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from typing import TextIO

# Exit code of a run that changed the workbook (or sent mail) but whose Journal line
# could not be written: done, but the sheet does not say so.
JOURNAL_NOT_WRITTEN = 3


def print_json(data: object, out: TextIO) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2), file=out)


def journal_lost(done: str, out: TextIO, reason: str | None = None) -> None:
    """Say that ``done`` (« les changements ci-dessus sont faits »…) is not noted in Journal."""
    because = f" ({reason})" if reason else ""
    print(
        f"Attention : {done}, mais la ligne qui les note dans l'onglet Journal n'a pas pu être "
        f"écrite{because}. Notez-les dans Journal à la main si besoin ; le détail est dans le "
        "journal local mila.log.",
        file=out,
    )


def shown(value: object) -> str:
    """A cell value as a person reads it, quoted and cut at 80 characters."""
    from decimal import Decimal

    from ..formatting import format_date, format_money

    if value is None or value == "":
        return "(vide)"
    if isinstance(value, Decimal):
        text = format_money(value)
    elif isinstance(value, dt.date):
        text = format_date(value)
    else:
        text = str(value).replace("\n", " / ")
    return f"« {text[:80]}{'…' if len(text) > 80 else ''} »"


def join(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "aucune"


# What a terminal would obey rather than show: C0 and C1 controls but the newline and the
# tab (escape sequences that retitle the window, clear the screen, move the cursor…), and
# the bidirectional overrides and isolates that make a line read in another order.
_UNSHOWN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Shown(io.TextIOBase):
    """A text stream that passes on what it is given, without the characters in
    ``_UNSHOWN``: whatever a cell holds, the person sees text, never a terminal command."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.stream.write(_UNSHOWN.sub("", text))
        return len(text)

    def flush(self) -> None:
        if not getattr(self.stream, "closed", False):
            self.stream.flush()
