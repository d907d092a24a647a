"""The ``Factures`` tab's contract, its row model, its reader in the state, and ``[billing]``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from automations import schema
from automations.config import build_settings
from automations.errors import ConfigError
from automations.jobs.workbook_state import read_state
from automations.model.invoices import CANCELLED, format_number, parse_number
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

TODAY = dt.date(2026, 3, 10)
MEMBERS: list[list[Any]] = [
    [c.name for c in schema.MEMBRES.columns],
    ["M0001", "Le Fair", "Ana Roy", "ana@fair.fr", None, None, "hébergé", None, None, "2024-01-05"],
]
FACTURES: list[list[Any]] = [
    [c.name for c in schema.FACTURES.columns],
    [
        "F2026-0001",
        "2026-03-01",
        "M0001 – Le Fair",
        "Le Fair (SIREN 732829320)",
        "loyer",
        "mars 2026",
        500,
        20,
        100,
        600,
        "2026-03-31",
        None,
        600,
        "émise",
        None,
        None,
        None,
        "à suivre",
    ],
    [
        "A2026-0001",
        "2026-03-02",
        "M0001",
        "Le Fair",
        "loyer",
        "mars 2026",
        -500,
        20,
        -100,
        -600,
        None,
        None,
        None,
        None,
        "F2026-0001",
        None,
        None,
        None,
    ],
]


def test_factures_is_a_job_owned_contract_tab_whose_issued_columns_are_not_calc():
    """Only the columns that change after issue are the jobs' calc columns; Notes is the staff's."""
    tab = schema.tab_schema("factures")
    assert tab is schema.FACTURES and tab.job_owned and tab in schema.TABS
    assert [c.name for c in tab.calc_columns] == ["Payée le", "Reste dû", "Statut", "Fichier", "Anomalies"]
    assert "Notes" in [c.name for c in tab.columns]
    assert schema.PAIEMENTS.column("Facture").calc


def test_numbers_are_read_and_written_with_the_year_and_four_digits():
    """« f 2026-0012 » reads as an invoice of 2026, number 12; a stray text is no number."""
    assert parse_number(" f2026-0012 ") == ("F", 2026, 12)
    assert parse_number("facture 12") is None
    assert format_number("A", 2027, 3) == "A2027-0003"


def test_the_state_reads_the_factures_tab_into_invoices():
    """Amounts, dates, the member reference and the credit note's link are read from the tab."""
    workbook = Workbook(MemoryBackend({"Membres": MEMBERS, "Factures": FACTURES}))
    state = read_state(workbook, TODAY, MembershipPolicy())
    invoice, credit = state.invoices
    assert invoice.number == "F2026-0001" and invoice.member_id == "M0001"
    assert invoice.amount_ttc == Decimal(600) and invoice.due == Decimal(600)
    assert invoice.due_date == dt.date(2026, 3, 31) and invoice.notes == "à suivre"
    assert credit.is_credit_note and credit.credit_of == "F2026-0001" and credit.due == 0
    assert not invoice.is_cancelled and CANCELLED in schema.INVOICE_STATUSES


def test_a_workbook_without_factures_has_no_invoices():
    """A missing Factures tab means no invoice, not an error."""
    state = read_state(Workbook(MemoryBackend({"Membres": MEMBERS})), TODAY, MembershipPolicy())
    assert state.invoices == []


class TestBillingSettings:
    def test_the_defaults_are_those_of_a_vat_registered_association(self):
        """30 days, reminders J+15 and J+30, the associations' chart of accounts."""
        billing = build_settings({}, env={}, base=Path()).billing
        assert not billing.enabled and billing.vat_registered
        assert billing.payment_terms_days == 30 and billing.reminder_offsets == (15, 30)
        accounts = billing.accounts
        assert (accounts.members, accounts.fees, accounts.rents, accounts.vat_collected) == (
            "411",
            "756",
            "706",
            "44571",
        )
        assert (accounts.bank, accounts.cash, accounts.subsidies) == ("512", "530", "74")
        assert any("40 €" in line for line in billing.terms_mentions())

    @pytest.mark.parametrize(
        ("raw", "said"),
        [
            ({"payment_terms_days": 90}, "entre 0 et 60"),
            ({"siret": "123 456 789 00010"}, "n'est pas un numéro SIRET valide"),
            ({"vat_number": "FR00123"}, "numéro de TVA intracommunautaire"),
            ({"accounts": {"fees": "cotisations"}}, "[billing.accounts] fees"),
            ({"reminder_offsets": [0, 15]}, "au moins 1"),
            ({"rent_invoice_day": 31}, "entre 1 et 28"),
        ],
    )
    def test_a_bad_value_is_a_french_error_naming_the_key(self, raw, said):
        """Each wrong value gives a ConfigError that says what to write."""
        with pytest.raises(ConfigError) as caught:
            build_settings({"billing": raw}, env={}, base=Path())
        assert said in str(caught.value) and "[billing" in str(caught.value)

    def test_a_valid_siret_and_vat_number_are_kept_without_spaces(self):
        """Spaces typed in the numbers are dropped."""
        billing = build_settings(
            {"billing": {"siret": "732 829 320 00074", "vat_number": "fr 40 303265045"}}, env={}, base=Path()
        ).billing
        assert (billing.siret, billing.vat_number) == ("73282932000074", "FR40303265045")
