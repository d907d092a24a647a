"""The annual report as a Word document: its text holds exactly the workbook's numbers and
comparisons, it is built like a document a board receives, and the job never overwrites a
report someone edited."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from conftest import first_sheet
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree
from openpyxl import Workbook as OpenpyxlWorkbook
from test_report_figures import GRIDS, TODAY, dataset

from automations.errors import MilaError, NoDataForYear, TemplateError
from automations.jobs.report import ReportResult, heading_pages, run_report
from automations.report.figures import compute_report
from automations.report.word import TEMPLATE_PATH
from automations.report.writer import Rendered, write_report
from automations.workbook import Workbook
from automations.workbook.xlsx import XlsxBackend

# Text compared as typed: no-break spaces as spaces, the typographic apostrophe as ' (the
# typography itself is checked by test_the_report_uses_typographic_apostrophes).
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2019": "'"})


def style_name(item: Paragraph | Table) -> str | None:
    return item.style.name if item.style is not None else None


def styled(data: bytes) -> list[tuple[str | None, str]]:
    """The body's paragraphs in order, as (style, text), spaces normalized."""
    return [(style_name(p), p.text.translate(SPACES)) for p in Document(io.BytesIO(data)).paragraphs]


def paragraphs(data: bytes) -> list[str]:
    return [text for _, text in styled(data)]


def tables(data: bytes) -> list[list[list[str]]]:
    """The body's tables in order, as rows of cell texts, spaces normalized."""
    return [
        [[cell.text.translate(SPACES) for cell in row.cells] for row in table.rows]
        for table in Document(io.BytesIO(data)).tables
    ]


def all_text(data: bytes) -> str:
    parts = paragraphs(data)
    for rows in tables(data):
        parts += [" | ".join(row) for row in rows]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    return write_report(compute_report(dataset(), 2024, TODAY), association="MILA", with_charts=False)


@pytest.fixture(scope="module")
def rendered_charts() -> Rendered:
    """The same report with its charts (drawn by matplotlib), for the tests that look at them."""
    return write_report(compute_report(dataset(), 2024, TODAY), association="MILA")


