"""French that needs no correction around names typed in the workbook.

Templates write « de », « à », « le » before a name the staff typed (« Le Comptoir du
Vinyle », « Éditions Marelle », « L'Usine »); French contracts and elides there. These
functions do it, and are offered to every template as Jinja filters (:data:`FILTERS`):

- ``{{ x|de }}``: « du Comptoir du Vinyle », « des Femmes S’en Mêlent », « d’Éditions
  Marelle », « de L’Usine », « de la Cigale », « de Fanny Poirier »;
- ``{{ x|a }}``: « au Comptoir du Vinyle », « aux Femmes S’en Mêlent », « à L’Usine »;
- ``{{ x|majuscule }}``: the first letter capitalised, the rest untouched (« L’Association »).

Rules, decided once (docs/documents.md):

- only « Le » and « Les » as a separate first word contract (« du », « des », « au »,
  « aux »), whatever their case; « La » and « L’ » never do, and the name keeps its own
  capitals: « de La Cigale », « de L’Usine »;
- « de » elides before a vowel (accented or not, Œ and Æ included) and before a « y »
  followed by a consonant (« d’Yvelines », but « de Yes Records »); before an « h », only
  for the French words of :data:`MUTE_H` (« d’Harmonie Nomade », « d’Hôtel Pasteur »):
  the other names beginning with « h » (« Hip Hop Nation », « Hangar ») are read as
  aspirated, as foreign names usually are;
- a name beginning with a digit, a quotation mark, a bracket or any other sign is left
  alone: « de 3 Minutes Sur Mer », « de « Les Amis » »;
- « à » never elides.

Apostrophes: :func:`typographic` turns the typewriter apostrophe into ’ in running text
(never in an e-mail or web address).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..text import strip_accents

APOSTROPHE = "\u2019"

# French words beginning with a mute h: « d’Harmonie », « l’Hôtel ».
MUTE_H = frozenset(
    {
        "habit",
        "habitat",
        "habitant",
        "habitants",
        "habitude",
        "harmonie",
        "harmonies",
        "harmonica",
        "harmonium",
        "hebdo",
        "hebdomadaire",
        "hélice",
        "hélium",
        "herbe",
        "herbes",
        "héritage",
        "héritages",
        "hermine",
        "héroïne",
        "heure",
        "heures",
        "heureux",
        "heureuse",
        "hexagone",
        "hirondelle",
        "hirondelles",
        "histoire",
        "histoires",
        "hiver",
        "hivers",
        "homme",
        "hommes",
        "hommage",
        "horizon",
        "horizons",
        "horloge",
        "horloges",
        "hôpital",
        "hospitalité",
        "hôte",
        "hôtes",
        "hôtel",
        "huile",
        "huître",
        "humain",
        "humaine",
        "humains",
        "humanité",
        "humeur",
        "humour",
        "hymne",
        "hymnes",
        "hypnose",
        "hyper",
    }
)

_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœæ")
_CONTRACTING = {"le": ("du", "au"), "les": ("des", "aux")}


def typographic(text: str) -> str:
    """``L'Usine`` → ``L’Usine``: the typewriter apostrophe becomes ’ where it stands
    between two letters or after a letter (« les artistes' »); e-mail and web addresses
    are left as they are."""
    if "'" not in text or "@" in text or "://" in text or text.startswith("www."):
        return text
    return re.sub(r"(?<=\w)'", APOSTROPHE, text)


def _first_word(name: str) -> tuple[str, str]:
    """(first word, rest with its leading space) of ``name``."""
    match = re.match(r"(\S+)(\s.*)?$", name, re.S)
    if not match:
        return name, ""
    return match.group(1), match.group(2) or ""


def _elides(name: str) -> bool:
    """Whether « de » becomes « d’ » before ``name``."""
    if not name:
        return False
    first = name[0].lower()
    if first == "y":
        return len(name) > 1 and name[1].lower() not in _VOWELS
    if first in _VOWELS:
        return True
    if first == "h":
        word = re.split(r"[\s’'\-]", name, maxsplit=1)[0].lower()
        return word in MUTE_H
    return False


def _clean(value: Any) -> str:
    return typographic(" ".join(str(value if value is not None else "").split()))


def de(value: Any) -> str:
    """« de » before a name, contracted or elided as French wants."""
    name = _clean(value)
    if not name:
        return "de"
    word, rest = _first_word(name)
    if word.lower() in _CONTRACTING and rest.strip():
        return _CONTRACTING[word.lower()][0] + rest
    if _elides(name):
        return f"d{APOSTROPHE}{name}"
    return f"de {name}"


def a(value: Any) -> str:
    """« à » before a name, contracted as French wants (« au », « aux »)."""
    name = _clean(value)
    if not name:
        return "à"
    word, rest = _first_word(name)
    if word.lower() in _CONTRACTING and rest.strip():
        return _CONTRACTING[word.lower()][1] + rest
    return f"à {name}"


def majuscule(value: Any) -> str:
    """The first letter in capitals, the rest as typed (unlike Jinja's ``capitalize``)."""
    text = str(value if value is not None else "")
    return text[:1].upper() + text[1:]


def same_person(one: str | None, other: str | None) -> bool:
    """Whether two names typed in the workbook are the same person's (case, accents,
    spaces, hyphens and the order of the words ignored)."""

    def words(name: str | None) -> list[str]:
        return sorted(re.split(r"[\s\-’'.]+", strip_accents(name or "").casefold().strip()))

    a_words, b_words = words(one), words(other)
    return bool(a_words and a_words != [""]) and a_words == b_words


# The legal forms that are masculine nouns; the others (société, SARL, SAS, association,
# coopérative…) are feminine: « la société X, représentée par … ».
_MASCULINE_FORMS = ("groupement", "gie", "syndicat", "collectif", "etablissement", "office", "comite")


def is_natural_person(structure: str | None, contact: str | None, legal_form: str | None) -> bool:
    """A member who is a person (legal form « personne physique », or its name is its
    contact's): nobody represents it."""
    form = strip_accents(legal_form or "").casefold().strip()
    if form.startswith("personne physique") or form in (
        "particulier",
        "artiste",
        "auto-entrepreneur",
        "auto entrepreneur",
        "micro-entrepreneur",
    ):
        return True
    return same_person(structure, contact) or not (structure or "").strip()


def feminine_form(legal_form: str | None) -> bool:
    """Whether a legal form is a feminine noun (nearly all are: société, association);
    unknown forms count as one, the member being « la structure »."""
    form = strip_accents(legal_form or "").casefold().strip()
    if not form:
        return True
    first = re.split(r"[\s(]", form, maxsplit=1)[0]
    return first not in _MASCULINE_FORMS


def by_civility(civility: str | None, feminine: str, masculine: str, neutral: str) -> str:
    """One of three words, as ``Civilité`` says (``Mme``, ``M.``, unknown)."""
    return feminine if civility == "Mme" else masculine if civility == "M." else neutral


FILTERS: dict[str, Callable[..., str]] = {"de": de, "a": a, "majuscule": majuscule}
FILTER_HELP = (
    (
        "de",
        "« de » devant un nom, contracté ou élidé",
        "{{ membre.structure|de }}",
        "du Comptoir du Vinyle · des Femmes S’en Mêlent · d’Éditions Marelle · de L’Usine",
    ),
    (
        "a",
        "« à » devant un nom, contracté",
        "{{ membre.structure|a }}",
        "au Comptoir du Vinyle · aux Femmes S’en Mêlent · à L’Usine",
    ),
    (
        "majuscule",
        "première lettre en capitale, le reste inchangé",
        "{{ association.designation|majuscule }}",
        "L’Association MILA",
    ),
)
