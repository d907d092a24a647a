"""`mila docs …`: Word documents from the workbook, and the checks of their templates.

One entry point per document kind, each returning a :class:`DocumentsResult`:

- :func:`run_conventions`: one convention de mise à disposition per ``Occupations`` row
  (ongoing or future ones; ``include_ended`` adds the others); writes ``Convention générée
  le`` and ``Fichier convention`` back to the sheet;
- :func:`run_charters`: the values charter for each active member who has not signed it
  (``all_members``: every active member), and the signature register;
- :func:`run_receipts`: a receipt for each payment (``Cotisation payée le`` + ``Montant
  payé``), numbered per year of payment, the number kept for good in the manifest;
- :func:`run_attendance`: the attendance sheet of a general assembly on a given date.

A document is regenerated only when its data or its template changed (see
documents/outputs.py); a file someone edited is never overwritten. A run that wrote
something, or failed, appends one line to ``Journal``. :func:`verify_templates` and
:func:`template_variables` serve ``mila docs verifier`` and ``mila docs variables``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import schema
from ..documents import context as ctx
from ..documents.french import FILTER_HELP
from ..documents.outputs import (
    OutputFolder,
    Written,
    cleanup_conversion,
    convert_to_pdf,
    find_soffice,
    fingerprint,
    safe_filename,
)
from ..documents.render import DocumentTemplate, load_template
from ..documents.settings import DocumentsSettings
from ..documents.variables import Variable
from ..documents.verify import TemplateReport, template_variables_used, verify_template
from ..errors import UNREACHABLE, MilaError, SchemaError, TemplateError
from ..formatting import format_date
from ..model.dataset import Dataset
from ..model.rows import Member, id_key
from ..report.word import template_warnings
from ..rules.fees import Fee, FeeProblem, FeeSchedule, compute_fee
from ..rules.membership import compute_all
from ..workbook import CellUpdate, Row, Table
from .context import RunContext
from .evaluation import schema_problems

log = logging.getLogger(__name__)

KINDS = {
    "conventions": "convention",
    "charte": "charte",
    "recus": "recu",
    "emargement": "emargement",
}
UP_TO_DATE = ("à jour", "à renouveler")


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
    journal: bool = False
    seconds: float = 0.0
    sending: Any = None  # receipts.ReceiptsSending: what ``mila docs recus --envoyer`` sent

    @property
    def changed(self) -> bool:
        return bool(self.written or self.pdfs or self.cells_written)

    @property
    def journal_lost(self) -> bool:
        """Documents made (or cells written) whose Journal line could not be written."""
        return self.changed and not self.journal

    def outcome(self) -> Any:
        """The run in one French line, for ``mila status`` (a ``runner.Outcome``)."""
        from ..runner import journal_missing

        return journal_missing(describe_documents(self), self.journal_lost)

    @property
    def beside(self) -> list[Written]:
        """Documents written beside a file a person had edited."""
        return [w for w in self.written if w.beside is not None]

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "folder": str(self.folder),
            "written": [{"key": w.key, "file": w.path.name, "reason": w.reason,
                         "beside": w.beside.name if w.beside else None} for w in self.written],
            "unchanged": [p.name for p in self.unchanged],
            "skipped": self.skipped,
            "warnings": self.warnings,
            "pdfs": [p.name for p in self.pdfs],
            "cells_written": self.cells_written,
            "journal": self.journal,
            "seconds": round(self.seconds, 3),
            **({"sending": self.sending.as_dict()} if self.sending is not None else {}),
        }


@dataclass(frozen=True)
class _Item:
    key: str
    file_name: str
    context: dict[str, Any]
    volatile: tuple[str, ...] = ()  # dotted paths left out of the fingerprint (dates of the day)


# --------------------------------------------------------------------------- the common run


class _Run:
    """What every documents job does around its own items."""

    def __init__(self, kind: str, context: RunContext, *, out: Path | None, pdf: bool) -> None:
        self.kind = kind
        self.workbook = context.workbook
        self.today = context.today
        self.association = context.settings.association
        self.documents = documents = context.settings.documents
        self.clock = context.clock
        self.pdf = pdf
        self.started = time.monotonic()
        self.result = DocumentsResult(kind, Path(out) if out is not None else documents.out)
        self.tables: Mapping[str, Table] = {}
        self.dataset = Dataset()

    def read(self, tabs: Iterable[str]) -> Dataset:
        if self.pdf:
            find_soffice(self.documents.soffice)  # before any work: say it now if it is missing
        self.tables = self.workbook.read(tabs)
        problems = schema_problems(self.tables)
        if problems:
            raise SchemaError(" ".join(a.message for a in problems))
        self.dataset = Dataset.from_tables(self.tables, today=self.today)
        return self.dataset

    def template(self, name: str) -> DocumentTemplate:
        return load_template(self.documents.templates / ctx.TEMPLATE_FILES[name])

    def association_context(self, day: dt.date | None = None, other_party: Member | None = None,
                            order: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The association, and who signs for it facing ``other_party`` (see context.signatory)."""
        return ctx.association_context(self.association, self.dataset.board, day or self.today,
                                       other_party, order)

    def produce(self, template: DocumentTemplate, items: Iterable[_Item]) -> OutputFolder:
        folder = OutputFolder(self.result.folder)
        document = ctx.document_context(self.association, self.today)
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
            written = folder.write(item.key, item.file_name, data, data_fingerprint=data_fp,
                                   template_sha=template.sha256, reason=reason, today=self.today)
            self.result.written.append(written)
        try:
            if self.pdf:
                self._pdfs(folder)
        finally:
            folder.save()
        return folder

    def _pdfs(self, folder: OutputFolder) -> None:
        keys = [k for k in self._keys(folder) if folder.pdf_needed(k)]
        sources = {k: folder.file_of(k) for k in keys}
        produced = convert_to_pdf([p for p in sources.values() if p is not None],
                                  soffice=self.documents.soffice, timeout=self.documents.pdf_timeout)
        try:
            for key, source in sources.items():
                if source is not None and source in produced:
                    self.result.pdfs.append(folder.place_pdf(key, produced[source]))
        finally:
            cleanup_conversion(produced)

    def _keys(self, folder: OutputFolder) -> list[str]:
        keys = [w.key for w in self.result.written]
        by_file = {entry["file"]: key for key, entry in folder.data["documents"].items()}
        keys += [by_file[p.name] for p in self.result.unchanged if p.name in by_file]
        return keys

    def finish(self) -> DocumentsResult:
        self.result.seconds = time.monotonic() - self.started
        result = self.result
        log.info("docs %s: %d written, %d unchanged, %d skipped, %d pdf, %.2fs", self.kind,
                 len(result.written), len(result.unchanged), len(result.skipped), len(result.pdfs),
                 result.seconds)
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
        if r.skipped:
            parts.append(f"{len(r.skipped)} ignoré(s)")
        return " ; ".join(parts)

    def journal(self, outcome: str, details: str) -> bool:
        line = {
            "Date": self.clock.now(),
            "Tâche": f"docs {self.kind}",
            "Résultat": outcome,
            "Détails": f"{details} ({time.monotonic() - self.started:.1f} s)",
        }
        try:
            self.workbook.append_rows(schema.JOURNAL, [line])
            return True
        except MilaError as exc:
            log.error("could not write to Journal: %s", exc.message)
            return False

    def fail(self, exc: MilaError) -> None:
        log.error("docs %s failed: %s", self.kind, exc.message)
        if not isinstance(exc, UNREACHABLE) and self.tables:
            self.journal("échec", exc.message)


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
    return run.finish()


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
    president = ctx.officer(run.dataset.board, "Président·e", run.today)
    if president is None or not ctx.tied_to(president, other):
        return
    signer = party["signataire"]
    who = (f"{signer['civilite']} {signer['nom']} ({signer['titre'].lower()})".strip() if signer["connu"]
           else "personne : aucun autre membre du bureau en fonction")
    title = ctx.officer_context(president, "Président·e")["titre"].lower()
    run.result.warnings.append(f"{where} : {president.civility or ''} {president.name}, {title}, représente "
                               f"{_label(other)} ou en est membre ; l'Association est représentée par "
                               f"{who}.".replace(": ", ": ", 1).replace("  ", " ").replace(":  ", ": "))


