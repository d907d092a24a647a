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


def open_workbook(settings: Settings, *, lazy: bool = False) -> Workbook:
    """Open the workbook the settings point to: a Google sheet, or an .xlsx file. ``lazy``:
    a Google sheet's metadata is read when first needed, not now (``Workbook.peek`` of one
    tab then costs its one read)."""
    book = settings.workbook
    if book.sheet:
        from .google import GoogleBackend

        return Workbook(
            GoogleBackend(
                book.sheet,
                credentials_path=book.credentials,
                emulator_host=book.emulator_host,
                retry=book.retry,
                lazy=lazy,
            )
        )
    if book.path:
        from .xlsx import XlsxBackend

        return Workbook(XlsxBackend(book.path))
    raise ConfigError(
        "Aucun classeur indiqué. Donnez un fichier avec --classeur CHEMIN.xlsx (ou MILA_WORKBOOK), "
        "ou une feuille Google avec --feuille CLÉ_OU_ADRESSE (ou MILA_SHEET)."
    )
