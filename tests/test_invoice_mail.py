"""Invoices and credit notes e-mailed to the members, once (`mila factures --envoyer`): a real
SMTP server on loopback, the small workbook of ``test_invoices``, a converter writing blank
pages (the Factur-X XML is embedded whatever the page: no LibreOffice here)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from facturx import get_xml_from_pdf
from lxml import etree
from test_invoices import NS, TODAY, Run

from automations.clock import FixedClock
from automations.config import Settings, build_settings
from automations.jobs import registry
from automations.jobs.context import RunContext
from automations.mail import SWITCHED_OFF
from tests.support.converters import BlankPdf, NoLibreOffice

BILLING = {"enabled": True, "siret": "732 829 320 00074", "vat_number": "FR40303265045"}


def settings_for(tmp_path: Path, server: Any, *, on: bool = True) -> Settings:
    return build_settings(
        {
            "billing": BILLING,
            "documents": {"out": str(tmp_path / "out"), "soffice": "pas-de-libreoffice"},
            "mail": {
                "host": "127.0.0.1",
                "port": server.port,
                "security": "none",
                "from": "factures@mila.fr",
                "preview": str(tmp_path / "apercus"),
                "sending_starts_on": on,
            },
            "renewals": {"iban": "FR76 3000 4000 0500 0012 3456 789", "payment_instructions": None},
        },
        env={},
        base=tmp_path,
    )


def invoices(run: Run, settings: Settings, day: dt.date = TODAY, **options: Any) -> Any:
    clock = FixedClock(dt.datetime.combine(day, dt.time(9)))
    ctx = RunContext(settings, clock, today=day, workbook=run.workbook, converter=BlankPdf())
    return registry.factures(ctx, registry.InvoicesOptions(**options))


def received(server: Any) -> list[EmailMessage]:
    return [email.message_from_bytes(data, policy=email.policy.default) for _, _, data in server.messages]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    return [(str(part.get_filename()), part.get_content()) for part in message.iter_attachments()]


def on_their_own(run: Run) -> list[str]:
    """The documents e-mailed on their own: all but the unpaid cotisation invoices, which the
    renewal reminder carries (M0001's F2026-0001 here)."""
    return sorted(r["N°"] for r in run.rows() if not (r["Objet"] == "cotisation" and r["Statut"] != "payée"))


def relances(run: Run) -> list[dict[str, Any]]:
    grid = run.backend.grids.get("Relances") or [[]]
    return [dict(zip(grid[0], line, strict=False)) for line in grid[1:]]


def test_each_document_is_sent_once_with_its_factur_x_pdf(tmp_path, smtp_server):
    """Every invoice issued goes to its member with its PDF, a Factur-X whose XML names it; a
    second run sends nothing; a credit note issued later goes with its own wording."""
    run = Run(tmp_path)
    settings = settings_for(tmp_path, smtp_server)
    first = invoices(run, settings, send=True)
    numbers = on_their_own(run)
    assert first.sending is not None and first.sending.sent == len(numbers) > 0
    assert first.sending.with_reminder == ["F2026-0001"]  # unpaid cotisation: with the reminder
    assert "jointes à la relance de renouvellement" in "\n".join(first.lines())
    said = json.loads(json.dumps(first.as_dict()))["sending"]  # `mila factures --envoyer --json`
    assert said["sent"] == len(numbers) and said["with_reminder"] == ["F2026-0001"]
    messages = received(smtp_server)
    assert len(messages) == len(numbers)
    for message in messages:
        [(name, pdf)] = attachments(message)
        number = name.removesuffix(".pdf")
        xml_name, xml = get_xml_from_pdf(pdf, check_xsd=True)
        assert xml_name == "factur-x.xml"
        document = etree.fromstring(xml)
        assert document.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) == number
        assert number in str(message["Subject"])
    by_number = {attachments(m)[0][0].removesuffix(".pdf"): m for m in messages}
    assert sorted(by_number) == numbers
    rows = {r["N°"]: r for r in run.rows()}
    unpaid = next(n for n in numbers if rows[n]["Statut"] == "émise")
    text = text_of(by_number[unpaid])
    assert f"la facture n° {unpaid}" in text and "à régler au plus tard le" in text
    assert f"la référence « {unpaid} »" in text and "FR76 3000" in text
    assert str(by_number[unpaid]["To"]).endswith(f"<{rows[unpaid]['Membre'].lower()}@exemple.fr>")
    paid = [n for n in numbers if rows[n]["Statut"] == "payée"]
    assert paid, "the workbook has a cotisation paid before its invoice"
    assert "Elle est acquittée" in text_of(by_number[paid[0]])
    assert "Facture acquittée" in str(by_number[paid[0]]["Subject"])
    ledger = [r for r in relances(run) if r["Statut"] == "envoyée"]
    assert sorted(r["Relance"] for r in ledger) == sorted(f"facture {n}" for n in numbers)

    again = invoices(run, settings, send=True)
    assert again.issued == [] and again.sending is not None
    assert again.sending.sent == 0 and again.sending.messages == []
    assert len(smtp_server.messages) == len(numbers)
    assert again.sending.with_reminder == ["F2026-0001"]

    credit = invoices(run, settings, send=True, credit_of=unpaid, reason="erreur")
    [note] = credit.issued
    assert credit.sending is not None and credit.sending.sent == 1
    last = received(smtp_server)[-1]
    assert str(last["Subject"]).startswith(f"Avoir n° {note.number} (annule la facture n° {unpaid})")
    assert f"qui annule la facture n° {unpaid}" in text_of(last)
    [(name, pdf)] = attachments(last)
    assert name == f"{note.number}.pdf" and get_xml_from_pdf(pdf)[1].find(b"<ram:TypeCode>381<") > 0


