"""Events and registrations: seats, waiting lists, eligibility, duplicates, presence to
record, promotions, and the columns ``mila synchroniser`` writes (Place, Inscrits, Liste d'attente)."""

from __future__ import annotations

import datetime as dt

from automations.clock import FixedClock
from automations.jobs.sync import run_sync
from automations.model.rows import Event, Member, Registration
from automations.rules.events import (
    allocate_seats,
    compute_events,
    eligible,
    parse_place,
    promotions,
)
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 15)
D = dt.date
T = dt.datetime
PAID = D(2026, 11, 15)
EVENT_DAY = D(2026, 12, 10)


def member(
    n: int,
    *,
    category: str = "bénéficiaire",
    forfait: str | None = "BASIC",
    crescendo: bool = False,
    paid: dt.date = PAID,
) -> Member:
    return Member(
        n + 1,
        f"M{n:04d}",
        f"Structure {n}",
        category=category,
        forfait=forfait,
        crescendo=crescendo,
        joined_on=D(2023, 1, 1),
        paid_on=paid,
    )


MEMBERS = {f"M{n}": member(n) for n in range(1, 8)}


def event(
    *, day: dt.date = EVENT_DAY, capacity: int | None = 2, reserved_to: str | None = None, ident: str = "E001"
) -> Event:
    return Event(
        2,
        ident,
        day,
        dt.time(18, 30),
        "Club MILA",
        "Les droits voisins",
        capacity=capacity,
        reserved_to=reserved_to,
    )


def reg(
    n: int, who: int, at: dt.date | None = None, status: str = "inscrit", event_id: str = "E001"
) -> Registration:
    return Registration(
        n + 1, f"I{n:04d}", event_id, f"M{who:04d}", at if at is not None else T(2026, 11, n, 10), status
    )


def compute(registrations, ev=None, members=None, previous=None):
    return compute_events([ev or event()], registrations, members or MEMBERS, TODAY, previous_places=previous)


def places(outcome) -> list[str | None]:
    return [c.place for c in outcome.registrations]


class TestSeats:
    def test_seats_go_in_order_and_the_rest_wait(self):
        """Capacity 2, three registrations: two confirmed, the third « attente 1 »; counts 2 and 1."""
        outcome = compute([reg(1, 1), reg(2, 2), reg(3, 3)])
        assert places(outcome) == ["confirmée", "confirmée", "attente 1"]
        assert (outcome.events[0].registered, outcome.events[0].waiting) == (2, 1)

    def test_order_is_by_registration_date_then_row(self):
        """An earlier « Inscrit le » goes first whatever the row; same date: row order; blank: last."""
        outcome = compute(
            [
                reg(1, 1, T(2026, 11, 5)),
                reg(2, 2, D(2026, 11, 1)),
                reg(3, 3, T(2026, 11, 5)),
                Registration(5, "I0004", "E001", "M0004", None),
            ]
        )
        assert places(outcome) == ["confirmée", "confirmée", "attente 1", "attente 2"]

    def test_unlimited_capacity_confirms_everyone(self):
        """A blank Capacité never makes anyone wait."""
        outcome = compute([reg(n, n) for n in range(1, 6)], event(capacity=None))
        assert set(places(outcome)) == {"confirmée"} and outcome.events[0].waiting == 0

    def test_cancelled_and_absent_registrations_hold_no_seat_but_present_ones_do(self):
        """« annulé » and « absent » get no Place; « présent » keeps a seat."""
        outcome = compute(
            [
                reg(1, 1, status="annulé"),
                reg(2, 2, status="absent"),
                reg(3, 3, status="présent"),
                reg(4, 4),
                reg(5, 5),
            ]
        )
        assert places(outcome) == [None, None, "confirmée", "confirmée", "attente 1"]

    def test_the_first_waiting_registration_takes_a_freed_seat(self):
        """I0001 and I0002 held the seats; I0001 cancels: I0003 (attente 1) is confirmed, I0004 moves up."""
        previous = {2: "confirmée", 3: "confirmée", 4: "attente 1", 5: "attente 2"}
        outcome = compute([reg(1, 1, status="annulé"), reg(2, 2), reg(3, 3), reg(4, 4)], previous=previous)
        assert places(outcome) == [None, "confirmée", "confirmée", "attente 1"]
        assert [(p.registration_id, p.member_id, p.event_id) for p in outcome.promotions] == [
            ("I0003", "M0003", "E001")
        ]

    def test_a_confirmed_seat_is_not_withdrawn_by_a_registration_typed_in_late(self):
        """A registration dated earlier but typed after the seats were confirmed waits."""
        previous = {2: "confirmée", 3: "confirmée"}
        outcome = compute(
            [reg(1, 1), reg(2, 2), Registration(4, "I0003", "E001", "M0003", T(2026, 10, 1))],
            previous=previous,
        )
        assert places(outcome) == ["confirmée", "confirmée", "attente 1"]

    def test_a_lowered_capacity_takes_seats_back_in_order(self):
        """Capacity lowered from 3 to 2: the last confirmed registration waits again."""
        previous = {2: "confirmée", 3: "confirmée", 4: "confirmée"}
        outcome = compute([reg(1, 1), reg(2, 2), reg(3, 3)], previous=previous)
        assert places(outcome) == ["confirmée", "confirmée", "attente 1"]

    def test_allocation_is_stable(self):
        """Computing again from its own result gives the same places (a second sync writes nothing)."""
        regs = [reg(n, n) for n in range(1, 6)]
        first = compute(regs)
        again = compute(regs, previous={c.row: c.place for c in first.registrations})
        assert places(again) == places(first) and again.promotions == []

    def test_present_registrations_always_hold_a_seat(self):
        """Two present and capacity 1: both confirmed, the inscrit waits."""
        assert allocate_seats(3, 1, present=[True, True, False]) == ["confirmée", "confirmée", "attente 1"]


