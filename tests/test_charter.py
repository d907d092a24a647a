"""The values charter for each member who has not signed it, and the signature register."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from conftest import XlsxBook
from docx import Document
from lxml import etree

from automations.clock import FixedClock
from automations.config import Settings
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_charters

TODAY = dt.date(2025, 3, 4)
NOW = dt.datetime(2025, 3, 4, 10, 0)
NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
HEADER: list[object] = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Adhésion le",
    "Charte signée le",
    "Sortie le",
    "Cotisation payée le",
]
CATEGORIES = ("bénéficiaire", "hébergé", "membre de droit")


def members(count: int) -> list[list[object]]:
    """``count`` members; every 4th has signed, every 10th has left, every 6th never paid."""
    rows: list[list[object]] = [HEADER]
    for n in range(1, count + 1):
        signed = dt.date(2023, 1, 1) + dt.timedelta(days=n) if n % 4 == 0 else None
        left = dt.date(2024, 12, 31) if n % 10 == 0 else None
        rows.append(
            [
                f"M{n:04d}",
                f"Structure {n:03d} & Cie <{n}>",
                f"Contact {n}",
                f"c{n}@x.fr",
                CATEGORIES[n % 3],
                "BASIC",
                dt.date(2022, 1, 1),
                signed,
                left,
                None if n % 6 == 0 else dt.date(2025, 1, 1),
            ]
        )
    return rows


def book_with(tmp_path: Path, rows: list[list[object]]) -> XlsxBook:
    return XlsxBook(
        tmp_path,
        {
            "Membres": rows,
            "Conseil": [
                ["Nom", "Civilité", "Fonction", "Entrée"],
                ["Juliette Texier", "Mme", "Présidente", "02/07/2023"],
            ],
        },
    )


def run(book: XlsxBook, tmp_path: Path, **kw):
    settings = Settings(
        association=AssociationSettings(),
        documents=DocumentsSettings(templates=TEMPLATES, out=tmp_path / "out"),
    )
    return run_charters(RunContext(settings, FixedClock(NOW), today=TODAY, workbook=book.open()), **kw)


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
    return "\n".join(parts)


def test_a_charter_for_each_active_member_who_has_not_signed(tmp_path: Path) -> None:
    book = book_with(tmp_path, members(12))
    result = run(book, tmp_path)
    # 12 members: 4, 8, 12 signed; 10 left -> 1 2 3 5 6 7 9 11
    charters = sorted(w.path.name for w in result.written if w.key.startswith("charte:"))
    assert charters == [f"Charte_M{n:04d}_Structure-{n:03d}-Cie-{n}.docx" for n in (1, 2, 3, 5, 6, 7, 9, 11)]
    text = text_of(tmp_path / "out" / charters[0])
    for expected in (
        "Charte des valeurs communes",
        "1. Écologie",
        "2. Partage",
        "3. Inclusion",
        "Je soussigné·e Contact 1, représentant·e de Structure 001 & Cie <1> (membre n°" + NBSP + "M0001)",
        "Annexe 2024 – Ressources",
        "A. Glossaire",
        "B. Liens utiles",
        "C. Textes de loi",
        "D. Exemples de situations inappropriées",
        "Code du travail, art. L.\u00a01142-2-1",
        "Fait à ……………………………………",
    ):
        assert expected in text, expected
    assert "Charte signée le" not in text  # not yet signed: no reprint note

    register = tmp_path / "out" / "Registre_signatures_charte.docx"
    assert register in [w.path for w in result.written]
    doc = Document(str(register))
    [table] = doc.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["N°", "Structure", "Représentant·e", "Catégorie", "Signée le"]
    assert len(rows) == 1 + 9  # members up to date only: not M0010 (left), M0006 and M0012 (never paid)
    assert "Structure 006 & Cie <6>" not in {r[1] for r in rows}
    assert rows[1] == ["1", "Structure 001 & Cie <1>", "Contact 1", "Hébergé", "à signer"]
    assert rows[4] == ["4", "Structure 004 & Cie <4>", "Contact 4", "Hébergé", f"5{NBSP}janvier 2023"]
    assert f"Membres actifs{NBSP}: 9 · chartes signées{NBSP}: 2 · à signer{NBSP}: 7" in text_of(register)

    again = run(book, tmp_path)
    assert again.written == [] and len(again.unchanged) == 9
    book.edit("Membres", {(2, 8): dt.date(2025, 3, 1)})  # M0001 signs
    third = run(book, tmp_path)
    assert [w.path.name for w in third.written] == ["Registre_signatures_charte.docx"]
    assert f"1er{NBSP}mars 2025" in text_of(register)


def test_all_members_and_one_member(tmp_path: Path) -> None:
    book = book_with(tmp_path, members(12))
    everyone = run(book, tmp_path, all_members=True, register=False)
    assert len(everyone.written) == 11
    signed = tmp_path / "out" / "Charte_M0004_Structure-004-Cie-4.docx"
    assert f"Charte signée le 5{NBSP}janvier 2023" in text_of(signed)
    one = run(book, tmp_path, member="M0008")
    assert one.written == [] and [p.name for p in one.unchanged] == ["Charte_M0008_Structure-008-Cie-8.docx"]
    gone = run(book, tmp_path, member="M0010")
    assert gone.written == [] and "sorti" in gone.skipped[0]


@pytest.mark.slow
def test_120_charters_at_once(tmp_path: Path) -> None:
    """120 charters and the register come out at once, each a valid Word file with its own name."""
    rows = [HEADER] + [
        [
            f"M{n:04d}",
            f"Label {n} « Ça & Là » 🎵",
            f"Prénom{n} Nom",
            f"p{n}@x.fr",
            "bénéficiaire",
            "BASIC",
            dt.date(2024, 5, 1),
            None,
            None,
            dt.date(2025, 1, 1),
        ]
        for n in range(1, 121)
    ]
    book = book_with(tmp_path, rows)
    result = run(book, tmp_path)
    assert len(result.written) == 121  # 120 charters + the register
    assert len({w.path for w in result.written}) == 121
    for written in result.written:
        with zipfile.ZipFile(written.path) as archive:
            etree.fromstring(archive.read("word/document.xml"))
        Document(written.path)
    sample = text_of(tmp_path / "out" / "Charte_M0120_Label-120-Ca-La.docx")
    assert "Label 120 « Ça & Là » 🎵" in sample and "Prénom120 Nom" in sample
