"""Sections III and IV of the report: Les membres (members, offices, shops, Milab) and
Relations avec les partenaires."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ...schema import CATEGORIES
from ...text import fold
from .. import charts
from ..data import (
    BOUTIQUES,
    MemberMove,
    PremisesFigures,
)
from ..figures import month_name
from ..french import (
    CATEGORY_PLURAL,
    CATEGORY_SINGULAR,
    count_structures,
    day_month,
    join_fr,
    long_date,
    money,
    move_rows,
    num,
    occupied_sentence,
    percent,
    plural,
)
from .common import The_name, omit, section_title, the_name
from .context import figure_sentence, figure_table, is_money

if TYPE_CHECKING:
    from ..writer import DocumentWriter


def membres(w: DocumentWriter, key: str) -> None:
    d = w.d
    m = d.members
    w.h1(section_title(w, key))
    w.staff_text(key)
    w.h2("Les catégories de membres")
    by = {c.category: c for c in m.by_category}
    parts = [
        f"{num(by[c].average.value)} {CATEGORY_PLURAL[c]}{w.versus(by[c].average)}"
        for c in ("hébergé", "bénéficiaire")
        if c in by
    ]
    when = f"En {d.year}" + (f" (jusqu'au {long_date(d.as_of)})" if d.partial else "")
    w.para(
        f"{when}, {the_name(w)} compte en moyenne {plural(m.average.value, 'adhérent·e', 'adhérent·es')}"
        f"{w.versus(m.average)}, dont {join_fr(parts)}."
    )
    w.para(
        f"{w.end_label.capitalize()}, l'association compte "
        f"{plural(m.at_end.value, 'adhérent·e', 'adhérent·es')}{w.versus_end(m.at_end)}.",
        keep_next=True,
    )
    has_previous = m.average.previous is not None
    rows = []
    for c in m.by_category:
        if not (c.average.value or c.at_end.value or c.average.previous or c.at_end.previous):
            continue
        row = [CATEGORY_PLURAL[c.category].capitalize(), num(c.average.value)]
        row += [num(c.average.previous)] if has_previous else []  # type: ignore[arg-type]  # has_previous: previous is set
        row += [num(c.at_end.value)]
        row += [num(c.at_end.previous)] if has_previous else []  # type: ignore[arg-type]  # idem
        rows.append(row)
    total = ["Total", num(m.average.value)] + ([num(m.average.previous)] if has_previous else [])  # type: ignore[arg-type]  # idem
    total += [num(m.at_end.value)] + ([num(m.at_end.previous)] if has_previous else [])  # type: ignore[arg-type]  # idem
    rows.append(total)
    end = "au 31/12" if not d.partial else f"au {d.as_of:%d/%m}"
    if has_previous:
        header = [
            "Catégorie",
            f"Moyenne {d.year}",
            f"Moyenne {w.prev}",
            f"{end}/{d.year}",
            f"au 31/12/{w.prev}",
        ]
        widths = [5.2, 2.8, 2.8, 2.8, 2.8]
    else:
        header = ["Catégorie", f"Moyenne {d.year}", f"{end}/{d.year}"]
        widths = [8.4, 4.0, 4.0]
    w.table(header, rows, widths, numeric=(1, 2, 3, 4), bold_last=True)
    if len(m.history) >= 2:
        label = f"{d.year} (au {d.as_of:%d/%m})" if d.partial else None
        categories = [c for c, _ in m.history[0][1]]
        history_rows = [
            [str(y) + (f" (au {d.as_of:%d/%m})" if d.partial and y == d.year else "")]
            + [num(n) for _, n in counts]
            + [num(sum(n for _, n in counts))]
            for y, counts in m.history
        ]
        w.chart(
            lambda: charts.members_chart(m.history, partial_label=label),
            f"Adhérent·es par catégorie au 31 décembre, de {m.history[0][0]} à {d.year}"
            + (f" (au {day_month(d.as_of)} pour {d.year})" if d.partial else ""),
            (
                ["Année"] + [CATEGORY_PLURAL[c].capitalize() for c in categories] + ["Total"],
                history_rows,
                [3.4] + [3.2] * len(categories) + [2.4],
            ),
        )

    w.h2("Adhésions et départs")
    joined = plural(m.joined_count.value, "nouvelle structure a rejoint", "nouvelles structures ont rejoint")
    if m.joined:
        intro = f"En {d.year}, {joined} l'association{w.versus(m.joined_count, zero='aucune')}"
        moves_table(w, intro, m.joined, "Date d'adhésion", f"Nouvelles structures adhérentes en {d.year}")
    else:
        w.para(f"Aucune nouvelle structure n'a rejoint l'association en {d.year}{w.versus(m.joined_count)}.")
    if m.left:
        left = plural(m.left_count.value, "structure a quitté", "structures ont quitté")
        intro = f"En {d.year}, {left} l'association{w.versus(m.left_count, zero='aucune')}"
        moves_table(w, intro, m.left, "Date de départ", f"Structures sorties en {d.year}")
    else:
        w.para(f"Aucune structure n'a quitté l'association en {d.year}{w.versus(m.left_count)}.")

    for group in d.premises:
        if group.units:
            premises_part(w, group)
    milab(w)
    w.staff_subsections(key)


#: Below these, an occupancy rate means nothing: no rate in the sentence (under 1 %), no
#: chart (no month of any space reaching 5 %).
SENTENCE_MIN_RATE = Decimal("0.01")
CHART_MIN_RATE = Decimal("0.05")
LONG_LIST = 12  # rows: a longer list of structures goes to an annex


def meaningful(rate: object) -> bool:
    return Decimal(str(rate)) >= SENTENCE_MIN_RATE


def moves_table(w: DocumentWriter, intro: str, moves: Sequence[MemberMove], day: str, annex: str) -> None:
    """The structures that joined (or left): a short list in the text, a long one in an
    annex, the text then giving the split by category."""
    table = (["Structure", "Catégorie", day], move_rows(moves), [8.4, 4.4, 3.6])
    if len(moves) <= LONG_LIST:
        w.para(intro + " :", keep_next=True)
        w.table(*table)
        return
    counts: dict[str, int] = {}
    for move in moves:
        key = move.category or ""
        counts[key] = counts.get(key, 0) + 1
    split = [
        plural(counts[c], CATEGORY_SINGULAR[c].lower(), CATEGORY_PLURAL[c])
        for c in CATEGORIES
        if counts.get(c)
    ]
    title = w.to_annex(f"Annexe : {annex[0].lower()}{annex[1:]}", "", table)
    w.para(intro + (f", dont {join_fr(split)}" if len(split) > 1 else "") + f" (liste en « {title} »).")


def premises_part(w: DocumentWriter, p: PremisesFigures) -> None:
    d = w.d
    shops = p.group == BOUTIQUES
    w.h2("Les boutiques" if shops else "La pépinière d'entreprises")
    w.para(occupied_sentence(p, w.end_label.capitalize(), shops) + w.versus_end(p.occupied_at_end) + ".")
    if not p.left and not p.taken:
        before = ""
        if p.left_count.previous or p.taken_count.previous:
            before = (
                f" ({plural(p.left_count.previous or 0, 'départ', 'départs')} et "
                f"{plural(p.taken_count.previous or 0, 'arrivée', 'arrivées')} en {w.prev})"
            )
        w.para(f"Aucun changement d'occupant en {d.year}{before}.")
        return
    if p.left:
        own = (
            ("sa boutique" if shops else "son bureau")
            if p.left_count.value < 2
            else ("leur boutique" if shops else "leur bureau")
        )
        w.para(
            f"En {d.year}, {count_structures(p.left_count.value, 'a quitté', 'ont quitté')} {own}"
            f"{w.versus(p.left_count, zero='aucune')} :",
            keep_next=True,
        )
        w.bullets([f"{m.structure} ({m.premises}, le {long_date(m.day)})" for m in p.left])
    else:
        w.para(
            f"Aucune structure n'a quitté {'sa boutique' if shops else 'son bureau'} en {d.year}"
            f"{w.versus(p.left_count)}."
        )
    if p.taken:
        w.para(
            f"En {d.year}, {count_structures(p.taken_count.value, 'a pris', 'ont pris', new=True)} "
            f"{'une boutique' if shops else 'un bureau'}{w.versus(p.taken_count, zero='aucune')} :",
            keep_next=True,
        )
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
        rate = (
            f", taux d'occupation de {percent(Decimal(r.rate.value))}{w.versus(r.rate, fmt=percent)}"  # type: ignore[arg-type]  # rates are Decimals
            if meaningful(r.rate.value)
            else ""
        )
        w.bullets(
            [
                [
                    (f"{r.name}{places}", "b"),
                    (f" : {bookings}{w.versus(r.bookings, zero='aucune')}{rate}.", ""),
                ]
            ]
        )
    has_previous = any(r.bookings.previous is not None for r in d.resources)
    # Rates too small to mean anything (none reaches 1 %, either year): bookings only.
    rates = any(meaningful(r.rate.value) or meaningful(r.rate.previous or 0) for r in d.resources)
    rows = []
    for r in d.resources:
        row = [r.name, num(r.capacity), num(r.bookings.value)]
        row += [num(r.bookings.previous) if r.bookings.previous is not None else "–"] if has_previous else []
        if rates:
            row += [percent(Decimal(r.rate.value))]
            row += (
                [percent(Decimal(r.rate.previous)) if r.rate.previous is not None else "–"]
                if has_previous
                else []
            )
        rows.append(row)
    header = ["Espace", "Places", f"Réserv. {d.year}"] + ([f"Réserv. {w.prev}"] if has_previous else [])
    header += ([f"Occupation {d.year}"] + ([f"Occupation {w.prev}"] if has_previous else [])) if rates else []
    widths = {6: [4.4, 1.6, 2.4, 2.4, 2.8, 2.8], 4: [6.4, 2.0, 4.0, 4.0], 3: [8.4, 2.0, 6.0]}[len(header)]
    w.para("En synthèse :", keep_next=True)
    w.table(header, rows, widths, numeric=(1, 2, 3, 4, 5))
    if any(max(r.monthly, default=0) >= CHART_MIN_RATE for r in d.resources):
        rate_rows = [
            [month_name(n + 1).capitalize()] + [percent(r.monthly[n]) for r in d.resources] for n in range(12)
        ]
        width = min(3.5, 13.0 / max(1, len(d.resources)))
        w.chart(
            lambda: charts.occupancy_chart(tuple((r.name, r.monthly) for r in d.resources)),
            f"Taux d'occupation mensuel des espaces du Milab en {d.year}",
            (["Mois", *[r.name for r in d.resources]], rate_rows, [2.8] + [width] * len(d.resources)),
        )
    if rates:
        w.note(
            "Taux d'occupation : jours réservés (par place) rapportés aux jours d'ouverture ; seules "
            "les réservations confirmées comptent."
        )


def partenaires(w: DocumentWriter, key: str) -> None:
    d = w.d
    financing = d.figures_of("Financement")
    free = d.free_bookings
    if not (d.text(key) or financing or free.count.value):  # staff texts named in the output only
        omit(
            w,
            key,
            f"aucun texte (clé « {key} » de l'onglet « Textes »), aucun chiffre de la rubrique "
            f"« Financement » ni prêt gracieux de salle en {d.year}.",
        )
        return
    w.h1(section_title(w, key))
    w.staff_text(key)
    if financing:
        w.h2("Les financements")
        fees = d.fees_received
        duplicate = fees is not None and bool(fees.amount.value)
        if duplicate:  # one figure per concept: the fees received, defined in « Les cotisations »
            financing = tuple(f for f in financing if not fold(f.label).startswith("cotisation"))
        money_lines = [f for f in financing if is_money(f)]
        if money_lines:
            w.para(f"Les financements de {d.year} :", keep_next=True)
            figure_table(w, money_lines)
        other = [f for f in financing if not is_money(f)]
        if other:
            sentence = join_fr([figure_sentence(w, f) for f in other])
            w.para(sentence[0].upper() + sentence[1:] + ".")
        if duplicate and fees is not None:
            w.para(
                f"S'y ajoutent les cotisations des adhérent·es : {money(fees.amount.value)} TTC reçus en "
                f"{d.year} (voir « Les cotisations », partie I)."
            )
    if free.count.value:
        w.h2("Entraide")
        who = f", au profit de : {join_fr(list(free.organisations))}" if free.organisations else ""
        w.para(
            f"{The_name(w)} a mis ses espaces gracieusement à disposition à "
            f"{plural(free.count.value, 'reprise', 'reprises')}{w.versus(free.count, zero='aucune')}"
            f"{who}."
        )
    w.staff_subsections(key)