class TestEligibility:
    def test_eligibility_follows_reserve_a(self):
        """Crescendo needs the option; PREMIUM a PREMIUM forfait or a hébergé; hébergés a hébergé."""
        basic, premium = member(1), member(2, forfait="PREMIUM")
        hosted, crescendo = member(3, category="hébergé", forfait=None), member(4, crescendo=True)
        assert [eligible(m, "Crescendo") for m in (basic, crescendo)] == [False, True]
        assert [eligible(m, "PREMIUM") for m in (basic, premium, hosted)] == [False, True, True]
        assert [eligible(m, "hébergés") for m in (premium, hosted)] == [False, True]
        assert eligible(basic, None) is True

    def test_an_ineligible_registration_is_an_error_and_takes_no_seat(self):
        """A BASIC member at a PREMIUM consultation gets no Place; the next one gets the seat."""
        members = {**MEMBERS, "M2": member(2, forfait="PREMIUM")}
        outcome = compute([reg(1, 1), reg(2, 2)], event(capacity=1, reserved_to="PREMIUM"), members)
        assert places(outcome) == [None, "confirmée"]
        [anomaly] = outcome.anomalies
        assert anomaly.is_error and anomaly.id == "I0001"
        assert "PREMIUM" in anomaly.message and "annulé" in anomaly.message

    def test_past_events_are_not_checked_for_eligibility(self):
        """Today's forfait says nothing of last year's: a past registration keeps its seat."""
        outcome = compute([reg(1, 1, status="présent")], event(day=D(2025, 5, 1), reserved_to="Crescendo"))
        assert places(outcome) == ["confirmée"] and outcome.anomalies == []


