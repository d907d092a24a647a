"""HelloAsso API v5: the orders of the configured forms, as ``Incoming`` payments.

OAuth2 client credentials (``POST /oauth2/token``), refreshed with the refresh token when
the access token expires (or when the API answers 401); ``GET /v5/organizations/{org}/
forms/{type}/{slug}/orders`` page by page with the ``continuationToken`` until a page
comes back empty; 429 and 5xx answers retried after ``Retry-After`` (capped), a bounded
number of times. Amounts come in cents. An order is a payment when one of its payments is
``Authorized`` (card) or ``Registered`` (cheque, cash recorded by the organisation); an
order whose payments are ``Refunded`` is a refund (``Incoming.refund``, negative amount,
dated by its refund operation, else the day of the pull), which the plan turns into a
refund row of the payment imported before.

The base URL is a setting, so that tests talk to a local fake (tests/fake_helloasso.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import requests

from ..errors import PaymentsError
from ..rules.matching import Clue
from ..settings.payments import PaymentsSettings
from .helloasso_export import reference_of
from .records import FileRead, Incoming, purpose_from_text

KIND = "HelloAsso"
PAID_STATES = {"Authorized", "Registered"}
REFUNDED_STATES = {"Refunded"}
PAGE_SIZE = 100
TIMEOUT = 30.0


class HelloAssoClient:
    """A small client of the API; ``sleep`` and ``monotonic`` are passed in for tests."""

    def __init__(
        self,
        settings: PaymentsSettings,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.sleep = sleep
        self.monotonic = monotonic
        self._token: str | None = None
        self._refresh: str | None = None
        self._expires_at = 0.0
        self.requests_made = 0

    # -- authentication ----------------------------------------------------------

    def _check_settings(self) -> None:
        s = self.settings
        if not s.client_id or not s.client_secret:
            raise PaymentsError(
                "Identifiants HelloAsso absents : définissez HELLOASSO_CLIENT_ID et "
                "HELLOASSO_CLIENT_SECRET (espace HelloAsso > Mon compte > "
                "Intégrations et API)."
            )
        if not s.organisation:
            raise PaymentsError(
                'Organisation HelloAsso absente : ajoutez organisation = "votre-slug" dans '
                "la section [payments] de la configuration."
            )
        if not s.forms:
            raise PaymentsError(
                "Aucun formulaire HelloAsso configuré : ajoutez par exemple forms = "
                '["Membership/adhesion-2025"] dans la section [payments].'
            )

    def _authenticate(self, *, refresh: bool = False) -> None:
        s = self.settings
        if refresh and self._refresh:
            form = {"grant_type": "refresh_token", "client_id": s.client_id, "refresh_token": self._refresh}
        else:
            form = {
                "grant_type": "client_credentials",
                "client_id": s.client_id,
                "client_secret": s.client_secret,
            }
        answer = self._send("POST", f"{s.helloasso_url}/oauth2/token", data=form, auth=False)
        if answer.status_code in (400, 401) and refresh:
            self._refresh = None
            return self._authenticate()
        if answer.status_code in (400, 401):
            raise PaymentsError(
                "HelloAsso refuse les identifiants (HELLOASSO_CLIENT_ID / "
                "HELLOASSO_CLIENT_SECRET) : vérifiez-les dans l'espace HelloAsso."
            )
        body = self._json(answer)
        self._token = body.get("access_token")
        self._refresh = body.get("refresh_token") or self._refresh
        self._expires_at = self.monotonic() + float(body.get("expires_in", 1800)) - 60
        if not self._token:
            raise PaymentsError("Réponse inattendue de HelloAsso à l'authentification (pas de jeton).")

    # -- HTTP --------------------------------------------------------------------

    def _send(self, method: str, url: str, *, auth: bool = True, **kwargs: Any) -> requests.Response:
        attempts = 0
        while True:
            headers = {"Authorization": f"Bearer {self._token}"} if auth else {}
            try:
                answer = self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
            except requests.RequestException as exc:
                raise PaymentsError(
                    f"HelloAsso injoignable ({type(exc).__name__}) : vérifiez la "
                    "connexion et relancez « mila paiements helloasso » ; "
                    "rien n'a été importé."
                ) from None
            self.requests_made += 1
            if answer.status_code == 429 or answer.status_code >= 500:
                attempts += 1
                if attempts >= self.settings.max_retries:
                    raise PaymentsError(
                        f"HelloAsso répond {answer.status_code} "
                        f"({'trop de requêtes' if answer.status_code == 429 else 'erreur du service'}) "
                        f"après {attempts} essais : relancez plus tard ; rien n'a été importé."
                    )
                self.sleep(min(_retry_after(answer, attempts), self.settings.retry_wait_max))
                continue
            return answer

    def _get(self, url: str, params: dict[str, object]) -> dict[str, Any]:
        if self._token is None or self.monotonic() >= self._expires_at:
            self._authenticate(refresh=self._token is not None)
        answer = self._send("GET", url, params=params)
        if answer.status_code == 401:  # expired earlier than said
            self._authenticate(refresh=True)
            answer = self._send("GET", url, params=params)
        if answer.status_code == 404:
            raise PaymentsError(
                f"HelloAsso ne connaît pas « {url.split('/organizations/')[-1]} » : "
                "vérifiez organisation et forms dans la section [payments]."
            )
        if answer.status_code in (401, 403):
            raise PaymentsError(
                "HelloAsso refuse l'accès aux commandes : le client API doit avoir les "
                "droits de l'organisation. Vérifiez-les dans l'espace HelloAsso."
            )
        return self._json(answer)

    def _json(self, answer: requests.Response) -> dict[str, Any]:
        if answer.status_code >= 400:
            raise PaymentsError(
                f"HelloAsso répond {answer.status_code} : relancez plus tard ; rien n'a été importé."
            )
        try:
            body = answer.json()
        except ValueError:
            raise PaymentsError(
                "Réponse illisible de HelloAsso (pas du JSON) : vérifiez helloasso_url "
                "dans la section [payments]."
            ) from None
        if not isinstance(body, dict):
            raise PaymentsError("Réponse inattendue de HelloAsso : relancez plus tard.")
        return body

    # -- orders ------------------------------------------------------------------

    def orders(self, since: dt.date, until: dt.date) -> FileRead:
        """Every order of every configured form from ``since`` to ``until`` (both included)."""
        self._check_settings()
        s = self.settings
        result = FileRead("API HelloAsso", "API HelloAsso")
        for form_type, slug in s.forms:
            url = f"{s.helloasso_url}/v5/organizations/{s.organisation}/forms/{form_type}/{slug}/orders"
            params: dict[str, object] = {
                "from": since.isoformat(),
                "to": (until + dt.timedelta(days=1)).isoformat(),
                "pageSize": PAGE_SIZE,
                "withDetails": "true",
            }
            while True:
                page = self._get(url, params)
                data = page.get("data") or []
                for order in data:
                    _order(order, f"{form_type}/{slug}", result, until)
                token = (page.get("pagination") or {}).get("continuationToken")
                if not data or not token:
                    break
                params = {**params, "continuationToken": token}
        return result


def _retry_after(answer: requests.Response, attempt: int) -> float:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return float(2**attempt)


def _refund_day(payments: list[dict[str, Any]], today: dt.date) -> dt.date:
    """When the money went back: the latest refund operation's date, else ``today``."""
    days = []
    for payment in payments:
        for operation in payment.get("refundOperations") or []:
            stamp = (operation.get("meta") or {}).get("createdAt")
            if stamp:
                days.append(dt.datetime.fromisoformat(str(stamp)).date())
    return max(days) if days else today


