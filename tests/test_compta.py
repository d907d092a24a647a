"""`mila compta`: the year's FEC balances, holds every invoice and payment of the year with
the accounts of ``[billing.accounts]``, letters paid invoices, and matches the tabs' totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FEE_HISTORY, XlsxBook
from test_reconciliation import INVOICES_HEADER, MEMBERS, PAYMENTS_HEADER, invoice

from automations.cli import main
from automations.rules.accounting import FEC_COLUMNS

SIRET = "73282932000074"
PAYMENTS: list[list[object]] = [
    # settles F2026-0001 (480) by its number
    [
        "P00001",
        "12/05/2026",
        "M0002",
        "Atelier Ficelle",
        480,
        "virement",
        "loyer",
        "FACT F2026-0001",
        "banque",
    ],
    # half of F2026-0002 (144), cash
    ["P00002", "20/05/2026", "M0001", "Le Fair", 44, "espèces", "cotisation", "F2026-0002", "saisie"],
    # a gift, no invoice
    ["P00003", "21/05/2026", None, "Jeanne Don", 50, "chèque", "don", "CHQ-1", "saisie"],
    # from nobody identified yet
    ["P00004", "22/05/2026", None, "VIR INCONNU", 30, "virement", "autre", "VIR-4", "banque"],
    # another year: not in the 2026 file
    ["P00005", "03/01/2025", "M0001", "Le Fair", 144, "virement", "cotisation", "VIR-0", "saisie"],
]
INVOICES = [
    invoice("F2026-0001", "01/05/2026", "M0002", 400),
    invoice("F2026-0002", "02/05/2026", "M0001", 120, "cotisation"),
    invoice("F2026-0003", "03/05/2026", "M0001", 50, "autre"),
    invoice("A2026-0001", "04/05/2026", "M0001", -50, "autre", credit_of="F2026-0003"),
    invoice("F2025-0009", "15/12/2025", "M0001", 120, "cotisation"),
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[int, str, Path]:
    """The 2026 export of a small workbook, through the command line, once for the module."""
    folder = tmp_path_factory.mktemp("compta")
    book = XlsxBook(
        folder,
        {
            "Membres": MEMBERS,
            "Tarifs": FEE_HISTORY,
            "Paiements": [PAYMENTS_HEADER, *PAYMENTS],
            "Factures": [INVOICES_HEADER, *INVOICES],
        },
    )
    config = folder / "mila.toml"
    config.write_text(f'[billing]\nenabled = true\nsiret = "{SIRET}"\n', encoding="utf-8")
    out = io.StringIO()
    code = main(
        ["compta", "--annee", "2026", "--dossier", str(folder / "sortie"), "--config", str(config)]
        + ["--classeur", str(book.path), "--date", "2026-12-07"],
        out=out,
    )
    return code, out.getvalue(), folder / "sortie"


def fec_lines(folder: Path) -> list[dict[str, str]]:
    text = (folder / "732829320FEC20261231.txt").read_bytes().decode("iso8859_15")
    rows = [line.split("\t") for line in text.split("\r\n") if line]
    assert rows[0] == list(FEC_COLUMNS)
    assert all(len(row) == 18 for row in rows)
    return [dict(zip(FEC_COLUMNS, row, strict=True)) for row in rows[1:]]


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


class TestFec:
    def test_the_command_says_the_totals_match(self, exported):
        """Exit 0; the French report gives the tabs' totals and the file's, and says they match."""
        code, out, _ = exported
        assert code == 0, out
        assert "5 facture(s) et avoir(s)" not in out  # the 2025 invoice is not in 2026
        assert "4 facture(s) et avoir(s)" in out and "4 paiement(s)" in out
        assert ": ok." in out

    def test_every_entry_balances_and_the_file_is_well_formed(self, exported):
        """18 columns in order, AAAAMMJJ dates, comma amounts, and each EcritureNum balances."""
        lines = fec_lines(exported[2])
        by_entry: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for line in lines:
            assert len(line["EcritureDate"]) == 8 and line["EcritureDate"].startswith("2026")
            assert "," in line["Debit"] and "." not in line["Debit"]
            by_entry[line["EcritureNum"]][0] += amount(line["Debit"])
            by_entry[line["EcritureNum"]][1] += amount(line["Credit"])
        assert by_entry and all(debit == credit for debit, credit in by_entry.values())

    def test_every_invoice_and_payment_of_the_year_is_there(self, exported):
        """Each 2026 invoice, credit note and payment is a piece; nothing of 2025."""
        pieces = {line["PieceRef"] for line in fec_lines(exported[2])}
        assert pieces == {
            "F2026-0001",
            "F2026-0002",
            "F2026-0003",
            "A2026-0001",
            "P00001",
            "P00002",
            "P00003",
            "P00004",
        }

    def test_accounts_sales_vat_payments_and_lettering(self, exported):
        """A sale debits 411 (the member as auxiliary account) and credits its revenue and
        44571; the credit note is reversed; cash is 530, a gift 754, an unknown payer 471;
        the paid invoice and its payment share a lettering code and date."""
        lines = fec_lines(exported[2])

        def of(piece: str) -> list[tuple[str, str, Decimal, Decimal]]:
            return sorted(
                (line["CompteNum"], line["CompAuxNum"], amount(line["Debit"]), amount(line["Credit"]))
                for line in lines
                if line["PieceRef"] == piece
            )

        assert of("F2026-0001") == [
            ("411", "M0002", Decimal(480), Decimal(0)),
            ("44571", "", Decimal(0), Decimal(80)),
            ("706", "", Decimal(0), Decimal(400)),
        ]
        assert of("A2026-0001") == [
            ("411", "M0001", Decimal(0), Decimal(60)),
            ("44571", "", Decimal(10), Decimal(0)),
            ("708", "", Decimal(50), Decimal(0)),
        ]
        assert of("P00002") == [
            ("411", "M0001", Decimal(0), Decimal(44)),
            ("530", "", Decimal(44), Decimal(0)),
        ]
        assert of("P00003") == [("512", "", Decimal(50), Decimal(0)), ("754", "", Decimal(0), Decimal(50))]
        assert of("P00004") == [("471", "", Decimal(0), Decimal(30)), ("512", "", Decimal(30), Decimal(0))]
        lettered = {
            (line["PieceRef"], line["EcritureLet"], line["DateLet"]) for line in lines if line["EcritureLet"]
        }
        code = next(letter for piece, letter, _ in lettered if piece == "F2026-0001")
        assert lettered == {("F2026-0001", code, "20260512"), ("P00001", code, "20260512")}
        assert {line["JournalCode"] for line in lines} == {"VE", "BQ", "CA"}

    def test_the_totals_equal_the_tabs(self, exported):
        """Sales journal 411 net = the year's Factures TTC; bank and cash net = its Paiements."""
        lines = fec_lines(exported[2])
        sales = sum(
            amount(x["Debit"]) - amount(x["Credit"])
            for x in lines
            if x["JournalCode"] == "VE" and x["CompteNum"] == "411"
        )
        treasury = sum(
            amount(x["Debit"]) - amount(x["Credit"]) for x in lines if x["CompteNum"] in ("512", "530")
        )
        assert sales == Decimal(480 + 144 + 60 - 60)
        assert treasury == Decimal(480 + 44 + 50 + 30)

    def test_the_csv_journal_has_the_same_lines(self, exported):
        """The CSV journal (« ; », UTF-8) has one row per FEC line, French headers and dates."""
        text = (exported[2] / "journal-2026.csv").read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0][:4] == ["Journal", "N° écriture", "Date", "Compte"]
        assert len(rows) - 1 == len(fec_lines(exported[2]))
        assert any(r[0] == "Ventes" and r[2] == "01/05/2026" for r in rows[1:])


