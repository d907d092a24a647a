"""``[workbook]``: which workbook, with which key, and how Google Sheets calls are retried."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import ConfigPath, OptionalText, Seconds, Section

Wait = Annotated[float, Field(ge=0, description="un nombre de secondes, positif ou nul, par exemple 1")]


class RetryPolicy(Section):
    """``[workbook.retry]``: bounded exponential backoff with jitter, a few attempts within
    about two minutes."""

    section = "workbook.retry"

    attempts: int = Field(6, ge=1, description="un nombre entier d'essais, au moins 1, par exemple 6")
    timeout: Seconds = 120.0
    wait_initial: Wait = 1.0
    wait_max: Wait = 30.0
    wait_jitter: Wait = 1.0


class WorkbookSettings(Section):
    """``[workbook]``; ``path`` and ``sheet`` are the ones chosen by the rising precedence
    file < environment < options, ``emulator_host`` comes from SHEETS_EMULATOR_HOST."""

    section = "workbook"

    path: ConfigPath | None = None
    sheet: OptionalText = Field(None, description="la clé ou l'adresse complète d'une feuille Google Sheets")
    credentials: ConfigPath | None = None
    emulator_host: OptionalText = Field(
        None, description="hôte:port de l'émulateur, par exemple « 127.0.0.1:8085 »"
    )
    retry: RetryPolicy = RetryPolicy()
