"""The commands on the workbook: `onglets`, `verifier`, `synchroniser`, `calendrier`, `paiements`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from ..workbook import open_workbook
from .common import context_of, locked, run_entry, settings_of
from .printing import JOURNAL_NOT_WRITTEN, join, journal_lost, print_json, shown


def cmd_tabs(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.tabs import describe_tabs

    report = describe_tabs(open_workbook(settings_of(args)))
    if args.json:
        print_json(report.as_dict(), out)
        return 0 if report.ok else 1
    print(f"Classeur : {report.description} — {len(report.tabs)} onglet(s)", file=out)
    for tab in report.tabs:
        print(file=out)
        if tab.copy_of:
            print(
                f"{tab.title} — ignoré : l'onglet « {tab.copy_of} » existe déjà sous un autre nom ; "
                "renommez ou supprimez cette copie",
                file=out,
            )
            continue
        if tab.contract is None:
            print(f"{tab.title} — onglet hors contrat, ignoré ({tab.rows} ligne(s))", file=out)
            continue
        print(f"{tab.title} — {tab.rows} ligne(s)", file=out)
        print(f"  colonnes reconnues : {join(tab.recognised)}", file=out)
        if tab.unknown:
            print(f"  autres colonnes (jamais modifiées) : {join(tab.unknown)}", file=out)
        if tab.missing_required:
            print(
                f"  ERREUR colonnes obligatoires manquantes : {join(tab.missing_required)} "
                "— ajoutez-les à la ligne 1",
                file=out,
            )
        if tab.duplicates:
            print(f"  ERREUR en-têtes en double : {join(tab.duplicates)} — renommez l'un des deux", file=out)
        if tab.missing_calc:
            print(f"  colonnes calculées à créer par mila synchroniser : {join(tab.missing_calc)}", file=out)
    if report.absent:
        print(file=out)
        print(f"Onglets du contrat absents (lus comme vides) : {join(report.absent)}", file=out)
    return 0 if report.ok else 1


def cmd_preparer(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.registry import preparer

    ctx = context_of(args)
    result = locked(ctx, "preparer", lambda: preparer(ctx), lambda r: r.outcome())
    if args.json:
        print_json(result.as_dict(), out)
    else:
        print(f"Classeur : {ctx.workbook.description} — préparation", file=out)
        print(f"  {result.summary()}", file=out)
        if result.changed:
            print("  Voir docs/preparer.md pour ce que l'équipe voit désormais dans le classeur.", file=out)
    if result.journal_lost:
        journal_lost("la préparation ci-dessus est faite", out, result.journal_error)
        return JOURNAL_NOT_WRITTEN
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args)
    today = ctx.today
    result = registry.check(ctx, registry.CheckOptions())
    if args.json:
        print_json(result.as_dict(), out)
        return 1 if result.errors else 0
    print(f"Classeur : {result.description} — vérification au {today:%d/%m/%Y}", file=out)
    for tab, anomalies in result.by_tab():
        title = result.titles.get(tab, tab)
        print(file=out)
        print(f"{title} — {len(anomalies)} anomalie(s)", file=out)
        for a in anomalies:
            where = f"ligne {a.row}" if a.row else "onglet"
            ident = f" ({a.id})" if a.id else ""
            print(f"  {where}{ident} [{a.severity.label}] {a.message}", file=out)
    print(file=out)
    if not result.errors and not result.warnings:
        print("Aucune anomalie : le classeur est en ordre.", file=out)
    else:
        print(f"Total : {result.errors} erreur(s), {result.warnings} avertissement(s).", file=out)
        if result.errors:
            print("Corrigez les erreurs dans le classeur puis relancez « mila verifier ».", file=out)
    return 1 if result.errors else 0


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args, dry_run=args.dry_run)
    result = run_entry(ctx, "sync", registry.sync, registry.RunOptions())
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code
    head = "simulation, rien n'est écrit" if args.dry_run else "synchronisation"
    print(f"Classeur : {ctx.workbook.description} — {head} au {ctx.today:%d/%m/%Y}", file=out)
    if result.ids_assigned:
        verb = "seraient attribués" if args.dry_run else "attribués"
        print(f"ID {verb} : {len(result.ids_assigned)}", file=out)
        for new in result.ids_assigned:
            print(f"  {new.tab} ligne {new.row.number} → {new.new_id}", file=out)
    for line in result.forms.lines(result.acknowledgements) if result.forms is not None else []:
        print(line, file=out)
    if result.membership_acks is not None and result.membership_acks.messages:
        print(
            f"{result.membership_acks.summary()[:1].upper()}{result.membership_acks.summary()[1:]}.", file=out
        )
    if args.dry_run:
        print(f"Cellules qui changeraient : {len(result.changes)}", file=out)
        for change in result.changes[: args.limit]:
            print(
                f"  {change.tab} {change.id} « {change.column} » : "
                f"{shown(change.before)} → {shown(change.after)}",
                file=out,
            )
        if len(result.changes) > args.limit:
            more = len(result.changes) - args.limit
            print(f"  … et {more} autre(s) (--limite pour en voir plus)", file=out)
    else:
        print(f"Cellules écrites : {result.cells_written}", file=out)
        if result.notices is not None:
            for line in result.notices.lines(args.limit):
                print(line, file=out)
            if result.notices.journal_lost:
                journal_lost("ces messages sont traités", out)
        elif result.notices_error:
            print(
                f"Messages « place confirmée » non envoyés pour l'instant : {result.notices_error}", file=out
            )
        for tab, column in result.columns_added:
            print(f"  colonne ajoutée : {tab} « {column} »", file=out)
        for skipped in result.skipped:
            print(f"  {skipped}", file=out)
        if result.journal:
            print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
        elif result.journal_error:
            journal_lost("les changements ci-dessus sont faits", out, result.journal_error)
        elif not result.changed:
            print("Rien à changer : le classeur était déjà à jour.", file=out)
    print(
        f"Anomalies : {result.errors} erreur(s), {result.warnings} avertissement(s)"
        + (" — détail avec « mila verifier »." if result.errors or result.warnings else "."),
        file=out,
    )
    return code


def cmd_calendrier(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args)
    result = registry.calendars(ctx, registry.CalendarsOptions(Path(args.out)))
    if args.json:
        print_json(result.as_dict(), out)
        return 0
    print(f"Calendriers écrits dans « {result.out_dir} » :", file=out)
    for written in result.files:
        print(f"  {written.path.name} — {written.title} : {written.events} événement(s)", file=out)
    for line in result.left_out:
        print(f"  {line}", file=out)
    print(
        "Importez ces fichiers .ics dans votre agenda, ou abonnez-vous-y : un nouvel import met à "
        "jour les événements déjà importés.",
        file=out,
    )
    return 0


def cmd_paiements(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args, dry_run=args.dry_run)
    today, workbook = ctx.today, ctx.workbook
    options = registry.PaymentsOptions(
        args.paiements_command, tuple(Path(f) for f in getattr(args, "files", ()))
    )
    result = run_entry(ctx, "paiements", registry.payments, options)
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 0
    if args.json:
        print_json(result.as_dict(), out)
        return code or (1 if result.problems else 0)
    head = "simulation, rien n'est écrit" if args.dry_run else "paiements"
    print(f"Classeur : {workbook.description} — {head} au {today:%d/%m/%Y}", file=out)
    for read in result.files:
        print(f"{read.name} : {read.kind}, {len(read.payments)} paiement(s) lu(s)", file=out)
    verb = "seraient ajoutés" if args.dry_run else "ajoutés"
    print(
        f"Paiements {verb} à « Paiements » : {len(result.added)} "
        f"(dont {len(result.added) - result.matched} sans membre, à rapprocher)",
        file=out,
    )
    for planned in result.added[: args.limit]:
        v = planned.values
        print(
            f"  {v['ID']} {shown(v['Date'])} {shown(v['Montant'])} {v['Payeur'] or ''} → "
            f"{v['Membre'] or '(aucun membre)'} — {planned.how}",
            file=out,
        )
    if len(result.added) > args.limit:
        print(f"  … et {len(result.added) - args.limit} autre(s) (--limite pour en voir plus)", file=out)
    if result.already:
        print(f"Déjà dans le registre (non ajoutés) : {len(result.already)}", file=out)
    for line in result.warnings:
        print(f"  Attention : {line}", file=out)
    if result.problems:
        print(f"À saisir à la main : {len(result.problems)}", file=out)
        for line in result.problems:
            print(f"  {line}", file=out)
        code = code or 1
    if result.ignored:
        print(f"Lignes mises de côté : {len(result.ignored)}", file=out)
        for line in result.ignored[: args.limit]:
            print(f"  {line}", file=out)
    if result.journal:
        print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
    elif result.journal_lost:
        journal_lost("les paiements ci-dessus sont ajoutés", out, result.journal_error)
    if result.added and not args.dry_run:
        print(
            "Ensuite : « mila synchroniser » pour les périodes et les anomalies ; choisissez le membre "
            "des paiements sans membre dans « Paiements ».",
            file=out,
        )
    return code