def _order(order: dict[str, Any], form: str, result: FileRead, today: dt.date) -> None:
    order_id = order.get("id")
    where = f"commande {order_id} ({form})"
    payments = order.get("payments") or []
    paid = [p for p in payments if p.get("state") in PAID_STATES]
    refunded = [p for p in payments if p.get("state") in REFUNDED_STATES] if not paid else []
    if not paid and not refunded:
        states = ", ".join(sorted({str(p.get("state")) for p in payments})) or "aucun paiement"
        result.ignored.append(
            f"{where} : {states} (seul un paiement autorisé compte, ou un paiement remboursé)"
        )
        return
    try:
        if paid:
            amount = sum((Decimal(int(p.get("amount", 0))) for p in paid), Decimal(0)) / 100
            day = dt.datetime.fromisoformat(str(paid[0].get("date") or order.get("date"))).date()
        else:
            amount = -sum((Decimal(int(p.get("amount", 0))) for p in refunded), Decimal(0)) / 100
            day = _refund_day(refunded, today)
    except (TypeError, ValueError, ArithmeticError):
        result.warnings.append(
            f"{where} : montant ou date illisible dans la réponse de HelloAsso ; "
            "commande non importée, saisissez-la à la main."
        )
        return
    payer = order.get("payer") or {}
    items = order.get("items") or []
    users = [
        " ".join(
            p for p in ((i.get("user") or {}).get("firstName"), (i.get("user") or {}).get("lastName")) if p
        )
        for i in items
    ]
    answers = " ".join(str(f.get("answer") or "") for i in items for f in (i.get("customFields") or []))
    tarifs = " ".join(str(i.get("name") or "") for i in items)
    name = " ".join(p for p in (payer.get("firstName"), payer.get("lastName")) if p)
    company = payer.get("company") or ""
    email = payer.get("email") or None
    shown = company or name
    result.payments.append(
        Incoming(
            date=day,
            amount=amount,
            reference=reference_of(order_id),
            means="HelloAsso",
            kind="HelloAsso API",
            payer=f"{shown} ({email})" if email and shown else (shown or email or ""),
            purpose=purpose_from_text(f"{tarifs} {answers} {order.get('formType', '')}"),
            clue=Clue(
                text=f"{tarifs} {answers} {company}",
                email=email,
                names=tuple(n for n in (company, *users, name) if n),
                amount=amount,
            ),
            origin=where,
            refund=bool(refunded),
        )
    )
