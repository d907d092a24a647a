"""`mila docs rapport --annee AAAA`: the annual activity report, as a Word document.

:func:`run_report` reads the workbook (read-only), computes the report's figures
(``report.figures``), writes the document (``report.writer``) to
``<out>/Rapport_activite_<année>.docx`` and returns a :class:`ReportResult`.

A file a person edited is never overwritten: the output folder keeps, in
``.mila-report.json``, the SHA-256 of each report as last written. When the file on disk no
longer matches it (someone opened it in Word and saved), the new report goes beside it,
``Rapport_activite_<année>_v2.docx`` (then ``_v3``…). A report identical to the file on disk
is not rewritten.

The table of contents shows its page numbers as soon as the file opens, in Word as in
LibreOffice: when LibreOffice is installed, the job lays the report out once (a PDF
conversion), reads on which page each heading falls (``pdftotext``) and writes those numbers
in the contents; otherwise the contents field is marked for Word to update on opening.
``pdf=True`` also writes ``Rapport_activite_<année>.pdf`` beside the document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..delivery.upload import DriveReport
from ..documents.outputs import OutputError, cleanup_conversion, convert_to_pdf, fingerprint
from ..errors import ReportOutputError, SchemaError
from ..report.data import ReportData
from ..report.figures import compute_report
from ..report.writer import write_report
from ..rules.bookings import BookingPolicy
from ..rules.membership import MembershipPolicy
from ..workbook import Workbook
from .document_mail import version_of
from .workbook_state import WorkbookState, read_state

log = logging.getLogger(__name__)

STATE_FILE = ".mila-report.json"
STATE_VERSION = 1
CREATED, UPDATED, UNCHANGED, NEW_VERSION = "créé", "mis à jour", "inchangé", "nouvelle version"


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
    toc_numbered: bool = False  # page numbers written in the table of contents
    pdf: Path | None = None
    version: str = ""  # short fingerprint of the figures and template, not of the day it was made
    drive: DriveReport | None = None  # with [documents] drive_folder: what was uploaded (report_drive.py)
    link: str | None = None  # the report's Drive link, once uploaded

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
            "toc_numbered": self.toc_numbered,
            "pdf": str(self.pdf) if self.pdf else None,
            "version": self.version,
            **({"drive": self.drive.as_dict(), "link": self.link} if self.drive is not None else {}),
        }

    def lines(self) -> list[str]:
        """The summary the command line prints, in French."""
        found = []
        if self.status == UNCHANGED:
            found.append(f"Rapport d'activité {self.year} inchangé : {self.path}")
        elif self.status == NEW_VERSION:
            found.append(f"Rapport d'activité {self.year} écrit : {self.path}")
            found.append(
                f"  « {self.beside.name if self.beside else ''} » a été modifié à la main : il est "
                "conservé tel quel, la nouvelle version est écrite à côté."
            )
        else:
            found.append(f"Rapport d'activité {self.year} {self.status} : {self.path}")
        found.append(
            f"  {len(self.sections)} partie(s), {self.tables} tableau(x), {self.charts} graphique(s)."
        )
        for line in self.omitted:
            found.append(f"  Partie non incluse : {line}")
        for line in self.notes:
            found.append(f"  Attention : {line}")
        if self.anomalies:
            found.append(
                f"  {self.anomalies} erreur(s) dans le classeur : les lignes concernées ne sont pas "
                "comptées. Lancez « mila verifier » pour les voir."
            )
        if self.pdf:
            found.append(f"  PDF : {self.pdf}")
        found += self._drive_lines()
        if not self.toc_numbered:
            found.append(
                "  Sommaire sans numéros de page (LibreOffice introuvable) : Word les calcule à "
                "l'ouverture ; sous LibreOffice : Outils > Mettre à jour > Tout."
            )
        return found

    def _drive_lines(self) -> list[str]:
        drive = self.drive
        if drive is None:
            return []
        found = []
        if self.link:
            done = "déposé" if drive.uploaded else "mis à jour" if drive.updated else "à jour"
            found.append(f"  Google Drive ({done}) : {self.link}")
        found += [f"  Attention : {line}" for line in drive.lines()]
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
    board_on: dt.date | None = None,
    pdf: bool = False,
    soffice: str | None = "soffice",
    pdf_timeout: float = 180.0,
    state: WorkbookState | None = None,
) -> ReportResult:
    """Write the activity report of ``year`` (compared with ``year - 1``) into ``out_dir``.

    ``state``: the run's read of the workbook (read now when not given). ``board_on``: the
    day the board's composition is given (default: the last day of the
    year). ``soffice``: LibreOffice's command, to number the contents (None: do not)."""
    started = time.monotonic()
    state = state or read_state(workbook, today, MembershipPolicy(), booking_policy)
    problems = state.evaluation.schema_problems
    if problems:
        raise SchemaError(" ".join(p.message for p in problems))
    dataset = state.dataset
    data = compute_report(dataset, year, today, booking_policy, board_on=board_on)
    rendered = write_report(data, association=association_name, template=template)
    notes = list(data.notes)
    numbered = False
    if soffice is not None:
        try:
            pages = toc_pages(rendered.data, rendered.toc, soffice=soffice, timeout=pdf_timeout)
        except OutputError as exc:
            if pdf:
                raise
            pages = None
            log.info("contents left unnumbered: %s", exc.message)
        if pages is not None:
            rendered = write_report(data, association=association_name, template=template, toc_pages=pages)
            numbered = True
        elif shutil.which("pdftotext") is None:
            log.info("contents left unnumbered: pdftotext is missing")
    path, status, beside = _save(Path(out_dir), year, rendered.data, today)
    pdf_path = _pdf(path, soffice or "soffice", pdf_timeout) if pdf else None
    result = ReportResult(
        year=year,
        path=path,
        status=status,
        beside=beside,
        sections=rendered.sections,
        omitted=rendered.omitted,
        notes=notes,
        charts=rendered.charts,
        tables=rendered.tables,
        anomalies=len(dataset.anomalies.errors),
        seconds=time.monotonic() - started,
        toc_numbered=numbered,
        pdf=pdf_path,
        version=report_version(data, template),
    )
    log.info("report %d: %s %s (%.2fs)", year, status, path, result.seconds)
    return result


