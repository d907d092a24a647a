"""The two responses tabs Google Forms fills, as the demo shows them to `mila synchroniser`.

« Inscriptions (formulaire) »: a dozen answers to the event registration form of the last
days, the event named as members type it (its ID, the dropdown's label, its title and
date), one for a full event (a waiting list), one from nobody the association knows, one
sent twice. « Adhésions (formulaire) »: three membership requests. Both bear the default
tab names and question titles of ``[formulaires]``: the demo needs no configuration.

Drawn with a generator of their own, so that the other tabs stay as they were.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .common import OK_STATUSES, DemoEvent, DemoMember, Story, make_siret, slugify
from .events import EventsPart
from .writer import Writer

REGISTRATION_TAB = "Inscriptions (formulaire)"
REQUEST_TAB = "Adhésions (formulaire)"
REGISTRATION_QUESTIONS: list[object] = [
    "Horodateur",
    "Adresse e-mail",
    "Nom et prénom",
    "Structure",
    "Événement",
]
REQUEST_QUESTIONS: list[object] = [
    "Horodateur",
    "Adresse e-mail",
    "Structure",
    "Nom et prénom",
    "Téléphone",
    "SIRET",
    "Forme juridique",
    "Adresse postale",
]
_STAMP_FORMAT = "dd/mm/yyyy hh:mm:ss"  # how Google Forms shows « Horodateur »
_FORM_FILL = PatternFill("solid", fgColor="E2EFDA")  # a form's tab: green, as Google draws it

_REQUESTS = [
    ("Les Ondes Vagabondes", "Inès", "Faure", "association", "12 rue des Vinaigriers, 75010 Paris", False),
    ("Tambour Battant", "Yanis", "Cherif", "SAS", "4 passage Brady, 75010 Paris", True),  # gives its SIRET
    ("Studio Contre-Chant", "Maëlle", "Robin", "SARL", "31 rue de Lancry, 75010 Paris", False),
]


def label(e: DemoEvent) -> str:
    """The event as the dropdowns offer it: « E042 – Club MILA du 14/01/2025 »."""
    return f"{e.id} – {e.title} du {e.day:%d/%m/%Y}"


class FormsPart(Story):
    def build_form_answers(
        self, events: list[DemoEvent], members: list[DemoMember], registrations: list[dict[str, object]]
    ) -> tuple[list[list[object]], list[list[object]]]:
        """The two responses tabs as grids (header first), answers in the order they came."""
        rng = random.Random(self.today.toordinal())
        today = self.today
        upcoming = [e for e in events if today < e.day <= today + timedelta(days=45) and e.id]
        taken = {(str(r["Événement"]), str(r["Membre"])) for r in registrations}
        counts: dict[str, int] = {}
        for r in registrations:
            if r.get("Statut") in (None, "inscrit", "présent"):
                counts[str(r["Événement"])] = counts.get(str(r["Événement"]), 0) + 1
        full = [e for e in upcoming if e.capacity and counts.get(e.id, 0) >= e.capacity]
        people = [
            m
            for m in members
            if m.referable and m.id and m.status(today) in OK_STATUSES and "," not in m.email and m.email
        ]
        start = datetime.combine(today - timedelta(days=7), time(8, 12, 5))  # the last one yesterday
        moments = iter(
            start + timedelta(hours=11 * i, minutes=rng.randint(0, 59), seconds=i) for i in range(40)
        )
        answers: list[list[object]] = []
        open_events = [e for e in upcoming if e not in full and not e.reserved] or upcoming
        ways = [lambda e: e.id, label, lambda e: f"{e.title} {e.day:%d/%m/%Y}"]
        for i in range(9):
            event = open_events[i % len(open_events)]
            person = next(
                m
                for m in rng.sample(people, len(people))
                if (event.id, m.id) not in taken and EventsPart.eligible(m, event)
            )
            taken.add((event.id, str(person.id)))
            email = person.email.upper() if i == 4 else person.email  # as typed: case does not matter
            answers.append([next(moments), email, person.contact, person.structure, ways[i % 3](event)])
        for event in sorted(full, key=lambda e: e.reserved is not None):
            late = next(
                (m for m in people if (event.id, m.id) not in taken and EventsPart.eligible(m, event)), None
            )
            if late is not None:  # one more for a full event: the waiting list
                answers.append([next(moments), late.email, late.contact, late.structure, label(event)])
                break
        answers.append(
            [next(moments), "gerard.lambda@orange.fr", "Gérard Lambda", "", str(open_events[0].id)]
        )  # nobody the association knows: left for the staff
        answers.append(list(answers[2]))  # the member pressed « Envoyer » twice
        requests: list[list[object]] = []
        for structure, first, last, form, address, with_siret in _REQUESTS:
            email = f"{slugify(first)}@{slugify(structure).replace('-', '')}.fr"
            siret = make_siret(rng) if with_siret else None
            phone = (
                f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            )
            requests.append([next(moments), email, structure, f"{first} {last}", phone, siret, form, address])
        return [REGISTRATION_QUESTIONS, *answers], [REQUEST_QUESTIONS, *requests]


def write_form_tab(writer: Writer, title: str, grid: list[list[object]]) -> int:
    """A responses tab as Google Forms lays it out: the questions in row 1, one answer a row."""
    ws = writer.wb.create_sheet(title)
    for j, name in enumerate(grid[0], start=1):
        cell = ws.cell(row=1, column=j, value=str(name))
        cell.font, cell.fill = Font(bold=True), _FORM_FILL
        ws.column_dimensions[get_column_letter(j)].width = max(len(str(name)) + 4, 22)
    for i, line in enumerate(grid[1:], start=2):
        for j, value in enumerate(line, start=1):
            if value in (None, ""):
                continue
            cell = ws.cell(row=i, column=j, value=value)
            if isinstance(value, datetime):
                cell.number_format = _STAMP_FORMAT
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
    ws.freeze_panes = "A2"
    return len(grid) - 1