class TestAnomalies:
    def test_a_duplicate_registration_is_a_warning_and_takes_no_seat(self):
        """The second registration of one member is flagged, names the first, and holds nothing."""
        outcome = compute([reg(1, 1), reg(2, 1), reg(3, 2)])
        assert places(outcome) == ["confirmée", None, "confirmée"]
        [anomaly] = outcome.anomalies
        assert not anomaly.is_error and anomaly.id == "I0002" and "I0001 (ligne 2)" in anomaly.message

    def test_re_registering_after_a_cancellation_is_not_a_duplicate(self):
        """« annulé » then a new registration of the same member: no anomaly."""
        outcome = compute([reg(1, 1, status="annulé"), reg(2, 1)])
        assert outcome.anomalies == [] and places(outcome) == [None, "confirmée"]

    def test_a_member_not_up_to_date_on_the_event_date_is_a_warning(self):
        """M0001's period ends on 29/11/2026: registered for 10/12/2026, a warning; the seat stays."""
        members = {"M1": member(1, paid=D(2025, 11, 30))}
        outcome = compute([reg(1, 1)], members=members)
        [anomaly] = outcome.anomalies
        assert not anomaly.is_error and "10/12/2026" in anomaly.message and "échue" in anomaly.message
        assert places(outcome) == ["confirmée"]

    def test_a_past_event_with_registrations_still_inscrit_asks_to_record_presence(self):
        """A past event whose confirmed registrations are still « inscrit » gets a warning on its row."""
        outcome = compute([reg(1, 1), reg(2, 2, status="présent")], event(day=D(2026, 11, 2)))
        [anomaly] = outcome.anomalies
        assert (anomaly.tab, anomaly.id) == ("Événements", "E001")
        assert "I0001" in anomaly.message and "présent" in anomaly.message and "absent" in anomaly.message

    def test_rows_with_unreadable_values_are_left_out(self):
        """A registration whose « Inscrit le » could not be read gets no Place and takes no seat."""
        broken = Registration(2, "I0001", "E001", "M0001", None, "inscrit", frozenset({"registered_at"}))
        outcome = compute([broken, reg(2, 2), reg(3, 3)])
        assert places(outcome) == [None, "confirmée", "confirmée"]

    def test_an_event_with_an_unreadable_capacity_gets_no_counts(self):
        """No Inscrits, no Place: computing with a wrong capacity could promise seats."""
        broken = Event(
            2, "E001", D(2026, 12, 10), None, "Club MILA", "Club", unreadable=frozenset({"capacity"})
        )
        outcome = compute([reg(1, 1)], broken)
        assert outcome.events[0].registered is None and places(outcome) == [None]


class TestPromotions:
    def test_promotions_compare_the_place_read_with_the_new_one(self):
        """Only « attente N » -> « confirmée » counts; blank -> confirmée or confirmée -> confirmée do not."""
        previous = {"a": "attente 2", "b": None, "c": "confirmée", "d": "Attente 1"}
        new = {"a": "confirmée", "b": "confirmée", "c": "confirmée", "d": "attente 1"}
        assert promotions(previous, new) == ["a"]

    def test_places_are_read_leniently(self):
        """Case, accents and spacing do not matter when reading « Place »."""
        assert parse_place("Confirmee") == ("confirmée", None)
        assert parse_place(" attente  3 ") == ("attente", 3)
        assert parse_place("peut-être") is None

    def test_no_promotion_is_reported_for_a_past_event(self):
        """A seat freed after the event changes its Place but tells nobody."""
        previous = {2: "confirmée", 3: "attente 1"}
        outcome = compute(
            [reg(1, 1, status="absent"), reg(2, 2)], event(day=D(2026, 11, 2), capacity=1), previous=previous
        )
        assert places(outcome) == [None, "confirmée"] and outcome.promotions == []


