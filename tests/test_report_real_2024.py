"""The report of a workbook rebuilt from the real 2024 report's facts (``real_2024``) quotes
each of those facts, phrased as the association's own report phrases them."""

from __future__ import annotations

import datetime as dt

import pytest
from real_2024 import CLUBS_2024, CRESCENDO_2024, LEFT_OFFICES, TOOK_OFFICES, grids
from test_report_document import paragraphs, tables
from test_report_figures import dataset

from automations.report.data import ReportData
from automations.report.figures import compute_report
from automations.report.writer import write_report

TODAY = dt.date(2025, 3, 1)
INTERNAL = ("classeur", "onglet", "colonne")


@pytest.fixture(scope="module")
def data() -> ReportData:
    return compute_report(dataset(grids(), today=TODAY), 2024, TODAY)


@pytest.fixture(scope="module")
def text(data) -> list[str]:
    return paragraphs(write_report(data, association="MILA", with_charts=False).data)


def test_members_by_category_on_average(text):
    """26 hébergés and 95 bénéficiaires on average, 121 in all, each structure counted by the day."""
    assert (
        "En 2024, le MILA compte en moyenne 121 adhérent·es (versus 102 en 2023), dont 26 membres "
        "hébergés (versus 25 en 2023) et 95 membres bénéficiaires (versus 76 en 2023)."
    ) in text


def test_the_staff_text_quotes_the_computed_figures(text):
    """The intro's figures come from the variables: never a number typed twice."""
    assert (
        "Le MILA compte en moyenne 26 structures adhérentes hébergées et 95 adhérents bénéficiaires, "
        "dont 36 nouvelles structures cette année."
    ) in text


def test_thirty_six_new_structures(text):
    """The 36 new structures."""
    assert "En 2024, 36 nouvelles structures ont rejoint l'association (aucune en 2023) :" in text


def test_six_offices_left_on_30_june_and_taken_on_1_july(text):
    """Six offices left, six taken, of 12 offices (the bookable meeting room is not one)."""
    assert "6 structures ont quitté leur bureau (aucune en 2023) :" in text
    assert "6 nouvelles structures ont pris un bureau (aucune en 2023) :" in text
    for name in LEFT_OFFICES:
        assert any(line.startswith(f"{name} (") and line.endswith("le 30 juin 2024)") for line in text)
    for name in TOOK_OFFICES:
        assert any(
            line.startswith(f"{name} (") and line.endswith("depuis le 1er juillet 2024)") for line in text
        )
    assert (
        "Au 31 décembre 2024, 12 bureaux sur 12 sont occupés par des structures adhérentes "
        "(comme au 31 décembre 2023)."
    ) in text


def test_board_of_twelve_at_the_end_of_the_year(text):
    """12 members, 7 women and 5 men, on 31 December 2024; the two departures of the AG."""
    assert any(
        line.startswith(
            "Au 31 décembre 2024, le conseil d'administration compte 12 membres (7 femmes et 5 hommes)"
        )
        for line in text
    )
    assert "Présidente – Mme Aude Merlet, Personne physique (AG du 02/07/24)" in text
    assert "L'assemblée générale s'est tenue le 2 juillet 2024." in text


def test_individual_support_versus_2023(text):
    """Audits 22 versus 13, diagnostics 21 versus 13, consultations 36 versus 35 structures."""
    assert any("22 structures adhérentes en ont bénéficié (versus 13 en 2023)" in line for line in text)
    assert any("21 structures adhérentes en ont bénéficié (versus 13 en 2023)" in line for line in text)
    assert (
        "Ces rendez-vous individuels ont été programmés sur 6 demi-journées (comme en 2023) : "
        "36 structures adhérentes s'y sont inscrites (versus 35 en 2023)."
    ) in text


