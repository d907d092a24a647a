"""`mila calendrier`: one .ics per bookable resource and one for the programme, with
stable UIDs, Europe/Paris times and French text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from automations.calendars import safe_filename, uid
from automations.errors import SchemaError
from automations.jobs.calendars import run_calendars

TODAY = dt.date(2026, 11, 23)


def workbook() -> dict[str, list[list[object]]]:
    return {
        "Membres": [
            ["ID", "Structure", "Contact", "Email", "Catégorie", "Adhésion le"],
            ["M0001", "Onde Claire", "Léa Morel", "lea@onde.fr", "bénéficiaire", "10/01/2023"],
        ],
        "Locaux": [
            ["ID", "Nom", "Site", "Adresse", "Capacité", "Tarif jour HT", "Réservable"],
            ["L01", "Bureau 3", "Pépinière", "12 rue Émile Blémont", None, None, None],
            ["L02", "Salle de réunion / RDC", "Milab", "4 rue André Messager, 75018 Paris", 1, 60, "oui"],
            ["L03", "Postes Milab", "Milab", None, 6, 15, "oui"],
        ],
        "Réservations": [
            ["ID", "Ressource", "Membre", "Organisme", "Début", "Fin", "Formule", "Statut"],
            ["R0001", "L02", "M0001", None, "02/07/2026 14:00", "02/07/2026 16:30", "jour", "confirmée"],
            [
                "R0002",
                "L02",
                None,
                "Asso du quartier",
                "10/01/2026 10:00",
                "10/01/2026 13:00",
                "gracieux",
                "demandée",
            ],
            ["R0003", "L03", "M0001", None, "01/12/2026", "03/12/2026", "jour", "annulée"],
            [None, "L03", "M0001", None, "07/12/2026", "07/12/2026", "jour", "demandée"],
        ],
        "Événements": [
            ["ID", "Date", "Heure", "Type", "Titre", "Intervenants", "Lieu", "Capacité", "Réservé à"],
            [
                "E001",
                "10/12/2026",
                "18:30",
                "Club MILA",
                "Les droits voisins",
                "Ana Roy (Sacem)",
                "Pôle MILA",
                1,
                "PREMIUM",
            ],
            ["E002", "15/01/2027", None, "JuriQuizz", "JuriQuizz de janvier", None, None, None, None],
            ["E003", "31/02/2027", None, "Afterwork", "Date impossible", None, None, None, None],
        ],
        "Inscriptions": [
            ["ID", "Événement", "Membre", "Inscrit le", "Statut"],
            ["I0001", "E001", "M0001", "01/11/2026", "inscrit"],
        ],
    }


def read(path: Path) -> icalendar.Calendar:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert isinstance(calendar, icalendar.Calendar)
    return calendar


def events_of(path: Path) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in read(path).walk("VEVENT") if isinstance(e, icalendar.Event)}


def moment(value: dt.date) -> dt.datetime:
    """A start or end that must carry a time of day."""
    assert isinstance(value, dt.datetime)
    return value


class TestFiles:
    def test_one_file_per_bookable_resource_and_one_for_the_programme(self, make_book, tmp_path):
        """Two bookable resources and the programme give three files with safe names."""
        result = run_calendars(make_book(workbook()).open(), out_dir=tmp_path / "ics", today=TODAY)
        names = sorted(p.name for p in (tmp_path / "ics").iterdir())
        assert names == [
            "programme.ics",
            "reservations-postes-milab-l03.ics",
            "reservations-salle-de-reunion-rdc-l02.ics",
        ]
        assert [(f.title, f.events) for f in result.files] == [
            ("Salle de réunion / RDC (L02)", 2),
            ("Postes Milab (L03)", 1),
            ("Programme", 2),
        ]

    def test_running_twice_gives_the_same_bytes(self, make_book, tmp_path):
        """Same workbook, same day: identical files (UIDs and DTSTAMP are stable)."""
        book = make_book(workbook())
        run_calendars(book.open(), out_dir=tmp_path / "a", today=TODAY)
        run_calendars(book.open(), out_dir=tmp_path / "b", today=TODAY)
        for path in (tmp_path / "a").iterdir():
            assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()

    def test_rows_without_id_or_readable_date_are_left_out_and_reported(self, make_book, tmp_path):
        """The booking without ID and the event dated 31/02 are not in any file; the result says so in French."""
        result = run_calendars(make_book(workbook()).open(), out_dir=tmp_path, today=TODAY)
        assert len(events_of(tmp_path / "reservations-postes-milab-l03.ics")) == 1
        assert any("Réservations" in text and "mila synchroniser" in text for text in result.left_out)
        assert any("Événements" in text and "lignes 4" in text for text in result.left_out)

    def test_a_missing_required_column_stops_before_writing(self, make_book, tmp_path):
        """Without « Début » in Réservations, nothing is written and the error names the column."""
        data = workbook()
        data["Réservations"][0][4] = "Start"
        with pytest.raises(SchemaError, match="Début"):
            run_calendars(make_book(data).open(), out_dir=tmp_path / "ics", today=TODAY)
        assert not (tmp_path / "ics").exists()

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Salle de réunion", "salle-de-reunion"),
            ("../../etc/passwd", "etc-passwd"),
            ("Studio: «A»*?", "studio-a"),
            ("***", "calendrier"),
            ("x" * 200, "x" * 60),
        ],
    )
    def test_file_names_are_made_safe(self, name, expected):
        """Accents, separators and symbols never reach the file name."""
        assert safe_filename(name) == expected


class TestContent:
    def test_uids_are_stable_per_row_id(self, make_book, tmp_path):
        """Each VEVENT's UID derives from its row ID only, so a re-import updates it."""
        run_calendars(make_book(workbook()).open(), out_dir=tmp_path, today=TODAY)
        room = events_of(tmp_path / "reservations-salle-de-reunion-rdc-l02.ics")
        assert sorted(room) == [uid("reservation", "R0001"), uid("reservation", "R0002")]
        assert uid("reservation", " r0001 ") == "reservation-R0001@calendrier.mila"

    def test_times_are_in_paris_and_dates_are_all_day(self, make_book, tmp_path):
        """A 14h–16h30 booking is in Europe/Paris time with a VTIMEZONE; a date-only one is all-day."""
        run_calendars(make_book(workbook()).open(), out_dir=tmp_path, today=TODAY)
        path = tmp_path / "reservations-salle-de-reunion-rdc-l02.ics"
        text = path.read_text(encoding="utf-8")
        assert "BEGIN:VTIMEZONE" in text and "DTSTART;TZID=Europe/Paris:20260702T140000" in text
        meeting = events_of(path)[uid("reservation", "R0001")]
        assert moment(meeting.start).utcoffset() == dt.timedelta(hours=2) and moment(meeting.end).hour == 16
        desks = events_of(tmp_path / "reservations-postes-milab-l03.ics")[uid("reservation", "R0003")]
        assert desks.start == dt.date(2026, 12, 1) and desks.end == dt.date(2026, 12, 4)

    def test_summaries_and_descriptions_are_in_french(self, make_book, tmp_path):
        """Who booked, the status, the amount and the address are said in French."""
        run_calendars(make_book(workbook()).open(), out_dir=tmp_path, today=TODAY)
        room = events_of(tmp_path / "reservations-salle-de-reunion-rdc-l02.ics")
        first = room[uid("reservation", "R0001")]
        assert str(first["SUMMARY"]) == "Salle de réunion / RDC – Onde Claire"
        assert "montant HT : 60 €" in str(first["DESCRIPTION"]) and "Léa Morel" in str(first["DESCRIPTION"])
        assert "4 rue André Messager" in str(first["LOCATION"]) and str(first["STATUS"]) == "CONFIRMED"
        asked = room[uid("reservation", "R0002")]
        assert (
            str(asked["SUMMARY"]).endswith("Asso du quartier (à confirmer)")
            and str(asked["STATUS"]) == "TENTATIVE"
        )

    def test_cancelled_bookings_stay_as_cancelled(self, make_book, tmp_path):
        """A cancelled booking is kept with STATUS:CANCELLED so that a re-import cancels it."""
        run_calendars(make_book(workbook()).open(), out_dir=tmp_path, today=TODAY)
        item = events_of(tmp_path / "reservations-postes-milab-l03.ics")[uid("reservation", "R0003")]
        assert str(item["STATUS"]) == "CANCELLED" and str(item["SUMMARY"]).startswith("Annulée : ")

    def test_the_programme_lists_events_with_type_seats_and_audience(self, make_book, tmp_path):
        """A Club at 18h30 lasts two hours, says its speakers, audience and seats; an event without time is all-day."""
        run_calendars(make_book(workbook()).open(), out_dir=tmp_path, today=TODAY)
        programme = read(tmp_path / "programme.ics")
        assert str(programme["X-WR-CALNAME"]) == "MILA – Programme"
        items = events_of(tmp_path / "programme.ics")
        club = items[uid("evenement", "E001")]
        assert str(club["SUMMARY"]) == "Club MILA : Les droits voisins"
        assert moment(club.end) - moment(club.start) == dt.timedelta(hours=2)
        description = str(club["DESCRIPTION"])
        assert "Ana Roy (Sacem)" in description and "forfait PREMIUM" in description
        assert "Places : 1 ; inscrits : 0" in description  # M0001 has no PREMIUM forfait: no seat
        quiz = items[uid("evenement", "E002")]
        assert str(quiz["SUMMARY"]) == "JuriQuizz de janvier" and quiz.start == dt.date(2027, 1, 15)