# --------------------------------------------------------------------------- end to end


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
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
            ],
            [
                "M0001",
                "Onde Claire",
                "Léa Morel",
                "lea@onde.fr",
                "bénéficiaire",
                "PREMIUM",
                "oui",
                "10/01/2023",
                "15/11/2026",
            ],
            [
                "M0002",
                "Studio Nord",
                "Paul Roux",
                "paul@nord.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/09/2022",
                "10/11/2026",
            ],
            [
                "M0003",
                "Label Sud",
                "Inès Bah",
                "ines@sud.fr",
                "bénéficiaire",
                "BASIC",
                "x",
                "01/02/2024",
                "01/11/2026",
            ],
            [
                "M0004",
                "Son Libre",
                "Tom Vidal",
                "tom@libre.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/02/2024",
                "02/11/2026",
            ],
        ],
        "Événements": [
            ["ID", "Date", "Heure", "Type", "Titre", "Capacité", "Réservé à"],
            ["E001", "10/12/2026", "18:30", "Club MILA", "Les droits voisins", 2, None],
            ["E002", "15/12/2026", "10:00", "Crescendo – Atelier pratique", "Booking", 5, "Crescendo"],
        ],
        "Inscriptions": [
            ["ID", "Événement", "Membre", "Inscrit le", "Statut", "Commentaire"],
            ["I0001", "E001", "M0001", "01/11/2026 10:00", "inscrit", "par téléphone"],
            ["I0002", "E001", "M0002", "02/11/2026 10:00", None, None],
            ["I0003", "E001", "M0003", "03/11/2026 10:00", "inscrit", None],
            ["I0004", "E001", "M0004", "04/11/2026 10:00", "inscrit", None],
            ["I0005", "E002", "M0002", "04/11/2026 11:00", "inscrit", None],
            ["I0006", "E002", "M0003", "05/11/2026 11:00", "inscrit", None],
        ],
        "Tarifs": [
            ["Code", "Montant HT", "Du", "Au"],
            ["BASIC", 120, "01/03/2024", None],
            ["PREMIUM", 170, "01/03/2024", None],
            ["CRESCENDO", 10, "01/03/2024", None],
        ],
    }


def sync(book):
    return run_sync(book.open(), today=TODAY, policy=MembershipPolicy(), clock=FixedClock(NOW))


def column(grid, name):
    index = grid[0].index(name)
    return {line[0]: (line[index] if index < len(line) else None) for line in grid[1:]}


class TestSync:
    def test_places_and_counts_are_written(self, make_book):
        """Place, Inscrits and Liste d'attente hold the allocation; the ineligible row is explained."""
        book = make_book(workbook())
        sync(book)
        place = column(book.grid("Inscriptions"), "Place")
        assert [place[f"I000{n}"] for n in range(1, 7)] == [
            "confirmée",
            "confirmée",
            "attente 1",
            "attente 2",
            None,
            "confirmée",
        ]
        events = book.grid("Événements")
        assert column(events, "Inscrits") == {"E001": 2, "E002": 1}
        assert column(events, "Liste d'attente") == {"E001": 2, "E002": 0}
        assert "Crescendo" in column(book.grid("Inscriptions"), "Anomalies")["I0005"]
        assert column(book.grid("Inscriptions"), "Commentaire")["I0001"] == "par téléphone"

    def test_a_second_sync_writes_nothing(self, make_book):
        """Right after a sync, places and counts are stable: 0 cells written, no promotion."""
        book = make_book(workbook())
        sync(book)
        second = sync(book)
        assert second.cells_written == 0 and second.promotions == []

    def test_a_cancellation_promotes_once(self, make_book):
        """I0001 cancels: the next sync confirms I0003, reports it once, and the one after reports nothing."""
        book = make_book(workbook())
        sync(book)
        grid = book.grid("Inscriptions")
        row = next(i for i, line in enumerate(grid, start=1) if line[0] == "I0001")
        book.edit("Inscriptions", {(row, grid[0].index("Statut") + 1): "annulé"})
        result = sync(book)
        assert [(p.registration_id, p.member_id, p.event_id) for p in result.promotions] == [
            ("I0003", "M0003", "E001")
        ]
        assert result.as_dict()["promotions"] == [
            {"registration": "I0003", "member": "M0003", "event": "E001"}
        ]
        place = column(book.grid("Inscriptions"), "Place")
        assert (place["I0001"], place["I0003"], place["I0004"]) == (None, "confirmée", "attente 1")
        assert column(book.grid("Événements"), "Liste d'attente")["E001"] == 1
        assert sync(book).promotions == []
