"""Tell a member, once, that a place freed up for them: the « place confirmée » notices.

``mila synchroniser`` knows that a waiting registration got a seat (``Place`` from ``attente N`` to
``confirmée``) only in the run that writes it. So that the notice is never lost when the
mail server is down, the sync records it right after its write (:func:`record_promotions`):
one ``Relances`` row per promotion, ``Statut`` = ``à envoyer``, ``Relance`` =
``place confirmée I0123`` (the registration's ID: the notice's key), ``Membre`` = the
member, ``Échéance`` = the event's date. :func:`run_promotion_notices` then sends what is
still to send, with the bookkeeping of the renewal reminders (``automations.outbox``):
``en cours`` before the message leaves, the outcome after, ``à vérifier`` for an attempt a
crash left without outcome, which is never sent again.

The rows of one notice, in sheet order (the key is the registration ID alone)::

    à envoyer     recorded by the sync: to send
    en cours, envoyée, échec, à vérifier, annulée with a Message-ID
                  attempts, read as for reminders (``rules.outbox.build_histories``)
    annulée without Message-ID
                  closed without sending: the registration was cancelled, its place is no
                  longer confirmed, the event is past…; ``Détails`` says why
    à renvoyer    typed by a person: forget the attempts and the closure above, send again

A notice is sent when it is neither closed, nor sent, nor in doubt; a temporary (4xx)
refusal is retried by the next run, a permanent (5xx) one not at the same address. Before
sending, the registration must still be ``confirmée`` and not ``annulé``, and the event
still to come; otherwise the notice is closed with the reason. A promotion recorded again
is not appended twice, unless its notice was closed (the member got a seat a second time):
a new ``à envoyer`` row reopens it.

Without a server (a sender that does not deliver) the notices to send are written to the
preview folder and ``Relances`` is not touched (no attempt, no closure): they stay
``à envoyer`` for the first run with a server. The Journal line says that nothing left.

What a run did is a :class:`~automations.jobs.notices.NoticesResult`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .. import outbox, schema
from ..clock import Clock
from ..errors import UNREACHABLE, MilaError, SchemaError
from ..formatting import format_date, format_date_long, format_time
from ..mail import (
    HeaderProblem,
    MailSettings,
    Sender,
    Templates,
)
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.dataset import Dataset
from ..model.rows import Event, Member, Registration, id_key
from ..outbox import ToCheck
from ..rules import outbox as rules
from ..rules.events import CONFIRMED, HOLDING, Promotion, parse_place
from ..rules.membership import MembershipPolicy
from ..rules.outbox import Histories, History, LogEntry, State
from ..runner import job_name
from ..schema import normalize_header
from ..workbook import Table, Workbook
from .evaluation import previous_places, schema_problems
from .notices import Closed, Notice, NoticesResult, Waiting, journal_details, send_notices
from .workbook_state import WorkbookState, read_state

log = logging.getLogger(__name__)
TASK = job_name("promotions")  # the Journal's « Tâche »
READ_TABS = (schema.MEMBRES, schema.EVENEMENTS, schema.INSCRIPTIONS, schema.RELANCES)

PREFIX = "place confirmée"  # the Relance label: « place confirmée I0123 »
REQUESTED = "à envoyer"  # Statut of the row the sync records
MESSAGE = MessageTemplates.named("place_confirmee")

_LABEL = re.compile(r"place confirmee\s+(\S+)")
_REQUESTED_KEY = normalize_header(REQUESTED)
_REGISTRATION_INPUTS = frozenset({"event_id", "member_id", "status"})


def notice_label(registration_id: str) -> str:
    """What the ``Relance`` column holds: ``place confirmée I0123``."""
    return f"{PREFIX} {registration_id}"


def notice_key(label: str | None) -> str | None:
    """The registration ID key of a ``place confirmée …`` label; None for another label."""
    match = _LABEL.fullmatch(normalize_header(label)) if label else None
    return id_key(match.group(1)) if match else None


# --------------------------------------------------------------------------- reading Relances


@dataclass(frozen=True)
class NoticeLog:
    """The rows of one notice: its first row names it (member, date, label, as every row
    this module writes for it repeats them); the attempts since the last reset; the closure."""

    key: str  # registration ID key
    member_id: str | None
    reference: dt.date  # Échéance: the event's date when recorded
    label: str
    attempts: tuple[LogEntry, ...] = ()
    closure: LogEntry | None = None

    @property
    def registration_id(self) -> str:
        match = _LABEL.fullmatch(normalize_header(self.label))
        return match.group(1).upper() if match else self.key

    @property
    def history_key(self) -> rules.Key | None:
        return rules.message_key(self.member_id, self.reference, self.label)


def notice_logs(
    entries: Iterable[LogEntry], label_key: Callable[[str | None], str | None] | None = None
) -> dict[str, NoticeLog]:
    """Every notice found in Relances, by registration ID key, in the order they appear
    (``label_key`` reads another kind of notice's label: the form acknowledgements')."""
    label_key = label_key or notice_key
    grouped: dict[str, list[LogEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.row):
        key = label_key(entry.reminder)
        if key is not None and entry.reference is not None and id_key(entry.member_id) is not None:
            grouped.setdefault(key, []).append(entry)
    logs: dict[str, NoticeLog] = {}
    for key, rows in grouped.items():
        first = rows[0]
        assert first.reference is not None and first.reminder is not None
        attempts: list[LogEntry] = []
        closure: LogEntry | None = None
        for entry in rows:
            status = rules.normalize_status(entry.status)
            if normalize_header(entry.status) == _REQUESTED_KEY:
                if closure is not None:  # promoted again after the notice was closed: reopen
                    attempts.clear()
                    closure = None
            elif status == rules.RESEND:
                attempts.clear()
                closure = None
            elif status == rules.CANCELLED and not entry.message_id:
                closure = entry
            elif status is not None:
                attempts.append(
                    replace(
                        entry, member_id=first.member_id, reference=first.reference, reminder=first.reminder
                    )
                )
        logs[key] = NoticeLog(key, first.member_id, first.reference, first.reminder, tuple(attempts), closure)
    return logs


def _histories(entries: Sequence[LogEntry], logs: Mapping[str, NoticeLog]) -> Histories:
    """The attempts of every notice and of every other message (for the addresses refused
    for good, whichever message they refused)."""
    others = [e for e in entries if notice_key(e.reminder) is None]
    return rules.build_histories([*others, *(a for n in logs.values() for a in n.attempts)])


# --------------------------------------------------------------------------- recording


def record_promotions(workbook: Workbook, promotions: Sequence[Promotion], *, clock: Clock) -> int:
    """Record one ``à envoyer`` row per promotion in Relances, in one request; returns how
    many were appended. A promotion whose notice is already there (whatever its state, except
    closed) is not appended again. Call it right after the sync's write."""
    wanted = [p for p in promotions if p.registration_id]
    if not wanted:
        return 0
    tables = workbook.read([schema.EVENEMENTS.name, schema.RELANCES.name])
    logs = notice_logs(outbox.entries(tables.get(schema.RELANCES.name), None))
    events = Dataset.from_tables(
        {k: t for k, t in tables.items() if k == schema.EVENEMENTS.name}, today=clock.today()
    ).events_by_id
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for promotion in wanted:
        assert promotion.registration_id is not None
        key = id_key(promotion.registration_id)
        if key is None or key in seen:
            continue
        seen.add(key)
        details = (
            f"inscription {promotion.registration_id} à l'événement {promotion.event_id} : "
            "place libérée, message à envoyer"
        )
        found = logs.get(key)
        if found is not None:
            if found.closure is None:
                continue
            rows.append(
                outbox.row(
                    found.member_id, found.reference, found.label, REQUESTED, None, None, None, details
                )
            )
            continue
        event = events.get(id_key(promotion.event_id) or "")
        day = event.date if event is not None and event.date is not None else clock.today()
        rows.append(
            outbox.row(
                promotion.member_id,
                day,
                notice_label(promotion.registration_id),
                REQUESTED,
                None,
                None,
                None,
                details,
            )
        )
    if rows:
        workbook.append_rows(schema.RELANCES, rows)
        log.info("promotions: %d notice(s) recorded", len(rows))
    return len(rows)


