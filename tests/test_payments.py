"""The payments ledger: `mila synchroniser` on `Paiements`, imports of HelloAsso exports and bank
statements, matching, `reprendre`, on either backend."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from conftest import DEMO_TODAY, FEE_HISTORY

from automations.cli import main
from automations.clock import FixedClock
from automations.jobs.payments import run_import, run_takeover
from automations.jobs.sync import run_sync
from automations.model.dataset import Dataset
from automations.payments import PaymentsError
from automations.rules.membership import MembershipPolicy

TODAY = dt.date(2026, 11, 23)
POLICY = MembershipPolicy()
CLOCK = FixedClock(dt.datetime(2026, 11, 23, 9, 0))

MEMBERS: list[list[object]] = [
    [
        "ID",
        "Structure",
        "Contact",
        "Email",
        "SIRET",
        "Catégorie",
        "Forfait",
        "Option Crescendo",
        "Adhésion le",
        "Cotisation payée le",
        "Montant payé",
    ],
    [
        "M0001",
        "Le Fair",
        "Awa Diallo",
        "contact@lefair.fr",
        "73282932000074",
        "bénéficiaire",
        "BASIC",
        None,
        "01/01/2023",
        "10/01/2025",
        144,
    ],
    [
        "M0002",
        "Atelier Ficelle",
        "Jean Martin",
        "jean@ficelle.fr",
        None,
        "bénéficiaire",
        "PREMIUM",
        None,
        "01/01/2023",
        "15/02/2026",
        204,
    ],
    [
        "M0003",
        "Boulangerie Ordener",
        "Lina Haddad",
        "lina@ordener.fr",
        None,
        "bénéficiaire",
        "BASIC",
        None,
        "01/06/2024",
        None,
        None,
    ],
    [
        "M0004",
        "Studio Ficelle",
        "Jean Martin",
        "studio@ficelle.fr",
        None,
        "bénéficiaire",
        "BASIC",
        None,
        "01/06/2024",
        None,
        None,
    ],
]
LEDGER_HEADER: list[object] = [
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


def tabs(ledger: list[list[object]] | None = None) -> dict[str, list[list[object]]]:
    book = {"Membres": MEMBERS, "Tarifs": FEE_HISTORY}
    if ledger is not None:
        book["Paiements"] = [LEDGER_HEADER, *ledger]
    return book


def ledger_rows(book) -> list[dict[str, object]]:
    grid = book.grid("Paiements")
    header = grid[0]
    blank = dict.fromkeys(["Période", "Anomalies", "Reçu n°"])
    return [
        {**blank, **dict(zip(header, row + [None] * (len(header) - len(row)), strict=True))}
        for row in grid[1:]
    ]


def sync(book):
    return run_sync(book.open(), today=TODAY, policy=POLICY, clock=CLOCK)


class TestLedgerInSync:
    def test_period_is_written_for_each_cotisation(self, make_book):
        """`mila synchroniser` writes the membership period each cotisation pays, and nothing for a don."""
        book = make_book(
            tabs(
                [
                    [
                        "P00001",
                        "02/03/2026",
                        "M0001",
                        "Le Fair",
                        144,
                        "virement",
                        "cotisation",
                        "VIR 1",
                        "saisie",
                    ],
                    ["P00002", "05/03/2026", None, "Mairie", 50, "virement", "don", "VIR 2", "saisie"],
                ]
            )
        )
        sync(book)
        rows = ledger_rows(book)
        assert rows[0]["Période"] == "02/03/2026 – 01/03/2027"
        assert rows[0]["Anomalies"] is None
        assert rows[1]["Période"] is None and rows[1]["Anomalies"] is None

    def test_the_fee_period_follows_the_latest_cotisation_of_the_ledger(self, make_book):
        """With a `Paiements` tab, a member's échéance follows its latest cotisation there."""
        book = make_book(
            tabs(
                [
                    [
                        "P00001",
                        "02/03/2026",
                        "M0001",
                        "Le Fair",
                        144,
                        "virement",
                        "cotisation",
                        "VIR 1",
                        "saisie",
                    ],
                    [
                        "P00002",
                        "01/02/2024",
                        "M0001",
                        "Le Fair",
                        120,
                        "virement",
                        "cotisation",
                        "VIR 0",
                        "saisie",
                    ],
                ]
            )
        )
        sync(book)
        members = {row[0]: row for row in book.grid("Membres")[1:]}
        header = book.grid("Membres")[0]
        echeance = members["M0001"][header.index("Échéance")]
        if isinstance(echeance, int | float):  # Google gives a date cell as its serial number
            echeance = dt.datetime(1899, 12, 30) + dt.timedelta(days=echeance)
        assert echeance == dt.datetime(2027, 3, 1)
        assert members["M0001"][header.index("Statut")] == "à jour"

    def test_a_refund_cancels_the_payment_it_refunds(self):
        """A refund of the latest cotisation brings the period back to the one before."""
        from automations.workbook.table import Table

        tables = {
            "Membres": Table.from_grid("Membres", MEMBERS),
            "Paiements": Table.from_grid(
                "Paiements",
                [
                    LEDGER_HEADER,
                    ["P00001", "02/03/2026", "M0001", None, 144, None, None, "A", None],
                    ["P00002", "03/03/2026", "M0001", None, -144, None, None, "B", None],
                    ["P00003", "02/03/2025", "M0001", None, 144, None, None, "C", None],
                ],
            ),
        }
        dataset = Dataset.from_tables(tables, today=TODAY)
        member = dataset.member("M0001")
        assert member is not None and member.paid_on == dt.date(2025, 3, 2)

    def test_without_the_tab_the_members_columns_still_rule(self):
        """Without `Paiements`, `Cotisation payée le` of `Membres` gives the period, as before."""
        from automations.workbook.table import Table

        dataset = Dataset.from_tables({"Membres": Table.from_grid("Membres", MEMBERS)}, today=TODAY)
        assert not dataset.has_ledger
        member = dataset.member("M0002")
        assert member is not None and member.paid_on == dt.date(2026, 2, 15)

    def test_anomalies_of_the_ledger(self, make_book):
        """Unknown member, amount off the fee (with its breakdown), refund without payment,
        duplicate from two sources, reference twice and future date are each reported."""
        book = make_book(
            tabs(
                [
                    ["P00001", "02/03/2026", "M0999", "X", 144, "virement", "cotisation", "R1", "saisie"],
                    [
                        "P00002",
                        "02/03/2026",
                        "M0001",
                        "Le Fair",
                        "150,00 €",
                        "virement",
                        "cotisation",
                        "R2",
                        "saisie",
                    ],
                    ["P00003", "04/03/2026", "M0003", None, -60, "virement", "cotisation", "R3", "saisie"],
                    [
                        "P00004",
                        "05/03/2026",
                        "M0002",
                        None,
                        204,
                        "HelloAsso",
                        "cotisation",
                        "R4",
                        "import HelloAsso du 06/03/2026",
                    ],
                    [
                        "P00005",
                        "05/03/2026",
                        "M0002",
                        None,
                        204,
                        "virement",
                        "cotisation",
                        "R5",
                        "import banque du 07/03/2026",
                    ],
                    ["P00006", "05/03/2026", None, "Mairie", 10, "virement", "don", "r 5", "saisie"],
                    ["P00007", "05/03/2027", "M0003", None, 144, "virement", "cotisation", "R7", "saisie"],
                ]
            )
        )
        sync(book)
        found = {row["ID"]: str(row["Anomalies"] or "") for row in ledger_rows(book)}
        assert "Membre inconnu" in found["P00001"] and "M0999" in found["P00001"]
        assert "Montant 150 € différent de la cotisation due" in found["P00002"]
        assert "144 € TTC (Forfait BASIC 120 € HT)" in found["P00002"]
        assert "Remboursement sans paiement correspondant" in found["P00003"]
        assert "Doublon possible avec P00005" in found["P00004"]
        assert "Doublon possible avec P00004" in found["P00005"]
        assert "déjà utilisée par P00005" in found["P00006"]
        assert "Date dans le futur" in found["P00007"]

    def test_a_cotisation_without_member_names_the_candidates(self, make_book):
        """A cotisation with a blank `Membre` gets an anomaly naming the members it may come from."""
        book = make_book(
            tabs(
                [
                    [
                        "P00001",
                        "02/03/2026",
                        None,
                        "Jean Martin",
                        144,
                        "virement",
                        "cotisation",
                        "R1",
                        "saisie",
                    ],
                ]
            )
        )
        sync(book)
        text = str(ledger_rows(book)[0]["Anomalies"])
        assert "Plusieurs membres possibles" in text and "M0002" in text and "M0004" in text


