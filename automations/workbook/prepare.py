"""`mila preparer` on whichever backend holds the workbook: what changed, by kind.

Google Sheets: :mod:`.google_prepare` (one get, at most one batchUpdate). A local .xlsx:
:mod:`.xlsx_prepare` (the XML parts patched, the file saved only when something changed).
"""

from __future__ import annotations

from collections import Counter

from ..errors import WorkbookError
from .base import Workbook
from .preparation import Choices

# The change kinds, as the command tells them (French), in the order it lists them.
KINDS = {
    "tab": "onglet créé",
    "frozen": "ligne d'en-tête figée",
    "note": "note d'en-tête",
    "validation": "liste déroulante",
    "format": "format de date ou de montant",
    "width": "largeur de colonne",
    "protection": "protection (avertissement)",
    "unprotection": "ancienne protection retirée",
    "conditional": "mise en forme conditionnelle",
}
GOOGLE_KINDS = {
    "updateSheetProperties": "frozen",
    "updateCells": "note",
    "setDataValidation": "validation",
    "repeatCell": "format",
    "updateDimensionProperties": "width",
    "addProtectedRange": "protection",
    "deleteProtectedRange": "unprotection",
    "addConditionalFormatRule": "conditional",
}


def prepare_workbook(workbook: Workbook, choices: Choices | None = None) -> Counter[str]:
    """Apply SHEETS.md's presentation to the workbook; the changes made, counted by kind
    (empty when everything was already there: nothing was written). ``choices``: the
    dropdowns the jobs know (the requests of ``Demandes``)."""
    from .google import GoogleBackend
    from .xlsx import XlsxBackend

    backend = workbook.backend
    if isinstance(backend, GoogleBackend):
        from .google_prepare import prepare

        return Counter(GOOGLE_KINDS[next(iter(r))] for r in prepare(backend, choices))
    if isinstance(backend, XlsxBackend):
        from .xlsx_prepare import prepare as prepare_xlsx

        return prepare_xlsx(backend, choices)
    raise WorkbookError(
        f"La préparation n'est possible que sur une feuille Google Sheets ou un fichier .xlsx "
        f"({workbook.description}) ; rien n'a été écrit."
    )
