"""What the daily summary lists (``mila resume``): the points of the workbook that need a person.

Each :class:`Item` says what and where (tab, row, ID) and what to do, in French, and has a
stable :attr:`Item.key` (its section, its tab, its ID or row, its sentence): the summary is
sent only when a key appears that the last one did not hold (:mod:`.digest`).

The sections, in the order staff read them:

- errors written in an ``Anomalies`` column, grouped by tab: every tab that has one (the
  contract's tabs, ``Paiements``, form responses tabs); a sentence that ``mila synchroniser`` would
  write as a warning (:func:`~.evaluation.evaluate`) is left out;
- form answers that could not be taken in (:func:`.forms.pending_items`);
- membership requests to complete: ``Membres`` rows whose anomaly says ``Catégorie`` or
  ``Forfait`` is missing;
- payments not matched to a member: ``Paiements`` rows with no ``Membre`` and an anomaly;
- reminders ``à vérifier`` in ``Relances`` (maybe sent: a person checks);
- reminders too old to go out on their own (name, e-mail, amount);
- personal data kept past its period (``[donnees] conservation_annees``): leavers by ID,
  form respondents who never joined by tab and row, never their data;
- with billing on: each member whose invoices past their due date are not fully paid, with
  its balance (invoiced − paid, from ``Factures``);
- job failures: ``Journal`` lines ``échec`` since the last summary.
- job failures: ``Journal`` lines ``échec`` since the last summary;
- in the month before the general assembly (``[digest] assemblee_generale``), the texts of
  the annual report still to write: ``Textes`` rows with a ``Consigne`` and no ``Texte``
  (:mod:`..rules.texts`), or the prompts ``mila preparer`` has not added yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .. import outbox, schema
from ..formatting import format_date, format_money
from ..model.anomalies import CELL_SEPARATOR
from ..model.invoices import Invoice
from ..model.parsing import parse_table
from ..model.rows import JournalEntry, Text
from ..rules import outbox as rules
from ..rules import receivables
from ..rules import renewals as renewal_rules
from ..rules.membership import MembershipPolicy
from ..rules.retention import due_for_erasure
from ..rules.texts import Assembly, empty_prompts, in_reminder_window, missing_prompt_rows, report_year
from ..runner import FAILURE, job_name
from ..settings import BookingPolicy, FormsSettings, RenewalSettings
from ..text import fold
from ..workbook import Table
from .evaluation import Evaluation, evaluate
from .forms import pending_items

ERRORS = "erreurs"
ANSWERS = "reponses"
REQUESTS = "adhesions"
PAYMENTS = "paiements"
TO_CHECK = "a_verifier"
LATE = "trop_anciennes"
BALANCES = "soldes"
FAILURES = "echecs"
RETENTION = "donnees"
TEXTS = "textes"

# Section -> (title, what to do, where to see the lines not shown), in the order of the message.
SECTIONS: dict[str, tuple[str, str, str]] = {
    ERRORS: (
        "Erreurs dans le classeur",
        "Corrigez la case dont parle chaque phrase (colonne « Anomalies » de la ligne) ; "
        "la phrase disparaît à la synchronisation suivante.",
        "voir la colonne « Anomalies » de l'onglet {onglet}",
    ),
    ANSWERS: (
        "Réponses aux formulaires à reprendre",
        "Chaque réponse n'a pas pu être rattachée à un membre ou à un événement : corrigez ce que "
        "dit la phrase (colonne « Anomalies » de l'onglet des réponses) ; la réponse est reprise "
        "à la synchronisation suivante.",
        "voir la colonne « Anomalies » de l'onglet {onglet}",
    ),
    REQUESTS: (
        "Demandes d'adhésion à compléter",
        "Dans l'onglet Membres, choisissez « Catégorie » et « Forfait » de chaque ligne : "
        "la cotisation se calcule ensuite.",
        "voir la colonne « Anomalies » de l'onglet {onglet}",
    ),
    PAYMENTS: (
        "Paiements sans membre",
        "Dans l'onglet Paiements, saisissez l'ID du membre dans « Membre » (ou laissez vide "
        "si ce n'est pas une cotisation).",
        "voir les lignes sans « Membre » de l'onglet {onglet}",
    ),
    TO_CHECK: (
        "Relances à vérifier (peut-être parties)",
        "Cherchez le message parmi les envoyés (son Message-ID est sur la ligne de Relances), puis "
        "ajoutez une ligne « envoyée » ou « à renvoyer » (docs/mail.md, « Une relance reste à vérifier »).",
        "voir les lignes « à vérifier » de l'onglet {onglet}",
    ),
    LATE: (
        "Relances trop anciennes pour partir seules",
        "Relancez ces membres vous-même, ou indiquez leur « Sortie le » dans l'onglet Membres.",
        "la liste complète : ajoutez la demande « prévisualiser les relances » dans l'onglet Demandes",
    ),
    RETENTION: (
        "Données personnelles à effacer (durée de conservation passée)",
        "Ces personnes sont sorties, ou n'ont jamais adhéré, depuis plus de [donnees] "
        "conservation_annees ans : dans l'onglet Demandes, ajoutez pour chacune la demande "
        "« effacer les données » avec la Cible indiquée ; les pièces comptables sont conservées "
        "(docs/donnees-personnelles.md).",
        "voir les « Sortie le » de l'onglet {onglet}",
    ),
    BALANCES: (
        "Factures échues impayées (solde de chaque membre)",
        "Le solde est ce qui reste dû sur les factures du membre (facturé moins payé, colonne "
        "« Reste dû » de l'onglet Factures) ; les relances J+15 et J+30 partent seules, relancez au-delà.",
        "voir l'onglet {onglet}, colonnes « Reste dû » et « Échéance »",
    ),
    FAILURES: (
        "Tâches en échec",
        "Lisez le détail et corrigez dans le classeur ce qu'il nomme ; si l'échec revient, "
        "prévenez la personne qui a installé mila (docs/deploiement.md, « Suivre ce qui se passe »).",
        "voir les lignes « échec » de l'onglet {onglet}",
    ),
    TEXTS: (
        "Textes du rapport d'activité à écrire avant l'assemblée générale",
        "Dans l'onglet Textes, écrivez dans « Texte » ce que demande la « Consigne » de chaque ligne "
        "(ou laissez-la vide pour que le rapport n'ait pas cette partie), puis ajoutez dans "
        "l'onglet Demandes la demande « produire le rapport » avec l'année en Cible.",
        "voir les lignes sans « Texte » de l'onglet {onglet}",
    ),
}

_MISSING = re.compile(r"\b(manquant|manquante|complete[zr]|vide)\b")
_CHOICE = re.compile(r"\b(categorie|forfait)\b")


@dataclass(frozen=True)
class Item:
    """One point of the summary: where it is and what it says."""

    section: str
    tab: str | None  # the workbook's title of the tab
    row: int | None
    ref: str | None  # the row's ID, a member's ID, a job's name
    text: str  # one French line, without the place

    @property
    def place(self) -> str:
        """« ligne 53 (M0052) », « ligne 4 », or the ID alone."""
        if self.row is None:
            return self.ref or ""
        return f"ligne {self.row}" + (f" ({self.ref})" if self.ref else "")

    @property
    def line(self) -> str:
        """The line as staff read it: the place, then the sentence."""
        return f"{self.place} : {self.text}" if self.place else self.text

    @property
    def key(self) -> str:
        """A short fingerprint, stable while the point stays: its ID rather than its row
        when it has one (rows move when lines are inserted above)."""
        where = self.ref if self.ref else str(self.row)
        raw = "\x1f".join((self.section, fold(self.tab or ""), where, " ".join(self.text.split())))
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:10]


def sheet_items(tables: Mapping[str, Table], evaluation: Evaluation) -> list[Item]:
    """The errors, membership requests and payments without member written in the sheet."""
    warnings: dict[tuple[str, int], set[str]] = {}
    for anomaly in evaluation.anomalies.warnings:
        if anomaly.row is not None:
            key = (schema.normalize_header(anomaly.tab), anomaly.row)
            warnings.setdefault(key, set()).add(anomaly.message.strip())
    members = schema.normalize_header(schema.MEMBRES.name)
    payments = schema.normalize_header(schema.PAIEMENTS.name)
    found: list[Item] = []
    for name, table in tables.items():
        if not table.has("Anomalies") or (table.schema is not None and table.schema.job_owned):
            continue
        tab = schema.normalize_header(table.schema.name if table.schema else name)
        for row in table.rows:
            cell = row.get("Anomalies")
            if cell is None or not str(cell).strip():
                continue
            sentences = [s.strip() for s in str(cell).split(CELL_SEPARATOR) if s.strip()]
            ref = row.id
            if tab == payments and _blank(row.get("Membre")):
                found.append(Item(PAYMENTS, table.title, row.number, ref, _payment(row, sentences)))
                continue
            asks = [s for s in sentences if tab == members and _asks_for_category(s)]
            if asks:
                found.append(Item(REQUESTS, table.title, row.number, ref, _request(row, asks)))
            for sentence in sentences:
                if sentence not in asks and sentence not in warnings.get((tab, row.number), ()):
                    found.append(Item(ERRORS, table.title, row.number, ref, sentence))
    return found


def answer_items(tables: Mapping[str, Table], forms: FormsSettings | None) -> list[Item]:
    """The form answers left unprocessed with an anomaly (the membership requests to
    complete are read from ``Membres``, with the other requests)."""
    members = tables.get(schema.MEMBRES.name)
    members_title = members.title if members is not None else schema.MEMBRES.name
    return [
        Item(ANSWERS, pending.tab, pending.row, None, f"{pending.who} — {pending.what}")
        for pending in pending_items(tables, forms)
        if pending.tab != members_title
    ]


def _blank(value: object) -> bool:
    return value is None or not str(value).strip()


def _asks_for_category(sentence: str) -> bool:
    folded = fold(sentence)
    return bool(_CHOICE.search(folded) and _MISSING.search(folded))


def _who(row: object, *columns: str) -> str:
    values = [str(v).strip() for c in columns if not _blank(v := row.get(c))]  # type: ignore[attr-defined]
    return ", ".join(values)


def _request(row: object, sentences: Sequence[str]) -> str:
    who = _who(row, "Structure", "Contact", "Email")
    said = " ".join(sentences)
    return f"{who} — {said}" if who else said


def _payment(row: object, sentences: Sequence[str]) -> str:
    amount = row.get("Montant")  # type: ignore[attr-defined]
    shown = format_money(amount) if isinstance(amount, int | float) else (str(amount) if amount else "")
    payer = _who(row, "Payeur")
    head = " de ".join(part for part in (shown, payer) if part)
    return f"{head} — {' '.join(sentences)}" if head else " ".join(sentences)


def reminder_items(
    tables: Mapping[str, Table],
    evaluation: Evaluation,
    today: dt.date,
    policy: MembershipPolicy,
    renewals: RenewalSettings,
) -> list[Item]:
    """The reminders ``à vérifier`` in Relances, and those too old to be sent automatically."""
    relances_table = tables.get(schema.RELANCES.name)
    entries = outbox.entries(relances_table, today)
    histories = rules.build_histories(entries)
    title = relances_table.title if relances_table is not None else schema.RELANCES.name
    found: list[Item] = []
    for history in histories.values():
        if history.state is not rules.State.IN_DOUBT:
            continue
        for attempt in history.in_doubt:
            entry = next((e for e in entries if e.row == attempt.row), None)
            what = entry.reminder if entry is not None else "relance"
            who = entry.member_id if entry is not None else None
            to = f" à {attempt.address}" if attempt.address else ""
            sent = f", Message-ID {attempt.message_id}" if attempt.message_id else ""
            found.append(Item(TO_CHECK, title, attempt.row, who, f"{what}{to}{sent}"))
    dataset = evaluation.dataset
    members_title = dataset.titles.get(schema.MEMBRES.name, schema.MEMBRES.name)
    late: list[tuple[dt.date, Item]] = []
    # The statuses and due dates of the run's one evaluation, as the reminders see them.
    for member, computation in zip(dataset.members, evaluation.computations, strict=True):
        decision = renewal_rules.decide(member, computation, today, renewals.schedule, histories)
        if not isinstance(decision, renewal_rules.Skip) or not decision.late or decision.due is None:
            continue
        due = decision.due
        name = member.structure or member.contact or ""
        if member.contact and member.contact != name:
            name += f" ({member.contact})"
        address = f"<{member.email}>" if member.email else "sans adresse e-mail"
        fee = computation.fee
        amount = f"cotisation {format_money(fee.ttc)}" if fee is not None else "montant inconnu"
        text = f"{name} {address}, {amount} — {due.label} prévue le {format_date(due.send_on)}"
        late.append((due.send_on, Item(LATE, members_title, member.row, member.id, text.strip())))
    # The most recent first: the members most likely to renew still
    found += [item for _, item in sorted(late, key=lambda pair: pair[0], reverse=True)]
    return found


def retention_items(
    tables: Mapping[str, Table],
    evaluation: Evaluation,
    today: dt.date,
    years: int,
    forms: FormsSettings | None,
) -> list[Item]:
    """The people whose data is due for erasure: IDs and rows, none of their data."""
    members = [
        (m.id, m.row, m.left_on, (m.contact or "") == schema.ERASED) for m in evaluation.dataset.members
    ]
    found = []
    for due in due_for_erasure(tables, members, today, years, forms):
        if due.member_id is not None:
            text = (
                f"sorti le {format_date(due.since)}, données à effacer depuis le {format_date(due.until)} : "
                f"demande « effacer les données », Cible {due.member_id}"
            )
        else:
            text = (
                f"réponse du {format_date(due.since)} d'une personne qui n'a pas adhéré, à effacer depuis le "
                f"{format_date(due.until)} : demande « effacer les données », Cible : l'adresse de la ligne"
            )
        found.append(Item(RETENTION, due.title, due.row, due.member_id, text))
    return found


def failure_items(journal: Sequence[JournalEntry], title: str, since: dt.datetime | None) -> list[Item]:
    """The Journal lines ``échec`` written after ``since`` (all of them when None)."""
    found = []
    for entry in journal:
        if (entry.result or "").strip().casefold() != FAILURE:
            continue
        at = _moment(entry.at)
        if since is not None and (at is None or at <= since):
            continue
        when = f"le {at:%d/%m/%Y à %H:%M}, " if at is not None else ""
        found.append(
            Item(FAILURES, title, entry.row, job_name(entry.task), f"{when}{entry.details or 'sans détail'}")
        )
    return found


def text_items(texts: Sequence[Text], title: str, today: dt.date, assembly: Assembly) -> list[Item]:
    """In the month before the general assembly: the report's prompt rows still empty, and
    the prompts not in the tab yet (``mila preparer`` adds them)."""
    if not in_reminder_window(today, assembly):
        return []
    year = report_year(today, assembly)
    found = []
    for text in empty_prompts(texts, year):
        where = f"{text.section or ''} « {text.title} »" if text.title else (text.section or "")
        found.append(Item(TEXTS, title, text.row, None, f"rapport {year}, {where.strip()} : {text.prompt}"))
    for row in missing_prompt_rows(texts, year):
        where = f"{row['Section']} « {row['Titre']} »" if row["Titre"] else str(row["Section"])
        found.append(
            Item(
                TEXTS,
                title,
                None,
                None,
                f"rapport {year}, {where} : {row['Consigne']} "
                "(ligne à ajouter : demande « préparer le classeur » dans l'onglet Demandes)",
            )
        )
    return found


def balance_items(
    tables: Mapping[str, Table], today: dt.date, invoices: Sequence[Invoice] | None = None
) -> list[Item]:
    """Each member whose invoices past their due date are not fully paid, with its balance.
    ``invoices``: the run's reading of ``Factures`` (``WorkbookState.invoices``), read here
    from ``tables`` when not given."""
    table = next((t for t in tables.values() if t.schema is schema.FACTURES), None)
    if table is None:
        return []
    if invoices is None:
        models, _ = parse_table(table, today=today, tab=schema.FACTURES)
        invoices = [m for m in models if isinstance(m, Invoice)]
    items = []
    for balance in receivables.balances(invoices, today):
        if balance.overdue <= 0:
            continue
        numbers = ", ".join(balance.numbers)
        since = f", échue depuis le {format_date(balance.oldest)}" if balance.oldest else ""
        text = (
            f"{balance.name} doit {format_money(balance.overdue)} TTC échus ({numbers}{since}) ; "
            f"solde total {format_money(balance.due)} TTC"
        )
        items.append(Item(BALANCES, table.title, None, balance.member_id, text))
    return items


def _moment(value: dt.date | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime.combine(value, dt.time())


def collect(
    tables: Mapping[str, Table],
    today: dt.date,
    policy: MembershipPolicy,
    bookings: BookingPolicy,
    renewals: RenewalSettings,
    since: dt.datetime | None,
    forms: FormsSettings | None = None,
    evaluation: Evaluation | None = None,
    retention_years: int | None = None,
    assembly: Assembly = None,
    invoices: Sequence[Invoice] | None = None,
) -> list[Item]:
    """Every point of the summary, section by section (``evaluation``: the run's one
    evaluation of ``tables``, made now when not given; ``invoices``: its reading of
    ``Factures``, likewise)."""
    if evaluation is None:
        evaluation = evaluate(tables, today, policy, booking_policy=bookings)
    journal_title = evaluation.dataset.titles.get(schema.JOURNAL.name, schema.JOURNAL.name)
    items = sheet_items(tables, evaluation)
    items += answer_items(tables, forms)
    items += reminder_items(tables, evaluation, today, policy, renewals)
    if retention_years is not None:
        items += retention_items(tables, evaluation, today, retention_years, forms)
    items += balance_items(tables, today, invoices)
    items += failure_items(evaluation.dataset.journal, journal_title, since)
    texts_title = evaluation.dataset.titles.get(schema.TEXTES.name, schema.TEXTES.name)
    items += text_items(evaluation.dataset.texts, texts_title, today, assembly)
    order = list(SECTIONS)
    return sorted(items, key=lambda item: order.index(item.section))
