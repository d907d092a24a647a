"""The Drive interface the documents jobs upload through, and its in-memory implementation.

:class:`Drive` is the handful of Drive v3 calls the delivery needs, one request each:
list a folder's children, create a folder, upload a file, replace a file's content,
read a file's metadata; and, for the payments inbox, download a file's content and move
a file to another folder. :class:`GoogleDrive` (``google_drive.py``) speaks to Google
(or the emulator); :class:`MemoryDrive` keeps everything in memory for unit tests and
counts its calls, and lets a test play a person editing a file in Drive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field, replace
from typing import Protocol

from ..errors import DriveError

FOLDER_MIME = "application/vnd.google-apps.folder"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


@dataclass(frozen=True)
class DriveFile:
    """A file (or folder) as Drive describes it: ``link`` is its ``webViewLink``, ``md5`` its
    ``md5Checksum`` (none for folders), ``revision`` its ``headRevisionId``."""

    id: str
    name: str
    mime: str = ""
    link: str = ""
    md5: str | None = None
    modified: str | None = None  # RFC 3339, as Drive gives it
    revision: str | None = None
    parents: tuple[str, ...] = ()
    trashed: bool = False
    can_add: bool | None = None  # the account may add files in it (``capabilities``), when asked

    @property
    def is_folder(self) -> bool:
        return self.mime == FOLDER_MIME


class Drive(Protocol):
    """The Drive calls of the delivery; each is one HTTP request (``children`` one per
    page of 1000)."""

    def children(self, parent: str) -> list[DriveFile]:
        """The files and folders directly in ``parent``, trashed ones left out."""
        ...

    def create_folder(self, parent: str, name: str) -> DriveFile: ...

    def upload(self, folder: str, name: str, data: bytes, mime: str) -> DriveFile: ...

    def update(self, file_id: str, data: bytes, mime: str, *, name: str | None = None) -> DriveFile:
        """Replace the file's content (a new revision, same ID and link); rename it too
        when ``name`` is given."""
        ...

    def metadata(self, file_id: str) -> DriveFile | None:
        """The file's metadata; ``None`` when it no longer exists."""
        ...

    def access(self, file_id: str) -> DriveFile | None:
        """The file's metadata with ``can_add`` (whether the account may add files in it);
        ``None`` when it does not exist or is not shared with the account."""
        ...

    def trash(self, file_id: str) -> bool:
        """Move the file to Drive's trash (a person's data erased); False when it no longer
        exists."""
        ...

    def download(self, file_id: str) -> bytes:
        """The file's content (``alt=media``)."""
        ...

    def move(self, file_id: str, to_folder: str, from_folder: str) -> DriveFile:
        """Move the file from ``from_folder`` to ``to_folder`` (same ID, same link)."""
        ...

    @property
    def account_email(self) -> str | None:
        """The service account's e-mail (what to share the folder with), when known."""
        ...


def md5_hex(data: bytes) -> str:
    """What Drive gives as ``md5Checksum``."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@dataclass
class MemoryDrive:
    """Drive in memory: one root folder (``root``), a counter of the calls made."""

    root: str = "dossier-partage"
    files: dict[str, DriveFile] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    fail_with: DriveError | None = None  # raised by every call while set
    read_only: set[str] = field(default_factory=set)  # folders shared with the account as reader
    account_email: str | None = "mila@projet.iam.gserviceaccount.com"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _clock: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.files.setdefault(self.root, DriveFile(self.root, "Dossier partagé", FOLDER_MIME))

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_with is not None:
            raise self.fail_with

    def _stamp(self) -> str:
        moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=next(self._clock))
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def _new(self, parent: str, name: str, mime: str, data: bytes | None) -> DriveFile:
        if parent not in self.files or not self.files[parent].is_folder:
            raise DriveError(f"Dossier Google Drive « {parent} » introuvable.")
        file_id = f"f{next(self._ids):04d}"
        made = DriveFile(
            file_id,
            name,
            mime,
            link=f"https://drive.example/{file_id}/view",
            md5=md5_hex(data) if data is not None else None,
            modified=self._stamp(),
            revision="r1" if data is not None else None,
            parents=(parent,),
        )
        self.files[file_id] = made
        if data is not None:
            self.contents[file_id] = data
        return made

    def children(self, parent: str) -> list[DriveFile]:
        self._call("children")
        return [f for f in self.files.values() if parent in f.parents and not f.trashed]

    def create_folder(self, parent: str, name: str) -> DriveFile:
        self._call("create_folder")
        return self._new(parent, name, FOLDER_MIME, None)

    def upload(self, folder: str, name: str, data: bytes, mime: str) -> DriveFile:
        self._call("upload")
        return self._new(folder, name, mime, data)

    def update(self, file_id: str, data: bytes, mime: str, *, name: str | None = None) -> DriveFile:
        self._call("update")
        return self._revise(file_id, data, name)

    def metadata(self, file_id: str) -> DriveFile | None:
        self._call("metadata")
        found = self.files.get(file_id)
        return None if found is None or found.trashed else found

    def access(self, file_id: str) -> DriveFile | None:
        found = self.metadata(file_id)
        if found is None:
            return None
        return replace(found, can_add=found.is_folder and file_id not in self.read_only)

    def trash(self, file_id: str) -> bool:
        self._call("trash")
        found = self.files.get(file_id)
        if found is None or found.trashed:
            return False
        self.files[file_id] = replace(found, trashed=True)
        return True

    def download(self, file_id: str) -> bytes:
        self._call("download")
        if file_id not in self.contents:
            raise DriveError(f"Fichier Google Drive « {file_id} » introuvable.")
        return self.contents[file_id]

    def move(self, file_id: str, to_folder: str, from_folder: str) -> DriveFile:
        self._call("move")
        old = self.files.get(file_id)
        if old is None or to_folder not in self.files:
            raise DriveError(f"Fichier Google Drive « {file_id} » introuvable.")
        parents = tuple(p for p in old.parents if p != from_folder)
        moved = replace(old, parents=(*parents, to_folder))
        self.files[file_id] = moved
        return moved

    def _revise(self, file_id: str, data: bytes, name: str | None = None) -> DriveFile:
        old = self.files.get(file_id)
        if old is None:
            raise DriveError(f"Fichier Google Drive « {file_id} » introuvable.")
        number = int((old.revision or "r0")[1:]) + 1
        new = replace(
            old,
            name=name or old.name,
            md5=md5_hex(data),
            modified=self._stamp(),
            revision=f"r{number}",
        )
        self.files[file_id] = new
        self.contents[file_id] = data
        return new

    # -- what a person does in Drive (tests) -----------------------------------------

    def edit_by_person(self, file_id: str, data: bytes) -> None:
        """A person saves a new version of the file in Drive (no call counted)."""
        self._revise(file_id, data)

    def trash_by_person(self, file_id: str) -> None:
        self.files[file_id] = replace(self.files[file_id], trashed=True)

    def drop_by_person(self, folder: str, name: str, data: bytes, mime: str = "text/csv") -> str:
        """A person drops a file in ``folder`` (no call counted); its ID."""
        return self._new(folder, name, mime, data).id
