"""The report's figures by name, for the staff's paragraphs of ``Textes``.

A text may quote a computed figure, ``{{ membres.moyenne }}``, so that a number is never typed
twice: :func:`render_texts` renders each text in the same immutable Jinja sandbox as the
document templates, with :func:`context`. Numbers print the French way (``2 023``) and still
compare as numbers (``{% if membres.nouveaux > 30 %}``). :data:`VARIABLES` lists the names
(``mila docs variables rapport``). A text that cannot be rendered (unknown name, broken tag) is
left out of the document and named in a note for the staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import TemplateError as JinjaTemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..formatting import format_number
from .data import BOUTIQUES, ActionCount, Compared, ReportData


class Nombre(int):
    """An integer that prints with French digit grouping."""

    def __str__(self) -> str:
        return format_number(int(self))

    __repr__ = __str__


class Decimale(Decimal):
    def __str__(self) -> str:
        return format_number(Decimal(self))


#: Action types by the name a text uses.
ACTION_NAMES = {
    "audits": "Audit de communication",
    "diagnostics": "Diagnostic de structuration",
    "consultations": "Consultation d'experts",
    "clubs": "Club MILA",
    "codeveloppement": "Atelier de co-développement",
    "managers": "Rencontre entre managers",
    "juriquizz": "JuriQuizz",
    "crescendo_rencontres": "Crescendo – Rencontre networking",
    "crescendo_ateliers": "Crescendo – Atelier pratique",
    "networking": "Rencontre networking",
    "afterworks": "Afterwork",
    "oenologie": "Club Oenologie",
    "dej_roulette": "Déj Roulette",
    "representations": "Représentation",
}


@dataclass(frozen=True)
class Variable:
    name: str
    description: str


VARIABLES: tuple[Variable, ...] = (
    Variable("annee", "l'année du rapport"),
    Variable("annee_precedente", "l'année d'avant"),
    Variable("membres.moyenne", "adhérent·es en moyenne sur l'année"),
    Variable("membres.heberges", "membres hébergés en moyenne (jours où ils occupent un local)"),
    Variable("membres.beneficiaires", "membres bénéficiaires en moyenne"),
    Variable("membres.de_droit", "membres de droit en moyenne"),
    Variable("membres.fin_annee", "adhérent·es au dernier jour de l'année"),
    Variable("membres.nouveaux", "structures qui ont adhéré dans l'année"),
    Variable("membres.departs", "structures qui ont quitté l'association dans l'année"),
    Variable("pepiniere.bureaux", "bureaux de la pépinière"),
    Variable("pepiniere.occupes", "bureaux occupés au dernier jour de l'année"),
    Variable("pepiniere.departs", "structures qui ont quitté leur bureau dans l'année"),
    Variable("pepiniere.arrivees", "structures qui ont pris un bureau dans l'année"),
    Variable("boutiques.nombre", "boutiques"),
    Variable("boutiques.occupees", "boutiques occupées au dernier jour de l'année"),
    Variable("conseil.membres", "membres du conseil d'administration"),
    Variable("conseil.femmes", "femmes au conseil"),
    Variable("conseil.hommes", "hommes au conseil"),
    Variable(
        "actions.total",
        "actions collectives et événements organisés (séances individuelles et représentations à part)",
    ),
    Variable(
        "actions.seances_individuelles",
        "séances d'accompagnement individuel (audits, diagnostics, consultations)",
    ),
    Variable(
        "actions.beneficiaires_individuels", "structures reçues en accompagnement individuel, type par type"
    ),
    *(Variable(f"actions.{name}.seances", f"séances « {kind} »") for name, kind in ACTION_NAMES.items()),
    *(
        Variable(f"actions.{name}.structures", f"structures adhérentes présentes « {kind} »")
        for name, kind in ACTION_NAMES.items()
    ),
    Variable("reservations.total", "réservations confirmées des espaces du Milab"),
    Variable("chiffres['Libellé']", "la valeur d'une ligne de l'onglet Chiffres de l'année"),
)
# Every figure also has its value of the year before: add « _avant » (``membres.moyenne_avant``).


def _n(value: int | Decimal | None) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return Decimale(value)
    return Nombre(int(value))


def _pair(name: str, c: Compared) -> dict[str, Any]:
    return {name: _n(c.value), f"{name}_avant": _n(c.previous)}


def _action(count: ActionCount | None) -> dict[str, Any]:
    if count is None:
        return {
            "seances": Nombre(0),
            "structures": Nombre(0),
            "seances_avant": None,
            "structures_avant": None,
        }
    return {**_pair("seances", count.sessions), **_pair("structures", count.structures)}


def context(d: ReportData) -> dict[str, Any]:
    """The names a text can quote, for the report's data."""
    m = d.members
    by = {c.category: c.average for c in m.by_category}
    groups = {p.group: p for p in d.premises}
    pep = next((p for g, p in groups.items() if g != BOUTIQUES), None)
    shops = groups.get(BOUTIQUES)
    resources = [r.bookings for r in d.resources]
    return {
        "annee": d.year,
        "annee_precedente": d.previous_year,
        "membres": {
            **_pair("moyenne", m.average),
            **_pair("heberges", by["hébergé"]),
            **_pair("beneficiaires", by["bénéficiaire"]),
            **_pair("de_droit", by["membre de droit"]),
            **_pair("fin_annee", m.at_end),
            **_pair("nouveaux", m.joined_count),
            **_pair("departs", m.left_count),
        },
        "pepiniere": {}
        if pep is None
        else {
            "bureaux": Nombre(pep.units),
            **_pair("occupes", pep.occupied_at_end),
            **_pair("departs", pep.left_count),
            **_pair("arrivees", pep.taken_count),
        },
        "boutiques": {}
        if shops is None
        else {
            "nombre": Nombre(shops.units),
            **_pair("occupees", shops.occupied_at_end),
        },
        "conseil": {
            "membres": Nombre(len(d.board.seats)),
            "femmes": Nombre(d.board.women),
            "hommes": Nombre(d.board.men),
        },
        "actions": {
            **_pair("total", d.actions.organised_total()),
            **_pair("seances_individuelles", d.actions.individual_sessions()),
            **_pair("beneficiaires_individuels", d.actions.individual_beneficiaries()),
            **{name: _action(d.actions.count(kind)) for name, kind in ACTION_NAMES.items()},
        },
        "reservations": {"total": Nombre(sum(int(r.value) for r in resources))},
        "chiffres": {f.label: _n(f.value) for f in d.figures},
    }


_ENV: ImmutableSandboxedEnvironment | None = None


def environment() -> ImmutableSandboxedEnvironment:
    global _ENV
    if _ENV is None:
        _ENV = ImmutableSandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
        )
    return _ENV


def render_text(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with its ``{{ … }}`` replaced (raises ``jinja2`` errors)."""
    if "{" not in text:
        return text
    return environment().from_string(text).render(values)


def render_problem(exc: Exception) -> str:
    """A French phrase for why a text could not be rendered."""
    if isinstance(exc, JinjaTemplateError):
        detail = str(exc.message or exc)
        if "is undefined" in detail or "has no attribute" in detail:
            return f"nom inconnu ({detail.split(' is undefined')[0].split(' has no attribute ')[-1]})"
        return f"balise mal formée ({detail})"
    return f"valeur impossible à calculer ({type(exc).__name__})"
