"""Conventions de mise à disposition: one per Occupations row, regenerated only when needed."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import FEE_HISTORY, XlsxBook
from docx import Document
from lxml import etree

from automations.clock import FixedClock
from automations.config import Settings
from automations.demo import make_siret
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.errors import TemplateError
from automations.jobs.context import RunContext
from automations.jobs.documents import run_conventions
from automations.model.values import parse_date
from tests.support.converters import BlankPdf

TODAY = dt.date(2025, 3, 4)
NOW = dt.datetime(2025, 3, 4, 10, 0)
NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
SIRET = make_siret(random.Random(7))

TARIFS = FEE_HISTORY


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            ["ID", "Structure", "Contact", "Email", "SIRET", "Catégorie", "Adhésion le", "Charte signée le"],
            [
                "M0001",
                "Pixel & Refrain <Live> 🎧",
                "Léa Morel",
                "lea@pixel.fr",
                SIRET,
                "hébergé",
                "01/09/2024",
                None,
            ],
            [
                "M0002",
                "Studio Nord",
                "Paul Roux",
                "paul@nord.fr",
                None,
                "hébergé",
                "01/01/2020",
                "15/04/2023",
            ],
            ["M0003", "../../etc/passwd", "Inès Bah", "ines@x.fr", None, "hébergé", "01/01/2023", None],
        ],
        "Locaux": [
            ["ID", "Nom", "Site", "Adresse", "Surface m²", "Loyer mensuel HT"],
            ["L01", "Bureau 1", "Pépinière", "12 rue Émile Blémont, 75018 Paris", 16, 400],
            ["L02", "Boutique Letort 38", "Boutique", "38 rue Letort, 75018 Paris", 80, 1490],
        ],
        "Occupations": [
            ["ID", "Membre", "Local", "Début", "Fin", "Loyer mensuel HT", "Dépôt de garantie", "Notes"],
            ["C001", "M0001", "L01", "01/09/2024", None, None, 800, "clés remises"],
            ["C002", "M0002", "L02", "01/01/2020", "31/12/2022", None, None, None],
            ["C003", "M0003", "L02", "01/01/2023", None, "1 050,00 €", None, None],
            ["C004", "M0099", "L01", "01/01/2025", None, None, None, None],
            [None, "M0002", "L01", "01/02/2025", None, None, None, "nouvelle ligne"],
        ],
        "Tarifs": TARIFS,
        "Conseil": [
            ["Nom", "Civilité", "Membre", "Fonction", "Collège", "Entrée", "Sortie", "Décision"],
            [
                "Baptiste Lefèvre",
                "M.",
                "M0043",
                "Président·e",
                "Bénéficiaires",
                "20/06/2018",
                "02/07/2023",
                "AG",
            ],
            [
                "Juliette Texier",
                "Mme",
                "M0002",
                "Présidente",
                "Hébergés",
                "02/07/2023",
                None,
                "AG du 02/07/23",
            ],
        ],
    }


def settings(tmp_path: Path, templates: Path = TEMPLATES, shops: bool = True) -> DocumentsSettings:
    return DocumentsSettings(templates=templates, out=tmp_path / "out", shop_conventions=shops)


def run(book, tmp_path: Path, converter: BlankPdf | None = None, **kw):
    sections = Settings(
        documents=kw.pop("documents", settings(tmp_path)),
        association=AssociationSettings(siret="68372141900110"),
    )
    ctx = RunContext(sections, FixedClock(NOW), today=TODAY, workbook=book.open(), converter=converter)
    return run_conventions(ctx, **kw)


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    for section in doc.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def assert_valid(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))
    Document(str(path))


def occupations_column(book, column: str) -> dict[str, object]:
    table = book.open().read(["Occupations"])["Occupations"]
    return {row.id: row.get(column) for row in table.rows if row.id}


def test_conventions_are_produced_checked_and_recorded_in_the_sheet(make_book, tmp_path: Path) -> None:
    book = make_book(workbook())
    result = run(book, tmp_path)
    names = sorted(w.path.name for w in result.written)
    assert names == [
        "Convention_C001_Pixel-Refrain-Live_2024-09-01.docx",
        "Convention_C003_etc-passwd_2023-01-01.docx",
    ]
    assert all(w.reason == "nouveau" and w.path.parent == tmp_path / "out" for w in result.written)
    assert result.skipped == [
        "Convention C004 : membre « M0099 » introuvable dans l'onglet Membres.",
        "Occupations ligne 6 : pas d'ID ; lancez « mila synchroniser » pour en attribuer un.",
    ]
    c001 = tmp_path / "out" / names[0]
    assert_valid(c001)
    text = text_of(c001)
    for expected in (
        "Convention de mise à disposition de locaux",
        "Pixel & Refrain <Live> 🎧",
        f"SIRET {SIRET[:3]}{NBSP}{SIRET[3:6]}{NBSP}{SIRET[6:9]}{NBSP}{SIRET[9:]}",
        "représentée par Mme Juliette Texier, en sa qualité de présidente",
        f"SIRET 683{NBSP}721{NBSP}419{NBSP}00110",
        "membre de l’Association (adhérent n°\u00a0M0001), représentée par Léa Morel, dûment habilité·e,",
        "Local | Bureau 1\n",
        "12 rue Émile Blémont, 75018 Paris",
        f"16{NBSP}m²",
        # Begun before the document: it takes effect on the 1st of next month and replaces the one in force.
        f"à compter du 1er{NBSP}avril 2025 et pour une durée indéterminée",
        f"La présente convention remplace, à compter du 1er{NBSP}avril 2025, la convention du 1er{NBSP}septembre 2024",
        f"Redevance mensuelle hors taxes | 400{NBSP}€",
        f"TVA (20{NBSP}%) | 80{NBSP}€",
        f"Redevance mensuelle toutes taxes comprises | 480{NBSP}€",
        f"dépôt de garantie de 800{NBSP}€",
        f"160{NBSP}€ hors taxes, soit 192{NBSP}€ toutes taxes comprises. Son montant",
        "L’Occupant s’engage à signer la charte des valeurs communes",
        "– et à en respecter les principes",
        f"Fait à Paris, le 4{NBSP}mars 2025, en deux exemplaires originaux.",
        "Pour l’Association\nMme Juliette Texier\nPrésidente",
        "Pour l’Occupant\nLéa Morel\nPixel & Refrain <Live> 🎧",
        "Association MILA\tConvention de mise à disposition n°\u00a0C001",  # header
    ):
        assert expected in text, expected
    footer = zipfile.ZipFile(c001).read("word/footer1.xml").decode()
    assert "Page " in footer and " PAGE " in footer and " sur " in footer and " NUMPAGES " in footer
    assert "{{" not in text and "{%" not in text
    c003 = text_of(tmp_path / "out" / names[1])
    assert f"1{NBSP}050{NBSP}€" in c003.replace("\u202f", NBSP)  # the row's rent overrides the premises'
    assert "Aucun dépôt de garantie" in c003

    files = occupations_column(book, "Fichier convention")
    dates = occupations_column(book, "Convention générée le")
    assert files == {"C001": names[0], "C002": None, "C003": names[1], "C004": None}
    assert parse_date(dates["C001"]) == TODAY and dates["C002"] is None
    assert result.cells_written == 6 and result.journal  # 4 cells + the 2 calc. headers added
    journal = book.open().read(["Journal"])["Journal"].rows
    assert [r.get("Tâche") for r in journal] == ["documents : conventions"]
    assert str(journal[0].get("Détails")).startswith("2 document(s) produit(s)")

    # Nothing changed: nothing regenerated, nothing written, no Journal line.
    again = run(book, tmp_path)
    assert again.written == [] and len(again.unchanged) == 2
    assert again.cells_written == 0 and not again.journal
    assert len(book.open().read(["Journal"])["Journal"].rows) == 1


def test_regenerated_when_the_row_or_the_template_changes(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    first = run(book, tmp_path)
    c001 = next(w.path for w in first.written if "C001" in w.path.name)
    book.edit("Occupations", {(2, 6): 450})  # C001's rent
    second = run(book, tmp_path)
    assert [(w.path.name, w.reason) for w in second.written] == [(c001.name, "données modifiées")]
    assert f"450{NBSP}€" in text_of(c001)
    assert [p.name for p in second.unchanged] == ["Convention_C003_etc-passwd_2023-01-01.docx"]

    templates = tmp_path / "modeles"
    shutil.copytree(TEMPLATES, templates)
    doc = Document(str(templates / "convention.docx"))
    doc.add_paragraph("Annexe : plan du local.")
    doc.save(str(templates / "convention.docx"))
    third = run(book, tmp_path, documents=settings(tmp_path, templates))
    assert {w.reason for w in third.written} == {"modèle modifié"} and len(third.written) == 2
    assert "Annexe : plan du local." in text_of(c001)


def test_a_convention_edited_by_a_person_is_never_overwritten(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    first = run(book, tmp_path)
    c003 = next(w.path for w in first.written if "C003" in w.path.name)
    doc = Document(c003)
    doc.add_paragraph("Clause ajoutée à la main par la coordinatrice.")
    doc.save(c003)
    edited = c003.read_bytes()
    assert run(book, tmp_path).written == []  # data unchanged: the edited file is left alone
    book.edit("Occupations", {(4, 7): 500})  # C003: a deposit now
    second = run(book, tmp_path)
    [written] = second.written
    assert written.path.name == "Convention_C003_etc-passwd_2023-01-01_v2.docx" and written.beside == c003
    assert c003.read_bytes() == edited
    assert f"dépôt de garantie de 500{NBSP}€" in text_of(written.path)
    assert occupations_column(book, "Fichier convention")["C003"] == written.path.name
    assert second.as_dict()["written"][0]["beside"] == c003.name


def test_ended_conventions_and_one_member(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    result = run(book, tmp_path, include_ended=True, member="m2")
    assert [w.path.name for w in result.written] == ["Convention_C002_Studio-Nord_2020-01-01.docx"]
    text = text_of(result.written[0].path)
    assert f"du 1er{NBSP}janvier 2020 au 31{NBSP}décembre 2022 inclus" in text
    assert f"a signé le 15{NBSP}avril 2023 la charte" in text
    with pytest.raises(Exception, match="Aucun membre « M42 »"):
        run(book, tmp_path, member="M42")


def test_a_broken_template_fails_in_french_and_logs_the_failure(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    templates = tmp_path / "modeles"
    shutil.copytree(TEMPLATES, templates)
    doc = Document(str(templates / "convention.docx"))
    doc.add_paragraph("{{ membre.structure }")
    doc.add_paragraph("{% if membre.id %} sans fin")
    doc.save(str(templates / "convention.docx"))
    with pytest.raises(TemplateError, match="convention.docx"):
        run(book, tmp_path, documents=settings(tmp_path, templates))
    assert not list((tmp_path / "out").glob("*.docx"))
    journal = book.open().read(["Journal"])["Journal"].rows
    assert [(r.get("Tâche"), r.get("Résultat")) for r in journal] == [("documents : conventions", "échec")]


def test_pdf_next_to_each_convention(tmp_path: Path) -> None:
    """With --pdf, each convention's PDF beside it, converted once (a converter that writes
    blank pages: LibreOffice's own drawing is tested with the demo's documents)."""
    book = XlsxBook(tmp_path, workbook())
    converter = BlankPdf()
    result = run(book, tmp_path, converter, member="M0001", pdf=True)
    assert [p.name for p in result.pdfs] == ["Convention_C001_Pixel-Refrain-Live_2024-09-01.pdf"]
    assert result.pdfs[0].parent == result.written[0].path.parent
    assert result.pdfs[0].read_bytes().startswith(b"%PDF")
    assert [p.name for p in converter.converted] == ["Convention_C001_Pixel-Refrain-Live_2024-09-01.docx"]
    again = run(book, tmp_path, converter, member="M0001", pdf=True)
    assert again.pdfs == [] and again.written == []  # up to date: no new conversion
    assert len(converter.converted) == 1


def test_one_line_for_mila_status(tmp_path: Path) -> None:
    from automations.jobs.document_run import describe_documents

    book = XlsxBook(tmp_path, workbook())
    first = describe_documents(run(book, tmp_path))
    assert (first.result, first.summary) == (
        "succès",
        "2 document(s) produit(s), 0 à jour ; 2 non produit(s)",
    )
    second = describe_documents(run(book, tmp_path))
    assert (second.result, second.summary) == (
        "rien à faire",
        "rien à refaire (2 document(s) à jour) ; 2 non produit(s)",
    )
