"""`mila factures` on a small workbook built here: what is due is invoiced once, numbers are
continuous, a credit note cancels an invoice, and every Factur-X XML is schema-valid with the
totals of the ``Factures`` tab."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from facturx import xml_check_xsd
from lxml import etree

from automations import schema
from automations.clock import FixedClock
from automations.config import Settings, build_settings
from automations.errors import BillingError
from automations.jobs import registry
from automations.jobs.context import RunContext
from automations.workbook import Workbook
from tests.support.converters import BlankPdf, NoLibreOffice
from tests.support.memory_backend import MemoryBackend

TODAY = dt.date(2026, 3, 2)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
MEMBERS = [c.name for c in schema.MEMBRES.columns]


def member(
    mid: str, name: str, category: str, joined: str, paid: str | None, amount: float | None, **kw: Any
) -> list[Any]:
    values = {
        "ID": mid,
        "Structure": name,
        "Contact": "Ana Roy",
        "Email": f"{mid.lower()}@exemple.fr",
        "SIRET": "73282932000074",
        "Catégorie": category,
        "Forfait": kw.get("forfait"),
        "Adhésion le": joined,
        "Cotisation payée le": paid,
        "Montant payé": amount,
        "Adresse": "8 rue Myrha, 75018 Paris",
    }
    return [values.get(name_) for name_ in MEMBERS]


def grids() -> dict[str, list[list[Any]]]:
    return {
        "Membres": [
            MEMBERS,
            member("M0001", "Le Fair", "hébergé", "2024-01-05", "2025-03-20", 240),  # à renouveler
            member(
                "M0002", "Pixel & Refrain", "bénéficiaire", "2025-02-10", "2026-02-20", 144, forfait="BASIC"
            ),
            member("M0003", "Studio Nord", "bénéficiaire", "2024-06-01", "2025-06-01", 144, forfait="BASIC"),
        ],
        "Locaux": [
            [c.name for c in schema.LOCAUX.columns],
            ["L01", "Bureau 3", "Pépinière", None, 20, 1, 500, None, None, "non"],
            ["L02", "Salle de réunion", "Milab", None, None, 1, None, 80, None, "oui"],
        ],
        "Occupations": [
            [c.name for c in schema.OCCUPATIONS.columns],
            ["C001", "M0001", "L01", "2024-01-05", None],
            ["C002", "M0003", "L01", "2026-03-17", None, 310],  # arrives mid-month: prorated
        ],
        "Réservations": [
            [c.name for c in schema.RESERVATIONS.columns],
            ["R0001", "L02", "M0003", None, "2026-02-10", "2026-02-10", "jour", "confirmée"],
            ["R0002", "L02", "M0003", None, "2026-02-12", "2026-02-12", "jour", "confirmée"],
            ["R0003", "L02", "M0002", None, "2026-02-13", "2026-02-13", "gracieux", "confirmée"],
            ["R0004", "L02", "M0002", None, "2026-02-16", "2026-02-16", "jour", "demandée"],
        ],
        "Tarifs": [
            ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
            ["BASIC", "Forfait BASIC", 120, None, 20, "2024-03-01", None],
            ["PREMIUM", "Forfait PREMIUM", 170, None, 20, "2024-03-01", None],
            ["HEBERGE_M2", "Cotisation hébergé", 10, 700, 20, "2010-01-01", None],
        ],
        "Conseil": [
            [c.name for c in schema.CONSEIL.columns],
            ["Juliette Texier", "Mme", None, "Président·e", None, "2024-07-02", None],
        ],
    }


def settings_for(tmp_path: Path, **billing: Any) -> Settings:
    return build_settings(
        {
            "billing": {
                "enabled": True,
                "siret": "732 829 320 00074",
                "vat_number": "FR40303265045",
                **billing,
            },
            "documents": {"out": str(tmp_path / "out"), "soffice": "pas-de-libreoffice"},
        },
        env={},
        base=tmp_path,
    )


class Run:
    """The workbook in memory and `mila factures` run on it on a given day."""

    def __init__(self, tmp_path: Path, **billing: Any) -> None:
        self.settings = settings_for(tmp_path, **billing)
        self.backend = MemoryBackend(grids())
        self.workbook = Workbook(self.backend)

    def __call__(self, day: dt.date = TODAY, **options: Any) -> Any:
        clock = FixedClock(dt.datetime.combine(day, dt.time(9)))
        ctx = RunContext(self.settings, clock, today=day, workbook=self.workbook)
        return registry.factures(ctx, registry.InvoicesOptions(**options))

    def rows(self) -> list[dict[str, Any]]:
        header, *lines = self.backend.grids["Factures"]
        return [dict(zip(header, line, strict=False)) for line in lines]


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Any, Any, Any]:
    """One workbook: a first run, a second run, then a credit note."""
    run = Run(tmp_path_factory.mktemp("factures"))
    first = run()
    second = run()
    credit = run(credit_of="F2026-0004", reason="loyer facturé par erreur")
    return run, first, second, credit


def by_number(run: Run) -> dict[str, dict[str, Any]]:
    return {row["N°"]: row for row in run.rows()}


class TestIssuing:
    def test_the_due_cotisations_rents_and_bookings_are_invoiced_once(self, issued):
        """The renewal, the fee paid first, each rent of the month and last month's bookings;
        a second run issues nothing."""
        run, first, second, _ = issued
        got = {(i.draft.client.member_id, i.draft.purpose) for i in first.issued}
        assert got == {
            ("M0001", "cotisation"),  # à renouveler
            ("M0002", "cotisation"),  # paid first: acquittée
            ("M0003", "cotisation"),  # paid first too, last June
            ("M0001", "loyer"),
            ("M0003", "loyer"),
            ("M0003", "réservation"),  # two confirmed bookings, on one invoice
        }
        assert second.issued == []

    def test_numbers_follow_one_continuous_sequence(self, issued):
        """F2026-0001 to F2026-0006 in the tab, then the credit note A2026-0001."""
        run, *_ = issued
        assert list(by_number(run)) == [f"F2026-000{n}" for n in range(1, 7)] + ["A2026-0001"]

    def test_amounts_are_those_of_the_rules(self, issued):
        """The prorated rent (15 days of 31), the bookings at the day rate, the fee paid first."""
        run, first, *_ = issued
        rows = {(r["Membre"], r["Objet"]): r for r in run.rows() if r["N°"].startswith("F")}
        assert rows[("M0003", "loyer")]["Montant HT"] == Decimal("150.00")  # 310 × 15 / 31
        assert rows[("M0003", "loyer")]["Période"] == "17/03/2026 – 31/03/2026 · C002"
        assert rows[("M0003", "réservation")]["Montant HT"] == Decimal(160)
        assert rows[("M0001", "loyer")]["Montant TTC"] == Decimal(600)
        paid = rows[("M0002", "cotisation")]
        assert (paid["Statut"], paid["Payée le"], paid["Reste dû"]) == ("payée", dt.date(2026, 2, 20), 0)
        due = rows[("M0001", "cotisation")]
        assert due["Échéance"] == TODAY + dt.timedelta(days=30) and due["Statut"] == "émise"

    def test_no_document_is_dated_before_the_day_it_is_produced(self, issued):
        """Every row is dated the day of its run, the acquittée invoice too."""
        run, *_ = issued
        assert {row["Date"] for row in run.rows()} == {TODAY}


class TestCreditNote:
    def test_a_credit_note_cancels_the_invoice(self, issued):
        """A2026-0001 holds the negative amounts and names F2026-0004, now « annulée par avoir »."""
        run, _, _, credit = issued
        rows = by_number(run)
        note, cancelled = rows["A2026-0001"], rows["F2026-0004"]
        assert note["Avoir de"] == "F2026-0004"
        assert note["Montant TTC"] == -cancelled["Montant TTC"]
        assert cancelled["Statut"] == "annulée par avoir" and cancelled["Reste dû"] == 0
        assert [i.number for i in credit.issued] == ["A2026-0001"]

    def test_a_second_credit_note_for_the_same_invoice_is_refused(self, issued):
        """The invoice is already cancelled: a French error, nothing issued."""
        run, *_ = issued
        with pytest.raises(BillingError, match="déjà annulée"):
            run(credit_of="F2026-0004", reason="encore")
        assert "A2026-0002" not in by_number(run)


class TestFacturX:
    def test_every_xml_is_schema_valid_and_carries_the_totals_of_the_tab(self, issued):
        """Each document's CII XML passes the schema the library ships; its totals are the row's."""
        run, *_ = issued
        folder = run.settings.documents.out / "factures" / "2026"
        for number, row in by_number(run).items():
            xml = (folder / f"{number}.xml").read_bytes()
            assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
            assert (folder / f"{number}.docx").is_file()
            tree = etree.fromstring(xml)
            sums = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
            ht = Decimal(tree.xpath(sums + "TaxBasisTotalAmount", namespaces=NS)[0].text)
            ttc = Decimal(tree.xpath(sums + "GrandTotalAmount", namespaces=NS)[0].text)
            assert (ht, ttc) == (abs(row["Montant HT"]), abs(row["Montant TTC"])), number
            kind = tree.xpath("//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS)[0].text
            assert kind == ("381" if number.startswith("A") else "380")
            assert tree.xpath("//rsm:ExchangedDocument/ram:ID", namespaces=NS)[0].text == number


class TestNotVatRegistered:
    def test_no_vat_line_and_the_exemption_mention(self, tmp_path):
        """Without VAT registration: TVA 0 in the tab, the mention in the document and the XML."""
        run = Run(tmp_path, vat_registered=False, vat_number="")
        result = run()
        assert result.issued and all(row["TVA"] == 0 for row in run.rows())
        assert all(row["Montant TTC"] == row["Montant HT"] for row in run.rows())
        folder = run.settings.documents.out / "factures" / "2026"
        xml = (folder / "F2026-0001.xml").read_bytes()
        assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
        assert b"TVA non applicable, article 293 B du CGI" in xml
        from docx import Document

        text = "\n".join(p.text for p in Document(str(folder / "F2026-0001.docx")).paragraphs)
        assert "TVA non applicable, article 293 B du CGI" in text
        assert "TVA à" not in text and "toutes taxes" not in text


def test_billing_off_is_a_french_error(tmp_path):
    """Without [billing] enabled, nothing is issued and the message says what to write."""
    run = Run(tmp_path, enabled=False)
    with pytest.raises(BillingError, match=r"enabled = true"):
        run()
    assert "Factures" not in run.backend.grids


def test_a_simulation_writes_nothing(tmp_path):
    """--simulation lists the invoices and leaves the workbook as it was."""
    run = Run(tmp_path)
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))
    ctx = RunContext(run.settings, clock, today=TODAY, workbook=run.workbook, dry_run=True)
    result = registry.factures(ctx, registry.InvoicesOptions())
    assert len(result.issued) == 6 and "Factures" not in run.backend.grids


@pytest.mark.slow
def test_with_pdf_each_invoice_is_a_pdf_a3_carrying_its_xml_uploaded_to_drive(tmp_path):
    """One LibreOffice batch: each PDF embeds the very XML written beside it, as Factur-X; each
    goes to the Drive folder Factures/2026 and its link to « Fichier »."""
    from facturx import get_xml_from_pdf

    from automations.delivery.drive import MemoryDrive

    run = Run(tmp_path)
    settings = build_settings(
        {
            "billing": {"enabled": True, "siret": "73282932000074", "vat_number": "FR40303265045"},
            "documents": {"out": str(tmp_path / "out"), "drive_folder": "dossier-partage"},
        },
        env={},
        base=tmp_path,
    )
    drive = MemoryDrive()
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))
    ctx = RunContext(settings, clock, today=TODAY, workbook=run.workbook, drive=drive)
    result = registry.factures(ctx, registry.InvoicesOptions(pdf=True))
    folder = settings.documents.out / "factures" / "2026"
    assert sorted(result.pdfs) == sorted(i.number for i in result.issued) and result.warnings == []
    for issued in result.issued:
        pdf = (folder / f"{issued.number}.pdf").read_bytes()
        name, xml = get_xml_from_pdf(pdf, check_xsd=True)
        assert name == "factur-x.xml" and xml == (folder / f"{issued.number}.xml").read_bytes()
        assert b"<pdfaid:part>3</pdfaid:part>" in pdf and b"<fx:ConformanceLevel>EN 16931" in pdf
    names = {f.id: f.name for f in drive.files.values()}
    uploaded = {f.name: f for f in drive.files.values() if f.name.endswith(".pdf")}
    assert sorted(uploaded) == sorted(f"{i.number}.pdf" for i in result.issued)
    assert {names[f.parents[0]] for f in uploaded.values()} == {"2026"}
    assert {row["N°"]: row["Fichier"] for row in run.rows()} == {
        number[:-4]: f.link for number, f in uploaded.items()
    }


def test_the_renewal_reminder_names_the_invoice_as_payment_reference(issued, tmp_path):
    """M0001's renewal J-30 (simulated) quotes F2026-0001 as the reference to give with the payment."""
    import email

    run, *_ = issued
    settings = build_settings(
        {"mail": {"from": "adhesions@mila.fr", "preview": str(tmp_path)}, "renewals": {"iban": "FR76 3000"}},
        env={},
        base=tmp_path,
    )
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))
    ctx = RunContext(settings, clock, today=TODAY, workbook=run.workbook, dry_run=True)
    result = registry.renewals(ctx)
    message = next(m for m in result.messages if m.member_id == "M0001")
    assert message.outgoing is not None
    parsed = email.message_from_bytes(message.outgoing.data, policy=email.policy.default)
    body = parsed.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Facture n° F2026-0001" in text and "la référence « F2026-0001 »" in text


