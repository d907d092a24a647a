"""The report of a workbook rebuilt from the real 2024 report's facts (``real_2024``) quotes
each of those facts, phrased as the association's own report phrases them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document
from real_2024 import CLUBS_2024, CRESCENDO_2024, LEFT_OFFICES, TOOK_OFFICES, grids
from test_report_document import paragraphs, styled, tables
from test_report_figures import dataset

from automations.report.data import ReportData
from automations.report.figures import compute_report
from automations.report.writer import Rendered, write_report

TODAY = dt.date(2025, 3, 1)
INTERNAL = ("classeur", "onglet", "colonne")


@pytest.fixture(scope="module")
def data() -> ReportData:
    return compute_report(dataset(grids(), today=TODAY), 2024, TODAY)


@pytest.fixture(scope="module")
def rendered(data) -> Rendered:
    """The report, rendered once for the module (charts not drawn: their captions say which)."""
    return write_report(data, association="MILA", with_charts=False)


@pytest.fixture(scope="module")
def text(rendered) -> list[str]:
    return paragraphs(rendered.data)


@pytest.fixture(scope="module")
def grid(rendered) -> list[list[list[str]]]:
    return tables(rendered.data)


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


def test_thirty_six_new_structures_in_an_annex_without_a_false_comparison(text, grid):
    """The 36 new structures: no « (aucune en 2023) » (no adhesion is dated 2023 in the rebuilt
    workbook: not recorded), their split by category in the text, their list in an annex whose
    header is not a column name of the workbook."""
    assert (
        "En 2024, 36 nouvelles structures ont rejoint l'association, dont 7 membres hébergés et 29 "
        "membres bénéficiaires (liste en « Annexe : nouvelles structures adhérentes en 2024 »)."
    ) in text
    annex = text.index("Annexe : nouvelles structures adhérentes en 2024", text.index("I. Contexte"))
    assert annex > text.index("VIII. Communication")
    listing = next(t for t in grid if t[0][0] == "Structure" and len(t) == 37)
    assert listing[0] == ["Structure", "Catégorie", "Date d'adhésion"]
    headers = {cell for t in grid for cell in t[0]}
    assert not headers & {"Adhésion le", "Sortie le"}
    key = next(t for t in grid if t[0][0] == "Indicateur")
    assert ["Nouvelles structures adhérentes", "36", "–"] in key


def test_six_offices_left_on_30_june_and_taken_on_1_july(text):
    """Six offices left, six taken, of 12 offices (the bookable meeting room is not one)."""
    assert "En 2024, 6 structures ont quitté leur bureau (aucune en 2023) :" in text
    assert "En 2024, 6 nouvelles structures ont pris un bureau (aucune en 2023) :" in text
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


def test_board_of_twelve_at_the_end_of_the_year(text, grid):
    """12 members, 7 women and 5 men, on 31 December 2024; the two departures of the AG."""
    assert any(
        line.startswith(
            "Au 31 décembre 2024, le conseil d'administration compte 12 membres (7 femmes et 5 hommes)"
        )
        for line in text
    )
    assert "Présidente – Mme Aude Merlet, Personne physique (AG du 02/07/24)" in text
    assert "L'assemblée générale s'est tenue le 2 juillet 2024." in text
    board = next(t for t in grid if t[0][0] == "Fonction")
    assert board[0] == ["Fonction", "Nom", "Structure", "Décision"]  # no college kept: no column of dashes


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
    assert "En 2024, un atelier a eu lieu, réunissant 6 structures adhérentes." in text


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


def test_subsidies_with_their_total(grid):
    """The subsidies of the Ville de Paris, the Ministry and the CNM in the financing table,
    with their total (no 2023 total: the CNM line has no 2023 figure)."""
    financing = next(t for t in grid if t[0][0] == "Libellé")
    assert ["Subvention Ville de Paris – DAE", "14 500 €", "14 500 €", "stable"] in financing
    assert ["Subvention Ville de Paris – DAC", "10 000 €", "10 000 €", "stable"] in financing
    assert ["Centre National de la Musique – Égalité F/H", "7 158 €", "–", "–"] in financing
    assert financing[-1] == ["Total", "56 658 €", "–", "–"]


def test_the_headline_counts_collective_actions_not_sessions(text, grid):
    """37 collective actions and events (not 86: the 49 audit, diagnostic and consultation
    sessions are counted apart, as sessions and beneficiaries); no comparison with 2023,
    whose Crescendo and networking events are not recorded. The sentence's total is the
    table's « Total actions collectives »; the AG and the representations are not in it."""
    overview = next(t for t in grid if t[0][0] == "Type d'action")
    collective = next(row for row in overview if row[0] == "Total actions collectives")
    individual = next(row for row in overview if row[0] == "Total accompagnement individuel")
    body = overview[1 : overview.index(collective)]
    assert int(collective[1]) == sum(int(row[1]) for row in body) == 37
    assert collective[2] == "–"
    assert individual[1:3] == ["49", "32"]
    assert not {row[0] for row in body} & {"Audit de communication", "Représentation", "Autre"}
    joined = " ".join(text)
    assert (
        "En 2024, le MILA a organisé 37 actions collectives et événements. S'y ajoutent 49 séances" in joined
    )
    assert "86" not in joined
    key = next(t for t in grid if t[0][0] == "Indicateur")
    assert ["Actions collectives et événements organisés", "37", "–"] in key
    assert ["Séances d'accompagnement individuel", "49", "32"] in key


