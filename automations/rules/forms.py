"""Google Forms answers read from a responses tab and turned into rows (pure, no I/O).

A responses tab is what Google Forms writes: a first column « Horodateur » (the moment of
the answer), one column per question titled with the question, one row per answer, and the
two columns the jobs own, ``Traitée le (calc.)`` and ``Anomalies (calc.)``. An answer is
identified by its timestamp and its e-mail (:attr:`Answer.key`): a row whose
``Traitée le`` is filled was processed; an answer whose key is that of a row processed
before is a duplicate.

- :func:`plan_registrations`: each new answer of the event registration form becomes an
  ``Inscriptions`` row (member found by e-mail, SIRET or name; event by its ID or label);
- :func:`plan_requests`: each new answer of the membership form becomes a ``Membres`` row
  without category nor forfait, for the staff to complete;
- :func:`request_anomalies`: the ``Membres`` rows such a request created and the staff have
  not completed yet, each with its French sentence;

An answer that cannot be matched gets its anomaly and no ``Traitée le``: it is read again
by the next run (once the staff have added the member, say). A duplicate is marked
processed with an anomaly saying so, and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .. import schema
from ..formatting import format_date, format_datetime
from ..model.anomalies import Anomaly, Severity
from ..model.dataset import Dataset
from ..model.rows import Event, Member, id_key
from ..model.values import parse_datetime
from ..text import fold
from ..workbook.table import Row, Table, is_blank
from .matching import Clue, MemberIndex

DONE = "Traitée le (calc.)"
ANOMALIES = "Anomalies (calc.)"
DONE_KEY = schema.normalize_header(DONE)
ANOMALIES_KEY = schema.normalize_header(ANOMALIES)
# Also read without the suffix, should the staff have shortened the header.
DONE_KEYS = (DONE_KEY, schema.normalize_header("Traitée le"))
ANOMALIES_KEYS = (ANOMALIES_KEY, schema.normalize_header("Anomalies"))

REGISTRATIONS = "inscriptions"
REQUESTS = "adhesions"
HOLDING = ("inscrit", "présent")  # a registration that counts (not « annulé », « absent » neither)
_EVENT_ID = re.compile(r"^\s*(e\s*-?\s*\d{1,6})(?!\d)", re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
_WORDS = re.compile(r"[^a-z0-9]+")
_EVENT_CUTOFF = 90.0

AnswerKey = tuple[str, str]
ANSWER_LIMIT = 1_000  # characters of an answer taken in (names, structure, event asked for)
ROW = "\x00"  # where a row number goes in an anomaly's template (never in a cell's text)


@dataclass(frozen=True)
class Answer:
    """One answer of a form: its row, timestamp, e-mail and answers by field name."""

    row: int
    stamp: dt.datetime | None
    stamp_text: str
    values: Mapping[str, str]
    done: bool  # « Traitée le » is filled
    anomaly: str | None  # « Anomalies » as read
    cut: tuple[str, ...] = ()  # fields whose answer was longer than ANSWER_LIMIT, cut

    def cut_note(self) -> str | None:
        """The anomaly of an answer taken in with a text cut to fit."""
        if not self.cut:
            return None
        named = ", ".join(f"« {n} »" for n in self.cut)
        return (
            f"Réponse trop longue ({named}) : seuls les {ANSWER_LIMIT} premiers caractères ont été "
            "repris. Vérifiez la ligne créée."
        )

    @property
    def email(self) -> str | None:
        return self.values.get("email") or None

    @property
    def key(self) -> AnswerKey:
        return (self.stamp.isoformat() if self.stamp else self.stamp_text, fold(self.email or ""))

    @property
    def who(self) -> str:
        """The person as the answer names them, for messages."""
        return (
            self.values.get("structure")
            or self.values.get("contact")
            or self.email
            or f"réponse du {self.stamp_text}"
        )


@dataclass(frozen=True)
class FormTab:
    """A responses tab as read: its title, the question found for each field, its answers."""

    kind: str  # REGISTRATIONS or REQUESTS
    title: str
    columns: Mapping[str, str]  # field -> header key
    answers: Sequence[Answer]
    has_done: bool  # the two job columns are already there
    has_anomalies: bool

    def missing(self, fields: Iterable[str]) -> list[str]:
        return [f for f in fields if f not in self.columns]


@dataclass(frozen=True)
class Decision:
    """What becomes of one answer: a row to append (``values``), or an anomaly; ``done``
    says whether it is marked processed (an unmatched answer is not: it is read again)."""

    answer: Answer
    done: bool
    anomaly: str | None = None
    values: dict[str, object] | None = None  # the row to append, without its ID
    duplicate: bool = False
    member_id: str | None = None
    event_id: str | None = None
    # The anomaly names another answer by its row (« Réponse en double de la ligne 2 »): that
    # answer's key and row when planned, and the text with ROW where the row goes, so that the
    # text written names the row as it stands then (the staff may have sorted the tab).
    refers: tuple[AnswerKey, int] | None = None
    template: str | None = None

    def anomaly_at(self, row: int | None) -> str | None:
        """The anomaly naming ``row`` for the answer it refers to (None: the row when planned)."""
        if self.template is None or self.refers is None:
            return self.anomaly
        return self.template.replace(ROW, str(row if row is not None else self.refers[1]))


@dataclass
class Plan:
    """The decisions of one tab, in the order of its rows (only the answers to act on)."""

    tab: FormTab
    decisions: list[Decision] = field(default_factory=list)

    @property
    def rows(self) -> list[Decision]:
        return [d for d in self.decisions if d.values is not None]


# --------------------------------------------------------------------------- reading


def find_tab(tables: Mapping[str, Table], name: str) -> Table | None:
    """The responses tab named ``name`` (matched like headers), if the workbook has one."""
    wanted = schema.normalize_header(name)
    return next((t for t in tables.values() if schema.normalize_header(t.title) == wanted), None)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _stamp(value: object) -> dt.datetime | None:
    try:
        parsed = parse_datetime(value)
    except (ValueError, TypeError):
        return None
    if isinstance(parsed, dt.datetime):
        return parsed.replace(microsecond=0)
    return dt.datetime.combine(parsed, dt.time())


def read_form(kind: str, table: Table, questions: Mapping[str, tuple[str, ...]]) -> FormTab:
    """The answers of a responses tab; each field read from the first of its titles found."""
    columns: dict[str, str] = {}
    for name, titles in questions.items():
        for title in titles:
            key = schema.normalize_header(title)
            if key in table.columns and key not in columns.values():
                columns[name] = key
                break
    done_key = next((k for k in DONE_KEYS if k in table.columns), None)
    anomalies_key = next((k for k in ANOMALIES_KEYS if k in table.columns), None)
    answers = []
    for row in table.rows:
        values = {name: _text(row.cells.get(key)) for name, key in columns.items() if name != "horodateur"}
        # A text pasted into a form can be huge: cut (the e-mail, part of the answer's key, is not).
        cut = tuple(n for n, v in values.items() if n != "email" and len(v) > ANSWER_LIMIT)
        values.update({n: values[n][:ANSWER_LIMIT].rstrip() for n in cut})
        raw_stamp = row.cells.get(columns["horodateur"]) if "horodateur" in columns else None
        if not any(values.values()) and is_blank(raw_stamp):
            continue  # only the jobs' columns are filled: not an answer
        stamp = _stamp(raw_stamp)
        anomaly = row.cells.get(anomalies_key) if anomalies_key else None
        answers.append(
            Answer(
                row=row.number,
                stamp=stamp,
                stamp_text=format_datetime(stamp) if stamp else _text(raw_stamp),
                values=values,
                done=done_key is not None and not is_blank(row.cells.get(done_key)),
                anomaly=_text(anomaly) or None,
                cut=cut,
            )
        )
    return FormTab(kind, table.title, columns, answers, done_key is not None, anomalies_key is not None)


def row_key(row: Row, tab: FormTab) -> AnswerKey:
    """The key of a row of ``tab`` read again (to find an answer after the staff sorted)."""
    stamp_key = tab.columns.get("horodateur")
    raw = row.cells.get(stamp_key) if stamp_key else None
    stamp = _stamp(raw)
    email_key = tab.columns.get("email")
    email = _text(row.cells.get(email_key)) if email_key else ""
    return (stamp.isoformat() if stamp else _text(raw), fold(email))


# --------------------------------------------------------------------------- matching


def find_event(text: str, events: Sequence[Event]) -> tuple[Event | None, str | None]:
    """The event an answer names: by its ID (« E042 », « E042 – Club MILA du 14/01/2025 »),
    or by its title (or type) and date. ``(None, French reason)`` when none or several."""
    found = _EVENT_ID.match(text)
    if found:
        key = id_key(re.sub(r"[\s-]", "", found.group(1)))
        event = next((e for e in events if id_key(e.id) == key), None)
        if event is not None:
            return event, None
        return None, f"l'événement {found.group(1).upper()} n'existe pas dans l'onglet Événements"
    day = _date_in(text)
    words = _plain(_DATE.sub(" ", text))
    dated = [e for e in events if e.id and (day is None or e.date == day)]
    exact = [e for e in dated if words and words in {_plain(e.title), _plain(e.type)}]
    if not exact and words:
        from rapidfuzz import fuzz, process  # only a form answer naming its event loosely needs it

        labels = {i: _plain(e.title) for i, e in enumerate(dated) if e.title}
        scored = process.extract(words, labels, scorer=fuzz.token_set_ratio, score_cutoff=_EVENT_CUTOFF)
        if scored:
            best = max(s for _, s, _ in scored)
            exact = [dated[i] for _, s, i in scored if s == best]
    if len(exact) == 1:
        return exact[0], None
    if len(exact) > 1:
        listed = ", ".join(f"{e.id} du {format_date(e.date)}" if e.date else str(e.id) for e in exact[:5])
        return None, f"plusieurs événements répondent à « {text} » ({listed})"
    return None, f"aucun événement ne répond à « {text} »"


def _date_in(text: str) -> dt.date | None:
    found = _DATE.search(text)
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        return dt.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def _plain(text: str | None) -> str:
    words = [w for w in _WORDS.split(fold(text or "")) if w and w not in {"du", "le", "la", "les", "de"}]
    return " ".join(words)


def _clue(answer: Answer) -> Clue:
    values = answer.values
    names = tuple(n for n in (values.get("structure"), values.get("contact")) if n)
    return Clue(text=values.get("siret", ""), email=answer.email, names=names)


def _unmatched_member(answer: Answer, candidates: Sequence[str]) -> str:
    if candidates:
        return (
            f"Réponse du {answer.stamp_text} : plusieurs membres possibles ({', '.join(candidates[:5])}). "
            "Ajoutez vous-même la ligne dans Inscriptions avec le bon membre, puis écrivez la date "
            "dans « Traitée le » de cette réponse."
        )
    shown = answer.email or answer.who
    return (
        f"Réponse du {answer.stamp_text} : aucun membre reconnu ({shown}). Corrigez l'e-mail du "
        "membre dans Membres (ou ajoutez le membre) : la réponse sera relue au prochain passage."
    )


# --------------------------------------------------------------------------- planning


def _seen_keys(tab: FormTab) -> dict[AnswerKey, int]:
    """The keys of the answers already processed, with their row."""
    seen: dict[AnswerKey, int] = {}
    for answer in tab.answers:
        if answer.done:
            seen.setdefault(answer.key, answer.row)
    return seen


def _duplicate(answer: Answer, row: int) -> Decision:
    template = (
        f"Réponse en double de la ligne {ROW} (même horodatage, même e-mail) : rien n'a été "
        "ajouté. Rien à faire."
    )
    return _referring(Decision(answer, done=True, duplicate=True), template, (answer.key, row))


def _referring(decision: Decision, template: str, refers: tuple[AnswerKey, int]) -> Decision:
    """``decision`` with an anomaly that names the row of the answer ``refers`` to."""
    return replace(
        decision,
        anomaly=template.replace(ROW, str(refers[1])),
        template=template,
        refers=refers,
    )


def plan_registrations(tab: FormTab, dataset: Dataset) -> Plan:
    """An ``Inscriptions`` row for each new answer whose member and event are found."""
    plan = Plan(tab)
    seen = _seen_keys(tab)
    fresh = [a for a in tab.answers if not a.done]
    if not fresh:
        return plan
    missing = tab.missing(["horodateur", "evenement"])
    if missing or not ({"email", "structure", "contact", "siret"} & set(tab.columns)):
        return plan  # the job reports the missing questions once, for the whole tab
    matches = MemberIndex(dataset.members).match_many([_clue(a) for a in fresh])
    held: dict[tuple[str | None, str | None], str | Answer] = {
        (id_key(r.member_id), id_key(r.event_id)): r.id or f"ligne {r.row}"
        for r in dataset.registrations
        if r.status in HOLDING
    }
    events = list(dataset.events)
    for answer, match in zip(fresh, matches, strict=True):
        if answer.key in seen:
            plan.decisions.append(_duplicate(answer, seen[answer.key]))
            continue
        problems = []
        if answer.stamp is None:
            problems.append(
                f"Horodateur illisible (« {answer.stamp_text} ») : saisissez la date et l'heure de la "
                "réponse, par exemple 30/11/2026 14:03:12."
            )
        if match.member_id is None:
            problems.append(_unmatched_member(answer, match.candidates))
        wanted = answer.values.get("evenement", "")
        event, why = find_event(wanted, events) if wanted else (None, "la question « Événement » est vide")
        if event is None:
            problems.append(
                f"Réponse du {answer.stamp_text} : {why}. Corrigez la réponse en y mettant l'ID de "
                "l'événement (E042), ou ajoutez vous-même la ligne dans Inscriptions."
            )
        if problems:
            plan.decisions.append(Decision(answer, done=False, anomaly="\n".join(problems)))
            continue
        assert event is not None and match.member_id is not None
        pair = (id_key(match.member_id), id_key(event.id))
        if pair in held:
            where = held[pair]
            said = f"réponse ligne {ROW}" if isinstance(where, Answer) else where
            template = (
                f"{match.member_id} est déjà inscrit à {event.id} ({said}) : rien n'a été ajouté. "
                "Rien à faire."
            )
            decision = Decision(
                answer, done=True, duplicate=True, member_id=match.member_id, event_id=event.id
            )
            if isinstance(where, Answer):
                decision = _referring(decision, template, (where.key, where.row))
            else:
                decision = replace(decision, anomaly=template)
            plan.decisions.append(decision)
            continue
        held[pair] = answer
        seen[answer.key] = answer.row
        values: dict[str, object] = {
            "Événement": event.id,
            "Membre": match.member_id,
            "Inscrit le": answer.stamp,
            "Statut": "inscrit",
        }
        plan.decisions.append(
            Decision(
                answer,
                done=True,
                anomaly=answer.cut_note(),
                values=values,
                member_id=match.member_id,
                event_id=event.id,
            )
        )
    return plan


def plan_requests(tab: FormTab, dataset: Dataset) -> Plan:
    """A ``Membres`` row for each new membership request (no fee yet: category and forfait
    as answered, often blank); an address or SIRET already a member's is not added twice."""
    plan = Plan(tab)
    seen = _seen_keys(tab)
    fresh = [a for a in tab.answers if not a.done]
    if not fresh or tab.missing(["horodateur", "email"]):
        return plan
    index = MemberIndex(dataset.members)
    for answer in fresh:
        if answer.key in seen:
            plan.decisions.append(_duplicate(answer, seen[answer.key]))
            continue
        values = answer.values
        email = answer.email or ""
        known = index.by_email.get(email.strip().casefold(), []) or index.by_siret.get(
            re.sub(r"\D", "", values.get("siret", "")) or "-", []
        )
        if known:
            member = index.members[known[0]]
            plan.decisions.append(
                Decision(
                    answer,
                    done=True,
                    duplicate=True,
                    member_id=member.id,
                    anomaly=(
                        f"Demande d'adhésion de {answer.who} : l'e-mail ou le SIRET est déjà celui du "
                        f"membre {member.id} ({member.structure}) ; rien n'a été ajouté. S'il s'agit "
                        "d'une autre structure, ajoutez-la vous-même dans Membres."
                    ),
                )
            )
            continue
        if answer.stamp is None or not email:
            plan.decisions.append(
                Decision(
                    answer,
                    done=False,
                    anomaly=(
                        f"Demande d'adhésion de {answer.who} : horodateur ou e-mail illisible ; corrigez "
                        "la réponse, elle sera relue au prochain passage."
                    ),
                )
            )
            continue
        seen[answer.key] = answer.row
        row: dict[str, object] = {
            "Structure": values.get("structure") or values.get("contact") or None,
            "Contact": values.get("contact") or None,
            "Email": email,
            "Téléphone": values.get("telephone") or None,
            "SIRET": values.get("siret") or None,
            "Catégorie": values.get("categorie") or None,
            "Forfait": values.get("forfait") or None,
            "Adhésion le": answer.stamp.date(),
            "Forme juridique": values.get("forme_juridique") or None,
            "Adresse": values.get("adresse") or None,
        }
        plan.decisions.append(Decision(answer, done=True, anomaly=answer.cut_note(), values=row))
    return plan


