"""Conseil, Tarifs, Chiffres and Textes: the board, the fee history, report figures and texts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..schema import BOARD_FUNCTIONS
from . import programme
from .common import (
    FEE_SWITCH,
    HOSTED_CAP,
    HOSTED_RATE,
    OK_STATUSES,
    DemoMember,
    Story,
)


def _distinct_surnames(
    fixed: list, hosted: list, benef: list, hosted_pool: list, benef_pool: list
) -> tuple[list, list]:
    """The board drawn, with a member whose surname another board member already bears
    replaced by the next one of its pool who shares none (no accidental family on the board)."""
    used = {m.contact.split()[-1] for m in fixed}
    chosen: list[list] = []
    for drawn, pool in ((hosted, hosted_pool), (benef, benef_pool)):
        kept = []
        for m in drawn:
            if m.contact.split()[-1] in used:
                m = next(
                    c for c in pool if c.contact.split()[-1] not in used and c not in drawn and c not in kept
                )
            used.add(m.contact.split()[-1])
            kept.append(m)
        chosen.append(kept)
    return chosen[0], chosen[1]


class BoardPart(Story):
    """The Conseil, Tarifs, Chiffres and Textes tabs."""

    def build_board(self, members: list[DemoMember]) -> list[dict[str, object]]:
        rng, y0, today = self.rng, self.y0, self.today
        ag_old, ag_mid, ag_now = date(y0 - 5, 6, 20), date(y0 - 2, 6, 8), date(y0, 7, 2)
        ca_pres = date(y0, 11, 28)

        def decision(kind: str, d: date) -> str:
            return f"{kind} du {d:%d/%m/%y}"

        hosted = [
            m
            for m in members
            if m.referable and m.category == "hébergé" and m.left is None and m.joined < date(y0, 1, 1)
        ]
        benef = [
            m
            for m in members
            if m.referable
            and m.category == "bénéficiaire"
            and m.left is None
            and m.joined < date(y0 - 1, 1, 1)
            and m.status(today) in OK_STATUSES
            and m not in self.mistake_rows()
        ]
        mdd = next(m for m in members if m.category == "membre de droit")
        h = rng.sample(hosted, 6)
        b = rng.sample(benef, 5)
        h, b = _distinct_surnames([mdd], h, b, hosted, benef)
        plan = [
            (h[0], "Président·e", "Hébergés", ca_pres, None, decision("CA", ca_pres)),
            (h[1], "Vice-président·e", "Hébergés", ag_mid, None, decision("AG", ag_mid)),
            (b[0], "Trésorier·e", "Bénéficiaires", ag_mid, None, decision("AG", ag_mid)),
            (b[1], "Vice-trésorier·e", "Bénéficiaires", ag_old, None, decision("AG", ag_old)),
            (b[2], "Secrétaire", "Bénéficiaires", ag_now, None, decision("AG", ag_now)),
            (h[2], "Vice-secrétaire", "Hébergés", ag_mid, None, decision("AG", ag_mid)),
            (
                mdd,
                "Administrateur·rice",
                "Membre de droit",
                date(2016, 6, 14),
                None,
                "AG du 14/06/16",
            ),
            (h[3], "Administrateur·rice", "Hébergés", ag_mid, None, decision("AG", ag_mid)),
            (h[4], "Administrateur·rice", "Hébergés", ag_now, None, decision("AG", ag_now)),
            (h[5], "Administrateur·rice", "Hébergés", ag_now, None, decision("AG", ag_now)),
            (b[3], "Président·e", "Bénéficiaires", ag_old, ag_now, decision("AG", ag_now)),
            (b[4], "Secrétaire", "Bénéficiaires", ag_old, ag_now, decision("AG", ag_now)),
        ]
        order = {f: i for i, f in enumerate(BOARD_FUNCTIONS)}
        plan.sort(key=lambda p: (p[4] is not None, order[p[1]]))
        return [
            {
                "Nom": m.contact,
                "Civilité": "Mme" if m.female else "M.",
                "Membre": m.id,
                "Fonction": f,
                "Collège": college,
                "Entrée": start,
                "Sortie": end,
                "Décision": dec,
            }
            for m, f, college, start, end, dec in plan
        ]

    def build_figures(self) -> list[dict[str, object]]:
        rng = self.rng
        years = (self.y0, self.y0 + 1, self.y0 + 2)

        def grow(base: float, rates: tuple[float, float]) -> tuple[float, float, float]:
            v1 = base * (1 + rates[0] + rng.uniform(-0.02, 0.02))
            v2 = v1 * (1 + rates[1] + rng.uniform(-0.02, 0.02))
            return base, v1, v2

        figures: list[tuple[str, str, str, Sequence[float]]] = [
            ("Financement", "Subvention Ville de Paris – DAE", "€", (14500, 14500, 15000)),
            ("Financement", "Subvention Ville de Paris – DAC", "€", (10000, 10000, 10000)),
            (
                "Financement",
                "Ministère de la Culture – DGMIC (convention triennale)",
                "€",
                (25000, 25000, 25000),
            ),
            (
                "Financement",
                "CNM – commission Égalité F/H (Entrepreneuriat Crescendo)",
                "€",
                (7158, 7400, 7650),
            ),
            ("Financement", "Aide à l'emploi FONPEPS", "€", (4500, 13500, 9000)),
            ("Financement", "Cotisations des adhérent·e·s", "€", grow(18950, (0.06, 0.04))),
            (
                "Financement",
                "Mises à disposition (pépinière et Milab)",
                "€",
                grow(44600, (0.02, 0.02)),
            ),
            ("Financement", "Part d'autofinancement", "%", (55, 56, 58)),
            ("Communication", "Instagram – abonné·e·s", "abonné·e·s", grow(2023, (0.22, 0.15))),
            ("Communication", "LinkedIn – abonné·e·s", "abonné·e·s", grow(1640, (0.28, 0.2))),
            ("Communication", "Facebook – abonné·e·s", "abonné·e·s", (2522, 2506, 2497)),
            ("Communication", "Newsletter – abonné·e·s", "abonné·e·s", grow(1402, (0.09, 0.07))),
            ("Communication", "YouTube – abonné·e·s", "abonné·e·s", (41, 52, 63)),
        ]
        rows = []
        for year_index, year in enumerate(years):
            for rubric, label, unit, values in figures:
                value = values[year_index]
                value = round(value, -1) if label.startswith(("Cotisations", "Mises")) else round(value)
                rows.append(
                    {
                        "Année": year,
                        "Rubrique": rubric,
                        "Libellé": label,
                        "Valeur": int(value),
                        "Unité": unit,
                    }
                )
        return rows

    def build_texts(self) -> list[dict[str, object]]:
        rows = []
        for i, year in enumerate((self.y0, self.y0 + 1, self.y0 + 2)):
            for section, variants in programme.TEXTES.items():
                rows.append({"Année": year, "Section": section, "Texte": variants[i]})
            for section, title, text in programme.TEXTES_TITRES:
                rows.append({"Année": year, "Section": section, "Titre": title, "Texte": text})
        return rows


def fee_rows() -> list[dict[str, object]]:
    """The Tarifs rows: the fee history the association has lived through (SHEETS.md)."""
    since = date(2016, 1, 1)
    rows = [
        (
            "BENEFICIAIRE",
            "Cotisation bénéficiaire (tarif unique)",
            100,
            None,
            since,
            date(2024, 2, 29),
        ),
        (
            "BASIC",
            "Forfait BASIC : rencontres collectives, mutualisations, réseau",
            120,
            None,
            FEE_SWITCH,
            None,
        ),
        (
            "PREMIUM",
            "Forfait PREMIUM : BASIC + audits, diagnostics, consultations d'experts",
            170,
            None,
            FEE_SWITCH,
            None,
        ),
        (
            "CRESCENDO",
            "Option Entrepreneuriat Crescendo (ateliers pratiques)",
            10,
            None,
            FEE_SWITCH,
            None,
        ),
        (
            "HEBERGE_M2",
            "Cotisation membre hébergé, par m² mis à disposition",
            HOSTED_RATE,
            HOSTED_CAP,
            since,
            None,
        ),
        ("MEMBRE_DE_DROIT", "Membre de droit", 0, None, since, None),
    ]
    return [
        {
            "Code": c,
            "Libellé": lib,
            "Montant HT": amount,
            "Plafond HT": cap,
            "TVA %": 20,
            "Du": start,
            "Au": end,
        }
        for c, lib, amount, cap, start, end in rows
    ]