HELLOASSO = (
    "Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;"
    "Nom payeur;Prénom payeur;Email payeur;Raison sociale;Tarif;Montant tarif;Numéro d'adhérent\n"
    "1001;02/11/2026 10:12;Validé;Diallo;Awa;Diallo;Awa;autre@exemple.fr;;Adhésion BASIC;144,00;cotisation m 0001\n"
    "1002;03/11/2026 11:00;Validé;Martin;Jean;Martin;Jean;JEAN@FICELLE.FR;;Adhésion PREMIUM;204,00;\n"
    "1003;04/11/2026 09:00;Remboursé;Haddad;Lina;Haddad;Lina;x@y.fr;;Adhésion BASIC;144,00;\n"
    "1004;05/11/2026 09:00;Validé;Hadad;Lina;Hadad;Lina;lina.h@gmail.com;Boulangerie Ordenerr;Adhésion BASIC;144 €;\n"
    "1005;06/11/2026 09:00;Validé;Inconnu;Paul;Inconnu;Paul;paul@nulle-part.fr;;Adhésion BASIC;144,00;\n"
)
BANK = (
    "Compte courant association MILA;;;;\n"
    "Date;Libellé;Débit;Crédit;\n"
    "10/11/2026;VIR SEPA RECU /DE ATELIER X /MOTIF SIRET 732 829 320 00074;;144,00;\n"
    "11/11/2026;PRLV SEPA EDF;-85,20;;\n"
    "12/11/2026;VIR SEPA RECU /DE JEAN MARTIN /MOTIF ADHESION;;144,00;\n"
    "13/11/2026;VIR HELLOASSO PAYOUT 12345;;348,00;\n"
    "14/11/2026;VIR SEPA RECU /DE STUDIO FICELE /MOTIF COTISATION;;1 144,00;\n"
)