def test_no_comparison_with_what_2023_does_not_record(text, grid):
    """No Crescendo, networking, co-development event nor representation is recorded in 2023:
    nothing is compared with 2023 for them (never « aucune en 2023 »)."""
    assert "Rencontres networking : 4 rendez-vous, réunissant 30 structures adhérentes" in text
    assert (
        "En 2024, le programme Entrepreneuriat Crescendo a proposé 6 rencontres networking et 6 "
        "ateliers pratiques."
    ) in text
    assert "Le MILA a été présent à 2 rendez-vous professionnels :" in text
    body = text[: text.index("Annexe : sources et définitions", text.index("I. Contexte"))]
    assert not [
        line for line in body if "aucune en 2023" in line and "bureau" not in line and "boutique" not in line
    ]
    assert not any("aucun en 2023" in line for line in body)
    overview = next(t for t in grid if t[0][0] == "Type d'action")
    assert next(r for r in overview if r[0] == "Afterwork")[2] == "–"


def test_speakers_of_the_association_are_not_its_name_in_brackets(text):
    """« Aude Merlet (MILA) » in the sheet: « Aude Merlet, de l'équipe du MILA »; the other
    speakers with their organisation or role as the sheet gives them."""
    assert not any("(MILA)" in line for line in text)
    assert any(line.endswith("animé par Aude Merlet, de l'équipe du MILA.") for line in text)
    assert any("animé par Laure Fillette (psychologue) et Marie Bergot (Audiens)." in line for line in text)


def test_a_negligible_occupancy_gets_no_rate_and_no_chart(rendered, text, grid):
    """One booking in the year: no « taux d'occupation de < 1 % », no occupancy column nor
    chart (the members' and the events' charts stay)."""
    milab = next(t for t in grid if t[0][0] == "Espace")
    assert milab == [
        ["Espace", "Places", "Réserv. 2024"],
        ["Salle de réunion", "1", "1"],
        ["Postes Milab", "6", "0"],
    ]
    body = text[: text.index("Annexe : nouvelles structures adhérentes en 2024", text.index("I. Contexte"))]
    assert not any(line.startswith("Taux d'occupation :") for line in body)
    assert "Salle de réunion : 1 réservation confirmée." in text
    assert not any("taux d'occupation de" in line for line in text)
    assert not any(line.startswith("Taux d'occupation mensuel") for line in text)
    assert rendered.chart_captions == [
        "Adhérent·es par catégorie au 31 décembre, de 2020 à 2024",
        "Séances et événements par mois en 2024",
    ]


def test_typography(rendered, text):
    """No sentence opens with a digit; one « comme en » per sentence at most; « 1er » raised
    everywhere; the annex does not send staff to Word's menus."""
    body = [line for style, line in styled(rendered.data) if style in ("Body Text", "List Bullet", "Note")]
    assert len(body) > 80
    for line in body:
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            assert not sentence[:1].isdigit(), sentence
            assert sentence.count("comme en") < 2, sentence
    assert not any("Insertion >" in line or "dans Word" in line for line in text)
    document = Document(io.BytesIO(rendered.data))
    raised = [
        run
        for p in document.paragraphs
        for n, run in enumerate(p.runs)
        if run.text.startswith("er") and n and p.runs[n - 1].text.endswith("1")
    ]
    assert raised and all(run.font.superscript for run in raised)
    assert not any("1er" in run.text for p in document.paragraphs for run in p.runs)


def test_subsections_of_the_real_outline(text):
    """The staff's titled texts become subsections where the real report has them."""
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


def test_no_internal_wording_before_the_annex(text, grid):
    """No « classeur », « onglet », « colonne » in the body; the annex on sources may name them."""
    annex = len(text) - 1 - text[::-1].index("Annexe : sources et définitions")  # [first] is in the contents
    body = "\n".join(text[:annex] + [" ".join(row) for t in grid for row in t]).casefold()
    for word in INTERNAL:
        assert word not in body, word
    assert any("onglet" in line for line in text[annex:])  # the annex names the tabs for the board
