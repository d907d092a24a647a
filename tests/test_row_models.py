"""Row models: sheet rows into frozen models with their anomalies, never a crash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations.model.anomalies import Anomalies, Anomaly, Severity
from automations.model.dataset import Dataset
from automations.model.parsing import parse_member, parse_table
from automations.model.rows import Booking, Event, Member, Occupation, Premises, Rate, id_key
from automations.workbook.table import Table

TODAY = dt.date(2024, 7, 2)

MEMBER_HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Téléphone",
    "SIRET",
    "Catégorie",
    "Forfait",
    "Option Crescendo",
    "Adhésion le",
    "Cotisation payée le",
    "Montant payé",
    "Charte signée le",
    "Sortie le",
    "Anomalies",
]
GOOD_MEMBER = [
    "M0001",
    "Label A",
    "Jean Dupont",
    "jean@label-a.fr",
    "06 12 34 56 78",
    "73282932000074",
    "bénéficiaire",
    "PREMIUM",
    "oui",
    "10/01/2023",
    45366,
    "180,00 €",
    None,
    None,
    None,
]


def member_table(*rows: list[object], header: list[object] = MEMBER_HEADER) -> Table:
    return Table.from_grid("Membres", [header, *rows])


def one_member(**changes: object) -> tuple[Member, list[Anomaly]]:
    values = dict(zip(MEMBER_HEADER, GOOD_MEMBER, strict=True))
    values.update({k.replace("_", " "): v for k, v in changes.items()})
    table = member_table([values[h] for h in MEMBER_HEADER])
    model, anomalies = parse_member(table.rows[0], today=TODAY)
    assert isinstance(model, Member)
    return model, anomalies


class TestMemberRow:
    def test_good_row_gives_a_complete_model(self) -> None:
        """A well-filled row parses into every field without anomaly."""
        member, anomalies = one_member()
        assert anomalies == []
        assert member == Member(
            row=2,
            id="M0001",
            structure="Label A",
            contact="Jean Dupont",
            email="jean@label-a.fr",
            phone="06 12 34 56 78",
            siret="73282932000074",
            category="bénéficiaire",
            forfait="PREMIUM",
            crescendo=True,
            joined_on=dt.date(2023, 1, 10),
            paid_on=dt.date(2024, 3, 15),
            amount_paid=Decimal("180.00"),
        )

    def test_unreadable_date_gives_anomaly_and_none(self) -> None:
        """An impossible date is an error naming the column, and the field is None."""
        member, anomalies = one_member(**{"Adhésion le": "31/02/2024"})
        assert member.joined_on is None and "joined_on" in member.unreadable
        assert [a.message for a in anomalies] == [
            "Date illisible dans « Adhésion le » : « 31/02/2024 ». Saisissez une date au format JJ/MM/AAAA."
        ]
        assert anomalies[0].severity is Severity.ERROR and anomalies[0].column == "Adhésion le"
        assert anomalies[0].tab == "Membres" and anomalies[0].row == 2
        assert anomalies[0].id == "M0001"

    def test_missing_required_values_are_errors(self) -> None:
        """Blank Structure, Contact, Email, Catégorie and Adhésion le are five errors."""
        member, anomalies = one_member(
            Structure=None, Contact=" ", Email="", **{"Catégorie": None, "Adhésion le": None}
        )
        assert {a.column for a in anomalies} == {"Structure", "Contact", "Email", "Catégorie", "Adhésion le"}
        assert all(a.severity is Severity.ERROR for a in anomalies)
        assert all(a.message.startswith("Valeur manquante dans « ") for a in anomalies)
        assert member.email is None and member.unreadable == frozenset()

    def test_bad_siret_and_phone_are_warnings(self) -> None:
        """A wrong SIRET checksum and a bad phone are warnings; the fields are None."""
        member, anomalies = one_member(SIRET="73282932000075", **{"Téléphone": "12"})
        assert {a.column: a.severity for a in anomalies} == {
            "SIRET": Severity.WARNING,
            "Téléphone": Severity.WARNING,
        }
        assert member.siret is None and member.phone is None

    def test_bad_email_is_an_error(self) -> None:
        """An address that cannot receive reminders is an error."""
        _, anomalies = one_member(Email="jean.dupont@")
        assert [(a.column, a.severity) for a in anomalies] == [("Email", Severity.ERROR)]

    def test_category_and_forfait_are_canonical(self) -> None:
        """Category and forfait come back in their canonical spelling."""
        member, anomalies = one_member(**{"Catégorie": "BENEFICIAIRE", "Forfait": "basic"})
        assert (member.category, member.forfait, anomalies) == ("bénéficiaire", "BASIC", [])

    def test_unknown_category_is_an_error(self) -> None:
        """An unknown category says which ones exist."""
        member, anomalies = one_member(**{"Catégorie": "sympathisant"})
        assert member.category is None
        assert "hébergé, bénéficiaire, membre de droit" in anomalies[0].message

    def test_implausible_date_is_a_warning_and_kept(self) -> None:
        """A date in 1924 is kept but flagged as a warning."""
        member, anomalies = one_member(**{"Adhésion le": "02/07/1924"})
        assert member.joined_on == dt.date(1924, 7, 2)
        assert [(a.column, a.severity) for a in anomalies] == [("Adhésion le", Severity.WARNING)]

    def test_left_before_joining_is_an_error(self) -> None:
        """``Sortie le`` before ``Adhésion le`` is an impossible period."""
        _, anomalies = one_member(**{"Sortie le": "01/01/2022"})
        assert [(a.column, a.severity) for a in anomalies] == [("Sortie le", Severity.ERROR)]

    def test_blank_crescendo_is_no(self) -> None:
        """A blank ``Option Crescendo`` means no option."""
        member, _ = one_member(**{"Option Crescendo": None})
        assert member.crescendo is False

    def test_xlsx_and_google_date_cells(self) -> None:
        """An .xlsx datetime cell and a Google serial give the same date."""
        a, _ = one_member(**{"Cotisation payée le": dt.datetime(2024, 3, 15)})
        b, _ = one_member(**{"Cotisation payée le": 45366.0})
        assert a.paid_on == b.paid_on == dt.date(2024, 3, 15)


class TestHostileCells:
    @pytest.mark.parametrize("value", ["x" * 10_000, "🎉🎉", "=SUM(A1)", "'", 1e300, -1, True, float("nan")])
    def test_any_value_in_any_column_builds_a_model(self, value: object) -> None:
        """Whatever sits in every cell, parsing returns a model and anomalies, never raises."""
        row = [value] * len(MEMBER_HEADER)
        row[0] = "M0009"
        models, anomalies = parse_table(member_table(row), today=TODAY)
        assert len(models) == 1 and isinstance(models[0], Member)
        assert all(len(a.message) < 700 for a in anomalies)


class TestOtherTabs:
    def test_premises_defaults_and_missing_surface(self) -> None:
        """Capacity defaults to 1, bookable to no; an office without surface is warned."""
        table = Table.from_grid(
            "Locaux",
            [
                ["ID", "Nom", "Site", "Surface m²", "Capacité", "Réservable"],
                ["L01", "Bureau 1", "Pépinière", None, None, None],
                ["L02", "Postes Milab", "Milab", None, 6, "oui"],
            ],
        )
        (office, desks), anomalies = parse_table(table, today=TODAY)
        assert isinstance(office, Premises) and office.capacity == 1 and not office.bookable
        assert isinstance(desks, Premises) and desks.capacity == 6 and desks.bookable
        assert [(a.row, a.column, a.severity) for a in anomalies] == [(2, "Surface m²", Severity.WARNING)]

    def test_occupation_end_before_start(self) -> None:
        """An occupation ending before it starts is an error on ``Fin``; refs are normalised."""
        table = Table.from_grid(
            "Occupations",
            [
                ["ID", "Membre", "Local", "Début", "Fin"],
                ["C001", "m2", "l1", "01/03/2024", "01/02/2024"],
            ],
        )
        (occupation,), anomalies = parse_table(table, today=TODAY)
        assert isinstance(occupation, Occupation)
        assert (occupation.member_id, occupation.premises_id) == ("M0002", "L01")
        assert [(a.column, a.severity) for a in anomalies] == [("Fin", Severity.ERROR)]

    def test_booking_defaults_times_and_organisation(self) -> None:
        """A booking gets default formula and status; without member it needs an organisme."""
        table = Table.from_grid(
            "Réservations",
            [
                ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut"],
                ["R0001", "L05", None, None, "02/07/2024 09:00", "02/07/2024 18h00", None, None],
                ["R0002", "L05", "M0001", None, "02/07/2024", "02/07/2024", "semaine", "confirmée"],
                ["R0003", "L05", "M0001", None, "02/07/2024 18:00", "02/07/2024 09:00", None, None],
            ],
        )
        (first, second, third), anomalies = parse_table(table, today=TODAY)
        assert isinstance(first, Booking) and isinstance(second, Booking)
        assert (first.formula, first.status) == ("jour", "demandée")
        assert first.start_at == dt.datetime(2024, 7, 2, 9)
        assert second.end_at == dt.datetime(2024, 7, 3)  # a whole day
        assert [(a.row, a.column) for a in anomalies] == [(2, "Organisme"), (4, "Fin")]

    def test_event_fields(self) -> None:
        """An event reads its type, time, capacity and speakers."""
        table = Table.from_grid(
            "Événements",
            [
                ["ID", "Date", "Heure", "Type", "Titre", "Intervenants", "Capacité", "Réservé à"],
                [
                    "E001",
                    "02/07/2024",
                    "18h30",
                    "Crescendo - Atelier pratique",
                    "Atelier",
                    "Ana (Label X); Bo (Y)",
                    20,
                    "premium",
                ],
            ],
        )
        (event,), anomalies = parse_table(table, today=TODAY)
        assert isinstance(event, Event) and anomalies == []
        assert event.starts_at == dt.datetime(2024, 7, 2, 18, 30)
        assert event.type == "Crescendo – Atelier pratique" and event.reserved_to == "PREMIUM"
        assert event.speakers == ["Ana (Label X)", "Bo (Y)"] and event.capacity == 20

    def test_rate_with_blank_vat_defaults_to_20(self) -> None:
        """A rate without ``TVA %`` uses 20 %; ``Au`` before ``Du`` is an error."""
        table = Table.from_grid(
            "Tarifs",
            [
                ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
                ["premium", "Forfait", "170 €", None, None, "01/03/2024", None],
                ["BASIC", "Forfait", 120, None, 0.2, "01/03/2024", "01/01/2024"],
            ],
        )
        (premium, basic), anomalies = parse_table(table, today=TODAY)
        assert isinstance(premium, Rate) and premium.code == "PREMIUM"
        assert premium.vat_percent == 20 and premium.amount_ht == Decimal("170.00")
        assert isinstance(basic, Rate) and basic.vat_percent == 20
        assert [(a.row, a.column) for a in anomalies] == [(3, "Au")]

    def test_missing_required_column_does_not_flood_rows(self) -> None:
        """When a required column is absent, rows do not each report it missing."""
        table = member_table(["M0001", "Label A"], header=["ID", "Structure"])
        _, anomalies = parse_table(table, today=TODAY)
        assert anomalies == []


class TestDataset:
    def test_from_tables_matches_titles_and_ignores_staff_tabs(self) -> None:
        """Titles match like headers; staff tabs are ignored; missing tabs give no rows."""
        tables = {
            " membres ": member_table(GOOD_MEMBER),
            "Notes de Julie": Table.from_grid("Notes de Julie", [["Quoi"], ["rien"]]),
        }
        dataset = Dataset.from_tables(tables, today=TODAY)
        assert [m.id for m in dataset.members] == ["M0001"]
        assert dataset.bookings == [] and dataset.titles == {"Membres": " membres "}
        assert dataset.member("m1") is dataset.members[0]

    def test_parsing_anomalies_are_collected(self) -> None:
        """The dataset holds every row's parsing anomalies."""
        bad = list(GOOD_MEMBER)
        bad[9] = "31/02/2024"
        dataset = Dataset.from_tables({"Membres": member_table(GOOD_MEMBER, bad)}, today=TODAY)
        assert dataset.anomalies.as_cell_text("Membres", 3).startswith("Date illisible")
        assert dataset.anomalies.as_cell_text("Membres", 2) == ""


