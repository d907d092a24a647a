"""`mila donnees exporter` and `mila donnees effacer`: a person's requests about their data
(RGPD articles 15 and 17), from the rules of :mod:`automations.rules.personal_data` and
:mod:`automations.rules.retention`.

The export writes one zip: a French summary (Word) and one CSV per tab where they appear,
with the list of their files on disk and in Drive. The erasure blanks or pseudonymises
their personal cells in one write (the tabs read whole just before, under the lock, with
the Journal line in the same request), then deletes their files that are not accounting
records. Neither the Journal line nor the local log holds any of the erased data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import schema
from ..documents.personal_files import PersonFile, delete, files_about
from ..errors import MilaError, OutputError, PersonalDataError
from ..formatting import format_date, format_money
from ..journal import JournalLine, line_cells, write_line
from ..rules import personal_data as rules
from ..rules.personal_data import Change, Found, Person, PersonNotFound
from ..rules.retention import refusal
from ..runner import NOTHING, SUCCESS, Outcome, job_name
from ..workbook import Table
from ..workbook.rewrite import rewrite_cells
from .context import RunContext

log = logging.getLogger(__name__)

KEPT_NOTICE = (
    "Conservé pour la comptabilité (10 ans, article L123-22 du Code de commerce) : le nom de la "
    "structure, les montants, dates et références des paiements, reçus et factures."
)


# --------------------------------------------------------------------------- finding


def _person(
    ctx: RunContext, tables: dict[str, Table] | None, member: str | None, email: str | None
) -> Person:
    try:
        return rules.find_person(
            tables if tables is not None else dict(ctx.state.tables),
            member_id=member,
            email=email,
            forms=ctx.settings.formulaires,
        )
    except PersonNotFound as exc:
        raise PersonalDataError(exc.message) from None


def _folders(ctx: RunContext) -> list[Path]:
    """The output folders of the settings: documents, e-mail previews."""
    folders = [ctx.settings.documents.out, ctx.settings.mail.preview]
    return list(dict.fromkeys(folders))


def _keys(person: Person, found: Sequence[Found]) -> set[str]:
    """The manifest keys of the documents made for them: their charter, the conventions of
    their occupations, the receipts of their payments."""
    keys = {f"charte:{person.member_id}"} if person.member_id else set()
    for tab in found:
        name = tab.table.schema.name if tab.table.schema else None
        for row in tab.own:
            if name == schema.OCCUPATIONS.name and row.id:
                keys.add(f"convention:{row.id}")
            if name == schema.PAIEMENTS.name and (number := row.get("Reçu n°")):
                keys.add(f"recu:{str(number).strip()}")
    return keys


def _files(ctx: RunContext, person: Person, found: Sequence[Found]) -> list[PersonFile]:
    return files_about(_folders(ctx), keys=_keys(person, found), patterns=person.patterns())


# --------------------------------------------------------------------------- export


@dataclass
class ExportResult:
    person: str  # the ID, or « réponses aux formulaires »
    archive: Path
    tabs: dict[str, int] = field(default_factory=dict)  # tab title -> rows exported
    files: list[PersonFile] = field(default_factory=list)
    journal_error: str | None = None

    @property
    def journal_lost(self) -> bool:
        return False  # an export changes nothing: no Journal line is owed

    def outcome(self) -> Outcome:
        return Outcome(SUCCESS, f"export des données de {self.person} : {sum(self.tabs.values())} ligne(s)")

    def as_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "archive": str(self.archive),
            "tabs": dict(self.tabs),
            "files": [{"path": str(f.path), "kept": f.kept, "drive": list(f.drive)} for f in self.files],
        }

    def lines(self) -> list[str]:
        out = [f"Données de {self.person} exportées dans « {self.archive} » :"]
        for title, count in self.tabs.items():
            out.append(f"  {title} : {count} ligne(s)")
        if not self.tabs:
            out.append("  aucune ligne du classeur")
        out.append(f"  fichiers à son sujet (liste seulement) : {len(self.files)}")
        out.append(
            "Remettez cette archive à la personne par un moyen sûr (elle contient ses données), "
            "puis supprimez-la de ce poste."
        )
        return out


def run_export(ctx: RunContext, member: str | None, email: str | None, out: Path) -> ExportResult:
    """Everything held about the person, in one zip under ``out``: nothing about anyone else."""
    tables = dict(ctx.state.tables)
    person = _person(ctx, tables, member, email)
    found = [f for f in rules.rows_about(tables, person, ctx.settings.formulaires) if _exported(f)]
    files = _files(ctx, person, found)
    others = rules.others_of(tables, person, ctx.settings.formulaires).patterns()
    label = person.member_id or "formulaire"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Impossible de créer le dossier « {out} » : {exc.strerror}.") from exc
    archive = out / f"donnees-{label}-{ctx.today.isoformat()}.zip"
    result = ExportResult(person.member_id or "la personne de l'adresse donnée", archive)
    csvs: dict[str, bytes] = {}
    for tab in found:
        csvs[_csv_name(tab.title, set(csvs))] = _csv(tab, person, others)
        result.tabs[tab.title] = len(tab.rows)
    csvs[_csv_name("Fichiers", set(csvs))] = _files_csv(files)
    summary = _summary(ctx, person, found, files, others)
    try:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr(f"resume-{label}.docx", summary)
            for name, data in csvs.items():
                package.writestr(name, data)
    except OSError as exc:
        raise OutputError(f"Impossible d'écrire « {archive} » : {exc.strerror}.") from exc
    result.files = files
    log.info("personal data of %s exported: %d tab(s), %d file(s)", label, len(result.tabs), len(files))
    return result


def _exported(found: Found) -> bool:
    return found.data is None or found.data.export


def _csv_name(title: str, taken: set[str]) -> str:
    from ..documents.outputs import safe_part

    name = f"{safe_part(title)}.csv"
    n = 2
    while name in taken:
        name = f"{safe_part(title)}-{n}.csv"
        n += 1
    return name


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _columns(found: Found) -> list[tuple[str, str]]:
    """(header, key) of the tab's columns, in its order."""
    header = found.table.header
    return [(header[i - 1], key) for key, i in sorted(found.table.columns.items(), key=lambda kv: kv[1])]