# --------------------------------------------------------------------------- what the staff see


def request_anomalies(tab: FormTab, members: Sequence[Member]) -> list[Anomaly]:
    """For each ``Membres`` row a processed membership request created (same e-mail,
    ``Adhésion le`` on the answer's day) and still without category (or a beneficiary
    without forfait): the sentence telling the staff to complete it."""
    requested: dict[tuple[str, dt.date], Answer] = {}
    for read in tab.answers:
        if read.done and read.stamp is not None and read.email:
            requested.setdefault((read.email.strip().casefold(), read.stamp.date()), read)
    found = []
    for member in members:
        if not member.email or member.joined_on is None:
            continue
        answer = requested.get((member.email.strip().casefold(), member.joined_on))
        if answer is None or "category" in member.unreadable:
            continue
        if member.category is None:
            todo = "complétez Catégorie et Forfait"
        elif member.category == "bénéficiaire" and member.forfait is None:
            todo = "complétez Forfait"
        else:
            continue
        when = format_date(answer.stamp.date()) if answer.stamp else answer.stamp_text
        found.append(
            Anomaly(
                schema.MEMBRES.name,
                member.row,
                member.id,
                "Catégorie",
                Severity.WARNING,
                f"Demande d'adhésion reçue par formulaire le {when} ({tab.title}, ligne {answer.row}) : "
                f"{todo}, puis saisissez le paiement de la cotisation à sa réception.",
            )
        )
    return found
