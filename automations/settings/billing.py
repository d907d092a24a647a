"""``[billing]``: invoices and credit notes (`mila factures`), and the accounts they go to.

[billing]
enabled = true
vat_registered = true              # false: no VAT line, the exemption mention instead
payment_terms_days = 30            # due date: the invoice's date + this (60 at most)
late_payment_rate = 12.5           # % a year; absent: the legal rate (BCE + 10 points)
rent_invoice_day = 1               # the day of the month rents are invoiced
reminder_offsets = [15, 30]        # unpaid invoices: reminders J+15, J+30
send_days = 60                     # --envoyer: documents of the last 60 days only
vat_on_debits = false              # « option pour le paiement de la taxe d'après les débits »
siret = "123 456 789 00012"        # absent: [association] siret
vat_number = "FR32123456789"       # absent: [association] vat_number
address = "12 rue …, 75018 Paris"  # absent: [association] address

[billing.accounts]                 # the chart of accounts (plan comptable des associations)
members = "411"
fees = "756"
rents = "706"
bookings = "706"
vat_collected = "44571"
bank = "512"
cash = "530"
subsidies = "74"
donations = "754"
suspense = "471"
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from .base import Section, Text

LEGAL_MAX_TERMS_DAYS = 60  # code de commerce, art. L441-10: 60 days from the invoice's date
RECOVERY_INDEMNITY = Decimal(40)  # code de commerce, art. D441-5: fixed, not configurable

_ACCOUNT = "un numéro de compte du plan comptable, en chiffres, entre guillemets, par exemple « 756 »"


def _account(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.replace(" ", "") if isinstance(value, str) else value


def _account_digits(value: str) -> str:
    if not value.isdigit() or value[0] == "0" or len(value) > 12:
        raise ValueError(f"« {value} » n'est pas un numéro de compte : {_ACCOUNT}")
    return value


Account = Annotated[
    str, BeforeValidator(_account), AfterValidator(_account_digits), Field(description=_ACCOUNT)
]


def _compact(value: object) -> object:
    return "".join(value.split()).replace(".", "").upper() if isinstance(value, str) else value


def _siret(value: str) -> str:
    if value and not stdnum_siret.is_valid(value):
        raise ValueError(
            f"« {value} » n'est pas un numéro SIRET valide (14 chiffres dont le dernier est une clé "
            "de contrôle) : recopiez-le depuis l'avis de situation INSEE"
        )
    return value


def _vat_number(value: str) -> str:
    if value and not stdnum_tva.is_valid(value):
        raise ValueError(
            f"« {value} » n'est pas un numéro de TVA intracommunautaire français valide "
            "(FR, 2 caractères de clé, puis le SIREN) : recopiez-le depuis l'espace professionnel "
            "impots.gouv.fr"
        )
    return value


def _rate(value: object) -> object:
    if isinstance(value, str):
        text = value.replace(",", ".").replace("%", "").strip()
        return text or None
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _offsets(values: tuple[int, ...]) -> tuple[int, ...]:
    if any(value < 1 for value in values):
        raise ValueError(
            f"{list(values)} : les relances partent après l'échéance, donnez des nombres de jours "
            "d'au moins 1, par exemple [15, 30]"
        )
    return tuple(sorted(set(values)))


class AccountsMapping(Section):
    """``[billing.accounts]``: the accounts of the accounting export (`mila compta`)."""

    section = "billing.accounts"

    members: Account = "411"  # clients: one member account per member (411M0012)
    fees: Account = "756"  # cotisations
    rents: Account = "706"  # prestations de services: loyers des mises à disposition
    bookings: Account = "706"  # prestations de services: réservations
    other: Account = "708"  # produits des activités annexes
    vat_collected: Account = "44571"  # TVA collectée
    bank: Account = "512"
    cash: Account = "530"
    subsidies: Account = "74"
    donations: Account = "754"  # dons (générosité du public), paid without invoice
    suspense: Account = "471"  # compte d'attente: money received from a payer not yet identified


class BillingSettings(Section):
    """What `mila factures` issues and what the documents say (section ``[billing]``)."""

    section = "billing"

    enabled: bool = Field(False, description="true ou false")
    vat_registered: bool = Field(True, description="true (assujettie à la TVA) ou false")
    payment_terms_days: int = Field(
        30,
        ge=0,
        le=LEGAL_MAX_TERMS_DAYS,
        description=f"un nombre entier de jours entre 0 et {LEGAL_MAX_TERMS_DAYS} "
        "(délai légal maximal), par exemple 30",
    )
    # % a year; None: the legal default, the ECB's rate plus 10 points (art. L441-10)
    late_payment_rate: Annotated[Decimal | None, BeforeValidator(_rate)] = Field(
        None,
        strict=False,
        ge=0,
        le=100,
        description="un taux annuel en pourcentage, par exemple 12,5 (absent : taux BCE + 10 points)",
    )
    recovery_indemnity_mention: Text = Field(
        "Indemnité forfaitaire pour frais de recouvrement due en cas de retard de paiement : 40 € "
        "(articles L.\u00a0441-10 et D.\u00a0441-5 du code de commerce).",
        min_length=1,
        description="un texte non vide entre guillemets, qui mentionne l'indemnité de 40 €",
    )
    vat_exemption_mention: Text = Field(
        "TVA non applicable, article 293 B du CGI",
        min_length=1,
        description="un texte non vide entre guillemets, par exemple « TVA non applicable, "
        "article 293 B du CGI » ou « Exonération de TVA, article 261-7-1° du CGI »",
    )
    rent_invoice_day: int = Field(1, ge=1, le=28, description="un jour du mois entre 1 et 28, par exemple 1")
    reminder_offsets: Annotated[tuple[int, ...], AfterValidator(_offsets)] = Field(
        (15, 30),
        strict=False,
        min_length=1,
        description="une liste de nombres de jours après l'échéance, positifs, par exemple [15, 30]",
    )
    vat_on_debits: bool = Field(False, description="true ou false")
    # « mila factures --envoyer »: documents older than this are listed, not e-mailed on their own
    send_days: int = Field(
        60, ge=1, le=366, description="un nombre entier de jours entre 1 et 366, par exemple 60"
    )
    siret: Annotated[str, BeforeValidator(_compact), AfterValidator(_siret)] = Field(
        "", description="un numéro SIRET de 14 chiffres, par exemple « 732 829 320 00074 »"
    )
    vat_number: Annotated[str, BeforeValidator(_compact), AfterValidator(_vat_number)] = Field(
        "", description="un numéro de TVA intracommunautaire, par exemple « FR40303265045 »"
    )
    address: Text = ""
    accounts: AccountsMapping = AccountsMapping()

    def terms_mentions(self) -> tuple[str, ...]:
        """The payment terms every invoice states (late penalties, indemnity, no discount)."""
        if self.late_payment_rate is None:
            penalty = (
                "Pénalités de retard : taux d'intérêt appliqué par la Banque centrale européenne à "
                "son opération de refinancement la plus récente, majoré de 10 points."
            )
        else:
            rate = f"{self.late_payment_rate.normalize():f}".replace(".", ",")
            penalty = f"Pénalités de retard : {rate} % par an, exigibles dès le lendemain de l'échéance."
        return (penalty, self.recovery_indemnity_mention, "Pas d'escompte pour paiement anticipé.")
