"""`mila factures`: issue what is due and not yet invoiced, each once; `mila factures avoir`.

The order of a run, and what each step leaves behind:

1. read the workbook once (``ctx.state``), the ``Factures`` tab included;
2. plan (``rules.invoices``): the cotisations, rents and bookings due and not covered by
   a row of ``Factures``; or, for a credit note, the invoice it cancels;
3. number them after the highest number ever issued of the year (``F2026-0001``) and
   **append the rows to ``Factures`` in one request, before any file**: the tab is the
   record of numbers, so a crash or a rerun never issues a number twice, and a second
   run finds everything covered (it issues 0);
4. write each document into ``out/factures/AAAA``: the Word file from
   ``templates/facture.docx`` (``avoir.docx``), its Factur-X XML (EN 16931, checked against
   the schema) and, with ``--pdf``, the PDF/A-3 carrying that XML; documents of rows a
   crashed run left without files are written too;
5. upload the PDFs to the Drive folder ``Factures/AAAA`` when ``[documents] drive_folder``
   is set, and write the link in ``Fichier`` (only for a file uploaded);
6. one ``Journal`` line.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import schema
from ..delivery.upload import DriveDelivery
from ..documents.invoice import (
    InvoiceDocument,
    Seller,
    embed,
    facturx_xml,
    invoice_context,
    seller_of,
    seller_problems,
)
from ..documents.pdf import convert_in_batches
from ..documents.render import load_template
from ..errors import BillingError, MilaError, SchemaError
from ..formatting import format_money
from ..journal import record
from ..model.invoices import CANCELLED, Invoice, parse_number
from ..model.rows import id_key
from ..rules.invoices import (
    CreditNoteRefused,
    Draft,
    Issued,
    Line,
    parse_period,
    plan_credit_note,
    plan_invoices,
    rebuilt_designation,
    shop_occupations,
)
from ..rules.invoices import client_of as _client_of
from ..rules.numbering import gaps, number_invoices
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome, job_name, journal_missing
from ..workbook.rewrite import update_keyed_rows
from . import invoice_mail
from .context import RunContext
from .invoice_mail import InvoicesSending

log = logging.getLogger(__name__)
TASK = "factures"
RECOVERY_DAYS = 7  # rows this recent whose files are missing (a crashed run) get them written


@dataclass
class InvoicesResult:
    """What `mila factures` did; the lines are French."""

    issued: list[Issued] = field(default_factory=list)
    dry_run: bool = False
    folder: Path | None = None
    documents: list[str] = field(default_factory=list)  # numbers whose files were written
    pdfs: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    journal: bool = False
    journal_error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # documents, pdf, facturx: where time went
    sending: InvoicesSending | None = None  # with --envoyer: the documents e-mailed
    drive_folder: str | None = None  # the Drive folder Factures/AAAA the PDFs went to

    @property
    def journal_lost(self) -> bool:
        return self.journal_error is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "issued": [
                {
                    "number": i.number,
                    "date": i.date.isoformat(),
                    "member": i.draft.client.member_id,
                    "purpose": i.draft.purpose,
                    "period": i.draft.period,
                    "ht": str(i.draft.ht),
                    "vat": str(i.draft.vat),
                    "ttc": str(i.draft.ttc),
                    "credit_of": i.draft.credit_of,
                }
                for i in self.issued
            ],
            "folder": str(self.folder) if self.folder else None,
            "documents": self.documents,
            "pdfs": self.pdfs,
            "uploaded": self.uploaded,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "journal": self.journal,
            "sending": self.sending.as_dict() if self.sending is not None else None,
            "drive_folder": self.drive_folder,
        }

    def summary(self) -> str:
        credit = [i for i in self.issued if i.is_credit_note]
        invoices = [i for i in self.issued if not i.is_credit_note]
        verb = "à émettre" if self.dry_run else "émis"
        if credit and not invoices:
            total = sum((i.draft.ttc for i in credit), start=Decimal(0))
            return f"{len(credit)} avoir(s) {verb} pour {format_money(total)} TTC"
        text = f"{len(invoices)} facture(s) {'à émettre' if self.dry_run else 'émise(s)'}"
        if invoices:
            total = sum((i.draft.ttc for i in invoices), start=Decimal(0))
            text += f" pour {format_money(total)} TTC"
        return text

    def outcome(self) -> Outcome:
        word = SUCCESS if self.issued or self.documents or self.pdfs or self.uploaded else NOTHING
        if self.warnings and not self.issued:
            word = FAILURE
        text = self.summary()
        if self.sending is not None and not self.sending.dry_run:
            sent = self.sending.outcome()
            text += f" ; {sent.summary}"
            if sent.result == FAILURE:
                word = FAILURE
            elif word == NOTHING:
                word = sent.result
        return journal_missing(Outcome(word, text), self.journal_lost, self.journal_error)

    @property
    def to_look_at(self) -> bool:
        """Something a person must look at: a warning, a document not sent or in doubt."""
        sending = self.sending
        if sending is None:
            return bool(self.warnings)
        doubts = sending.failed or sending.uncertain or sending.to_check
        return bool(self.warnings or doubts or sending.not_sent or sending.interrupted)

    def lines(self, limit: int = 50) -> list[str]:
        out = [self.summary() + "."]
        for issued in self.issued[:limit]:
            d = issued.draft
            kind = f"avoir de {d.credit_of}" if d.credit_of else d.purpose
            paid = f" — acquittée le {d.paid_on:%d/%m/%Y}" if d.paid_on and not d.credit_of else ""
            out.append(
                f"  {issued.number} {d.client.member_id} {d.client.name} : {kind}, {d.period}, "
                f"{format_money(d.ttc)} TTC{paid}"
            )
        if len(self.issued) > limit:
            out.append(f"  … et {len(self.issued) - limit} autre(s) (--limite pour en voir plus)")
        for line in self.skipped[:limit]:
            out.append(f"  Non facturé : {line}")
        for line in self.warnings:
            out.append(f"  Attention : {line}")
        if self.folder is not None and self.documents:
            pdf = f", {len(self.pdfs)} PDF Factur-X" if self.pdfs else ""
            out.append(f"Documents écrits dans « {self.folder} » : {len(self.documents)}{pdf}.")
        if self.uploaded:
            out.append(
                f"Déposés sur Google Drive (Factures/AAAA), lien dans « Fichier » : {len(self.uploaded)}."
            )
        if self.sending is not None:
            out += self.sending.lines(limit)
        return out


# --------------------------------------------------------------------------- the entry


def run_invoices(
    ctx: RunContext,
    *,
    pdf: bool = False,
    credit_of: str | None = None,
    reason: str = "",
    send: bool = False,
) -> InvoicesResult:
    """Issue the invoices due (or, with ``credit_of``, the credit note cancelling it); with
    ``send``, then e-mail every document not yet sent, its PDF attached (``invoice_mail``)."""
    settings = ctx.settings
    billing = settings.billing
    if not billing.enabled:
        raise BillingError(
            "La facturation n'est pas activée : ajoutez « enabled = true » à la section [billing] "
            "de mila.toml (voir docs/facturation.md), puis relancez « mila factures »."
        )
    seller = seller_of(settings.association, billing)
    missing = seller_problems(seller, billing)
    if missing:
        raise BillingError(
            "Les factures ne peuvent pas être émises : il manque " + " ; ".join(missing) + ". Complétez "
            "mila.toml (voir docs/configuration.md, section [billing]), puis relancez."
        )
    state = ctx.state
    problems = [
        p for p in state.evaluation.schema_problems if p.tab in (schema.FACTURES.name, schema.MEMBRES.name)
    ]
    if problems:
        raise SchemaError(problems[0].message)
    invoices = state.invoices
    result = InvoicesResult(dry_run=ctx.dry_run)
    result.warnings.extend(gaps(invoices))
    members = state.dataset.members_by_id
    if credit_of is not None:
        try:
            drafts = [plan_credit_note(credit_of, reason, invoices, members, shop_occupations(state.dataset))]
        except CreditNoteRefused as exc:
            raise BillingError(str(exc)) from None
    else:
        plan = plan_invoices(
            state.dataset,
            state.evaluation.computations,
            state.evaluation.bookings,
            invoices,
            ctx.today,
            settings.membership,
            billing,
            settings.association.rent_vat_percent,
        )
        drafts, result.skipped = plan.drafts, plan.skipped
    result.issued = number_invoices(drafts, invoices, ctx.today, billing.payment_terms_days)
    pdf = pdf or send  # a document leaves with its PDF
    if ctx.dry_run:
        if send:
            result.sending = _would_send(ctx, result)
        return result
    if result.issued:
        ctx.workbook.append_rows(schema.FACTURES, [i.row() for i in result.issued])  # the numbers, first
        if credit_of is not None:
            cancelled = next(i for i in invoices if i.parts == parse_number(credit_of))
            update_keyed_rows(
                ctx.workbook,
                schema.FACTURES,
                "N°",
                {cancelled.number or credit_of: {"Statut": CANCELLED, "Reste dû": 0}},
            )
        ctx.changed()
    dates = {i.number: i.date for i in invoices if i.number and i.date}
    recover = _recover(invoices, members, ctx, billing.payment_terms_days)
    to_write = [*result.issued, *recover]
    try:
        written = _produce(ctx, result, to_write, seller, dates) if to_write else []
        if pdf:
            done = {f.number for f in written}
            drive = bool(settings.documents.drive_folder)
            files = written + _unfinished(ctx, invoices, done, drive)
            if files:
                _pdfs(ctx, result, files, seller)
    except MilaError as exc:
        result.warnings.append(
            f"{exc.message} Les numéros sont enregistrés dans « Factures » : relancez « mila factures"
            f"{' --pdf' if pdf else ''} », les documents manquants seront écrits."
        )
    if result.issued or result.pdfs or result.uploaded:
        details = result.summary() + (
            " : " + ", ".join(i.number for i in result.issued) if result.issued else ""
        )
        result.journal_error = record(
            ctx.workbook, ctx.clock, job_name(TASK), result.outcome().result, details
        )
        result.journal = result.journal_error is None
    if send:
        _send(ctx, result, seller)
    return result


# --------------------------------------------------------------------------- sending


def _would_send(ctx: RunContext, result: InvoicesResult) -> InvoicesSending:
    """A dry run's sending: the documents that would be e-mailed (those of this run too)."""
    sending = InvoicesSending(dry_run=True, send_days=ctx.settings.billing.send_days)
    selected = invoice_mail.select(ctx, sending)
    sending.to_send = [i.number for i, _ in selected.documents if i.number]
    sending.to_send += [i.number for i in result.issued]
    return sending


