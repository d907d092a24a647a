"""Tell a member, once, that the registration they sent through the form was received:
« inscription reçue », or « liste d'attente, rang 3 ».

The form intake (:mod:`automations.jobs.forms`) records one ``Relances`` row per
registration it appends, ``Statut`` = ``à envoyer``, ``Relance`` = ``inscription reçue
I0123``. After ``mila synchroniser`` has computed the places, :func:`run_acknowledgements` sends
what is still to send, with the bookkeeping of every other message (``automations.outbox``:
``en cours`` before, the outcome after, ``à vérifier`` for an attempt a crash left without
outcome, never sent again). The message says the place as the sheet shows it then
(``Place``: ``confirmée`` or ``attente 3``); a registration without a computed place yet
waits for the next run.

Without a mail server the messages are written to the preview folder and ``Relances`` is
not touched: they stay ``à envoyer`` for the first run with a server.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Mapping, Sequence

from .. import outbox, schema
from ..clock import Clock
from ..errors import UNREACHABLE, MilaError, SchemaError
from ..formatting import format_date, format_time
from ..mail import HeaderProblem, MailSettings, Sender, Templates
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.dataset import Dataset
from ..model.rows import Event, Member, Registration, id_key
from ..rules import outbox as rules
from ..rules.events import WAITING, parse_place
from ..rules.membership import MembershipPolicy
from ..schema import normalize_header
from ..workbook import Table, Workbook
from .evaluation import previous_places, schema_problems
from .notices import Closed, Notice, NoticesResult, Waiting, send_notices
from .promotions import NoticeLog, event_when, in_doubt, notice_logs, open_notices
from .workbook_state import WorkbookState, read_state

log = logging.getLogger(__name__)
TASK = "réponses aux formulaires"
READ_TABS = (schema.MEMBRES, schema.EVENEMENTS, schema.INSCRIPTIONS, schema.RELANCES)

PREFIX = "inscription reçue"  # the Relance label: « inscription reçue I0123 »
REQUESTED = "à envoyer"
MESSAGE = MessageTemplates.named("inscription_recue")
_LABEL = re.compile(r"inscription recue\s+(\S+)")
_HOLDING = ("inscrit", "présent")


def ack_label(registration_id: str) -> str:
    """What the ``Relance`` column holds: ``inscription reçue I0123``."""
    return f"{PREFIX} {registration_id}"


def ack_key(label: str | None) -> str | None:
    """The registration ID key of an ``inscription reçue …`` label; None for another label."""
    match = _LABEL.fullmatch(normalize_header(label)) if label else None
    return id_key(match.group(1)) if match else None


def _registration_id(notice: NoticeLog) -> str:
    match = _LABEL.fullmatch(normalize_header(notice.label))
    return match.group(1).upper() if match else notice.key


def request_rows(items: Sequence[tuple[str, str, dt.date]]) -> list[dict[str, object]]:
    """The ``à envoyer`` rows of new registrations (registration ID, member ID, event day)."""
    return [
        outbox.row(
            member_id,
            day,
            ack_label(registration_id),
            REQUESTED,
            None,
            None,
            None,
            f"inscription {registration_id} reçue par formulaire : accusé de réception à envoyer",
        )
        for registration_id, member_id, day in items
    ]


def run_acknowledgements(
    workbook: Workbook,
    *,
    today: dt.date,
    mail: MailSettings,
    sender: Sender,
    clock: Clock,
    dry_run: bool = False,
    state: WorkbookState | None = None,
    data_contact: str | None = None,
) -> NoticesResult:
    """Send the acknowledgements still to send (previews without a server; a dry run lists
    them), from ``state`` (the run's read of the workbook; read now when not given).
    ``data_contact``: where the message says to write about one's personal data
    (``[donnees] contact``; none: the sender)."""
    started = time.monotonic()
    result = NoticesResult(
        dry_run=dry_run, today=today, sender=sender.description, preview=not sender.delivers and not dry_run
    )
    try:
        titles = workbook.tabs()
        if workbook.title_for(schema.RELANCES.name) is None or not titles:
            return result
        state = state or read_state(workbook, today, MembershipPolicy())
        tables = state.subset(*READ_TABS)
        log_table = tables.get(schema.RELANCES.name)
        entries = outbox.entries(log_table, today)
        logs = notice_logs(entries, ack_key)
        others = [e for e in entries if ack_key(e.reminder) is None]
        histories = rules.build_histories([*others, *(a for n in logs.values() for a in n.attempts)])
        open_logs = open_notices(logs, histories)
        if not open_logs:
            return result
        problems = schema_problems(tables)
        if problems:
            raise SchemaError(" ".join(a.message for a in problems))
        snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
        _plan(tables, open_logs, histories, today, mail, clock, result, data_contact)
    except MilaError as exc:
        result.seconds = time.monotonic() - started
        log.error("acknowledgements failed before sending: %s", exc.message)
        if not dry_run and not isinstance(exc, UNREACHABLE):
            outbox.journal(workbook, clock, TASK, "échec", exc.message, result.seconds)
        raise
    if dry_run or result.preview:
        outbox.previews(workbook, sender, clock, result, started, task=TASK, note="")
        return result
    send_notices(workbook, sender, clock, result, snapshot_ids, started, task=TASK, details=journal_details)
    return result


def journal_details(result: NoticesResult) -> str:
    """The ``Détails`` of the run's Journal line."""
    parts = result.journal_parts(
        "accusé(s) de réception d'inscription",
        feminine=False,
        sender=result.sender,
        failed=lambda m: f"{m.registration_id} {m.member_id} ({m.details})",
        in_doubt=lambda c: f"{c.who} {' '.join(c.message_ids)}",
    )
    if result.closed:
        parts.append(f"{len(result.closed)} devenu(s) sans objet, classé(s) « annulée »")
    if result.waiting:
        parts.append(f"{len(result.waiting)} en attente d'une correction")
    return " ; ".join(parts)


def summary(result: NoticesResult) -> str:
    """One French phrase for the sync's printed summary."""
    if result.preview:
        where = f" dans « {result.preview_folder} »" if result.preview_folder else ""
        return f"{len(result.messages)} accusé(s) de réception écrit(s) en aperçu{where}, rien n'est parti"
    if result.dry_run:
        return f"{len(result.messages)} accusé(s) de réception à envoyer"
    text = f"{result.sent} accusé(s) de réception envoyé(s)"
    if result.failed or result.uncertain or result.to_check:
        text += f", {result.failed + result.uncertain + len(result.to_check)} à vérifier"
    if result.waiting:
        text += f", {len(result.waiting)} en attente d'une correction"
    return text


def _plan(
    tables: Mapping[str, Table],
    notices: Sequence[NoticeLog],
    histories: rules.Histories,
    today: dt.date,
    mail: MailSettings,
    clock: Clock,
    result: NoticesResult,
    data_contact: str | None = None,
) -> None:
    dataset = Dataset.from_tables(
        {name: table for name, table in tables.items() if name != schema.RELANCES.name}, today=today
    )
    places = previous_places(tables)
    registrations = {id_key(r.id): r for r in reversed(dataset.registrations) if r.id}
    templates = Templates(mail.templates)
    now = clock.now()
    for notice in notices:
        rid = _registration_id(notice)
        doubt = in_doubt(notice, rid, histories)
        if doubt is not None:
            result.to_check.append(doubt)
            continue
        decision = _decide(rid, notice, registrations.get(notice.key), places, dataset, today)
        if isinstance(decision, str):
            result.closed.append(Closed(rid, notice.member_id, notice.reference, notice.label, decision))
            continue
        if isinstance(decision, Waiting):
            result.waiting.append(decision)
            continue
        event, member, rank = decision
        assert member.id is not None and member.email is not None
        refusal = histories.refusal(member.id, member.email)
        if refusal is not None:
            result.waiting.append(
                Waiting(
                    rid,
                    notice.member_id,
                    f"l'adresse {member.email} a été refusée par le serveur "
                    f"({refusal.details or 'sans détail'}) : "
                    "corrigez-la dans « Email », le message partira au prochain passage.",
                )
            )
            continue
        context = _context(member, event, rid, rank, mail, data_contact)
        try:
            outgoing = compose(
                mail,
                templates,
                MESSAGE,
                context,
                to_name=member.contact,
                to_address=member.email,
                date=now,
                name=f"{today.isoformat()}-{member.id}-inscription-recue-{rid}",
            )
        except HeaderProblem as problem:
            result.waiting.append(Waiting(rid, notice.member_id, problem.reason))
            continue
        result.messages.append(
            Notice(
                member_id=notice.member_id or member.id,
                structure=member.structure,
                contact=member.contact,
                address=outgoing.recipient,
                registration_id=rid,
                event_id=event.id,
                event_title=event.title or f"l'événement {event.id}",
                event_when=event_when(event),
                reminder=notice.label,
                reference=notice.reference,
                message_id=outgoing.message_id,
                outgoing=outgoing,
            )
        )


def _decide(
    rid: str,
    notice: NoticeLog,
    registration: Registration | None,
    places: Mapping[int, object],
    dataset: Dataset,
    today: dt.date,
) -> str | Waiting | tuple[Event, Member, int | None]:
    """Send (the event, the member, the waiting rank or None), close (the French reason), or wait."""
    if registration is None:
        return f"l'inscription {rid} ne figure plus dans l'onglet Inscriptions : message non envoyé."
    if registration.status not in _HOLDING:
        return f"inscription passée à « {registration.status} » avant l'envoi : message non envoyé."
    event = dataset.event(registration.event_id)
    if event is None or event.date is None:
        why = f"l'événement {registration.event_id} est introuvable ou sans date."
        return Waiting(rid, notice.member_id, why)
    if event.date < today:
        return "l'événement a déjà eu lieu : message devenu sans objet."
    place = parse_place(places.get(registration.row))
    if place is None:
        return Waiting(
            rid, notice.member_id, "la place n'est pas encore calculée : corrigez les anomalies de la ligne."
        )
    member = dataset.member(registration.member_id)
    if member is None or member.id is None:
        why = f"le membre {registration.member_id} ne figure pas dans Membres."
        return Waiting(rid, notice.member_id, why)
    if member.email is None:
        why = "aucune adresse e-mail valide : complétez « Email » dans Membres."
        return Waiting(rid, notice.member_id, why)
    return event, member, place[1] if place[0] == WAITING else None


def _context(
    member: Member,
    event: Event,
    rid: str,
    rank: int | None,
    mail: MailSettings,
    data_contact: str | None = None,
) -> dict[str, object]:
    """The variables the templates see."""
    assert event.date is not None
    return {
        **addressed(mail, member),
        "inscription": {"id": rid},
        "place": {"attente": rank is not None, "rang": rank},
        "evenement": {
            "id": event.id,
            "titre": event.title or f"l'événement {event.id}",
            "type": event.type,
            "date": event_when(event),
            "date_courte": format_date(event.date),
            "heure": format_time(event.time) if event.time is not None else None,
            "lieu": event.place,
            "intervenants": event.speakers,
        },
        "contact": {"email": mail.reply_to or mail.sender},
        "donnees": {"contact": data_contact or mail.reply_to or mail.sender},
    }
