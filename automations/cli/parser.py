"""The French argparse setup of `mila`: one sub-command per job or tool, each handled by a
``cmd_*`` function of this package (``handler``)."""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .. import __version__


def _command_of(module: str, name: str) -> Callable[[argparse.Namespace, TextIO], int]:
    """The handler ``name`` of ``automations.cli.<module>``, imported when the command runs:
    a command imports only what it uses (a sync no Word, mail template or chart library)."""

    def handler(args: argparse.Namespace, out: TextIO) -> int:
        command: Callable[[argparse.Namespace, TextIO], int] = getattr(
            importlib.import_module(f"{__package__}.{module}"), name
        )
        return command(args, out)

    handler.__name__ = handler.__qualname__ = name
    return handler


cmd_diagnostic = _command_of("diagnostic", "cmd_diagnostic")
cmd_donnees = _command_of("personal_data", "cmd_donnees")
cmd_docs = _command_of("documents", "cmd_docs")
cmd_docs_rapport = _command_of("documents", "cmd_docs_rapport")
cmd_docs_variables = _command_of("documents", "cmd_docs_variables")
cmd_docs_verifier = _command_of("documents", "cmd_docs_verifier")
cmd_courriel_test = _command_of("operation", "cmd_courriel_test")
cmd_renewals = _command_of("operation", "cmd_renewals")
cmd_schedule = _command_of("operation", "cmd_schedule")
cmd_status = _command_of("operation", "cmd_status")
cmd_resume = _command_of("resume", "cmd_resume")
cmd_demandes = _command_of("requests", "cmd_demandes")
cmd_envois = _command_of("requests", "cmd_envois")
cmd_demo = _command_of("tools", "cmd_demo")
cmd_factures = _command_of("invoices", "cmd_factures")
cmd_compta = _command_of("accounting", "cmd_compta")
cmd_emulator = _command_of("tools", "cmd_emulator")
cmd_calendrier = _command_of("workbook", "cmd_calendrier")
cmd_check = _command_of("workbook", "cmd_check")
cmd_paiements = _command_of("workbook", "cmd_paiements")
cmd_preparer = _command_of("workbook", "cmd_preparer")
cmd_sync = _command_of("workbook", "cmd_sync")
cmd_tabs = _command_of("workbook", "cmd_tabs")

FORMER_NAMES = {
    "tabs": "onglets",
    "check": "verifier",
    "sync": "synchroniser",
    "renewals": "relances",
    "schedule": "planifier",
    "status": "etat",
    "emulator": "emulateur",
    "--workbook": "--classeur",
    "--from": "--classeur",
    "--sheet": "--feuille",
    "--today": "--date",
    "--dry-run": "--simulation",
    "--limit": "--limite",
    "--once": "--une-fois",
    "--out": "--dossier",
    "--seed": "--graine",
    "--host": "--hote",
    "--id": "--cle",
    "--member": "--membre",
    "--all": "--tous",
    "--year": "--annee",
}
"""The English names earlier versions took, and the French name each now has. They stay
accepted, so that installed systemd units, cron lines and scripts keep working, but are never
shown: not in any help, not in a message (``--from`` was the ``emulateur``'s ``--classeur``)."""

_FORMER = frozenset(FORMER_NAMES)


def _command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """The sub-command ``name``, also reached by its former English name, which the list of
    commands does not show (argparse's ``aliases`` would)."""
    parser: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    for former, french in FORMER_NAMES.items():
        if french == name:
            sub.choices[former] = parser
    return parser


def _workbook_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("classeur")
    group.add_argument(
        "--classeur",
        "--workbook",
        dest="workbook",
        metavar="CHEMIN.xlsx",
        help="classeur .xlsx local (ou MILA_WORKBOOK)",
    )
    group.add_argument(
        "--feuille",
        "--sheet",
        dest="sheet",
        metavar="CLÉ_OU_ADRESSE",
        help="feuille Google Sheets (ou MILA_SHEET)",
    )
    group.add_argument("--config", metavar="FICHIER", help="fichier de configuration (défaut : ./mila.toml)")


def _today_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--date",
        "--today",
        dest="today",
        type=_date,
        metavar="AAAA-MM-JJ",
        help="date du jour à utiliser (défaut : aujourd'hui)",
    )