# --------------------------------------------------------------------------- conventions


def run_conventions(
    context: RunContext,
    *,
    out: Path | None = None,
    member: str | None = None,
    include_ended: bool = False,
    pdf: bool = False,
) -> DocumentsResult:
    """One convention per ``Occupations`` row; ``Convention générée le`` and ``Fichier
    convention`` written back. Ended conventions only with ``include_ended``."""
    run = _Run("conventions", context, out=out, pdf=pdf)
    today, association, documents, workbook = run.today, run.association, run.documents, run.workbook

    def body() -> None:
        wanted = _member_filter(member)
        dataset = run.read([schema.MEMBRES.name, schema.LOCAUX.name, schema.OCCUPATIONS.name,
                            schema.TARIFS.name, schema.CONSEIL.name])
        _require_member(dataset, wanted, member)
        template = run.template("convention")
        association_ctx = run.association_context()
        if not association.siret:
            run.result.warnings.append("SIRET de l'association non renseigné ([association] siret) : "
                                       "il n'apparaît pas dans les conventions.")
        if not association_ctx["signataire"]["connu"]:
            run.result.warnings.append("Aucun membre du bureau en fonction dans l'onglet Conseil : "
                                       "le bloc de signature de l'Association reste sans nom.")
        schedule = FeeSchedule(dataset.rates)
        rows = {r.number: r for r in run.tables.get(schema.OCCUPATIONS.name, Table("", [], [], {})).rows}
        twice = _duplicate_ids(dataset.occupations)
        items: list[tuple[_Item, Row]] = []
        shops: list[str] = []
        for occupation in dataset.occupations:
            if wanted is not None and id_key(occupation.member_id) != wanted:
                continue
            where = f"Occupations ligne {occupation.row}"
            if occupation.id is None:
                run.result.skipped.append(f"{where} : pas d'ID ; lancez « mila sync » pour en attribuer un.")
                continue
            where = f"Convention {occupation.id}"
            if id_key(occupation.id) in twice:
                run.result.skipped.append(f"{where} : cet ID figure sur plusieurs lignes ; "
                                          "corrigez-le (« mila check »).")
                continue
            if occupation.start is None:
                run.result.skipped.append(f"{where} : date de début manquante ou illisible.")
                continue
            if occupation.end is not None and occupation.end < today and not include_ended:
                continue  # ended: nothing to sign any more
            holder = dataset.member(occupation.member_id)
            premises = dataset.premises_item(occupation.premises_id)
            if holder is None or holder.id is None:
                run.result.skipped.append(f"{where} : membre « {occupation.member_id} » introuvable "
                                          "dans l'onglet Membres.")
                continue
            if premises is None:
                run.result.skipped.append(f"{where} : local « {occupation.premises_id} » introuvable "
                                          "dans l'onglet Locaux.")
                continue
            if premises.site == "Boutique" and not documents.shop_conventions:
                shops.append(occupation.id)
                continue
            rent = occupation.monthly_rent if occupation.monthly_rent is not None else premises.monthly_rent
            if rent is None:
                run.result.skipped.append(f"{where} : loyer inconnu ; renseignez « Loyer mensuel HT » "
                                          "sur la convention ou sur le local.")
                continue
            fee = _convention_fee(holder, occupation.start, today, schedule, premises.surface_m2)
            if fee is None:
                run.result.warnings.append(f"{where} : cotisation non calculable pour {_label(holder)} ; "
                                           "la convention renvoie au barème.")
            party = run.association_context(other_party=holder)
            _signatory_notes(run, where, party, holder)
            context = ctx.convention_context(
                association=party, occupation=occupation, member=holder, premises=premises,
                rent_ht=rent, rent_vat_percent=association.rent_vat_percent, fee=fee,
                board=dataset.board)
            name = safe_filename("Convention", occupation.id, holder.structure,
                                 occupation.start.isoformat())
            items.append((_Item(f"convention:{occupation.id}", name, context), rows[occupation.row]))
        if shops:
            run.result.skipped.append(
                f"{len(shops)} occupation(s) de boutique sans convention ({', '.join(shops)}) : les "
                "boutiques sont louées sous bail commercial avec le bailleur. Pour leur produire une "
                "convention, ajoutez « shop_conventions = true » à la section [documents] de la "
                "configuration.")
        folder = run.produce(template, (item for item, _ in items))
        updates = []
        for item, row in items:
            path = folder.file_of(item.key)
            row_id = row.id
            if path is None or row_id is None:
                continue
            updates.append(CellUpdate(schema.OCCUPATIONS.name, row_id, "Convention générée le",
                                      folder.generated_on(item.key), row=row))
            updates.append(CellUpdate(schema.OCCUPATIONS.name, row_id, "Fichier convention", path.name,
                                      row=row))
        written = workbook.write(updates)
        run.result.cells_written = written.cells_written
        run.result.skipped.extend(written.skipped)

    return _guarded(run, body)


