"""The fees received in the year, from the ``Paiements`` ledger, in the annual report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from test_report_document import paragraphs, tables
from test_report_figures import GRIDS, TODAY, dataset

from automations.report.data import Compared
from automations.report.figures import compute_report
from automations.report.writer import write_report

HEADER: list[object] = ["ID", "Date", "Membre", "Payeur", "Montant", "Moyen", "Objet", "Référence", "Source"]

# 2024: hébergés M1 (office all year) and M2 (office from 01/07/2024) 300 € each; M4 BASIC
# 120 € then refunded; M5 PREMIUM 216 €; 50 € from nobody known; a rent, not a fee.
# 2023: M1 300 €, M3 300 € (hébergé then: office until 29/02/2024), M4 BASIC 120 €.
LEDGER: list[list[object]] = [
    HEADER,
    ["P00001", "01/02/2023", "M0004", None, 120, "virement", "cotisation", None, None],
    ["P00002", "01/03/2023", "M0001", None, 300, "virement", "cotisation", None, None],
    ["P00003", "01/06/2023", "M0003", None, 300, "chèque", "cotisation", None, None],
    ["P00004", "01/03/2024", "M0001", None, 300, "virement", "cotisation", None, None],
    ["P00005", "01/04/2024", "M0004", None, 120, "virement", "cotisation", None, None],
    ["P00006", "01/05/2024", "M0005", None, 216, "HelloAsso", "cotisation", None, None],
    ["P00007", "01/08/2024", "M0002", None, 300, "virement", "cotisation", None, None],
    ["P00008", "01/09/2024", None, "Inconnu", 50, "virement", "cotisation", None, None],
    ["P00009", "01/10/2024", "M0004", None, -120, "virement", "cotisation", None, None],
    ["P00010", "01/10/2024", "M0002", None, 400, "virement", "loyer", None, None],
]


def with_ledger(ledger: list[list[object]]) -> dict[str, list[list[object]]]:
    return {**GRIDS, "Paiements": ledger}


def test_fees_by_category_and_forfait_against_the_year_before() -> None:
    """Counts and amounts per line, refunds deducted in their year, the rent left out."""
    fees = compute_report(dataset(with_ledger(LEDGER)), 2024, TODAY).fees_received
    assert fees is not None
    assert [(f.label, f.count, f.amount) for f in fees.lines] == [
        ("Hébergé·es", Compared(2, 2), Compared(Decimal(600), Decimal(600))),
        ("Bénéficiaires BASIC", Compared(1, 1), Compared(Decimal(0), Decimal(120))),
        ("Bénéficiaires PREMIUM", Compared(1, 0), Compared(Decimal(216), Decimal(0))),
        ("Paiements sans membre", Compared(1, 0), Compared(Decimal(50), Decimal(0))),
    ]
    assert fees.count == Compared(5, 3) and fees.amount == Compared(Decimal(866), Decimal(720))
    assert fees.refunds == Decimal(120)


def test_the_report_says_it_and_shows_the_table() -> None:
    """One sentence with the year before, the table by category, the note on refunds."""
    rendered = write_report(
        compute_report(dataset(with_ledger(LEDGER)), 2024, TODAY), association="MILA", with_charts=False
    )
    text = paragraphs(rendered.data)
    assert "En 2024, 5 cotisations ont été reçues pour un total de 866 € TTC (versus 720 € en 2023)." in text
    table = next(t for t in tables(rendered.data) if t[0][0] == "Catégorie et forfait")
    assert table == [
        ["Catégorie et forfait", "Cotisations", "Montant 2024", "Montant 2023"],
        ["Hébergé·es", "2", "600 €", "600 €"],
        ["Bénéficiaires BASIC", "1", "0 €", "120 €"],
        ["Bénéficiaires PREMIUM", "1", "216 €", "0 €"],
        ["Paiements sans membre", "1", "50 €", "0 €"],
        ["Total", "5", "866 €", "720 €"],
    ]
    assert any("120 € remboursés, déduits" in p for p in text)


def test_unchanged_total_reads_as_the_year_before() -> None:
    """The same total as the year before: « comme en 2023 »."""
    ledger: list[list[object]] = [
        HEADER,
        ["P00001", "01/03/2023", "M0001", None, 300, "virement", "cotisation", None, None],
        ["P00002", "01/03/2024", "M0001", None, 300, "virement", "cotisation", None, None],
    ]
    rendered = write_report(
        compute_report(dataset(with_ledger(ledger)), 2024, TODAY), association="MILA", with_charts=False
    )
    assert "En 2024, 1 cotisation a été reçue pour un total de 300 € TTC (comme en 2023)." in paragraphs(
        rendered.data
    )


def test_no_ledger_no_fees_section() -> None:
    """Without a « Paiements » tab the report says nothing of the fees received."""
    data = compute_report(dataset(), 2024, TODAY)
    assert data.fees_received is None
    rendered = write_report(data, association="MILA", with_charts=False)
    assert not any("ont été reçues" in p or "a été reçue" in p for p in paragraphs(rendered.data))
    assert not any(t[0][0] == "Catégorie et forfait" for t in tables(rendered.data))


def test_a_year_in_progress_counts_to_the_day_of_the_report() -> None:
    """For the year in progress, payments after ``today`` are not counted."""
    ledger: list[list[object]] = [
        *LEDGER,
        ["P00011", "01/03/2025", "M0001", None, 300, "virement", "cotisation", None, None],
        ["P00012", "01/04/2025", "M0004", None, 120, "virement", "cotisation", None, None],
    ]
    grids = with_ledger(ledger)
    grids["Chiffres"] = [["Année", "Rubrique", "Libellé", "Valeur"], [2025, "Financement", "Subvention", 1]]
    fees = compute_report(dataset(grids), 2025, dt.date(2025, 3, 15)).fees_received
    assert (
        fees is not None
        and fees.count == Compared(1, 5)
        and fees.amount == Compared(Decimal(300), Decimal(866))
    )


def test_the_fees_section_names_no_tab() -> None:
    """The board reads « registre des paiements », never the workbook's tab or columns."""
    rendered = write_report(
        compute_report(dataset(with_ledger(LEDGER)), 2024, TODAY), association="MILA", with_charts=False
    )
    text = paragraphs(rendered.data)
    section = [p for p in text if "cotisation" in p.casefold() and "paiement" in p.casefold()]
    assert section and any("registre des paiements" in p for p in section)
    for word in ("onglet", "classeur", "colonne"):
        assert not any(word in p.casefold() for p in section), word
