"""What each template can say: its variables, documented, and the contexts built from the Dataset.

Variables are French and ASCII (``membre.structure``, ``loyer.ttc``) because staff read and
type them in Word. Every value is a ready-to-print French string (amounts ``1 234,50 €``
with non-breaking spaces, dates ``4 mars 2025``), except a few yes/no flags for
``{% if %}``. ``VARIABLES`` documents them per template; the contexts built here hold
exactly those (tests check both ways), and ``mila docs verifier`` reports any other name.

``document`` (the date and place of generation) is kept apart from the rest: a document
is regenerated when its data change, not because a day has passed (see outputs.py).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..formatting import cents, format_amount, format_date, format_date_long, format_number
from ..model.rows import BoardMember, Member, Occupation, Premises, id_key
from ..rules.fees import Fee, FeeLine
from ..text import sort_key
from .french import APOSTROPHE, by_civility, feminine_form, is_natural_person, same_person
from .settings import AssociationSettings
from .variables import Variable

NBSP = "\u00a0"

# --------------------------------------------------------------------------- typography


def money(value: Decimal | int | float) -> str:
    """``1 234,50 €``: narrow no-break space between thousands, no-break space before €."""
    return f"{format_amount(value)}{NBSP}€"


def long_date(value: dt.date | None) -> str:
    """``4 mars 2025``, ``1er juillet 2024``; the day never parts from its month."""
    if value is None:
        return ""
    return format_date_long(value).replace(" ", NBSP, 1)


def percent(value: Decimal | int | float) -> str:
    return f"{format_number(value)}{NBSP}%"


def surface(value: Decimal | int | float | None) -> str:
    return f"{format_number(value)}{NBSP}m²" if value is not None else ""


def siret_text(siret: str | None) -> str:
    """``683 721 419 00110`` (SIREN in threes, then the NIC), unbreakable."""
    if not siret:
        return ""
    digits = siret.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        return siret
    return NBSP.join((digits[:3], digits[3:6], digits[6:9], digits[9:]))


def french_typography(text: str) -> str:
    """A no-break space where French typography wants one: before ``: ; ! ?``, after « and
    before », after « n° » (the ordinary space typed there is replaced; nothing is added
    where there was no space, as in URLs and times). U+00A0, as Word's French autocorrect
    types it, since not every font draws the narrow one."""
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in ":;!?»" and i > 0 and text[i - 1] == " ":
            out[-1] = NBSP
        elif ch == " " and i > 0 and (text[i - 1] == "«" or text[i - 2:i] == "n°"):
            ch = NBSP
        out.append(ch)
    return "".join(out)


CATEGORY_LABELS = {
    "hébergé": "Membre hébergé",
    "bénéficiaire": "Membre bénéficiaire",
    "membre de droit": "Membre de droit",
}
CATEGORY_SHORT = {"hébergé": "Hébergé", "bénéficiaire": "Bénéficiaire", "membre de droit": "Membre de droit"}

# --------------------------------------------------------------------------- variables

V = Variable

ASSOCIATION_VARIABLES = (
    V("association.nom", "nom court de l'association", "MILA"),
    V("association.nom_complet", "dénomination complète", "Association MILA"),
    V("association.forme", "forme juridique", "association régie par la loi du 1er juillet 1901"),
    V("association.adresse", "adresse du siège", "12 rue Émile Blémont, 75018 Paris"),
    V("association.le_nom", "nom court précédé de son article (à employer avec |de ou |a)", "le MILA"),
    V("association.designation", "dénomination complète précédée de son article", "l’Association MILA"),
    V("association.siret", "SIRET de l'association (vide s'il n'est pas configuré)", "123 456 789 00012"),
    V("association.rna", "numéro RNA de l'association (vide s'il n'est pas configuré)", "W751234567"),
    V("association.tva_intracom", "numéro de TVA intracommunautaire (peut être vide)", "FR12 123456789"),
    V("association.iban", "IBAN pour les virements (peut être vide)", "FR76 …"),
    V("association.bic", "BIC (peut être vide)", "CCOPFRPPXXX"),
    V("association.email", "adresse électronique (peut être vide)", "contact@mila.example"),
    V("association.telephone", "téléphone (peut être vide)", "01 23 45 67 89"),
    V("association.site_web", "site internet (peut être vide)", "www.mila.example"),
    V("association.ville", "ville où les documents sont signés", "Paris"),
    V("association.president.nom", "nom du président ou de la présidente (onglet Conseil)",
      "Juliette Texier"),
    V("association.president.civilite", "Mme ou M. (vide si inconnue)", "Mme"),
    V("association.president.titre", "Présidente, Président ou Président·e selon la civilité", "Présidente"),
    V("association.president.connu", "oui si le Conseil a un président ou une présidente en fonction",
      "True"),
    V("association.tresorier.nom", "nom du trésorier ou de la trésorière (onglet Conseil)", "Nadia Giraud"),
    V("association.tresorier.civilite", "Mme ou M. (vide si inconnue)", "Mme"),
    V("association.tresorier.titre", "Trésorière, Trésorier ou Trésorier·e selon la civilité", "Trésorière"),
    V("association.tresorier.connu", "oui si le Conseil a un trésorier ou une trésorière en fonction",
      "True"),
    V("association.signataire.nom", "qui signe pour l'association : la présidence, sauf si elle est liée "
      "à l'autre partie (ordre : [association] signatory_order)", "Nadia Giraud"),
    V("association.signataire.civilite", "Mme ou M. (vide si inconnue)", "Mme"),
    V("association.signataire.titre", "sa fonction, accordée", "Trésorière"),
    V("association.signataire.qualite", "« en sa qualité de … »", "en sa qualité de trésorière"),
    V("association.signataire.connu", "oui si un membre du bureau peut signer", "True"),
)
DOCUMENT_VARIABLES = (
    V("document.date", "date de production du document", "4 mars 2025"),
    V("document.date_courte", "la même, en chiffres", "04/03/2025"),
    V("document.lieu", "ville de signature (« Fait à … »)", "Paris"),
)
MEMBER_VARIABLES = (
    V("membre.id", "identifiant du membre", "M0012"),
    V("membre.structure", "nom de la structure (ou de la personne)", "Pixel & Refrain"),
    V("membre.siret", "SIRET de la structure (vide s'il manque)", "683 721 419 00110"),
    V("membre.representant", "prénom et nom du ou de la représentant·e (colonne Contact)", "Léa Morel"),
    V("membre.email", "adresse électronique", "lea@pixel-refrain.fr"),
    V("membre.telephone", "téléphone (peut être vide)", "06 12 34 56 78"),
    V("membre.categorie", "catégorie de membre, en toutes lettres", "Membre hébergé"),
    V("membre.forme_juridique", "forme juridique (colonne facultative, peut être vide)", "SARL"),
    V("membre.adresse", "adresse du siège, ou de la personne (peut être vide)", "8 rue Myrha, 75018 Paris"),
    V("membre.civilite", "civilité du ou de la représentant·e : Mme, M. ou vide", "Mme"),
    V("membre.representant_complet", "le ou la représentant·e avec sa civilité", "Mme Léa Morel"),
    V("membre.personne", "oui si le membre est une personne (elle ne se représente pas elle-même)", "False"),
    V("membre.represente_par", "« représentée par Mme … » (vide si le membre est une personne)",
      "représentée par Mme Léa Morel"),
    V("membre.soussigne", "soussignée, soussigné ou soussigné·e selon la civilité", "soussignée"),
    V("membre.qualite", "représentante, représentant ou représentant·e selon la civilité", "représentante"),
    V("membre.accord", "terminaison d'accord du membre : e (une structure, une femme), vide ou ·e",
      "e"),
)

VARIABLES: dict[str, tuple[Variable, ...]] = {
    "convention": ASSOCIATION_VARIABLES + DOCUMENT_VARIABLES + MEMBER_VARIABLES + (
        V("convention.id", "identifiant de la convention (onglet Occupations)", "C014"),
        V("convention.debut", "date de début", "1er septembre 2024"),
        V("convention.fin", "date de fin (vide si la convention est à durée indéterminée)", "31 août 2027"),
        V("convention.duree", "durée, en toutes lettres",
          "à compter du 1er septembre 2024 et pour une durée indéterminée"),
        V("convention.indeterminee", "oui si aucune date de fin n'est prévue", "True"),
        V("local.id", "identifiant du local", "L03"),
        V("local.nom", "nom du local", "Bureau 3"),
        V("local.site", "site : Pépinière, Milab ou Boutique", "Pépinière"),
        V("local.adresse", "adresse du local", "12 rue Émile Blémont, 75018 Paris"),
        V("local.surface", "surface (vide si inconnue)", "10 m²"),
        V("loyer.ht", "redevance mensuelle hors taxes", "250 €"),
        V("loyer.tva", "TVA sur la redevance mensuelle", "50 €"),
        V("loyer.ttc", "redevance mensuelle toutes taxes comprises", "300 €"),
        V("loyer.taux_tva", "taux de TVA appliqué", "20 %"),
        V("depot.prevu", "oui si un dépôt de garantie est prévu", "True"),
        V("depot.montant", "montant du dépôt de garantie", "500 €"),
        V("cotisation.connue", "oui si la cotisation a pu être calculée", "True"),
        V("cotisation.ht", "cotisation annuelle hors taxes", "100 €"),
        V("cotisation.tva", "TVA sur la cotisation", "20 €"),
        V("cotisation.ttc", "cotisation annuelle toutes taxes comprises", "120 €"),
        V("cotisation.detail", "calcul de la cotisation", "10 m² × 10 € = 100 € HT"),
        V("charte.signee", "oui si le membre a signé la charte des valeurs", "True"),
        V("charte.date", "date de signature de la charte (vide sinon)", "3 octobre 2022"),
    ),
    "charte": ASSOCIATION_VARIABLES + DOCUMENT_VARIABLES + MEMBER_VARIABLES + (
        V("charte.signee", "oui si la charte est déjà signée (exemplaire réimprimé)", "False"),
        V("charte.date", "date de signature déjà enregistrée (vide sinon)", ""),
    ),
    "registre_charte": ASSOCIATION_VARIABLES + DOCUMENT_VARIABLES + (
        V("registre.date", "date à laquelle le registre est arrêté", "4 mars 2025"),
        V("registre.total", "nombre de membres actifs", "118"),
        V("registre.signees", "nombre de chartes signées", "97"),
        V("registre.a_signer", "nombre de chartes à signer", "21"),
        V("membres", "liste des membres actifs, par ordre alphabétique", ""),
        V("membres[].numero", "numéro de ligne", "1"),
        V("membres[].id", "identifiant du membre", "M0012"),
        V("membres[].structure", "nom de la structure", "Pixel & Refrain"),
        V("membres[].representant", "représentant·e (vide si le membre est une personne)", "Léa Morel"),
        V("membres[].categorie", "catégorie, en un mot", "Bénéficiaire"),
        V("membres[].signature", "date de signature, ou « à signer »", "3 octobre 2022"),
        V("membres[].signee", "oui si la charte est signée", "True"),
    ),
    "recu": ASSOCIATION_VARIABLES + DOCUMENT_VARIABLES + MEMBER_VARIABLES + (
        V("recu.numero", "numéro du reçu (année du paiement et rang dans l'année)", "2025-014"),
        V("recu.date", "date du reçu : celle du paiement", "13 novembre 2024"),
        V("paiement.date", "date du paiement (Cotisation payée le)", "13 novembre 2024"),
        V("paiement.moyen", "moyen de paiement (colonne « Moyen » de Paiements ; vide s'il n'est pas "
          "connu)", "virement"),
        V("paiement.id", "identifiant du paiement dans l'onglet Paiements (vide sans cet onglet)", "P00042"),
        V("recu.objet", "ce que paie le paiement : cotisation, loyer ou réservation", "cotisation"),
        V("recu.titre", "titre du reçu selon son objet", "Reçu de cotisation"),
        V("recu.au_titre", "ce que le paiement règle, en fin de phrase",
          "sa cotisation annuelle pour la période du 13 novembre 2024 au 12 novembre 2025"),
        V("paiement.montant", "montant reçu (Montant payé)", "660 €"),
        V("periode.debut", "premier jour de la période couverte", "13 novembre 2024"),
        V("periode.fin", "dernier jour de la période couverte", "12 novembre 2025"),
        V("montant.ht", "montant hors taxes", "550 €"),
        V("montant.tva", "TVA", "110 €"),
        V("montant.ttc", "montant toutes taxes comprises", "660 €"),
        V("montant.taux_tva", "taux de TVA", "20 %"),
        V("detail", "calcul de la cotisation, en une phrase (vide si le montant reçu en diffère)",
          "55 m² × 10 € = 550 € HT"),
        V("lignes", "lignes de la cotisation", ""),
        V("lignes[].libelle", "libellé de la ligne", "Forfait PREMIUM"),
        V("lignes[].montant", "montant hors taxes de la ligne", "170 €"),
        V("lignes[].tva", "TVA de la ligne", "34 €"),
        V("lignes[].ttc", "montant toutes taxes comprises de la ligne", "204 €"),
        V("ecart", "oui si le montant reçu diffère de la cotisation calculée", "False"),
    ),
    "emargement": ASSOCIATION_VARIABLES + DOCUMENT_VARIABLES + (
        V("assemblee.titre", "intitulé de l'assemblée", "Assemblée générale ordinaire"),
        V("assemblee.date", "date de l'assemblée", "12 juin 2025"),
        V("assemblee.date_courte", "la même, en chiffres", "12/06/2025"),
        V("assemblee.lieu", "lieu de l'assemblée", "12 rue Émile Blémont, 75018 Paris"),
        V("membres", "membres à jour de cotisation à la date de l'assemblée", ""),
        V("membres[].numero", "numéro de ligne", "1"),
        V("membres[].id", "identifiant du membre", "M0012"),
        V("membres[].structure", "nom de la structure", "Pixel & Refrain"),
        V("membres[].representant", "représentant·e (vide si le membre est une personne)", "Léa Morel"),
        V("membres[].categorie", "catégorie, en un mot", "Hébergé"),
        V("membres[].voix", "nombre de voix", "10"),
        V("totaux.membres", "nombre de membres à jour", "84"),
        V("totaux.voix", "total des voix des membres à jour", "412"),
        V("totaux.quorum", "voix à réunir pour atteindre le quorum", "206"),
        V("totaux.quorum_pourcentage", "part des voix exigée", "50 %"),
    ),
}
TEMPLATE_FILES = {name: f"{name}.docx" for name in VARIABLES}

# --------------------------------------------------------------------------- pieces


def _unbreakable(text: str) -> str:
    """An IBAN or a VAT number never parts across two lines."""
    return " ".join(text.split()).replace(" ", NBSP)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def officer(board: Iterable[BoardMember], function: str, day: dt.date) -> BoardMember | None:
    """The board member holding ``function`` on ``day`` (latest arrival wins)."""
    found = [
        b for b in board
        if b.function == function and b.name
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


def signatory(board: Iterable[BoardMember], day: dt.date, order: Sequence[str],
              other_party: Member | None = None) -> tuple[BoardMember | None, str]:
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


_COMMON_NOUNS = {"association": "l’", "amicale": "l’", "union": "l’", "fédération": "la", "federation": "la",
                 "société": "la", "coopérative": "la", "collectif": "le", "compagnie": "la", "maison": "la",
                 "fondation": "la", "réseau": "le", "pôle": "le", "groupement": "le", "syndicat": "le"}


def designation(legal_name: str) -> str:
    """« l’Association MILA »: a legal name that begins with a common noun takes its
    article in a sentence; a proper name stays as it is."""
    first = legal_name.split(" ", 1)[0].casefold()
    article = _COMMON_NOUNS.get(first, "")
    if article == "l’":
        return f"l{APOSTROPHE}{legal_name}"
    return f"{article} {legal_name}" if article else legal_name


def association_context(
    settings: AssociationSettings, board: Sequence[BoardMember], day: dt.date,
    other_party: Member | None = None, order: Sequence[str] | None = None,
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
        return {"ht": money(self.ht), "tva": money(self.vat), "ttc": money(self.ttc),
                "taux_tva": percent(self.rate)}


def fee_context(fee: Fee | None) -> dict[str, Any]:
    if fee is None:
        return {"connue": False, "ht": "", "tva": "", "ttc": "", "detail": ""}
    return {"connue": True, "ht": money(fee.ht), "tva": money(fee.vat), "ttc": money(fee.ttc),
            "detail": typeset_breakdown(fee.breakdown)}


def typeset_breakdown(text: str) -> str:
    """The fee engine's sentence with non-breaking spaces before €, m², HT."""
    return text.replace(" €", f"{NBSP}€").replace(" m²", f"{NBSP}m²").replace("€ HT", f"€{NBSP}HT")


