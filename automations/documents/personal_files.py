"""The files of the output folders that are about a person: the documents produced for them
(the manifest of ``[documents] out`` says whose each is), and every file whose text names
them (e-mail previews of ``[mail] preview``, the register of charters).

A receipt, an invoice or a convention is an accounting record, kept ten years, and an
annual report or an attendance sheet an archive of a general assembly: listed, never
deleted. Any other file about them is deleted on erasure, and forgotten by the manifest (a
register is produced again, without them, at the next run).
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from .outputs import MANIFEST

# The manifest keys of the records never deleted: accounting records (10 years, Code de
# commerce L123-22) and the association's own archives of its general assemblies.
KEPT = {
    "recu": "reçu de cotisation (pièce comptable)",
    "facture": "facture (pièce comptable)",
    "avoir": "avoir (pièce comptable)",
    "convention": "convention de mise à disposition (pièce justificative des loyers)",
    "rapport": "rapport d'activité (archive de l'assemblée générale)",
    "emargement": "feuille d'émargement (archive de l'assemblée générale)",
}
# Accounting records recognised by their place or name when no manifest says whose they are:
# the invoices of ``out/factures/AAAA`` (``F2026-0001``, credit notes ``A2026-0001``), a
# receipt or a convention renamed or copied by hand.
_ACCOUNTING_FOLDERS = {"factures", "avoirs", "recus", "reçus", "conventions"}
_ACCOUNTING_NAME = re.compile(r"^(?:[FA]\d{4}-\d+|(?:recu|facture|avoir|convention)[_-])", re.IGNORECASE)
TEXT_SUFFIXES = {".eml", ".txt", ".html", ".htm", ".csv", ".ics", ".md", ".json"}
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PersonFile:
    """A file about the person: where, what, whether it is kept, and its Drive copy."""

    path: Path
    what: str  # French: « charte (document) », « aperçu d'e-mail »…
    kept: str | None  # why it is kept (French), None: deleted on erasure
    drive: tuple[str, ...] = ()  # links of its copies in the shared Drive folder
    key: str | None = None  # its manifest key, if the documents jobs made it
    drive_ids: tuple[str, ...] = ()  # the Drive IDs of those copies


def files_about(
    folders: Sequence[Path],
    *,
    keys: Iterable[str],
    patterns: Sequence[re.Pattern[str]],
) -> list[PersonFile]:
    """The files of ``folders`` produced for the person (manifest ``keys``: ``charte:M0003``,
    ``recu:2025-014``…) or whose text matches one of ``patterns`` (their address, phone, name)."""
    wanted = set(keys)
    found: dict[Path, PersonFile] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        documents = _manifest(folder).get("documents")
        entries: dict[str, object] = documents if isinstance(documents, dict) else {}
        owners: dict[str, str] = {}
        for owner, entry in entries.items():
            if not isinstance(entry, dict):
                continue
            for slot in ("file", "pdf"):
                if isinstance(entry.get(slot), str):
                    owners[entry[slot]] = owner
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST):
            key: str | None = owners.get(path.name) if path.parent == folder else None
            mine = key in wanted if key else False
            if not mine:
                text = _text_of(path)
                if not text or not any(p.search(text) for p in patterns):
                    continue
            kind = key.split(":", 1)[0] if key else None
            kept = KEPT.get(kind) if kind else _accounting(path, folder)
            entry = entries.get(key, {}) if key else {}
            slot = "drive_pdf" if path.suffix.lower() == ".pdf" else "drive"
            upload = entry.get(slot) if isinstance(entry, dict) else None
            link = upload.get("link") if isinstance(upload, dict) else None
            drive_id = upload.get("id") if isinstance(upload, dict) else None
            links = (link,) if isinstance(link, str) and link else ()
            ids = (drive_id,) if isinstance(drive_id, str) and drive_id else ()
            found[path] = PersonFile(path, _what(path, kind), kept, links, key, ids)
    return list(found.values())


def _accounting(path: Path, folder: Path) -> str | None:
    """Why a file no manifest names is kept: an accounting record by its folder or name."""
    parts = {p.casefold() for p in path.relative_to(folder).parts[:-1]}
    if parts & _ACCOUNTING_FOLDERS or _ACCOUNTING_NAME.match(path.name):
        return "pièce comptable (reçu, facture, avoir ou convention)"
    return None


def _what(path: Path, kind: str | None) -> str:
    if kind:
        return f"document « {kind} »"
    if path.suffix.lower() == ".eml":
        return "aperçu d'e-mail"
    return "fichier"


def _manifest(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _text_of(path: Path) -> str | None:
    """The readable text of a file (a Word document's paragraphs, an e-mail's parts), or None."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            with zipfile.ZipFile(path) as package:
                parts = [n for n in package.namelist() if n.startswith("word/") and n.endswith(".xml")]
                xml = " ".join(package.read(n).decode("utf-8", "replace") for n in parts)
            return _TAGS.sub("", re.sub(r"</w:p>", "\n", xml))
        if suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            texts = [str(v) for v in message.values()]
            for part in message.walk():
                if part.get_content_maintype() == "text":
                    texts.append(str(part.get_content()))
            return "\n".join(texts)
        if suffix in TEXT_SUFFIXES:
            return path.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError, zipfile.BadZipFile, LookupError):
        return None
    return None


def text_of(path: Path) -> str | None:
    """:func:`_text_of`, for the tests and the export."""
    return _text_of(path)


def delete(files: Iterable[PersonFile]) -> list[Path]:
    """Delete the files not kept, and forget them in their folder's manifest (a document
    the jobs made is produced again, without the person, when it is still due)."""
    deleted: list[Path] = []
    by_folder: dict[Path, list[PersonFile]] = {}
    for file in files:
        if file.kept is not None:
            continue
        try:
            file.path.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(f"Impossible de supprimer « {file.path} » : {exc.strerror}.") from exc
        deleted.append(file.path)
        by_folder.setdefault(file.path.parent, []).append(file)
    for folder, gone in by_folder.items():
        _forget(folder, {f.path.name for f in gone}, {f.key for f in gone if f.key})
    return deleted


def _forget(folder: Path, names: set[str], keys: set[str]) -> None:
    path = folder / MANIFEST
    data = _manifest(folder)
    if not data:
        return
    documents = data.get("documents")
    files = data.get("files")
    if isinstance(documents, dict):
        for key in keys:
            documents.pop(key, None)
    if isinstance(files, dict):
        for name in names:
            files.pop(name, None)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise OutputError(f"Impossible de mettre à jour « {path} » : {exc.strerror}.") from exc
