"""The run every ``mila docs …`` kind shares (:class:`DocumentsResult`): templates loaded
once, documents written only when their data or template changed, ``Journal`` appended,
every failure turned into a French line of the result."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import journal, schema
from ..delivery.upload import DriveDelivery, DriveReport
from ..documents import catalogue, pieces
from ..documents.annex import AnnexedTemplate
from ..documents.outputs import OutputFolder, Written, fingerprint
from ..documents.pdf import convert_in_batches
from ..documents.render import DocumentTemplate, Renderable, load_template
from ..errors import UNREACHABLE, MilaError, SchemaError
from ..model.dataset import Dataset
from ..model.rows import Member, id_key
from ..rules.ids import describe_receipts
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome, job_name, journal_missing
from ..workbook import Table
from .context import RunContext
from .evaluation import schema_problems

log = logging.getLogger(__name__)


@dataclass
class DocumentsResult:
    kind: str  # conventions, charte, recus, emargement
    folder: Path
    written: list[Written] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # French: what was not produced, and why
    warnings: list[str] = field(default_factory=list)  # French
    pdfs: list[Path] = field(default_factory=list)
    cells_written: int = 0
    numbered: list[str] = field(default_factory=list)  # receipt numbers given by this run
    journal: bool = False
    seconds: float = 0.0
    sending: Any = None  # what ``--envoyer`` sent: receipts.ReceiptsSending, document_mail.DocumentSending
    drive: DriveReport | None = None  # with ``[documents] drive_folder``: what was uploaded

    @property
    def changed(self) -> bool:
        return bool(self.written or self.pdfs or self.cells_written or (self.drive and self.drive.changed))

    @property
    def journal_lost(self) -> bool:
        """Documents made (or cells written), or messages sent, whose Journal line could not be written."""
        return (self.changed and not self.journal) or bool(
            self.sending is not None and self.sending.journal_lost
        )

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``."""
        return journal_missing(describe_documents(self), self.journal_lost)

    @property
    def beside(self) -> list[Written]:
        """Documents written beside a file a person had edited."""
        return [w for w in self.written if w.beside is not None]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "folder": str(self.folder),
            "written": [
                {
                    "key": w.key,
                    "file": w.path.name,
                    "reason": w.reason,
                    "beside": w.beside.name if w.beside else None,
                }
                for w in self.written
            ],
            "unchanged": [p.name for p in self.unchanged],
            "skipped": self.skipped,
            "warnings": self.warnings,
            "pdfs": [p.name for p in self.pdfs],
            "cells_written": self.cells_written,
            "journal": self.journal,
            "seconds": round(self.seconds, 3),
            **({"sending": self.sending.as_dict()} if self.sending is not None else {}),
            **({"drive": self.drive.as_dict()} if self.drive is not None else {}),
        }


@dataclass(frozen=True)
class _Item:
    key: str
    file_name: str
    context: dict[str, Any]
    volatile: tuple[str, ...] = ()  # dotted paths left out of the fingerprint (dates of the day)