def test_while_sending_is_off_the_documents_are_previews_and_nothing_is_recorded(tmp_path, smtp_server):
    """A fresh installation: previews with the PDF attached, the output says sending is not
    switched on, nothing in Relances; once switched on, the same documents leave."""
    run = Run(tmp_path)
    result = invoices(run, settings_for(tmp_path, smtp_server, on=False), send=True)
    sending = result.sending
    assert sending is not None and sending.preview and smtp_server.messages == []
    assert len(sending.messages) == len(on_their_own(run)) and sending.sent == 0
    assert relances(run) == []
    said = "\n".join(result.lines())
    assert "pas encore activés" in said and "rien n'est parti" in said
    previews = sorted((tmp_path / "apercus" / SWITCHED_OFF).glob("*.eml"))
    assert len(previews) == len(sending.messages)
    parsed = email.message_from_bytes(previews[0].read_bytes(), policy=email.policy.default)
    assert [n for n, _ in attachments(parsed)][0].endswith(".pdf")
    assert "envois pas encore activés" in result.outcome().summary  # the Journal and a request say so

    switched = invoices(run, settings_for(tmp_path, smtp_server), send=True)
    assert switched.sending is not None and switched.sending.sent == len(sending.messages)


def test_a_document_left_in_progress_by_a_crash_is_to_check_never_sent_again(tmp_path, smtp_server):
    """A claim « en cours » without outcome (a run killed while sending): « à vérifier »,
    not sent; the others leave."""
    run = Run(tmp_path)
    settings = settings_for(tmp_path, smtp_server)
    issued = invoices(run, settings, pdf=True)
    first = next(i for i in issued.issued if i.draft.purpose == "loyer")
    run.backend.grids["Relances"] = [
        ["Membre", "Échéance", "Relance", "Statut", "Envoyée le", "Adresse", "Message-ID"],
        [
            first.draft.client.member_id,
            first.date.isoformat(),
            f"facture {first.number}",
            "en cours",
            None,
            "x@exemple.fr",
            "<crash@mila.fr>",
        ],
    ]
    result = invoices(run, settings, send=True)
    assert result.sending is not None and [c.detail("number") for c in result.sending.to_check] == [
        first.number
    ]
    assert result.sending.sent == len(on_their_own(run)) - 1
    sent = {attachments(m)[0][0] for m in received(smtp_server)}
    assert f"{first.number}.pdf" not in sent
    assert any(r["Statut"] == "à vérifier" for r in relances(run))
    assert result.to_look_at


def test_the_first_renewal_reminder_carries_the_invoice_pdf(tmp_path, smtp_server):
    """M0001's cotisation invoice F2026-0001 is issued with its PDF; the renewal reminder sent
    that day has it attached and says so; the next reminder of the same renewal does not."""
    run = Run(tmp_path)
    settings = settings_for(tmp_path, smtp_server)
    invoices(run, settings, pdf=True)
    pdf = settings.documents.out / "factures" / "2026" / "F2026-0001.pdf"
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))
    reminders = registry.renewals(RunContext(settings, clock, today=TODAY, workbook=run.workbook))
    assert "M0001" in {m.member_id for m in reminders.messages if m.status == "envoyée"}
    message = next(m for m in received(smtp_server) if "m0001@" in str(m["To"]))
    assert attachments(message) == [("F2026-0001.pdf", pdf.read_bytes())]
    assert "La facture est jointe à ce message (F2026-0001.pdf" in text_of(message)

    later = TODAY + dt.timedelta(days=30)
    clock = FixedClock(dt.datetime.combine(later, dt.time(9)))
    preview = RunContext(settings, clock, today=later, workbook=run.workbook, dry_run=True)
    again = registry.renewals(preview)
    next_one = [m for m in again.messages if m.member_id == "M0001"]
    assert next_one and next_one[0].outgoing is not None
    parsed = email.message_from_bytes(next_one[0].outgoing.data, policy=email.policy.default)
    assert attachments(parsed) == [] and "F2026-0001" in text_of(parsed)
    carried = invoices(run, settings, TODAY + dt.timedelta(days=8), send=True)
    assert carried.sending is not None and "F2026-0001" not in {m.number for m in carried.sending.messages}
    assert carried.sending.with_reminder == []  # carried by the reminder: never sent again


