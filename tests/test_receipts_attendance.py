"""Receipts for each payment, numbered for good, and the general assembly's attendance sheet."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from conftest import FEE_HISTORY, XlsxBook
from docx import Document
from lxml import etree

from automations.clock import FixedClock
from automations.config import Settings
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_attendance, run_receipts
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2025, 3, 4)
NOW = dt.datetime(2025, 3, 4, 10, 0)
NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TARIFS = FEE_HISTORY
HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Option Crescendo",
    "Adhésion le",
    "Cotisation payée le",
    "Montant payé",
    "Sortie le",
]


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            HEADER,
            [
                "M0001",
                "Onde Claire & Fils",
                "Léa Morel",
                "lea@onde.fr",
                "bénéficiaire",
                "PREMIUM",
                "oui",
                "10/01/2023",
                "15/11/2024",
                216,
                None,
            ],
            [
                "M0002",
                "Studio Nord 🎛",
                "Paul Roux",
                "paul@nord.fr",
                "hébergé",
                None,
                None,
                "01/09/2022",
                "10/12/2024",
                "192,00 €",
                None,
            ],
            [
                "M0003",
                "Ancien Tarif",
                "Ana Lima",
                "ana@x.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/01/2020",
                "01/02/2024",
                120,
                None,
            ],
            [
                "M0004",
                "Arrondi Records",
                "Tom Vidal",
                "tom@x.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/01/2024",
                "05/01/2025",
                150,
                None,
            ],
            [
                "M0005",
                "Sans Montant",
                "Eva Blanc",
                "eva@x.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/01/2024",
                "20/05/2025",
                None,
                None,
            ],
            [
                "M0006",
                "Jamais Payé",
                "Noé Petit",
                "noe@x.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/01/2025",
                None,
                None,
                None,
            ],
            [
                "M0007",
                "Mairie du 18e",
                "Élu Délégué",
                "elu@x.fr",
                "membre de droit",
                None,
                None,
                "01/01/2016",
                None,
                None,
                None,
            ],
            [
                "M0008",
                "Parti Ailleurs",
                "Max Durand",
                "max@x.fr",
                "bénéficiaire",
                "BASIC",
                None,
                "01/01/2020",
                "01/12/2024",
                144,
                "01/01/2025",
            ],
        ],
        "Locaux": [
            ["ID", "Nom", "Site", "Surface m²", "Loyer mensuel HT"],
            ["L01", "Bureau 1", "Pépinière", 16, 400],
        ],
        "Occupations": [
            ["ID", "Membre", "Local", "Début", "Fin"],
            ["C001", "M0002", "L01", "01/09/2022", None],
        ],
        "Tarifs": TARIFS,
        "Conseil": [
            ["Nom", "Civilité", "Fonction", "Entrée", "Sortie"],
            ["Nadia Giraud", "Mme", "Trésorière", "08/06/2021", None],
            ["Juliette Texier", "Mme", "Présidente", "02/07/2023", None],
        ],
    }


def documents(tmp_path: Path) -> DocumentsSettings:
    return DocumentsSettings(templates=TEMPLATES, out=tmp_path / "out")


def receipts(book: XlsxBook, tmp_path: Path, **kw):
    settings = Settings(
        association=AssociationSettings(), documents=documents(tmp_path), membership=MembershipPolicy()
    )
    run = RunContext(settings, FixedClock(NOW), today=kw.pop("today", TODAY), workbook=book.open())
    return run_receipts(run, **kw)


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(parts)


def valid(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name))


def test_a_receipt_for_each_payment_numbered_in_order(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    result = receipts(book, tmp_path)
    assert [w.path.name for w in result.written] == [
        "Recu_2024-001_Ancien-Tarif.docx",
        "Recu_2024-002_Onde-Claire-Fils.docx",
        "Recu_2024-003_Parti-Ailleurs.docx",
        "Recu_2024-004_Studio-Nord.docx",
        "Recu_2025-001_Arrondi-Records.docx",
    ]
    assert result.skipped == [
        "Membre M0005 (Sans Montant) : « Montant payé » manquant pour le paiement du 20/05/2025."
    ]
    notes = [w for w in result.warnings if w.startswith("Reçu")]
    assert len(notes) == 1 and "Reçu 2025-001" in notes[0]

    premium = tmp_path / "out" / "Recu_2024-002_Onde-Claire-Fils.docx"
    valid(premium)
    text = text_of(premium)
    for expected in (
        "Reçu n°" + NBSP + "2024-002",
        f"Période du 15{NBSP}novembre 2024 au 14{NBSP}novembre 2025",
        "Onde Claire & Fils",
        "Représentée par Léa Morel · membre n°" + NBSP + "M0001 · Membre bénéficiaire",
        f"Désignation | HT | TVA (20{NBSP}%) | TTC",
        f"Forfait PREMIUM | 170{NBSP}€ | 34{NBSP}€ | 204{NBSP}€",
        f"Option Crescendo | 10{NBSP}€ | 2{NBSP}€ | 12{NBSP}€",
        f"Total | 180{NBSP}€ | 36{NBSP}€ | 216{NBSP}€",
        f"L’Association MILA certifie avoir reçu d’Onde Claire & Fils, la somme de "
        f"216{NBSP}€ toutes taxes comprises au titre de sa cotisation annuelle",
        f"(paiement reçu le 15{NBSP}novembre 2024).",
        f"Fait à Paris, le 4{NBSP}mars 2025.",  # the day it is produced, never the payment day
        f"Calcul{NBSP}: Forfait PREMIUM 170{NBSP}€ + option Crescendo 10{NBSP}€ = 180{NBSP}€{NBSP}HT.",
        "Mme Nadia Giraud, trésorière",
    ):
        assert expected in text, expected
    assert "diffère" not in text
    hosted = text_of(tmp_path / "out" / "Recu_2024-004_Studio-Nord.docx")
    assert f"Cotisation hébergé (16{NBSP}m² × 10{NBSP}€) | 160{NBSP}€ | 32{NBSP}€ | 192{NBSP}€" in hosted
    assert "Studio Nord 🎛" in hosted
    old = text_of(tmp_path / "out" / "Recu_2024-001_Ancien-Tarif.docx")
    assert f"Cotisation bénéficiaire | 100{NBSP}€ |" in old  # the rates of February 2024
    odd = text_of(tmp_path / "out" / "Recu_2025-001_Arrondi-Records.docx")
    assert f"Cotisation annuelle | 125{NBSP}€ | 25{NBSP}€ | 150{NBSP}€" in odd
    assert "diffère" not in odd and "barème" not in odd  # a note for the staff, not for the member


def test_receipt_numbers_are_stable_across_runs(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    receipts(book, tmp_path)
    again = receipts(book, tmp_path)
    assert again.written == [] and len(again.unchanged) == 5 and not again.journal
    # M0001 renews; M0006 pays, with an earlier date typed late: both get the next numbers.
    book.edit("Membres", {(2, 9): "20/11/2025", (2, 10): 216, (7, 9): "01/06/2024", (7, 10): 144})
    third = receipts(book, tmp_path, today=dt.date(2025, 11, 21))
    assert [w.path.name for w in third.written] == [
        "Recu_2024-005_Jamais-Paye.docx",
        "Recu_2025-002_Onde-Claire-Fils.docx",
    ]
    assert (tmp_path / "out" / "Recu_2024-002_Onde-Claire-Fils.docx").is_file()  # the earlier receipt stays
    one = receipts(book, tmp_path, member="M0003")
    assert one.written == [] and [p.name for p in one.unchanged] == ["Recu_2024-001_Ancien-Tarif.docx"]


def attendance(book: XlsxBook, tmp_path: Path, **kw):
    settings = Settings(
        association=AssociationSettings(), documents=documents(tmp_path), membership=MembershipPolicy()
    )
    run = RunContext(settings, FixedClock(NOW), today=TODAY, workbook=book.open())
    return run_attendance(run, meeting=dt.date(2025, 6, 12), **kw)


def test_attendance_sheet_lists_members_up_to_date_with_votes_and_quorum(tmp_path: Path) -> None:
    book = XlsxBook(tmp_path, workbook())
    result = attendance(book, tmp_path, title="Assemblée générale ordinaire")
    [written] = result.written
    assert written.path.name == "Emargement_AG_2025-06-12.docx"
    valid(written.path)
    doc = Document(written.path)
    table = doc.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == [
        "N°",
        "Structure",
        "Représentant·e",
        "Catégorie",
        "Voix",
        "Pouvoir donné à",
        "Signature",
    ]
    assert rows[1:] == [
        ["1", "Arrondi Records", "Tom Vidal", "Bénéficiaire", "2", "", ""],
        ["2", "Mairie du 18e", "Élu Délégué", "Membre de droit", "1", "", ""],
        ["3", "Onde Claire & Fils", "Léa Morel", "Bénéficiaire", "2", "", ""],
        ["4", "Sans Montant", "Eva Blanc", "Bénéficiaire", "2", "", ""],
        ["5", "Studio Nord 🎛", "Paul Roux", "Hébergé", "10", "", ""],
    ]
    header = table.rows[0]._tr
    assert header.find(".//{*}tblHeader") is not None  # repeated on every page
    text = text_of(written.path)
    for expected in (
        "Feuille d’émargement",
        f"Assemblée générale ordinaire du 12{NBSP}juin 2025 · 12 rue Émile Blémont, 75018 Paris",
        f"Membres à jour de leur cotisation au 12{NBSP}juin 2025{NBSP}: 5, totalisant 17 voix.",
        "Total des voix des membres à jour | 17",
        f"Quorum{NBSP}: 50{NBSP}% des voix des membres à jour | 9 voix",
        "Voix des membres présents ou représentés | ",
        "Quorum atteint | ☐ oui     ☐ non",
    ):
        assert expected in text, expected
    assert attendance(book, tmp_path, title="Assemblée générale ordinaire").written == []
