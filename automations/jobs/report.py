"""`mila docs rapport --year AAAA`: the annual activity report, as a Word document.

:func:`run_report` reads the workbook (read-only), computes the report's figures
(``report.figures``), writes the document (``report.writer``) to
``<out>/Rapport_activite_<année>.docx`` and returns a :class:`ReportResult`.

A file a person edited is never overwritten: the output folder keeps, in
``.mila-report.json``, the SHA-256 of each report as last written. When the file on disk no
longer matches it (someone opened it in Word and saved), the new report goes beside it,
``Rapport_activite_<année>_v2.docx`` (then ``_v3``…). A report identical to the file on disk
is not rewritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import MilaError, SchemaError
from ..model.dataset import Dataset
from ..report.figures import compute_report
from ..report.writer import write_report
from ..rules.bookings import BookingPolicy
from ..workbook import Workbook
from .evaluation import schema_problems

log = logging.getLogger(__name__)

STATE_FILE = ".mila-report.json"
STATE_VERSION = 1
CREATED, UPDATED, UNCHANGED, NEW_VERSION = "créé", "mis à jour", "inchangé", "nouvelle version"


class ReportOutputError(MilaError):
    """The report cannot be written where it should go."""


@dataclass
class ReportResult:
    year: int
    path: Path  # the report (written, or already identical on disk)
    status: str  # créé · mis à jour · inchangé · nouvelle version
    beside: Path | None = None  # the edited file the new version was written beside
    sections: list[str] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)  # French: sections left out, and why
    notes: list[str] = field(default_factory=list)  # French: data left out (unknown Textes keys…)
    charts: int = 0
    tables: int = 0
    anomalies: int = 0  # errors found while reading the workbook's rows
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "path": str(self.path),
            "status": self.status,
            "beside": str(self.beside) if self.beside else None,
            "sections": self.sections,
            "omitted": self.omitted,
            "notes": self.notes,
            "charts": self.charts,
            "tables": self.tables,
            "anomalies": self.anomalies,
            "seconds": round(self.seconds, 3),
        }

    def lines(self) -> list[str]:
        """The summary the command line prints, in French."""
        found = []
        if self.status == UNCHANGED:
            found.append(f"Rapport d'activité {self.year} inchangé : {self.path}")
        elif self.status == NEW_VERSION:
            found.append(f"Rapport d'activité {self.year} écrit : {self.path}")
            found.append(f"  « {self.beside.name if self.beside else ''} » a été modifié à la main : il est "
                         "conservé tel quel, la nouvelle version est écrite à côté.")
        else:
            found.append(f"Rapport d'activité {self.year} {self.status} : {self.path}")
        found.append(f"  {len(self.sections)} partie(s), {self.tables} tableau(x), "
                     f"{self.charts} graphique(s).")
        for line in self.omitted:
            found.append(f"  Partie non incluse : {line}")
        for line in self.notes:
            found.append(f"  Attention : {line}")
        if self.anomalies:
            found.append(f"  {self.anomalies} erreur(s) dans le classeur : les lignes concernées ne sont pas "
                         "comptées. Lancez « mila check » pour les voir.")
        found.append("  À l'ouverture, Word propose de mettre à jour les champs : acceptez pour numéroter "
                     "le sommaire (LibreOffice : Outils > Mettre à jour > Tout).")
        return found


def report_filename(year: int, version: int = 1) -> str:
    return f"Rapport_activite_{year}.docx" if version == 1 else f"Rapport_activite_{year}_v{version}.docx"


def run_report(
    workbook: Workbook,
    *,
    year: int,
    out_dir: Path | str,
    today: dt.date,
    association_name: str = "MILA",
    template: Path | None = None,
    booking_policy: BookingPolicy | None = None,
) -> ReportResult:
    """Write the activity report of ``year`` (compared with ``year - 1``) into ``out_dir``."""
    started = time.monotonic()
    tables = workbook.read()
    problems = schema_problems(tables)
    if problems:
        raise SchemaError(" ".join(p.message for p in problems))
    dataset = Dataset.from_tables(tables, today=today)
    data = compute_report(dataset, year, today, booking_policy)
    rendered = write_report(data, association=association_name, template=template)
    path, status, beside = _save(Path(out_dir), year, rendered.data, today)
    result = ReportResult(
        year=year,
        path=path,
        status=status,
        beside=beside,
        sections=rendered.sections,
        omitted=rendered.omitted,
        notes=list(data.notes),
        charts=rendered.charts,
        tables=rendered.tables,
        anomalies=len(dataset.anomalies.errors),
        seconds=time.monotonic() - started,
    )
    log.info("report %d: %s %s (%.2fs)", year, status, path, result.seconds)
    return result


# --------------------------------------------------------------------------- output


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"version": STATE_VERSION, "files": {}}
    except (OSError, ValueError):
        log.warning("unreadable %s: starting afresh (existing reports are kept as edited)", path)
        return {"version": STATE_VERSION, "files": {}}
    if not isinstance(state, dict) or not isinstance(state.get("files"), dict):
        return {"version": STATE_VERSION, "files": {}}
    return state


def _write_atomic(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)  # mkstemp makes it private; a report is for the team to read
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _save(folder: Path, year: int, data: bytes, today: dt.date) -> tuple[Path, str, Path | None]:
    """Write ``data`` as the report of ``year``; never over a file someone edited."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportOutputError(
            f"Impossible de créer le dossier de sortie « {folder} » : {exc.strerror}. "
            "Choisissez un autre dossier avec --out."
        ) from exc
    state_path = folder / STATE_FILE
    state = _load_state(state_path)
    files: dict[str, Any] = state["files"]
    digest = _sha(data)
    beside: Path | None = None
    version = 1
    while True:
        name = report_filename(year, version)
        path = folder / name
        try:
            current = _sha(path.read_bytes())
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise _cannot_write(path, exc) from exc
        recorded = (files.get(name) or {}).get("sha256")
        if current is None:
            status = NEW_VERSION if beside else CREATED
            break
        if current == digest:
            status = UNCHANGED
            break
        if current == recorded:
            status = UPDATED
            break
        beside = beside or path  # edited by a person (or not ours): keep it, try the next name
        version += 1
    if status != UNCHANGED:
        try:
            _write_atomic(path, data)
        except OSError as exc:
            raise _cannot_write(path, exc) from exc
    files[name] = {"sha256": digest, "year": year, "generated": today.isoformat()}
    try:
        _write_atomic(state_path, json.dumps(state, ensure_ascii=False, indent=2, sort_keys=True).encode())
    except OSError as exc:
        raise _cannot_write(state_path, exc) from exc
    return path, status, beside


def _cannot_write(path: Path, exc: OSError) -> ReportOutputError:
    return ReportOutputError(
        f"Impossible d'écrire « {path} » : {exc.strerror or exc}. Si le fichier est ouvert dans Word ou "
        "LibreOffice, fermez-le puis relancez la commande."
    )
