"""500 renewal reminders to a loopback SMTP server, on one connection.

Issue 4: « 500 reminders to the loopback SMTP server: target ≤ 10 s on one connection. »
A workbook of 2,000 members of whom 500 are due a reminder today (their Échéance is in 30
days) is held in memory (:class:`tests.support.memory_backend.MemoryBackend`); ``run_renewals`` decides,
renders the 500 messages from the shipped templates, records them ``en cours``, sends them
to an aiosmtpd server on 127.0.0.1 and records the outcomes: the whole run is timed, and
the sending alone. A second run the same day must send nothing. Then the same end to end
on an .xlsx file.

    .venv/bin/python -m benchmarks.renewals [--quick]
"""

from __future__ import annotations

import datetime as dt
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from automations import schema
from automations.clock import FixedClock
from automations.jobs.renewals import RenewalSettings, run_renewals
from automations.mail import MailSettings, Outgoing, SmtpSender
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook
from automations.workbook.xlsx import XlsxBackend
from tests.support.memory_backend import MemoryBackend

from .data import (
    NOW,
    TODAY,
    BenchResult,
    Grid,
    Verdict,
    md_table,
    median_of,
    num,
    repeat,
    run_one,
    runs_note,
    seconds,
    verdict_word,
    write_xlsx,
)

TITLE = "Renewal reminders: 500 e-mails to a loopback SMTP server"
TARGET_S = 10.0
DUE, OTHERS = 500, 1_500
QUICK_DUE, QUICK_OTHERS = 50, 150
SETTINGS = RenewalSettings(
    iban="FR76 3000 6000 0112 3456 7890 189",
    bic="AGRIFRPP",
    payment_link="https://www.helloasso.com/associations/mila/adhesions",
    contact_name="Nadia Benali",
    contact_phone="01 42 00 00 00",
)
FIRST_NAMES = ("Léa", "Inès", "Zoé", "Jérôme", "Hélène", "François", "Chloé", "Noël", "Maëlle", "Anaïs")
LAST_NAMES = (
    "Morel",
    "Lefèvre",
    "Bénard",
    "Roux",
    "Dupré",
    "Garçon",
    "Müller",
    "Nguyễn",
    "Da Silva",
    "Œuvray",
)


