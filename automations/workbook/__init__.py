"""The shared workbook: one interface (``Workbook``) over Google Sheets and a local .xlsx."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ConfigError
from .base import Backend, CellUpdate, NewId, Workbook, WriteResult
from .table import Row, Table

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "Backend",
    "CellUpdate",
    "NewId",
    "Row",
    "Table",
    "Workbook",
    "WriteResult",
    "open_workbook",
]


def open_workbook(settings: Settings) -> Workbook:
    """Open the workbook the settings point to: a Google sheet, or an .xlsx file."""
    if settings.sheet:
        from .google import GoogleBackend

        return Workbook(
            GoogleBackend(
                settings.sheet,
                credentials_path=settings.credentials,
                emulator_host=settings.emulator_host,
                retry=settings.retry,
            )
        )
    if settings.workbook:
        from .xlsx import XlsxBackend

        return Workbook(XlsxBackend(settings.workbook))
    raise ConfigError(
        "Aucun classeur indiqué. Donnez un fichier avec --workbook CHEMIN.xlsx (ou MILA_WORKBOOK), "
        "ou une feuille Google avec --sheet CLÉ_OU_ADRESSE (ou MILA_SHEET)."
    )
