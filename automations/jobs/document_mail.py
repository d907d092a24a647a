"""E-mailing generated documents, once per version: the bookkeeping the sending of a
convention or a charter for signature (``mila docs conventions|charte --envoyer``) and of
the annual report to the board (``mila docs rapport --envoyer``) share.

A job turns each document to send into a :class:`Draft` (who, which version, what the
message says, what is attached) and hands the drafts to :func:`send_drafts`, which keeps
the rules of the reminders (:mod:`automations.outbox`):

- a version is named in ``Relances`` by its ``Relance`` label, which holds a short
  fingerprint of the document (``convention C001 à signer (version 3f9a2c1b)``): a
  regenerated document with new content is a new label, sent again; the same version is
  never sent twice to the same person, whatever the ``Échéance`` of its rows;
- an ``en cours`` row before, the outcome after (:func:`outbox.send_batch`); a version
  left ``en cours`` by a run that stopped is ``à vérifier``, never resent automatically;
- a person without a valid address, or whose address a server refused for good, is
  listed with what to correct, and nothing is sent to them;
- without a mail server (or with ``--simulation``) the messages are written as previews
  (``.eml``) and nothing is recorded as sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import outbox
from ..clock import Clock
from ..mail import (
    HeaderProblem,
    MailSettings,
    Sender,
    Templates,
    preview_notice,
)
from ..mail.compose import MessageTemplates, compose
from ..outbox import PLANNED, Mail, ToCheck
from ..rules import outbox as rules
from ..runner import NOTHING, SUCCESS, Outcome, journal_missing
from ..workbook import Table, Workbook


def version_of(*parts: str | None) -> str:
    """The short name of a document's version: 8 hex digits of the hash of ``parts``
    (its data fingerprint and its template, or its bytes)."""
    text = "|".join(p or "" for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass
class Draft:
    """One document to e-mail to one person, before ``Relances`` is consulted."""

    member_id: str  # the « Membre » of its Relances rows
    who: str  # French, for the lists: « C001 → M0012 (Studio Nord) »
    label: str  # the « Relance » of its rows: names the document and its version
    reference: dt.date  # the « Échéance » of its rows
    address: str | None
    problem: str | None  # French: why it cannot be sent (no address…); None: it can
    to_name: str | None
    context: dict[str, Any]  # the variables of the e-mail templates
    attachments: list[Path]
    name: str  # the preview file's stem


@dataclass(kw_only=True)
class DocumentMail(Mail):
    """One document e-mailed (an ``outbox.Mail``), and what became of it."""

    who: str
    attachments: list[str]

    def as_dict(self) -> dict[str, object]:
        return {
            "member": self.member_id,
            "who": self.who,
            "address": self.address,
            "label": self.reminder,
            "attachments": self.attachments,
            "status": self.status,
            "message_id": self.message_id,
            "details": self.details,
            "preview": self.preview,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


@dataclass
class DocumentSending(outbox.MessageCounts):
    """What ``--envoyer`` did with documents: sent, already sent, in doubt, not sent and why."""

    task: str  # the Journal's « Tâche »: « envoi pour signature », « envoi du rapport »
    noun: str  # plural French noun of the lists: « document(s) »
    sender: str = ""
    dry_run: bool = False
    preview: bool = False  # no server: written as previews, nothing recorded
    preview_folder: Path | None = None
    messages: list[DocumentMail] = field(default_factory=list)
    to_check: list[ToCheck] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)  # French: who did not get it, and why
    already: int = 0  # versions already sent to their addressee: not sent again
    notes: list[str] = field(default_factory=list)  # French: how the documents travel
    journal: bool = False
    seconds: float = 0.0

    def lines(self, limit: int = 50) -> list[str]:
        """The outcome in French, for the command line."""
        out: list[str] = list(self.notes)
        if self.messages and self.preview and self.preview_folder:
            out.append(preview_notice(len(self.messages), self.preview_folder))
        elif self.messages and self.dry_run and self.preview_folder:
            out.append(
                f"Essai (--simulation) : aperçus écrits dans « {self.preview_folder} », "
                f"{len(self.messages)} fichier(s) .eml à ouvrir avec Thunderbird, Outlook ou Apple "
                "Mail. Rien n'est parti, rien n'a été noté dans Relances."
            )
        out += outbox.by_status(
            self.messages,
            (
                (
                    PLANNED,
                    "À envoyer"
                    + (", écrits en aperçu" if self.preview_folder else " (essai : rien n'est parti)"),
                ),
                (rules.SENT, "Envoyés"),
                (rules.FAILED, "Refusés par le serveur (corrigez l'adresse dans « Email » de Membres)"),
                (rules.TO_CHECK, "Peut-être partis : à vérifier, jamais renvoyés automatiquement"),
                (rules.CANCELLED, "Non envoyés (ils partiront au prochain envoi)"),
            ),
            lambda m: f"{m.who} <{m.address}>",
            limit,
        )
        if self.already:
            out.append(f"Déjà envoyés dans cette version, non renvoyés : {self.already}")
        if not self.messages and not self.to_check and not self.already and not self.not_sent:
            out.append(f"Aucun {self.noun.replace('(s)', '')} à envoyer.")
        if self.not_sent:
            out.append(f"Non envoyés : {len(self.not_sent)}")
            out += [f"  {line}" for line in self.not_sent[:limit]]
        out += outbox.to_check_lines(self.to_check, "envoi(s) resté(s)", "jamais renvoyé(s)", limit=limit)
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            **self.counts_dict(),
            "task": self.task,
            "already_sent": self.already,
            "not_sent": self.not_sent,
            "notes": self.notes,
        }

    def outcome(self) -> Outcome:
        """The sending in one French line, for ``mila etat``."""
        if self.preview:
            found = outbox.preview_outcome(len(self.messages), self.preview_folder, self.noun)
        elif not self.messages:
            found = Outcome(NOTHING, f"aucun {self.noun.replace('(s)', '')} à envoyer")
        else:
            found = Outcome(SUCCESS, f"{self.task} : {self.sent} {self.noun} envoyé(s)")
        return journal_missing(found, self.journal_lost)


def _history(histories: rules.Histories, member_id: str, label: str) -> rules.History:
    """Every attempt at this label for this member, whatever the Échéance of its rows."""
    wanted = rules.message_key(member_id, dt.date.min, label)
    if wanted is None:
        return rules.History()
    attempts = [
        a
        for key, history in histories.items()
        if key[0] == wanted[0] and key[2] == wanted[2]
        for a in history.attempts
    ]
    return rules.History(tuple(sorted(attempts, key=lambda a: a.row)))


def send_drafts(
    workbook: Workbook,
    log_table: Table | None,
    sender: Sender,
    clock: Clock,
    today: dt.date,
    mail: MailSettings,
    sending: DocumentSending,
    drafts: Sequence[Draft],
    template: str,
) -> None:
    """E-mail each draft not yet sent in its version, with the templates ``<template>.sujet.txt.j2``,
    ``<template>.txt.j2`` and ``<template>.html.j2``; record it in ``Relances`` (``log_table``:
    that tab as read by the run). Previews only without server or in a dry run."""
    started = time.monotonic()
    entries = outbox.entries(log_table, today)
    snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
    histories = rules.build_histories(entries)
    templates = Templates(mail.templates)
    now = clock.now()
    for draft in drafts:
        history = _history(histories, draft.member_id, draft.label)
        if history.state is rules.State.SENT:
            sending.already += 1
            continue
        if history.state is rules.State.IN_DOUBT:
            sending.to_check.append(
                ToCheck.found(
                    history.in_doubt,
                    history.unreported,
                    member_id=draft.member_id,
                    reference=draft.reference,
                    label=draft.label,
                    who=draft.who,
                    about={"member": draft.member_id, "label": draft.label},
                )
            )
            continue
        if draft.problem is not None or draft.address is None:
            sending.not_sent.append(f"{draft.who} : {draft.problem or 'aucune adresse e-mail.'}")
            continue
        refusal = histories.refusal(draft.member_id, draft.address)
        if refusal is not None:
            sending.not_sent.append(
                f"{draft.who} : l'adresse {draft.address} a été refusée par le serveur "
                f"({refusal.details or 'sans détail'}) ; corrigez-la, puis relancez l'envoi."
            )
            continue
        try:
            outgoing = compose(
                mail,
                templates,
                MessageTemplates.named(template),
                draft.context,
                to_name=draft.to_name,
                to_address=draft.address,
                date=now,
                name=draft.name,
                attachments=[(p.name, p.read_bytes()) for p in draft.attachments],
            )
        except HeaderProblem as problem:
            sending.not_sent.append(f"{draft.who} : {problem.reason}")
            continue
        sending.messages.append(
            DocumentMail(
                member_id=draft.member_id,
                who=draft.who,
                address=outgoing.recipient,
                reminder=draft.label,
                reference=draft.reference,
                message_id=outgoing.message_id,
                attachments=[p.name for p in draft.attachments],
                outgoing=outgoing,
            )
        )
    if sending.preview or sending.dry_run:
        outbox.previews(workbook, sender, clock, sending, started, task=sending.task, note="")
        return
    checks = [c for c in sending.to_check if c.new]
    check_rows = outbox.check_rows(checks)

    def unreachable(message: str) -> None:
        sending.seconds = time.monotonic() - started
        outbox.journal(workbook, clock, sending.task, "échec", message, sending.seconds)

    batch_error = outbox.send_or_record(
        workbook,
        sender,
        clock,
        sending.messages,
        check_rows,
        snapshot_ids,
        task=sending.task,
        unreachable=unreachable,
    )
    sending.seconds = time.monotonic() - started
    if sending.messages or checks:
        parts = sending.journal_parts(
            sending.noun,
            feminine=False,
            sender=sending.sender,
            failed=lambda m: f"{m.who} ({m.details})",
            in_doubt=lambda c: f"{c.who} {' '.join(c.message_ids)}",
        )
        details = " ; ".join(parts) + (f" ; envoi interrompu : {batch_error.message}" if batch_error else "")
        sending.journal = outbox.journal(
            workbook, clock, sending.task, sending.journal_outcome(), details, sending.seconds
        )
    if batch_error is not None:
        raise batch_error


def address_problem(email: str | None, unreadable: frozenset[str], where: str) -> str | None:
    """Why a member's « Email » cannot be written to, in French; None when it can."""
    if email is not None:
        return None
    if "email" in unreadable:
        return f"adresse e-mail invalide : corrigez la case « Email » de {where} dans l'onglet Membres."
    return f"aucune adresse e-mail : complétez la case « Email » de {where} dans l'onglet Membres."
