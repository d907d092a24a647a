"""A person's data, on request: exported whole and alone, erased everywhere but in the
accounting records, and the leavers' data listed for erasure once its period is over."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import XlsxBook
from docx import Document

from automations import schema
from automations.documents.personal_files import text_of
from automations.rules.personal_data import DECLARATIONS
from tests.support.stories import Mila

TODAY = dt.date(2026, 11, 23)

MEMBRES = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Téléphone",
    "Catégorie",
    "Forfait",
    "Adhésion le",
    "Sortie le",
    "Forme juridique",
    "Adresse",
    "Statut",
    "Anomalies",
]
# Jeanne Dupont (M0003) is a member who is a person, and left in 2025: her data is the
# request's. Léa Morel's company (M0001) left in 2021: past the 3 years. Marc Petit's
# (M0002) is active.
JEANNE = ("Jeanne Dupont", "jeanne@dupont.fr", "07 11 22 33 44", "12 rue des Lilas")


def workbook() -> dict[str, list[list[Any]]]:
    return {
        "Membres": [
            MEMBRES,
            [
                "M0001",
                "Pixel & Refrain",
                "Léa Morel",
                "lea@pixel.fr",
                "06 12 34 56 78",
                "bénéficiaire",
                "BASIC",
                "10/01/2019",
                "31/12/2021",
                "SARL",
                "8 rue Myrha",
            ],
            [
                "M0002",
                "Studio Nord",
                "Marc Petit",
                "marc@nord.fr",
                "06 98 76 54 32",
                "bénéficiaire",
                "BASIC",
                "10/01/2023",
                None,
                "SAS",
                "3 rue du Nord",
            ],
            [
                "M0003",
                "Jeanne Dupont",
                "Jeanne Dupont",
                "jeanne@dupont.fr",
                "07 11 22 33 44",
                "bénéficiaire",
                "BASIC",
                "10/01/2024",
                "15/06/2025",
                "personne physique",
                "12 rue des Lilas",
            ],
        ],
        "Paiements": [
            ["ID", "Date", "Membre", "Payeur", "Montant", "Moyen", "Objet", "Référence", "Source", "Reçu n°"],
            [
                "P00001",
                "10/01/2024",
                "M0003",
                "DUPONT JEANNE",
                120,
                "virement",
                "cotisation",
                "VIR-1",
                "saisie",
                "2024-001",
            ],
            [
                "P00002",
                "12/01/2026",
                "M0002",
                "Studio Nord",
                144,
                "virement",
                "cotisation",
                "VIR-2",
                "saisie",
            ],
            [
                "P00003",
                "10/01/2025",
                "M0003",
                "Jeanne Dupont",
                144,
                "chèque",
                "cotisation",
                "CHQ-3",
                "saisie",
            ],
        ],
        "Locaux": [
            ["ID", "Nom", "Site", "Surface m²", "Réservable", "Tarif jour HT"],
            ["L01", "Bureau 3", "Pépinière", 12, "non", None],
            ["L02", "Salle de réunion", "Milab", 30, "oui", 50],
        ],
        "Occupations": [
            ["ID", "Membre", "Local", "Début", "Fin"],
            ["C001", "M0003 – Jeanne Dupont", "L01", "01/02/2024", "15/06/2025"],
            ["C002", "M0002", "L01", "01/07/2025", None],
        ],
        "Réservations": [
            ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut"],
            ["R0001", "L02", "M0003", None, "03/03/2025", "03/03/2025", "jour", "confirmée"],
            ["R0002", "L02", "M0002", None, "04/03/2025", "04/03/2025", "jour", "confirmée"],
        ],
        "Événements": [
            ["ID", "Date", "Type", "Titre", "Intervenants"],
            [
                "E001",
                "14/01/2025",
                "Club MILA",
                "Club MILA de janvier",
                "Jeanne Dupont (invitée); Marc Petit",
            ],
        ],
        "Inscriptions": [
            ["ID", "Événement", "Membre", "Inscrit le", "Statut"],
            ["I0001", "E001", "M0003", "02/01/2025", "présent"],
            ["I0002", "E001", "M0002", "03/01/2025", "présent"],
        ],
        "Conseil": [
            ["Nom", "Civilité", "Membre", "Fonction", "Entrée"],
            ["Jeanne Dupont", "Mme", "M0003", "Trésorier·e", "02/07/2024"],
            ["Marc Petit", "M.", "M0002", "Président·e", "02/07/2024"],
        ],
        "Relances": [
            ["Membre", "Échéance", "Relance", "Statut", "Envoyée le", "Adresse", "Message-ID", "Détails"],
            [
                "M0003",
                "09/01/2025",
                "J-30",
                "refusée",
                "10/12/2024",
                "jeanne@dupont.fr",
                "<1@mila>",
                "550 jeanne@dupont.fr: boîte pleine",
            ],
            ["M0002", "11/01/2026", "J-30", "envoyée", "12/12/2025", "marc@nord.fr", "<2@mila>", None],
        ],
        "Journal": [
            ["Date", "Tâche", "Résultat", "Détails"],
            ["10/01/2025", "envoi des reçus", "succès", "Reçu 2024-001 envoyé à M0003 (jeanne@dupont.fr)"],
            ["12/12/2025", "relances", "succès", "Relances envoyées : M0002, M0003"],
            ["13/12/2025", "synchronisation", "succès", "12 cellules écrites"],
        ],
        "Adhésions (formulaire)": [
            ["Horodateur", "Adresse e-mail", "Nom et prénom", "Téléphone", "Structure", "Traitée le"],
            [
                "05/01/2024 10:00:00",
                "jeanne@dupont.fr",
                "Jeanne Dupont",
                "07 11 22 33 44",
                "Jeanne Dupont",
                "06/01/2024",
            ],
            [
                "03/03/2020 09:00:00",
                "paul@exemple.fr",
                "Paul Martin",
                "06 55 44 33 22",
                "Collectif Paul",
                "04/03/2020",
            ],
            [
                "08/01/2023 11:00:00",
                "marc@nord.fr",
                "Marc Petit",
                "06 98 76 54 32",
                "Studio Nord",
                "09/01/2023",
            ],
        ],
        "Notes": [
            ["Qui", "Note"],
            ["M0003 – Jeanne Dupont", "rappeler au 07 11 22 33 44"],
            ["M0002", "contrat à revoir"],
        ],
    }


OTHERS = (
    "Marc Petit",
    "marc@nord.fr",
    "Studio Nord",
    "M0002",
    "Paul Martin",
    "paul@exemple.fr",
    "Léa Morel",
    "lea@pixel.fr",
    "M0001",
)


def _docx(path: Path, *lines: str) -> None:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))


def _eml(path: Path, to: str, body: str) -> None:
    path.write_text(f"From: adhesions@mila.fr\nTo: {to}\nSubject: Relance\n\n{body}\n", encoding="utf-8")


def outputs(folder: Path) -> tuple[Path, Path]:
    """The output folders as the documents and mail jobs leave them: a charter, a receipt and
    an invoice for Jeanne, Marc's charter, previews to Jeanne and to Marc."""
    out, previews = folder / "out", folder / "apercus"
    out.mkdir()
    previews.mkdir()
    _docx(out / "Charte_M0003_Jeanne-Dupont.docx", "Je soussignée Jeanne Dupont, jeanne@dupont.fr")
    _docx(out / "Recu_2024-001_Jeanne-Dupont.docx", "Reçu 2024-001", "Jeanne Dupont", "120 €")
    _docx(out / "Charte_M0002_Studio-Nord.docx", "Studio Nord, représenté par Marc Petit")
    (out / "factures" / "2025").mkdir(parents=True)
    _docx(out / "factures" / "2025" / "F2025-0001.docx", "Facture F2025-0001", "Jeanne Dupont", "144 €")
    manifest = {
        "version": 1,
        "documents": {
            "charte:M0003": {
                "file": "Charte_M0003_Jeanne-Dupont.docx",
                "drive": {"id": "f1", "link": "https://drive.example/f1/view"},
            },
            "recu:2024-001": {"file": "Recu_2024-001_Jeanne-Dupont.docx"},
            "charte:M0002": {"file": "Charte_M0002_Studio-Nord.docx"},
        },
        "files": {},
        "receipts": {"numbers": {"P00001": "2024-001"}, "last": {"2024": 1}},
    }
    (out / ".mila-documents.json").write_text(json.dumps(manifest), encoding="utf-8")
    _eml(previews / "relance-M0003.eml", "jeanne@dupont.fr", "Bonjour Jeanne Dupont,")
    _eml(previews / "relance-M0002.eml", "marc@nord.fr", "Bonjour Marc Petit,")
    return out, previews