class _Run:
    """What every documents job does around its own items."""

    def __init__(self, kind: str, context: RunContext, *, out: Path | None, pdf: bool) -> None:
        self.kind = kind
        self.context = context
        self.workbook = context.workbook
        self.today = context.today
        self.association = context.settings.association
        self.documents = documents = context.settings.documents
        self.clock = context.clock
        self.pdf = pdf
        self.pdf_keys: set[str] | None = None  # the documents whose PDF is needed (None: all)
        self.started = time.monotonic()
        self.result = DocumentsResult(kind, Path(out) if out is not None else documents.out)
        self.tables: Mapping[str, Table] = {}
        self.dataset = Dataset()
        self._delivery: DriveDelivery | None = None

    def read_for(self, tabs: Iterable[str], member: str | None) -> tuple[Dataset, str | None]:
        """``tabs`` read, and the key of ``member`` (``--membre``), which must be among them."""
        wanted = _member_filter(member)
        dataset = self.read(tabs)
        _require_member(dataset, wanted, member)
        return dataset, wanted

    def read(self, tabs: Iterable[str]) -> Dataset:
        if self.pdf:
            self.context.converter.check()  # before any work: say it now if LibreOffice is missing
        state = self.context.state  # the run's one read of the workbook
        self.tables = {name: state.tables[name] for name in tabs if name in state.tables}
        problems = schema_problems(self.tables)
        if problems:
            raise SchemaError(" ".join(a.message for a in problems))
        self.dataset = Dataset.from_tables(self.tables, today=self.today)
        return self.dataset

    def template(self, name: str) -> DocumentTemplate:
        return load_template(self.documents.templates / catalogue.TEMPLATE_FILES[name])

    def convention_template(self) -> Renderable:
        """The convention, followed by the règlement intérieur when the templates folder
        holds one (``reglement_interieur.docx``)."""
        template = self.template("convention")
        rules = self.documents.templates / catalogue.RULES_FILE
        if not rules.is_file():
            return template
        return AnnexedTemplate(template, load_template(rules))

    def association_context(
        self,
        day: dt.date | None = None,
        other_party: Member | None = None,
        order: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """The association, and who signs for it facing ``other_party`` (see context.signatory)."""
        return pieces.association_context(
            self.association, self.dataset.board, day or self.today, other_party, order
        )

    def produce(self, template: Renderable, items: Iterable[_Item]) -> OutputFolder:
        folder = OutputFolder(self.result.folder)
        document = pieces.document_context(self.association, self.today)
        for item in items:
            stable = _without(item.context, ("document", *item.volatile))
            data_fp = fingerprint(stable)
            reason = folder.reason_to_write(item.key, data_fp, template.sha256)
            if reason is None:
                path = folder.file_of(item.key)
                assert path is not None
                self.result.unchanged.append(path)
                continue
            data = template.render({**item.context, "document": document})
            written = folder.write(
                item.key,
                item.file_name,
                data,
                data_fingerprint=data_fp,
                template_sha=template.sha256,
                reason=reason,
                today=self.today,
            )
            self.result.written.append(written)
        try:
            if self.pdf:
                self._pdfs(folder)
            self._deliver(folder)
        finally:
            folder.save()
        return folder

    def _deliver(self, folder: OutputFolder) -> None:
        """With ``[documents] drive_folder``: the run's documents (and PDF) to Drive."""
        root = self.documents.drive_folder
        if root is None:
            return
        if self._delivery is None:
            try:
                self._delivery = DriveDelivery(self.context.drive, root)
            except MilaError as exc:  # no key, an unreadable key: the documents stay here
                self._delivery = DriveDelivery(None, root, opening_error=exc)
            self.result.drive = self._delivery.report
        self._delivery.deliver(folder, self._keys(folder))

    def _pdfs(self, folder: OutputFolder) -> None:
        """The PDF of each document of the run that needs one (of ``pdf_keys`` only, when set),
        in batches: every PDF made is kept; a document left without is named in the warnings."""
        keys = [k for k in self._keys(folder) if folder.pdf_needed(k)]
        if self.pdf_keys is not None:
            keys = [k for k in keys if k in self.pdf_keys]
        sources = {k: folder.file_of(k) for k in keys}
        files = [p for p in sources.values() if p is not None]
        conversion = convert_in_batches(files, self.context.converter)
        try:
            for key, source in sources.items():
                if source is not None and source in conversion.produced:
                    self.result.pdfs.append(folder.place_pdf(key, conversion.produced[source]))
            self.result.warnings += conversion.failures()
        finally:
            conversion.cleanup()

    def _keys(self, folder: OutputFolder) -> list[str]:
        keys = [w.key for w in self.result.written]
        by_file = {entry["file"]: key for key, entry in folder.data["documents"].items()}
        keys += [by_file[p.name] for p in self.result.unchanged if p.name in by_file]
        return keys

    def finish(self) -> DocumentsResult:
        self.result.seconds = time.monotonic() - self.started
        result = self.result
        log.info(
            "docs %s: %d written, %d unchanged, %d skipped, %d pdf, %.2fs",
            self.kind,
            len(result.written),
            len(result.unchanged),
            len(result.skipped),
            len(result.pdfs),
            result.seconds,
        )
        if result.changed:
            result.journal = self.journal("succès", self.details())
        return result

    def details(self) -> str:
        r = self.result
        parts = [f"{len(r.written)} document(s) produit(s) dans {r.folder}"]
        if r.beside:
            parts.append(f"{len(r.beside)} écrit(s) à côté d'un fichier modifié à la main")
        if r.unchanged:
            parts.append(f"{len(r.unchanged)} inchangé(s)")
        if r.pdfs:
            parts.append(f"{len(r.pdfs)} PDF")
        if r.cells_written:
            parts.append(f"{r.cells_written} cellule(s) écrite(s)")
        if r.numbered:
            parts.append(describe_receipts(r.numbered))
        if r.skipped:
            parts.append(f"{len(r.skipped)} ignoré(s)")
        if r.drive is not None:
            if r.drive.uploaded or r.drive.updated:
                parts.append(
                    f"Google Drive : {len(r.drive.uploaded)} déposé(s), {len(r.drive.updated)} mis à jour"
                )
            parts += r.drive.lines()
        return " ; ".join(parts)

    def journal(self, outcome: str, details: str) -> bool:
        seconds = time.monotonic() - self.started
        task = job_name(f"docs {self.kind}")
        return journal.record(self.workbook, self.clock, task, outcome, details, seconds) is None

    def fail(self, exc: MilaError) -> None:
        log.error("docs %s failed: %s", self.kind, exc.message)
        if not isinstance(exc, UNREACHABLE) and self.tables:
            given = describe_receipts(self.result.numbered)  # numbers given: never again
            self.journal("échec", exc.message + (f" ; {given}" if given else ""))


def _without(value: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    out = dict(value)
    for path in paths:
        head, _, tail = path.partition(".")
        if head not in out:
            continue
        if tail and isinstance(out[head], dict):
            out[head] = _without(out[head], (tail,))
        elif not tail:
            del out[head]
    return out


def _guarded(run: _Run, body: Callable[[], None]) -> DocumentsResult:
    try:
        body()
    except MilaError as exc:
        run.fail(exc)
        raise
    finally:
        run.context.changed()  # it may have written cells or Relances rows: a later step reads again
    return run.finish()


# What a convention, a charter's register or a receipt needs to read.
DOCUMENT_TABS = (
    schema.MEMBRES.name,
    schema.LOCAUX.name,
    schema.OCCUPATIONS.name,
    schema.TARIFS.name,
    schema.CONSEIL.name,
)


def _member_filter(member: str | None) -> str | None:
    if member is None:
        return None
    key = id_key(member)
    if key is None:
        raise MilaError(f"Identifiant de membre invalide : « {member} ».")
    return key


def _require_member(dataset: Dataset, key: str | None, given: str | None) -> None:
    if key is not None and key not in dataset.members_by_id:
        raise MilaError(f"Aucun membre « {given} » dans l'onglet Membres.")


def _duplicate_ids(rows: Iterable[Any]) -> set[str]:
    counts = Counter(id_key(r.id) for r in rows if r.id)
    return {k for k, n in counts.items() if k is not None and n > 1}


def _label(member: Member) -> str:
    return f"{member.id} ({member.structure or 'sans nom'})"


def _signatory_notes(run: _Run, where: str, party: dict[str, Any], other: Member) -> None:
    """Say in the command's output when the president does not sign, and why."""
    president = pieces.officer(run.dataset.board, "Président·e", run.today)
    if president is None or not pieces.tied_to(president, other):
        return
    signer = party["signataire"]
    who = (
        f"{signer['civilite']} {signer['nom']} ({signer['titre'].lower()})".strip()
        if signer["connu"]
        else "personne : aucun autre membre du bureau en fonction"
    )
    title = pieces.officer_context(president, "Président·e")["titre"].lower()
    run.result.warnings.append(
        f"{where} : {president.civility or ''} {president.name}, {title}, représente "
        f"{_label(other)} ou en est membre ; l'Association est représentée par "
        f"{who}.".replace(": ", ": ", 1)
        .replace("  ", " ")
        .replace(":  ", ": ")
    )


@dataclass
class DocumentsBatch:
    """The scheduled run: conventions, then charters (without PDF)."""

    results: list[DocumentsResult]

    @property
    def changed(self) -> bool:
        return any(r.changed for r in self.results)

    def as_dict(self) -> dict[str, object]:
        return {"results": [r.as_dict() for r in self.results]}

    @property
    def journal_lost(self) -> bool:
        return any(r.journal_lost for r in self.results)

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``."""
        return journal_missing(describe_documents(self), self.journal_lost)


def describe_documents(result: DocumentsResult | DocumentsBatch) -> Outcome:
    """One French line for ``mila etat``."""
    results = result.results if isinstance(result, DocumentsBatch) else [result]
    written = sum(len(r.written) for r in results)
    skipped = sum(len(r.skipped) for r in results)
    unchanged = sum(len(r.unchanged) for r in results)
    tail = f" ; {skipped} non produit(s)" if skipped else ""
    not_uploaded = sum(len(r.drive.failed) for r in results if r.drive is not None)
    tail += f" ; {not_uploaded} non déposé(s) sur Google Drive" if not_uploaded else ""
    drives = [r.drive for r in results if r.drive is not None]
    if not_uploaded and not any(d.changed for d in drives):
        error = next((d.error for d in drives if d.error), None) or "erreur inconnue"
        return Outcome(FAILURE, f"aucun document déposé sur Google Drive ({error}){tail}")
    if not any(r.changed for r in results):
        return Outcome(NOTHING, f"rien à refaire ({unchanged} document(s) à jour){tail}")
    pdfs = sum(len(r.pdfs) for r in results)
    return Outcome(
        SUCCESS,
        f"{written} document(s) produit(s), {unchanged} à jour" + (f", {pdfs} PDF" if pdfs else "") + tail,
    )