class TestFiguresInTheText:
    def test_members_with_last_years_figures_beside(self, rendered):
        """Averages, 31 December, arrivals and departures, each with its 2023 figure."""
        text = paragraphs(rendered.data)
        assert (
            "En 2024, le MILA compte en moyenne 5 adhérent·es (versus 4 en 2023), dont 2 membres "
            "hébergés (comme en 2023) et 2 membres bénéficiaires (versus 1 en 2023)."
        ) in text
        assert (
            "Au 31 décembre 2024, l'association compte 5 adhérent·es (versus 4 au 31 décembre 2023)." in text
        )
        assert "En 2024, 2 nouvelles structures ont rejoint l'association (comme en 2023) :" in text
        assert "En 2024, 1 structure a quitté l'association (comme en 2023) :" in text

    def test_members_table_by_category(self, rendered):
        """Averages and 31 December counts by category, both years, with a total row."""
        table = next(t for t in tables(rendered.data) if t[0][0] == "Catégorie")
        assert table == [
            ["Catégorie", "Moyenne 2024", "Moyenne 2023", "au 31/12/2024", "au 31/12/2023"],
            ["Membres hébergés", "2", "2", "2", "2"],
            ["Membres bénéficiaires", "2", "1", "2", "1"],
            ["Membres de droit", "1", "1", "1", "1"],
            ["Total", "5", "4", "5", "4"],
        ]
        joined = next(
            t for t in tables(rendered.data) if t[0] == ["Structure", "Catégorie", "Date d'adhésion"]
        )
        assert joined[1:] == [
            ["Beta Son", "Membre hébergé", "01/07/2024"],
            ["Epsilon Booking", "Membre bénéficiaire", "01/02/2024"],
        ]

    def test_offices_left_and_taken_by_name(self, rendered):
        """The pépinière: who left which office and who came, with « aucune en 2023 »."""
        text = paragraphs(rendered.data)
        assert (
            "Au 31 décembre 2024, 2 bureaux sur 2 sont occupés par des structures adhérentes "
            "(comme au 31 décembre 2023)."
        ) in text
        assert "En 2024, 1 structure a quitté son bureau (aucune en 2023) :" in text
        assert "Gamma Prod (Bureau 2, le 29 février 2024)" in text
        assert "En 2024, 1 nouvelle structure a pris un bureau (aucune en 2023) :" in text
        assert "Beta Son (Bureau 2, depuis le 1er juillet 2024)" in text
        assert "Au 31 décembre 2024, aucune boutique n'est occupée par une structure adhérente." in text

    def test_board_at_the_end_of_the_year(self, rendered):
        """Function (gendered), name, structure, college and decision on 31 December; departures and arrivals."""
        text = paragraphs(rendered.data)
        assert (
            "Au 31 décembre 2024, le conseil d'administration compte 2 membres (1 femme et 1 homme) : "
            "1 du collège Hébergés et 1 du collège Bénéficiaires."
        ) in text
        assert "Secrétaire – M. Marc Petit, Gamma Prod (AG du 20/06/24)" in text
        assert "Trésorier – M. Paul Leroy, Delta Label (AG du 20/06/24)" in text
        board = next(t for t in tables(rendered.data) if t[0][0] == "Fonction")
        assert board == [
            ["Fonction", "Nom", "Structure", "Collège", "Décision"],
            ["Présidente", "Mme Claire Martin", "Alpha Records", "Hébergés", "AG du 10/06/21"],
            ["Trésorier", "M. Paul Leroy", "Delta Label", "Bénéficiaires", "AG du 20/06/24"],
        ]

    def test_fee_schedule_with_the_change_of_1_march(self, rendered):
        """Until 29 February the single fee, from 1 March the forfaits, as the 2024 report puts it."""
        text = paragraphs(rendered.data)
        start = text.index("Jusqu'au 29 février 2024, la cotisation se composait ainsi :")
        assert text[start + 1] == "Cotisation des membres bénéficiaires : 100 € HT"
        assert text[start + 3] == "Nouveauté : depuis le 1er mars 2024, la cotisation se compose ainsi :"
        assert text[start + 4] == "Forfait BASIC : 120 € HT (rencontres collectives)"
        assert (
            "Cotisation des membres hébergés : 10 € HT par m² mis à disposition, plafonnée à 700 € HT" in text
        )

    def test_actions_sessions_and_structures(self, rendered):
        """Sessions and distinct structures per type, in sentences and in the overview table."""
        text = paragraphs(rendered.data)
        assert (
            "En 2024, 2 structures adhérentes en ont bénéficié (versus 3 en 2023), au cours d'une séance "
            "(versus 2 en 2023)."
        ) in text
        assert (
            "Ce sont 2 Clubs MILA (versus 1 en 2023) qui se sont déroulés en 2024, réunissant "
            "2 structures adhérentes (versus 3 en 2023)."
        ) in text
        # No Crescendo, afterwork nor representation in 2023: nothing to compare them with.
        assert "En 2024, le programme Entrepreneuriat Crescendo a proposé 1 atelier pratique." in text
        assert "Les ateliers pratiques ont réuni 1 structure adhérente." in text
        assert "Le MILA a été présent à 1 rendez-vous professionnel :" in text
        overview = next(t for t in tables(rendered.data) if t[0][0] == "Type d'action")
        assert ["Club MILA", "2", "1", "2", "3"] in overview
        assert ["Crescendo – Atelier pratique", "1", "–", "1", "–"] in overview
        assert ["Audit de communication", "1", "2", "2", "3"] in overview
        assert not any(row[0] == "Représentation" for row in overview)  # they are in « Rencontres pros »
        assert ["Total actions collectives", "4", "–", "–", "–"] in overview
        assert overview[-1][:3] == ["Total accompagnement individuel", "1", "2"]
        assert (
            "En 2024, le MILA a organisé 4 actions collectives et événements. S'y ajoutent 1 séance "
            "d'accompagnement individuel (versus 2 en 2023), dont ont bénéficié 2 structures adhérentes "
            "(versus 3 en 2023) : audits de communication."
        ) in " ".join(text)

    def test_agendas_month_by_month_with_speakers(self, rendered):
        """Clubs MILA and Crescendo: month, day, title and speakers."""
        text = paragraphs(rendered.data)
        assert (
            "Février (le 8) : « Droits voisins », animé par Anne Martin (Adami) et Paul Roche (SCPP)." in text
        )
        assert "Mai (le 14) : « Financer son label », animé par Léa Petit (Bpifrance)." in text
        assert (
            "Juin (le 20) : Atelier pratique « Négocier ses contrats », avec Inès Blanc (Voix Égales)."
            in text
        )

    def test_milab_bookings_and_occupancy(self, rendered):
        """Bookings and occupancy rate of the meeting room; the free loans to associations."""
        text = paragraphs(rendered.data)
        assert (
            "Salle de réunion : 3 réservations confirmées (versus 1 en 2023), taux d'occupation de 1 % "
            "(versus < 1 % en 2023)."
        ) in text
        assert (
            "Le MILA a mis ses espaces gracieusement à disposition à 1 reprise, au profit de : Chorale du 18e."
        ) in text
        assert not any(line.startswith("Postes Milab") for line in text)  # no booking in either year

    def test_financing_and_communication_with_their_change(self, rendered):
        """« Instagram : 2 023 abonné·es (+940) »; financing in a table with its evolution."""
        text = paragraphs(rendered.data)
        assert "Instagram : 2 023 abonné·es (+940)" in text
        assert "Facebook : 2 522 abonné·es (−17)" in text
        assert "YouTube : 41 abonné·es" in text
        financing = next(t for t in tables(rendered.data) if t[0][0] == "Libellé")
        assert financing[1:] == [["Subvention Ville de Paris – DAE", "14 500 €", "15 000 €", "−500 €"]]
        assert "Part d'autofinancement : 56 % (55 % en 2023)." in text  # not a sum of money

    def test_key_figures_of_the_year(self, rendered):
        """The summary table of the context section."""
        summary = next(t for t in tables(rendered.data) if t[0][0] == "Indicateur")
        assert summary == [
            ["Indicateur", "2024", "2023"],
            ["Adhérent·es au 31 décembre 2024", "5", "4"],
            ["Adhérent·es en moyenne sur l'année", "5", "4"],
            ["Nouvelles structures adhérentes", "2", "2"],
            ["Actions collectives et événements organisés", "4", "–"],
            ["Séances d'accompagnement individuel", "1", "2"],
            ["Bureaux de la pépinière occupés au 31 décembre 2024 (sur 2)", "2", "2"],
            ["Réservations des espaces du Milab", "3", "1"],
        ]


