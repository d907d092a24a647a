"""Sections I and II of the report (Contexte, Association) and the annex of sources and definitions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ..data import (
    BOUTIQUES,
    Compared,
    FigureLine,
)
from ..fees_received import write_fees_received
from ..french import (
    CATEGORY_PLURAL,
    CATEGORY_SINGULAR,
    Number,
    function_label,
    join_fr,
    long_date,
    num,
    period_intro,
    person,
    plural,
    rate_text,
    signed,
    structure_of,
    with_unit,
)
from .common import section_title

if TYPE_CHECKING:
    from ..writer import DocumentWriter


def contexte(w: DocumentWriter, key: str) -> None:
    d = w.d
    w.h1(section_title(w, key))
    w.staff_text(key)
    if d.partial:
        w.note(
            f"Année en cours : les chiffres de {d.year} sont arrêtés au {long_date(d.as_of)} ; "
            f"ceux de {w.prev} portent sur l'année entière."
        )
    if not d.previous_has_activity:
        w.note(
            f"Les activités de {w.prev} ne sont pas connues : les comparaisons avec l'année "
            "précédente sont données quand elles le sont."
        )
    w.staff_subsections(key)
    w.h2(f"L'année {d.year} en chiffres")
    key_figures(w)
    w.h2("Les cotisations")
    fees(w)
    write_fees_received(w)
    others = d.other_figure_sections()
    for section in others:
        w.h2(section)
        figure_table(w, d.figures_of(section))


def key_figures(w: DocumentWriter) -> None:
    d = w.d
    m = d.members
    rows: list[tuple[str, Compared, Callable[[Number], str]]] = [
        (f"Adhérent·es {w.end_label}", m.at_end, num),
        ("Adhérent·es en moyenne sur l'année", m.average, num),
        ("Nouvelles structures adhérentes", m.joined_count, num),
    ]
    if d.actions.collective:
        rows.append(("Actions collectives et événements organisés", d.actions.organised_total(), num))
    if d.actions.individual:
        rows.append(("Séances d'accompagnement individuel", d.actions.individual_sessions(), num))
    pepiniere = next((p for p in d.premises if p.group != BOUTIQUES and p.units), None)
    if pepiniere:
        rows.append(
            (
                f"Bureaux de la pépinière occupés {w.end_label} (sur {num(pepiniere.units)})",
                pepiniere.occupied_at_end,
                num,
            )
        )
    if d.resources:
        bookings = Compared(
            sum(r.bookings.value for r in d.resources),
            None
            if d.resources[0].bookings.previous is None
            else sum(r.bookings.previous or 0 for r in d.resources),
        )
        rows.append(("Réservations des espaces du Milab", bookings, num))
    shown_previous = any(c.previous is not None for _, c, _ in rows)
    header = ["Indicateur", str(d.year)] + ([str(w.prev)] if shown_previous else [])
    body = [
        [label, fmt(c.value)]
        + ([fmt(c.previous) if c.previous is not None else "–"] if shown_previous else [])
        for label, c, fmt in rows
    ]
    widths = [10.4, 3.0, 3.0] if shown_previous else [13.4, 3.0]
    w.table(header, body, widths, numeric=(1, 2))


def fees(w: DocumentWriter) -> None:
    d = w.d
    periods = d.fees
    if not periods:
        w.para(f"Aucun tarif de cotisation n'est connu pour {d.year}.")
        return
    if len(periods) == 1:
        w.para(f"En {d.year}, la cotisation annuelle des adhérent·es se composait ainsi :", keep_next=True)
        w.bullets([rate_text(r) for r in periods[0].rates])
    else:
        for n, period in enumerate(periods):
            w.para(period_intro(period, n, len(periods), d.year), keep_next=True)
            w.bullets([rate_text(r) for r in period.rates])
    w.note(
        "Les tarifs valables au premier jour de la période d'adhésion s'appliquent ; montants hors "
        "taxes, TVA en sus."
    )


def is_money(f: FigureLine) -> bool:
    return (f.unit or "").strip() == "€"


def figure_sentence(w: DocumentWriter, f: FigureLine) -> str:
    """« part d'autofinancement : 56 % (55 % en 2024) » for a figure outside a money table."""
    before = f" ({with_unit(f.previous, f.unit)} en {w.prev})" if f.previous is not None else ""
    label = f.label[0].lower() + f.label[1:] if f.label[1:2].islower() else f.label
    return f"{label} : {with_unit(f.value, f.unit)}{before}"


