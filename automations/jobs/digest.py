"""`mila resume` and the scheduler's « résumé quotidien »: one short e-mail to the staff
(``[digest] to``) listing what needs a person (:mod:`.digest_items`), sent only when a
point appeared since the last summary.

Where the last summary is remembered: in the workbook's ``Journal``. Its line (« résumé
quotidien », « succès ») ends with the fingerprints of the points it listed
(``empreintes : 3f9a1c0b2e …``). The workbook outlives the server: a volunteer's machine
rebuilt, or a second installation, reads the same record and does not send the same
summary again. The failures listed are the Journal's ``échec`` lines since that line.

Nothing new: nothing is sent. When points of the last summary were solved since, a
« rien à faire » line keeps the fingerprints of the points left, so that a point solved,
then back, is new again; otherwise nothing is written. No mail server (or ``--simulation``): the
message is written as a preview (``.eml``) and nothing is recorded, so the real summary
still goes once a server is configured.

Sent once: the summary goes through the outbox (``automations.outbox``) like every other
message. Each address's copy is claimed in ``Relances`` (``Membre`` « Résumé », ``Relance``
« résumé quotidien à <adresse> (empreinte <8 chiffres>) », the fingerprint of the points it
lists) just before it is handed to the server. A run that dies after the server took it
leaves the claim « en cours »: the next run finds the same points, hence the same label,
and does not send it again; it reports it « à vérifier », and the next summary (when a new
point appears) lists it under « À vérifier ».
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import journal, outbox, schema
from ..errors import MilaError
from ..formatting import format_date_long
from ..mail import DEFAULT_TEMPLATES, RecipientRefused, Templates, build_message, new_message_id
from ..model.rows import JournalEntry, id_key
from ..outbox import Mail, ToCheck
from ..rules import outbox as rules
from ..runner import FAILURE, NOTHING, PREVIEW, SUCCESS, Outcome, job_name, journal_missing
from ..schema import normalize_header
from ..workbook.placement import CELL_LIMIT
from .context import RunContext
from .digest_items import SECTIONS, TO_CHECK, Item, collect, failure_items

log = logging.getLogger(__name__)
TASK = job_name("resume")  # the Journal's « Tâche »
# Fingerprints are lowercase hex: rules.ids, which reads the IDs given in Journal details,
# looks for uppercase prefixes (M0012, E0042) and never takes one for an ID.
MARK = "empreintes :"
FIRST_FAILURES_DAYS = 7  # the failures a first summary lists
SHOWN = 10  # lines shown per tab and section; the rest are counted
TEXT_TEMPLATE = "resume.txt.j2"
HTML_TEMPLATE = "resume.html.j2"
_KEY = re.compile(r"[0-9a-f]{10}")
SUMMARY = "Résumé"  # the « Membre » of the summary's rows in Relances


def summary_label(address: str, fingerprint: str) -> str:
    """The ``Relance`` of one copy of a summary: its address and the fingerprint of its points."""
    return f"résumé quotidien à {address} (empreinte {fingerprint})"


def own_check(item: Item) -> bool:
    """A summary left « en cours » by an earlier run: listed, but not part of the fingerprint
    (else the summary in doubt would look like a new one, and go again)."""
    return item.section == TO_CHECK and id_key(item.ref) == id_key(SUMMARY)


def fingerprint(items: Sequence[Item]) -> str:
    """8 hex digits naming the points a summary lists (its own checks left out)."""
    keys = sorted(item.key for item in items if not own_check(item))
    return hashlib.sha256(" ".join(keys).encode("ascii")).hexdigest()[:8]


@dataclass(frozen=True)
class LastSummary:
    at: dt.datetime | None
    keys: frozenset[str]
    width: int = 10  # characters of each fingerprint kept (fewer when many points: see _fingerprints)

    def knows(self, key: str) -> bool:
        return key[: self.width] in self.keys


@dataclass
class DigestResult:
    dry_run: bool
    recipients: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    new: list[Item] = field(default_factory=list)
    last: LastSummary | None = None
    subject: str | None = None
    text: str | None = None
    sent_to: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # « adresse (raison) »
    messages: list[Mail] = field(default_factory=list)  # the copies handed to the outbox
    to_check: list[ToCheck] = field(default_factory=list)  # copies an earlier run left « en cours »
    preview_folder: Path | None = None
    journal: bool = False
    journal_error: str | None = None
    seconds: float = 0.0

    @property
    def disabled(self) -> bool:
        return not self.recipients

    @property
    def preview(self) -> bool:
        return self.preview_folder is not None

    @property
    def journal_lost(self) -> bool:
        return self.journal_error is not None

    def outcome(self) -> Outcome:
        """The run in one French line, for ``mila etat`` and the scheduler."""
        if self.disabled:
            return Outcome(NOTHING, "désactivé : aucune adresse dans [digest] to")
        counts = f"{len(self.items)} point(s), dont {len(self.new)} nouveau(x)"
        if not self.new:
            return Outcome(
                NOTHING, f"rien de nouveau depuis le dernier résumé ({len(self.items)} point(s) en cours)"
            )
        if self.preview:
            return Outcome(PREVIEW, f"résumé écrit en aperçu ({counts}) ; rien n'est parti")
        if self.to_check and not self.sent_to:
            listed = ", ".join(c.address or "" for c in self.to_check)
            return Outcome(
                FAILURE,
                f"résumé peut-être déjà parti (resté « en cours » lors d'un passage précédent), "
                f"non renvoyé, à vérifier : {listed}",
            )
        if not self.sent_to:
            return Outcome(FAILURE, f"résumé refusé par le serveur : {', '.join(self.refused)}")
        said = f"résumé envoyé à {', '.join(self.sent_to)} ({counts})"
        if self.refused:
            said += f" ; refusé pour {', '.join(self.refused)}"
        return journal_missing(Outcome(SUCCESS, said), self.journal_lost, self.journal_error)

    def lines(self) -> list[str]:
        """What the command prints, in French."""
        if self.disabled:
            return [
                "Aucun destinataire : ajoutez les adresses de l'équipe dans mila.toml, section "
                '[digest], par exemple to = ["equipe@mila.fr"] (docs/resume.md).'
            ]
        out = []
        if self.text is not None and self.dry_run:
            out += [f"Objet : {self.subject}", "", self.text.rstrip(), ""]
        out.append(self.outcome().summary[:1].upper() + self.outcome().summary[1:] + ".")
        if self.preview_folder is not None:
            out.append(
                f"Aperçu écrit dans « {self.preview_folder} » (fichier .eml) ; rien n'est noté dans le "
                "Journal : le résumé partira quand un serveur d'envoi sera configuré."
                if not self.dry_run
                else f"Simulation : aperçu écrit dans « {self.preview_folder} », rien n'est parti ni noté."
            )
        if self.journal_error:
            out.append(f"La ligne du Journal n'a pas pu être écrite : {self.journal_error}")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "recipients": self.recipients,
            "items": [
                {"section": i.section, "tab": i.tab, "row": i.row, "ref": i.ref, "text": i.text}
                for i in self.items
            ],
            "new": len(self.new),
            "last_summary": self.last.at.isoformat() if self.last and self.last.at else None,
            "sent_to": self.sent_to,
            "refused": self.refused,
            "messages": [m.as_dict() for m in self.messages],
            "checks": [c.as_dict() for c in self.to_check],
            "preview_folder": str(self.preview_folder) if self.preview_folder else None,
            "journal": self.journal,
            "journal_error": self.journal_error,
        }


def last_summary(journal: Sequence[JournalEntry]) -> LastSummary | None:
    """The last summary sent, read from its Journal line (None: never sent).

    The points known are those of the latest line with fingerprints: the summary's own, or a
    later « rien à faire » line written when points were solved since (:func:`run_digest`),
    so that a point solved, then back, counts as new again.
    """
    keys: tuple[frozenset[str], int] | None = None
    for entry in reversed(journal):
        if job_name(entry.task) != TASK:
            continue
        result = (entry.result or "").strip().casefold()
        details = entry.details or ""
        if keys is None and result in (SUCCESS, NOTHING) and MARK in details:
            keys = _read_fingerprints(details.rpartition(MARK)[2])
        if result != SUCCESS:
            continue
        at = entry.at if isinstance(entry.at, dt.datetime) else None
        known, width = keys if keys is not None else (frozenset(), 10)
        return LastSummary(at.replace(tzinfo=None) if at else None, known, width)
    return None


def _fingerprints(prefix: str, keys: Sequence[str]) -> str:
    """``prefix``, then the fingerprints, within one cell (:data:`CELL_LIMIT`).

    Spaced out while they fit (``empreintes : 3f9a1c0b2e …``); beyond some 2,900 points,
    shorter and run together, with their width first (``empreintes : /5 3f9a1…``): the
    Journal line must never be cut, or the next summary would take every point for new.
    """
    room = CELL_LIMIT - len(prefix) - len(MARK) - 10
    spaced = " ".join(keys)
    if len(spaced) <= room:
        return f"{prefix}{MARK} {spaced}"
    width = next((w for w in range(9, 4, -1) if len(keys) * w <= room), 5)
    run = "".join(key[:width] for key in keys)[: room - room % width]
    return f"{prefix}{MARK} /{width} {run}"


def _read_fingerprints(text: str) -> tuple[frozenset[str], int]:
    """The fingerprints written by :func:`_fingerprints`, and their width."""
    compact = re.match(r"\s*/(\d) ([0-9a-f]+)", text)
    if compact is None:
        return frozenset(_KEY.findall(text)), 10
    width, run = int(compact.group(1)), compact.group(2)
    return frozenset(run[i : i + width] for i in range(0, len(run), width)), width


def run_digest(ctx: RunContext) -> DigestResult:
    """Collect the points, compare with the last summary, and send when something is new."""
    started = time.monotonic()
    settings = ctx.settings
    result = DigestResult(ctx.dry_run, list(settings.digest.to))
    if result.disabled:
        return result
    state = ctx.state
    tables = state.tables
    result.last = last_summary(state.journal)
    since = (
        result.last.at
        if result.last is not None
        else dt.datetime.combine(ctx.today - dt.timedelta(days=FIRST_FAILURES_DAYS), dt.time())
    )
    result.items = collect(
        tables,
        ctx.today,
        settings.membership,
        settings.bookings,
        settings.renewals,
        since,
        settings.formulaires,
        state.evaluation,
        settings.donnees.conservation_annees,
        settings.digest.assemblee_generale,
        state.invoices,
    )
    last = result.last or LastSummary(None, frozenset())
    result.new = [item for item in result.items if not last.knows(item.key)]
    if not result.new and not ctx.dry_run:
        # Failures are listed once, in the summary after them: not « solved » when they leave.
        failures = failure_items(state.journal, schema.JOURNAL.name, None)
        cut = last.width
        solved = last.keys - {i.key[:cut] for i in result.items} - {i.key[:cut] for i in failures}
        if solved:  # remembered as gone: back later, they are new again
            prefix = f"{len(solved)} point(s) réglé(s) depuis le dernier résumé ; "
            details = _fingerprints(prefix, [item.key for item in result.items])
            result.journal = _journal(ctx, NOTHING, details, result)
        result.seconds = time.monotonic() - started
        log.info("digest: nothing new (%d points, %d solved)", len(result.items), len(solved))
        return result
    render(ctx, result)
    send(ctx, result, state.log_entries)
    result.seconds = time.monotonic() - started
    return result


def render(ctx: RunContext, result: DigestResult) -> None:
    """The subject and the text of the summary into ``result`` (HTML built when sending)."""
    mail = ctx.settings.mail
    count = len(result.items)
    result.subject = f"mila : {count} point(s) à traiter dans le classeur ({mail.association})"
    result.text = _templates(mail.templates).render(TEXT_TEMPLATE, context(ctx, result))


def context(ctx: RunContext, result: DigestResult) -> dict[str, object]:
    """The variables of the templates resume.txt.j2 and resume.html.j2 (docs/resume.md)."""
    new = {item.key for item in result.new}
    sections = []
    for name, (title, todo, elsewhere) in SECTIONS.items():
        items = [item for item in result.items if item.section == name]
        if not items:
            continue
        groups: dict[str, list[Item]] = {}
        for item in items:
            groups.setdefault(item.tab or "", []).append(item)
        sections.append(
            {
                "titre": title,
                "consigne": todo,
                "nombre": len(items),
                "groupes": [
                    {
                        "onglet": tab,
                        "lignes": [{"texte": i.line, "nouveau": i.key in new} for i in shown[:SHOWN]],
                        "reste": max(0, len(shown) - SHOWN),
                        "ailleurs": elsewhere.format(onglet=tab),
                    }
                    for tab, shown in groups.items()
                ],
            }
        )
    mail = ctx.settings.mail
    from .preview_drive import previews_link
    from .staff_requests import sheet_link

    switched_off = mail.uses_smtp and not ctx.dry_run and not ctx.sending.on
    return {
        "association": {"nom": mail.association, "signature": mail.signature},
        "date": format_date_long(ctx.today),
        "total": len(result.items),
        "nouveaux": len(result.new),
        "premier": result.last is None,
        "sections": sections,
        "classeur": sheet_link(ctx),
        "envois": ctx.sending.describe() if switched_off else None,
        "apercus": previews_link(ctx) if switched_off else None,
    }


def _templates(folder: Path) -> Templates:
    """The configured templates, or the shipped ones when the folder has no summary template."""
    return Templates(folder if (Path(folder) / TEXT_TEMPLATE).is_file() else DEFAULT_TEMPLATES)


def send(ctx: RunContext, result: DigestResult, entries: Sequence[rules.LogEntry] = ()) -> None:
    """One message per address, each through the outbox (claimed, sent, recorded in
    Relances); the summary is noted in Journal when a server took it. ``entries``: the
    rows of Relances the run read (a copy found there « en cours » is not sent again)."""
    mail = ctx.settings.mail
    templates = _templates(mail.templates)
    html = templates.render(HTML_TEMPLATE, context(ctx, result))
    sender = ctx.staff_sender
    assert result.subject is not None and result.text is not None
    now = ctx.clock.now()
    histories = rules.build_histories(entries)
    label_of = {address: summary_label(address, fingerprint(result.items)) for address in result.recipients}
    for address in result.recipients:
        history = _history(histories, label_of[address]) if sender.delivers else rules.History()
        if history.state is rules.State.SENT:
            continue  # sent, its Journal line lost: not again
        if history.state is rules.State.IN_DOUBT:
            attempts = history.in_doubt
            result.to_check.append(
                ToCheck(
                    SUMMARY,
                    ctx.today,
                    label_of[address],
                    tuple(a.message_id or f"(ligne {a.row})" for a in attempts),
                    address,
                    tuple(a.message_id for a in history.unreported if a.message_id),
                )
            )
            continue
        message_id = new_message_id(mail.domain)
        outgoing = build_message(
            mail,
            to_name=None,
            to_address=address,
            subject=result.subject,
            text=result.text,
            html=html,
            message_id=message_id,
            date=now,
            name=f"{ctx.today.isoformat()}-resume-{address.partition('@')[0]}",
        )
        result.messages.append(
            Mail(
                member_id=SUMMARY,
                address=address,
                reminder=label_of[address],
                reference=ctx.today,
                message_id=message_id,
                outgoing=outgoing,
            )
        )
    if not sender.delivers:
        _previews(ctx, result)
        return
    extra = [
        outbox.to_check_row(SUMMARY, c.reference, c.label, c.address, mid)
        for c in result.to_check
        for mid in c.new_ids
    ]
    snapshot_ids = {e.message_id.strip() for e in entries if e.message_id}
    try:
        stop = outbox.send_or_record(
            ctx.workbook,
            sender,
            ctx.clock,
            result.messages,
            extra,
            snapshot_ids,
            task=TASK,
            unreachable=lambda _: None,
        )
        if stop is not None:
            raise stop
    except MilaError as exc:
        _tally(result)
        if not ctx.dry_run:
            _journal(ctx, FAILURE, exc.message, result)
        raise
    _tally(result)
    if result.sent_to:
        details = _fingerprints(f"{result.outcome().summary} ; ", [item.key for item in result.items])
        result.journal = _journal(ctx, SUCCESS, details, result)
    elif result.messages:
        _journal(ctx, FAILURE, result.outcome().summary, result)
    elif any(c.new for c in result.to_check):
        # Not « échec »: a failure is a point of the next summary, which would then go again.
        _journal(ctx, rules.TO_CHECK, result.outcome().summary, result)


def _history(histories: rules.Histories, label: str) -> rules.History:
    """The attempts of a summary's copy, whatever the day they were made."""
    member, wanted = id_key(SUMMARY), normalize_header(label)
    attempts = [
        a for key, h in histories.items() if key[0] == member and key[2] == wanted for a in h.attempts
    ]
    return rules.History(tuple(sorted(attempts, key=lambda a: a.row)))


def _tally(result: DigestResult) -> None:
    """``sent_to`` and ``refused`` from what became of each copy."""
    result.sent_to = [m.address for m in result.messages if m.status == rules.SENT]
    result.refused = [f"{m.address} ({m.details})" for m in result.messages if m.status == rules.FAILED]


def _previews(ctx: RunContext, result: DigestResult) -> None:
    """No server, or a dry run: each copy written to the preview folder, nothing recorded."""
    sender = ctx.staff_sender
    try:
        sender.open()
        try:
            for message in result.messages:
                assert message.outgoing is not None
                try:
                    message.preview = sender.send(message.outgoing)
                except RecipientRefused as exc:
                    result.refused.append(f"{message.address} ({exc.details})")
        finally:
            sender.close()
    except MilaError as exc:
        if not ctx.dry_run:
            _journal(ctx, FAILURE, exc.message, result)
        raise
    result.preview_folder = ctx.settings.mail.preview
    result.sent_to = []


def _journal(ctx: RunContext, outcome: str, details: str, result: DigestResult) -> bool:
    result.journal_error = journal.record(ctx.workbook, ctx.clock, TASK, outcome, details)
    return result.journal_error is None