class TestSectionsAndTexts:
    def test_outline_of_the_association_reports(self, rendered):
        """Sections in the reports' order, numbered; a section without content is left out, and said."""
        headings = [text for style, text in styled(rendered.data) if style == "Heading 1"]
        assert headings == [
            "I. Contexte",
            "II. Association MILA",
            "III. Les membres",
            "IV. Relations avec les partenaires",
            "V. Actions pour les entreprises",
            "VI. Entrepreneuriat Crescendo",
            "VII. Rencontres pros – Filières & Réseaux",
            "VIII. Communication",
            "Annexe : sources et définitions",
        ]
        assert rendered.omitted == [
            "« Projets pour le MILA » : aucun texte pour 2024 (clé « projets » de l'onglet « Textes »)."
        ]

    def test_staff_paragraphs_open_their_section(self, rendered):
        """The « contexte » text follows its heading; lines starting with « - » become a list."""
        items = styled(rendered.data)
        at = items.index(("Heading 1", "I. Contexte"))
        assert items[at + 1] == ("Body Text", "Une année de croissance pour le dispositif.")
        at = items.index(("Heading 1", "VIII. Communication"))
        assert items[at + 1 : at + 4] == [
            ("Body Text", "Le compte X a été suspendu."),
            ("List Bullet", "Instagram en hausse"),
            ("List Bullet", "Newsletter mensuelle"),
        ]

    def test_no_none_no_empty_table(self, rendered):
        """Nothing reads « None », and every table has a header and at least one row."""
        assert "None" not in all_text(rendered.data)
        for rows in tables(rendered.data):
            assert len(rows) >= 2 and all(any(cell.strip() for cell in row) for row in rows)

    def test_sections_with_nothing_are_left_out(self):
        """Without Chiffres, free loans, texts nor events, those sections go and say why."""
        grids = {
            **GRIDS,
            "Chiffres": GRIDS["Chiffres"][:1],
            "Textes": [*GRIDS["Textes"][:1], [2024, "projets", "Un projet."]],
            "Réservations": [r for r in GRIDS["Réservations"] if r[6] != "gracieux"],
            "Événements": GRIDS["Événements"][:1] + [["E999", "01/03/2024", None, "Autre", "AG", None, None]],
        }
        out = write_report(compute_report(dataset(grids), 2024, TODAY), association="MILA", with_charts=False)
        assert [o.split(" : ")[0] for o in out.omitted] == [
            "« Relations avec les partenaires »",
            "« Entrepreneuriat Crescendo »",
            "« Rencontres pros – Filières & Réseaux »",
            "« Communication »",
        ]
        assert "Projets pour le MILA" in out.sections
        assert "None" not in all_text(out.data)

    def test_an_empty_board_says_so_in_one_line(self):
        """No Conseil tab: one sentence, no table."""
        grids = {k: v for k, v in GRIDS.items() if k != "Conseil"}
        out = write_report(compute_report(dataset(grids), 2024, TODAY), association="MILA", with_charts=False)
        assert "Aucun membre du conseil d'administration n'est connu au 31 décembre 2024." in paragraphs(
            out.data
        )
        assert not any(t[0][0] == "Fonction" for t in tables(out.data))

    def test_an_association_name_that_is_not_an_acronym(self):
        """« le MILA » as the reports say it, but « Mila Paris » without an article."""
        out = write_report(
            compute_report(dataset(), 2024, TODAY), association="Mila Paris", with_charts=False
        )
        text = paragraphs(out.data)
        assert any(line.startswith("En 2024, Mila Paris compte en moyenne 5 adhérent·es") for line in text)
        assert "Mila Paris a été présent à 1 rendez-vous professionnel :" in text

    def test_the_first_year_has_no_versus_for_activities(self):
        """2023 has no activity before it: no « versus » for actions, a note says why."""
        out = write_report(compute_report(dataset(), 2023, TODAY), association="MILA", with_charts=False)
        text = paragraphs(out.data)
        assert "Un Club MILA s'est déroulé en 2023, réunissant 3 structures adhérentes." in text
        assert any(line.startswith("Les activités de 2022 ne sont pas connues") for line in text)

    def test_the_associations_own_team_and_place_are_not_its_name_in_brackets(self):
        """« Équipe MILA (MILA) » and « Aude Merlet (MILA) » as speakers, « MILA » as the place of
        a Crescendo meeting: « l'équipe du MILA », « Aude Merlet, de l'équipe du MILA », no place."""
        grids = copy.deepcopy(GRIDS)
        grids["Événements"] += [
            ["E007", "11/09/2024", "18:30", "Club MILA", "Rentrée des adhérents", "Équipe MILA (MILA)", None],
            [
                "E008",
                "15/10/2024",
                "18:30",
                "Crescendo – Rencontre networking",
                "Rencontre networking aux BIS de Nantes",
                "Aude Merlet (MILA); Léa Roux (Alias)",
                "MILA",
            ],
        ]
        data = compute_report(dataset(grids), 2024, TODAY)
        text = paragraphs(write_report(data, association="MILA", with_charts=False).data)
        assert "Septembre (le 11) : « Rentrée des adhérents », animé par l'équipe du MILA." in text
        assert (
            "Octobre (le 15) : « Rencontre networking aux BIS de Nantes », avec Léa Roux (Alias) et "
            "Aude Merlet, de l'équipe du MILA."
        ) in text
        assert not any("(MILA)" in line for line in text)

    def test_no_sentence_opens_with_a_digit_and_ordinals_are_raised(self, rendered):
        """The small workbook's report: « En 2024, 1 structure a quitté… », never « 1 structure… »;
        « 1er » (cover, fees, agenda) with its letters in superscript; no Word menu in the annex."""
        body = [
            line for style, line in styled(rendered.data) if style in ("Body Text", "List Bullet", "Note")
        ]
        for line in body:
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                assert not sentence[:1].isdigit(), sentence
                assert sentence.count("comme en") < 2, sentence
        document = Document(io.BytesIO(rendered.data))
        runs = [run for p in document.paragraphs for run in p.runs]
        assert not any("1er" in run.text for run in runs)
        raised = [run.text for run in runs if run.font.superscript]
        assert raised.count("er") >= 2
        assert not any("Insertion >" in line for line in paragraphs(rendered.data))


