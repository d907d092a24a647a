"""Cross-tab checks: duplicate IDs, unknown references, duplicates among members,
hosted members, forfaits, occupations and rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from automations.model.anomalies import Anomalies, Anomaly, Severity
from automations.model.dataset import Dataset
from automations.rules.validation import Context, validate
from automations.workbook.table import Table

TODAY = dt.date(2024, 7, 2)
SIRET = "73282932000074"
MEMBER_HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "SIRET",
    "Catégorie",
    "Forfait",
    "Adhésion le",
    "Cotisation payée le",
    "Sortie le",
]


def m(
    ident: str,
    category: str = "bénéficiaire",
    forfait: str | None = "BASIC",
    *,
    email: str | None = None,
    siret: str | None = None,
    paid: str | None = "2024-03-15",
    left: str | None = None,
) -> list[object]:
    return [
        ident,
        f"Structure {ident}",
        "Prénom Nom",
        email or f"{ident.lower()}@x.fr",
        siret,
        category,
        forfait,
        "2020-01-01",
        paid,
        left,
    ]


def build(
    members: list[list[object]] | None = None,
    *,
    premises: list[list[object]] | None = None,
    occupations: list[list[object]] | None = None,
    bookings: list[list[object]] | None = None,
    registrations: list[list[object]] | None = None,
    events: list[list[object]] | None = None,
    rates: list[list[object]] | None = None,
    today: dt.date = TODAY,
) -> Dataset:
    grids: dict[str, list[list[object]]] = {
        "Membres": [MEMBER_HEADER, *(members or [])],
        "Locaux": [["ID", "Nom", "Site", "Surface m²", "Capacité", "Réservable"], *(premises or [])],
        "Occupations": [["ID", "Membre", "Local", "Début", "Fin"], *(occupations or [])],
        "Réservations": [["ID", "Ressource", "Membre", "Organisme", "Début", "Fin"], *(bookings or [])],
        "Événements": [["ID", "Date", "Type", "Titre"], *(events or [])],
        "Inscriptions": [["ID", "Événement", "Membre"], *(registrations or [])],
        "Tarifs": [["Code", "Montant HT", "Du", "Au"], *(rates or [])],
    }
    return Dataset.from_tables({t: Table.from_grid(t, g) for t, g in grids.items()}, today=today)


Found = list[tuple[str, int | None, str | None, str]]


def found(dataset: Dataset, today: dt.date = TODAY) -> Found:
    return [(a.tab, a.row, a.column, a.severity.value) for a in validate(dataset, today)]


class TestIdentifiers:
    def test_same_id_twice_is_an_error_on_both_rows(self) -> None:
        """Two rows with one ID (even spelled differently) are both errors."""
        result = validate(build([m("M0001"), m("m1")]), TODAY)
        assert [(a.row, a.column, a.severity) for a in result] == [
            (2, "ID", Severity.ERROR),
            (3, "ID", Severity.ERROR),
        ]
        assert "aussi m1 (ligne 3)" in result.for_row("Membres", 2)[0].message

    def test_unknown_references_are_errors(self) -> None:
        """IDs pointing nowhere in Occupations, Réservations and Inscriptions are errors."""
        dataset = build(
            [m("M0001")],
            premises=[["L01", "Salle", "Milab", None, 1, "oui"]],
            occupations=[["C001", "M0009", "L07", "2024-01-01", None]],
            bookings=[["R0001", "L01", "M0008", None, "2024-07-02", "2024-07-02"]],
            registrations=[["I0001", "E005", "M0001"]],
        )
        assert found(dataset) == [
            ("Occupations", 2, "Membre", "error"),
            ("Occupations", 2, "Local", "error"),
            ("Réservations", 2, "Membre", "error"),
            ("Inscriptions", 2, "Événement", "error"),
        ]
        message = validate(dataset, TODAY).for_row("Occupations", 2)[0].message
        assert message == (
            "ID inconnu dans « Membre » : « M0009 » ne figure pas dans l'onglet "
            "« Membres ». Saisissez l'ID d'une ligne de cet onglet "
            "(par exemple M0001)."
        )

    def test_booking_a_resource_that_is_not_bookable(self) -> None:
        """Booking an office not marked ``Réservable`` is an error."""
        dataset = build(
            [m("M0001")],
            premises=[["L01", "Bureau", "Pépinière", 16, 1, None]],
            bookings=[["R0001", "L01", "M0001", None, "2024-07-02", "2024-07-02"]],
        )
        assert found(dataset) == [("Réservations", 2, "Ressource", "error")]


class TestMembers:
    def test_same_email_on_two_active_members_warns_both(self) -> None:
        """A shared e-mail between two active members is a warning on each."""
        dataset = build([m("M0001", email="a@x.fr"), m("M0002", email="A@x.fr")])
        assert found(dataset) == [("Membres", 2, "Email", "warning"), ("Membres", 3, "Email", "warning")]

    def test_same_siret_ignores_members_who_left(self) -> None:
        """A shared SIRET warns only when both members are still active."""
        both = build([m("M0001", siret=SIRET), m("M0002", siret=SIRET)])
        gone = build([m("M0001", siret=SIRET), m("M0002", siret=SIRET, left="2024-01-01")])
        assert found(both) == [("Membres", 2, "SIRET", "warning"), ("Membres", 3, "SIRET", "warning")]
        assert found(gone) == []

    def test_hosted_member_without_ongoing_occupation(self) -> None:
        """A hébergé whose occupations are all over is warned."""
        dataset = build(
            [m("M0001", "hébergé", None), m("M0002", "hébergé", None)],
            premises=[
                ["L01", "Bureau 1", "Pépinière", 16, 1, None],
                ["L02", "Bureau 2", "Pépinière", 12, 1, None],
            ],
            occupations=[
                ["C001", "M0001", "L01", "2020-01-01", "2023-12-31"],
                ["C002", "M0002", "L02", "2020-01-01", None],
            ],
        )
        assert found(dataset) == [("Membres", 2, "Catégorie", "warning")]

    def test_beneficiaire_without_forfait_after_march_2024(self) -> None:
        """Without forfait, an error when the period starts on or after 2024-03-01 only."""
        dataset = build(
            [
                m("M0001", forfait=None, paid="2023-03-01"),  # next 2024-03-01
                m("M0002", forfait=None, paid="2023-02-28"),
            ],  # next 2024-02-28
            today=dt.date(2024, 2, 1),
        )
        result = validate(dataset, dt.date(2024, 2, 1))
        assert [(a.row, a.column, a.severity) for a in result] == [(2, "Forfait", Severity.ERROR)]
        assert result.for_row("Membres", 2)[0].message == (
            "Forfait manquant dans « Forfait » pour un bénéficiaire dont la période commence "
            "le 01/03/2024 : choisissez BASIC ou PREMIUM."
        )

    def test_member_who_left_needs_no_forfait(self) -> None:
        """A member who left is not asked for a forfait."""
        assert found(build([m("M0001", forfait=None, left="2024-05-01")])) == []


class TestOccupations:
    PREMISES: list[list[object]] = [
        ["L01", "Bureau 1", "Pépinière", 16, 1, None],
        ["L02", "Postes", "Milab", None, 2, "oui"],
    ]

    def test_overlapping_occupations_of_one_office(self) -> None:
        """Two occupations of one office at the same time are errors on both rows."""
        dataset = build(
            [m("M0001", "hébergé", None), m("M0002", "hébergé", None)],
            premises=self.PREMISES,
            occupations=[
                ["C001", "M0001", "L01", "2020-01-01", "2024-06-30"],
                ["C002", "M0002", "L01", "2024-06-30", None],
            ],
        )
        assert [a for a in found(dataset) if a[0] == "Occupations"] == [
            ("Occupations", 2, "Début", "error"),
            ("Occupations", 3, "Début", "error"),
        ]

    def test_consecutive_occupations_are_fine(self) -> None:
        """An occupation starting the day after the previous one ends is no conflict."""
        dataset = build(
            [m("M0001", "hébergé", None), m("M0002", "hébergé", None)],
            premises=self.PREMISES,
            occupations=[
                ["C001", "M0001", "L01", "2020-01-01", "2024-06-30"],
                ["C002", "M0002", "L01", "2024-07-01", None],
            ],
        )
        assert [a for a in found(dataset) if a[0] == "Occupations"] == []

    def test_capacity_allows_sharing(self) -> None:
        """A premises of capacity 2 takes two occupations at once, not three."""
        members = [m(f"M000{i}", "hébergé", None) for i in (1, 2, 3)]
        two = build(
            members,
            premises=self.PREMISES,
            occupations=[
                ["C001", "M0001", "L02", "2024-01-01", None],
                ["C002", "M0002", "L02", "2024-02-01", None],
            ],
        )
        three = build(
            members,
            premises=self.PREMISES,
            occupations=[
                ["C001", "M0001", "L02", "2024-01-01", None],
                ["C002", "M0002", "L02", "2024-02-01", None],
                ["C003", "M0003", "L02", "2024-03-01", None],
            ],
        )
        assert [a for a in found(two) if a[0] == "Occupations"] == []
        assert [a[1] for a in found(three) if a[0] == "Occupations"] == [2, 3, 4]

    def test_occupant_not_hosted(self) -> None:
        """An ongoing occupation by a bénéficiaire is a warning; a past one is not."""
        dataset = build(
            [m("M0001"), m("M0002")],
            premises=self.PREMISES,
            occupations=[
                ["C001", "M0001", "L01", "2024-01-01", None],
                ["C002", "M0002", "L01", "2020-01-01", "2023-12-31"],
            ],
        )
        assert found(dataset) == [("Occupations", 2, "Membre", "warning")]


class TestRatesAndHooks:
    def test_overlapping_rates_of_one_code(self) -> None:
        """Two rows of one code valid at the same time are errors on both."""
        dataset = build(rates=[["BASIC", 120, "2024-03-01", None], ["BASIC", 130, "2025-01-01", None]])
        assert found(dataset) == [("Tarifs", 2, "Du", "error"), ("Tarifs", 3, "Du", "error")]

    def test_extra_checks_plug_in(self) -> None:
        """Extra checks receive the context and their anomalies are added."""

        def check(ctx: Context) -> Iterable[Anomaly]:
            yield Anomaly("Réservations", 2, "R0001", "Début", Severity.ERROR, f"Vu le {ctx.today:%d/%m/%Y}.")

        result = validate(build(), TODAY, extra_checks=[check])
        assert isinstance(result, Anomalies)
        assert result.as_cell_text("Réservations", 2) == "Vu le 02/07/2024."

    def test_clean_workbook_has_no_anomaly(self) -> None:
        """A consistent workbook gives nothing."""
        dataset = build(
            [m("M0001"), m("M0002", "hébergé", None)],
            premises=[["L01", "Bureau", "Pépinière", 16, 1, None], ["L02", "Salle", "Milab", None, 1, "oui"]],
            occupations=[["C001", "M0002", "L01", "2020-01-01", None]],
            bookings=[["R0001", "L02", None, "Asso du quartier", "2024-07-02", "2024-07-02"]],
            events=[["E001", "2024-07-02", "Club MILA", "Club"]],
            registrations=[["I0001", "E001", "M0001"]],
            rates=[["BASIC", 120, "2024-03-01", None]],
        )
        assert len(dataset.anomalies) == 0 and found(dataset) == []


def test_the_quick_duplicate_test_agrees_with_the_id_keys():
    """IDs written alike are compared by number, the others by key: the same verdict."""
    from automations import schema
    from automations.model.rows import id_key
    from automations.rules.validation import _distinct_keys

    cases: tuple[list[str | None], ...] = (
        ["M0012", "M0013", None, None],
        ["M0012", "M12"],
        ["M0012", "m12"],
        ["M1", "M01", "M001"],
        ["M0012", "M 0013", "M-0014"],
        ["M0012", "M0012"],
        ["M9999", "M10000", "M0001"],
        ["M0000", "M0", "M00"],
        ["M0012", "X0012"],
        ["M٣", "M3"],
        [],
    )
    for ids in cases:
        keys = [key for key in map(id_key, [i for i in ids if i is not None]) if key is not None]
        assert _distinct_keys(schema.MEMBRES, ids) == (len(set(keys)) == len(keys)), ids
