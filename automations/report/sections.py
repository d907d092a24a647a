"""What each section of the annual report says, from the figures (``report.figures``).

The outline is that of the association's reports: Contexte, Association, Membres,
Relations avec les partenaires, Actions pour les entreprises, Entrepreneuriat Crescendo,
Projets, Rencontres pros, Communication, then a short annex of sources and definitions.
Each function writes one section through the :class:`DocumentWriter`'s blocks; a section
with nothing to say (no staff text and no figure) is left out and recorded with the reason
(``Rendered.omitted``); a part with nothing to say says so in one line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from . import charts
from .data import (
    BOUTIQUES,
    CRESCENDO_TYPES,
    NETWORKING_TYPES,
    REPRESENTATION,
    ActionCount,
    AgendaItem,
    Compared,
    FigureLine,
    PremisesFigures,
)
from .fees_received import write_fees_received
from .figures import month_name
from .french import (
    AUDIT,
    CATEGORY_PLURAL,
    CATEGORY_SINGULAR,
    NBSP,
    Number,
    audience,
    count_structures,
    dated,
    day_month,
    function_label,
    join_fr,
    long_date,
    move_rows,
    num,
    occupied_sentence,
    of_sessions,
    or_dash,
    percent,
    period_intro,
    person,
    plural,
    quoted,
    rate_text,
    sessions_took_place,
    signed,
    speakers_text,
    structure_of,
    structures,
    with_unit,
)

if TYPE_CHECKING:
    from .writer import DocumentWriter

ACCOMPANIMENT = (  # the order of the reports' « Dispositif d'accompagnement »
    "Audit de communication", "Diagnostic de structuration", "Consultation d'experts", "Club MILA",
    "Atelier de co-développement", "Rencontre entre managers", "JuriQuizz",
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


# --------------------------------------------------------------------------- I. Contexte


def contexte(w: DocumentWriter, key: str) -> None:
    d = w.d
    w.h1(section_title(w, key))
    w.staff_text(key)
    if d.partial:
        w.note(f"Année en cours : les chiffres de {d.year} sont arrêtés au {long_date(d.as_of)} ; "
               f"ceux de {w.prev} portent sur l'année entière.")
    if not d.previous_has_activity:
        w.note(f"Les activités de {w.prev} ne sont pas connues : les comparaisons avec l'année "
               "précédente sont données quand elles le sont.")
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
    if d.actions.organised:
        rows.append(("Actions et événements organisés", d.actions.organised_total(), num))
    pepiniere = next((p for p in d.premises if p.group != BOUTIQUES and p.units), None)
    if pepiniere:
        rows.append((f"Bureaux de la pépinière occupés {w.end_label} (sur {num(pepiniere.units)})",
                     pepiniere.occupied_at_end, num))
    if d.resources:
        bookings = Compared(sum(r.bookings.value for r in d.resources),  # type: ignore[misc]
                            None if d.resources[0].bookings.previous is None
                            else sum(r.bookings.previous or 0 for r in d.resources))
        rows.append(("Réservations des espaces du Milab", bookings, num))
    shown_previous = any(c.previous is not None for _, c, _ in rows)
    header = ["Indicateur", str(d.year)] + ([str(w.prev)] if shown_previous else [])
    body = [[label, fmt(c.value)] + ([fmt(c.previous) if c.previous is not None else "–"]
                                     if shown_previous else [])
            for label, c, fmt in rows]
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
    w.note("Les tarifs valables au premier jour de la période d'adhésion s'appliquent ; montants hors "
           "taxes, TVA en sus.")


def figure_table(w: DocumentWriter, lines: Sequence[FigureLine]) -> None:
    has_previous = any(f.previous is not None for f in lines)
    rows = []
    for f in lines:
        row = [f.label, with_unit(f.value, f.unit)]
        if has_previous:
            row.append(with_unit(f.previous, f.unit) if f.previous is not None else "–")
            row.append(signed(f.value - f.previous, f.unit) if f.previous is not None else "–")
        rows.append(row)
    header = ["Libellé", str(w.d.year)] + ([str(w.prev), "Évolution"] if has_previous else [])
    widths = [8.2, 2.8, 2.8, 2.6] if has_previous else [12.4, 4.0]
    w.table(header, rows, widths, numeric=(1, 2, 3))


# --------------------------------------------------------------------------- II. Association


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
        w.bullets([[(f"{function_label(s)} – {person(s)}", "b"),
                    (f", {structure_of(s)}" + (f" ({s.decision})" if s.decision else ""), "")]
                   for s in b.left])
    if b.joined:
        w.para(f"Les arrivées en {d.year} :", keep_next=True)
        w.bullets([[(f"{function_label(s)} – {person(s)}", "b"),
                    (f", {structure_of(s)}" + (f" ({s.decision})" if s.decision else ""), "")]
                   for s in b.joined])
    w.para(f"La composition du conseil au {long_date(b.as_of)} :", keep_next=True)
    rows = [[function_label(s), person(s), structure_of(s), s.college or "–", s.decision or "–"]
            for s in b.seats]
    w.table(["Fonction", "Nom", "Structure", "Collège", "Décision"], rows, [3.3, 3.6, 3.9, 2.7, 2.9])
    w.staff_subsections(key)


def assemblies(w: DocumentWriter) -> None:
    """The general assemblies of the year: the association's life, not an action."""
    days = [long_date(i.day) for i in w.d.actions.assemblies]
    if days:
        held = ("L'assemblée générale s'est tenue" if len(days) == 1
                else "Les assemblées générales se sont tenues")
        w.para(f"{held} le {join_fr(days)}.")


