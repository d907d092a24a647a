"""New identifiers: prefix + zero-padded number, never reused.

An ID is never given twice, even after its row was deleted: the next number is
above every ID in the tab *and* every ID the ``Journal`` records as assigned (sync
writes them there, e.g. « ID attribués : M0121 à M0123 »). An ID that does not fit
the tab's pattern (``=1+1``, ``../etc/x``, ``M99999999999999999999``) counts for
nothing: ``rules.validation`` reports it as an anomaly.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from ..schema import Tab

EXTRA_DIGITS = 2  # an ID may outgrow its padding by this many digits (M99999 fits, M9999999 not)


def max_digits(tab: Tab) -> int:
    """The most digits an ID of ``tab`` may have."""
    return tab.id_width + EXTRA_DIGITS


def id_number(tab: Tab, text: str | None) -> int | None:
    """The number of an ID that fits the tab's pattern (prefix, then at most
    ``max_digits`` digits: ``M0012``, ``m12``, ``M-0012``), or None for anything else
    (``=1+1``, ``../etc/x``, ``M99999999999999999999``)."""
    return id_reader(tab)(text)


def id_reader(tab: Tab) -> Callable[[str | None], int | None]:
    """:func:`id_number` for one tab, its pattern looked up once: for the loops over a
    whole tab's IDs."""
    assert tab.id_prefix is not None
    prefix, digits = tab.id_prefix, max_digits(tab)
    fullmatch = _id_shape(prefix, digits).fullmatch
    width = len(prefix)

    def number(text: str | None) -> int | None:
        if not text:
            return None
        if text.__class__ is str and text.startswith(prefix):  # nearly every ID: `M0012`
            digits_part = text[width:]
            if 0 < len(digits_part) <= digits and digits_part.isascii() and digits_part.isdigit():
                return int(digits_part)  # what the pattern below reads from it
        match = fullmatch(str(text).strip())
        return int(match.group(1)) if match else None

    return number


def id_numbers(tab: Tab, texts: Iterable[str | None]) -> list[int | None]:
    """:func:`id_number` of each of ``texts`` (a tab's ID column), in one loop: the IDs
    written as the tab writes them are read inline, the others by :func:`id_reader`."""
    assert tab.id_prefix is not None
    prefix, digits, width = tab.id_prefix, max_digits(tab), len(tab.id_prefix)
    number = id_reader(tab)
    out: list[int | None] = []
    add = out.append
    for text in texts:
        if text.__class__ is str and text.startswith(prefix):
            digits_part = text[width:]
            if 0 < len(digits_part) <= digits and digits_part.isascii() and digits_part.isdigit():
                add(int(digits_part))
                continue
        add(number(text))
    return out


@lru_cache(maxsize=64)
def _id_shape(prefix: str, digits: int) -> re.Pattern[str]:
    """The shape of one tab's IDs, compiled once (it is matched against every ID read)."""
    return re.compile(rf"{re.escape(prefix)}\s*-?\s*(\d{{1,{digits}}})", re.IGNORECASE)


def _pattern(tab: Tab) -> re.Pattern[str]:
    assert tab.id_prefix is not None
    return re.compile(
        rf"(?<![A-Za-z0-9]){re.escape(tab.id_prefix)}(\d{{1,{max_digits(tab)}}})(?![0-9A-Za-z])"
    )


def highest_number(tab: Tab, texts: Iterable[str | None]) -> int:
    """The highest number of the tab's IDs in ``texts`` (the ID column); IDs that do not
    fit the pattern do not count."""
    return max((n for n in id_numbers(tab, texts) if n is not None), default=0)


def highest_mentioned(tab: Tab, texts: Iterable[str | None]) -> int:
    """The highest number of the tab's IDs written anywhere in ``texts`` (Journal details)."""
    pattern = _pattern(tab)
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
    start = max(highest_number(tab, existing), highest_mentioned(tab, journal)) + 1
    return [tab.format_id(n) for n in range(start, start + count)]


def describe_ids(ids: Iterable[str]) -> str:
    """« M0121 », « M0121 et M0122 », or « M0121 à M0125 » for a run of consecutive IDs;
    runs apart are listed in order (« M0003, M0007 à M0009 et M0012 »). Whatever the order
    given, the highest is always written: ``highest_mentioned`` reads it back."""
    ordered = sorted(dict.fromkeys(ids), key=_sort_key)
    if not ordered:
        return ""
    runs: list[list[str]] = [[ordered[0]]]
    for previous, current in itertools.pairwise(ordered):
        (head, number), (head_now, number_now) = _sort_key(previous), _sort_key(current)
        if head == head_now and number_now == number + 1:
            runs[-1].append(current)
        else:
            runs.append([current])
    if len(runs) == 1 and len(ordered) == 2:
        return f"{ordered[0]} et {ordered[1]}"
    pieces: list[str] = []
    for run in runs:
        if len(run) >= 3:
            pieces.append(f"{run[0]} à {run[-1]}")
        else:
            pieces.extend(run)
    if len(pieces) == 1:
        return pieces[0]
    return ", ".join(pieces[:-1]) + " et " + pieces[-1]


def _sort_key(text: str) -> tuple[str, int]:
    """« M0121 » → (« M », 121); « 2026-004 » → (« 2026- », 4)."""
    match = re.fullmatch(r"(.*?)(\d+)", text.strip())
    return (match.group(1), int(match.group(2))) if match else (text, 0)


# -- receipt numbers ----------------------------------------------------------------

RECEIPTS_GIVEN = "reçus numérotés :"  # how a receipts run's Journal line names the numbers it gave
_RECEIPT = re.compile(r"(?<![\d-])(\d{4})-(\d{1,6})(?![\d-])")


def describe_receipts(numbers: Iterable[str]) -> str:
    """« reçus numérotés : 2026-004 à 2026-006 » for the Journal line of the run that gave
    them (read back by :func:`receipts_in_journal`); empty when none was given."""
    listed = describe_ids(numbers)
    return f"{RECEIPTS_GIVEN} {listed}" if listed else ""


def receipts_in_journal(texts: Iterable[str | None]) -> dict[int, int]:
    """The highest receipt rank of each year that Journal lines record as given: a receipt
    whose payment row was deleted keeps its number for good. Only the part after
    « reçus numérotés : » is read (a date or a folder name elsewhere is no number)."""
    best: dict[int, int] = {}
    for text in texts:
        if not text or RECEIPTS_GIVEN not in text:
            continue
        for part in str(text).split(RECEIPTS_GIVEN)[1:]:
            part = part.split(";")[0].split("(")[0]
            for match in _RECEIPT.finditer(part):
                year, rank = int(match.group(1)), int(match.group(2))
                best[year] = max(best.get(year, 0), rank)
    return best
