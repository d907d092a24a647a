"""Bookings: conflicts beyond capacity, prices, opening days, members not up to date, and
the ``Montant HT`` column written by ``mila synchroniser``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations.clock import FixedClock
from automations.errors import ConfigError
from automations.jobs.sync import run_sync
from automations.model.rows import Booking, Member, Premises
from automations.rules.bookings import (
    BookingPolicy,
    compute_bookings,
    find_conflicts,
    open_days_between,
)
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2026, 11, 23)  # a Monday
NOW = dt.datetime(2026, 11, 23, 9, 15)
D = dt.date
T = dt.datetime

ROOM = Premises(2, "L02", "Salle de réunion", "Milab", capacity=1, day_rate=Decimal(60), bookable=True)
DESKS = Premises(
    3, "L03", "Postes Milab", "Milab", capacity=6, day_rate=Decimal(15), week_rate=Decimal(60), bookable=True
)
PREMISES = {"L2": ROOM, "L3": DESKS}
UP_TO_DATE = Member(
    2,
    "M0001",
    "Onde Claire",
    category="bénéficiaire",
    forfait="BASIC",
    joined_on=D(2023, 1, 10),
    paid_on=D(2026, 11, 15),
)
LAPSED = Member(
    3,
    "M0002",
    "Studio Nord",
    category="bénéficiaire",
    forfait="BASIC",
    joined_on=D(2022, 1, 10),
    paid_on=D(2025, 11, 30),
)
MEMBERS = {"M1": UP_TO_DATE, "M2": LAPSED}


def booking(
    number: int,
    start: dt.date,
    end: dt.date | None = None,
    *,
    resource: str = "L02",
    status: str = "confirmée",
    formula: str = "jour",
    member: str | None = "M0001",
    ident: str | None = "auto",
) -> Booking:
    return Booking(
        row=number + 1,
        id=f"R{number:04d}" if ident == "auto" else ident,
        resource_id=resource,
        member_id=member,
        organisation=None if member else "Asso du quartier",
        start=start,
        end=end if end is not None else start,
        formula=formula,
        status=status,
    )


def compute(bookings: list[Booking], policy: BookingPolicy | None = None):
    return compute_bookings(bookings, PREMISES, MEMBERS, TODAY, policy)


def flagged(outcome) -> list[str]:
    return sorted({a.id for a in outcome.anomalies if a.column == "Début" and a.is_error})


class TestConflicts:
    def test_two_overlapping_bookings_of_a_room_flag_the_later_one(self):
        """The booking entered second is in excess and its anomaly names the first one."""
        outcome = compute(
            [
                booking(1, T(2026, 12, 1, 9), T(2026, 12, 1, 12)),
                booking(2, T(2026, 12, 1, 11), T(2026, 12, 1, 13)),
            ]
        )
        assert flagged(outcome) == ["R0002"]
        message = next(a.message for a in outcome.anomalies if a.id == "R0002")
        assert "R0001 (ligne 2)" in message and "01/12/2026 à 11h" in message
        assert "annulée" in message  # says what to do

    def test_back_to_back_bookings_do_not_collide(self):
        """A booking ending at 12:00 and another starting at 12:00 share no moment."""
        outcome = compute(
            [
                booking(1, T(2026, 12, 1, 9), T(2026, 12, 1, 12)),
                booking(2, T(2026, 12, 1, 12), T(2026, 12, 1, 14)),
            ]
        )
        assert flagged(outcome) == []

    def test_a_day_booking_collides_with_an_hour_booking_that_day(self):
        """A whole-day booking and a 14h-16h one on the same day of a one-place room collide."""
        outcome = compute([booking(1, D(2026, 12, 2)), booking(2, T(2026, 12, 2, 14), T(2026, 12, 2, 16))])
        assert flagged(outcome) == ["R0002"]

    def test_capacity_allows_as_many_bookings_as_desks(self):
        """Six desk bookings on one day fit six desks; the seventh is in excess."""
        six = [booking(n, D(2026, 12, 3), resource="L03") for n in range(1, 7)]
        assert flagged(compute(six)) == []
        seventh = booking(7, D(2026, 12, 3), resource="L03")
        outcome = compute([*six, seventh])
        assert flagged(outcome) == ["R0007"]
        assert "et 3 autre(s)" in outcome.anomalies[0].message and "6 places" in outcome.anomalies[0].message

    def test_a_week_booking_counts_on_each_of_its_days(self):
        """A Monday–Friday booking and five day bookings fill the desks on Wednesday only."""
        week = booking(1, D(2026, 11, 30), D(2026, 12, 4), resource="L03", formula="semaine")
        days = [booking(n, D(2026, 12, 2), resource="L03") for n in range(2, 8)]
        assert flagged(compute([week, *days])) == ["R0007"]

    def test_cancelled_bookings_are_ignored(self):
        """An « annulée » booking neither collides nor is flagged."""
        outcome = compute([booking(1, D(2026, 12, 2)), booking(2, D(2026, 12, 2), status="annulée")])
        assert flagged(outcome) == []

    def test_a_confirmed_booking_wins_over_a_requested_one_entered_before(self):
        """Between a « demandée » R0001 and a « confirmée » R0002, R0001 gives way."""
        outcome = compute([booking(1, D(2026, 12, 2), status="demandée"), booking(2, D(2026, 12, 2))])
        assert flagged(outcome) == ["R0001"]

    def test_only_the_bookings_that_must_give_way_are_flagged(self):
        """R0002 collides with R0001 only, which itself gives way to R0003: R0002 keeps the room."""
        outcome = compute(
            [
                booking(1, T(2026, 12, 1, 9), T(2026, 12, 1, 12), status="demandée"),
                booking(2, T(2026, 12, 1, 8), T(2026, 12, 1, 10), status="demandée"),
                booking(3, T(2026, 12, 1, 11), T(2026, 12, 1, 13)),
            ]
        )
        assert flagged(outcome) == ["R0001"]

    def test_rows_without_id_give_way_to_rows_with_one(self):
        """A new row (no ID yet) is the one in excess, whatever its position."""
        outcome = compute([booking(1, D(2026, 12, 2), ident=None), booking(2, D(2026, 12, 2))])
        assert [a.row for a in outcome.anomalies if a.is_error] == [2]

    def test_the_sweep_line_handles_thousands_of_bookings(self):
        """20,000 hour bookings over 400 days of a one-place room give conflicts that name their holders."""
        many = []
        for n in range(20_000):
            day = D(2026, 1, 1) + dt.timedelta(days=n % 400)
            hour = 8 + (n * 7) % 10
            many.append(
                booking(
                    n + 1, T(day.year, day.month, day.day, hour), T(day.year, day.month, day.day, hour + 2)
                )
            )
        conflicts = find_conflicts(many, 1)
        assert conflicts and all(c.holders for c in conflicts)


class TestPrices:
    def amount(self, b: Booking) -> Decimal | None:
        return compute([b]).computations[0].amount

    def test_day_formula_is_days_times_the_day_rate(self):
        """Three open days on the desks cost 3 × 15 € = 45 € HT; an hour booking costs one day."""
        assert self.amount(booking(1, D(2026, 12, 1), D(2026, 12, 3), resource="L03")) == Decimal("45.00")
        assert self.amount(booking(1, T(2026, 12, 1, 9), T(2026, 12, 1, 11))) == Decimal("60.00")

    def test_closed_days_are_not_charged(self):
        """Friday to Monday under « jour » is two open days."""
        assert self.amount(booking(1, D(2026, 12, 4), D(2026, 12, 7), resource="L03")) == Decimal("30.00")

    def test_week_formula_counts_started_weeks(self):
        """Monday–Friday is one week (60 €); eight days are two started weeks (120 €)."""
        assert self.amount(
            booking(1, D(2026, 11, 30), D(2026, 12, 4), resource="L03", formula="semaine")
        ) == Decimal("60.00")
        assert self.amount(
            booking(1, D(2026, 11, 30), D(2026, 12, 7), resource="L03", formula="semaine")
        ) == Decimal("120.00")

    def test_free_and_cancelled_bookings_cost_nothing(self):
        """« gracieux » and « annulée » give 0 €."""
        assert self.amount(booking(1, D(2026, 12, 1), formula="gracieux", member=None)) == Decimal("0.00")
        assert self.amount(booking(1, D(2026, 12, 1), status="annulée")) == Decimal("0.00")

    def test_amounts_are_rounded_to_the_cent(self):
        """A rate of 12,345 € gives 12,35 € for one day."""
        odd = Premises(4, "L04", "Cabine", "Milab", day_rate=Decimal("12.345"), bookable=True)
        outcome = compute_bookings([booking(1, D(2026, 12, 1), resource="L04")], {"L4": odd}, MEMBERS, TODAY)
        assert outcome.computations[0].amount == Decimal("12.35")

    def test_a_missing_rate_is_an_error_and_leaves_the_amount_blank(self):
        """The room has no week rate: a « semaine » booking has no amount and says which rate to fill."""
        outcome = compute([booking(1, D(2026, 11, 30), D(2026, 12, 4), formula="semaine")])
        assert outcome.computations[0].amount is None
        [anomaly] = outcome.anomalies
        assert anomaly.is_error and "Tarif semaine HT" in anomaly.message and "gracieux" in anomaly.message

    def test_a_resource_without_any_rate_is_free(self):
        """A bookable room with neither rate is lent free: 0 €, no anomaly."""
        free = Premises(5, "L05", "Salle du quartier", "Milab", bookable=True)
        outcome = compute_bookings([booking(1, D(2026, 12, 1), resource="L05")], {"L5": free}, MEMBERS, TODAY)
        assert outcome.computations[0].amount == Decimal("0.00") and outcome.anomalies == []


class TestOpeningDays:
    def test_a_weekend_booking_is_a_warning(self):
        """A booking on Saturday 5 December is a warning naming the day."""
        outcome = compute([booking(1, D(2026, 12, 5))])
        [anomaly] = outcome.anomalies
        assert not anomaly.is_error and "samedi 05/12/2026" in anomaly.message

    def test_opening_days_are_configurable(self):
        """With Saturday open, the same booking is fine."""
        policy = BookingPolicy.model_validate(
            {"open_days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "Samedi"]}
        )
        assert compute([booking(1, D(2026, 12, 5))], policy).anomalies == []

    def test_the_default_is_monday_to_friday(self):
        """An empty section gives Monday–Friday; open days are counted week by week."""
        policy = BookingPolicy.model_validate({})
        assert policy.open_weekdays == frozenset(range(5))
        assert open_days_between(D(2026, 11, 23), D(2026, 12, 6), policy) == 10

    @pytest.mark.parametrize(
        "section",
        [
            {"open_days": ["lundi", "jour férié"]},
            {"open_days": "lundi"},
            {"open_days": []},
            {"days": ["lundi"]},
        ],
    )
    def test_a_wrong_setting_is_explained_in_french(self, section):
        """An unknown day, a non-list, an empty list or an unknown key is a configuration error."""
        with pytest.raises(ConfigError, match="jour|Configuration"):
            BookingPolicy.model_validate(section)


class TestMembers:
    def test_a_member_not_up_to_date_on_the_first_day_is_a_warning(self):
        """M0002's period ended on 29/11/2026: a booking on 01/12/2026 is a warning on « Membre »."""
        outcome = compute([booking(1, D(2026, 12, 1), member="M0002")])
        [anomaly] = outcome.anomalies
        assert (anomaly.column, anomaly.is_error) == ("Membre", False)
        assert "M0002" in anomaly.message and "01/12/2026" in anomaly.message and "échue" in anomaly.message

    def test_a_booking_before_the_end_of_the_period_is_fine(self):
        """The same member booking on 25/11/2026 is still within the period paid for."""
        assert compute([booking(1, D(2026, 11, 25), member="M0002")]).anomalies == []

    def test_past_bookings_are_not_checked(self):
        """A booking over before today says nothing of the member's standing then."""
        lapsed = Member(
            3,
            "M0002",
            "Studio Nord",
            category="bénéficiaire",
            forfait="BASIC",
            joined_on=D(2020, 1, 1),
            paid_on=D(2021, 1, 1),
        )
        outcome = compute_bookings(
            [booking(1, D(2023, 6, 1), member="M0002")], PREMISES, {"M2": lapsed}, TODAY
        )
        assert outcome.anomalies == []