def _send(ctx: RunContext, result: InvoicesResult, seller: Seller) -> None:
    """E-mail each document not yet sent, its PDF attached (made first when missing)."""
    ctx.changed()  # the rows and links this run wrote
    sending = InvoicesSending(send_days=ctx.settings.billing.send_days)
    result.sending = sending
    try:
        selected = invoice_mail.select(ctx, sending)
        pdfs = _pdfs_of(ctx, result, [i for i, _ in selected.documents], seller)
        invoice_mail.send(ctx, selected, pdfs, sending)
    except MilaError as exc:
        said = any(exc.message in w for w in result.warnings)  # the PDFs' own warning, above
        sending.interrupted = (
            "leur PDF Factur-X ne peut pas être produit (voir « Attention » ci-dessus)."
            if said
            else exc.message
        ) + " Relancez « mila factures --envoyer » : celles qui sont parties ne repartiront pas."


def _pdfs_of(
    ctx: RunContext, result: InvoicesResult, invoices: list[Invoice], seller: Seller
) -> dict[str, Path]:
    """The Factur-X PDF of each of ``invoices`` (by number), made when missing: its Word
    file and XML rebuilt from the row when they are missing too, then one conversion."""
    members = ctx.state.dataset.members_by_id
    shops = shop_occupations(ctx.state.dataset)
    found: dict[str, Path] = {}
    missing: list[_Files] = []
    rebuild: list[Issued] = []
    for invoice in invoices:
        parts = invoice.parts
        if parts is None or not invoice.number:
            continue
        folder = _folder(ctx, parts[1])
        target = folder / f"{invoice.number}.pdf"
        docx, xml = folder / f"{invoice.number}.docx", folder / f"{invoice.number}.xml"
        if target.is_file():
            found[invoice.number] = target
        elif docx.is_file() and xml.is_file():
            missing.append(_Files(invoice.number, parts[1], docx, xml.read_bytes()))
        elif (rebuilt := _rebuild(invoice, members, shops)) is not None:
            rebuild.append(rebuilt)
        else:
            result.warnings.append(
                f"Facture {invoice.number} : la ligne de « Factures » ne suffit pas à refaire son "
                "document (Période, Objet, Montant HT ou Membre illisible) ; elle n'est pas envoyée."
            )
    if rebuild:
        dates = {i.number: i.date for i in ctx.state.invoices if i.number and i.date}
        missing += _produce(ctx, result, rebuild, seller, dates)
    if missing:
        _pdfs(ctx, result, missing, seller)
        for item in missing:
            target = item.docx.with_suffix(".pdf")
            if target.is_file():
                found[item.number] = target
    return found


