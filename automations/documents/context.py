"""What each template can say: its variables, and the contexts built from the Dataset.

Variables are French and ASCII (``membre.structure``, ``loyer.ttc``) because staff read and
type them in Word. Every value is a ready-to-print French string (amounts ``1 234,50 €``
with non-breaking spaces, dates ``4 mars 2025``), except a few yes/no flags for
``{% if %}``. ``catalogue.VARIABLES`` documents them per template; the contexts built here hold
exactly those (tests check both ways), and ``mila docs verifier`` reports any other name.

``document`` (the date and place of generation) is kept apart from the rest: a document
is regenerated when its data change, not because a day has passed (see outputs.py).

The contexts are built here from the pieces of :mod:`.pieces`, with the values printed as
:mod:`.typography` says.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..formatting import cents, format_date, format_number
from ..model.rows import BoardMember, Member, Occupation, Premises
from ..rules.fees import Fee, FeeLine
from ..text import sort_key
from .french import is_natural_person
from .pieces import Amounts, _clean, fee_context, member_context, typeset_breakdown
from .typography import CATEGORY_SHORT, long_date, money, percent, surface

# An occupation begun less than this before the document, with no convention produced yet,
# gets its first convention (effective at its start), not one replacing another.
RECENT_START = dt.timedelta(days=92)


def effective_date(
    start: dt.date, end: dt.date | None, day: dt.date, *, produced_before: bool = False
) -> dt.date:
    """When a convention produced on ``day`` takes effect: its occupation's start when
    that is still to come (or today), or when the occupation began less than three months
    ago and has no convention yet (``produced_before``: one was produced on an earlier day);
    for an occupation begun before, the first day of the next month (the rent is paid
    monthly; the day itself for one ending this month), the convention then replacing the
    one in force. An ended occupation (reprinted) keeps its own start."""
    if start >= day or (end is not None and end < day):
        return start
    if not produced_before and day - start < RECENT_START:
        return start
    if day.day == 1:
        return day
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return day if end is not None and following > end else following  # ends this month: from today


def index_text(value: Decimal | None) -> str:
    """An index value as the Insee prints it: ``136,33``."""
    return format_number(value) if value is not None else ""


# What a convention says that depends on the day it is produced: left out of its
# fingerprint, so that a convention is regenerated when its data change, not monthly.
CONVENTION_VOLATILE = ("convention.effet", "convention.duree", "convention.remplace", "depot.verse")


def convention_context(
    *,
    association: dict[str, Any],
    occupation: Occupation,
    member: Member,
    premises: Premises,
    rent_ht: Decimal,
    rent_vat_percent: Decimal,
    fee: Fee | None,
    day: dt.date,
    board: Sequence[BoardMember] = (),
    rules: bool = False,
    produced_before: bool = False,
) -> dict[str, Any]:
    """The convention of ``occupation`` produced on ``day``. An occupation begun before
    ``day`` gets a convention that takes effect later (:func:`effective_date`) and replaces
    the one in force; its deposit was paid when it began; its rent is indexed from its last
    revision (``Révisée le``, ``Indice de référence``), never from a start years ago.
    ``rules``: the association's règlement intérieur is annexed; ``produced_before``: a
    convention of this occupation was produced on an earlier day."""
    start, end = occupation.start, occupation.end
    assert start is not None
    effect = effective_date(start, end, day, produced_before=produced_before)
    if end is None:
        duration = f"à compter du {long_date(effect)} et pour une durée indéterminée"
    else:
        duration = f"du {long_date(effect)} au {long_date(end)} inclus"
    deposit = occupation.deposit
    revised = occupation.revised_on
    return {
        "association": association,
        "membre": member_context(member, board),
        "convention": {
            "id": occupation.id or "",
            "debut": long_date(start),
            "effet": long_date(effect),
            "remplace": effect > start,
            "fin": long_date(end),
            "duree": duration,
            "indeterminee": end is None,
        },
        "revision": {
            "connue": revised is not None and occupation.index is not None,
            "date": long_date(revised),
            "indice": index_text(occupation.index),
        },
        "local": {
            "id": premises.id or "",
            "nom": _clean(premises.name),
            "site": premises.site or "",
            "adresse": _clean(premises.address) or association["adresse"],
            "surface": surface(premises.surface_m2),
        },
        "loyer": Amounts.from_ht(rent_ht, rent_vat_percent).as_context(),
        "depot": {
            "prevu": bool(deposit),
            "montant": money(deposit) if deposit else "",
            "verse": bool(deposit) and effect > start,  # a first convention: paid at signing
        },
        "cotisation": fee_context(fee),
        "charte": {
            "signee": member.charter_signed_on is not None,
            "date": long_date(member.charter_signed_on),
        },
        "reglement": {"annexe": rules},
    }


def charter_context(
    *, association: dict[str, Any], member: Member, board: Sequence[BoardMember] = ()
) -> dict[str, Any]:
    return {
        "association": association,
        "membre": member_context(member, board),
        "charte": {
            "signee": member.charter_signed_on is not None,
            "date": long_date(member.charter_signed_on),
        },
    }


def _representative(member: Member) -> str:
    """The contact, in a list of members; blank for a member who is a person."""
    if is_natural_person(member.structure, member.contact, member.legal_form):
        return ""
    return _clean(member.contact)


def register_context(
    *, association: dict[str, Any], members: Sequence[Member], day: dt.date
) -> dict[str, Any]:
    ordered = sorted(members, key=lambda m: (sort_key(m.structure), m.id or ""))
    rows = [
        {
            "numero": str(n),
            "id": m.id or "",
            "structure": _clean(m.structure),
            "representant": _representative(m),
            "categorie": CATEGORY_SHORT.get(m.category or "", m.category or ""),
            "signature": long_date(m.charter_signed_on) if m.charter_signed_on else "à signer",
            "signee": m.charter_signed_on is not None,
        }
        for n, m in enumerate(ordered, start=1)
    ]
    signed = sum(1 for r in rows if r["signee"])
    return {
        "association": association,
        "registre": {
            "date": long_date(day),
            "total": str(len(rows)),
            "signees": str(signed),
            "a_signer": str(len(rows) - signed),
        },
        "membres": rows,
    }


def split_vat(lines: Sequence[FeeLine], total_vat: Decimal) -> list[Decimal]:
    """Each line's share of the VAT, in cents, adding up to ``total_vat`` exactly (the
    cents lost to rounding go to the largest remainders)."""
    total_ht = sum((line.amount for line in lines), Decimal(0))
    if not lines or total_ht == 0:
        return [Decimal(0) for _ in lines]
    exact = [total_vat * line.amount / total_ht for line in lines]
    shares = [cents(x - Decimal("0.005")) if x > 0 else cents(x) for x in exact]
    left = int((total_vat - sum(shares, Decimal(0))) * 100)
    order = sorted(range(len(lines)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in order[: max(left, 0)]:
        shares[i] += Decimal("0.01")
    return shares


_RECEIPT_TITLES = {"cotisation": "cotisation", "loyer": "loyer", "réservation": "réservation"}
_RECEIPT_LINES = {"loyer": "Loyer (mise à disposition de locaux)", "réservation": "Réservation de salle"}
_RECEIPT_FOR = {
    "loyer": "son loyer pour la mise à disposition de locaux",
    "réservation": "sa réservation de salle",
}


def receipt_context(
    *,
    association: dict[str, Any],
    member: Member,
    number: str,
    period_start: dt.date,
    period_end: dt.date,
    amount_paid: Decimal,
    fee: Fee | None,
    vat_percent: Decimal,
    board: Sequence[BoardMember] = (),
    method: str = "",
    paid_on: dt.date | None = None,
    purpose: str = "cotisation",
    payment_id: str = "",
    issued_on: dt.date,
    vat_registered: bool = True,
    vat_exemption: str = "",
) -> dict[str, Any]:
    """The fee's lines when its TTC is what was paid; else the amount paid, VAT extracted.
    The receipt is dated the day it is produced (``issued_on``; the payment's day,
    ``paid_on`` else the member's ``Cotisation payée le``, is said as « paiement reçu
    le … », never as the receipt's date). A ``loyer`` or ``réservation`` receipt has one
    line, its amount with the VAT of ``vat_percent`` extracted. Not ``vat_registered``:
    no VAT at all, the amounts as paid and the exemption mention (``vat_exemption``)."""
    paid = cents(amount_paid)
    day = paid_on or member.paid_on
    if purpose != "cotisation":
        fee = None
    lines: Sequence[FeeLine]
    if not vat_registered:
        matches = fee is not None and fee.ht == paid
        amounts = Amounts(paid, Decimal(0), paid, Decimal(0))
        lines = (
            fee.lines
            if matches and fee is not None
            else (FeeLine(_RECEIPT_LINES.get(purpose, "Cotisation annuelle"), paid),)
        )
        detail = typeset_breakdown(fee.breakdown) if matches and fee is not None else ""
    elif fee is not None and fee.ttc == paid:
        matches = True
        amounts = Amounts(fee.ht, fee.vat, fee.ttc, fee.vat_rate)
        lines = fee.lines
        detail = typeset_breakdown(fee.breakdown)
    else:
        matches = False
        amounts = Amounts.from_ttc(paid, fee.vat_rate if fee is not None else vat_percent)
        lines = (FeeLine(_RECEIPT_LINES.get(purpose, "Cotisation annuelle"), amounts.ht),)
        detail = ""  # the difference is told to the staff (the command's output), not the member
    vats = split_vat(lines, amounts.vat) if vat_registered else [Decimal(0)] * len(lines)
    period = {"debut": long_date(period_start), "fin": long_date(period_end)}
    what = (
        f"sa cotisation annuelle pour la période du {period['debut']} au {period['fin']}"
        if purpose == "cotisation"
        else _RECEIPT_FOR.get(purpose, f"son paiement ({purpose})")
    )
    return {
        "association": association,
        "membre": member_context(member, board),
        "recu": {
            "numero": number,
            "date": long_date(issued_on),
            "objet": purpose,
            "titre": f"Reçu de {_RECEIPT_TITLES.get(purpose, purpose)}",
            "au_titre": what,
        },
        "paiement": {
            "date": long_date(day),
            "montant": money(paid),
            "somme": f"{money(paid)} toutes taxes comprises" if vat_registered else money(paid),
            "moyen": method,
            "id": payment_id,
        },
        "periode": period,
        "montant": {
            **amounts.as_context(),
            "tva_applicable": vat_registered,
            "mention_tva": "" if vat_registered else vat_exemption,
        },
        "detail": detail,
        "lignes": [
            {
                "libelle": typeset_breakdown(line.label),
                "montant": money(line.amount),
                "tva": money(vat),
                "ttc": money(line.amount + vat),
            }
            for line, vat in zip(lines, vats, strict=True)
        ],
        "ecart": not matches,
    }


@dataclass(frozen=True)
class AttendanceLine:
    member: Member
    votes: int


def attendance_context(
    *,
    association: dict[str, Any],
    title: str,
    day: dt.date,
    place: str,
    lines: Sequence[AttendanceLine],
    quorum_percent: Decimal,
) -> dict[str, Any]:
    ordered = sorted(lines, key=lambda line: (sort_key(line.member.structure), line.member.id or ""))
    total = sum(line.votes for line in ordered)
    quorum = math.ceil(Decimal(total) * quorum_percent / 100)  # « au moins la moitié des voix »
    return {
        "association": association,
        "assemblee": {"titre": title, "date": long_date(day), "date_courte": format_date(day), "lieu": place},
        "membres": [
            {
                "numero": str(n),
                "id": line.member.id or "",
                "structure": _clean(line.member.structure),
                "representant": _representative(line.member),
                "categorie": CATEGORY_SHORT.get(line.member.category or "", ""),
                "voix": str(line.votes),
            }
            for n, line in enumerate(ordered, start=1)
        ],
        "totaux": {
            "membres": str(len(ordered)),
            "voix": str(total),
            "quorum": str(int(quorum)),
            "quorum_pourcentage": percent(quorum_percent),
        },
    }
