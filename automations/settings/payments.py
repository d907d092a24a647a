"""``[payments]``: HelloAsso's API address, the organisation and its forms.

    [payments]
    helloasso_url = "https://api.helloasso.com"   # a local fake in tests
    organisation = "mila-paris"
    forms = ["Membership/adhesion-2025", "Event/soiree-de-rentree"]
    since_days = 365                               # first pull: how far back
    drive_inbox = "https://drive.google.com/drive/folders/…"  # files the staff drop to import

The client ID and secret come from the environment only (``HELLOASSO_CLIENT_ID``,
``HELLOASSO_CLIENT_SECRET``), never from the file.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from .base import OptionalText, Section
from .documents import drive_folder_id

DEFAULT_URL = "https://api.helloasso.com"
FORM_TYPES = ("Membership", "Event", "Shop", "Donation", "CrowdFunding", "PaymentForm", "Checkout")

# The key of [payments] each variable gives (the file may not hold them: they are secrets).
VARIABLES = {"client_id": "HELLOASSO_CLIENT_ID", "client_secret": "HELLOASSO_CLIENT_SECRET"}

FORM_LIST = (
    "une liste de formulaires TYPE/slug, TYPE parmi "
    + ", ".join(FORM_TYPES)
    + ', par exemple ["Membership/adhesion-2025"]'
)


def _forms(value: object) -> object:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return value  # the type check says what is expected
    forms = []
    for item in value:
        kind, _, slug = item.partition("/")
        if not slug:
            kind, slug = "Membership", kind
        match = next((t for t in FORM_TYPES if t.casefold() == kind.strip().casefold()), None)
        if match is None or not slug.strip():
            raise ValueError(
                f"formulaire HelloAsso « {item} » mal écrit : écrivez TYPE/slug, TYPE parmi "
                f"{', '.join(FORM_TYPES)}"
            )
        forms.append((match, slug.strip()))
    return tuple(forms)


def _url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"« {value} » doit commencer par https://")
    return value.rstrip("/")


class PaymentsSettings(Section):
    """Where `mila paiements helloasso` reads the orders (``[payments]`` and HELLOASSO_*)."""

    section = "payments"

    helloasso_url: Annotated[str, AfterValidator(_url)] = Field(
        DEFAULT_URL,
        description="une adresse qui commence par https://, par exemple « https://api.helloasso.com »",
    )
    organisation: OptionalText = Field(
        None, description="le nom court de l'organisation sur HelloAsso, par exemple « mila-paris »"
    )
    forms: Annotated[tuple[tuple[str, str], ...], BeforeValidator(_forms)] = Field(
        (), strict=False, description=FORM_LIST
    )
    since_days: int = Field(365, ge=1, description="un nombre entier de jours, au moins 1, par exemple 365")
    # The Drive folder the staff drop HelloAsso exports and bank statements in (its URL or ID):
    # imported by the request « importer les paiements » and the daily pass, then moved to
    # « Importés/AAAA » beside it.
    drive_inbox: Annotated[str | None, BeforeValidator(drive_folder_id)] = Field(
        None,
        description="l'adresse d'un dossier Google Drive (https://drive.google.com/drive/folders/…)",
    )
    max_retries: int = Field(5, ge=1, description="un nombre entier d'essais, au moins 1, par exemple 5")
    retry_wait_max: float = Field(
        30.0, ge=0, strict=False, description="un nombre de secondes, par exemple 30"
    )
    client_id: OptionalText = Field(
        None, description="l'identifiant du client de l'API (HELLOASSO_CLIENT_ID)"
    )
    client_secret: OptionalText = Field(
        None, repr=False, description="le secret du client de l'API (HELLOASSO_CLIENT_SECRET)"
    )
