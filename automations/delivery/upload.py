"""The documents of a run, delivered to the shared Drive folder (``[documents] drive_folder``).

Each document of the output folder goes to a sub-folder by kind (and year, for receipts):
``Conventions``, ``Chartes``, ``Reçus/2025``, ``Émargements``; its PDF beside it. What was
uploaded is recorded in the document's manifest entry, ``drive`` (``drive_pdf`` for the
PDF): the file's ID, its ``webViewLink``, the MD5 and revision Drive gave, and the SHA-256
of the bytes sent. Then:

- a document whose local file matches what was uploaded costs no request at all;
- a regenerated document replaces its Drive file's content (a new revision: same ID, same
  link), unless a person changed that file in Drive since (its MD5 or head revision no
  longer those recorded): that file is left as it is, the new version is uploaded beside
  it (``…_v2.docx``) and the output and the ``Journal`` say so, as on disk;
- a file deleted from Drive (or put in the bin) is uploaded again.

Requests: each folder is listed at most once per run (one ``files.list`` gives its
sub-folders and its files' MD5 and revisions), a missing sub-folder is created once; a
new document is then one upload, an updated one one update. The first failure (after the
retries) stops the deliveries of the run: the documents stay in the output folder
without a link, the result lists them, the next run uploads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..documents.outputs import OutputFolder
from ..errors import MilaError
from .drive import DOCX_MIME, PDF_MIME, Drive, DriveFile

# The sub-folder of each kind of document (the part of the key before « : »).
SUBFOLDERS = {
    "convention": "Conventions",
    "charte": "Chartes",
    "registre_charte": "Chartes",
    "recu": "Reçus",
    "emargement": "Émargements",
    "rapport": "Rapports",
}


def subfolder(key: str) -> tuple[str, ...]:
    """Where a document goes under the shared folder: ``("Reçus", "2025")`` for ``recu:2025-014``."""
    kind, _, rest = key.partition(":")
    top = SUBFOLDERS.get(kind, "Documents")
    year = rest[:4]
    if kind == "recu" and year.isdigit():
        return (top, year)
    return (top,)


@dataclass
class DriveReport:
    """What the deliveries of a run did; the lines are French."""

    uploaded: list[str] = field(default_factory=list)  # file names, new in Drive
    updated: list[str] = field(default_factory=list)  # file names, a new revision
    beside: list[str] = field(default_factory=list)  # a file edited in Drive was left alone
    failed: list[str] = field(default_factory=list)  # file names not delivered
    error: str | None = None  # why (the first failure)

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.updated)

    @property
    def all_failed(self) -> bool:
        """Something was to be delivered and nothing was: the command ends with exit 1."""
        return bool(self.failed) and not self.changed

    def lines(self) -> list[str]:
        """For the command's output and the Journal."""
        out = list(self.beside)
        if self.failed:
            out.append(
                f"{len(self.failed)} document(s) non déposé(s) sur Google Drive, sans lien dans le "
                f"classeur : {self.error or 'erreur inconnue'}"
            )
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "uploaded": self.uploaded,
            "updated": self.updated,
            "beside": self.beside,
            "failed": self.failed,
            "error": self.error,
        }