# --------------------------------------------------------------------------- III. Membres


def membres(w: DocumentWriter, key: str) -> None:
    d = w.d
    m = d.members
    w.h1(section_title(w, key))
    w.staff_text(key)
    w.h2("Les catégories de membres")
    by = {c.category: c for c in m.by_category}
    parts = [f"{num(by[c].average.value)} {CATEGORY_PLURAL[c]}{w.versus(by[c].average)}"
             for c in ("hébergé", "bénéficiaire") if c in by]
    when = f"En {d.year}" + (f" (jusqu'au {long_date(d.as_of)})" if d.partial else "")
    w.para(f"{when}, {the_name(w)} compte en moyenne {plural(m.average.value, 'adhérent·e', 'adhérent·es')}"
           f"{w.versus(m.average)}, dont {join_fr(parts)}.")
    w.para(f"{w.end_label.capitalize()}, l'association compte "
           f"{plural(m.at_end.value, 'adhérent·e', 'adhérent·es')}{w.versus_end(m.at_end)}.",
           keep_next=True)
    has_previous = m.average.previous is not None
    rows = []
    for c in m.by_category:
        if not (c.average.value or c.at_end.value or c.average.previous or c.at_end.previous):
            continue
        row = [CATEGORY_PLURAL[c.category].capitalize(), num(c.average.value)]
        row += [num(c.average.previous)] if has_previous else []  # type: ignore[arg-type]
        row += [num(c.at_end.value)]
        row += [num(c.at_end.previous)] if has_previous else []  # type: ignore[arg-type]
        rows.append(row)
    total = ["Total", num(m.average.value)] + ([num(m.average.previous)] if has_previous else [])  # type: ignore[arg-type]
    total += [num(m.at_end.value)] + ([num(m.at_end.previous)] if has_previous else [])  # type: ignore[arg-type]
    rows.append(total)
    end = "au 31/12" if not d.partial else f"au {d.as_of:%d/%m}"
    if has_previous:
        header = ["Catégorie", f"Moyenne {d.year}", f"Moyenne {w.prev}", f"{end}/{d.year}",
                  f"au 31/12/{w.prev}"]
        widths = [5.2, 2.8, 2.8, 2.8, 2.8]
    else:
        header = ["Catégorie", f"Moyenne {d.year}", f"{end}/{d.year}"]
        widths = [8.4, 4.0, 4.0]
    w.table(header, rows, widths, numeric=(1, 2, 3, 4), bold_last=True)
    if len(m.history) >= 2:
        label = f"{d.year} (au {d.as_of:%d/%m})" if d.partial else None
        categories = [c for c, _ in m.history[0][1]]
        history_rows = [[str(y) + (f" (au {d.as_of:%d/%m})" if d.partial and y == d.year else "")]
                        + [num(n) for _, n in counts] + [num(sum(n for _, n in counts))]
                        for y, counts in m.history]
        w.chart(lambda: charts.members_chart(m.history, partial_label=label),
                f"Adhérent·es par catégorie au 31 décembre, de {m.history[0][0]} à {d.year}"
                + (f" (au {day_month(d.as_of)} pour {d.year})" if d.partial else ""),
                (["Année"] + [CATEGORY_PLURAL[c].capitalize() for c in categories] + ["Total"],
                 history_rows, [3.4] + [3.2] * len(categories) + [2.4]))

    w.h2("Adhésions et départs")
    joined = plural(m.joined_count.value, "nouvelle structure a rejoint", "nouvelles structures ont rejoint")
    if m.joined:
        w.para(f"En {d.year}, {joined} l'association{w.versus(m.joined_count, zero='aucune')} :",
               keep_next=True)
        w.table(["Structure", "Catégorie", "Adhésion le"], move_rows(m.joined), [8.4, 4.4, 3.6])
    else:
        w.para(f"Aucune nouvelle structure n'a rejoint l'association en {d.year}"
               f"{w.versus(m.joined_count)}.")
    if m.left:
        left = plural(m.left_count.value, "structure a quitté", "structures ont quitté")
        w.para(f"En {d.year}, {left} l'association{w.versus(m.left_count, zero='aucune')} :",
               keep_next=True)
        w.table(["Structure", "Catégorie", "Sortie le"], move_rows(m.left), [8.4, 4.4, 3.6])
    else:
        w.para(f"Aucune structure n'a quitté l'association en {d.year}{w.versus(m.left_count)}.")

    for group in d.premises:
        if group.units:
            premises_part(w, group)
    milab(w)
    w.staff_subsections(key)


