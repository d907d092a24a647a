"""The French argparse setup of `mila`: one sub-command per job or tool, each handled by a
``cmd_*`` function of this package (``handler``), imported only when the command runs.
``build_parser`` lists the commands in the order the help shows them; the options they share
and the French parser are in ``options``, the money commands (``factures``, ``compta``,
``paiements``) in ``parser_money`` and the ``docs`` command in ``parser_documents``."""

from __future__ import annotations

import argparse

from .. import __version__
from .options import (
    FrenchParser,
    add_command,
    dry_run_option,
    handler_of,
    json_option,
    limit_option,
    today_option,
    workbook_options,
)
from .parser_documents import add_documents_command
from .parser_money import add_billing_commands, add_payments_command

cmd_diagnostic = handler_of("diagnostic", "cmd_diagnostic")
cmd_donnees = handler_of("personal_data", "cmd_donnees")
cmd_courriel_test = handler_of("operation", "cmd_courriel_test")
cmd_renewals = handler_of("operation", "cmd_renewals")
cmd_schedule = handler_of("operation", "cmd_schedule")
cmd_status = handler_of("operation", "cmd_status")
cmd_resume = handler_of("resume", "cmd_resume")
cmd_demandes = handler_of("requests", "cmd_demandes")
cmd_envois = handler_of("requests", "cmd_envois")
cmd_demo = handler_of("tools", "cmd_demo")
cmd_emulator = handler_of("tools", "cmd_emulator")
cmd_calendrier = handler_of("workbook", "cmd_calendrier")
cmd_check = handler_of("workbook", "cmd_check")
cmd_preparer = handler_of("workbook", "cmd_preparer")
cmd_sync = handler_of("workbook", "cmd_sync")
cmd_tabs = handler_of("workbook", "cmd_tabs")


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

    tabs = add_command(sub, "onglets", help="lister les onglets, leurs lignes et leurs colonnes")
    workbook_options(tabs)
    json_option(tabs)
    tabs.set_defaults(handler=cmd_tabs)

    check = add_command(sub, "verifier", help="vérifier chaque ligne et lister les anomalies (lecture seule)")
    workbook_options(check)
    today_option(check)
    json_option(check)
    check.set_defaults(handler=cmd_check)

    sync = add_command(
        sub, "synchroniser", help="attribuer les ID, écrire les colonnes calculées et les anomalies"
    )
    workbook_options(sync)
    today_option(sync)
    dry_run_option(sync, "montrer ce qui changerait, sans rien écrire")
    limit_option(sync, "nombre de changements montrés par --simulation")
    json_option(sync)
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
    workbook_options(preparer)
    json_option(preparer)
    preparer.set_defaults(handler=cmd_preparer)

    sched = add_command(sub, "planifier", help="lancer les tâches à leurs heures (service de longue durée)")
    workbook_options(sched)
    sched.add_argument(
        "--une-fois",
        "--once",
        dest="once",
        action="store_true",
        help="lancer ce qui est dû maintenant puis s'arrêter (cron, timer systemd)",
    )
    sched.set_defaults(handler=cmd_schedule)

    status = add_command(sub, "etat", help="dernière et prochaine exécution de chaque tâche")
    workbook_options(status)
    json_option(status)
    status.add_argument(
        "--alerter",
        metavar="ADRESSE",
        help="envoyer l'état par courriel à ADRESSE quand une tâche a échoué depuis sa dernière "
        "réussite (rien sinon)",
    )
    status.set_defaults(handler=cmd_status)

    renewals = add_command(
        sub, "relances", help="envoyer les relances de cotisation dues (une seule fois chacune)"
    )
    workbook_options(renewals)
    today_option(renewals)
    dry_run_option(renewals, "lister qui recevrait quelle relance, sans rien envoyer ni enregistrer")
    limit_option(renewals, "nombre de lignes montrées par catégorie")
    json_option(renewals)
    renewals.set_defaults(handler=cmd_renewals)

    resume = sub.add_parser(
        "resume",
        help="envoyer à l'équipe le résumé de ce qui attend quelqu'un (s'il y a du nouveau)",
        description="Liste ce qui attend une personne dans le classeur (erreurs par onglet, relances à "
        "vérifier ou trop anciennes, paiements sans membre, adhésions à compléter, tâches en échec) et "
        "l'envoie aux adresses de [digest] to, seulement si un point est nouveau depuis le dernier "
        "résumé. Le planificateur l'envoie chaque jour (« résumé quotidien »).",
    )
    workbook_options(resume)
    today_option(resume)
    dry_run_option(resume, "afficher le résumé et l'écrire en aperçu, sans rien envoyer ni noter")
    json_option(resume)
    resume.set_defaults(handler=cmd_resume)

    demandes = sub.add_parser(
        "demandes",
        help="faire une fois les demandes en attente de l'onglet Demandes",
        description="Fait, une seule fois chacune, les demandes que l'équipe a ajoutées à l'onglet "
        "Demandes (synchroniser maintenant, importer les paiements, envoyer pour signature…) et écrit "
        "leur statut, leur résultat et un lien dans la ligne ; la personne qui a demandé reçoit la "
        "réponse par courriel. Le planificateur le lance chaque minute aux heures de bureau.",
    )
    workbook_options(demandes)
    today_option(demandes)
    json_option(demandes)
    demandes.set_defaults(handler=cmd_demandes)

    envois = sub.add_parser(
        "envois",
        help="activer ou suspendre les envois de courriels (l'état est gardé dans le classeur)",
        description="Une nouvelle installation n'envoie rien : les courriels sont écrits en aperçu "
        "jusqu'à ce qu'une personne active les envois (ici, ou par la demande « activer les envois » "
        "de l'onglet Demandes). L'état est une ligne du Journal du classeur.",
    )
    envois.add_argument("action", choices=("activer", "suspendre", "etat"), help="activer, suspendre ou etat")
    workbook_options(envois)
    json_option(envois)
    envois.set_defaults(handler=cmd_envois)

    diagnostic = sub.add_parser(
        "diagnostic",
        help="vérifier l'installation sans rien changer (classeur, courriels, modèles, dossiers)",
        description="Vérifie tout ce dont mila a besoin, sans rien écrire ni envoyer : version de Python, "
        "configuration, classeur joignable et modifiable, colonnes obligatoires, connexion au serveur "
        "d'envoi, modèles Word, dossiers de sortie, LibreOffice. Code de sortie 1 s'il reste un point "
        "à corriger.",
    )
    workbook_options(diagnostic)
    json_option(diagnostic)
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

    add_billing_commands(sub)

    cal = sub.add_parser(
        "calendrier", help="écrire les calendriers .ics des ressources réservables et du programme"
    )
    workbook_options(cal)
    today_option(cal)
    cal.add_argument(
        "--dossier",
        "--out",
        dest="out",
        required=True,
        metavar="DOSSIER",
        help="dossier où écrire les fichiers .ics",
    )
    json_option(cal)
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
    today_option(demo)
    demo.set_defaults(handler=cmd_demo)

    emulator = add_command(
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
    add_payments_command(sub)
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
        workbook_options(command)
        today_option(command)
        json_option(command)
        command.set_defaults(handler=cmd_donnees)
    exporter.add_argument(
        "--dossier", "--out", dest="out", required=True, metavar="DOSSIER", help="dossier où écrire l'archive"
    )
    dry_run_option(effacer, "montrer exactement ce qui changerait, sans rien écrire ni supprimer")
    effacer.add_argument(
        "--confirmer",
        dest="confirm",
        action="store_true",
        help="effacer même un membre encore actif ou qui doit une somme",
    )
    limit_option(effacer, "nombre de cases montrées (défaut 50)")
    add_documents_command(sub)
    return parser
