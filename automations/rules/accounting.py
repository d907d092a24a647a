"""A year's accounting entries from ``Factures`` and ``Paiements`` (pure, no I/O), and their
text as a FEC (fichier des écritures comptables) and as a plain CSV journal.

- **Sales** (journal VE): each invoice debits the member's account (411, auxiliary account
  the member's ID) by its TTC and credits its revenue account (``Objet``: cotisation 756,
  loyer and réservation 706, autre 708) by its HT and 44571 by its VAT; a credit note
  (``A2026-0001``) is the same reversed.
- **Payments** (journal BQ, or CA for cash: 512 or 530 debited): the part that settles
  invoices (``rules.reconciliation``) credits the member's 411, lettered with the invoice
  once it is all paid (``EcritureLet``, ``DateLet``); a payment without invoice credits the
  account of its ``Objet`` (a ``don`` 754; a cotisation, rent or booking its revenue, VAT
  extracted when the association is VAT-registered); one from a payer not yet identified,
  the suspense account 471. A refund is the same reversed.

Every entry balances (checked); the totals of the sales journal are the year's ``Factures``,
those of the bank and cash journals its ``Paiements``. The accounts are ``[billing.accounts]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from ..formatting import cents
from ..model.invoices import PAID, Invoice, format_number
from ..model.payments import Payment
from ..model.rows import Member, id_key
from .reconciliation import ReconciliationPlan

ZERO = Decimal(0)
FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
CSV_COLUMNS = (
    "Journal",
    "N° écriture",
    "Date",
    "Compte",
    "Intitulé du compte",
    "Compte auxiliaire",
    "Nom",
    "Pièce",
    "Date de la pièce",
    "Libellé",
    "Débit",
    "Crédit",
    "Lettrage",
    "Date de lettrage",
)
JOURNALS = {"VE": "Ventes", "BQ": "Banque", "CA": "Caisse"}
CASH = "espèces"


@dataclass(frozen=True)
class ChartOfAccounts:
    """The accounts the entries use (``[billing.accounts]``), with their French names."""

    members: str = "411"
    fees: str = "756"
    rents: str = "706"
    bookings: str = "706"
    other: str = "708"
    vat_collected: str = "44571"
    bank: str = "512"
    cash: str = "530"
    donations: str = "754"
    suspense: str = "471"

    def revenue(self, purpose: str | None) -> str:
        return {
            "cotisation": self.fees,
            "loyer": self.rents,
            "réservation": self.bookings,
            "don": self.donations,
        }.get(purpose or "", self.other)

    def name(self, account: str) -> str:
        return self._names.get(account) or f"Compte {account}"

    @cached_property
    def _names(self) -> dict[str, str]:
        names = {
            self.members: "Adhérents et clients",
            self.vat_collected: "TVA collectée",
            self.bank: "Banque",
            self.cash: "Caisse",
            self.donations: "Dons",
            self.suspense: "Compte d'attente",
            self.fees: "Cotisations",
            self.other: "Produits des activités annexes",
        }
        names.setdefault(self.rents, "Prestations de services")
        names.setdefault(self.bookings, "Prestations de services")
        return names


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    aux: str = ""  # the member's ID on its 411 line
    aux_name: str = ""
    letter: str = ""
    letter_date: dt.date | None = None


@dataclass(frozen=True)
class Entry:
    journal: str  # VE, BQ, CA
    date: dt.date
    piece: str  # the invoice number, the payment's ID
    label: str
    lines: tuple[Line, ...]
    number: int = 0  # EcritureNum, given once the year's entries are sorted

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


@dataclass
class Ledger:
    """The year's entries, what was left out (French) and the totals checked against the tabs."""

    year: int
    entries: list[Entry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    invoices: int = 0
    invoices_ttc: Decimal = ZERO  # the year's Factures (credit notes negative)
    payments: int = 0
    payments_total: Decimal = ZERO  # the year's Paiements (refunds negative)

    def total(self, journals: Iterable[str], account: str, side: str) -> Decimal:
        wanted = set(journals)
        return sum(
            (
                getattr(line, side)
                for e in self.entries
                if e.journal in wanted
                for line in e.lines
                if line.account == account
            ),
            ZERO,
        )

    @property
    def debit(self) -> Decimal:
        return sum((e.debit for e in self.entries), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((e.credit for e in self.entries), ZERO)


def _letters(index: int) -> str:
    """``A``, ``B``… ``Z``, ``AA``, ``AB``…: the lettering code of the ``index``-th paid invoice."""
    code = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        code = chr(ord("A") + rest) + code
    return code


def build_ledger(
    year: int,
    invoices: Sequence[Invoice],
    payments: Sequence[Payment],
    members: Sequence[Member],
    plan: ReconciliationPlan,
    chart: ChartOfAccounts,
    *,
    vat_registered: bool = True,
    vat_percent: Mapping[str, Decimal] | None = None,
) -> Ledger:
    """The entries of ``year`` (invoices and payments dated in it). ``vat_percent``: the
    VAT rate of a payment without invoice, by ``Objet`` (none for a ``don``)."""
    ledger = Ledger(year)
    names = {id_key(m.id): m.structure or m.contact or m.id or "" for m in members if m.id}
    members_of: dict[str, str | None] = {}
    letters: dict[str, tuple[str, dt.date | None]] = {}
    for invoice in sorted(invoices, key=lambda i: (i.date or dt.date.min, i.number or "")):
        parts = invoice.parts
        if parts is None:
            continue
        number = format_number(*parts)
        members_of[number] = invoice.member_id
        state = plan.invoices.get(number)
        if state is not None and state.status == PAID and not invoice.is_credit_note:
            letters[number] = (_letters(len(letters)), state.paid_on)
    for invoice in invoices:
        if invoice.date is None or invoice.date.year != year:
            continue
        where = f"Factures ligne {invoice.row}"
        if invoice.parts is None or invoice.amount_ttc is None or invoice.amount_ht is None:
            ledger.skipped.append(
                f"{where} : n°, « Montant HT » ou « Montant TTC » illisible ; facture laissée hors du "
                "fichier. Corrigez la ligne puis relancez."
            )
            continue
        ledger.invoices += 1
        ledger.invoices_ttc += invoice.amount_ttc
        ledger.entries.append(_sale(invoice, names, chart, letters))
    invoiced = {id_key(m) for m in members_of.values()}
    for payment in payments:
        if payment.date is None or payment.date.year != year or payment.amount is None or payment.amount == 0:
            continue
        ledger.payments += 1
        ledger.payments_total += payment.amount
        ledger.entries.append(
            _payment(
                payment, names, chart, plan, members_of, invoiced, letters, vat_registered, vat_percent or {}
            )
        )
    order = {code: rank for rank, code in enumerate(JOURNALS)}
    ledger.entries.sort(key=lambda e: (e.date, order[e.journal], e.piece))
    ledger.entries = [
        Entry(e.journal, e.date, e.piece, e.label, e.lines, n) for n, e in enumerate(ledger.entries, start=1)
    ]
    for entry in ledger.entries:
        if entry.debit != entry.credit:  # never: each entry is built balanced
            raise AssertionError(f"écriture {entry.number} ({entry.piece}) déséquilibrée")
    return ledger


def _member_line(
    member_id: str | None, names: Mapping[str | None, str], chart: ChartOfAccounts, **amounts: object
) -> Line:
    key = id_key(member_id)
    return Line(chart.members, aux=member_id or "", aux_name=names.get(key, ""), **amounts)  # type: ignore[arg-type]


def _sale(
    invoice: Invoice,
    names: Mapping[str | None, str],
    chart: ChartOfAccounts,
    letters: Mapping[str, tuple[str, dt.date | None]],
) -> Entry:
    assert invoice.parts is not None and invoice.amount_ttc is not None and invoice.amount_ht is not None
    assert invoice.date is not None
    number = format_number(*invoice.parts)
    ttc, ht = cents(invoice.amount_ttc), cents(invoice.amount_ht)
    vat = ttc - ht
    credit_note = invoice.is_credit_note or ttc < 0
    letter, letter_day = letters.get(number, ("", None))
    member = _member_line(
        invoice.member_id,
        names,
        chart,
        debit=ZERO if credit_note else ttc,
        credit=-ttc if credit_note else ZERO,
        letter=letter,
        letter_date=letter_day,
    )
    revenue = chart.revenue(invoice.purpose if invoice.purpose != "don" else None)
    lines = [member, _side(revenue, -ht if credit_note else ht, credit=not credit_note)]
    if vat:
        lines.append(_side(chart.vat_collected, -vat if credit_note else vat, credit=not credit_note))
    who = names.get(id_key(invoice.member_id), invoice.client or "")
    kind = "Avoir" if credit_note else "Facture"
    label = f"{kind} {number} - {who} - {invoice.purpose or 'autre'}"
    return Entry("VE", invoice.date, number, label, tuple(lines))


def _side(account: str, amount: Decimal, *, credit: bool) -> Line:
    return Line(account, credit=amount) if credit else Line(account, debit=amount)


def _payment(
    payment: Payment,
    names: Mapping[str | None, str],
    chart: ChartOfAccounts,
    plan: ReconciliationPlan,
    members_of: Mapping[str, str | None],
    invoiced: set[str | None],
    letters: Mapping[str, tuple[str, dt.date | None]],
    vat_registered: bool,
    vat_percent: Mapping[str, Decimal],
) -> Entry:
    assert payment.amount is not None and payment.date is not None
    amount = cents(payment.amount)
    refund = amount < 0
    size = -amount if refund else amount
    cash = payment.means == CASH
    journal = "CA" if cash else "BQ"
    treasury = _side(chart.cash if cash else chart.bank, size, credit=refund)
    counterparts: list[Line] = []
    settled = plan.settlement(payment.row)
    left = size
    if settled is not None and not refund:
        for number, part in zip(settled.invoices, settled.amounts, strict=False):
            if part <= 0:
                continue
            letter, day = letters.get(number, ("", None))
            counterparts.append(
                _member_line(
                    members_of.get(number) or payment.member_id,
                    names,
                    chart,
                    credit=part,
                    letter=letter,
                    letter_date=day,
                )
            )
            left -= part
    if left > 0:
        counterparts.extend(
            _unsettled(
                payment,
                left,
                chart,
                names,
                invoiced,
                settled is not None,
                vat_registered,
                vat_percent,
                refund,
            )
        )
    who = names.get(id_key(payment.member_id), payment.payer or "")
    kind = "Remboursement" if refund else "Paiement"
    label = f"{kind} {payment.id or ''} - {who} - {payment.means or 'moyen inconnu'}".replace("  ", " ")
    return Entry(journal, payment.date, payment.id or f"L{payment.row}", label, (treasury, *counterparts))


def _unsettled(
    payment: Payment,
    amount: Decimal,
    chart: ChartOfAccounts,
    names: Mapping[str | None, str],
    invoiced: set[str | None],
    settles: bool,
    vat_registered: bool,
    vat_percent: Mapping[str, Decimal],
    refund: bool,
) -> list[Line]:
    """Where money that settles no invoice goes: an overpayment or a refund of an invoiced
    member to its 411; a payer not identified to 471; else the account of its ``Objet``."""
    credit = not refund
    if settles and payment.member_id:  # an overpayment: owed back to the member
        return [_member_line(payment.member_id, names, chart, **_amount(amount, credit))]
    if payment.purpose == "don":
        return [_side(chart.donations, amount, credit=credit)]
    if not payment.member_id:
        return [_side(chart.suspense, amount, credit=credit)]
    if refund and id_key(payment.member_id) in invoiced:
        return [_member_line(payment.member_id, names, chart, **_amount(amount, credit))]
    rate = vat_percent.get(payment.purpose, ZERO) if vat_registered else ZERO
    ht = cents(amount * 100 / (100 + rate))
    lines = [_side(chart.revenue(payment.purpose), ht, credit=credit)]
    if amount - ht:
        lines.append(_side(chart.vat_collected, amount - ht, credit=credit))
    return lines


def _amount(amount: Decimal, credit: bool) -> dict[str, Decimal]:
    return {"credit": amount} if credit else {"debit": amount}


# --------------------------------------------------------------------------- the texts


def fec_amount(value: Decimal) -> str:
    """``1234,50``: two decimals, a comma, no thousands separator (the FEC's form)."""
    return f"{value:.2f}".replace(".", ",")


@lru_cache(maxsize=4096)
def fec_date(day: dt.date | None) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}" if day is not None else ""


@lru_cache(maxsize=4096)
def _french_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _clean(text: str) -> str:
    """A FEC field: no tab, no line break."""
    return " ".join(str(text).replace("\t", " ").split())


def fec_rows(ledger: Ledger, chart: ChartOfAccounts, validated: dt.date) -> list[list[str]]:
    """The FEC's lines, header first: the 18 columns in their official order."""
    rows = [list(FEC_COLUMNS)]
    for e in ledger.entries:
        for line in e.lines:
            rows.append(
                [
                    e.journal,
                    JOURNALS[e.journal],
                    str(e.number),
                    fec_date(e.date),
                    line.account,
                    chart.name(line.account),
                    line.aux,
                    _clean(line.aux_name),
                    e.piece,
                    fec_date(e.date),
                    _clean(e.label),
                    fec_amount(line.debit),
                    fec_amount(line.credit),
                    line.letter,
                    fec_date(line.letter_date) if line.letter else "",
                    fec_date(validated),
                    "",
                    "",
                ]
            )
    return rows


def csv_rows(ledger: Ledger, chart: ChartOfAccounts) -> list[list[str]]:
    """The same entries as a plain journal for a spreadsheet: French headers and dates."""
    rows = [list(CSV_COLUMNS)]
    for e in ledger.entries:
        for line in e.lines:
            rows.append(
                [
                    JOURNALS[e.journal],
                    str(e.number),
                    _french_date(e.date),
                    line.account,
                    chart.name(line.account),
                    line.aux,
                    line.aux_name,
                    e.piece,
                    _french_date(e.date),
                    e.label,
                    fec_amount(line.debit) if line.debit else "",
                    fec_amount(line.credit) if line.credit else "",
                    line.letter,
                    _french_date(line.letter_date) if line.letter and line.letter_date else "",
                ]
            )
    return rows