# --------------------------------------------------------------------------- contexts


def convention_context(
    *,
    association: dict[str, Any],
    occupation: Occupation,
    member: Member,
    premises: Premises,
    rent_ht: Decimal,
    rent_vat_percent: Decimal,
    fee: Fee | None,
    board: Sequence[BoardMember] = (),
) -> dict[str, Any]:
    start, end = occupation.start, occupation.end
    assert start is not None
    if end is None:
        duration = f"à compter du {long_date(start)} et pour une durée indéterminée"
    else:
        duration = f"du {long_date(start)} au {long_date(end)} inclus"
    deposit = occupation.deposit
    return {
        "association": association,
        "membre": member_context(member, board),
        "convention": {
            "id": occupation.id or "",
            "debut": long_date(start),
            "fin": long_date(end),
            "duree": duration,
            "indeterminee": end is None,
        },
        "local": {
            "id": premises.id or "",
            "nom": _clean(premises.name),
            "site": premises.site or "",
            "adresse": _clean(premises.address) or association["adresse"],
            "surface": surface(premises.surface_m2),
        },
        "loyer": Amounts.from_ht(rent_ht, rent_vat_percent).as_context(),
        "depot": {"prevu": bool(deposit), "montant": money(deposit) if deposit else ""},
        "cotisation": fee_context(fee),
        "charte": {"signee": member.charter_signed_on is not None,
                   "date": long_date(member.charter_signed_on)},
    }


