"""``[donnees]``: how long personal data is kept, and whom people write to about theirs."""

from __future__ import annotations

from pydantic import Field

from .base import Section
from .mail import Address

YEARS = "un nombre entier d'années, au moins 1, par exemple 3"


class PrivacySettings(Section):
    """``conservation_annees``: the years a leaver's data (after ``Sortie le``), or a form
    respondent's who never became a member (after their last answer), is kept before the
    daily summary lists it for erasure. ``contact``: the address the acknowledgement
    e-mails give for requests about personal data (none: the sender of ``[mail]``)."""

    section = "donnees"

    conservation_annees: int = Field(3, ge=1, le=50, description=YEARS)
    contact: Address | None = None
