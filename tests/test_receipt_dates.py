"""Receipts are never backdated: dated the day they are produced, signed by the officer in
office that day, and without any VAT line when the association is not VAT-registered."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import XlsxBook
from test_ledger_receipts import NBSP, receipts, workbook
from test_receipts_attendance import text_of

from automations.settings import BillingSettings

MONTHS = {
    "janvier": 1,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
}
LATER = dt.date(2026, 12, 7)


def board_over_time() -> dict[str, list[list[object]]]:
    """The test workbook, with a treasurer who left in 2024 and the one in office since."""
    book = workbook()
    book["Conseil"] = [
        ["Nom", "Civilité", "Fonction", "Entrée", "Sortie"],
        ["Henri Vasseur", "M.", "Trésorier", "01/06/2019", "30/06/2024"],
        ["Nadia Giraud", "Mme", "Trésorière", "01/07/2024", None],
    ]
    book["Paiements"].append(
        ["P00006", "28/11/2021", "M0001", "Onde Claire", 120, "chèque", "cotisation", "CHQ-2021", "saisie"]
    )
    return book


def dates_in(text: str) -> list[dt.date]:
    found = re.findall(r"(\d{1,2})(?:er)?\u00a0(\w+) (\d{4})", text)
    return [dt.date(int(y), MONTHS[m], int(d)) for d, m, y in found if m in MONTHS]


class TestReceiptDay:
    def test_no_receipt_is_dated_before_the_day_it_is_produced(self, tmp_path: Path) -> None:
        """Produced on 7 December 2026, a receipt for a 2021 payment says « Émis le » and
        « Fait à Paris, le » that day; the payment's day is only « paiement reçu le »."""
        book = XlsxBook(tmp_path, board_over_time())
        result = receipts(book, tmp_path, today=LATER)
        assert result.written
        for path in (w.path for w in result.written):
            text = text_of(path)
            assert (
                f"Émis le 7{NBSP}décembre 2026" in text and f"Fait à Paris, le 7{NBSP}décembre 2026." in text
            )
        old = next(w.path for w in result.written if "2021-" in w.path.name)
        text = text_of(old)
        assert f"(paiement reçu le 28{NBSP}novembre 2021)" in text
        assert "émis le 28" not in text.casefold()

    def test_signed_by_the_officer_in_office_the_day_it_is_produced(self, tmp_path: Path) -> None:
        """A 2021 receipt produced in 2026 is signed by today's treasurer, not the one who left in 2024."""
        book = XlsxBook(tmp_path, board_over_time())
        result = receipts(book, tmp_path, today=LATER)
        text = text_of(next(w.path for w in result.written if "2021-" in w.path.name))
        assert "Mme Nadia Giraud, trésorière" in text and "Vasseur" not in text

    def test_an_unchanged_receipt_is_not_produced_again_the_next_day(self, tmp_path: Path) -> None:
        """The next day's run leaves yesterday's files alone: their day stays the day they were made."""
        book = XlsxBook(tmp_path, board_over_time())
        first = receipts(book, tmp_path, today=LATER)
        again = receipts(book, tmp_path, today=LATER + dt.timedelta(days=1))
        assert again.written == [] and len(again.unchanged) == len(first.written)


class TestWithoutVat:
    def test_no_vat_line_and_the_exemption_mention(self, tmp_path: Path) -> None:
        """Not VAT-registered: one amount column, no « TVA » nor « HT » nor « toutes taxes
        comprises », and the mention the association configured."""
        book = XlsxBook(tmp_path, workbook())
        billing = BillingSettings(
            vat_registered=False, vat_exemption_mention="TVA non applicable, art. 293 B du CGI"
        )
        result = receipts(book, tmp_path, billing=billing)
        assert result.written
        for path in (w.path for w in result.written):
            text = text_of(path)
            assert "Désignation | Montant" in text and "TVA non applicable, art. 293 B du CGI" in text
            assert "TVA (" not in text and " HT" not in text and "toutes taxes comprises" not in text
        studio = text_of(next(w.path for w in result.written if "Studio-Nord" in w.path.name))
        assert f"Total | 192{NBSP}€" in studio

    def test_vat_registered_keeps_the_vat_columns(self, tmp_path: Path) -> None:
        """VAT-registered (the default): HT, TVA and TTC columns, and no exemption mention."""
        book = XlsxBook(tmp_path, workbook())
        result = receipts(book, tmp_path, billing=BillingSettings(vat_registered=True))
        studio = text_of(next(w.path for w in result.written if "Studio-Nord" in w.path.name))
        assert f"Total | 160{NBSP}€ | 32{NBSP}€ | 192{NBSP}€" in studio
        assert "293 B" not in studio
