"""Stories across features, continued (``test_stories.py`` holds 1 to 6 and the fixture): each
runs `mila` on a small workbook, on the .xlsx backend and on the Sheets emulator, and checks what
every other job then sees.

7. A booking over capacity → the same anomaly in Réservations, in `verifier` and in the summary,
   on the same rows; the members' reminders are untouched.
8. A member's category changed (bénéficiaire → hébergé of a 30 m² office) → the sync recomputes
   « Cotisation TTC » and the reminder, previewed and sent, asks for that amount.
9. A membership request by form → a new Membres row with the next M ID, « à compléter » in the
   summary and `verifier`, never reminded; once staff fill Catégorie and Forfait, it is
   « en attente » and gets its first-fee reminder for the amount the sheet shows.
10. A sync twice: the first one's count of cells written covers what changed in the sheet, the
    form tab's own columns included; the second writes nothing and says so, leaves no Journal
    line; `mila etat` reports both runs with the same count.
11. A member ID typed twice → neither row is reminded nor sent a receipt; `verifier` and the
    summary point at the same rows, once each.
12. A payment matched to the wrong member (HelloAsso paid from a colleague's account), corrected
    by staff in « Membre » → the statuses, the periods and the reminders follow the correction.
13. A person sorts Membres (and changes one Forfait) → the next sync writes only that member's
    fee cells (and the anomaly of its payment, now below the fee) in the staff's tabs, and counts
    exactly the cells it changed; every calc. column stays with its row's ID.
14. A failed run (`relances` with the mail server down) → `mila etat` reports the failure, the
    Journal holds an « échec » line, the summary lists it; the next run, server back, sends once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from conftest import FEE_HISTORY
from test_mail import free_port
from test_stories import Start, about
from test_stories import start as start  # the fixture: one workbook per story, on each backend

from tests.support.stories import MEMBRES, PAIEMENTS, Mila, helloasso, member, payment


def everything(
    mila: Mila, *, leave_out: tuple[str, ...] = ("Journal", "Relances")
) -> dict[tuple[str, int, int], Any]:
    """Every non-blank cell of the workbook, by (tab, row, column), but the job logs."""
    cells = {}
    for tab, grid in mila.grids().items():
        if tab in leave_out:
            continue
        for r, line in enumerate(grid, start=1):
            for c, value in enumerate(line, start=1):
                if value not in (None, ""):
                    cells[(tab, r, c)] = value
    return cells


def changed(before: dict[Any, Any], after: dict[Any, Any]) -> set[Any]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# --------------------------------------------------------------------------- 7. booking over capacity


def test_a_booking_over_capacity_is_one_anomaly_for_every_job(start: Start) -> None:
    """The meeting room (capacity 1) booked twice on 10/12/2026: the sheet, `verifier` and the
    summary name the same bookings; a cancelled booking the same day counts for nothing."""
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "15/06/2026", "M0001", 144, "VIR 1"),
                payment("P00002", "15/06/2026", "M0002", 144, "VIR 2"),
            ],
            "Locaux": [
                ["ID", "Nom", "Site", "Capacité", "Tarif jour HT", "Réservable"],
                ["L01", "Salle de réunion", "Pépinière", 1, 50, "oui"],
            ],
            "Réservations": [
                [
                    "ID",
                    "Ressource",
                    "Membre",
                    "Organisme",
                    "Début",
                    "Fin",
                    "Formule",
                    "Statut",
                    "Montant HT",
                    "Anomalies",
                ],
                ["R0001", "L01", "M0001", None, "10/12/2026", "10/12/2026", "jour", "confirmée"],
                ["R0002", "L01", "M0002", None, "10/12/2026", "10/12/2026", "jour", "confirmée"],
                ["R0003", "L01", "M0002", None, "10/12/2026", "10/12/2026", "jour", "annulée"],
                ["R0004", "L01", "M0001", None, "11/12/2026", "11/12/2026", "jour", "confirmée"],
            ],
            "Tarifs": FEE_HISTORY,
        }
    )
    code, _ = mila("synchroniser")
    assert code == 0
    in_sheet = {r["ID"] for r in mila.rows("Réservations") if r["Anomalies"]}
    assert in_sheet and in_sheet <= {"R0001", "R0002"}
    assert mila.row("Réservations", "R0004")["Montant HT"] == 50

    check = mila.check()
    in_check = {a["id"] for a in check["anomalies"] if a["tab"] == "Réservations"}
    assert {a["severity"] for a in check["anomalies"] if a["tab"] == "Réservations"} == {"error"}
    items = mila.summary()
    in_summary = {i["ref"] for i in items if i["tab"] == "Réservations" and i["section"] == "erreurs"}
    assert in_sheet == in_check == in_summary
    assert check["errors"] == len([i for i in items if i["section"] == "erreurs"])
    assert about(items, "R0003", "R0004") == []
    assert mila.reminded() == {}


# --------------------------------------------------------------------------- 8. category changed


def test_a_category_change_is_the_amount_the_reminder_asks(start: Start) -> None:
    """M0001 is a bénéficiaire BASIC due on 30/11/2026 (144 €). Staff make it a hosted member of a
    30 m² office: the sync writes 360 € TTC, and the reminder previewed and sent asks 360 €."""
    mila = start(
        {
            "Membres": [MEMBRES, member("M0001", "Onde Claire", "lea@onde.fr")],
            "Paiements": [PAIEMENTS, payment("P00001", "01/12/2025", "M0001", 144, "VIR 1")],
            "Locaux": [["ID", "Nom", "Site", "Surface m²"], ["L01", "Bureau 3", "Pépinière", 30]],
            "Occupations": [["ID", "Membre", "Local", "Début", "Fin", "Anomalies"]],
            "Tarifs": FEE_HISTORY,
        }
    )
    mila("synchroniser")
    assert mila.row("Membres", "M0001")["Cotisation TTC"] == 144
    assert mila.reminded()["M0001"]["amount_ttc"] == "144.00"

    mila.set("Membres", "M0001", "Catégorie", "hébergé")
    mila.set("Membres", "M0001", "Forfait", None)
    mila.append("Occupations", {"ID": "C001", "Membre": "M0001", "Local": "L01", "Début": "01/09/2026"})
    code, _ = mila("synchroniser")
    assert code == 0
    row = mila.row("Membres", "M0001")
    assert (row["Cotisation HT"], row["Cotisation TTC"], row["Voix"]) == (300, 360, 10)
    assert mila.reminded()["M0001"]["amount_ttc"] == "360.00"
    assert mila.check()["errors"] == 0

    code, _ = mila("relances")
    assert code == 0
    message = mila.server.parsed()[-1]
    body = message.get_body(("plain",)).get_content()
    assert "360" in body and "144" not in body


# --------------------------------------------------------------------------- 9. membership request


REQUESTS = "Adhésions (formulaire)"


def test_a_membership_request_becomes_a_member_reminded_for_the_first_fee(start: Start) -> None:
    """A request by form on 30/11/2026: the sync adds M0003 « à compléter » (summary, `verifier`),
    not reminded; staff choose bénéficiaire BASIC: « en attente », 144 €, and on 15/12/2026 the
    first-fee reminder asks the amount the sheet shows."""
    today = dt.date(2026, 12, 1)
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "15/06/2026", "M0001", 144, "VIR 1"),
                payment("P00002", "15/06/2026", "M0002", 144, "VIR 2"),
            ],
            "Tarifs": FEE_HISTORY,
            REQUESTS: [
                ["Horodateur", "Adresse e-mail", "Structure", "Nom et prénom", "Téléphone", "SIRET"],
                [
                    "30/11/2026 14:03:12",
                    "bonjour@lesondes.fr",
                    "Les Ondes",
                    "Inès Faure",
                    "06 12 34 56 78",
                    "",
                ],
            ],
        },
        today=today,
    )
    code, _ = mila("synchroniser")
    assert code == 0
    new = [r for r in mila.rows("Membres") if r["Email"] == "bonjour@lesondes.fr"]
    assert [r["ID"] for r in new] == ["M0003"]
    assert new[0]["Anomalies"] and "Catégorie" in new[0]["Anomalies"]
    assert [i["ref"] for i in mila.summary() if i["section"] == "adhesions"] == ["M0003"]
    assert {a["id"] for a in mila.check()["anomalies"] if a["severity"] == "error"} == {"M0003"}
    first_fee = dt.date(2026, 12, 15)
    assert "M0003" not in mila.reminded(first_fee)

    mila.set("Membres", "M0003", "Catégorie", "bénéficiaire")
    mila.set("Membres", "M0003", "Forfait", "BASIC")
    code, _ = mila("synchroniser")
    assert code == 0
    row = mila.row("Membres", "M0003")
    assert (row["Statut"], row["Cotisation TTC"], row["Anomalies"]) == ("en attente", 144, None)
    assert about(mila.summary(), "M0003", "Les Ondes") == []
    assert mila.check()["errors"] == 0
    due = mila.reminded(first_fee)
    assert set(due) == {"M0003"}
    assert due["M0003"]["amount_ttc"] == f"{row['Cotisation TTC']:.2f}"
    assert due["M0003"]["address"] == "bonjour@lesondes.fr"
    assert due["M0003"]["reminder"].startswith("première cotisation")
    assert len([r for r in mila.rows("Membres") if r["Email"] == "bonjour@lesondes.fr"]) == 1


# --------------------------------------------------------------------------- 10. sync twice


FORM = "Inscriptions (formulaire)"


def test_a_second_sync_writes_nothing_and_the_status_says_so(start: Start) -> None:
    """The first sync's count of cells written is the number of cells that changed in the sheet,
    form tabs included; the second changes nothing, says so, leaves no new Journal line, and
    `mila etat` shows the sync's last run."""
    today = dt.date(2027, 2, 15)
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
            ],
            "Paiements": [PAIEMENTS, payment("P00001", "15/11/2026", "M0001", 144, "VIR 1")],
            "Événements": [
                ["ID", "Date", "Heure", "Type", "Titre", "Capacité", "Inscrits", "Liste d'attente"],
                ["E001", "04/03/2027", "18:30", "Club MILA", "Droits voisins", 10],
            ],
            "Inscriptions": [["ID", "Événement", "Membre", "Inscrit le", "Statut", "Place", "Anomalies"]],
            FORM: [
                ["Horodateur", "Adresse e-mail", "Nom et prénom", "Structure", "Événement"],
                ["10/02/2027 09:00:00", "lea@onde.fr", "", "", "E001"],
                ["11/02/2027 09:00:00", "paul@nord.fr", "", "", "E001"],
            ],
            "Tarifs": FEE_HISTORY,
        },
        today=today,
    )
    before = everything(mila)
    first = mila.json("synchroniser")
    after = everything(mila)
    written = changed(before, after)
    assert {tab for tab, _, _ in written} >= {"Membres", "Événements", "Inscriptions", FORM}
    # One count for the whole run: every cell the sync changed is in « cells_written » — the calc.
    # columns, the form tab's own columns — but the answers' new Inscriptions rows, which it
    # reports as rows added, and the Listes tab it created for the dropdowns.
    added = set(first["forms"]["tabs"][0]["added"])
    assert [r["ID"] for r in mila.rows("Inscriptions")] == sorted(added) == ["I0001", "I0002"]
    grid = mila.grid("Inscriptions")
    typed = {
        ("Inscriptions", number, column)
        for number, line in enumerate(grid, start=1)
        if line and line[0] in added
        for column, name in enumerate(grid[0], start=1)
        if name not in ("Place", "Anomalies")
    }
    counted = {key for key in written - typed if key[0] != "Listes"}
    assert {tab for tab, _, _ in counted} == {"Membres", "Paiements", "Événements", "Inscriptions", FORM}
    assert len(counted) <= first["cells_written"] <= len(written), (first["cells_written"], sorted(counted))
    lines = len(mila.journal())
    status = {row["job"]: row for row in mila.json("etat", dated=False)}
    assert status["sync"]["result"] == "succès"
    assert f"{first['cells_written']} cellule(s) écrite(s)" in status["sync"]["message"]

    code, out = mila("synchroniser")
    assert code == 0 and "Rien à changer" in out
    assert everything(mila) == after
    assert len(mila.journal()) == lines
    second = mila.json("synchroniser")
    assert second["cells_written"] == 0 and second["ids_assigned"] == 0

    status = {row["job"]: row for row in mila.json("etat", dated=False)}
    assert status["sync"]["result"] == "rien à faire" and status["sync"]["failures_since_success"] == 0
    assert len(mila.to("lea@onde.fr")) == len(mila.to("paul@nord.fr")) == 1  # acknowledged once


