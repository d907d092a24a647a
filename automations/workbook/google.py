"""The Google Sheets backend: gspread's HTTP client, a service account, bounded retries.

Requests per operation: opening reads the metadata (1); reading every tab is one
``values:batchGet``; writing is one ``values:batchGet`` of the header and ID
columns followed by one ``values:batchUpdate``.

Everything is written with ``USER_ENTERED`` so that dates become date cells, and
every text is sent behind an apostrophe so that the sheet stores it as plain text:
nothing the jobs write is ever taken for a formula or a number.

Requests that fail for a passing reason (429, 5xx, network) are retried within the
``RetryPolicy``; each new attempt logs its details (English, local log only) and one
French line on the ``automations.notices`` logger, which the command shows on stderr.

``SHEETS_EMULATOR_HOST=host:port`` sends every request to the project's emulator over
plain HTTP, with anonymous credentials unless a key is given, as Google's own
emulators do.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import requests
import stamina
from google.auth.credentials import AnonymousCredentials, Credentials
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account
from gspread.exceptions import APIError, NoValidUrlKeyFound
from gspread.http_client import HTTPClient, ParamsType
from gspread.utils import extract_id_from_url
from stamina.instrumentation import RetryDetails, set_on_retry_hooks

from ..errors import (
    AccessDenied,
    CredentialsError,
    WorkbookError,
    WorkbookNotFound,
    WorkbookUnavailable,
)
from ..logs import NOTICES
from ..settings.workbook import RetryPolicy  # [workbook.retry]
from . import a1
from .base import Grid

log = logging.getLogger(__name__)
# French lines for the person waiting at the terminal (the CLI shows this logger on stderr).
notices = logging.getLogger(NOTICES)

# Drive metadata (read only) lets `mila diagnostic` ask whether the account may edit the sheet.
SCOPES = [
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.metadata.readonly",
]
GOOGLE_BASE = "https://sheets.googleapis.com"
DRIVE_BASE = "https://www.googleapis.com/drive"
UPLOAD_BASE = "https://www.googleapis.com/upload"  # Drive's uploads (automations/delivery)
RETRIABLE = {408, 429, 500, 502, 503, 504}
T = TypeVar("T")
DEFAULT_RETRY = RetryPolicy()


def spreadsheet_key(key_or_url: str) -> str:
    """The spreadsheet's key, from the key itself or from its full URL."""
    text = key_or_url.strip()
    if "/" not in text:
        return text
    try:
        return extract_id_from_url(text)
    except NoValidUrlKeyFound as exc:
        raise WorkbookError(
            f"« {text} » n'est pas l'adresse d'une feuille Google Sheets. Copiez l'adresse "
            "complète depuis le navigateur (https://docs.google.com/spreadsheets/d/…) ou sa clé."
        ) from exc


def retry_delay(exc: BaseException, policy: RetryPolicy) -> bool | float:
    """Whether to retry after ``exc``, or how long to wait when Google said so in
    Retry-After (never longer than the policy's longest wait)."""
    if isinstance(exc, APIError):
        if exc.response.status_code not in RETRIABLE:
            return False
        after = exc.response.headers.get("Retry-After")
        if after:
            try:
                return min(max(0.0, float(after)), policy.wait_max)
            except ValueError:
                return True
        return True
    return isinstance(exc, (requests.ConnectionError, requests.Timeout, TransportError))


def retry_notice(
    exc: BaseException | None, wait: float, attempt: int, attempts: int, service: str = "Google Sheets"
) -> str:
    """The French line shown while a request is retried: what failed, when the next of
    ``attempts`` attempts (``attempt``) starts."""
    if isinstance(exc, APIError):
        status = exc.response.status_code
        what = (
            f"{service} demande de ralentir (quota dépassé, erreur {status})"
            if status in (403, 429)
            else f"{service} ne répond pas (erreur {status})"
        )
    else:
        what = f"{service} est injoignable (réseau)"
    when = f"{wait:.0f} s" if wait >= 1 else "moins d'une seconde"
    return f"{what} : nouvel essai dans {when} ({attempt}/{attempts})…"


# The policy of the request being retried, for the hook below (stamina's hooks are global).
_RETRYING: ContextVar[RetryPolicy | None] = ContextVar("mila_google_retrying", default=None)
_SERVICE: ContextVar[str] = ContextVar("mila_google_service", default="Google Sheets")