def _dry_run_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--simulation`` (``--dry-run``, hidden): show, write and send nothing."""
    parser.add_argument("--simulation", "--dry-run", dest="dry_run", action="store_true", help=help)


def _limit_option(parser: argparse.ArgumentParser, help: str) -> None:
    """``--limite N`` (``--limit``, hidden): how many lines to show, 50 by default."""
    parser.add_argument("--limite", "--limit", dest="limit", type=int, default=50, metavar="N", help=help)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : écrivez-la AAAA-MM-JJ, par exemple 2026-11-23"
        ) from None


SENDING_PREVIEW = "avec --envoyer : écrire les messages en aperçu, sans rien envoyer ni enregistrer"

SENDING_HELP = {
    "conventions": "envoyer chaque convention à signer au membre occupant, une fois par version",
    "charte": "envoyer la charte à signer à chaque membre qui ne l'a pas signée, une fois par version",
    "recus": "envoyer par e-mail, une seule fois, les reçus pas encore envoyés (onglet Paiements)",
}


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="mila",
        description="Automatisations du MILA : vérifier et tenir à jour le classeur partagé.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"mila {__version__}",
        help="afficher la version de mila et s'arrêter",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True, parser_class=FrenchParser)

    tabs = _command(sub, "onglets", help="lister les onglets, leurs lignes et leurs colonnes")
    _workbook_options(tabs)
    tabs.add_argument("--json", action="store_true", help="sortie JSON")
    tabs.set_defaults(handler=cmd_tabs)

    check = _command(sub, "verifier", help="vérifier chaque ligne et lister les anomalies (lecture seule)")
    _workbook_options(check)
    _today_option(check)
    check.add_argument("--json", action="store_true", help="sortie JSON")
    check.set_defaults(handler=cmd_check)

    sync = _command(
        sub, "synchroniser", help="attribuer les ID, écrire les colonnes calculées et les anomalies"
    )
    _workbook_options(sync)
    _today_option(sync)
    _dry_run_option(sync, "montrer ce qui changerait, sans rien écrire")
    _limit_option(sync, "nombre de changements montrés par --simulation")
    sync.add_argument("--json", action="store_true", help="sortie JSON")
    sync.set_defaults(handler=cmd_sync)

    preparer = sub.add_parser(
        "preparer",
        help="préparer le classeur : listes déroulantes, notes d'en-tête, formats, protections",
        description=(
            "Applique le contrat du classeur à la feuille elle-même : ligne d'en-tête figée, une note "
            "sur chaque en-tête, des listes déroulantes (choix, oui/non, références tirées de l'onglet "
            "Listes), les formats de date et de montant, des largeurs lisibles, une protection par "
            "avertissement des colonnes calculées et des onglets tenus par mila, et des couleurs sur "
            "Statut et Anomalies ; ajoute à l'onglet Textes les parties du rapport d'activité à venir que "
            "seule l'équipe peut écrire (une Consigne, un Texte vide). Seul ce qui manque est écrit ; "
            "aucune valeur n'est modifiée."
        ),
    )
    _workbook_options(preparer)
    preparer.add_argument("--json", action="store_true", help="sortie JSON")
    preparer.set_defaults(handler=cmd_preparer)

    sched = _command(sub, "planifier", help="lancer les tâches à leurs heures (service de longue durée)")
    _workbook_options(sched)
    sched.add_argument(
        "--une-fois",
        "--once",
        dest="once",
        action="store_true",
        help="lancer ce qui est dû maintenant puis s'arrêter (cron, timer systemd)",
    )
    sched.set_defaults(handler=cmd_schedule)

    status = _command(sub, "etat", help="dernière et prochaine exécution de chaque tâche")
    _workbook_options(status)
    status.add_argument("--json", action="store_true", help="sortie JSON")
    status.add_argument(
        "--alerter",
        metavar="ADRESSE",
        help="envoyer l'état par courriel à ADRESSE quand une tâche a échoué depuis sa dernière "
        "réussite (rien sinon)",
    )
    status.set_defaults(handler=cmd_status)

    renewals = _command(
        sub, "relances", help="envoyer les relances de cotisation dues (une seule fois chacune)"
    )
    _workbook_options(renewals)
    _today_option(renewals)
    _dry_run_option(renewals, "lister qui recevrait quelle relance, sans rien envoyer ni enregistrer")
    _limit_option(renewals, "nombre de lignes montrées par catégorie")
    renewals.add_argument("--json", action="store_true", help="sortie JSON")
    renewals.set_defaults(handler=cmd_renewals)

    resume = sub.add_parser(
        "resume",
        help="envoyer à l'équipe le résumé de ce qui attend quelqu'un (s'il y a du nouveau)",
        description="Liste ce qui attend une personne dans le classeur (erreurs par onglet, relances à "
        "vérifier ou trop anciennes, paiements sans membre, adhésions à compléter, tâches en échec) et "
        "l'envoie aux adresses de [digest] to, seulement si un point est nouveau depuis le dernier "
        "résumé. Le planificateur l'envoie chaque jour (« résumé quotidien »).",
    )
    _workbook_options(resume)
    _today_option(resume)
    _dry_run_option(resume, "afficher le résumé et l'écrire en aperçu, sans rien envoyer ni noter")
    resume.add_argument("--json", action="store_true", help="sortie JSON")
    resume.set_defaults(handler=cmd_resume)

    demandes = sub.add_parser(
        "demandes",
        help="faire une fois les demandes en attente de l'onglet Demandes",
        description="Fait, une seule fois chacune, les demandes que l'équipe a ajoutées à l'onglet "
        "Demandes (synchroniser maintenant, importer les paiements, envoyer pour signature…) et écrit "
        "leur statut, leur résultat et un lien dans la ligne ; la personne qui a demandé reçoit la "
        "réponse par courriel. Le planificateur le lance chaque minute aux heures de bureau.",
    )
    _workbook_options(demandes)
    _today_option(demandes)
    demandes.add_argument("--json", action="store_true", help="sortie JSON")
    demandes.set_defaults(handler=cmd_demandes)

    envois = sub.add_parser(
        "envois",
        help="activer ou suspendre les envois de courriels (l'état est gardé dans le classeur)",
        description="Une nouvelle installation n'envoie rien : les courriels sont écrits en aperçu "
        "jusqu'à ce qu'une personne active les envois (ici, ou par la demande « activer les envois » "
        "de l'onglet Demandes). L'état est une ligne du Journal du classeur.",
    )
    envois.add_argument("action", choices=("activer", "suspendre", "etat"), help="activer, suspendre ou etat")
    _workbook_options(envois)
    envois.add_argument("--json", action="store_true", help="sortie JSON")
    envois.set_defaults(handler=cmd_envois)

    diagnostic = sub.add_parser(
        "diagnostic",
        help="vérifier l'installation sans rien changer (classeur, courriels, modèles, dossiers)",
        description="Vérifie tout ce dont mila a besoin, sans rien écrire ni envoyer : version de Python, "
        "configuration, classeur joignable et modifiable, colonnes obligatoires, connexion au serveur "
        "d'envoi, modèles Word, dossiers de sortie, LibreOffice. Code de sortie 1 s'il reste un point "
        "à corriger.",
    )
    _workbook_options(diagnostic)
    diagnostic.add_argument("--json", action="store_true", help="sortie JSON")
    diagnostic.set_defaults(handler=cmd_diagnostic)

    mail_test = sub.add_parser(
        "courriel-test",
        help="vérifier le réglage des courriels : connexion au serveur et un message d'essai à ADRESSE",
        description="Se connecte au serveur d'envoi de [mail] et envoie un seul message d'essai à "
        "l'adresse donnée. Aucun membre ne reçoit rien, le classeur n'est pas lu.",
    )
    mail_test.add_argument("address", metavar="ADRESSE", help="adresse qui reçoit le message d'essai")
    mail_test.add_argument(
        "--config", metavar="FICHIER", help="fichier de configuration (défaut : ./mila.toml)"
    )
    mail_test.set_defaults(handler=cmd_courriel_test)

    factures = sub.add_parser(
        "factures",
        help="émettre les factures dues (cotisations, loyers, réservations), chacune une seule fois",
        description="Émet les factures de ce qui est dû et pas encore facturé, les inscrit dans l'onglet "
        "Factures, puis écrit leurs documents Word et Factur-X. « mila factures avoir NUMÉRO --motif "
        "TEXTE » émet l'avoir qui annule une facture.",
    )
    _workbook_options(factures)
    _today_option(factures)
    _dry_run_option(factures, "lister les factures qui seraient émises, sans rien écrire")
    factures.add_argument("--pdf", action="store_true", help="produire aussi le PDF Factur-X (LibreOffice)")
    factures.add_argument(
        "--envoyer",
        dest="send",
        action="store_true",
        help="envoyer ensuite par e-mail à chaque membre ses factures et avoirs pas encore envoyés, "
        "avec leur PDF Factur-X (une seule fois ; en aperçu tant que les envois ne sont pas activés)",
    )
    _limit_option(factures, "nombre de factures montrées")
    factures.add_argument("--json", action="store_true", help="sortie JSON")
    factures.add_argument(
        "action",
        nargs="?",
        choices=["avoir"],
        metavar="avoir",
        help="émettre un avoir (avec NUMÉRO et --motif)",
    )
    factures.add_argument(
        "number", nargs="?", metavar="NUMÉRO", help="numéro de la facture annulée, F2026-0001"
    )
    factures.add_argument("--motif", default="", metavar="TEXTE", help="motif de l'avoir")
    factures.set_defaults(handler=cmd_factures)

    compta = sub.add_parser(
        "compta",
        help="écrire les écritures comptables d'une année : fichier FEC et journal CSV",
        description="Écrit les écritures de l'année (ventes des factures et avoirs, encaissements des "
        "paiements, lettrage des factures payées) en fichier des écritures comptables (FEC) et en "
        "journal CSV pour un tableur. N'écrit rien dans le classeur.",
    )
    _workbook_options(compta)
    _today_option(compta)
    compta.add_argument(
        "--annee", "--year", dest="year", type=int, required=True, metavar="AAAA", help="année de l'exercice"
    )
    compta.add_argument(
        "--dossier",
        "--out",
        dest="out",
        type=Path,
        required=True,
        metavar="DOSSIER",
        help="dossier où écrire le FEC et le journal (créé s'il manque)",
    )
    compta.add_argument("--json", action="store_true", help="sortie JSON")
    compta.set_defaults(handler=cmd_compta)

    cal = sub.add_parser(
        "calendrier", help="écrire les calendriers .ics des ressources réservables et du programme"
    )
    _workbook_options(cal)
    _today_option(cal)
    cal.add_argument(
        "--dossier",
        "--out",
        dest="out",
        required=True,
        metavar="DOSSIER",
        help="dossier où écrire les fichiers .ics",
    )
    cal.add_argument("--json", action="store_true", help="sortie JSON")
    cal.set_defaults(handler=cmd_calendrier)

    demo = sub.add_parser("demo", help="créer un classeur de démonstration réaliste")
    demo.add_argument("path", metavar="CHEMIN.xlsx")
    demo.add_argument(
        "--graine",
        "--seed",
        dest="seed",
        type=int,
        default=2024,
        help="graine du tirage (même graine, même classeur)",
    )
    _today_option(demo)
    demo.set_defaults(handler=cmd_demo)

    emulator = _command(
        sub, "emulateur", help="servir une copie d'un .xlsx par un émulateur local de l'API Google Sheets"
    )
    emulator.add_argument("--classeur", "--from", dest="source", required=True, metavar="CLASSEUR.xlsx")
    emulator.add_argument(
        "--hote", "--host", dest="host", default="127.0.0.1", metavar="HÔTE", help="adresse d'écoute"
    )
    emulator.add_argument("--port", type=int, default=8085, metavar="PORT", help="port d'écoute")
    emulator.add_argument(
        "--cle",
        "--id",
        dest="id",
        default=None,
        metavar="CLÉ",
        help="clé de la feuille servie (défaut : dérivée du nom)",
    )
    emulator.set_defaults(handler=cmd_emulator)
    paiements = sub.add_parser("paiements", help="registre des paiements : imports HelloAsso et banque")
    paiements_sub = paiements.add_subparsers(
        dest="paiements_command", metavar="ACTION", required=True, parser_class=FrenchParser
    )
    importer = paiements_sub.add_parser(
        "importer", help="ajouter les paiements d'exports HelloAsso et de relevés (CSV, XLSX, OFX)"
    )
    importer.add_argument("files", nargs="+", metavar="FICHIER", help="export HelloAsso ou relevé bancaire")
    reprendre = paiements_sub.add_parser(
        "reprendre", help="reprendre une fois « Cotisation payée le » / « Montant payé » de Membres"
    )
    helloasso = paiements_sub.add_parser(
        "helloasso", help="récupérer les commandes HelloAsso depuis le dernier import (API v5)"
    )
    for command in (importer, reprendre, helloasso):
        _workbook_options(command)
        _today_option(command)
        _dry_run_option(command, "montrer ce qui serait ajouté, sans écrire")
        command.add_argument("--json", action="store_true", help="sortie JSON")
        _limit_option(command, "nombre de lignes affichées (défaut 50)")
        command.set_defaults(handler=cmd_paiements)
    donnees = sub.add_parser(
        "donnees",
        help="données personnelles d'un membre ou d'une personne : les exporter, les effacer",
        description="Répondre à une demande d'accès ou d'effacement (RGPD, articles 15 et 17). "
        "Voir docs/donnees-personnelles.md.",
    )
    donnees_sub = donnees.add_subparsers(
        dest="donnees_command", metavar="ACTION", required=True, parser_class=FrenchParser
    )
    exporter = donnees_sub.add_parser(
        "exporter",
        help="tout ce qui est détenu sur la personne, en une archive zip (résumé Word, un CSV par onglet)",
    )
    effacer = donnees_sub.add_parser(
        "effacer",
        help="effacer ses données personnelles (les pièces comptables sont conservées)",
        description="Vide ou remplace ses données personnelles dans chaque onglet, supprime ses "
        "aperçus et documents qui ne sont pas des pièces comptables, et note l'effacement dans "
        "Journal (l'ID seulement). Refusé pour un membre encore actif ou qui doit une somme, "
        "sauf avec --confirmer.",
    )
    for command in (exporter, effacer):
        command.add_argument("member", nargs="?", metavar="ID", help="l'ID du membre, par exemple M0003")
        command.add_argument(
            "--email", metavar="ADRESSE", help="l'adresse d'une personne qui a répondu à un formulaire"
        )
        _workbook_options(command)
        _today_option(command)
        command.add_argument("--json", action="store_true", help="sortie JSON")
        command.set_defaults(handler=cmd_donnees)
    exporter.add_argument(
        "--dossier", "--out", dest="out", required=True, metavar="DOSSIER", help="dossier où écrire l'archive"
    )
    _dry_run_option(effacer, "montrer exactement ce qui changerait, sans rien écrire ni supprimer")
    effacer.add_argument(
        "--confirmer",
        dest="confirm",
        action="store_true",
        help="effacer même un membre encore actif ou qui doit une somme",
    )
    _limit_option(effacer, "nombre de cases montrées (défaut 50)")
    docs = sub.add_parser("docs", help="documents Word : conventions, charte, reçus, feuille d'émargement")
    docs_sub = docs.add_subparsers(
        dest="docs_command", metavar="DOCUMENT", required=True, parser_class=FrenchParser
    )
    variables = docs_sub.add_parser("variables", help="lister les variables qu'un modèle peut employer")
    variables.add_argument(
        "name", metavar="MODÈLE", help="convention, charte, registre_charte, recu ou emargement"
    )
    variables.add_argument("--config", metavar="FICHIER", help="fichier de configuration")
    variables.add_argument("--json", action="store_true", help="sortie JSON")
    variables.set_defaults(handler=cmd_docs_variables)
    verifier = docs_sub.add_parser("verifier", help="vérifier les modèles (balises abîmées, variables)")
    verifier.add_argument("--config", metavar="FICHIER", help="fichier de configuration")
    verifier.add_argument("--json", action="store_true", help="sortie JSON")
    verifier.set_defaults(handler=cmd_docs_verifier)
    for kind, help_text in (
        ("conventions", "une convention de mise à disposition par ligne d'Occupations"),
        ("charte", "la charte des valeurs à signer, et le registre des signatures"),
        ("recus", "un reçu de cotisation par paiement"),
        ("emargement", "la feuille d'émargement d'une assemblée générale"),
    ):
        command = docs_sub.add_parser(kind, help=help_text)
        _workbook_options(command)
        if kind != "emargement":
            _today_option(command)
        command.add_argument(
            "--dossier", "--out", dest="out", metavar="DOSSIER", help="dossier de sortie (défaut : out/)"
        )
        command.add_argument("--pdf", action="store_true", help="produire aussi le PDF (LibreOffice)")
        command.add_argument("--json", action="store_true", help="sortie JSON")
        if kind != "emargement":
            command.add_argument("--membre", "--member", dest="member", metavar="ID", help="un seul membre")
        if kind == "conventions":
            command.add_argument(
                "--tous", "--all", dest="all", action="store_true", help="inclure les conventions terminées"
            )
        if kind == "charte":
            command.add_argument(
                "--tous",
                "--all",
                dest="all",
                action="store_true",
                help="tous les membres actifs, même ceux qui ont signé",
            )
        if kind in SENDING_HELP:
            command.add_argument("--envoyer", action="store_true", help=SENDING_HELP[kind])
            _limit_option(command, "nombre de lignes affichées (défaut 50)")
        if kind in ("conventions", "charte"):
            _dry_run_option(command, SENDING_PREVIEW)
        if kind == "emargement":
            command.add_argument(
                "--date", type=_date, metavar="AAAA-MM-JJ", help="date de l'assemblée (défaut : aujourd'hui)"
            )
            # Here --date is the meeting's day: the former --today is still taken, unshown.
            command.add_argument("--today", type=_date, help=argparse.SUPPRESS)
            command.add_argument("--titre", default="Assemblée générale", help="intitulé de l'assemblée")
            command.add_argument("--lieu", default=None, help="lieu (défaut : l'adresse de l'association)")
        command.set_defaults(handler=cmd_docs, kind=kind)
    rapport = docs_sub.add_parser("rapport", help="écrire le rapport d'activité annuel (Word) d'une année")
    _workbook_options(rapport)
    _today_option(rapport)
    rapport.add_argument(
        "--annee", "--year", dest="year", type=int, required=True, metavar="AAAA", help="année du rapport"
    )
    rapport.add_argument(
        "--dossier",
        "--out",
        dest="out",
        type=Path,
        metavar="DOSSIER",
        help="dossier de sortie (défaut : [documents] out)",
    )
    rapport.add_argument("--pdf", action="store_true", help="produire aussi le PDF (LibreOffice)")
    rapport.add_argument(
        "--conseil-au",
        type=_date,
        metavar="AAAA-MM-JJ",
        dest="conseil_au",
        help="date de la composition du conseil (défaut : le 31 décembre de l'année)",
    )
    rapport.add_argument(
        "--envoyer",
        action="store_true",
        help="envoyer le rapport au conseil (lien du Drive, ou fichier joint), une fois par version",
    )
    _dry_run_option(rapport, SENDING_PREVIEW)
    rapport.add_argument("--json", action="store_true", help="sortie JSON")
    rapport.set_defaults(handler=cmd_docs_rapport)
    return parser


class FrenchHelpFormatter(argparse.HelpFormatter):
    """argparse's help, with « utilisation : » instead of « usage: », and without the former
    English names of options (``FORMER_NAMES``)."""

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)

    def _format_action_invocation(self, action: argparse.Action) -> str:
        shown = [name for name in action.option_strings if name not in _FORMER]
        if shown == action.option_strings:
            return super()._format_action_invocation(action)
        action = copy.copy(action)
        action.option_strings = shown
        return super()._format_action_invocation(action)


class FrenchParser(argparse.ArgumentParser):
    """argparse in French from top to bottom: usage, section titles, -h, complaints."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="afficher cette aide et s'arrêter"
        )

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own complaint would list the former English command names too.
        if action.choices is not None and value not in action.choices:
            shown = ", ".join(f"« {choice} »" for choice in action.choices if choice not in _FORMER)
            raise argparse.ArgumentError(action, f"choix invalide « {value} » (choisissez parmi {shown})")

    def error(self, message: str) -> NoReturn:
        # argparse names an option by all its names (« --classeur/--workbook »): the first is told.
        message = re.sub(r"/(--[\w-]+)", lambda m: "" if m[1] in _FORMER else m[0], message)
        for english, french in _ARGPARSE_FR:
            message = message.replace(english, french)
        self.print_usage(sys.stderr)
        self.exit(2, f"Erreur : {message}. Aide : {self.prog} --help\n")


_ARGPARSE_FR = (
    ("the following arguments are required", "options obligatoires manquantes"),
    ("unrecognized arguments", "arguments inconnus"),
    ("invalid choice", "choix invalide"),
    ("argument ", "option "),
    ("expected one argument", "une valeur est attendue"),
    ("invalid int value", "nombre entier invalide"),
    ("choose from", "choisissez parmi"),
)