def _convention_fee(member: Member, start: dt.date, today: dt.date, schedule: FeeSchedule,
                    surface: Decimal | None) -> Fee | None:
    """The cotisation tied to this occupation: at the rates valid on its start (or today,
    for one that started earlier), for the surface of its premises."""
    day = max(start, today)
    try:
        return compute_fee(member, day, schedule, surface if member.category == "hébergé" else None)
    except FeeProblem:
        return None


# --------------------------------------------------------------------------- charter


def run_charters(
    context: RunContext,
    *,
    out: Path | None = None,
    member: str | None = None,
    all_members: bool = False,
    pdf: bool = False,
    register: bool = True,
) -> DocumentsResult:
    """The charter for each active member without ``Charte signée le`` (every active
    member with ``all_members``; just ``member`` when given, signed or not), and the
    signature register of every active member (not with ``member``)."""
    run = _Run("charte", context, out=out, pdf=pdf)
    today = run.today

    def body() -> None:
        wanted = _member_filter(member)
        dataset = run.read([schema.MEMBRES.name, schema.CONSEIL.name])
        _require_member(dataset, wanted, member)
        association_ctx = run.association_context()
        active = [m for m in dataset.members if m.left_on is None or m.left_on > today]
        twice = _duplicate_ids(dataset.members)
        items: list[_Item] = []
        for m in active:
            if wanted is not None and id_key(m.id) != wanted:
                continue
            if m.id is None:
                run.result.skipped.append(f"Membres ligne {m.row} ({m.structure or 'sans nom'}) : pas d'ID ; "
                                          "lancez « mila sync ».")
                continue
            if id_key(m.id) in twice:
                run.result.skipped.append(f"Membre {m.id} : cet ID figure sur plusieurs lignes ; "
                                          "corrigez-le (« mila check »).")
                continue
            if m.charter_signed_on is not None and not all_members and wanted is None:
                continue
            items.append(_Item(f"charte:{m.id}", safe_filename("Charte", m.id, m.structure),
                               ctx.charter_context(association=association_ctx, member=m,
                                                   board=dataset.board)))
        if wanted is not None and not items and not run.result.skipped:
            run.result.skipped.append(f"Membre {member} : sorti de l'association, pas de charte à signer.")
        run.produce(run.template("charte"), items)
        if register and wanted is None:
            listed = [m for m in active if m.id is not None]
            item = _Item("registre_charte", "Registre_signatures_charte.docx",
                         ctx.register_context(association=association_ctx, members=listed, day=today),
                         volatile=("registre.date",))
            run.produce(run.template("registre_charte"), [item])

    return _guarded(run, body)