# --------------------------------------------------------------------------- 11. duplicate ID


def test_a_member_id_typed_twice_gets_no_reminder_and_no_receipt(start: Start) -> None:
    """Two rows hold M0001, both due: neither is reminded nor sent the receipt of a payment to
    M0001; `verifier` and the summary point at the same rows, each once."""
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0001", "Studio Nord", "paul@nord.fr"),
                member("M0002", "Label Sud", "ines@sud.fr"),
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "01/12/2025", "M0001", 144, "VIR 1"),
                payment("P00002", "01/12/2025", "M0002", 144, "VIR 2"),
                payment("P00003", "20/11/2026", "M0001", 144, "VIR 3"),
            ],
            "Tarifs": FEE_HISTORY,
        }
    )
    mila("synchroniser")
    assert set(mila.reminded()) == {"M0002"}
    mila("relances")
    mila("docs", "recus", "--envoyer")
    assert [a for a, _ in mila.received()] == ["ines@sud.fr"]
    assert mila.row("Paiements", "P00003")["Reçu envoyé le"] in (None, "")

    check = mila.check()
    flagged = Counter((a["tab"], a["row"]) for a in check["anomalies"] if a["id"] == "M0001")
    items = [i for i in mila.summary() if i["ref"] == "M0001" or "M0001" in i["text"]]
    listed = Counter((i["tab"], i["row"]) for i in items)
    assert flagged and set(flagged) == set(listed) <= {("Membres", 2), ("Membres", 3), ("Paiements", 4)}
    assert set(listed.values()) == {1}
    assert {i["section"] for i in items} == {"erreurs"}


