"""``mila docs rapport --annee AAAA --envoyer``: the annual report e-mailed to the board, once
per version of the report and per addressee (see :mod:`.document_mail`).

Who receives it:

- the addresses of ``[documents] board_emails`` when the configuration lists some;
- otherwise each member of the ``Conseil`` tab in office on the day of the run (``Entrée``
  passed or blank, ``Sortie`` blank or to come), at the ``Email`` of their row of
  ``Membres`` (the column ``Membre`` of ``Conseil`` links the two). A board member without
  that link, or without a valid address, is listed with what to fix.

What travels: the link to the report's copy in the shared Drive folder
(``OutputFolder.link``, key :func:`report_key`) when there is one, a small message; else the
report itself, its PDF when one was made (``--pdf``), otherwise the .docx, and the output
says so.

The ``Relances`` rows: ``Membre`` = the board member's ID (``Conseil`` for an address of the
configuration), ``Échéance`` = 31 December of the report's year, ``Relance`` =
``rapport d'activité 2025 (version 3f9a2c1b)`` (``rapport d'activité 2025 à bureau@mila.fr
(version 3f9a2c1b)`` for an address of the configuration): a report whose figures, texts or template
changed is a new version, sent again; the same one never twice to the same address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import schema
from ..documents.outputs import OutputFolder, safe_part
from ..errors import SchemaError
from ..model.dataset import Dataset
from .context import RunContext
from .document_mail import DocumentSending, Draft, address_problem, send_drafts
from .evaluation import schema_problems
from .report import ReportResult

TASK = "envoi du rapport"
TEMPLATE = "rapport"  # rapport.sujet.txt.j2, rapport.txt.j2, rapport.html.j2 of templates/emails/
CONFIGURED = "Conseil"  # the « Membre » of the Relances rows of an address of [documents] board_emails
READ_TABS = (schema.MEMBRES.name, schema.CONSEIL.name, schema.RELANCES.name)


def report_key(year: int) -> str:
    """The report's key in the output folder's manifest (where its Drive link is kept)."""
    return f"rapport:{year}"


def report_label(year: int, version: str, address: str | None = None) -> str:
    """The ``Relance`` of a report sent to the board (an address of the configuration,
    whose rows all have ``Conseil`` for ``Membre``, is named in it)."""
    to = f" à {address}" if address else ""
    return f"rapport d'activité {year}{to} (version {version})"


@dataclass(frozen=True)
class Addressee:
    """Someone of the board to send the report to (``address`` None: ``problem`` says why)."""

    member_id: str
    who: str  # French: « Conseil : Mme Nadia Giraud (Trésorier·e) »
    name: str | None
    address: str | None
    problem: str | None = None


def board_addressees(dataset: Dataset, today: dt.date, configured: tuple[str, ...]) -> list[Addressee]:
    """The board's addresses: the configured ones, else those of the board in office."""
    if configured:
        return [Addressee(CONFIGURED, f"Conseil <{a}>", None, a) for a in configured]
    found: list[Addressee] = []
    for b in dataset.board:
        if (b.joined_on is not None and b.joined_on > today) or (
            b.left_on is not None and b.left_on <= today
        ):
            continue
        name = " ".join(p for p in (b.civility, b.name) if p) or f"ligne {b.row}"
        who = f"Conseil : {name}" + (f" ({b.function})" if b.function else "")
        member = dataset.member(b.member_id) if b.member_id else None
        if member is None or member.id is None:
            why = (
                f"membre « {b.member_id} » introuvable dans l'onglet Membres"
                if b.member_id
                else "aucun membre dans la colonne « Membre » de Conseil"
            )
            found.append(
                Addressee(
                    f"Conseil ligne {b.row}",
                    who,
                    b.name,
                    None,
                    f"{why} : saisissez son ID de membre (ligne {b.row}) pour employer son e-mail, ou "
                    "listez les adresses du conseil dans [documents] board_emails.",
                )
            )
            continue
        where = f"{member.id} ({member.structure or 'sans nom'})"
        found.append(
            Addressee(
                member.id,
                who,
                b.name,
                member.email,
                address_problem(member.email, member.unreadable, where),
            )
        )
    return found


def send_report(
    context: RunContext, report: ReportResult, out: Path, *, dry_run: bool = False
) -> DocumentSending:
    """E-mail ``report`` (written in ``out``) to the board: the Drive link when the output
    folder has one, else the file attached; once per version and addressee."""
    settings, workbook, today = context.settings, context.workbook, context.today
    sender, mail = context.sender, settings.mail
    sending = DocumentSending(
        task=TASK,
        noun="message(s)",
        sender=sender.description,
        dry_run=dry_run,
        preview=not sender.delivers and not dry_run,
    )
    tables = context.state.subset(schema.MEMBRES, schema.CONSEIL, schema.RELANCES)
    problems = schema_problems(tables)
    if problems:
        raise SchemaError(" ".join(p.message for p in problems))
    dataset = Dataset.from_tables(tables, today=today)
    configured = settings.documents.board_emails
    addressees = board_addressees(dataset, today, configured)
    link = OutputFolder(out).link(report_key(report.year))
    attached = report.pdf or report.path
    if link:
        sending.notes.append(f"Le message donne le lien du rapport dans le Drive : {link}")
        attachments: list[Path] = []
    else:
        kind = "PDF" if report.pdf else "Word (.docx) ; ajoutez --pdf pour envoyer le PDF"
        sending.notes.append(
            f"Pas de lien vers le Drive pour ce rapport : il est joint au message, en {kind}."
        )
        attachments = [attached]
    source = "[documents] board_emails" if configured else "l'onglet Conseil (membres en fonction)"
    sending.notes.append(f"Destinataires : {source}.")
    if not addressees:
        sending.not_sent.append(
            "Aucun membre du conseil en fonction dans l'onglet Conseil : complétez-le, ou listez "
            "les adresses du conseil dans [documents] board_emails."
        )
    reply = mail.reply_to or mail.sender
    drafts: list[Draft] = []
    seen: set[str] = set()
    for a in addressees:
        if a.address is not None:
            if a.address.casefold() in seen:
                continue  # two board rows of one member: one message
            seen.add(a.address.casefold())
        context_vars: dict[str, Any] = {
            "association": {"nom": mail.association, "signature": mail.signature},
            "destinataire": {"nom": a.name or ""},
            "rapport": {
                "annee": str(report.year),
                "lien": link or "",
                "fichier": attached.name if not link else "",
                "parties": report.sections,
            },
            "retour": reply,
        }
        drafts.append(
            Draft(
                member_id=a.member_id,
                who=a.who,
                label=report_label(
                    report.year, report.version, a.address if a.member_id == CONFIGURED else None
                ),
                reference=dt.date(report.year, 12, 31),
                address=a.address,
                problem=a.problem,
                to_name=a.name,
                context=context_vars,
                attachments=attachments,
                name=f"{today.isoformat()}-{safe_part(a.address or a.member_id)}-rapport-{report.year}",
            )
        )
    send_drafts(
        workbook,
        tables.get(schema.RELANCES.name),
        sender,
        context.clock,
        today,
        mail,
        sending,
        drafts,
        TEMPLATE,
    )
    return sending