class TestDocument:
    def test_the_report_uses_typographic_apostrophes(self, rendered):
        """Every paragraph and cell of the body writes ’, never the typewriter apostrophe."""
        doc = Document(io.BytesIO(rendered.data))
        texts = [p.text for p in doc.paragraphs] + [
            cell.text for table in doc.tables for row in table.rows for cell in row.cells
        ]
        straight = [t for t in texts if "'" in t and "@" not in t and "://" not in t]
        assert straight == []
        assert any("’" in t for t in texts)

    def test_cover_toc_header_footer_and_fields(self, rendered):
        """Cover (association, year), a TOC field Word refreshes on opening, page X of Y, header."""
        doc = Document(io.BytesIO(rendered.data))
        items = styled(rendered.data)
        assert ("Couverture", "MILA") in items and ("Title", "2024") in items
        assert ("TOC Heading", "Sommaire") in items and ("TOC 1", "I. Contexte") in items
        instructions = "".join(t.text for t in doc.element.body.iter(qn("w:instrText")))
        assert 'TOC \\o "1-2" \\h \\z \\u' in instructions
        assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
        section = doc.sections[0]
        assert section.different_first_page_header_footer
        assert section.header.paragraphs[0].text == "MILA\tRapport d’activité 2024"
        footer = "".join(t.text for t in section.footer._element.iter(qn("w:instrText")))
        assert "PAGE" in footer and "NUMPAGES" in footer
        assert section.footer.paragraphs[0].text.startswith("Page ")
        assert doc.core_properties.title == "Rapport d'activité 2024"

    def test_tables_use_the_report_table_style(self, rendered):
        """Every table is « Tableau MILA », its first row repeated on each page."""
        doc = Document(io.BytesIO(rendered.data))
        assert doc.tables and all(style_name(t) == "Tableau MILA" for t in doc.tables)
        first_rows = [t.rows[0]._tr.trPr for t in doc.tables]
        assert all(row is not None and row.find(qn("w:tblHeader")) is not None for row in first_rows)

    def test_charts_are_embedded_at_print_width(self, rendered_charts):
        """Three charts (members, events, occupancy) as PNG, 16 cm wide, captioned."""
        out = rendered_charts
        doc = Document(io.BytesIO(out.data))
        shapes = doc.inline_shapes
        assert out.charts == 3 and len(shapes) == 3
        assert all(abs(s.width.cm - 16.0) < 0.01 for s in shapes)
        images = [p for p in doc.part.package.parts if p.content_type == "image/png"]
        assert len(images) == 3 and all(p.blob.startswith(b"\x89PNG") for p in images)
        captions = [text for style, text in styled(out.data) if style == "Caption"]
        assert captions == [
            "Adhérent·es par catégorie au 31 décembre, de 2020 à 2024 (données en annexe)",
            "Taux d'occupation mensuel des espaces du Milab en 2024 (données en annexe)",
            "Séances et événements par mois en 2024 (données en annexe)",
        ]

    def test_each_chart_has_its_figures_in_the_annex(self, rendered_charts):
        """The annex of chart data holds one table per chart, with the figures drawn."""
        out = rendered_charts
        text = paragraphs(out.data)
        assert "Annexe : données des graphiques" in text
        found = tables(out.data)
        members = next(t for t in found if t[0][0] == "Année")
        assert members[0] == [
            "Année",
            "Membres hébergés",
            "Membres bénéficiaires",
            "Membres de droit",
            "Total",
        ]
        assert members[-1] == ["2024", "2", "2", "1", "5"]
        months = next(t for t in found if t[0][0] == "Mois" and t[0][-1] == "Total")
        assert len(months) == 13 and sum(int(row[-1]) for row in months[1:]) == 6
        rates = next(t for t in found if t[0] == ["Mois", "Postes Milab", "Salle de réunion"])
        assert rates[1][0] == "Janvier" and len(rates) == 13

    def test_same_data_same_bytes(self, rendered):
        """The document is deterministic: regenerating it changes nothing."""
        again = write_report(compute_report(dataset(), 2024, TODAY), association="MILA", with_charts=False)
        assert again.data == rendered.data

    @pytest.mark.parametrize(
        ("text", "bold", "italic", "size", "runs"),
        [
            ("Le 1er mars, 18e édition", True, None, None, ["Le 1", "^er", " mars, 18", "^e", " édition"]),
            ("  espaces autour ", None, True, Pt(9), ["  espaces autour "]),
            ("une\tcolonne\npuis une ligne\r", None, None, None, ["une\tcolonne\npuis une ligne\r"]),
            ("2e", False, None, Pt(54), ["2", "^e"]),
        ],
    )
    def test_runs_are_written_as_python_docx_writes_them(self, text, bold, italic, size, runs):
        """The writer builds its runs in lxml (python-docx's proxies cost most of a render):
        the XML is the one python-docx's add_run and font properties write, run for run
        (« ^ »: raised in superscript)."""
        from automations.report.runs import add_text

        doc = Document()
        mine, theirs = doc.add_paragraph(), doc.add_paragraph()
        add_text(mine, text, bold=bold, italic=italic, size=size)
        for piece in runs:
            run = theirs.add_run(piece.lstrip("^"))
            run.bold, run.italic = bold, italic
            if size is not None:
                run.font.size = size
            if piece.startswith("^"):
                run.font.superscript = True
        assert etree.tostring(mine._p) == etree.tostring(theirs._p)