@pytest.fixture
def files(tmp_path):
    helloasso = tmp_path / "export-helloasso.csv"
    helloasso.write_bytes(HELLOASSO.encode("utf-8-sig"))
    bank = tmp_path / "releve.csv"
    bank.write_bytes(BANK.encode("cp1252"))
    return helloasso, bank


class TestImports:
    def test_each_matching_rule_and_one_append(self, make_book, files):
        """Reference, e-mail, SIRET, name (exact, fuzzy, tie-break) and no match, in one append."""
        book = make_book(tabs([]))
        result = run_import(book.open(), list(files), today=TODAY, policy=POLICY)
        by_ref = {p.values["Référence"]: p for p in result.added}
        assert by_ref["HelloAsso 1001"].values["Membre"] == "M0001"
        assert by_ref["HelloAsso 1001"].how.startswith("référence")
        assert by_ref["HelloAsso 1002"].values["Membre"] == "M0002"
        assert by_ref["HelloAsso 1002"].how == "e-mail du payeur"
        assert by_ref["HelloAsso 1004"].values["Membre"] is None  # proposed, not applied
        assert by_ref["HelloAsso 1004"].how.startswith("nom approchant")
        assert "Payeur proche de M0003 – Boulangerie Ordener" in str(
            by_ref["HelloAsso 1004"].values["Anomalies"]
        )
        assert by_ref["HelloAsso 1005"].values["Membre"] is None
        assert "Aucun membre reconnu" in str(by_ref["HelloAsso 1005"].values["Anomalies"])
        bank = [p for p in result.added if p.values["Moyen"] != "HelloAsso"]
        assert [p.how for p in bank] == [
            "SIRET",
            "nom, départagé par le montant dû",
            "nom approchant (91 %), M0002 proposé",
        ] or [p.how.split(" (")[0] for p in bank][:2] == ["SIRET", "nom, départagé par le montant dû"]
        assert bank[0].values["Membre"] == "M0001"
        assert bank[1].values["Membre"] == "M0004"  # Jean Martin twice: 144 € is the BASIC fee due
        assert bank[2].values["Montant"] == Decimal("1144.00")
        assert result.appended == 7
        assert "HelloAsso 1003" not in by_ref
        assert any("versement de HelloAsso" in line for line in result.ignored)
        assert any("débit" in line for line in result.ignored)
        assert len(ledger_rows(book)) == 7
        assert ledger_rows(book)[0]["ID"] == "P00001"

    def test_importing_the_same_files_twice_adds_nothing(self, make_book, files, emulator):
        """A second import finds every reference in the ledger and sends no write request."""
        book = make_book(tabs([]))
        run_import(book.open(), list(files), today=TODAY, policy=POLICY)
        before = len(emulator.requests)
        again = run_import(book.open(), list(files), today=TODAY, policy=POLICY)
        assert again.added == [] and len(again.already) == 7
        if book.kind == "google":
            new = emulator.requests[before:]
            assert [r.method for r in new] == ["GET", "GET"]
        assert len(ledger_rows(book)) == 7

    def test_an_import_is_two_reads_and_two_appends(self, make_book, files, emulator):
        """Against Google: the titles, one batch read, one append of the rows and one of the
        Journal line; the calc. columns the tab lacks are left to `mila synchroniser`."""
        book = make_book({**tabs([]), "Journal": [["Date", "Tâche", "Résultat", "Détails"]]})
        if book.kind != "google":
            return
        before = len(emulator.requests)
        run_import(book.open(), list(files), today=TODAY, policy=POLICY)
        new = emulator.requests[before:]
        assert len(new) == 4
        assert [r.raw_path.rsplit("/", 1)[-1] for r in new if r.method == "POST"] == [
            "%27Paiements%27%21A1:append",
            "%27Journal%27%21A1:append",
        ]

    def test_dry_run_writes_nothing_and_says_how(self, tmp_path, files):
        """--simulation lists each payment with its member and how it was matched; the file is unchanged."""
        from conftest import XlsxBook

        book = XlsxBook(tmp_path, tabs([]))
        out = io.StringIO()
        code = main(
            [
                "paiements",
                "importer",
                *map(str, files),
                "--simulation",
                "--classeur",
                str(book.path),
                "--date",
                "2026-11-23",
            ],
            out=out,
        )
        assert code == 0
        assert "P00001" in out.getvalue() and "M0001 — référence « cotisation m 0001 »" in out.getvalue()
        assert "seraient ajoutés" in out.getvalue()
        assert ledger_rows(book) == []

    def test_json_output(self, tmp_path, files):
        """--json gives the rows that would be added with how each was matched."""
        from conftest import XlsxBook

        book = XlsxBook(tmp_path, tabs([]))
        out = io.StringIO()
        main(
            [
                "paiements",
                "importer",
                str(files[0]),
                "--simulation",
                "--json",
                "--classeur",
                str(book.path),
                "--date",
                "2026-11-23",
            ],
            out=out,
        )
        data = json.loads(out.getvalue())
        assert data["dry_run"] is True and data["unmatched"] == 2  # 1005 unknown, 1004 proposed
        assert data["added"][0]["Membre"] == "M0001" and data["added"][0]["rapprochement"]

    def test_the_tab_is_created_when_missing(self, tmp_path, files):
        """A workbook without `Paiements` gets the tab, with the contract's header, on import."""
        from conftest import XlsxBook

        book = XlsxBook(tmp_path, tabs())
        result = run_import(book.open(), [files[1]], today=TODAY, policy=POLICY)
        assert result.appended == 3
        assert book.grid("Paiements")[0][:9] == LEDGER_HEADER

    def test_an_ofx_statement(self, tmp_path):
        """An OFX statement is read with ofxtools; its FITIDs are the references."""
        from conftest import XlsxBook

        path = tmp_path / "releve.ofx"
        path.write_text(OFX, encoding="utf-8")
        book = XlsxBook(tmp_path, tabs([]))
        result = run_import(book.open(), [path], today=TODAY, policy=POLICY)
        assert [(p.values["Référence"], p.values["Membre"]) for p in result.added] == [("banque F1", "M0002")]
        assert result.added[0].values["Montant"] == Decimal("204.00")


