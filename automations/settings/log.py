"""``[log]``: where the rotating local log goes."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from .base import FolderPath, Section


class LogSettings(Section):
    """``[log] dir``: the folder of mila.log, beside the configuration by default."""

    section = "log"

    dir: FolderPath = Field(Path("logs"), validate_default=True)
