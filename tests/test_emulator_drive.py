"""The emulator's Drive v3: the shapes Google recorded, uploads of each kind, revisions, queries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

RECORDINGS = Path(__file__).parent / "recordings" / "google-sheets"


def drive_interactions() -> list[tuple[str, dict[str, Any]]]:
    """The recorded files.create (metadata only), files.get with fields and files.list calls."""
    found = []
    for path in sorted(RECORDINGS.glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            request = interaction["request"]
            if "/drive/v3/files" in request["uri"] and request["method"] in ("GET", "POST"):
                found.append((path.name, interaction))
    return found


def test_the_recordings_hold_drive_calls():
    """The shared recordings hold Drive's files.create, files.get and files.list (nothing of uploads)."""
    methods = {(i["request"]["method"], "?q=" in i["request"]["uri"]) for _, i in drive_interactions()}
    assert methods == {("POST", False), ("GET", False), ("GET", True)}


@pytest.mark.parametrize(
    "name,interaction", drive_interactions(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_drive_answers_have_the_recorded_shape(emulator, name, interaction):
    """Each recorded Drive call answered by the emulator carries the same keys, kinds and statuses."""
    request = interaction["request"]
    parts = urlsplit(request["uri"])
    params = dict(parse_qsl(parts.query))
    url = f"{emulator.base_url}{parts.path}"
    if request["method"] == "POST":
        answer = requests.post(url, params=params, data=request["body"], timeout=10)
        file_id = answer.json().get("id")
    else:
        file_id = parts.path.rsplit("/", 1)[-1]
        if "q" not in params:  # the recorded file: create it so that it can be read
            emulator.drive.create_folder("Test", file_id)
        answer = requests.get(url, params=params, timeout=10)
    recorded = json.loads(interaction["response"]["body"]["string"])
    assert answer.status_code == interaction["response"]["status"]["code"]
    body = answer.json()
    assert set(body) == set(recorded), name
    if "kind" in recorded:
        assert body["kind"] == recorded["kind"]
    if "files" in recorded:
        assert body["files"] == recorded["files"] == []
    if "modifiedTime" in recorded:
        assert len(body["modifiedTime"]) == len(recorded["modifiedTime"]) and body["modifiedTime"].endswith(
            "Z"
        )
    if file_id and "mimeType" in recorded:
        assert body["mimeType"] == recorded["mimeType"]


def test_multipart_resumable_in_pieces_update_and_revisions(emulator):
    """Multipart and resumable uploads (308 until the last piece), then a media update: one file, three revisions."""
    base = emulator.base_url
    folder = emulator.drive.create_folder("Racine", "racine-emulateur-1")
    body = (
        b"--b\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n"
        + json.dumps({"name": "a.docx", "parents": [folder]}).encode()
        + b"\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\nfirst\r\n--b--"
    )
    made = requests.post(
        f"{base}/upload/drive/v3/files",
        params={"uploadType": "multipart", "fields": "id,md5Checksum,headRevisionId,webViewLink,parents"},
        data=body,
        headers={"Content-Type": "multipart/related; boundary=b"},
        timeout=10,
    ).json()
    assert made["parents"] == [folder] and made["webViewLink"].endswith(
        f"/file/d/{made['id']}/view?usp=drivesdk"
    )
    opened = requests.patch(
        f"{base}/upload/drive/v3/files/{made['id']}",
        params={"uploadType": "resumable"},
        json={},
        headers={"X-Upload-Content-Type": "application/octet-stream", "X-Upload-Content-Length": "6"},
        timeout=10,
    )
    session = opened.headers["Location"]
    part = requests.put(session, data=b"sec", headers={"Content-Range": "bytes 0-2/6"}, timeout=10)
    assert part.status_code == 308 and part.headers["Range"] == "bytes=0-2"
    done = requests.put(session, data=b"ond", headers={"Content-Range": "bytes 3-5/6"}, timeout=10)
    assert done.status_code == 200 and done.json()["id"] == made["id"]
    media = requests.patch(
        f"{base}/upload/drive/v3/files/{made['id']}",
        params={"uploadType": "media", "fields": "id,headRevisionId,md5Checksum"},
        data=b"third",
        timeout=10,
    ).json()
    assert (
        media["headRevisionId"] != made["headRevisionId"] and emulator.drive.content(made["id"]) == b"third"
    )
    revisions = requests.get(f"{base}/drive/v3/files/{made['id']}/revisions", timeout=10).json()
    assert revisions["kind"] == "drive#revisionList"
    assert [r["size"] for r in revisions["revisions"]] == ["5", "6", "5"]
    assert revisions["revisions"][-1]["md5Checksum"] == media["md5Checksum"]


def test_list_queries_by_parent_name_type_and_bin(emulator):
    """files.list keeps what the q clauses say; an unknown clause is Drive's 400."""
    base = emulator.base_url
    root = emulator.drive.create_folder("Racine", "racine-emulateur-2")
    sub = emulator.drive.create_folder("Conventions", parent=root)
    other = emulator.drive.create_folder("Chartes", parent=root)
    emulator.drive.trash_by_person(other)
    query = f"'{root}' in parents and mimeType = 'application/vnd.google-apps.folder' and trashed = false"
    listed = requests.get(
        f"{base}/drive/v3/files", params={"q": query, "fields": "files(id,name)"}, timeout=10
    )
    assert listed.json() == {"files": [{"id": sub, "name": "Conventions"}]}
    named = requests.get(
        f"{base}/drive/v3/files", params={"q": 'name = "Chartes" and trashed = true'}, timeout=10
    )
    assert [f["id"] for f in named.json()["files"]] == [other]
    wrong = requests.get(f"{base}/drive/v3/files", params={"q": "fullText contains 'x'"}, timeout=10)
    assert wrong.status_code == 400 and wrong.json()["error"]["errors"][0]["reason"] == "invalid"
    missing = requests.get(f"{base}/drive/v3/files/absent-file-id", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["errors"][0]["reason"] == "notFound"


def test_simulated_faults_on_drive_paths_have_drive_s_error_body(emulator):
    """A 429 or 503 queued for Drive answers with Drive's error body; a Sheets path keeps Google's RPC one."""
    folder = emulator.drive.create_folder("Fautes")
    url = f"{emulator.base_url}/drive/v3/files/{folder}"
    emulator.fail_next(429, match="/drive/v3/files")
    emulator.fail_next(503, match="/drive/v3/files")
    quota = requests.get(url, timeout=10)
    assert quota.status_code == 429
    assert quota.json() == {
        "error": {
            "code": 429,
            "message": "Rate Limit Exceeded",
            "errors": [
                {"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}
            ],
        }
    }
    outage = requests.get(url, timeout=10).json()["error"]
    assert outage["code"] == 503 and outage["errors"][0]["reason"] == "backendError"
    assert requests.get(url, timeout=10).json()["id"] == folder  # the faults are used up
    emulator.fail_next(429, match="/v4/spreadsheets")
    sheets = requests.get(f"{emulator.base_url}/v4/spreadsheets/inconnu", timeout=10).json()["error"]
    assert sheets["status"] == "RESOURCE_EXHAUSTED" and "errors" not in sheets
