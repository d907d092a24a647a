"""The demo's invoices: a year of ``Factures`` as `mila factures` would have issued them.

The demo association is VAT-registered. Over the twelve months before ``today``:

- each cotisation payment of ``Paiements`` got an invoice marked « acquittée », dated the
  day of the payment, for the period it opened;
- each occupation got its monthly rent invoice on the 1st (prorated for a partial month);
  those of the past months are paid (a bank transfer quoting the number, added to
  ``Paiements``), except, in the latest month past its J+15 reminder, one **partly paid**
  invoice and one **unpaid** invoice whose J+15 reminder is in ``Relances``; the most
  recent ones are still to pay;
- one rent invoice of five months ago is cancelled by a **credit note**.

The periods are written as the rules write them, so that `mila factures` on the demo finds
these covered and issues only what is really due today. No document is produced (fast).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ..rules.membership import due_date

VAT = Decimal(20)
TERMS = timedelta(days=30)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _period(start: date, end: date, ref: str | None = None) -> str:
    text = f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    return f"{text} · {ref}" if ref else text


def _client(member: Any) -> str:
    siren = "".join(ch for ch in (member.siret or "") if ch.isdigit())[:9]
    return f"{member.structure} (SIREN {siren})" if len(siren) == 9 else member.structure


def _months(today: date) -> list[date]:
    """The first days of the twelve months up to this one, oldest first."""
    out, day = [], today.replace(day=1)
    for _ in range(12):
        out.append(day)
        day = (day - timedelta(days=1)).replace(day=1)
    return out[::-1]


def build_demo_invoices(
    members: Sequence[Any],
    occupations: Sequence[Any],
    occupation_ids: Sequence[str],
    payments: list[dict[str, object]],
    today: date,
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    """The ``Factures`` rows, the ``Paiements`` rows of the rents paid (IDs after those of
    ``payments``) and the ``Relances`` row of the unpaid invoice's reminder."""
    since = today - timedelta(days=365)
    events: list[tuple[date, int, dict[str, object]]] = []
    by_id = {m.id: m for m in members}
    seen: set[str] = set()
    for p in sorted(payments, key=lambda r: r["Date"]):  # type: ignore[arg-type, return-value]  # dates
        day, member = p["Date"], by_id.get(p.get("Membre"))
        amount = p["Montant"]
        if p.get("Objet") != "cotisation" or member is None or not isinstance(day, date) or day < since:
            continue
        if not isinstance(amount, int | float) or amount <= 0 or member.id in seen:
            continue  # the member's first payment of the year: a later one was a duplicate, refunded
        seen.add(member.id)
        ttc = Decimal(str(amount))
        ht = _cents(ttc * 100 / (100 + VAT))
        vat = ttc - ht
        row = _row(day, member, "cotisation", _period(day, due_date(day)), ht, vat, paid=day)
        events.append((day, 0, row))
    for occupation, ref in zip(occupations, occupation_ids, strict=True):
        rent = occupation.rent if occupation.rent is not None else occupation.premise.rent
        member = occupation.member
        end = min(d for d in (occupation.end, member.left, date.max) if d is not None)
        if not rent or member.id is None:
            continue
        for first in _months(today):
            last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            if occupation.start > last or end < first:
                continue
            begin, finish = max(first, occupation.start), min(last, end)
            ht = Decimal(str(rent))
            if (finish - begin).days + 1 < (last - first).days + 1:
                ht = _cents(ht * ((finish - begin).days + 1) / ((last - first).days + 1))
            vat = _cents(ht * VAT / 100)
            events.append((first, 1, _row(first, member, "loyer", _period(begin, finish, ref), ht, vat)))
    events.sort(key=lambda e: (e[0], e[1], str(e[2]["Membre"])))
    numbers: dict[int, int] = {}
    for day, _, row in events:
        numbers[day.year] = numbers.get(day.year, 0) + 1
        row["N°"] = f"F{day.year}-{numbers[day.year]:04d}"
    return _settle(events, by_id, payments, today)


