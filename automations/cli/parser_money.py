"""The sub-commands of `mila` about money: ``factures`` (invoices and credit notes),
``compta`` (the year's accounting entries, FEC and CSV) and ``paiements`` (imports of
HelloAsso and bank payments). ``build_parser`` adds them to the list of commands with
``add_billing_commands`` and ``add_payments_command``, at the place where the help lists them;
their handlers are imported only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .options import (
    FrenchParser,
    dry_run_option,
    handler_of,
    json_option,
    limit_option,
    today_option,
    workbook_options,
)

cmd_factures = handler_of("invoices", "cmd_factures")
cmd_compta = handler_of("accounting", "cmd_compta")
cmd_paiements = handler_of("workbook", "cmd_paiements")


def add_billing_commands(sub: Any) -> None:
    """``factures`` and ``compta``, added to the sub-commands ``sub``."""
    factures = sub.add_parser(
        "factures",
        help="émettre les factures dues (cotisations, loyers, réservations), chacune une seule fois",
        description="Émet les factures de ce qui est dû et pas encore facturé, les inscrit dans l'onglet "
        "Factures, puis écrit leurs documents Word et Factur-X. « mila factures avoir NUMÉRO --motif "
        "TEXTE » émet l'avoir qui annule une facture.",
    )
    workbook_options(factures)
    today_option(factures)
    dry_run_option(factures, "lister les factures qui seraient émises, sans rien écrire")
    factures.add_argument("--pdf", action="store_true", help="produire aussi le PDF Factur-X (LibreOffice)")
    factures.add_argument(
        "--envoyer",
        dest="send",
        action="store_true",
        help="envoyer ensuite par e-mail à chaque membre ses factures et avoirs pas encore envoyés, "
        "avec leur PDF Factur-X (une seule fois ; en aperçu tant que les envois ne sont pas activés)",
    )
    limit_option(factures, "nombre de factures montrées")
    json_option(factures)
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
    workbook_options(compta)
    today_option(compta)
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
    json_option(compta)
    compta.set_defaults(handler=cmd_compta)


def add_payments_command(sub: Any) -> None:
    """``paiements`` and its actions (``importer``, ``reprendre``, ``helloasso``), added to the
    sub-commands ``sub``."""
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
        workbook_options(command)
        today_option(command)
        dry_run_option(command, "montrer ce qui serait ajouté, sans écrire")
        json_option(command)
        limit_option(command, "nombre de lignes affichées (défaut 50)")
        command.set_defaults(handler=cmd_paiements)
