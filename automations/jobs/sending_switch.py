"""Sending switched on by a person: the state lives in the workbook's ``Journal``.

A new installation starts with sending **off**: the mail jobs write previews (the preview
folder's ``envois-non-actives`` sub-folder, uploaded to the Drive folder « Aperçus » when
Drive is set) and say that nothing left. A staff member switches sending on after looking
at them, with the request « activer les envois » (or ``mila envois activer``), and off with
« suspendre les envois » (``mila envois suspendre``).

Each switch is one ``Journal`` line: ``Tâche`` « envois », ``Résultat`` « activés » or
« suspendus », ``Détails`` who asked. The last such line (the Journal only grows) is the
state; a workbook without any is in the state ``[mail] sending_starts_on`` gives (false:
off; the tests' and the demo's own configurations start on). The state is therefore the
sheet's, not the server's: a rebuilt server keeps it, and every run reads it from the one
read of the workbook it makes anyway (no request of its own).

The switch guards the messages to members and to the board; the staff's own messages (the
daily summary, the answer to a request) go whatever the switch: they are how the staff
learn that previews wait for them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import journal, schema
from ..model.rows import JournalEntry
from ..runner import FAILURE, NOTHING, SUCCESS, Outcome
from ..schema import normalize_header

if TYPE_CHECKING:
    from ..config import Settings
    from ..workbook import Workbook
    from .context import RunContext

TASK = "envois"
ON = "activés"
OFF = "suspendus"


@dataclass(frozen=True)
class SendingState:
    """Whether sending is on, and since when and by whom when a person switched it."""

    on: bool
    at: dt.date | None = None
    by: str | None = None
    recorded: bool = False  # a person switched it (a Journal line), rather than the default

    def describe(self) -> str:
        """One French sentence for ``mila etat``, ``mila diagnostic`` and the summary."""
        when = f" le {self.at:%d/%m/%Y}" if self.at is not None else ""
        who = f" ({self.by})" if self.by else ""
        if self.on:
            return f"Envois activés{when}{who} : les messages partent."
        if self.recorded:
            return (
                f"Envois suspendus{when}{who} : les messages sont écrits en aperçu, rien ne part. "
                "Pour reprendre, demandez « activer les envois » dans l'onglet Demandes."
            )
        return (
            "Envois pas encore activés : les messages sont écrits en aperçu, rien ne part. Regardez "
            "les aperçus, puis demandez « activer les envois » dans l'onglet Demandes du classeur."
        )


def sending_state(journal: Sequence[JournalEntry], default: bool = False) -> SendingState:
    """The state the last « envois » line of ``journal`` gives; ``default`` without one."""
    task = normalize_header(TASK)
    for entry in reversed(journal):
        if normalize_header(entry.task or "") != task:
            continue
        result = normalize_header(entry.result or "")
        if result in (normalize_header(ON), normalize_header(OFF)):
            return SendingState(result == normalize_header(ON), entry.at, entry.details, recorded=True)
    return SendingState(default)


@dataclass
class SwitchResult:
    """What « activer les envois » / « suspendre les envois » did."""

    on: bool
    changed: bool  # the state was the other one
    journal_error: str | None = None

    @property
    def journal_lost(self) -> bool:
        return self.journal_error is not None

    def outcome(self) -> Outcome:
        if self.journal_error is not None:
            return Outcome(FAILURE, f"état des envois non enregistré : {self.journal_error}")
        if self.on:
            said = "envois activés : les messages partent désormais"
            return Outcome(
                SUCCESS if self.changed else NOTHING, said if self.changed else "envois déjà activés"
            )
        said = "envois suspendus : les messages sont écrits en aperçu, rien ne part"
        return Outcome(
            SUCCESS if self.changed else NOTHING, said if self.changed else "envois déjà suspendus"
        )

    def as_dict(self) -> dict[str, object]:
        return {"on": self.on, "changed": self.changed, "journal_error": self.journal_error}


def switch(ctx: RunContext, *, on: bool, by: str | None = None) -> SwitchResult:
    """Record the switch in Journal (even when unchanged: the last line is the state, and
    a switch asked while the default held makes it the person's)."""
    before = ctx.sending
    details = f"par {by}" if by else "par la commande mila envois"
    error = journal.record(ctx.workbook, ctx.clock, TASK, ON if on else OFF, details)
    ctx.changed()
    ctx.__dict__.pop("sending", None)
    ctx.__dict__.pop("sender", None)
    return SwitchResult(on, before.on != on or not before.recorded, error)


def read_sending_state(workbook: Workbook, settings: Settings) -> SendingState:
    """The state from the workbook's Journal alone (``mila etat``, ``mila diagnostic``)."""
    from ..model.dataset import Dataset

    tables = workbook.read([schema.JOURNAL.name], require=False)
    return sending_state(Dataset.from_tables(tables).journal, settings.mail.sending_starts_on)