def _row(
    day: date, member: Any, purpose: str, period: str, ht: Decimal, vat: Decimal, paid: date | None = None
) -> dict[str, object]:
    ttc = ht + vat
    return {
        "Date": day,
        "Membre": member.id,
        "Client": _client(member),
        "Objet": purpose,
        "Période": period,
        "Montant HT": float(ht),
        "TVA %": float(VAT),
        "TVA": float(vat),
        "Montant TTC": float(ttc),
        "Échéance": day if paid else day + TERMS,
        "Payée le": paid,
        "Reste dû": 0.0 if paid else float(ttc),
        "Statut": "payée" if paid else "émise",
    }


def _settle(
    events: list[tuple[date, int, dict[str, object]]],
    members: dict[Any, Any],
    payments: list[dict[str, object]],
    today: date,
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[dict[str, object]]]:
    """The rents paid, partly paid, unpaid under reminder, and the credit note."""
    this_month = today.replace(day=1)
    # the latest month whose invoices are past their J+15 reminder: one partly paid, one unpaid
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    while last_month + TERMS + timedelta(days=15) > today:
        last_month = (last_month - timedelta(days=1)).replace(day=1)
    credited = (this_month - timedelta(days=140)).replace(day=1)
    rents = [row for day, kind, row in events if kind == 1]
    extra: list[dict[str, object]] = []
    relances: list[dict[str, object]] = []
    partly = unpaid = cancelled = None
    for row in rents:
        day = row["Date"]
        assert isinstance(day, date)
        ttc = row["Montant TTC"]
        assert isinstance(ttc, float)
        if day > last_month:
            continue  # the most recent: still to pay
        if cancelled is None and day == credited:
            cancelled = row
            row["Statut"], row["Reste dû"] = "annulée par avoir", 0.0
            continue
        if day == last_month and partly is None:
            partly = row
            part = round(ttc / 2, 2)
            row["Statut"], row["Reste dû"] = "partiellement payée", round(ttc - part, 2)
            extra.append(_transfer(row, day + timedelta(days=12), part, members))
            continue
        if day == last_month and unpaid is None:
            unpaid = row
            reminded = day + TERMS + timedelta(days=15)
            member = members.get(row["Membre"])
            if reminded <= today and member is not None:
                relances.append(
                    {
                        "Membre": row["Membre"],
                        "Échéance": row["Échéance"],
                        "Relance": f"facture {row['N°']} J+15",
                        "Statut": "envoyée",
                        "Envoyée le": datetime.combine(reminded, time(9, 0)),
                        "Adresse": member.email,
                        "Message-ID": f"<demo-{row['N°']}-j15@mila.fr>",
                    }
                )
            continue
        paid_on = day + timedelta(days=10)
        row["Statut"], row["Payée le"], row["Reste dû"] = "payée", paid_on, 0.0
        extra.append(_transfer(row, paid_on, ttc, members))
    rows = [row for _, _, row in events]
    if cancelled is not None:
        day = cancelled["Date"]
        assert isinstance(day, date)
        when = day + timedelta(days=3)
        credit = {
            **cancelled,
            "N°": f"A{when.year}-0001",  # the demo's one credit note
            "Date": when,
            "Montant HT": -float(cancelled["Montant HT"]),  # type: ignore[arg-type]  # a float
            "TVA": -float(cancelled["TVA"]),  # type: ignore[arg-type]  # a float
            "Montant TTC": -float(cancelled["Montant TTC"]),  # type: ignore[arg-type]  # a float
            "Échéance": None,
            "Payée le": None,
            "Reste dû": None,
            "Statut": None,
            "Avoir de": cancelled["N°"],
        }
        rows.append(credit)
        rows.sort(key=lambda r: (str(r["Date"]), str(r["N°"])))
    first = len(payments) + 1
    for n, row in enumerate(extra, start=first):
        row["ID"] = f"P{n:05d}"
    return rows, extra, relances


def _transfer(row: dict[str, object], day: date, amount: float, members: dict[Any, Any]) -> dict[str, object]:
    member = members.get(row["Membre"])
    return {
        "Date": day,
        "Membre": row["Membre"],
        "Payeur": member.structure.upper() if member is not None else None,
        "Montant": amount,
        "Moyen": "virement",
        "Objet": "loyer",
        "Référence": f"VIR {day:%Y%m%d} LOYER {row['N°']}",
        "Source": f"import banque du {day + timedelta(days=2):%d/%m/%Y} (releve.csv)",
    }
