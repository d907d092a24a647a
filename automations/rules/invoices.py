"""What is due and not yet invoiced, and the credit notes cancelling invoices: pure functions returning plans.

- :func:`plan_invoices`: the invoices `mila factures` issues on ``today``:

  * **cotisation**: a member whose renewal is due (``à renouveler``, ``échue`` for less than
    a year, ``en attente`` since less than a year) gets the fee of its next period; a member
    ``à jour`` whose current paid period has no invoice (the payment came first) gets one
    marked « acquittée le … », already paid;
  * **loyer**: each occupation ongoing this month, from the configured day of the month,
    its monthly rent prorated to the days occupied (first or last month);
  * **réservation**: each member's confirmed, chargeable bookings of last month, on one
    invoice.

  Something is invoiced once: a non-cancelled row of ``Factures`` of the same member and
  object whose period overlaps (for rents: of the same occupation) covers it. An invoice
  cancelled by a credit note no longer covers anything.
- :func:`plan_credit_note`: the credit note cancelling an invoice of the tab.

The numbers drafts take live in :mod:`automations.rules.numbering`; what members still owe
(open cotisations, unpaid reminders, balances) in :mod:`automations.rules.receivables`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..formatting import cents, format_date, format_money
from ..model.dataset import Dataset
from ..model.invoices import (
    CANCELLED,
    INVOICE_PREFIX,
    PAID,
    PARTLY_PAID,
    Invoice,
    parse_number,
)
from ..model.rows import Booking, Member, Premises, id_key
from ..settings.billing import BillingSettings
from .bookings import BookingsOutcome, first_day
from .fees import FeeProblem, FeeSchedule, compute_fee
from .membership import MemberComputation, MembershipPolicy, due_date, hosted_surface

COTISATION, LOYER, RESERVATION = "cotisation", "loyer", "réservation"
# What each purpose is called in a sentence to the member (« facture n° … (cotisation, …) »)
PURPOSE_WORDS = {COTISATION: "cotisation", LOYER: "mise à disposition", RESERVATION: "réservations"}


def mail_label(number: str, *, credit_note: bool = False) -> str:
    """The ``Relance`` of the message that sends a document: « facture F2026-0007 »,
    « avoir A2026-0001 » (its key in ``Relances``, with the member and the document's date)."""
    return f"{'avoir' if credit_note else 'facture'} {number}"


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# « 01/03/2026 – 31/03/2026 », optionally followed by « · C001 » (the occupation of a rent)
_PERIOD = re.compile(r"(\d{2}/\d{2}/\d{4})\s*[–-]\s*(\d{2}/\d{2}/\d{4})(?:\s*·\s*(\S+))?")


@dataclass(frozen=True)
class Line:
    """One line of an invoice: what, how many, the unit price HT, the VAT rate."""

    designation: str
    unit_ht: Decimal
    quantity: Decimal = Decimal(1)
    vat_percent: Decimal = Decimal(0)

    @property
    def ht(self) -> Decimal:
        return cents(self.unit_ht * self.quantity)


@dataclass(frozen=True)
class Client:
    """The member as an invoice names it."""

    member_id: str
    name: str
    address: str | None
    siren: str | None
    email: str | None

    @property
    def label(self) -> str:
        """What ``Client`` holds: « Le Fair (SIREN 732829320) »."""
        return f"{self.name} (SIREN {self.siren})" if self.siren else self.name


@dataclass(frozen=True)
class Draft:
    """An invoice (or credit note) to issue, before its number."""

    purpose: str  # schema.INVOICE_PURPOSES
    client: Client
    start: dt.date
    end: dt.date
    lines: tuple[Line, ...]
    reference: str | None = None  # the occupation of a rent (C001)
    paid_on: dt.date | None = None  # « acquittée le … »: the payment came first
    paid_amount: Decimal | None = None
    credit_of: str | None = None  # a credit note: the invoice it cancels
    reason: str | None = None  # a credit note: why

    @property
    def period(self) -> str:
        """What ``Période`` holds: « 01/03/2026 – 31/03/2026 » (« · C001 » for a rent)."""
        text = f"{format_date(self.start)} – {format_date(self.end)}"
        return f"{text} · {self.reference}" if self.reference else text

    def vat_breakdown(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(rate, base HT, VAT) per VAT rate, the rates in rising order."""
        bases: dict[Decimal, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            bases[line.vat_percent] += line.ht
        return [(rate, base, cents(base * rate / 100)) for rate, base in sorted(bases.items())]

    @property
    def ht(self) -> Decimal:
        return sum((line.ht for line in self.lines), Decimal(0))

    @property
    def vat(self) -> Decimal:
        return sum((vat for _, _, vat in self.vat_breakdown()), Decimal(0))

    @property
    def ttc(self) -> Decimal:
        return self.ht + self.vat

    @property
    def vat_percent(self) -> Decimal | None:
        """The one VAT rate of the invoice (None when its lines have several)."""
        rates = {line.vat_percent for line in self.lines}
        return rates.pop() if len(rates) == 1 else None


@dataclass(frozen=True)
class Issued:
    """A draft with its number, its date and due date: a row of ``Factures`` to append."""

    number: str
    date: dt.date
    due: dt.date
    draft: Draft

    @property
    def is_credit_note(self) -> bool:
        return self.draft.credit_of is not None

    def row(self) -> dict[str, object]:
        """The ``Factures`` row: amounts negative on a credit note."""
        d = self.draft
        sign = Decimal(-1) if self.is_credit_note else Decimal(1)
        remaining: Decimal | None = None
        status: str | None = None
        paid_on: dt.date | None = None
        if not self.is_credit_note:
            paid = d.paid_amount or Decimal(0)
            remaining = max(d.ttc - paid, Decimal(0))
            status = PAID if remaining == 0 else PARTLY_PAID if paid > 0 else "émise"
            paid_on = d.paid_on if remaining == 0 else None
        return {
            "N°": self.number,
            "Date": self.date,
            "Membre": d.client.member_id,
            "Client": d.client.label,
            "Objet": d.purpose,
            "Période": d.period,
            "Montant HT": sign * d.ht,
            "TVA %": d.vat_percent,
            "TVA": sign * d.vat,
            "Montant TTC": sign * d.ttc,
            "Échéance": None if self.is_credit_note else self.due,
            "Payée le": paid_on,
            "Reste dû": remaining,
            "Statut": status,
            "Avoir de": d.credit_of,
        }


@dataclass
class InvoicePlan:
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # French: what could not be invoiced, and why


# --------------------------------------------------------------------------- periods


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def month_label(day: dt.date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


_RECOVERED = {COTISATION: "Cotisation", LOYER: "Mise à disposition", RESERVATION: "Réservations d'espaces"}


def recovered_designation(purpose: str, start: dt.date, end: dt.date, convention: str | None) -> str:
    """The one line of an invoice rebuilt from its ``Factures`` row, as the client reads it:
    « Mise à disposition du 01/12/2026 au 31/12/2026 (convention C012) », never the raw
    ``Période`` cell with its separator. ``convention``: the occupation's ID when the
    occupant holds a convention under that number (not a shop: see :func:`convention_of`)."""
    what = _RECOVERED.get(purpose, purpose.capitalize())
    text = f"{what} du {format_date(start)} au {format_date(end)}"
    return f"{text} (convention {convention})" if convention else text


def rebuilt_designation(invoice: Invoice, shops: frozenset[str] = frozenset()) -> str:
    """The one line of an invoice or credit note rebuilt from its ``Factures`` row (its files
    to write again): what it billed and when, the invoice it cancels for a credit note."""
    period = parse_period(invoice.period)
    if period is None or invoice.purpose is None:
        return invoice.purpose or ""
    convention = None if period[2] in shops else period[2]
    what = recovered_designation(invoice.purpose, period[0], period[1], convention)
    if invoice.is_credit_note and invoice.credit_of:
        return f"Annulation de la facture {invoice.credit_of}, {what[0].lower()}{what[1:]}"
    return what


def shop_occupations(dataset: Dataset) -> frozenset[str]:
    """The IDs of the occupations of a shop, which hold no convention under that number."""
    return frozenset(
        o.id
        for o in dataset.occupations
        if o.id and convention_of(o.id, dataset.premises_item(o.premises_id)) is None
    )


def convention_of(occupation_id: str | None, premises: Premises | None) -> str | None:
    """The number of the convention an occupant holds: its occupation's ID, except for a
    shop, let under a commercial lease with the landlord (no convention of the association)."""
    if not occupation_id or (premises is not None and premises.site == "Boutique"):
        return None
    return occupation_id


def parse_period(text: str | None) -> tuple[dt.date, dt.date, str | None] | None:
    """The first and last days (and the occupation) of a ``Période`` cell; None if unreadable."""
    if not text:
        return None
    found = _PERIOD.search(text)
    if found is None:
        return None
    try:
        start, end = (dt.datetime.strptime(found.group(i), "%d/%m/%Y").date() for i in (1, 2))
    except ValueError:
        return None
    return start, end, found.group(3)


def standing(invoices: Iterable[Invoice]) -> list[Invoice]:
    """The invoices still standing: no credit note, none cancelled (by its ``Statut`` or by a
    credit note naming it in ``Avoir de``, should its ``Statut`` not have been written)."""
    found = list(invoices)
    credited = {parse_number(i.credit_of) for i in found if i.is_credit_note and i.credit_of}
    return [i for i in found if not i.is_credit_note and i.status != CANCELLED and i.parts not in credited]


class Coverage:
    """What the ``Factures`` tab already invoices: per (member, object), the periods of its
    invoices that no credit note cancelled."""

    def __init__(self, invoices: Iterable[Invoice]) -> None:
        self._periods: dict[tuple[str, str], list[tuple[dt.date, dt.date, str | None]]] = defaultdict(list)
        for invoice in standing(invoices):
            if invoice.is_credit_note or invoice.status == CANCELLED:
                continue
            key = id_key(invoice.member_id)
            period = parse_period(invoice.period)
            if key is None or period is None or invoice.purpose is None:
                continue
            self._periods[(key, invoice.purpose)].append(period)

    def covers(
        self, member_id: str, purpose: str, start: dt.date, end: dt.date, ref: str | None = None
    ) -> bool:
        key = id_key(member_id) or ""
        for first, last, reference in self._periods.get((key, purpose), ()):
            if first <= end and start <= last and (ref is None or id_key(reference) == id_key(ref)):
                return True
        return False

    def add(self, draft: Draft) -> None:
        key = id_key(draft.client.member_id) or ""
        self._periods[(key, draft.purpose)].append((draft.start, draft.end, draft.reference))


# --------------------------------------------------------------------------- the plan


def client_of(member: Member) -> Client:
    digits = "".join(ch for ch in (member.siret or "") if ch.isdigit())
    return Client(
        member_id=member.id or "",
        name=member.structure or member.contact or (member.id or ""),
        address=member.address,
        siren=digits[:9] if len(digits) >= 9 else None,
        email=member.email,
    )


def plan_invoices(
    dataset: Dataset,
    computations: Sequence[MemberComputation],
    bookings: BookingsOutcome,
    invoices: Sequence[Invoice],
    today: dt.date,
    policy: MembershipPolicy,
    billing: BillingSettings,
    rent_vat_percent: Decimal,
) -> InvoicePlan:
    """Everything due on ``today`` that no row of ``Factures`` covers yet."""
    plan = InvoicePlan()
    coverage = Coverage(invoices)
    members = dataset.members_by_id
    vat = billing.vat_registered
    _fees(plan, dataset, computations, coverage, today, policy, vat)
    _rents(plan, dataset, members, coverage, today, billing, rent_vat_percent if vat else Decimal(0))
    _bookings(plan, dataset, members, bookings, coverage, today, rent_vat_percent if vat else Decimal(0))
    return plan


def _untaxed(lines: Iterable[Line], vat: bool) -> tuple[Line, ...]:
    return tuple(lines) if vat else tuple(replace(line, vat_percent=Decimal(0)) for line in lines)


def _fees(
    plan: InvoicePlan,
    dataset: Dataset,
    computations: Sequence[MemberComputation],
    coverage: Coverage,
    today: dt.date,
    policy: MembershipPolicy,
    vat: bool,
) -> None:
    schedule = FeeSchedule(dataset.rates)
    year_ago = today - dt.timedelta(days=365)
    for member, computation in zip(dataset.members, computations, strict=True):
        if member.id is None or computation.status in (None, "sortie"):
            continue
        paid_first = computation.status == "à jour" and member.paid_on is not None
        if paid_first:
            assert member.paid_on is not None
            start = member.paid_on
            end = computation.echeance or due_date(start, policy)
            if policy.period == "année civile":
                start = max(dt.date(end.year, 1, 1), member.joined_on or start)
            if start < year_ago:
                continue
        elif computation.status in ("à renouveler", "échue", "en attente"):
            reference = computation.echeance or member.joined_on
            if reference is None or reference < year_ago or computation.period_start is None:
                continue
            start = computation.period_start
            end = due_date(start, policy)
        else:
            continue
        if coverage.covers(member.id, COTISATION, start, end):
            continue
        try:
            surface = hosted_surface(member, dataset, start, today) if member.category == "hébergé" else None
            fee = compute_fee(member, start, schedule, surface)
        except FeeProblem as problem:
            plan.skipped.append(f"Cotisation de {_name(member)} non facturée : {problem.message}")
            continue
        if fee.ttc <= 0:
            continue
        period = f"du {format_date(start)} au {format_date(end)}"
        lines = tuple(
            Line(f"{line.label}, {period}", line.amount, Decimal(1), fee.vat_rate) for line in fee.lines
        ) or (Line(f"Cotisation {period}", fee.ht, Decimal(1), fee.vat_rate),)
        draft = Draft(
            COTISATION,
            client_of(member),
            start,
            end,
            _untaxed(lines, vat),
            paid_on=member.paid_on if paid_first else None,
            paid_amount=member.amount_paid if paid_first else None,
        )
        plan.drafts.append(draft)
        coverage.add(draft)


def _rents(
    plan: InvoicePlan,
    dataset: Dataset,
    members: Mapping[str, Member],
    coverage: Coverage,
    today: dt.date,
    billing: BillingSettings,
    vat_percent: Decimal,
) -> None:
    if today.day < billing.rent_invoice_day:
        return
    first, last = month_bounds(today)
    premises = dataset.premises_by_id
    for occupation in dataset.occupations:
        start, end = occupation.start, occupation.end
        if occupation.id is None or start is None or start > last or (end is not None and end < first):
            continue
        member = members.get(id_key(occupation.member_id) or "")
        place = premises.get(id_key(occupation.premises_id) or "")
        if member is None or member.id is None or place is None:
            continue
        rent = occupation.monthly_rent if occupation.monthly_rent is not None else place.monthly_rent
        if rent is None or rent <= 0:
            plan.skipped.append(
                f"Loyer de {occupation.id} ({_name(member)}) non facturé : « Loyer mensuel HT » vide, "
                "dans Occupations ou Locaux ; saisissez-le."
            )
            continue
        begin, finish = max(start, first), min(end or last, last)
        if coverage.covers(member.id, LOYER, begin, finish, occupation.id):
            continue
        days, month_days = (finish - begin).days + 1, (last - first).days + 1
        what = f"Mise à disposition de {place.name or place.id}"
        if place.site:
            what += f" ({place.site})"
        what += f" du {format_date(begin)} au {format_date(finish)}"
        if convention := convention_of(occupation.id, place):
            what += f" (convention {convention})"
        if days < month_days:
            what += f", prorata de {days}/{month_days} jours sur {format_money(rent)} HT par mois"
            amount = cents(rent * days / month_days)
        else:
            amount = rent
        draft = Draft(
            LOYER,
            client_of(member),
            begin,
            finish,
            (Line(what, amount, Decimal(1), vat_percent),),
            occupation.id,
        )
        plan.drafts.append(draft)
        coverage.add(draft)


def _bookings(
    plan: InvoicePlan,
    dataset: Dataset,
    members: Mapping[str, Member],
    outcome: BookingsOutcome,
    coverage: Coverage,
    today: dt.date,
    vat_percent: Decimal,
) -> None:
    first, last = month_bounds(today.replace(day=1) - dt.timedelta(days=1))  # last month
    amounts = outcome.by_row()
    premises = dataset.premises_by_id
    by_member: dict[str, list[tuple[Booking, Decimal]]] = defaultdict(list)
    for booking in dataset.bookings:
        day = first_day(booking)
        if (
            booking.status != "confirmée"
            or booking.formula == "gracieux"
            or day is None
            or not first <= day <= last
        ):
            continue
        member = members.get(id_key(booking.member_id) or "")
        computed = amounts.get(booking.row)
        if member is None or member.id is None or computed is None or not computed.amount:
            continue
        by_member[member.id].append((booking, computed.amount))
    for member_id, found in by_member.items():
        member = members[id_key(member_id) or ""]
        if coverage.covers(member_id, RESERVATION, first, last):
            continue
        lines = []
        for booking, amount in sorted(found, key=lambda item: (first_day(item[0]) or first, item[0].row)):
            place = premises.get(id_key(booking.resource_id) or "")
            name = place.name if place and place.name else booking.resource_id
            day = first_day(booking) or first
            formula = "semaine" if booking.formula == "semaine" else "journée"
            lines.append(
                Line(
                    f"{name}, {formula} du {format_date(day)}"
                    + (f" (réservation {booking.id})" if booking.id else ""),
                    amount,
                    Decimal(1),
                    vat_percent,
                )
            )
        draft = Draft(RESERVATION, client_of(member), first, last, tuple(lines))
        plan.drafts.append(draft)
        coverage.add(draft)


def _name(member: Member) -> str:
    return f"{member.id} – {member.structure}" if member.structure else str(member.id)


# --------------------------------------------------------------------------- credit notes


class CreditNoteRefused(ValueError):
    """The invoice named cannot be cancelled; the message says why, in French."""


def plan_credit_note(
    number: str,
    reason: str,
    invoices: Sequence[Invoice],
    members: Mapping[str, Member],
    shops: frozenset[str] = frozenset(),
) -> Draft:
    """The credit note cancelling invoice ``number`` (its amounts, lines summed per rate);
    ``shops``: the occupations that hold no convention (:func:`shop_occupations`)."""
    parts = parse_number(number)
    wanted = [i for i in invoices if parts is not None and i.parts == parts]
    if parts is None or parts[0] != INVOICE_PREFIX or not wanted:
        raise CreditNoteRefused(
            f"Facture « {number} » introuvable dans l'onglet Factures : donnez le numéro d'une "
            "facture émise, par exemple F2026-0001."
        )
    invoice = wanted[0]
    if invoice.status == CANCELLED or any(
        i.is_credit_note and parse_number(i.credit_of) == parts for i in invoices
    ):
        raise CreditNoteRefused(
            f"La facture {invoice.number} est déjà annulée par un avoir : rien n'a été émis."
        )
    if not reason.strip():
        raise CreditNoteRefused(
            'Indiquez le motif de l\'avoir avec --motif, par exemple --motif "loyer déjà facturé".'
        )
    period = parse_period(invoice.period)
    if invoice.amount_ht is None or invoice.date is None or period is None or invoice.purpose is None:
        raise CreditNoteRefused(
            f"La facture {invoice.number} est illisible dans l'onglet Factures (montant, date ou "
            "période) : elle ne peut pas être annulée automatiquement."
        )
    member = members.get(id_key(invoice.member_id) or "")
    client = (
        client_of(member)
        if member is not None
        else Client(invoice.member_id or "", invoice.client or "", None, None, None)
    )
    rate = invoice.vat_percent or Decimal(0)
    convention = None if period[2] in shops else period[2]
    what = recovered_designation(invoice.purpose, period[0], period[1], convention)  # reason: said above
    cancelled = f"Annulation de la facture {invoice.number} du {format_date(invoice.date)}"
    line = Line(
        f"{cancelled}, {what[0].lower()}{what[1:]}",
        invoice.amount_ht,
        Decimal(1),
        rate,
    )
    return Draft(
        invoice.purpose,
        client,
        period[0],
        period[1],
        (line,),
        reference=period[2],
        credit_of=invoice.number,
        reason=reason.strip(),
    )