def premises_part(w: DocumentWriter, p: PremisesFigures) -> None:
    d = w.d
    shops = p.group == BOUTIQUES
    w.h2("Les boutiques" if shops else "La pépinière d'entreprises")
    w.para(occupied_sentence(p, w.end_label.capitalize(), shops) + w.versus_end(p.occupied_at_end) + ".")
    if not p.left and not p.taken:
        before = ""
        if p.left_count.previous or p.taken_count.previous:
            before = (f" ({plural(p.left_count.previous or 0, 'départ', 'départs')} et "
                      f"{plural(p.taken_count.previous or 0, 'arrivée', 'arrivées')} en {w.prev})")
        w.para(f"Aucun changement d'occupant en {d.year}{before}.")
        return
    if p.left:
        own = ("sa boutique" if shops else "son bureau") if p.left_count.value < 2 else \
            ("leur boutique" if shops else "leur bureau")
        w.para(f"{count_structures(p.left_count.value, 'a quitté', 'ont quitté').capitalize()} {own}"
               f"{w.versus(p.left_count, zero='aucune')} :", keep_next=True)
        w.bullets([f"{m.structure} ({m.premises}, le {long_date(m.day)})" for m in p.left])
    else:
        w.para(f"Aucune structure n'a quitté {'sa boutique' if shops else 'son bureau'} en {d.year}"
               f"{w.versus(p.left_count)}.")
    if p.taken:
        w.para(f"{count_structures(p.taken_count.value, 'a pris', 'ont pris', new=True).capitalize()} "
               f"{'une boutique' if shops else 'un bureau'}{w.versus(p.taken_count, zero='aucune')} :",
               keep_next=True)
        w.bullets([f"{m.structure} ({m.premises}, depuis le {long_date(m.day)})" for m in p.taken])
    else:
        w.para(f"Aucune nouvelle structure ne s'est installée en {d.year}{w.versus(p.taken_count)}.")


