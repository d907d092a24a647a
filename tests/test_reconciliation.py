"""Payments reconciled to invoices by `mila synchroniser`: the invoice number quoted by a
bank label first, then amount and member; partial payments leave « Reste dû », overpaid
and unmatched amounts are anomalies, a credit note cancels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import FEE_HISTORY, XlsxBook

from automations import schema
from automations.clock import FixedClock
from automations.jobs.sync import run_sync
from automations.model.invoices import Invoice
from automations.model.payments import Payment
from automations.rules.membership import MembershipPolicy
from automations.rules.reconciliation import quoted_numbers, reconcile

TODAY = dt.date(2026, 6, 30)
CLOCK = FixedClock(dt.datetime(2026, 6, 30, 9, 0))
MEMBERS: list[list[object]] = [
    ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le"],
    ["M0001", "Le Fair", "Awa Diallo", "awa@lefair.fr", "bénéficiaire", "BASIC", "01/01/2024"],
    ["M0002", "Atelier Ficelle", "Jean Martin", "jean@ficelle.fr", "hébergé", None, "01/01/2024"],
]
PAYMENTS_HEADER: list[object] = [
    "ID",
    "Date",
    "Membre",
    "Payeur",
    "Montant",
    "Moyen",
    "Objet",
    "Référence",
    "Source",
]
INVOICES_HEADER: list[object] = [c.name for c in schema.FACTURES.columns]


def invoice(
    number: str, day: str, member: str, ht: int, purpose: str = "loyer", credit_of: str = ""
) -> list[object]:
    ttc = Decimal(ht) * Decimal("1.2")
    cells = {
        "N°": number,
        "Date": day,
        "Membre": member,
        "Client": member,
        "Objet": purpose,
        "Montant HT": ht,
        "TVA %": 20,
        "TVA": ttc - ht,
        "Montant TTC": ttc,
        "Avoir de": credit_of or None,
        "Statut": "émise",
    }
    return [cells.get(str(name)) for name in INVOICES_HEADER]


def book_of(tmp_path, payments: list[list[object]], invoices: list[list[object]]) -> XlsxBook:
    return XlsxBook(
        tmp_path,
        {
            "Membres": MEMBERS,
            "Tarifs": FEE_HISTORY,
            "Paiements": [PAYMENTS_HEADER, *payments],
            "Factures": [INVOICES_HEADER, *invoices],
        },
    )


def sync(book: XlsxBook) -> None:
    run_sync(book.open(), today=TODAY, policy=MembershipPolicy(), clock=CLOCK)


def table(book: XlsxBook, tab: str, key: str) -> dict[str, dict[str, object]]:
    grid = book.grid(tab)
    header = [str(h) for h in grid[0]]
    rows = [dict(zip(header, line + [None] * (len(header) - len(line)), strict=True)) for line in grid[1:]]
    return {str(r[key]): r for r in rows}


def day(value: object) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


class TestInSync:
    def test_a_bank_line_quoting_an_invoice_number_marks_it_paid(self, tmp_path):
        """A transfer whose label says « FACTURE F2026 0002 » settles F2026-0002: « Payée le »,
        « Reste dû » 0, « payée »; the payment's « Facture » names it."""
        book = book_of(
            tmp_path,
            [
                [
                    "P00001",
                    "12/05/2026",
                    None,
                    "VIR SEPA ATELIER FICELLE",
                    480,
                    "virement",
                    "loyer",
                    "banque 77 FACTURE F2026 0002",
                    "import banque",
                ]
            ],
            [
                invoice("F2026-0001", "01/05/2026", "M0001", 400),
                invoice("F2026-0002", "01/05/2026", "M0002", 400),
            ],
        )
        sync(book)
        invoices = table(book, "Factures", "N°")
        paid = invoices["F2026-0002"]
        assert (day(paid["Payée le"]), paid["Reste dû"], paid["Statut"]) == (dt.date(2026, 5, 12), 0, "payée")
        assert invoices["F2026-0001"]["Statut"] == "émise" and invoices["F2026-0001"]["Reste dû"] == 480
        assert table(book, "Paiements", "ID")["P00001"]["Facture"] == "F2026-0002"

    def test_a_partial_payment_leaves_the_right_remainder(self, tmp_path):
        """200 € on a 480 € invoice leaves 280 € « partiellement payée »; the rest, paid later
        by member and amount, makes it « payée » on that later day."""
        book = book_of(
            tmp_path,
            [
                [
                    "P00001",
                    "10/05/2026",
                    "M0002",
                    "Atelier Ficelle",
                    200,
                    "virement",
                    "loyer",
                    "F2026-0001 acompte",
                    "saisie",
                ]
            ],
            [invoice("F2026-0001", "01/05/2026", "M0002", 400)],
        )
        sync(book)
        first = table(book, "Factures", "N°")["F2026-0001"]
        assert (first["Payée le"], first["Reste dû"], first["Statut"]) == (None, 280, "partiellement payée")
        book.edit(
            "Paiements",
            {
                (3, i + 1): v
                for i, v in enumerate(
                    [
                        "P00002",
                        "02/06/2026",
                        "M0002",
                        "Atelier Ficelle",
                        280,
                        "virement",
                        "loyer",
                        "VIR-2",
                        "saisie",
                    ]
                )
            },
        )
        sync(book)
        done = table(book, "Factures", "N°")["F2026-0001"]
        assert (day(done["Payée le"]), done["Reste dû"], done["Statut"]) == (dt.date(2026, 6, 2), 0, "payée")
        assert table(book, "Paiements", "ID")["P00002"]["Facture"] == "F2026-0001"

    def test_overpaid_and_unmatched_amounts_are_anomalies(self, tmp_path):
        """500 € quoting a 480 € invoice: « Trop-perçu de 20 € »; 50 € from a member whose two
        open cotisation invoices await 144 € and 120 €: no invoice settled, an anomaly naming
        what is awaited."""
        book = book_of(
            tmp_path,
            [
                [
                    "P00001",
                    "10/05/2026",
                    "M0002",
                    "Atelier Ficelle",
                    500,
                    "virement",
                    "loyer",
                    "F2026-0001",
                    "saisie",
                ],
                ["P00002", "11/05/2026", "M0001", "Le Fair", 50, "virement", "cotisation", "VIR-9", "saisie"],
                [
                    "P00003",
                    "12/05/2026",
                    "M0001",
                    "Le Fair",
                    60,
                    "virement",
                    "cotisation",
                    "VIR-10",
                    "saisie",
                ],
            ],
            [
                invoice("F2026-0001", "01/05/2026", "M0002", 400),
                invoice("F2026-0002", "01/05/2026", "M0001", 120, "cotisation"),
                invoice("F2026-0003", "02/05/2026", "M0001", 100, "cotisation"),
            ],
        )
        sync(book)
        payments = table(book, "Paiements", "ID")
        assert "Trop-perçu de 20 €" in str(payments["P00001"]["Anomalies"])
        assert payments["P00001"]["Facture"] == "F2026-0001"
        assert payments["P00002"]["Facture"] is None
        assert "sans facture correspondante" in str(payments["P00002"]["Anomalies"])
        assert "F2026-0002 : 144 €" in str(payments["P00002"]["Anomalies"])
        assert table(book, "Factures", "N°")["F2026-0002"]["Statut"] == "émise"

    def test_a_credit_note_cancels_and_a_second_sync_writes_nothing(self, tmp_path):
        """An invoice its credit note cancels is « annulée par avoir », nothing due; a second
        run finds everything as it should be."""
        credit = invoice("A2026-0001", "05/05/2026", "M0001", -100, "autre", credit_of="F2026-0001")
        book = book_of(tmp_path, [], [invoice("F2026-0001", "01/05/2026", "M0001", 100, "autre"), credit])
        sync(book)
        cancelled = table(book, "Factures", "N°")["F2026-0001"]
        assert (cancelled["Reste dû"], cancelled["Statut"]) == (0, "annulée par avoir")
        assert table(book, "Factures", "N°")["A2026-0001"]["Statut"] == "émise"  # a credit note is left alone
        again = run_sync(book.open(), today=TODAY, policy=MembershipPolicy(), clock=CLOCK)
        assert again.cells_written == 0


