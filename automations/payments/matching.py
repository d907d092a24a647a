"""The member a payment comes from: a pure rule, in :mod:`automations.rules.matching`
(kept importable from here for the modules that name it so)."""

from ..rules.matching import (
    FUZZY_CUTOFF,
    FUZZY_MARGIN,
    REFERENCE,
    SIRET,
    Clue,
    Match,
    MemberIndex,
    normalize_name,
)

__all__ = [
    "FUZZY_CUTOFF",
    "FUZZY_MARGIN",
    "REFERENCE",
    "SIRET",
    "Clue",
    "Match",
    "MemberIndex",
    "normalize_name",
]
