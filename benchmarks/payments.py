"""Payments import: 10,000 bank lines and 2,000 HelloAsso orders against 10,000 members.

Issue 13: « Importing 10,000 bank lines and 2,000 HelloAsso orders against 10,000 members:
compute ≤ 3 s on this machine; 2 read requests and 1 append whatever the size; a second
import of the same files: 0 write requests. » Since issue 20 the import also leaves its one
``Journal`` line (naming the IDs it gave), a second append: 2 reads and 2 appends.

The workbook (``Membres``, ``Tarifs``, an empty ``Paiements``, ``Journal``) is held by a ``SheetsEmulator``
in this process and opened through the real Google backend; requests are counted from
``emulator.requests``. The payments mix every matching rule: the reminder's reference, the
payer's e-mail, an exact name, a name with a typo, and payers who are no member (which go
through the fuzzy search for nothing: the costliest case). The compute time is the same
import on an in-memory backend (no HTTP): files read, matched, rows planned.

    .venv/bin/python -m benchmarks.payments [--quick]
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from automations.jobs.payments import run_import
from automations.rules.membership import MembershipPolicy
from automations.schema import JOURNAL, PAIEMENTS
from automations.workbook import Workbook
from automations.workbook.google import GoogleBackend, RetryPolicy
from sheets_emulator import SheetsEmulator
from tests.support.memory_backend import MemoryBackend

from .data import TODAY, BenchResult, Grid, Verdict, md_table, seconds, tarifs_grid

TITLE = "Payments import: bank lines and HelloAsso orders matched to members"
FULL = (10_000, 10_000, 2_000)  # members, bank lines, HelloAsso orders
QUICK = (1_000, 1_000, 200)
TARGET_S = 3.0
POLICY = MembershipPolicy()
NO_RETRY = RetryPolicy(attempts=1, timeout=900.0)
WORDS = ("Atelier", "Studio", "Maison", "Collectif", "Éditions", "Café", "Boutique", "Agence", "Compagnie")
NAMES = (
    "Lumière",
    "Ordener",
    "Goutte",
    "Chapelle",
    "Marcadet",
    "Poissonniers",
    "Custine",
    "Doudeauville",
    "Myrha",
    "Polonceau",
    "Léon",
    "Cavé",
    "Stephenson",
    "Jessaint",
    "Caplat",
    "Affre",
)
FIRST = ("Awa", "Jean", "Lina", "Karim", "Sophie", "Hélène", "Marc", "Inès", "Paul", "Zoé")


def _structure(n: int) -> str:
    return f"{WORDS[n % len(WORDS)]} {NAMES[(n // 9) % len(NAMES)]} {n}"


def members_grid(count: int) -> Grid:
    rows: Grid = [
        [
            "ID",
            "Structure",
            "Contact",
            "Email",
            "Catégorie",
            "Forfait",
            "Adhésion le",
            "Cotisation payée le",
            "Montant payé",
        ]
    ]
    for n in range(1, count + 1):
        rows.append(
            [
                f"M{n:04d}",
                _structure(n),
                f"{FIRST[n % 10]} Nom{n}",
                f"contact{n}@membre{n}.fr",
                "bénéficiaire",
                "BASIC",
                "01/01/2023",
                "15/01/2025",
                144,
            ]
        )
    return rows


def write_files(folder: Path, members: int, bank_lines: int, orders: int, seed: int = 13) -> list[Path]:
    """A bank statement (CSV, ;) and a HelloAsso export (CSV) mixing every rule."""
    rng = random.Random(seed)
    lines = ["Date;Libellé;Débit;Crédit"]
    for i in range(bank_lines):
        n = rng.randint(1, members)
        day = TODAY - dt.timedelta(days=rng.randint(1, 60))
        kind = i % 10
        if kind < 5:
            label = f"VIR SEPA RECU /DE {_structure(n).upper()} /MOTIF COTISATION M{n:04d}"
        elif kind < 8:
            label = f"VIR SEPA RECU /DE {_structure(n).upper()} /MOTIF ADHESION"
        elif kind < 9:
            label = f"VIR SEPA RECU /DE {_structure(n).upper().replace('E', '', 1)} /MOTIF ADHESION"
        else:
            label = f"VIR SEPA RECU /DE PAYEUR EXTERIEUR {i} /MOTIF DON"
        lines.append(f"{day:%d/%m/%Y};{label};;144,00")
    bank = folder / "releve.csv"
    bank.write_bytes(("\n".join(lines) + "\n").encode("cp1252", errors="replace"))
    rows = [
        "Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;"
        "Nom payeur;Prénom payeur;Email payeur;Tarif;Montant tarif;Référence"
    ]
    for i in range(orders):
        n = rng.randint(1, members)
        day = TODAY - dt.timedelta(days=rng.randint(1, 60))
        email = f"contact{n}@membre{n}.fr" if i % 5 < 3 else f"perso{i}@exemple.org"
        ref = f"Cotisation M{n:04d}" if i % 5 == 3 else ""
        rows.append(
            f"{700000 + i};{day:%d/%m/%Y} 10:00;Validé;Nom{n};{FIRST[n % 10]};Nom{n};"
            f"{FIRST[n % 10]};{email};Adhésion BASIC;144,00;{ref}"
        )
    helloasso = folder / "export-helloasso.csv"
    helloasso.write_bytes(("\n".join(rows) + "\n").encode("utf-8-sig"))
    return [bank, helloasso]


def _kinds(requests: list[Any]) -> Counter[str]:
    return Counter("read" if r.method == "GET" else "write" for r in requests)


def measure(members: int, bank_lines: int, orders: int) -> dict[str, Any]:
    """Two imports of the same files through the emulator, with the requests of each, and the
    compute time of the first on an in-memory backend."""
    grids = {
        "Membres": members_grid(members),
        "Tarifs": tarifs_grid(),
        PAIEMENTS.name: [[c.name for c in PAIEMENTS.columns]],
        JOURNAL.name: [[c.name for c in JOURNAL.columns]],
    }
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), members, bank_lines, orders)
        started = time.perf_counter()
        memory = run_import(Workbook(MemoryBackend(grids)), files, today=TODAY, policy=POLICY)
        compute = time.perf_counter() - started
        with SheetsEmulator() as emulator:
            emulator.create_spreadsheet("bench-payments", "Paiements (benchmark)", sheets=dict(grids))

            def open_book() -> Workbook:
                return Workbook(
                    GoogleBackend("bench-payments", emulator_host=emulator.address, retry=NO_RETRY)
                )

            seen = len(emulator.requests)
            started = time.perf_counter()
            first = run_import(open_book(), files, today=TODAY, policy=POLICY)
            first_s = time.perf_counter() - started
            first_requests = _kinds(emulator.requests[seen:])
            seen = len(emulator.requests)
            second = run_import(open_book(), files, today=TODAY, policy=POLICY)
            second_requests = _kinds(emulator.requests[seen:])
    return {
        "payments": len(memory.added),
        "matched": memory.matched,
        "compute_s": compute,
        "first_s": first_s,
        "first_added": first.appended,
        "first_reads": first_requests["read"],
        "first_writes": first_requests["write"],
        "second_added": second.appended,
        "second_reads": second_requests["read"],
        "second_writes": second_requests["write"],
    }


def run(quick: bool = False) -> BenchResult:
    members, bank_lines, orders = QUICK if quick else FULL
    m = measure(members, bank_lines, orders)
    verdicts = (
        Verdict(f"payments: compute ≤ {TARGET_S:g} s", seconds(m["compute_s"]), m["compute_s"] <= TARGET_S),
        Verdict(
            "payments: first import 2 reads + 2 writes (rows, Journal line)",
            f"{m['first_reads']} + {m['first_writes']}",
            m["first_reads"] == 2 and m["first_writes"] == 2,
        ),
        Verdict("payments: second import 0 writes", str(m["second_writes"]), m["second_writes"] == 0),
    )
    table = md_table(
        ["", "value"],
        [
            ["members · bank lines · HelloAsso orders", f"{members:,} · {bank_lines:,} · {orders:,}"],
            ["payments planned · matched to a member", f"{m['payments']:,} · {m['matched']:,}"],
            ["compute (in memory: read files, match, plan)", seconds(m["compute_s"])],
            ["first import through the emulator (total)", seconds(m["first_s"])],
            ["first import: read · write requests", f"{m['first_reads']} · {m['first_writes']}"],
            [
                "second import: rows added · read · write requests",
                f"{m['second_added']} · {m['second_reads']} · {m['second_writes']}",
            ],
        ],
    )
    section = f"### {TITLE}\n\n{__doc__.split(chr(10) + chr(10))[1]}\n\n{table}\n"
    return BenchResult(TITLE, section, verdicts)


if __name__ == "__main__":  # pragma: no cover
    import sys

    result = run(quick="--quick" in sys.argv)
    print(result.markdown_section)
    for v in result.verdicts:
        print(f"{'OK ' if v.met else 'NO '} {v.target}: {v.measured}")
