"""New identifiers: prefix + zero-padded number, never reused.

An ID is never given twice, even after its row was deleted: the next number is
above every ID in the tab *and* every ID the ``Journal`` records as assigned (sync
writes them there, e.g. « ID attribués : M0121 à M0123 »).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..schema import Tab


def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}(\d+)(?![0-9A-Za-z])")


def highest_number(tab: Tab, texts: Iterable[str | None]) -> int:
    """The highest number used after the tab's prefix in any of ``texts``."""
    assert tab.id_prefix is not None
    pattern = _pattern(tab.id_prefix)
    best = 0
    for text in texts:
        if not text:
            continue
        for match in pattern.finditer(str(text)):
            best = max(best, int(match.group(1)))
    return best


def next_ids(
    tab: Tab, count: int, existing: Iterable[str | None], journal: Iterable[str | None] = ()
) -> list[str]:
    """``count`` fresh IDs for ``tab``, after every ID in the tab and in the journal."""
    start = max(highest_number(tab, existing), highest_number(tab, journal)) + 1
    return [tab.format_id(n) for n in range(start, start + count)]


def describe_ids(ids: list[str]) -> str:
    """« M0121 », « M0121 et M0122 », or « M0121 à M0125 » for a run of consecutive IDs."""
    if not ids:
        return ""
    if len(ids) == 1:
        return ids[0]
    if len(ids) == 2:
        return f"{ids[0]} et {ids[1]}"
    return f"{ids[0]} à {ids[-1]}"
