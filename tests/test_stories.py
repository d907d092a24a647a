"""Stories across features: each one runs `mila` as staff do, on a small workbook built for it,
on the .xlsx backend and on the Sheets emulator, and checks what every *other* job then sees.

1. A payment imported (`paiements importer`, HelloAsso CSV) → after `synchroniser` the member is
   « à jour » with a new « Échéance »; `relances --simulation` and `relances` leave them out (the
   other member still gets theirs); `docs recus --envoyer` twice sends their receipt once; the
   summary (`resume --simulation`) says nothing about them.
2. A member leaves (`Sortie le`, their occupation left without « Fin ») → « sortie » in Membres,
   no fee, no reminder; their occupation counts as ended (no overlap anomaly with the next
   occupant of the office, whose fee is the office's; no convention produced or offered by
   `docs conventions --envoyer --simulation`); nothing in the summary nor in `verifier`.
3. A form registration for a full event → Inscriptions row « attente 1 » and its acknowledgement;
   a cancellation → « confirmée », one « place confirmée » notice, sent once over two syncs.
4. A deleted payment row → its P ID is not handed out again by the next import; each import
   leaves a Journal line.
5. A crash in the middle of a batch of reminders (the SMTP server drops the connection while the
   third of four messages is in flight) → that one message « à vérifier » (in Relances, in the
   summary), the fourth « annulée » then sent by the next run, none twice.
5b. The same with `mila relances` killed (SIGKILL, a process of its own) while the server holds the
   third message → the next run reports only that one « à vérifier » and sends the fourth.
6. After an import, the summary's counts equal those of `relances --simulation --json` (reminders
   too old) and `verifier --json` (errors per tab, same rows).

The other file, ``test_stories_more.py``, holds stories 7 to 14.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FEE_HISTORY, GoogleBook, XlsxBook
from test_mail import SmtpServer

from tests.support.processes import MilaProcess
from tests.support.stories import MEMBRES, PAIEMENTS, Grid, Mila, helloasso, member, payment

TODAY = dt.date(2026, 11, 23)

Start = Callable[..., Mila]


@pytest.fixture(params=["xlsx", "google"])
def start(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_server: Any
) -> Start:
    """Build a story's workbook on one backend and give the `mila` that runs on it."""
    for name in (
        "MILA_CONFIG",
        "MILA_WORKBOOK",
        "MILA_SHEET",
        "SHEETS_EMULATOR_HOST",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def build(tabs: dict[str, Grid], today: dt.date = TODAY, server: Any = None) -> Mila:
        if request.param == "xlsx":
            book: Any = XlsxBook(tmp_path, tabs)
        else:
            emulator = request.getfixturevalue("emulator")
            monkeypatch.setenv("SHEETS_EMULATOR_HOST", emulator.address)
            book = GoogleBook(emulator, tabs)
        return Mila(book, tmp_path, server or smtp_server, today)

    return build


def about(items: list[dict[str, Any]], *words: str) -> list[dict[str, Any]]:
    """The summary items that name any of ``words`` (an ID, a name, an address)."""
    return [i for i in items if any(w in f"{i['ref']} {i['text']}" for w in words)]


# --------------------------------------------------------------------------- 1. payment imported


def test_a_payment_imported_makes_the_member_up_to_date_for_every_job(start: Start, tmp_path: Path) -> None:
    """Two members due for their J-7 reminder; one pays on HelloAsso. After the import and the
    sync, every job sees that member paid: no reminder, a receipt once, nothing in the summary."""
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
    assert set(mila.reminded()) == {"M0001", "M0002"}
    export = helloasso(
        tmp_path / "export.csv", ("2001", "20/11/2026 ", "Léa", "Morel", "lea@onde.fr", "M0001")
    )

    code, out = mila("paiements", "importer", str(export))
    assert code == 0 and "P00003" in out
    assert mila.row("Paiements", "P00003")["Membre"] == "M0001"
    code, _ = mila("synchroniser")
    assert code == 0

    paid, other = mila.row("Membres", "M0001"), mila.row("Membres", "M0002")
    assert paid["Statut"] == "à jour" and other["Statut"] == "à renouveler"
    assert paid["Échéance"] > other["Échéance"]
    assert set(mila.reminded()) == {"M0002"}
    code, _ = mila("relances")
    assert code == 0 and [a for a, _ in mila.received()] == ["paul@nord.fr"]

    for _ in range(2):
        code, _ = mila("docs", "recus", "--envoyer")
        assert code == 0
    assert mila.to("lea@onde.fr") and len(mila.to("lea@onde.fr")) == 1
    assert len(mila.received()) == 2  # the reminder to M0002 and the one receipt
    assert mila.row("Paiements", "P00003")["Reçu envoyé le"] not in (None, "")

    items = mila.summary()
    assert about(items, "M0001", "Onde Claire", "lea@onde.fr", "P00003") == []
    assert mila.check()["errors"] == 0


# --------------------------------------------------------------------------- 2. a member leaves


def test_a_member_who_left_is_neither_reminded_nor_billed_nor_sent_a_convention(start: Start) -> None:
    """A hosted member whose occupation of Bureau 1 has no « Fin » leaves on 31/10/2026; another
    member moves into Bureau 1 on 01/11/2026. The one who left is « sortie », owes no fee, gets
    no reminder; their occupation counts as ended (no overlap with the newcomer's, no convention
    produced or offered to sign); the summary and `verifier` say nothing about them."""
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member(
                    "M0001", "Atelier Parti", "ana@parti.fr", category="hébergé", plan=None, left="31/10/2026"
                ),
                member("M0002", "Atelier Reste", "tom@reste.fr", category="hébergé", plan=None),
                member(
                    "M0003", "Atelier Neuf", "eve@neuf.fr", category="hébergé", plan=None, joined="01/11/2026"
                ),
            ],
            "Locaux": [
                ["ID", "Nom", "Site", "Surface m²", "Loyer mensuel HT"],
                ["L01", "Bureau 1", "Pépinière", 20, 400],
                ["L02", "Bureau 2", "Pépinière", 30, 600],
            ],
            "Occupations": [
                ["ID", "Membre", "Local", "Début", "Fin", "Anomalies"],
                ["C001", "M0001", "L01", "01/01/2024", None],
                ["C002", "M0002", "L02", "01/01/2024", None],
                ["C003", "M0003", "L01", "01/11/2026", None],
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "01/12/2025", "M0001", 240, "VIR 1"),
                payment("P00002", "01/12/2025", "M0002", 360, "VIR 2"),
                payment("P00003", "01/11/2026", "M0003", 240, "VIR 3"),
            ],
            "Tarifs": FEE_HISTORY,
        }
    )
    code, _ = mila("synchroniser")
    assert code == 0
    gone, staying = mila.row("Membres", "M0001"), mila.row("Membres", "M0002")
    assert gone["Statut"] == "sortie" and gone["Cotisation TTC"] in (None, "", 0)
    assert staying["Statut"] == "à renouveler" and staying["Cotisation TTC"] == 360
    assert mila.row("Membres", "M0003")["Cotisation TTC"] == 240  # Bureau 1 is billed to the newcomer only

    assert set(mila.reminded()) == {"M0002"}
    assert mila.row("Occupations", "C001")["Anomalies"] in (None, "")
    assert mila.row("Occupations", "C003")["Anomalies"] in (None, "")
    data = mila.json("docs", "conventions", "--envoyer", "--simulation")
    assert {w["key"] for w in data["written"]} == {"convention:C002", "convention:C003"}
    assert {m["member"] for m in data["sending"]["messages"]} == {"M0002", "M0003"}
    assert about(mila.summary(), "M0001", "Atelier Parti", "ana@parti.fr", "C001") == []
    assert [a for a in mila.check()["anomalies"] if a["id"] in ("M0001", "C001", "C003")] == []


