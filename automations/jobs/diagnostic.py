"""`mila diagnostic`: the first-run checklist, read only.

Every check reads; none writes to the workbook, sends a message to a member or creates a
folder. Each gives one French line: what was checked, and what to do when it is not right.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..delivery.drive import Drive
from ..documents.outputs import find_soffice
from ..errors import MilaError
from ..mail import NO_SERVER_HINT, SmtpSender
from ..settings import DocumentsSettings, MailSettings
from ..workbook import Workbook
from .tabs import describe_tabs
from .templates import verify_templates

OK = "ok"
TO_FIX = "à corriger"
NOTE = "à savoir"

MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Check:
    """One point of the checklist."""

    label: str
    status: str  # OK, TO_FIX or NOTE
    detail: str = ""


@dataclass
class Diagnosis:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.status != TO_FIX for check in self.checks)

    def add(self, label: str, status: str, detail: str = "") -> None:
        self.checks.append(Check(label, status, detail))

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "checks": [check.__dict__ for check in self.checks]}


def check_python(diagnosis: Diagnosis, version: tuple[int, int] | None = None) -> None:
    found = version or (sys.version_info.major, sys.version_info.minor)
    shown = f"{found[0]}.{found[1]}"
    if found >= MIN_PYTHON:
        diagnosis.add("Python", OK, f"version {shown}")
    else:
        diagnosis.add(
            "Python",
            TO_FIX,
            f"version {shown} : il faut Python 3.11 ou plus récent (voir docs/deploiement.md, étape 1).",
        )


def writable_folder(path: Path) -> str | None:
    """Why ``path`` cannot receive files (in French), or None when it can. A folder that does
    not exist yet is fine when its nearest existing parent is writable: it is made on first use."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            return f"aucun dossier parent de « {path} » n'existe"
        probe = probe.parent
    if not probe.is_dir():
        return f"« {probe} » existe mais n'est pas un dossier"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"« {probe} » n'est pas accessible en écriture pour l'utilisateur qui lance mila"
    return None


def check_folders(diagnosis: Diagnosis, folders: dict[str, Path]) -> None:
    for label, path in folders.items():
        problem = writable_folder(path)
        if problem is None:
            diagnosis.add(f"Dossier {label}", OK, str(path))
        else:
            diagnosis.add(
                f"Dossier {label}",
                TO_FIX,
                f"{problem}. Créez-le ou donnez les droits "
                "(voir docs/deploiement.md, « Où vont les fichiers »).",
            )


def guarded(diagnosis: Diagnosis, label: str, probe: Callable[[], None]) -> None:
    """Run one probe; a ``MilaError`` becomes a line to fix instead of stopping the checklist."""
    try:
        probe()
    except MilaError as exc:
        diagnosis.add(label, TO_FIX, exc.message)


def check_workbook(
    diagnosis: Diagnosis, workbook: Workbook, can_edit: bool | None, *, local: bool = False
) -> None:
    """Reachable, editable, and every contract tab present has its required columns."""
    report = describe_tabs(workbook)
    diagnosis.add("Classeur", OK, f"{report.description} : {len(report.tabs)} onglet(s) lus")
    label = "Droit de modifier le classeur"
    if can_edit is True:
        diagnosis.add(
            label,
            OK,
            "mila peut modifier le fichier" if local else "le compte de service est Éditeur de la feuille",
        )
    elif can_edit is False and local:
        diagnosis.add(
            label,
            TO_FIX,
            "le fichier ou son dossier n'est pas accessible en écriture pour "
            "l'utilisateur qui lance mila : donnez-lui les droits.",
        )
    elif can_edit is False:
        diagnosis.add(
            label,
            TO_FIX,
            "le compte peut lire la feuille mais pas la modifier : partagez-la avec lui "
            "en tant qu'Éditeur (bouton Partager de la feuille).",
        )
    else:
        diagnosis.add(
            "Droit de modifier le classeur",
            NOTE,
            "impossible de le vérifier sans l'API Google Drive : activez-la dans le projet "
            "Google Cloud (docs/deploiement.md, étape 2.3), ou vérifiez à la main que le "
            "compte de service est Éditeur de la feuille.",
        )
    problems = [
        f"onglet « {tab.title} » : colonne(s) obligatoire(s) absente(s) : {', '.join(tab.missing_required)}"
        for tab in report.tabs
        if tab.contract and tab.missing_required
    ] + [
        f"onglet « {tab.title} » : en-tête en double : {', '.join(tab.duplicates)}"
        for tab in report.tabs
        if tab.contract and tab.duplicates
    ]
    if "Membres" in report.absent:
        problems.insert(0, "l'onglet « Membres » est absent (est-ce le bon classeur ?)")
    if problems:
        diagnosis.add(
            "Colonnes du classeur",
            TO_FIX,
            " ; ".join(problems) + ". Corrigez les en-têtes (voir « mila onglets »).",
        )
    else:
        diagnosis.add("Colonnes du classeur", OK, "toutes les colonnes obligatoires sont là")


