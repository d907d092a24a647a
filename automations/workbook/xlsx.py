"""The .xlsx backend: a workbook downloaded from Google Sheets, or the demo.

Reads use openpyxl's fast read-only mode with cached values (what a formula last
computed). Writes never go through openpyxl's save, which would drop those cached
values: :mod:`.xlsx_package` changes only the written cells inside the file's XML and
copies every other part as it is (other tabs, formatting, column widths, data
validation, the staff's formulas and their results, images and charts), then replaces
the file atomically.

Every write holds the workbook's lock (:func:`automations.lock.workbook_lock`) and
starts from the file as it is on disk at that moment, never from a copy read earlier,
so that two runs on the same file never erase each other's rows. ``Workbook.write``
and ``Workbook.append_rows`` also hold it from their fresh read to their write
(:meth:`XlsxBackend.exclusive`), so rows are placed by ID on the file they change.

Ranges that LibreOffice writes and openpyxl cannot read (``sqref="1:1220"``) are read as
repaired, and written repaired by the next write (:mod:`.xlsx_ranges`). A file that is
not a zip, whose XML is cut short, or whose parts declare a DOCTYPE
(entity expansion, external entities) is « endommagé »: nothing is expanded, fetched
or written.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile, LargeZipFile

from filelock import Timeout
from lxml import etree

from ..errors import WorkbookError, WorkbookLocked, WorkbookNotFound
from ..lock import workbook_lock
from .base import Grid
from .openpyxl_lite import InvalidFileException, load_workbook
from .openpyxl_lite import Workbook as OpenpyxlWorkbook
from .xlsx_package import CellRefused, DamagedPackage, Package
from .xlsx_ranges import readable_copy

try:  # openpyxl reads through defusedxml when it is installed; its refusals are ValueErrors
    from defusedxml import DefusedXmlException
except ImportError:  # pragma: no cover - defusedxml is a dependency
    DefusedXmlException = ValueError  # type: ignore[misc,assignment]  # a stand-in class of another type

log = logging.getLogger(__name__)
WRITE_LOCK_WAIT = 120.0  # seconds a write waits for another run's write or job on the same file
_DAMAGED = (
    BadZipFile,
    LargeZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    ParseError,
    etree.LxmlError,  # openpyxl parses with lxml when it is installed (a part of garbage)
    EOFError,
    DefusedXmlException,
    DamagedPackage,
    IndexError,
    TypeError,
    AttributeError,
)


Rows = list[tuple[object, ...]]

# A file read again while its bytes are unchanged is not parsed again: a command that reads
# the workbook, then re-reads it just before writing, parses it once, and the re-read still
# sees any change made meanwhile (other bytes, another key). Bounded by the values kept.
CACHED_VALUES = 1_000_000


@dataclass
class _Parsed:
    """What was read of one version of a file: its tab titles and the rows of some tabs."""

    sheetnames: list[str]
    rows: dict[str, Rows] = field(default_factory=dict)

    @property
    def values(self) -> int:
        return sum(len(r) for rows in self.rows.values() for r in rows)


_PARSED: OrderedDict[bytes, _Parsed] = OrderedDict()  # by the digest of the file's bytes
_PARSED_LOCK = threading.Lock()


def _digest(path: Path) -> bytes | None:
    """The digest of the file's bytes, or None when they cannot be read (the reader says why)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=20).digest()
    except OSError:
        return None


def _remembered(digest: bytes | None) -> _Parsed | None:
    if digest is None:
        return None
    with _PARSED_LOCK:
        found = _PARSED.get(digest)
        if found is not None:
            _PARSED.move_to_end(digest)
        return found


def _remember(digest: bytes, parsed: _Parsed) -> None:
    with _PARSED_LOCK:
        _PARSED[digest] = parsed
        _PARSED.move_to_end(digest)
        total = sum(p.values for p in _PARSED.values())
        while _PARSED and total > CACHED_VALUES:
            total -= _PARSED.popitem(last=False)[1].values


class XlsxBackend:
    """A local .xlsx file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.description = f"fichier « {self.path.name} »"
        self._repaired = False
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
    def _reading(self) -> Iterator[OpenpyxlWorkbook]:
        """The file opened read-only; any sign of damage becomes a French error.

        Ranges openpyxl cannot read (``1:1220``, ``A:C``, as LibreOffice saves some) are
        read repaired, with a warning in the local log (:mod:`.xlsx_ranges`); ``_repaired``
        says whether they were.
        """
        try:
            copy = readable_copy(self.path)
            self._repaired = copy is not None
            wb = load_workbook(copy or self.path, read_only=True, data_only=True)
        except PermissionError as exc:
            raise self._denied(exc, "lu") from exc
        except (*_DAMAGED, OSError) as exc:
            raise self._damaged(exc) from exc
        try:
            yield wb
        except PermissionError as exc:
            raise self._denied(exc, "lu") from exc
        except (*_DAMAGED, OSError) as exc:
            raise self._damaged(exc) from exc
        finally:
            wb.close()

    def _parsed(self, titles: Sequence[str]) -> _Parsed:
        """The tab titles and the rows of ``titles`` (those that exist), parsed once per
        version of the file (see ``CACHED_VALUES``). A file read repaired is parsed each
        time, so that each read logs its warning."""
        digest = _digest(self.path)
        known = _remembered(digest)
        if known is not None and all(t in known.rows or t not in known.sheetnames for t in titles):
            return known
        with self._reading() as wb:
            parsed = _Parsed(list(wb.sheetnames), dict(known.rows) if known is not None else {})
            for title in titles:
                if title in parsed.sheetnames and title not in parsed.rows:
                    parsed.rows[title] = list(wb[title].iter_rows(values_only=True))
        if digest is not None and not self._repaired and _digest(self.path) == digest:
            _remember(digest, parsed)  # unchanged while it was read
        return parsed

    def titles(self) -> list[str]:
        return list(self._parsed(()).sheetnames)

    def fetch(self, full: Sequence[str], partial: Mapping[str, Sequence[int]]) -> dict[str, Grid]:
        parsed = self._parsed([*full, *partial])
        grids: dict[str, Grid] = {}
        for title in full:
            if title in parsed.rows:
                grids[title] = _trim([list(r) for r in parsed.rows[title]])
        for title, cols in partial.items():
            if title in grids or title not in parsed.rows:
                continue
            wanted = {c - 1 for c in cols}
            grid: Grid = []
            for number, values in enumerate(parsed.rows[title], start=1):
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