# --------------------------------------------------------------------------- the job


def run_promotion_notices(
    workbook: Workbook,
    *,
    today: dt.date,
    mail: MailSettings,
    sender: Sender,
    clock: Clock,
    dry_run: bool = False,
    state: WorkbookState | None = None,
) -> NoticesResult:
    """Send the « place confirmée » notices still to send, recorded in Relances (``state``:
    the run's read of the workbook, read now when not given). With a sender
    that does not deliver (no server: previews), write them as previews and record nothing but
    a Journal line; with ``dry_run``, list them (and write the previews to such a sender)
    without writing anything to the workbook."""
    started = time.monotonic()
    result = NoticesResult(
        dry_run=dry_run, today=today, sender=sender.description, preview=not sender.delivers and not dry_run
    )
    try:
        state = state or read_state(workbook, today, MembershipPolicy())
        tables = state.subset(*READ_TABS)
        log_table = tables.get(schema.RELANCES.name)
        problems = schema_problems({schema.RELANCES.name: log_table} if log_table is not None else {})
        if problems:
            raise SchemaError(" ".join(a.message for a in problems))
        entries = outbox.entries(log_table, today)
        logs = notice_logs(entries)
        histories = _histories(entries, logs)
        open_logs = open_notices(logs, histories)
        if not open_logs:  # the usual case: nothing to do, nothing written
            result.seconds = time.monotonic() - started
            return result
        problems = schema_problems(tables)
        if problems:
            raise SchemaError(" ".join(a.message for a in problems))
        snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
        _plan(tables, open_logs, histories, today, mail, clock, result)
    except MilaError as exc:
        result.seconds = time.monotonic() - started
        log.error("promotions failed before sending: %s", exc.message)
        if not dry_run and not isinstance(exc, UNREACHABLE):
            _journal(workbook, clock, "échec", exc.message, result)
        raise
    if dry_run or result.preview:
        waiting = f" ; {len(result.waiting)} en attente d'une correction" if result.waiting else ""
        outbox.previews(workbook, sender, clock, result, started, task=TASK, note=waiting)
        return result

    send_notices(workbook, sender, clock, result, snapshot_ids, started, task=TASK, details=journal_details)
    result.seconds = time.monotonic() - started
    log.info(
        "promotions: %d sent, %d failed, %d cancelled, %d uncertain, %d closed, %d waiting, "
        "%d to check, %.2fs",
        result.sent,
        result.failed,
        result.cancelled,
        result.uncertain,
        len(result.closed),
        len(result.waiting),
        len(result.to_check),
        result.seconds,
    )
    return result