def _on_retry(details: RetryDetails) -> None:
    """stamina's hook: the details in the local log, one French line for the person.

    It replaces stamina's own hook, whose English ``stamina.retry_scheduled`` lines would
    reach the terminal."""
    policy = _RETRYING.get()
    log.info(
        "retry %d of %s scheduled in %.2f s (waited %.2f s so far) after %r",
        details.retry_num,
        details.name,
        details.wait_for,
        details.waited_so_far,
        details.caused_by,
        extra={"retry_wait": details.wait_for},
    )
    if policy is None:
        return
    notices.warning(
        "%s",
        retry_notice(
            details.caused_by, details.wait_for, details.retry_num + 1, policy.attempts, _SERVICE.get()
        ),
    )


set_on_retry_hooks([_on_retry])


class RetryingHTTPClient(HTTPClient):
    """gspread's client with bounded retries (gspread's own backoff retries forever)."""

    policy = RetryPolicy()
    service = "Google Sheets"  # named in the French retry lines

    def should_retry(self, exc: BaseException) -> bool | float:
        """Whether to retry after ``exc`` (see :func:`retry_delay`)."""
        return retry_delay(exc, self.policy)

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        policy = self.policy
        token = _RETRYING.set(policy)
        service = _SERVICE.set(self.service)
        try:
            for attempt in stamina.retry_context(
                on=self.should_retry,
                attempts=policy.attempts,
                timeout=policy.timeout,
                wait_initial=policy.wait_initial,
                wait_max=policy.wait_max,
                wait_jitter=policy.wait_jitter,
            ):
                with attempt:
                    return super().request(*args, **kwargs)
        finally:
            _SERVICE.reset(service)
            _RETRYING.reset(token)
        raise AssertionError("unreachable")  # pragma: no cover


class EmulatorSession(AuthorizedSession):
    """An authorized session whose Sheets requests go to a local emulator."""

    def __init__(self, credentials: Credentials, emulator_host: str) -> None:
        super().__init__(credentials)
        self.emulator_base = f"http://{emulator_host}"

    # Ignored below: it passes every argument on to the parent's, whose signature lists them one by one.
    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]  # AuthorizedSession's looser signature
        if url.startswith(GOOGLE_BASE):
            url = self.emulator_base + url[len(GOOGLE_BASE) :]
        elif url.startswith(DRIVE_BASE):
            url = self.emulator_base + "/drive" + url[len(DRIVE_BASE) :]
        elif url.startswith(UPLOAD_BASE):
            url = self.emulator_base + "/upload" + url[len(UPLOAD_BASE) :]
        return super().request(method, url, *args, **kwargs)


def load_credentials(
    path: str | Path | None, *, emulator: bool, scopes: Sequence[str] = SCOPES
) -> Credentials:
    """The service account's credentials; anonymous ones for the emulator without a key."""
    if path is None or str(path) == "":
        if emulator:
            return AnonymousCredentials()
        raise CredentialsError(
            "Aucune clé de compte de service. Indiquez le fichier JSON de la clé avec "
            "GOOGLE_APPLICATION_CREDENTIALS ou « credentials » dans mila.toml "
            "(voir credentials.example/ et docs/deploiement.md)."
        )
    key = Path(path)
    if not key.is_file():
        raise CredentialsError(
            f"La clé de compte de service « {key} » est introuvable. Vérifiez le chemin donné "
            "par GOOGLE_APPLICATION_CREDENTIALS ou par « credentials » dans mila.toml."
        )
    try:
        info = json.loads(key.read_text(encoding="utf-8"))
        return service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
    except (ValueError, KeyError, TypeError, GoogleAuthError) as exc:
        raise CredentialsError(
            f"Le fichier « {key.name} » n'est pas une clé de compte de service valide. "
            "Téléchargez une nouvelle clé JSON depuis la console Google Cloud "
            "(IAM > Comptes de service > Clés)."
        ) from exc


