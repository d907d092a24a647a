"""Word documents: per-document time against a bare docxtpl render, and 120 charters + 30 conventions.

Issue 6: « Per-document time compared with a bare docxtpl render of the same template
(target ≤ 1.5×); 120 charters + 30 conventions, total time. »

1. For each shipped template, a realistic context is rendered to the bytes of a .docx,
   by ``DocumentTemplate.render`` (sandbox, autoescape, compiled parts kept, strict XML
   check) and by a bare ``DocxTemplate(path).render(context, autoescape=True)`` + ``save``;
   the median of several renders of each is compared.
2. A workbook of 150 members held in memory (120 who have not signed the charter, 30
   hébergés with a convention each): ``run_charters`` (120 charters + the register) and
   ``run_conventions`` (30 conventions, written back to the sheet), files written to a
   temporary folder; then the same again (nothing to regenerate); then, when LibreOffice
   is installed and not ``--quick``, the PDF of the 30 conventions.

    .venv/bin/python -m benchmarks.documents [--quick]
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment

from automations.clock import FixedClock
from automations.config import Settings
from automations.documents import catalogue, pieces
from automations.documents import context as ctx
from automations.documents.french import FILTERS
from automations.documents.outputs import PdfUnavailable, find_soffice
from automations.documents.render import load_template
from automations.documents.settings import REPO_TEMPLATES, AssociationSettings, DocumentsSettings
from automations.jobs.context import RunContext
from automations.jobs.documents import run_charters, run_conventions
from automations.model.rows import BoardMember, Member, Occupation, Premises
from automations.rules.fees import FeeSchedule, compute_fee
from automations.workbook import Workbook
from tests.support.memory_backend import MemoryBackend

from .data import (
    NOW,
    TODAY,
    BenchResult,
    Grid,
    Verdict,
    md_table,
    run_one,
    seconds,
    tarifs_grid,
)

TITLE = "Word documents: per-document render time, 120 charters + 30 conventions"
TARGET_RATIO = 1.5
RENDERS, QUICK_RENDERS = 15, 4
CHARTERS, CONVENTIONS = 120, 30
QUICK_CHARTERS, QUICK_CONVENTIONS = 12, 3
ASSOCIATION = AssociationSettings(
    siret="68372141900110", iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP"
)
STRUCTURES = (
    "Pixel & Refrain",
    "Studio Nord 🎛",
    "Éditions « Ça & Là »",
    "Onde Claire",
    "Label <Nuit>",
    "Tournées Hirondelle",
    "Disques Caractères",
    "Sonique le Studio",
)


# --------------------------------------------------------------------------- 1. one document


def _contexts() -> dict[str, dict[str, Any]]:
    """A realistic context per template (the registre and the émargement list 120 members)."""
    day = TODAY
    board = [
        BoardMember(row=2, name="Juliette Texier", civility="Mme", function="Président·e"),
        BoardMember(row=3, name="Nadia Giraud", civility="Mme", function="Trésorier·e"),
    ]
    association = pieces.association_context(ASSOCIATION, board, day)
    members = [
        Member(
            row=n + 1,
            id=f"M{n:04d}",
            structure=f"{STRUCTURES[n % len(STRUCTURES)]} {n}",
            contact=f"Léa Morel {n}",
            email=f"m{n}@x.fr",
            category="bénéficiaire" if n % 4 else "hébergé",
            forfait="PREMIUM",
            crescendo=True,
            paid_on=dt.date(2024, 11, 15),
            charter_signed_on=None if n % 3 else dt.date(2023, 5, 2),
        )
        for n in range(1, 121)
    ]
    schedule = FeeSchedule(_rates())
    member = members[0]
    fee = compute_fee(member, dt.date(2024, 11, 15), schedule)
    hosted = members[3]
    premises = Premises(
        row=2,
        id="L03",
        name="Bureau 3",
        site="Pépinière",
        address="12 rue Émile Blémont, 75018 Paris",
        surface_m2=ctx.Decimal(16),
        monthly_rent=ctx.Decimal(400),
    )
    occupation = Occupation(
        row=2,
        id="C014",
        member_id=hosted.id,
        premises_id="L03",
        start=dt.date(2024, 9, 1),
        deposit=ctx.Decimal(800),
    )
    contexts = {
        "convention": ctx.convention_context(
            association=association,
            occupation=occupation,
            member=hosted,
            premises=premises,
            rent_ht=ctx.Decimal(400),
            rent_vat_percent=ctx.Decimal(20),
            fee=compute_fee(hosted, day, schedule, ctx.Decimal(16)),
            day=day,
        ),
        "charte": ctx.charter_context(association=association, member=member),
        "registre_charte": ctx.register_context(association=association, members=members, day=day),
        "recu": ctx.receipt_context(
            association=association,
            member=member,
            number="2024-014",
            period_start=dt.date(2024, 11, 15),
            period_end=dt.date(2025, 11, 14),
            amount_paid=fee.ttc,
            fee=fee,
            vat_percent=ctx.Decimal(20),
            issued_on=dt.date(2024, 11, 20),
        ),
        "emargement": ctx.attendance_context(
            association=association,
            title="Assemblée générale ordinaire",
            day=dt.date(2025, 6, 12),
            place=ASSOCIATION.address,
            lines=[ctx.AttendanceLine(m, 10 if m.category == "hébergé" else 2) for m in members],
            quorum_percent=ctx.Decimal(50),
        ),
    }
    document = pieces.document_context(ASSOCIATION, day)
    return {name: {**value, "document": document} for name, value in contexts.items()}


def _rates() -> list[Any]:
    from automations.model.parsing import parse_table
    from automations.workbook import Table

    models, _ = parse_table(Table.from_grid("Tarifs", tarifs_grid()), today=TODAY)
    return models


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def _median_time(fn: Callable[[], object], count: int) -> float:
    fn()  # warm up (imports, first compilation)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


BARE_ENV = Environment(autoescape=True)
BARE_ENV.filters.update(FILTERS)  # the templates' own filters ({{ x|de }}), nothing else


def _per_document(count: int) -> list[tuple[str, float, float, int]]:
    rows = []
    for name, context in _contexts().items():
        path = REPO_TEMPLATES / catalogue.TEMPLATE_FILES[name]

        def bare(path: Path = path, context: dict[str, Any] = context) -> bytes:
            doc = DocxTemplate(path)
            doc.render(context, BARE_ENV, autoescape=True)
            buffer = io.BytesIO()
            doc.save(buffer)
            return buffer.getvalue()

        def ours(path: Path = path, context: dict[str, Any] = context) -> bytes:
            return load_template(path).render(context)

        size = len(ours())
        rows.append((name, _median_time(bare, count), _median_time(ours, count), size))
    return rows


# --------------------------------------------------------------------------- 2. a batch


def _grids(charters: int, conventions: int) -> dict[str, Grid]:
    members: Grid = [
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
            "Charte signée le",
            "Sortie le",
        ]
    ]
    premises: Grid = [["ID", "Nom", "Site", "Adresse", "Surface m²", "Loyer mensuel HT"]]
    occupations: Grid = [["ID", "Membre", "Local", "Début", "Fin", "Loyer mensuel HT", "Dépôt de garantie"]]
    for n in range(1, charters + conventions + 1):
        hosted = n > charters
        name = f"{STRUCTURES[n % len(STRUCTURES)]} {n}"
        members.append(
            [
                f"M{n:04d}",
                name,
                f"Léa Morel {n}",
                f"m{n}@x.fr",
                None,
                "hébergé" if hosted else "bénéficiaire",
                None if hosted else "BASIC",
                None,
                dt.date(2023, 1, 1),
                dt.date(2024, 11, 15),
                144,
                dt.date(2023, 5, 2) if hosted else None,
                None,
            ]
        )
        if hosted:
            k = n - charters
            premises.append(
                [
                    f"L{k:02d}",
                    f"Bureau {k}",
                    "Pépinière",
                    "12 rue Émile Blémont, 75018 Paris",
                    10 + k % 3 * 3,
                    250 + k * 10,
                ]
            )
            occupations.append(
                [
                    f"C{k:03d}",
                    f"M{n:04d}",
                    f"L{k:02d}",
                    dt.date(2024, 9, 1),
                    None,
                    None,
                    500 if k % 2 else None,
                ]
            )
    return {
        "Membres": members,
        "Locaux": premises,
        "Occupations": occupations,
        "Tarifs": tarifs_grid(),
        "Conseil": [
            ["Nom", "Civilité", "Fonction", "Entrée"],
            ["Juliette Texier", "Mme", "Présidente", dt.date(2023, 7, 2)],
        ],
    }


def _batch(charters: int, conventions: int, pdf: bool) -> dict[str, Any]:
    grids = _grids(charters, conventions)
    backend = MemoryBackend(grids)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mila-bench-docs-") as tmp:
        documents = DocumentsSettings(templates=REPO_TEMPLATES, out=Path(tmp) / "out")
        clock = FixedClock(NOW)
        settings = Settings(association=ASSOCIATION, documents=documents)

        def both() -> tuple[Any, Any, float, float]:
            started = time.perf_counter()
            charter = run_charters(RunContext(settings, clock, today=TODAY, workbook=Workbook(backend)))
            middle = time.perf_counter()
            convention = run_conventions(RunContext(settings, clock, today=TODAY, workbook=Workbook(backend)))
            return charter, convention, middle - started, time.perf_counter() - middle

        first = both()
        second = both()
        out["first"] = first
        out["second"] = second
        out["bytes"] = sum(p.stat().st_size for p in (Path(tmp) / "out").glob("*.docx"))
        if pdf:
            started = time.perf_counter()
            result = run_conventions(
                RunContext(settings, clock, today=TODAY, workbook=Workbook(backend)), pdf=True
            )
            out["pdf"] = (time.perf_counter() - started, len(result.pdfs))
    return out


def run(quick: bool = False) -> BenchResult:
    renders = QUICK_RENDERS if quick else RENDERS
    charters, conventions = (QUICK_CHARTERS, QUICK_CONVENTIONS) if quick else (CHARTERS, CONVENTIONS)
    per_doc = _per_document(renders)
    try:
        find_soffice()
        pdf = not quick
    except PdfUnavailable:
        pdf = False
    batch = _batch(charters, conventions, pdf)
    charter, convention, t_charters, t_conventions = batch["first"]
    _, _, again_charters, again_conventions = batch["second"]
    total = t_charters + t_conventions
    produced = len(charter.written) + len(convention.written)
    worst = max(ours / bare for _, bare, ours, _ in per_doc)
    met = worst <= TARGET_RATIO
    lines = [
        f"Per document: median of {renders} renders of each shipped template (after one warm-up "
        "render) to the bytes of a .docx, contexts as the jobs build them (the registre and the "
        "feuille d'émargement list 120 members). « bare docxtpl » is `DocxTemplate(path)`, "
        "`render(context, autoescape=True)`, `save()`; ours is `DocumentTemplate.render` "
        "(immutable sandbox, autoescape, strict XML check, patched and compiled parts kept).",
        "",
        md_table(
            ("Template", "bare docxtpl", "ours", f"ratio (target ≤ {TARGET_RATIO:g}×)", "output size"),
            [
                (
                    f"`{catalogue.TEMPLATE_FILES[name]}`",
                    _ms(bare),
                    _ms(ours),
                    f"{ours / bare:.2f}×",
                    f"{size / 1024:.0f} KiB",
                )
                for name, bare, ours, size in per_doc
            ],
        ),
        "",
        f"Batch: {charters + conventions} members in memory ({charters} without a signed charter, "
        f"{conventions} hébergés with a convention each); files written to a temporary folder "
        f"({batch['bytes'] / 2**20:.1f} MiB in all). One run each (the second run finds nothing "
        "to regenerate).",
        "",
        md_table(
            ("Run", "Documents", "Wall time", "per document"),
            [
                (
                    f"`run_charters`: {charters} charters + the register",
                    len(charter.written),
                    seconds(t_charters),
                    _ms(t_charters / max(1, len(charter.written))),
                ),
                (
                    f"`run_conventions`: {conventions} conventions (+ write-back to the sheet)",
                    len(convention.written),
                    seconds(t_conventions),
                    _ms(t_conventions / max(1, len(convention.written))),
                ),
                (
                    f"**total, {charters} charters + {conventions} conventions**",
                    produced,
                    f"**{seconds(total)}**",
                    _ms(total / max(1, produced)),
                ),
                ("second run of both (nothing changed)", 0, seconds(again_charters + again_conventions), "—"),
            ],
        ),
    ]
    if "pdf" in batch:
        wall, count = batch["pdf"]
        lines += [
            "",
            f"PDF through LibreOffice headless (one `soffice` batch): {count} conventions in "
            f"{seconds(wall)} ({_ms(wall / max(1, count))} per document).",
        ]
    verdicts = (
        Verdict(
            f"per-document render ≤ {TARGET_RATIO:g}× bare docxtpl (worst template)", f"{worst:.2f}×", met
        ),
        Verdict(
            f"{charters} charters + {conventions} conventions, total time (no target)", seconds(total), True
        ),
    )
    return BenchResult(TITLE if not quick else f"{TITLE} (quick)", "\n".join(lines), verdicts)


def main() -> None:
    run_one(run, __doc__.splitlines()[0])


if __name__ == "__main__":
    main()