def _csv(found: Found, person: Person, others: Sequence[re.Pattern[str]]) -> bytes:
    """The tab's rows about them, as Excel in French opens it (UTF-8 with BOM, « ; »)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    columns = _columns(found)
    writer.writerow(["Ligne", *(h for h, _ in columns)])
    for row in found.rows:
        cells = [_shown(rules.exported_value(row.cells.get(k), person, others)) for _, k in columns]
        writer.writerow([row.number, *cells])
    return buffer.getvalue().encode("utf-8-sig")


def _files_csv(files: Sequence[PersonFile]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Fichier", "Nature", "Conservation", "Copie dans Google Drive"])
    for f in files:
        kept = f"conservé : {f.kept}" if f.kept else "supprimé en cas d'effacement"
        writer.writerow([str(f.path), f.what, kept, " ".join(f.drive)])
    return buffer.getvalue().encode("utf-8-sig")


def _summary(
    ctx: RunContext,
    person: Person,
    found: Sequence[Found],
    files: Sequence[PersonFile],
    others: Sequence[re.Pattern[str]],
) -> bytes:
    """The French summary (Word): what is held, where, why, for how long, their rights."""
    from docx import Document

    settings = ctx.settings
    association = settings.mail.association
    contact = settings.donnees.contact or settings.mail.reply_to or settings.mail.sender
    years = settings.donnees.conservation_annees
    doc = Document()
    who = (
        f"du membre {person.member_id}"
        if person.member_id
        else "d'une personne ayant répondu à un formulaire"
    )
    doc.add_heading(f"Données personnelles {who}", level=1)
    doc.add_paragraph(
        f"Détenues par {association}, état au {format_date(ctx.today)}. Ce dossier répond à une "
        "demande d'accès (article 15 du RGPD) : il contient toutes les lignes du classeur de "
        "l'association où la personne apparaît (un fichier CSV par onglet), et la liste des "
        "documents la concernant. Les informations sur d'autres personnes en sont retirées."
    )
    doc.add_heading("Où elles sont et pourquoi", level=2)
    if not found:
        doc.add_paragraph("Aucune ligne du classeur ne la concerne.")
    for tab in found:
        doc.add_heading(f"Onglet « {tab.title} » — {len(tab.rows)} ligne(s)", level=3)
        doc.add_paragraph(_purpose(tab))
        columns = _columns(tab)
        for row in tab.rows:
            values = [(h, _shown(rules.exported_value(row.cells.get(k), person, others))) for h, k in columns]
            values = [(h, v) for h, v in values if v]
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            cells = table.add_row().cells
            cells[0].text, cells[1].text = "Ligne", str(row.number)
            for header, value in values:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = header, value
            doc.add_paragraph()
    doc.add_heading("Documents", level=2)
    if not files:
        doc.add_paragraph("Aucun document à son sujet dans les dossiers de l'association.")
    for f in files:
        kept = f" — conservé : {f.kept}" if f.kept else ""
        drive = f" — copie dans Google Drive : {', '.join(f.drive)}" if f.drive else ""
        doc.add_paragraph(f"{f.path.name} ({f.what}){kept}{drive}", style="List Bullet")
    doc.add_heading("Durée de conservation et droits", level=2)
    doc.add_paragraph(
        f"Les données d'un membre sont conservées pendant son adhésion puis {years} an(s) après sa "
        f"sortie ; celles d'une personne qui a répondu à un formulaire sans devenir membre, {years} "
        f"an(s) après sa dernière réponse. {KEPT_NOTICE}"
    )
    doc.add_paragraph(
        "Vous pouvez demander la rectification ou l'effacement de vos données, ou vous opposer à "
        f"leur traitement, en écrivant à {contact}. Vous pouvez aussi adresser une réclamation à "
        "la CNIL (www.cnil.fr)."
    )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


_PURPOSES = {
    "Membres": "Gestion des adhésions : contact, cotisations, relances, assemblée générale.",
    "Paiements": "Comptabilité : paiements reçus et reçus délivrés.",
    "Occupations": "Conventions de mise à disposition des locaux.",
    "Réservations": "Réservations des postes, de la salle de réunion et du studio.",
    "Inscriptions": "Inscriptions aux événements de l'association.",
    "Conseil": "Composition du conseil d'administration.",
    "Relances": "Suivi des e-mails envoyés (un envoi une seule fois).",
    "Journal": "Historique des opérations faites sur le classeur.",
}


def _purpose(found: Found) -> str:
    if found.form:
        return "Réponses à un formulaire de l'association (adhésion ou inscription)."
    name = found.table.schema.name if found.table.schema else None
    if name in _PURPOSES:
        return _PURPOSES[name]
    if found.data is None:
        return "Onglet tenu par l'équipe, où la personne est nommée."
    return "Lignes qui la mentionnent."


# --------------------------------------------------------------------------- erasure


@dataclass
class EraseResult:
    person: str
    dry_run: bool
    changes: list[Change] = field(default_factory=list)
    files: list[PersonFile] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    trashed: list[str] = field(default_factory=list)  # links of the Drive copies put in the trash
    drive_error: str | None = None  # why the other Drive copies are left (French)
    confirmed: str | None = None  # the reason overridden by --confirmer
    journal: bool = False
    journal_error: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.deleted)

    @property
    def journal_lost(self) -> bool:
        return self.journal_error is not None

    def outcome(self) -> Outcome:
        if not self.changes and not [f for f in self.files if f.kept is None]:
            return Outcome(NOTHING, f"données de {self.person} déjà effacées")
        return Outcome(SUCCESS, self.details())

    def details(self) -> str:
        """The Journal line's details: the ID and counts, none of the erased data."""
        tabs = sorted({c.title for c in self.changes})
        kept = [f for f in self.files if f.kept is not None]
        text = (
            f"Données personnelles de {self.person} effacées à sa demande : {len(self.changes)} case(s)"
            + (f" ({', '.join(tabs)})" if tabs else "")
            + f", {len([f for f in self.files if f.kept is None])} fichier(s) supprimé(s)"
        )
        if kept:
            text += f", {len(kept)} pièce(s) comptable(s) conservée(s)"
        if self.confirmed:
            text += " ; effacement confirmé par l'équipe (--confirmer) malgré le refus"
        return text + ". " + KEPT_NOTICE

    def as_dict(self) -> dict[str, object]:
        return {
            "person": self.person,
            "dry_run": self.dry_run,
            "changes": [
                {
                    "tab": c.title,
                    "row": c.row,
                    "column": c.column,
                    "before": _shown(c.before),
                    "after": _shown(c.after),
                }
                for c in self.changes
            ],
            "files": [{"path": str(f.path), "kept": f.kept, "drive": list(f.drive)} for f in self.files],
            "deleted": [str(p) for p in self.deleted],
            "drive_trashed": list(self.trashed),
            "drive_error": self.drive_error,
            "journal": self.journal,
        }

    def lines(self, limit: int = 200) -> list[str]:
        verb = "changeraient" if self.dry_run else "changées"
        out = [f"Cases qui {verb} : {len(self.changes)}"]
        for c in self.changes[:limit]:
            after = "vide" if c.after is None else f"« {_shown(c.after)} »"
            out.append(f"  {c.title} ligne {c.row} « {c.column} » : « {_shown(c.before)} » → {after}")
        if len(self.changes) > limit:
            out.append(f"  … et {len(self.changes) - limit} autre(s)")
        gone = [f for f in self.files if f.kept is None]
        verb = "seraient supprimés" if self.dry_run else "supprimés"
        out.append(f"Fichiers {verb} : {len(gone)}")
        for f in gone:
            out.append(f"  {f.path} ({f.what})")
            for link in f.drive:
                if self.dry_run:
                    out.append(f"    sa copie dans Google Drive serait mise à la corbeille : {link}")
                elif link in self.trashed:
                    out.append(f"    sa copie dans Google Drive est mise à la corbeille : {link}")
                else:
                    out.append(f"    sa copie dans Google Drive est à supprimer à la main : {link}")
        if self.drive_error:
            out.append(f"Google Drive : {self.drive_error}")
        kept = [f for f in self.files if f.kept is not None]
        if kept:
            out.append(f"Fichiers conservés : {len(kept)}")
            out += [f"  {f.path} — {f.kept}" for f in kept]
        if self.dry_run and (self.changes or gone):
            out.append("Une ligne serait ajoutée à l'onglet Journal (l'ID seulement).")
        out.append(KEPT_NOTICE)
        if not self.changes and not gone:
            out.append(f"Rien à changer : les données de {self.person} sont déjà effacées.")
        return out