# --------------------------------------------------------------------------- 12. wrong member


def test_a_payment_moved_to_the_right_member_moves_the_status(start: Start, tmp_path: Path) -> None:
    """Léa pays M0001's fee from Paul's HelloAsso account: the import gives it to M0002. Staff
    correct « Membre »: M0001 is « à jour », M0002 is reminded again, for every job."""
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "01/12/2025", "M0001", 144, "VIR 1"),
                payment("P00002", "01/12/2025", "M0002", 144, "VIR 2"),
            ],
            "Tarifs": FEE_HISTORY,
        }
    )
    export = helloasso(tmp_path / "export.csv", ("5001", "20/11/2026 ", "Paul", "Roux", "paul@nord.fr", ""))
    code, _ = mila("paiements", "importer", str(export))
    assert code == 0 and mila.row("Paiements", "P00003")["Membre"] == "M0002"
    mila("synchroniser")
    assert mila.row("Membres", "M0002")["Statut"] == "à jour"
    assert set(mila.reminded()) == {"M0001"}

    mila.set("Paiements", "P00003", "Membre", "M0001")
    code, _ = mila("synchroniser")
    assert code == 0
    lea, paul = mila.row("Membres", "M0001"), mila.row("Membres", "M0002")
    assert (lea["Statut"], paul["Statut"]) == ("à jour", "à renouveler")
    assert lea["Échéance"] > paul["Échéance"]
    assert mila.row("Paiements", "P00003")["Période"] not in (None, "")
    assert set(mila.reminded()) == {"M0002"}
    assert about(mila.summary(), "M0001", "M0002", "P00003") == []
    assert mila.check()["errors"] == 0


