"""What a run of the « place confirmée » notices did (:class:`NoticesResult`), for the
command line, ``mila etat`` and the ``Journal`` line (:func:`journal_details`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import outbox
from ..clock import Clock
from ..mail import Sender, preview_notice
from ..outbox import PLANNED, Mail, ToCheck
from ..rules import outbox as rules
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome, journal_missing
from ..workbook import Workbook


@dataclass(kw_only=True)
class Notice(Mail):
    """One message of the run, and what became of it."""

    structure: str | None
    contact: str | None
    registration_id: str
    event_id: str | None
    event_title: str
    event_when: str  # « jeudi 4 mars 2027 à 18h30 »

    def as_dict(self) -> dict[str, object]:
        return {
            "registration": self.registration_id,
            "member": self.member_id,
            "structure": self.structure,
            "address": self.address,
            "event": self.event_id,
            "title": self.event_title,
            "when": self.event_when,
            "status": self.status,
            "message_id": self.message_id,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "details": self.details,
            "preview": self.preview,
        }

    def describe(self) -> str:
        return (
            f"{self.registration_id} {self.member_id} {self.structure} <{self.address}> — "
            f"{self.event_title} ({self.event_when})"
        )


@dataclass(frozen=True)
class Closed:
    """A notice not sent and closed (``annulée``): it no longer makes sense."""

    registration_id: str
    member_id: str | None
    reference: dt.date
    label: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"registration": self.registration_id, "member": self.member_id, "reason": self.reason}


@dataclass(frozen=True)
class Waiting:
    """A notice that cannot be sent today (no address…): it stays to send; ``reason`` says
    what to correct, in French."""

    registration_id: str
    member_id: str | None
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"registration": self.registration_id, "member": self.member_id, "reason": self.reason}


@dataclass
class NoticesResult(outbox.MessageCounts):
    dry_run: bool
    today: dt.date
    sender: str = ""
    preview: bool = False  # no server: the messages were only written as previews
    preview_folder: Path | None = None  # where previews were written (run without server or dry run)
    messages: list[Notice] = field(default_factory=list)
    closed: list[Closed] = field(default_factory=list)
    waiting: list[Waiting] = field(default_factory=list)
    to_check: list[ToCheck] = field(default_factory=list)
    journal: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing waits for a person to check it."""
        return not (self.failed or self.uncertain or self.to_check)

    @property
    def changed(self) -> bool:
        """Something was (or, in a dry run, would be) sent or written."""
        return bool(self.messages or self.closed or any(c.new for c in self.to_check))

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat``."""
        if self.preview:
            return journal_missing(
                outbox.preview_outcome(
                    len(self.messages), self.preview_folder, "message(s) « place confirmée »"
                ),
                self.journal_lost,
            )
        counts = (
            f"{self.sent} envoyé(s), {self.failed} échec(s), {len(self.closed)} sans objet, "
            f"{len(self.waiting)} en attente"
        )
        if not self.ok:
            done = Outcome(FAILURE, f"{counts}, {len(self.to_check) + self.uncertain} à vérifier")
        else:
            done = Outcome(SUCCESS if self.changed else NOTHING, counts)
        return journal_missing(done, self.journal_lost)

    def lines(self, limit: int = 50) -> list[str]:
        """The outcome in French, for the command line (at most ``limit`` entries per group)."""
        out: list[str] = []

        def group(title: str, items: Sequence[str]) -> None:
            if not items:
                return
            out.append(f"{title} : {len(items)}")
            out.extend(f"  {item}" for item in items[:limit])
            if len(items) > limit:
                out.append(f"  … et {len(items) - limit} autre(s) (--limite pour en voir plus)")

        if self.preview and self.messages:
            out.append(preview_notice(len(self.messages), self.preview_folder or Path(".")))
        planned = "Messages « place confirmée » à envoyer"
        planned += ", écrits en aperçu" if self.preview_folder else ""
        out += outbox.by_status(
            self.messages,
            (
                (PLANNED, planned),
                (rules.SENT, "Messages « place confirmée » envoyés"),
                (rules.FAILED, "Refusés par le serveur (corrigez l'adresse dans « Email »)"),
                (rules.TO_CHECK, "Peut-être partis : à vérifier, jamais renvoyés automatiquement"),
                (rules.CANCELLED, "Non envoyés (ils partiront au prochain passage)"),
            ),
            lambda m: m.describe(),
            limit,
        )
        closing = "qui seraient classés" if self.dry_run or self.preview else "classés"
        group(
            f"Messages devenus sans objet, {closing} « annulée » dans Relances",
            [f"{c.registration_id} {c.member_id} : {c.reason}" for c in self.closed],
        )
        group(
            "Messages en attente d'une correction (ils partiront ensuite)",
            [f"{w.registration_id} {w.member_id} : {w.reason}" for w in self.waiting],
        )
        out += outbox.to_check_lines(
            self.to_check, "message(s) resté(s)", "jamais renvoyé(s)", guide=outbox.REMINDER_GUIDE
        )
        if not (self.messages or self.closed or self.waiting or self.to_check):
            out.append("Aucun message « place confirmée » à envoyer.")
        if self.journal:
            out.append("Une ligne a été ajoutée à l'onglet Journal.")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            **self.counts_dict(),
            "today": self.today.isoformat(),
            "planned": len(self.messages) if self.dry_run or self.preview else 0,
            "closed": len(self.closed),
            "waiting": len(self.waiting),
            "to_check": len(self.to_check),
            "closed_notices": [c.as_dict() for c in self.closed],
            "waiting_notices": [w.as_dict() for w in self.waiting],
            "seconds": round(self.seconds, 3),
        }


def journal_details(result: NoticesResult) -> str:
    """The ``Détails`` of the run's Journal line."""
    parts = result.journal_parts(
        "message(s) « place confirmée »",
        feminine=False,
        sender=result.sender,
        failed=lambda m: f"{m.registration_id} {m.member_id} ({m.details})",
        in_doubt=lambda c: f"{c.who} {' '.join(c.message_ids)}",
    )
    if result.closed:
        listed = ", ".join(c.registration_id for c in result.closed[:10])
        parts.append(
            f"{len(result.closed)} devenu(s) sans objet, classé(s) « annulée » : {listed}"
            + (" …" if len(result.closed) > 10 else "")
        )
    if result.waiting:
        parts.append(f"{len(result.waiting)} en attente d'une correction")
    return " ; ".join(parts)


