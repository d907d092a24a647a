"""The claim/send/record loop: each message claimed in ``Relances`` just before it is sent.

A batch, once the messages are rendered (:func:`send_or_record`):

1. connect to the server (or prepare the outbox); unreachable: nothing is recorded;
2. append, in one request, the rows the job decided (``à vérifier`` for attempts an
   earlier run left without outcome, ``annulée``…) and the claim (``en cours``) of the
   first message;
3. read ``Relances`` again, once: when another run started at the same time claimed a
   message of this batch first, this run leaves it (or the whole batch) to that run;
4. send the first message; then, for each next message, append in one request the
   outcome of the previous one and the claim of this one, and send it;
5. append the outcome of the last message, with an ``annulée`` row for each message this run
   gave up without claiming it (the batch stopped, or another run took it).

One append per message and one read per batch. A crash (even ``kill -9``) leaves at most
one ``en cours`` row without outcome, the message in flight: the next run reports it
``à vérifier`` and never sends it again; the messages not yet claimed were never written,
so the next run sends them. Hence *at most once*, and at most one message to check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from ..clock import Clock
from ..errors import MilaError, WorkbookError
from ..mail import DeliveryUncertain, MailError, RecipientRefused, Sender
from ..rules import outbox as rules
from ..workbook import Workbook
from . import ledger
from .messages import BY_ANOTHER_RUN, INTERRUPTED, PLANNED, Mail

log = logging.getLogger(__name__)


def connect(sender: Sender, messages: Sequence[Mail], *, task: str) -> None:
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
    messages: Sequence[Mail],
    extra_rows: Sequence[Mapping[str, object]],
    snapshot_ids: set[str],
    *,
    task: str,
    unreachable: Callable[[str], object],
) -> MailError | None:
    """Connect and send the batch, its ``extra_rows`` written with the first claim; with no
    message, write the extra rows alone. A server that cannot be reached is told to
    ``unreachable`` (the job's Journal line) and raised; a batch cut short returns its
    error, for the job to note before raising it."""
    if not messages:
        ledger.append(workbook, extra_rows)
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
    messages: Sequence[Mail],
    extra_rows: Sequence[Mapping[str, object]],
    snapshot_ids: set[str],
    *,
    task: str,
) -> MailError | None:
    """Claim, send and record ``messages`` one by one on the open ``sender`` (which this
    closes). ``extra_rows`` are appended with the first claim; ``snapshot_ids`` are the
    Message-IDs Relances held when the run read it. Returns the error that stopped the
    batch midway (outcomes recorded), if any; raises when the workbook fails."""
    try:
        try:
            ledger.append(workbook, [*extra_rows, ledger.claim_row(messages[0])])
        except BaseException:
            for message in messages:
                message.status, message.details = rules.CANCELLED, "non enregistrée"
            raise
        try:
            theirs = ledger.rivals(workbook, messages, snapshot_ids)
        except MilaError as exc:
            for message in messages:
                message.status = rules.CANCELLED
                message.details = "non envoyée : l'onglet Relances n'a pas pu être relu"
            _record(workbook, [messages[0]], task=task)
            raise WorkbookError(
                f"L'onglet Relances n'a pas pu être relu avant l'envoi ({exc.message}). Aucun "
                "message n'est parti ; relancez la commande."
            ) from exc
        return _loop(workbook, sender, clock, messages, theirs, task=task)
    finally:
        sender.close()


def _loop(
    workbook: Workbook,
    sender: Sender,
    clock: Clock,
    messages: Sequence[Mail],
    theirs: set[str],
    *,
    task: str,
) -> MailError | None:
    """Send the batch whose first message is claimed: each next claim goes with the
    previous outcome. Returns the error that stopped the batch, if any."""
    stop: MailError | None = None
    last: Mail | None = None  # claimed, its outcome not written yet
    claimed: set[str] = {messages[0].message_id}
    for index, message in enumerate(messages):
        if stop is not None:
            message.status, message.details = rules.CANCELLED, INTERRUPTED
            continue
        if message.message_id in theirs:
            message.status, message.details = rules.CANCELLED, BY_ANOTHER_RUN
            if index == 0:
                last = message  # our claim of it is written: close it
            continue
        if index > 0:
            rows = [ledger.outcome_row(last)] if last is not None else []
            try:
                ledger.append(workbook, [*rows, ledger.claim_row(message)])
            except BaseException as exc:
                for rest in messages[index:]:
                    rest.status, rest.details = rules.CANCELLED, "non enregistrée"
                if last is not None and isinstance(exc, MilaError):
                    raise _unrecorded([last], exc, task=task) from exc
                raise
            claimed.add(message.message_id)
        last = message
        try:
            stop = _send(sender, clock, message, task=task)
        except BaseException:
            for rest in messages[index + 1 :]:
                rest.status, rest.details = rules.CANCELLED, "exécution interrompue pendant l'envoi"
            try:  # « à vérifier », if the workbook can still be written; else it stays « en cours »
                _record(workbook, _closing(message, messages, claimed), task=task)
            except MilaError as exc:
                log.error("%s: interrupted, outcome not written: %s", task, exc.message)
            raise
    _record(workbook, _closing(last, messages, claimed), task=task)
    return stop


def _closing(last: Mail | None, messages: Sequence[Mail], claimed: set[str]) -> list[Mail]:
    """The outcomes of the batch's last request: the last message claimed, and an « annulée »
    row for each message never claimed that this run gave up (the batch stopped, or another
    run took it), so that Relances tells why it did not leave; the next run sends it."""
    given_up = [m for m in messages if m.status == rules.CANCELLED and m.message_id not in claimed]
    return ([last] if last is not None else []) + given_up


def _send(sender: Sender, clock: Clock, message: Mail, *, task: str) -> MailError | None:
    """Hand one claimed message to the server; its status says what became of it.
    Returns the error that must stop the batch, if any."""
    assert message.outgoing is not None
    try:
        sender.send(message.outgoing)
    except RecipientRefused as refused:
        message.status, message.details = rules.FAILED, refused.details
        log.warning("%s: %s %s refused: %s", task, message.member_id, message.reminder, refused.details)
    except DeliveryUncertain as exc:
        message.status, message.details = rules.TO_CHECK, exc.message
        return exc
    except MailError as exc:
        message.status, message.details = rules.CANCELLED, f"non envoyée : {exc.message}"
        return exc
    except BaseException:
        # Interrupted (Ctrl-C) or a bug: the message being sent may have left. Its claim
        # stays « en cours »: the next run reports it « à vérifier ».
        message.status, message.details = rules.TO_CHECK, "exécution interrompue pendant l'envoi"
        raise
    else:
        message.status, message.sent_at = rules.SENT, clock.now()
    return None


def _record(workbook: Workbook, messages: Sequence[Mail], *, task: str) -> None:
    """Append the outcome of ``messages`` (claimed, not ``prévue``) in one request."""
    done = [m for m in messages if m.status != PLANNED]
    try:
        ledger.append(workbook, [ledger.outcome_row(m) for m in done])
    except MilaError as exc:
        raise _unrecorded(done, exc, task=task) from exc


def _unrecorded(messages: Sequence[Mail], exc: MilaError, *, task: str = "") -> WorkbookError:
    """The error of outcomes that could not be written: each stays « en cours »."""
    for m in messages:
        log.error("%s: unrecorded outcome %s %s %s %s", task, m.member_id, m.reminder, m.status, m.message_id)
    sent = sum(1 for m in messages if m.status == rules.SENT)
    return WorkbookError(
        f"{sent} message(s) sont partis mais leur résultat n'a pas pu être écrit dans l'onglet "
        f"Relances ({exc.message}). Ils y restent « en cours » : le prochain passage les "
        "signalera « à vérifier » et ne les renverra pas. Le détail (Message-ID) est dans le "
        "journal local mila.log."
    )