# --------------------------------------------------------------------------- receipts


def run_receipts(
    context: RunContext,
    *,
    out: Path | None = None,
    member: str | None = None,
    pdf: bool = False,
    send: bool = False,
) -> DocumentsResult:
    """A receipt for each payment: see :func:`jobs.receipts.run_receipts` (the ledger of
    ``Paiements``, numbered in the sheet and, with ``send``, e-mailed once; or ``Membres``'
    last payment)."""
    from .receipts import run_receipts as run

    return run(context, out=out, member=member, pdf=pdf, send=send)


# --------------------------------------------------------------------------- attendance


def run_attendance(
    context: RunContext,
    *,
    meeting: dt.date | None = None,
    out: Path | None = None,
    title: str = "Assemblée générale",
    place: str | None = None,
    pdf: bool = False,
) -> DocumentsResult:
    """The attendance sheet of the general assembly of ``meeting``: the members up to date
    on that day (``à jour`` or ``à renouveler``), their votes, the quorum (by default: today)."""
    run = _Run("emargement", context, out=out, pdf=pdf)
    association = run.association
    policy, meeting = context.settings.membership, meeting or run.today

    def body() -> None:
        dataset = run.read([schema.MEMBRES.name, schema.LOCAUX.name, schema.OCCUPATIONS.name,
                            schema.TARIFS.name, schema.CONSEIL.name])
        computations = compute_all(dataset, meeting, policy)
        lines = [
            ctx.AttendanceLine(m, c.votes)
            for m, c in zip(dataset.members, computations, strict=True)
            if c.status in UP_TO_DATE and c.votes > 0 and m.id is not None
        ]
        if not lines:
            run.result.warnings.append(f"Aucun membre à jour de cotisation au {format_date(meeting)}.")
        context = ctx.attendance_context(
            association=run.association_context(meeting), title=title.strip() or "Assemblée générale",
            day=meeting, place=(place or association.address).strip(), lines=lines,
            quorum_percent=association.quorum_percent)
        item = _Item(f"emargement:{meeting.isoformat()}",
                     safe_filename("Emargement", "AG", meeting.isoformat()), context)
        run.produce(run.template("emargement"), [item])

    return _guarded(run, body)


