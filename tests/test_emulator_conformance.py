"""Replays real Google Sheets API traffic against the emulator and compares the answers.

Each recording in ``tests/recordings/google-sheets/`` (copied from the team's shared folder,
with gspread's licence) is one test of
gspread's suite run against the real Google APIs. For every recording, the Sheets requests are
sent to the emulator in order, with the same method, path, query and body, after creating each
spreadsheet with its recorded ID, title and locale; Drive calls are skipped. Status codes and
JSON bodies must match Google's, up to the noise ``normalize`` removes. Any remaining
difference must be listed in ``KNOWN_DIFFERENCES`` with its reason, so a new one fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from sheets_emulator import SheetsEmulator

# Shipped with the tests, so that a fresh clone passes with nothing beside it.
RECORDINGS = Path(__file__).resolve().parent / "recordings" / "google-sheets"
SHEETS_HOST = "sheets.googleapis.com"
_ID_IN_PATH = re.compile(r"^/v4/spreadsheets/([^/:]+)")

# (recording file name, JSON path of the difference) -> why the emulator differs there.
# JSON paths look like "interactions[3].body.replies[0].addSheet.properties.title".
# Empty: the emulator answers every recorded request exactly like Google did.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}


def _recordings() -> list[Path]:
    if not RECORDINGS.is_dir():
        return []
    return sorted(RECORDINGS.glob("*.json"))


def normalize(value, key: str | None = None):
    """Drop what legitimately differs between two runs: the ids Google draws at random for
    new tabs (``sheetId`` other than 0)."""
    if isinstance(value, dict):
        return {k: normalize(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if key == "sheetId" and isinstance(value, int) and value != 0:
        return "<random sheetId>"
    return value


def differences(expected, actual, path: str = "") -> list[str]:
    """JSON paths where two documents differ (missing keys, extra keys, other values)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in expected.keys() | actual.keys():
            sub = f"{path}.{key}" if path else key
            if key not in actual or key not in expected:
                out.append(sub)
            else:
                out.extend(differences(expected[key], actual[key], sub))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}[len]"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            out.extend(differences(e, a, f"{path}[{i}]"))
        return out
    if type(expected) is not type(actual) or expected != actual:
        return [path]
    return []


def _sheets_interactions(recording: dict) -> list[dict]:
    return [it for it in recording["interactions"] if urlsplit(it["request"]["uri"]).hostname == SHEETS_HOST]


def _spreadsheet_properties(interactions: list[dict]) -> dict[str, dict]:
    """Title, locale and time zone of each spreadsheet, from its recorded metadata."""
    props: dict[str, dict] = {}
    for it in interactions:
        m = _ID_IN_PATH.match(urlsplit(it["request"]["uri"]).path)
        if not m or m.group(1) in props:
            continue
        try:
            body = json.loads(it["response"]["body"]["string"] or "null")
        except json.JSONDecodeError:
            continue
        if isinstance(body, dict) and "properties" in body and "sheets" in body:
            props[m.group(1)] = body["properties"]
    return props


@pytest.fixture(scope="module")
def emulator():
    with SheetsEmulator() as emu:
        yield emu


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def replay(emulator: SheetsEmulator, http: requests.Session, recording: dict) -> list[str]:
    interactions = _sheets_interactions(recording)
    props = _spreadsheet_properties(interactions)
    created: set[str] = set()
    diffs: list[str] = []
    for n, it in enumerate(interactions):
        req, resp = it["request"], it["response"]
        url = urlsplit(req["uri"])
        m = _ID_IN_PATH.match(url.path)
        if m and m.group(1) not in created:
            sid = m.group(1)
            p = props.get(sid, {})
            emulator.create_spreadsheet(
                sid,
                p.get("title", "Untitled spreadsheet"),
                locale=p.get("locale", "en_US"),
                time_zone=p.get("timeZone", "Etc/GMT"),
            )
            created.add(sid)
        target = f"http://{emulator.address}{url.path}" + (f"?{url.query}" if url.query else "")
        body = req.get("body")
        answer = http.request(
            req["method"],
            target,
            data=body.encode("utf-8") if isinstance(body, str) else body,
            headers={"Content-Type": "application/json"} if body else {},
        )
        where = f"interactions[{n}]"
        if answer.status_code != resp["status"]["code"]:
            diffs.append(f"{where}.status")
            continue
        expected_text = resp["body"]["string"]
        expected = json.loads(expected_text) if expected_text.strip() else None
        actual = answer.json() if answer.content else None
        diffs.extend(
            f"{where}.body.{d}" if d else f"{where}.body"
            for d in differences(normalize(expected), normalize(actual))
        )
    return diffs


@pytest.mark.parametrize("path", _recordings(), ids=lambda p: p.stem)
def test_recording_replays_like_google(emulator, http, path: Path):
    """Every Sheets request of the recording gets Google's recorded status and JSON body."""
    recording = json.loads(path.read_text(encoding="utf-8"))
    found = set(replay(emulator, http, recording))
    known = {jp for (name, jp) in KNOWN_DIFFERENCES if name == path.name}
    assert found - known == set(), f"unexpected differences in {path.name}"
    assert known - found == set(), f"differences listed but gone (remove them) in {path.name}"


def test_recordings_are_present():
    """The recordings ship with the tests, with gspread's licence beside them."""
    assert len(_recordings()) >= 18, f"recordings missing from {RECORDINGS}"
    assert (RECORDINGS / "LICENSE-gspread.txt").is_file()
