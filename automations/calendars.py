"""iCalendar (.ics) files for the bookable resources and the programme.

One calendar per bookable resource (its bookings) and one for the programme (the events),
which staff import into, or subscribe to from, Google Calendar, Outlook or Apple Calendar.

- UIDs are stable per row ID (``reservation-R0012@calendrier.mila``,
  ``evenement-E004@calendrier.mila``): importing the file again updates the events already
  imported instead of duplicating them. Rows still without ID are left out (« mila synchroniser »
  gives them one).
- Times are Europe/Paris (a VTIMEZONE is included); a booking or event without a time is
  an all-day event. An event with a time lasts ``EVENT_DURATION`` (the sheet has no end).
- Cancelled bookings stay in the file with ``STATUS:CANCELLED`` so that a re-import
  cancels them in the calendar too; requested ones are ``TENTATIVE``.
- ``DTSTAMP`` is the given ``stamp``: the same workbook and day give the same bytes.

Summaries and descriptions are in French.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar

from .formatting import format_money
from .model.rows import Booking, Event, Member, Premises, id_key
from .text import slug, to_ascii

PARIS = ZoneInfo("Europe/Paris")
TZID = "Europe/Paris"
UID_DOMAIN = "calendrier.mila"
PRODID = "-//MILA//mila calendrier//FR"
EVENT_DURATION = dt.timedelta(hours=2)
MAX_NAME = 60

STATUSES = {"confirmée": "CONFIRMED", "demandée": "TENTATIVE", "annulée": "CANCELLED"}
RESERVED_TO_TEXT = {
    "Crescendo": "Réservé aux membres ayant l'option Crescendo.",
    "PREMIUM": "Réservé au forfait PREMIUM et aux membres hébergés.",
    "hébergés": "Réservé aux membres hébergés.",
}


def uid(kind: str, row_id: str) -> str:
    """``reservation-R0012@calendrier.mila``: the same row ID always gives the same UID."""
    return f"{kind}-{row_id.strip().upper()}@{UID_DOMAIN}"


def safe_filename(text: str, fallback: str = "calendrier") -> str:
    """A file name part without accents, spaces or anything a file system may refuse:
    ``Salle de réunion (RDC)`` -> ``salle-de-reunion-rdc``."""
    return slug(text, limit=MAX_NAME, lower=True) or fallback


def paris_timezone() -> icalendar.Timezone:
    """Europe/Paris as a compact VTIMEZONE (the EU rules since 1996).

    Written here rather than by icalendar's ``Timezone.from_tzinfo`` (7.x): that one lists
    every transition of a bounded range, and puts a spring onset at 03:00 with
    ``TZOFFSETFROM:+0100``, an hour late for RFC 5545 (the onset is local time in the
    offset it leaves: 02:00). The events themselves carry ``zoneinfo``'s Europe/Paris."""
    tz = icalendar.Timezone()
    tz.add("tzid", TZID)
    for kind, start, offset_from, offset_to, name, month in (
        (icalendar.TimezoneDaylight, dt.datetime(1981, 3, 29, 2), 1, 2, "CEST", 3),
        (icalendar.TimezoneStandard, dt.datetime(1996, 10, 27, 3), 2, 1, "CET", 10),
    ):
        part = kind()
        part.add("dtstart", start)
        part.add("tzoffsetfrom", dt.timedelta(hours=offset_from))
        part.add("tzoffsetto", dt.timedelta(hours=offset_to))
        part.add("tzname", name)
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        tz.add_component(part)
    return tz


def new_calendar(name: str, description: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(paris_timezone())
    return calendar


def _paris(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=PARIS)


def _set_times(item: icalendar.Event, start: dt.date, end: dt.date) -> None:
    """All-day when both are plain dates (``end`` exclusive), Paris times otherwise."""
    if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
        as_dt = [v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time()) for v in (start, end)]
        item.add("dtstart", _paris(as_dt[0]))
        item.add("dtend", _paris(as_dt[1]))
    else:
        item.add("dtstart", start)
        item.add("dtend", end)


def _stems(text: str) -> set[str]:
    ascii_text = to_ascii(text).lower()
    return {word[:6] for word in re.findall(r"[a-z]+", ascii_text) if len(word) >= 4}


def event_summary(event: Event) -> str:
    """The title, preceded by the type when the title does not already say it:
    ``Club MILA : Les droits voisins``, but ``Consultations d'experts : juridique``."""
    title = event.title or event.type or "Événement"
    if event.type and event.title and not (_stems(event.type) & _stems(event.title)):
        return f"{event.type} : {title}"
    return title


def _who(booking: Booking, member: Member | None) -> str:
    if member is not None and member.structure:
        return member.structure
    return booking.organisation or booking.member_id or "Réservation"


