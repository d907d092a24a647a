"""Settings: a TOML file, then the environment, then command-line options, in rising order.

Every environment variable the project reads is listed in ``ENVIRONMENT`` and
documented in docs/configuration.md.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .rules.bookings import BookingPolicy
from .rules.membership import MembershipPolicy
from .workbook.google import RetryPolicy

ENVIRONMENT = {
    "MILA_CONFIG": "chemin du fichier de configuration (défaut : ./mila.toml s'il existe)",
    "MILA_WORKBOOK": "classeur .xlsx local à utiliser",
    "MILA_SHEET": "clé ou adresse complète de la feuille Google Sheets",
    "GOOGLE_APPLICATION_CREDENTIALS": "fichier JSON de la clé du compte de service Google",
    "SHEETS_EMULATOR_HOST": "hôte:port de l'émulateur de l'API Sheets (tests, essais hors ligne)",
    "HELLOASSO_CLIENT_ID": "identifiant du client de l'API HelloAsso (mila paiements helloasso)",
    "HELLOASSO_CLIENT_SECRET": "secret du client de l'API HelloAsso (jamais dans mila.toml)",
}


@dataclass(frozen=True)
class Settings:
    workbook: Path | None = None
    sheet: str | None = None
    credentials: Path | None = None
    emulator_host: str | None = None
    retry: RetryPolicy = RetryPolicy()
    raw: Mapping[str, Any] = field(default_factory=dict)  # the whole file, for later sections
    source: Path | None = None  # the configuration file read, if any
    base: Path = field(default_factory=Path.cwd)  # relative paths start here

    def section(self, name: str) -> Mapping[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"Configuration « {self.source} » : la section [{name}] est mal formée. "
                "Corrigez-la en vous aidant de credentials.example/mila.toml."
            )
        return value


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
    book = raw.get("workbook", {}) if isinstance(raw.get("workbook"), Mapping) else {}

    # Rising precedence: file < environment < options. At one level, a sheet and a
    # file together are ambiguous.
    chosen_file: str | None = None
    chosen_sheet: str | None = None
    for level_file, level_sheet in (
        (book.get("path"), book.get("sheet")),
        (env.get("MILA_WORKBOOK"), env.get("MILA_SHEET")),
        (workbook, sheet),
    ):
        if level_file and level_sheet:
            raise ConfigError(
                "Un classeur .xlsx et une feuille Google Sheets sont indiqués ensemble. "
                "Choisissez l'un des deux (--workbook ou --sheet)."
            )
        if level_file or level_sheet:
            chosen_file, chosen_sheet = level_file or None, level_sheet or None

    credentials = env.get("GOOGLE_APPLICATION_CREDENTIALS") or book.get("credentials")
    retry_raw = book.get("retry", {})
    try:
        retry = RetryPolicy(**retry_raw) if retry_raw else RetryPolicy()
    except TypeError as exc:
        raise ConfigError(
            f"Configuration : la section [workbook.retry] contient une clé inconnue ({exc})."
        ) from exc
    return Settings(
        workbook=(base / chosen_file) if chosen_file and not Path(chosen_file).is_absolute()
        else (Path(chosen_file) if chosen_file else None),
        sheet=chosen_sheet,
        credentials=(base / credentials) if credentials and not Path(credentials).is_absolute()
        and not env.get("GOOGLE_APPLICATION_CREDENTIALS") else (Path(credentials) if credentials else None),
        emulator_host=env.get("SHEETS_EMULATOR_HOST") or None,
        retry=retry,
        raw=raw,
        source=source,
        base=base,
    )


def membership_policy(settings: Settings) -> MembershipPolicy:
    """The [membership] section: period, renewal window, votes per category."""
    section = settings.section("membership")
    known = {"period", "renew_window_days", "votes"}
    unknown = set(section) - known
    if unknown:
        raise ConfigError(
            f"Configuration : clé(s) inconnue(s) dans [membership] : {', '.join(sorted(unknown))}. "
            f"Clés possibles : {', '.join(sorted(known))}."
        )
    kwargs: dict[str, Any] = dict(section)
    if "votes" in kwargs and not isinstance(kwargs["votes"], Mapping):
        raise ConfigError("Configuration : [membership] votes doit être une table catégorie = voix.")
    try:
        return MembershipPolicy(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"Configuration : section [membership] invalide ({exc}).") from exc


def booking_policy(settings: Settings) -> BookingPolicy:
    """The [bookings] section: opening days of the bookable resources."""
    return BookingPolicy.from_section(settings.section("bookings"))


def log_folder(settings: Settings) -> Path:
    """Where the rotating local log goes: [log] dir, relative to the configuration file."""
    path = Path(settings.section("log").get("dir", "logs"))
    return path if path.is_absolute() else settings.base / path
