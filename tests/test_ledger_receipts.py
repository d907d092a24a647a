"""Receipts of the ``Paiements`` ledger: numbered once in the sheet, e-mailed once, at most once.

Messages go to a real SMTP server (aiosmtpd on 127.0.0.1, see ``test_mail.SmtpServer``).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path
from typing import Any

import pytest
from conftest import FEE_HISTORY, XlsxBook
from test_mail import SmtpServer, smtp_settings
from test_receipts_attendance import text_of
from test_renewals import Crash, CrashingWorkbook

from automations import schema
from automations.clock import FixedClock
from automations.config import Settings
from automations.documents.settings import AssociationSettings, DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_receipts
from automations.mail import PreviewSender, SmtpSender
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2025, 3, 4)
NOW = dt.datetime(2025, 3, 4, 10, 0)
NBSP = "\u00a0"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PAYMENTS_HEADER: list[object] = [
    "ID",
    "Date",
    "Membre",
    "Payeur",
    "Montant",
    "Moyen",
    "Objet",
    "Référence",
    "Source",
]


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            [
                "ID",
                "Structure",
                "Contact",
                "Email",
                "Catégorie",
                "Forfait",
                "Option Crescendo",
                "Adhésion le",
            ],
            [
                "M0001",
                "Onde Claire & Fils",
                "Léa Morel",
                "lea@onde.fr",
                "bénéficiaire",
                "PREMIUM",
                "oui",
                "10/01/2023",
            ],
            ["M0002", "Studio Nord", "Paul Roux", "paul@nord.fr", "hébergé", None, None, "01/09/2022"],
            ["M0003", "Sans Adresse", "Ana Lima", None, "bénéficiaire", "BASIC", None, "01/01/2020"],
        ],
        "Locaux": [
            ["ID", "Nom", "Site", "Surface m²", "Loyer mensuel HT"],
            ["L01", "Bureau 1", "Pépinière", 16, 400],
        ],
        "Occupations": [
            ["ID", "Membre", "Local", "Début", "Fin"],
            ["C001", "M0002", "L01", "01/09/2022", None],
        ],
        "Tarifs": FEE_HISTORY,
        "Conseil": [
            ["Nom", "Civilité", "Fonction", "Entrée", "Sortie"],
            ["Nadia Giraud", "Mme", "Trésorière", "08/06/2021", None],
        ],
        "Paiements": [
            PAYMENTS_HEADER,
            [
                "P00001",
                "15/11/2024",
                "M0001",
                "Onde Claire",
                216,
                "virement",
                "cotisation",
                "VIR-1",
                "saisie",
            ],
            ["P00002", "10/02/2025", "M0002", "Studio Nord", 480, "chèque", "loyer", "CHQ-7", "saisie"],
            ["P00003", "20/02/2025", "M0003", "Ana Lima", 120, "espèces", "cotisation", None, "saisie"],
            [
                "P00004",
                "01/03/2025",
                "M0002",
                "Studio Nord",
                192,
                "HelloAsso",
                "cotisation",
                "HA-42",
                "import HelloAsso du 02/03/2025",
            ],
            ["P00005", "02/03/2025", None, "Inconnu", 50, "virement", "cotisation", "VIR-9", "saisie"],
        ],
        "Relances": [[c.name for c in schema.RELANCES.columns]],
        "Journal": [[c.name for c in schema.JOURNAL.columns]],
    }


def receipts(
    book: XlsxBook,
    tmp_path: Path,
    *,
    wb: Any = None,
    sender: Any = None,
    mail: Any = None,
    today: dt.date = TODAY,
    billing: Any = None,
    **documents: Any,
):
    settings = DocumentsSettings(
        templates=TEMPLATES,
        out=tmp_path / "out",
        soffice=str(tmp_path / "pas-de-soffice"),
        **{"receipts_send_days": 365, **documents},
    )
    sections = Settings(
        association=AssociationSettings(),
        documents=settings,
        membership=MembershipPolicy(),
        **({"mail": mail} if mail is not None else {}),
        **({"billing": billing} if billing is not None else {}),
    )
    context = RunContext(
        sections,
        FixedClock(dt.datetime.combine(today, NOW.time())),
        today=today,
        workbook=wb or book.open(),
        sender=sender,
    )
    return run_receipts(context, send=sender is not None)


def rows(book: XlsxBook, tab: str) -> list[dict[str, Any]]:
    grid = book.grid(tab)
    return [
        {name: (line[i] if i < len(line) else None) for i, name in enumerate(grid[0])} for line in grid[1:]
    ]


def column(book: XlsxBook, name: str) -> list[object]:
    return [row.get(name) for row in rows(book, "Paiements")]


def smtp(book: XlsxBook, tmp_path: Path, server: SmtpServer, **kw: Any):
    mail = smtp_settings(server)
    return receipts(book, tmp_path, sender=SmtpSender(mail), mail=mail, **kw)


def test_numbered_once_in_the_sheet_and_sent_once(tmp_path: Path, smtp_server: SmtpServer) -> None:
    """Two runs: each cotisation gets one number in « Reçu n° », one e-mail with the receipt
    attached, one « Reçu envoyé le »; the second run sends and numbers nothing."""
    book = XlsxBook(tmp_path, workbook())
    first = smtp(book, tmp_path, smtp_server)
    assert column(book, "Reçu n°") == ["2024-001", None, "2025-001", "2025-002", None]
    assert [w.path.name for w in first.written] == [
        "Recu_2024-001_Onde-Claire-Fils.docx",
        "Recu_2025-001_Sans-Adresse.docx",
        "Recu_2025-002_Studio-Nord.docx",
    ]
    sending = first.sending
    assert sending.sent == 2 and [m.number for m in sending.messages] == ["2024-001", "2025-002"]
    assert sending.not_sent == [
        "Reçu 2025-001 (M0003 (Sans Adresse)) : aucune adresse e-mail : complétez la "
        "case « Email » dans l'onglet Membres."
    ]
    assert any("P00005" in s and "aucun membre" in s for s in first.skipped)
    assert [r[1] for r in smtp_server.messages] == [["lea@onde.fr"], ["paul@nord.fr"]]
    sent_on = column(book, "Reçu envoyé le")
    assert [isinstance(v, dt.date) for v in sent_on] == [True, False, False, True, False]
    assert [(r["Relance"], r["Statut"]) for r in rows(book, "Relances")] == [
        ("reçu 2024-001", "en cours"),
        ("reçu 2024-001", "envoyée"),
        ("reçu 2025-002", "en cours"),
        ("reçu 2025-002", "envoyée"),
    ]

    message = email.message_from_bytes(smtp_server.messages[0][2], policy=email.policy.default)
    assert message["Subject"] == "Votre reçu n° 2024-001 — MILA"
    attached = [p for p in message.iter_attachments()]
    assert [p.get_filename() for p in attached] == ["Recu_2024-001_Onde-Claire-Fils.docx"]
    plain = message.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    assert f"216{NBSP}€ du 15{NBSP}novembre 2024 par virement" in body

    second = smtp(book, tmp_path, smtp_server, today=TODAY + dt.timedelta(days=1))
    assert len(smtp_server.messages) == 2 and second.sending.messages == [] and not second.written
    assert column(book, "Reçu n°") == ["2024-001", None, "2025-001", "2025-002", None]
    assert len(rows(book, "Relances")) == 4


def test_the_receipt_shows_the_method_and_the_payment_date(tmp_path: Path) -> None:
    """The receipt says how and when it was paid (« Moyen », « paiement reçu le »), and is
    dated the day it is produced."""
    book = XlsxBook(tmp_path, workbook())
    receipts(book, tmp_path)
    text = text_of(tmp_path / "out" / "Recu_2025-002_Studio-Nord.docx")
    assert f"par HelloAsso, la somme de 192{NBSP}€ toutes taxes comprises" in text
    assert f"(paiement reçu le 1er{NBSP}mars 2025)" in text
    assert f"Reçu de cotisation\nPériode du 1er{NBSP}mars 2025 au 28{NBSP}février 2026" in text
    assert f"Émis le 4{NBSP}mars 2025" in text


def test_rent_gets_a_receipt_when_the_configuration_asks(tmp_path: Path) -> None:
    """``receipts_for`` adds the rent: a « Reçu de loyer » with its own wording; by default none."""
    book = XlsxBook(tmp_path, workbook())
    receipts(book, tmp_path)
    assert column(book, "Reçu n°")[1] is None
    receipts(book, tmp_path, receipts_for=["cotisation", "loyer"])
    assert column(book, "Reçu n°") == ["2024-001", "2025-003", "2025-001", "2025-002", None]
    text = text_of(tmp_path / "out" / "Recu_2025-003_Studio-Nord.docx")
    assert "Reçu de loyer" in text and "cotisation" not in text
    assert f"par chèque, la somme de 480{NBSP}€ toutes taxes comprises au titre de son loyer" in text
    assert f"Total | 400{NBSP}€ | 80{NBSP}€ | 480{NBSP}€" in text


def test_without_server_previews_and_nothing_recorded_as_sent(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """No server: the messages are written as previews, Relances and « Reçu envoyé le » stay
    empty; the next run with a server sends them all."""
    book = XlsxBook(tmp_path, workbook())
    mail = smtp_settings(smtp_server)
    result = receipts(book, tmp_path, sender=PreviewSender(tmp_path / "apercus"), mail=mail)
    assert result.sending.preview and len(result.sending.messages) == 2
    assert sorted(p.name for p in (tmp_path / "apercus").iterdir()) == [
        "2025-03-04-M0001-recu-2024-001.eml",
        "2025-03-04-M0002-recu-2025-002.eml",
    ]
    assert rows(book, "Relances") == [] and column(book, "Reçu envoyé le") == [None] * 5
    assert [(r["Tâche"], r["Résultat"]) for r in rows(book, "Journal")] == [
        ("envoi des reçus", "aperçu"),
        ("documents : reçus", "succès"),
    ]
    assert smtp_server.messages == []

    later = smtp(book, tmp_path, smtp_server)
    assert later.sending.sent == 2 and len(smtp_server.messages) == 2


def test_a_crash_between_sending_and_recording_is_to_check_never_resent(
    tmp_path: Path, smtp_server: SmtpServer
) -> None:
    """The 1st receipt sent, then the process dies writing its outcome (with the 2nd's claim):
    the next run marks the 1st « à vérifier », never resends it, and sends the 2nd."""
    book = XlsxBook(tmp_path, workbook())
    with pytest.raises(Crash):
        smtp(book, tmp_path, smtp_server, wb=CrashingWorkbook(book.open(), crash_at=2))
    assert len(smtp_server.messages) == 1
    assert [r["Statut"] for r in rows(book, "Relances")] == ["en cours"]

    after = smtp(book, tmp_path, smtp_server, today=TODAY + dt.timedelta(days=1))
    assert len(smtp_server.messages) == 2 and [m.number for m in after.sending.messages] == ["2025-002"]
    assert [c.detail("number") for c in after.sending.to_check] == ["2024-001"]
    assert [r["Statut"] for r in rows(book, "Relances")][1:] == ["à vérifier", "en cours", "envoyée"]
    assert column(book, "Reçu envoyé le")[0] is None
    [line] = [r for r in rows(book, "Journal") if r["Tâche"] == "envoi des reçus"]
    assert "1 reçu(s) envoyé(s)" in line["Détails"] and "à vérifier : 2024-001" in line["Détails"]


def test_old_payments_are_listed_not_sent(tmp_path: Path, smtp_server: SmtpServer) -> None:
    """A payment older than ``receipts_send_days`` gets its receipt, not an e-mail."""
    book = XlsxBook(tmp_path, workbook())
    result = smtp(book, tmp_path, smtp_server, receipts_send_days=30)
    assert result.sending.too_old == ["2024-001"] and result.sending.sent == 1
    assert [r[1] for r in smtp_server.messages] == [["paul@nord.fr"]]


def test_a_payment_taken_over_from_membres_keeps_its_number(tmp_path: Path) -> None:
    """The number the manifest gave a payment of « Membres » follows it into the ledger."""
    tabs = workbook()
    tabs["Membres"][0] += ["Cotisation payée le", "Montant payé"]
    tabs["Membres"][1] += ["15/11/2024", 216]
    tabs["Membres"][2] += ["01/03/2025", 192]
    legacy = {k: v for k, v in tabs.items() if k not in ("Paiements",)}
    (tmp_path / "avant").mkdir()
    run = receipts(XlsxBook(tmp_path / "avant", legacy), tmp_path)
    assert [w.path.name for w in run.written] == [
        "Recu_2024-001_Onde-Claire-Fils.docx",
        "Recu_2025-001_Studio-Nord.docx",
    ]
    book = XlsxBook(tmp_path, tabs)
    receipts(book, tmp_path)
    assert column(book, "Reçu n°") == ["2024-001", None, "2025-002", "2025-001", None]