def _due(ctx: RunContext, person: Person, tables: dict[str, Table]) -> tuple[str | None, list[str]]:
    """The member's status, and what they owe (French), from the run's one evaluation and any
    tab with a « Reste dû » column (invoices)."""
    if person.member_id is None:
        return None, []
    computation = ctx.state.computation(person.member_id)
    status = computation.status if computation is not None else None
    owed = []
    if status in ("échue", "en attente") and computation is not None and computation.fee is not None:
        owed.append(f"une cotisation est due (statut « {status} »)")
    for table in tables.values():
        if not (table.has("Reste dû") and table.has("Membre")):
            continue
        for row in table:
            amount = row.get("Reste dû")
            if not isinstance(amount, int | float) or amount <= 0:
                continue
            if rules.names_member(row.get("Membre"), person.member_id):
                owed.append(f"{table.title} ligne {row.number} : reste dû {format_money(amount)}")
    return status, owed


def _trash(ctx: RunContext, result: EraseResult) -> None:
    """Put in Drive's trash the copies of the files deleted here (never an accounting record)."""
    copies = [
        (i, link)
        for f in result.files
        if f.kept is None
        for i, link in zip(f.drive_ids, f.drive, strict=False)
    ]
    if not copies:
        return
    if not ctx.settings.documents.drive_folder:
        result.drive_error = (
            "aucun dossier Drive configuré ([documents] drive_folder) : supprimez ces copies à la main."
        )
        return
    try:
        for file_id, link in copies:
            ctx.drive.trash(file_id)
            result.trashed.append(link)
    except MilaError as exc:
        result.drive_error = f"{exc.message} Les copies restantes sont à supprimer à la main."


