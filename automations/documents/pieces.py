"""The pieces the document contexts are made of: the association, the members, the board
members who sign, and the fees."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..formatting import cents, format_date
from ..model.rows import BoardMember, Member, id_key
from ..rules.fees import Fee
from ..text import strip_accents
from .french import APOSTROPHE, by_civility, de, feminine_form, is_natural_person, same_person
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
        "comparution": association_appearance(settings, person, function),
    }


def association_appearance(settings: AssociationSettings, person: BoardMember | None, function: str) -> str:
    """« Association MILA, association régie par …, dont le siège est situé …, SIRET …,
    représentée par Mme …, en sa qualité de présidente »: the association as a party."""
    parts = [settings.legal_name or settings.name]
    if settings.legal_form:
        parts.append(settings.legal_form)
    if settings.address:
        parts.append(f"dont le siège est situé {settings.address}")
    if settings.siret:
        parts.append(f"SIRET {siret_text(settings.siret)}")
    if settings.rna:
        parts.append(f"RNA {settings.rna}")
    signer = signatory_context(person, function)
    if signer["connu"]:
        who = " ".join(filter(None, (signer["civilite"], signer["nom"])))
        parts.append(f"représentée par {who}, {signer['qualite']}")
    else:
        parts.append("représentée par un membre de son bureau dûment habilité")
    return ", ".join(parts)


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


# Legal forms of companies: the member is then « la société X ».
_COMPANY_FORMS = (
    "sarl",
    "sas",
    "sasu",
    "eurl",
    "sa",
    "sca",
    "snc",
    "scop",
    "scic",
    "sci",
    "selarl",
    "societe",
)


def _form_key(legal_form: str | None) -> str:
    return strip_accents(legal_form or "").casefold().strip()


def party_name(member: Member) -> tuple[str, bool | None]:
    """How a member who is not a person is named as a party, and whether that name is a
    feminine noun (None: as its legal form says): « la société Pixel & Refrain » for a
    SARL, « l’association Les Femmes S’en Mêlent », a name that begins with its own common
    noun (« Collectif Ondes ») with its article, else the name as it is."""
    name = _clean(member.structure)
    named = designation(name)
    if named != name:
        return named, named.startswith(("la ", f"l{APOSTROPHE}"))
    form = _form_key(member.legal_form)
    first = re.split(r"[\s(]", form, maxsplit=1)[0] if form else ""
    if first in _COMPANY_FORMS:
        return f"la société {name}", True
    if first == "association":
        return f"l{APOSTROPHE}association {name}", True
    return name, None


def capacity_text(capacity: str | None) -> str:
    """« gérante » as typed in ``Qualité du représentant``, its first letter in lower case
    unless the word is an acronym (« PDG »)."""
    text = " ".join(_clean(capacity).split())
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def signing_title(member: Member, person: bool) -> str:
    """Under the representative's name in a signature block: « Gérante, Bleu Citron », the
    structure alone without a capacity, nothing for a member who is a person."""
    if person:
        return ""
    capacity = capacity_text(member.capacity)
    return ", ".join(filter(None, (capacity[:1].upper() + capacity[1:], _clean(member.structure))))


def member_appearance(member: Member, civility: str, agreement: str, person: bool) -> str:
    """The member as a party to a contract, in one phrase without the final comma:
    « la société Pixel & Refrain, SARL, dont le siège est situé …, SIRET …, membre de
    l’Association (adhérent n° M0008), représentée par Mme Elsa Laurent, en sa qualité de
    gérante ». Nothing is printed for what the sheet leaves blank; the member number is
    the member's, never its representative's."""
    contact = _clean(member.contact)
    address = _clean(member.address)
    if person:
        name = " ".join(filter(None, (civility, contact or _clean(member.structure))))
        parts = [name]
        if address:
            parts.append(f"demeurant {address}")
    else:
        name, _feminine = party_name(member)
        parts = [name]
        form = _clean(member.legal_form)
        if form and _form_key(form).split(" ")[0] not in ("association", "societe"):
            parts.append(form)
        if address:
            parts.append(f"dont le siège est situé {address}")
    if member.siret:
        parts.append(f"SIRET {siret_text(member.siret)}")
    number = f"adhérent{agreement if person else ''} n°{NBSP}{member.id}" if member.id else ""
    parts.append(
        f"membre de l{APOSTROPHE}Association ({number})" if number else f"membre de l{APOSTROPHE}Association"
    )
    if not person and contact:
        who = f"{civility} {contact}" if civility else contact
        capacity = capacity_text(member.capacity)
        if capacity:
            parts.append(f"représenté{agreement} par {who}, en sa qualité de {capacity}")
        else:
            habilitated = by_civility(civility, "dûment habilitée", "dûment habilité", "dûment habilité·e")
            parts.append(f"représenté{agreement} par {who}, {habilitated}")
    return ", ".join(parts)


def member_context(member: Member, board: Iterable[BoardMember] = ()) -> dict[str, Any]:
    civility = member_civility(member, board)
    contact = _clean(member.contact)
    person = is_natural_person(member.structure, member.contact, member.legal_form)
    full = f"{civility} {contact}" if civility and contact else contact
    if person:
        agreement = by_civility(civility, "e", "", "·e")
    else:
        feminine = party_name(member)[1]
        if feminine is None:
            feminine = feminine_form(member.legal_form)
        agreement = "e" if feminine else ""
    category = CATEGORY_LABELS.get(member.category or "", member.category or "")
    qualite = by_civility(civility, "représentante", "représentant", "représentant·e")
    return {
        "id": member.id or "",
        "structure": _clean(member.structure),
        "siret": siret_text(member.siret),
        "representant": contact,
        "email": _clean(member.email),
        "telephone": _clean(member.phone),
        "categorie": category,
        "forme_juridique": _clean(member.legal_form),
        "adresse": _clean(member.address),
        "civilite": civility,
        "representant_complet": full,
        "personne": person,
        "represente_par": "" if person or not full else f"représenté{agreement} par {full}",
        "soussigne": by_civility(civility, "soussignée", "soussigné", "soussigné·e"),
        "qualite": qualite,
        "accord": agreement,
        "qualite_representant": capacity_text(member.capacity),
        "titre_signature": signing_title(member, person),
        "pour_structure": ""
        if person
        else f", {capacity_text(member.capacity) or qualite} {de(_clean(member.structure))}",
        "comparution": member_appearance(member, civility, agreement, person),
        "categorie_numero": " · ".join(filter(None, (category, f"n°{NBSP}{member.id}" if member.id else "")))
        if category
        else (f"Membre n°{NBSP}{member.id}" if member.id else ""),
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