OFX = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261120<LANGUAGE>FRA</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>30003<BRANCHID>01234<ACCTID>00012345678<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261120
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261105<TRNAMT>204.00<FITID>F1<NAME>VIR SEPA JEAN MARTIN<MEMO>COTISATION M0002</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261106<TRNAMT>-30.00<FITID>F2<NAME>CB PAPETERIE</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>1000.00<DTASOF>20261120</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


class TestBadInput:
    def _book(self, tmp_path):
        from conftest import XlsxBook

        return XlsxBook(tmp_path, tabs([]))

    def test_amounts_with_euro_spaces_and_commas(self, tmp_path):
        """« 1 234,50 € », « 144 » and « 144.00 » are all read as amounts."""
        path = tmp_path / "r.csv"
        path.write_text(
            "Date;Libellé;Montant\n01/11/2026;VIR A;1 234,50 €\n02/11/2026;VIR B;144\n"
            "03/11/2026;VIR C;144.00\n",
            encoding="utf-8",
        )
        result = run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY, dry_run=True)
        assert [p.values["Montant"] for p in result.added] == [
            Decimal("1234.50"),
            Decimal("144"),
            Decimal("144.00"),
        ]

    def test_an_unreadable_amount_appends_nothing(self, tmp_path):
        """A line whose amount cannot be read stops the import with the file, line and column."""
        book = self._book(tmp_path)
        good = tmp_path / "a.csv"
        good.write_text("Date;Libellé;Montant\n01/11/2026;VIR A;10\n", encoding="utf-8")
        bad = tmp_path / "b.csv"
        bad.write_text("Date;Libellé;Montant\n01/11/2026;VIR A;dix euros\n", encoding="utf-8")
        with pytest.raises(PaymentsError, match=r"b\.csv ligne 2 .*Montant.*Rien n'a été importé"):
            run_import(book.open(), [good, bad], today=TODAY, policy=POLICY)
        assert ledger_rows(book) == []

    def test_a_future_date_is_an_anomaly(self, tmp_path):
        """A payment dated after today is appended with an anomaly saying so."""
        path = tmp_path / "r.csv"
        path.write_text("Date;Libellé;Montant\n01/12/2027;VIR SEPA RECU /DE LE FAIR;144\n", encoding="utf-8")
        result = run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY, dry_run=True)
        assert "Date dans le futur" in str(result.added[0].values["Anomalies"])

    def test_a_refund_in_a_statement_is_set_aside(self, tmp_path):
        """A debit (a refund the association made) is no payment received: listed as set aside."""
        path = tmp_path / "r.csv"
        path.write_text("Date;Libellé;Montant\n01/11/2026;REMBOURSEMENT LE FAIR;-144,00\n", encoding="utf-8")
        result = run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY, dry_run=True)
        assert result.added == [] and "débit" in result.ignored[0]

    def test_a_comma_separated_statement_is_still_read(self, tmp_path):
        """A statement separated by commas (amounts with a point) is recognised too."""
        path = tmp_path / "r.csv"
        path.write_text(
            'Date,Libellé,Montant\n01/11/2026,"VIR SEPA RECU /DE LE FAIR",144.00\n', encoding="utf-8"
        )
        result = run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY, dry_run=True)
        assert result.added[0].values["Membre"] == "M0001"

    def test_a_file_of_unknown_columns_lists_what_was_found_and_expected(self, tmp_path):
        """Columns that match neither kind: a French error listing both."""
        path = tmp_path / "r.csv"
        path.write_text("Jour|Texte|Somme\n01/11/2026|x|3\n", encoding="utf-8")
        with pytest.raises(PaymentsError) as caught:
            run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY)
        assert "« Jour », « Texte », « Somme »" in caught.value.message
        assert "Référence commande" in caught.value.message and "Débit" in caught.value.message

    def test_a_helloasso_export_of_another_kind_says_so(self, tmp_path):
        """A HelloAsso export without the order columns is named as another export."""
        path = tmp_path / "dons.csv"
        path.write_text("Date du don;Montant du don;Email payeur\n01/11/2026;20;a@b.fr\n", encoding="utf-8")
        with pytest.raises(PaymentsError, match="export HelloAsso des dons"):
            run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY)

    def test_a_binary_or_utf16_file_is_refused_in_french(self, tmp_path):
        """A UTF-16 file gives a French message asking for CSV UTF-8."""
        path = tmp_path / "r.csv"
        path.write_bytes("Date;Libellé;Montant\n".encode("utf-16"))
        with pytest.raises(PaymentsError, match="CSV UTF-8"):
            run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY)

    def test_a_missing_file(self, tmp_path):
        """A file that does not exist is named in the message; the exit code is 2."""
        book = self._book(tmp_path)
        code = main(
            ["paiements", "importer", str(tmp_path / "absent.csv"), "--classeur", str(book.path)],
            out=io.StringIO(),
        )
        assert code == 2

    def test_a_reference_naming_an_unknown_member(self, tmp_path):
        """« Cotisation M0999 » names nobody: the anomaly says so and the payment stays to match."""
        path = tmp_path / "r.csv"
        path.write_text(
            "Date;Libellé;Montant\n01/11/2026;VIR /DE INCONNU /MOTIF COTISATION M0999;144\n", encoding="utf-8"
        )
        result = run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY, dry_run=True)
        assert result.added[0].values["Membre"] is None
        assert "ne correspond à aucun membre" in str(result.added[0].values["Anomalies"])

    def test_a_reference_twice_in_one_file(self, tmp_path):
        """The second line with the same reference is not imported, and a warning says so."""
        path = tmp_path / "r.csv"
        path.write_text(
            "Date;Libellé;Montant;Référence\n01/11/2026;VIR A;10;X1\n02/11/2026;VIR B;20;X1\n",
            encoding="utf-8",
        )
        result = run_import(self._book(tmp_path).open(), [path], today=TODAY, policy=POLICY, dry_run=True)
        assert len(result.added) == 1
        assert "figure déjà plus haut" in result.warnings[0]


