"""Payments imports that never give a member someone else's money and never drop a refund:
an approaching name is proposed, not applied; an order refunded after its import becomes a
refund row, or a problem the command reports."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from conftest import FEE_HISTORY, XlsxBook
from fake_helloasso import FakeHelloAsso, order

from automations.cli import main
from automations.clock import FixedClock
from automations.jobs.payments import run_helloasso, run_import
from automations.jobs.sync import run_sync
from automations.model.dataset import Dataset
from automations.rules.matching import Clue, MemberIndex
from automations.rules.membership import MembershipPolicy
from automations.rules.receipts import choose_receipts
from automations.workbook.table import Table

TODAY = dt.date(2026, 11, 23)
POLICY = MembershipPolicy()
FORM = "Membership/adhesion-2026"
HEADER: list[object] = ["ID", "Structure", "Contact", "Email", "Catégorie", "Forfait", "Adhésion le"]
MEMBERS: list[list[object]] = [
    HEADER,
    [
        "M0012",
        "Éditions Ritournelle",
        "Claire Vidal",
        "claire@ritournelle.fr",
        "bénéficiaire",
        "BASIC",
        "01/01/2024",
    ],
    ["M0013", "Studio Lumen", "Paul Roche", "paul@lumen.fr", "bénéficiaire", "BASIC", "01/01/2024"],
]
EXPORT_HEADER = (
    "Référence commande;Date de la commande;Statut de la commande;Nom payeur;Prénom payeur;"
    "Email payeur;Raison sociale;Tarif;Montant tarif\n"
)


def members_of() -> list:
    return Dataset.from_tables({"Membres": Table.from_grid("Membres", MEMBERS)}, today=TODAY).members


def book_with(tmp_path, ledger: list[list[object]] | None = None) -> XlsxBook:
    tabs: dict[str, list[list[object]]] = {"Membres": MEMBERS, "Tarifs": FEE_HISTORY}
    tabs["Paiements"] = [
        ["ID", "Date", "Membre", "Payeur", "Montant", "Moyen", "Objet", "Référence", "Source"],
        *(ledger or []),
    ]
    return XlsxBook(tmp_path, tabs)


def export(tmp_path, name: str, lines: str):
    path = tmp_path / name
    path.write_bytes((EXPORT_HEADER + lines).encode("utf-8-sig"))
    return path


def rows(book: XlsxBook) -> list[dict[str, object]]:
    grid = book.grid("Paiements")
    blank = {"Anomalies": None, "Période": None}
    return [
        {**blank, **dict(zip(grid[0], line + [None] * (len(grid[0]) - len(line)), strict=True))}
        for line in grid[1:]
    ]


class TestApproachingName:
    def test_a_close_name_is_proposed_not_applied(self):
        """A 97 % name leaves the member blank and names the candidate for the staff to confirm."""
        index = MemberIndex(members_of())
        match = index.match(Clue(names=("Editions Ritournele",)))
        assert match.member_id is None and match.proposed == "M0012"
        assert match.problem is not None
        assert "Payeur proche de M0012 – Éditions Ritournelle" in match.problem
        assert "choisissez-le dans « Membre »" in match.problem

    def test_exact_rules_still_apply(self):
        """An exact normalised name, an e-mail and the reference still fill the member."""
        index = MemberIndex(members_of())
        assert index.match(Clue(names=("EDITIONS RITOURNELLE",))).member_id == "M0012"
        assert index.match(Clue(email="Paul@Lumen.fr")).member_id == "M0013"
        assert index.match(Clue(text="Cotisation M0013")).member_id == "M0013"

    def test_the_import_and_the_sync_keep_the_proposal(self, tmp_path):
        """The imported row has no member and its anomaly proposes M0012, before and after the sync."""
        book = book_with(tmp_path)
        path = export(
            tmp_path,
            "export.csv",
            "7001;02/11/2026;Validé;Ritournele;Édition;autre@exemple.fr;Editions Ritournele;Adhésion BASIC;144,00\n",
        )
        result = run_import(book.open(), [path], today=TODAY, policy=POLICY)
        assert result.matched == 0 and result.added[0].how.endswith("M0012 proposé")
        assert "Payeur proche de M0012 – Éditions Ritournelle" in str(result.added[0].values["Anomalies"])
        [row] = rows(book)
        assert row["Membre"] is None and row["Objet"] == "cotisation"
        run_sync(book.open(), today=TODAY, policy=POLICY, clock=FixedClock(dt.datetime(2026, 11, 23, 9)))
        [row] = rows(book)
        assert row["Membre"] is None
        assert "Payeur proche de M0012 – Éditions Ritournelle" in str(row["Anomalies"])
        dataset = Dataset.from_tables(book.open().read(), today=TODAY)
        receipts = choose_receipts(dataset, {"cotisation"}, set())
        assert receipts.chosen == () and "aucun membre" in receipts.skipped[0]  # no receipt follows


PAID = "7002;02/11/2026;Validé;Roche;Paul;paul@lumen.fr;Studio Lumen;Adhésion BASIC;144,00\n"
REFUNDED = "7002;02/11/2026;Remboursé;Roche;Paul;paul@lumen.fr;Studio Lumen;Adhésion BASIC;144,00\n"


class TestRefundedOrders:
    def test_a_refunded_export_line_becomes_a_refund_row(self, tmp_path):
        """Re-exported « Remboursé », an imported order gives a negative row for the same
        member, which the sync pairs with the payment (no anomaly); a third import adds nothing."""
        book = book_with(tmp_path)
        run_import(book.open(), [export(tmp_path, "a.csv", PAID)], today=dt.date(2026, 11, 3), policy=POLICY)
        result = run_import(book.open(), [export(tmp_path, "b.csv", REFUNDED)], today=TODAY, policy=POLICY)
        assert [p.how for p in result.added] == ["remboursement de P00001"]
        paid, refund = rows(book)
        assert refund["Montant"] == -144 and refund["Membre"] == paid["Membre"] == "M0013"
        assert refund["Référence"] == "HelloAsso 7002 remboursement"
        assert refund["Objet"] == "cotisation" and "remboursement de P00001" in str(refund["Source"])
        run_sync(book.open(), today=TODAY, policy=POLICY, clock=FixedClock(dt.datetime(2026, 11, 23, 9)))
        assert [r["Anomalies"] for r in rows(book)] == [None, None]
        members = {m.id: m for m in Dataset.from_tables(book.open().read(), today=TODAY).members}
        assert members["M0013"].paid_on is None  # the refunded cotisation no longer counts
        again = run_import(book.open(), [export(tmp_path, "c.csv", REFUNDED)], today=TODAY, policy=POLICY)
        assert again.added == [] and again.already == ["HelloAsso 7002 remboursement"]

    def test_a_refund_that_cannot_be_written_is_reported(self, tmp_path):
        """When the ledger's row no longer holds the amount, the command names the row, says
        what to type, and ends with code 1; nothing is appended."""
        book = book_with(
            tmp_path,
            [
                [
                    "P00001",
                    "02/11/2026",
                    "M0013",
                    "Studio Lumen",
                    50,
                    "HelloAsso",
                    "cotisation",
                    "HelloAsso 7002",
                    "x",
                ]
            ],
        )
        out = io.StringIO()
        code = main(
            ["paiements", "importer", str(export(tmp_path, "b.csv", REFUNDED)), "--classeur", str(book.path)]
            + ["--date", "2026-11-23"],
            out=out,
        )
        assert code == 1
        text = out.getvalue()
        assert "commande 7002 remboursée (144 €)" in text and "P00001" in text
        assert "Référence « HelloAsso 7002 remboursement »" in text
        assert len(rows(book)) == 1

    def test_a_refund_never_imported_is_listed(self, tmp_path):
        """An order refunded before any import is set aside, and the command says why."""
        book = book_with(tmp_path)
        result = run_import(book.open(), [export(tmp_path, "b.csv", REFUNDED)], today=TODAY, policy=POLICY)
        assert result.added == []
        assert any("7002 remboursée, jamais importée" in line for line in result.ignored)

    @pytest.fixture
    def client(self):
        from automations.payments.helloasso_api import HelloAssoClient
        from automations.settings.payments import PaymentsSettings

        def make(fake: FakeHelloAsso) -> HelloAssoClient:
            settings = PaymentsSettings(
                helloasso_url=fake.url,
                organisation="mila",
                forms=[FORM],
                client_id="id",
                client_secret="secret",
            )
            return HelloAssoClient(settings, sleep=lambda _: None)

        return make

    def test_the_api_refund_becomes_a_refund_row_dated_by_its_operation(self, tmp_path, client):
        """Pulled once paid then once refunded, an order gives its payment then its refund row,
        dated the day of the refund operation."""
        book = book_with(tmp_path)
        paid = order(8001, "2026-11-02", 14400, email="paul@lumen.fr", first="Paul", last="Roche")
        with FakeHelloAsso({FORM: [paid]}) as fake:
            run_helloasso(book.open(), client(fake), today=dt.date(2026, 11, 3), policy=POLICY)
        refunded = order(
            8001,
            "2026-11-02",
            14400,
            email="paul@lumen.fr",
            first="Paul",
            last="Roche",
            refunded_on="2026-11-20",
        )
        with FakeHelloAsso({FORM: [refunded]}) as fake:
            result = run_helloasso(book.open(), client(fake), today=TODAY, policy=POLICY)
        assert [p.how for p in result.added] == ["remboursement de P00001"]
        refund = rows(book)[1]
        assert refund["Montant"] == Decimal("-144") and refund["Membre"] == "M0013"
        assert refund["Date"] == dt.datetime(2026, 11, 20)
        assert refund["Référence"] == "HelloAsso 8001 remboursement"
