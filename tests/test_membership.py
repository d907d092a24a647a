"""Membership periods, statuses, votes and the per-member computation of the sync job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations.errors import ConfigError
from automations.model.dataset import Dataset
from automations.model.rows import Member
from automations.rules.fees import FeeSchedule
from automations.rules.membership import (
    CALENDAR_YEAR,
    MembershipPolicy,
    compute_all,
    compute_member,
    due_date,
    fee_period_start,
    hosted_surface,
    next_period_start,
    status,
    votes,
)
from automations.workbook.table import Table

D = dt.date
TWELVE = MembershipPolicy()
CALENDAR = MembershipPolicy(period=CALENDAR_YEAR)

RATES: list[list[object]] = [
    ["Code", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
    ["BENEFICIAIRE", 100, None, 20, "01/01/2010", "29/02/2024"],
    ["BASIC", 120, None, 20, "01/03/2024", None],
    ["PREMIUM", 170, None, 20, "01/03/2024", None],
    ["CRESCENDO", 10, None, 20, "01/03/2024", None],
    ["HEBERGE_M2", 10, 700, 20, "01/01/2010", None],
    ["MEMBRE_DE_DROIT", 0, None, 20, "01/01/2010", None],
]
MEMBERS: list[list[object]] = [
    [
        "ID",
        "Structure",
        "Contact",
        "Email",
        "Catégorie",
        "Forfait",
        "Option Crescendo",
        "Adhésion le",
        "Cotisation payée le",
        "Sortie le",
    ],
    [
        "M0001",
        "Label",
        "A B",
        "a@label.fr",
        "bénéficiaire",
        "PREMIUM",
        "oui",
        "2020-01-01",
        "2024-03-15",
        None,
    ],
    ["M0002", "Studio", "C D", "c@studio.fr", "hébergé", None, None, "2019-01-01", "2024-06-01", None],
    ["M0003", "Mairie", "E F", "e@paris.fr", "membre de droit", None, None, "2010-01-01", None, None],
    [
        "M0004",
        "Parti",
        "G H",
        "g@parti.fr",
        "bénéficiaire",
        "BASIC",
        None,
        "2019-01-01",
        "2023-01-01",
        "2024-01-31",
    ],
    ["M0005", "Ancien", "I J", "i@ancien.fr", "bénéficiaire", None, None, "2019-01-01", "2023-03-01", None],
    ["M0006", "Sans local", "K L", "k@x.fr", "hébergé", None, None, "2019-01-01", "2024-06-01", None],
]
PREMISES: list[list[object]] = [
    ["ID", "Nom", "Site", "Surface m²"],
    ["L01", "Bureau 1", "Pépinière", 16],
    ["L02", "Bureau 2", "Pépinière", 12],
    ["L03", "Boutique", "Boutique", 85],
]
OCCUPATIONS: list[list[object]] = [
    ["ID", "Membre", "Local", "Début", "Fin"],
    ["C001", "M0002", "L01", "2019-01-01", None],
    ["C002", "M0002", "L02", "2022-01-01", "2025-01-31"],
]


JULY_2 = D(2024, 7, 2)


def dataset(today: dt.date = JULY_2) -> Dataset:
    grids: dict[str, list[list[object]]] = {
        "Membres": MEMBERS,
        "Tarifs": RATES,
        "Locaux": PREMISES,
        "Occupations": OCCUPATIONS,
    }
    return Dataset.from_tables({t: Table.from_grid(t, g) for t, g in grids.items()}, today=today)


def paid(on: dt.date | None, **fields: object) -> Member:
    return Member(row=2, id="M0001", category="bénéficiaire", joined_on=D(2020, 1, 1), paid_on=on, **fields)  # type: ignore[arg-type]


class TestPeriods:
    def test_twelve_months_end_the_day_before_the_anniversary(self) -> None:
        """Paid 2024-03-15: échéance 2025-03-14."""
        assert due_date(D(2024, 3, 15), TWELVE) == D(2025, 3, 14)

    def test_paid_on_29_february(self) -> None:
        """Paid 2024-02-29: échéance 2025-02-28."""
        assert due_date(D(2024, 2, 29), TWELVE) == D(2025, 2, 28)

    def test_period_crossing_29_february(self) -> None:
        """Paid 2023-03-01: échéance 2024-02-29 (leap day included); next starts 2024-03-01."""
        assert due_date(D(2023, 3, 1), TWELVE) == D(2024, 2, 29)
        assert next_period_start(paid(D(2023, 3, 1)), TWELVE) == D(2024, 3, 1)

    def test_calendar_year_mode(self) -> None:
        """In calendar-year mode the period ends on 31 December of the year of payment."""
        assert due_date(D(2024, 3, 15), CALENDAR) == D(2024, 12, 31)
        assert next_period_start(paid(D(2024, 3, 15)), CALENDAR) == D(2025, 1, 1)

    def test_never_paid_starts_at_joining(self) -> None:
        """Without payment the next period starts on ``Adhésion le``."""
        assert next_period_start(paid(None), TWELVE) == D(2020, 1, 1)

    def test_fee_period_of_a_lapsed_member_opens_today(self) -> None:
        """A period that started in the past opens with the payment: today, or 1 January."""
        member = paid(D(2022, 5, 1))
        assert fee_period_start(member, D(2024, 7, 2), TWELVE) == D(2024, 7, 2)
        assert fee_period_start(member, D(2024, 7, 2), CALENDAR) == D(2024, 1, 1)
        assert fee_period_start(paid(D(2024, 3, 15)), D(2024, 7, 2), TWELVE) == D(2025, 3, 15)

    def test_unknown_period_setting_is_a_config_error(self) -> None:
        """A period setting other than the two known ones is refused in French."""
        with pytest.raises(ConfigError, match="12 mois"):
            MembershipPolicy.model_validate({"period": "trimestre"})

    def test_period_setting_is_matched_loosely(self) -> None:
        """``Année civile`` is accepted in any case and accents."""
        assert MembershipPolicy.model_validate({"period": "ANNEE CIVILE"}).period == CALENDAR_YEAR


class TestStatus:
    TODAY = D(2024, 7, 2)

    @pytest.mark.parametrize(
        "member, expected",
        [
            (paid(D(2024, 3, 15)), "à jour"),  # échéance 2025-03-14
            (paid(D(2023, 8, 1)), "à renouveler"),  # échéance 2024-07-31, 29 days away
            (paid(D(2023, 8, 2)), "à renouveler"),  # échéance 2024-08-01, exactly 30 days
            (paid(D(2023, 8, 3)), "à jour"),  # échéance 2024-08-02, 31 days away
            (paid(D(2023, 7, 3)), "à renouveler"),  # échéance today
            (paid(D(2023, 7, 2)), "échue"),  # échéance yesterday
            (paid(None), "en attente"),
            (paid(D(2024, 3, 15), left_on=D(2024, 7, 2)), "sortie"),
            (paid(D(2024, 3, 15), left_on=D(2024, 7, 3)), "à jour"),  # leaves tomorrow
        ],
    )
    def test_every_status(self, member: Member, expected: str) -> None:
        """Each status of the contract, with the 30-day window boundaries."""
        assert status(member, self.TODAY, TWELVE) == expected

    def test_window_is_configurable(self) -> None:
        """A 60-day window makes a period ending in 45 days ``à renouveler``."""
        policy = MembershipPolicy(renew_window_days=60)
        assert status(paid(D(2023, 8, 16)), self.TODAY, policy) == "à renouveler"

    def test_nothing_to_pay_is_up_to_date(self) -> None:
        """A member who owes 0 € is ``à jour`` even without payment."""
        assert status(paid(None), self.TODAY, TWELVE, fee_due=Decimal(0)) == "à jour"

    def test_unreadable_payment_date_gives_no_status(self) -> None:
        """When ``Cotisation payée le`` could not be read, no status rather than a wrong one."""
        assert status(paid(None, unreadable=frozenset({"paid_on"})), self.TODAY) is None


class TestVotes:
    @pytest.mark.parametrize(
        "category, expected", [("hébergé", 10), ("bénéficiaire", 2), ("membre de droit", 1)]
    )
    def test_votes_by_category(self, category: str, expected: int) -> None:
        """Votes follow the category."""
        assert votes(Member(row=2, id="M1", category=category), "à jour", TWELVE) == expected

    def test_no_votes_after_leaving(self) -> None:
        """A member who has left has no vote."""
        assert votes(Member(row=2, id="M1", category="hébergé"), "sortie", TWELVE) == 0

    def test_votes_are_configurable(self) -> None:
        """Votes per category and voting statuses come from the policy."""
        policy = MembershipPolicy(votes={"hébergé": 3}, voting_statuses=frozenset({"à jour"}))
        member = Member(row=2, id="M1", category="hébergé")
        assert (votes(member, "à jour", policy), votes(member, "échue", policy)) == (3, 0)


@pytest.fixture(scope="module")
def results() -> dict[str | None, object]:
    today = TestComputeMember.TODAY
    return {c.id: c for c in compute_all(dataset(today), today)}


class TestComputeMember:
    TODAY = D(2024, 7, 2)

    def test_premium_with_option(self, results: dict) -> None:
        """M0001 owes 180 € HT for the period starting 2025-03-15, is up to date, has 2 votes."""
        c = results["M0001"]
        assert c.fee.breakdown == "Forfait PREMIUM 170 € + option Crescendo 10 € = 180 € HT"
        assert (c.echeance, c.status, c.votes, c.period_start) == (
            D(2025, 3, 14),
            "à jour",
            2,
            D(2025, 3, 15),
        )

    def test_hosted_surface_sums_ongoing_occupations(self, results: dict) -> None:
        """M0002's next period starts 2025-06-01, after L02 is left: only L01's 16 m² count."""
        c = results["M0002"]
        assert c.period_start == D(2025, 6, 1)
        assert c.fee.breakdown == "16 m² × 10 € = 160 € HT" and c.votes == 10

    def test_membre_de_droit_owes_nothing_and_is_up_to_date(self, results: dict) -> None:
        """A membre de droit never paid, owes 0 € and is ``à jour`` with 1 vote."""
        c = results["M0003"]
        assert c.fee.ht == 0 and c.status == "à jour" and c.votes == 1 and c.echeance is None

    def test_member_who_left_has_no_fee_and_no_vote(self, results: dict) -> None:
        """M0004 left: status sortie, no fee, no vote, échéance kept."""
        c = results["M0004"]
        assert (c.fee, c.status, c.votes, c.echeance) == (None, "sortie", 0, D(2023, 12, 31))

    def test_lapsed_without_forfait_is_an_error(self, results: dict) -> None:
        """M0005's period ended 2024-02-29; renewing today needs a forfait: an error."""
        c = results["M0005"]
        assert c.fee is None and c.status == "échue"
        assert [(a.column, a.severity.value) for a in c.anomalies] == [("Forfait", "error")]

    def test_hosted_without_occupation_is_an_error(self, results: dict) -> None:
        """M0006 is hébergé with no occupation: no fee, an error explaining what to add."""
        c = results["M0006"]
        assert c.fee is None and "Occupations" in c.anomalies[0].message

    def test_surface_sums_occupations_ongoing_on_the_period_start(self) -> None:
        """Both offices count while both are occupied, only one after L02 is left."""
        data = dataset(self.TODAY)
        m2 = data.member("M0002")
        assert m2 is not None
        assert hosted_surface(m2, data, D(2024, 7, 2), self.TODAY) == Decimal(28)
        assert hosted_surface(m2, data, D(2025, 6, 1), self.TODAY) == Decimal(16)

    def test_surface_falls_back_to_today(self) -> None:
        """When nothing is occupied on the period start, today's occupations count."""
        data = dataset(self.TODAY)
        m2 = data.member("M0002")
        assert m2 is not None
        assert hosted_surface(m2, data, D(2018, 6, 1), self.TODAY) == Decimal(28)
        assert hosted_surface(m2, data, D(2018, 6, 1), None) is None

    def test_old_period_start_uses_old_rates(self) -> None:
        """On 2024-02-20, a period starting 2024-02-28 still costs the single 100 € fee."""
        member = paid(D(2023, 2, 28))
        schedule = FeeSchedule(dataset().rates)
        c = compute_member(member, dataset(), schedule, D(2024, 2, 20), TWELVE)
        assert c.period_start == D(2024, 2, 28)
        assert c.fee is not None and c.fee.breakdown == "Cotisation bénéficiaire 100 € HT"
        assert c.status == "à renouveler"
