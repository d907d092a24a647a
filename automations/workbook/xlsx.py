"""The .xlsx backend (openpyxl): a workbook downloaded from Google Sheets, or the demo.

Reads use openpyxl's fast read-only mode with cached values (what a formula last
computed). Writes load the file in full, change only the cells asked for, and
replace the file atomically, so everything else is kept: other tabs, formatting,
column widths, data validation, formulas in the staff's columns. openpyxl does not
keep images or charts: a workbook holding them should live in Google Sheets.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from ..errors import WorkbookError, WorkbookLocked, WorkbookNotFound
from .base import Grid

DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


class XlsxBackend:
    """A local .xlsx file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.description = f"fichier « {self.path.name} »"
        if not self.path.exists():
            raise WorkbookNotFound(
                f"Le fichier « {self.path} » est introuvable. Vérifiez le chemin donné à "
                "--workbook (ou MILA_WORKBOOK), ou créez un classeur de démonstration avec "
                "« mila demo demo.xlsx »."
            )
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise WorkbookError(
                f"« {self.path.name} » n'est pas un classeur .xlsx. Enregistrez-le au format "
                "Excel (.xlsx) ou téléchargez-le depuis Google Sheets (Fichier > Télécharger > "
                "Microsoft Excel)."
            )
        self._writable: OpenpyxlWorkbook | None = None
        self._writable_mtime: float | None = None

    # -- reading ---------------------------------------------------------------

    def _open_read_only(self) -> OpenpyxlWorkbook:
        try:
            return load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            if isinstance(exc, PermissionError):
                raise WorkbookLocked(
                    f"Le fichier « {self.path.name} » ne peut pas être lu (accès refusé). "
                    "Fermez-le dans le tableur qui l'a ouvert ou vérifiez ses droits."
                ) from exc
            raise WorkbookError(
                f"« {self.path.name} » n'est pas un classeur .xlsx lisible ({type(exc).__name__}). "
                "Ouvrez-le dans un tableur et enregistrez-le à nouveau au format .xlsx."
            ) from exc

    def titles(self) -> list[str]:
        wb = self._open_read_only()
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()

    def fetch(self, full: Sequence[str], partial: Mapping[str, Sequence[int]]) -> dict[str, Grid]:
        wb = self._open_read_only()
        try:
            grids: dict[str, Grid] = {}
            for title in full:
                if title in wb.sheetnames:
                    grids[title] = _trim([list(r) for r in wb[title].iter_rows(values_only=True)])
            for title, cols in partial.items():
                if title in grids or title not in wb.sheetnames:
                    continue
                wanted = {c - 1 for c in cols}
                grid: Grid = []
                for number, values in enumerate(wb[title].iter_rows(values_only=True), start=1):
                    if number == 1:
                        grid.append(list(values))
                    else:
                        grid.append([v if i in wanted else None for i, v in enumerate(values)])
                grids[title] = _trim(grid)
            return grids
        finally:
            wb.close()

    # -- writing ---------------------------------------------------------------

    def _check_not_locked(self) -> None:
        folder, name = self.path.parent, self.path.name
        for lock in (folder / f".~lock.{name}#", folder / f"~${name}", folder / f"~${name[2:]}"):
            if lock.exists():
                raise WorkbookLocked(
                    f"Le fichier « {name} » est ouvert dans un tableur (verrou « {lock.name} »). "
                    "Fermez-le puis relancez : rien n'a été écrit."
                )

    def _load_writable(self) -> OpenpyxlWorkbook:
        self._check_not_locked()
        mtime = self.path.stat().st_mtime
        if self._writable is None or self._writable_mtime != mtime:
            try:
                self._writable = load_workbook(self.path, keep_vba=self.path.suffix == ".xlsm")
            except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
                raise WorkbookError(
                    f"« {self.path.name} » n'est pas un classeur .xlsx lisible. "
                    "Ouvrez-le dans un tableur et enregistrez-le à nouveau au format .xlsx."
                ) from exc
            self._writable_mtime = mtime
        return self._writable

    def _save(self, wb: OpenpyxlWorkbook) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".mila-", suffix=".xlsx", dir=self.path.parent)
        os.close(fd)
        try:
            wb.save(tmp)
            with contextlib.suppress(OSError):
                os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        except PermissionError as exc:
            raise WorkbookLocked(
                f"Impossible d'enregistrer « {self.path.name} » (accès refusé). Fermez-le dans "
                "le tableur qui l'a ouvert puis relancez : rien n'a été écrit."
            ) from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._writable_mtime = self.path.stat().st_mtime

    def write_cells(self, cells: Sequence[tuple[str, int, int, object]]) -> None:
        wb = self._load_writable()
        for title, row, col, value in cells:
            _set(wb[title].cell(row=row, column=col), value)
        self._save(wb)

    def add_tab(self, title: str, header: Sequence[str]) -> None:
        wb = self._load_writable()
        if title in wb.sheetnames:
            return  # another run created it a moment ago: use it as it is
        ws = wb.create_sheet(title)
        for col, name in enumerate(header, start=1):
            cell = ws.cell(row=1, column=col)
            _set(cell, name)
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        self._save(wb)

    def ensure_columns(self, title: str, count: int) -> None:
        """An .xlsx sheet has no fixed grid: nothing to do."""

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        wb = self._load_writable()
        ws = wb[title]
        last = ws.max_row
        while last > 1 and all(
            c.value is None or (isinstance(c.value, str) and not c.value.strip()) for c in ws[last]
        ):
            last -= 1
        for offset, values in enumerate(rows, start=1):
            for col, value in enumerate(values, start=1):
                if value is not None:
                    _set(ws.cell(row=last + offset, column=col), value)
        self._save(wb)


def _set(cell, value: object) -> None:  # type: ignore[no-untyped-def]
    """Write a value as plain data: text stays text even when it starts with '='."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
        return
    cell.value = value
    if isinstance(value, dt.datetime):
        if cell.number_format in ("General", "yyyy-mm-dd h:mm:ss"):
            cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date) and cell.number_format in ("General", "yyyy-mm-dd"):
        cell.number_format = DATE_FORMAT


def _trim(grid: Grid) -> Grid:
    def blank(v: object) -> bool:
        return v is None or (isinstance(v, str) and v == "")

    while grid and all(blank(v) for v in grid[-1]):
        grid.pop()
    for row in grid:
        while row and blank(row[-1]):
            row.pop()
    return grid
