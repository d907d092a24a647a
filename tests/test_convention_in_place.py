"""A convention regenerated for an occupation in place for years reads as a lawyer would sign it:
its own effective date and what it replaces, the index of the last revision, the deposit
already paid, the representative's capacity; and the charter and register read right."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FEE_HISTORY, XlsxBook
from docx import Document
from lxml import etree

from automations.clock import FixedClock
from automations.config import Settings
from automations.documents.annex import append_annex
from automations.documents.catalogue import RULES_FILE
from automations.documents.context import effective_date
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.errors import TemplateError
from automations.jobs.context import RunContext
from automations.jobs.documents import run_charters, run_conventions
from automations.jobs.templates import template_variables, verify_templates
from automations.model.parsing import parse_table
from automations.model.rows import Occupation

TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 10, 0)
NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

NONE: list[object] = [None] * 4
MEMBERS: list[list[object]] = [
    [
        "ID",
        "Structure",
        "Contact",
        "Civilité",
        "Email",
        "Catégorie",
        "Forfait",
        "Adhésion le",
        "Cotisation payée le",
        "Charte signée le",
        "Forme juridique",
        "Adresse",
        "Qualité du représentant",
    ],
    # In place since 2016, represented by its gérante.
    [
        "M0008",
        "Bleu Citron",
        "Elsa Laurent",
        "Mme",
        "elsa@bleucitron.fr",
        "hébergé",
        None,
        "01/10/2016",
        "01/10/2026",
        "12/05/2022",
        "SARL",
        "12 rue Émile Blémont, 75018 Paris",
        "Gérante",
    ],
    # A new occupant, no capacity given.
    [
        "M0009",
        "Ondes Courtes",
        "Marc Petit",
        "M.",
        "marc@ondes.fr",
        "hébergé",
        None,
        "01/11/2026",
        "01/11/2026",
        None,
        "SAS",
        None,
        None,
    ],
    # The charter and register cases: no category; an applicant who never paid.
    [
        "M0126",
        "Studio Sans Case",
        "Ana Roy",
        "Mme",
        "ana@x.fr",
        None,
        None,
        "01/01/2026",
        "02/02/2026",
        None,
        None,
        None,
        "Présidente",
    ],
    [
        "M0127",
        "Candidat Pressé",
        "Léo Blanc",
        "M.",
        "leo@x.fr",
        "bénéficiaire",
        "BASIC",
        "01/11/2026",
        None,
        *NONE,
    ],
]


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": MEMBERS,
        "Locaux": [
            ["ID", "Nom", "Site", "Adresse", "Surface m²", "Loyer mensuel HT"],
            ["L07", "Bureau 7", "Pépinière", "12 rue Émile Blémont, 75018 Paris", 80, 700],
            ["L08", "Bureau 8", "Pépinière", "12 rue Émile Blémont, 75018 Paris", 12, 300],
        ],
        "Occupations": [
            [
                "ID",
                "Membre",
                "Local",
                "Début",
                "Fin",
                "Loyer mensuel HT",
                "Dépôt de garantie",
                "Révisée le",
                "Indice de référence",
            ],
            ["C001", "M0008", "L07", "01/10/2016", None, None, 500, "01/10/2024", "136,33"],
            ["C002", "M0009", "L08", "01/01/2027", "31/12/2029", None, 600, None, None],
        ],
        "Tarifs": FEE_HISTORY,
        "Conseil": [
            ["Nom", "Civilité", "Fonction", "Entrée"],
            ["Juliette Texier", "Mme", "Présidente", "02/07/2023"],
        ],
    }


def settings(tmp_path: Path, templates: Path = TEMPLATES) -> Settings:
    return Settings(
        association=AssociationSettings(siret="68372141900110", iban="FR76 3000 4000 0500 0012 3456 789"),
        documents=DocumentsSettings(templates=templates, out=tmp_path / "out"),
    )


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(parts).replace("\u202f", NBSP)


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("in_place")
    book = XlsxBook(tmp_path, workbook())
    context = RunContext(settings(tmp_path), FixedClock(NOW), today=TODAY, workbook=book.open())
    result = run_conventions(context)
    assert len(result.written) == 2, result
    charters = run_charters(
        RunContext(settings(tmp_path), FixedClock(NOW), today=TODAY, workbook=book.open())
    )
    assert charters.written, charters
    paths = [w.path for w in result.written + charters.written]
    return {
        p.name.split("_")[0] + "_" + p.name.split("_")[1].removesuffix(".docx"): text_of(p) for p in paths
    }


def test_an_occupation_in_place_since_2016_gets_a_convention_that_replaces_the_one_in_force(produced) -> None:
    text = produced["Convention_C001"]
    for expected in (
        # The parties: the member number is the company's; the representative has a capacity.
        "La société Bleu Citron, SARL, dont le siège est situé 12 rue Émile Blémont, 75018 Paris, "
        f"membre de l’Association (adhérent n°{NBSP}M0008), représentée par Mme Elsa Laurent, "
        "en sa qualité de gérante,",
        "ci-après dénommée «\u00a0l’Occupant\u00a0», d’autre part.",
        # Its own effective date, and what it replaces.
        f"La présente convention est conclue à compter du 1er{NBSP}janvier 2027 et pour une durée indéterminée.",
        f"La présente convention remplace, à compter du 1er{NBSP}janvier 2027, la convention du "
        f"1er{NBSP}octobre 2016 par laquelle l’Association met ce local à la disposition de l’Occupant.",
        f"L’Occupant occupe le local depuis le 1er{NBSP}octobre 2016 et déclare bien le connaître.",
        # Indexation from the 2024 revision, never from 2016.
        f"à la date anniversaire de sa dernière révision, intervenue le 1er{NBSP}octobre 2024",
        "L’indice de référence est celui retenu lors de cette révision, soit 136,33.",
        # The deposit was paid when the occupation began.
        f"L’Occupant a versé à l’Association, au début de l’occupation, un dépôt de garantie de 500{NBSP}€",
        # Tenant's risks and waiver of recourse; the règlement intérieur, annexed.
        "les risques locatifs, notamment l’incendie, l’explosion et les dégâts des eaux",
        "L’Occupant renonce, et s’engage à faire renoncer ses assureurs, à tout recours contre l’Association",
        "L’Occupant respecte le règlement intérieur des lieux, annexé à la présente convention",
        "Annexe\u00a0: règlement intérieur des lieux.",
        "Règlement intérieur des lieux\nAnnexe à la convention de mise à disposition de locaux",
        "Local | Bureau 7\n",
    ):
        assert expected in text, expected
    for wrong in (
        "À la signature, l’Occupant verse",
        "dernier publié à la date de début",
        "à compter du 1er\u00a0octobre 2016 et pour une durée",
        "sous le numéro",
        "réf.",
        "×",
        "plafonné",
        "pour l’avoir visité",
    ):
        assert wrong not in text, wrong


def test_a_new_occupation_reads_as_a_new_convention(produced) -> None:
    text = produced["Convention_C002"]
    for expected in (
        "La société Ondes Courtes, SAS, membre de l’Association (adhérent n°\u00a0M0009), "
        "représentée par M. Marc Petit, dûment habilité,",
        f"pour une durée déterminée, du 1er{NBSP}janvier 2027 au 31{NBSP}décembre 2029 inclus.",
        f"À la signature, l’Occupant verse un dépôt de garantie de 600{NBSP}€.",
        "l’indice de référence est le dernier publié au 1er\u00a0janvier 2027.",
        "pour l’avoir visité",
    ):
        assert expected in text, expected
    assert "La présente convention remplace" not in text and "a versé" not in text


def test_without_a_reglement_interieur_the_convention_does_not_mention_one(tmp_path: Path) -> None:
    templates = tmp_path / "modeles"
    shutil.copytree(TEMPLATES, templates)
    (templates / RULES_FILE).unlink()
    book = XlsxBook(tmp_path, workbook())
    context = RunContext(settings(tmp_path, templates), FixedClock(NOW), today=TODAY, workbook=book.open())
    result = run_conventions(context, member="M0009")
    text = text_of(result.written[0].path)
    assert "règlement intérieur" not in text.casefold() and "Annexe" not in text
    assert "L’Occupant utilise le local pour les besoins de son activité professionnelle" in text


def test_the_charter_has_no_orphan_separator_and_is_signed_after_its_annex(produced) -> None:
    text = produced["Charte_M0126"]
    assert "· n°" not in text.replace(NBSP, " ")
    assert "Studio Sans Case\nMembre n°\u00a0M0126 | Signature" in text
    annex = text.index("Annexe 2024 – Ressources")
    assert text.index("Engagement du membre") > annex
    assert text.index("Fait à") > text.index("Ces exemples ne sont pas exhaustifs")
    assert f"Code du travail, art. L.{NBSP}1132-1 |" in text and "L1132-1" not in text
    assert f"art. L.{NBSP}1152-1 et L.{NBSP}1153-1" in text
    assert "Je soussignée Ana Roy, présidente de Studio Sans Case (membre n°\u00a0M0126), déclare" in text
    hosted = produced["Charte_M0009"]
    assert "Je soussigné Marc Petit, représentant d’Ondes Courtes (membre n°\u00a0M0009)" in hosted
    assert "Ondes Courtes\nMembre hébergé · n°\u00a0M0009 | Signature" in hosted


def test_the_register_counts_members_up_to_date_not_applicants_who_never_paid(produced) -> None:
    text = produced["Registre_signatures"]
    assert "Membres actifs\u00a0: 3 · chartes signées\u00a0: 1 · à signer\u00a0: 2" in text
    assert "Candidat Pressé" not in text  # en attente: never paid
    assert "Bleu Citron" in text and "Studio Sans Case" in text


def test_revision_columns_are_read_and_checked(tmp_path: Path) -> None:
    header: list[object] = ["ID", "Membre", "Local", "Début", "Révisée le", "Indice de référence"]
    book = XlsxBook(
        tmp_path,
        {
            "Occupations": [
                header,
                ["C001", "M0001", "L01", "01/10/2016", "01/10/2024", "136,33"],
                ["C002", "M0001", "L02", "01/10/2020", "01/10/2019", 130],
                ["C003", "M0001", "L03", "01/10/2020", "01/10/2021", None],
                ["C004", "M0001", "L04", "01/10/2020", None, "-3"],
            ]
        },
    )
    table = book.open().read(["Occupations"])["Occupations"]
    models, anomalies = parse_table(table, today=TODAY)
    first = models[0]
    assert isinstance(first, Occupation)
    assert first.revised_on == dt.date(2024, 10, 1) and first.index == Decimal("136.33")
    messages = {(a.row, a.column): a.message for a in anomalies}
    assert "antérieure à « Début »" in messages[(3, "Révisée le")]
    assert "« Indice de référence » manquant" in messages[(4, "Indice de référence")]
    assert (
        "Indice impossible" in messages[(5, "Indice de référence")]
        or "négatif" in messages[(5, "Indice de référence")]
    )


def test_when_a_convention_takes_effect() -> None:
    day = dt.date(2026, 12, 7)
    # Years in place: the 1st of next month, replacing the convention in force.
    assert effective_date(dt.date(2016, 10, 1), None, day) == dt.date(2027, 1, 1)
    assert effective_date(dt.date(2016, 10, 1), None, dt.date(2027, 1, 1)) == dt.date(2027, 1, 1)
    # Ending this month: from the day itself, never after its end.
    assert effective_date(dt.date(2016, 10, 1), dt.date(2026, 12, 15), day) == day
    # Still to come, or ended (a reprint): its own start.
    assert effective_date(dt.date(2027, 1, 1), None, day) == dt.date(2027, 1, 1)
    assert effective_date(dt.date(2016, 10, 1), dt.date(2020, 9, 30), day) == dt.date(2016, 10, 1)
    # Begun three weeks ago with no convention yet: its first one, from its start; once one
    # was produced, the next replaces it.
    assert effective_date(dt.date(2026, 11, 16), None, day) == dt.date(2026, 11, 16)
    assert effective_date(dt.date(2026, 11, 16), None, day, produced_before=True) == dt.date(2027, 1, 1)


def _docx(path: Path, *texts: str) -> Path:
    doc = Document()
    for text in texts:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def test_the_annex_keeps_its_text_and_refuses_an_image(tmp_path: Path) -> None:
    main = _docx(tmp_path / "main.docx", "Convention").read_bytes()
    annex_doc = Document()
    paragraph = annex_doc.add_paragraph("Voir ")
    link = etree.SubElement(paragraph._p, f"{{{W}}}hyperlink", {f"{{{R}}}id": "rId42"})
    run = etree.SubElement(link, f"{{{W}}}r")
    etree.SubElement(run, f"{{{W}}}t").text = "le site"
    annex_doc.save(str(tmp_path / "annex.docx"))
    merged = Document(io.BytesIO(append_annex(main, (tmp_path / "annex.docx").read_bytes(), "annexe.docx")))
    texts = [p.text for p in merged.paragraphs]
    assert texts == ["Convention", "Voir le site"]
    assert merged.paragraphs[1].paragraph_format.page_break_before
    etree.SubElement(run, f"{{{W}}}drawing").append(etree.Element(f"{{{R}}}blip", {f"{{{R}}}embed": "rId7"}))
    annex_doc.save(str(tmp_path / "image.docx"))
    with pytest.raises(TemplateError, match="contient une image"):
        append_annex(main, (tmp_path / "image.docx").read_bytes(), "reglement_interieur.docx")


def test_the_verifier_checks_the_reglement_with_the_convention_variables(tmp_path: Path) -> None:
    templates = tmp_path / "modeles"
    shutil.copytree(TEMPLATES, templates)
    _docx(templates / RULES_FILE, "Règlement {{ association.nom }}", "Local {{ locale.nom }}")
    result = verify_templates(DocumentsSettings(templates=templates))
    [report] = [r for r in result.reports if r.name == RULES_FILE]
    assert [p.code for p in report.problems] == ["unknown_variable"]
    assert "« locale »" in report.problems[0].message
    assert "mila docs variables reglement_interieur" in report.problems[0].message
    listed = template_variables("reglement_interieur", DocumentsSettings(templates=templates))
    assert ("association.nom", True) in [(v.path, used) for v, used in listed.variables]