def milab(w: DocumentWriter) -> None:
    d = w.d
    if not d.resources:
        return
    w.h2("Le coworking Milab")
    for r in d.resources:
        if not (r.bookings.value or r.bookings.previous):
            continue  # nothing to say in a sentence; the table below shows it
        places = f" ({plural(r.capacity, 'place', 'places')})" if r.capacity > 1 else ""
        bookings = plural(r.bookings.value, "réservation confirmée", "réservations confirmées")
        rate = percent(Decimal(r.rate.value))
        w.bullets([[(f"{r.name}{places}", "b"),
                    (f" : {bookings}{w.versus(r.bookings, zero='aucune')}, taux d'occupation de {rate}"
                     f"{w.versus(r.rate, fmt=percent)}.", "")]])  # type: ignore[arg-type]
    has_previous = any(r.bookings.previous is not None for r in d.resources)
    rows = []
    for r in d.resources:
        row = [r.name, num(r.capacity), num(r.bookings.value)]
        row += [num(r.bookings.previous) if r.bookings.previous is not None else "–"] if has_previous else []
        row += [percent(r.rate.value)]  # type: ignore[arg-type]
        row += [percent(r.rate.previous) if r.rate.previous is not None else "–"] if has_previous else []  # type: ignore[arg-type]
        rows.append(row)
    if has_previous:
        header = ["Espace", "Places", f"Réserv. {d.year}", f"Réserv. {w.prev}",
                  f"Occupation {d.year}", f"Occupation {w.prev}"]
        widths = [4.4, 1.6, 2.4, 2.4, 2.8, 2.8]
    else:
        header = ["Espace", "Places", f"Réservations {d.year}", f"Occupation {d.year}"]
        widths = [6.4, 2.0, 4.0, 4.0]
    w.para("En synthèse :", keep_next=True)
    w.table(header, rows, widths, numeric=(1, 2, 3, 4, 5))
    if any(any(r.monthly) for r in d.resources):
        rate_rows = [[month_name(n + 1).capitalize()] + [percent(r.monthly[n]) for r in d.resources]
                     for n in range(12)]
        width = min(3.5, 13.0 / max(1, len(d.resources)))
        w.chart(lambda: charts.occupancy_chart(tuple((r.name, r.monthly) for r in d.resources)),
                f"Taux d'occupation mensuel des espaces du Milab en {d.year}",
                (["Mois", *[r.name for r in d.resources]], rate_rows, [2.8] + [width] * len(d.resources)))
    w.note("Taux d'occupation : jours réservés (par place) rapportés aux jours d'ouverture ; seules "
           "les réservations confirmées comptent.")


# --------------------------------------------------------------------------- IV. Partenaires


def partenaires(w: DocumentWriter, key: str) -> None:
    d = w.d
    financing = d.figures_of("Financement")
    free = d.free_bookings
    if not (d.text(key) or financing or free.count.value):  # staff texts named in the output only
        omit(w, key, f"aucun texte (clé « {key} » de l'onglet « Textes »), aucun chiffre de la rubrique "
                       f"« Financement » ni prêt gracieux de salle en {d.year}.")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if financing:
        w.h2("Les financements")
        w.para(f"Les financements de {d.year} :", keep_next=True)
        figure_table(w, financing)
    if free.count.value:
        w.h2("Entraide")
        who = f", au profit de : {join_fr(list(free.organisations))}" if free.organisations else ""
        w.para(f"{The_name(w)} a mis ses espaces gracieusement à disposition à "
               f"{plural(free.count.value, 'reprise', 'reprises')}{w.versus(free.count, zero='aucune')}"
               f"{who}.")
    w.staff_subsections(key)


# --------------------------------------------------------------------------- V. Actions