# --------------------------------------------------------------------------- 3. waiting list


FORM = "Inscriptions (formulaire)"


def test_a_form_registration_for_a_full_event_waits_then_is_promoted_once(start: Start) -> None:
    """E001 has one seat, taken by M0001. M0002 registers by the form: « attente 1 » and a
    waiting-list acknowledgement. M0001 cancels: M0002's place is confirmed and told once."""
    today = dt.date(2027, 2, 15)
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "15/11/2026", "M0001", 144, "VIR 1"),
                payment("P00002", "15/11/2026", "M0002", 144, "VIR 2"),
            ],
            "Événements": [
                ["ID", "Date", "Heure", "Type", "Titre", "Lieu", "Capacité", "Inscrits", "Liste d'attente"],
                ["E001", "04/03/2027", "18:30", "Club MILA", "Droits voisins", "Pépinière", 1],
            ],
            "Inscriptions": [
                ["ID", "Événement", "Membre", "Inscrit le", "Statut", "Place", "Anomalies"],
                ["I0001", "E001", "M0001", "01/02/2027 10:00", "inscrit"],
            ],
            FORM: [
                ["Horodateur", "Adresse e-mail", "Nom et prénom", "Structure", "Événement"],
                ["10/02/2027 09:00:00", "paul@nord.fr", "Contact Studio Nord", "Studio Nord", "E001"],
            ],
            "Tarifs": FEE_HISTORY,
        },
        today=today,
    )
    code, _ = mila("synchroniser")
    assert code == 0
    waiting = [r for r in mila.rows("Inscriptions") if r["Membre"] == "M0002"]
    assert len(waiting) == 1 and waiting[0]["Place"] == "attente 1"
    registration = waiting[0]["ID"]
    assert mila.row("Événements", "E001")["Liste d'attente"] == 1
    assert len(mila.to("paul@nord.fr")) == 1 and "attente" in mila.to("paul@nord.fr")[0].lower()

    mila.set("Inscriptions", "I0001", "Statut", "annulé")
    for _ in range(2):
        code, _ = mila("synchroniser")
        assert code == 0
    assert mila.row("Inscriptions", registration)["Place"] == "confirmée"
    assert (
        mila.row("Événements", "E001")["Inscrits"],
        mila.row("Événements", "E001")["Liste d'attente"],
    ) == (
        1,
        0,
    )
    subjects = mila.to("paul@nord.fr")
    assert len(subjects) == 2, subjects
    assert "attente" not in subjects[1].lower() and "confirmée" in subjects[1]
    assert mila.to("lea@onde.fr") == []
    statuses = Counter(r["Statut"] for r in mila.log())
    assert statuses["à vérifier"] == 0 and statuses["échec"] == 0
    assert about(mila.summary(), registration, "paul@nord.fr") == []


