"""The local log: every run, in a rotating file, whatever it did in the sheet."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER_NAME = "mila-file"


def setup_logging(folder: Path, *, level: int = logging.INFO) -> Path:
    """Log to ``folder/mila.log`` (1 MB × 5 files). Safe to call more than once."""
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
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    return path


def close_logging() -> None:
    """Detach and close the file handler (tests, end of a command)."""
    root = logging.getLogger("automations")
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
