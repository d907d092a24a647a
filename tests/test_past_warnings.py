"""Warnings about bookings and events long over are not written; their errors are."""

from __future__ import annotations

import datetime as dt

from automations.clock import FixedClock
from automations.jobs.sync import run_sync
from automations.model.dataset import Dataset
from automations.rules.membership import MembershipPolicy
from automations.rules.past import past_rows
from automations.settings import BookingPolicy
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 9, 15)
D = dt.date

MEMBERS: list[list[object]] = [
    ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le", "Cotisation payée le"],
    [
        "M0001",
        "Onde Claire",
        "Léa Morel",
        "lea@onde.fr",
        "bénéficiaire",
        "BASIC",
        D(2023, 1, 10),
        D(2026, 11, 15),
    ],
]
HEADER: list[object] = ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut"]


def grids() -> dict[str, list[list[object]]]:
    return {
        "Membres": MEMBERS,
        "Locaux": [
            ["ID", "Nom", "Site", "Capacité", "Tarif jour HT", "Tarif semaine HT", "Réservable"],
            ["L02", "Salle de réunion", "Milab", 1, 60, None, "oui"],
        ],
        "Tarifs": [["Code", "Montant HT", "Du", "Au"], ["BASIC", 120, D(2024, 3, 1), None]],
        "Réservations": [
            HEADER,
            # Saturday 14/09/2024: long over, its weekend warning goes
            ["R0001", "L02", "M0001", None, D(2024, 9, 14), D(2024, 9, 14), "jour", "confirmée"],
            # Sunday 21/07/2024 and an unknown member: the error stays, the warning goes
            ["R0002", "L02", "M0412", None, D(2024, 7, 21), D(2024, 7, 21), "jour", "confirmée"],
            # Saturday 14/11/2026, nine days ago: the warning is still written
            ["R0003", "L02", "M0001", None, D(2026, 11, 14), D(2026, 11, 14), "jour", "confirmée"],
        ],
    }


def anomalies_after_sync(policy: BookingPolicy | None = None) -> dict[str, str | None]:
    backend = MemoryBackend(grids())
    run_sync(
        Workbook(backend),
        today=TODAY,
        policy=MembershipPolicy(),
        booking_policy=policy,
        clock=FixedClock(NOW),
    )
    grid = backend.grids["Réservations"]
    index = grid[0].index("Anomalies")
    return {line[0]: (line[index] if index < len(line) else None) for line in grid[1:]}


class TestPastWarnings:
    def test_a_weekend_booking_long_over_gets_no_warning(self):
        """A Saturday booking of 2024 is no longer flagged: nothing can be done about it now."""
        assert anomalies_after_sync()["R0001"] in (None, "")

    def test_the_error_of_a_row_long_over_is_still_written(self):
        """A 2024 booking by an unknown member keeps its error, without the weekend warning."""
        text = anomalies_after_sync()["R0002"]
        assert text is not None and "M0412" in text
        assert "jour de fermeture" not in text

    def test_a_recent_weekend_booking_keeps_its_warning(self):
        """A booking nine days ago, within the 30 days, is still flagged as a closed day."""
        text = anomalies_after_sync()["R0003"]
        assert text is not None and "samedi 14/11/2026" in text

    def test_the_number_of_days_is_configurable(self):
        """With [bookings] past_warnings_days = 1000, the 2024 weekend warnings are written again."""
        policy = BookingPolicy.model_validate({"past_warnings_days": 1000})
        found = anomalies_after_sync(policy)
        assert "samedi 14/09/2024" in (found["R0001"] or "")
        assert "dimanche 21/07/2024" in (found["R0002"] or "")

    def test_the_default_is_thirty_days(self):
        """An empty [bookings] section keeps warnings for 30 days after the end."""
        assert BookingPolicy.model_validate({}).past_warnings_days == 30


class TestPastRows:
    def test_events_long_over_and_their_registrations_are_past(self):
        """An event of last year and its registrations are past; next month's are not."""
        tables: dict[str, list[list[object]]] = {
            "Membres": MEMBERS,
            "Événements": [
                ["ID", "Date", "Type", "Titre"],
                ["E001", D(2025, 6, 12), "atelier", "Ancien"],
                ["E002", D(2026, 12, 15), "atelier", "Prochain"],
            ],
            "Inscriptions": [
                ["ID", "Événement", "Membre"],
                ["I0001", "E001", "M0001"],
                ["I0002", "E002", "M0001"],
            ],
        }
        workbook = Workbook(MemoryBackend(tables))
        dataset = Dataset.from_tables(workbook.read(), today=TODAY)
        assert past_rows(dataset, TODAY, 30) == {("Événements", 2), ("Inscriptions", 2)}
