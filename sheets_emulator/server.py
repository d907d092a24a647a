"""The Sheets API v4 emulator: a loopback HTTP server answering like sheets.googleapis.com."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .auth import Authority, GrantError
from .drive import INBOX_FOLDER, LOCAL_FOLDER, DriveStore
from .drive import fault_error as drive_fault_error
from .store import (
    ApiError,
    Evaluator,
    Sheet,
    Spreadsheet,
    default_tab_title,
    not_found,
    python_to_raw,
    sheet_from_grid,
)

INPUT_OPTIONS = ("RAW", "USER_ENTERED")
JSON_TYPE = "application/json; charset=UTF-8"


@dataclass
class RecordedRequest:
    """One API request the emulator received (``/token`` excluded).

    ``path`` is URL-decoded (``/v4/spreadsheets/ID/values/'Mes tarifs'!A1``); ``query`` maps
    each parameter to its last value and ``query_lists`` to all of them (``ranges``);
    ``body`` is the parsed JSON body or None; ``account`` the authenticated service account
    (None when anonymous); ``status`` the HTTP status answered."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    query_lists: dict[str, list[str]] = field(default_factory=dict)
    account: str | None = None
    status: int | None = None
    raw_path: str = ""


@dataclass
class _Fault:
    status: int
    remaining: int
    retry_after: int | None
    match: str | None


