"""Issuing 1,000 invoices with their Factur-X PDFs: `mila factures --pdf` on a workbook in memory.

Issue 21: « issuing 1,000 invoices with PDFs ». The workbook holds 1,000 hosted members,
each occupying its own office under a convention: on the rent day, `mila factures --pdf`
issues 1,000 rent invoices. Measured, in one run: the plan and the numbers with the one
append to ``Factures``; the Word files and their EN 16931 XML (each checked against the
schema); the LibreOffice conversion (batches of 50) and the PDF/A-3 that embeds each XML.
Then a second run, which must issue nothing.

    .venv/bin/python -m benchmarks.invoices [--count N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

from automations import schema
from automations.clock import FixedClock
from automations.config import build_settings
from automations.jobs import registry
from automations.jobs.context import RunContext
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

DAY = dt.date(2026, 3, 2)


def workbook(count: int) -> dict[str, list[list[Any]]]:
    members: list[list[Any]] = [[c.name for c in schema.MEMBRES.columns]]
    premises: list[list[Any]] = [[c.name for c in schema.LOCAUX.columns]]
    occupations: list[list[Any]] = [[c.name for c in schema.OCCUPATIONS.columns]]
    columns = [c.name for c in schema.MEMBRES.columns]
    for n in range(1, count + 1):
        values = {
            "ID": f"M{n:04d}",
            "Structure": f"Structure {n}",
            "Contact": "Ana Roy",
            "Email": f"m{n}@exemple.fr",
            "SIRET": "73282932000074",
            "Catégorie": "hébergé",
            "Adhésion le": "2025-01-10",
            "Cotisation payée le": "2025-09-01",  # à jour: no fee invoice in March
            "Montant payé": 240,
            "Adresse": f"{n} rue Myrha, 75018 Paris",
        }
        members.append([values.get(c) for c in columns])
        premises.append(
            [f"L{n:02d}", f"Bureau {n}", "Pépinière", None, 20, 1, 400 + n % 200, None, None, "non"]
        )
        occupations.append([f"C{n:03d}", f"M{n:04d}", f"L{n:02d}", "2025-01-10", None])
    return {"Membres": members, "Locaux": premises, "Occupations": occupations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mila-bench-invoices-"))
    settings = build_settings(
        {
            "billing": {"enabled": True, "siret": "73282932000074", "vat_number": "FR40303265045"},
            "documents": {"out": str(folder / "out"), "pdf_timeout": 900},
        },
        env={},
        base=folder,
    )
    book = Workbook(MemoryBackend(workbook(args.count)))
    clock = FixedClock(dt.datetime.combine(DAY, dt.time(9)))

    def run(pdf: bool) -> tuple[Any, float]:
        ctx = RunContext(settings, clock, today=DAY, workbook=book)
        started = time.perf_counter()
        result = registry.factures(ctx, registry.InvoicesOptions(pdf=pdf))
        return result, time.perf_counter() - started

    started = time.perf_counter()
    dry = RunContext(settings, clock, today=DAY, workbook=book, dry_run=True)
    planned = registry.factures(dry, registry.InvoicesOptions())
    plan_s = time.perf_counter() - started
    result, total_s = run(pdf=True)
    again, again_s = run(pdf=True)
    print(f"{args.count} members: {len(planned.issued)} invoices planned in {plan_s:.2f} s")
    print(
        f"issued {len(result.issued)}, documents {len(result.documents)}, PDF Factur-X {len(result.pdfs)} "
        f"in {total_s:.1f} s ({total_s / max(len(result.issued), 1) * 1000:.0f} ms per invoice)"
    )
    print("stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()))
    print(f"warnings: {result.warnings}")
    print(f"second run: {len(again.issued)} issued in {again_s:.2f} s")


if __name__ == "__main__":
    main()