def test_nine_clubs_with_their_titles(text):
    """9 Clubs MILA, each with its title and speakers in the agenda."""
    assert any(
        line.startswith("Ce sont 9 Clubs MILA (versus 8 en 2023) qui se sont déroulés en 2024")
        for line in text
    )
    for _, _, title, _ in CLUBS_2024:
        assert any(f"« {title} »" in line for line in text), title


def test_managers_and_juriquizz(text):
    """Managers' meetings 5 versus 4; JuriQuizz 4 versus 1 sessions and 23 versus 8 structures."""
    assert any(
        line.startswith("Ces rencontres se sont produites à 5 reprises (versus 4 en 2023)") for line in text
    )
    assert (
        "Cette rencontre s'est produite à 4 reprises (versus 1 en 2023) et a réuni 23 structures "
        "adhérentes (versus 8 en 2023)."
    ) in text
    assert "1 atelier a eu lieu (aucun en 2023), réunissant 6 structures adhérentes (aucune en 2023)." in text


def test_the_crescendo_agenda(text):
    """Every Crescendo meeting and workshop, with its guest."""
    for _, _, _, title, speakers in CRESCENDO_2024:
        guest = speakers.split(" (")[0]
        assert any(f"« {title} »" in line and guest in line for line in text), title


def test_audiences_with_their_change(text):
    """Facebook 2 522 (−17), Instagram 2 023 (+940), newsletter 1 402 (+142), YouTube 41 (+3)."""
    for line in (
        "Facebook : 2 522 abonné·es (−17)",
        "Instagram : 2 023 abonné·es (+940)",
        "Newsletter : 1 402 abonné·es (+142)",
        "YouTube : 41 abonné·es (+3)",
    ):
        assert line in text


def test_subsidies(data):
    """The subsidies of the Ville de Paris, the Ministry and the CNM in the financing table."""
    rendered = write_report(data, association="MILA", with_charts=False)
    financing = next(t for t in tables(rendered.data) if t[0][0] == "Libellé")
    assert ["Subvention Ville de Paris – DAE", "14 500 €", "14 500 €", "stable"] in financing
    assert ["Subvention Ville de Paris – DAC", "10 000 €", "10 000 €", "stable"] in financing
    assert ["Centre National de la Musique – Égalité F/H", "7 158 €", "–", "–"] in financing


def test_the_total_of_actions_is_that_of_the_table(data):
    """The sentence's total equals the table's total row; the AG and representations are not in it."""
    rendered = write_report(data, association="MILA", with_charts=False)
    overview = next(t for t in tables(rendered.data) if t[0][0] == "Type d'action")
    total = overview[-1]
    assert total[0] == "Total"
    assert int(total[1]) == sum(int(row[1]) for row in overview[1:-1])
    assert f"En 2024, le MILA a organisé {total[1]} actions et événements" in " ".join(
        paragraphs(rendered.data)
    )
    assert not any(row[0] in ("Représentation", "Autre") for row in overview)


def test_subsections_of_the_real_outline(data):
    """The staff's titled texts become subsections where the real report has them."""
    sections = write_report(data, association="MILA", with_charts=False)
    text = paragraphs(sections.data)
    for heading in (
        "2. Équipe opérationnelle",
        "3. Formation",
        "Mairies",
        "Territoire",
        "Paris Habitat",
        "Outils d'accompagnement et mutualisations",
        "Transmission",
        "Le MILA soutient",
        "Site web MILA",
    ):
        assert any(line.endswith(heading) for line in text), heading


def test_no_internal_wording_before_the_annex(data):
    """No « classeur », « onglet », « colonne » in the body; the annex on sources may name them."""
    rendered = write_report(data, association="MILA", with_charts=False)
    text = paragraphs(rendered.data)
    annex = len(text) - 1 - text[::-1].index("Annexe : sources et définitions")  # [first] is in the contents
    body = "\n".join(text[:annex] + [" ".join(row) for t in tables(rendered.data) for row in t]).casefold()
    for word in INTERNAL:
        assert word not in body, word
    assert any("onglet" in line for line in text[annex:])  # the annex names the tabs for the board
