"""The annual report's figures: a small workbook built in code with known numbers for 2023
and 2024, and the ``ReportData`` computed from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from automations.errors import MilaError, NoDataForYear
from automations.model.dataset import Dataset
from automations.report.data import BOUTIQUES, PEPINIERE, Compared, ReportData
from automations.report.figures import compute_report
from automations.workbook.table import Table

TODAY = dt.date(2025, 3, 15)

# Known numbers (2024 against 2023), worked out by hand:
# - a member counts as hébergé on the days it holds an office (M3, « bénéficiaire » in its
#   row, held Bureau 2 until 29/02/2024), as bénéficiaire on the others;
# - members on 31/12/2024: hébergés M1 M2, bénéficiaires M4 M5, membre de droit M7 = 5;
#   on 31/12/2023: M1 M3 | M4 | M7 = 4 (M6 left on 01/09/2023);
# - daily averages 2024: hébergés (366 + 184 + 60) / 366 = 1.67 -> 2, bénéficiaires
#   (366 + 335) / 366 = 1.92 -> 2, total 1 677 / 366 = 4.58 -> 5; 2023: 2, 1, total 4;
# - joined: 2 in 2024 (M2, M5), 2 in 2023 (M4, M6); left: 1 in 2024 (M3), 1 in 2023 (M6).
GRIDS: dict[str, list[list[object]]] = {
    "Membres": [
        ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le", "Sortie le"],
        ["M0001", "Alpha Records", "Claire Martin", "a@x.fr", "hébergé", None, "01/01/2020", None],
        ["M0002", "Beta Son", "Bruno Blanc", "b@x.fr", "hébergé", None, "01/07/2024", None],
        ["M0003", "Gamma Prod", "Marc Petit", "c@x.fr", "bénéficiaire", None, "01/05/2022", "01/03/2024"],
        ["M0004", "Delta Label", "Paul Leroy", "d@x.fr", "bénéficiaire", "BASIC", "01/01/2023", None],
        ["M0005", "Epsilon Booking", "Eva Roux", "e@x.fr", "bénéficiaire", "PREMIUM", "01/02/2024", None],
        ["M0006", "Zeta Musique", "Zoé Lenoir", "z@x.fr", "bénéficiaire", None, "15/06/2023", "01/09/2023"],
        ["M0007", "Jean Dupont", "Jean Dupont", "j@x.fr", "membre de droit", None, "01/01/2016", None],
    ],
    "Locaux": [
        ["ID", "Nom", "Site", "Surface m²", "Capacité", "Réservable"],
        ["L01", "Bureau 1", "Pépinière", 10, None, None],
        ["L02", "Bureau 2", "Pépinière", 10, None, None],
        ["L03", "Boutique Letort", "Boutique", 40, None, None],
        ["L04", "Postes Milab", "Milab", None, 2, "oui"],
        ["L05", "Salle de réunion", "Milab", 18, 1, "oui"],
    ],
    "Occupations": [
        ["ID", "Membre", "Local", "Début", "Fin"],
        ["C001", "M0001", "L01", "01/01/2020", None],
        ["C002", "M0003", "L02", "01/05/2022", "29/02/2024"],
        ["C003", "M0002", "L02", "01/07/2024", None],
    ],
    "Réservations": [
        ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut"],
        ["R0001", "L05", "M0004", None, "05/03/2024", "05/03/2024", "jour", "confirmée"],
        ["R0002", "L05", "M0005", None, "06/03/2024", "06/03/2024", "jour", "confirmée"],
        ["R0003", "L05", "M0005", None, "07/03/2024", "07/03/2024", "jour", "annulée"],
        ["R0004", "L05", None, "Chorale du 18e", "02/04/2024", "02/04/2024", "gracieux", "confirmée"],
        ["R0005", "L05", "M0004", None, "10/05/2023", "10/05/2023", "jour", "confirmée"],
    ],
    "Événements": [
        ["ID", "Date", "Heure", "Type", "Titre", "Intervenants", "Lieu"],
        [
            "E001",
            "08/02/2024",
            "18:30",
            "Club MILA",
            "Droits voisins",
            "Anne Martin (Adami); Paul Roche (SCPP)",
            "Pôle MILA",
        ],
        [
            "E002",
            "14/05/2024",
            "18:30",
            "Club MILA",
            "Financer son label",
            "Léa Petit (Bpifrance)",
            "Pôle MILA",
        ],
        [
            "E003",
            "12/03/2024",
            "10:00",
            "Audit de communication",
            "Audit relations presse",
            None,
            "Pôle MILA",
        ],
        [
            "E004",
            "20/06/2024",
            "14:00",
            "Crescendo – Atelier pratique",
            "Négocier ses contrats",
            "Inès Blanc (Voix Égales)",
            "Pôle MILA",
        ],
        ["E005", "15/10/2024", None, "Représentation", "MaMA Convention", None, "Pigalle"],
        ["E006", "03/04/2024", "18:00", "Afterwork", "Printemps des adhérents", None, "Pôle MILA"],
        [
            "E101",
            "09/03/2023",
            "18:30",
            "Club MILA",
            "IA et musique",
            "Hugo Vidal (Studio Nord)",
            "Pôle MILA",
        ],
        ["E102", "20/11/2023", "10:00", "Audit de communication", "Audit digital", None, "Pôle MILA"],
        ["E103", "21/11/2023", "10:00", "Audit de communication", "Audit presse", None, "Pôle MILA"],
    ],
    "Inscriptions": [
        ["ID", "Événement", "Membre", "Inscrit le", "Statut"],
        ["I0001", "E003", "M0001", "01/03/2024", "présent"],
        ["I0002", "E003", "M0004", "01/03/2024", "présent"],
        ["I0003", "E003", "M0005", "01/03/2024", "absent"],
        ["I0004", "E001", "M0001", "01/02/2024", "inscrit"],
        ["I0005", "E001", "M0002", "01/02/2024", "inscrit"],
        ["I0006", "E002", "M0001", "01/05/2024", "présent"],
        ["I0007", "E002", "M0004", "01/05/2024", "absent"],
        ["I0008", "E004", "M0005", "01/06/2024", "présent"],
        ["I0101", "E101", "M0003", "01/03/2023", "présent"],
        ["I0102", "E101", "M0004", "01/03/2023", "présent"],
        ["I0103", "E101", "M0006", "01/03/2023", "présent"],
        ["I0104", "E102", "M0004", "01/11/2023", "présent"],
        ["I0105", "E103", "M0004", "01/11/2023", "présent"],
        ["I0106", "E103", "M0003", "01/11/2023", "présent"],
        ["I0107", "E103", "M0001", "01/11/2023", "présent"],
    ],
    "Tarifs": [
        ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
        ["BENEFICIAIRE", "Cotisation bénéficiaire", 100, None, 20, "01/01/2016", "29/02/2024"],
        ["BASIC", "Forfait BASIC : rencontres collectives", 120, None, 20, "01/03/2024", None],
        ["PREMIUM", "Forfait PREMIUM", 170, None, 20, "01/03/2024", None],
        ["HEBERGE_M2", "Cotisation hébergé", 10, 700, 20, "01/01/2016", None],
    ],
    "Conseil": [
        ["Nom", "Civilité", "Membre", "Fonction", "Collège", "Entrée", "Sortie", "Décision"],
        ["Claire Martin", "Mme", "M0001", "Président·e", "Hébergés", "10/06/2021", None, "AG du 10/06/21"],
        ["Paul Leroy", "M.", "M0004", "Trésorier·e", "Bénéficiaires", "20/06/2024", None, "AG du 20/06/24"],
        [
            "Marc Petit",
            "M.",
            "M0003",
            "Secrétaire",
            "Bénéficiaires",
            "10/06/2021",
            "20/06/2024",
            "AG du 20/06/24",
        ],
    ],
    "Chiffres": [
        ["Année", "Rubrique", "Libellé", "Valeur", "Unité"],
        [2024, "Financement", "Subvention Ville de Paris – DAE", 14500, "€"],
        [2023, "Financement", "Subvention Ville de Paris – DAE", 15000, "€"],
        [2024, "Financement", "Part d'autofinancement", 56, "%"],
        [2023, "Financement", "Part d'autofinancement", 55, "%"],
        [2024, "Communication", "Instagram – abonné·es", 2023, "abonné·es"],
        [2023, "Communication", "Instagram – abonné·es", 1083, "abonné·es"],
        [2024, "Communication", "Facebook – abonné·es", 2522, "abonné·es"],
        [2023, "Communication", "Facebook – abonné·es", 2539, "abonné·es"],
        [2024, "Communication", "YouTube – abonné·es", 41, "abonné·es"],
    ],
    "Textes": [
        ["Année", "Section", "Texte"],
        [2024, "contexte", "Une année de croissance pour le dispositif."],
        [2024, "Communication", "Le compte X a été suspendu.\n- Instagram en hausse\n- Newsletter mensuelle"],
        [2024, "bilan", "Un texte sous une clé inconnue."],
        [2023, "contexte", "Texte de 2023."],
    ],
}


def dataset(grids: dict[str, list[list[object]]] | None = None, today: dt.date = TODAY) -> Dataset:
    tables = {title: Table.from_grid(title, grid) for title, grid in (grids or GRIDS).items()}
    return Dataset.from_tables(tables, today=today)


@pytest.fixture(scope="module")
def report() -> ReportData:
    return compute_report(dataset(), 2024, TODAY)


class TestMembers:
    def test_counts_at_31_december_by_category_and_in_total(self, report):
        """Members on 31/12/2024 (and 31/12/2023): 2|2 hébergés, 2|1 bénéficiaires, 1|1 de droit, 5|4 in all."""
        by = {c.category: c for c in report.members.by_category}
        assert by["hébergé"].at_end == Compared(2, 2)
        assert by["bénéficiaire"].at_end == Compared(2, 1)
        assert by["membre de droit"].at_end == Compared(1, 1)
        assert report.members.at_end == Compared(5, 4)

    def test_averages_are_daily_means_rounded_to_the_unit(self, report):
        """Averages over the year: 2 hébergés (1.67), 2 bénéficiaires (1.92), 5 in all (4.58)."""
        by = {c.category: c for c in report.members.by_category}
        assert by["hébergé"].average == Compared(2, 2)
        assert by["bénéficiaire"].average == Compared(2, 1)
        assert report.members.average == Compared(5, 4)

    def test_new_and_departed_members_of_the_year(self, report):
        """Two joined in 2024 (two in 2023), one left (one in 2023), listed by name."""
        assert [m.structure for m in report.members.joined] == ["Beta Son", "Epsilon Booking"]
        assert report.members.joined_count == Compared(2, 2)
        assert [(m.structure, m.day) for m in report.members.left] == [("Gamma Prod", dt.date(2024, 3, 1))]
        assert report.members.left_count == Compared(1, 1)

    def test_history_goes_back_five_years_at_most(self, report):
        """Members on 31 December from 2020 to 2024, per category."""
        history = dict(report.members.history)
        assert list(history) == [2020, 2021, 2022, 2023, 2024]
        assert dict(history[2024]) == {"hébergé": 2, "bénéficiaire": 2, "membre de droit": 1}
        assert dict(history[2020]) == {"hébergé": 1, "bénéficiaire": 0, "membre de droit": 1}


class TestPremises:
    def test_offices_left_and_taken_by_structure(self, report):
        """Bureau 2: Gamma Prod left on 29/02/2024, Beta Son came on 01/07/2024; none in 2023."""
        pepiniere = next(p for p in report.premises if p.group == PEPINIERE)
        assert pepiniere.units == 2
        assert pepiniere.occupied_at_end == Compared(2, 2)
        assert [(m.structure, m.premises) for m in pepiniere.left] == [("Gamma Prod", "Bureau 2")]
        assert [(m.structure, m.premises) for m in pepiniere.taken] == [("Beta Son", "Bureau 2")]
        assert pepiniere.left_count == Compared(1, 0) and pepiniere.taken_count == Compared(1, 0)

    def test_shops_are_apart_and_bookable_milab_spaces_are_not_offices(self, report):
        """The shop is its own group (unoccupied); the Milab desks and room are not offices."""
        shops = next(p for p in report.premises if p.group == BOUTIQUES)
        assert shops.units == 1 and shops.occupied_at_end.value == 0


class TestBoard:
    def test_board_in_office_on_the_date_of_the_report(self, report):
        """On 15/03/2025: the president and the treasurer, in function order, with their structure."""
        seats = report.board.seats
        assert [(s.function, s.name, s.structure, s.college, s.decision) for s in seats] == [
            ("Président·e", "Claire Martin", "Alpha Records", "Hébergés", "AG du 10/06/21"),
            ("Trésorier·e", "Paul Leroy", "Delta Label", "Bénéficiaires", "AG du 20/06/24"),
        ]
        assert (report.board.women, report.board.men) == (1, 1)
        assert report.board.by_college == (("Hébergés", 1), ("Bénéficiaires", 1))

    def test_arrivals_and_departures_of_the_year(self, report):
        """Paul Leroy arrived and Marc Petit left at the AG of 20/06/2024."""
        assert [s.name for s in report.board.joined] == ["Paul Leroy"]
        assert [s.name for s in report.board.left] == ["Marc Petit"]


class TestFees:
    def test_a_change_during_the_year_gives_two_periods(self, report):
        """2024: the single fee until 29/02, the forfaits from 01/03; the hosted rate all year."""
        first, second = report.fees
        assert (first.start, first.end) == (dt.date(2024, 1, 1), dt.date(2024, 2, 29))
        assert [r.code for r in first.rates] == ["BENEFICIAIRE", "HEBERGE_M2"]
        assert (second.start, second.end) == (dt.date(2024, 3, 1), dt.date(2024, 12, 31))
        assert [(r.code, r.amount_ht) for r in second.rates] == [
            ("BASIC", Decimal(120)),
            ("PREMIUM", Decimal(170)),
            ("HEBERGE_M2", Decimal(10)),
        ]
        assert second.rates[-1].cap_ht == Decimal(700)

    def test_a_year_without_change_gives_one_period(self):
        """2023: one period, the whole year."""
        data = compute_report(dataset(), 2023, TODAY)
        assert [(p.start, p.end) for p in data.fees] == [(dt.date(2023, 1, 1), dt.date(2023, 12, 31))]


class TestActions:
    def test_sessions_and_distinct_structures_per_type(self, report):
        """Clubs 2 (1) with 2 (3) structures; audits 1 (2) with 2 (3); Crescendo workshop 1 (0) with 1 (0)."""
        assert report.actions.count("Club MILA").sessions == Compared(2, 1)
        assert report.actions.count("Club MILA").structures == Compared(2, 3)
        assert report.actions.count("Audit de communication").sessions == Compared(1, 2)
        assert report.actions.count("Audit de communication").structures == Compared(2, 3)
        crescendo = report.actions.count("Crescendo – Atelier pratique")
        assert (crescendo.sessions, crescendo.structures) == (Compared(1), Compared(1))  # none in 2023
        assert report.actions.count("Représentation").sessions == Compared(1)
        assert report.actions.count("JuriQuizz") is None

    def test_agenda_of_the_year_in_date_order_with_speakers(self, report):
        """The Clubs MILA of 2024, with their speakers split on « ; »."""
        clubs = report.actions.items("Club MILA")
        assert [(i.day, i.title, i.speakers) for i in clubs] == [
            (dt.date(2024, 2, 8), "Droits voisins", ("Anne Martin (Adami)", "Paul Roche (SCPP)")),
            (dt.date(2024, 5, 14), "Financer son label", ("Léa Petit (Bpifrance)",)),
        ]

    def test_events_per_month_by_family(self, report):
        """February: a Club; March: an audit; April: an afterwork; June: Crescendo; October: a représentation."""
        months = dict(report.actions.per_month)
        assert months["Clubs MILA et ateliers collectifs"] == (0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
        assert months["Accompagnement individuel"][2] == 1
        assert months["Moments networking"][3] == 1
        assert months["Entrepreneuriat Crescendo"][5] == 1
        assert months["Représentations et autres"][9] == 1


class TestMilab:
    def test_bookings_and_occupancy_per_resource(self, report):
        """Meeting room: 3 confirmed bookings (1 in 2023), 3 days of 262 open days (1 of 260)."""
        room = next(r for r in report.resources if r.name == "Salle de réunion")
        assert room.bookings == Compared(3, 1)
        assert room.rate == Compared(Decimal("0.0115"), Decimal("0.0038"))
        assert room.monthly[2] == Decimal("0.0952") and room.monthly[3] == Decimal("0.0455")
        desks = next(r for r in report.resources if r.name == "Postes Milab")
        assert desks.capacity == 2 and desks.bookings == Compared(0, 0)

    def test_free_bookings_for_neighbourhood_associations(self, report):
        """One gracieux booking in 2024, for the choir; none recorded in 2023: no comparison."""
        assert report.free_bookings.count == Compared(1)
        assert report.free_bookings.organisations == ("Chorale du 18e",)


class TestChiffresAndTextes:
    def test_figures_are_matched_with_the_year_before_by_section_and_label(self, report):
        """Instagram 2 023 (1 083 the year before); YouTube has no 2023 value."""
        by_label = {f.label: f for f in report.figures}
        assert (by_label["Instagram – abonné·es"].value, by_label["Instagram – abonné·es"].previous) == (
            2023,
            1083,
        )
        assert by_label["YouTube – abonné·es"].previous is None
        assert [f.label for f in report.figures_of("financement")] == [
            "Subvention Ville de Paris – DAE",
            "Part d'autofinancement",
        ]

    def test_texts_go_to_their_section_and_unknown_keys_are_reported(self, report):
        """« Communication » matches its key whatever the case; « bilan » is reported with its row."""
        assert [t.text for t in report.text("contexte")] == ["Une année de croissance pour le dispositif."]
        assert report.text("communication")[0].text.startswith("Le compte X")
        assert report.unknown_texts == ((4, "bilan"),)
        assert "ligne 4 « bilan »" in report.notes[0]


class TestMissingData:
    def test_a_year_without_data_is_a_french_error(self):
        """2019: nothing dated in it; the message names the years the workbook covers."""
        with pytest.raises(NoDataForYear) as caught:
            compute_report(dataset(), 2019, TODAY)
        assert isinstance(caught.value, MilaError)
        assert str(caught.value).startswith("Aucune donnée pour 2019 dans le classeur : ")
        assert "de 2023 à 2024" in str(caught.value)

    def test_a_year_not_yet_begun_is_refused(self):
        """2026 on 15/03/2025 has not begun."""
        with pytest.raises(NoDataForYear, match="L'année 2026 n'a pas encore commencé"):
            compute_report(dataset(), 2026, TODAY)

    def test_an_empty_workbook_says_what_to_fill_in(self):
        """No activity at all: the message says which tabs to fill in."""
        with pytest.raises(NoDataForYear, match="aucune activité datée"):
            compute_report(Dataset(), 2024, TODAY)

    def test_the_first_year_has_no_activity_comparison(self):
        """2023 is the first year with activity: actions and bookings have no previous figure."""
        data = compute_report(dataset(), 2023, TODAY)
        assert not data.previous_has_activity
        club = data.actions.count("Club MILA")
        assert club is not None and club.sessions == Compared(1, None)
        room = next(r for r in data.resources if r.name == "Salle de réunion")
        assert room.bookings == Compared(1, None)

    def test_the_year_in_progress_stops_at_today(self):
        """For 2025 on 15/03/2025 the figures stop on that day."""
        grids: dict[str, list[list[object]]] = {
            **GRIDS,
            "Textes": [*GRIDS["Textes"], [2025, "contexte", "En cours."]],
        }
        data = compute_report(dataset(grids), 2025, TODAY)
        assert data.partial and data.as_of == TODAY
        assert data.members.at_end == Compared(5, 5)


class TestTextVariables:
    def texts(self, *rows: list[object]) -> ReportData:
        grids: dict[str, list[list[object]]] = {
            **GRIDS,
            "Textes": [["Année", "Section", "Titre", "Texte"], *rows],
        }
        return compute_report(dataset(grids), 2024, TODAY)

    def test_a_text_quotes_figures_by_name_in_french_digits(self):
        """« {{ membres.moyenne }} » and a Chiffres label render as the report's figures."""
        report = self.texts(
            [
                2024,
                "membres",
                None,
                "En moyenne {{ membres.moyenne }} adhérent·es "
                "({{ membres.moyenne_avant }} en {{ annee_precedente }}) ; Instagram : "
                "{{ chiffres['Instagram – abonné·es'] }}.",
            ]
        )
        assert (
            report.text("membres")[0].text == "En moyenne 5 adhérent·es (4 en 2023) ; Instagram : 2\u202f023."
        )

    def test_numbers_still_compare_as_numbers(self):
        """A condition on a figure works: the values are numbers that print the French way."""
        report = self.texts(
            [2024, "membres", None, "{% if membres.nouveaux > 1 %}Plusieurs arrivées.{% endif %}"]
        )
        assert report.text("membres")[0].text == "Plusieurs arrivées."

    def test_a_titled_text_is_a_subsection(self):
        """``Titre`` is kept with the text, in row order."""
        report = self.texts(
            [2024, "association", "Équipe opérationnelle", "Deux salariées."],
            [2024, "association", "Formation", "Une formation AFDAS."],
        )
        assert [(t.title, t.text) for t in report.text("association")] == [
            ("Équipe opérationnelle", "Deux salariées."),
            ("Formation", "Une formation AFDAS."),
        ]

    def test_an_unknown_name_leaves_the_text_out_with_a_note(self):
        """A misspelt name: the text is not printed with braces; the note names its row."""
        report = self.texts(
            [2024, "membres", None, "En moyenne {{ membres.moyene }}."],
            [2024, "membres", None, "Un texte sans variable."],
        )
        assert [t.text for t in report.text("membres")] == ["Un texte sans variable."]
        assert any(
            n.startswith("Texte de la ligne 2 (section « membres ») non inclus : nom inconnu")
            for n in report.notes
        )

    def test_the_sandbox_refuses_to_reach_python(self):
        """Attribute tricks are refused like in the document templates: the text is left out."""
        report = self.texts([2024, "membres", None, "{{ membres.__class__.__mro__ }}"])
        assert report.text("membres") == ()
        assert any("ligne 2" in n for n in report.notes)