def send_notices(
    workbook: Workbook,
    sender: Sender,
    clock: Clock,
    result: NoticesResult,
    snapshot_ids: set[str],
    started: float,
    *,
    task: str,
    details: Callable[[NoticesResult], str],
) -> None:
    """Send the planned notices of a run (place confirmations, acknowledgements) with the
    Relances rows it decided (« à vérifier », « annulée »), then write its Journal line:
    « échec » when the server cannot be reached, the outcome so far when the batch is cut
    short (raised after), the outcome when something changed."""

    def journal(outcome: str, text: str) -> bool:
        result.seconds = time.monotonic() - started
        return outbox.journal(workbook, clock, task, outcome, text, result.seconds)

    extra = outbox.check_rows(result.to_check)
    extra += [
        outbox.row(c.member_id, c.reference, c.label, rules.CANCELLED, None, None, None, c.reason)
        for c in result.closed
    ]
    batch_error = outbox.send_or_record(
        workbook,
        sender,
        clock,
        result.messages,
        extra,
        snapshot_ids,
        task=task,
        unreachable=lambda message: journal("échec", message),
    )
    if batch_error is not None:
        text = details(result) + f" ; envoi interrompu : {batch_error.message}"
        result.journal = journal(result.journal_outcome(), text)
        raise batch_error
    result.seconds = time.monotonic() - started
    if result.changed:
        result.journal = journal(result.journal_outcome(), details(result))