# --------------------------------------------------------------------------- documents


def _folder(ctx: RunContext, year: int) -> Path:
    return ctx.settings.documents.out / "factures" / str(year)


def _recover(invoices: list[Invoice], members: dict, ctx: RunContext, terms: int) -> list[Issued]:
    """Rows of the last days whose files a crashed run did not write, rebuilt from the row."""
    since = ctx.today - dt.timedelta(days=RECOVERY_DAYS)
    out = []
    shops = shop_occupations(ctx.state.dataset)
    for invoice in invoices:
        parts = invoice.parts
        if parts is None or invoice.date is None or invoice.date < since:
            continue
        if (_folder(ctx, parts[1]) / f"{invoice.number}.xml").is_file():
            continue
        rebuilt = _rebuild(invoice, members, shops)
        if rebuilt is not None:
            out.append(rebuilt)
    return out


def _rebuild(invoice: Invoice, members: dict, shops: frozenset[str] = frozenset()) -> Issued | None:
    """The issued document of a row of ``Factures``, as its files are written from it
    (None when the row lacks what they need)."""
    if invoice.parts is None or invoice.date is None or invoice.amount_ht is None:
        return None
    period = parse_period(invoice.period)
    if period is None or invoice.purpose is None:
        return None
    member = members.get(id_key(invoice.member_id) or "")
    if member is None:
        return None
    sign = -1 if invoice.is_credit_note else 1
    line = Line(
        rebuilt_designation(invoice, shops),
        sign * invoice.amount_ht,
        vat_percent=invoice.vat_percent if invoice.vat_percent is not None else Decimal(0),
    )
    draft = Draft(
        invoice.purpose,
        _client_of(member),
        period[0],
        period[1],
        (line,),
        reference=period[2],
        paid_on=invoice.paid_on if invoice.status == "payée" and not invoice.is_credit_note else None,
        credit_of=invoice.credit_of,
    )
    due = invoice.due_date or invoice.date
    return Issued(invoice.number or "", invoice.date, due, draft)