def actions(w: DocumentWriter, key: str) -> None:
    d = w.d
    a = d.actions
    shown = [c for c in a.by_type if c.type not in CRESCENDO_TYPES and c.type != REPRESENTATION]
    if not (d.text(key) or a.by_type):
        omit(w, key, f"aucun événement en {d.year} et aucun texte (clé « {key} »).")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if a.by_type:
        w.h2("Vue d'ensemble")
        organised = a.organised
        total = a.organised_total()
        w.para(f"En {d.year}, {the_name(w)} a organisé "
               f"{plural(total.value, 'action ou événement', 'actions et événements')}{w.versus(total)}. "
               "Le tableau indique, pour chaque type, le nombre de séances et de structures adhérentes "
               "distinctes qui y ont pris part.", keep_next=True)
        has_previous = any(c.sessions.previous is not None for c in a.by_type)
        rows = []
        for c in organised:
            row = [TYPE_LABELS.get(c.type, c.type), num(c.sessions.value)]
            row += [or_dash(c.sessions.previous)] if has_previous else []
            row += [num(c.structures.value) if c.structures.value else "–"]
            row += [or_dash(c.structures.previous, zero_dash=True)] if has_previous else []
            rows.append(row)
        rows.append(["Total", num(total.value)] + ([or_dash(total.previous)] if has_previous else [])
                    + ["", ""][: 2 if has_previous else 1])
        if has_previous:
            header = ["Type d'action", f"Séances {d.year}", f"Séances {w.prev}",
                      f"Structures {d.year}", f"Structures {w.prev}"]
            widths = [5.6, 2.7, 2.7, 2.7, 2.7]
        else:
            header = ["Type d'action", f"Séances {d.year}", f"Structures {d.year}"]
            widths = [9.4, 3.5, 3.5]
        w.table(header, rows, widths, numeric=(1, 2, 3, 4), bold_last=True)
        if any(any(counts) for _, counts in a.per_month):
            families = [name for name, counts in a.per_month if any(counts)]
            month_rows = [[charts.MONTHS_SHORT[n]]
                          + [num(counts[n]) for name, counts in a.per_month if name in families]
                          + [num(sum(counts[n] for _, counts in a.per_month))] for n in range(12)]
            width = min(3.0, 13.75 / max(1, len(families)))  # the text width, 16.4 cm, in all
            w.chart(lambda: charts.events_chart(a.per_month), f"Actions et événements par mois en {d.year}",
                    (["Mois", *families, "Total"], month_rows, [1.4] + [width] * len(families) + [1.25]))
    if shown:
        w.h2("Le dispositif d'accompagnement")
        for action_type in ACCOMPANIMENT:
            count = a.count(action_type)
            if count is not None:
                action_part(w, action_type, count)
        if any(a.count(t) for t in NETWORKING_TYPES):
            networking(w)
        if a.count("Autre") and a.items("Autre"):
            w.h3("Autres actions")
            w.bullets([dated(i) for i in a.items("Autre")])
    w.staff_subsections(key)


def action_part(w: DocumentWriter, action_type: str, c: ActionCount) -> None:
    d = w.d
    n, s = c.sessions, c.structures
    reached = structures(s.value)
    masculine = action_type in ("Club MILA", "Atelier de co-développement")
    vs_n, vs_s = w.versus_both(n, "aucun" if masculine else "aucune", s)
    has_s = bool(s.value)
    if action_type == "Audit de communication":
        w.h3("Les audits de communication")
        text = (f"En {d.year}, {reached} en ont bénéficié{vs_s}, au cours {of_sessions(n.value)}{vs_n}."
                if has_s else f"En {d.year}, {sessions_took_place(n.value, AUDIT)}{vs_n}.")
    elif action_type == "Diagnostic de structuration":
        w.h3("Les diagnostics de structuration")
        text = (f"En {d.year}, {reached} en ont bénéficié{vs_s}, au cours {of_sessions(n.value)}{vs_n}."
                if has_s else f"En {d.year}, {sessions_took_place(n.value, 'de diagnostic')}{vs_n}.")
    elif action_type == "Consultation d'experts":
        w.h3("Les consultations d'experts")
        text = (f"Ces rendez-vous individuels ont été programmés sur "
                f"{plural(n.value, 'demi-journée', 'demi-journées')}{vs_n}"
                + (f" : {reached} s'y sont inscrites{vs_s}." if has_s else "."))
    elif action_type == "Club MILA":
        w.h3("Les Clubs MILA")
        text = (f"Ce sont {plural(n.value, 'Club MILA', 'Clubs MILA')}{vs_n} qui se sont déroulés en {d.year}"
                if n.value != 1 else f"Un Club MILA s'est déroulé en {d.year}{vs_n}")
        text += f", réunissant {reached}{vs_s}." if has_s else "."
    elif action_type == "Atelier de co-développement":
        w.h3("L'atelier de co-développement")
        text = (f"{plural(n.value, 'atelier a eu lieu', 'ateliers ont eu lieu').capitalize()}{vs_n}"
                + (f", réunissant {reached}{vs_s}." if has_s else "."))
    elif action_type == "Rencontre entre managers":
        w.h3("Les rencontres entre managers d'artistes")
        text = (f"Ces rencontres se sont produites à {plural(n.value, 'reprise', 'reprises')}{vs_n}"
                + (f" et ont réuni {reached}{vs_s}." if has_s else "."))
    else:  # JuriQuizz
        w.h3("Les rencontres JuriQuizz")
        text = (f"Cette rencontre s'est produite à {plural(n.value, 'reprise', 'reprises')}{vs_n}"
                + (f" et a réuni {reached}{vs_s}." if has_s else "."))
    w.para(text, keep_next=action_type == "Club MILA")
    if action_type == "Club MILA":
        agenda(w, w.d.actions.items("Club MILA"), as_crescendo=False)


