"""What every command does before its job: read the settings, build the run context, take
the lock."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from ..clock import SystemClock
from ..config import Settings, load_settings
from ..jobs.context import JobResult, RunContext
from ..logs import setup_logging
from ..runner import Outcome, run_guarded

T = TypeVar("T")
R = TypeVar("R", bound=JobResult)
Options = TypeVar("Options")


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings of ``--config``, ``--classeur`` and ``--feuille``; logging set up."""
    settings = load_settings(config=args.config, workbook=args.workbook, sheet=args.sheet)
    setup_logging(settings.log.dir, keep=own_addresses(settings))
    return settings


def own_addresses(settings: Settings) -> list[str]:
    """The association's addresses of the configuration: the log may name them (a person's
    address is masked there)."""
    mail = settings.mail
    found = [mail.sender, mail.user, mail.reply_to, settings.donnees.contact, *settings.digest.to]
    return [a for a in found if a]


def context_of(args: argparse.Namespace, *, dry_run: bool = False) -> RunContext:
    """The run context of a command: its settings, the real clock, ``--date``."""
    return RunContext(settings_of(args), SystemClock(), today=getattr(args, "today", None), dry_run=dry_run)


def preview_context(ctx: RunContext) -> RunContext:
    """``ctx`` with the preview folder as its sender (a dry run of a sending), still a
    real run for everything else (documents are written, under the lock)."""
    from ..mail import make_sender

    return RunContext(
        ctx.settings, ctx.clock, today=ctx.today, sender=make_sender(ctx.settings.mail, dry_run=True)
    )


def locked(ctx: RunContext, job: str, work: Callable[[], T], describe: Callable[[T], Outcome]) -> T:
    """Run a job's work under the single-instance lock, recorded for `mila etat` in the
    words of ``describe``; a dry run writes nothing, so it neither waits for the lock nor
    counts as a run."""
    ctx.workbook  # noqa: B018 - opened before the lock, as each command always did
    if ctx.dry_run:
        return work()
    return run_guarded(ctx.settings, job, ctx.clock, work, describe)


def run_entry(ctx: RunContext, job: str, entry: Callable[[RunContext, Options], R], options: Options) -> R:
    """Run a job's typed entry with its options, as the scheduler does, under the lock
    (``job``: the name the lock and ``mila etat`` record the run under)."""
    return locked(ctx, job, lambda: entry(ctx, options), _outcome)


def _outcome(result: JobResult) -> Outcome:
    return result.outcome()
