"""The French of the annual report: numbers, dates, comparisons and the sentences built
from the figures, shared by the writer and its sections.

Typography follows the association's reports and French usage: digits grouped by a narrow
no-break space (``2 023``), a no-break space before ``: ; ! ? » % €`` and after ``«``, a
true minus sign in changes (``−17``), dates written out (``1er mars 2024``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.lists import format_list

from ..documents.french import typographic
from ..formatting import format_amount, format_date_long, format_number
from ..text import fold
from .data import AgendaItem, BoardSeat, FeePeriod, FigureLine, MemberMove, PremisesFigures, RateLine

Number = int | Decimal
NBSP = "\u00a0"
MINUS = "\u2212"
AUDIT = "d'audit"

Runs = str | Sequence[tuple[str, str]]  # "text" or [("text", "b"), ("more", "i")]


CATEGORY_PLURAL = {
    "hébergé": "membres hébergés",
    "bénéficiaire": "membres bénéficiaires",
    "membre de droit": "membres de droit",
}
CATEGORY_SINGULAR = {
    "hébergé": "Membre hébergé",
    "bénéficiaire": "Membre bénéficiaire",
    "membre de droit": "Membre de droit",
}
FUNCTION_FORMS = {  # (Mme, M.)
    "Président·e": ("Présidente", "Président"),
    "Vice-président·e": ("Vice-présidente", "Vice-président"),
    "Trésorier·e": ("Trésorière", "Trésorier"),
    "Vice-trésorier·e": ("Vice-trésorière", "Vice-trésorier"),
    "Secrétaire": ("Secrétaire", "Secrétaire"),
    "Vice-secrétaire": ("Vice-secrétaire", "Vice-secrétaire"),
    "Administrateur·rice": ("Administratrice", "Administrateur"),
}
RATE_NAMES = {
    "BENEFICIAIRE": "Cotisation des membres bénéficiaires",
    "BASIC": "Forfait BASIC",
    "PREMIUM": "Forfait PREMIUM",
    "CRESCENDO": "Option Entrepreneuriat Crescendo (ateliers pratiques)",
    "HEBERGE_M2": "Cotisation des membres hébergés",
    "MEMBRE_DE_DROIT": "Membres de droit",
}


def typeset(text: str) -> str:
    """French typography: the typographic apostrophe (’), a no-break space before
    ``: ; ! ? » % €`` and after ``«`` (the ordinary space typed there is replaced, nothing is
    added where there was none)."""
    text = typographic(text)
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in ":;!?»%€" and i > 0 and text[i - 1] == " ":
            out[-1] = NBSP
        elif ch == " " and i > 0 and text[i - 1] == "«":
            ch = NBSP
        out.append(ch)
    return "".join(out)


def quoted(text: str) -> str:
    text = text.strip()
    if text.startswith(("«", "“", '"')):
        return text
    return f"«{NBSP}{text}{NBSP}»"


def num(value: int | Decimal) -> str:
    """``2 023``, ``12,5``: French digits, narrow no-break spaces between thousands."""
    return format_number(value)


def money(value: Decimal | int) -> str:
    return f"{format_amount(value)}{NBSP}€"


def percent(rate: Decimal) -> str:
    """A rate from 0 to 1 as a whole percentage: ``11 %``; ``< 1 %`` for a tiny one."""
    value = Decimal(rate) * 100
    if 0 < value < Decimal("0.5"):
        return f"<{NBSP}1{NBSP}%"
    return f"{num(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))}{NBSP}%"


def long_date(day: dt.date) -> str:
    """``4 mars 2025``, ``1er juillet 2024``, the day never parted from its month."""
    return format_date_long(day).replace(" ", NBSP, 1)


def day_month(day: dt.date) -> str:
    """``4 mars``, ``1er juillet``."""
    return long_date(day).rsplit(" ", 1)[0]


def plural(n: Number, singular: str, plural_form: str) -> str:
    return f"{num(n)} {singular if -2 < n < 2 else plural_form}"


def join_fr(items: Sequence[str]) -> str:
    """« a, b et c »: the non-empty items as French lists them (Babel's ``format_list``)."""
    return format_list([i for i in items if i], locale="fr")


def signed(value: Number, unit: str | None = None) -> str:
    """``+940``, ``−17``, ``+500 €``, ``+2 points`` (for a unit in %), ``stable``."""
    if value == 0:
        return "stable"
    sign = "+" if value > 0 else MINUS
    size = value if value > 0 else -value  # abs(), which mypy does not follow on a union
    text = f"{sign}{num(size)}"
    if unit == "%":
        return f"{text}{NBSP}point{'s' if size >= 2 else ''}"
    if unit == "€":
        return f"{sign}{money(size)}"
    return text


def structures(n: Number) -> str:
    """``1 structure adhérente``, ``12 structures adhérentes``."""
    return plural(n, "structure adhérente", "structures adhérentes")


def with_unit(value: Decimal | int, unit: str | None) -> str:
    if unit == "€":
        return money(value)
    if not unit:
        return num(value)
    return f"{num(value)}{NBSP}{unit}"


def function_label(seat: BoardSeat) -> str:
    function = seat.function or ""
    forms = FUNCTION_FORMS.get(function)
    if forms is None:
        return function or "Membre du conseil"
    if seat.civility == "Mme":
        return forms[0]
    if seat.civility == "M.":
        return forms[1]
    return function


def person(seat: BoardSeat) -> str:
    return f"{seat.civility}{NBSP}{seat.name}" if seat.civility else seat.name


def structure_of(seat: BoardSeat) -> str:
    if not seat.structure or seat.structure.strip().casefold() == seat.name.strip().casefold():
        return "Personne physique"
    return seat.structure


_SPEAKER = re.compile(r"^(?P<name>.*?)\s*\((?P<org>[^()]*)\)\s*$")


def _is_own(text: str, own: str) -> bool:
    """Whether ``text`` names the association itself (« MILA », « Équipe MILA », « Pôle MILA »)."""
    return bool(own) and fold(own) in fold(text).split() + [fold(text)]


def of_own(own: str) -> str:
    """« du MILA » for an acronym, « de Musiques en Ville » otherwise."""
    return f"du {own}" if own.isupper() else f"de {own}"


def speakers_text(speakers: Sequence[str], own: str = "") -> str:
    """The speakers as the sheet gives them, « Nom (organisation ou rôle) »; the association's
    own team is never « (MILA) »: « Aude Merlet, de l'équipe du MILA », « l'équipe du MILA »."""
    outside_names, team, whole_team = [], [], False
    for speaker in (s.strip() for s in speakers):
        if not speaker:
            continue
        match = _SPEAKER.match(speaker)
        name, org = (match.group("name"), match.group("org")) if match else (speaker, "")
        if fold(name).startswith("equipe") and (_is_own(name, own) or _is_own(org, own) or not org):
            whole_team = True
        elif org and _is_own(org, own):
            team.append(name)
        else:
            outside_names.append(speaker)
    parts = list(outside_names)
    if team:
        parts.append(f"{join_fr(team)}, de l'équipe {of_own(own)}")
    elif whole_team:
        parts.append(f"l'équipe {of_own(own)}")
    return join_fr(parts)


def outside(place: str | None, own: str) -> bool:
    """Whether a place is worth naming: not the association's own premises."""
    if place is None or not place.strip():
        return False
    return not place.startswith("Pôle") and not _is_own(place, own)


# --------------------------------------------------------------------------- sentences


def or_dash(value: Number | None, zero_dash: bool = False) -> str:
    if value is None or (zero_dash and value == 0):
        return "–"
    return num(value)


def count_structures(n: Number, verb_one: str, verb_many: str, new: bool = False) -> str:
    adjective = "nouvelle " if new and n < 2 else ("nouvelles " if new else "")
    return f"{num(n)} {adjective}{'structure' if n < 2 else 'structures'} {verb_one if n < 2 else verb_many}"


def occupied_sentence(p: PremisesFigures, when: str, shops: bool) -> str:
    """« Au 31 décembre 2025, 12 bureaux sur 13 sont occupés par des structures adhérentes »."""
    n, total = p.occupied_at_end.value, p.units
    unit, units, e = ("boutique", "boutiques", "e") if shops else ("bureau", "bureaux", "")
    if n == 0:
        return f"{when}, aucun{e} {unit} n'est occupé{e} par une structure adhérente"
    if n == 1:
        return f"{when}, 1 {unit} sur {num(total)} est occupé{e} par une structure adhérente"
    return f"{when}, {num(n)} {units} sur {num(total)} sont occupé{e}s par des structures adhérentes"


def of_sessions(n: Number) -> str:
    """``d'une séance``, ``de 4 séances``."""
    return "d'une séance" if n == 1 else f"de {num(n)} séances"


def sessions_took_place(n: Number, what: str) -> str:
    return f"une séance {what} a eu lieu" if n == 1 else f"{num(n)} séances {what} ont eu lieu"


def move_rows(moves: Sequence[MemberMove]) -> list[list[str]]:
    return [
        [m.structure, CATEGORY_SINGULAR.get(m.category or "", "–"), m.day.strftime("%d/%m/%Y")] for m in moves
    ]


def dated(item: AgendaItem, place: bool = False) -> list[tuple[str, str]]:
    where = f" ({item.place})" if place and item.place else ""
    return [(f"Le {day_month(item.day)} : ", "b"), (f"{quoted(item.title)}{where}", "")]


def audience(f: FigureLine) -> list[tuple[str, str]]:
    name, _, rest = f.label.partition(" – ")
    unit = f.unit
    if not rest:
        name = f.label
    change = f" ({signed(f.value - f.previous, unit)})" if f.previous is not None else ""
    return [(f"{name.strip()} : ", "b"), (f"{with_unit(f.value, unit)}{change}", "")]


def rate_text(rate: RateLine) -> list[tuple[str, str]]:
    """« Forfait BASIC : 120 € HT (rencontres collectives, mutualisations, réseau) »: the
    code's name, the amount, and what the ``Libellé`` says after its colon, if anything."""
    label = (rate.label or "").strip()
    name = RATE_NAMES.get(rate.code) or label or rate.code
    detail = label.split(":", 1)[1].strip() if ":" in label else ""
    if rate.amount_ht == 0:
        return [(f"{name} : ", "b"), ("pas de cotisation", "")]
    amount = f"{money(rate.amount_ht)} HT"
    if rate.code == "HEBERGE_M2":
        amount += " par m² mis à disposition"
    if rate.code == "CRESCENDO":
        amount = f"+{NBSP}{amount}"
    if rate.cap_ht is not None:
        amount += f", plafonnée à {money(rate.cap_ht)} HT"
    if detail:
        amount += f" ({detail})"
    return [(f"{name} : ", "b"), (amount, "")]


def period_intro(period: FeePeriod, n: int, count: int, year: int) -> list[tuple[str, str]]:
    if n == 0:
        return [(f"Jusqu'au {long_date(period.end)}, la cotisation se composait ainsi :", "")]
    if n == count - 1 and period.end == dt.date(year, 12, 31):
        since = f"depuis le {long_date(period.start)}, la cotisation se compose ainsi :"
        return [("Nouveauté : ", "b"), (since, "")]
    return [(f"Du {long_date(period.start)} au {long_date(period.end)} :", "")]


def staff_blocks(text: str) -> list[str | list[str]]:
    """A staff paragraph into paragraphs (a text) and bullet lists (a list of texts): a blank
    line separates two paragraphs, lines starting with « - », « – » or « • » are list items."""
    blocks: list[str | list[str]] = []
    for chunk in text.replace("\r\n", "\n").split("\n"):
        line = chunk.strip()
        if not line:
            continue
        if line[:1] in "-–•" and len(line) > 1:
            item = line[1:].strip()
            last = blocks[-1] if blocks else None
            if isinstance(last, list):
                last.append(item)
            else:
                blocks.append([item])
        else:
            blocks.append(line)
    return blocks
