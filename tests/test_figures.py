"""Figures for the annual report: occupancy of the resources, sessions and distinct
member structures per event type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from automations.model.dataset import Dataset
from automations.rules.bookings import BookingPolicy
from automations.rules.figures import occupancy, sessions_by_type, structures_by_type
from automations.workbook.table import Table


def _member(n: int) -> list[object]:
    return [
        f"M000{n}",
        f"Structure {n}",
        "Prénom Nom",
        f"m{n}@x.fr",
        "bénéficiaire",
        "PREMIUM",
        "01/01/2023",
        "01/01/2024",
    ]


MEMBERS: list[list[object]] = [
    ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le", "Cotisation payée le"],
    *[_member(n) for n in range(1, 6)],
]


def dataset(
    *,
    bookings: Sequence[list[object]] = (),
    events: Sequence[list[object]] = (),
    registrations: Sequence[list[object]] = (),
) -> Dataset:
    grids: dict[str, list[list[object]]] = {
        "Membres": MEMBERS,
        "Locaux": [
            ["ID", "Nom", "Site", "Capacité", "Tarif jour HT", "Réservable"],
            ["L01", "Bureau 1", "Pépinière", None, None, None],
            ["L02", "Salle de réunion", "Milab", 1, 60, "oui"],
            ["L03", "Postes Milab", "Milab", 2, 15, "oui"],
        ],
        "Réservations": [["ID", "Ressource", "Membre", "Début", "Fin", "Statut"], *bookings],
        "Événements": [["ID", "Date", "Type", "Titre", "Capacité"], *events],
        "Inscriptions": [["ID", "Événement", "Membre", "Inscrit le", "Statut"], *registrations],
    }
    tables = {t: Table.from_grid(t, g) for t, g in grids.items()}
    return Dataset.from_tables(tables, today=dt.date(2025, 1, 15))


class TestOccupancy:
    def test_each_bookable_resource_gets_twelve_months_and_the_year(self):
        """Two resources: 13 rows each, months in order then the year (month None); offices are left out."""
        rows = occupancy(dataset(), 2024)
        assert [r.resource_id for r in rows] == ["L02"] * 13 + ["L03"] * 13
        assert [r.month for r in rows[:13]] == [*range(1, 13), None]
        assert rows[12].open_days == 262 and rows[12].rate == Decimal(0)

    def test_used_days_are_capped_by_capacity_and_count_open_days_only(self):
        """Desks (2 places) in July 2024: a Mon–Sun week + 2 day bookings on Tuesday = 5 + 2 capped at 2."""
        rows = occupancy(
            dataset(
                bookings=[
                    ["R0001", "L03", "M0001", "01/07/2024", "07/07/2024", "confirmée"],
                    ["R0002", "L03", "M0002", "02/07/2024", "02/07/2024", "confirmée"],
                    ["R0003", "L03", "M0003", "02/07/2024", "02/07/2024", "confirmée"],
                    ["R0004", "L03", "M0004", "03/07/2024", "03/07/2024", "demandée"],
                    ["R0005", "L03", "M0004", "04/07/2024", "04/07/2024", "annulée"],
                ]
            ),
            2024,
        )
        july = next(r for r in rows if r.resource_id == "L03" and r.month == 7)
        assert (july.capacity, july.open_days, july.used_days, july.bookings) == (2, 23, 6, 3)
        assert july.rate == Decimal("0.1304")
        year = next(r for r in rows if r.resource_id == "L03" and r.month is None)
        assert year.used_days == 6 and year.bookings == 3

    def test_an_hour_booking_occupies_the_room_that_day(self):
        """Two meetings on one day of a one-place room count as one day used."""
        rows = occupancy(
            dataset(
                bookings=[
                    ["R0001", "L02", "M0001", "05/03/2024 09:00", "05/03/2024 11:00", "confirmée"],
                    ["R0002", "L02", "M0002", "05/03/2024 14:00", "05/03/2024 16:00", "confirmée"],
                ]
            ),
            2024,
        )
        march = next(r for r in rows if r.resource_id == "L02" and r.month == 3)
        assert (march.used_days, march.bookings) == (1, 2)

    def test_a_booking_across_new_year_counts_in_each_year_for_its_own_days(self):
        """30/12/2024–03/01/2025: two open days in 2024, three in 2025."""
        data = dataset(bookings=[["R0001", "L03", "M0001", "30/12/2024", "03/01/2025", "confirmée"]])
        assert occupancy(data, 2024)[-1].used_days == 2
        assert occupancy(data, 2025)[-1].used_days == 3

    def test_opening_days_follow_the_policy(self):
        """With Saturdays open, July 2024 has 27 opening days."""
        rows = occupancy(dataset(), 2024, BookingPolicy(open_days=frozenset({0, 1, 2, 3, 4, 5})))
        assert rows[6].open_days == 27


EVENTS: list[list[object]] = [
    ["E001", "10/02/2024", "Club MILA", "Droits voisins", None],
    ["E002", "12/03/2024", "Club MILA", "Subventions", 2],
    ["E003", "02/04/2024", "Consultation d'experts", "Juridique", None],
    ["E004", "05/01/2023", "Club MILA", "Ancien", None],
]


class TestProgramme:
    def test_sessions_are_counted_per_type_and_year(self):
        """2024: two Clubs MILA and one consultation; 2023: one Club."""
        data = dataset(events=EVENTS)
        assert sessions_by_type(data, 2024) == {"Club MILA": 2, "Consultation d'experts": 1}
        assert sessions_by_type(data, 2023) == {"Club MILA": 1}

    def test_structures_count_present_members_or_confirmed_registrations(self):
        """E001 recorded presence (M1 present, M2 absent); E002 did not (M3, M4 confirmed, M5 waiting):
        Clubs reached M1, M3, M4; a member at two clubs counts once."""
        data = dataset(
            events=EVENTS,
            registrations=[
                ["I0001", "E001", "M0001", "01/02/2024", "présent"],
                ["I0002", "E001", "M0002", "01/02/2024", "absent"],
                ["I0003", "E002", "M0003", "01/03/2024", "inscrit"],
                ["I0004", "E002", "M0004", "02/03/2024", "inscrit"],
                ["I0005", "E002", "M0005", "03/03/2024", "inscrit"],
                ["I0006", "E002", "M0001", "04/03/2024", "annulé"],
                ["I0007", "E003", "M0001", "01/04/2024", "présent"],
                ["I0008", "E004", "M0002", "01/01/2023", "présent"],
                ["I0009", "E001", "M0999", "01/02/2024", "présent"],
            ],
        )
        assert structures_by_type(data, 2024) == {"Club MILA": 3, "Consultation d'experts": 1}
        assert structures_by_type(data, 2023) == {"Club MILA": 1}

    def test_a_year_without_events_gives_nothing(self):
        """No event in 2022: empty figures."""
        data = dataset(events=EVENTS)
        assert sessions_by_type(data, 2022) == {} and structures_by_type(data, 2022) == {}