# --------------------------------------------------------------------------- templates


@dataclass
class VerifyResult:
    folder: Path
    reports: list[TemplateReport]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    @property
    def errors(self) -> int:
        return sum(len(r.errors) for r in self.reports)

    @property
    def warnings(self) -> int:
        return sum(len(r.warnings) for r in self.reports)

    def as_dict(self) -> dict[str, object]:
        return {"folder": str(self.folder), "ok": self.ok, "errors": self.errors,
                "warnings": self.warnings, "templates": [r.as_dict() for r in self.reports]}


def verify_templates(documents: DocumentsSettings) -> VerifyResult:
    """Check every template of the folder: the five the jobs use, and any other .docx."""
    folder = documents.templates
    reports: list[TemplateReport] = []
    for name, file_name in ctx.TEMPLATE_FILES.items():
        path = folder / file_name
        if not path.is_file():
            report = TemplateReport(file_name, path)
            report.add("erreur", "missing",
                       f"Modèle absent : « {file_name} » est introuvable dans {folder}. Remettez le "
                       "modèle d'origine (copiez-le depuis le dossier templates/ du projet).")
            reports.append(report)
            continue
        reports.append(verify_template(path, ctx.VARIABLES[name]))
    known = set(ctx.TEMPLATE_FILES.values())
    for path in sorted(folder.glob("*.docx")) if folder.is_dir() else []:
        if path.name in known or path.name.startswith(("~$", ".")):
            continue
        if path.name in STYLE_ONLY_TEMPLATES:
            report = verify_template(path, None)  # no variables expected: syntax only
            for warning in template_warnings(path):  # the report's styles and header
                report.add("avertissement", "report_template", warning)
            reports.append(report)
            continue
        report = verify_template(path, None)
        report.add("avertissement", "unknown_template",
                   "Modèle inconnu des automatisations : sa syntaxe est vérifiée, pas ses variables.")
        reports.append(report)
    return VerifyResult(folder, reports)