class GoogleBackend:
    """A spreadsheet in Google Sheets (or in the emulator)."""

    # Quota counts requests: a run's Journal line goes in its write's request (see
    # ``Workbook.write``'s ``with_rows``).
    append_in_write = True

    def __init__(
        self,
        key_or_url: str,
        *,
        credentials_path: str | Path | None = None,
        emulator_host: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 60.0,
        lazy: bool = False,
    ) -> None:
        self.key = spreadsheet_key(key_or_url)
        self.description = f"feuille Google Sheets « {self.key} »"
        self.credentials = load_credentials(credentials_path, emulator=bool(emulator_host))
        session = (
            EmulatorSession(self.credentials, emulator_host)
            if emulator_host
            else AuthorizedSession(self.credentials)
        )
        client_class = type("_Client", (RetryingHTTPClient,), {"policy": retry})
        self.http: HTTPClient = client_class(self.credentials, session)
        self.http.set_timeout((10.0, timeout))
        self._sheets: list[dict[str, Any]] = []
        self._loaded = False
        if not lazy:  # opening says at once when the sheet is missing or not shared
            self._load_metadata()

    @property
    def account_email(self) -> str | None:
        return getattr(self.credentials, "service_account_email", None)

    # -- error mapping -----------------------------------------------------------

    def _call(self, what: Callable[[], T]) -> T:
        try:
            return what()
        except APIError as exc:
            raise self._api_error(exc) from exc
        except RefreshError as exc:
            raise key_refused(self.account_email) from exc
        except (requests.ConnectionError, requests.Timeout, TransportError) as exc:
            raise WorkbookUnavailable(
                "Google Sheets est injoignable (réseau coupé ou service indisponible) après "
                "plusieurs essais. Vérifiez la connexion Internet ; la prochaine exécution "
                "reprendra normalement. Rien n'a été écrit à moitié."
            ) from exc

    def _api_error(self, exc: APIError) -> WorkbookError:
        status = exc.response.status_code
        if status == 404:
            return WorkbookNotFound(
                f"La feuille Google Sheets « {self.key} » est introuvable. Vérifiez la clé ou "
                "l'adresse donnée à --feuille (ou MILA_SHEET)."
            )
        if status == 403:
            who = self.account_email
            share = (
                f"Partagez-la avec le compte de service « {who} » en tant qu'éditeur "
                "(bouton Partager de la feuille), puis relancez."
                if who
                else "Partagez-la avec le compte de service en tant qu'éditeur, puis relancez."
            )
            return AccessDenied(f"Accès refusé à la feuille « {self.key} ». {share}")
        if status == 401:
            return CredentialsError(
                "Google n'a pas accepté l'identification du compte de service. Vérifiez la clé "
                "(GOOGLE_APPLICATION_CREDENTIALS) ou créez-en une nouvelle."
            )
        if status in RETRIABLE:
            return WorkbookUnavailable(
                f"Google Sheets a répondu « {status} » à plusieurs reprises (quota dépassé ou "
                "service indisponible). La prochaine exécution reprendra ; rien n'a été écrit "
                "à moitié."
            )
        detail = exc.error.get("message") if isinstance(exc.error, Mapping) else None
        return WorkbookError(
            f"Google Sheets a refusé la demande ({status}) : {detail or exc}. "
            "Si un onglet vient d'être renommé, relancez."
        )

    def can_edit(self) -> bool | None:
        """Whether the account may edit the sheet (Drive ``capabilities.canEdit``); ``None``
        when Drive cannot say (its API not enabled in the Cloud project). Reads only."""

        def ask() -> requests.Response | None:
            try:
                return self.http.request(
                    "get",
                    f"{DRIVE_BASE}/v3/files/{self.key}",
                    params={"fields": "id,capabilities(canEdit)", "supportsAllDrives": "true"},
                )
            except APIError as exc:
                if exc.response.status_code == 403:  # Drive API disabled for the project
                    return None
                raise

        answer = self._call(ask)
        capabilities = answer.json().get("capabilities", {}) if answer is not None else {}
        return bool(capabilities["canEdit"]) if "canEdit" in capabilities else None

    # -- metadata --------------------------------------------------------------

    def _load_metadata(self) -> None:
        meta = self._call(lambda: self.http.fetch_sheet_metadata(self.key))
        self._sheets = [s["properties"] for s in meta.get("sheets", [])]
        self._loaded = True

    def _metadata(self) -> list[dict[str, Any]]:
        if not self._loaded:
            self._load_metadata()
        return self._sheets

    def titles(self) -> list[str]:
        return [s["title"] for s in self._metadata()]

    def fetch_named(self, title: str) -> Grid | None:
        """The tab titled exactly ``title``, whole, in one ``values:batchGet`` and without the
        metadata; ``None`` when no tab has that title (Google refuses the range)."""
        params = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }

        def ask() -> Any:
            try:
                return self.http.values_batch_get(self.key, [a1.quote_tab(title)], dict(params))
            except APIError as exc:
                if exc.response.status_code == 400:  # « Unable to parse range »: no such tab
                    return None
                raise

        body = self._call(ask)
        if body is None:
            return None
        grid: Grid = []
        for value_range in body.get("valueRanges", [])[:1]:
            _place(grid, value_range)
        return grid

    def _sheet(self, title: str) -> dict[str, Any]:
        for sheet in self._metadata():
            if sheet["title"] == title:
                return sheet
        raise WorkbookError(f"L'onglet « {title} » n'existe plus dans la {self.description}.")

    # -- reading ---------------------------------------------------------------

    def fetch(self, full: Sequence[str], partial: Mapping[str, Sequence[int]]) -> dict[str, Grid]:
        ranges: list[tuple[str, str]] = [(t, a1.quote_tab(t)) for t in full]
        for title, cols in partial.items():
            if title in full:
                continue
            ranges.append((title, f"{a1.quote_tab(title)}!1:1"))
            for col in cols:
                letters = a1.column_letters(col)
                ranges.append((title, f"{a1.quote_tab(title)}!{letters}:{letters}"))
        if not ranges:
            return {}
        params = {
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER",
            "majorDimension": "ROWS",
        }
        body = self._call(lambda: self.http.values_batch_get(self.key, [r for _, r in ranges], dict(params)))
        grids: dict[str, Grid] = {}
        for (title, _), value_range in zip(ranges, body.get("valueRanges", []), strict=False):
            grid = grids.setdefault(title, [])
            _place(grid, value_range)
        return grids

    # -- writing ---------------------------------------------------------------

    def write_cells(self, cells: Sequence[tuple[str, int, int, object]]) -> None:
        data = [
            {
                "range": f"{a1.quote_tab(title)}!{a1.cell(row, col)}",
                "values": [[_entered(value)]],
            }
            for title, row, col, value in cells
        ]
        body = {"valueInputOption": "USER_ENTERED", "data": data}
        self._call(lambda: self.http.values_batch_update(self.key, body))

    def add_tab(self, title: str, header: Sequence[str]) -> None:
        request = {
            "addSheet": {
                "properties": {
                    "title": title,
                    "gridProperties": {
                        "rowCount": 1000,
                        "columnCount": max(26, len(header)),
                        "frozenRowCount": 1,
                    },
                }
            }
        }
        try:
            self._call(lambda: self.http.batch_update(self.key, {"requests": [request]}))
        except WorkbookError as exc:
            # Another run created it a moment ago: use it as it is, header included.
            if "already exists" not in str(exc.__cause__):
                raise
            self._load_metadata()
            return
        self._load_metadata()
        self.write_cells([(title, 1, col, name) for col, name in enumerate(header, start=1)])

    def ensure_columns(self, title: str, count: int) -> None:
        sheet = self._sheet(title)
        have = sheet.get("gridProperties", {}).get("columnCount", 26)
        if count <= have:
            return
        request = {
            "appendDimension": {
                "sheetId": sheet["sheetId"],
                "dimension": "COLUMNS",
                "length": count - have,
            }
        }
        self._call(lambda: self.http.batch_update(self.key, {"requests": [request]}))
        sheet.setdefault("gridProperties", {})["columnCount"] = count

    def ensure_rows(self, title: str, count: int, *, spare: int = 0) -> None:
        """At least ``count`` rows; when rows must be added, ``spare`` more (rows written
        below the last one, as ``append_in_write`` does, then need no request for a while)."""
        sheet = self._sheet(title)
        have = sheet.get("gridProperties", {}).get("rowCount", 1000)
        if count <= have:
            return
        count += spare
        request = {
            "appendDimension": {
                "sheetId": sheet["sheetId"],
                "dimension": "ROWS",
                "length": count - have,
            }
        }
        self._call(lambda: self.http.batch_update(self.key, {"requests": [request]}))
        sheet.setdefault("gridProperties", {})["rowCount"] = count

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        # The range names the table's top-left cell: with a bare tab name Google may
        # put the rows to the right of the last one (see the recordings).
        params: ParamsType = {"valueInputOption": "USER_ENTERED", "insertDataOption": "INSERT_ROWS"}
        body = {"values": [[_entered(v) for v in row] for row in rows]}
        rng = f"{a1.quote_tab(title)}!A1"
        self._call(lambda: self.http.values_append(self.key, rng, params, body))


def key_refused(account_email: str | None) -> CredentialsError:
    """Google refused the service account's key (Sheets or Drive alike): say which account,
    and what to do."""
    return CredentialsError(
        f"Google a refusé la clé du compte de service ({account_email or 'compte inconnu'}). "
        "La clé a peut-être été supprimée : créez-en une nouvelle dans la console Google Cloud "
        "et remplacez le fichier."
    )


def _entered(value: object) -> object:
    """A value for USER_ENTERED: text behind an apostrophe, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value else ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _place(grid: Grid, value_range: Mapping[str, Any]) -> None:
    """Copy a value range into ``grid`` (rows of cells, 1-based positions)."""
    values = value_range.get("values")
    if not values:
        return
    parsed = a1.parse_range(value_range.get("range", "A1"))
    row0 = parsed.start_row or 1
    col0 = parsed.start_col or 1
    for r, line in enumerate(values):
        row = row0 + r
        while len(grid) < row:
            grid.append([])
        target = grid[row - 1]
        for c, value in enumerate(line):
            col = col0 + c
            while len(target) < col:
                target.append(None)
            if value != "" or target[col - 1] is None:
                target[col - 1] = None if value == "" else value
