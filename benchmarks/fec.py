"""Accounting export: the FEC and CSV journal of a year of 10,000 payments.

Issue 21: « the FEC of a 10,000-payment year ». A workbook of 2,000 members, 6,000 invoices of
the year (cotisations, rents, bookings) and one credit note per hundred invoices, and 10,000
payments (half quoting an invoice number in the bank label, a quarter found by member and
amount, a tenth cash deposits, dons, payers not identified) is held in memory; ``mila compta``
runs on it whole: one read, the evaluation, the reconciliation, the entries, both files
written. The FEC is checked to balance.

    .venv/bin/python -m benchmarks.fec [--quick]
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from automations import schema
from automations.clock import FixedClock
from automations.config import Settings
from automations.jobs.accounting import run_accounting
from automations.jobs.context import RunContext
from automations.settings import BillingSettings
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

from .data import BenchResult, Grid, Verdict, md_table, seconds, tarifs_grid

TITLE = "Accounting export: the FEC of a year of payments"
FULL = (2_000, 6_000, 10_000)  # members, invoices, payments
QUICK = (200, 600, 1_000)
TARGET_S = 20.0  # on the shared 2-core machine, loaded
YEAR = 2026
PAYMENTS_HEADER = ["ID", "Date", "Membre", "Payeur", "Montant", "Moyen", "Objet", "Référence", "Source"]


def workbook(members: int, invoices: int, payments: int, seed: int = 21) -> dict[str, Grid]:
    rng = random.Random(seed)
    start = dt.date(YEAR, 1, 1)
    member_rows: Grid = [["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le"]]
    for n in range(1, members + 1):
        member_rows.append(
            [
                f"M{n:04d}",
                f"Structure {n}",
                f"Contact {n}",
                f"m{n}@exemple.fr",
                "bénéficiaire",
                "BASIC",
                "01/01/2024",
            ]
        )
    header = [c.name for c in schema.FACTURES.columns]
    invoice_rows: Grid = [header]
    issued: list[tuple[str, str, Decimal, dt.date]] = []
    for n in range(1, invoices + 1):
        member = f"M{rng.randint(1, members):04d}"
        purpose = rng.choice(("cotisation", "loyer", "loyer", "réservation"))
        ht = Decimal(rng.choice((120, 170, 400, 550, 60)))
        day = start + dt.timedelta(days=rng.randrange(360))
        number = f"F{YEAR}-{n:04d}"
        cells = {
            "N°": number,
            "Date": day,
            "Membre": member,
            "Objet": purpose,
            "Montant HT": ht,
            "TVA %": 20,
            "TVA": ht / 5,
            "Montant TTC": ht * Decimal("1.2"),
            "Statut": "émise",
        }
        invoice_rows.append([cells.get(name) for name in header])
        issued.append((number, member, ht * Decimal("1.2"), day))
    for n, (number, member, ttc, day) in enumerate(issued[: invoices // 100], start=1):
        cells = {
            "N°": f"A{YEAR}-{n:04d}",
            "Date": day + dt.timedelta(days=3),
            "Membre": member,
            "Objet": "autre",
            "Montant HT": -ttc / Decimal("1.2"),
            "TVA %": 20,
            "TVA": -ttc / 6,
            "Montant TTC": -ttc,
            "Avoir de": number,
        }
        invoice_rows.append([cells.get(name) for name in header])
    payment_rows: Grid = [PAYMENTS_HEADER]
    for n in range(1, payments + 1):
        pid = f"P{n:05d}"
        kind = rng.random()
        number, member, ttc, day = issued[rng.randrange(len(issued))]
        paid_on = min(day + dt.timedelta(days=rng.randrange(40)), dt.date(YEAR, 12, 31))
        if kind < 0.5:  # quotes the invoice number
            row = [
                pid,
                paid_on,
                member,
                f"VIR {member}",
                ttc,
                "virement",
                "loyer",
                f"VIR {n} {number}",
                "banque",
            ]
        elif kind < 0.75:  # member and amount
            row = [
                pid,
                paid_on,
                member,
                f"Structure {member}",
                ttc,
                "HelloAsso",
                "cotisation",
                f"HA {n}",
                "HA",
            ]
        elif kind < 0.85:  # partial, cash
            row = [pid, paid_on, member, "", ttc / 2, "espèces", "loyer", f"{number} acompte {n}", "saisie"]
        elif kind < 0.95:  # a gift
            row = [
                pid,
                paid_on,
                None,
                f"Donateur {n}",
                Decimal(rng.randint(10, 200)),
                "chèque",
                "don",
                f"D{n}",
                "x",
            ]
        else:  # a payer not identified
            row = [
                pid,
                paid_on,
                None,
                f"VIR INCONNU {n}",
                Decimal(75),
                "virement",
                "autre",
                f"U{n}",
                "banque",
            ]
        payment_rows.append(row)
    return {
        "Membres": member_rows,
        "Tarifs": tarifs_grid(),
        "Paiements": payment_rows,
        "Factures": invoice_rows,
    }


def measure(members: int, invoices: int, payments: int) -> dict[str, float | int | bool]:
    grids = workbook(members, invoices, payments)
    settings = Settings(billing=BillingSettings(enabled=True, siret="73282932000074"))
    with tempfile.TemporaryDirectory() as folder:
        context = RunContext(
            settings,
            FixedClock(dt.datetime(YEAR + 1, 1, 15, 9, 0)),
            today=dt.date(YEAR + 1, 1, 15),
            workbook=Workbook(MemoryBackend(grids)),
        )
        started = time.perf_counter()
        result = run_accounting(context, year=YEAR, folder=Path(folder))
        elapsed = time.perf_counter() - started
        assert result.fec is not None
        size = result.fec.stat().st_size
    return {
        "seconds": elapsed,
        "entries": result.entries,
        "lines": result.lines,
        "payments": result.payments,
        "invoices": result.invoices,
        "balanced": result.balanced,
        "bytes": size,
    }


def run(quick: bool = False) -> BenchResult:
    members, invoices, payments = QUICK if quick else FULL
    m = measure(members, invoices, payments)
    verdicts = (
        Verdict(
            f"compta: FEC of a year ≤ {TARGET_S:g} s", seconds(float(m["seconds"])), m["seconds"] <= TARGET_S
        ),
        Verdict(
            "compta: every entry balances, totals equal the tabs", str(m["balanced"]), bool(m["balanced"])
        ),
    )
    table = md_table(
        ["", "value"],
        [
            [
                "members · invoices and credit notes · payments",
                f"{members:,} · {m['invoices']:,} · {m['payments']:,}",
            ],
            ["entries · lines of the FEC", f"{m['entries']:,} · {m['lines']:,}"],
            ["FEC size", f"{int(m['bytes']) / 1e6:.1f} MB"],
            [
                "`mila compta` whole (read, evaluate, reconcile, entries, two files)",
                seconds(float(m["seconds"])),
            ],
        ],
    )
    section = f"### {TITLE}\n\n{__doc__.split(chr(10) + chr(10))[1]}\n\n{table}\n"
    return BenchResult(TITLE, section, verdicts)


if __name__ == "__main__":  # pragma: no cover
    import sys

    result = run(quick="--quick" in sys.argv)
    print(result.markdown_section)