class TestTakeover:
    def test_reprendre_moves_the_members_payments_once(self, make_book):
        """`reprendre` appends one row per paid member; a second run adds nothing."""
        book = make_book(tabs([]))
        first = run_takeover(book.open(), today=TODAY, policy=POLICY)
        assert [(p.values["Membre"], p.values["Montant"]) for p in first.added] == [
            ("M0001", Decimal("144")),
            ("M0002", Decimal("204")),
        ]
        second = run_takeover(book.open(), today=TODAY, policy=POLICY)
        assert second.added == [] and len(second.already) == 2
        assert len(ledger_rows(book)) == 2
        sync(book)
        assert all(row["Anomalies"] is None for row in ledger_rows(book))


class TestHelloAssoApi:
    FORM = "Membership/adhesion-2026"

    def _orders(self):
        from fake_helloasso import order

        return [
            order(
                5001,
                "2026-11-02",
                14400,
                email="x@y.fr",
                first="Awa",
                last="Diallo",
                answers={"Référence": "Cotisation M0001"},
            ),
            order(5002, "2026-11-03", 20400, email="jean@ficelle.fr", first="Jean", last="Martin"),
            order(5003, "2026-11-04", 14400, email="z@z.fr", first="Lina", last="Haddad", state="Refused"),
            order(5004, "2026-11-05", 14400, email="lina@ordener.fr", first="Lina", last="Haddad"),
        ]

    def _client(self, fake, **knobs):
        from automations.payments.helloasso_api import HelloAssoClient
        from automations.settings.payments import PaymentsSettings

        settings = PaymentsSettings(
            helloasso_url=fake.url,
            organisation="mila",
            forms=[self.FORM],
            client_id="id",
            client_secret="secret",
            **knobs,
        )
        self.waits: list[float] = []
        return HelloAssoClient(settings, sleep=self.waits.append)

    def test_orders_are_paged_matched_and_appended_once(self, tmp_path):
        """Pages follow the continuationToken; a second pull adds nothing."""
        from conftest import XlsxBook
        from fake_helloasso import FakeHelloAsso

        from automations.jobs.payments import run_helloasso

        book = XlsxBook(tmp_path, tabs([]))
        with FakeHelloAsso({self.FORM: self._orders()}, page_size=2) as fake:
            result = run_helloasso(book.open(), self._client(fake), today=TODAY, policy=POLICY)
            pages = [q for method, path, q in fake.log if method == "GET"]
            assert [q.get("continuationToken") for q in pages] == [None, "2", "4"]
            again = run_helloasso(book.open(), self._client(fake), today=TODAY, policy=POLICY)
        assert [(p.values["Référence"], p.values["Membre"]) for p in result.added] == [
            ("HelloAsso 5001", "M0001"),
            ("HelloAsso 5002", "M0002"),
            ("HelloAsso 5004", "M0003"),
        ]
        assert result.added[0].values["Montant"] == Decimal("144")
        assert any("5003" in line for line in result.ignored)
        assert again.added == [] and len(again.already) == 3
        assert len(ledger_rows(book)) == 3

    def test_an_expired_token_is_refreshed(self):
        """A 401 on a page makes the client use its refresh token, then go on."""
        from fake_helloasso import FakeHelloAsso

        with FakeHelloAsso({self.FORM: self._orders()}, page_size=1, token_calls=2) as fake:
            read = self._client(fake).orders(dt.date(2026, 1, 1), TODAY)
            grants = [form.get("grant_type") for method, _, form in fake.log if method == "POST"]
        assert len(read.payments) == 3
        assert grants[0] == "client_credentials" and "refresh_token" in grants

    def test_429_answers_are_waited_for_then_retried(self):
        """Each 429 is retried after Retry-After; the orders all come."""
        from fake_helloasso import FakeHelloAsso

        with FakeHelloAsso({self.FORM: self._orders()}, throttle=2) as fake:
            read = self._client(fake).orders(dt.date(2026, 1, 1), TODAY)
        assert len(read.payments) == 3
        assert self.waits[:2] == [1.0, 1.0]

    def test_too_many_429s_give_up_in_french(self):
        """Past the retry budget, a French error; nothing is appended."""
        from fake_helloasso import FakeHelloAsso

        with (
            FakeHelloAsso({self.FORM: self._orders()}, throttle=50) as fake,
            pytest.raises(PaymentsError, match="trop de requêtes"),
        ):
            self._client(fake, max_retries=3).orders(dt.date(2026, 1, 1), TODAY)

    def test_wrong_credentials_and_missing_settings(self):
        """Refused credentials and a missing organisation are French errors."""
        from fake_helloasso import FakeHelloAsso

        from automations.payments.helloasso_api import HelloAssoClient
        from automations.settings.payments import PaymentsSettings

        with (
            FakeHelloAsso({self.FORM: []}, client_secret="other") as fake,
            pytest.raises(PaymentsError, match="refuse les identifiants"),
        ):
            self._client(fake).orders(dt.date(2026, 1, 1), TODAY)
        bare = PaymentsSettings(client_id="a", client_secret="b")
        with pytest.raises(PaymentsError, match="Organisation HelloAsso absente"):
            HelloAssoClient(bare).orders(dt.date(2026, 1, 1), TODAY)

    def test_bad_settings_are_french_config_errors(self):
        """An unknown key or a malformed form in [payments] is a ConfigError in French."""
        from automations.errors import ConfigError
        from automations.settings.payments import PaymentsSettings

        with pytest.raises(ConfigError, match="inconnue"):
            PaymentsSettings.model_validate({"orga": "x"})
        with pytest.raises(ConfigError, match="TYPE/slug"):
            PaymentsSettings(forms=["Boutique/x"])