def build_grids(due: int, others: int) -> dict[str, Grid]:
    """``due`` members whose Échéance is in 30 days (J-30 today), ``others`` up to date."""
    header = [
        "ID",
        "Structure",
        "Contact",
        "Email",
        "Catégorie",
        "Forfait",
        "Option Crescendo",
        "Adhésion le",
        "Cotisation payée le",
    ]
    rows: Grid = [header]
    for n in range(1, due + others + 1):
        first, last = FIRST_NAMES[n % 10], LAST_NAMES[(n // 10) % 10]
        paid = dt.date(2025, 12, 24) if n <= due else dt.date(2026, 6, 1) + dt.timedelta(days=n % 90)
        rows.append(
            [
                schema.MEMBRES.format_id(n),
                f"Studio {last} & {first} n°{n}",
                f"{first} {last}",
                f"membre{n}@exemple.fr",
                "bénéficiaire",
                "PREMIUM" if n % 3 else "BASIC",
                "oui" if n % 4 == 0 else None,
                dt.date(2023, 1, 10),
                paid,
            ]
        )
    return {
        "Membres": rows,
        "Tarifs": [
            ["Code", "Libellé", "Montant HT", "Plafond HT", "TVA %", "Du", "Au"],
            ["BASIC", "Forfait BASIC", 120, None, 20, dt.date(2024, 3, 1), None],
            ["PREMIUM", "Forfait PREMIUM", 170, None, 20, dt.date(2024, 3, 1), None],
            ["CRESCENDO", "Option Crescendo", 10, None, 20, dt.date(2024, 3, 1), None],
        ],
        "Relances": [[c.name for c in schema.RELANCES.columns]],
        "Journal": [[c.name for c in schema.JOURNAL.columns]],
    }


class _Server:
    """aiosmtpd on 127.0.0.1: counts connections and messages."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.connections = 0
        self.messages = 0
        self.bytes = 0
        self._lock = threading.Lock()
        outer = self

        class Counting(Controller):
            def factory(self) -> SMTP:
                with outer._lock:
                    outer.connections += 1
                return super().factory()

        self.controller = Counting(self, hostname="127.0.0.1", port=self.port, server_hostname="bench.local")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages += 1
            self.bytes += len(envelope.original_content)
        return "250 OK"

    def __enter__(self) -> _Server:
        self.controller.start()
        self.connections = 0  # the controller's readiness probe
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


class _TimedSender(SmtpSender):
    """The SMTP sender, timing the batch from connecting to disconnecting."""

    def open(self) -> None:
        self.started = time.perf_counter()
        super().open()

    def send(self, message: Outgoing) -> str:
        return super().send(message)

    def close(self) -> None:
        super().close()
        self.ended = time.perf_counter()


def _mail(server: _Server, folder: Path) -> MailSettings:
    return MailSettings(
        host="127.0.0.1",
        port=server.port,
        security="none",
        timeout=30,
        sender="adhesions@mila.fr",
        sender_name="MILA – Adhésions",
        reply_to="contact@mila.fr",
        helo="bench.local",
        preview=folder / "apercus",
    )


def _run(workbook: Workbook, server: _Server, mail: MailSettings) -> dict[str, float]:
    before_conn, before_msgs = server.connections, server.messages
    sender = _TimedSender(mail)
    started = time.perf_counter()
    result = run_renewals(
        workbook,
        today=TODAY,
        policy=MembershipPolicy(),
        settings=SETTINGS,
        mail=mail,
        sender=sender,
        clock=FixedClock(NOW),
    )
    wall = time.perf_counter() - started
    smtp = getattr(sender, "ended", started) - getattr(sender, "started", started)
    return {
        "wall": wall,
        "smtp": smtp,
        "sent": result.sent,
        "failed": result.failed,
        "connections": server.connections - before_conn,
        "received": server.messages - before_msgs,
    }


def run(quick: bool = False) -> BenchResult:
    due, others = (QUICK_DUE, QUICK_OTHERS) if quick else (DUE, OTHERS)
    grids = build_grids(due, others)
    with tempfile.TemporaryDirectory(prefix="mila-bench-") as tmp, _Server() as server:
        folder = Path(tmp)
        mail = _mail(server, folder)

        def once() -> dict[str, float]:
            return _run(Workbook(MemoryBackend(grids)), server, mail)

        runs = repeat(once)
        backend = MemoryBackend(grids)
        first = _run(Workbook(backend), server, mail)
        second = _run(Workbook(backend), server, mail)
        relances_rows = len(backend.grids["Relances"]) - 1

        xlsx_path = write_xlsx(grids, folder / "classeur.xlsx")
        xlsx_first = _run(Workbook(XlsxBackend(xlsx_path)), server, mail)
        xlsx_second = _run(Workbook(XlsxBackend(xlsx_path)), server, mail)
        size = server.bytes / max(1, server.messages)

    wall = median_of(runs, "wall")
    smtp = median_of(runs, "smtp")
    one_connection = all(r["connections"] == 1 for r in runs) and first["connections"] == 1
    all_sent = all(r["sent"] == due and r["received"] == due for r in runs)
    met = wall <= TARGET_S and one_connection and all_sent
    lines = [
        f"Workbook in memory: {num(due + others)} members, {num(due)} of them due a reminder today "
        f"(J-30), accented names; aiosmtpd on 127.0.0.1 accepting everything; messages of "
        f"{num(size)} bytes on average (text + HTML from `templates/emails/`). "
        f"Timings: {runs_note(len(runs))}.",
        "",
        md_table(
            ("Measure", "Value"),
            [
                (
                    f"**whole `run_renewals`, {num(due)} reminders** (target ≤ {TARGET_S:.0f} s)",
                    f"**{seconds(wall)}** {verdict_word(met)}",
                ),
                (
                    "of which the connection is open (connect, « en cours » rows, re-read, messages, QUIT)",
                    seconds(smtp),
                ),
                (
                    "of which reading, deciding, rendering, recording outcomes (the rest)",
                    seconds(wall - smtp),
                ),
                ("per message, while connected", seconds(smtp / max(1, due))),
                ("SMTP connections per run", " · ".join(str(int(r["connections"])) for r in runs)),
                ("messages received per run", " · ".join(str(int(r["received"])) for r in runs)),
                ("Relances rows after one run (« en cours » + « envoyée »)", num(relances_rows)),
                (
                    "second run the same day: messages sent / connections",
                    f"{int(second['sent'])} / {int(second['connections'])}",
                ),
            ],
        ),
        "",
        "End to end on an .xlsx file (each append rewrites the file):",
        "",
        md_table(
            ("Run", "Wall time", "Connected", "Sent", "Connections"),
            [
                (
                    name,
                    seconds(r["wall"]),
                    seconds(r["smtp"]) if r["connections"] else "—",
                    int(r["sent"]),
                    int(r["connections"]),
                )
                for name, r in (("first run", xlsx_first), ("second run (nothing due)", xlsx_second))
            ],
        ),
    ]
    verdicts = (
        Verdict(
            f"{num(due)} reminders to loopback SMTP ≤ {TARGET_S:.0f} s on one connection",
            f"{seconds(wall)}, {int(first['connections'])} connection",
            met,
        ),
    )
    title = TITLE if not quick else f"{TITLE} (quick: {due} reminders)"
    return BenchResult(title, "\n".join(lines), verdicts)


def main() -> None:
    run_one(run, __doc__.splitlines()[0], "50 reminders instead of 500")


if __name__ == "__main__":
    main()