def figure_table(w: DocumentWriter, lines: Sequence[FigureLine]) -> None:
    """The lines of a ``Chiffres`` section; amounts in euros get their total."""
    has_previous = any(f.previous is not None for f in lines)
    rows = []
    for f in lines:
        row = [f.label, with_unit(f.value, f.unit)]
        if has_previous:
            row.append(with_unit(f.previous, f.unit) if f.previous is not None else "–")
            row.append(signed(f.value - f.previous, f.unit) if f.previous is not None else "–")
        rows.append(row)
    total = len(lines) > 1 and all(is_money(f) for f in lines)
    if total:
        value = sum((f.value for f in lines), Decimal(0))
        row = ["Total", with_unit(value, "€")]
        if has_previous:
            complete = all(f.previous is not None for f in lines)
            before = sum((f.previous or Decimal(0) for f in lines), Decimal(0))
            row += [with_unit(before, "€"), signed(value - before, "€")] if complete else ["–", "–"]
        rows.append(row)
    header = ["Libellé", str(w.d.year)] + ([str(w.prev), "Évolution"] if has_previous else [])
    widths = [8.2, 2.8, 2.8, 2.6] if has_previous else [12.4, 4.0]
    w.table(header, rows, widths, numeric=(1, 2, 3), bold_last=total)


def association(w: DocumentWriter, key: str) -> None:
    d = w.d
    b = d.board
    w.h1(section_title(w, key))
    w.staff_text(key)
    w.h2("Conseil d'administration")
    if not b.seats:
        w.para(f"Aucun membre du conseil d'administration n'est connu au {long_date(b.as_of)}.")
        assemblies(w)
        w.staff_subsections(key)
        return
    gender = []
    if b.women or b.men:
        gender = [plural(b.women, "femme", "femmes"), plural(b.men, "homme", "hommes")]
    colleges = [f"{num(n)} du collège {name}" for name, n in b.by_college]
    kinds = [plural(n, CATEGORY_SINGULAR[c].lower(), CATEGORY_PLURAL[c]) for c, n in b.by_category]
    seats = plural(len(b.seats), "membre", "membres")
    sentence = f"Au {long_date(b.as_of)}, le conseil d'administration compte {seats}"
    if gender and b.women + b.men == len(b.seats):
        sentence += f" ({join_fr(gender)})"
    if colleges:
        sentence += f" : {join_fr(colleges)}."
    elif kinds:
        sentence += f", dont {join_fr(kinds)}."
    else:
        sentence += "."
    w.para(sentence)
    assemblies(w)
    if b.left:
        w.para(f"Les départs en {d.year} :", keep_next=True)
        w.bullets(
            [
                [
                    (f"{function_label(s)} – {person(s)}", "b"),
                    (f", {structure_of(s)}" + (f" ({s.decision})" if s.decision else ""), ""),
                ]
                for s in b.left
            ]
        )
    if b.joined:
        w.para(f"Les arrivées en {d.year} :", keep_next=True)
        w.bullets(
            [
                [
                    (f"{function_label(s)} – {person(s)}", "b"),
                    (f", {structure_of(s)}" + (f" ({s.decision})" if s.decision else ""), ""),
                ]
                for s in b.joined
            ]
        )
    w.para(f"La composition du conseil au {long_date(b.as_of)} :", keep_next=True)
    if any(s.college for s in b.seats):
        rows = [
            [function_label(s), person(s), structure_of(s), s.college or "–", s.decision or "–"]
            for s in b.seats
        ]
        w.table(["Fonction", "Nom", "Structure", "Collège", "Décision"], rows, [3.3, 3.6, 3.9, 2.7, 2.9])
    else:  # no college kept in the sheet: no column of dashes
        rows = [[function_label(s), person(s), structure_of(s), s.decision or "–"] for s in b.seats]
        w.table(["Fonction", "Nom", "Structure", "Décision"], rows, [3.6, 4.3, 5.0, 3.5])
    w.staff_subsections(key)


