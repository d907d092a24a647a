"""``[association]`` and ``[documents]``: who the association is, where templates and files go.

``[association]`` describes the association as its documents name it (conventions,
receipts, charter, attendance sheet); ``[documents]`` says where templates are read and
files written, and how PDF conversion runs. Both sections are optional: the defaults
describe the demo MILA, whose SIRET and IBAN are left blank (documents then omit them and
the job warns).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field

from .base import ConfigPath, Seconds, Section, Text

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _percent(value: object) -> object:
    if isinstance(value, str):
        return value.replace(",", ".").replace("%", "").strip()
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _digits(value: object) -> object:
    return value.replace(" ", "") if isinstance(value, str) else value


Percent = Annotated[Decimal, BeforeValidator(_percent), Field(
    strict=False, ge=0, le=100, description="un pourcentage entre 0 et 100, par exemple 20")]


class AssociationSettings(Section):
    """The association as its documents present it (section ``[association]``)."""

    section = "association"

    name: Text = Field("MILA", min_length=1, description="le nom de l'association, non vide")
    legal_name: Text = "Association MILA"  # as registered, in the parties of a convention
    legal_form: Text = "association régie par la loi du 1er juillet 1901"
    address: Text = "12 rue Émile Blémont, 75018 Paris"
    siret: Annotated[str, BeforeValidator(_digits)] = Field(
        "", pattern=r"^(\d{14})?$",
        description="un numéro SIRET de 14 chiffres, par exemple « 683 721 419 00110 »")
    vat_number: Text = ""  # numéro de TVA intracommunautaire
    iban: Text = ""
    bic: Text = ""
    email: Text = ""
    phone: Text = ""
    website: Text = ""
    city: Text = "Paris"  # « Fait à Paris, le … »
    rent_vat_percent: Percent = Decimal(20)  # VAT on the rent of a mise à disposition
    quorum_percent: Percent = Decimal(50)  # share of the votes of up-to-date members


class DocumentsSettings(Section):
    """Where templates are read and documents written (section ``[documents]``)."""

    section = "documents"

    templates: ConfigPath = REPO_TEMPLATES
    out: ConfigPath = Field(Path("out"), validate_default=True)
    soffice: Text = Field("soffice", description="la commande de LibreOffice, par exemple « soffice »")
    pdf_timeout: Seconds = 180.0  # seconds for one conversion batch