class TestDemo:
    def test_the_demo_ledger_is_clean_and_its_files_exercise_every_rule(
        self, demo_built, demo_memory, tmp_path
    ):
        """The demo ships three years of payments without anomaly, and two files whose import
        matches by reference, e-mail, SIRET, exact and approaching name, and leaves two to match."""
        import shutil

        from automations.jobs.check import run_check
        from automations.workbook import Workbook

        assert TODAY == DEMO_TODAY
        built = demo_built[0]  # the files the demo builder writes beside the workbook, copied
        for name in ("demo-export-helloasso.csv", "demo-releve-banque.csv"):
            shutil.copyfile(built.with_name(name), tmp_path / name)
        workbook = Workbook(demo_memory)  # the demo's cells: this test is about the rules, not the .xlsx
        checked = run_check(workbook, today=TODAY, policy=POLICY)
        assert not [a for a in checked.anomalies if a.tab == "Paiements"]
        payments = Dataset.from_tables(workbook.read(), today=TODAY).payments
        assert {p.date.year for p in payments if p.date} >= {2024, 2025, 2026}
        files = [tmp_path / "demo-export-helloasso.csv", tmp_path / "demo-releve-banque.csv"]
        result = run_import(Workbook(demo_memory), files, today=TODAY, policy=POLICY)
        rules = {p.how.split(" (")[0].split(" « ")[0] for p in result.added}
        assert rules == {
            "référence",
            "e-mail du payeur",
            "SIRET",
            "nom",
            "nom approchant",
            "aucun membre reconnu",
        }
        assert result.appended == 10 and result.matched == 6  # the two approaching names are proposed
        assert len(result.ignored) == 4
        again = run_import(Workbook(demo_memory), files, today=TODAY, policy=POLICY)
        assert again.appended == 0 and len(again.already) == 10


class TestBenchmark:
    def test_an_import_costs_two_reads_and_two_writes_then_nothing(self):
        """The benchmark's import, at a small size: 2 reads and 2 writes (the rows, the Journal
        line), then 0 writes again."""
        from benchmarks.payments import measure

        m = measure(members=60, bank_lines=50, orders=20)
        assert (m["first_reads"], m["first_writes"]) == (2, 2)
        assert m["first_added"] == 70
        assert (m["second_reads"], m["second_writes"], m["second_added"]) == (2, 0, 0)
