"""Retention: when an erasure waits for confirmation, and whose personal data has been kept
its full period (RGPD articles 17 and 5.1.e). :func:`refusal` says, in French, why the
erasure of a member still active or owing money waits for ``--confirmer``;
:func:`due_for_erasure` lists the leavers whose « Sortie le » and the form respondents who
never became members whose last answer are ``years`` past, for the digest to name. The
person, the tabs' declarations and the erasure plan itself are in
:mod:`automations.rules.personal_data`; nothing here reads or writes anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .. import schema
from ..settings import FormsSettings
from ..workbook import Table
from .personal_data import Person, cell_text, day_of, is_form_tab, question_key


def refusal(person: Person, status: str | None, due: Sequence[str]) -> str | None:
    """Why the erasure waits for ``--confirmer`` (French), or None: a member still active,
    or with an amount due (``due``: what is owed, in words)."""
    if person.member_id is None:
        return None
    reasons = []
    todo = []
    if status is not None and status != "sortie":
        reasons.append(
            f"le membre {person.member_id} est encore actif "
            f"(statut « {status} », pas de « Sortie le » passée)"
        )
        todo.append("indiquez sa « Sortie le » dans l'onglet Membres")
    if due:
        reasons += due
        todo.append("faites régler ce qui est dû")
    if not reasons:
        return None
    return (
        "Effacement refusé : " + " ; ".join(reasons) + ". " + _sentence(" et ".join(todo)) + ", "
        "ou confirmez l'effacement (commande : --confirmer ; onglet Demandes : Cible « "
        f"{person.member_id} confirmer »), les pièces comptables étant conservées de toute façon."
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class DueForErasure:
    """A person whose data has been kept its full period: a member ID, or a form answer."""

    member_id: str | None
    title: str  # the tab where they stand
    row: int
    since: dt.date  # Sortie le, or the last answer
    until: dt.date  # the end of the retention period


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def due_for_erasure(
    tables: Mapping[str, Table],
    members: Iterable[tuple[str | None, int, dt.date | None, bool]],
    today: dt.date,
    years: int,
    forms: FormsSettings | None = None,
) -> list[DueForErasure]:
    """The leavers whose ``Sortie le`` is ``years`` past, and the form respondents who never
    became members whose last answer is; those already erased left out.

    ``members``: (ID, row, Sortie le, already erased) of each member."""
    found = []
    addresses: set[str] = set()
    member_table = tables.get(schema.MEMBRES.name)
    for row in member_table or ():
        if (email := cell_text(row.get("Email"))) is not None:
            addresses.add(email.casefold())
    title = member_table.title if member_table is not None else schema.MEMBRES.name
    for member_id, number, left_on, erased in members:
        if left_on is None or erased:
            continue
        until = add_years(left_on, years)
        if until <= today:
            found.append(DueForErasure(member_id, title, number, left_on, until))
    forms = forms or FormsSettings()
    for name, table in tables.items():
        if not is_form_tab(name, forms):
            continue
        email_key = question_key(table, forms.email)
        stamp_key = question_key(table, forms.horodateur)
        if email_key is None or stamp_key is None:
            continue
        latest: dict[str, tuple[dt.date, int]] = {}
        for row in table:
            address = (cell_text(row.cells.get(email_key)) or "").casefold()
            day = day_of(row.cells.get(stamp_key))
            if not address or address in addresses or day is None:
                continue
            if address not in latest or day >= latest[address][0]:
                latest[address] = (day, row.number)
        for day, number in latest.values():
            until = add_years(day, years)
            if until <= today:
                found.append(DueForErasure(None, table.title, number, day, until))
    return found