# --------------------------------------------------------------------------- 13. a person sorts


def test_after_a_person_sorts_members_the_sync_writes_only_what_changed(start: Start) -> None:
    """Sync, then a person sorts Membres backwards and moves M0002 to PREMIUM: the next sync
    writes M0002's two fee cells and nothing else; each row keeps its own calc. values."""
    mila = start(
        {
            "Membres": [MEMBRES]
            + [member(f"M000{n}", f"Studio {n}", f"contact{n}@studio.fr") for n in range(1, 5)],
            "Paiements": [PAIEMENTS]
            + [payment(f"P0000{n}", f"0{n}/06/2026", f"M000{n}", 144, f"VIR {n}") for n in range(1, 5)],
            "Tarifs": FEE_HISTORY,
        }
    )
    mila("synchroniser")
    by_id = {r["ID"]: r for r in mila.rows("Membres")}
    choices = sorted(v for v in everything(mila).values() if str(v).startswith("M000"))
    mila.book.reverse_rows("Membres")
    mila.set("Membres", "M0002", "Forfait", "PREMIUM")
    before = everything(mila)
    result = mila.json("synchroniser")
    after = everything(mila)
    everywhere = changed(before, after)
    written = {key for key in everywhere if key[0] != "Listes"}

    def cell(tab: str, row_id: str, column: str) -> tuple[str, int, int]:
        grid = mila.grid(tab)
        number = next(i for i, line in enumerate(grid, start=1) if line and line[0] == row_id)
        return (tab, number, [str(h) for h in grid[0]].index(column) + 1)

    # M0002's fee, and the anomaly of its last payment, now below the PREMIUM fee: nothing else.
    expected = {cell("Membres", "M0002", "Cotisation HT"), cell("Membres", "M0002", "Cotisation TTC")}
    assert expected <= written <= expected | {cell("Paiements", "P00002", "Anomalies")}
    assert result["cells_written"] == len(everywhere)  # Listes: the dropdown follows the new order
    for row in mila.rows("Membres"):
        wanted = dict(by_id[row["ID"]])
        if row["ID"] == "M0002":
            wanted.update({"Forfait": "PREMIUM", "Cotisation HT": 170, "Cotisation TTC": 204})
        assert row == wanted
    # The dropdowns still offer the same members (in the order the sheet now shows them).
    assert sorted(v for v in after.values() if str(v).startswith("M000")) == choices
    again = mila.json("synchroniser")
    assert again["cells_written"] == 0 and everything(mila) == after