@dataclass
class VariablesResult:
    name: str
    path: Path
    variables: list[tuple[Variable, bool]]  # (variable, used by the template now)
    filters: tuple[tuple[str, str, str, str], ...] = FILTER_HELP  # (name, description, tag, example)

    def as_dict(self) -> dict[str, object]:
        return {"template": self.name, "path": str(self.path),
                "variables": [{"name": v.path, "tag": v.tag, "description": v.description,
                               "example": v.example, "used": used} for v, used in self.variables],
                "filters": [{"name": n, "description": d, "tag": t, "example": e}
                            for n, d, t, e in self.filters]}


# Templates that only carry styles for documents built in code (the annual report):
# known, so not reported as unknown; checked for broken tags like the others.
STYLE_ONLY_TEMPLATES = frozenset({"rapport.docx"})


def template_names() -> list[str]:
    return list(ctx.TEMPLATE_FILES)


def template_variables(name: str, documents: DocumentsSettings) -> VariablesResult:
    """The variables template ``name`` (``convention``, ``charte.docx``…) can use."""
    key = Path(name).stem.strip().lower()
    key = {"conventions": "convention", "recus": "recu", "reçu": "recu", "registre": "registre_charte",
           "charter": "charte"}.get(key, key)
    if key not in ctx.VARIABLES:
        raise TemplateError(
            f"Modèle inconnu : « {name} ». Modèles : {', '.join(ctx.TEMPLATE_FILES)}."
        )
    path = documents.templates / ctx.TEMPLATE_FILES[key]
    variables = ctx.VARIABLES[key]
    used = template_variables_used(path, variables) if path.is_file() else set()
    return VariablesResult(key, path, [(v, v.path in used) for v in variables])


# --------------------------------------------------------------------------- scheduler


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

    def outcome(self) -> Any:
        """The run in one French line, for ``mila status`` (a ``runner.Outcome``)."""
        from ..runner import journal_missing

        return journal_missing(describe_documents(self), self.journal_lost)


def run_scheduled_documents(context: RunContext) -> DocumentsBatch:
    """What ``mila schedule`` runs every day: the conventions and the charters to sign; and,
    with ``[documents] send_receipts = true``, a mail server and a ``Paiements`` tab, the
    receipts not yet sent."""
    results = [run_conventions(context), run_charters(context)]
    settings = context.settings
    if (settings.documents.send_receipts and settings.mail.uses_smtp
            and context.workbook.title_for(schema.PAIEMENTS.name) is not None):
        results.append(run_receipts(context, send=True))
    return DocumentsBatch(results)


def describe_documents(result: DocumentsResult | DocumentsBatch) -> Any:
    """One French line for ``mila status`` (a ``runner.Outcome``)."""
    from ..runner import NOTHING, SUCCESS, Outcome

    results = result.results if isinstance(result, DocumentsBatch) else [result]
    written = sum(len(r.written) for r in results)
    skipped = sum(len(r.skipped) for r in results)
    unchanged = sum(len(r.unchanged) for r in results)
    tail = f" ; {skipped} non produit(s)" if skipped else ""
    if not any(r.changed for r in results):
        return Outcome(NOTHING, f"rien à refaire ({unchanged} document(s) à jour){tail}")
    pdfs = sum(len(r.pdfs) for r in results)
    return Outcome(SUCCESS, f"{written} document(s) produit(s), {unchanged} à jour"
                   + (f", {pdfs} PDF" if pdfs else "") + tail)
