"""Settings: a TOML file, then the environment, then command-line options, in rising order.

:func:`load_settings` reads them once, at start-up, into one :class:`Settings` of typed
sections (models of :mod:`automations.settings`); a wrong value anywhere is one French
:class:`~automations.errors.ConfigError` naming the key and the form expected. Relative
paths start from the configuration file's folder (the current folder without a file).
Every environment variable the project reads is listed in ``ENVIRONMENT`` and
documented in docs/configuration.md; only this module reads the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import PrivateAttr, ValidationError, model_validator

from .errors import ConfigError
from .settings import (
    AssociationSettings,
    BillingSettings,
    BookingPolicy,
    DigestSettings,
    DocumentsSettings,
    FormsSettings,
    LogSettings,
    MailSettings,
    MembershipPolicy,
    PaymentsSettings,
    PrivacySettings,
    RenewalSettings,
    ScheduleSettings,
    WorkbookSettings,
)
from .settings.base import Section, is_secret_key
from .settings.documents import VARIABLES as DOCUMENTS_VARIABLES
from .settings.french import config_error
from .settings.mail import VARIABLES as MAIL_VARIABLES
from .settings.payments import VARIABLES as PAYMENTS_VARIABLES

ENVIRONMENT = {
    "MILA_CONFIG": "chemin du fichier de configuration (défaut : ./mila.toml s'il existe)",
    "MILA_WORKBOOK": "classeur .xlsx local à utiliser",
    "MILA_SHEET": "clé ou adresse complète de la feuille Google Sheets",
    "GOOGLE_APPLICATION_CREDENTIALS": "fichier JSON de la clé du compte de service Google",
    "SHEETS_EMULATOR_HOST": "hôte:port de l'émulateur de l'API Sheets (tests, essais hors ligne)",
    "MILA_DRIVE_FOLDER": "adresse ou identifiant du dossier Google Drive partagé des documents",
    "DRIVE_EMULATOR_HOST": "hôte:port de l'émulateur de l'API Drive (tests, essais hors ligne)",
    "MILA_SMTP_HOST": "serveur d'envoi (smtp.gmail.com, smtp-relay.gmail.com…) ; absent : aperçus seulement",
    "MILA_SMTP_PORT": "port du serveur (défaut : 587 en STARTTLS, 465 en SSL, 25 sans chiffrement)",
    "MILA_SMTP_SECURITY": "starttls, ssl ou none",
    "MILA_SMTP_USER": "identifiant de connexion au serveur (adresse du compte Google)",
    "MILA_SMTP_PASSWORD": "mot de passe (pour Gmail : mot de passe d'application) ; jamais dans le dépôt",
    "MILA_MAIL_FROM": "adresse d'expédition des messages",
    "MILA_MAIL_PREVIEW": "dossier des aperçus .eml (sans serveur, ou avec --simulation) ; défaut : apercus",
    "MILA_MAIL_OUTBOX": "ancien nom de MILA_MAIL_PREVIEW, encore lu",
    "HELLOASSO_CLIENT_ID": "identifiant du client de l'API HelloAsso (mila paiements helloasso)",
    "HELLOASSO_CLIENT_SECRET": "secret du client de l'API HelloAsso (jamais dans mila.toml)",
}


class Settings(Section):
    """Every section of the configuration, validated; ``source`` is the file read (if any),
    ``base`` the folder relative paths started from."""

    workbook: WorkbookSettings = WorkbookSettings()
    mail: MailSettings = MailSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    membership: MembershipPolicy = MembershipPolicy()
    bookings: BookingPolicy = BookingPolicy()
    renewals: RenewalSettings = RenewalSettings()
    association: AssociationSettings = AssociationSettings()
    documents: DocumentsSettings = DocumentsSettings()
    log: LogSettings = LogSettings()
    payments: PaymentsSettings = PaymentsSettings()
    formulaires: FormsSettings = FormsSettings()
    digest: DigestSettings = DigestSettings()
    donnees: PrivacySettings = PrivacySettings()
    billing: BillingSettings = BillingSettings()
    _source: Path | None = PrivateAttr(None)
    _base: Path = PrivateAttr(default_factory=Path.cwd)

    @model_validator(mode="before")
    @classmethod
    def _helloasso_off(cls, data: Any) -> Any:
        """The scheduler's daily payments pass (job ``paiements``: the HelloAsso pull and the
        Drive inbox) is off while neither ``[payments] organisation`` nor ``drive_inbox`` is
        configured, unless ``[schedule.paiements]`` says otherwise."""
        if not isinstance(data, dict):
            return data
        payments = data.get("payments") or {}
        organisation = (
            payments.get("organisation")
            if isinstance(payments, dict)
            else getattr(payments, "organisation", None)
        ) or (
            payments.get("drive_inbox")
            if isinstance(payments, dict)
            else getattr(payments, "drive_inbox", None)
        )
        schedule = data.get("schedule") or {}
        if organisation or not isinstance(schedule, dict) or "paiements" in schedule:
            return data
        return {**data, "schedule": {**schedule, "paiements": {"enabled": False}}}

    @model_validator(mode="before")
    @classmethod
    def _billing_off(cls, data: Any) -> Any:
        """The scheduler's invoicing (job ``factures``) is off while ``[billing] enabled`` is
        not true, unless ``[schedule.factures]`` says otherwise."""
        if not isinstance(data, dict):
            return data
        billing = data.get("billing") or {}
        enabled = billing.get("enabled") if isinstance(billing, dict) else getattr(billing, "enabled", False)
        schedule = data.get("schedule") or {}
        if enabled is True or not isinstance(schedule, dict) or "factures" in schedule:
            return data
        return {**data, "schedule": {**schedule, "factures": {"enabled": False}}}

    @model_validator(mode="before")
    @classmethod
    def _digest_off(cls, data: Any) -> Any:
        """The daily summary (job ``resume``) is off while ``[digest] to`` names nobody,
        unless ``[schedule.resume]`` says otherwise."""
        if not isinstance(data, dict):
            return data
        digest = data.get("digest") or {}
        to = digest.get("to") if isinstance(digest, dict) else getattr(digest, "to", None)
        schedule = data.get("schedule") or {}
        if to or not isinstance(schedule, dict) or "resume" in schedule:
            return data
        return {**data, "schedule": {**schedule, "resume": {"enabled": False}}}

    @property
    def source(self) -> Path | None:
        return self._source

    @property
    def base(self) -> Path:
        return self._base


def load_settings(
    *,
    config: str | os.PathLike[str] | None = None,
    workbook: str | None = None,
    sheet: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Settings from the file, the environment ``env`` and the options given."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    path = config or env.get("MILA_CONFIG")
    raw: dict[str, Any] = {}
    source: Path | None = None
    if path:
        source = Path(path)
        if not source.is_file():
            raise ConfigError(f"Le fichier de configuration « {source} » est introuvable.")
    elif (cwd / "mila.toml").is_file():
        source = cwd / "mila.toml"
    if source is not None:
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"Le fichier de configuration « {source} » est illisible : {exc}. "
                "Corrigez-le en vous aidant de credentials.example/mila.toml."
            ) from exc
    base = source.parent if source else cwd
    return build_settings(raw, env=env, base=base, source=source, workbook=workbook, sheet=sheet, cwd=cwd)


def build_settings(
    raw: Mapping[str, Any],
    *,
    env: Mapping[str, str],
    base: Path,
    source: Path | None = None,
    workbook: str | None = None,
    sheet: str | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Settings from the content of a configuration file, the environment and the options."""
    _refuse_secrets(raw, source)
    data: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else v for k, v in raw.items()}
    for name in Settings.model_fields:
        data.setdefault(name, {})
    origins: dict[tuple[str, ...], str] = {}  # (section, key) -> the variable that gave the value
    if isinstance(data["workbook"], dict):
        _overlay_workbook(data["workbook"], env, (workbook, sheet), cwd or Path.cwd(), origins)
    for section, variables in (
        ("mail", MAIL_VARIABLES),
        ("payments", PAYMENTS_VARIABLES),
        ("documents", DOCUMENTS_VARIABLES),
    ):
        if isinstance(data[section], dict):
            for key, variable in variables.items():
                if env.get(variable):
                    data[section][key] = env[variable]
                    origins[(section, key)] = variable
    try:
        settings = Settings.model_validate(data, context={"base": base})
    except ValidationError as exc:
        raise config_error(exc, Settings, source=source, origins=origins) from None
    settings._source, settings._base = source, base
    return settings


