"""`mila calendrier`: write the .ics calendars of the bookable resources and the programme.

Reads « Locaux », « Réservations », « Membres », « Événements » and « Inscriptions »,
never writes to the workbook. Writes, in ``out_dir``, one file per bookable resource
(``reservations-<nom>-<id>.ics``) and ``programme.ics``; each file is replaced whole
(written beside it, then renamed), so that a calendar subscribed to never reads half a
file. Other files in the folder are left alone.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .. import schema
from ..calendars import PARIS, BuiltCalendar, programme_calendar, resource_calendar, safe_filename
from ..errors import CalendarWriteError, SchemaError
from ..model.rows import Booking, id_key
from ..rules.bookings import BookingPolicy, PriceProblem, booking_price, is_computable
from ..rules.membership import MembershipPolicy
from ..workbook import Workbook
from .workbook_state import WorkbookState, read_state

TABS = (schema.LOCAUX, schema.RESERVATIONS, schema.MEMBRES, schema.EVENEMENTS, schema.INSCRIPTIONS)
PROGRAMME_FILE = "programme.ics"


@dataclass(frozen=True)
class CalendarFile:
    path: Path
    title: str  # French: « Salle de réunion (L02) », « Programme »
    events: int
    resource_id: str | None = None  # None: the programme


@dataclass
class CalendarsResult:
    out_dir: Path
    files: list[CalendarFile] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # French: rows not in any calendar, why

    def as_dict(self) -> dict[str, object]:
        return {
            "out_dir": str(self.out_dir),
            "files": [
                {"path": str(f.path), "title": f.title, "events": f.events, "resource": f.resource_id}
                for f in self.files
            ],
            "left_out": self.left_out,
        }


def run_calendars(
    workbook: Workbook,
    *,
    out_dir: str | os.PathLike[str],
    today: dt.date,
    booking_policy: BookingPolicy | None = None,
    state: WorkbookState | None = None,
) -> CalendarsResult:
    """Write the calendars of every bookable resource and of the programme."""
    folder = Path(out_dir)
    state = state or read_state(workbook, today, MembershipPolicy(), booking_policy)
    wanted = {t.name for t in TABS}
    problems = [p for p in state.evaluation.schema_problems if p.tab in wanted]
    if problems:
        raise SchemaError(" ".join(p.message for p in problems))
    dataset = state.dataset
    stamp = dt.datetime.combine(today, dt.time()).replace(tzinfo=PARIS).astimezone(dt.UTC)
    policy = booking_policy or BookingPolicy()
    result = CalendarsResult(folder)
    built: list[tuple[str, CalendarFile, BuiltCalendar]] = []

    by_resource: dict[str, list[tuple[Booking, Decimal | None]]] = defaultdict(list)
    for booking in dataset.bookings:
        key = id_key(booking.resource_id)
        if key is None or not is_computable(booking):
            continue
        premises = dataset.premises_by_id.get(key)
        try:
            amount: Decimal | None = booking_price(booking, premises, policy)
        except PriceProblem:
            amount = None
        by_resource[key].append((booking, amount))

    names: set[str] = set()
    for premises in dataset.premises:
        key = id_key(premises.id)
        if not premises.bookable or premises.id is None or key is None or key in names:
            continue
        names.add(key)
        calendar = resource_calendar(premises, by_resource.get(key, []), dataset.members_by_id, stamp)
        name = premises.name or premises.id
        file_name = f"reservations-{safe_filename(name)}-{safe_filename(premises.id)}.ics"
        title = f"{name} ({premises.id})"
        built.append(
            (file_name, CalendarFile(folder / file_name, title, calendar.count, premises.id), calendar)
        )
        result.left_out += _left_out("Réservations", calendar.left_out)

    counts = {c.row: (c.registered, c.waiting) for c in state.evaluation.events.events}
    programme = programme_calendar(dataset.events, counts, stamp)
    built.append(
        (PROGRAMME_FILE, CalendarFile(folder / PROGRAMME_FILE, "Programme", programme.count), programme)
    )
    result.left_out += _left_out("Événements", programme.left_out)

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CalendarWriteError(
            f"Impossible de créer le dossier « {folder} » ({exc.strerror or exc}). "
            "Choisissez un autre dossier avec --dossier."
        ) from exc
    for _file_name, entry, calendar in built:
        _write(entry.path, calendar.calendar.to_ical())
        result.files.append(entry)
    return result


def _left_out(tab: str, rows: tuple[int, ...]) -> list[str]:
    if not rows:
        return []
    shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
    return [
        f"Onglet « {tab} » : {len(rows)} ligne(s) sans ID ou sans date lisible, absente(s) "
        f"des calendriers (lignes {shown}). Lancez « mila synchroniser » pour attribuer les ID, "
        "et corrigez les dates signalées par « mila verifier »."
    ]


def _write(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: readers see the old or the new file."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".", suffix=".ics.tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise CalendarWriteError(
            f"Impossible d'écrire le calendrier « {path} » ({exc.strerror or exc}). "
            "Vérifiez que le dossier donné à --dossier existe et qu'il est accessible en écriture."
        ) from exc
