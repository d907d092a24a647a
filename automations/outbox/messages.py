"""What the outbox handles: a message (its key, its rendering, what became of it) and a
message an earlier run left « en cours » (« à vérifier »)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..mail import Outgoing
from ..rules.outbox import Attempt

# Message statuses in the results (the others are the words of Relances.Statut, rules.outbox)
PLANNED = "prévue"
PREVIEW = "aperçu"  # the Journal's « Résultat » of a run without server: nothing left
BY_ANOTHER_RUN = "envoyée par une autre exécution lancée en même temps"
INTERRUPTED = "non envoyée : l'envoi a été interrompu"


class InDoubt(Protocol):
    """A message an earlier run left « en cours » (a :class:`ToCheck`)."""

    @property
    def new(self) -> bool: ...  # found by this run

    def as_dict(self) -> dict[str, object]: ...


@dataclass(kw_only=True)
class Mail:
    """The one message type of the outbox: its key in ``Relances`` (addressee, reference
    date, label), its rendering, and what became of it. A job's own
    message (``Reminder``, ``Notice``, ``ReceiptMail``…) extends it with what it shows."""

    member_id: str  # the « Membre » of its rows (an ID, or a name such as « Résumé »)
    address: str
    reminder: str  # the Relance label
    reference: dt.date  # the Échéance
    message_id: str
    outgoing: Outgoing | None = field(default=None, repr=False)
    status: str = PLANNED  # prévue · envoyée · échec · annulée · à vérifier
    details: str | None = None
    sent_at: dt.datetime | None = None
    preview: str | None = None  # the preview file, when written as a preview

    def as_dict(self) -> dict[str, object]:
        return {
            "member": self.member_id,
            "address": self.address,
            "label": self.reminder,
            "reference": self.reference.isoformat(),
            "status": self.status,
            "message_id": self.message_id,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "details": self.details,
            "preview": self.preview,
        }


@dataclass(frozen=True)
class ToCheck:
    """A message an earlier run left « en cours »: it may have left; a person checks, it is
    never sent again on its own. The one « à vérifier » type of every sending job."""

    member_id: str | None
    reference: dt.date
    label: str  # the Relance label
    message_ids: tuple[str, ...]
    address: str | None
    new_ids: tuple[str, ...] = ()  # found « en cours » by this run: marked « à vérifier »
    who: str = ""  # how the job names it to a person: « M0012 Le Fair », « I0003 M0004 »…
    about: tuple[tuple[str, object], ...] = ()  # the job's own fields, first in its JSON

    @classmethod
    def found(
        cls,
        in_doubt: Sequence[Attempt],
        unreported: Sequence[Attempt],
        *,
        member_id: str | None,
        reference: dt.date,
        label: str,
        who: str = "",
        about: Mapping[str, object] | None = None,
    ) -> ToCheck:
        """The check of a message whose attempts ``in_doubt`` may have left (``unreported``:
        those still « en cours », found by this run)."""
        return cls(
            member_id,
            reference,
            label,
            tuple(a.message_id or f"(ligne {a.row})" for a in in_doubt),
            next((a.address for a in in_doubt if a.address), None),
            tuple(a.message_id for a in unreported if a.message_id),
            who,
            tuple((about or {}).items()),
        )

    @property
    def new(self) -> bool:
        """Found by this run: the Journal says so once."""
        return bool(self.new_ids)

    def detail(self, name: str) -> object:
        """One of the job's own fields (``about``): « registration », « number »…"""
        return dict(self.about).get(name)

    def as_dict(self) -> dict[str, object]:
        return {
            **dict(self.about),
            "member": self.member_id,
            "label": self.label,
            "due_date": self.reference.isoformat(),
            "message_ids": list(self.message_ids),
            "address": self.address,
            "new": self.new,
        }
