"""The pieces the document contexts are made of: the association, the members, the board
members who sign, and the fees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..formatting import cents, format_date
from ..model.rows import BoardMember, Member, id_key
from ..rules.fees import Fee
from .french import APOSTROPHE, by_civility, feminine_form, is_natural_person, same_person
from .settings import AssociationSettings
from .typography import CATEGORY_LABELS, NBSP, long_date, money, percent, siret_text


def _unbreakable(text: str) -> str:
    """An IBAN or a VAT number never parts across two lines."""
    return " ".join(text.split()).replace(" ", NBSP)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def officer(board: Iterable[BoardMember], function: str, day: dt.date) -> BoardMember | None:
    """The board member holding ``function`` on ``day`` (latest arrival wins)."""
    found = [
        b
        for b in board
        if b.function == function
        and b.name
        and (b.left_on is None or b.left_on > day)
        and (b.joined_on is None or b.joined_on <= day)
    ]
    found.sort(key=lambda b: (b.joined_on or dt.date.min, b.row))
    return found[-1] if found else None


_TITLES = {
    "Président·e": ("Présidente", "Président", "Président·e"),
    "Vice-président·e": ("Vice-présidente", "Vice-président", "Vice-président·e"),
    "Trésorier·e": ("Trésorière", "Trésorier", "Trésorier·e"),
    "Vice-trésorier·e": ("Vice-trésorière", "Vice-trésorier", "Vice-trésorier·e"),
    "Secrétaire": ("Secrétaire", "Secrétaire", "Secrétaire"),
    "Vice-secrétaire": ("Vice-secrétaire", "Vice-secrétaire", "Vice-secrétaire"),
    "Administrateur·rice": ("Administratrice", "Administrateur", "Administrateur·rice"),
}


def officer_context(person: BoardMember | None, function: str) -> dict[str, Any]:
    feminine, masculine, neutral = _TITLES[function]
    if person is None:
        return {"nom": "", "civilite": "", "titre": neutral, "connu": False}
    title = by_civility(person.civility, feminine, masculine, neutral)
    return {"nom": _clean(person.name), "civilite": person.civility or "", "titre": title, "connu": True}


def tied_to(person: BoardMember, member: Member | None) -> bool:
    """Whether a board member represents or belongs to ``member``: its ``Membre`` is that
    member, or it is that member's contact (or the member itself, a person)."""
    if member is None:
        return False
    if person.member_id and member.id and id_key(person.member_id) == id_key(member.id):
        return True
    return same_person(person.name, member.contact) or same_person(person.name, member.structure)


def signatory(
    board: Iterable[BoardMember], day: dt.date, order: Sequence[str], other_party: Member | None = None
) -> tuple[BoardMember | None, str]:
    """Who signs for the association facing ``other_party``: the first function of
    ``order`` whose holder on ``day`` is not tied to it; (None, "") when nobody can."""
    board = list(board)
    for function in order:
        person = officer(board, function, day)
        if person is not None and not tied_to(person, other_party):
            return person, function
    return None, ""


def signatory_context(person: BoardMember | None, function: str) -> dict[str, Any]:
    if person is None:
        return {"nom": "", "civilite": "", "titre": "", "qualite": "", "connu": False}
    found = officer_context(person, function)
    found["qualite"] = f"en sa qualité de {found['titre'].lower()}"
    return found


def _with_article(article: str, name: str) -> str:
    if not article:
        return name
    if article in ("l'", APOSTROPHE, "l’"):
        return f"l{APOSTROPHE}{name}"
    return f"{article} {name}"


_COMMON_NOUNS = {
    "association": "l’",
    "amicale": "l’",
    "union": "l’",
    "fédération": "la",
    "federation": "la",
    "société": "la",
    "coopérative": "la",
    "collectif": "le",
    "compagnie": "la",
    "maison": "la",
    "fondation": "la",
    "réseau": "le",
    "pôle": "le",
    "groupement": "le",
    "syndicat": "le",
}


def designation(legal_name: str) -> str:
    """« l’Association MILA »: a legal name that begins with a common noun takes its
    article in a sentence; a proper name stays as it is."""
    first = legal_name.split(" ", 1)[0].casefold()
    article = _COMMON_NOUNS.get(first, "")
    if article == "l’":
        return f"l{APOSTROPHE}{legal_name}"
    return f"{article} {legal_name}" if article else legal_name