def charter_context(*, association: dict[str, Any], member: Member,
                    board: Sequence[BoardMember] = ()) -> dict[str, Any]:
    return {
        "association": association,
        "membre": member_context(member, board),
        "charte": {"signee": member.charter_signed_on is not None,
                   "date": long_date(member.charter_signed_on)},
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
        "registre": {"date": long_date(day), "total": str(len(rows)), "signees": str(signed),
                     "a_signer": str(len(rows) - signed)},
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
    for i in order[:max(left, 0)]:
        shares[i] += Decimal("0.01")
    return shares


_RECEIPT_TITLES = {"cotisation": "cotisation", "loyer": "loyer", "réservation": "réservation"}
_RECEIPT_LINES = {"loyer": "Loyer (mise à disposition de locaux)", "réservation": "Réservation de salle"}
_RECEIPT_FOR = {"loyer": "son loyer pour la mise à disposition de locaux",
                "réservation": "sa réservation de salle"}


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
) -> dict[str, Any]:
    """The fee's lines when its TTC is what was paid; else the amount paid, VAT extracted.
    The receipt is dated on the day of the payment (``paid_on``, else the member's
    ``Cotisation payée le``). A ``loyer`` or ``réservation`` receipt has one line, its
    amount with the VAT of ``vat_percent`` extracted."""
    paid = cents(amount_paid)
    day = paid_on or member.paid_on
    if purpose != "cotisation":
        fee = None
    matches = fee is not None and fee.ttc == paid
    if matches:
        assert fee is not None
        amounts = Amounts(fee.ht, fee.vat, fee.ttc, fee.vat_rate)
        lines: Sequence[FeeLine] = fee.lines
        detail = typeset_breakdown(fee.breakdown)
    else:
        amounts = Amounts.from_ttc(paid, fee.vat_rate if fee is not None else vat_percent)
        lines = (FeeLine(_RECEIPT_LINES.get(purpose, "Cotisation annuelle"), amounts.ht),)
        detail = ""  # the difference is told to the staff (the command's output), not the member
    vats = split_vat(lines, amounts.vat)
    period = {"debut": long_date(period_start), "fin": long_date(period_end)}
    what = (f"sa cotisation annuelle pour la période du {period['debut']} au {period['fin']}"
            if purpose == "cotisation" else _RECEIPT_FOR.get(purpose, f"son paiement ({purpose})"))
    return {
        "association": association,
        "membre": member_context(member, board),
        "recu": {"numero": number, "date": long_date(day), "objet": purpose,
                 "titre": f"Reçu de {_RECEIPT_TITLES.get(purpose, purpose)}", "au_titre": what},
        "paiement": {"date": long_date(day), "montant": money(paid), "moyen": method, "id": payment_id},
        "periode": period,
        "montant": amounts.as_context(),
        "detail": detail,
        "lignes": [{"libelle": typeset_breakdown(line.label), "montant": money(line.amount),
                    "tva": money(vat), "ttc": money(line.amount + vat)}
                   for line, vat in zip(lines, vats, strict=True)],
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
        "assemblee": {"titre": title, "date": long_date(day), "date_courte": format_date(day),
                      "lieu": place},
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
        "totaux": {"membres": str(len(ordered)), "voix": str(total), "quorum": str(int(quorum)),
                   "quorum_pourcentage": percent(quorum_percent)},
    }
