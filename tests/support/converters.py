"""Converters for the tests that are about where PDFs go, not about what LibreOffice draws
(the ``Converter`` interface of ``automations/documents/pdf.py``; the real one is tested in
``test_pdf_batches``, ``test_documents_render``, ``test_templates_shipped`` and the report's
tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class NoLibreOffice:
    """A converter that cannot run: LibreOffice missing."""

    def check(self) -> None:
        from automations.errors import PdfUnavailable

        raise PdfUnavailable("LibreOffice est introuvable.")

    def convert(self, files: Any, outdir: Path) -> None:
        self.check()


class BlankPdf:
    """A converter writing a one-page blank PDF for each file (no LibreOffice needed);
    ``converted`` lists the files it was given, in order."""

    def __init__(self) -> None:
        self.converted: list[Path] = []

    def check(self) -> None:
        """Always available."""

    def convert(self, files: Any, outdir: Path) -> None:
        from pypdf import PdfWriter

        for source in files:
            self.converted.append(Path(source))
            writer = PdfWriter()
            writer.add_blank_page(595, 842)
            with (outdir / f"{Path(source).stem}.pdf").open("wb") as handle:
                writer.write(handle)