class TestRule:
    @pytest.mark.parametrize(
        ("text", "found"),
        [
            ("VIR SEPA /MOTIF F2026-0012", ["F2026-0012"]),
            ("REF f 2026 0012 et F20260013", ["F2026-0012", "F2026-0013"]),
            ("CF2026-0012 REF2026", []),
        ],
    )
    def test_numbers_as_bank_labels_write_them(self, text, found):
        """Dashes, spaces and case vary; a number inside a longer word is not one."""
        assert quoted_numbers(text) == found

    def test_the_member_and_amount_rule_takes_the_oldest_equal_invoice(self):
        """Without a number, the member's oldest invoice awaiting exactly the amount is settled."""
        invoices = [
            Invoice(
                row=2,
                number="F2026-0001",
                date=dt.date(2026, 1, 1),
                member_id="M0001",
                amount_ttc=Decimal(120),
            ),
            Invoice(
                row=3,
                number="F2026-0002",
                date=dt.date(2026, 2, 1),
                member_id="M0001",
                amount_ttc=Decimal(120),
            ),
        ]
        paid = Payment(row=2, id="P00001", date=dt.date(2026, 2, 3), member_id="M0001", amount=Decimal(120))
        plan = reconcile(invoices, [paid])
        assert plan.payments[2].invoices == ("F2026-0001",)
        assert [plan.invoices[n].status for n in ("F2026-0001", "F2026-0002")] == ["payée", "émise"]


