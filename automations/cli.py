"""The `mila` command: parse options, call one job, print the outcome in French.

The library does the work; this module only turns options into a call and a result
or a ``MilaError`` into text and an exit code. No traceback reaches a user, and no
terminal control character from a cell reaches the terminal (``Shown``).

Exit codes: 0 done; 1 done, with something for a person to look at (errors in the
workbook for ``check``, a refused reminder…); 2 stopped on a ``MilaError``, explained;
3 done, but the ``Journal`` line of a run that changed the workbook could not be written
(``JOURNAL_NOT_WRITTEN``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO, TypeVar

from . import __version__
from .clock import SystemClock
from .config import Settings, load_settings
from .errors import MilaError
from .logs import close_logging, hide_notices, setup_logging, show_notices
from .runner import run_guarded, run_job, state_folder
from .workbook import open_workbook

Handler = Callable[[argparse.Namespace, TextIO], int]
JOURNAL_NOT_WRITTEN = 3
T = TypeVar("T")


def _workbook_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("classeur")
    group.add_argument("--workbook", metavar="CHEMIN.xlsx", help="classeur .xlsx local (ou MILA_WORKBOOK)")
    group.add_argument("--sheet", metavar="CLÉ_OU_ADRESSE", help="feuille Google Sheets (ou MILA_SHEET)")
    group.add_argument("--config", metavar="FICHIER", help="fichier de configuration (défaut : ./mila.toml)")


def _locked(
    settings: Settings, job: str, clock: SystemClock, work: Callable[[], T], *, dry_run: bool = False
) -> T:
    """Run a job's work under the single-instance lock, recorded for `mila status`;
    a dry run writes nothing, so it neither waits for the lock nor counts as a run."""
    from .jobs.registry import JOBS

    return work() if dry_run else run_guarded(settings, job, clock, work, JOBS[job].describe)


def _today_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today", type=_date, metavar="AAAA-MM-JJ", help="date du jour à utiliser (défaut : aujourd'hui)"
    )


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : écrivez-la AAAA-MM-JJ, par exemple 2026-11-23"
        ) from None


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(config=args.config, workbook=args.workbook, sheet=args.sheet)
    setup_logging(settings.log.dir)
    return settings


# -- commands ----------------------------------------------------------------------


def cmd_tabs(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.tabs import describe_tabs

    report = describe_tabs(open_workbook(_settings(args)))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), file=out)
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
        print(f"  colonnes reconnues : {_join(tab.recognised)}", file=out)
        if tab.unknown:
            print(f"  autres colonnes (jamais modifiées) : {_join(tab.unknown)}", file=out)
        if tab.missing_required:
            print(
                f"  ERREUR colonnes obligatoires manquantes : {_join(tab.missing_required)} "
                "— ajoutez-les à la ligne 1",
                file=out,
            )
        if tab.duplicates:
            print(f"  ERREUR en-têtes en double : {_join(tab.duplicates)} — renommez l'un des deux", file=out)
        if tab.missing_calc:
            print(f"  colonnes calculées à créer par mila sync : {_join(tab.missing_calc)}", file=out)
    if report.absent:
        print(file=out)
        print(f"Onglets du contrat absents (lus comme vides) : {_join(report.absent)}", file=out)
    return 0 if report.ok else 1


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.check import run_check

    settings = _settings(args)
    today = args.today or SystemClock().today()
    result = run_check(
        open_workbook(settings),
        today=today,
        policy=settings.membership,
        booking_policy=settings.bookings,
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
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
            print("Corrigez les erreurs dans le classeur puis relancez « mila check ».", file=out)
    return 1 if result.errors else 0


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.sync import run_sync

    settings = _settings(args)
    clock = SystemClock()
    today = args.today or clock.today()
    workbook = open_workbook(settings)

    def work():  # type: ignore[no-untyped-def]
        return run_sync(
            workbook,
            today=today,
            policy=settings.membership,
            booking_policy=settings.bookings,
            clock=clock,
            dry_run=args.dry_run,
        )

    result = _locked(settings, "sync", clock, work, dry_run=args.dry_run)
    code = JOURNAL_NOT_WRITTEN if result.journal_error else 0
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
        return code
    head = "simulation, rien n'est écrit" if args.dry_run else "synchronisation"
    print(f"Classeur : {workbook.description} — {head} au {today:%d/%m/%Y}", file=out)
    if result.ids_assigned:
        verb = "seraient attribués" if args.dry_run else "attribués"
        print(f"ID {verb} : {len(result.ids_assigned)}", file=out)
        for new in result.ids_assigned:
            print(f"  {new.tab} ligne {new.row.number} → {new.new_id}", file=out)
    if args.dry_run:
        print(f"Cellules qui changeraient : {len(result.changes)}", file=out)
        for change in result.changes[: args.limit]:
            print(
                f"  {change.tab} {change.id} « {change.column} » : "
                f"{_shown(change.before)} → {_shown(change.after)}",
                file=out,
            )
        if len(result.changes) > args.limit:
            print(f"  … et {len(result.changes) - args.limit} autre(s) (--limit pour en voir plus)", file=out)
    else:
        print(f"Cellules écrites : {result.cells_written}", file=out)
        if result.promotions:
            _send_promotion_notices(settings, workbook, today, clock, out, args.limit)
        for tab, column in result.columns_added:
            print(f"  colonne ajoutée : {tab} « {column} »", file=out)
        for skipped in result.skipped:
            print(f"  {skipped}", file=out)
        if result.journal:
            print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
        elif result.journal_error:
            print(
                "Attention : les changements ci-dessus sont faits, mais la ligne qui les note dans "
                f"l'onglet Journal n'a pas pu être écrite ({result.journal_error}). Notez-les "
                "dans Journal à la main si besoin ; le détail est dans le journal local mila.log.",
                file=out,
            )
        elif not result.changed:
            print("Rien à changer : le classeur était déjà à jour.", file=out)
    print(
        f"Anomalies : {result.errors} erreur(s), {result.warnings} avertissement(s)"
        + (" — détail avec « mila check »." if result.errors or result.warnings else "."),
        file=out,
    )
    return code


def cmd_schedule(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.registry import JOBS, paused_jobs
    from .schedule import Scheduler, is_due
    from .state import load_state

    settings = _settings(args)
    clock = SystemClock()
    configured = {k: v for k, v in settings.schedule.timings().items() if k in JOBS}
    paused = {job: reason for job, reason in paused_jobs(settings).items() if configured[job].enabled}
    timings = {k: v for k, v in configured.items() if k not in paused}
    state_path = state_folder(settings) / "state.json"
    failures: list[str] = []

    def run(job: str) -> None:
        done = run_job(settings, JOBS[job], clock)
        if not done.ok:
            failures.append(job)
        word = "terminé" if done.ok else "échec"
        print(f"{clock.now():%d/%m/%Y %H:%M} {job} : {word} — {done.message}", file=out)
        out.flush()

    def last_run(job: str):  # type: ignore[no-untyped-def]
        return load_state(state_path).last_run(job)

    scheduler = Scheduler(timings, run, last_run)
    for job, reason in paused.items():
        print(f"{job} : {reason}", file=out)
    if args.once:
        now = clock.now()
        due = [job for job, timing in timings.items() if is_due(timing, last_run(job), now)]
        if not due:
            print("Aucune tâche à lancer maintenant.", file=out)
        for job in due:
            run(job)
        return 1 if failures else 0
    print("Planificateur démarré (Ctrl-C ou SIGTERM pour l'arrêter après la tâche en cours) :", file=out)
    for job, timing in timings.items():
        print(f"  {job} : {timing.describe()}", file=out)
    out.flush()
    scheduler.install_signal_handlers()
    scheduler.catch_up(clock.now())
    scheduler.loop(scheduler.build())
    print("Planificateur arrêté.", file=out)
    return 0


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.registry import JOBS, paused_jobs
    from .schedule import next_run
    from .state import load_state

    settings = _settings(args)
    now = SystemClock().now()
    state = load_state(state_folder(settings) / "state.json")
    timings = settings.schedule.timings()
    paused = paused_jobs(settings)
    rows = []
    for job in JOBS:
        record = state.jobs.get(job)
        timing = timings.get(job)
        last = state.last_run(job)
        pause = paused.get(job) if timing and timing.enabled else None
        upcoming = next_run(timing, last, now) if timing and not pause else None
        rows.append(
            {
                "job": job,
                "last_run": record.last_run if record else None,
                "result": record.last_result if record else None,
                "message": record.last_message if record else None,
                "next_run": upcoming.isoformat(timespec="minutes") if upcoming else None,
                "failures_since_success": record.failures_since_success if record else 0,
                "paused": pause,
            }
        )
    # 1: something needs a person (a job failing, or mail jobs that cannot send)
    code = 1 if any(r["failures_since_success"] or r["paused"] for r in rows) else 0
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
        return code
    for row in rows:
        print(f"{row['job']} :", file=out)
        if row["last_run"]:
            last = dt.datetime.fromisoformat(row["last_run"])
            print(
                f"  dernière exécution : {last:%d/%m/%Y à %H:%M} — {row['result']} ({row['message']})",
                file=out,
            )
        else:
            print("  jamais exécutée sur cette machine", file=out)
        if row["failures_since_success"]:
            print(f"  échecs depuis la dernière réussite : {row['failures_since_success']}", file=out)
        if row["paused"]:
            print(f"  {row['paused']}", file=out)
            print("  prochaine exécution : aucune tant qu'aucun serveur d'envoi n'est configuré", file=out)
            continue
        upcoming = row["next_run"]
        when = f"{dt.datetime.fromisoformat(upcoming):%d/%m/%Y à %H:%M}" if upcoming else None
        print(f"  prochaine exécution : {when or 'jamais automatiquement'}", file=out)
    return code


def cmd_renewals(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.renewals import run_renewals
    from .mail import make_sender

    settings = _settings(args)
    clock = SystemClock()
    today = args.today or clock.today()
    mail = settings.mail
    workbook = open_workbook(settings)

    def work():  # type: ignore[no-untyped-def]
        return run_renewals(
            workbook,
            today=today,
            policy=settings.membership,
            settings=settings.renewals,
            mail=mail,
            sender=make_sender(mail, dry_run=args.dry_run),
            clock=clock,
            dry_run=args.dry_run,
        )

    result = _locked(settings, "renewals", clock, work, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        if args.dry_run:
            head = "simulation : rien ne part, rien n'est écrit dans le classeur"
        elif result.preview:
            head = "aperçu seulement : aucun serveur d'envoi configuré"
        else:
            head = f"envoi par {result.sender}"
        print(f"Classeur : {workbook.description} — relances du {today:%d/%m/%Y} ({head})", file=out)
        for line in result.lines(args.limit):
            print(line, file=out)
    return 0 if args.dry_run or result.ok else 1


def cmd_diagnostic(args: argparse.Namespace, out: TextIO) -> int:
    from .errors import ConfigError
    from .jobs.diagnostic import TO_FIX, Diagnosis, check_python, run_diagnostic

    try:  # no local log: the checklist writes nothing, not even a folder
        settings = load_settings(config=args.config, workbook=args.workbook, sheet=args.sheet)
    except ConfigError as exc:  # the checklist still says what it could check
        diagnosis = Diagnosis()
        check_python(diagnosis)
        diagnosis.add("Configuration", TO_FIX, exc.message)
    else:
        diagnosis = run_diagnostic(settings, open_book=open_workbook)
    if args.json:
        print(json.dumps(diagnosis.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0 if diagnosis.ok else 1
    marks = {"ok": "OK        ", "à corriger": "À CORRIGER", "à savoir": "À SAVOIR  "}
    for check in diagnosis.checks:
        print(f"{marks[check.status]} {check.label} — {check.detail}", file=out)
    print(file=out)
    if diagnosis.ok:
        print("Tout est prêt : rien n'a été modifié pendant cette vérification.", file=out)
        return 0
    count = sum(check.status == TO_FIX for check in diagnosis.checks)
    print(f"{count} point(s) à corriger (voir docs/deploiement.md), puis relancez « mila diagnostic ». "
          "Rien n'a été modifié pendant cette vérification.", file=out)
    return 1


def cmd_courriel_test(args: argparse.Namespace, out: TextIO) -> int:
    from .mail import send_test_message

    settings = load_settings(config=args.config)
    setup_logging(settings.log.dir)
    mail = settings.mail
    check = send_test_message(mail, args.address, SystemClock().now())
    connected = "Connexion et identification réussies" if mail.user else "Connexion réussie"
    print(f"{connected} : {check.server}.", file=out)
    print(f"Message d'essai parti pour {check.recipient} (Message-ID {check.message_id}) ; "
          f"réponse du serveur : « {check.reply} ».", file=out)
    print("Vérifiez qu'il est bien arrivé (regardez aussi dans les indésirables). Aucun membre n'a reçu "
          "de message et rien n'a été écrit dans le classeur.", file=out)
    return 0


def cmd_calendrier(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.calendars import run_calendars

    settings = _settings(args)
    today = args.today or SystemClock().today()
    result = run_calendars(
        open_workbook(settings), out_dir=args.out, today=today, booking_policy=settings.bookings
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
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


def cmd_docs_variables(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.documents import template_variables

    if Path(args.name).stem.strip().lower() in ("rapport", "report"):
        return _report_variables(args, out)
    result = template_variables(args.name, load_settings(config=args.config).documents)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0
    print(f"Variables du modèle « {result.path.name} » ({result.path}) :", file=out)
    for variable, used in result.variables:
        example = f" — ex. « {variable.example} »" if variable.example else ""
        print(f"  {'✓' if used else ' '} {variable.tag} : {variable.description}{example}", file=out)
    print("Filtres, pour écrire « du », « au », « d’ » devant un nom :", file=out)
    for _, description, tag, example in result.filters:
        print(f"    {tag} : {description} — ex. « {example} »", file=out)
    print("✓ : déjà employée par le modèle. Les « oui si … » s'emploient dans {% if … %} ; "
          "aide : docs/documents.md.", file=out)
    return 0


def _report_variables(args: argparse.Namespace, out: TextIO) -> int:
    from .report.variables import VARIABLES

    if args.json:
        print(json.dumps([{"nom": v.name, "description": v.description} for v in VARIABLES],
                         ensure_ascii=False, indent=2), file=out)
        return 0
    print("Chiffres que les textes du rapport (onglet « Textes ») peuvent citer, par exemple "
          "« {{ membres.moyenne }} » :", file=out)
    for variable in VARIABLES:
        print(f"  {{{{ {variable.name} }}}} : {variable.description}", file=out)
    print("Les chiffres comparés d'une année sur l'autre ont aussi leur valeur de l'année d'avant : "
          "« _avant » (« {{ membres.moyenne_avant }} »). Aide : docs/rapport.md.", file=out)
    return 0


def cmd_docs_verifier(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.documents import verify_templates

    result = verify_templates(load_settings(config=args.config).documents)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0 if result.ok else 1
    print(f"Modèles : {result.folder}", file=out)
    for report in result.reports:
        print(file=out)
        if not report.problems:
            print(f"{report.name} — aucun problème", file=out)
            continue
        print(f"{report.name} — {len(report.errors)} erreur(s), {len(report.warnings)} "
              "avertissement(s)", file=out)
        for problem in report.problems:
            where = "" if problem.part == "corps" else f" ({problem.part})"
            print(f"  [{problem.severity}]{where} {problem.message}", file=out)
            if problem.paragraph:
                print(f"      paragraphe : « {problem.paragraph} »", file=out)
    print(file=out)
    if result.ok:
        print("Tous les modèles sont utilisables"
              + (f" ({result.warnings} avertissement(s) à regarder)." if result.warnings else "."), file=out)
        return 0
    print(f"Total : {result.errors} erreur(s), {result.warnings} avertissement(s). Corrigez les "
          "modèles dans Word, puis relancez « mila docs verifier ».", file=out)
    return 1


_DOCS_TITLES = {"conventions": "conventions de mise à disposition", "charte": "charte des valeurs",
                "recus": "reçus de cotisation", "emargement": "feuille d'émargement"}


def cmd_docs(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs import documents as jobs

    settings = _settings(args)
    association, documents = settings.association, settings.documents
    clock = SystemClock()
    today = args.today or clock.today()
    workbook = open_workbook(settings)
    common = {"today": today, "association": association, "documents": documents, "clock": clock,
              "out": Path(args.out) if args.out else None, "pdf": args.pdf}

    def work():  # type: ignore[no-untyped-def]
        if args.kind == "conventions":
            return jobs.run_conventions(workbook, member=args.member, include_ended=args.all, **common)
        if args.kind == "charte":
            return jobs.run_charters(workbook, member=args.member, all_members=args.all, **common)
        if args.kind == "recus":
            sender = None
            if args.envoyer:
                from .mail import make_sender

                sender = make_sender(settings.mail)
            return jobs.run_receipts(workbook, member=args.member, policy=settings.membership,
                                     mail=settings.mail, sender=sender, **common)
        return jobs.run_attendance(workbook, meeting=args.date or today, title=args.titre, place=args.lieu,
                                   policy=settings.membership, **common)

    result = _locked(settings, "documents", clock, work)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0
    print(f"Classeur : {workbook.description} — {_DOCS_TITLES[args.kind]} au {today:%d/%m/%Y}", file=out)
    print(f"Dossier : {result.folder}", file=out)
    print(f"Documents produits : {len(result.written)}", file=out)
    for written in result.written:
        beside = (f" — écrit à côté de « {written.beside.name} », modifié à la main"
                  if written.beside else "")
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
    if result.sending is not None:
        for line in result.sending.lines(args.limit):
            print(line, file=out)
    if result.journal:
        print("Une ligne a été ajoutée à l'onglet Journal.", file=out)
    elif result.changed:
        print("Attention : ces documents sont faits, mais la ligne qui les note dans l'onglet Journal "
              "n'a pas pu être écrite ; le détail est dans le journal local mila.log.", file=out)
        return JOURNAL_NOT_WRITTEN
    elif not result.skipped:
        print("Rien à refaire : les documents étaient déjà à jour.", file=out)
    return 0


def _send_promotion_notices(settings, workbook, today, clock, out, limit) -> None:  # type: ignore[no-untyped-def]
    """After a sync that gave freed places, tell the members now (the notices are
    already recorded « à envoyer »: if mail fails, the next run sends them)."""
    from .jobs.promotions import run_promotion_notices
    from .mail import make_sender

    try:
        mail = settings.mail
        sender = make_sender(mail)
        notices = run_promotion_notices(workbook, today=today, mail=mail, sender=sender, clock=clock)
    except MilaError as exc:
        print(f"Messages « place confirmée » non envoyés pour l'instant : {exc.message}", file=out)
        return
    for line in notices.lines(limit):
        print(line, file=out)


def cmd_docs_rapport(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs.report import run_report

    settings = _settings(args)
    association, documents = settings.association, settings.documents
    template = documents.templates / "rapport.docx"
    result = run_report(
        open_workbook(settings),
        year=args.year,
        out_dir=args.out or documents.out,
        today=args.today or SystemClock().today(),
        association_name=association.name,
        template=template if template.is_file() else None,
        booking_policy=settings.bookings,
        board_on=args.conseil_au,
        pdf=args.pdf,
        soffice=documents.soffice,
        pdf_timeout=documents.pdf_timeout,
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0
    for line in result.lines():
        print(line, file=out)
    return 0


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import build_demo_workbook

    summary = build_demo_workbook(args.path, seed=args.seed, today=args.today or SystemClock().today())
    print(f"Classeur de démonstration écrit : {args.path}", file=out)
    for tab, count in summary.counts.items():
        print(f"  {tab} : {count} ligne(s)", file=out)
    print(f"Ensuite : mila check --workbook {args.path}  ou  mila sync --workbook {args.path}", file=out)
    return 0


def cmd_emulator(args: argparse.Namespace, out: TextIO) -> int:
    from sheets_emulator import serve

    def ready(address: str, spreadsheet_id: str) -> None:
        print(f"Émulateur de l'API Google Sheets prêt sur http://{address}", file=out)
        print(f"Copie locale de « {args.source} », clé de la feuille : {spreadsheet_id}", file=out)
        print("Dans un autre terminal :", file=out)
        print(f"  export SHEETS_EMULATOR_HOST={address}", file=out)
        print(f"  mila tabs --sheet {spreadsheet_id}", file=out)
        print("Ctrl-C pour arrêter (le fichier d'origine n'est jamais modifié).", file=out)
        out.flush()

    serve(args.source, host=args.host, port=args.port, spreadsheet_id=args.id, on_ready=ready)
    return 0


def cmd_paiements(args: argparse.Namespace, out: TextIO) -> int:
    from .jobs import payments as job

    settings = _settings(args)
    clock = SystemClock()
    today = args.today or clock.today()
    workbook = open_workbook(settings)
    policy = settings.membership
    if args.paiements_command == "importer":
        def work():  # type: ignore[no-untyped-def]
            return job.run_import(workbook, [Path(f) for f in args.files], today=today, policy=policy,
                                  dry_run=args.dry_run)
    elif args.paiements_command == "reprendre":
        def work():  # type: ignore[no-untyped-def]
            return job.run_takeover(workbook, today=today, policy=policy, dry_run=args.dry_run)
    else:
        from .payments.helloasso_api import HelloAssoClient

        payments_settings = settings.payments

        def work():  # type: ignore[no-untyped-def]
            return job.run_helloasso(workbook, HelloAssoClient(payments_settings), today=today,
                                     policy=policy, dry_run=args.dry_run,
                                     since_default_days=payments_settings.since_days)
    result = work() if args.dry_run else run_guarded(settings, "paiements", clock, work, job.describe)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2), file=out)
        return 0
    head = "simulation, rien n'est écrit" if args.dry_run else "paiements"
    print(f"Classeur : {workbook.description} — {head} au {today:%d/%m/%Y}", file=out)
    for read in result.files:
        print(f"{read.name} : {read.kind}, {len(read.payments)} paiement(s) lu(s)", file=out)
    verb = "seraient ajoutés" if args.dry_run else "ajoutés"
    print(f"Paiements {verb} à « Paiements » : {len(result.added)} "
          f"(dont {len(result.added) - result.matched} sans membre, à rapprocher)", file=out)
    for planned in result.added[: args.limit]:
        v = planned.values
        print(f"  {v['ID']} {_shown(v['Date'])} {_shown(v['Montant'])} {v['Payeur'] or ''} → "
              f"{v['Membre'] or '(aucun membre)'} — {planned.how}", file=out)
    if len(result.added) > args.limit:
        print(f"  … et {len(result.added) - args.limit} autre(s) (--limit pour en voir plus)", file=out)
    if result.already:
        print(f"Déjà dans le registre (non ajoutés) : {len(result.already)}", file=out)
    for line in result.warnings:
        print(f"  Attention : {line}", file=out)
    if result.ignored:
        print(f"Lignes mises de côté : {len(result.ignored)}", file=out)
        for line in result.ignored[: args.limit]:
            print(f"  {line}", file=out)
    if result.added and not args.dry_run:
        print("Ensuite : « mila sync » pour les périodes et les anomalies ; choisissez le membre "
              "des paiements sans membre dans « Paiements ».", file=out)
    return 0


# -- parsing -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="mila",
        description="Automatisations du MILA : vérifier et tenir à jour le classeur partagé.",
    )
    parser.add_argument("--version", action="version", version=f"mila {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True, parser_class=FrenchParser)

    tabs = sub.add_parser("tabs", help="lister les onglets, leurs lignes et leurs colonnes")
    _workbook_options(tabs)
    tabs.add_argument("--json", action="store_true", help="sortie JSON")
    tabs.set_defaults(handler=cmd_tabs)

    check = sub.add_parser("check", help="vérifier chaque ligne et lister les anomalies (lecture seule)")
    _workbook_options(check)
    _today_option(check)
    check.add_argument("--json", action="store_true", help="sortie JSON")
    check.set_defaults(handler=cmd_check)

    sync = sub.add_parser("sync", help="attribuer les ID, écrire les colonnes calculées et les anomalies")
    _workbook_options(sync)
    _today_option(sync)
    sync.add_argument("--dry-run", action="store_true", help="montrer ce qui changerait, sans rien écrire")
    sync.add_argument("--limit", type=int, default=50, help="nombre de changements montrés par --dry-run")
    sync.add_argument("--json", action="store_true", help="sortie JSON")
    sync.set_defaults(handler=cmd_sync)

    sched = sub.add_parser("schedule", help="lancer les tâches à leurs heures (service de longue durée)")
    _workbook_options(sched)
    sched.add_argument(
        "--once",
        action="store_true",
        help="lancer ce qui est dû maintenant puis s'arrêter (cron, timer systemd)",
    )
    sched.set_defaults(handler=cmd_schedule)

    status = sub.add_parser("status", help="dernière et prochaine exécution de chaque tâche")
    _workbook_options(status)
    status.add_argument("--json", action="store_true", help="sortie JSON")
    status.set_defaults(handler=cmd_status)

    renewals = sub.add_parser(
        "renewals", help="envoyer les relances de cotisation dues (une seule fois chacune)"
    )
    _workbook_options(renewals)
    _today_option(renewals)
    renewals.add_argument(
        "--dry-run",
        action="store_true",
        help="lister qui recevrait quelle relance, sans rien envoyer ni enregistrer",
    )
    renewals.add_argument("--limit", type=int, default=50, help="nombre de lignes montrées par catégorie")
    renewals.add_argument("--json", action="store_true", help="sortie JSON")
    renewals.set_defaults(handler=cmd_renewals)

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
    mail_test.add_argument("--config", metavar="FICHIER",
                           help="fichier de configuration (défaut : ./mila.toml)")
    mail_test.set_defaults(handler=cmd_courriel_test)

    cal = sub.add_parser(
        "calendrier", help="écrire les calendriers .ics des ressources réservables et du programme"
    )
    _workbook_options(cal)
    _today_option(cal)
    cal.add_argument("--out", required=True, metavar="DOSSIER", help="dossier où écrire les fichiers .ics")
    cal.add_argument("--json", action="store_true", help="sortie JSON")
    cal.set_defaults(handler=cmd_calendrier)

    demo = sub.add_parser("demo", help="créer un classeur de démonstration réaliste")
    demo.add_argument("path", metavar="CHEMIN.xlsx")
    demo.add_argument("--seed", type=int, default=2024, help="graine du tirage (même graine, même classeur)")
    _today_option(demo)
    demo.set_defaults(handler=cmd_demo)

    emulator = sub.add_parser(
        "emulator", help="servir une copie d'un .xlsx par un émulateur local de l'API Google Sheets"
    )
    emulator.add_argument("--from", dest="source", required=True, metavar="CLASSEUR.xlsx")
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8085)
    emulator.add_argument("--id", default=None, help="clé de la feuille servie (défaut : dérivée du nom)")
    emulator.set_defaults(handler=cmd_emulator)
    paiements = sub.add_parser("paiements", help="registre des paiements : imports HelloAsso et banque")
    paiements_sub = paiements.add_subparsers(dest="paiements_command", metavar="ACTION", required=True,
                                             parser_class=FrenchParser)
    importer = paiements_sub.add_parser(
        "importer", help="ajouter les paiements d'exports HelloAsso et de relevés (CSV, XLSX, OFX)")
    importer.add_argument("files", nargs="+", metavar="FICHIER", help="export HelloAsso ou relevé bancaire")
    reprendre = paiements_sub.add_parser(
        "reprendre", help="reprendre une fois « Cotisation payée le » / « Montant payé » de Membres")
    helloasso = paiements_sub.add_parser(
        "helloasso", help="récupérer les commandes HelloAsso depuis le dernier import (API v5)")
    for command in (importer, reprendre, helloasso):
        _workbook_options(command)
        _today_option(command)
        command.add_argument("--dry-run", action="store_true",
                             help="montrer ce qui serait ajouté, sans écrire")
        command.add_argument("--json", action="store_true", help="sortie JSON")
        command.add_argument("--limit", type=int, default=50, help="nombre de lignes affichées (défaut 50)")
        command.set_defaults(handler=cmd_paiements)
    docs = sub.add_parser("docs", help="documents Word : conventions, charte, reçus, feuille d'émargement")
    docs_sub = docs.add_subparsers(dest="docs_command", metavar="DOCUMENT", required=True,
                                   parser_class=FrenchParser)
    variables = docs_sub.add_parser("variables", help="lister les variables qu'un modèle peut employer")
    variables.add_argument("name", metavar="MODÈLE",
                           help="convention, charte, registre_charte, recu ou emargement")
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
        _today_option(command)
        command.add_argument("--out", metavar="DOSSIER", help="dossier de sortie (défaut : out/)")
        command.add_argument("--pdf", action="store_true", help="produire aussi le PDF (LibreOffice)")
        command.add_argument("--json", action="store_true", help="sortie JSON")
        if kind != "emargement":
            command.add_argument("--member", metavar="ID", help="un seul membre")
        if kind == "conventions":
            command.add_argument("--all", action="store_true", help="inclure les conventions terminées")
        if kind == "charte":
            command.add_argument("--all", action="store_true",
                                 help="tous les membres actifs, même ceux qui ont signé")
        if kind == "recus":
            command.add_argument("--envoyer", action="store_true",
                                 help="envoyer par e-mail, une seule fois, les reçus pas encore envoyés "
                                      "(onglet Paiements)")
            command.add_argument("--limit", type=int, default=50,
                                 help="nombre de lignes affichées (défaut 50)")
        if kind == "emargement":
            command.add_argument("--date", type=_date, metavar="AAAA-MM-JJ",
                                 help="date de l'assemblée (défaut : aujourd'hui)")
            command.add_argument("--titre", default="Assemblée générale", help="intitulé de l'assemblée")
            command.add_argument("--lieu", default=None, help="lieu (défaut : l'adresse de l'association)")
        command.set_defaults(handler=cmd_docs, kind=kind)
    rapport = docs_sub.add_parser("rapport", help="écrire le rapport d'activité annuel (Word) d'une année")
    _workbook_options(rapport)
    _today_option(rapport)
    rapport.add_argument("--year", type=int, required=True, metavar="AAAA", help="année du rapport")
    rapport.add_argument(
        "--out", type=Path, metavar="DOSSIER", help="dossier de sortie (défaut : [documents] out)"
    )
    rapport.add_argument("--pdf", action="store_true", help="produire aussi le PDF (LibreOffice)")
    rapport.add_argument("--conseil-au", type=_date, metavar="AAAA-MM-JJ", dest="conseil_au",
                         help="date de la composition du conseil (défaut : le 31 décembre de l'année)")
    rapport.add_argument("--json", action="store_true", help="sortie JSON")
    rapport.set_defaults(handler=cmd_docs_rapport)
    return parser


class FrenchParser(argparse.ArgumentParser):
    """argparse, with its complaints said in French."""

    def error(self, message: str) -> NoReturn:
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


# What a terminal would obey rather than show: C0 and C1 controls but the newline and the
# tab (escape sequences that retitle the window, clear the screen, move the cursor…), and
# the bidirectional overrides and isolates that make a line read in another order.
_UNSHOWN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Shown(io.TextIOBase):
    """A text stream that passes on what it is given, without the characters in
    ``_UNSHOWN``: whatever a cell holds, the person sees text, never a terminal command."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.stream.write(_UNSHOWN.sub("", text))
        return len(text)

    def flush(self) -> None:
        if not getattr(self.stream, "closed", False):
            self.stream.flush()


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = Shown(out or sys.stdout)
    err = Shown(sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    show_notices(err)  # type: ignore[arg-type]
    try:
        return handler(args, out)  # type: ignore[arg-type]
    except MilaError as exc:
        print(f"Erreur : {exc.message}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrompu.", file=err)
        return 130
    except BrokenPipeError:
        # The output was cut short by its reader (`mila check | head`): nothing to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        hide_notices()
        close_logging()


def _shown(value: object) -> str:
    from decimal import Decimal

    from .formatting import format_date, format_money

    if value is None or value == "":
        return "(vide)"
    if isinstance(value, Decimal):
        text = format_money(value)
    elif isinstance(value, dt.date):
        text = format_date(value)
    else:
        text = str(value).replace("\n", " / ")
    return f"« {text[:80]}{'…' if len(text) > 80 else ''} »"


def _join(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "aucune"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
