"""Tell a structure, once, that the membership request it sent through the form was received.

The form intake (:mod:`.forms`) records one ``Relances`` row per membership request it
appends to ``Membres``, ``Statut`` = ``à envoyer``, ``Relance`` = ``adhésion reçue M0126``, in
the same write as the row itself. After the sync, :func:`run_membership_acks` sends what is
still to send, with the bookkeeping of every other message (``automations.outbox``: claimed
before, the outcome after, an attempt a crash left without outcome « à vérifier », never
sent again). Templates ``adhesion_recue.*.j2``.

Without a mail server, or while sending is not switched on, the messages are written as
previews and ``Relances`` is not touched: they stay ``à envoyer`` for the first run that sends.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import outbox
from ..errors import MilaError
from ..mail import HeaderProblem, Templates
from ..mail.compose import MessageTemplates, addressed, compose
from ..model.rows import id_key
from ..rules import outbox as rules
from ..runner import FAILURE, SUCCESS
from ..schema import normalize_header
from .context import RunContext
from .promotions import in_doubt, notice_logs, open_notices

log = logging.getLogger(__name__)
TASK = "accusés de réception d'adhésion"
PREFIX = "adhésion reçue"  # the Relance label: « adhésion reçue M0126 »
REQUESTED = "à envoyer"
_LABEL = re.compile(r"adhesion recue\s+(\S+)")


def ack_label(member_id: str) -> str:
    return f"{PREFIX} {member_id}"


def ack_key(label: str | None) -> str | None:
    """The member ID key of an ``adhésion reçue …`` label; None for another label."""
    match = _LABEL.fullmatch(normalize_header(label)) if label else None
    return id_key(match.group(1)) if match else None


def request_rows(member_ids: Sequence[str], today: dt.date) -> list[dict[str, object]]:
    """The ``à envoyer`` rows of the membership requests just taken in."""
    return [
        outbox.row(
            member_id,
            today,
            ack_label(member_id),
            REQUESTED,
            None,
            None,
            None,
            f"demande d'adhésion {member_id} reçue par formulaire : accusé de réception à envoyer",
        )
        for member_id in member_ids
    ]


@dataclass
class MembershipAcks:
    messages: list[outbox.Mail] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # French: why a message waits
    to_check: list[outbox.ToCheck] = field(default_factory=list)
    preview: bool = False
    journal: bool = False
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(1 for m in self.messages if m.status == rules.SENT)

    def summary(self) -> str:
        if self.preview:
            return (
                f"{len(self.messages)} accusé(s) de réception d'adhésion écrit(s) en aperçu, rien n'est parti"
            )
        text = f"{self.sent} accusé(s) de réception d'adhésion envoyé(s)"
        if self.waiting:
            text += f", {len(self.waiting)} en attente d'une correction"
        return text


def run_membership_acks(ctx: RunContext, *, only: set[str] | None = None) -> MembershipAcks:
    """Send the acknowledgements of membership requests still to send (``only``: just these
    members', the requests this run took in, when writing previews: not every run's again)."""
    started = time.monotonic()
    result = MembershipAcks()
    state = ctx.state
    entries = state.log_entries
    logs = notice_logs(entries, ack_key)
    if not logs:
        return result
    others = [e for e in entries if ack_key(e.reminder) is None]
    histories = rules.build_histories([*others, *(a for n in logs.values() for a in n.attempts)])
    mail, sender = ctx.settings.mail, ctx.sender
    templates = Templates(mail.templates)
    now = ctx.clock.now()
    wanted = None if only is None else {id_key(m) for m in only}
    for notice in open_notices(logs, histories):
        if wanted is not None and id_key(notice.member_id) not in wanted:
            continue
        doubt = in_doubt(notice, notice.member_id or notice.key, histories)
        if doubt is not None:
            result.to_check.append(doubt)
            continue
        member = state.dataset.member(notice.member_id)
        if member is None or member.id is None or member.email is None:
            result.waiting.append(
                f"{notice.member_id} : pas de ligne dans Membres, ou pas d'adresse valide dans « Email »."
            )
            continue
        context = {
            **addressed(mail, member),
            "contact": {"email": mail.reply_to or mail.sender},
            "donnees": {"contact": ctx.settings.donnees.contact or mail.reply_to or mail.sender},
        }
        try:
            outgoing = compose(
                mail,
                templates,
                MessageTemplates.named("adhesion_recue"),
                context,
                to_name=member.contact,
                to_address=member.email,
                date=now,
                name=f"{ctx.today.isoformat()}-{member.id}-adhesion-recue",
            )
        except HeaderProblem as problem:
            result.waiting.append(f"{member.id} : {problem.reason}")
            continue
        result.messages.append(
            outbox.Mail(
                member_id=member.id,
                address=outgoing.recipient,
                reminder=notice.label,
                reference=notice.reference,
                message_id=outgoing.message_id,
                outgoing=outgoing,
            )
        )
    if not result.messages:
        return result
    if not sender.delivers:
        result.preview = True
        outbox.write_previews(sender, result.messages, task=TASK)
        return result
    snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
    try:
        stop = outbox.send_or_record(
            ctx.workbook,
            sender,
            ctx.clock,
            result.messages,
            [],
            snapshot_ids,
            task=TASK,
            unreachable=lambda _: None,
        )
    except MilaError as exc:
        result.seconds = time.monotonic() - started
        outbox.journal(ctx.workbook, ctx.clock, TASK, FAILURE, exc.message, result.seconds)
        raise
    result.seconds = time.monotonic() - started
    outcome = FAILURE if stop is not None or result.sent < len(result.messages) else SUCCESS
    result.journal = outbox.journal(ctx.workbook, ctx.clock, TASK, outcome, result.summary(), result.seconds)
    ctx.changed()
    return result
