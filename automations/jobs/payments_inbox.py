"""The payments inbox: files the staff drop in a Drive folder, imported then filed away.

``[payments] drive_inbox`` names a Google Drive folder (its address or ID). HelloAsso
exports (CSV, XLSX), bank statements (CSV) and OFX files dropped there are imported into
``Paiements`` exactly as ``mila paiements importer`` does (each payment once: a reference
already in the ledger is not added again), by the request « importer les paiements » and by
the daily pass (``paiements``). Each file imported is then moved to the sub-folder
« Importés/AAAA » of the inbox (the year of the import), created when missing; a file that
cannot be read stays where it is, and its reason goes in the request's row and in a
``Journal`` line « échec », which the daily summary lists.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..delivery.drive import DriveFile
from ..errors import ConfigError, MilaError
from ..journal import record
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome
from .context import RunContext
from .payments import PaymentsResult

log = logging.getLogger(__name__)
TASK = "paiements à importer"
DONE_FOLDER = "Importés"
NOT_SET = (
    "Aucun dossier Google Drive de paiements à importer n'est configuré ([payments] drive_inbox) : "
    "la personne qui a installé mila l'indique dans mila.toml (voir docs/paiements.md)."
)


@dataclass
class InboxResult:
    imported: list[str] = field(default_factory=list)  # file names, moved to Importés/AAAA
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file name, French reason)
    not_moved: list[tuple[str, str]] = field(default_factory=list)  # imported, but the move failed
    payments: PaymentsResult | None = None
    link: str | None = None  # the « Importés/AAAA » folder
    journal_error: str | None = None

    @property
    def journal_lost(self) -> bool:
        return bool(self.journal_error is not None or (self.payments and self.payments.journal_lost))

    def outcome(self) -> Outcome:
        parts = []
        if self.payments is not None:
            parts.append(self.payments.outcome().summary)
        if self.imported:
            parts.append(f"{len(self.imported)} fichier(s) importé(s) et rangé(s) dans « {DONE_FOLDER} »")
        parts += [f"fichier « {name} » laissé dans le dossier : {why}" for name, why in self.unreadable]
        parts += [f"fichier « {name} » importé mais non déplacé : {why}" for name, why in self.not_moved]
        if not parts:
            return Outcome(NOTHING, "aucun fichier dans le dossier des paiements à importer")
        result = FAILURE if self.unreadable and not self.imported else SUCCESS
        return Outcome(result, " ; ".join(parts))

    def as_dict(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "unreadable": [{"file": n, "reason": r} for n, r in self.unreadable],
            "not_moved": [{"file": n, "reason": r} for n, r in self.not_moved],
            "payments": self.payments.as_dict() if self.payments is not None else None,
            "link": self.link,
        }


def run_inbox(ctx: RunContext) -> InboxResult:
    """Import what the inbox holds; raise :class:`ConfigError` when no inbox is configured."""
    from ..payments.files import read_import
    from .payments import run_import

    inbox = ctx.settings.payments.drive_inbox
    if not inbox:
        raise ConfigError(NOT_SET)
    drive = ctx.drive
    result = InboxResult()
    files = [f for f in drive.children(inbox) if not f.is_folder]
    if not files:
        return result
    readable = []
    with tempfile.TemporaryDirectory(prefix="mila-inbox-") as tmp:
        for index, item in enumerate(sorted(files, key=lambda f: f.name)):
            folder = Path(tmp) / str(index)  # two files of the same name stay apart
            folder.mkdir()
            path = folder / Path(item.name).name
            try:
                path.write_bytes(drive.download(item.id))
                read_import(path, ctx.today)
            except MilaError as exc:
                result.unreadable.append((item.name, exc.message))
                continue
            readable.append((item, path))
        if readable:
            settings = ctx.settings
            result.payments = run_import(
                ctx.workbook,
                [p for _, p in readable],
                today=ctx.today,
                policy=settings.membership,
                dry_run=ctx.dry_run,
                clock=ctx.clock,
            )
            ctx.changed()
    if readable and not ctx.dry_run:
        year = _year_folder(ctx, inbox)
        result.link = year.link or None
        for item, _ in readable:
            try:
                drive.move(item.id, year.id, inbox)
                result.imported.append(item.name)
            except MilaError as exc:
                result.not_moved.append((item.name, exc.message))
    if result.unreadable and not ctx.dry_run:
        details = " ; ".join(
            f"fichier « {n} » laissé dans le dossier : {why}" for n, why in result.unreadable
        )
        result.journal_error = record(ctx.workbook, ctx.clock, TASK, FAILURE, details)
    return result


def _year_folder(ctx: RunContext, inbox: str) -> DriveFile:
    drive = ctx.drive
    done = next((f for f in drive.children(inbox) if f.is_folder and f.name == DONE_FOLDER), None)
    if done is None:
        done = drive.create_folder(inbox, DONE_FOLDER)
    name = str(ctx.today.year)
    year = next((f for f in drive.children(done.id) if f.is_folder and f.name == name), None)
    return year if year is not None else drive.create_folder(done.id, name)
