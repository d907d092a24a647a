"""What the sections of the report share: their titles, and the association's name as the reports write it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..writer import DocumentWriter

ACCOMPANIMENT = (  # the order of the reports' « Dispositif d'accompagnement »
    "Audit de communication",
    "Diagnostic de structuration",
    "Consultation d'experts",
    "Club MILA",
    "Atelier de co-développement",
    "Rencontre entre managers",
    "JuriQuizz",
)

TYPE_LABELS = {"Club Oenologie": "Club Œnologie", "Déj Roulette": "Déj' Roulette"}  # the reports spelling

SECTION_TITLES = {
    "contexte": "Contexte",
    "association": "Association {name}",
    "membres": "Les membres",
    "partenaires": "Relations avec les partenaires",
    "actions": "Actions pour les entreprises",
    "crescendo": "Entrepreneuriat Crescendo",
    "projets": "Projets pour {the_name}",
    "rencontres": "Rencontres pros – Filières & Réseaux",
    "communication": "Communication",
}


def the_name(w: DocumentWriter) -> str:
    """« le MILA » for an acronym, as the reports write it; the name itself otherwise."""
    return f"le {w.name}" if w.name.isupper() else w.name


def The_name(w: DocumentWriter) -> str:  # noqa: N802 (the capital is the point)
    name = the_name(w)
    return name[0].upper() + name[1:]


def section_title(w: DocumentWriter, key: str) -> str:
    return SECTION_TITLES[key].format(name=w.name, the_name=the_name(w))


def omit(w: DocumentWriter, key: str, why: str) -> None:
    w.omit(section_title(w, key), why)
