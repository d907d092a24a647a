"""The bookkeeping shared by the jobs that send e-mails and record them in ``Relances``.

``Relances`` is append-only: every attempt to send a message is an ``en cours`` row
(with its Message-ID) appended *before* the message is handed to the server, then an
outcome row (``envoyée``, ``échec``, ``annulée`` or ``à vérifier``) appended after. A
message is identified by (member, ``Échéance``, ``Relance``): see ``rules.reminders``.

A batch, once the messages are rendered (:func:`connect` then :func:`send_batch`):

1. connect to the server (or prepare the outbox); unreachable: nothing is recorded;
2. append one ``en cours`` row per message (with any other rows the job wants to write:
   ``à vérifier`` for attempts found without outcome…), in one request;
3. read ``Relances`` again: a message whose first new ``en cours`` row belongs to another
   run (two runs at once) is not sent by this one;
4. send on the one connection;
5. append every outcome in one request.

A crash between 2 and 5 leaves ``en cours`` rows, which the next run reports ``à vérifier``
and never sends again: a message is sent *at most once*.

Previews (:func:`write_previews`) are the other path: with no server configured, or for a
dry run, the messages are written to the preview folder and ``Relances`` is not touched, so
that a later run with a server sends every one of them.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from .. import journal as journal_writer
from .. import schema
from ..clock import Clock
from ..errors import MilaError, WorkbookError
from ..mail import DeliveryUncertain, MailError, Outgoing, RecipientRefused, Sender, preview_notice
from ..model.parsing import parse_table
from ..model.rows import ReminderLog
from ..rules import reminders as rules
from ..rules.reminders import LogEntry
from ..runner import NOTHING, Outcome
from ..workbook import Table, Workbook

log = logging.getLogger(__name__)

DETAILS = "Détails"  # column added to Relances for the server's reason and notes

# Message statuses in the results (the others are the words of Relances.Statut)
PLANNED = "prévue"
PREVIEW = "aperçu"  # the Journal's « Résultat » of a run without server: nothing left
BY_ANOTHER_RUN = "envoyée par une autre exécution lancée en même temps"


class Message(Protocol):
    """One message of a batch, and what became of it (``Reminder``, ``Notice``…)."""

    member_id: str
    address: str
    reminder: str  # the Relance label
    reference: dt.date  # the Échéance
    message_id: str
    status: str
    details: str | None
    sent_at: dt.datetime | None
    outgoing: Outgoing | None
    preview: str | None  # the preview file written for it, if any


class InDoubt(Protocol):
    """A message an earlier run left « en cours » (``ToCheck``, ``NoticeToCheck``…)."""

    @property
    def new(self) -> bool: ...  # found by this run


class MessageCounts:
    """Counts by outcome, for a job result holding ``messages`` (each with a ``status``)."""

    messages: Sequence[Message]
    to_check: Sequence[InDoubt]
    dry_run: bool
    preview: bool  # no server: the messages were only written as previews
    journal: bool  # the run's Journal line was written

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
    if not messages:
        return Outcome(NOTHING, "aucun serveur d'envoi configuré ; rien à écrire en aperçu")
    return Outcome(
        PREVIEW,
        f"aucun serveur d'envoi configuré : {messages} {what} en aperçu dans « {folder} », rien n'est parti",
    )


def row(
    member_id: str | None,
    reference: dt.date,
    reminder: str,
    status: str,
    at: dt.datetime | None,
    address: str | None,
    message_id: str | None,
    details: str | None,
) -> dict[str, object]:
    """A Relances row, as ``Workbook.append_rows`` takes it."""
    return {
        "Membre": member_id,
        "Échéance": reference,
        "Relance": reminder,
        "Statut": status,
        "Envoyée le": at,
        "Adresse": address,
        "Message-ID": message_id,
        DETAILS: details,
    }


def by_status(
    messages: Sequence[Message],
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


STILL_SENDING = "resté « en cours » : vérifiez s'il est parti (voir docs/mail.md)"


def to_check_row(
    member_id: str | None, reference: dt.date, reminder: str, address: str | None, message_id: str
) -> dict[str, object]:
    """The Relances row of a message left « en cours » by a run that stopped while sending:
    a person checks whether it left; it is never sent again on its own."""
    return row(member_id, reference, reminder, rules.TO_CHECK, None, address, message_id, STILL_SENDING)


def entries(table: Table | None, today: dt.date | None) -> list[LogEntry]:
    """The rows of Relances as the rules read them (none when the tab is missing)."""
    if table is None:
        return []
    models, _ = parse_table(table, today=today, tab=schema.RELANCES)
    found = []
    for line, model in zip(table.rows, models, strict=True):
        assert isinstance(model, ReminderLog)
        details = line.get(DETAILS)
        found.append(
            LogEntry(
                row=line.number,
                member_id=model.member_id,
                reference=model.due_date,
                reminder=model.reminder,
                status=model.status,
                address=model.address,
                message_id=model.message_id,
                details=str(details).strip() if details else None,
                at=model.sent_at,
            )
        )
    return found


def write_previews(sender: Sender, messages: Sequence[Message], *, task: str) -> Path | None:
    """Write every message to ``sender``, which must not deliver (the preview folder);
    the messages stay ``prévue`` and nothing is recorded. Returns the folder written to."""
    if sender.delivers:
        raise ValueError("write_previews needs a sender that does not deliver")
    if not messages:
        return None
    sender.open()
    try:
        for message in messages:
            assert message.outgoing is not None
            message.preview = sender.send(message.outgoing)
    finally:
        sender.close()
    log.info("%s: %d preview(s) written, nothing sent", task, len(messages))
    return Path(messages[0].preview or ".").parent


class Previewed(Protocol):
    """A job result that may be written as previews (``RenewalsResult``, ``NoticesResult``)."""

    dry_run: bool
    preview: bool
    preview_folder: Path | None
    journal: bool
    seconds: float

    @property
    def messages(self) -> Sequence[Message]: ...  # read only, so that a list of a kind of Message fits


def previews(
    workbook: Workbook,
    sender: Sender,
    clock: Clock,
    result: Previewed,
    started: float,
    *,
    task: str,
    note: str,
) -> None:
    """End a run without server or a dry run: write the messages as previews (only to a
    sender that does not deliver: a dry run given a real server just lists them). A run
    without server (not a dry run) writes one Journal line saying nothing left (``note``
    is added to it); nothing is ever written to Relances."""
    try:
        if not sender.delivers:
            result.preview_folder = write_previews(sender, result.messages, task=task)
    except MailError as exc:
        result.seconds = time.monotonic() - started
        if not result.dry_run:
            journal(workbook, clock, task, "échec", exc.message, result.seconds)
        raise
    result.seconds = time.monotonic() - started
    if result.preview and result.messages:
        details = preview_notice(len(result.messages), result.preview_folder or Path(".")) + note
        result.journal = journal(workbook, clock, task, PREVIEW, details, result.seconds)


def connect(sender: Sender, messages: Sequence[Message], *, task: str) -> None:
    """Open the sender. Unreachable: every message is ``annulée`` and the
    :class:`MailError` goes up (nothing was recorded; the caller writes its Journal line)."""
    try:
        sender.open()
    except MailError as exc:
        log.error("%s: cannot connect: %s", task, exc.message)
        for message in messages:
            message.status, message.details = rules.CANCELLED, "serveur injoignable"
        raise


def send_or_record(
    workbook: Workbook,
    sender: Sender,
    clock: Clock,
    messages: Sequence[Message],
    extra_rows: Sequence[Mapping[str, object]],
    snapshot_ids: set[str],
    *,
    task: str,
    unreachable: Callable[[str], object],
) -> MailError | None:
    """Connect and send the batch, its ``extra_rows`` written with it; with no message, write
    the extra rows alone. A server that cannot be reached is told to ``unreachable`` (the
    job's Journal line) and raised; a batch cut short returns its error, for the job to
    note before raising it."""
    if not messages:
        if extra_rows:
            workbook.append_rows(schema.RELANCES, list(extra_rows))
        return None
    try:
        connect(sender, messages, task=task)
    except MailError as exc:
        unreachable(exc.message)
        raise
    return send_batch(workbook, sender, clock, messages, extra_rows, snapshot_ids, task=task)


def send_batch(
    workbook: Workbook,
    sender: Sender,
    clock: Clock,
    messages: Sequence[Message],
    extra_rows: Sequence[Mapping[str, object]],
    snapshot_ids: set[str],
    *,
    task: str,
) -> MailError | None:
    """Record, send and record again ``messages`` on the open ``sender`` (which this
    closes). ``extra_rows`` are appended with the ``en cours`` rows; ``snapshot_ids``
    are the Message-IDs Relances held when the run read it. Returns the error that
    stopped the batch midway (outcomes recorded), if any; raises when the workbook fails."""
    try:
        pending = [
            row(m.member_id, m.reference, m.reminder, rules.IN_PROGRESS, None, m.address, m.message_id, None)
            for m in messages
        ]
        workbook.append_rows(schema.RELANCES, [*pending, *extra_rows])
    except BaseException:
        sender.close()
        for message in messages:
            message.status, message.details = rules.CANCELLED, "non enregistrée"
        raise
    try:
        try:
            mine = claimed(workbook, messages, snapshot_ids)
        except MilaError as exc:
            for message in messages:
                message.status = rules.CANCELLED
                message.details = "non envoyée : l'onglet Relances n'a pas pu être relu"
            raise WorkbookError(
                f"L'onglet Relances n'a pas pu être relu avant l'envoi ({exc.message}). Aucun "
                "message n'est parti ; relancez la commande."
            ) from exc
        batch_error = deliver(sender, clock, messages, mine, task=task)
    except BaseException:
        sender.close()
        record_outcomes(workbook, messages, task=task)
        raise
    sender.close()
    record_outcomes(workbook, messages, task=task)
    return batch_error


def deliver(
    sender: Sender, clock: Clock, messages: Sequence[Message], claimed_ids: set[str], *, task: str
) -> MailError | None:
    """Send each claimed message; return the error that stopped the batch, if any."""
    stop: MailError | None = None
    index = 0
    try:
        for index, message in enumerate(messages):  # noqa: B007 - index used after the loop
            if stop is not None:
                message.status = rules.CANCELLED
                message.details = "non envoyée : l'envoi a été interrompu"
                continue
            if message.message_id not in claimed_ids:
                message.status = rules.CANCELLED
                message.details = BY_ANOTHER_RUN
                continue
            assert message.outgoing is not None
            try:
                sender.send(message.outgoing)
            except RecipientRefused as refused:
                message.status, message.details = rules.FAILED, refused.details
                log.warning(
                    "%s: %s %s refused: %s", task, message.member_id, message.reminder, refused.details
                )
            except DeliveryUncertain as exc:
                message.status, message.details = rules.TO_CHECK, exc.message
                stop = exc
            except MailError as exc:
                message.status = rules.CANCELLED
                message.details = f"non envoyée : {exc.message}"
                stop = exc
            else:
                message.status, message.sent_at = rules.SENT, clock.now()
    except BaseException:
        # Interrupted (Ctrl-C) or a bug: the message being sent may have left.
        for message in messages[index:]:
            if message.status == PLANNED:
                message.status = rules.TO_CHECK if message is messages[index] else rules.CANCELLED
                message.details = "exécution interrompue pendant l'envoi"
        raise
    return stop


def claimed(workbook: Workbook, messages: Sequence[Message], snapshot_ids: set[str]) -> set[str]:
    """The Message-IDs this run may send: for each message, the first ``en cours`` row
    appended since our read must be ours (another run may have appended one first)."""
    table = workbook.read([schema.RELANCES.name]).get(schema.RELANCES.name)
    first: dict[rules.Key, str] = {}
    for entry in entries(table, None):
        if rules.normalize_status(entry.status) != rules.IN_PROGRESS or not entry.message_id:
            continue
        mid = entry.message_id.strip()
        if mid in snapshot_ids or entry.reference is None or entry.reminder is None:
            continue
        key = rules.reminder_key(entry.member_id, entry.reference, entry.reminder)
        if key is not None:
            first.setdefault(key, mid)
    return {
        m.message_id
        for m in messages
        if (key := rules.reminder_key(m.member_id, m.reference, m.reminder)) is not None
        and first.get(key) == m.message_id
    }


def record_outcomes(workbook: Workbook, messages: Sequence[Message], *, task: str) -> None:
    """Append the outcome of every message attempted (or cancelled) in one request."""
    rows = [
        row(m.member_id, m.reference, m.reminder, m.status, m.sent_at, m.address, m.message_id, m.details)
        for m in messages
        if m.status != PLANNED
    ]
    try:
        workbook.append_rows(schema.RELANCES, rows)
    except MilaError as exc:
        for m in messages:
            log.error(
                "%s: unrecorded outcome %s %s %s %s", task, m.member_id, m.reminder, m.status, m.message_id
            )
        sent = sum(1 for m in messages if m.status == rules.SENT)
        raise WorkbookError(
            f"{sent} message(s) sont partis mais leur résultat n'a pas pu être écrit dans l'onglet "
            f"Relances ({exc.message}). Ils y restent « en cours » : le prochain passage les "
            "signalera « à vérifier » et ne les renverra pas. Le détail (Message-ID) est dans le "
            "journal local mila.log."
        ) from exc


def journal(workbook: Workbook, clock: Clock, task: str, outcome: str, details: str, seconds: float) -> bool:
    """Append the run to Journal; a failure to do so is logged, never raised."""
    return journal_writer.record(workbook, clock, task, outcome, details, seconds) is None
