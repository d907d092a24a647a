"""Previews: with no server configured, or for a dry run, every message is written to the
preview folder (``.eml``) and ``Relances`` is not touched, so that a later run with a
server sends every one of them."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ..clock import Clock
from ..mail import MailError, Sender, preview_notice
from ..workbook import Workbook
from .journal_line import journal
from .messages import PREVIEW, Mail

log = logging.getLogger(__name__)


def write_previews(sender: Sender, messages: Sequence[Mail], *, task: str) -> Path | None:
    """Write every message to ``sender``, which must not deliver (the preview folder);
    the messages stay ``prévue`` and nothing is recorded. Returns the folder written to."""
    if sender.delivers:
        raise ValueError("write_previews needs a sender that does not deliver")
    if not messages:
        return None
    sender.open()
    try:
        for message in messages:
            assert message.outgoing is not None
            message.preview = sender.send(message.outgoing)
    finally:
        sender.close()
    log.info("%s: %d preview(s) written, nothing sent", task, len(messages))
    return Path(messages[0].preview or ".").parent


class Previewed(Protocol):
    """A job result that may be written as previews (``RenewalsResult``, ``NoticesResult``)."""

    dry_run: bool
    preview: bool
    preview_folder: Path | None
    journal: bool
    seconds: float

    @property
    def messages(self) -> Sequence[Mail]: ...  # read only, so that a list of a kind of Mail fits


def previews(
    workbook: Workbook,
    sender: Sender,
    clock: Clock,
    result: Previewed,
    started: float,
    *,
    task: str,
    note: str,
) -> None:
    """End a run without server or a dry run: write the messages as previews (only to a
    sender that does not deliver: a dry run given a real server just lists them). A run
    without server (not a dry run) writes one Journal line saying nothing left (``note``
    is added to it); nothing is ever written to Relances."""
    try:
        if not sender.delivers:
            result.preview_folder = write_previews(sender, result.messages, task=task)
    except MailError as exc:
        result.seconds = time.monotonic() - started
        if not result.dry_run:
            journal(workbook, clock, task, "échec", exc.message, result.seconds)
        raise
    result.seconds = time.monotonic() - started
    if result.preview and result.messages:
        details = preview_notice(len(result.messages), result.preview_folder or Path(".")) + note
        result.journal = journal(workbook, clock, task, PREVIEW, details, result.seconds)
