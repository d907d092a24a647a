"""The sender interface, and the choice between the SMTP server and the preview folder."""

from __future__ import annotations

from typing import Protocol

from ..settings.mail import MailSettings
from .message import Outgoing
from .preview import PreviewSender
from .smtp import SmtpSender


class Sender(Protocol):
    """Where messages go. ``open`` once, ``send`` each message, ``close`` once.

    ``delivers``: whether a message handed to ``send`` leaves for its recipient (SMTP) or
    is only written somewhere to be looked at (previews)."""

    description: str
    delivers: bool

    def open(self) -> None:
        """Connect (or prepare); raises :class:`MailError`."""
        ...

    def send(self, message: Outgoing) -> str:
        """Hand one message over; returns what the server said (or where it was written).
        Raises :class:`RecipientRefused`, :class:`DeliveryUncertain` or :class:`MailError`."""
        ...

    def close(self) -> None:
        """Disconnect; never raises."""
        ...


def make_sender(settings: MailSettings, *, dry_run: bool = False) -> Sender:
    """SMTP when a server is configured; the preview folder when none is, or for a dry run."""
    if settings.uses_smtp and not dry_run:
        return SmtpSender(settings)
    return PreviewSender(settings.preview)
