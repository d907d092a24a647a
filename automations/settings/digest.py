"""``[digest]``: who receives the daily summary of what needs a person (``mila resume``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from babel.dates import get_month_names
from pydantic import BeforeValidator, Field

from ..text import fold
from .base import Section
from .mail import Address

_MONTHS = {fold(str(name)): n for n, name in get_month_names("wide", locale="fr_FR").items()}


def _assembly(value: object) -> object:
    """A date (« 2026-06-23 ») or a month (« juin », 6) for the general assembly."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isdigit():
            return int(text)
        if fold(text) in _MONTHS:
            return _MONTHS[fold(text)]
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("une date AAAA-MM-JJ ou un mois (« juin »)") from None
    if isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= 12:
        raise ValueError("un mois de 1 à 12")
    if isinstance(value, dt.datetime):
        return value.date()
    return value


Assembly = Annotated[
    dt.date | int | None,
    BeforeValidator(_assembly),
    Field(description="la date de l'assemblée générale (AAAA-MM-JJ) ou son mois (« juin » ou 6)"),
]


class DigestSettings(Section):
    """``to``: the staff addresses of the daily summary; none, no summary is sent."""

    section = "digest"

    to: list[Address] = Field(
        default_factory=list, description='une liste d\'adresses e-mail, par exemple ["equipe@mila.fr"]'
    )
    # The general assembly: in the month before it, the summary lists the report's texts
    # still to write (rules/texts.py). A date, or a month when the day is not fixed yet.
    assemblee_generale: Assembly = None