class TestIssuedPaid:
    def test_an_invoice_issued_paid_takes_that_days_payment_and_stays_paid(self):
        """« Acquittée le 02/03 »: the member's payment of 2 March settles it (not another
        open invoice of the same amount), and an invoice so issued without payment in the
        ledger stays « payée »."""
        march = dt.date(2026, 3, 2)
        invoices = [
            Invoice(
                row=2,
                number="F2026-0001",
                date=dt.date(2026, 1, 5),
                member_id="M0001",
                amount_ttc=Decimal(144),
            ),
            Invoice(
                row=3,
                number="F2026-0002",
                date=dt.date(2026, 3, 4),
                member_id="M0001",
                amount_ttc=Decimal(144),
                paid_on=march,
            ),
            Invoice(
                row=4,
                number="F2026-0003",
                date=dt.date(2026, 3, 4),
                member_id="M0002",
                amount_ttc=Decimal(60),
                paid_on=march,
            ),
        ]
        paid = Payment(row=2, id="P00001", date=march, member_id="M0001", amount=Decimal(144))
        plan = reconcile(invoices, [paid])
        assert plan.payments[2].invoices == ("F2026-0002",)
        assert plan.invoices["F2026-0001"].status == "émise"
        assert (plan.invoices["F2026-0003"].status, plan.invoices["F2026-0003"].paid_on) == ("payée", march)


def test_a_payment_before_an_invoice_is_neither_matched_nor_flagged():
    """A 2025 payment says nothing about the member's 2026 invoices (nor about rents when it pays a cotisation)."""
    invoices = [
        Invoice(
            row=2,
            number="F2026-0001",
            date=dt.date(2026, 1, 1),
            member_id="M0001",
            purpose="loyer",
            amount_ttc=Decimal(480),
        )
    ]
    payments = [
        Payment(row=2, id="P00001", date=dt.date(2025, 6, 1), member_id="M0001", amount=Decimal(480)),
        Payment(row=3, id="P00002", date=dt.date(2026, 2, 1), member_id="M0001", amount=Decimal(144)),
    ]
    plan = reconcile(invoices, payments)
    assert plan.payments == {} and plan.invoices["F2026-0001"].status == "émise"
