"""The commands of unattended operation and mail: `planifier`, `etat`, `relances`, `courriel-test`."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TextIO

from ..clock import SystemClock
from ..config import Settings, load_settings
from ..logs import setup_logging
from .common import context_of, own_addresses, run_entry, settings_of
from .printing import JOURNAL_NOT_WRITTEN, journal_lost, print_json


def cmd_schedule(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.registry import JOBS, paused_jobs
    from ..runner import job_name, run_job, state_folder
    from ..schedule import Scheduler
    from ..state import load_state

    settings = settings_of(args)
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
        print(f"{clock.now():%d/%m/%Y %H:%M} {job_name(job)} : {word} — {done.message}", file=out)
        out.flush()

    def last_run(job: str) -> dt.datetime | None:
        return load_state(state_path).last_run(job)

    scheduler = Scheduler(timings, run, last_run, clock=clock)
    for job, reason in paused.items():
        print(f"{job_name(job)} : {reason}", file=out)
    if args.once:
        if not scheduler.run_due():
            print("Aucune tâche à lancer maintenant.", file=out)
        return 1 if failures else 0
    print("Planificateur démarré (Ctrl-C ou SIGTERM pour l'arrêter après la tâche en cours) :", file=out)
    for job, timing in timings.items():
        print(f"  {job_name(job)} : {timing.describe()}", file=out)
    out.flush()
    scheduler.install_signal_handlers()
    scheduler.loop()
    print("Planificateur arrêté.", file=out)
    return 0


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs.status import job_status, send_alert

    settings = settings_of(args)
    clock = SystemClock()
    status = job_status(settings, clock.now())
    if args.json:
        print_json(status.as_list(), out)
    else:
        for line in status.lines():
            print(line, file=out)
        said = _sending(settings)
        if said:
            print(said, file=out)
    if args.alerter:
        alert = send_alert(settings, status, args.alerter, clock.now())
        if args.json:
            pass  # the JSON above is the whole output
        elif alert.recipient is None:
            print(
                f"Rien à signaler : aucune tâche n'a échoué depuis sa dernière réussite ; aucune alerte "
                f"envoyée à {args.alerter.strip()}.",
                file=out,
            )
        else:
            print(
                f"Alerte envoyée à {alert.recipient} (Message-ID {alert.message_id}) : "
                f"{len(alert.failing)} tâche(s) en échec depuis sa dernière réussite.",
                file=out,
            )
    return status.code


def _sending(settings: Settings) -> str | None:
    """Whether sending is switched on in the workbook (its Journal), when a mail server and a
    workbook are configured; the reason when the workbook cannot be read now."""
    from ..errors import MilaError
    from ..jobs.sending_switch import read_sending_state
    from ..workbook import open_workbook

    book = settings.workbook
    if not settings.mail.uses_smtp or not (book.sheet or book.path):
        return None
    try:
        return read_sending_state(open_workbook(settings), settings).describe()
    except MilaError as exc:
        return f"État des envois inconnu (classeur illisible) : {exc.message}"


def cmd_renewals(args: argparse.Namespace, out: TextIO) -> int:
    from ..jobs import registry

    ctx = context_of(args, dry_run=args.dry_run)
    result = run_entry(ctx, "renewals", registry.renewals, registry.RunOptions())
    code = JOURNAL_NOT_WRITTEN if result.journal_lost else 0 if args.dry_run or result.ok else 1
    if args.json:
        print_json(result.as_dict(), out)
        return code
    if args.dry_run:
        head = "simulation : rien ne part, rien n'est écrit dans le classeur"
    elif result.preview:
        head = "aperçu seulement : aucun serveur d'envoi configuré"
    else:
        head = f"envoi par {result.sender}"
    print(f"Classeur : {ctx.workbook.description} — relances du {ctx.today:%d/%m/%Y} ({head})", file=out)
    for line in result.lines(args.limit):
        print(line, file=out)
    if result.journal_lost:
        done = "les aperçus ci-dessus sont écrits" if result.preview else "les envois ci-dessus sont faits"
        journal_lost(done, out)
    return code


def cmd_courriel_test(args: argparse.Namespace, out: TextIO) -> int:
    from ..mail import send_test_message

    settings = load_settings(config=args.config)
    setup_logging(settings.log.dir, keep=[*own_addresses(settings), args.address])
    mail = settings.mail
    check = send_test_message(mail, args.address, SystemClock().now())
    connected = "Connexion et identification réussies" if mail.user else "Connexion réussie"
    print(f"{connected} : {check.server}.", file=out)
    print(
        f"Message d'essai parti pour {check.recipient} (Message-ID {check.message_id}) ; "
        f"réponse du serveur : « {check.reply} ».",
        file=out,
    )
    print(
        "Vérifiez qu'il est bien arrivé (regardez aussi dans les indésirables). Aucun membre n'a reçu "
        "de message et rien n'a été écrit dans le classeur.",
        file=out,
    )
    return 0
