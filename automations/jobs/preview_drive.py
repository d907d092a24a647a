"""Previews the staff can open: the ``.eml`` files a run wrote, uploaded to the Drive folder
« Aperçus » (inside ``[documents] drive_folder``) when Drive is set.

While sending is not switched on, every mail job writes previews on the server, where the
staff never go; a request's row (``Lien``) and the daily summary link this folder instead.
A preview of the same message the same day has the same name: its Drive file is updated,
not doubled.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MilaError
from .context import RunContext

log = logging.getLogger(__name__)
FOLDER = "Aperçus"
EML_MIME = "message/rfc822"

Snapshot = dict[Path, int]


@dataclass
class PreviewsUpload:
    uploaded: list[str] = field(default_factory=list)  # file names
    link: str | None = None  # the « Aperçus » folder, when something is there
    error: str | None = None


def preview_files(ctx: RunContext) -> Snapshot:
    """The previews in the preview folder (its sub-folders included) and when each was written."""
    folder = Path(ctx.settings.mail.preview)
    if not folder.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*.eml") if p.is_file()}


def upload_previews(ctx: RunContext, before: Snapshot) -> PreviewsUpload:
    """Upload the previews written since ``before`` to « Aperçus »; nothing without Drive."""
    found = PreviewsUpload()
    root = ctx.settings.documents.drive_folder
    if not root:
        return found
    new = sorted(p for p, stamp in preview_files(ctx).items() if before.get(p) != stamp)
    if not new:
        return found
    try:
        drive = ctx.drive
        folder = next((f for f in drive.children(root) if f.is_folder and f.name == FOLDER), None)
        if folder is None:
            folder = drive.create_folder(root, FOLDER)
        there = {f.name: f for f in drive.children(folder.id) if not f.is_folder}
        for path in new:
            data = path.read_bytes()
            if path.name in there:
                drive.update(there[path.name].id, data, EML_MIME)
            else:
                drive.upload(folder.id, path.name, data, EML_MIME)
            found.uploaded.append(path.name)
        found.link = folder.link or None
    except MilaError as exc:
        log.error("previews not uploaded: %s", exc.message)
        found.error = exc.message
    except OSError as exc:
        found.error = f"aperçu illisible ({exc.strerror or exc})"
    return found


def previews_link(ctx: RunContext) -> str | None:
    """The « Aperçus » folder's link, when Drive is set and the folder exists (one request)."""
    root = ctx.settings.documents.drive_folder
    if not root:
        return None
    try:
        found = next((f for f in ctx.drive.children(root) if f.is_folder and f.name == FOLDER), None)
    except MilaError as exc:
        log.error("previews folder not found: %s", exc.message)
        return None
    return found.link or None if found is not None else None