# --------------------------------------------------------------------------- 4. IDs never reused


def test_a_deleted_payment_id_is_never_handed_out_again(start: Start, tmp_path: Path) -> None:
    """An import adds P00001 and P00002; a person deletes P00002's row; the next import gives
    P00003, never P00002 again; each import left its Journal line."""
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
            ],
            "Paiements": [PAIEMENTS],
            "Tarifs": FEE_HISTORY,
        }
    )
    first = helloasso(
        tmp_path / "premier.csv",
        ("3001", "02/11/2026 ", "Léa", "Morel", "lea@onde.fr", "M0001"),
        ("3002", "03/11/2026 ", "Paul", "Roux", "paul@nord.fr", "M0002"),
    )
    code, _ = mila("paiements", "importer", str(first))
    assert code == 0
    assert [r["ID"] for r in mila.rows("Paiements")] == ["P00001", "P00002"]
    mila.delete("Paiements", "P00002")  # typed against the wrong association, say
    assert [r["ID"] for r in mila.rows("Paiements")] == ["P00001"]

    second = helloasso(
        tmp_path / "second.csv", ("3003", "10/11/2026 ", "Paul", "Roux", "paul@nord.fr", "M0002")
    )
    code, out = mila("paiements", "importer", str(second))
    assert code == 0
    assert [r["ID"] for r in mila.rows("Paiements")] == ["P00001", "P00003"], out
    code, _ = mila("synchroniser")
    assert code == 0 and [r["ID"] for r in mila.rows("Paiements")] == ["P00001", "P00003"]
    imports = [r for r in mila.journal() if "paiement" in str(r["Tâche"]).lower()]
    assert len(imports) == 2, mila.journal()


# --------------------------------------------------------------------------- 5. crash mid-batch


