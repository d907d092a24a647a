"""`mila demandes`: the staff's requests of the ``Demandes`` tab, each done once.

The staff add a row, pick the request in the ``Demande`` dropdown, name its ``Cible`` when
it takes one; the next pass (the scheduler's, every minute in working hours, or
``mila demandes``) does it and writes back ``Statut``, a one-line ``Résultat``, a ``Lien``
to what it produced and ``Traitée le``; whoever asked (``Demandée par``) gets the answer by
e-mail, through the outbox.

**The request kinds** are a registry (:data:`REQUESTS`): each name of the dropdown maps to
a typed job entry of :mod:`.registry` (``entry(ctx, options) -> result``), the target it
takes and how the target becomes the entry's options. A new kind is one :func:`register`
line; the dropdown (``mila preparer``) lists exactly the registered kinds.

**Once, even after a crash or two overlapping passes.** A pass runs under the run lock (the
command line and the scheduler take it). It reads the tab (one request when nothing is
pending), then for each pending row, in sheet order: claims it (``en cours``, the claim
time in ``Traitée le``, this installation named in ``Résultat``) in a write made *before*
acting, does it, and writes its outcome. A row found ``en cours`` was claimed by a pass that
is not running: this installation's (we hold its lock), or another's older than an hour; it
becomes ``échec`` « interrompue, refaites la demande » and is never redone blindly (the
person looks first: a sending cut short is settled by the outbox's ledger, which never
sends a message twice). A younger claim of another installation sharing the sheet is left
to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import journal, outbox, schema
from ..errors import MilaError, PersonalDataError, SchemaError
from ..mail import SWITCHED_OFF, build_message, checked_address, new_message_id
from ..model.rows import id_key
from ..rules import requests as rules
from ..rules.outbox import SENT
from ..runner import FAILURE, NOTHING, PREVIEW, SUCCESS, Outcome
from ..schema import normalize_header
from ..workbook import CellUpdate, NewId, Table
from .context import JobResult, RunContext

log = logging.getLogger(__name__)
TASK = "demandes"
TAB = schema.DEMANDES
ID_PREFIX = "D"  # D0001…: given by this pass, not by the sync (schema.DEMANDES)

Options = Callable[[RunContext, rules.Target, rules.Request], object]
Link = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class RequestKind:
    """A request the staff may make: its dropdown name, the job entry that does it, the
    target it takes, the entry's options made from the target, and the link to what it
    produced (a Drive file), when there is one."""

    name: str
    entry: Callable[..., JobResult]
    target: str = rules.NO_TARGET
    options: Options | None = None
    link: Link | None = None


REQUESTS: dict[str, RequestKind] = {}


def register(
    name: str,
    entry: Callable[..., JobResult],
    target: str = rules.NO_TARGET,
    options: Options | None = None,
    link: Link | None = None,
) -> None:
    """Make ``name`` a request of the dropdown, done by ``entry`` (one line per request)."""
    REQUESTS[normalize_header(name)] = RequestKind(name, entry, target, options, link)


def request_names() -> tuple[str, ...]:
    """The dropdown of ``Demande``: every registered request, in registration order."""
    _register_all()
    return tuple(kind.name for kind in REQUESTS.values())


# --------------------------------------------------------------------------- results


@dataclass
class Handled:
    """What became of one row."""

    request: rules.Request
    status: str  # faite · refusée · échec
    result: str
    link: str | None = None
    answered: str | None = None  # the address the answer went to (or was previewed for)

    def line(self) -> str:
        return f"{self.request.label} : {self.status} — {self.result}"

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.request.id,
            "row": self.request.row,
            "request": self.request.kind,
            "target": self.request.target,
            "status": self.status,
            "result": self.result,
            "link": self.link,
            "answered": self.answered,
        }


@dataclass
class RequestsResult:
    handled: list[Handled] = field(default_factory=list)
    waiting: int = 0  # claimed by a live pass of another installation
    journal: bool = False
    journal_error: str | None = None

    @property
    def journal_lost(self) -> bool:
        return self.journal_error is not None

    def outcome(self) -> Outcome:
        if not self.handled:
            return Outcome(NOTHING, "aucune demande en attente")
        done = sum(1 for h in self.handled if h.status == rules.DONE)
        failed = sum(1 for h in self.handled if h.status == rules.FAILED)
        refused = sum(1 for h in self.handled if h.status == rules.REFUSED)
        summary = f"{done} demande(s) faite(s), {refused} refusée(s), {failed} en échec"
        found = Outcome(FAILURE if failed else SUCCESS, summary)
        if self.journal_lost:
            return Outcome(FAILURE, f"{summary} ; ligne du Journal non écrite")
        return found

    def lines(self) -> list[str]:
        if not self.handled:
            return ["Aucune demande en attente dans l'onglet Demandes."]
        found = [h.line() for h in self.handled]
        found += [f"  lien : {h.link}" for h in self.handled if h.link]
        if self.waiting:
            found.append(f"{self.waiting} demande(s) en cours sur une autre installation : laissées.")
        return found

    def as_dict(self) -> dict[str, object]:
        return {
            "handled": [h.as_dict() for h in self.handled],
            "waiting": self.waiting,
            "journal": self.journal,
            "journal_error": self.journal_error,
        }


# --------------------------------------------------------------------------- the pass


def run_requests(ctx: RunContext) -> RequestsResult:
    """Do the pending requests once (see the module's docstring)."""
    _register_all()
    result = RequestsResult()
    if "workbook" not in ctx.__dict__:
        ctx.use_workbook(lazy=True)  # nothing pending: one read, no metadata
    table = ctx.workbook.peek(TAB)
    if table is None or not table.rows:
        return result
    requests = _requests(table)
    kinds = {key: kind.target for key, kind in REQUESTS.items()}
    now = ctx.clock.now()
    plan = rules.plan(requests, kinds, now=now, installation=installation(ctx))
    result.waiting = len(plan.waiting)
    if plan.empty:
        return result
    _require_columns(table)
    rows = {r.number: r for r in table.rows}
    ids = _IdMaker(table)
    planned = [*plan.todo, *(r for r, _ in plan.refused), *(r for r, _ in plan.incomplete), *plan.interrupted]
    for request in sorted(planned, key=lambda r: r.row):
        ids.reserve(request)  # IDs in sheet order, each written with the row's first write
    waiting = [(r, rules.PENDING, why, None, None) for r, why in plan.incomplete]
    finals: list[tuple[rules.Request, str, str, str | None]] = [
        *((r, rules.REFUSED, why, None) for r, why in plan.refused),
        *((r, rules.FAILED, rules.INTERRUPTED, None) for r in plan.interrupted),
    ]
    if waiting and not finals:
        _write(ctx, rows, ids, waiting)  # what the row still needs; no answer, no Journal line
    if finals:
        _write(ctx, rows, ids, [*waiting, *((r, s, text, link, now) for r, s, text, link in finals)])
        for request, status, text, link in finals:
            result.handled.append(Handled(_with_id(request, ids), status, text, link))
    for request in plan.todo:
        claim = f"en cours depuis {now:%H:%M} ({installation(ctx)})"
        _write(ctx, rows, ids, [(request, rules.RUNNING, claim, None, ctx.clock.now())])
        request = _with_id(request, ids)
        handled = _do(ctx, request)
        _write(ctx, rows, ids, [(request, handled.status, handled.result, handled.link, ctx.clock.now())])
        result.handled.append(handled)
        now = ctx.clock.now()
    if not result.handled:
        return result
    for handled in result.handled:
        _answer(ctx, handled)
    details = "; ".join(h.line() for h in result.handled)
    result.journal_error = journal.record(ctx.workbook, ctx.clock, TASK, result.outcome().result, details)
    result.journal = result.journal_error is None
    return result


def installation(ctx: RunContext) -> str:
    """This installation, as a claim names it: the machine and the state folder, hashed."""
    where = f"{socket.gethostname()}:{ctx.settings.schedule.state_dir.resolve()}"
    return "installation " + hashlib.sha1(where.encode(), usedforsecurity=False).hexdigest()[:6]


def _requests(table: Table) -> list[rules.Request]:
    found = []
    for row in table.rows:
        kind = rules.text(row.get("Demande"))
        if kind is None:
            continue
        found.append(
            rules.Request(
                row=row.number,
                id=row.id,
                kind=kind,
                target=rules.text(row.get("Cible")),
                by=rules.text(row.get("Demandée par")),
                status=normalize_header(rules.text(row.get("Statut")) or ""),
                claimed_at=rules.when(row.get("Traitée le")),
                result=rules.text(row.get("Résultat")),
            )
        )
    return found


def _require_columns(table: Table) -> None:
    for name in ("ID", "Demande"):
        if normalize_header(name) not in table.columns:
            raise SchemaError(
                f"Onglet « {table.title} » : la colonne « {name} » est absente. Ajoutez-la à la "
                "ligne 1 (« mila preparer » crée l'onglet complet) ; aucune demande n'a été faite."
            )


class _IdMaker:
    """The IDs of the rows without one, given when a row is first written (``D0001``…)."""

    def __init__(self, table: Table) -> None:
        numbers = [
            int(k[1:]) for r in table.rows if (k := id_key(r.id)) and k[:1] == ID_PREFIX and k[1:].isdigit()
        ]
        self.next = max(numbers, default=0) + 1
        self.given: dict[int, str] = {}

        self.written: set[int] = set()

    def reserve(self, request: rules.Request) -> None:
        if not request.id and request.row not in self.given:
            self.given[request.row] = f"{ID_PREFIX}{self.next:04d}"
            self.next += 1

    def of(self, request: rules.Request) -> tuple[str, bool]:
        """The row's ID, and whether it is new (to write with the row's first write)."""
        if request.id and request.row not in self.given:
            return request.id, False
        self.reserve(request)
        new = request.row not in self.written
        self.written.add(request.row)
        return self.given[request.row], new


def _with_id(request: rules.Request, ids: _IdMaker) -> rules.Request:
    from dataclasses import replace

    return replace(request, id=ids.of(request)[0])


def _write(
    ctx: RunContext,
    rows: Mapping[int, Any],
    ids: _IdMaker,
    outcomes: Sequence[tuple[rules.Request, str, str, str | None, dt.datetime | None]],
) -> None:
    """Write each row's Statut, Résultat, Lien and Traitée le (and its ID when it has none)
    in one request, placed from a fresh read; a row gone since is reported, not written."""
    updates: list[CellUpdate] = []
    new_ids: list[NewId] = []
    for request, status, text, link, at in outcomes:
        row_id, new = ids.of(request)
        row = rows.get(request.row)
        if new and row is not None:
            new_ids.append(NewId(TAB.name, row, row_id))
        known = None if new else row
        updates += [
            CellUpdate(TAB.name, row_id, "Statut", status, row=known),
            CellUpdate(TAB.name, row_id, "Résultat", text, row=known),
            CellUpdate(TAB.name, row_id, "Lien", link, row=known),
            CellUpdate(TAB.name, row_id, "Traitée le", at, row=known),
        ]
    written = ctx.workbook.write(updates, new_ids)
    if written.skipped:
        raise SchemaError(
            " ".join(written.skipped) + " Les demandes de ce passage seront reprises au suivant."
        )


def _do(ctx: RunContext, request: rules.Request) -> Handled:
    """Do one request with a context of its own (the workbook read again, the switch of
    sending as it stands now); its outcome as a row of the tab."""
    kind = REQUESTS[normalize_header(request.kind)]
    target = rules.parse_target(kind.target, request.target)
    assert target is not None  # the plan refused the others
    run = ctx.fresh()
    problem = _target_missing(run, target)
    if problem is not None:
        return Handled(request, rules.REFUSED, problem)
    from .preview_drive import preview_files, upload_previews

    before = preview_files(run)
    options = kind.options(run, target, request) if kind.options is not None else None
    try:
        done = kind.entry(run, options) if options is not None else kind.entry(run)
    except PersonalDataError as exc:  # an erasure the rules refuse: the reason, nothing done
        return Handled(request, rules.REFUSED, exc.message)
    except MilaError as exc:
        log.error("request %s failed: %s", request.label, exc.message)
        return Handled(request, rules.FAILED, exc.message)
    except Exception as exc:  # a bug: this row fails, the next requests are still done
        log.exception("request %s crashed", request.label)
        return Handled(
            request,
            rules.FAILED,
            f"erreur inattendue ({type(exc).__name__}) ; le détail est dans le journal local "
            "mila.log : prévenez la personne qui a installé mila.",
        )
    outcome = done.outcome()
    link = kind.link(done) if kind.link is not None else None
    previews = upload_previews(run, before)
    text = outcome.summary
    sending = getattr(done, "sending", None)  # documents sent: what became of the messages
    if sending is not None and hasattr(sending, "outcome"):
        sent = sending.outcome()
        text += "" if sent.summary in text else f" ; {sent.summary}"
        outcome = Outcome(FAILURE if FAILURE in (outcome.result, sent.result) else sent.result, text)
    skipped = getattr(done, "skipped", None)  # documents not produced: say why
    if isinstance(skipped, list) and skipped:
        text += " : " + " ; ".join(str(s) for s in skipped[:3])
    text = _staff_words(run, text, previews.link)
    if previews.link:
        link = link or previews.link
    if previews.error:
        text += f" (aperçus non déposés sur Google Drive : {previews.error})"
    status = rules.FAILED if outcome.result == FAILURE else rules.DONE
    if outcome.result == PREVIEW and "rien n'est parti" not in text:
        text += " ; rien n'est parti"
    ctx.changed()
    return Handled(request, status, text, link)


def _staff_words(ctx: RunContext, text: str, drive_link: str | None) -> str:
    """The result as the staff read it: the previews' folder on the server named as where
    they can open them (the Drive folder « Aperçus », linked in the row), not as a path."""
    preview = Path(ctx.settings.mail.preview)
    where = (
        " dans le dossier Aperçus du Drive (voir le lien)"
        if drive_link
        else " sur le serveur (aucun dossier Drive réglé : [documents] drive_folder)"
    )
    for folder in (preview / SWITCHED_OFF, preview):
        text = text.replace(f" dans « {folder} »", where)
    return text


def _target_missing(ctx: RunContext, target: rules.Target) -> str | None:
    """Why the occupation or member named does not exist; ``None`` when it does."""
    if target.occupation is None and target.member is None:
        return None
    dataset = ctx.state.dataset
    if target.occupation is not None:
        wanted = id_key(target.occupation)
        if not any(id_key(o.id) == wanted for o in dataset.occupations):
            return (
                f"cible « {target.text} » : aucune occupation {target.occupation} dans l'onglet Occupations."
            )
        return None
    wanted = id_key(target.member)
    if not any(id_key(m.id) == wanted for m in dataset.members):
        return f"cible « {target.text} » : aucun membre {target.member} dans l'onglet Membres."
    return None


# --------------------------------------------------------------------------- the answer


def _answer(ctx: RunContext, handled: Handled) -> None:
    """E-mail the outcome to whoever asked (``Demandée par``), through the outbox; a blank or
    unreadable address: no answer (the row says it all)."""
    request = handled.request
    if request.by is None:
        return
    try:
        address = checked_address(request.by)
    except MilaError:
        log.warning("request %s: « %s » is not an address, no answer", request.label, request.by)
        return
    mail = ctx.settings.mail
    subject = f"Demande {request.id or ''} « {request.kind} » : {handled.status}".replace("  ", " ")
    sheet = sheet_link(ctx)
    lines = [
        "Bonjour,",
        "",
        f"Votre demande « {request.kind} »"
        + (f" (cible {request.target})" if request.target else "")
        + f" est {handled.status} :",
        handled.result,
    ]
    if handled.link:
        lines += ["", f"Lien : {handled.link}"]
    lines += [
        "",
        "Le détail est dans l'onglet Demandes du classeur" + (f" : {sheet}" if sheet else "."),
        "",
        mail.signature,
    ]
    text = "\n".join(lines)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    message_id = new_message_id(mail.domain)
    key = request.id or f"ligne {request.row}"
    outgoing = build_message(
        mail,
        to_name=None,
        to_address=address,
        subject=subject,
        text=text,
        html=f"<html><body>{body}</body></html>",
        message_id=message_id,
        date=ctx.clock.now(),
        name=f"{ctx.today.isoformat()}-demande-{key}",
    )
    message = outbox.Mail(
        member_id=key,
        address=address,
        reminder=f"réponse à la demande {key}",
        reference=ctx.today,
        message_id=message_id,
        outgoing=outgoing,
    )
    sender = ctx.staff_sender
    try:
        if not sender.delivers:
            outbox.write_previews(sender, [message], task=TASK)
        else:
            outbox.send_or_record(
                ctx.workbook, sender, ctx.clock, [message], [], set(), task=TASK, unreachable=lambda _: None
            )
    except MilaError as exc:
        log.error("request %s: answer not sent: %s", request.label, exc.message)
        return
    handled.answered = address if message.status == SENT or message.preview else None


def invoices_link(done: Any) -> str | None:
    """The Drive folder ``Factures/AAAA`` the PDFs went to (none when nothing was uploaded)."""
    return getattr(done, "drive_folder", None)


def sheet_link(ctx: RunContext) -> str | None:
    """The workbook's address for the staff: the Google sheet's URL (none for a .xlsx)."""
    from ..workbook.google import spreadsheet_key

    sheet = ctx.settings.workbook.sheet
    return f"https://docs.google.com/spreadsheets/d/{spreadsheet_key(sheet)}/edit" if sheet else None


# --------------------------------------------------------------------------- the kinds


def _register_all() -> None:
    """The requests of the dropdown, one line each (on first use: a command imports only
    what it runs)."""
    if REQUESTS:
        return
    from . import registry as r

    def run_report(ctx: RunContext, options: Any) -> JobResult:
        from .report_run import run_report as entry  # heavy (charts, Word): when asked only

        return entry(ctx, options)

    def report(send: bool) -> Options:
        def options(c: RunContext, t: rules.Target, _: rules.Request) -> object:
            from .report_run import ReportOptions

            return ReportOptions(year=t.year or 0, out=Path(c.settings.documents.out), send=send)

        return options

    def signature(_: RunContext, t: rules.Target, __: rules.Request) -> r.DocumentsOptions:
        if t.occupation is not None:
            return r.DocumentsOptions(kind="conventions", occupation=t.occupation, send=True)
        return r.DocumentsOptions(kind="charte", member=t.member, send=True)

    def invoices(send: bool) -> Options:
        return lambda _, __, ___: r.InvoicesOptions(pdf=True, send=send)

    def erase(_: RunContext, t: rules.Target, __: rules.Request) -> r.PersonalDataOptions:
        return r.PersonalDataOptions("effacer", member=t.member, email=t.email, confirm=t.confirm)

    register("synchroniser maintenant", r.sync)
    register("préparer le classeur", r.preparer)
    register("importer les paiements", r.payments_inbox, link=lambda d: d.link)
    register("prévisualiser les relances", r.renewals_preview)
    register("envoyer pour signature", r.docs, rules.SIGNABLE, signature)
    register("produire le rapport", run_report, rules.YEAR, report(False), lambda d: d.report.link)
    register("envoyer le rapport au conseil", run_report, rules.YEAR, report(True), lambda d: d.report.link)
    register("effacer les données", r.donnees, rules.PERSON, erase)
    register("produire les factures", r.factures, options=invoices(send=False), link=invoices_link)
    register("envoyer les factures", r.factures, options=invoices(send=True), link=invoices_link)
    register("activer les envois", r.envois, options=lambda _, __, q: r.SendingOptions(on=True, by=q.by))
    register("suspendre les envois", r.envois, options=lambda _, __, q: r.SendingOptions(on=False, by=q.by))
