"""The parts of the annual report only a person can write, as rows of ``Textes``: pure rules.

The report computes every figure; the year's story, the support the association needs, the
team and its training, the neighbourhood, the landlord and the projects are the staff's.
Each is a row of ``Textes`` whose ``Consigne`` says, in French, what to write in ``Texte``:
``mila preparer`` adds the rows missing for the year of the next report
(:func:`missing_prompt_rows`), never touching a row that exists; the daily summary lists
those still empty in the month before the general assembly (:func:`empty_prompts`,
:func:`in_reminder_window`).

A prompt row is recognised by its ``Consigne`` (staff may rename its ``Titre``): deleted, it
comes back at the next ``mila preparer``; to leave a part out, keep the row and its
``Texte`` empty (the report leaves out an empty text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..model.rows import Text
from ..text import fold


@dataclass(frozen=True)
class Prompt:
    section: str  # a section key of the report (report.data.SECTION_KEYS)
    title: str | None  # the subsection's title, as the association's reports have it
    prompt: str  # what to write, in French


#: In the order of the association's reports (context and support, the association and its
#: team, partners and territory with the landlord, projects, communication).
PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "contexte",
        "Un dispositif de soutien à la filière musicale",
        "L'histoire du dispositif et ce qui a marqué l'année : lieux, structures accueillies, "
        "faits marquants.",
    ),
    Prompt(
        "contexte",
        "Un contexte économique",
        "Pourquoi l'association a besoin de soutien : part d'autofinancement, financeurs, "
        "emplois à pérenniser.",
    ),
    Prompt(
        "association",
        "Équipe opérationnelle",
        "L'équipe salariée de l'année : qui, depuis quand, quelles missions, arrivées et départs.",
    ),
    Prompt(
        "association",
        "Formation",
        "Les formations suivies par l'équipe dans l'année : thème, organisme, durée.",
    ),
    Prompt(
        "partenaires",
        "Territoire",
        "Le quartier : fêtes, festivals, embellissement, liens avec les habitant·es et les "
        "associations voisines.",
    ),
    Prompt(
        "partenaires",
        "Le bailleur",
        "Les relations avec le bailleur des locaux : travaux, sinistres, visites, interlocuteurs.",
    ),
    Prompt("projets", None, "Les projets de l'année et ceux qui se préparent."),
    Prompt(
        "communication",
        "Sites web",
        "Les sites de l'association et ce qui y a été publié dans l'année.",
    ),
)


Assembly = dt.date | int | None  # its date, or its month (1–12) while the day is not fixed


def report_year(today: dt.date, assembly: Assembly) -> int:
    """The year of the next report: the year before until this year's general assembly has
    passed (its day, or the end of its month; always without it), then the year in progress."""
    if isinstance(assembly, dt.date):
        passed = assembly.year == today.year and today > assembly
    else:
        passed = assembly is not None and today.month > assembly
    return today.year if passed else today.year - 1


def _written(texts: Sequence[Text], year: int) -> set[tuple[str, str]]:
    """(section, title) of the texts of ``year`` someone wrote."""
    return {(fold(t.section), fold(t.title)) for t in texts if t.year == year and t.text and t.text.strip()}


def missing_prompt_rows(texts: Sequence[Text], year: int) -> list[dict[str, object]]:
    """The prompt rows of ``year`` that ``Textes`` does not hold yet, as {column: value}: none
    for a part someone already wrote (same section and title) without the prompt."""
    known = {fold(t.prompt) for t in texts if t.year == year and t.prompt}
    written = _written(texts, year)
    return [
        {"Année": year, "Section": p.section, "Titre": p.title, "Texte": None, "Consigne": p.prompt}
        for p in PROMPTS
        if fold(p.prompt) not in known and (fold(p.section), fold(p.title)) not in written
    ]


def empty_prompts(texts: Sequence[Text], year: int) -> list[Text]:
    """The prompt rows of ``year`` whose ``Texte`` is still empty (and whose part no other row
    of the same section and title holds), in row order."""
    written = _written(texts, year)
    return [
        t
        for t in texts
        if t.year == year
        and t.prompt
        and not (t.text or "").strip()
        and (fold(t.section), fold(t.title)) not in written
    ]


def in_reminder_window(today: dt.date, assembly: Assembly) -> bool:
    """Whether ``today`` falls in the month before the general assembly, the day itself
    included; for a month alone, from the 1st of the month before to the end of that month."""
    if isinstance(assembly, dt.date):
        return assembly - dt.timedelta(days=31) <= today <= assembly
    if assembly is None:
        return False
    before = 12 if assembly == 1 else assembly - 1
    return today.month in (before, assembly)