@dataclass(frozen=True)
class _Files:
    """An invoice's files in the output folder: its number, year, Word file and XML."""

    number: str
    year: int
    docx: Path
    xml: bytes


def _produce(
    ctx: RunContext,
    result: InvoicesResult,
    issued: list[Issued],
    seller: Seller,
    dates: dict[str, dt.date],
) -> list[_Files]:
    """The Word file and the Factur-X XML of each issued document."""
    settings = ctx.settings
    templates = settings.documents.templates
    invoice_template = load_template(templates / "facture.docx")
    credit_template = load_template(templates / "avoir.docx")
    board = ctx.state.dataset.board
    members = ctx.state.dataset.members_by_id
    written: list[_Files] = []
    started = time.perf_counter()
    for item in issued:
        doc = InvoiceDocument(item, seller, settings.billing, dates.get(item.draft.credit_of or ""))
        member = members.get(id_key(item.draft.client.member_id) or "")
        context = invoice_context(doc, settings.association, board, member)
        template = credit_template if item.is_credit_note else invoice_template
        xml = facturx_xml(doc)
        folder = _folder(ctx, item.date.year)
        result.folder = folder.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            docx = folder / f"{item.number}.docx"
            docx.write_bytes(template.render(context))
            (folder / f"{item.number}.xml").write_bytes(xml)
        except OSError as exc:
            raise BillingError(f"Le dossier « {folder} » ne peut pas être écrit ({exc.strerror}).") from exc
        result.documents.append(item.number)
        written.append(_Files(item.number, item.date.year, docx, xml))
    result.seconds["documents"] = time.perf_counter() - started
    return written