def test_an_unpaid_cotisation_invoice_no_reminder_carried_goes_on_its_own_after_a_week(tmp_path, smtp_server):
    """No renewal reminder went (relances not run): a week after its issue the invoice mail
    sends F2026-0001 itself, and then the reminder no longer attaches it."""
    run = Run(tmp_path)
    settings = settings_for(tmp_path, smtp_server)
    invoices(run, settings, send=True)
    later = invoices(run, settings, TODAY + dt.timedelta(days=7), send=True)
    assert later.sending is not None and [m.number for m in later.sending.messages] == ["F2026-0001"]
    assert later.sending.sent == 1
    day = TODAY + dt.timedelta(days=7)
    clock = FixedClock(dt.datetime.combine(day, dt.time(10)))
    preview = RunContext(settings, clock, today=day, workbook=run.workbook, dry_run=True)
    reminders = [m for m in registry.renewals(preview).messages if m.member_id == "M0001"]
    assert reminders and reminders[0].outgoing is not None
    parsed = email.message_from_bytes(reminders[0].outgoing.data, policy=email.policy.default)
    assert attachments(parsed) == []


def test_the_request_sends_the_invoices_and_links_the_drive_folder(tmp_path, smtp_server):
    """« envoyer les factures » in the Demandes tab: issued, uploaded to Factures/2026 (the
    row's link), e-mailed once; « produire les factures » the next day sends nothing more."""
    from automations.delivery.drive import MemoryDrive

    run = Run(tmp_path)
    header = [
        "ID",
        "Demande",
        "Cible",
        "Demandée par",
        "Demandée le",
        "Statut",
        "Résultat",
        "Lien",
        "Traitée le",
    ]
    run.backend.grids["Demandes"] = [header, [None, "envoyer les factures"]]
    settings = build_settings(
        {
            "billing": BILLING,
            "documents": {"out": str(tmp_path / "out"), "drive_folder": "dossier-partage"},
            "mail": {
                "host": "127.0.0.1",
                "port": smtp_server.port,
                "security": "none",
                "from": "factures@mila.fr",
                "sending_starts_on": True,
            },
            "schedule": {"state_dir": str(tmp_path / "state")},
        },
        env={},
        base=tmp_path,
    )
    drive = MemoryDrive()
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))
    ctx = RunContext(settings, clock, today=TODAY, workbook=run.workbook, drive=drive, converter=BlankPdf())
    done = registry.demandes(ctx)
    [handled] = done.handled
    assert handled.status == "faite", handled.result
    folder = next(f for f in drive.files.values() if f.name == "2026" and f.is_folder)
    assert handled.link == folder.link and handled.link
    sent = len(smtp_server.messages)
    assert sent == len(on_their_own(run)) > 0 and "envoyé" in handled.result

    run.backend.grids["Demandes"].append([None, "produire les factures"])
    ctx = RunContext(settings, clock, today=TODAY, workbook=run.workbook, drive=drive, converter=BlankPdf())
    [again] = registry.demandes(ctx).handled
    assert again.status == "faite" and len(smtp_server.messages) == sent


def test_without_pdf_nothing_leaves_and_the_next_run_sends_them_all(tmp_path, smtp_server):
    """LibreOffice missing: the invoices are issued, none is e-mailed without its PDF, the
    output says why and what to do; the next run, PDFs made, sends every one."""

    run = Run(tmp_path)
    settings = settings_for(tmp_path, smtp_server)
    clock = FixedClock(dt.datetime.combine(TODAY, dt.time(9)))
    ctx = RunContext(settings, clock, today=TODAY, workbook=run.workbook, converter=NoLibreOffice())
    result = registry.factures(ctx, registry.InvoicesOptions(send=True))
    assert result.issued and smtp_server.messages == [] and relances(run) == []
    assert result.sending is not None and result.sending.interrupted and result.to_look_at
    said = "\n".join(result.lines())
    assert "Envoi des factures interrompu" in said and "mila factures --envoyer" in said
    assert "Aucune facture à envoyer" not in said
    later = invoices(run, settings, send=True)
    assert later.sending is not None and later.sending.sent == len(on_their_own(run))