# --------------------------------------------------------------------------- 14. a failed run


def test_a_failed_run_is_seen_by_the_status_the_journal_and_the_summary(start: Start) -> None:
    """`relances` with the mail server down fails: `mila etat` says so (exit 1), the Journal has
    an « échec » line, the summary lists it. Server back: sent once, `etat` clear."""
    mila = start(
        {
            "Membres": [MEMBRES, member("M0001", "Onde Claire", "lea@onde.fr")],
            "Paiements": [PAIEMENTS, payment("P00001", "01/12/2025", "M0001", 144, "VIR 1")],
            "Tarifs": FEE_HISTORY,
        }
    )
    mila.configure(port=free_port())
    code, _ = mila("relances")
    assert code != 0
    assert mila.received() == []
    code, _ = mila("etat", dated=False)
    assert code == 1
    status = {row["job"]: row for row in mila.json("etat", dated=False)}
    assert status["renewals"]["failures_since_success"] == 1
    failures = [r for r in mila.journal() if r["Résultat"] == "échec"]
    assert len(failures) == 1
    assert [i["section"] for i in mila.summary() if i["section"] == "echecs"] == ["echecs"]
    assert "M0001" in mila.reminded()

    mila.configure()
    code, _ = mila("relances")
    assert code == 0 and [a for a, _ in mila.received()] == ["lea@onde.fr"]
    status = {row["job"]: row for row in mila.json("etat", dated=False)}
    assert status["renewals"]["failures_since_success"] == 0 and status["renewals"]["result"] == "succès"
    code, _ = mila("etat", dated=False)
    assert code == 0
    code, _ = mila("relances")
    assert len(mila.received()) == 1
    assert mila.reminded() == {}
