"""Word to PDF in bounded batches: every PDF made is kept, a miss is retried alone and named in
French, and a command converts only the documents it needs."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import XlsxBook
from docx import Document
from test_ledger_receipts import NOW, TEMPLATES, TODAY, workbook
from test_mail import SmtpServer, smtp_settings

from automations.clock import FixedClock
from automations.config import Settings
from automations.documents import outputs
from automations.documents.outputs import OutputError, PdfUnavailable
from automations.documents.pdf import BATCH, SofficeConverter, convert_in_batches
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_receipts
from automations.mail import SmtpSender
from automations.rules.membership import MembershipPolicy


class FakeConverter:
    """Writes a tiny PDF for each file, except: ``refused`` never converts; ``only_alone`` converts
    only in a run of its own; a run holding ``crashing`` stops after the files before it."""

    def __init__(
        self,
        refused: frozenset[str] = frozenset(),
        only_alone: frozenset[str] = frozenset(),
        crashing: str = "",
    ) -> None:
        self.refused, self.only_alone, self.crashing = refused, only_alone, crashing
        self.runs: list[list[str]] = []

    def check(self) -> None:
        """Always there."""

    def convert(self, files: Sequence[Path], outdir: Path) -> None:
        self.runs.append([f.name for f in files])
        for source in files:
            if source.name == self.crashing and len(files) > 1:
                raise OutputError("LibreOffice s'est arrêté en cours de route")
            if source.name in self.refused or (source.name in self.only_alone and len(files) > 1):
                continue
            (outdir / (source.stem + ".pdf")).write_bytes(b"%PDF-1.4 " + source.name.encode())


class Missing:
    """No converter at all (LibreOffice not installed)."""

    def check(self) -> None:
        raise PdfUnavailable("LibreOffice est introuvable.")

    def convert(self, files: Sequence[Path], outdir: Path) -> None:
        self.check()


@pytest.fixture
def three_hundred(tmp_path: Path) -> list[Path]:
    """300 tiny « documents » (the fake converter only reads their names)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    files = []
    for n in range(300):
        path = folder / f"Recu_2025-{n:03d}.docx"
        path.write_bytes(b"docx")
        files.append(path)
    return files


class TestBatches:
    def test_300_documents_in_batches_of_50_every_pdf_kept(self, three_hundred):
        """300 documents: six runs of 50, 300 PDFs, nothing failed."""
        converter = FakeConverter()
        conversion = convert_in_batches(three_hundred, converter)
        try:
            assert [len(r) for r in converter.runs] == [BATCH] * 6
            assert len(conversion.produced) == 300 and conversion.failed == {}
            assert all(pdf.read_bytes().startswith(b"%PDF") for pdf in conversion.produced.values())
        finally:
            conversion.cleanup()

    def test_a_miss_is_retried_alone_and_a_failure_named_in_french(self, three_hundred):
        """A file refused in its batch converts alone; one never converted is named; the rest is kept."""
        names = [f.name for f in three_hundred]
        converter = FakeConverter(
            refused=frozenset({names[7], names[242]}), only_alone=frozenset({names[120]})
        )
        conversion = convert_in_batches(three_hundred, converter)
        try:
            assert len(conversion.produced) == 298
            assert converter.runs[6:] == [[names[7]], [names[120]], [names[242]]]
            assert conversion.failures() == [
                f"PDF non produit pour « {names[7]} » : LibreOffice n'a pas produit de PDF pour ce document.",
                f"PDF non produit pour « {names[242]} » : LibreOffice n'a pas produit de PDF pour ce document.",
            ]
        finally:
            conversion.cleanup()

    def test_a_run_that_stops_loses_nothing_it_made(self, three_hundred):
        """LibreOffice stops in the middle of the 5th batch: the 242 PDFs made are kept, the rest made alone."""
        names = [f.name for f in three_hundred]
        converter = FakeConverter(crashing=names[242])
        conversion = convert_in_batches(three_hundred, converter)
        try:
            assert len(conversion.produced) == 300 and conversion.failed == {}
            assert len(converter.runs) == 6 + 8  # the 8 files of the stopped batch after the crash, alone
        finally:
            conversion.cleanup()

    def test_without_libreoffice_it_stops_at_once(self, three_hundred):
        """No converter: one French error, no retry of 300 files one by one."""
        with pytest.raises(PdfUnavailable):
            convert_in_batches(three_hundred, Missing())


