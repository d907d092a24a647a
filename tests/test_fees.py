"""The fee engine: dated rates, forfaits, the Crescendo option, surfaces and caps, VAT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations.model.parsing import parse_table
from automations.model.rows import Member, Rate
from automations.rules.fees import FeeProblem, FeeSchedule, compute_fee
from automations.workbook.table import Table

RATES_GRID: list[list[object]] = [
    ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
    ["BENEFICIAIRE", "Cotisation unique", 100, None, 20, "01/01/2010", "29/02/2024"],
    ["BASIC", "Forfait BASIC", 120, None, 20, "01/03/2024", None],
    ["PREMIUM", "Forfait PREMIUM", 170, None, 20, "01/03/2024", None],
    ["CRESCENDO", "Option Crescendo", 10, None, 20, "01/03/2024", None],
    ["HEBERGE_M2", "Cotisation hébergé", 10, 700, 20, "01/01/2010", None],
    ["MEMBRE_DE_DROIT", "Membre de droit", 0, None, 20, "01/01/2010", None],
]
BEFORE = dt.date(2024, 2, 29)
AFTER = dt.date(2024, 3, 1)


@pytest.fixture(scope="module")
def schedule() -> FeeSchedule:
    rates, anomalies = parse_table(Table.from_grid("Tarifs", RATES_GRID), today=AFTER)
    assert anomalies == []
    return FeeSchedule(rates)  # type: ignore[arg-type]


def member(category: str, forfait: str | None = None, crescendo: bool = False) -> Member:
    return Member(
        row=2,
        id="M0001",
        category=category,
        forfait=forfait,
        crescendo=crescendo,
        joined_on=dt.date(2020, 1, 1),
    )


class TestSchedule:
    def test_rates_on_the_boundary(self, schedule: FeeSchedule) -> None:
        """On 2024-02-29 the single fee applies; on 2024-03-01 the forfaits do."""
        assert set(schedule.rates_on(BEFORE)) == {"BENEFICIAIRE", "HEBERGE_M2", "MEMBRE_DE_DROIT"}
        assert set(schedule.rates_on(AFTER)) == {
            "BASIC",
            "PREMIUM",
            "CRESCENDO",
            "HEBERGE_M2",
            "MEMBRE_DE_DROIT",
        }

    def test_latest_start_wins_when_rows_overlap(self) -> None:
        """When two rows of a code overlap, the most recent ``Du`` applies."""
        old = Rate(row=2, code="BASIC", amount_ht=Decimal(100), valid_from=dt.date(2020, 1, 1))
        new = Rate(row=3, code="BASIC", amount_ht=Decimal(130), valid_from=dt.date(2025, 1, 1))
        schedule = FeeSchedule([old, new])
        assert schedule.rate("BASIC", dt.date(2025, 6, 1)) is new
        assert schedule.overlaps() == [(old, new)]

    def test_unusable_rows_are_skipped(self) -> None:
        """A row without amount or start date is not a rate."""
        assert FeeSchedule([Rate(row=2, code="BASIC", valid_from=AFTER)]).rates_on(AFTER) == {}


class TestBeneficiaire:
    def test_single_fee_until_29_february_2024(self, schedule: FeeSchedule) -> None:
        """A period starting on 2024-02-29 costs the single 100 € HT fee."""
        fee = compute_fee(member("bénéficiaire"), BEFORE, schedule)
        assert fee.breakdown == "Cotisation bénéficiaire 100 € HT"
        assert (fee.ht, fee.vat, fee.ttc) == (Decimal("100.00"), Decimal("20.00"), Decimal("120.00"))

    def test_forfait_from_1_march_2024(self, schedule: FeeSchedule) -> None:
        """A period starting on 2024-03-01 costs the forfait."""
        fee = compute_fee(member("bénéficiaire", "BASIC"), AFTER, schedule)
        assert fee.breakdown == "Forfait BASIC 120 € HT"
        assert fee.ttc == Decimal("144.00")

    def test_forfait_before_the_change_pays_the_single_fee(self, schedule: FeeSchedule) -> None:
        """A forfait chosen early does not apply before forfaits existed."""
        fee = compute_fee(member("bénéficiaire", "PREMIUM", crescendo=True), BEFORE, schedule)
        assert fee.breakdown == "Cotisation bénéficiaire 100 € HT"

    def test_premium_with_crescendo(self, schedule: FeeSchedule) -> None:
        """PREMIUM with the option is 180 € HT, 216 € TTC, in the documented words."""
        fee = compute_fee(member("bénéficiaire", "PREMIUM", crescendo=True), AFTER, schedule)
        assert fee.breakdown == "Forfait PREMIUM 170 € + option Crescendo 10 € = 180 € HT"
        assert [(line.label, line.amount) for line in fee.lines] == [
            ("Forfait PREMIUM", Decimal("170.00")),
            ("Option Crescendo", Decimal("10.00")),
        ]
        assert (fee.ht, fee.vat_rate, fee.vat, fee.ttc) == (
            Decimal("180.00"),
            Decimal(20),
            Decimal("36.00"),
            Decimal("216.00"),
        )

    def test_no_forfait_after_the_change_is_a_problem(self, schedule: FeeSchedule) -> None:
        """Without a forfait once only forfaits exist, the fee cannot be computed."""
        with pytest.raises(FeeProblem) as caught:
            compute_fee(member("bénéficiaire"), AFTER, schedule)
        assert caught.value.column == "Forfait"
        assert caught.value.message == (
            "Forfait manquant dans « Forfait » pour un bénéficiaire dont la période commence "
            "le 01/03/2024 : choisissez BASIC ou PREMIUM."
        )


class TestHeberge:
    def test_surface_times_rate(self, schedule: FeeSchedule) -> None:
        """16 m² at 10 € is 160 € HT."""
        fee = compute_fee(member("hébergé"), AFTER, schedule, Decimal(16))
        assert fee.breakdown == "16 m² × 10 € = 160 € HT"
        assert (fee.ht, fee.ttc) == (Decimal("160.00"), Decimal("192.00"))

    def test_cap_at_700(self, schedule: FeeSchedule) -> None:
        """85 m² would be 850 €, capped at 700 € HT."""
        fee = compute_fee(member("hébergé"), AFTER, schedule, Decimal(85))
        assert fee.breakdown == "85 m² × 10 € = 850 €, plafonné à 700 € HT"
        assert (fee.ht, fee.vat, fee.ttc) == (Decimal("700.00"), Decimal("140.00"), Decimal("840.00"))

    def test_exactly_at_the_cap_is_not_capped(self, schedule: FeeSchedule) -> None:
        """70 m² is exactly 700 € and says nothing of a cap."""
        assert (
            compute_fee(member("hébergé"), AFTER, schedule, Decimal(70)).breakdown
            == "70 m² × 10 € = 700 € HT"
        )

    def test_decimal_surface(self, schedule: FeeSchedule) -> None:
        """A surface of 16,5 m² prints with a decimal comma."""
        assert (
            compute_fee(member("hébergé"), AFTER, schedule, Decimal("16.5")).breakdown
            == "16,5 m² × 10 € = 165 € HT"
        )

    def test_hosted_with_crescendo(self, schedule: FeeSchedule) -> None:
        """A hébergé with the option pays the surface fee plus the option."""
        fee = compute_fee(member("hébergé", crescendo=True), AFTER, schedule, Decimal(85))
        assert fee.breakdown == ("85 m² × 10 € = 850 €, plafonné à 700 € + option Crescendo 10 € = 710 € HT")
        assert fee.ht == Decimal("710.00")

    def test_unknown_surface_is_a_problem(self, schedule: FeeSchedule) -> None:
        """Without a surface the fee of a hébergé cannot be computed."""
        with pytest.raises(FeeProblem, match="surface"):
            compute_fee(member("hébergé"), AFTER, schedule, None)


class TestMembreDeDroit:
    def test_zero_rate_says_no_fee(self, schedule: FeeSchedule) -> None:
        """A membre de droit at 0 € owes nothing, said in words."""
        fee = compute_fee(member("membre de droit", crescendo=True), AFTER, schedule)
        assert fee.breakdown == "Membre de droit : pas de cotisation"
        assert (fee.ht, fee.vat, fee.ttc) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))

    def test_paying_rate(self) -> None:
        """A non-zero MEMBRE_DE_DROIT rate is charged."""
        schedule = FeeSchedule(
            [Rate(row=2, code="MEMBRE_DE_DROIT", amount_ht=Decimal(50), valid_from=dt.date(2010, 1, 1))]
        )
        fee = compute_fee(member("membre de droit"), AFTER, schedule)
        assert fee.breakdown == "Cotisation membre de droit 50 € HT"
        assert fee.ttc == Decimal("60.00")


class TestMissingRatesAndRounding:
    def test_missing_rate_names_code_and_date(self) -> None:
        """No rate valid on the period start is a French problem saying what to add."""
        with pytest.raises(FeeProblem) as caught:
            compute_fee(member("hébergé"), AFTER, FeeSchedule([]), Decimal(16))
        assert caught.value.message == (
            "Aucun tarif « HEBERGE_M2 » valable le 01/03/2024 dans l'onglet « Tarifs » : "
            "ajoutez-y une ligne HEBERGE_M2 dont la période « Du »/« Au » couvre cette date."
        )

    def test_missing_category_is_a_problem(self, schedule: FeeSchedule) -> None:
        """A member without category has no computable fee."""
        with pytest.raises(FeeProblem, match="Catégorie"):
            compute_fee(Member(row=2, id="M0001"), AFTER, schedule)

    def test_cents_round_half_up_and_print_with_grouping(self) -> None:
        """VAT is rounded half up to the cent; amounts with cents print with two decimals."""
        schedule = FeeSchedule(
            [
                Rate(
                    row=2,
                    code="HEBERGE_M2",
                    amount_ht=Decimal("10.25"),
                    valid_from=AFTER,
                    vat_percent=Decimal(20),
                ),
            ]
        )
        fee = compute_fee(member("hébergé"), AFTER, schedule, Decimal("120.5"))
        assert fee.ht == Decimal("1235.13")  # 1235.125 rounded half up
        assert fee.vat == Decimal("247.03")  # 247.026
        assert fee.ttc == Decimal("1482.16")
        assert fee.breakdown == "120,5 m² × 10,25 € = 1\u202f235,13 € HT"
