"""A message from its templates: subject, text and HTML rendered with one context, then built
with a Message-ID of its own (:func:`.message.build_message`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..settings.mail import MailSettings
from .message import Outgoing, build_message, new_message_id
from .templates import Templates


class Addressee(Protocol):
    """Who a message greets: a member row, or a person answering a form."""

    @property
    def id(self) -> str | None: ...
    @property
    def structure(self) -> str | None: ...
    @property
    def contact(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


def addressed(settings: MailSettings, member: Addressee, **more: object) -> dict[str, Any]:
    """The variables every member's message starts from: ``association`` (name, signature) and
    ``membre`` (ID, structure, contact, e-mail; each name standing in for the other when one
    is missing), ``more`` added to ``membre``."""
    return {
        "association": {"nom": settings.association, "signature": settings.signature},
        "membre": {
            "id": member.id,
            "structure": member.structure or member.contact or "",
            "contact": member.contact or member.structure or "",
            "email": member.email,
            **more,
        },
    }


@dataclass(frozen=True)
class MessageTemplates:
    """The three templates of one kind of message, in ``templates/emails/``."""

    subject: str
    text: str
    html: str

    @classmethod
    def named(cls, stem: str) -> MessageTemplates:
        """``stem.sujet.txt.j2``, ``stem.txt.j2`` and ``stem.html.j2``."""
        return cls(f"{stem}.sujet.txt.j2", f"{stem}.txt.j2", f"{stem}.html.j2")


def compose(
    settings: MailSettings,
    templates: Templates,
    which: MessageTemplates,
    context: Mapping[str, Any],
    *,
    to_name: str | None,
    to_address: str,
    date: dt.datetime,
    name: str,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> Outgoing:
    """The message ``which`` renders from ``context``, ready to go (its ``message_id`` new).
    Raises :class:`.message.HeaderProblem` when the name or the address cannot be a header,
    and a French ``TemplateError`` when a template fails."""
    return build_message(
        settings,
        to_name=to_name,
        to_address=to_address,
        subject=templates.render(which.subject, context),
        text=templates.render(which.text, context),
        html=templates.render(which.html, context),
        message_id=new_message_id(settings.domain),
        date=date,
        name=name,
        attachments=attachments,
    )
