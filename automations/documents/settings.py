"""The settings the documents need: who the association is, where templates and files go.

``[association]`` describes the association as its documents name it (conventions,
receipts, charter, attendance sheet); ``[documents]`` says where templates are read and
files written, and how PDF conversion runs. Both sections are optional: the defaults
describe the demo MILA, whose SIRET and IBAN are left blank (documents then omit them and
the job warns).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import ConfigError

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _unknown_keys(section: str, mapping: Mapping[str, Any], known: set[str]) -> None:
    unknown = set(mapping) - known
    if unknown:
        raise ConfigError(
            f"Configuration : clé(s) inconnue(s) dans [{section}] : {', '.join(sorted(unknown))}. "
            f"Clés possibles : {', '.join(sorted(known))}."
        )


def _text(section: str, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"Configuration : [{section}] {key} doit être un texte entre guillemets.")
    return value.strip()


def _percent(section: str, key: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace("%", "").strip())
    except InvalidOperation:
        raise ConfigError(
            f"Configuration : [{section}] {key} doit être un pourcentage, par exemple 20."
        ) from None
    if not 0 <= number <= 100:
        raise ConfigError(f"Configuration : [{section}] {key} doit être compris entre 0 et 100.")
    return number


def _functions(section: str, key: str, value: Any) -> tuple[str, ...]:
    """A list of board functions as the ``Conseil`` tab writes them (« Trésorière » and
    « trésorier » are « Trésorier·e »)."""
    from ..schema import BOARD_FUNCTIONS, normalize_header

    known = {normalize_header(f.replace("·e", "").replace("·rice", "")): f for f in BOARD_FUNCTIONS}
    known |= {normalize_header(f): f for f in BOARD_FUNCTIONS}
    known |= {normalize_header(f.replace("·e", "e")): f for f in BOARD_FUNCTIONS}
    known[normalize_header("Administratrice")] = "Administrateur·rice"
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"Configuration : [{section}] {key} doit être une liste de fonctions, par exemple "
                          '["Président·e", "Vice-président·e", "Trésorier·e", "Secrétaire"].')
    out: list[str] = []
    for item in value:
        found = known.get(normalize_header(item))
        if found is None:
            raise ConfigError(f"Configuration : [{section}] {key} : fonction inconnue « {item} ». "
                              f"Fonctions possibles : {', '.join(BOARD_FUNCTIONS)}.")
        if found not in out:
            out.append(found)
    return tuple(out)


@dataclass(frozen=True)
class AssociationSettings:
    """The association as its documents present it (section ``[association]``)."""

    name: str = "MILA"  # short name, in running text and headers
    legal_name: str = "Association MILA"  # as registered, in the parties of a convention
    legal_form: str = "association régie par la loi du 1er juillet 1901"
    address: str = "12 rue Émile Blémont, 75018 Paris"
    siret: str = ""
    rna: str = ""  # numéro RNA (W751234567)
    article: str = "le"  # « le MILA », « du MILA »: the article before the short name, or ""
    vat_number: str = ""  # numéro de TVA intracommunautaire
    iban: str = ""
    bic: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    city: str = "Paris"  # « Fait à Paris, le … »
    rent_vat_percent: Decimal = Decimal(20)  # VAT on the rent of a mise à disposition
    quorum_percent: Decimal = Decimal(50)  # share of the votes of up-to-date members
    # who signs for the association when the president cannot (tied to the other party)
    signatory_order: tuple[str, ...] = ("Président·e", "Vice-président·e", "Trésorier·e", "Secrétaire",
                                        "Vice-trésorier·e", "Vice-secrétaire")

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> AssociationSettings:
        """Read ``[association]``; unknown keys and wrong types are a ``ConfigError``."""
        known = {f.name for f in fields(cls)}
        _unknown_keys("association", section, known)
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key in ("rent_vat_percent", "quorum_percent"):
                values[key] = _percent("association", key, value)
            elif key == "signatory_order":
                values[key] = _functions("association", key, value)
            else:
                values[key] = _text("association", key, value)
        if "siret" in values:
            values["siret"] = values["siret"].replace(" ", "")
            if values["siret"] and not (values["siret"].isdigit() and len(values["siret"]) == 14):
                raise ConfigError(
                    "Configuration : [association] siret doit compter 14 chiffres "
                    f"(« {section['siret']} »)."
                )
        if "rna" in values:
            values["rna"] = values["rna"].replace(" ", "").upper()
            if values["rna"] and not (len(values["rna"]) == 10 and values["rna"][0] == "W"
                                      and values["rna"][1:].isdigit()):
                raise ConfigError("Configuration : [association] rna doit s'écrire W suivi de 9 chiffres "
                                  f"(« {section['rna']} »).")
        if values.get("article", "le") not in ("le", "la", "les", "l'", "l’", ""):
            raise ConfigError("Configuration : [association] article doit valoir \"le\", \"la\", \"l'\", "
                              "\"les\" ou \"\" (aucun article devant le nom).")
        if not values.get("name", cls.name):
            raise ConfigError("Configuration : [association] name ne peut pas être vide.")
        return cls(**values)


@dataclass(frozen=True)
class DocumentsSettings:
    """Where templates are read and documents written (section ``[documents]``).

    Relative paths are resolved against ``base`` (the configuration file's folder, or the
    current folder) by :meth:`from_section`.
    """

    templates: Path = REPO_TEMPLATES
    out: Path = Path("out")
    soffice: str = "soffice"  # LibreOffice's command, for --pdf
    pdf_timeout: float = 180.0  # seconds for one conversion batch
    shop_conventions: bool = False  # conventions for premises of the Boutique site (commercial leases)

    @classmethod
    def from_section(cls, section: Mapping[str, Any], base: Path | None = None) -> DocumentsSettings:
        known = {f.name for f in fields(cls)}
        _unknown_keys("documents", section, known)
        base = base or Path.cwd()
        values: dict[str, Any] = {}
        for key in ("templates", "out"):
            if key in section:
                path = Path(_text("documents", key, section[key]))
                values[key] = path if path.is_absolute() else base / path
        if "out" not in values:
            values["out"] = base / "out"
        if "soffice" in section:
            values["soffice"] = _text("documents", "soffice", section["soffice"])
        if "pdf_timeout" in section:
            value = section["pdf_timeout"]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(
                    "Configuration : [documents] pdf_timeout doit être un nombre de secondes positif."
                )
            values["pdf_timeout"] = float(value)
        if "shop_conventions" in section:
            if not isinstance(section["shop_conventions"], bool):
                raise ConfigError("Configuration : [documents] shop_conventions doit valoir true ou false.")
            values["shop_conventions"] = section["shop_conventions"]
        return cls(**values)


def documents_settings(settings: Any) -> tuple[AssociationSettings, DocumentsSettings]:
    """``[association]`` and ``[documents]`` of the loaded configuration (a ``config.Settings``);
    relative paths start from the configuration file's folder (``settings.base``)."""
    base = getattr(settings, "base", None) or (settings.source.parent if settings.source else Path.cwd())
    return (AssociationSettings.from_section(settings.section("association")),
            DocumentsSettings.from_section(settings.section("documents"), base=base))
