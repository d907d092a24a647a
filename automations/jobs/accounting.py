"""`mila compta --annee AAAA --dossier DOSSIER`: the year's entries for the treasurer.

From the run's one state (``Factures`` and ``Paiements``, reconciled by
``rules.reconciliation``), the pure rule ``rules.accounting`` builds the entries; this job
writes them as two files in the folder:

- ``SIRENFECAAAAMMJJ.txt``: the FEC, the 18 official columns in order, tab-separated,
  dates ``AAAAMMJJ``, amounts ``1234,50``, encoded ISO 8859-15, named with the SIREN and the
  closing date of the year (31 December);
- ``journal-AAAA.csv``: the same entries as a plain journal for a spreadsheet (``;``,
  UTF-8 with BOM, French dates).

It writes nothing to the workbook. The totals are checked against the tabs: the sales
journal equals the year's ``Factures`` (credit notes deducted), the bank and cash
journals its ``Paiements``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import schema
from ..errors import BillingError, NoDataForYear, OutputError, SchemaError
from ..formatting import format_money
from ..rules.accounting import ChartOfAccounts, Ledger, build_ledger, csv_rows, fec_rows
from ..rules.reconciliation import reconcile
from ..runner import NOTHING, SUCCESS, Outcome
from .context import RunContext

log = logging.getLogger(__name__)
# What ISO 8859-15 lacks and French text uses: typographic marks, spelled plainly.
_PLAIN = (
    ("–", "-"),
    ("—", "-"),
    ("’", "'"),
    ("‘", "'"),
    ("«", '"'),
    ("»", '"'),
    ("\u202f", " "),
    ("…", "..."),
)


@dataclass
class AccountingResult:
    year: int
    folder: Path
    fec: Path | None = None
    journal: Path | None = None
    entries: int = 0
    lines: int = 0
    invoices: int = 0
    invoices_ttc: Decimal = Decimal(0)
    payments: int = 0
    payments_total: Decimal = Decimal(0)
    debit: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    sales_total: Decimal = Decimal(0)  # 411 debit − credit in the sales journal
    treasury_total: Decimal = Decimal(0)  # 512 + 530 debit − credit
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def journal_lost(self) -> bool:
        return False  # the workbook is not written: no Journal line to lose

    @property
    def balanced(self) -> bool:
        return (
            self.debit == self.credit
            and self.sales_total == self.invoices_ttc
            and self.treasury_total == self.payments_total
        )

    def outcome(self) -> Outcome:
        if not self.entries:
            return Outcome(NOTHING, f"aucune écriture pour {self.year}")
        return Outcome(SUCCESS, f"{self.entries} écriture(s) de {self.year} dans {self.fec}")

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "fec": str(self.fec) if self.fec else None,
            "journal": str(self.journal) if self.journal else None,
            "entries": self.entries,
            "lines": self.lines,
            "invoices": self.invoices,
            "invoices_ttc": str(self.invoices_ttc),
            "payments": self.payments,
            "payments_total": str(self.payments_total),
            "debit": str(self.debit),
            "credit": str(self.credit),
            "balanced": self.balanced,
            "skipped": self.skipped,
        }

    def report(self) -> list[str]:
        """What the command prints, in French."""
        check = "ok" if self.balanced else "ÉCART : prévenez la personne qui maintient l'outil"
        return [
            f"Exercice {self.year} : {_count(self.entries)} écriture(s), {_count(self.lines)} ligne(s).",
            f"  Ventes : {self.invoices} facture(s) et avoir(s), {format_money(self.invoices_ttc)} TTC "
            f"(onglet Factures) = {format_money(self.sales_total)} au débit net du compte adhérents.",
            f"  Encaissements : {self.payments} paiement(s), {format_money(self.payments_total)} "
            f"(onglet Paiements) = {format_money(self.treasury_total)} en banque et caisse.",
            f"  Total débit {format_money(self.debit)}, total crédit {format_money(self.credit)} : {check}.",
            f"FEC : {self.fec}",
            f"Journal (tableur) : {self.journal}",
        ]


def _count(number: int) -> str:
    """``1 942``: a count as French writes it (narrow no-break space)."""
    return f"{number:,}".replace(",", "\u202f")


def siren_of(ctx: RunContext) -> str:
    """The association's SIREN: the first 9 digits of ``[billing] siret``, else ``[association] siret``."""
    siret = ctx.settings.billing.siret or ctx.settings.association.siret
    digits = "".join(c for c in siret if c.isdigit())
    if len(digits) < 9:
        raise BillingError(
            "SIREN de l'association inconnu : le nom du fichier FEC commence par lui. Renseignez "
            'siret = "…" dans la section [billing] (ou [association]) de la configuration, puis relancez.'
        )
    return digits[:9]


