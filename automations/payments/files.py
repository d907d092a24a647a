"""Reading an import file whatever it is: CSV (any French bank or HelloAsso encoding and
separator), XLSX, OFX; then telling a HelloAsso export from a bank statement.

Every problem is a :class:`PaymentsError` in French that names the file, lists the columns
found and says what was expected; nothing is appended then.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from ..errors import PaymentsError
from ..schema import normalize_header
from .records import FileRead

Grid = list[list[object]]
SEPARATORS = (";", ",", "\t", "|")
HEADER_SEARCH = 20  # banks put a few lines about the account above the header


def read_grid(path: Path) -> Grid:
    """The cells of a CSV or XLSX file, rows of values (text for CSV)."""
    suffix = path.suffix.casefold()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PaymentsError(
            f"Fichier « {path} » illisible : {exc.strerror or exc}. Vérifiez le chemin du fichier."
        ) from None
    return _read_csv(data, path)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as older bank exports are."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes, path: Path) -> Grid:
    text = decode(data)
    if "\x00" in text:
        raise PaymentsError(
            f"Fichier « {path.name} » : ce n'est pas un fichier texte CSV (encodage "
            "UTF-16 ou fichier binaire). Enregistrez-le en CSV UTF-8 et relancez."
        )
    best: Grid = []
    best_score = (-1, -1)
    for separator in SEPARATORS:
        rows: Grid = [list(r) for r in csv.reader(io.StringIO(text), delimiter=separator)]
        score = (
            max((_header_score(r) for r in rows[:HEADER_SEARCH]), default=0),
            max((len(r) for r in rows[:HEADER_SEARCH]), default=0),
        )
        if score > best_score:
            best, best_score = rows, score
    return best


def _read_xlsx(path: Path) -> Grid:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise PaymentsError(
            f"Fichier « {path.name} » illisible comme classeur Excel ({exc}). "
            "Téléchargez-le de nouveau, ou enregistrez-le en CSV."
        ) from None
    try:
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


KNOWN_HEADERS = {
    normalize_header(h)
    for h in (
        "Référence commande",
        "Date de la commande",
        "Statut de la commande",
        "Montant tarif",
        "Email payeur",
        "Nom payeur",
        "Tarif",
        "Date",
        "Date opération",
        "Date de valeur",
        "Libellé",
        "Montant",
        "Débit",
        "Crédit",
        "Référence",
    )
}


def _header_score(row: Sequence[object]) -> int:
    return sum(1 for cell in row if normalize_header(cell) in KNOWN_HEADERS)


def find_header(grid: Grid, wanted: Sequence[set[str]]) -> tuple[int, dict[str, int]] | None:
    """The first row (within the first lines) holding one header of each set of ``wanted``
    (normalized names); with the column index of every header of that row."""
    for number, row in enumerate(grid[:HEADER_SEARCH]):
        keys = {
            normalize_header(cell): i for i, cell in reversed(list(enumerate(row))) if normalize_header(cell)
        }
        if all(keys.keys() & names for names in wanted):
            return number, keys
    return None


def found_columns(grid: Grid) -> str:
    """The headers found in the file, for an error message."""
    row = max(grid[:HEADER_SEARCH], key=lambda r: sum(1 for c in r if str(c or "").strip()), default=[])
    shown = [str(c).strip() for c in row if str(c or "").strip()]
    if not shown:
        return "aucune (fichier vide)"
    text = ", ".join(f"« {c} »" for c in shown[:15])
    return text + (" …" if len(shown) > 15 else "")


def read_import(path: Path, today: dt.date) -> FileRead:
    """A HelloAsso export or a bank statement, recognised by its columns (or ``.ofx``)."""
    from . import bank, helloasso_export

    if not path.is_file():
        raise PaymentsError(f"Fichier « {path} » introuvable. Vérifiez le chemin et le nom du fichier.")
    if path.suffix.casefold() in (".ofx", ".qfx"):
        return bank.read_ofx(path, today)
    grid = read_grid(path)
    if helloasso_export.recognises(grid):
        return helloasso_export.read(grid, path.name, today)
    if bank.recognises(grid):
        return bank.read_csv(grid, path.name, today)
    other = helloasso_export.other_kind(grid)
    what = f"Ce fichier ressemble à {other}, pas à un export des commandes ni à un relevé. " if other else ""
    raise PaymentsError(
        f"Fichier « {path.name} » : ni un export HelloAsso ni un relevé bancaire reconnu. {what}"
        f"Colonnes trouvées : {found_columns(grid)}. Attendu pour HelloAsso : « Référence commande », "
        "« Date de la commande », « Statut de la commande », « Montant tarif » (et « Email payeur », "
        "« Nom payeur »…) ; pour un relevé : « Date », « Libellé » et « Montant » (ou « Débit » et "
        "« Crédit »), séparés par des points-virgules. Téléchargez l'export adéquat et relancez."
    )
