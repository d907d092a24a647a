"""The ``docs`` sub-command of `mila` and its documents: the Word conventions, charter,
receipts and attendance sheet (``conventions``, ``charte``, ``recus``, ``emargement``), the
annual activity report (``rapport``), and the checks of the templates (``variables``,
``verifier``). ``build_parser`` adds it to the list of commands with ``add_documents_command``;
its handlers are imported only when the command runs, so a sync loads no Word library."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .options import (
    FrenchParser,
    dry_run_option,
    handler_of,
    iso_date,
    json_option,
    limit_option,
    today_option,
    workbook_options,
)

cmd_docs = handler_of("documents", "cmd_docs")
cmd_docs_rapport = handler_of("documents", "cmd_docs_rapport")
cmd_docs_variables = handler_of("documents", "cmd_docs_variables")
cmd_docs_verifier = handler_of("documents", "cmd_docs_verifier")

SENDING_PREVIEW = "avec --envoyer : écrire les messages en aperçu, sans rien envoyer ni enregistrer"

SENDING_HELP = {
    "conventions": "envoyer chaque convention à signer au membre occupant, une fois par version",
    "charte": "envoyer la charte à signer à chaque membre qui ne l'a pas signée, une fois par version",
    "recus": "envoyer par e-mail, une seule fois, les reçus pas encore envoyés (onglet Paiements)",
}


def add_documents_command(sub: Any) -> None:
    """``docs`` and its documents, added to the sub-commands ``sub``."""
    docs = sub.add_parser("docs", help="documents Word : conventions, charte, reçus, feuille d'émargement")
    docs_sub = docs.add_subparsers(
        dest="docs_command", metavar="DOCUMENT", required=True, parser_class=FrenchParser
    )
    variables = docs_sub.add_parser("variables", help="lister les variables qu'un modèle peut employer")
    variables.add_argument(
        "name", metavar="MODÈLE", help="convention, charte, registre_charte, recu ou emargement"
    )
    variables.add_argument("--config", metavar="FICHIER", help="fichier de configuration")
    json_option(variables)
    variables.set_defaults(handler=cmd_docs_variables)
    verifier = docs_sub.add_parser("verifier", help="vérifier les modèles (balises abîmées, variables)")
    verifier.add_argument("--config", metavar="FICHIER", help="fichier de configuration")
    json_option(verifier)
    verifier.set_defaults(handler=cmd_docs_verifier)
    for kind, help_text in (
        ("conventions", "une convention de mise à disposition par ligne d'Occupations"),
        ("charte", "la charte des valeurs à signer, et le registre des signatures"),
        ("recus", "un reçu de cotisation par paiement"),
        ("emargement", "la feuille d'émargement d'une assemblée générale"),
    ):
        command = docs_sub.add_parser(kind, help=help_text)
        workbook_options(command)
        if kind != "emargement":
            today_option(command)
        command.add_argument(
            "--dossier", "--out", dest="out", metavar="DOSSIER", help="dossier de sortie (défaut : out/)"
        )
        command.add_argument("--pdf", action="store_true", help="produire aussi le PDF (LibreOffice)")
        json_option(command)
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
            limit_option(command, "nombre de lignes affichées (défaut 50)")
        if kind in ("conventions", "charte"):
            dry_run_option(command, SENDING_PREVIEW)
        if kind == "emargement":
            command.add_argument(
                "--date",
                type=iso_date,
                metavar="AAAA-MM-JJ",
                help="date de l'assemblée (défaut : aujourd'hui)",
            )
            # Here --date is the meeting's day: the former --today is still taken, unshown.
            command.add_argument("--today", type=iso_date, help=argparse.SUPPRESS)
            command.add_argument("--titre", default="Assemblée générale", help="intitulé de l'assemblée")
            command.add_argument("--lieu", default=None, help="lieu (défaut : l'adresse de l'association)")
        command.set_defaults(handler=cmd_docs, kind=kind)
    rapport = docs_sub.add_parser("rapport", help="écrire le rapport d'activité annuel (Word) d'une année")
    workbook_options(rapport)
    today_option(rapport)
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
        type=iso_date,
        metavar="AAAA-MM-JJ",
        dest="conseil_au",
        help="date de la composition du conseil (défaut : le 31 décembre de l'année)",
    )
    rapport.add_argument(
        "--envoyer",
        action="store_true",
        help="envoyer le rapport au conseil (lien du Drive, ou fichier joint), une fois par version",
    )
    dry_run_option(rapport, SENDING_PREVIEW)
    json_option(rapport)
    rapport.set_defaults(handler=cmd_docs_rapport)