def report_version(data: ReportData, template: Path | None) -> str:
    """The version of a report, for sending it once (``--envoyer``): its figures, texts and
    template; not the day it was made (« Document établi le … »), which changes every day."""
    figures = dataclasses.asdict(data)
    figures.pop("today", None)
    return version_of(fingerprint(figures), _sha(template.read_bytes()) if template is not None else None)


# --------------------------------------------------------------------------- layout


def toc_pages(
    docx: bytes, entries: list[str], *, soffice: str = "soffice", timeout: float = 180.0
) -> list[int] | None:
    """The page of each contents entry once LibreOffice lays the document out; None when
    ``pdftotext`` is missing or a heading cannot be found. Raises ``PdfUnavailable`` when
    LibreOffice is missing."""
    reader = shutil.which("pdftotext")
    if reader is None or not entries:
        return None
    work = Path(tempfile.mkdtemp(prefix="mila-rapport-"))
    try:
        source = work / "rapport.docx"
        source.write_bytes(docx)
        produced = convert_to_pdf([source], soffice=soffice, timeout=timeout)
        try:
            text = subprocess.run(
                [reader, "-layout", "-enc", "UTF-8", str(produced[source]), "-"],
                capture_output=True,
                timeout=timeout,
                check=True,
            ).stdout.decode("utf-8")
        finally:
            cleanup_conversion(produced)
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return heading_pages(text.split("\f"), entries)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


def heading_pages(pages: list[str], entries: list[str]) -> list[int] | None:
    """Pages (from 1) where the headings ``entries`` fall, searched in order after the
    contents (the pages where the last entry is first listed); None if one is not found."""
    lines = [[_norm(line) for line in page.splitlines() if line.strip()] for page in pages]
    wanted = [_norm(e) for e in entries]

    def starts(line: str, heading: str) -> bool:
        return line.startswith(heading) or (len(line) >= 20 and heading.startswith(line))

    last = wanted[-1]
    toc_end = next((n for n, page in enumerate(lines) if any(starts(line, last) for line in page)), None)
    if toc_end is None:
        return None
    found: list[int] = []
    page = toc_end + 1
    for heading in wanted:
        while page < len(lines) and not any(starts(line, heading) for line in lines[page]):
            page += 1
        if page >= len(lines):
            return None
        found.append(page + 1)
    return found


def _pdf(docx: Path, soffice: str, timeout: float) -> Path:
    """The PDF of the written report, beside it (a PDF is derived: it is replaced)."""
    produced = convert_to_pdf([docx], soffice=soffice, timeout=timeout)
    try:
        target = docx.with_suffix(".pdf")
        _write_atomic(target, produced[docx].read_bytes())
    finally:
        cleanup_conversion(produced)
    return target


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
            "Choisissez un autre dossier avec --dossier."
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
