"""A Google Sheets API v4 emulator on loopback, for tests and for working offline.

A neighbour of the ``automations`` package, not part of it: installed with the project (for
``mila emulateur`` and the tests), it imports nothing from ``automations``; it has its own A1
parser (``a1``) so that it reads ranges as Google does, not as the client under test does.

    with SheetsEmulator() as emu:
        emu.create_spreadsheet("abc", sheets={"Membres": [["ID", "Structure"], ["M0001", "Acme"]]})
        # SHEETS_EMULATOR_HOST=emu.address sends the Google backend to it.

It answers ``/v4/spreadsheets...`` like sheets.googleapis.com: values get / batchGet / update /
batchUpdate / append / clear / batchClear, spreadsheets get / create / batchUpdate (addSheet,
deleteSheet, updateSheetProperties, updateSpreadsheetProperties, insertDimension,
deleteDimension, appendDimension, repeatCell and updateCells for values and number formats;
any other request kind is accepted with an empty reply). Errors have Google's body
``{"error": {"code", "message", "status"}}``. ``POST /token`` is Google's OAuth2 JWT-bearer
grant for registered service accounts. ``tests/test_emulator_conformance.py`` replays real
recorded Google traffic against it.

Modules: ``server`` (HTTP, the ``SheetsEmulator`` class, ``serve``), ``api`` (the methods),
``store`` (tabs, cells, ranges, append), ``formats`` (locales, USER_ENTERED parsing, number
formats), ``formula`` (the evaluator), ``auth`` (JWT grant), ``xlsx`` (load/save).

Known limitations (where it is simpler than Google, on purpose):
- Locales: ``fr_FR``/``fr_*`` and ``en_US``/``en_GB`` are modelled; others behave like en_US.
  fr_FR thousands are written with U+202F. In fr_FR, ``1234.5`` typed stays text.
- Number formats: the usual date, time, number, percent, currency and scientific patterns.
  Typed dates keep the shape typed (``2/7/24`` renders ``2/7/24``). Automatic format: up to
  10 significant digits for fractions, scientific from 1e15.
- Formulas: see ``formula`` (common functions; others give ``#NAME?``). Insert/delete of rows
  and columns rewrites references; renaming a tab, ``move_row`` and ``sort_rows`` do not.
- Cell formatting other than number formats (bold, colours, borders...) is accepted and
  ignored; no named ranges, protected ranges, data validation, filters or merges.
- ``fields`` masks are ignored by the Sheets methods (full resources are answered). Of the
  Drive API v3: ``files.get`` of a spreadsheet, and the files, folders, uploads and
  revisions of ``drive`` (``emulator.drive``, a :class:`~.drive.DriveStore`; see that module
  for what it models). ``DRIVE_EMULATOR_HOST`` may name the same server.
- ``append``: the table is the block of contiguous cells around the last filled cell of the
  range (Google's heuristic matches on every recorded case; corner cases may differ).
"""

from .server import RecordedRequest, SheetsEmulator, default_spreadsheet_id, serve
from .store import ApiError

__all__ = ["ApiError", "RecordedRequest", "SheetsEmulator", "default_spreadsheet_id", "serve"]