def chart_of(ctx: RunContext) -> ChartOfAccounts:
    a = ctx.settings.billing.accounts
    return ChartOfAccounts(
        members=a.members,
        fees=a.fees,
        rents=a.rents,
        bookings=a.bookings,
        other=a.other,
        vat_collected=a.vat_collected,
        bank=a.bank,
        cash=a.cash,
        donations=a.donations,
        suspense=a.suspense,
    )


def year_ledger(ctx: RunContext, year: int) -> Ledger:
    """The year's entries, from the run's one state."""
    state = ctx.state
    problems = [
        p.message
        for p in state.evaluation.schema_problems
        if p.tab in (schema.FACTURES.name, schema.PAIEMENTS.name, schema.MEMBRES.name)
    ]
    if problems:
        raise SchemaError(" ".join(problems))
    invoices, payments = state.invoices, state.dataset.payments
    rent_vat = ctx.settings.association.rent_vat_percent
    return build_ledger(
        year,
        invoices,
        payments,
        state.dataset.members,
        reconcile(invoices, payments),
        chart_of(ctx),
        vat_registered=ctx.settings.billing.vat_registered,
        vat_percent={
            "cotisation": Decimal(20),
            "loyer": rent_vat,
            "réservation": rent_vat,
            "autre": Decimal(20),
        },
    )


def fec_text(rows: list[list[str]]) -> bytes:
    text = "".join("\t".join(row) + "\r\n" for row in rows)
    for mark, plain in _PLAIN:
        if mark in text:
            text = text.replace(mark, plain)
    return text.encode("iso8859_15", "replace")


def csv_text(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def run_accounting(ctx: RunContext, *, year: int, folder: Path) -> AccountingResult:
    """Write the year's FEC and CSV journal into ``folder`` (created if needed)."""
    started = time.monotonic()
    siren = siren_of(ctx)
    ledger = year_ledger(ctx, year)
    if not ledger.entries:
        raise NoDataForYear(
            f"Aucune facture ni aucun paiement daté de {year} dans les onglets Factures et Paiements : "
            "vérifiez l'année (--annee) ; aucun fichier n'a été écrit."
        )
    chart = chart_of(ctx)
    result = AccountingResult(year, folder, skipped=list(ledger.skipped))
    result.entries = len(ledger.entries)
    result.lines = sum(len(e.lines) for e in ledger.entries)
    result.invoices, result.invoices_ttc = ledger.invoices, ledger.invoices_ttc
    result.payments, result.payments_total = ledger.payments, ledger.payments_total
    result.debit, result.credit = ledger.debit, ledger.credit
    result.sales_total = ledger.total(["VE"], chart.members, "debit") - ledger.total(
        ["VE"], chart.members, "credit"
    )
    result.treasury_total = sum(
        (
            ledger.total(["BQ", "CA"], account, "debit") - ledger.total(["BQ", "CA"], account, "credit")
            for account in {chart.bank, chart.cash}
        ),
        Decimal(0),
    )
    closing = dt.date(year, 12, 31)
    result.fec = folder / f"{siren}FEC{closing:%Y%m%d}.txt"
    result.journal = folder / f"journal-{year}.csv"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        result.fec.write_bytes(fec_text(fec_rows(ledger, chart, ctx.today)))
        result.journal.write_bytes(csv_text(csv_rows(ledger, chart)))
    except OSError as exc:
        raise OutputError(
            f"Impossible d'écrire dans « {folder} » ({exc.strerror or type(exc).__name__}) : choisissez un "
            "dossier où vous pouvez écrire (--dossier) ; fermez le fichier s'il est ouvert dans un tableur."
        ) from None
    result.seconds = time.monotonic() - started
    log.info("compta %d: %d entries, %d lines, %.2fs", year, result.entries, result.lines, result.seconds)
    return result
