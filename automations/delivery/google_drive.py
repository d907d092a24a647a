"""Google Drive v3 through the same service account, session and retries as the Sheets path.

Each method is one HTTP request (``children``: one per page of 1000): files.list with a
``q`` on the parent, files.create (metadata only for a folder; ``uploadType=multipart``
for a file, ``uploadType=resumable`` beyond :data:`RESUMABLE_FROM`), files.update of the
media (a new revision of the same file) or of the parents (a move), files.get (metadata, or
the content with ``alt=media``). Quotas (429, and Drive's 403
``rateLimitExceeded``), 5xx and network failures are retried within the ``[workbook.retry]``
policy, each new attempt announced by the same French line as for Sheets, naming Google Drive.

``DRIVE_EMULATOR_HOST=host:port`` sends every request to the project's emulator over
plain HTTP, with anonymous credentials unless a key is given.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import requests
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient, ParamsType

from ..settings.workbook import RetryPolicy
from ..workbook.google import (
    DEFAULT_RETRY,
    DRIVE_BASE,
    RETRIABLE,
    UPLOAD_BASE,
    EmulatorSession,
    RetryingHTTPClient,
    key_refused,
    load_credentials,
)
from .drive import FOLDER_MIME, DriveError, DriveFile

DRIVE_SCOPES = ("https://www.googleapis.com/auth/drive",)
FIELDS = "id,name,mimeType,md5Checksum,modifiedTime,headRevisionId,webViewLink,parents,trashed"
RESUMABLE_FROM = 5 * 1024 * 1024  # bytes: larger files go by a resumable upload
RATE_LIMITS = {"rateLimitExceeded", "userRateLimitExceeded"}  # Drive's 403 that mean « slow down »
T = TypeVar("T")


def _reason(exc: APIError) -> str:
    errors = exc.error.get("errors") if isinstance(exc.error, Mapping) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        return str(errors[0].get("reason", ""))
    return ""


class DriveHTTPClient(RetryingHTTPClient):
    """The Sheets client's retries, plus Drive's 403 rate limits; « Google Drive » in the notices."""

    service = "Google Drive"

    def should_retry(self, exc: BaseException) -> bool | float:
        if isinstance(exc, APIError) and exc.response.status_code == 403 and _reason(exc) in RATE_LIMITS:
            return True
        return super().should_retry(exc)


class GoogleDrive:
    """Drive through the service account (or anonymous, for the emulator)."""

    def __init__(
        self,
        *,
        credentials_path: str | Path | None = None,
        emulator_host: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        timeout: float = 120.0,
    ) -> None:
        self.credentials = load_credentials(
            credentials_path, emulator=bool(emulator_host), scopes=DRIVE_SCOPES
        )
        session = (
            EmulatorSession(self.credentials, emulator_host)
            if emulator_host
            else AuthorizedSession(self.credentials)
        )
        client_class = type("_DriveClient", (DriveHTTPClient,), {"policy": retry})
        self.http: HTTPClient = client_class(self.credentials, session)
        self.http.set_timeout((10.0, timeout))

    @property
    def account_email(self) -> str | None:
        return getattr(self.credentials, "service_account_email", None)

    # -- the calls -------------------------------------------------------------------

    def children(self, parent: str) -> list[DriveFile]:
        found: list[DriveFile] = []
        token: str | None = None
        while True:
            params: ParamsType = {
                "q": f"'{parent}' in parents and trashed = false",
                "fields": f"nextPageToken,files({FIELDS})",
                "pageSize": "1000",
                "supportsAllDrives": "true",
                "includeItemsFromAllDrives": "true",
            }
            if token:
                params["pageToken"] = token
            page = self._json("get", f"{DRIVE_BASE}/v3/files", what=f"dossier « {parent} »", params=params)
            found += [_file(item) for item in page.get("files", [])]
            token = page.get("nextPageToken")
            if not token:
                return found

    def create_folder(self, parent: str, name: str) -> DriveFile:
        body = {"name": name, "mimeType": FOLDER_MIME, "parents": [parent]}
        return _file(
            self._json(
                "post",
                f"{DRIVE_BASE}/v3/files",
                what=f"dossier « {parent} »",
                params=self._params(),
                json=body,
            )
        )

    def upload(self, folder: str, name: str, data: bytes, mime: str) -> DriveFile:
        metadata = {"name": name, "parents": [folder]}
        url = f"{UPLOAD_BASE}/drive/v3/files"
        if len(data) >= RESUMABLE_FROM:
            return self._resumable("post", url, metadata, data, mime, what=f"dossier « {folder} »")
        return self._multipart("post", url, metadata, data, mime, what=f"dossier « {folder} »")

    def update(self, file_id: str, data: bytes, mime: str, *, name: str | None = None) -> DriveFile:
        url = f"{UPLOAD_BASE}/drive/v3/files/{file_id}"
        metadata = {"name": name} if name else {}
        if len(data) >= RESUMABLE_FROM:
            return self._resumable("patch", url, metadata, data, mime, what=f"fichier « {file_id} »")
        return self._multipart("patch", url, metadata, data, mime, what=f"fichier « {file_id} »")

    def metadata(self, file_id: str) -> DriveFile | None:
        try:
            found = _file(
                self._json(
                    "get",
                    f"{DRIVE_BASE}/v3/files/{file_id}",
                    what=f"fichier « {file_id} »",
                    params=self._params(),
                    missing_ok=True,
                )
            )
        except _Missing:
            return None
        return None if found.trashed else found

    def access(self, file_id: str) -> DriveFile | None:
        try:
            item = self._json(
                "get",
                f"{DRIVE_BASE}/v3/files/{file_id}",
                what=f"dossier « {file_id} »",
                params=self._params(fields=f"{FIELDS},capabilities(canAddChildren,canEdit)"),
                missing_ok=True,
            )
        except _Missing:
            return None
        capabilities = item.get("capabilities") or {}
        can_add = capabilities.get("canAddChildren", capabilities.get("canEdit"))
        return replace(_file(item), can_add=None if can_add is None else bool(can_add))

    def trash(self, file_id: str) -> bool:
        try:
            self._json(
                "patch",
                f"{DRIVE_BASE}/v3/files/{file_id}",
                what=f"fichier « {file_id} »",
                params=self._params(),
                json={"trashed": True},
                missing_ok=True,
            )
        except _Missing:
            return False
        return True

    def download(self, file_id: str) -> bytes:
        answer = self._call(
            lambda: self.http.request(
                "get",
                f"{DRIVE_BASE}/v3/files/{file_id}",
                params={"alt": "media", "supportsAllDrives": "true"},
            ),
            f"fichier « {file_id} »",
        )
        return answer.content

    def move(self, file_id: str, to_folder: str, from_folder: str) -> DriveFile:
        return _file(
            self._json(
                "patch",
                f"{DRIVE_BASE}/v3/files/{file_id}",
                what=f"fichier « {file_id} »",
                params=self._params(addParents=to_folder, removeParents=from_folder),
                json={},
            )
        )

    # -- uploads ---------------------------------------------------------------------

    def _params(self, **more: str) -> ParamsType:
        return {"fields": FIELDS, "supportsAllDrives": "true", **more}

    def _multipart(
        self, method: str, url: str, metadata: Mapping[str, Any], data: bytes, mime: str, *, what: str
    ) -> DriveFile:
        """One request: the metadata (JSON) and the content, as ``multipart/related``."""
        boundary = f"mila-{uuid.uuid4().hex}"
        body = b"".join(
            [
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n".encode(),
                json.dumps(dict(metadata), ensure_ascii=False).encode("utf-8"),
                f"\r\n--{boundary}\r\nContent-Type: {mime}\r\n\r\n".encode(),
                data,
                f"\r\n--{boundary}--".encode(),
            ]
        )
        headers = {"Content-Type": f"multipart/related; boundary={boundary}"}
        answer = self._json(
            method,
            url,
            what=what,
            params=self._params(uploadType="multipart"),
            data=body,
            headers=headers,
        )
        return _file(answer)

    def _resumable(
        self, method: str, url: str, metadata: Mapping[str, Any], data: bytes, mime: str, *, what: str
    ) -> DriveFile:
        """Two requests: open an upload session, then send the content in one piece."""
        opened = self._call(
            lambda: self.http.request(
                method,
                url,
                params=self._params(uploadType="resumable"),
                json=dict(metadata),
                headers={"X-Upload-Content-Type": mime, "X-Upload-Content-Length": str(len(data))},
            ),
            what,
        )
        session = opened.headers.get("Location")
        if not session:
            raise DriveError("Google Drive n'a pas ouvert de session de dépôt ; relancez plus tard.")
        sent = self._call(
            lambda: self.http.request("put", session, data=data, headers={"Content-Type": mime}), what
        )
        return _file(sent.json())

    # -- errors ----------------------------------------------------------------------

    def _json(self, method: str, url: str, *, what: str, missing_ok: bool = False, **kwargs: Any) -> Any:
        answer = self._call(lambda: self.http.request(method, url, **kwargs), what, missing_ok=missing_ok)
        return answer.json()

    def _call(self, request: Callable[[], T], what: str, *, missing_ok: bool = False) -> T:
        try:
            return request()
        except APIError as exc:
            if missing_ok and exc.response.status_code == 404:
                raise _Missing from exc
            raise self._error(exc, what) from exc
        except RefreshError as exc:
            raise key_refused(self.account_email) from exc
        except (requests.ConnectionError, requests.Timeout, TransportError) as exc:
            raise DriveError(
                "Google Drive est injoignable (réseau coupé ou service indisponible) après "
                "plusieurs essais. Les documents restent dans le dossier de sortie ; la "
                "prochaine exécution les déposera."
            ) from exc

    def _error(self, exc: APIError, what: str) -> DriveError:
        status, reason = exc.response.status_code, _reason(exc)
        who = self.account_email
        share = (
            f"partagez-le avec le compte de service « {who} » en tant qu'éditeur"
            if who
            else "partagez-le avec le compte de service en tant qu'éditeur"
        )
        if status == 403 and reason == "storageQuotaExceeded":
            return DriveError(
                "Google Drive refuse le dépôt : un compte de service n'a pas d'espace de stockage "
                "à lui. Placez le dossier dans un Drive partagé (Google Workspace) et ajoutez-y "
                "le compte de service comme gestionnaire de contenu (voir docs/deploiement.md)."
            )
        if status == 404:
            return DriveError(
                f"Google Drive ne trouve pas le {what}. Vérifiez [documents] drive_folder et {share}."
            )
        if status in (401, 403) and reason not in RATE_LIMITS:
            return DriveError(f"Accès refusé au {what} dans Google Drive : {share}, puis relancez.")
        if status in RETRIABLE or reason in RATE_LIMITS:
            return DriveError(
                f"Google Drive a répondu « {status} » à plusieurs reprises (quota dépassé ou service "
                "indisponible). Les documents restent dans le dossier de sortie ; la prochaine "
                "exécution les déposera."
            )
        detail = exc.error.get("message") if isinstance(exc.error, Mapping) else None
        return DriveError(f"Google Drive a refusé la demande ({status}) : {detail or exc}.")


class _Missing(Exception):
    """files.get answered 404."""


def _file(item: Mapping[str, Any]) -> DriveFile:
    return DriveFile(
        id=str(item["id"]),
        name=str(item.get("name", "")),
        mime=str(item.get("mimeType", "")),
        link=str(item.get("webViewLink", "")),
        md5=item.get("md5Checksum"),
        modified=item.get("modifiedTime"),
        revision=item.get("headRevisionId"),
        parents=tuple(item.get("parents", ())),
        trashed=bool(item.get("trashed", False)),
    )
