"""``[digest]``: who receives the daily summary of what needs a person (``mila resume``)."""

from __future__ import annotations

from pydantic import Field

from .base import Section
from .mail import Address


class DigestSettings(Section):
    """``to``: the staff addresses of the daily summary; none, no summary is sent."""

    section = "digest"

    to: list[Address] = Field(
        default_factory=list, description='une liste d\'adresses e-mail, par exemple ["equipe@mila.fr"]'
    )