def networking(w: DocumentWriter) -> None:
    a = w.d.actions
    w.h3("Les moments networking")
    labels = {"Rencontre networking": ("rencontre networking", "rencontres networking", "aucune"),
              "Afterwork": ("afterwork", "afterworks", "aucun"),
              "Club Oenologie": ("Club Œnologie", "Clubs Œnologie", "aucun"),
              "Déj Roulette": ("Déj' Roulette", "Déj' Roulette", "aucun")}
    lines = []
    for t in NETWORKING_TYPES:
        c = a.count(t)
        if c is None:
            continue
        one, many, zero = labels[t]
        vs_n, vs_s = w.versus_both(c.sessions, zero, c.structures)
        text = f"{plural(c.sessions.value, one, many)}{vs_n}"
        if c.structures.value:
            text += f", réunissant {structures(c.structures.value)}{vs_s}"
        lines.append(text)
    w.para(f"En {w.d.year}, les moments networking ont compté :", keep_next=True)
    w.bullets(lines)
    meetings = a.items("Rencontre networking", "Afterwork")
    if meetings:
        w.para("Les rencontres networking et afterworks de l'année :", keep_next=True)
        w.bullets([dated(i) for i in meetings])


def agenda(w: DocumentWriter, items: Sequence[AgendaItem], *, as_crescendo: bool) -> None:
    """Month by month: « Mars (18 mars) : « Titre », animé par X (Org). »"""
    if not items:
        return
    if not as_crescendo:
        w.para([(f"Agenda {w.d.year}", "b")], keep_next=True)
    for item in items:
        who = speakers_text(item.speakers)
        if as_crescendo:
            kind = "Atelier pratique" if item.type.endswith("Atelier pratique") else "Rencontre networking"
            kind = "" if item.title.casefold().startswith(kind.casefold()) else f"{kind} "
            place = f" ({item.place})" if item.place and not item.place.startswith("Pôle") else ""
            text = f"{kind}{quoted(item.title)}{place}" + (f", avec {who}" if who else "")
        else:
            text = quoted(item.title) + (f", animé par {who}" if who else "")
        day = "1er" if item.day.day == 1 else str(item.day.day)
        w.para([(f"{month_name(item.day.month).capitalize()} (le {day}) : ", "b"),
                (text + ".", "")], "Agenda")


# --------------------------------------------------------------------------- VI. Crescendo


def crescendo(w: DocumentWriter, key: str) -> None:
    d = w.d
    a = d.actions
    counts = [a.count(t) for t in CRESCENDO_TYPES]
    if not (d.text(key) or any(counts)):
        omit(w, key, f"aucun événement Crescendo en {d.year} et aucun texte (clé « {key} »).")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if any(counts):
        w.h2("Le programme en chiffres")
        meetings, workshops = counts
        parts = []
        if meetings:
            parts.append(f"{plural(meetings.sessions.value, 'rencontre networking', 'rencontres networking')}"
                         f"{w.versus(meetings.sessions, zero='aucune')}")
        if workshops:
            parts.append(f"{plural(workshops.sessions.value, 'atelier pratique', 'ateliers pratiques')}"
                         f"{w.versus(workshops.sessions, zero='aucun')}")
        w.para(f"En {d.year}, le programme Entrepreneuriat Crescendo a proposé {join_fr(parts)}.")
        reach = []
        if meetings and meetings.structures.value:
            reach.append(f"les rencontres networking ont réuni "
                         f"{structures(meetings.structures.value)}"
                         f"{w.versus(meetings.structures, zero='aucune')}")
        if workshops and workshops.structures.value:
            verb = "" if reach else "ont réuni "
            reach.append(f"les ateliers pratiques {verb}"
                         f"{structures(workshops.structures.value)}"
                         f"{w.versus(workshops.structures, zero='aucune')}")
        if reach:
            sentence = join_fr(reach)
            w.para(sentence[0].upper() + sentence[1:] + ".")
        w.h2(f"Agenda {d.year}")
        agenda(w, a.items(*CRESCENDO_TYPES), as_crescendo=True)
    w.staff_subsections(key)


