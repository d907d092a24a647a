"""A local fake of HelloAsso's API v5, on loopback, for the tests (never in the package).

Its answers follow the published shapes (the ``helloasso-python`` models:
``HelloAssoApiV5ModelsStatisticsOrderDetail``, ``…CommonModelsPaginationModel``):
``POST /oauth2/token`` (client credentials or refresh token) and
``GET /v5/organizations/{org}/forms/{type}/{slug}/orders`` with ``pageSize``,
``continuationToken``, ``from`` and ``to``. Knobs: tokens that expire after a number of
calls (answered 401), a number of 429 answers before each page.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def order(
    order_id: int,
    day: str,
    amount_cents: int,
    *,
    email: str,
    first: str,
    last: str,
    tarif: str = "Adhésion BASIC",
    state: str = "Authorized",
    company: str | None = None,
    answers: dict[str, str] | None = None,
    form: str = "adhesion-2026",
    refunded_on: str | None = None,
) -> dict[str, Any]:
    """One order as ``GET …/orders?withDetails=true`` returns it; ``refunded_on`` (a day):
    its payment ``Refunded`` that day, with the refund operation saying so."""
    payer = {"email": email, "firstName": first, "lastName": last, "country": "FRA"}
    if company:
        payer["company"] = company
    payment: dict[str, Any] = {
        "id": order_id * 100,
        "amount": amount_cents,
        "date": f"{day}T10:00:05+01:00",
        "paymentMeans": "Card",
        "state": "Refunded" if refunded_on else state,
    }
    if refunded_on:
        payment["refundOperations"] = [
            {
                "id": order_id * 1000,
                "amount": amount_cents,
                "amountTip": 0,
                "status": "Processed",
                "meta": {
                    "createdAt": f"{refunded_on}T15:00:00+01:00",
                    "updatedAt": f"{refunded_on}T15:00:00+01:00",
                },
            }
        ]
    return {
        "id": order_id,
        "date": f"{day}T10:00:00+01:00",
        "formSlug": form,
        "formType": "Membership",
        "organizationSlug": "mila",
        "payer": payer,
        "items": [
            {
                "id": order_id * 10,
                "amount": amount_cents,
                "type": "Membership",
                "name": tarif,
                "state": "Processed",
                "user": {"firstName": first, "lastName": last},
                "customFields": [
                    {"name": k, "type": "TextInput", "answer": v} for k, v in (answers or {}).items()
                ],
            }
        ],
        "payments": [payment],
        "amount": {"total": amount_cents, "vat": 0, "discount": 0},
    }


class FakeHelloAsso:
    """``with FakeHelloAsso(orders={"Membership/adhesion-2026": [...]}) as fake: fake.url``."""

    def __init__(
        self,
        orders: dict[str, list[dict[str, Any]]],
        *,
        client_id: str = "id",
        client_secret: str = "secret",
        page_size: int | None = None,
        token_calls: int = 1000,
        throttle: int = 0,
    ) -> None:
        self.orders = orders
        self.client_id, self.client_secret = client_id, client_secret
        self.page_size = page_size
        self.token_calls = token_calls  # calls a token serves before it answers 401
        self.throttle = throttle  # 429 answers before each page
        self.log: list[tuple[str, str, dict[str, str]]] = []
        self._tokens: dict[str, int] = {}
        self._refresh: set[str] = set()
        self._pending_429 = 0
        self._counter = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.log.append(("POST", self.path, form))
                status, body = fake.token(form)
                self._answer(status, body)

            def do_GET(self) -> None:  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                fake.log.append(("GET", url.path, query))
                status, body, headers = fake.get(url.path, query, self.headers.get("Authorization", ""))
                self._answer(status, body, headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # shutdown() waits for the loop to look again: every 20 ms rather than 0.5 s.
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> FakeHelloAsso:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- behaviour ---------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            grant = form.get("grant_type")
            if grant == "client_credentials":
                if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
                    return 401, {"error": "unauthorized_client", "error_description": "Invalid client"}
            elif grant == "refresh_token":
                if form.get("refresh_token") not in self._refresh:
                    return 400, {"error": "invalid_grant"}
                self._refresh.discard(form["refresh_token"])
            else:
                return 400, {"error": "unsupported_grant_type"}
            self._counter += 1
            access, refresh = f"access-{self._counter}", f"refresh-{self._counter}"
            self._tokens[access] = self.token_calls
            self._refresh.add(refresh)
            return 200, {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": 1800,
                "refresh_token": refresh,
            }

    def get(self, path: str, query: dict[str, str], auth: str) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            access = auth.removeprefix("Bearer ").strip()
            if self._tokens.get(access, 0) <= 0:
                return 401, {"message": "Authorization has been denied for this request."}, {}
            self._tokens[access] -= 1
            if self._pending_429 < self.throttle:
                self._pending_429 += 1
                return 429, {"message": "Too many requests"}, {"Retry-After": "1"}
            self._pending_429 = 0
        parts = path.strip("/").split("/")
        if len(parts) != 7 or parts[:2] != ["v5", "organizations"] or parts[6] != "orders":
            return 404, {"message": "Not found"}, {}
        form = f"{parts[4]}/{parts[5]}"
        if form not in self.orders:
            return 404, {"message": "Form not found"}, {}
        found = [
            o for o in self.orders[form] if query.get("from", "") <= o["date"][:10] < query.get("to", "9999")
        ]
        size = self.page_size or int(query.get("pageSize", 20))
        start = int(query.get("continuationToken") or 0)
        page = found[start : start + size]
        total_pages = max(1, -(-len(found) // size))
        return (
            200,
            {
                "data": page,
                "pagination": {
                    "pageSize": size,
                    "totalCount": len(found),
                    "pageIndex": start // size + 1,
                    "totalPages": total_pages,
                    "continuationToken": str(start + size),
                },
            },
            {},
        )