class DriveDelivery:
    """The deliveries of one run: folders listed once, created once; stops at the first failure."""

    def __init__(self, drive: Drive | None, root: str, *, opening_error: MilaError | None = None) -> None:
        self.drive = drive
        self.root = root
        self.report = DriveReport()
        self._broken = opening_error
        if opening_error is not None:
            self.report.error = opening_error.message
        self._folders: dict[tuple[str, ...], str] = {(): root}
        self._listings: dict[str, dict[str, DriveFile]] = {}  # folder ID -> {file ID: file}

    def deliver(self, folder: OutputFolder, keys: Iterable[str]) -> None:
        """Upload (or update) each document of ``keys`` and its PDF, when they changed."""
        for key in dict.fromkeys(keys):
            entry = folder.entry(key)
            if entry is None:
                continue
            self._one(folder, key, "drive", entry.get("file"), DOCX_MIME)
            if entry.get("pdf"):
                self._one(folder, key, "drive_pdf", entry.get("pdf"), PDF_MIME)

    def put(self, path: tuple[str, ...], name: str, data: bytes, mime: str = PDF_MIME) -> str | None:
        """Upload ``data`` as ``name`` into the sub-folder ``path`` (created when missing; a
        file of the same name and bytes there is taken as it is). Returns its link, or None
        when it was not delivered (the report says why)."""
        if self._broken is not None or self.drive is None:
            self.report.failed.append(name)
            return None
        try:
            made = self._upload_new(self._folder(path), name, data, mime)
        except MilaError as exc:
            self._broken = exc
            self.report.error = exc.message
            self.report.failed.append(name)
            return None
        return made.link or None

    # -- one file ----------------------------------------------------------------------

    def _one(self, folder: OutputFolder, key: str, slot: str, name: object, mime: str) -> None:
        if not isinstance(name, str) or not name:
            return
        path = folder.folder / name
        try:
            data = path.read_bytes()
        except OSError:
            return
        sha = hashlib.sha256(data).hexdigest()
        recorded = folder.uploaded(key, slot)
        if recorded is not None and recorded.get("sha256") == sha:
            return  # Drive holds these very bytes: no request
        if self._broken is not None or self.drive is None:
            if name not in self.report.failed:
                self.report.failed.append(name)
            return
        try:
            made = self._send(key, name, data, mime, recorded)
        except MilaError as exc:
            self._broken = exc
            self.report.error = exc.message
            self.report.failed.append(name)
            return
        folder.record_upload(key, slot, _record(made, sha))

    def _send(
        self, key: str, name: str, data: bytes, mime: str, recorded: dict[str, Any] | None
    ) -> DriveFile:
        assert self.drive is not None
        current = self._current(recorded) if recorded and recorded.get("id") else None
        if current is None:  # new, or deleted from Drive since
            target = self._folder(subfolder(key))
            return self._upload_new(target, name, data, mime)
        assert recorded is not None
        if _edited(current, recorded):
            target = current.parents[0] if current.parents else self._folder(subfolder(key))
            made = self._upload_new(target, name, data, mime, edited=current)
            self.report.beside.append(
                f"« {current.name} » a été modifié dans Google Drive depuis son dépôt : il est "
                f"laissé tel quel, la nouvelle version est déposée à côté sous « {made.name} »."
            )
            return made
        made = self.drive.update(current.id, data, mime, name=name if current.name != name else None)
        self._remember(made)
        self.report.updated.append(made.name)
        return made

    def _upload_new(
        self, folder_id: str, name: str, data: bytes, mime: str, *, edited: DriveFile | None = None
    ) -> DriveFile:
        """Upload into ``folder_id`` under ``name``, or its first free ``_vN`` when a file
        of that name is there already; a file with the same bytes is taken as it is."""
        assert self.drive is not None
        present = {f.name: f for f in self._listing(folder_id).values() if not f.is_folder}
        same = present.get(name)
        if same is not None and edited is None and same.md5 == _md5(data):
            return same  # uploaded by a run whose manifest was lost: adopt it
        if same is not None or edited is not None:
            stem, suffix = Path(name).stem, Path(name).suffix
            n = 2
            while f"{stem}_v{n}{suffix}" in present:
                n += 1
            name = f"{stem}_v{n}{suffix}"
        made = self.drive.upload(folder_id, name, data, mime)
        self._remember(made)
        self.report.uploaded.append(made.name)
        return made

    # -- folders -------------------------------------------------------------------------

    def folder_link(self, path: tuple[str, ...]) -> str | None:
        """The link of the sub-folder ``path`` this run uploaded to (None when it did not)."""
        folder_id = self._folders.get(path)
        if folder_id is None or not path:
            return None
        parent = self._folders.get(path[:-1])
        found = self._listings.get(parent or "", {}).get(folder_id)
        return (found.link or None) if found is not None else None

    def _listing(self, folder_id: str) -> dict[str, DriveFile]:
        """The folder's children, listed once per run (kept up to date by this run)."""
        if folder_id not in self._listings:
            assert self.drive is not None
            self._listings[folder_id] = {f.id: f for f in self.drive.children(folder_id)}
        return self._listings[folder_id]

    def _remember(self, made: DriveFile) -> None:
        for parent in made.parents:
            if parent in self._listings:
                self._listings[parent][made.id] = made

    def _folder(self, path: tuple[str, ...]) -> str:
        """The ID of the sub-folder ``path`` of the shared folder, created when missing."""
        if path in self._folders:
            return self._folders[path]
        assert self.drive is not None
        parent = self._folder(path[:-1])
        name = path[-1]
        found = next((f for f in self._listing(parent).values() if f.is_folder and f.name == name), None)
        if found is None:
            found = self.drive.create_folder(parent, name)
            self._remember(found)
            self._listings[found.id] = {}  # just created: empty, no need to list it
        self._folders[path] = found.id
        return found.id

    def _current(self, recorded: dict[str, Any]) -> DriveFile | None:
        """The uploaded file as Drive has it now (from its folder's listing, or asked
        alone when it was moved); ``None`` when it is gone."""
        assert self.drive is not None
        file_id = str(recorded["id"])
        parent = recorded.get("folder")
        if isinstance(parent, str) and parent:
            listed = self._listing(parent).get(file_id)
            if listed is not None:
                return listed
        return self.drive.metadata(file_id)


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _edited(current: DriveFile, recorded: dict[str, Any]) -> bool:
    """Whether a person changed the file since it was uploaded: its content (MD5) or its
    head revision differ from those Drive gave at the upload."""
    if recorded.get("md5") and current.md5 != recorded["md5"]:
        return True
    return bool(recorded.get("revision") and current.revision and current.revision != recorded["revision"])


def _record(made: DriveFile, sha: str) -> dict[str, Any]:
    return {
        "id": made.id,
        "link": made.link,
        "name": made.name,
        "md5": made.md5,
        "revision": made.revision,
        "modified": made.modified,
        "folder": made.parents[0] if made.parents else None,
        "sha256": sha,
    }