class DroppingServer(SmtpServer):
    """Accepts ``keep`` messages, then takes the next one and drops the connection without
    answering: the sender cannot know whether it left."""

    def __init__(self, keep: int) -> None:
        super().__init__()
        self.keep = keep
        self.dropped: list[str] = []  # the recipients of the message in flight

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= self.keep:
            self.keep = 10**6  # once
            self.dropped = list(envelope.rcpt_tos)
            server.transport.close()
            await asyncio.sleep(0.05)
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def test_a_crash_in_a_batch_of_reminders_blocks_only_the_message_in_flight(start: Start) -> None:
    """Four reminders due; the connection dies while the third is in flight. Only that one is
    « à vérifier » (Relances, summary); the next run sends the fourth; nobody gets two."""
    dropping = DroppingServer(keep=2)
    dropping.start()
    try:
        mila = start(
            {
                "Membres": [MEMBRES]
                + [member(f"M000{n}", f"Studio {n}", f"contact{n}@studio.fr") for n in range(1, 5)],
                "Paiements": [PAIEMENTS]
                + [payment(f"P0000{n}", "01/12/2025", f"M000{n}", 144, f"VIR {n}") for n in range(1, 5)],
                "Tarifs": FEE_HISTORY,
            },
            server=dropping,
        )
        assert len(mila.reminded()) == 4
        mila("relances")  # the connection drops with the third message
        assert len(mila.received()) == 2
        outcomes = [(r["Membre"], r["Statut"]) for r in mila.log() if r["Statut"] != "en cours"]
        assert outcomes == [
            ("M0001", "envoyée"),
            ("M0002", "envoyée"),
            ("M0003", "à vérifier"),
            ("M0004", "annulée"),
        ]
        mila("relances")  # the fourth leaves; the third is « à vérifier »
        assert len(mila.received()) == 3
        mila("relances")  # nothing left to send
    finally:
        dropping.stop()
    in_flight = dropping.dropped
    assert len(in_flight) == 1
    sent = [a for a, _ in mila.received()]
    assert len(sent) == 3 and len(set(sent)) == 3 and in_flight[0] not in sent

    log = mila.log()
    checking = {r["Membre"] for r in log if r["Statut"] == "à vérifier"}
    in_flight_member = f"M000{in_flight[0][len('contact')]}"
    assert in_flight_member == "M0003"
    assert checking == {in_flight_member}
    sent_members = {r["Membre"] for r in log if r["Statut"] == "envoyée"}
    assert sent_members == {f"M000{n}" for n in range(1, 5)} - {in_flight_member}

    assert mila.reminded() == {}
    to_check = [i for i in mila.summary() if i["section"] == "a_verifier"]
    assert [i["ref"] for i in to_check] == [in_flight_member]
    assert len(mila.received()) == 3


class HangingServer(SmtpServer):
    """Accepts ``keep`` messages, then holds the next one unanswered until ``release``."""

    def __init__(self, keep: int) -> None:
        super().__init__()
        self.keep = keep
        self.hung = threading.Event()
        self.released = False

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= self.keep:
            self.keep = 10**6  # once
            self.hung.set()
            while not self.released:
                await asyncio.sleep(0.02)
            return "451 too late"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.slow
def test_a_run_killed_in_a_batch_of_reminders_blocks_only_the_message_in_flight(start: Start) -> None:
    """`mila relances` is killed (SIGKILL) while the server holds the third of four reminders: the
    next run reports that one « à vérifier » and sends the fourth; nobody gets two messages."""
    hanging = HangingServer(keep=2)
    hanging.start()
    try:
        mila = start(
            {
                "Membres": [MEMBRES]
                + [member(f"M000{n}", f"Studio {n}", f"contact{n}@studio.fr") for n in range(1, 5)],
                "Paiements": [PAIEMENTS]
                + [payment(f"P0000{n}", "01/12/2025", f"M000{n}", 144, f"VIR {n}") for n in range(1, 5)],
                "Tarifs": FEE_HISTORY,
            },
            server=hanging,
        )
        command = ["relances", *mila.where, "--config", str(mila.config), "--date", TODAY.isoformat()]
        process = MilaProcess(command, cwd=mila.folder, env=os.environ)  # a process of its own
        try:
            assert hanging.hung.wait(60), "the third reminder never reached the server"
        finally:
            process.kill()
            process.wait(30)
        hanging.released = True
        assert len(mila.received()) == 2

        mila("relances")  # after the crash
        mila("relances")  # and once more: nothing left
    finally:
        hanging.released = True
        hanging.stop()
    sent = [a for a, _ in mila.received()]
    assert sorted(sent) == ["contact1@studio.fr", "contact2@studio.fr", "contact4@studio.fr"]
    checking = {r["Membre"] for r in mila.log() if r["Statut"] == "à vérifier"}
    assert checking == {"M0003"}
    assert [i["ref"] for i in mila.summary() if i["section"] == "a_verifier"] == ["M0003"]
    assert mila.reminded() == {}


