"""Values as French documents print them: amounts, dates, percentages, surfaces, SIRET, and
the no-break spaces of French typography."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..formatting import format_amount, format_date_long, format_number

NBSP = "\u00a0"


def money(value: Decimal | int | float) -> str:
    """``1 234,50 €``: narrow no-break space between thousands, no-break space before €."""
    return f"{format_amount(value)}{NBSP}€"


def long_date(value: dt.date | None) -> str:
    """``4 mars 2025``, ``1er juillet 2024``; the day never parts from its month."""
    if value is None:
        return ""
    return format_date_long(value).replace(" ", NBSP, 1)


def percent(value: Decimal | int | float) -> str:
    return f"{format_number(value)}{NBSP}%"


def surface(value: Decimal | int | float | None) -> str:
    return f"{format_number(value)}{NBSP}m²" if value is not None else ""


def siret_text(siret: str | None) -> str:
    """``683 721 419 00110`` (SIREN in threes, then the NIC), unbreakable."""
    if not siret:
        return ""
    digits = siret.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        return siret
    return NBSP.join((digits[:3], digits[3:6], digits[6:9], digits[9:]))


def siren_text(siren: str | None) -> str:
    """``683 721 419``, in threes as on the Kbis, unbreakable."""
    digits = (siren or "").replace(" ", "")
    if len(digits) != 9 or not digits.isdigit():
        return siren or ""
    return NBSP.join((digits[:3], digits[3:6], digits[6:]))


def french_typography(text: str) -> str:
    """A no-break space where French typography wants one: before ``: ; ! ?``, after « and
    before », after « n° » (the ordinary space typed there is replaced; nothing is added
    where there was no space, as in URLs and times). U+00A0, as Word's French autocorrect
    types it, since not every font draws the narrow one."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in ":;!?»" and i > 0 and text[i - 1] == " ":
            out[-1] = NBSP
        elif ch == " " and i > 0 and (text[i - 1] == "«" or text[i - 2 : i] == "n°"):
            ch = NBSP
        out.append(ch)
    return "".join(out)


CATEGORY_LABELS = {
    "hébergé": "Membre hébergé",
    "bénéficiaire": "Membre bénéficiaire",
    "membre de droit": "Membre de droit",
}
CATEGORY_SHORT = {"hébergé": "Hébergé", "bénéficiaire": "Bénéficiaire", "membre de droit": "Membre de droit"}