def open_notices(logs: Mapping[str, NoticeLog], histories: Histories) -> list[NoticeLog]:
    """The notices not yet sent (nor closed): those a run has to decide."""
    return [n for n in logs.values() if _state(n, histories) is not State.SENT]


def _state(notice: NoticeLog, histories: Histories) -> State:
    history = _history(notice, histories)
    if notice.closure is not None and history.state not in (State.SENT, State.IN_DOUBT):
        return State.SENT  # closed: nothing more to do
    return history.state


def _history(notice: NoticeLog, histories: Histories) -> History:
    key = notice.history_key
    return histories.get(key, History()) if key is not None else History()


def in_doubt(notice: NoticeLog, registration_id: str, histories: Histories) -> ToCheck | None:
    """The notice left « en cours » by a run that stopped while sending, for a person to
    check (never sent again on its own); None when it is not in doubt."""
    history = _history(notice, histories)
    if history.state is not State.IN_DOUBT:
        return None
    return ToCheck.found(
        history.in_doubt,
        history.unreported,
        member_id=notice.member_id,
        reference=notice.reference,
        label=notice.label,
        who=f"{registration_id} {notice.member_id}",
        about={"registration": registration_id, "member": notice.member_id},
    )


def _plan(
    tables: Mapping[str, Table],
    notices: Sequence[NoticeLog],
    histories: Histories,
    today: dt.date,
    mail: MailSettings,
    clock: Clock,
    result: NoticesResult,
) -> None:
    """Decide every open notice (send, close, wait, check) and render the messages."""
    dataset = Dataset.from_tables(
        {name: table for name, table in tables.items() if name != schema.RELANCES.name}, today=today
    )
    places = previous_places(tables)
    registration_counts = Counter(id_key(r.id) for r in dataset.registrations if r.id)
    registrations = {id_key(r.id): r for r in reversed(dataset.registrations) if r.id}  # first row wins
    member_counts = Counter(id_key(m.id) for m in dataset.members if m.id)
    templates = Templates(mail.templates)
    now = clock.now()
    for notice in notices:
        doubt = in_doubt(notice, notice.registration_id, histories)
        if doubt is not None:
            result.to_check.append(doubt)
            continue
        registration = registrations.get(notice.key)
        decision = _decide(notice, registration, places, dataset, today, now)
        if isinstance(decision, str):
            result.closed.append(
                Closed(notice.registration_id, notice.member_id, notice.reference, notice.label, decision)
            )
            continue
        if isinstance(decision, Waiting):
            result.waiting.append(decision)
            continue
        event, member = decision
        assert member.id is not None and member.email is not None and registration is not None
        why = None
        if registration_counts[notice.key] > 1:
            why = (
                f"l'ID {notice.registration_id} figure sur plusieurs lignes d'Inscriptions : "
                "corrigez-le, puis lancez « mila synchroniser »."
            )
        elif member_counts[id_key(member.id)] > 1:
            why = (
                f"l'ID {member.id} figure sur plusieurs lignes de Membres : corrigez-le, "
                "puis lancez « mila synchroniser »."
            )
        elif (refusal := histories.refusal(member.id, member.email)) is not None:
            why = (
                f"l'adresse {member.email} a été refusée par le serveur "
                f"({refusal.details or 'sans détail'}) : corrigez-la dans « Email », le message "
                "partira au prochain passage."
            )
        if why is not None:
            result.waiting.append(Waiting(notice.registration_id, notice.member_id, why))
            continue
        context = _context(member, event, notice, mail)
        try:
            outgoing = compose(
                mail,
                templates,
                MESSAGE,
                context,
                to_name=member.contact,
                to_address=member.email,
                date=now,
                name=f"{today.isoformat()}-{member.id}-place-confirmee-{notice.registration_id}",
            )
        except HeaderProblem as problem:
            result.waiting.append(Waiting(notice.registration_id, notice.member_id, problem.reason))
            continue
        result.messages.append(
            Notice(
                member_id=notice.member_id or member.id,
                structure=member.structure,
                contact=member.contact,
                address=outgoing.recipient,
                registration_id=notice.registration_id,
                event_id=event.id,
                event_title=_title(event),
                event_when=event_when(event),
                reminder=notice.label,
                reference=notice.reference,
                message_id=outgoing.message_id,
                outgoing=outgoing,
            )
        )


