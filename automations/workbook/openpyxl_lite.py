"""openpyxl, imported without its numpy support when numpy is not loaded yet.

openpyxl imports numpy, when it is installed, only to accept numpy's number types in
cells; this project never writes one (its values are ``int``, ``float``, ``Decimal``,
text and dates), and numpy costs about 0.2 s to import, on every command that opens an
.xlsx workbook. Import openpyxl from here first, so that a sync imports no numpy.
"""

from __future__ import annotations

import sys

if "openpyxl" not in sys.modules and "numpy" not in sys.modules:
    sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` raises ImportError
    try:
        import openpyxl  # noqa: F401
    finally:
        del sys.modules["numpy"]

from openpyxl import Workbook, load_workbook  # noqa: E402
from openpyxl.utils.exceptions import InvalidFileException  # noqa: E402

__all__ = ["InvalidFileException", "Workbook", "load_workbook"]