class TestAnomalies:
    def test_cell_text_lists_errors_first_one_per_line(self) -> None:
        """A row's cell text puts errors before warnings, one sentence per line."""
        found = Anomalies(
            [
                Anomaly("Membres", 2, "M0001", "SIRET", Severity.WARNING, "Avertissement."),
                Anomaly("Membres", 2, "M0001", "Email", Severity.ERROR, "Erreur."),
                Anomaly("Membres", 3, "M0002", "Email", Severity.ERROR, "Autre ligne."),
            ]
        )
        assert found.as_cell_text("Membres", 2) == "Erreur.\nAvertissement."
        assert len(found.errors) == 2 and len(found.warnings) == 1
        assert len(found.by_tab("membres")) == 3

    def test_duplicates_are_kept_once(self) -> None:
        """The same anomaly found twice shows once."""
        anomaly = Anomaly("Membres", 2, "M0001", "Forfait", Severity.ERROR, "Forfait manquant.")
        found = Anomalies([anomaly, anomaly])
        assert len(found) == 1

    def test_severity_labels(self) -> None:
        """Severities have French labels."""
        assert (Severity.ERROR.label, Severity.WARNING.label) == ("erreur", "avertissement")

    def test_id_key_ignores_padding_and_case(self) -> None:
        """``m12``, ``M0012`` and ``M 012`` are the same ID."""
        assert id_key("m12") == id_key("M0012") == id_key("M 012") == "M12"


def test_a_reference_written_as_the_tab_writes_it_reads_as_by_the_full_path():
    """The shortcut for `M0012` gives what the full path gives (a trailing space sends the
    same reference down the full path)."""
    from automations.model.rows import _normalize_ref

    for prefix, width in (("M", 4), ("L", 2), ("E", 3)):
        for number in (0, 1, 7, 12, 99, 10**width - 1):
            text = f"{prefix}{number:0{width}d}"
            assert _normalize_ref(text, prefix, width) == _normalize_ref(text + " ", prefix, width) == text
    assert _normalize_ref("M٠٠١٢", "M", 4) == _normalize_ref("M٠٠١٢ ", "M", 4)
