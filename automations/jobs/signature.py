"""``mila docs conventions --envoyer`` and ``mila docs charte --envoyer``: each convention (to
the occupant member) or personal charter (to the member) e-mailed for signature, once per
version of the document (see :mod:`.document_mail`).

The message (templates ``signature.*.j2``) says what to sign, how (print, sign, scan; or
sign electronically) and where to send it back (a reply to the message), with the
document's key facts; the .docx is attached, and its PDF when one was made (``--pdf``).

The ``Relances`` rows of a sending: ``Membre`` = the member, ``Échéance`` = the day the
version was generated, ``Relance`` = ``convention C001 à signer (version 3f9a2c1b)`` or
``charte à signer (version 3f9a2c1b)``, the version being a short fingerprint of the
document's data and template. Sending stays a person's decision: the scheduler never sends
for signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import schema
from ..documents.outputs import OutputFolder
from ..formatting import format_date
from ..model.rows import Member
from .document_mail import DocumentSending, Draft, address_problem, send_drafts, version_of
from .document_run import _Item, _label, _Run

TASK = "envoi pour signature"
TEMPLATE = "signature"  # signature.sujet.txt.j2, signature.txt.j2, signature.html.j2


@dataclass(frozen=True)
class ToSign:
    """A document produced by the run, and the member who signs it."""

    item: _Item
    member: Member
    kind: str  # convention · charte


def label(kind: str, item: _Item, version: str) -> str:
    """The ``Relance`` of a document sent for signature, naming its version."""
    if kind == "convention":
        return f"convention {item.context['convention']['id']} à signer (version {version})"
    return f"charte à signer (version {version})"


def send_for_signature(
    run: _Run, folder: OutputFolder, documents: Sequence[ToSign], *, dry_run: bool = False
) -> DocumentSending:
    """E-mail each of ``documents`` to its member, once per version (through ``run``'s
    context sender), except a charter already signed; the result goes in ``run.result.sending``."""
    sender = run.context.sender
    sending = DocumentSending(
        task=TASK,
        noun="document(s)",
        sender=sender.description,
        dry_run=dry_run,
        preview=not sender.delivers and not dry_run,
    )
    run.result.sending = sending
    mail = run.context.settings.mail
    reply = mail.reply_to or mail.sender
    drafts: list[Draft] = []
    for doc in documents:
        entry = folder.entry(doc.item.key)
        m = doc.member
        if entry is None or m.id is None:
            continue
        if doc.kind == "charte" and m.charter_signed_on is not None:
            signed = format_date(m.charter_signed_on)
            sending.notes.append(
                f"Charte → {_label(m)} : signée le {signed} (« Charte signée le »), pas d'envoi."
            )
            continue
        attachments = [folder.folder / entry["file"]]
        if entry.get("pdf") and not folder.pdf_needed(doc.item.key):
            attachments.append(folder.folder / entry["pdf"])
        version = version_of(entry.get("fingerprint"), entry.get("template"))
        if doc.kind == "convention":
            who = f"Convention {doc.item.context['convention']['id']} → {_label(m)}"
        else:
            who = f"Charte → {_label(m)}"
        context: dict[str, Any] = {
            **doc.item.context,
            "association": {
                **doc.item.context["association"],
                "nom": mail.association,
                "signature": mail.signature,
            },
            "membre": {**doc.item.context["membre"], "contact": m.contact or m.structure or ""},
            "nature": doc.kind,
            "retour": reply,
            "fichiers": [p.name for p in attachments],
        }
        drafts.append(
            Draft(
                member_id=m.id,
                who=who,
                label=label(doc.kind, doc.item, version),
                reference=folder.generated_on(doc.item.key) or run.today,
                address=m.email,
                problem=address_problem(m.email, m.unreadable, f"{_label(m)}"),
                to_name=m.contact,
                context=context,
                attachments=attachments,
                name=f"{run.today.isoformat()}-{m.id}-signature-{doc.kind}-{version}",
            )
        )
    if run.pdf is False and drafts:
        sending.notes.append(
            "Les documents partent en Word (.docx) ; ajoutez --pdf pour joindre aussi le PDF."
        )
    send_drafts(
        run.workbook,
        run.tables.get(schema.RELANCES.name),
        sender,
        run.clock,
        run.today,
        mail,
        sending,
        drafts,
        TEMPLATE,
    )
    return sending
