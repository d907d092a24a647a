"""The few Drive API v3 methods the project uses, in memory: folders, uploads, revisions.

- ``files.list`` with a ``q`` of clauses joined by ``and``: ``'ID' in parents``,
  ``name = '…'``, ``mimeType = '…'`` / ``!=``, ``trashed = true|false``; ``pageSize`` and
  ``pageToken``;
- ``files.create``: metadata only (``/drive/v3/files``: a folder, an empty file), or with
  content under ``/upload/drive/v3/files`` with ``uploadType=media``, ``multipart`` or
  ``resumable`` (a session opened by the first request, its ``Location`` then receiving
  the content in one or several ``PUT`` with ``Content-Range``; 308 until complete);
- ``files.update``: ``PATCH /drive/v3/files/{id}`` (metadata: name, trashed) and
  ``PATCH /upload/drive/v3/files/{id}`` with content (each content a new revision: same ID,
  same ``webViewLink``, new ``md5Checksum``, ``headRevisionId`` and ``modifiedTime``);
- ``files.get`` (metadata, and ``capabilities`` ``canEdit`` / ``canAddChildren`` from the
  shares of :meth:`DriveStore.share`; the content with ``alt=media``, as bytes) and
  ``revisions.list``;
- ``files.update`` with ``addParents`` / ``removeParents`` (a file moved to another folder).

``fields`` masks are applied (``id,name``, ``files(id,md5Checksum)``); without one, Drive's
default ``kind,id,name,mimeType``. Errors have Drive's body (``error.errors[].reason``).
Not modelled: the permissions API (a share of :meth:`DriveStore.share` only changes what
files.get answers), shared drives' own calls, export, copy,
delete, changes, comments. Tests play a person in Drive through
:meth:`DriveStore.edit_by_person` and read files with :meth:`DriveStore.content`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from .store import ApiError

FOLDER = "application/vnd.google-apps.folder"
LOCAL_FOLDER = "dossier-documents-local"  # the shared folder ``serve`` (``mila emulateur``) offers
INBOX_FOLDER = "dossier-paiements-local"  # its « Paiements à importer », the demo's payment files in it
DEFAULT_FIELDS = "kind,id,name,mimeType"
LIST_DEFAULT = "kind,incompleteSearch,files(kind,id,name,mimeType)"


class DriveApiError(ApiError):
    """An error with Drive's body: ``{"error": {"code", "message", "errors": [{reason…}]}}``."""

    def __init__(
        self,
        code: int,
        message: str,
        reason: str,
        location: str | None = None,
        *,
        domain: str = "global",
        location_type: str = "parameter",
    ) -> None:
        super().__init__(code, message)
        self.reason = reason
        self.location = location
        self.domain = domain
        self.location_type = location_type

    def body(self) -> dict:
        error: dict[str, Any] = {"message": self.message, "domain": self.domain, "reason": self.reason}
        if self.location:
            error.update(location=self.location, locationType=self.location_type)
        return {"error": {"code": self.code, "message": self.message, "errors": [error]}}


# Drive's answers to a simulated fault (``fail_next`` on a Drive path), as its guide
# « Resolve errors » shows them: (reason, message, domain).
_FAULTS = {
    400: ("badRequest", "Bad Request", "global"),
    401: ("authError", "Invalid Credentials", "global"),
    403: ("userRateLimitExceeded", "User Rate Limit Exceeded", "usageLimits"),
    404: ("notFound", "File not found.", "global"),
    429: ("rateLimitExceeded", "Rate Limit Exceeded", "usageLimits"),
    500: ("backendError", "Backend Error", "global"),
    502: ("backendError", "Bad Gateway", "global"),
    503: ("backendError", "Service Unavailable", "global"),
    504: ("backendError", "Gateway Timeout", "global"),
}


def fault_error(status: int) -> DriveApiError:
    """The error Drive answers with ``status`` (a quota, an outage...), for a simulated fault."""
    reason, message, domain = _FAULTS.get(status, ("backendError", "Error", "global"))
    if status == 401:
        return DriveApiError(status, message, reason, "Authorization", location_type="header")
    if status == 404:
        return DriveApiError(status, message, reason, "fileId")
    return DriveApiError(status, message, reason, domain=domain)