def booking_event(
    booking: Booking,
    premises: Premises,
    member: Member | None,
    amount: Decimal | None,
    stamp: dt.datetime,
) -> icalendar.Event | None:
    """The VEVENT of a booking; None when it has no ID or no readable period."""
    start, end = booking.start_at, booking.end_at
    if booking.id is None or start is None or end is None or end <= start:
        return None
    item = icalendar.Event()
    item.add("uid", uid("reservation", booking.id))
    item.add("dtstamp", stamp)
    resource = premises.name or premises.id or ""
    who = _who(booking, member)
    summary = f"{resource} – {who}"
    if booking.status == "demandée":
        summary += " (à confirmer)"
    elif booking.status == "annulée":
        summary = f"Annulée : {summary}"
    item.add("summary", summary)
    if isinstance(booking.start, dt.datetime) or isinstance(booking.end, dt.datetime):
        _set_times(item, start, end)
    else:
        _set_times(item, start.date(), end.date())
    lines = [f"Réservation {booking.id} de « {resource} » ({premises.id})."]
    if member is not None:
        contact = f", contact : {member.contact}" if member.contact else ""
        lines.append(f"Membre : {member.structure or booking.member_id} ({booking.member_id}){contact}.")
    elif booking.member_id:
        lines.append(f"Membre : {booking.member_id}.")
    if booking.organisation:
        lines.append(f"Organisme : {booking.organisation}.")
    price = f", montant HT : {format_money(amount)}" if amount is not None else ""
    lines.append(f"Formule : {booking.formula}{price}.")
    lines.append(f"Statut : {booking.status}.")
    lines.append("Calendrier produit par « mila calendrier » depuis l'onglet « Réservations ».")
    item.add("description", "\n".join(lines))
    location = ", ".join(x for x in (premises.name, premises.address) if x)
    if location:
        item.add("location", location)
    item.add("status", STATUSES.get(booking.status, "TENTATIVE"))
    item.add("transp", "TRANSPARENT" if booking.status == "annulée" else "OPAQUE")
    return item


def programme_event(
    event: Event,
    counts: tuple[int | None, int | None],
    stamp: dt.datetime,
) -> icalendar.Event | None:
    """The VEVENT of an event of the programme; None without ID or readable date."""
    if event.id is None or event.date is None or "date" in event.unreadable:
        return None
    item = icalendar.Event()
    item.add("uid", uid("evenement", event.id))
    item.add("dtstamp", stamp)
    item.add("summary", event_summary(event))
    if event.type:
        item.add("categories", [event.type])
    if event.time is not None and "time" not in event.unreadable:
        start = dt.datetime.combine(event.date, event.time)
        _set_times(item, start, start + EVENT_DURATION)
    else:
        _set_times(item, event.date, event.date + dt.timedelta(days=1))
    lines = [f"{event.type or 'Événement'} — {event.title or ''}".rstrip(" —") + "."]
    if event.speakers:
        lines.append("Intervenants : " + " ; ".join(event.speakers) + ".")
    if event.reserved_to:
        lines.append(RESERVED_TO_TEXT.get(event.reserved_to, f"Réservé à : {event.reserved_to}."))
    registered, waiting = counts
    seats = f"Places : {event.capacity}" if event.capacity is not None else "Places : sans limite"
    if registered is not None:
        seats += f" ; inscrits : {registered}"
        if waiting:
            seats += f" ; liste d'attente : {waiting}"
    lines.append(seats + ".")
    if event.time is None:
        lines.append("Heure à préciser (colonne « Heure » vide).")
    lines.append(
        f"Événement {event.id} de l'onglet « Événements », calendrier produit par « mila calendrier »."
    )
    item.add("description", "\n".join(lines))
    if event.place:
        item.add("location", event.place)
    item.add("status", "CONFIRMED")
    return item


@dataclass(frozen=True)
class BuiltCalendar:
    calendar: icalendar.Calendar
    count: int  # VEVENTs
    left_out: tuple[int, ...]  # sheet rows without ID or readable dates


def _sorted(items: Iterable[tuple[dt.date, str, icalendar.Event]]) -> list[icalendar.Event]:
    def key(entry: tuple[dt.date, str, icalendar.Event]) -> tuple[dt.datetime, str]:
        when = entry[0]
        if not isinstance(when, dt.datetime):
            when = dt.datetime.combine(when, dt.time())
        return (when, entry[1])

    return [entry[2] for entry in sorted(items, key=key)]


def resource_calendar(
    premises: Premises,
    bookings: Iterable[tuple[Booking, Decimal | None]],
    members: Mapping[str, Member],
    stamp: dt.datetime,
) -> BuiltCalendar:
    """The calendar of one resource from its bookings (with their amounts). ``members``
    is indexed by ID key."""
    name = premises.name or premises.id or "Ressource"
    calendar = new_calendar(
        f"MILA – {name}",
        f"Réservations de « {name} » ({premises.id}), tirées du classeur du MILA.",
    )
    entries: list[tuple[dt.date, str, icalendar.Event]] = []
    left_out = []
    for booking, amount in bookings:
        member = members.get(id_key(booking.member_id) or "")
        item = booking_event(booking, premises, member, amount, stamp)
        start = booking.start_at
        if item is None or start is None:  # no event without a start
            left_out.append(booking.row)
            continue
        entries.append((start, booking.id or "", item))
    for item in _sorted(entries):
        calendar.add_component(item)
    return BuiltCalendar(calendar, len(entries), tuple(left_out))


def programme_calendar(
    events: Iterable[Event],
    counts: Mapping[int, tuple[int | None, int | None]],
    stamp: dt.datetime,
) -> BuiltCalendar:
    """The calendar of the programme. ``counts`` maps an event's sheet row to its
    (Inscrits, Liste d'attente)."""
    calendar = new_calendar("MILA – Programme", "Clubs, ateliers, consultations et rencontres du MILA.")
    entries: list[tuple[dt.date, str, icalendar.Event]] = []
    left_out = []
    for event in events:
        item = programme_event(event, counts.get(event.row, (None, None)), stamp)
        starts_at = event.starts_at
        if item is None or starts_at is None:  # no event without a date
            left_out.append(event.row)
            continue
        entries.append((starts_at, event.id or "", item))
    for item in _sorted(entries):
        calendar.add_component(item)
    return BuiltCalendar(calendar, len(entries), tuple(left_out))
