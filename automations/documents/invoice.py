"""An invoice or credit note as its Word template reads it, and as its Factur-X XML says it.

Both come from one :class:`InvoiceDocument` (the issued draft, the seller, the terms), so
the page and the XML carry the same numbers and mentions: :func:`invoice_context` for the
template (``templates/facture.docx``, ``templates/avoir.docx``), :func:`facturx_xml` for
the EN 16931 CII XML (built and checked against the official schema by the ``factur-x``
library), :func:`embed` for the PDF/A-3 that carries it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..errors import BillingError
from ..model.rows import BoardMember, Member
from ..rules.invoices import Issued
from ..settings.billing import BillingSettings
from .french import is_natural_person, typographic
from .pieces import _unbreakable, association_context, document_context
from .settings import AssociationSettings
from .typography import french_typography, long_date, money, percent, siren_text, siret_text

CATEGORY = "Prestation de services"
VAT_ON_DEBITS = "Option pour le paiement de la taxe d'après les débits"
PURPOSES = {
    "cotisation": "Cotisation",
    "loyer": "Redevance de mise à disposition",
    "réservation": "Réservations d'espaces",
    "autre": "Prestation",
}
_POSTCODE = re.compile(r"^(.*?)[,\s]+(\d{5})\s+(.+)$")


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    siret: str
    vat_number: str

    @property
    def siren(self) -> str:
        return self.siret[:9]


def seller_of(association: AssociationSettings, billing: BillingSettings) -> Seller:
    """The association as its invoices name it: ``[billing]`` first, then ``[association]``."""
    return Seller(
        name=association.legal_name or association.name,
        address=billing.address or association.address,
        siret="".join(ch for ch in (billing.siret or association.siret) if ch.isdigit()),
        vat_number="".join((billing.vat_number or association.vat_number).split()).upper(),
    )


def seller_problems(seller: Seller, billing: BillingSettings) -> list[str]:
    """What the invoices would lack (French): every one is a mandatory mention."""
    out = []
    if len(seller.siret) != 14:
        out.append("le SIRET de l'association ([billing] siret ou [association] siret)")
    if billing.vat_registered and not seller.vat_number:
        out.append("son numéro de TVA intracommunautaire ([billing] vat_number ou [association] vat_number)")
    if not seller.address:
        out.append("son adresse ([billing] address ou [association] address)")
    return out


def split_address(text: str | None) -> dict[str, str]:
    """« 8 rue Myrha, 75018 Paris » as street, postcode and city (the city alone when no
    postcode is found)."""
    if not text:
        return {}
    found = _POSTCODE.match(" ".join(text.split()))
    if found is None:
        return {"addr_l1": text.strip()}
    return {"addr_l1": found.group(1).strip(" ,"), "postcode": found.group(2), "city": found.group(3).strip()}


@dataclass(frozen=True)
class InvoiceDocument:
    issued: Issued
    seller: Seller
    billing: BillingSettings
    credited_date: dt.date | None = None  # a credit note: the date of the invoice it cancels

    @property
    def is_credit_note(self) -> bool:
        return self.issued.is_credit_note

    @property
    def vat_registered(self) -> bool:
        return self.billing.vat_registered


def invoice_context(
    doc: InvoiceDocument,
    association: AssociationSettings,
    board: Sequence[BoardMember],
    member: Member | None,
) -> dict[str, Any]:
    """The variables of ``facture.docx`` / ``avoir.docx`` (catalogue: « facture », « avoir »)."""
    issued, draft, billing, seller = doc.issued, doc.issued.draft, doc.billing, doc.seller
    client = draft.client
    breakdown = draft.vat_breakdown()
    return {
        "association": association_context(association, board, issued.date, other_party=member),
        "document": document_context(association, issued.date),
        "vendeur": {
            "nom": seller.name,
            "adresse": seller.address,
            "siren": siren_text(seller.siren),
            "siret": siret_text(seller.siret),
            "tva_intracom": seller.vat_number,
        },
        "client": {
            "id": client.member_id,
            "nom": client.name,
            "adresse": client.address or "",
            "siren": siren_text(client.siren),
            "identifiant": _client_identifier(client.siren, member),
        },
        "facture": {
            "numero": issued.number,
            "date": long_date(issued.date),
            "echeance": long_date(issued.due),
            "objet": PURPOSES.get(draft.purpose, draft.purpose),
            "periode": f"du {long_date(draft.start)} au {long_date(draft.end)}",
            "categorie": CATEGORY,
            "acquittee": draft.paid_on is not None and not doc.is_credit_note,
            "acquittee_le": long_date(draft.paid_on) if draft.paid_on else "",
            # Under the title: when it is to be paid, or, paid first, when it was.
            "reglement": f"acquittée le {long_date(draft.paid_on)}"
            if draft.paid_on is not None and not doc.is_credit_note
            else f"échéance le {long_date(issued.due)}",
            "reference_paiement": issued.number,
        },
        "avoir": {
            "facture": draft.credit_of or "",
            "facture_date": long_date(doc.credited_date) if doc.credited_date else "",
            "motif": french_typography(typographic(draft.reason or "")),
        },
        "lignes": [
            {
                "designation": french_typography(typographic(line.designation)),
                "quantite": f"{line.quantity.normalize():f}".replace(".", ","),
                "prix_unitaire": money(line.unit_ht),
                "ht": money(line.ht),
                "taux_tva": percent(line.vat_percent),
                "calcul": _calculation(
                    line.quantity, line.unit_ht, line.ht, line.vat_percent, doc.vat_registered
                ),
            }
            for line in draft.lines
        ],
        "tva": {
            "assujettie": doc.vat_registered,
            "par_taux": [
                {"taux": percent(rate), "base": money(base), "montant": money(vat)}
                for rate, base, vat in breakdown
            ],
            "mention_exoneration": "" if doc.vat_registered else billing.vat_exemption_mention,
            "debits": doc.vat_registered and billing.vat_on_debits,
            "mention_debits": VAT_ON_DEBITS if doc.vat_registered and billing.vat_on_debits else "",
        },
        "totaux": {"ht": money(draft.ht), "tva": money(draft.vat), "ttc": money(draft.ttc)},
        "conditions": [french_typography(typographic(c)) for c in billing.terms_mentions()]
        if not doc.is_credit_note
        else [],
        "paiement": {"iban": _unbreakable(association.iban), "bic": association.bic},
    }


def _client_identifier(siren: str | None, member: Member | None) -> str:
    """« SIREN 683 721 419 » (mandatory since September 2026 between professionals); a
    company without SIRET in the sheet gets « SIREN non communiqué », a private person
    nothing: a SIREN is no mention of theirs."""
    if siren:
        return f"SIREN {siren_text(siren)}"
    private = (
        member is not None
        and "entrepreneur" not in (member.legal_form or "").casefold()
        and is_natural_person(member.structure, member.contact, member.legal_form)
    )
    return "" if private else "SIREN non communiqué"


def _calculation(quantity: Decimal, unit: Decimal, total: Decimal, rate: Decimal, vat: bool) -> str:
    """« 1 × 700 € HT = 700 € HT, TVA 20 % »; without VAT, no « HT » on the page: « 1 × 700 € = 700 € »."""
    count = f"{quantity.normalize():f}".replace(".", ",")
    nbsp = "\u00a0"  # an amount never parts from its « HT », nor a result from its « = »
    if not vat:
        return f"{count} × {money(unit)} ={nbsp}{money(total)}"
    return f"{count} × {money(unit)}{nbsp}HT ={nbsp}{money(total)}{nbsp}HT, TVA {percent(rate)}"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _notes(doc: InvoiceDocument) -> list[dict[str, str]]:
    notes = [{"BT-22": f"Catégorie de l'opération : {CATEGORY}"}]
    if doc.vat_registered and doc.billing.vat_on_debits:
        notes.append({"BT-22": VAT_ON_DEBITS})
    if not doc.vat_registered:
        notes.append({"BT-21": "TXD", "BT-22": doc.billing.vat_exemption_mention})
    if doc.issued.draft.paid_on is not None and not doc.is_credit_note:
        notes.append({"BT-22": f"Facture acquittée le {long_date(doc.issued.draft.paid_on)}"})
    if doc.is_credit_note and doc.issued.draft.reason:
        notes.append({"BT-22": f"Motif de l'avoir : {doc.issued.draft.reason}"})
    if not doc.is_credit_note:
        penalty, indemnity, discount = doc.billing.terms_mentions()
        notes += [
            {"BT-21": "PMD", "BT-22": penalty},
            {"BT-21": "PMT", "BT-22": indemnity},
            {"BT-21": "AAB", "BT-22": discount},
        ]
    return [{**note, "BT-22": typographic(note["BT-22"])} for note in notes]  # as the page prints them


def facturx_data(doc: InvoiceDocument) -> dict[str, Any]:
    """The EN 16931 data of the document as the ``factur-x`` library takes it (BT keys)."""
    issued, draft, seller = doc.issued, doc.issued.draft, doc.seller
    category = "S" if doc.vat_registered else "E"
    seller_party: dict[str, Any] = {
        "name": seller.name,
        "legal_identifier": seller.siren,
        "legal_identifier_schemeid": "0002",
        "country_code": "FR",
        **split_address(seller.address),
    }
    if seller.vat_number and doc.vat_registered:
        seller_party["vat_identifier"] = seller.vat_number
    buyer: dict[str, Any] = {
        "name": draft.client.name,
        "country_code": "FR",
        **split_address(draft.client.address),
    }
    if draft.client.siren:
        buyer["legal_identifier"] = draft.client.siren
        buyer["legal_identifier_schemeid"] = "0002"
    taxes = []
    for rate, base, vat in draft.vat_breakdown():
        tax: dict[str, Any] = {
            "BT-117": _amount(vat),
            "BT-116": _amount(base),
            "BT-118": category,
            "BT-119": _amount(rate),
        }
        if category == "E":
            tax["BT-120"] = doc.billing.vat_exemption_mention
            tax["BT-121"] = "VATEX-FR-FRANCHISE"
        taxes.append(tax)
    data: dict[str, Any] = {
        "BT-1": issued.number,
        "BT-2": issued.date,
        "BT-3": "381" if doc.is_credit_note else "380",
        "BT-5": "EUR",
        "BT-72": draft.start,
        "BT-73": draft.start,
        "BT-74": draft.end,
        "BG-4": seller_party,
        "BG-7": buyer,
        "BG-1": _notes(doc),
        "BG-23": taxes,
        "BT-106": _amount(draft.ht),
        "BT-109": _amount(draft.ht),
        "BT-110": _amount(draft.vat),
        "BT-112": _amount(draft.ttc),
        "BT-115": _amount(Decimal(0) if draft.paid_on is not None or doc.is_credit_note else draft.ttc),
        "BG-25": [
            {
                "BT-126": str(index),
                "BT-153": typographic(line.designation)[:500],
                "BT-146": _amount(line.unit_ht),
                "BT-129": _amount(line.quantity),
                "BT-130": "C62",
                "BT-151": category,
                "BT-152": _amount(line.vat_percent),
                "BT-131": _amount(line.ht),
            }
            for index, line in enumerate(draft.lines, start=1)
        ],
    }
    if draft.paid_on is not None and not doc.is_credit_note:
        data["BT-113"] = _amount(draft.ttc)
    if not doc.is_credit_note:
        data["BT-9"] = issued.due
        data["BT-20"] = typographic(" ".join(doc.billing.terms_mentions()))
    if draft.credit_of:
        reference: dict[str, Any] = {"BT-25": draft.credit_of}
        if doc.credited_date is not None:
            reference["BT-26"] = doc.credited_date
        data["BG-3"] = [reference]
    return data


def facturx_xml(doc: InvoiceDocument) -> bytes:
    """The CII XML (profile EN 16931) of the document, valid against the official schema."""
    from facturx import generate_cii_xml

    try:
        xml: bytes = generate_cii_xml(
            facturx_data(doc), level="en16931", check_xsd=True, check_schematron=False
        )
    except Exception as exc:  # the library raises plain Exceptions with an English text
        raise BillingError(
            f"Le fichier Factur-X de {doc.issued.number} n'a pas pu être produit ({exc}). Vérifiez "
            "l'adresse et le SIRET de l'association et du client, puis relancez « mila factures »."
        ) from exc
    return xml


def embed(pdf: bytes, xml: bytes, number: str, seller: str) -> bytes:
    """The PDF turned into a PDF/A-3 carrying ``xml`` as its Factur-X attachment."""
    from facturx import generate_from_binary

    metadata = {
        "author": seller,
        "keywords": "Factur-X, facture",
        "title": f"{seller} : {number}",
        "subject": f"Facture {number}",
    }
    try:
        made: bytes = generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata=metadata,
            lang="fr-FR",
            xmp_compression=False,  # readable metadata: the PDF/A-3 identification can be checked
        )
    except Exception as exc:  # plain Exceptions from the library, or pypdf's
        raise BillingError(
            f"Le PDF Factur-X de {number} n'a pas pu être produit ({exc}). Relancez « mila factures "
            "--pdf » ; si cela se répète, signalez-le avec le fichier .docx de la facture."
        ) from exc
    return made
