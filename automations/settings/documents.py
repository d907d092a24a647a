"""``[association]`` and ``[documents]``: who the association is, where templates and files go.

``[association]`` describes the association as its documents name it (conventions,
receipts, charter, attendance sheet); ``[documents]`` says where templates are read and
files written, and how PDF conversion runs. Both sections are optional: the defaults
describe the demo MILA, whose SIRET and IBAN are left blank (documents then omit them and
the job warns).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from ..text import fold
from .base import ConfigPath, FolderPath, OptionalText, Seconds, Section, Text
from .mail import Address

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The environment variables that override keys of ``[documents]`` (config.ENVIRONMENT lists them).
VARIABLES = {
    "drive_folder": "MILA_DRIVE_FOLDER",
    "drive_emulator_host": "DRIVE_EMULATOR_HOST",
}

# The board's functions as the ``Conseil`` tab writes them (schema.BOARD_FUNCTIONS is this list).
BOARD_FUNCTIONS = (
    "Président·e",
    "Vice-président·e",
    "Trésorier·e",
    "Vice-trésorier·e",
    "Secrétaire",
    "Vice-secrétaire",
    "Administrateur·rice",
)


def _function_key(text: str) -> str:
    return fold(text).replace("·", "").replace("-", " ")


def _spellings(function: str) -> set[str]:
    """« Trésorier·e » is also « trésorier », « Trésorière », « trésoriere »…"""
    bare = function.replace("·rice", "").replace("·e", "")
    forms = {function, bare, function.replace("·e", "e"), function.replace("·rice", "rice")}
    if function.endswith("ier·e"):
        forms.add(bare[:-3] + "ière")
    if function.endswith("·rice"):
        forms.add(bare[:-4] + "ratrice" if bare.endswith("teur") else bare)
    return {_function_key(form) for form in forms}


_FUNCTIONS = {spelling: function for function in BOARD_FUNCTIONS for spelling in _spellings(function)}
FUNCTION_LIST = (
    'une liste de fonctions du conseil, par exemple ["Président·e", "Vice-président·e", '
    '"Trésorier·e", "Secrétaire"]'
)


def _functions(value: object) -> object:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return value  # the type check says what is expected
    out: list[str] = []
    for item in value:
        found = _FUNCTIONS.get(_function_key(item))
        if found is None:
            known = ", ".join(BOARD_FUNCTIONS)
            raise ValueError(f"fonction inconnue « {item} » ; fonctions possibles : {known}")
        if found not in out:
            out.append(found)
    return tuple(out)


ADDRESS_LIST = 'une liste d\'adresses e-mail, par exemple ["presidence@mila.fr", "tresorerie@mila.fr"]'
RECEIPT_PURPOSES = ("cotisation", "loyer", "réservation")
PURPOSE_LIST = (
    'une liste parmi « cotisation », « loyer », « réservation », par exemple ["cotisation", "loyer"]'
)


def _purposes(value: object) -> object:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return value  # the type check says what is expected
    found = {fold(p): p for p in RECEIPT_PURPOSES}
    out: list[str] = []
    for item in value:
        purpose = found.get(fold(item).strip())
        if purpose is None:
            raise ValueError(
                f"objet de paiement « {item} » inconnu ; objets possibles : {', '.join(RECEIPT_PURPOSES)}"
            )
        if purpose not in out:
            out.append(purpose)
    return tuple(out)


# A Drive ID: letters, digits, « - » and « _ » (folder IDs are 19 to 44 characters long).
_DRIVE_ID = re.compile(r"[A-Za-z0-9_-]{10,}")
_DRIVE_URL = re.compile(r"(?:/folders/|[?&]id=)([A-Za-z0-9_-]{10,})")
DRIVE_FOLDER_FORM = (
    "l'adresse d'un dossier Google Drive (https://drive.google.com/drive/folders/…) "
    "copiée depuis le navigateur, ou son identifiant"
)


def drive_folder_id(value: object) -> object:
    """The folder's ID, from the ID itself or the address the browser shows
    (``https://drive.google.com/drive/u/0/folders/ID?usp=sharing``, ``…/open?id=ID``)."""
    if not isinstance(value, str):
        return value  # the type check says what is expected
    text = value.strip()
    if not text:
        return None
    if "/" not in text and "?" not in text:
        if _DRIVE_ID.fullmatch(text):
            return text
        raise ValueError(f"« {text} » n'est pas un identifiant de dossier Google Drive")
    found = _DRIVE_URL.search(text)
    if found is None or "google.com" not in text:
        raise ValueError(f"« {text} » n'est pas l'adresse d'un dossier Google Drive")
    return found.group(1)


def _rna(value: object) -> object:
    return value.replace(" ", "").upper() if isinstance(value, str) else value


def _percent(value: object) -> object:
    if isinstance(value, str):
        return value.replace(",", ".").replace("%", "").strip()
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _digits(value: object) -> object:
    return value.replace(" ", "") if isinstance(value, str) else value


Percent = Annotated[
    Decimal,
    BeforeValidator(_percent),
    Field(strict=False, ge=0, le=100, description="un pourcentage entre 0 et 100, par exemple 20"),
]


class AssociationSettings(Section):
    """The association as its documents present it (section ``[association]``)."""

    section = "association"

    name: Text = Field("MILA", min_length=1, description="le nom de l'association, non vide")
    legal_name: Text = "Association MILA"  # as registered, in the parties of a convention
    legal_form: Text = "association régie par la loi du 1er juillet 1901"
    address: Text = "12 rue Émile Blémont, 75018 Paris"
    siret: Annotated[str, BeforeValidator(_digits)] = Field(
        "",
        pattern=r"^(\d{14})?$",
        description="un numéro SIRET de 14 chiffres, par exemple « 683 721 419 00110 »",
    )
    rna: Annotated[str, BeforeValidator(_rna)] = Field(
        "",
        pattern=r"^(W\d{9})?$",
        description="un numéro RNA, W suivi de 9 chiffres, par exemple « W751234567 »",
    )
    # « le MILA », « du MILA »: the article before the short name, or "" for none
    article: Literal["le", "la", "les", "l'", "l’", ""] = Field(
        "le", description="« le », « la », « l' », « les » ou « » (aucun article devant le nom)"
    )
    vat_number: Text = ""  # numéro de TVA intracommunautaire
    iban: Text = ""
    bic: Text = ""
    email: Text = ""
    phone: Text = ""
    website: Text = ""
    city: Text = "Paris"  # « Fait à Paris, le … »
    rent_vat_percent: Percent = Decimal(20)  # VAT on the rent of a mise à disposition
    quorum_percent: Percent = Decimal(50)  # share of the votes of up-to-date members
    # who signs for the association when the president cannot (tied to the other party)
    signatory_order: Annotated[tuple[str, ...], BeforeValidator(_functions)] = Field(
        (
            "Président·e",
            "Vice-président·e",
            "Trésorier·e",
            "Secrétaire",
            "Vice-trésorier·e",
            "Vice-secrétaire",
        ),
        strict=False,
        min_length=1,
        description=FUNCTION_LIST,
    )


class DocumentsSettings(Section):
    """Where templates are read and documents written (section ``[documents]``)."""

    section = "documents"

    templates: ConfigPath = REPO_TEMPLATES
    out: FolderPath = Field(Path("out"), validate_default=True)
    soffice: Text = Field("soffice", description="la commande de LibreOffice, par exemple « soffice »")
    pdf_timeout: Seconds = 180.0  # seconds for one conversion batch
    # conventions for premises of the Boutique site (their tenants hold commercial leases)
    shop_conventions: bool = Field(False, description="true ou false")
    # With a « Paiements » tab: which payments get a receipt (« Objet »), and how old a
    # payment may be for its receipt to be e-mailed automatically (older ones are listed).
    receipts_for: Annotated[tuple[str, ...], BeforeValidator(_purposes)] = Field(
        ("cotisation",), strict=False, min_length=1, description=PURPOSE_LIST
    )
    receipts_send_days: int = Field(60, ge=0, description="un nombre entier de jours, par exemple 60")
    # the scheduler's documents job also e-mails the receipts not yet sent (a mail server needed)
    send_receipts: bool = Field(False, description="true ou false")
    # `mila docs rapport --envoyer`: the board's addresses; empty: those of the Conseil tab
    # (the « Email » of each board member's row of Membres)
    board_emails: tuple[Address, ...] = Field((), strict=False, description=ADDRESS_LIST)
    # The shared Drive folder the documents are uploaded to (its ID; an address is accepted);
    # none: the documents stay in ``out``.
    drive_folder: Annotated[str | None, BeforeValidator(drive_folder_id)] = Field(
        None, description=DRIVE_FOLDER_FORM
    )
    # DRIVE_EMULATOR_HOST: Drive requests go to this emulator (plain HTTP, anonymous)
    drive_emulator_host: OptionalText = Field(
        None, description="hôte:port de l'émulateur, par exemple « 127.0.0.1:8085 »"
    )