class TestTemplate:
    def test_the_template_names_the_command_as_staff_type_it(self):
        """templates/rapport.docx tells staff the command with its French option, « --annee »."""
        said = " ".join(p.text for p in Document(str(TEMPLATE_PATH)).paragraphs)
        assert "mila docs rapport --annee AAAA" in said
        assert "--year" not in said

    def test_the_shipped_template_is_the_default(self, tmp_path):
        """``templates/rapport.docx`` copied elsewhere and given gives the report written by default."""
        path = tmp_path / "rapport.docx"
        path.write_bytes(TEMPLATE_PATH.read_bytes())
        out = write_report(
            compute_report(dataset(), 2024, TODAY), association="MILA", template=path, with_charts=False
        )
        default = write_report(compute_report(dataset(), 2024, TODAY), association="MILA", with_charts=False)
        assert out.data == default.data  # the default is the shipped Word file

    def test_a_template_given_but_missing_is_a_french_error(self, tmp_path):
        """A --template path that does not exist: a TemplateError saying so."""
        with pytest.raises(TemplateError, match="Modèle du rapport introuvable"):
            write_report(
                compute_report(dataset(), 2024, TODAY), association="MILA", template=tmp_path / "absent.docx"
            )

    def test_a_restyled_template_keeps_its_look_and_lost_styles_come_back(self, tmp_path):
        """Heading 1 restyled by staff stays so; a deleted style comes back as the shipped template has it."""
        doc = Document(str(TEMPLATE_PATH))
        shipped_indent = doc.styles["Agenda"].paragraph_format.left_indent
        doc.styles["Heading 1"].font.size = Pt(24)
        doc.styles.element.remove(doc.styles["Agenda"].element)
        path = tmp_path / "rapport.docx"
        doc.save(path)
        out = write_report(
            compute_report(dataset(), 2024, TODAY), association="MILA", template=path, with_charts=False
        )
        result = Document(io.BytesIO(out.data))
        assert result.styles["Heading 1"].font.size == Pt(24)
        assert "Agenda" in [s.name for s in result.styles]
        assert shipped_indent is not None
        assert result.styles["Agenda"].paragraph_format.left_indent == shipped_indent

    def test_an_unreadable_template_is_a_french_error(self, tmp_path):
        """A text file named .docx: a TemplateError saying how to save or restore the template."""
        path = tmp_path / "rapport.docx"
        path.write_text("pas un document Word")
        with pytest.raises(TemplateError, match="ne peut pas être lu"):
            write_report(compute_report(dataset(), 2024, TODAY), association="MILA", template=path)


