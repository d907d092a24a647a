"""The `docs` commands: Word documents, their templates, the annual report."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..config import load_settings
from .common import context_of, preview_context, run_entry
from .printing import JOURNAL_NOT_WRITTEN, journal_lost, print_json


def cmd_docs_variables(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.templates import template_variables

    if Path(args.name).stem.strip().lower() in ("rapport", "report"):
        return _report_variables(args, out)
    result = template_variables(args.name, load_settings(config=args.config).documents)
    if args.json:
        print_json(result.as_dict(), out)
        return 0
    print(f"Variables du modèle « {result.path.name} » ({result.path}) :", file=out)
    for variable, used in result.variables:
        example = f" — ex. « {variable.example} »" if variable.example else ""
        print(f"  {'✓' if used else ' '} {variable.tag} : {variable.description}{example}", file=out)
    print("Filtres, pour écrire « du », « au », « d’ » devant un nom :", file=out)
    for _, description, tag, example in result.filters:
        print(f"    {tag} : {description} — ex. « {example} »", file=out)
    print(
        "✓ : déjà employée par le modèle. Les « oui si … » s'emploient dans {% if … %} ; "
        "aide : docs/documents.md.",
        file=out,
    )
    return 0


def _report_variables(args: argparse.Namespace, out: TextIO) -> int:
    from ..report.variables import VARIABLES

    if args.json:
        print_json([{"nom": v.name, "description": v.description} for v in VARIABLES], out)
        return 0
    print(
        "Chiffres que les textes du rapport (onglet « Textes ») peuvent citer, par exemple "
        "« {{ membres.moyenne }} » :",
        file=out,
    )
    for variable in VARIABLES:
        print(f"  {{{{ {variable.name} }}}} : {variable.description}", file=out)
    print(
        "Les chiffres comparés d'une année sur l'autre ont aussi leur valeur de l'année d'avant : "
        "« _avant » (« {{ membres.moyenne_avant }} »). Aide : docs/rapport.md.",
        file=out,
    )
    return 0


def cmd_docs_verifier(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.templates import verify_templates

    result = verify_templates(load_settings(config=args.config).documents)
    if args.json:
        print_json(result.as_dict(), out)
        return 0 if result.ok else 1
    print(f"Modèles : {result.folder}", file=out)
    for report in result.reports:
        print(file=out)
        if not report.problems:
            print(f"{report.name} — aucun problème", file=out)
            continue
        print(
            f"{report.name} — {len(report.errors)} erreur(s), {len(report.warnings)} avertissement(s)",
            file=out,
        )
        for problem in report.problems:
            where = "" if problem.part == "corps" else f" ({problem.part})"
            print(f"  [{problem.severity}]{where} {problem.message}", file=out)
            if problem.paragraph:
                print(f"      paragraphe : « {problem.paragraph} »", file=out)
    print(file=out)
    if result.ok:
        print(
            "Tous les modèles sont utilisables"
            + (f" ({result.warnings} avertissement(s) à regarder)." if result.warnings else "."),
            file=out,
        )
        return 0
    print(
        f"Total : {result.errors} erreur(s), {result.warnings} avertissement(s). Corrigez les "
        "modèles dans Word, puis relancez « mila docs verifier ».",
        file=out,
    )
    return 1


_DOCS_TITLES = {
    "conventions": "conventions de mise à disposition",
    "charte": "charte des valeurs",
    "recus": "reçus de cotisation",
    "emargement": "feuille d'émargement",
}


def cmd_docs(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args)
    if getattr(args, "dry_run", False):
        ctx = preview_context(ctx)  # a dry run of the sending: previews, whatever the server
    options = registry.DocumentsOptions(
        kind=args.kind,
        member=getattr(args, "member", None),
        all=getattr(args, "all", False),
        out=Path(args.out) if args.out else None,
        pdf=args.pdf,
        send=getattr(args, "envoyer", False),
        preview_sending=getattr(args, "dry_run", False),
        meeting=getattr(args, "date", None),
        title=getattr(args, "titre", "Assemblée générale"),
        place=getattr(args, "lieu", None),
    )
    result = run_entry(ctx, "documents", registry.docs, options)
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 0
    if not code and result.drive is not None and result.drive.all_failed:
        code = 1  # every upload failed: the documents are made but nobody can reach them
    if args.json:
        print_json(result.as_dict(), out)
        return code
    print(
        f"Classeur : {ctx.workbook.description} — {_DOCS_TITLES[args.kind]} au {ctx.today:%d/%m/%Y}", file=out
    )
    print(f"Dossier : {result.folder}", file=out)
    print(f"Documents produits : {len(result.written)}", file=out)
    for written in result.written:
        beside = f" — écrit à côté de « {written.beside.name} », modifié à la main" if written.beside else ""
        print(f"  {written.path.name} ({written.reason}){beside}", file=out)
    if result.unchanged:
        print(f"Documents à jour, non refaits : {len(result.unchanged)}", file=out)
    if result.pdfs:
        print(f"PDF produits : {len(result.pdfs)}", file=out)
    if result.cells_written:
        print(f"Cellules écrites dans le classeur : {result.cells_written}", file=out)
    if result.skipped:
        print(f"Non produits : {len(result.skipped)}", file=out)
        for line in result.skipped:
            print(f"  {line}", file=out)
    for line in result.warnings:
        print(f"Attention : {line}", file=out)
    if result.drive is not None:
        drive = result.drive
        if drive.uploaded or drive.updated:
            print(
                f"Google Drive : {len(drive.uploaded)} déposé(s), {len(drive.updated)} mis à jour",
                file=out,
            )
        for line in drive.lines():
            print(f"Attention : {line}", file=out)
    if result.sending is not None:
        for line in result.sending.lines(args.limit):
            print(line, file=out)
    if result.journal:
        print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
    elif result.journal_lost:
        journal_lost("ces documents sont faits", out)
    elif not result.skipped:
        print("Rien à refaire : les documents étaient déjà à jour.", file=out)
    return code


def cmd_docs_rapport(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.report_run import ReportOptions, run_report

    ctx = context_of(args)
    if args.envoyer and args.dry_run:
        ctx = preview_context(ctx)
    options = ReportOptions(
        year=args.year,
        out=Path(args.out or ctx.settings.documents.out),
        pdf=args.pdf,
        board_on=args.conseil_au,
        send=args.envoyer,
        preview_sending=args.dry_run,
    )
    # Uploading or sending records the report in the documents' manifest: under their lock.
    if args.envoyer or ctx.settings.documents.drive_folder:
        done = run_entry(ctx, "documents", run_report, options)
    else:
        done = run_report(ctx, options)
    sending = done.sending
    drive = done.report.drive
    code = JOURNAL_NOT_WRITTEN if done.journal_lost else 1 if drive is not None and drive.all_failed else 0
    if args.json:
        print_json(done.as_dict(), out)
        return code
    for line in [*done.report.lines(), *(sending.lines() if sending is not None else [])]:
        print(line, file=out)
    if sending is not None and sending.journal:
        print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
    elif sending is not None and sending.journal_lost:
        journal_lost("ces messages sont partis", out)
    return code
