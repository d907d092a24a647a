"""Every number of the annual activity report, computed from the workbook: pure, no I/O.

:func:`compute_report` turns a :class:`Dataset` into a :class:`ReportData` for a year and the
year before. Each figure the report compares is a :class:`Compared`: the value of the year
and that of the year before, or ``None`` when the workbook holds no data of that kind for
the year before (then the report says nothing rather than "versus 0").

Definitions (docs/rapport.md says the same in French):

- The period of the report runs from 1 January to 31 December, or to ``today`` for the year
  in progress (``as_of``); the year before is always a whole year.
- A member counts from ``Adhésion le`` until the day before ``Sortie le`` (payment status
  aside: an adherent whose fee is late is still a member). Its category is that of each
  day (:class:`Categories`): ``hébergé`` while it holds an office or a shop, ``bénéficiaire``
  the other days, ``membre de droit`` always. The average over the year is the mean of the
  daily counts, rounded to the unit.
- The pépinière is the non-bookable premises of the ``Pépinière`` and ``Milab`` sites (a
  bookable meeting room is not an office); the shops are the ``Boutique`` site. An office
  is left in the year when an occupation's ``Fin`` falls in it, taken when its ``Début`` does.
- The board is the one in office at the end of the year (``as_of``), or on the day given.
- The general assembly (an ``Autre`` event titled « Assemblée générale… ») belongs to the
  association's life, not to the actions for the companies: it is not counted with them.
- The fee schedule is what ``Tarifs`` held during the year, period by period.
- Sessions and distinct member structures per event type come from ``rules.figures``;
  bookings and occupancy of the bookable resources too (``confirmée`` bookings only).
- ``Chiffres`` rows are matched with the year before by ``Rubrique`` and ``Libellé``.
- A year "has data" when at least one event, booking, ``Chiffres`` or ``Textes`` row is
  dated in it: membership history alone does not make a report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from ..errors import NoDataForYear
from ..formatting import MONTHS, format_date_long
from ..model.dataset import Dataset
from ..model.rows import BoardMember, Event, Premises, id_key
from ..rules.bookings import BookingPolicy, first_day, is_computable
from ..rules.fees import FeeSchedule
from ..rules.figures import occupancy, sessions_by_type, structures_by_type
from ..rules.texts import empty_prompts
from ..schema import BOARD_FUNCTIONS, CATEGORIES, EVENT_TYPES, FEE_CODES
from ..text import fold, sort_key
from .data import (
    BOUTIQUES,
    FAMILIES,
    PEPINIERE,
    SECTION_KEYS,
    ActionCount,
    ActionsFigures,
    AgendaItem,
    BoardFigures,
    BoardSeat,
    Compared,
    FeePeriod,
    FigureLine,
    FreeBookings,
    PremisesFigures,
    PremisesMove,
    RateLine,
    ReportData,
    ResourceFigures,
    StaffText,
)
from .members import Categories, members_figures

# --------------------------------------------------------------------------- entry point


def compute_report(
    dataset: Dataset,
    year: int,
    today: dt.date,
    booking_policy: BookingPolicy | None = None,
    board_on: dt.date | None = None,
) -> ReportData:
    """The report's figures for ``year`` compared with ``year - 1``.

    Raises :class:`NoDataForYear` (French message) when ``year`` has not begun on
    ``today`` or when nothing in the workbook is dated in it.
    """
    coverage = years_with_activity(dataset)
    if year > today.year:
        raise NoDataForYear(
            f"L'année {year} n'a pas encore commencé (date du jour : {_long(today)}).{_covered(coverage)}"
        )
    if year not in coverage:
        raise NoDataForYear(
            f"Aucune donnée pour {year} dans le classeur : ni événement, ni réservation, ni chiffre "
            f"(onglet « Chiffres »), ni texte (onglet « Textes ») daté de {year}.{_covered(coverage)}"
        )
    policy = booking_policy or BookingPolicy()
    previous = year - 1
    as_of = min(dt.date(year, 12, 31), today)
    texts, unknown = _texts(dataset, year)
    notes = []
    if unknown:
        notes.append(
            "Textes non placés (clé de section inconnue) : "
            + ", ".join(f"ligne {row} « {key} »" for row, key in unknown)
            + ". Clés possibles : "
            + ", ".join(SECTION_KEYS)
            + "."
        )
    empty = empty_prompts(dataset.texts, year)
    if empty:
        notes.append(
            "Parties à écrire par l'équipe (onglet « Textes », colonne « Texte », d'après la « Consigne ») : "
            + " ; ".join(f"ligne {t.row} « {t.title or t.section} »" for t in empty)
            + "."
        )
    from .fees_received import fees_received

    data = ReportData(
        year=year,
        today=today,
        as_of=as_of,
        previous_year=previous,
        coverage=tuple(sorted(coverage)),
        members=members_figures(dataset, year, as_of),
        premises=tuple(premises_figures(dataset, year, as_of, group) for group in (PEPINIERE, BOUTIQUES)),
        board=board_figures(dataset, year, board_on or as_of),
        fees=fee_periods(dataset, year),
        actions=actions_figures(dataset, year, as_of, previous in coverage),
        resources=resource_figures(dataset, year, policy),
        free_bookings=free_bookings(dataset, year),
        figures=figure_lines(dataset, year),
        texts=texts,
        unknown_texts=unknown,
        previous_has_activity=previous in coverage,
        notes=tuple(notes),
        fees_received=fees_received(dataset, year, as_of),
    )
    return _render_texts(data)


def _render_texts(data: ReportData) -> ReportData:
    """The staff's texts with the figures they quote by name; a text that cannot be
    rendered is left out, with a note saying which row and why."""
    from .variables import context, render_problem, render_text

    values = context(data)
    notes = list(data.notes)
    texts = []
    for key, items in data.texts:
        done = []
        for item in items:
            try:
                done.append(StaffText(item.row, item.title, render_text(item.text, values).strip()))
            except Exception as exc:  # noqa: BLE001 — any failure of a staff text is reported, never raised
                notes.append(
                    f"Texte de la ligne {item.row} (section « {key} ») non inclus : "
                    f"{render_problem(exc)}. Les noms possibles : mila docs variables rapport."
                )
        texts.append((key, tuple(done)))
    return replace(data, texts=tuple((k, v) for k, v in texts if v), notes=tuple(notes))


def years_with_activity(dataset: Dataset) -> set[int]:
    """Years in which an event, a booking, a ``Chiffres`` or a ``Textes`` row is dated."""
    years: set[int] = set()
    years.update(e.date.year for e in dataset.events if e.date is not None)
    years.update(b.start.year for b in dataset.bookings if b.start is not None)
    years.update(f.year for f in dataset.figures if f.year is not None)
    years.update(t.year for t in dataset.texts if t.year is not None and t.text)
    return years


def _covered(coverage: set[int]) -> str:
    if not coverage:
        return (
            " Le classeur ne contient encore aucune activité datée : remplissez les onglets "
            "« Événements », « Réservations », « Chiffres » ou « Textes »."
        )
    low, high = min(coverage), max(coverage)
    if low == high:
        return f" Le classeur contient des données pour {low} seulement."
    return f" Le classeur contient des données de {low} à {high} : choisissez l'une de ces années."


# --------------------------------------------------------------------------- members


# --------------------------------------------------------------------------- premises


def _in_group(premises: Premises, group: str) -> bool:
    if group == BOUTIQUES:
        return premises.site == "Boutique"
    return premises.site in ("Pépinière", "Milab") and not premises.bookable


def premises_figures(dataset: Dataset, year: int, as_of: dt.date, group: str) -> PremisesFigures:
    units = {id_key(p.id): p for p in dataset.premises if p.id and _in_group(p, group)}
    start, prev_start, prev_end = dt.date(year, 1, 1), dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31)

    def occupied(day: dt.date) -> int:
        keys = {
            id_key(o.premises_id)
            for o in dataset.occupations
            if id_key(o.premises_id) in units and o.ongoing_on(day)
        }
        return len(keys)

    def moves(attr: str, first: dt.date, last: dt.date) -> tuple[PremisesMove, ...]:
        found = []
        for o in dataset.occupations:
            day = getattr(o, attr)
            premises = units.get(id_key(o.premises_id))
            if premises is None or day is None or not first <= day <= last:
                continue
            member = dataset.member(o.member_id)
            structure = (member.structure if member else None) or o.member_id or "?"
            found.append(PremisesMove(structure, premises.name or premises.id or "?", day))
        return tuple(sorted(found, key=lambda m: (sort_key(m.structure), m.day)))

    had_previous = any(
        o.start is not None and o.start <= prev_end and id_key(o.premises_id) in units
        for o in dataset.occupations
    )
    left, taken = moves("end", start, as_of), moves("start", start, as_of)
    return PremisesFigures(
        group=group,
        units=len(units),
        occupied_at_end=Compared(occupied(as_of), occupied(prev_end) if had_previous else None),
        left=left,
        taken=taken,
        left_count=Compared(len(left), len(moves("end", prev_start, prev_end)) if had_previous else None),
        taken_count=Compared(len(taken), len(moves("start", prev_start, prev_end)) if had_previous else None),
    )


# --------------------------------------------------------------------------- board


def _seat(
    dataset: Dataset, row: BoardMember, day: dt.date | None = None, categories: Categories | None = None
) -> BoardSeat:
    member = dataset.member(row.member_id)
    category = member.category if member else None
    if member is not None and categories is not None and day is not None:
        category = categories.on(member, day)
    return BoardSeat(
        function=row.function,
        civility=row.civility,
        name=row.name or "?",
        structure=member.structure if member else None,
        category=category,
        college=row.college,
        decision=row.decision,
        joined_on=row.joined_on,
        left_on=row.left_on,
    )


def _board_order(seat: BoardSeat) -> tuple[int, str]:
    order = {f: n for n, f in enumerate(BOARD_FUNCTIONS)}
    return order.get(seat.function or "", len(order)), sort_key(seat.name)


def board_figures(dataset: Dataset, year: int, day: dt.date) -> BoardFigures:
    """The board in office on ``day``, with the arrivals and departures of ``year``."""
    rows = [r for r in dataset.board if r.name]
    categories = Categories(dataset)
    seats = [
        _seat(dataset, r, day, categories)
        for r in rows
        if (r.joined_on is None or r.joined_on <= day) and (r.left_on is None or r.left_on > day)
    ]
    joined = [_seat(dataset, r) for r in rows if r.joined_on is not None and r.joined_on.year == year]
    left = [_seat(dataset, r) for r in rows if r.left_on is not None and r.left_on.year == year]
    colleges: dict[str, int] = {}
    for seat in seats:
        if seat.college:
            colleges[seat.college] = colleges.get(seat.college, 0) + 1
    return BoardFigures(
        as_of=day,
        seats=tuple(sorted(seats, key=_board_order)),
        joined=tuple(sorted(joined, key=_board_order)),
        left=tuple(sorted(left, key=_board_order)),
        women=sum(1 for s in seats if s.civility == "Mme"),
        men=sum(1 for s in seats if s.civility == "M."),
        by_college=tuple(colleges.items()),
        by_category=tuple((c, n) for c in CATEGORIES if (n := sum(1 for s in seats if s.category == c))),
    )


# --------------------------------------------------------------------------- fees


def fee_periods(dataset: Dataset, year: int) -> tuple[FeePeriod, ...]:
    """The fee schedule during the year: one period per set of rates, in order."""
    schedule = FeeSchedule(dataset.rates)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    bounds = {start}
    for rate in dataset.rates:
        if rate.valid_from is not None and start < rate.valid_from <= end:
            bounds.add(rate.valid_from)
        if rate.valid_to is not None and start <= rate.valid_to < end:
            bounds.add(rate.valid_to + dt.timedelta(days=1))
    ordered = sorted(bounds)
    order = {c: n for n, c in enumerate(FEE_CODES)}
    periods: list[FeePeriod] = []
    for n, first in enumerate(ordered):
        last = ordered[n + 1] - dt.timedelta(days=1) if n + 1 < len(ordered) else end
        rates = tuple(
            RateLine(code, r.label, r.amount_ht, r.cap_ht, r.vat_percent)  # type: ignore[arg-type]  # the schedule's rates are complete
            for code, r in sorted(schedule.rates_on(first).items(), key=lambda i: order.get(i[0], 99))
        )
        if periods and [_rate_key(r) for r in periods[-1].rates] == [_rate_key(r) for r in rates]:
            periods[-1] = FeePeriod(periods[-1].start, last, periods[-1].rates)
            continue
        periods.append(FeePeriod(first, last, rates))
    return tuple(p for p in periods if p.rates)


def _rate_key(rate: RateLine) -> tuple[object, ...]:
    return rate.code, rate.amount_ht, rate.cap_ht, rate.vat_percent


# --------------------------------------------------------------------------- actions


def _item(event: Event) -> AgendaItem:
    return AgendaItem(
        event.date,  # type: ignore[arg-type]  # events without a date are left out before
        event.type or "Autre",
        event.title or "",
        tuple(event.speakers),
        event.place,
    )


def is_assembly(event: Event) -> bool:
    """A general assembly: an ``Autre`` event titled « Assemblée générale… »."""
    return event.type == "Autre" and fold(event.title).startswith("assemblee generale")


def actions_figures(dataset: Dataset, year: int, as_of: dt.date, previous_has_data: bool) -> ActionsFigures:
    def assemblies_in(y: int) -> int:
        return sum(1 for e in dataset.events if e.date is not None and e.date.year == y and is_assembly(e))

    sessions = sessions_by_type(dataset, year)
    structures = structures_by_type(dataset, year, today=as_of + dt.timedelta(days=1))
    had_previous = previous_has_data and any(
        e.date is not None and e.date.year == year - 1 for e in dataset.events
    )
    prev_sessions = sessions_by_type(dataset, year - 1) if had_previous else {}
    prev_structures = structures_by_type(dataset, year - 1) if had_previous else {}
    sessions = {**sessions, "Autre": sessions.get("Autre", 0) - assemblies_in(year)}
    prev_sessions = {**prev_sessions, "Autre": prev_sessions.get("Autre", 0) - assemblies_in(year - 1)}
    by_type = []
    for event_type in EVENT_TYPES:
        n, s = sessions.get(event_type, 0), structures.get(event_type, 0)
        pn, ps = prev_sessions.get(event_type, 0), prev_structures.get(event_type, 0)
        if not (n or pn):
            continue
        # The year before is compared only for what the workbook records of it: no event of
        # this type then (or no attendance recorded), no comparison (never « aucune en 2023 »).
        by_type.append(
            ActionCount(
                event_type,
                Compared(n, pn if had_previous and pn else None),
                Compared(s, ps if had_previous and pn and ps else None),
            )
        )
    events = sorted(
        (
            e
            for e in dataset.events
            if e.date is not None and e.date.year == year and e.type and "date" not in e.unreadable
        ),
        key=lambda e: (e.date, e.time or dt.time(), e.row),
    )
    family_of = {t: name for name, types in FAMILIES for t in types}
    assemblies = [e for e in events if is_assembly(e)]
    events = [e for e in events if not is_assembly(e)]
    per_month: dict[str, list[int]] = {name: [0] * 12 for name, _ in FAMILIES}
    for event in events:
        per_month[family_of.get(event.type, FAMILIES[-1][0])][event.date.month - 1] += 1  # type: ignore[arg-type,union-attr]  # dated events only, counted above
    return ActionsFigures(
        by_type=tuple(by_type),
        per_month=tuple((name, tuple(per_month[name])) for name, _ in FAMILIES),
        agenda=tuple(_item(e) for e in events),
        assemblies=tuple(_item(e) for e in assemblies),
    )


# --------------------------------------------------------------------------- Milab


def resource_figures(dataset: Dataset, year: int, policy: BookingPolicy) -> tuple[ResourceFigures, ...]:
    rows = occupancy(dataset, year, policy)
    had_previous = any(b.start is not None and b.start.year == year - 1 for b in dataset.bookings)
    before = (
        {r.resource_id: r for r in occupancy(dataset, year - 1, policy) if r.month is None}
        if had_previous
        else {}
    )
    found = []
    for resource_id in dict.fromkeys(r.resource_id for r in rows):
        own = [r for r in rows if r.resource_id == resource_id]
        whole = own[-1]
        prev = before.get(resource_id)
        found.append(
            ResourceFigures(
                resource_id=resource_id,
                name=whole.name or resource_id,
                capacity=whole.capacity,
                bookings=Compared(whole.bookings, prev.bookings if prev else None),
                rate=Compared(whole.rate, prev.rate if prev else None),
                monthly=tuple(r.rate for r in own[:12]),
            )
        )
    return tuple(found)


def free_bookings(dataset: Dataset, year: int) -> FreeBookings:
    def of(y: int) -> list:
        return [
            b
            for b in dataset.bookings
            if b.formula == "gracieux"
            and b.status == "confirmée"
            and is_computable(b)
            and first_day(b).year == y  # type: ignore[union-attr]  # computable: it has a start
        ]

    now = of(year)
    had_previous = any(
        b.formula == "gracieux" and b.start is not None and b.start.year == year - 1 for b in dataset.bookings
    )
    organisations = sorted(
        {(b.organisation or _structure(dataset, b.member_id) or "").strip() for b in now} - {""}, key=sort_key
    )
    before = len(of(year - 1)) if had_previous else 0
    return FreeBookings(Compared(len(now), before or None), tuple(organisations))


def _structure(dataset: Dataset, member_id: str | None) -> str | None:
    member = dataset.member(member_id)
    return member.structure if member else None


# --------------------------------------------------------------------------- Chiffres, Textes


def figure_lines(dataset: Dataset, year: int) -> tuple[FigureLine, ...]:
    before = {
        (fold(f.section), fold(f.label)): f.value
        for f in dataset.figures
        if f.year == year - 1 and f.section and f.label and f.value is not None
    }
    lines = []
    seen: set[tuple[str, str]] = set()
    for f in dataset.figures:
        if f.year != year or not f.section or not f.label or f.value is None:
            continue
        key = (fold(f.section), fold(f.label))
        if key in seen:  # a label typed twice: the first row wins
            continue
        seen.add(key)
        lines.append(
            FigureLine(
                f.section.strip(), f.label.strip(), (f.unit or "").strip() or None, f.value, before.get(key)
            )
        )
    return tuple(lines)


Texts = tuple[tuple[str, tuple[StaffText, ...]], ...]


def _texts(dataset: Dataset, year: int) -> tuple[Texts, tuple[tuple[int, str], ...]]:
    by_key: dict[str, list[StaffText]] = defaultdict(list)
    unknown = []
    keys = {fold(k): k for k in SECTION_KEYS}
    for text in dataset.texts:
        if text.year != year or not text.text or not text.text.strip():
            continue
        key = keys.get(fold(text.section or ""))
        if key is None:
            unknown.append((text.row, (text.section or "").strip()))
            continue
        title = (text.title or "").strip() or None
        by_key[key].append(StaffText(text.row, title, text.text.strip()))
    return tuple((k, tuple(by_key[k])) for k in SECTION_KEYS if k in by_key), tuple(unknown)


# --------------------------------------------------------------------------- helpers


def _long(day: dt.date) -> str:
    return format_date_long(day)


def month_name(month: int) -> str:
    """``janvier`` … ``décembre``."""
    return MONTHS[month - 1]
