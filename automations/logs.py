"""The local log: every run, in a rotating file, whatever it did in the sheet.

Times are the association's (Europe/Paris, as in ``Journal``), with their offset:
``2026-11-23 09:00:00,123 +0100``. French notices meant for the person at the terminal
(a retry being waited out) go to the ``automations.notices`` logger: the file keeps them,
and the command shows them on its error stream (:func:`show_notices`).

The file names members by their ID, never by their address or phone: every e-mail address
and French phone number of a line is masked (:class:`PersonalDataFilter`), but the
association's own addresses of the configuration (sender, login, summary recipients),
which a run needs to report.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from .clock import PARIS

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOTICES = "automations.notices"
_HANDLER_NAME = "mila-file"
_NOTICES_HANDLER_NAME = "mila-notices"


class ParisFormatter(logging.Formatter):
    """A formatter whose times are Paris times with the UTC offset, whatever the machine's zone."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = dt.datetime.fromtimestamp(record.created, PARIS)
        if datefmt:
            return moment.strftime(datefmt)
        return f"{moment:%Y-%m-%d %H:%M:%S},{int(record.msecs):03d} {moment:%z}"


_ADDRESS = re.compile(r"[^\s@<>\"'(),;:«»]+@[^\s@<>\"'(),;:«»]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\d+])(?:\+33[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
ADDRESS_MASK = "[adresse masquée]"
PHONE_MASK = "[téléphone masqué]"


def mask_personal(text: str, keep: Iterable[str] = ()) -> str:
    """``text`` without e-mail addresses (but those of ``keep``) nor phone numbers."""
    kept = {k.casefold() for k in keep}
    text = _ADDRESS.sub(lambda m: m[0] if m[0].casefold() in kept else ADDRESS_MASK, text)
    return _PHONE.sub(PHONE_MASK, text)


class PersonalDataFilter(logging.Filter):
    """Masks the people's addresses and phones in each line written to the file."""

    def __init__(self, keep: Iterable[str] = ()) -> None:
        super().__init__()
        self.keep = tuple(keep)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal(message, self.keep)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def setup_logging(folder: Path, *, level: int = logging.INFO, keep: Iterable[str] = ()) -> Path:
    """Log to ``folder/mila.log`` (1 MB × 5 files). Safe to call more than once. ``keep``:
    the association's own addresses, left unmasked."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mila.log"
    root = logging.getLogger("automations")
    root.setLevel(level)
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            if Path(getattr(handler, "baseFilename", "")) == path.resolve():
                return path
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
    )
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(ParisFormatter(FORMAT))
    handler.addFilter(PersonalDataFilter(keep))
    root.addHandler(handler)
    return path


def close_logging() -> None:
    """Detach and close the file handler (tests, end of a command)."""
    root = logging.getLogger("automations")
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()


def show_notices(stream: TextIO) -> logging.Handler:
    """Show the French notices on ``stream``, one line each, nothing else; undo with
    :func:`hide_notices`."""
    logger = logging.getLogger(NOTICES)
    hide_notices()
    handler = logging.StreamHandler(stream)
    handler.set_name(_NOTICES_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    return handler


def hide_notices() -> None:
    """Stop showing the notices on the stream given to :func:`show_notices`."""
    logger = logging.getLogger(NOTICES)
    for handler in list(logger.handlers):
        if handler.get_name() == _NOTICES_HANDLER_NAME:
            logger.removeHandler(handler)