def _overlay_workbook(
    book: dict[str, Any],
    env: Mapping[str, str],
    options: tuple[str | None, str | None],
    cwd: Path,
    origins: dict[tuple[str, ...], str],
) -> None:
    """The workbook chosen with rising precedence: file < environment < options. At one
    level, a sheet and a file together are ambiguous."""
    levels = {
        "file": (book.get("path"), book.get("sheet")),
        "env": (env.get("MILA_WORKBOOK"), env.get("MILA_SHEET")),
        "options": options,
    }
    book["path"] = book["sheet"] = None
    for level, (path, sheet) in levels.items():
        if path and sheet:
            raise ConfigError(
                "Un classeur .xlsx et une feuille Google Sheets sont indiqués ensemble. "
                "Choisissez l'un des deux (--classeur ou --feuille)."
            )
        if path or sheet:
            book["path"], book["sheet"] = path or None, sheet or None
            for key, variable in (("path", "MILA_WORKBOOK"), ("sheet", "MILA_SHEET")):
                if level == "env":
                    origins[("workbook", key)] = variable
                else:
                    origins.pop(("workbook", key), None)
    if env.get("GOOGLE_APPLICATION_CREDENTIALS"):  # as given: from the current folder
        book["credentials"] = str(cwd / env["GOOGLE_APPLICATION_CREDENTIALS"])
    if env.get("SHEETS_EMULATOR_HOST"):
        book["emulator_host"] = env["SHEETS_EMULATOR_HOST"]


def _refuse_secrets(table: Mapping[str, Any], source: Path | None, path: tuple[str, ...] = ()) -> None:
    """No password, token or secret in the file, under any section: it gets copied and shared."""
    for key, value in table.items():
        if is_secret_key(str(key)):
            where = f"[{'.'.join(path)}] {key}" if path else key
            named = f"Configuration « {source} »" if source else "Configuration"
            raise ConfigError(
                f"{named} : {where} : n'écrivez jamais de mot de passe ni de secret "
                "dans le fichier de configuration, qui se copie et se partage. Retirez cette clé et "
                "donnez-le par une variable d'environnement (pour le serveur d'envoi : "
                "MILA_SMTP_PASSWORD ; liste dans docs/configuration.md) ou par un fichier hors du "
                "dépôt désigné par une clé password_file ([mail] password_file)."
            )
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Mapping):
                _refuse_secrets(item, source, (*path, str(key)))
