"""Yes/no cells and choices from a list, matched loosely (case, accents, dashes, inclusive endings)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache

from ..text import fold
from .cell_text import BOOL_HINT, ValueProblem, _prepare

_TRUE = frozenset({"oui", "o", "x", "vrai", "true", "yes", "y", "1", "ok", "✓", "✔", "✔️", "☑"})
_FALSE = frozenset({"non", "n", "faux", "false", "no", "0", "-", "✗", "☐"})


def parse_bool(value: object) -> bool:
    """Yes/no from ``oui``/``non``, ``x``/blank, ``vrai``/``faux``, ``TRUE``/``FALSE``,
    ``yes``/``no``, ``1``/``0``, a checkbox cell. Blank is no."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)
    if not isinstance(value, str):
        raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)
    text = value.strip().lstrip("'").strip()
    if len(text) > 20:
        raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)
    key = fold(text)
    if key in _TRUE:
        return True
    if key in _FALSE or not key:
        return False
    raise ValueProblem("Valeur oui/non illisible", value=value, hint=BOOL_HINT)


# --------------------------------------------------------------------------- choices

_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212]\s*")
_GENDER_SUFFIX = re.compile(r"[\u00b7\u2022\u22c5]\w*")
_APOSTROPHES = re.compile(r"[\u2019\u2018\u02bc`´]")


def choice_key(text: str) -> str:
    """The key choices are matched by: no case, no accents, one kind of dash and
    apostrophe, single spaces (``Crescendo - atelier  pratique`` = ``Crescendo – Atelier
    pratique``)."""
    text = _APOSTROPHES.sub("'", text)
    text = fold(text)
    text = _GENDER_SUFFIX.sub("", text)  # Président·e -> president
    return " ".join(_DASHES.sub(" - ", text).split())


def _stem(key: str) -> str:
    """A key without plural or feminine endings (``hebergees`` -> ``heberg``)."""
    words = []
    for word in key.split(" "):
        if len(word) > 3 and word.endswith("s"):
            word = word[:-1]
        while len(word) > 3 and word.endswith("e"):
            word = word[:-1]
        words.append(word)
    return " ".join(words)


@lru_cache(maxsize=128)
def _choice_index(choices: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    exact = {choice_key(c): c for c in choices}
    stems: dict[str, str] = {}
    clashes: set[str] = set()
    for key, canonical in exact.items():
        stem = _stem(key)
        if stem in stems and stems[stem] != canonical:
            clashes.add(stem)
        stems[stem] = canonical
    for stem in clashes:
        del stems[stem]
    return exact, stems


def parse_choice(
    value: object,
    choices: Iterable[str],
    *,
    aliases: Mapping[str, str] | None = None,
) -> str:
    """The canonical spelling of one of ``choices``, matched ignoring case, accents,
    surrounding spaces, dash and apostrophe variants, and a plural or feminine ending
    (``HEBERGE``, ``Hébergée`` -> ``hébergé``; ``premium`` -> ``PREMIUM``). ``aliases``
    maps other spellings to a canonical choice."""
    options = tuple(choices)
    alias_items = tuple(aliases.items()) if aliases else ()
    if isinstance(value, str) and len(value) <= 200:
        found = _match_choice(value, options, alias_items)
        if found is not None:
            return found
    listing = ", ".join(options)
    hint = f"Choisissez parmi : {listing}." if len(listing) < 400 else "Choisissez dans la liste."
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem("Valeur inconnue", value=value, hint=hint)
    text = _prepare(str(value), "Valeur inconnue", hint)
    found = _match_choice(text, options, alias_items)
    if found is None:
        raise ValueProblem("Valeur inconnue", value=value, hint=hint)
    return found


@lru_cache(maxsize=4096)
def _match_choice(text: str, options: tuple[str, ...], aliases: tuple[tuple[str, str], ...]) -> str | None:
    text = text.strip()
    if text.startswith("'"):
        text = text[1:]
    key = choice_key(text)
    exact, stems = _choice_index(options)
    if key in exact:
        return exact[key]
    for alias, canonical in aliases:
        if choice_key(alias) == key:
            return canonical
    return stems.get(_stem(key))