def assemblies(w: DocumentWriter) -> None:
    """The general assemblies of the year: the association's life, not an action."""
    days = [long_date(i.day) for i in w.d.actions.assemblies]
    if days:
        held = (
            "L'assemblée générale s'est tenue"
            if len(days) == 1
            else "Les assemblées générales se sont tenues"
        )
        w.para(f"{held} le {join_fr(days)}.")


def annex(w: DocumentWriter) -> None:
    for n, (title, intro, (header, rows, widths)) in enumerate(w.annexes):
        w.heading(title, 1, new_page=n == 0)
        if intro:
            w.para(intro, keep_next=True)
        w.table(header, rows, widths)
    sources(w)
    if w.chart_data:
        w.heading("Annexe : données des graphiques", 1)
        w.note("Les chiffres de chaque graphique du rapport, pour le vérifier ou le refaire.")
        for caption, (header, rows, widths) in w.chart_data:
            w.para([(caption, "b")], keep_next=True)
            w.table(
                header,
                rows,
                widths,
                numeric=tuple(range(1, len(header))),
                header_pt=8 if len(header) > 5 else None,
            )


def sources(w: DocumentWriter) -> None:
    d = w.d
    w.heading("Annexe : sources et définitions", 1)
    w.bullets(
        [
            "Tous les chiffres de ce rapport sont calculés à partir du classeur partagé de l'association "
            f"(onglets « Membres », « Locaux », « Occupations », « Réservations », « Événements », "
            "« Inscriptions », « Tarifs », « Conseil », « Chiffres » et « Textes »), "
            f"le {long_date(d.today)}.",
            "Adhérent·es : une structure compte de sa date d'adhésion à sa date de sortie ; la moyenne de "
            "l'année est celle des effectifs de chaque jour. Une structure compte comme membre hébergé "
            "les jours où elle occupe un bureau ou une boutique (onglet « Occupations »), comme membre "
            "bénéficiaire les autres jours ; un membre de droit le reste.",
            "Bureaux de la pépinière : locaux non réservables des sites Pépinière et Milab (la salle de "
            "réunion et les postes réservables n'en sont pas).",
            "L'assemblée générale (type « Autre », titre commençant par « Assemblée générale ») n'est pas "
            "comptée parmi les actions pour les entreprises ; les représentations non plus (elles sont "
            "dans « Rencontres pros »).",
            "Actions collectives et événements : les événements de l'année, hors séances d'accompagnement "
            "individuel (audits de communication, diagnostics de structuration, demi-journées de "
            "consultations d'experts), comptées à part en séances et en structures reçues (une structure "
            "reçue pour deux types d'accompagnement compte pour chacun).",
            f"Comparaisons avec {w.prev} : seulement pour ce qui est enregistré de {w.prev} (un type "
            f"d'action sans aucun événement en {w.prev}, des adhésions sans aucune date en {w.prev}, "
            "ne sont pas comparés).",
            "Structures adhérentes d'une action : structures distinctes présentes (ou inscrites avec une "
            "place confirmée quand la présence n'a pas été relevée).",
            "Taux d'occupation : jours réservés (par place) rapportés aux jours d'ouverture, réservations "
            "confirmées seulement.",
            f"Conseil d'administration : composition au {long_date(d.board.as_of)}"
            + (", dernier jour de l'exercice." if d.board.as_of == d.as_of else "."),
        ]
    )