# --------------------------------------------------------------------------- 6. one count for all


def test_the_summary_counts_what_the_reminders_and_the_check_count(start: Start, tmp_path: Path) -> None:
    """After an import (one payment matched, one for nobody), the summary's errors per tab are
    `verifier`'s, row for row, and its reminders too old are those `relances --simulation` lists."""
    mila = start(
        {
            "Membres": [
                MEMBRES,
                member("M0001", "Onde Claire", "lea@onde.fr"),
                member("M0002", "Studio Nord", "paul@nord.fr"),
                member("M0003", "Label Ancien", "ines@ancien.fr"),
                member("M0004", "Vieux Studio", "jo@vieux.fr"),
                member("M0005", "Mauvais Mail", "tom@mail,fr"),
                member("M0006", "Sans Forfait", "zoe@forfait.fr", plan=None),
            ],
            "Paiements": [
                PAIEMENTS,
                payment("P00001", "01/12/2025", "M0001", 144, "VIR 1"),
                payment("P00002", "01/12/2025", "M0002", 144, "VIR 2"),
                payment("P00003", "01/01/2025", "M0003", 144, "VIR 3"),
                payment("P00004", "01/02/2025", "M0004", 144, "VIR 4"),
                payment("P00005", "01/12/2025", "M0005", 144, "VIR 5"),
                payment("P00006", "01/12/2025", "M0006", 144, "VIR 6"),
                payment("P00007", "01/12/2025", "M0099", 144, "VIR 7"),
            ],
            "Tarifs": FEE_HISTORY,
        }
    )
    export = helloasso(
        tmp_path / "export.csv",
        ("4001", "20/11/2026 ", "Léa", "Morel", "lea@onde.fr", "M0001"),
        ("4002", "21/11/2026 ", "Personne", "Inconnue", "qui@nulle-part.fr", ""),
    )
    code, _ = mila("paiements", "importer", str(export))
    assert code == 0
    mila("synchroniser")

    check = mila.check()
    reminders = mila.json("relances", "--simulation")
    items = mila.summary()
    sections = Counter(i["section"] for i in items)

    # Each error `verifier` counts is one point of the summary, on the same row: under « erreurs »,
    # or under « adhésions à compléter » for a Membres row whose Forfait is missing.
    errors = sorted((a["tab"], a["row"]) for a in check["anomalies"] if a["severity"] == "error")
    listed = sorted((i["tab"], i["row"]) for i in items if i["section"] in ("erreurs", "adhesions"))
    assert len(errors) == check["errors"] == sections["erreurs"] + sections["adhesions"] == 3
    assert listed == errors
    per_tab = Counter(tab for tab, _ in errors)
    assert per_tab == Counter(i["tab"] for i in items if i["section"] in ("erreurs", "adhesions"))
    # The reminders the summary calls too old are those `relances --simulation` sets aside as such.
    late = [s["member"] for s in reminders["skipped_members"] if s["late"]]
    assert late and sorted(late) == sorted(i["ref"] for i in items if i["section"] == "trop_anciennes")
    assert "M0001" not in reminders and "M0001" not in {m["member"] for m in reminders["messages"]}
    # The one payment left without a member: a warning of `verifier`, a point of the summary.
    unmatched = [r["ID"] for r in mila.rows("Paiements") if not r["Membre"]]
    warned = [a["id"] for a in check["anomalies"] if a["tab"] == "Paiements" and a["severity"] == "warning"]
    assert unmatched == warned == [i["ref"] for i in items if i["section"] == "paiements"]
    assert len(unmatched) == 1
