"""The .xlsx backend: a workbook downloaded from Google Sheets, or the demo.

Reads take the cells' values straight from the sheets' XML (:mod:`.xlsx_values`: what
openpyxl's read-only mode gives, with what a formula last computed, in a fraction of its
time). Writes never go through openpyxl's save, which would drop those cached
values: :mod:`.xlsx_package` changes only the written cells inside the file's XML and
copies every other part as it is (other tabs, formatting, column widths, data
validation, the staff's formulas and their results, images and charts), then replaces
the file atomically.

Every write holds the workbook's lock (:func:`automations.lock.workbook_lock`) and
starts from the file as it is on disk at that moment, never from a copy read earlier,
so that two runs on the same file never erase each other's rows. ``Workbook.write``
and ``Workbook.append_rows`` also hold it from their fresh read to their write
(:meth:`XlsxBackend.exclusive`), so rows are placed by ID on the file they change.

Ranges that LibreOffice writes and openpyxl cannot read (``sqref="1:1220"``) do not stop
a read (no value depends on them) and are written repaired by the next write
(:mod:`.xlsx_ranges`), so that openpyxl and ``mila preparer`` read the file. A file that is
not a zip, whose XML is cut short, or whose parts declare a DOCTYPE
(entity expansion, external entities) is « endommagé »: nothing is expanded, fetched
or written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile, LargeZipFile

from filelock import Timeout
from lxml import etree

from ..errors import WorkbookError, WorkbookLocked, WorkbookNotFound
from ..lock import workbook_lock
from . import openpyxl_lite  # noqa: F401  # before xlsx_*: openpyxl imported without numpy
from .base import Grid
from .xlsx_package import CellRefused, DamagedPackage, Package
from .xlsx_values import XlsxValues

log = logging.getLogger(__name__)
WRITE_LOCK_WAIT = 120.0  # seconds a write waits for another run's write or job on the same file
_DAMAGED = (
    BadZipFile,
    LargeZipFile,
    KeyError,
    ValueError,  # a value that cannot be what its cell says (« abc » as a number)
    ParseError,
    etree.LxmlError,
    EOFError,
    DamagedPackage,
    IndexError,
    TypeError,
    AttributeError,
)


class XlsxBackend:
    """A local .xlsx file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.description = f"fichier « {self.path.name} »"
        if not self.path.exists():
            raise WorkbookNotFound(
                f"Le fichier « {self.path} » est introuvable. Vérifiez le chemin donné à "
                "--classeur (ou MILA_WORKBOOK), ou créez un classeur de démonstration avec "
                "« mila demo demo.xlsx »."
            )
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise WorkbookError(
                f"« {self.path.name} » n'est pas un classeur .xlsx. Enregistrez-le au format "
                "Excel (.xlsx) ou téléchargez-le depuis Google Sheets (Fichier > Télécharger > "
                "Microsoft Excel)."
            )

    def _damaged(self, exc: BaseException) -> WorkbookError:
        log.warning("%s cannot be read: %r", self.path, exc)
        return WorkbookError(
            f"Le fichier « {self.path.name} » est endommagé ou n'est pas un classeur Excel valide. "
            "Ouvrez-le dans un tableur et enregistrez-le à nouveau au format "
            ".xlsx, ou repartez de la dernière copie saine (ou d'un nouveau téléchargement depuis "
            "Google Sheets) ; rien n'a été écrit."
        )

    def _denied(self, exc: BaseException, doing: str) -> WorkbookLocked:
        return WorkbookLocked(
            f"Le fichier « {self.path.name} » ne peut pas être {doing} (accès refusé). "
            "Fermez-le dans le tableur qui l'a ouvert ou vérifiez ses droits ; rien n'a été écrit."
        )

    # -- reading ---------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[XlsxValues]:
        """The file opened for reading its values; any sign of damage becomes a French error."""
        try:
            values = XlsxValues(self.path)
        except PermissionError as exc:
            raise self._denied(exc, "lu") from exc
        except (*_DAMAGED, OSError) as exc:
            raise self._damaged(exc) from exc
        try:
            yield values
        except PermissionError as exc:
            raise self._denied(exc, "lu") from exc
        except (*_DAMAGED, OSError) as exc:
            raise self._damaged(exc) from exc
        finally:
            values.close()

    def _parsed(self, titles: Sequence[str]) -> tuple[list[str], dict[str, list[tuple[object, ...]]]]:
        """The tab titles and the rows of ``titles`` (those that exist); a tab whose bytes
        were read before is not parsed again (:mod:`.xlsx_values`)."""
        with self._reading() as book:
            return book.titles, {t: book.rows(t) for t in titles if t in book.titles}

    def titles(self) -> list[str]:
        return self._parsed(())[0]

    def fetch(self, full: Sequence[str], partial: Mapping[str, Sequence[int]]) -> dict[str, Grid]:
        _, rows = self._parsed([*full, *partial])
        grids: dict[str, Grid] = {}
        for title in full:
            if title in rows:
                grids[title] = _trim([list(r) for r in rows[title]])
        for title, cols in partial.items():
            if title in grids or title not in rows:
                continue
            wanted = {c - 1 for c in cols}
            grid: Grid = []
            for number, values in enumerate(rows[title], start=1):
                if number == 1:
                    grid.append(list(values))
                else:
                    grid.append([v if i in wanted else None for i, v in enumerate(values)])
            grids[title] = _trim(grid)
        return grids

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the workbook's lock: no other mila run writes the file meanwhile."""
        lock = workbook_lock(path=self.path)
        try:
            lock.acquire(timeout=WRITE_LOCK_WAIT)
        except Timeout:
            raise WorkbookLocked(
                f"Une autre tâche mila écrit dans « {self.path.name} » depuis plus de "
                f"{WRITE_LOCK_WAIT:.0f} s (verrou « {lock.lock_file} ») : réessayez dans quelques "
                "minutes ; rien n'a été écrit."
            ) from None
        except PermissionError as exc:
            raise self._denied(exc, "verrouillé") from exc
        try:
            yield
        finally:
            lock.release()

    def _check_not_locked(self) -> None:
        folder, name = self.path.parent, self.path.name
        for lock in (folder / f".~lock.{name}#", folder / f"~${name}", folder / f"~${name[2:]}"):
            if lock.exists():
                raise WorkbookLocked(
                    f"Le fichier « {name} » est ouvert dans un tableur (verrou « {lock.name} »). "
                    "Fermez-le puis relancez : rien n'a été écrit."
                )

    @contextmanager
    def _changing(self) -> Iterator[Package]:
        """The file as it is on disk now, under the lock; saved in place if the block ends well."""
        with self.exclusive():
            self._check_not_locked()
            try:
                package = Package(self.path)
            except PermissionError as exc:
                raise self._denied(exc, "lu") from exc
            except (*_DAMAGED, OSError) as exc:
                raise self._damaged(exc) from exc
            with package:
                try:
                    yield package
                except CellRefused as exc:
                    raise WorkbookError(
                        f"Onglet « {exc.title} », cellule {exc.ref} : {exc.reason} ; mila ne peut pas "
                        "l'écrire sans abîmer la formule. Déplacez la formule hors des colonnes "
                        "remplies par mila puis relancez ; rien n'a été écrit."
                    ) from exc
                except DamagedPackage as exc:
                    raise self._damaged(exc) from exc
                try:
                    package.save(self.path)
                except PermissionError as exc:
                    raise WorkbookLocked(
                        f"Impossible d'enregistrer « {self.path.name} » (accès refusé). Fermez-le dans "
                        "le tableur qui l'a ouvert puis relancez : rien n'a été écrit."
                    ) from exc
                except DamagedPackage as exc:
                    raise self._damaged(exc) from exc
                except OSError as exc:
                    raise WorkbookError(
                        f"Impossible d'enregistrer « {self.path.name} » ({exc.strerror or exc}) : "
                        "vérifiez la place libre et les droits du dossier ; rien n'a été écrit."
                    ) from exc

    def write_cells(self, cells: Sequence[tuple[str, int, int, object]]) -> None:
        with self._changing() as package:
            for title, row, col, value in cells:
                package.set_cell(title, row, col, value)

    def add_tab(self, title: str, header: Sequence[str]) -> None:
        with self._changing() as package:
            if title in package.sheet_titles():
                return  # another run created it a moment ago: use it as it is
            package.add_sheet(title, header)

    def ensure_columns(self, title: str, count: int) -> None:
        """An .xlsx sheet has no fixed grid: nothing to do."""

    def ensure_rows(self, title: str, count: int) -> None:
        """An .xlsx sheet has no fixed grid: nothing to do."""

    def append_rows(self, title: str, rows: Sequence[Sequence[object]]) -> None:
        with self._changing() as package:
            package.append_rows(title, rows)


def _trim(grid: Grid) -> Grid:
    def blank(v: object) -> bool:
        return v is None or (isinstance(v, str) and v == "")

    while grid and all(blank(v) for v in grid[-1]):
        grid.pop()
    for row in grid:
        while row and blank(row[-1]):
            row.pop()
    return grid