def association_context(
    settings: AssociationSettings,
    board: Sequence[BoardMember],
    day: dt.date,
    other_party: Member | None = None,
    order: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The association; ``signataire`` is who signs facing ``other_party`` (the first
    officer of ``order``, by default ``signatory_order``, not tied to it)."""
    person, function = signatory(board, day, order or settings.signatory_order, other_party)
    legal_name = settings.legal_name or settings.name
    return {
        "nom": settings.name,
        "le_nom": _with_article(settings.article, settings.name),
        "nom_complet": legal_name,
        "designation": designation(legal_name),
        "forme": settings.legal_form,
        "adresse": settings.address,
        "siret": siret_text(settings.siret),
        "rna": settings.rna,
        "tva_intracom": _unbreakable(settings.vat_number),
        "iban": _unbreakable(settings.iban),
        "bic": settings.bic,
        "email": settings.email,
        "telephone": settings.phone,
        "site_web": settings.website,
        "ville": settings.city,
        "president": officer_context(officer(board, "Président·e", day), "Président·e"),
        "tresorier": officer_context(officer(board, "Trésorier·e", day), "Trésorier·e"),
        "signataire": signatory_context(person, function),
    }


def document_context(settings: AssociationSettings, day: dt.date) -> dict[str, str]:
    return {"date": long_date(day), "date_courte": format_date(day), "lieu": settings.city}


def member_civility(member: Member, board: Iterable[BoardMember] = ()) -> str:
    """The contact's ``Civilité``: the member's own column, else the board's row of the
    same person."""
    if member.civility:
        return member.civility
    for person in board:
        if person.civility and same_person(person.name, member.contact):
            return person.civility
    return ""


def member_context(member: Member, board: Iterable[BoardMember] = ()) -> dict[str, Any]:
    civility = member_civility(member, board)
    contact = _clean(member.contact)
    person = is_natural_person(member.structure, member.contact, member.legal_form)
    full = f"{civility} {contact}" if civility and contact else contact
    if person:
        agreement = by_civility(civility, "e", "", "·e")
    else:
        agreement = "e" if feminine_form(member.legal_form) else ""
    return {
        "id": member.id or "",
        "structure": _clean(member.structure),
        "siret": siret_text(member.siret),
        "representant": contact,
        "email": _clean(member.email),
        "telephone": _clean(member.phone),
        "categorie": CATEGORY_LABELS.get(member.category or "", member.category or ""),
        "forme_juridique": _clean(member.legal_form),
        "adresse": _clean(member.address),
        "civilite": civility,
        "representant_complet": full,
        "personne": person,
        "represente_par": "" if person or not full else f"représenté{agreement} par {full}",
        "soussigne": by_civility(civility, "soussignée", "soussigné", "soussigné·e"),
        "qualite": by_civility(civility, "représentante", "représentant", "représentant·e"),
        "accord": agreement,
    }


@dataclass(frozen=True)
class Amounts:
    ht: Decimal
    vat: Decimal
    ttc: Decimal
    rate: Decimal

    @classmethod
    def from_ht(cls, ht: Decimal, rate: Decimal) -> Amounts:
        ht = cents(ht)
        vat = cents(ht * rate / 100)
        return cls(ht, vat, ht + vat, rate)

    @classmethod
    def from_ttc(cls, ttc: Decimal, rate: Decimal) -> Amounts:
        ttc = cents(ttc)
        ht = cents(ttc * 100 / (100 + rate))
        return cls(ht, ttc - ht, ttc, rate)

    def as_context(self) -> dict[str, str]:
        return {
            "ht": money(self.ht),
            "tva": money(self.vat),
            "ttc": money(self.ttc),
            "taux_tva": percent(self.rate),
        }


def fee_context(fee: Fee | None) -> dict[str, Any]:
    if fee is None:
        return {"connue": False, "ht": "", "tva": "", "ttc": "", "detail": ""}
    return {
        "connue": True,
        "ht": money(fee.ht),
        "tva": money(fee.vat),
        "ttc": money(fee.ttc),
        "detail": typeset_breakdown(fee.breakdown),
    }


def typeset_breakdown(text: str) -> str:
    """The fee engine's sentence with non-breaking spaces before €, m², HT."""
    return text.replace(" €", f"{NBSP}€").replace(" m²", f"{NBSP}m²").replace("€ HT", f"€{NBSP}HT")