def _mila(book: Any, tmp_path: Path) -> Mila:
    out, previews = outputs(tmp_path)
    m = Mila(book, tmp_path, SimpleNamespace(port=25), TODAY)
    m.config.write_text(
        f'[mail]\nfrom = "adhesions@mila.fr"\npreview = "{previews}"\n\n[documents]\nout = "{out}"\n'
        'soffice = "pas-de-libreoffice"\n\n[digest]\nto = ["equipe@mila.fr"]\n',
        encoding="utf-8",
    )
    return m


@pytest.fixture
def mila(make_book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mila:
    """The test's workbook on each backend (the erasure's one write is checked on Google's)."""
    for name in ("MILA_CONFIG", "MILA_WORKBOOK", "MILA_SHEET", "SHEETS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    book = make_book(workbook())
    if book.kind == "google":
        monkeypatch.setenv("SHEETS_EMULATOR_HOST", book.emulator.address)
    return _mila(book, tmp_path)


@pytest.fixture
def mila_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Mila:
    """The test's workbook as an .xlsx file (reading is the same on both backends)."""
    for name in ("MILA_CONFIG", "MILA_WORKBOOK", "MILA_SHEET", "SHEETS_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    return _mila(XlsxBook(tmp_path, workbook()), tmp_path)


def _cells(grids: dict[str, list[list[Any]]]) -> dict[tuple[str, int, int], Any]:
    return {
        (tab, r, c): v
        for tab, grid in grids.items()
        for r, line in enumerate(grid, start=1)
        for c, v in enumerate(line, start=1)
        if v not in (None, "")
    }


def _holds(value: Any, *data: str) -> bool:
    text = str(value).casefold()
    digits = re.sub(r"\D", "", text)
    return any(
        d.casefold() in text
        or (re.sub(r"\D", "", d) and len(re.sub(r"\D", "", d)) >= 8 and re.sub(r"\D", "", d) in digits)
        or sorted(d.casefold().split()) == sorted(text.split())
        for d in data
    )


def _trimmed(line: list[Any]) -> list[Any]:
    return [v for v in line if v not in (None, "")]


def _files_text(*folders: Path) -> dict[Path, str]:
    return {p: text_of(p) or "" for f in folders for p in f.rglob("*") if p.is_file()}


class TestExport:
    def test_the_export_holds_their_rows_of_every_tab_and_nothing_about_anyone_else(
        self, mila_file, tmp_path
    ):
        """One zip: a Word summary and one CSV per tab where Jeanne appears, no other person in it."""
        mila = mila_file
        code, text = mila("donnees", "exporter", "M0003", "--dossier", str(tmp_path / "export"))
        assert code == 0, text
        archive = zipfile.ZipFile(next((tmp_path / "export").glob("*.zip")))
        names = set(archive.namelist())
        csvs = {
            n: list(csv.reader(io.StringIO(archive.read(n).decode("utf-8-sig")), delimiter=";"))
            for n in names
            if n.endswith(".csv")
        }
        expected = {
            "Membres",
            "Paiements",
            "Occupations",
            "Reservations",
            "Evenements",
            "Inscriptions",
            "Conseil",
            "Relances",
            "Journal",
            "Adhesions-formulaire",
            "Notes",
            "Fichiers",
        }
        assert {n.removesuffix(".csv") for n in csvs} == expected
        ids = {tab: {line[1] for line in rows[1:]} for tab, rows in csvs.items()}
        assert ids["Paiements.csv"] == {"P00001", "P00003"}
        assert ids["Occupations.csv"] == {"C001"}
        assert ids["Membres.csv"] == {"M0003"}
        assert len(csvs["Journal.csv"]) == 3  # header + the two lines naming her
        everything = "\n".join(
            archive.read(n).decode("utf-8-sig", "replace") for n in names if n.endswith(".csv")
        )
        summary = "\n".join(
            p.text for p in Document(io.BytesIO(archive.read("resume-M0003.docx"))).paragraphs
        )
        summary += "\n".join(
            c.text
            for t in Document(io.BytesIO(archive.read("resume-M0003.docx"))).tables
            for r in t.rows
            for c in r.cells
        )
        for other in OTHERS:
            assert other not in everything, other
            assert other not in summary, other
        assert "jeanne@dupont.fr" in everything and "Jeanne Dupont" in summary
        assert "Charte_M0003_Jeanne-Dupont.docx" in csvs["Fichiers.csv"][1][0] or any(
            "Charte_M0003" in line[0] for line in csvs["Fichiers.csv"]
        )
        assert any("https://drive.example/f1/view" in line[3] for line in csvs["Fichiers.csv"][1:])

    def test_a_form_respondent_who_never_joined_is_exported_by_address(self, mila_file, tmp_path):
        """« --email »: the answers of a person who is no member, alone."""
        mila = mila_file
        code, text = mila(
            "donnees", "exporter", "--email", "paul@exemple.fr", "--dossier", str(tmp_path / "e")
        )
        assert code == 0, text
        archive = zipfile.ZipFile(next((tmp_path / "e").glob("*.zip")))
        rows = archive.read("Adhesions-formulaire.csv").decode("utf-8-sig")
        assert "Paul Martin" in rows and "Jeanne" not in rows and "Marc" not in rows
        code, _ = mila(
            "donnees", "exporter", "--email", "personne@exemple.fr", "--dossier", str(tmp_path / "e")
        )
        assert code == 2  # nobody has that address: said, nothing written


class TestErasure:
    def test_erasure_leaves_their_data_in_no_cell_and_no_file_but_the_accounting_records(
        self, mila, tmp_path
    ):
        """Jeanne's e-mail, phone and name are gone from every tab and every file not kept for
        the accounts; her payments add up; no other cell changed; a second erasure changes nothing."""
        before = mila.grids()
        out, previews = tmp_path / "out", tmp_path / "apercus"
        code, text = mila("donnees", "effacer", "M0003", "--simulation")
        assert code == 0, text
        assert "Membres ligne 4 « Email » : « jeanne@dupont.fr » → vide" in text
        assert mila.grids() == before
        assert (out / "Charte_M0003_Jeanne-Dupont.docx").exists()

        if mila.book.kind == "google":
            start = len(mila.book.emulator.requests)
        result = mila.json("donnees", "effacer", "M0003")
        if mila.book.kind == "google":
            writes = [r for r in mila.book.emulator.requests[start:] if r.method != "GET"]
            assert len(writes) == 1, [(r.method, r.path) for r in writes]
        after = mila.grids()
        for (tab, r, c), value in _cells(after).items():
            assert not _holds(value, *JEANNE, "DUPONT JEANNE"), (tab, r, c, value)
        changed = {(ch["tab"], ch["row"], ch["column"]) for ch in result["changes"]}
        journal_rows = len(before["Journal"])
        old, new = _cells(before), _cells(after)
        for key in set(old) | set(new):
            if old.get(key) == new.get(key):
                continue
            tab, r, c = key
            header = (after.get(tab) or before[tab])[0][c - 1]
            assert (tab, r, header) in changed or (tab == "Journal" and r == journal_rows + 1), key
        paid = [line[4] for line in after["Paiements"][1:] if str(line[2]).startswith("M0003")]
        assert sum(paid) == 264
        assert _trimmed(after["Membres"][2]) == _trimmed(before["Membres"][2])  # Marc's row
        line = mila.journal()[-1]
        assert "M0003" in line["Détails"] and not _holds(line["Détails"], *JEANNE)

        files = _files_text(out, previews)
        kept = {Path(f["path"]) for f in result["files"] if f["kept"]}
        assert kept == {
            out / "Recu_2024-001_Jeanne-Dupont.docx",
            out / "factures" / "2025" / "F2025-0001.docx",
        }
        for path, content in files.items():
            if path not in kept:
                assert not _holds(content, *JEANNE), path
        assert not (out / "Charte_M0003_Jeanne-Dupont.docx").exists()
        assert not (previews / "relance-M0003.eml").exists()
        assert (previews / "relance-M0002.eml").exists() and (out / "Charte_M0002_Studio-Nord.docx").exists()

        log = (tmp_path / "logs" / "mila.log").read_text(encoding="utf-8")
        assert "M0003" in log and not _holds(log, *JEANNE)  # the log names her by ID only

        code, text = mila("synchroniser")  # the labels of Listes, the computed columns
        assert code == 0, text
        after = mila.grids()
        code, text = mila("donnees", "effacer", "M0003")
        assert code == 0, text
        assert "déjà effacées" in text
        assert mila.grids() == after

    def test_an_active_member_is_refused_unless_the_staff_confirm(self, mila_file):
        """Marc's company is still a member: refused with the reason, nothing changed."""
        mila = mila_file
        before = mila.grids()
        code, _ = mila("donnees", "effacer", "M0002")
        assert code == 2
        assert mila.grids() == before
        code, text = mila("donnees", "effacer", "M0002", "--confirmer")
        assert code == 0, text
        assert not any(_holds(v, "marc@nord.fr") for v in _cells(mila.grids()).values())


def test_the_summary_lists_the_data_due_for_erasure_by_id_only(mila_file):
    """Léa's company left in 2021 and Paul answered in 2020: both past 3 years, named by ID or row."""
    mila = mila_file
    items = [i for i in mila.summary() if i["section"] == "donnees"]
    assert [(i["ref"], i["row"]) for i in items] == [("M0001", 2), (None, 3)]
    assert all("lea@pixel.fr" not in i["text"] and "paul@" not in i["text"] for i in items)
    assert mila("donnees", "effacer", "M0001")[0] == 0
    assert mila("donnees", "effacer", "--email", "paul@exemple.fr")[0] == 0
    assert [i for i in mila.summary() if i["section"] == "donnees"] == []  # erased: no longer listed


def test_every_tab_of_the_contract_is_declared():
    """A tab added to the contract needs its line in DECLARATIONS (and in the register)."""
    assert {t.name for t in (*schema.TABS, schema.LISTES)} == set(DECLARATIONS)


def test_the_register_of_processing_matches_the_declarations():
    """docs/donnees-personnelles.md lists the same tabs, personal and kept columns as the code."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "donnees-personnelles.md").read_text(
        encoding="utf-8"
    )
    table = doc.split("<!-- onglets -->")[1].split("<!-- fin -->")[0]
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")] for line in table.strip().splitlines()[2:]
    ]
    documented = {r[0].strip("`"): (_names(r[1]), _names(r[2])) for r in rows}
    declared = {
        name: (set(d.personal) | set(d.names) | set(d.emails), set(d.kept))
        for name, d in DECLARATIONS.items()
    }
    assert documented == declared


def _names(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


@pytest.mark.parametrize("contact", [None, "rgpd@mila.fr"])
def test_the_acknowledgement_says_where_to_write_about_ones_data(contact):
    """The form reply carries a short information line with the contact for requests
    ([donnees] contact, or the sender), in its text and HTML versions."""
    from automations.jobs.form_replies import MESSAGE, _context
    from automations.mail.templates import Templates
    from automations.model.rows import Event, Member
    from automations.settings import MailSettings

    mail = MailSettings(sender="adhesions@mila.fr")
    member = Member(row=2, id="M0003", structure="Studio", contact="Jeanne Dupont", email="j@d.fr")
    event = Event(row=2, id="E001", date=dt.date(2026, 12, 1), type="Club MILA", title="Club")
    context = _context(member, event, "I0001", None, mail, contact)
    templates = Templates(mail.templates)
    for name in (MESSAGE.text, MESSAGE.html):
        text = " ".join(templates.render(name, context).split())
        assert f"les faire effacer, écrivez à {contact or 'adhesions@mila.fr'}" in text, name


def test_the_drive_copies_of_the_deleted_files_go_to_the_trash_and_the_receipts_stay(tmp_path):
    """The charter's copy in the shared Drive folder is put in the trash with the file; the
    receipt's copy, an accounting record, is left where it is."""
    from automations.clock import FixedClock
    from automations.config import load_settings
    from automations.delivery.drive import DOCX_MIME, MemoryDrive
    from automations.jobs import registry
    from automations.jobs.context import RunContext
    from automations.workbook import Workbook
    from automations.workbook.xlsx import XlsxBackend

    book = XlsxBook(tmp_path, workbook())
    out, previews = outputs(tmp_path)
    drive = MemoryDrive()
    charter = drive.upload(drive.root, "Charte_M0003_Jeanne-Dupont.docx", b"charte", DOCX_MIME)
    receipt = drive.upload(drive.root, "Recu_2024-001_Jeanne-Dupont.docx", b"recu", DOCX_MIME)
    manifest = json.loads((out / ".mila-documents.json").read_text(encoding="utf-8"))
    manifest["documents"]["charte:M0003"]["drive"] = {"id": charter.id, "link": charter.link}
    manifest["documents"]["recu:2024-001"]["drive"] = {"id": receipt.id, "link": receipt.link}
    (out / ".mila-documents.json").write_text(json.dumps(manifest), encoding="utf-8")
    config = tmp_path / "mila.toml"
    config.write_text(
        f'[mail]\npreview = "{previews}"\n\n[documents]\nout = "{out}"\ndrive_folder = "{drive.root}"\n',
        encoding="utf-8",
    )
    settings = load_settings(config=config, workbook=str(book.path))
    clock = FixedClock(dt.datetime(2026, 11, 23, 10, 0))
    ctx = RunContext(settings, clock, workbook=Workbook(XlsxBackend(book.path)), drive=drive)
    result = registry.donnees(ctx, registry.PersonalDataOptions("effacer", member="M0003"))
    assert drive.files[charter.id].trashed and not drive.files[receipt.id].trashed
    assert result.as_dict()["drive_trashed"] == [charter.link]
    assert f"sa copie dans Google Drive est mise à la corbeille : {charter.link}" in "\n".join(result.lines())


def test_google_drive_puts_a_file_in_the_trash(emulator):
    """The Drive v3 call (files.update with « trashed »): the file leaves its folder; a file
    already gone says so."""
    from conftest import FAST_RETRY

    from automations.delivery.drive import DOCX_MIME
    from automations.delivery.google_drive import GoogleDrive

    root = emulator.drive.create_folder("Documents MILA", "donnees-corbeille")
    drive = GoogleDrive(emulator_host=emulator.address, retry=FAST_RETRY)
    made = drive.upload(root, "Charte_M0003.docx", b"charte", DOCX_MIME)
    assert drive.trash(made.id) is True
    assert drive.children(root) == [] and drive.metadata(made.id) is None
    assert drive.trash("inconnu") is False