# --------------------------------------------------------------------------- the job


def xlsx_workbook(folder: Path, grids: dict[str, list[list[object]]] | None = None) -> Workbook:
    book = OpenpyxlWorkbook()
    book.remove(first_sheet(book))
    for title, grid in (grids or GRIDS).items():
        sheet = book.create_sheet(title)
        for line in grid:
            sheet.append(line)
    path = folder / "classeur.xlsx"
    book.save(path)
    return Workbook(XlsxBackend(path))


class TestJob:
    def test_writes_the_report_then_leaves_it_when_nothing_changed(self, tmp_path):
        """First run creates Rapport_activite_2024.docx; the second finds it identical."""
        workbook, out = xlsx_workbook(tmp_path), tmp_path / "out"
        first = run_report(
            workbook, year=2024, out_dir=out, today=TODAY, association_name="MILA", soffice=None
        )
        assert isinstance(first, ReportResult)
        assert (first.status, first.path) == ("créé", out / "Rapport_activite_2024.docx")
        assert (
            first.as_dict()["sections"] == first.sections
            and first.sections[0] == "Contexte"
            and first.as_dict()["charts"] == 3
        )
        second = run_report(
            workbook, year=2024, out_dir=out, today=TODAY, association_name="MILA", soffice=None
        )
        assert second.status == "inchangé"
        state = json.loads((out / ".mila-report.json").read_text(encoding="utf-8"))
        assert set(state["files"]) == {"Rapport_activite_2024.docx"}
        assert any("Projets pour le MILA" in line for line in first.lines())

    def test_an_edited_report_is_kept_and_the_new_one_written_beside(self, tmp_path):
        """Someone saved the report in Word: the next run writes _v2 and leaves theirs alone."""
        workbook, out = xlsx_workbook(tmp_path), tmp_path / "out"
        first = run_report(workbook, year=2024, out_dir=out, today=TODAY, soffice=None)
        edited = Document(str(first.path))
        edited.add_paragraph("Mot de la présidente.")
        edited.save(str(first.path))
        kept = first.path.read_bytes()
        later = dt.date(2025, 3, 16)  # a day later: the cover date changes, so the bytes do
        second = run_report(workbook, year=2024, out_dir=out, today=later, soffice=None)
        assert (second.status, second.path.name) == ("nouvelle version", "Rapport_activite_2024_v2.docx")
        assert second.beside == first.path and first.path.read_bytes() == kept
        assert any("modifié à la main" in line for line in second.lines())
        third = run_report(workbook, year=2024, out_dir=out, today=dt.date(2025, 3, 17), soffice=None)
        assert (third.status, third.path.name) == ("mis à jour", "Rapport_activite_2024_v2.docx")

    def test_a_year_without_data_writes_nothing(self, tmp_path):
        """2019: the French message, and no file."""
        workbook, out = xlsx_workbook(tmp_path), tmp_path / "out"
        with pytest.raises(NoDataForYear) as caught:
            run_report(workbook, year=2019, out_dir=out, today=TODAY, soffice=None)
        assert isinstance(caught.value, MilaError)
        assert str(caught.value).startswith("Aucune donnée pour 2019 dans le classeur : ")
        assert not out.exists()

    def test_a_missing_required_column_stops_the_job(self, tmp_path):
        """Membres without « Catégorie »: a SchemaError naming the column, nothing written."""
        grids = {**GRIDS, "Membres": [[c for i, c in enumerate(r) if i != 4] for r in GRIDS["Membres"]]}
        workbook, out = xlsx_workbook(tmp_path, grids), tmp_path / "out"
        with pytest.raises(MilaError, match="« Catégorie » est absente"):
            run_report(workbook, year=2024, out_dir=out, today=TODAY, soffice=None)
        assert not out.exists()

    @pytest.mark.slow
    def test_contents_carry_their_page_numbers_and_the_pdf_is_written(self, tmp_path):
        """With LibreOffice, each contents entry shows its page, with no update asked; --pdf too."""
        workbook, out = xlsx_workbook(tmp_path), tmp_path / "out"
        result = run_report(workbook, year=2024, out_dir=out, today=TODAY, pdf=True)
        assert result.toc_numbered and result.pdf == out / "Rapport_activite_2024.pdf"
        assert result.pdf is not None and result.pdf.read_bytes().startswith(b"%PDF")
        doc = Document(str(result.path))
        entries = [p.text for p in doc.paragraphs if style_name(p) in ("TOC 1", "TOC 2")]
        assert entries[0].startswith("I. Contexte\t") and entries[0].split("\t")[1].isdigit()
        pages = [int(e.split("\t")[1]) for e in entries]
        assert pages == sorted(pages) and pages[0] >= 3  # the cover, the contents, then the body
        assert doc.settings.element.find(qn("w:updateFields")) is None

    def test_without_libreoffice_word_is_asked_to_number_the_contents(self, tmp_path):
        """No layout pass: the contents field is dirty and updateFields set; the summary says so."""
        workbook, out = xlsx_workbook(tmp_path), tmp_path / "out"
        result = run_report(workbook, year=2024, out_dir=out, today=TODAY, soffice=None)
        doc = Document(str(result.path))
        assert doc.settings.element.find(qn("w:updateFields")) is not None
        dirty = [f for f in doc.element.body.iter(qn("w:fldChar")) if f.get(qn("w:dirty")) == "true"]
        assert len(dirty) == 1
        assert any("Sommaire sans numéros de page" in line for line in result.lines())