def test_unpaid_invoices_are_reminded_once_after_their_due_date(tmp_path):
    """At J+16 the unpaid invoices get their J+15 reminder through the renewals' outbox (the
    paid and the cancelled ones none); one already recorded « envoyée » is not planned again."""
    run = Run(tmp_path)
    run.backend.grids["Relances"] = [
        [c.name for c in schema.RELANCES.columns],
        ["M0003", dt.date(2026, 4, 1), "facture F2026-0006 J+15", "envoyée", dt.datetime(2026, 4, 16, 9)],
    ]
    run()
    run(credit_of="F2026-0004", reason="erreur")
    later = dt.date(2026, 4, 17)  # F2026-0001, -0005, -0006 were due on 1 April
    settings = build_settings(
        {"mail": {"from": "adhesions@mila.fr", "preview": str(tmp_path)}, "billing": {"enabled": True}},
        env={},
        base=tmp_path,
    )
    clock = FixedClock(dt.datetime.combine(later, dt.time(9)))
    ctx = RunContext(settings, clock, today=later, workbook=run.workbook, dry_run=True)
    result = registry.renewals(ctx)
    labels = {m.reminder for m in result.messages if m.reminder.startswith("facture")}
    assert labels == {"facture F2026-0001 J+15", "facture F2026-0005 J+15"}
    message = next(m for m in result.messages if m.reminder == "facture F2026-0005 J+15")
    assert message.member_id == "M0003" and message.amount_ttc == Decimal(180)