def run_erase(ctx: RunContext, member: str | None, email: str | None, confirm: bool) -> EraseResult:
    """Erase the person's personal data (``ctx.dry_run``: say exactly what would change)."""
    started = time.monotonic()
    forms = ctx.settings.formulaires
    tables = dict(ctx.state.tables)
    person = _person(ctx, tables, member, email)
    status, owed = _due(ctx, person, tables)
    reason = refusal(person, status, owed)
    if reason is not None and not confirm:
        raise PersonalDataError(reason)
    label = person.member_id or "une personne ayant répondu à un formulaire"
    result = EraseResult(label, ctx.dry_run, confirmed=reason)
    found = rules.rows_about(tables, person, forms)
    result.files = _files(ctx, person, found)
    if ctx.dry_run:
        result.changes = rules.plan_erasure(tables, person, forms)
        return result

    workbook = ctx.workbook
    journal_title = workbook.ensure_tab(schema.JOURNAL)
    titles = workbook.tabs()
    carried: list[bool] = []

    def plan(fresh: dict[str, Table]) -> list[tuple[str, int, int, object]]:
        by_name = {(t.schema.name if t.schema else title): t for title, t in fresh.items()}
        again = rules.find_person(
            by_name, member_id=person.member_id, email=None if person.member_id else email, forms=forms
        )
        # What the first read found stays theirs (an address given on the command line).
        again.emails |= person.emails
        again.names |= person.names
        again.phones |= person.phones
        result.changes = rules.plan_erasure(by_name, again, forms)
        cells: list[tuple[str, int, int, object]] = [(c.title, c.row, c.col, c.after) for c in result.changes]
        if cells or any(f.kept is None for f in result.files):
            journal = fresh.get(journal_title)
            last = max([1, *(r.number for r in journal.rows)]) if journal is not None else 1
            header = journal.header if journal is not None else []
            line = JournalLine(
                job_name("donnees effacer"), SUCCESS, result.details(), time.monotonic() - started
            )
            more = line_cells(journal_title, header, last, line, ctx.clock)
            if more is not None:
                cells += more
                carried.append(True)
        return cells

    try:
        rewrite_cells(workbook, titles, plan)
    except PersonNotFound as exc:
        raise PersonalDataError(exc.message) from None
    ctx.changed()
    result.deleted = delete(result.files)
    _trash(ctx, result)
    result.journal = bool(carried)
    if not carried and result.changed:
        line = JournalLine(job_name("donnees effacer"), SUCCESS, result.details(), time.monotonic() - started)
        result.journal_error = write_line(workbook, ctx.clock, line)
        result.journal = result.journal_error is None
    log.info(
        "personal data of %s erased: %d cell(s), %d file(s) deleted",
        person.member_id or "a form respondent",
        len(result.changes),
        len(result.deleted),
    )
    return result
