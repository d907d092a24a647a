"""``[mail]``: how messages are written and sent. No ``host``: nothing is sent; messages are only
written as previews in the ``preview`` folder.

The ``MILA_SMTP_*`` / ``MILA_MAIL_*`` variables (:data:`VARIABLES`) override the keys of
the file; the password only comes from ``MILA_SMTP_PASSWORD`` or a ``password_file``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator

from ..text import fold
from .base import ConfigPath, FolderPath, OneLine, OptionalText, Seconds, Section, Text, configured

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
DEMO_SENDER = "adhesions@example.org"
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

# The key of [mail] each variable overrides (a value in the environment wins over the file).
VARIABLES = {
    "host": "MILA_SMTP_HOST",
    "port": "MILA_SMTP_PORT",
    "security": "MILA_SMTP_SECURITY",
    "user": "MILA_SMTP_USER",
    "password": "MILA_SMTP_PASSWORD",
    "from": "MILA_MAIL_FROM",
    "preview": "MILA_MAIL_PREVIEW",
    "outbox": "MILA_MAIL_OUTBOX",  # the former name of ``preview``, still read
}

_SECURITY_ALIASES = {
    "tls": "ssl",
    "ssl/tls": "ssl",
    "start_tls": "starttls",
    "aucun": "none",
    "aucune": "none",
}
# Google shows an app password as four groups of four letters: accepted as printed.
_APP_PASSWORD = re.compile(r"[a-z]{4}( [a-z]{4}){3}")
_PLAIN_ADDRESS = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+")
ADDRESS = "une adresse e-mail seule, par exemple « adhesions@mila.fr »"


def _security(value: object) -> object:
    return _SECURITY_ALIASES.get(fold(value), fold(value)) if isinstance(value, str) else value


def _port(value: object) -> object:
    return (value.strip() or None) if isinstance(value, str) else value


def plain_address(value: str) -> bool:
    """An address alone (no display name, no comment), ASCII."""
    return bool(_PLAIN_ADDRESS.fullmatch(value)) and value.isascii()


def _address(value: str) -> str:
    if not plain_address(value):
        raise ValueError(
            f"« {value} » n'est pas une adresse e-mail simple : écrivez seulement l'adresse, "
            "par exemple « adhesions@mila.fr »"
        )
    return value


Address = Annotated[
    str,
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    AfterValidator(_address),
    Field(description=ADDRESS),
]
Port = Annotated[
    int,
    BeforeValidator(_port),
    Field(strict=False, gt=0, lt=65536, description="un numéro de port, par exemple 587"),
]
Security = Annotated[
    Literal["starttls", "ssl", "none"],
    BeforeValidator(_security),
    Field(
        description="« starttls » (port 587), « ssl » (port 465) ou « none » (serveur local sans chiffrement)"
    ),
]


class MailSettings(Section):
    """How messages are written and sent (``[mail]`` and the ``MILA_SMTP_*`` variables)."""

    section = "mail"

    host: OptionalText = Field(None, description="le nom du serveur d'envoi, par exemple « smtp.gmail.com »")
    port: Port | None = None  # None: the usual port for ``security``
    security: Security = "starttls"
    user: OptionalText = Field(None, description="l'identifiant du compte, par exemple « adhesions@mila.fr »")
    password: str | None = Field(None, repr=False, description="un mot de passe (MILA_SMTP_PASSWORD)")
    password_file: ConfigPath | None = None
    timeout: Seconds = 30.0
    sender: Address = Field(DEMO_SENDER, alias="from")  # From (and the envelope sender)
    sender_name: OneLine = Field("MILA", alias="from_name")  # the From display name
    association: OneLine = "MILA"  # the association's name, as the e-mails write it
    reply_to: Address | None = None
    message_id_domain: OptionalText = None  # None: the domain of ``sender``
    preview: FolderPath = Field(Path("apercus"), validate_default=True)
    templates: ConfigPath = DEFAULT_TEMPLATES
    signature: Text = "L'équipe du MILA"
    ca_file: ConfigPath | None = None
    helo: OptionalText = Field(None, description="le nom donné au serveur (EHLO), par exemple « mila.fr »")
    # Whether sending is on in a workbook whose Journal has never switched it (no « envois »
    # line): off for a new installation, which sends only once a person switched it on
    # (« activer les envois »). Tests and the demo's own runs set it to start on.
    sending_starts_on: bool = Field(False, description="true ou false")

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any, info: ValidationInfo) -> Any:
        """Blank keys count as absent; From defaults to the login, its name to the association;
        the password is read from ``password_file`` when the environment gives none."""
        if not isinstance(data, Mapping):
            return data
        data = {
            k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip() and k != "signature")
        }
        if "outbox" in data:  # the former name of ``preview``
            outbox = data.pop("outbox")
            data.setdefault("preview", outbox)
        user = data.get("user")
        if not {"from", "sender"} & set(data) and isinstance(user, str) and "@" in user:
            data["from"] = user.strip()
        if not {"from_name", "sender_name"} & set(data) and isinstance(data.get("association"), str):
            data["from_name"] = data["association"]
        secret = data.get("password_file")
        if not data.get("password") and isinstance(secret, str | Path):
            path = Path(secret).expanduser()
            if not path.is_absolute() and configured(info):
                path = Path(info.context["base"]) / path  # type: ignore[index]  # configured(): a context
            try:
                data["password"] = path.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise ValueError(
                    f"le fichier du mot de passe SMTP « {path} » est illisible "
                    f"({exc.strerror or exc}) : vérifiez [mail] password_file"
                ) from None
        password = data.get("password")
        if isinstance(password, str) and _APP_PASSWORD.fullmatch(password.strip()):
            data["password"] = password.strip().replace(" ", "")
        return data

    @model_validator(mode="after")
    def _coherent(self, info: ValidationInfo) -> MailSettings:
        if self.host and self.user and self.security == "none" and not _is_loopback(self.host):
            raise ValueError(
                f"le mot de passe ne peut pas être envoyé en clair à « {self.host} » : "
                "choisissez [mail] security = « starttls » ou « ssl »"
            )
        if configured(info) and self.host:
            if self.user and not self.password:
                raise ValueError(
                    f"mot de passe SMTP manquant pour le compte « {self.user} » : définissez la variable "
                    "d'environnement MILA_SMTP_PASSWORD (pour Gmail, un mot de passe d'application), "
                    "ou [mail] password_file"
                )
            if "sender" not in self.model_fields_set:
                raise ValueError(
                    "indiquez l'adresse d'expédition dans [mail] from (ou MILA_MAIL_FROM), "
                    "par exemple « adhesions@mila.fr »"
                )
        return self

    @property
    def uses_smtp(self) -> bool:
        return bool(self.host)

    @property
    def smtp_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def domain(self) -> str:
        return self.message_id_domain or self.sender.rpartition("@")[2] or "localhost"

    def describe(self) -> str:
        """Where messages go, in French, without any secret."""
        if self.uses_smtp:
            mode = {"starttls": "STARTTLS", "ssl": "SSL", "none": "sans chiffrement"}[self.security]
            who = f", compte {self.user}" if self.user else ""
            return f"serveur {self.host}:{self.smtp_port} ({mode}{who})"
        return f"aperçus dans « {self.preview} » (aucun serveur d'envoi configuré : rien ne part)"


def _is_loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
