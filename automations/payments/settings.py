"""The [payments] section: HelloAsso's API address, the organisation and its forms.

    [payments]
    helloasso_url = "https://api.helloasso.com"   # a local fake in tests
    organisation = "mila-paris"
    forms = ["Membership/adhesion-2025", "Event/soiree-de-rentree"]
    since_days = 365                               # first pull: how far back

The client ID and secret come from the environment only (``HELLOASSO_CLIENT_ID``,
``HELLOASSO_CLIENT_SECRET``), never from the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

DEFAULT_URL = "https://api.helloasso.com"
FORM_TYPES = ("Membership", "Event", "Shop", "Donation", "CrowdFunding", "PaymentForm", "Checkout")
KNOWN = {"helloasso_url", "organisation", "forms", "since_days", "max_retries", "retry_wait_max"}


@dataclass(frozen=True)
class PaymentsSettings:
    helloasso_url: str = DEFAULT_URL
    organisation: str | None = None
    forms: tuple[tuple[str, str], ...] = ()  # (form type, form slug)
    since_days: int = 365
    max_retries: int = 5  # 429 and 5xx answers
    retry_wait_max: float = 30.0  # seconds, whatever Retry-After says
    client_id: str | None = None
    client_secret: str | None = None

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any], env: Mapping[str, str] | None = None
    ) -> PaymentsSettings:
        """From the [payments] mapping and the environment; a French ConfigError otherwise."""
        env = env or {}
        unknown = set(section) - KNOWN
        if unknown:
            raise ConfigError(f"Configuration : clé(s) inconnue(s) dans [payments] : "
                              f"{', '.join(sorted(unknown))}. Clés possibles : {', '.join(sorted(KNOWN))}.")
        forms = []
        raw_forms = section.get("forms", [])
        if isinstance(raw_forms, str) or not isinstance(raw_forms, list):
            raise ConfigError('Configuration : [payments] forms doit être une liste, par exemple '
                              'forms = ["Membership/adhesion-2025"].')
        for item in raw_forms:
            kind, _, slug = str(item).partition("/")
            if not slug:
                kind, slug = "Membership", kind
            match = next((t for t in FORM_TYPES if t.casefold() == kind.strip().casefold()), None)
            if match is None or not slug.strip():
                raise ConfigError(f"Configuration : formulaire HelloAsso « {item} » mal écrit dans "
                                  f"[payments] forms. Écrivez TYPE/slug, TYPE parmi {', '.join(FORM_TYPES)}.")
            forms.append((match, slug.strip()))
        try:
            since_days = int(section.get("since_days", 365))
            max_retries = int(section.get("max_retries", 5))
            wait_max = float(section.get("retry_wait_max", 30.0))
        except (TypeError, ValueError):
            raise ConfigError("Configuration : [payments] since_days, max_retries et retry_wait_max "
                              "doivent être des nombres.") from None
        if since_days < 1 or max_retries < 1 or wait_max < 0:
            raise ConfigError("Configuration : [payments] since_days et max_retries doivent être au moins 1.")
        url = str(section.get("helloasso_url", DEFAULT_URL)).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"Configuration : [payments] helloasso_url « {url} » doit commencer par https://.")
        return cls(url, section.get("organisation") or None, tuple(forms), since_days, max_retries,
                   wait_max, env.get("HELLOASSO_CLIENT_ID") or None,
                   env.get("HELLOASSO_CLIENT_SECRET") or None)
