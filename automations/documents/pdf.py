"""Word documents to PDF, in bounded batches that survive a document LibreOffice cannot convert.

LibreOffice converts many files in one run much faster than one by one, but a long run can
stop short (a document it chokes on, a timeout, a crash near the end): nothing of such a run
is thrown away. :func:`convert_in_batches` converts ``BATCH`` files per run; whatever a run
produced is kept; each file a run left without its PDF is tried again alone, and a file that
fails alone too is named, with a French reason. LibreOffice's own messages (English) go to the
local log only.

The conversion itself is behind a small interface (:class:`Converter`): :class:`SofficeConverter`
runs LibreOffice headless; tests pass their own.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .outputs import OutputError, PdfUnavailable, find_soffice, run_soffice

log = logging.getLogger(__name__)
BATCH = 50  # documents per LibreOffice run
NOT_PRODUCED = "LibreOffice n'a pas produit de PDF pour ce document"


class Converter(Protocol):
    """Converts .docx files to PDF; one call is one run of the converter."""

    def check(self) -> None:
        """Raise :class:`PdfUnavailable` (French) when conversions cannot run at all."""
        ...

    def convert(self, files: Sequence[Path], outdir: Path) -> None:
        """Write ``<stem>.pdf`` of each file into ``outdir``; a file may be left without.

        Raises :class:`OutputError` (French) when the run itself fails (timeout, crash)."""
        ...


class SofficeConverter:
    """LibreOffice headless (``soffice --convert-to pdf``), with its own throwaway profile."""

    def __init__(self, soffice: str = "soffice", timeout: float = 180.0) -> None:
        self.soffice = soffice
        self.timeout = timeout

    def check(self) -> None:
        find_soffice(self.soffice)

    def convert(self, files: Sequence[Path], outdir: Path) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        try:
            stderr = run_soffice(files, outdir, soffice=self.soffice, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise OutputError(
                f"la conversion a dépassé {self.timeout:.0f} secondes et a été interrompue "
                "(augmentez [documents] pdf_timeout si cela se répète)"
            ) from None
        if stderr.strip():
            log.info("soffice (%d files): %s", len(files), stderr.decode("utf-8", "replace").strip())


@dataclass
class Conversion:
    """What a conversion gave: {docx: pdf} for the files converted, {docx: reason} for the others.

    The PDFs are in a temporary folder: move them, then call :meth:`cleanup`."""

    work: Path
    produced: dict[Path, Path] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)
    runs: int = 0

    def failures(self) -> list[str]:
        """One French line per document left without its PDF."""
        return [f"PDF non produit pour « {f.name} » : {why}." for f, why in self.failed.items()]

    def cleanup(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def convert_in_batches(files: Sequence[Path], converter: Converter, *, batch: int = BATCH) -> Conversion:
    """Convert ``files`` ``batch`` at a time, keep every PDF made, retry each miss alone.

    Raises :class:`PdfUnavailable` when the converter cannot run at all (nothing to retry)."""
    conversion = Conversion(Path(tempfile.mkdtemp(prefix="mila-pdf-")))
    if not files:
        return conversion
    missed: list[tuple[Path, str]] = []
    try:
        for start in range(0, len(files), max(batch, 1)):
            chunk = list(files[start : start + max(batch, 1)])
            outdir = conversion.work / f"lot-{start // max(batch, 1) + 1}"
            reason = _run(converter, chunk, outdir, conversion)
            for source in chunk:
                pdf = outdir / (source.stem + ".pdf")
                if pdf.is_file():
                    conversion.produced[source] = pdf
                else:
                    missed.append((source, reason))
        for number, (source, first) in enumerate(missed, start=1):
            outdir = conversion.work / f"seul-{number}"
            reason = _run(converter, [source], outdir, conversion)
            pdf = outdir / (source.stem + ".pdf")
            if pdf.is_file():
                conversion.produced[source] = pdf
            else:
                conversion.failed[source] = reason if reason != NOT_PRODUCED else first
                log.warning("no PDF for %s: %s", source.name, conversion.failed[source])
    except PdfUnavailable:
        conversion.cleanup()
        raise
    return conversion


def _run(converter: Converter, files: Sequence[Path], outdir: Path, conversion: Conversion) -> str:
    """One run of the converter; the French reason a file of it would lack its PDF."""
    conversion.runs += 1
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        converter.convert(files, outdir)
    except PdfUnavailable:
        raise
    except OutputError as exc:
        log.warning("PDF conversion of %d file(s) failed: %s", len(files), exc.message)
        return exc.message
    return NOT_PRODUCED