# --------------------------------------------------------------------------- VII. Projets


def projets(w: DocumentWriter, key: str) -> None:
    if not w.d.text(key):
        omit(w, key, f"aucun texte pour {w.d.year} (clé « {key} » de l'onglet « Textes »).")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    w.staff_subsections(key)


# --------------------------------------------------------------------------- VIII. Rencontres


def rencontres(w: DocumentWriter, key: str) -> None:
    d = w.d
    items = d.actions.items(REPRESENTATION)
    count = d.actions.count(REPRESENTATION)
    if not (d.text(key) or items):
        omit(w, key, f"aucune représentation en {d.year} (type « Représentation ») et aucun texte "
                       f"(clé « {key} »).")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if items and count is not None:
        w.h2("Invitations : représentations et rencontres")
        w.para(f"{The_name(w)} a été présent à "
               f"{plural(count.sessions.value, 'rendez-vous professionnel', 'rendez-vous professionnels')}"
               f"{w.versus(count.sessions)} :", keep_next=True)
        w.bullets([dated(i, place=True) for i in items])
    w.staff_subsections(key)


# --------------------------------------------------------------------------- IX. Communication


def communication(w: DocumentWriter, key: str) -> None:
    d = w.d
    lines = d.figures_of("Communication")
    if not (d.text(key) or lines):
        omit(w, key, f"aucun chiffre de la rubrique « Communication » ni texte (clé « {key} ») "
                       f"pour {d.year}.")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if lines:
        w.h2("Réseaux sociaux et newsletter")
        w.para(f"Audiences au 31{NBSP}décembre {d.year}"
               + (f", et évolution depuis {w.prev}" if any(f.previous is not None for f in lines) else "")
               + " :", keep_next=True)
        w.bullets([audience(f) for f in lines])
    w.staff_subsections(key)


# --------------------------------------------------------------------------- annex


def annex(w: DocumentWriter) -> None:
    sources(w)
    if w.chart_data:
        w.heading("Annexe : données des graphiques", 1)
        w.note("Les chiffres de chaque graphique du rapport, pour le refaire ou le modifier dans Word "
               "(Insertion > Graphique, puis coller le tableau).")
        for caption, (header, rows, widths) in w.chart_data:
            w.para([(caption, "b")], keep_next=True)
            w.table(header, rows, widths, numeric=tuple(range(1, len(header))),
                    header_pt=8 if len(header) > 5 else None)


def sources(w: DocumentWriter) -> None:
    d = w.d
    w.heading("Annexe : sources et définitions", 1)
    w.bullets([
        "Tous les chiffres de ce rapport sont calculés à partir du classeur partagé de l'association "
        f"(onglets « Membres », « Locaux », « Occupations », « Réservations », « Événements », "
        f"« Inscriptions », « Tarifs », « Conseil », « Chiffres » et « Textes »), le {long_date(d.today)}.",
        "Adhérent·es : une structure compte de sa date d'adhésion à sa date de sortie ; la moyenne de "
        "l'année est celle des effectifs de chaque jour. Une structure compte comme membre hébergé "
        "les jours où elle occupe un bureau ou une boutique (onglet « Occupations »), comme membre "
        "bénéficiaire les autres jours ; un membre de droit le reste.",
        "Bureaux de la pépinière : locaux non réservables des sites Pépinière et Milab (la salle de "
        "réunion et les postes réservables n'en sont pas).",
        "L'assemblée générale (type « Autre », titre commençant par « Assemblée générale ») n'est pas "
        "comptée parmi les actions pour les entreprises ; les représentations non plus (elles sont "
        "dans « Rencontres pros »).",
        "Structures adhérentes d'une action : structures distinctes présentes (ou inscrites avec une "
        "place confirmée quand la présence n'a pas été relevée).",
        "Taux d'occupation : jours réservés (par place) rapportés aux jours d'ouverture, réservations "
        "confirmées seulement.",
        f"Conseil d'administration : composition au {long_date(d.board.as_of)}"
        + (", dernier jour de l'exercice." if d.board.as_of == d.as_of else "."),
    ])
