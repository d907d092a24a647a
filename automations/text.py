"""How text typed by people is compared and turned into file names: one place for it.

A leaf: imports nothing of the package, so that settings, the schema and the row
models can all use it.

- :func:`strip_accents` keeps every letter and drops the accents (``Œuvre Été`` ->
  ``Œuvre Ete``);
- :func:`sort_key` is that, case-folded: the order French readers expect;
- :func:`fold` is that, spaces made single: how names typed by people are compared;
- :func:`to_ascii` keeps ASCII only (``Œuvre Été`` -> ``uvre Ete``): for matching words
  and for file names;
- :func:`slug` is a file-name piece: ASCII letters, digits and dashes.
"""

from __future__ import annotations

import re
import unicodedata


def strip_accents(text: str) -> str:
    """``Échéance`` -> ``Echeance``: the letters as typed, without their accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sort_key(text: str | None) -> str:
    """Alphabetical order as French readers expect it (accents and case ignored)."""
    return strip_accents(text or "").casefold()


def fold(text: str | None) -> str:
    """``Année  Civile`` -> ``annee civile``: how names typed by people are compared."""
    return " ".join(sort_key(text).split())


def to_ascii(text: str) -> str:
    """The text without accents and without any character outside ASCII."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


_NOT_SLUG = re.compile(r"[^A-Za-z0-9]+")


def slug(text: str | None, *, limit: int | None = None, lower: bool = False) -> str:
    """``Salle de réunion (RDC)`` -> ``Salle-de-reunion-RDC`` (``lower``: all in lower
    case), at most ``limit`` characters, no dash at either end; ``""`` when nothing is left."""
    plain = to_ascii(text or "")
    if lower:
        plain = plain.lower()
    cleaned = _NOT_SLUG.sub("-", plain).strip("-")
    return cleaned[:limit].rstrip("-") if limit is not None else cleaned
