"""A realistic demo workbook: three years of a fictional MILA, with staff habits and mistakes.

``build_demo_workbook(path)`` writes an .xlsx that follows ../shared/SHEETS.md: about 120
members, the pépinière offices, the shops and the Milab, conventions, bookings, events and
registrations over three years, the real fee history, the board, report figures and texts.
Everything is fictional and deterministic for a given ``seed`` and ``today``.

Like a sheet the staff keep by hand, it mixes date cells with dates typed as text, amounts
with ``1 234,50 €`` strings, adds columns of its own (``Notes``...), leaves the (calc.)
columns empty for the jobs, and holds a handful of real-life mistakes listed in
``KNOWN_MISTAKES`` so that ``mila verifier`` has something to report.

The same generator draws workbooks of any size (``build_grids(counts)``: the benchmarks'),
with the demo's people, fees, staff habits and mistakes in the proportions of a big
association.

One module per tab (or group of tabs): ``premises`` (Locaux), ``members`` (Membres,
Occupations), ``events`` (Événements, Inscriptions), ``bookings`` (Réservations), ``board``
(Conseil, Tarifs, Chiffres, Textes), ``payments`` (Paiements and the files to import);
``common`` holds the shared state and helpers, ``names`` and ``programme`` the fictional
data, ``writer`` the .xlsx layout; ``workbook`` puts the demo together, ``sized`` a workbook of
any size.
"""

from .common import Counts, add_months, fr_amount, make_siret, slugify
from .mistakes import KNOWN_MISTAKES, KnownMistake, MistakeLocation
from .sized import build_grids, tarifs_grid
from .workbook import DemoSummary, build_demo_workbook

__all__ = [
    "Counts",
    "KNOWN_MISTAKES",
    "DemoSummary",
    "KnownMistake",
    "MistakeLocation",
    "add_months",
    "build_demo_workbook",
    "build_grids",
    "fr_amount",
    "make_siret",
    "slugify",
    "tarifs_grid",
]