def _not_found(file_id: str) -> DriveApiError:
    return DriveApiError(404, f"File not found: {file_id}.", "notFound", "fileId")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class Revision:
    id: str
    md5: str
    size: int
    modified: str
    mime: str


@dataclass
class DriveItem:
    id: str
    name: str
    mime: str
    parents: list[str]
    created: str
    modified: str
    content: bytes | None = None
    revisions: list[Revision] = field(default_factory=list)
    trashed: bool = False
    shares: dict[str, str] = field(default_factory=dict)  # account e-mail -> "writer" or "reader"

    @property
    def is_folder(self) -> bool:
        return self.mime == FOLDER

    def resource(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "drive#file",
            "id": self.id,
            "name": self.name,
            "mimeType": self.mime,
            "parents": list(self.parents),
            "trashed": self.trashed,
            "createdTime": self.created,
            "modifiedTime": self.modified,
            "webViewLink": (
                f"https://drive.google.com/drive/folders/{self.id}"
                if self.is_folder
                else f"https://drive.google.com/file/d/{self.id}/view?usp=drivesdk"
            ),
        }
        if self.revisions:
            head = self.revisions[-1]
            out.update(md5Checksum=head.md5, size=str(head.size), headRevisionId=head.id)
        return out


def parse_fields(text: str) -> dict[str, Any]:
    """``kind,files(id,name)`` -> ``{"kind": None, "files": {"id": None, "name": None}}``."""
    out: dict[str, Any] = {}
    i, name = 0, ""
    while i < len(text):
        char = text[i]
        if char == "(":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            out[name.strip()] = parse_fields(text[i + 1 : j - 1])
            name, i = "", j
            continue
        if char == ",":
            if name.strip():
                out[name.strip()] = None
            name = ""
        else:
            name += char
        i += 1
    if name.strip():
        out[name.strip()] = None
    return out


def masked(resource: dict[str, Any], mask: dict[str, Any]) -> dict[str, Any]:
    if "*" in mask:
        return resource
    out: dict[str, Any] = {}
    for key, sub in mask.items():
        key = key.split("/")[0]
        if key not in resource:
            continue
        value = resource[key]
        if sub is not None and isinstance(value, list):
            value = [masked(v, sub) for v in value]
        elif sub is not None and isinstance(value, dict):
            value = masked(value, sub)
        out[key] = value
    return out


_CLAUSE = re.compile(
    r"""\s*(?:'(?P<parent>(?:[^'\\]|\\.)*)'\s+in\s+parents"""
    r"""|(?P<field>name|mimeType|trashed)\s*(?P<op>!=|=)\s*"""
    r"""(?:'(?P<sq>(?:[^'\\]|\\.)*)'|"(?P<dq>(?:[^"\\]|\\.)*)"|(?P<bool>true|false)))\s*""",
    re.IGNORECASE,
)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_query(q: str) -> list[tuple[str, str, str]]:
    """The clauses of ``q``: (field, op, value); ``("parents", "in", ID)``."""
    clauses: list[tuple[str, str, str]] = []
    for part in re.split(r"\s+and\s+", q.strip(), flags=re.IGNORECASE) if q.strip() else []:
        found = _CLAUSE.fullmatch(part)
        if found is None:
            raise DriveApiError(400, "Invalid Value", "invalid", "q")
        if found["parent"] is not None:
            clauses.append(("parents", "in", _unescape(found["parent"])))
            continue
        value = found["sq"] if found["sq"] is not None else found["dq"]
        value = _unescape(value) if value is not None else found["bool"].lower()
        clauses.append((found["field"], found["op"], value))
    return clauses


def _matches(item: DriveItem, clauses: list[tuple[str, str, str]]) -> bool:
    for name, op, value in clauses:
        if name == "parents":
            ok = value in item.parents
        else:
            have = {"name": item.name, "mimeType": item.mime, "trashed": str(item.trashed).lower()}[name]
            ok = have == value if op == "=" else have != value
        if not ok:
            return False
    return True


