"""`mila docs …`: Word documents from the workbook, and the checks of their templates.

One entry point per document kind, each returning a :class:`DocumentsResult`:

- :func:`run_conventions`: one convention de mise à disposition per ``Occupations`` row
  (ongoing or future ones; ``include_ended`` adds the others); writes ``Convention générée
  le`` and ``Fichier convention`` back to the sheet (the file's name, or its Drive link
  once uploaded to ``[documents] drive_folder``);
- :func:`run_charters`: the values charter for each active member who has not signed it
  (``all_members``: every active member), and the signature register;
- :func:`run_receipts`: a receipt for each payment (``Cotisation payée le`` + ``Montant
  payé``), numbered per year of payment, the number kept for good in the manifest;
- :func:`run_attendance`: the attendance sheet of a general assembly on a given date.

A document is regenerated only when its data or its template changed (see
documents/outputs.py); a file someone edited is never overwritten. A run that wrote
something, or failed, appends one line to ``Journal``. The run they share is in
:mod:`.document_run`; ``mila docs verifier`` and ``mila docs variables`` are in :mod:`.templates`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from .. import schema
from ..documents import context as ctx
from ..documents.annex import AnnexedTemplate
from ..documents.outputs import safe_filename
from ..formatting import format_date
from ..model.rows import Member, id_key
from ..model.values import ValueProblem, parse_date
from ..rules.conventions import plan_conventions
from ..rules.fees import Fee, FeeProblem, FeeSchedule, compute_fee
from ..rules.membership import compute_all
from ..workbook import CellUpdate, Row, Table
from .context import RunContext
from .document_run import (
    DOCUMENT_TABS,
    DocumentsBatch,
    DocumentsResult,
    _duplicate_ids,
    _guarded,
    _Item,
    _label,
    _Run,
    _signatory_notes,
)
from .signature import ToSign, send_for_signature

KINDS = {
    "conventions": "convention",
    "charte": "charte",
    "recus": "recu",
    "emargement": "emargement",
}
UP_TO_DATE = ("à jour", "à renouveler")


# --------------------------------------------------------------------------- conventions


def run_conventions(
    context: RunContext,
    *,
    out: Path | None = None,
    member: str | None = None,
    occupation: str | None = None,
    include_ended: bool = False,
    pdf: bool = False,
    send: bool = False,
    dry_run: bool = False,
) -> DocumentsResult:
    """One convention per ``Occupations`` row (just ``occupation``'s when given); ``Convention
    générée le`` and ``Fichier convention`` written back. Ended conventions only with
    ``include_ended``. With ``send``, each convention is e-mailed to its member for
    signature, once per version (:mod:`.signature`; ``dry_run``: previews only)."""
    run = _Run("conventions", context, out=out, pdf=pdf)
    today, association, documents, workbook = run.today, run.association, run.documents, run.workbook

    def body() -> None:
        dataset, wanted = run.read_for(_with_log(DOCUMENT_TABS, send), member)
        template = run.convention_template()
        rules = isinstance(template, AnnexedTemplate)
        association_ctx = run.association_context()
        if not association.siret:
            run.result.warnings.append(
                "SIRET de l'association non renseigné ([association] siret) : "
                "il n'apparaît pas dans les conventions."
            )
        if not association_ctx["signataire"]["connu"]:
            run.result.warnings.append(
                "Aucun membre du bureau en fonction dans l'onglet Conseil : "
                "le bloc de signature de l'Association reste sans nom."
            )
        schedule = FeeSchedule(dataset.rates)
        rows = {r.number: r for r in run.tables.get(schema.OCCUPATIONS.name, Table("", [], [], {})).rows}
        plan = plan_conventions(
            dataset,
            today,
            wanted=wanted,
            include_ended=include_ended,
            shop_conventions=documents.shop_conventions,
        )
        run.result.skipped.extend(plan.skipped)
        due_list, shops = plan.due, plan.shops
        if occupation is not None:
            due_list = [d for d in due_list if id_key(d.occupation.id) == id_key(occupation)]
            shops = [s for s in shops if id_key(s) == id_key(occupation)]
            named = any(occupation in line for line in run.result.skipped)
            if not due_list and not shops and not named:
                run.result.skipped.append(
                    f"Occupation {occupation} : pas de convention à produire (occupation terminée, "
                    "boutique, ou ligne incomplète : voir « mila verifier »)."
                )
        items: list[tuple[_Item, Row]] = []
        signers: list[tuple[_Item, Member]] = []
        for due in due_list:
            held, holder, premises, rent = due.occupation, due.holder, due.premises, due.rent
            assert held.id is not None and held.start is not None
            where = f"Convention {held.id}"
            fee = _convention_fee(holder, held.start, today, schedule, premises.surface_m2)
            if fee is None:
                run.result.warnings.append(
                    f"{where} : cotisation non calculable pour {_label(holder)} ; "
                    "la convention renvoie au barème."
                )
            party = run.association_context(other_party=holder)
            _signatory_notes(run, where, party, holder)
            context = ctx.convention_context(
                association=party,
                occupation=held,
                member=holder,
                premises=premises,
                rent_ht=rent,
                rent_vat_percent=association.rent_vat_percent,
                fee=fee,
                day=today,
                board=dataset.board,
                rules=rules,
                produced_before=_produced_before(rows[held.row], today),
            )
            name = safe_filename("Convention", held.id, holder.structure, held.start.isoformat())
            item = _Item(f"convention:{held.id}", name, context, volatile=ctx.CONVENTION_VOLATILE)
            items.append((item, rows[held.row]))
            if due.ongoing:
                signers.append((item, holder))  # an ended convention (--tous) is not sent to sign
        if shops:
            run.result.skipped.append(
                f"{len(shops)} occupation(s) de boutique sans convention ({', '.join(shops)}) : les "
                "boutiques sont louées sous bail commercial avec le bailleur. Pour leur produire une "
                "convention, ajoutez « shop_conventions = true » à la section [documents] de la "
                "configuration."
            )
        folder = run.produce(template, (item for item, _ in items))
        updates = []
        for item, row in items:
            path = folder.file_of(item.key)
            row_id = row.id
            if path is None or row_id is None:
                continue
            updates.append(
                CellUpdate(
                    schema.OCCUPATIONS.name,
                    row_id,
                    "Convention générée le",
                    folder.generated_on(item.key),
                    row=row,
                )
            )
            # The Drive link when the convention is there (the staff click it), else its file name.
            where = folder.link(item.key) or path.name
            updates.append(CellUpdate(schema.OCCUPATIONS.name, row_id, "Fichier convention", where, row=row))
        written = workbook.write(updates)
        run.result.cells_written = written.cells_written
        run.result.skipped.extend(written.skipped)
        if send:
            docs = [ToSign(item, holder, "convention") for item, holder in signers]
            send_for_signature(run, folder, docs, dry_run=dry_run)

    return _guarded(run, body)


def _produced_before(row: Row, today: dt.date) -> bool:
    """Whether ``Convention générée le`` says a convention was produced before today."""
    try:
        produced = parse_date(row.get("Convention générée le"))
    except ValueProblem:
        return False
    return produced is not None and produced < today


def _convention_fee(
    member: Member, start: dt.date, today: dt.date, schedule: FeeSchedule, surface: Decimal | None
) -> Fee | None:
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
    send: bool = False,
    dry_run: bool = False,
) -> DocumentsResult:
    """The charter for each active member without ``Charte signée le`` (every active
    member with ``all_members``; just ``member`` when given, signed or not), and the
    signature register of every active member (not with ``member``). With ``send``, each
    charter not yet signed is e-mailed to its member for signature, once per version
    (:mod:`.signature`; ``dry_run``: previews only)."""
    run = _Run("charte", context, out=out, pdf=pdf)
    today = run.today

    def body() -> None:
        tabs = (schema.MEMBRES.name, schema.CONSEIL.name, schema.TARIFS.name)
        dataset, wanted = run.read_for(_with_log(tabs, send), member)
        association_ctx = run.association_context()
        active = [m for m in dataset.members if m.left_on is None or m.left_on > today]
        twice = _duplicate_ids(dataset.members)
        items: list[_Item] = []
        signers: list[ToSign] = []
        for m in active:
            if wanted is not None and id_key(m.id) != wanted:
                continue
            if m.id is None:
                run.result.skipped.append(
                    f"Membres ligne {m.row} ({m.structure or 'sans nom'}) : pas d'ID ; "
                    "lancez « mila synchroniser »."
                )
                continue
            if id_key(m.id) in twice:
                run.result.skipped.append(
                    f"Membre {m.id} : cet ID figure sur plusieurs lignes ; corrigez-le (« mila verifier »)."
                )
                continue
            if m.charter_signed_on is not None and not all_members and wanted is None:
                continue
            items.append(
                _Item(
                    f"charte:{m.id}",
                    safe_filename("Charte", m.id, m.structure),
                    ctx.charter_context(association=association_ctx, member=m, board=dataset.board),
                )
            )
            signers.append(ToSign(items[-1], m, "charte"))
        if wanted is not None and not items and not run.result.skipped:
            run.result.skipped.append(f"Membre {member} : sorti de l'association, pas de charte à signer.")
        folder = run.produce(run.template("charte"), items)
        if send:
            send_for_signature(run, folder, signers, dry_run=dry_run)
        if register and wanted is None:
            statuses = compute_all(dataset, today, context.settings.membership)
            listed = [
                m
                for m, c in zip(dataset.members, statuses, strict=True)
                if m.id is not None and c.status in UP_TO_DATE
            ]
            item = _Item(
                "registre_charte",
                "Registre_signatures_charte.docx",
                ctx.register_context(association=association_ctx, members=listed, day=today),
                volatile=("registre.date",),
            )
            run.produce(run.template("registre_charte"), [item])

    return _guarded(run, body)


def _with_log(tabs: tuple[str, ...], send: bool) -> tuple[str, ...]:
    """``tabs``, and ``Relances`` when the run sends (the versions already sent)."""
    return (*tabs, schema.RELANCES.name) if send else tabs


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
        dataset = run.read(DOCUMENT_TABS)
        computations = compute_all(dataset, meeting, policy)
        lines = [
            ctx.AttendanceLine(m, c.votes)
            for m, c in zip(dataset.members, computations, strict=True)
            if c.status in UP_TO_DATE and c.votes > 0 and m.id is not None
        ]
        if not lines:
            run.result.warnings.append(f"Aucun membre à jour de cotisation au {format_date(meeting)}.")
        context = ctx.attendance_context(
            association=run.association_context(meeting),
            title=title.strip() or "Assemblée générale",
            day=meeting,
            place=(place or association.address).strip(),
            lines=lines,
            quorum_percent=association.quorum_percent,
        )
        item = _Item(
            f"emargement:{meeting.isoformat()}",
            safe_filename("Emargement", "AG", meeting.isoformat()),
            context,
        )
        run.produce(run.template("emargement"), [item])

    return _guarded(run, body)


# --------------------------------------------------------------------------- scheduler


def run_scheduled_documents(context: RunContext) -> DocumentsBatch:
    """What ``mila planifier`` runs every day: the conventions and the charters to sign; and,
    with ``[documents] send_receipts = true``, a mail server and a ``Paiements`` tab, the
    receipts not yet sent."""
    results = [run_conventions(context)]
    context.changed()  # each step starts from the workbook as the step before left it
    results.append(run_charters(context))
    settings = context.settings
    if (
        settings.documents.send_receipts
        and settings.mail.uses_smtp
        and context.workbook.title_for(schema.PAIEMENTS.name) is not None
    ):
        context.changed()
        results.append(run_receipts(context, send=True))
    return DocumentsBatch(results)
