"""The demo's payments: a ``Paiements`` tab with three years of payments, and two files to
import next to the workbook (a HelloAsso export, a bank statement) that exercise every
matching rule of ``mila paiements importer``.

Called by ``workbook.build_demo_workbook`` with its members (``common.DemoMember``: ``id``,
``paid``, ``joined``, ``left``, ``email``, ``siret``…) and its fee function.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

Fee = Callable[[Any], float | None]  # common.Story.fee_paid: a member -> TTC paid on m.paid


def _back_a_year(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return date(day.year - 1, 2, 28)


def _payable(members: Sequence[Any]) -> list[Any]:
    return [
        m for m in members if m.id and m.referable and m.paid is not None and m.category != "membre de droit"
    ]


def build_demo_payments(members: Sequence[Any], today: date, fee: Fee) -> list[dict[str, object]]:
    """Every cotisation of the last three years, and each member's latest (its ``Cotisation
    payée le``, however old), plus a few gifts, a booking paid by an outside organisation and a
    payment made twice then refunded. Sorted by date, IDs P00001…"""
    rng = random.Random(today.toordinal())
    first = date(today.year - 2, 1, 1)
    rows: list[dict[str, object]] = []
    for m in _payable(members):
        day = m.paid
        while day == m.paid or (day >= first and day >= m.joined):
            amount = fee(replace(m, paid=day))
            if amount:
                rows.append(_payment(rng, m, day, amount))
            day = _back_a_year(day)
    outside = [
        (date(today.year - 1, 6, 12), "Fondation Goutte d'Or", 500.0, "don"),
        (date(today.year, 3, 3), "Mme Roux", 50.0, "don"),
        (date(today.year - 1, 10, 2), "Association Les Voisins du 18e", 90.0, "réservation"),
    ]
    for day, payer, amount, purpose in outside:
        if day < today:
            rows.append(
                {
                    "Date": day,
                    "Payeur": payer,
                    "Montant": amount,
                    "Moyen": "virement",
                    "Objet": purpose,
                    "Référence": f"VIR {day:%Y%m%d} {rng.randint(1000, 9999)}",
                    "Source": "saisie",
                }
            )
    twice = next(
        (
            r
            for r in rows
            if r["Moyen"] == "HelloAsso"
            and isinstance(r["Date"], date)
            and r["Date"] < today - timedelta(days=40)
        ),
        None,
    )
    paid_on, paid = (twice["Date"], twice["Montant"]) if twice is not None else (None, None)
    if twice is not None and isinstance(paid_on, date) and isinstance(paid, int | float):
        # paid again by mistake a week later, refunded the day after
        again = dict(
            twice,
            Date=paid_on + timedelta(days=7),
            Référence=f"HelloAsso {rng.randint(10_000_000, 99_999_999)}",
        )
        refund = dict(
            again,
            Date=paid_on + timedelta(days=8),
            Montant=-float(paid),
            Référence=f"{again['Référence']} remboursement",
            Source="saisie",
        )
        rows += [again, refund]
    rows.sort(key=lambda r: (r["Date"], str(r.get("Membre") or "")))
    return [{"ID": f"P{n:05d}", **row} for n, row in enumerate(rows, start=1)]


def _payment(rng: random.Random, m: Any, day: date, amount: float) -> dict[str, object]:
    means = rng.choices(("virement", "HelloAsso", "chèque", "espèces"), (45, 38, 14, 3))[0]
    imported = day + timedelta(days=rng.randint(1, 6))
    if means == "HelloAsso":
        reference, payer = f"HelloAsso {rng.randint(10_000_000, 99_999_999)}", f"{m.contact} ({m.email})"
        source = f"import HelloAsso du {imported:%d/%m/%Y}"
    elif means == "virement":
        reference, payer = f"banque {day:%Y%m%d} {rng.randint(10**9, 10**10 - 1)}", m.structure.upper()
        source = f"import banque du {imported:%d/%m/%Y} (releve.csv)"
    elif means == "chèque":
        reference, payer, source = f"Chèque n° {rng.randint(1_000_000, 9_999_999)}", m.contact, "saisie"
    else:
        reference, payer, source = None, m.contact, "saisie"
    return {
        "Date": day,
        "Membre": m.id,
        "Payeur": payer,
        "Montant": amount,
        "Moyen": means,
        "Objet": "cotisation",
        "Référence": reference,
        "Source": source,
    }


# --------------------------------------------------------------------------- files to import

HELLOASSO_HEADER = [
    "Référence commande",
    "Date de la commande",
    "Statut de la commande",
    "Nom adhérent",
    "Prénom adhérent",
    "Nom payeur",
    "Prénom payeur",
    "Email payeur",
    "Raison sociale",
    "Tarif",
    "Montant tarif",
    "Code Promo",
    "Référence indiquée dans l'e-mail de relance",
    "SIRET de la structure",
]


def _plain(name: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _fr(amount: float) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def _typo(text: str) -> str:
    """One letter dropped from the longest word, as a hurried payer types it."""
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) > 5:
        words[longest] = word[:3] + word[4:]
    return " ".join(words)


def write_demo_imports(workbook: Path, members: Sequence[Any], today: date, fee: Fee) -> tuple[Path, Path]:
    """``<demo>-export-helloasso.csv`` and ``<demo>-releve-banque.csv`` next to the workbook:
    recent payments of members to renew, one per matching rule, and lines to set aside."""
    rng = random.Random(today.toordinal() + 1)
    due = [
        m
        for m in _payable(members)
        if m.left is None
        and m.status(today) in ("échue", "à renouveler")
        and not m.individual
        and m.cells.get("Email") is None
    ]
    due.sort(key=lambda m: m.id)
    rng.shuffle(due)
    with_siret = [m for m in due if m.siret]
    picks: dict[str, Any] = {}
    for picked in ("ha_siret", "bank_siret"):
        picks[picked] = with_siret.pop()
    rest = [m for m in due if m not in picks.values()]
    for picked in ("ha_reference", "ha_email", "ha_name", "bank_reference", "bank_contact", "bank_name"):
        picks[picked] = rest.pop()

    def amount(m: Any, day: date) -> str:
        return _fr(fee(replace(m, paid=day)) or 0)

    days = [today - timedelta(days=n) for n in range(12, 1, -1)]
    ha_rows = []
    for n, (rule, status) in enumerate(
        (
            ("ha_reference", "Validé"),
            ("ha_email", "Validé"),
            ("ha_siret", "Validé"),
            ("ha_name", "Validé"),
            ("ha_email", "Annulé"),
            (None, "Validé"),
        )
    ):
        day = days[n]
        when = f"{day:%d/%m/%Y} {9 + n:02d}:{rng.randint(0, 59):02d}"
        ref = str(rng.randint(100_000_000, 999_999_999))
        if rule is None:
            ha_rows.append(
                [
                    ref,
                    when,
                    status,
                    "Moreau",
                    "Claire",
                    "Moreau",
                    "Claire",
                    "claire.moreau@exemple.org",
                    "Collectif Goutte d'Or Solidaire",
                    "Adhésion BASIC",
                    "144,00",
                    "",
                    "",
                    "",
                ]
            )
            continue
        m = picks[rule]
        first, last = m.contact.split(" ", 1)
        if rule == "ha_name":  # a colleague pays, naming the structure with a typo
            first, last = rng.choice((("Marie", "Dupuis"), ("Karim", "Benali"), ("Sophie", "Lemaire")))
        email = m.email if rule == "ha_email" else f"{_plain(first)}.{rng.randint(10, 99)}@exemple.org"
        company = _typo(m.structure) if rule == "ha_name" else ""
        tarif = f"Adhésion {m.forfait or 'BASIC'}"
        ha_rows.append(
            [
                ref,
                when,
                status,
                last,
                first,
                last,
                first,
                email,
                company,
                tarif,
                amount(m, day),
                "",
                f"cotisation {m.id}" if rule == "ha_reference" else "",
                m.siret if rule == "ha_siret" else "",
            ]
        )
    helloasso = workbook.with_name(f"{workbook.stem}-export-helloasso.csv")
    helloasso.write_bytes(_csv([HELLOASSO_HEADER, *ha_rows]).encode("utf-8-sig"))

    bank_rows: list[list[str]] = []
    for n, rule in enumerate(("bank_reference", "bank_contact", "bank_siret", "bank_name")):
        m, day = picks[rule], days[n + 3]
        label = {
            "bank_reference": f"VIR SEPA RECU /DE {m.structure.upper()} /MOTIF COTISATION {m.id}",
            "bank_contact": f"VIR SEPA RECU /DE {m.contact.upper()} /MOTIF ADHESION {today.year}",
            "bank_siret": f"VIR SEPA RECU /DE {m.structure.upper()} /MOTIF SIRET {m.siret}",
            "bank_name": f"VIR INST RE /DE {_typo(m.structure).upper()} /MOTIF ADHESION",
        }[rule]
        bank_rows.append([f"{day:%d/%m/%Y}", label, "", amount(m, day)])
    bank_rows += [
        [f"{days[4]:%d/%m/%Y}", "PRLV SEPA EDF CLIENTS PARTICULIERS", "-212,40", ""],
        [f"{days[5]:%d/%m/%Y}", "VIR SEPA RECU /DE HELLOASSO /MOTIF VERSEMENT HELLOASSO", "", "1 044,00"],
        [
            f"{days[6]:%d/%m/%Y}",
            "VIR SEPA RECU /DE MAIRIE DU 18E /MOTIF SUBVENTION FETE DE QUARTIER",
            "",
            "1 500,00",
        ],
        [f"{days[7]:%d/%m/%Y}", "CB PAPETERIE DU NORD", "-38,90", ""],
    ]
    bank_rows.sort(key=lambda r: (r[0][6:], r[0][3:5], r[0][:2]))
    statement = [
        ["Compte courant ASSOCIATION MILA", "", "", ""],
        [f"Relevé du {days[0]:%d/%m/%Y} au {days[-1]:%d/%m/%Y}", "", "", ""],
        ["", "", "", ""],
        ["Date", "Libellé", "Débit", "Crédit"],
        *bank_rows,
    ]
    bank = workbook.with_name(f"{workbook.stem}-releve-banque.csv")
    bank.write_bytes(_csv(statement).encode("cp1252", errors="replace"))
    return helloasso, bank


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue()
