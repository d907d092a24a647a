"""What each section of the annual report says, from the figures (``report.figures``).

The outline is that of the association's reports: Contexte, Association, Membres,
Relations avec les partenaires, Actions pour les entreprises, Entrepreneuriat Crescendo,
Projets, Rencontres pros, Communication, then a short annex of sources and definitions.
Each function writes one section through the :class:`DocumentWriter`'s blocks; a section
with nothing to say (no staff text and no figure) is left out and recorded with the reason
(``Rendered.omitted``); a part with nothing to say says so in one line.

One module per group of sections: :mod:`.context` (I, II and the annex), :mod:`.members`
(III, IV), :mod:`.actions` (V to IX); :mod:`.common` holds their titles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .actions import actions, communication, crescendo, projets, rencontres
from .context import annex, association, contexte
from .members import membres, partenaires

if TYPE_CHECKING:
    from ..writer import DocumentWriter


def write_all(w: DocumentWriter) -> None:
    """Every section in the reports' order, then the annex."""
    order: tuple[tuple[str, Callable[[DocumentWriter, str], None]], ...] = (
        ("contexte", contexte),
        ("association", association),
        ("membres", membres),
        ("partenaires", partenaires),
        ("actions", actions),
        ("crescendo", crescendo),
        ("projets", projets),
        ("rencontres", rencontres),
        ("communication", communication),
    )
    for key, write in order:
        write(w, key)
    annex(w)
