"""A1 notation: column letters, quoted tab names, ranges.

The emulator's own copy, on purpose: it stands in for Google, so it parses ranges without the
runtime package's code (automations/workbook/a1.py), and a bug there cannot hide itself by
being on both sides of a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


def column_letters(index: int) -> str:
    """1-based column index to letters: 1 -> A, 27 -> AA."""
    if index < 1:
        raise ValueError(f"column index must be >= 1, got {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters to a 1-based index: A -> 1, AA -> 27."""
    if not letters or not letters.isalpha():
        raise ValueError(f"not column letters: {letters!r}")
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index


def quote_tab(title: str) -> str:
    """Quote a tab title for A1 notation: 'Relances', 'It''s'."""
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class GridRange:
    """A parsed A1 range. Bounds are 1-based and inclusive; None means unbounded."""

    tab: str | None
    start_row: int | None = None
    start_col: int | None = None
    end_row: int | None = None
    end_col: int | None = None


def split_tab(a1: str) -> tuple[str | None, str]:
    """Split "'My tab'!A1:B2" into ("My tab", "A1:B2"); a bare tab gives (tab, "")."""
    a1 = a1.strip()
    if a1.startswith("'"):
        i = 1
        title = []
        while i < len(a1):
            ch = a1[i]
            if ch == "'":
                if i + 1 < len(a1) and a1[i + 1] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(ch)
            i += 1
        rest = a1[i + 1 :]
        if rest.startswith("!"):
            return "".join(title), rest[1:]
        if rest == "":
            return "".join(title), ""
        raise ValueError(f"bad range: {a1!r}")
    if "!" in a1:
        tab, rest = a1.rsplit("!", 1)
        return tab, rest
    return None, a1


def parse_range(a1: str) -> GridRange:
    """Parse 'Tab'!A1:C3, Tab!A:A, Tab!2:2, Tab!B2, Tab (the whole tab).

    A string without '!' is taken as a tab title when it is not a valid cell
    reference, as Google does.
    """
    tab, ref = split_tab(a1)
    if tab is None:
        if _looks_like_ref(ref):
            return _parse_ref(None, ref)
        return GridRange(tab=ref)
    if ref == "":
        return GridRange(tab=tab)
    return _parse_ref(tab, ref)


def _looks_like_ref(ref: str) -> bool:
    parts = ref.split(":")
    if len(parts) > 2:
        return False
    for part in parts:
        m = _CELL.match(part)
        if not m or (not m.group(1) and not m.group(2)):
            return False
        if len(m.group(1)) > 3:
            return False
    return True


def _parse_ref(tab: str | None, ref: str) -> GridRange:
    parts = ref.split(":")
    if len(parts) > 2 or not _looks_like_ref(ref):
        raise ValueError(f"bad range: {ref!r}")
    start = _parse_cell(parts[0])
    end = _parse_cell(parts[1]) if len(parts) == 2 else start
    return GridRange(tab=tab, start_row=start[0], start_col=start[1], end_row=end[0], end_col=end[1])


def _parse_cell(text: str) -> tuple[int | None, int | None]:
    m = _CELL.match(text)
    assert m is not None
    letters, digits = m.groups()
    return (int(digits) if digits else None, column_index(letters) if letters else None)


_PLAIN_TAB = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}\d+|[Rr]\d+[Cc]\d+)$")


def tab_needs_quotes(title: str) -> bool:
    """Whether Google quotes this tab title in the ranges it answers.

    Google leaves plain ASCII identifiers bare (``Sheet1``, ``FORENSIC_LIVE``) and quotes
    anything else: spaces, punctuation, non-ASCII letters, or a title that reads as a cell.
    """
    return not _PLAIN_TAB.match(title) or bool(_CELL_LIKE.match(title))


def tab_prefix(title: str) -> str:
    """The tab part of an A1 range as Google writes it: ``Sheet1`` or ``'Mes tarifs'``."""
    return quote_tab(title) if tab_needs_quotes(title) else title


def format_range(
    title: str | None,
    start_row: int | None,
    start_col: int | None,
    end_row: int | None = None,
    end_col: int | None = None,
) -> str:
    """Write a range in A1 notation the way Google echoes it.

    Bounds are 1-based and inclusive; a range of one cell is written as that cell
    (``Sheet1!B2``). A missing bound is left open (``A2:B``, ``A:A``, ``1:1``).
    """

    def part(row: int | None, col: int | None) -> str:
        return (column_letters(col) if col else "") + (str(row) if row else "")

    start = part(start_row, start_col)
    end = part(end_row, end_col)
    ref = start if end in ("", start) else f"{start}:{end}"
    if title is None:
        return ref
    return f"{tab_prefix(title)}!{ref}" if ref else tab_prefix(title)
