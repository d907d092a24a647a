"""Issue 22: the staff act from the sheet. The ``Demandes`` tab on the emulator (Sheets and
Drive), a real SMTP server on loopback, sending switched on by a person, the Drive inbox of
payment files, and a pass with nothing pending costing one read."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import GoogleBook
from test_sync import MEMBERS_HEADER, NOW, TODAY, workbook

from automations.clock import FixedClock
from automations.config import Settings, build_settings
from automations.jobs.context import RunContext
from automations.jobs.registry import JOBS, demandes
from automations.jobs.staff_requests import installation, request_names

HEADER: list[object] = [
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
STAFF = "equipe@mila.fr"
MEMBER = "paul@nord.fr"  # M0002, who occupies C001


def book_with(emulator: Any, *requests: list[object]) -> GoogleBook:
    tabs = workbook()
    tabs["Occupations"] = [
        ["ID", "Membre", "Local", "Début", "Fin", "Loyer mensuel HT"],
        ["C001", "M0002", "L01", "01/09/2022", None, 400],
    ]
    tabs["Demandes"] = [HEADER, *[list(r) for r in requests]]
    return GoogleBook(emulator, tabs)


def settings_for(book: GoogleBook, tmp_path: Path, server: Any, **payments: object) -> Settings:
    drive = book.emulator.drive
    root = drive.create_folder(f"Documents {book.key}")
    raw: dict[str, Any] = {
        "mail": {"host": "127.0.0.1", "port": server.port, "security": "none", "from": "adhesions@mila.fr"},
        "documents": {"out": str(tmp_path / "out"), "soffice": "pas-de-libreoffice", "drive_folder": root},
        "schedule": {"state_dir": str(tmp_path / "state")},
        "payments": dict(payments),
    }
    env = {"SHEETS_EMULATOR_HOST": book.emulator.address, "DRIVE_EMULATOR_HOST": book.emulator.address}
    return build_settings(raw, env=env, base=tmp_path, sheet=book.key)


def run(settings: Settings, at: dt.datetime = NOW):
    """One pass as the scheduler runs it: a context of its own, nothing injected."""
    return demandes(RunContext(settings, FixedClock(at), today=at.date()))


def rows(book: GoogleBook) -> list[dict[str, Any]]:
    grid = book.grid("Demandes")
    return [dict(zip(grid[0], line + [None] * (len(grid[0]) - len(line)), strict=True)) for line in grid[1:]]


def to(server: Any, address: str) -> list[email.message.EmailMessage]:
    found = []
    for _, recipients, data in server.messages:
        if address in recipients:
            found.append(email.message_from_bytes(data, policy=email.policy.default))
    return found


def test_the_dropdown_lists_the_requests_the_jobs_do() -> None:
    """Every request of the issue is registered, billing and erasure included."""
    names = request_names()
    assert names[:3] == ("synchroniser maintenant", "préparer le classeur", "importer les paiements")
    assert {"envoyer pour signature", "activer les envois", "suspendre les envois"} <= set(names)
    assert "effacer les données" in names


def test_a_sync_request_is_done_in_one_pass_and_answered(emulator, tmp_path, smtp_server) -> None:
    book = book_with(emulator, [None, "synchroniser maintenant", None, STAFF, None])
    result = run(settings_for(book, tmp_path, smtp_server))
    [row] = rows(book)
    assert (row["ID"], row["Statut"]) == ("D0001", "faite")
    assert "cellule(s) écrite(s)" in row["Résultat"] and row["Traitée le"]
    assert any(r["ID"] is None for r in rows(book)) is False
    members = {line[0] for line in book.grid("Membres")[1:]}
    assert "M0005" in members  # the sync gave the member without ID its ID
    [answer] = to(smtp_server, STAFF)  # the staff's answer goes even while sending is off
    assert "D0001" in answer["Subject"] and "faite" in answer["Subject"]
    assert result.outcome().result == "succès"


def test_signature_is_previewed_until_a_person_switches_sending_on(emulator, tmp_path, smtp_server) -> None:
    """A fresh installation writes a preview, sends nothing and says so; after « activer les
    envois » the same request sends one e-mail; a second pass does nothing."""
    book = book_with(emulator, [None, "envoyer pour signature", "C001", None, None])
    settings = settings_for(book, tmp_path, smtp_server)
    run(settings)
    [first] = rows(book)
    assert first["Statut"] == "faite"
    assert "envois pas encore activés" in first["Résultat"] and "rien n'est parti" in first["Résultat"]
    assert smtp_server.messages == []
    previews = list((settings.mail.preview / "envois-non-actives").glob("*.eml"))
    assert len(previews) == 1
    aperçus = emulator.drive.find(settings.documents.drive_folder, "Aperçus")
    assert aperçus is not None and [i.name for i in emulator.drive.children(aperçus.id)] == [previews[0].name]
    assert first["Lien"] and aperçus.id in first["Lien"]

    book.edit("Demandes", {(3, 2): "activer les envois", (4, 2): "envoyer pour signature", (4, 3): "C001"})
    run(settings, NOW + dt.timedelta(minutes=1))
    second = rows(book)
    assert [r["Statut"] for r in second] == ["faite", "faite", "faite"]
    assert "envois activés" in second[1]["Résultat"]
    [sent] = to(smtp_server, MEMBER)
    assert "C001" in sent["Subject"] or "convention" in sent["Subject"].lower()
    journal = book.grid("Journal")
    assert any(line[1:3] == ["envois", "activés"] for line in journal)

    emulator.reset_requests()
    again = run(settings, NOW + dt.timedelta(minutes=2))
    assert again.handled == [] and len(smtp_server.messages) == 1
    assert [r.method for r in emulator.requests] == ["GET"]


def test_bad_targets_and_unknown_requests_are_refused_with_their_reason(
    emulator, tmp_path, smtp_server
) -> None:
    book = book_with(
        emulator,
        [None, "envoyer pour signature", "C999", None, None],
        [None, "envoyer pour signature", None, None, None],
        [None, "produire le rapport", "l'an dernier", None, None],
        [None, "faire le café", None, None, None],
        ["D0007", "envoyer pour signature", "M0099", None, None],
    )
    settings = settings_for(book, tmp_path, smtp_server)
    run(settings)
    found = rows(book)
    assert [r["Statut"] for r in found] == ["refusée", "en attente", "refusée", "refusée", "refusée"]
    assert [r["ID"] for r in found] == ["D0008", "D0009", "D0010", "D0011", "D0007"]
    assert "aucune occupation C999 dans l'onglet Occupations" in found[0]["Résultat"]
    assert "indiquez dans la colonne Cible" in found[1]["Résultat"]  # still being filled in
    assert "une année est attendue" in found[2]["Résultat"]
    assert "« faire le café » inconnue" in found[3]["Résultat"]
    assert "aucun membre M0099" in found[4]["Résultat"]
    assert smtp_server.messages == []
    emulator.reset_requests()
    run(settings, NOW + dt.timedelta(minutes=1))  # the row being filled in: said once, then left
    assert [r.method for r in emulator.requests] == ["GET"]
    book.edit("Demandes", {(3, 3): "C001"})
    run(settings, NOW + dt.timedelta(minutes=2))
    assert rows(book)[1]["Statut"] == "faite"


def test_a_request_left_running_by_a_dead_pass_is_not_redone(emulator, tmp_path, smtp_server) -> None:
    """Claimed by this installation (which holds the lock now): interrupted. Claimed five
    minutes ago by another installation: left to it; an hour ago: interrupted too."""
    settings = settings_for(GoogleBook(emulator, {"Membres": [["ID"]]}), tmp_path, smtp_server)
    mine = f"en cours depuis 09:00 ({installation(RunContext(settings, FixedClock(NOW)))})"
    claimed = NOW - dt.timedelta(minutes=5)
    long_ago = NOW - dt.timedelta(hours=2)
    book = book_with(
        emulator,
        [
            "D0001",
            "synchroniser maintenant",
            None,
            None,
            None,
            "en cours",
            mine,
            None,
            f"{claimed:%d/%m/%Y %H:%M}",
        ],
        [
            "D0002",
            "synchroniser maintenant",
            None,
            None,
            None,
            "en cours",
            "en cours (installation x)",
            None,
            f"{claimed:%d/%m/%Y %H:%M}",
        ],
        [
            "D0003",
            "synchroniser maintenant",
            None,
            None,
            None,
            "en cours",
            "en cours (installation x)",
            None,
            f"{long_ago:%d/%m/%Y %H:%M}",
        ],
    )
    settings = settings_for(book, tmp_path, smtp_server)
    result = run(settings)
    found = rows(book)
    assert [r["Statut"] for r in found] == ["échec", "en cours", "échec"]
    assert found[0]["Résultat"] == found[2]["Résultat"] == "interrompue, refaites la demande"
    assert result.waiting == 1
    assert not any(line[1] == "synchronisation" for line in book.grid("Journal")[1:])


HELLOASSO = (
    "Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;"
    "Nom payeur;Prénom payeur;Email payeur;Raison sociale;Tarif;Montant tarif;Numéro d'adhérent\n"
    "HA-9001;20/11/2026 10:00;Validé;Morel;Léa;Morel;Léa;lea@onde.fr;;Adhésion PREMIUM;180,00;\n"
)


def test_a_file_dropped_in_the_inbox_is_imported_once_and_filed(emulator, tmp_path, smtp_server) -> None:
    drive = emulator.drive
    inbox = drive.create_folder("Paiements à importer")
    good = drive.drop_by_person(inbox, "export-helloasso.csv", HELLOASSO.encode("utf-8-sig"))
    bad = drive.drop_by_person(inbox, "photo.csv", b"\x89PNG\r\n\x1a\n not a statement")
    book = book_with(emulator, [None, "importer les paiements", None, None, None])
    settings = settings_for(book, tmp_path, smtp_server, drive_inbox=inbox)
    run(settings)
    [row] = rows(book)
    assert row["Statut"] == "faite"
    assert "1 paiement(s) ajouté(s)" in row["Résultat"]
    assert "fichier « photo.csv » laissé dans le dossier" in row["Résultat"]
    payments = book.grid("Paiements")
    assert [line[payments[0].index("Référence")] for line in payments[1:]] == ["HelloAsso HA-9001"]
    year = drive.find(inbox, "Importés", "2026")
    assert year is not None and drive.item(good).parents == [year.id]
    assert drive.item(bad).parents == [inbox]
    assert row["Lien"] and year.id in row["Lien"]
    failures = [line for line in book.grid("Journal")[1:] if line[1] == "paiements à importer"]
    assert failures and failures[-1][2] == "échec" and "photo.csv" in failures[-1][3]

    book.edit("Demandes", {(3, 2): "importer les paiements"})
    run(settings, NOW + dt.timedelta(minutes=1))
    assert len(book.grid("Paiements")) == 2  # imported once
    assert "photo.csv" in rows(book)[1]["Résultat"]


def test_an_idle_pass_of_the_scheduler_is_one_read(emulator, tmp_path, smtp_server) -> None:
    """Nothing pending: one values:batchGet of the Demandes tab, no metadata, nothing else."""
    book = book_with(emulator, ["D0001", "synchroniser maintenant", None, None, None, "faite"])
    settings = settings_for(book, tmp_path, smtp_server)
    emulator.reset_requests()
    result = JOBS["demandes"].work(settings, FixedClock(NOW))
    assert result.outcome().summary == "aucune demande en attente"
    mine = [r for r in emulator.requests if book.key in r.path]
    assert [r.path.rsplit("/", 1)[-1] for r in mine] == [f"{book.key}/values:batchGet"[len(book.key) + 1 :]]
    assert Counter(r.method for r in emulator.requests) == Counter({"GET": 1})


@pytest.mark.parametrize("action", ["activer", "suspendre"])
def test_mila_envois_switches_sending_in_the_workbook(emulator, tmp_path, smtp_server, action) -> None:
    from automations.jobs.registry import SendingOptions, envois

    book = book_with(emulator)
    settings = settings_for(book, tmp_path, smtp_server)
    context = RunContext(settings, FixedClock(NOW), today=TODAY)
    assert context.sending.on is False and "pas encore activés" in context.sending.describe()
    envois(context, SendingOptions(on=action == "activer"))
    after = RunContext(settings, FixedClock(NOW), today=TODAY).sending
    assert after.on is (action == "activer") and after.recorded


def test_the_commands_on_a_local_workbook(tmp_path, smtp_server, monkeypatch) -> None:
    """`mila envois etat|activer`, `mila demandes` and `mila etat` on a .xlsx, in French."""
    import io

    from conftest import XlsxBook

    from automations.cli import main

    monkeypatch.chdir(tmp_path)
    for name in ("MILA_WORKBOOK", "MILA_SHEET", "MILA_CONFIG", "SHEETS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    tabs = workbook()
    tabs["Demandes"] = [HEADER, [None, "synchroniser maintenant", None, None, None], [None, "au hasard"]]
    book = XlsxBook(tmp_path, tabs)
    config = tmp_path / "mila.toml"
    config.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp_server.port}\nsecurity = "none"\nfrom = "a@mila.fr"\n'
        f'[schedule]\nstate_dir = "{tmp_path / "state"}"\n',
        encoding="utf-8",
    )
    where = ["--classeur", str(book.path), "--config", str(config)]

    def mila(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        return main([*argv, *where], out=out), out.getvalue()

    code, said = mila("envois", "etat")
    assert code == 0 and "Envois pas encore activés" in said and "onglet Demandes" in said
    code, said = mila("demandes", "--date", TODAY.isoformat())
    assert code == 0
    assert "D0001 « synchroniser maintenant » : faite" in said
    assert "D0002 « au hasard » : refusée — demande « au hasard » inconnue" in said
    code, said = mila("envois", "activer")
    assert code == 0 and "Envois activés" in said
    code, said = mila("envois", "etat")
    assert "Envois activés le" in said
    out = io.StringIO()
    main(["etat", "--config", str(config), "--classeur", str(book.path)], out=out)
    assert "Envois activés le" in out.getvalue()


def test_diagnostic_says_sending_is_not_switched_on(emulator, tmp_path, smtp_server) -> None:
    from automations.jobs.diagnostic import NOTE, OK, run_diagnostic
    from automations.jobs.registry import SendingOptions, envois
    from automations.workbook import open_workbook

    book = book_with(emulator)
    settings = settings_for(book, tmp_path, smtp_server)

    def sending_line() -> Any:
        diagnosis = run_diagnostic(settings, open_book=open_workbook, connect=lambda mail: None)
        return next(c for c in diagnosis.checks if c.label == "Envois de courriels")

    line = sending_line()
    assert line.status == NOTE and "pas encore activés" in line.detail and "activer les envois" in line.detail
    envois(RunContext(settings, FixedClock(NOW), today=TODAY), SendingOptions(on=True, by=STAFF))
    line = sending_line()
    assert line.status == OK and f"par {STAFF}" in line.detail


def test_a_workbook_without_the_tab_has_nothing_to_do(emulator, tmp_path, smtp_server) -> None:
    """No Demandes tab (a workbook not prepared yet): nothing pending, nothing written."""
    book = GoogleBook(emulator, workbook())
    settings = settings_for(book, tmp_path, smtp_server)
    emulator.reset_requests()
    result = run(settings)
    assert result.handled == [] and result.outcome().summary == "aucune demande en attente"
    assert all(r.method == "GET" for r in emulator.requests) and len(emulator.requests) <= 2


def test_erasure_requests_refuse_an_active_member_and_a_bad_target_and_erase_a_leaver(
    emulator, tmp_path, smtp_server
) -> None:
    """« effacer les données »: M0001 is still active (refusée, with the reason and how to
    confirm); M0006 left in 2023 (faite: their e-mail is gone from Membres); « Studio » is
    neither a member nor an address (refusée)."""
    tabs = workbook()
    header = [*MEMBERS_HEADER, "Sortie le"]
    tabs["Membres"] = [
        header,
        *[[*line, None] for line in tabs["Membres"][1:]],
        [
            "M0006",
            "Ancien Label",
            "Rémi Gaud",
            "remi@ancien.fr",
            "bénéficiaire",
            "BASIC",
            None,
            "01/02/2020",
            "01/02/2022",
            None,
            "31/01/2023",
        ],
    ]
    tabs["Demandes"] = [
        HEADER,
        [None, "effacer les données", "M0001", STAFF, None],
        [None, "effacer les données", "M0006", STAFF, None],
        [None, "effacer les données", "Studio", STAFF, None],
    ]
    book = GoogleBook(emulator, tabs)
    run(settings_for(book, tmp_path, smtp_server))
    active, leaver, bad = rows(book)
    assert active["Statut"] == "refusée"
    assert "encore actif" in active["Résultat"] and "M0001 confirmer" in active["Résultat"]
    assert bad["Statut"] == "refusée" and "un membre (M0034) ou une adresse e-mail" in bad["Résultat"]
    assert leaver["Statut"] == "faite", leaver["Résultat"]
    members = book.grid("Membres")
    emails = {cell for line in members[1:] for cell in line if isinstance(cell, str) and "@" in cell}
    assert "remi@ancien.fr" not in emails and "lea@onde.fr" in emails


def test_the_prepared_xlsx_offers_every_request_in_the_demande_dropdown(tmp_path) -> None:
    """The request names are longer than the 255 characters Excel allows a list typed into a
    validation: the dropdown of « Demande » is drawn from the Listes column « Demandes »."""
    from conftest import XlsxBook
    from openpyxl import load_workbook

    from automations.jobs.prepare import run_prepare
    from automations.workbook import Workbook
    from automations.workbook.xlsx import XlsxBackend

    names = request_names()
    assert len(",".join(names)) > 255 and {"produire les factures", "envoyer les factures"} <= set(names)
    tabs = workbook()
    tabs["Demandes"] = [HEADER]
    book = XlsxBook(tmp_path, tabs)
    run_prepare(Workbook(XlsxBackend(book.path)), today=TODAY, clock=FixedClock(NOW))
    saved = load_workbook(book.path)
    listes = saved["Listes"]
    column = next(c for c in listes[1] if c.value == "Demandes").column_letter
    offered = [c.value for c in listes[column][1:] if c.value]
    assert tuple(offered) == names
    validations = saved["Demandes"].data_validations.dataValidation
    demande = next(v for v in validations if "B2" in v.sqref)
    assert demande.type == "list"
    assert demande.formula1.replace("'", "").startswith(f"Listes!${column}$2:${column}$")