def _decide(
    notice: NoticeLog,
    registration: Registration | None,
    places: Mapping[int, object],
    dataset: Dataset,
    today: dt.date,
    now: dt.datetime,
) -> str | Waiting | tuple[Event, Member]:
    """Whether an open notice is to send (the event and the member), to close (the reason,
    in French), or waits for a correction."""
    rid = notice.registration_id

    def waiting(reason: str) -> Waiting:
        return Waiting(rid, notice.member_id, reason)

    if registration is None:
        return f"l'inscription {rid} ne figure plus dans l'onglet Inscriptions : message non envoyé."
    if registration.unreadable & _REGISTRATION_INPUTS:
        return waiting(
            f"l'inscription {rid} a une case « Événement », « Membre » ou « Statut » illisible : "
            "corrigez-la dans l'onglet Inscriptions."
        )
    if registration.status == "annulé":
        return "inscription annulée avant l'envoi du message."
    if registration.status not in HOLDING:
        return f"inscription passée à « {registration.status} » : message non envoyé."
    if id_key(registration.member_id) != id_key(notice.member_id):
        return (
            f"l'inscription {rid} concerne désormais le membre {registration.member_id} : message non envoyé."
        )
    raw_place = places.get(registration.row)
    place = parse_place(raw_place)
    if place is None or place[0] != CONFIRMED:
        shown = f"« {raw_place} »" if raw_place not in (None, "") else "vide"
        return f"la place n'est plus confirmée (Place : {shown}) : message non envoyé."
    event = dataset.event(registration.event_id)
    if event is None:
        return (
            f"l'événement {registration.event_id} ne figure plus dans l'onglet Événements : "
            "message non envoyé."
        )
    if event.date is None:
        return waiting(
            f"la date de l'événement {event.id} est vide ou illisible : corrigez-la dans l'onglet Événements."
        )
    started = event.date == today == now.date() and event.time is not None and now.time() >= event.time
    if event.date < today or started:
        return f"l'événement a eu lieu le {format_date_long(event.date)} : message devenu sans objet."
    member = dataset.member(registration.member_id)
    if member is None or member.id is None:
        return waiting(f"le membre {registration.member_id} ne figure pas dans l'onglet Membres.")
    if member.email is None:
        if "email" in member.unreadable:
            return waiting("adresse e-mail invalide : corrigez la case « Email » dans l'onglet Membres.")
        return waiting("aucune adresse e-mail : complétez la case « Email » dans l'onglet Membres.")
    return event, member


def event_when(event: Event) -> str:
    """« jeudi 4 mars 2027 à 18h30 » (« lundi 1er mars 2027 » without a time)."""
    from babel.dates import format_date as babel_date

    assert event.date is not None
    text = f"{babel_date(event.date, format='EEEE', locale='fr_FR')} {format_date_long(event.date)}"
    return f"{text} à {format_time(event.time)}" if event.time is not None else text


def _title(event: Event) -> str:
    return event.title or f"l'événement {event.id}"


def _context(member: Member, event: Event, notice: NoticeLog, mail: MailSettings) -> dict[str, object]:
    """The variables the templates see."""
    assert event.date is not None
    return {
        **addressed(mail, member),
        "inscription": {"id": notice.registration_id},
        "evenement": {
            "id": event.id,
            "titre": _title(event),
            "type": event.type,
            "date": event_when(event),
            "date_courte": format_date(event.date),
            "heure": format_time(event.time) if event.time is not None else None,
            "lieu": event.place,
            "intervenants": event.speakers,
        },
        "contact": {"email": mail.reply_to or mail.sender},
    }


# --------------------------------------------------------------------------- journal


def _journal(workbook: Workbook, clock: Clock, outcome: str, details: str, result: NoticesResult) -> bool:
    return outbox.journal(workbook, clock, TASK, outcome, details, result.seconds)