# --------------------------------------------------------------------------- end to end

MEMBERS_GRID: list[list[object]] = [
    ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le", "Cotisation payée le"],
    ["M0001", "Onde Claire", "Léa Morel", "lea@onde.fr", "bénéficiaire", "BASIC", "10/01/2023", "15/11/2026"],
]
TARIFS: list[list[object]] = [
    ["Code", "Montant HT", "Du", "Au"],
    ["BASIC", 120, "01/03/2024", None],
]


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": MEMBERS_GRID,
        "Locaux": [
            ["ID", "Nom", "Site", "Capacité", "Tarif jour HT", "Tarif semaine HT", "Réservable"],
            ["L02", "Salle de réunion", "Milab", 1, 60, None, "oui"],
            ["L03", "Postes Milab", "Milab", 6, "15,50 €", 60, "oui"],
        ],
        "Réservations": [
            ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut", "Commentaire"],
            ["R0001", "L03", "M0001", None, "01/12/2026", "03/12/2026", "jour", "confirmée", "fidèle"],
            ["R0002", "L03", "M0001", None, "30/11/2026", "04/12/2026", "semaine", "demandée", None],
            [
                "R0003",
                "L02",
                None,
                "Asso du quartier",
                "02/12/2026 14:00",
                "02/12/2026 16:00",
                "gracieux",
                "confirmée",
                None,
            ],
            ["R0004", "L02", "M0001", None, "02/12/2026 15:00", "02/12/2026 17:00", None, None, None],
            [None, "L02", None, None, "07/12/2026", "07/12/2026", "jour", "demandée", None],
        ],
        "Tarifs": TARIFS,
    }


