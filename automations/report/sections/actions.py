"""Sections V to IX of the report: Actions pour les entreprises, Entrepreneuriat Crescendo,
Projets, Rencontres pros and Communication."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import charts
from ..data import (
    CRESCENDO_TYPES,
    NETWORKING_TYPES,
    REPRESENTATION,
    ActionCount,
    AgendaItem,
    Compared,
)
from ..figures import month_name
from ..french import (
    AUDIT,
    NBSP,
    audience,
    dated,
    join_fr,
    num,
    of_sessions,
    or_dash,
    outside,
    plural,
    quoted,
    sessions_took_place,
    speakers_text,
    structures,
)
from .common import ACCOMPANIMENT, TYPE_LABELS, The_name, omit, section_title, the_name

if TYPE_CHECKING:
    from ..writer import DocumentWriter


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
        overview(w)
        if any(any(counts) for _, counts in a.per_month):
            families = [name for name, counts in a.per_month if any(counts)]
            month_rows = [
                [charts.MONTHS_SHORT[n]]
                + [num(counts[n]) for name, counts in a.per_month if name in families]
                + [num(sum(counts[n] for _, counts in a.per_month))]
                for n in range(12)
            ]
            width = min(3.0, 13.75 / max(1, len(families)))  # the text width, 16.4 cm, in all
            w.chart(
                lambda: charts.events_chart(a.per_month),
                f"Séances et événements par mois en {d.year}",
                (["Mois", *families, "Total"], month_rows, [1.4] + [width] * len(families) + [1.25]),
            )
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


def overview(w: DocumentWriter) -> None:
    """The headline: collective actions and events; the individual sessions beside them, as
    sessions and structures received (never as separate actions)."""
    d, a = w.d, w.d.actions
    total = a.organised_total()
    sentences = []
    if a.collective:
        sentences.append(
            f"En {d.year}, {the_name(w)} a organisé "
            f"{plural(total.value, 'action collective ou événement', 'actions collectives et événements')}"
            f"{w.versus(total)}."
        )
    if a.individual:
        sessions, received = a.individual_sessions(), a.individual_beneficiaries()
        kinds = join_fr([INDIVIDUAL_LABELS[c.type] for c in a.individual])
        lead = "S'y ajoutent" if a.collective else f"En {d.year}, {the_name(w)} a proposé"
        sentences.append(
            f"{lead} {plural(sessions.value, 'séance', 'séances')} d'accompagnement individuel"
            f"{w.versus(sessions, zero='aucune')}"
            + (
                f", dont ont bénéficié {structures(received.value)}{w.versus(received, zero='aucune')}"
                if received.value
                else ""
            )
            + f" : {kinds}."
        )
    sentences.append(
        "Le tableau indique, pour chaque type, le nombre de séances et de structures adhérentes "
        "distinctes qui y ont pris part."
    )
    w.para(" ".join(sentences), keep_next=True)
    has_previous = any(c.sessions.previous is not None for c in a.organised)

    def row(label: str, sessions: Compared, reached: Compared | None) -> list[str]:
        cells = [label, num(sessions.value)]
        cells += [or_dash(sessions.previous)] if has_previous else []
        cells += [num(reached.value) if reached is not None and reached.value else "–"]
        cells += (
            [or_dash(reached.previous if reached is not None else None, zero_dash=True)]
            if has_previous
            else []
        )
        return cells

    rows: list[list[str]] = []
    subtotals = []
    for group, label, count in (
        (a.collective, "Total actions collectives", total),
        (a.individual, "Total accompagnement individuel", a.individual_sessions()),
    ):
        if not group:
            continue
        rows += [row(TYPE_LABELS.get(c.type, c.type), c.sessions, c.structures) for c in group]
        rows.append(row(label, count, None))
        subtotals.append(len(rows) - 1)
    if has_previous:
        header = [
            "Type d'action",
            f"Séances {d.year}",
            f"Séances {w.prev}",
            f"Structures {d.year}",
            f"Structures {w.prev}",
        ]
        widths = [5.6, 2.7, 2.7, 2.7, 2.7]
    else:
        header = ["Type d'action", f"Séances {d.year}", f"Structures {d.year}"]
        widths = [9.4, 3.5, 3.5]
    w.table(header, rows, widths, numeric=(1, 2, 3, 4), bold_rows=subtotals)


INDIVIDUAL_LABELS = {
    "Audit de communication": "audits de communication",
    "Diagnostic de structuration": "diagnostics de structuration",
    "Consultation d'experts": "demi-journées de consultations d'experts",
}


def action_part(w: DocumentWriter, action_type: str, c: ActionCount) -> None:
    d = w.d
    n, s = c.sessions, c.structures
    reached = structures(s.value)
    masculine = action_type in ("Club MILA", "Atelier de co-développement")
    vs_n, vs_s = w.versus_both(n, "aucun" if masculine else "aucune", s)
    has_s = bool(s.value)
    if action_type == "Audit de communication":
        w.h3("Les audits de communication")
        text = (
            f"En {d.year}, {reached} en ont bénéficié{vs_s}, au cours {of_sessions(n.value)}{vs_n}."
            if has_s
            else f"En {d.year}, {sessions_took_place(n.value, AUDIT)}{vs_n}."
        )
    elif action_type == "Diagnostic de structuration":
        w.h3("Les diagnostics de structuration")
        text = (
            f"En {d.year}, {reached} en ont bénéficié{vs_s}, au cours {of_sessions(n.value)}{vs_n}."
            if has_s
            else f"En {d.year}, {sessions_took_place(n.value, 'de diagnostic')}{vs_n}."
        )
    elif action_type == "Consultation d'experts":
        w.h3("Les consultations d'experts")
        text = (
            f"Ces rendez-vous individuels ont été programmés sur "
            f"{plural(n.value, 'demi-journée', 'demi-journées')}{vs_n}"
            + (f" : {reached} s'y sont inscrites{vs_s}." if has_s else ".")
        )
    elif action_type == "Club MILA":
        w.h3("Les Clubs MILA")
        text = (
            f"Ce sont {plural(n.value, 'Club MILA', 'Clubs MILA')}{vs_n} qui se sont déroulés en {d.year}"
            if n.value != 1
            else f"Un Club MILA s'est déroulé en {d.year}{vs_n}"
        )
        text += f", réunissant {reached}{vs_s}." if has_s else "."
    elif action_type == "Atelier de co-développement":
        w.h3("L'atelier de co-développement")
        happened = (
            "un atelier a eu lieu"
            if n.value == 1
            else plural(n.value, "atelier a eu lieu", "ateliers ont eu lieu")
        )
        text = f"En {d.year}, {happened}{vs_n}" + (f", réunissant {reached}{vs_s}." if has_s else ".")
    elif action_type == "Rencontre entre managers":
        w.h3("Les rencontres entre managers d'artistes")
        text = f"Ces rencontres se sont produites à {plural(n.value, 'reprise', 'reprises')}{vs_n}" + (
            f" et ont réuni {reached}{vs_s}." if has_s else "."
        )
    else:  # JuriQuizz
        w.h3("Les rencontres JuriQuizz")
        text = f"Cette rencontre s'est produite à {plural(n.value, 'reprise', 'reprises')}{vs_n}" + (
            f" et a réuni {reached}{vs_s}." if has_s else "."
        )
    w.para(text, keep_next=action_type == "Club MILA")
    if action_type == "Club MILA":
        agenda(w, w.d.actions.items("Club MILA"), as_crescendo=False)


def networking(w: DocumentWriter) -> None:
    a = w.d.actions
    w.h3("Les moments networking")
    labels = {
        "Rencontre networking": ("rencontre networking", "rencontres networking", "aucune"),
        "Afterwork": ("afterwork", "afterworks", "aucun"),
        "Club Oenologie": ("Club Œnologie", "Clubs Œnologie", "aucun"),
        "Déj Roulette": ("Déj' Roulette", "Déj' Roulette", "aucun"),
    }
    lines = []
    for t in NETWORKING_TYPES:
        c = a.count(t)
        if c is None:
            continue
        one, many, zero = labels[t]
        vs_n, vs_s = w.versus_both(c.sessions, zero, c.structures)
        name = many if c.sessions.value != 1 else one
        text = f"{name[0].upper()}{name[1:]} : {plural(c.sessions.value, 'rendez-vous', 'rendez-vous')}{vs_n}"
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
        who = speakers_text(item.speakers, w.name)
        if as_crescendo:
            kind = "Atelier pratique" if item.type.endswith("Atelier pratique") else "Rencontre networking"
            kind = "" if item.title.casefold().startswith(kind.casefold()) else f"{kind} "
            place = f" ({item.place})" if outside(item.place, w.name) else ""
            text = f"{kind}{quoted(item.title)}{place}" + (f", avec {who}" if who else "")
        else:
            text = quoted(item.title) + (f", animé par {who}" if who else "")
        day = "1er" if item.day.day == 1 else str(item.day.day)
        w.para(
            [(f"{month_name(item.day.month).capitalize()} (le {day}) : ", "b"), (text + ".", "")], "Agenda"
        )


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
            parts.append(
                f"{plural(meetings.sessions.value, 'rencontre networking', 'rencontres networking')}"
                f"{w.versus(meetings.sessions, zero='aucune')}"
            )
        if workshops:
            parts.append(
                f"{plural(workshops.sessions.value, 'atelier pratique', 'ateliers pratiques')}"
                f"{w.versus(workshops.sessions, zero='aucun')}"
            )
        same = [c for c in (meetings, workshops) if c]
        if len(same) == 2 and all(c.sessions.previous == c.sessions.value for c in same):
            parts = [
                plural(meetings.sessions.value, "rencontre networking", "rencontres networking"),  # type: ignore[union-attr]  # both set
                plural(workshops.sessions.value, "atelier pratique", "ateliers pratiques"),  # type: ignore[union-attr]  # idem
            ]
            w.para(
                f"En {d.year}, le programme Entrepreneuriat Crescendo a proposé, comme en {w.prev}, "
                f"{join_fr(parts)}."
            )
        else:
            w.para(f"En {d.year}, le programme Entrepreneuriat Crescendo a proposé {join_fr(parts)}.")
        reach = []
        if meetings and meetings.structures.value:
            reach.append(
                f"les rencontres networking ont réuni "
                f"{structures(meetings.structures.value)}"
                f"{w.versus(meetings.structures, zero='aucune')}"
            )
        if workshops and workshops.structures.value:
            verb = "" if reach else "ont réuni "
            reach.append(
                f"les ateliers pratiques {verb}"
                f"{structures(workshops.structures.value)}"
                f"{w.versus(workshops.structures, zero='aucune')}"
            )
        if reach:
            sentence = join_fr(reach)
            w.para(sentence[0].upper() + sentence[1:] + ".")
        w.h2(f"Agenda {d.year}")
        agenda(w, a.items(*CRESCENDO_TYPES), as_crescendo=True)
    w.staff_subsections(key)


def projets(w: DocumentWriter, key: str) -> None:
    if not w.d.text(key):
        omit(w, key, f"aucun texte pour {w.d.year} (clé « {key} » de l'onglet « Textes »).")
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    w.staff_subsections(key)


def rencontres(w: DocumentWriter, key: str) -> None:
    d = w.d
    items = d.actions.items(REPRESENTATION)
    count = d.actions.count(REPRESENTATION)
    if not (d.text(key) or items):
        omit(
            w,
            key,
            f"aucune représentation en {d.year} (type « Représentation ») et aucun texte (clé « {key} »).",
        )
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if items and count is not None:
        w.h2("Invitations : représentations et rencontres")
        w.para(
            f"{The_name(w)} a été présent à "
            f"{plural(count.sessions.value, 'rendez-vous professionnel', 'rendez-vous professionnels')}"
            f"{w.versus(count.sessions)} :",
            keep_next=True,
        )
        w.bullets([dated(i, place=outside(i.place, w.name)) for i in items])
    w.staff_subsections(key)


def communication(w: DocumentWriter, key: str) -> None:
    d = w.d
    lines = d.figures_of("Communication")
    if not (d.text(key) or lines):
        omit(
            w, key, f"aucun chiffre de la rubrique « Communication » ni texte (clé « {key} ») pour {d.year}."
        )
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if lines:
        w.h2("Réseaux sociaux et newsletter")
        w.para(
            f"Audiences au 31{NBSP}décembre {d.year}"
            + (f", et évolution depuis {w.prev}" if any(f.previous is not None for f in lines) else "")
            + " :",
            keep_next=True,
        )
        w.bullets([audience(f) for f in lines])
    w.staff_subsections(key)