def _unfinished(ctx: RunContext, invoices: list[Invoice], done: set[str], drive: bool) -> list[_Files]:
    """Rows of the last days whose Word file and XML are written but whose PDF is not, or
    (with Drive set) whose PDF has no link in « Fichier » yet: an earlier run stopped short."""
    out = []
    since = ctx.today - dt.timedelta(days=RECOVERY_DAYS)
    for invoice in invoices:
        parts = invoice.parts
        if parts is None or not invoice.number or invoice.number in done:
            continue
        if invoice.date is None or invoice.date < since:
            continue
        folder = _folder(ctx, parts[1])
        docx, xml = folder / f"{invoice.number}.docx", folder / f"{invoice.number}.xml"
        if not docx.is_file() or not xml.is_file():
            continue
        if (folder / f"{invoice.number}.pdf").is_file() and (not drive or invoice.file):
            continue
        out.append(_Files(invoice.number, parts[1], docx, xml.read_bytes()))
    return out


def _pdfs(ctx: RunContext, result: InvoicesResult, files: list[_Files], seller: Seller) -> None:
    """Each document's PDF/A-3 with its XML embedded (one LibreOffice conversion for all the
    missing ones), uploaded to Drive ``Factures/AAAA`` when it is set, the link in « Fichier »."""
    missing = [f for f in files if not f.docx.with_suffix(".pdf").is_file()]
    started = time.perf_counter()
    conversion = convert_in_batches([f.docx for f in missing], ctx.converter)
    result.seconds["pdf"] = time.perf_counter() - started
    started = time.perf_counter()
    links: dict[str, dict[str, object]] = {}
    try:
        result.warnings.extend(conversion.failures())
        delivery = _delivery(ctx)
        for item in files:
            target = item.docx.with_suffix(".pdf")
            made = conversion.produced.get(item.docx)
            if made is not None:
                target.write_bytes(embed(made.read_bytes(), item.xml, item.number, seller.name))
                result.pdfs.append(item.number)
            if delivery is not None and target.is_file():
                link = delivery.put(("Factures", str(item.year)), target.name, target.read_bytes())
                if link:
                    result.uploaded.append(item.number)
                    links[item.number] = {"Fichier": link}
                    result.drive_folder = delivery.folder_link(("Factures", str(item.year)))
        if delivery is not None and delivery.report.error:
            result.warnings.append(
                f"Dépôt sur Google Drive interrompu ({delivery.report.error}) : les PDF restent dans le "
                "dossier de sortie, sans lien dans « Fichier » ; relancez « mila factures --pdf »."
            )
    finally:
        conversion.cleanup()
        result.seconds["facturx"] = time.perf_counter() - started
    if links:
        update_keyed_rows(ctx.workbook, schema.FACTURES, "N°", links)
        ctx.changed()


def _delivery(ctx: RunContext) -> DriveDelivery | None:
    root = ctx.settings.documents.drive_folder
    if not root:
        return None
    try:
        return DriveDelivery(ctx.drive, root)
    except MilaError as exc:
        return DriveDelivery(None, root, opening_error=exc)