def _fault_error(status: int, method: str) -> ApiError:
    if status == 429:
        kind = "Read" if method == "GET" else "Write"
        metric = f"sheets.googleapis.com/{kind.lower()}_requests"
        return ApiError(
            429,
            f"Quota exceeded for quota metric '{kind} requests' and limit '{kind} requests per "
            f"minute per user' of service 'sheets.googleapis.com' for consumer "
            f"'project_number:000000000000'.",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "quota_metric": metric,
                        "quota_limit": f"{kind}RequestsPerMinutePerUser",
                        "quota_limit_value": "60",
                        "quota_location": "global",
                        "service": "sheets.googleapis.com",
                        "consumer": "projects/000000000000",
                    },
                },
                {
                    "@type": "type.googleapis.com/google.rpc.Help",
                    "links": [
                        {
                            "description": "Request a higher quota limit.",
                            "url": "https://cloud.google.com/docs/quota#requesting_higher_quota",
                        }
                    ],
                },
            ],
        )
    messages = {
        400: "Request contains an invalid argument.",
        401: "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential. See "
        "https://developers.google.com/identity/sign-in/web/devconsole-project.",
        403: "The caller does not have permission",
        404: "Requested entity was not found.",
        500: "Internal error encountered.",
        502: "Bad Gateway",
        503: "The service is currently unavailable.",
        504: "The request timed out. Please try again.",
    }
    return ApiError(status, messages.get(status, "Error"))


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address, handler, emulator: SheetsEmulator):
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    timeout = 60
    disable_nagle_algorithm = True
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's, which its stubs leave out

    server: _Server

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        return

    def version_string(self) -> str:
        return "ESF"

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if self.server.emulator._offline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return
            if not self.parse_request():
                return
            self._dispatch()
            self.wfile.flush()
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload, headers = self.server.emulator._handle(
            self.command, self.path, body, dict(self.headers.items())
        )
        raw = isinstance(payload, bytes)  # a Drive download (alt=media)
        data = (
            payload
            if isinstance(payload, bytes)
            else (b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream" if raw else JSON_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Vary", "Origin, X-Origin, Referer")
        for key, value in headers.items():
            self.send_header(key, value)
        # Headers and body in one write: no Nagle/delayed-ACK stall on keep-alive connections.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(data)
        self.flush_headers()


class SheetsEmulator:
    """An in-memory Google Sheets API v4 served over plain HTTP on loopback.

    Point the Google backend at it with ``SHEETS_EMULATOR_HOST=<address>``.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, require_auth: bool = False):
        self.host = host
        self.port = port
        self.require_auth = require_auth
        self._lock = threading.RLock()
        self._req_lock = threading.Lock()
        self._spreadsheets: dict[str, Spreadsheet] = {}
        self.drive = DriveStore()  # Drive's files (sheets_emulator/drive.py): tests read and edit them
        self._auth = Authority()
        self._faults: list[_Fault] = []
        self._requests: list[RecordedRequest] = []
        self._offline = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> SheetsEmulator:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sheets-emulator-{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def address(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):  # a Unix socket's address; ours is an IP
            host = host.decode()
        return f"{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.address}"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    # -- state --------------------------------------------------------------------------------
    def create_spreadsheet(
        self,
        spreadsheet_id: str,
        title: str = "Classeur",
        *,
        locale: str = "fr_FR",
        time_zone: str = "Europe/Paris",
        sheets: dict[str, list[list]] | None = None,
    ) -> None:
        """Create (or replace) a spreadsheet. ``sheets`` maps tab titles to grids of Python
        values; without it there is one empty tab (``Feuille 1`` in French, else ``Sheet1``)."""
        ss = Spreadsheet(spreadsheet_id, title, locale, time_zone)
        if sheets:
            for tab, grid in sheets.items():
                sheet_from_grid(ss, tab, grid)
        else:
            ss.add_sheet(default_tab_title(locale))
        with self._lock:
            self._spreadsheets[spreadsheet_id] = ss

    def load_xlsx(
        self,
        path,
        spreadsheet_id: str,
        *,
        locale: str = "fr_FR",
        time_zone: str = "Europe/Paris",
        title: str | None = None,
    ) -> None:
        """Load every tab of an .xlsx file as a spreadsheet (formulas kept as formulas,
        date cells as DATE-formatted serial numbers)."""
        from .xlsx import read_workbook

        ss = read_workbook(Path(path), spreadsheet_id, locale=locale, time_zone=time_zone, title=title)
        with self._lock:
            self._spreadsheets[spreadsheet_id] = ss

    def save_xlsx(self, spreadsheet_id: str, path) -> None:
        """Write the spreadsheet to an .xlsx file (formulas as formulas, dates as dates)."""
        from .xlsx import write_workbook

        with self._lock:
            write_workbook(self._get(spreadsheet_id), Path(path))

    def spreadsheet_ids(self) -> list[str]:
        with self._lock:
            return list(self._spreadsheets)

    def tabs(self, spreadsheet_id: str) -> list[str]:
        with self._lock:
            return [s.title for s in self._get(spreadsheet_id).sheets]

    def grid(self, spreadsheet_id: str, tab: str, render: str = "UNFORMATTED_VALUE") -> list[list]:
        """The tab's values as values.get would answer them (trailing blanks trimmed)."""
        with self._lock:
            ss = self._get(spreadsheet_id)
            sheet = self._sheet(ss, tab)
            from .store import Window

            win = Window(sheet, 0, 0, sheet.row_count - 1, sheet.col_count - 1)
            return ss.render_window(win, render, "SERIAL_NUMBER")

    def grid_size(self, spreadsheet_id: str, tab: str) -> tuple[int, int]:
        """(rowCount, columnCount) of a tab."""
        with self._lock:
            sheet = self._sheet(self._get(spreadsheet_id), tab)
            return sheet.row_count, sheet.col_count

    def set_cells(
        self,
        spreadsheet_id: str,
        tab: str,
        updates: dict[tuple[int, int], object],
        *,
        user_entered: bool = False,
    ) -> None:
        """Simulate a person editing cells: ``{(row, col): value}``, 1-based. Python values as
        for ``create_spreadsheet``; with ``user_entered=True`` strings are parsed as typed in
        the sheet's locale (``02/07/2024`` becomes a date). The grid grows to fit."""
        with self._lock:
            ss = self._get(spreadsheet_id)
            sheet = self._sheet(ss, tab)
            for (row, col), value in updates.items():
                if row < 1 or col < 1:
                    raise ValueError(f"cells are 1-based: {(row, col)}")
                if user_entered and isinstance(value, str):
                    raw = ss.to_raw(value, "USER_ENTERED", sheet.get(row - 1, col - 1))
                else:
                    raw = python_to_raw(value, ss.locale)
                sheet.put(row - 1, col - 1, raw)
                sheet.row_count = max(sheet.row_count, row)
                sheet.col_count = max(sheet.col_count, col)
            sheet.trim()

    def add_tab(self, spreadsheet_id: str, tab: str, grid: list[list] | None = None) -> None:
        """Simulate a person adding a tab (appended last)."""
        with self._lock:
            ss = self._get(spreadsheet_id)
            if ss.find_sheet(tab) is not None:
                raise ValueError(f"tab exists: {tab}")
            sheet_from_grid(ss, tab, grid or [])

    def rename_tab(self, spreadsheet_id: str, tab: str, new_title: str) -> None:
        with self._lock:
            self._sheet(self._get(spreadsheet_id), tab).title = new_title

    def delete_tab(self, spreadsheet_id: str, tab: str) -> None:
        with self._lock:
            ss = self._get(spreadsheet_id)
            ss.sheets.remove(self._sheet(ss, tab))

    def insert_rows(self, spreadsheet_id: str, tab: str, before_row: int, count: int = 1) -> None:
        """Simulate a person inserting ``count`` empty rows before 1-based ``before_row``."""
        with self._lock:
            ss = self._get(spreadsheet_id)
            ss.insert_rows(self._sheet(ss, tab), before_row - 1, count)

    def delete_rows(self, spreadsheet_id: str, tab: str, row: int, count: int = 1) -> None:
        """Simulate a person deleting ``count`` rows from 1-based ``row``."""
        with self._lock:
            ss = self._get(spreadsheet_id)
            ss.delete_rows(self._sheet(ss, tab), row - 1, count)

    def move_row(self, spreadsheet_id: str, tab: str, from_row: int, to_row: int) -> None:
        """Simulate a person dragging row ``from_row`` so that it becomes row ``to_row``
        (1-based). Formula references are not rewritten."""
        with self._lock:
            sheet = self._sheet(self._get(spreadsheet_id), tab)
            need = max(from_row, to_row)
            while len(sheet.rows) < need:
                sheet.rows.append([])
            row = sheet.rows.pop(from_row - 1)
            sheet.rows.insert(to_row - 1, row)
            sheet.trim()

    def sort_rows(
        self,
        spreadsheet_id: str,
        tab: str,
        key: int | Callable[[list], Any],
        *,
        reverse: bool = False,
        header_rows: int = 1,
    ) -> None:
        """Simulate a person sorting the rows below the header: by 1-based column ``key``
        or by ``key(row_values)`` on the UNFORMATTED values. Blank rows go last, like
        Google's sort; formula references are not rewritten."""
        with self._lock:
            ss = self._get(spreadsheet_id)
            sheet = self._sheet(ss, tab)
            from .store import Window

            head = sheet.rows[:header_rows]
            body = sheet.rows[header_rows:]
            if not body:
                return
            win = Window(sheet, header_rows, 0, header_rows + len(body) - 1, sheet.col_count - 1)
            values = ss.render_window(win, "UNFORMATTED_VALUE", "SERIAL_NUMBER", Evaluator(ss))
            values += [[] for _ in range(len(body) - len(values))]
            if callable(key):
                keyfunc = key
            else:
                col = key - 1

                def keyfunc(vals: list) -> Any:
                    v = vals[col] if col < len(vals) else ""
                    return (0, v) if isinstance(v, (int, float)) and not isinstance(v, bool) else (1, str(v))

            filled = [
                (vals, row) for vals, row in zip(values, body, strict=True) if any(v != "" for v in vals)
            ]
            blank = [row for vals, row in zip(values, body, strict=True) if not any(v != "" for v in vals)]
            filled.sort(key=lambda pair: keyfunc(pair[0]), reverse=reverse)
            sheet.rows = head + [row for _, row in filled] + blank
            sheet.trim()

    def resize_tab(
        self, spreadsheet_id: str, tab: str, rows: int | None = None, cols: int | None = None
    ) -> None:
        with self._lock:
            ss = self._get(spreadsheet_id)
            ss.resize(self._sheet(ss, tab), rows, cols)

    # -- access control -----------------------------------------------------------------------
    def register_service_account(self, email: str, public_key_pem: bytes) -> None:
        """Accept JWTs signed by this account's key (PEM public key, certificate or key)."""
        with self._lock:
            self._auth.register(email, public_key_pem)

    def share(self, spreadsheet_id: str, email: str, role: str = "writer") -> None:
        """Give an account access, as ``writer`` (editor) or ``reader``. Once a spreadsheet
        has shares, other accounts get 403, and readers get 403 on every write (anonymous
        callers still pass unless ``require_auth``)."""
        if role not in ("writer", "reader"):
            raise ValueError(f"unknown role {role!r}")
        with self._lock:
            self._get(spreadsheet_id).shares[email] = role

    # -- observation and faults ---------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._req_lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._req_lock:
            self._requests.clear()

    def fail_next(
        self,
        status: int,
        count: int = 1,
        *,
        retry_after: int | None = None,
        match: str | None = None,
    ) -> None:
        """Answer the next ``count`` API requests (those whose path contains ``match``, when
        given) with Google's error for ``status``, plus ``Retry-After`` when given."""
        with self._req_lock:
            self._faults.append(_Fault(status, count, retry_after, match))

    def clear_faults(self) -> None:
        """Forget the faults ``fail_next`` queued and did not use yet."""
        with self._req_lock:
            self._faults.clear()

    def go_offline(self) -> None:
        """Close every new request's connection without answering (a connection error)."""
        self._offline = True

    def go_online(self) -> None:
        self._offline = False

    # -- internals ----------------------------------------------------------------------------
    def _get(self, spreadsheet_id: str) -> Spreadsheet:
        try:
            return self._spreadsheets[spreadsheet_id]
        except KeyError:
            raise KeyError(f"no spreadsheet {spreadsheet_id!r}") from None

    @staticmethod
    def _sheet(ss: Spreadsheet, tab: str) -> Sheet:
        sheet = ss.find_sheet(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in {ss.id!r}")
        return sheet

    def _take_fault(self, method: str, path: str, raw_path: str) -> _Fault | None:
        with self._req_lock:
            for fault in self._faults:
                if fault.match is None or fault.match in path or fault.match in raw_path:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _handle(self, method: str, target: str, body: bytes, headers: dict[str, str]):
        parts = urlsplit(target)
        raw_path = parts.path
        path = unquote(raw_path)
        query_lists = parse_qs(parts.query, keep_blank_values=True)
        if raw_path == "/token":
            return self._token(method, body)
        query = {k: v[-1] for k, v in query_lists.items()}
        if self._is_drive(raw_path, path):
            return self._drive_request(method, raw_path, path, query, query_lists, body, headers)
        try:
            payload = json.loads(body) if body.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            payload = ValueError
        record = RecordedRequest(
            method,
            path,
            query,
            None if payload is ValueError else payload,
            query_lists=query_lists,
            raw_path=raw_path,
        )
        with self._req_lock:
            self._requests.append(record)
        status, out, extra = self._answer(method, raw_path, query, query_lists, payload, headers, record)
        record.status = status
        return status, out, extra

    def _answer(self, method, raw_path, query, query_lists, payload, headers, record):
        fault = self._take_fault(method, unquote(raw_path), raw_path)
        if fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return fault.status, _fault_error(fault.status, method).body(), extra
        try:
            if payload is ValueError:
                raise ApiError(400, "Invalid JSON payload received. Unexpected token.")
            if payload is not None and not isinstance(payload, dict):
                raise ApiError(400, "Invalid JSON payload received. Expected an object at the top level.")
            account = self._authenticate(headers)
            record.account = account
            with self._lock:
                result = self._route(method, raw_path, query, query_lists, payload or {}, account)
            return 200, result, {}
        except ApiError as err:
            return err.code, err.body(), {}
        except Exception as exc:  # a bug of the emulator: answer like Google's 500, say what
            error = ApiError(
                500,
                "Internal error encountered.",
                details=[{"@type": "emulator.debug", "detail": f"{type(exc).__name__}: {exc}"}],
            )
            return 500, error.body(), {}

    def _is_drive(self, raw_path: str, path: str) -> bool:
        """A request for the Drive store (not the files.get of a spreadsheet)."""
        if raw_path.startswith("/upload/drive/"):
            return True
        if not raw_path.startswith("/drive/v3/files"):
            return False
        file_id = path[len(DRIVE_FILES) :].split("/")[0] if path.startswith(DRIVE_FILES) else ""
        return not (file_id and file_id in self._spreadsheets and file_id not in self.drive.items)

    def _drive_request(self, method, raw_path, path, query, query_lists, body: bytes, headers):
        try:
            recorded = json.loads(body) if body.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            recorded = None  # an upload's content
        record = RecordedRequest(method, path, query, recorded, query_lists=query_lists, raw_path=raw_path)
        with self._req_lock:
            self._requests.append(record)
        fault = self._take_fault(method, path, raw_path)
        if fault is not None:
            extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            record.status = fault.status
            return fault.status, drive_fault_error(fault.status).body(), extra
        host = next((v for k, v in headers.items() if k.lower() == "host"), self.address)
        try:
            record.account = self._authenticate(headers)
            with self._lock:
                status, out, extra = self.drive.handle(
                    method, path, query, body, headers, f"http://{host}", record.account
                )
        except ApiError as err:
            status, out, extra = err.code, err.body(), {}
        except Exception as exc:  # a bug of the emulator: answer like Google's 500, say what
            error = ApiError(500, "Internal error encountered.", details=[{"detail": f"{exc!r}"}])
            status, out, extra = 500, error.body(), {}
        record.status = status
        return status, out, extra

    def _authenticate(self, headers: dict[str, str]) -> str | None:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if auth is None:
            if self.require_auth:
                raise ApiError(
                    401,
                    "Request is missing required authentication credential. Expected OAuth 2 "
                    "access token, login cookie or other valid authentication credential. See "
                    "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                )
            return None
        scheme, _, token = auth.partition(" ")
        with self._lock:
            account = self._auth.account_for(token.strip()) if scheme.lower() == "bearer" else None
        if account is None:
            raise _fault_error(401, "GET")
        return account

    def _token(self, method: str, body: bytes):
        if method != "POST":
            return 405, {"error": "invalid_request", "error_description": "POST only"}, {}
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        try:
            with self._lock:
                return 200, self._auth.grant(form, self.token_uri), {}
        except GrantError as err:
            return 400, err.body(), {}

    def _check_access(self, ss: Spreadsheet, account: str | None, *, write: bool = False) -> None:
        if not ss.shares or account is None:
            return
        role = ss.shares.get(account)
        if role is None or (write and role != "writer"):
            raise ApiError(403, "The caller does not have permission")

    def _can_edit(self, ss: Spreadsheet, account: str | None) -> bool:
        return not ss.shares or account is None or ss.shares.get(account) == "writer"

    def _route(self, method, raw_path, query, query_lists, body, account):
        from . import api

        if raw_path.startswith(DRIVE_FILES):
            return self._drive_file(method, raw_path[len(DRIVE_FILES) :], query, account)
        if method != "GET" and raw_path.startswith("/v4/spreadsheets/"):
            sid = unquote(raw_path[len("/v4/spreadsheets/") :].split("/")[0].split(":")[0])
            if (ss := self._spreadsheets.get(sid)) is not None:
                self._check_access(ss, account, write=True)
        prefix = "/v4/spreadsheets"
        if not raw_path.startswith(prefix):
            raise not_found()
        rest = raw_path[len(prefix) :]
        if rest in ("", "/"):
            if method == "POST":
                return api.create(self, body)
            raise not_found()
        rest = rest[1:]
        sid_raw, sep, tail = rest.partition("/")
        if not sep and ":" in sid_raw:
            sid_raw, _, verb = sid_raw.partition(":")
            ss = self._open(unquote(sid_raw), account)
            if verb == "batchUpdate" and method == "POST":
                return api.batch_update(ss, body)
            raise not_found()
        ss = self._open(unquote(sid_raw), account)
        if not sep:
            if method == "GET":
                return api.get_spreadsheet(ss, query, query_lists)
            raise not_found()
        if tail.startswith("values:"):
            verb = tail[len("values:") :]
            if verb == "batchGet" and method == "GET":
                return api.batch_get(ss, query, query_lists)
            if verb == "batchUpdate" and method == "POST":
                return api.values_batch_update(ss, body)
            if verb == "batchClear" and method == "POST":
                return api.batch_clear(ss, body)
            raise not_found()
        if tail.startswith("values/"):
            range_raw = tail[len("values/") :]
            verb = ""
            if method == "POST":
                for candidate in (":append", ":clear"):
                    if range_raw.endswith(candidate):
                        range_raw, verb = range_raw[: -len(candidate)], candidate[1:]
                        break
            a1 = unquote(range_raw)
            if method == "GET" and not verb:
                return api.values_get(ss, a1, query)
            if method == "PUT" and not verb:
                return api.values_update(ss, a1, query, body)
            if verb == "append":
                return api.values_append(ss, a1, query, body)
            if verb == "clear":
                return api.values_clear(ss, a1)
        raise not_found()

    def _drive_file(self, method: str, file_id: str, query, account: str | None) -> dict:
        """Drive v3 ``files.get`` of a spreadsheet: id, name, mimeType and, when asked,
        ``capabilities.canEdit`` (what ``mila diagnostic`` checks)."""
        if method != "GET" or not file_id or "/" in file_id:
            raise not_found()
        ss = self._spreadsheets.get(unquote(file_id))
        if ss is None:
            raise ApiError(404, f"File not found: {unquote(file_id)}.")
        self._check_access(ss, account)
        fields = query.get("fields", "id")
        answer: dict = {"id": ss.id}
        if "name" in fields:
            answer["name"] = ss.title
        if "mimeType" in fields:
            answer["mimeType"] = "application/vnd.google-apps.spreadsheet"
        if "capabilities" in fields:
            answer["capabilities"] = {"canEdit": self._can_edit(ss, account)}
        return answer

    def _open(self, spreadsheet_id: str, account: str | None) -> Spreadsheet:
        ss = self._spreadsheets.get(spreadsheet_id)
        if ss is None:
            raise not_found()
        self._check_access(ss, account)
        return ss


DRIVE_FILES = "/drive/v3/files/"


def serve(
    path_xlsx,
    host: str = "127.0.0.1",
    port: int = 8085,
    spreadsheet_id: str | None = None,
    *,
    locale: str = "fr_FR",
    on_ready: Callable[[str, str], None] | None = None,
    require_auth: bool = False,
) -> None:
    """Serve a copy of an .xlsx workbook until KeyboardInterrupt (for ``mila emulateur``).

    Prints nothing: ``on_ready(address, spreadsheet_id)`` is called once it listens
    (``address`` is ``host:port``, the value for ``SHEETS_EMULATOR_HOST``), so the CLI can
    print it with the ``export SHEETS_EMULATOR_HOST=...`` line."""
    path = Path(path_xlsx)
    sid = spreadsheet_id or default_spreadsheet_id(path)
    emulator = SheetsEmulator(host, port, require_auth=require_auth)
    emulator.load_xlsx(path, sid, locale=locale)
    emulator.drive.create_folder("Documents", LOCAL_FOLDER)  # for [documents] drive_folder
    inbox = emulator.drive.create_folder("Paiements à importer", INBOX_FOLDER)  # [payments] drive_inbox
    for export in sorted(path.parent.glob(f"{path.stem}-*.csv")):  # the demo's payment files
        emulator.drive.drop_by_person(inbox, export.name, export.read_bytes())
    with emulator:
        try:
            if on_ready is not None:
                on_ready(emulator.address, sid)
            while True:
                time.sleep(0.5)
        except KeyboardInterrupt:
            return


def default_spreadsheet_id(path: Path) -> str:
    """A stable spreadsheet id for a file: its name as letters, digits, ``-`` and ``_``."""
    import re
    import unicodedata

    stem = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "classeur"
    return f"local-{slug}"