def test_the_summary_lists_each_member_balance_of_overdue_invoices(tmp_path):
    """After the due date, the daily summary names each member who owes, with the invoices
    and its balance (invoiced − paid); the paid and cancelled invoices count for nothing."""
    from automations.jobs.digest_items import balance_items

    run = Run(tmp_path)
    run()
    run(credit_of="F2026-0004", reason="erreur")
    items = balance_items(run.workbook.read(), dt.date(2026, 4, 2))
    assert [(i.ref, i.text) for i in items] == [
        (
            "M0001",
            "Le Fair (SIREN 732829320) doit 240 € TTC échus (F2026-0001, échue depuis le "
            "01/04/2026) ; solde total 240 € TTC",
        ),
        (
            "M0003",
            "Studio Nord (SIREN 732829320) doit 372 € TTC échus (F2026-0005, F2026-0006, échue "
            "depuis le 01/04/2026) ; solde total 372 € TTC",
        ),
    ]
    assert balance_items(run.workbook.read(), TODAY) == []  # nothing overdue yet


def test_the_command_issues_once_then_nothing_and_explains_a_bad_credit_note(tmp_path, capsys):
    """`mila factures` on an .xlsx: 0 with the list in French, then « 0 facture(s) » ; a credit
    note for an unknown number ends with code 2 and what to type."""
    import io

    from openpyxl import Workbook as Book

    from automations.cli import main

    book = Book()
    book.remove(book.worksheets[0])
    for title, grid in grids().items():
        sheet = book.create_sheet(title)
        for line in grid:
            sheet.append(line)
    path = tmp_path / "classeur.xlsx"
    book.save(path)
    config = tmp_path / "mila.toml"
    config.write_text(
        '[billing]\nenabled = true\nsiret = "73282932000074"\nvat_number = "FR40303265045"\n'
        f'[documents]\nout = "{tmp_path / "out"}"\nsoffice = "pas-de-libreoffice"\n',
        encoding="utf-8",
    )

    def mila(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        code = main(
            ["factures", *argv, "--classeur", str(path), "--config", str(config), "--date", "2026-03-02"],
            out=out,
        )
        return code, out.getvalue()

    code, text = mila()
    assert code == 0 and "6 facture(s) émise(s) pour 1 500 € TTC." in text.replace("\u202f", " ")
    assert "F2026-0002 M0002 Pixel & Refrain : cotisation" in text and "acquittée le 20/02/2026" in text
    code, text = mila()
    assert code == 0 and "0 facture(s) émise(s)." in text
    code, _ = mila("avoir", "F2026-0042", "--motif", "erreur")
    error = capsys.readouterr().err
    assert code == 2 and "« F2026-0042 » introuvable dans l'onglet Factures" in error


def test_a_run_cut_short_is_finished_by_the_next_without_a_new_number(tmp_path):
    """Numbers are recorded before any file: without LibreOffice the run still issues its six
    invoices and says so; a lost Word file and XML are written again, and the next run with
    LibreOffice makes the missing PDFs, issuing nothing."""
    from facturx import get_xml_from_pdf

    run = Run(tmp_path)
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))

    def factures(converter: Any) -> Any:
        ctx = RunContext(run.settings, clock, today=TODAY, workbook=run.workbook, converter=converter)
        return registry.factures(ctx, registry.InvoicesOptions(pdf=True))

    first = factures(NoLibreOffice())
    assert len(first.issued) == 6 and first.pdfs == []
    assert any("LibreOffice" in w and "relancez" in w for w in first.warnings)
    folder = run.settings.documents.out / "factures" / "2026"
    (folder / "F2026-0003.docx").unlink()
    (folder / "F2026-0003.xml").unlink()  # as if the run had stopped before writing them
    second = factures(BlankPdf())
    assert second.issued == [] and second.warnings == []
    assert second.documents == ["F2026-0003"] and sorted(second.pdfs) == [
        f"F2026-000{n}" for n in range(1, 7)
    ]
    name, xml = get_xml_from_pdf((folder / "F2026-0003.pdf").read_bytes(), check_xsd=True)
    assert xml == (folder / "F2026-0003.xml").read_bytes()
    assert [row["N°"] for row in run.rows()] == [f"F2026-000{n}" for n in range(1, 7)]


def test_an_invoice_named_by_a_credit_note_stands_no_more_even_if_its_status_was_not_written():
    """A run stopped between the credit note and the « annulée par avoir »: the invoice is
    neither reminded, nor in the balance, nor covering its period."""
    from automations.model.invoices import Invoice
    from automations.rules.invoices import Coverage, standing
    from automations.rules.receivables import balances

    day = dt.date(2026, 3, 2)
    invoice = Invoice(
        row=2,
        number="F2026-0001",
        date=day,
        member_id="M0001",
        purpose="loyer",
        period="01/03/2026 – 31/03/2026 · C001",
        amount_ttc=Decimal(600),
        due_date=day,
        status="émise",
    )
    credit = Invoice(row=3, number="A2026-0001", date=day, member_id="M0001", credit_of="F2026-0001")
    assert standing([invoice]) == [invoice] and standing([invoice, credit]) == []
    assert not Coverage([invoice, credit]).covers("M0001", "loyer", day, day, "C001")
    assert balances([invoice, credit], dt.date(2026, 5, 1)) == []
