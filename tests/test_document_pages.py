"""What the receiver of a document reads, checked in the generated Word text: the invoice as
a member company's accountant reads it (grouped SIREN and SIRET, an IBAN and a payment
reference that never break, the articles of the code de commerce as they are written, no
raw ``Période`` cell), and a first convention for an occupation begun last month."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from test_convention_in_place import NOW, TODAY, XlsxBook, settings, text_of, workbook
from test_invoices import Run

from automations.clock import FixedClock
from automations.config import build_settings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_conventions

NBSP = "\u00a0"


def invoice_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs).replace("\u202f", NBSP)


def billed(tmp_path: Path) -> tuple[Run, Path]:
    """`mila factures` on the small workbook of test_invoices, with the association's IBAN."""
    run = Run(tmp_path)
    run.settings = build_settings(
        {
            "association": {"iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "AGRIFRPP"},
            "billing": {"enabled": True, "siret": "732 829 320 00074", "vat_number": "FR40303265045"},
            "documents": {"out": str(tmp_path / "out"), "soffice": "pas-de-libreoffice"},
        },
        env={},
        base=tmp_path,
    )
    assert run().issued
    return run, run.settings.documents.out / "factures" / "2026"


def rent_number(run: Run) -> str:
    rows: list[dict[str, Any]] = run.rows()
    return next(r["N°"] for r in rows if r["Objet"] == "loyer" and r["Membre"] == "M0001")


def test_an_invoice_reads_as_an_accountant_expects(tmp_path: Path) -> None:
    run, folder = billed(tmp_path)
    number = rent_number(run)
    text = invoice_text(folder / f"{number}.docx")
    for expected in (
        f"SIREN 732{NBSP}829{NBSP}320 · SIRET 732{NBSP}829{NBSP}320{NBSP}00074",  # the seller
        f"\nSIREN 732{NBSP}829{NBSP}320\n",  # the client
        f"IBAN FR76{NBSP}3000{NBSP}6000{NBSP}0112{NBSP}3456{NBSP}7890{NBSP}189 (BIC AGRIFRPP).",
        f"Référence à rappeler avec le paiement{NBSP}: {number}.",
        f"(articles L.{NBSP}441-10 et D.{NBSP}441-5 du code de commerce)",
        # A no-break space before every colon, the template's and the mentions'.
        f"Total hors taxes{NBSP}: 500{NBSP}€\nTVA à 20{NBSP}% sur 500{NBSP}€{NBSP}: 100{NBSP}€",
        f"Pénalités de retard{NBSP}: taux",
        f"Catégorie de l’opération{NBSP}: Prestation de services.",
        # One colon in the line: the designation, then its amount after a dash.
        "Mise à disposition de Bureau 3 (Pépinière) du 01/03/2026 au 31/03/2026 (convention C001) — "
        f"1 × 500{NBSP}€{NBSP}HT ={NBSP}500{NBSP}€{NBSP}HT, TVA 20{NBSP}%.",
    ):
        assert expected in text, expected
    assert "L441-10" not in text and "732829320" not in text and " :" not in text
    # Short facts, ragged right: no justified line stretched with gaps.
    body = Document(str(folder / f"{number}.docx")).styles["Corps"].paragraph_format.alignment
    assert body == WD_ALIGN_PARAGRAPH.LEFT


def test_invoice_lines_name_what_is_billed_once_without_a_raw_identifier_first(tmp_path: Path) -> None:
    """The fee's own label with its period, each booking's room and day with its reference
    after it; never « Cotisation 02/03/2026 – … : Cotisation hébergé » nor « Réservation R0001 : »."""
    run, folder = billed(tmp_path)
    rows: list[dict[str, Any]] = run.rows()
    fee = next(r["N°"] for r in rows if r["Objet"] == "cotisation" and r["Membre"] == "M0001")
    text = invoice_text(folder / f"{fee}.docx")
    assert "Cotisation hébergé" in text and ", du " in text and "Cotisation 0" not in text, text
    bookings = next(r["N°"] for r in rows if r["Objet"] == "réservation")
    text = invoice_text(folder / f"{bookings}.docx")
    assert "Salle de réunion, journée du 10/02/2026 (réservation R0001) — 1 × 80" in text, text
    assert "Réservation R0001" not in text


def test_an_invoice_rebuilt_from_its_row_names_the_period_and_the_convention(tmp_path: Path) -> None:
    """A run cut short leaves a row without its files: the next run writes them, and its line
    reads « Mise à disposition du … au … (convention C001) », not the raw ``Période`` cell."""
    run, folder = billed(tmp_path)
    number = rent_number(run)
    (folder / f"{number}.docx").unlink()
    (folder / f"{number}.xml").unlink()
    run()
    text = invoice_text(folder / f"{number}.docx")
    assert "Mise à disposition du 01/03/2026 au 31/03/2026 (convention C001)" in text, text
    assert "Loyer 01/03/2026" not in text and "· C001" not in text


def test_a_first_convention_for_an_occupation_begun_last_month_takes_the_deposit_at_signing(
    tmp_path: Path,
) -> None:
    """Begun on 1 November, produced on 7 December, no convention yet: it is the first one
    (effective at the start, the premises handed over as new), so the deposit is paid at
    signing, not « versé au début de l'occupation » as for a convention that replaces one."""
    grids = workbook()
    grids["Occupations"] = [
        *grids["Occupations"][:1],
        ["C003", "M0009", "L08", "01/11/2026", None, None, 600, None, None],
    ]
    book = XlsxBook(tmp_path, grids)
    context = RunContext(settings(tmp_path), FixedClock(NOW), today=TODAY, workbook=book.open())
    result = run_conventions(context, member="M0009")
    text = text_of(result.written[0].path)
    assert "à compter du 1er\u00a0novembre 2026" in text
    assert "La présente convention remplace" not in text
    assert f"À la signature, l’Occupant verse un dépôt de garantie de 600{NBSP}€." in text
    assert "a versé" not in text


def test_a_credit_note_line_names_the_invoice_and_what_it_billed_and_says_its_reason_once(
    tmp_path: Path,
) -> None:
    run, folder = billed(tmp_path)
    number = rent_number(run)
    run(credit_of=number, reason="loyer facturé par erreur")
    text = invoice_text(folder / "A2026-0001.docx")
    assert (
        f"Annulation de la facture {number} du 02/03/2026, mise à disposition du 01/03/2026 "
        "au 31/03/2026 (convention C001) — 1 × 500"
    ) in text, text
    assert text.count("loyer facturé par erreur") == 1 and "(loyer, " not in text


def test_without_vat_an_invoice_never_says_hors_taxes(tmp_path: Path) -> None:
    """An association that does not charge VAT bills an amount, not an amount « HT »."""
    run = Run(tmp_path, vat_registered=False, vat_number="")
    assert run().issued
    folder = run.settings.documents.out / "factures" / "2026"
    text = invoice_text(folder / f"{rent_number(run)}.docx")
    assert f"(convention C001) — 1 × 500{NBSP}€ ={NBSP}500{NBSP}€." in text, text
    assert f"Total{NBSP}: 500{NBSP}€\nTVA non applicable, article 293 B du CGI." in text
    assert "HT" not in text and "hors taxes" not in text and "TVA 20" not in text


def test_a_private_person_gets_no_siren_line_and_a_company_without_siret_is_said_so(tmp_path: Path) -> None:
    run = Run(tmp_path)
    header, *rows = run.backend.grids["Membres"]
    siret, form = header.index("SIRET"), header.index("Forme juridique")
    for row in rows:
        if row[0] == "M0001":
            row[siret], row[form] = None, "personne physique"
        if row[0] == "M0003":
            row[siret] = None
    assert run().issued
    folder = run.settings.documents.out / "factures" / "2026"
    invoices: list[dict[str, Any]] = run.rows()
    person = invoice_text(folder / f"{rent_number(run)}.docx")
    client = person[person.index("\nClient\n") : person.index("\nPrestation\n")]
    assert "SIREN" not in client and "Le Fair" in client, client
    company = next(r["N°"] for r in invoices if r["Membre"] == "M0003")
    assert "\nSIREN non communiqué\n" in invoice_text(folder / f"{company}.docx")


def test_the_occupant_signs_with_the_capacity_the_comparution_gives(tmp_path: Path) -> None:
    """Under the representative's name: « Gérante, Bleu Citron » as the Association's side
    shows « Présidente »; the structure alone when the sheet gives no capacity."""
    book = XlsxBook(tmp_path, workbook())
    context = RunContext(settings(tmp_path), FixedClock(NOW), today=TODAY, workbook=book.open())
    texts = {w.path.name[:15]: text_of(w.path) for w in run_conventions(context).written}
    assert "Mme Elsa Laurent\nGérante, Bleu Citron\nPrécédée de la mention" in texts["Convention_C001"]
    assert "M. Marc Petit\nOndes Courtes\nPrécédée de la mention" in texts["Convention_C002"]


def test_an_invoice_paid_first_says_when_it_was_paid_not_a_due_date_of_its_own_day(tmp_path: Path) -> None:
    run, folder = billed(tmp_path)
    paid = next(r["N°"] for r in run.rows() if r["Statut"] == "payée" and r["Membre"] == "M0003")
    heading = invoice_text(folder / f"{paid}.docx").split("\n")[:2]
    assert heading == [
        f"Facture acquittée n°{NBSP}{paid}",
        f"Émise le 2{NBSP}mars 2026 · acquittée le 1er{NBSP}juin 2025",
    ]
    due = invoice_text(folder / f"{rent_number(run)}.docx").split("\n")[1]
    assert due == f"Émise le 2{NBSP}mars 2026 · échéance le 1er{NBSP}avril 2026"


def test_a_credit_note_rebuilt_from_its_row_still_says_what_it_cancels(tmp_path: Path) -> None:
    run, folder = billed(tmp_path)
    number = rent_number(run)
    run(credit_of=number, reason="loyer facturé par erreur")
    (folder / "A2026-0001.docx").unlink()
    (folder / "A2026-0001.xml").unlink()
    run()
    text = invoice_text(folder / "A2026-0001.docx")
    assert (
        f"Annulation de la facture {number}, mise à disposition du 01/03/2026 au 31/03/2026 (convention C001)"
    ) in text, text


def test_the_demo_members_texts_do_not_restate_the_average_the_section_prints_next() -> None:
    """The report prints « En 2025, le MILA compte en moyenne 85 adhérent·es (versus 68 en
    2024) » right under the staff's text: the demo's text tells who came and why instead."""
    from automations.demo.programme import TEXTES

    for text in TEXTES["membres"]:
        assert "membres.moyenne" not in text and "compte en moyenne" not in text, text


def test_a_shop_rent_names_no_convention_the_occupant_never_received(tmp_path: Path) -> None:
    """A shop is let under a commercial lease with the landlord: its rent invoice, rebuilt or
    not, and its credit note cite no « convention C001 »."""
    run = Run(tmp_path)
    header, *premises = run.backend.grids["Locaux"]
    premises[0][header.index("Site")] = "Boutique"
    assert run().issued
    folder = run.settings.documents.out / "factures" / "2026"
    number = rent_number(run)
    assert "Mise à disposition de Bureau 3 (Boutique) du 01/03/2026 au 31/03/2026 — 1 ×" in invoice_text(
        folder / f"{number}.docx"
    )
    (folder / f"{number}.docx").unlink()
    (folder / f"{number}.xml").unlink()
    run(credit_of=number, reason="bail commercial")
    rebuilt, credit = (invoice_text(folder / f"{n}.docx") for n in (number, "A2026-0001"))
    assert "Mise à disposition du 01/03/2026 au 31/03/2026 — 1 ×" in rebuilt, rebuilt
    assert (
        f"Annulation de la facture {number} du 02/03/2026, mise à disposition du 01/03/2026 au 31/03/2026 — "
        in credit
    )
    assert "convention" not in rebuilt + credit
