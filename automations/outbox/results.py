"""What a sending run did, counted and worded the same way by every job that e-mails:
the counts by outcome, the Journal's « Détails » and « Résultat », the by-status listing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..mail import switched_off
from ..rules import outbox as rules
from ..runner import NOTHING, Outcome
from .messages import BY_ANOTHER_RUN, PREVIEW, InDoubt, Mail, ToCheck


class MessageCounts:
    """Counts by outcome, for a job result holding ``messages`` (each with a ``status``)."""

    messages: Sequence[Mail]
    to_check: Sequence[InDoubt]
    dry_run: bool
    preview: bool  # no server: the messages were only written as previews
    preview_folder: Path | None  # where the previews were written
    sender: str  # the server's description
    journal: bool  # the run's Journal line was written

    def counts_dict(self) -> dict[str, object]:
        """What every sending job's JSON says the same way: the counts by outcome, each
        message, each « à vérifier », whether the Journal line is written."""
        return {
            "sender": self.sender,
            "dry_run": self.dry_run,
            "preview": self.preview,
            "preview_folder": str(self.preview_folder) if self.preview_folder else None,
            "sent": self.sent,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "uncertain": self.uncertain,
            "messages": [m.as_dict() for m in self.messages],
            "checks": [c.as_dict() for c in self.to_check],
            "journal": self.journal,
        }

    @property
    def changed(self) -> bool:
        """Something was (or, in a dry run, would be) sent or recorded."""
        return bool(self.messages)

    def _count(self, status: str) -> int:
        return sum(1 for m in self.messages if m.status == status)

    @property
    def sent(self) -> int:
        return self._count(rules.SENT)

    @property
    def failed(self) -> int:
        return self._count(rules.FAILED)

    @property
    def cancelled(self) -> int:
        return self._count(rules.CANCELLED)

    @property
    def uncertain(self) -> int:
        return self._count(rules.TO_CHECK)

    @property
    def journal_lost(self) -> bool:
        """A run that sent, recorded or wrote previews of messages, whose Journal line is missing."""
        if self.dry_run:
            return False
        wrote = bool(self.messages) if self.preview else self.changed
        return wrote and not self.journal

    def journal_parts(
        self,
        noun: str,
        *,
        feminine: bool,
        sender: str,
        failed: Callable[[Any], str],
        in_doubt: Callable[[Any], str],
    ) -> list[str]:
        """The pieces of the Journal's « Détails » every sending job writes: sent, failed,
        perhaps sent, not sent, left « en cours » by an earlier run (``noun`` is plural,
        « relance(s) »; ``failed`` and ``in_doubt`` name one message, one check)."""
        e = "e" if feminine else ""
        parts = [f"{self.sent} {noun} envoyé{e}(s) par {sender}"]
        failures = [m for m in self.messages if m.status == rules.FAILED]
        if failures:
            listed = ", ".join(failed(m) for m in failures[:10])
            parts.append(f"{len(failures)} en échec : {listed}" + (" …" if len(failures) > 10 else ""))
        if self.uncertain:
            parts.append(f"{self.uncertain} peut-être parti{e}(s), à vérifier")
        if self.cancelled:
            parts.append(f"{self.cancelled} non envoyé{e}(s)")
        new = [c for c in self.to_check if c.new]
        if new:
            listed = ", ".join(in_doubt(c) for c in new[:10])
            parts.append(
                f"{len(new)} {noun} resté{e}(s) « en cours » lors d'un passage précédent, "
                f"à vérifier : {listed}"
            )
        return parts

    def journal_outcome(self) -> str:
        """The Journal's « Résultat »: succès · succès partiel · échec · à vérifier."""
        cancelled = sum(
            1 for m in self.messages if m.status == rules.CANCELLED and m.details != BY_ANOTHER_RUN
        )
        if self.failed or self.uncertain or cancelled:
            return "succès partiel" if self.sent else "échec"
        if any(c.new for c in self.to_check):
            return "à vérifier"
        return "succès"


def preview_outcome(messages: int, folder: Path | None, what: str) -> Outcome:
    """The record of a mail job run without server: previews written, nothing left."""
    if switched_off(folder):
        if not messages:
            return Outcome(NOTHING, "envois pas encore activés ; rien à écrire en aperçu")
        return Outcome(
            PREVIEW,
            f"envois pas encore activés : {messages} {what} en aperçu dans « {folder} », rien n'est parti",
        )
    if not messages:
        return Outcome(NOTHING, "aucun serveur d'envoi configuré ; rien à écrire en aperçu")
    return Outcome(
        PREVIEW,
        f"aucun serveur d'envoi configuré : {messages} {what} en aperçu dans « {folder} », rien n'est parti",
    )


# What a person does with a message « à vérifier » (docs/mail.md tells the same).
RESEND_GUIDE = (
    "  Cherchez ce Message-ID dans les messages envoyés ; s'il n'est pas parti, "
    "écrivez « à renvoyer » dans « Statut » d'une nouvelle ligne de Relances."
)
REMINDER_GUIDE = (
    "  Cherchez ce Message-ID dans les messages envoyés, puis suivez docs/mail.md "
    "(« Une relance reste à vérifier »)."
)


def to_check_lines(
    found: Sequence[ToCheck],
    counted: str,
    never_resent: str,
    *,
    guide: str = RESEND_GUIDE,
    labelled: bool = False,
    limit: int | None = None,
) -> list[str]:
    """The messages « à vérifier » for the command line: how many (``counted``: « reçu(s)
    resté(s) »), one line each (its label too when ``labelled``), and what to do."""
    if not found:
        return []
    out = [f"À vérifier : {len(found)} {counted} « en cours » après un arrêt, {never_resent} :"]
    out += [
        f"  {c.who}{f' — {c.label}' if labelled else ''} — Message-ID {' '.join(c.message_ids)}"
        for c in found[:limit]
    ]
    return [*out, guide]


def by_status(
    messages: Sequence[Mail],
    titles: Sequence[tuple[str, str]],
    describe: Callable[[Any], str],
    limit: int,
) -> list[str]:
    """The messages of a run grouped by status for the command line: « title : N », then one
    line each (``describe``, and what the server said), at most ``limit`` per status."""
    out: list[str] = []
    for status, title in titles:
        shown = [m for m in messages if m.status == status]
        if not shown:
            continue
        out.append(f"{title} : {len(shown)}")
        out += [f"  {describe(m)}" + (f" : {m.details}" if m.details else "") for m in shown[:limit]]
        if len(shown) > limit:
            out.append(f"  … et {len(shown) - limit} autre(s) (--limite pour en voir plus)")
    return out