class TestErrors:
    def test_without_siren_a_french_error(self, tmp_path, capsys):
        """No SIRET configured: exit 2 and a sentence saying where to put it; no file."""
        book = XlsxBook(tmp_path, {"Membres": MEMBERS, "Paiements": [PAYMENTS_HEADER, *PAYMENTS]})
        (tmp_path / "mila.toml").write_text("", encoding="utf-8")
        out = io.StringIO()
        code = main(
            [
                "compta",
                "--annee",
                "2026",
                "--dossier",
                str(tmp_path / "s"),
                "--config",
                str(tmp_path / "mila.toml"),
            ]
            + ["--classeur", str(book.path)],
            out=out,
        )
        said = capsys.readouterr().err + out.getvalue()
        assert code == 2
        assert "SIREN" in said and "[billing]" in said
        assert not (tmp_path / "s").exists()

    def test_a_year_without_anything_says_so(self, exported, tmp_path):
        """A year with no invoice nor payment: exit 2, nothing written."""
        folder = exported[2].parent
        code = main(
            [
                "compta",
                "--annee",
                "2019",
                "--dossier",
                str(tmp_path / "s"),
                "--config",
                str(folder / "mila.toml"),
            ]
            + ["--classeur", str(folder / "classeur.xlsx"), "--json"],
            out=io.StringIO(),
        )
        assert code == 2 and not (tmp_path / "s").exists()


def test_json_output(exported, tmp_path):
    """--json gives the counts, the totals and ``balanced``."""
    folder = exported[2].parent
    out = io.StringIO()
    main(
        ["compta", "--annee", "2026", "--dossier", str(tmp_path), "--config", str(folder / "mila.toml")]
        + ["--classeur", str(folder / "classeur.xlsx"), "--json", "--date", "2026-12-07"],
        out=out,
    )
    data = json.loads(out.getvalue())
    assert data["balanced"] is True and data["invoices"] == 4 and data["payments"] == 4
    assert data["fec"].endswith("732829320FEC20261231.txt")
    assert dt.date(2026, 12, 31).strftime("%Y%m%d") in data["fec"]


class TestWithoutInvoice:
    """A cotisation paid without invoice goes to its revenue account, its VAT extracted only
    when the association is VAT-registered."""

    def ledger(self, vat_registered: bool):
        from automations.model.payments import Payment
        from automations.rules.accounting import ChartOfAccounts, build_ledger
        from automations.rules.reconciliation import reconcile

        paid = Payment(row=2, id="P00001", date=dt.date(2026, 3, 2), member_id="M0001", amount=Decimal(144))
        return build_ledger(
            2026,
            [],
            [paid],
            [],
            reconcile([], [paid]),
            ChartOfAccounts(),
            vat_registered=vat_registered,
            vat_percent={"cotisation": Decimal(20)},
        )

    def test_vat_registered(self):
        """144 € TTC: 512 debit 144, 756 credit 120, 44571 credit 24."""
        [entry] = self.ledger(True).entries
        assert sorted((x.account, x.debit, x.credit) for x in entry.lines) == [
            ("44571", 0, 24),
            ("512", 144, 0),
            ("756", 0, 120),
        ]

    def test_not_vat_registered(self):
        """Not VAT-registered: no 44571 line, the whole amount to 756."""
        [entry] = self.ledger(False).entries
        assert sorted((x.account, x.debit, x.credit) for x in entry.lines) == [
            ("512", 144, 0),
            ("756", 0, 144),
        ]