def sync(book):
    return run_sync(book.open(), today=TODAY, policy=MembershipPolicy(), clock=FixedClock(NOW))


def column(grid, name):
    index = grid[0].index(name)
    return {line[0]: (line[index] if index < len(line) else None) for line in grid[1:]}


class TestSync:
    def test_amounts_and_anomalies_are_written(self, make_book):
        """Montant HT holds each price; the excess booking and the missing Organisme are explained on their rows."""
        book = make_book(workbook())
        sync(book)
        grid = book.grid("Réservations")
        amounts = column(grid, "Montant HT")
        assert amounts["R0001"] == 46.5 and amounts["R0002"] == 60 and amounts["R0003"] == 0
        assert amounts["R0004"] == 60 and amounts["R0005"] == 60
        anomalies = column(grid, "Anomalies")
        assert "R0003 (ligne 4)" in anomalies["R0004"]
        assert "Organisme" in anomalies["R0005"]
        assert anomalies["R0001"] in (None, "") and anomalies["R0003"] in (None, "")
        assert column(grid, "Commentaire")["R0001"] == "fidèle"

    def test_a_second_sync_writes_nothing(self, make_book):
        """Right after a sync, amounts and anomalies are stable: 0 cells written."""
        book = make_book(workbook())
        sync(book)
        assert sync(book).cells_written == 0

    def test_cancelling_the_booking_in_the_way_clears_the_conflict(self, make_book):
        """Once R0003 is « annulée », R0004 loses its anomaly and R0003 costs 0 €."""
        book = make_book(workbook())
        sync(book)
        grid = book.grid("Réservations")
        row = next(i for i, line in enumerate(grid, start=1) if line[0] == "R0003")
        book.edit("Réservations", {(row, grid[0].index("Statut") + 1): "annulée"})
        sync(book)
        assert column(book.grid("Réservations"), "Anomalies")["R0004"] in (None, "")
