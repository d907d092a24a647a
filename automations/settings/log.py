"""``[log]``: where the rotating local log goes."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from .base import ConfigPath, Section


class LogSettings(Section):
    """``[log] dir``: the folder of mila.log, beside the configuration by default."""

    section = "log"

    dir: ConfigPath = Field(Path("logs"), validate_default=True)