@pytest.mark.slow
def test_libreoffice_converts_a_small_batch(tmp_path: Path):
    """The real LibreOffice: three small documents in batches of two, three PDFs."""
    if shutil.which("soffice") is None:
        pytest.fail("LibreOffice (soffice) is required for this test, .ci/run installs it")
    files = []
    for n in range(3):
        document = Document()
        document.add_paragraph(f"Reçu n° {n}")
        path = tmp_path / f"Recu_{n}.docx"
        document.save(str(path))
        files.append(path)
    conversion = convert_in_batches(files, SofficeConverter(timeout=120), batch=2)
    try:
        assert conversion.runs == 2 and conversion.failed == {}
        assert sorted(p.name for p in conversion.produced.values()) == [
            "Recu_0.pdf",
            "Recu_1.pdf",
            "Recu_2.pdf",
        ]
        assert all(p.read_bytes().startswith(b"%PDF") for p in conversion.produced.values())
    finally:
        conversion.cleanup()


def test_a_run_starts_from_a_copy_of_the_profile_an_earlier_run_made(tmp_path: Path):
    """LibreOffice's profile is kept once per process, without its lock, and copied into each
    next run's own folder (the batches above run from it: a fresh profile costs ~0.3 s)."""
    made = tmp_path / "premier"
    (made / "user").mkdir(parents=True)
    (made / "user" / "registrymodifications.xcu").write_text("<items/>")
    (made / ".lock").write_text("verrou")
    outputs.keep_profile(made)  # kept unless an earlier conversion of this process was
    warm = outputs._warm_profile
    assert warm is not None and (warm / "user" / "registrymodifications.xcu").is_file()
    assert not (warm / ".lock").exists()
    nxt = tmp_path / "suivant"
    nxt.mkdir()
    outputs.seed_profile(nxt)
    assert (nxt / "user" / "registrymodifications.xcu").read_bytes() == (
        warm / "user" / "registrymodifications.xcu"
    ).read_bytes()
    assert warm.is_dir()  # a copy: the next run changes its own


def test_sending_receipts_converts_only_those_to_send(tmp_path: Path, smtp_server: SmtpServer):
    """`docs recus --envoyer`: the receipt too old to send gets no PDF; those sent go as PDF."""
    book = XlsxBook(tmp_path, workbook())
    mail = smtp_settings(smtp_server)
    settings = Settings(
        association=AssociationSettings(),
        documents=DocumentsSettings(templates=TEMPLATES, out=tmp_path / "out", receipts_send_days=30),
        membership=MembershipPolicy(),
        mail=mail,
    )
    converter = FakeConverter()
    context = RunContext(
        settings,
        FixedClock(NOW),
        today=TODAY,
        workbook=book.open(),
        sender=SmtpSender(mail),
        converter=converter,
    )
    result = run_receipts(context, send=True)
    converted = [name for run in converter.runs for name in run]
    assert converted == ["Recu_2025-001_Sans-Adresse.docx", "Recu_2025-002_Studio-Nord.docx"]
    assert result.sending.too_old == ["2024-001"] and result.sending.sent == 1
    assert [p.name for p in result.pdfs] == [
        "Recu_2025-001_Sans-Adresse.pdf",
        "Recu_2025-002_Studio-Nord.pdf",
    ]


@pytest.mark.slow
def test_a_libreoffice_run_past_its_time_is_killed_and_said_in_french(tmp_path: Path):
    """A LibreOffice that hangs: both ways of converting stop it at the timeout and say so."""
    from automations.documents.outputs import convert_to_pdf

    hanging = tmp_path / "soffice"
    hanging.write_text("#!/bin/sh\nsleep 30\n")
    hanging.chmod(0o755)
    document = tmp_path / "Recu.docx"
    document.write_bytes(b"PK")
    with pytest.raises(OutputError, match="a dépassé 1 secondes et a été interrompue"):
        convert_to_pdf([document], soffice=str(hanging), timeout=0.6)
    with pytest.raises(OutputError, match="la conversion a dépassé 1 secondes"):
        SofficeConverter(str(hanging), timeout=0.6).convert([document], tmp_path / "pdf")
