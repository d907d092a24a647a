"""The text helpers every module compares names and builds file names with."""

from __future__ import annotations

import pytest

from automations.calendars import safe_filename as calendar_name
from automations.documents.outputs import safe_part
from automations.schema import normalize_header
from automations.text import fold, slug, sort_key, strip_accents, to_ascii


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Échéance", "Echeance"), ("Œuvre Noël", "Œuvre Noel"), ("ﬁn", "fin"), ("", "")],
)
def test_strip_accents_keeps_every_letter(text, expected):
    """Accents go, letters without a decomposition (Œ) stay, ligatures are spelled out."""
    assert strip_accents(text) == expected


def test_fold_and_sort_key_ignore_case_and_accents():
    """fold also makes spaces single; sort_key keeps them and reads None as empty."""
    assert fold("  Année\u00a0 Civile\n") == "annee civile"
    assert fold("Straße") == "strasse"
    assert sort_key("  Élise  B") == "  elise  b"
    assert sort_key(None) == fold(None) == ""
    assert sorted(["Zoé", "émile", "Eric"], key=sort_key) == ["émile", "Eric", "Zoé"]


def test_headers_are_compared_by_fold():
    """A header's key is its folded text (« Surface m² » -> « surface m2 »)."""
    assert normalize_header("  Surface\tm² ") == "surface m2" == fold("Surface m²")


def test_to_ascii_drops_what_ascii_cannot_spell():
    """Letters lose their accents; characters outside ASCII (Œ, emoji) go."""
    assert to_ascii("Œuvre Été 🎧") == "uvre Ete "


@pytest.mark.parametrize(
    ("text", "limit", "lower", "expected"),
    [
        ("Pixel & Refrain 🎧", None, False, "Pixel-Refrain"),
        ("../../x", None, False, "x"),
        ("Salle de réunion (RDC)", None, True, "salle-de-reunion-rdc"),
        ("abc def", 4, False, "abc"),
        ("🎧", None, False, ""),
        (None, 5, False, ""),
    ],
)
def test_slug_is_a_safe_file_name_piece(text, limit, lower, expected):
    """ASCII letters, digits and single dashes, none at either end, cut at the limit."""
    assert slug(text, limit=limit, lower=lower) == expected


def test_file_names_built_on_slug_keep_their_fallbacks():
    """Documents and calendars still give their own name when nothing is left."""
    assert safe_part("🎧") == "sans-nom" and safe_part("CON") == "CON-"
    assert calendar_name("🎧") == "calendrier"
    assert calendar_name("Salle " + "a" * 70) == "salle-" + "a" * 54