@dataclass
class _Session:
    file_id: str | None  # update of this file, or None for a create
    metadata: dict[str, Any]
    mime: str
    total: int | None
    received: bytearray = field(default_factory=bytearray)


class DriveStore:
    """Drive's files in memory, and the HTTP methods over them."""

    def __init__(self) -> None:
        self.items: dict[str, DriveItem] = {}
        self._sessions: dict[str, _Session] = {}
        self._revisions = itertools.count(1)

    # -- for tests: the state, a person's edits ----------------------------------------

    def create_folder(self, name: str, folder_id: str | None = None, parent: str | None = None) -> str:
        """A folder (a person's shared folder, when ``parent`` is None); returns its ID."""
        item = self._new(name, FOLDER, [parent] if parent else [], folder_id)
        return item.id

    def item(self, file_id: str) -> DriveItem:
        return self.items[file_id]

    def content(self, file_id: str) -> bytes:
        data = self.items[file_id].content
        assert data is not None
        return data

    def children(self, folder_id: str) -> list[DriveItem]:
        return [i for i in self.items.values() if folder_id in i.parents and not i.trashed]

    def find(self, folder_id: str, *path: str) -> DriveItem | None:
        """The item at ``path`` under ``folder_id`` (``"Conventions", "x.docx"``)."""
        current: DriveItem | None = None
        parent = folder_id
        for name in path:
            current = next((i for i in self.children(parent) if i.name == name), None)
            if current is None:
                return None
            parent = current.id
        return current

    def share(self, file_id: str, email: str, role: str = "writer") -> None:
        """Share a folder (or file) with an account, as ``writer`` (editor) or ``reader``.
        What is inside inherits the share; once an item or a folder above it has shares,
        other accounts no longer see it (404). Without any share, everyone may edit, and
        anonymous callers always may."""
        if role not in ("writer", "reader"):
            raise ValueError(f"unknown role {role!r}")
        self.items[file_id].shares[email] = role

    def role_of(self, item: DriveItem, account: str | None) -> str | None:
        """``writer``, ``reader``, or None when ``account`` cannot see ``item``."""
        if account is None:
            return "writer"
        shared, seen = False, set()
        current: DriveItem | None = item
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.shares:
                shared = True
                if account in current.shares:
                    return current.shares[account]
            current = self.items.get(current.parents[0]) if current.parents else None
        return None if shared else "writer"

    def edit_by_person(self, file_id: str, data: bytes) -> None:
        """A person saves a new version of the file in Drive (a new revision)."""
        self._revise(self.items[file_id], data, self.items[file_id].mime)

    def trash_by_person(self, file_id: str) -> None:
        self.items[file_id].trashed = True

    def drop_by_person(self, folder_id: str, name: str, data: bytes, mime: str = "text/csv") -> str:
        """A person drops a file in a folder (a HelloAsso export in the payments inbox); its ID."""
        item = self._new(name, mime, [folder_id])
        self._revise(item, data, mime)
        return item.id

    # -- internals -----------------------------------------------------------------------

    def _new(self, name: str, mime: str, parents: list[str], file_id: str | None = None) -> DriveItem:
        for parent in parents:
            found = self.items.get(parent)
            if found is None or not found.is_folder:
                raise _not_found(parent)
        stamp = _now()
        item = DriveItem(file_id or "1" + secrets.token_urlsafe(24), name, mime, parents, stamp, stamp)
        self.items[item.id] = item
        return item

    def _revise(self, item: DriveItem, data: bytes, mime: str) -> None:
        stamp = _now()
        item.content = bytes(data)
        item.modified = stamp
        item.revisions.append(
            Revision(
                f"0B{next(self._revisions):06d}",
                hashlib.md5(data, usedforsecurity=False).hexdigest(),
                len(data),
                stamp,
                mime,
            )
        )

    def _get(self, file_id: str) -> DriveItem:
        item = self.items.get(file_id)
        if item is None:
            raise _not_found(file_id)
        return item

    # -- HTTP ------------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        headers: dict[str, str],
        base: str,
        account: str | None = None,
    ) -> tuple[int, Any, dict[str, str]]:
        """Answer one Drive request of ``account`` (None: anonymous): (status, JSON body or
        None, extra headers)."""
        lower = {k.lower(): v for k, v in headers.items()}
        fields = parse_fields(query.get("fields") or "")
        if path.startswith("/upload/drive/v3/files"):
            rest = path[len("/upload/drive/v3/files") :].strip("/")
            return self._upload(method, rest or None, query, body, lower, base, fields)
        rest = path[len("/drive/v3/files") :].strip("/")
        if not rest:
            if method == "GET":
                return 200, self._list(query, fields), {}
            if method == "POST":
                meta = _json(body)
                item = self._new(
                    str(meta.get("name", "Untitled")),
                    str(meta.get("mimeType", "application/octet-stream")),
                    list(meta.get("parents", [])),
                )
                return 200, self._answer(item, fields), {}
            raise DriveApiError(405, "Method not allowed.", "methodNotAllowed")
        file_id, _, sub = rest.partition("/")
        item = self._get(file_id)
        if sub == "revisions" and method == "GET":
            revisions = [
                {
                    "kind": "drive#revision",
                    "id": r.id,
                    "mimeType": r.mime,
                    "modifiedTime": r.modified,
                    "md5Checksum": r.md5,
                    "size": str(r.size),
                    "keepForever": False,
                }
                for r in item.revisions
            ]
            out: dict[str, Any] = {"kind": "drive#revisionList", "revisions": revisions}
            return 200, masked(out, fields) if fields else out, {}
        if sub:
            raise _not_found(file_id)
        if method == "GET":
            role = self.role_of(item, account)
            if role is None:
                raise _not_found(file_id)
            if query.get("alt") == "media":
                if item.is_folder or item.content is None:
                    raise DriveApiError(
                        403, "Only files with binary content can be downloaded.", "fileNotDownloadable"
                    )
                return 200, bytes(item.content), {}
            answer = self._answer(item, fields)
            if "capabilities" in fields:
                can = {
                    "canEdit": role == "writer",
                    "canAddChildren": role == "writer" and item.is_folder,
                    "canDownload": True,
                }
                answer["capabilities"] = masked(can, fields["capabilities"] or {"*": None})
            return 200, answer, {}
        if method == "PATCH":
            self._apply(item, _json(body))
            self._move(item, query)
            return 200, self._answer(item, fields), {}
        raise DriveApiError(405, "Method not allowed.", "methodNotAllowed")

    def _answer(self, item: DriveItem, fields: dict[str, Any]) -> dict[str, Any]:
        return masked(item.resource(), fields or parse_fields(DEFAULT_FIELDS))

    def _apply(self, item: DriveItem, meta: dict[str, Any]) -> None:
        if "name" in meta:
            item.name = str(meta["name"])
        if "trashed" in meta:
            item.trashed = bool(meta["trashed"])
        if "mimeType" in meta and not item.revisions:
            item.mime = str(meta["mimeType"])
        item.modified = _now()

    def _move(self, item: DriveItem, query: dict[str, str]) -> None:
        """``addParents`` / ``removeParents`` (comma-separated IDs) of a files.update."""
        added = [p for p in (query.get("addParents") or "").split(",") if p]
        removed = {p for p in (query.get("removeParents") or "").split(",") if p}
        for parent in added:
            found = self.items.get(parent)
            if found is None or not found.is_folder:
                raise _not_found(parent)
        item.parents = [p for p in item.parents if p not in removed] + [
            p for p in added if p not in item.parents
        ]

    def _list(self, query: dict[str, str], fields: dict[str, Any]) -> dict[str, Any]:
        clauses = parse_query(query.get("q", ""))
        found = [i for i in self.items.values() if _matches(i, clauses)]
        found.sort(key=lambda i: (i.is_folder is False, i.name))
        size = max(1, min(int(query.get("pageSize") or 100), 1000))
        start = int(query.get("pageToken") or 0)
        page = found[start : start + size]
        out: dict[str, Any] = {
            "kind": "drive#fileList",
            "incompleteSearch": False,
            "files": [i.resource() for i in page],
        }
        if start + size < len(found):
            out["nextPageToken"] = str(start + size)
        return masked(out, fields or parse_fields(LIST_DEFAULT))

    def _upload(
        self,
        method: str,
        file_id: str | None,
        query: dict[str, str],
        body: bytes,
        headers: dict[str, str],
        base: str,
        fields: dict[str, Any],
    ) -> tuple[int, Any, dict[str, str]]:
        kind = query.get("uploadType", "")
        if kind == "resumable" and "upload_id" in query:
            return self._resume(query["upload_id"], body, headers, fields)
        if (file_id is None) != (method == "POST") or method not in ("POST", "PATCH", "PUT"):
            raise DriveApiError(405, "Method not allowed.", "methodNotAllowed")
        if kind == "media":
            meta: dict[str, Any] = {}
            content, mime = body, headers.get("content-type", "application/octet-stream")
        elif kind == "multipart":
            meta, content, mime = _multipart(body, headers.get("content-type", ""))
        elif kind == "resumable":
            session_id = secrets.token_urlsafe(16)
            self._sessions[session_id] = _Session(
                file_id,
                _json(body),
                headers.get("x-upload-content-type", "application/octet-stream"),
                int(headers["x-upload-content-length"]) if "x-upload-content-length" in headers else None,
            )
            location = f"{base}/upload/drive/v3/files?uploadType=resumable&upload_id={session_id}"
            if query.get("fields"):
                location += "&fields=" + query["fields"]
            return 200, None, {"Location": location, "X-GUploader-UploadID": session_id}
        else:
            raise DriveApiError(400, f"Invalid value for: uploadType={kind}", "invalid", "uploadType")
        return 200, self._store(file_id, meta, content, mime, fields), {}

    def _store(
        self, file_id: str | None, meta: dict[str, Any], content: bytes, mime: str, fields: dict[str, Any]
    ) -> dict[str, Any]:
        if file_id is None:
            item = self._new(
                str(meta.get("name", "Untitled")),
                str(meta.get("mimeType", mime)),
                list(meta.get("parents", [])),
            )
        else:
            item = self._get(file_id)
            self._apply(item, meta)
        self._revise(item, content, mime)
        return self._answer(item, fields)

    def _resume(
        self, session_id: str, body: bytes, headers: dict[str, str], fields: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        session = self._sessions.get(session_id)
        if session is None:
            raise DriveApiError(404, "Upload session not found.", "notFound")
        total = session.total
        ranged = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+|\*)", headers.get("content-range", ""))
        if ranged:
            if int(ranged[1]) != len(session.received):
                raise DriveApiError(400, "Invalid Content-Range.", "badContent")
            if ranged[3] != "*":
                total = int(ranged[3])
        session.received += body
        if total is not None and len(session.received) < total:
            return 308, None, {"Range": f"bytes=0-{len(session.received) - 1}"}
        del self._sessions[session_id]
        return (
            200,
            self._store(session.file_id, session.metadata, bytes(session.received), session.mime, fields),
            {},
        )


def _json(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise DriveApiError(400, "Invalid JSON payload received.", "parseError") from None
    if not isinstance(value, dict):
        raise DriveApiError(400, "Invalid JSON payload received.", "parseError")
    return value


def _multipart(body: bytes, content_type: str) -> tuple[dict[str, Any], bytes, str]:
    """The metadata (first part, JSON) and the content (second part) of ``multipart/related``."""
    found = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/related") or found is None:
        raise DriveApiError(400, "Bad multipart request: no boundary.", "badContent")
    marker = b"--" + found[1].encode()
    pieces = body.split(marker)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        head, sep, data = piece.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise DriveApiError(400, "Bad multipart request.", "badContent")
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in head.decode("latin-1").split("\r\n"))
        }
        parts.append((headers, data.removesuffix(b"\r\n")))
    if len(parts) != 2:
        raise DriveApiError(400, "Bad multipart request: two parts expected.", "badContent")
    return _json(parts[0][1]), parts[1][1], parts[1][0].get("content-type", "application/octet-stream")