class TestHeadingPages:
    def test_headings_are_found_in_order_after_the_contents(self):
        """The contents page lists every entry; each heading is then found on its own page."""
        pages = [
            "MILA\nRapport",
            "Sommaire\nI. Contexte\n1. Chiffres\nII. Membres",
            "I. Contexte\n1. Chiffres\ntexte",
            "suite",
            "II. Membres\u00a0\nfin",
        ]
        assert heading_pages(pages, ["I. Contexte", "1. Chiffres", "II. Membres"]) == [3, 3, 5]

    def test_a_heading_that_cannot_be_found_gives_nothing(self):
        """One missing heading: no numbers at all rather than wrong ones."""
        pages = ["Sommaire\nI. Contexte\nII. Membres", "I. Contexte"]
        assert heading_pages(pages, ["I. Contexte", "II. Membres"]) is None


class TestVariablesCommand:
    def test_docs_variables_rapport_lists_the_names_texts_can_quote(self):
        """« mila docs variables rapport » lists membres.moyenne and the others, in French."""
        from automations.cli import main
        from automations.report.variables import VARIABLES

        out = io.StringIO()
        assert main(["docs", "variables", "rapport"], out=out) == 0
        text = out.getvalue()
        assert "{{ membres.moyenne }} : adhérent·es en moyenne sur l'année" in text
        assert all(f"{{{{ {v.name} }}}}" in text for v in VARIABLES)