def check_file_editable(path: Path) -> bool:
    """A local .xlsx can be replaced when the file and its folder are writable."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def check_mail(diagnosis: Diagnosis, mail: MailSettings, connect: Callable[[MailSettings], None]) -> None:
    """Log in to the server (``connect`` opens and closes a session): nothing is sent."""
    if not mail.uses_smtp:
        diagnosis.add(
            "Serveur d'envoi des courriels",
            TO_FIX,
            "aucun serveur configuré : relances et avis restent en aperçu dans "
            f"« {mail.preview} ». {NO_SERVER_HINT}",
        )
        return
    try:
        connect(mail)
    except MilaError as exc:
        diagnosis.add("Serveur d'envoi des courriels", TO_FIX, exc.message)
        return
    who = "connexion et identification réussies" if mail.user else "connexion réussie"
    diagnosis.add("Serveur d'envoi des courriels", OK, f"{mail.describe()} : {who} (aucun message envoyé)")


def smtp_login(mail: MailSettings) -> None:
    """Open and close an SMTP session: the server is reached and accepts the login."""
    sender = SmtpSender(mail, unsent="Aucun message n'a été envoyé.")
    sender.open()
    sender.close()


def check_templates(diagnosis: Diagnosis, documents: DocumentsSettings) -> None:
    result = verify_templates(documents)
    if result.ok:
        extra = (
            f" ({result.warnings} avertissement(s) : voir « mila docs verifier »)" if result.warnings else ""
        )
        diagnosis.add(
            "Modèles Word", OK, f"{len(result.reports)} modèle(s) utilisables dans « {result.folder} »{extra}"
        )
    else:
        diagnosis.add(
            "Modèles Word",
            TO_FIX,
            f"{result.errors} erreur(s) dans les modèles de « {result.folder} » : détail avec "
            "« mila docs verifier », puis corrigez-les dans Word.",
        )


def check_libreoffice(diagnosis: Diagnosis, documents: DocumentsSettings) -> None:
    try:
        found = find_soffice(documents.soffice)
    except MilaError:
        diagnosis.add(
            "LibreOffice (PDF)",
            NOTE,
            "absent : les documents sont produits en Word seulement ; "
            "pour --pdf, installez-le (docs/deploiement.md, étape 1).",
        )
        return
    diagnosis.add("LibreOffice (PDF)", OK, found)


DRIVE_LABEL = "Dossier Google Drive"


def google_drive(settings: Settings) -> Drive:
    """Drive through the service account of ``[workbook]`` (or DRIVE_EMULATOR_HOST), as the documents jobs."""
    from ..delivery.google_drive import GoogleDrive

    return GoogleDrive(
        credentials_path=settings.workbook.credentials,
        emulator_host=settings.documents.drive_emulator_host,
        retry=settings.workbook.retry,
    )


def check_drive(diagnosis: Diagnosis, settings: Settings, open_drive: Callable[[Settings], Drive]) -> None:
    """With ``[documents] drive_folder``: the folder exists, is a folder, and the service
    account may add files to it (one files.get; nothing is created)."""
    folder = settings.documents.drive_folder
    if folder is None:
        return
    drive = open_drive(settings)
    who = drive.account_email
    account = f"« {who} »" if who else "(son adresse est le « client_email » du fichier de clé)"
    share = (
        f"partagez le dossier avec le compte de service {account} en tant qu'Éditeur (bouton "
        "Partager du dossier dans Google Drive ; voir docs/deploiement.md, « Les documents "
        "dans Google Drive »)"
    )
    found = drive.access(folder)
    if found is None or found.trashed:
        where = "est dans la corbeille" if found is not None else "est introuvable pour le compte de service"
        diagnosis.add(
            DRIVE_LABEL,
            TO_FIX,
            f"le dossier « {folder} » {where} : vérifiez [documents] drive_folder (l'adresse du dossier), "
            f"puis {share}.",
        )
    elif not found.is_folder:
        diagnosis.add(
            DRIVE_LABEL,
            TO_FIX,
            f"« {found.name} » est un fichier, pas un dossier : donnez dans [documents] drive_folder "
            "l'adresse d'un dossier Google Drive.",
        )
    elif found.can_add is False:
        diagnosis.add(
            DRIVE_LABEL,
            TO_FIX,
            f"le compte de service voit « {found.name} » mais ne peut pas y déposer de fichiers : {share}.",
        )
    elif found.can_add is None:
        diagnosis.add(
            DRIVE_LABEL,
            NOTE,
            f"« {found.name} » existe, mais Google Drive n'a pas dit si le compte de service peut y "
            f"déposer des fichiers : vérifiez qu'il est Éditeur du dossier.",
        )
    else:
        diagnosis.add(
            DRIVE_LABEL, OK, f"« {found.name} » : le compte de service peut y déposer les documents"
        )


def check_staff_settings(diagnosis: Diagnosis, settings: Settings) -> None:
    """The settings a first installation forgets: who receives the daily summary, and how
    members are told to pay in their reminders."""
    if settings.digest.to:
        diagnosis.add("Résumé quotidien", OK, "envoyé à " + ", ".join(settings.digest.to))
    else:
        diagnosis.add(
            "Résumé quotidien",
            TO_FIX,
            "personne ne le reçoit : ajoutez dans la configuration la section [digest] avec "
            'to = ["equipe@association.fr"] (les adresses de l\'équipe).',
        )
    renewals = settings.renewals
    if renewals.iban or renewals.payment_link or renewals.payment_instructions:
        ways = [
            name
            for name, value in (
                ("virement (IBAN)", renewals.iban),
                ("lien de paiement", renewals.payment_link),
                ("instructions", renewals.payment_instructions),
            )
            if value
        ]
        diagnosis.add("Moyens de paiement des relances", OK, ", ".join(ways))
    else:
        diagnosis.add(
            "Moyens de paiement des relances",
            TO_FIX,
            "les relances ne disent pas comment payer : renseignez dans [renewals] iban, payment_link "
            "ou payment_instructions (voir docs/configuration.md).",
        )


def run_diagnostic(
    settings: Settings,
    *,
    open_book: Callable[[Settings], Workbook],
    connect: Callable[[MailSettings], None] = smtp_login,
    python: tuple[int, int] | None = None,
    open_drive: Callable[[Settings], Drive] = google_drive,
) -> Diagnosis:
    """Every check of the first-run checklist; reads only. ``open_book`` opens the workbook,
    ``connect`` logs in to the mail server and ``open_drive`` opens Google Drive (all passed
    in, so tests use local ones)."""
    diagnosis = Diagnosis()
    check_python(diagnosis, python)
    source = f"« {settings.source} »" if settings.source else "aucun fichier (réglages par défaut)"
    diagnosis.add("Configuration", OK, f"{source} : toutes les clés sont valides")

    def workbook() -> None:
        book = open_book(settings)
        path = settings.workbook.path
        can_edit = check_file_editable(path) if path else getattr(book.backend, "can_edit", lambda: None)()
        check_workbook(diagnosis, book, can_edit, local=path is not None)
        if settings.mail.uses_smtp:
            from .sending_switch import read_sending_state

            state = read_sending_state(book, settings)
            diagnosis.add("Envois de courriels", OK if state.on else NOTE, state.describe())

    guarded(diagnosis, "Classeur", workbook)
    check_mail(diagnosis, settings.mail, connect)
    check_staff_settings(diagnosis, settings)
    guarded(diagnosis, "Modèles Word", lambda: check_templates(diagnosis, settings.documents))
    check_folders(
        diagnosis,
        {
            "des documents": settings.documents.out,
            "des aperçus de courriels": settings.mail.preview,
            "du journal local": settings.log.dir,
            "d'état (verrou, state.json)": settings.schedule.state_dir,
        },
    )
    check_libreoffice(diagnosis, settings.documents)
    guarded(diagnosis, DRIVE_LABEL, lambda: check_drive(diagnosis, settings, open_drive))
    return diagnosis
