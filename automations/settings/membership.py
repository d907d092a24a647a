"""``[membership]``: the period a fee covers, the renewal window, the votes per category."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Final, Literal

from pydantic import BeforeValidator, Field

from ..text import fold
from .base import Days, Section

TWELVE_MONTHS: Final = "12 mois"
CALENDAR_YEAR: Final = "année civile"
DEFAULT_VOTES = {"hébergé": 10, "bénéficiaire": 2, "membre de droit": 1}
Status = Literal["à jour", "à renouveler", "échue", "en attente", "sortie"]
ALL_STATUSES_BUT_SORTIE: frozenset[Status] = frozenset({"à jour", "à renouveler", "échue", "en attente"})
_PERIODS = {
    fold(TWELVE_MONTHS): TWELVE_MONTHS,
    "12 months": TWELVE_MONTHS,
    "annuel": TWELVE_MONTHS,
    fold(CALENDAR_YEAR): CALENDAR_YEAR,
    "calendaire": CALENDAR_YEAR,
    "calendar year": CALENDAR_YEAR,
}


def _period(value: object) -> object:
    return _PERIODS.get(fold(value), value) if isinstance(value, str) else value


Period = Annotated[
    Literal["12 mois", "année civile"],
    BeforeValidator(_period),
    Field(description=f"« {TWELVE_MONTHS} » ou « {CALENDAR_YEAR} »"),
]


class MembershipPolicy(Section):
    """The association's settings for periods, reminders and votes.

    ``voting_statuses``: the statuses that give votes. The contract only takes them away
    from ``sortie``; set ``{"à jour", "à renouveler"}`` to require payment.
    """

    section = "membership"

    period: Period = TWELVE_MONTHS
    renew_window_days: Days = 30
    votes: Mapping[str, Annotated[int, Field(ge=0)]] = Field(
        default_factory=lambda: dict(DEFAULT_VOTES),
        description='une table catégorie = nombre de voix, par exemple "hébergé" = 10',
    )
    voting_statuses: frozenset[Status] = Field(
        ALL_STATUSES_BUT_SORTIE,
        strict=False,
        description="une liste de statuts parmi « à jour », « à renouveler », « échue », « en attente »",
    )

    def __hash__(self) -> int:  # the votes table is left out, as the dataclass did
        return hash((self.period, self.renew_window_days, self.voting_statuses))
