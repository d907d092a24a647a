"""Message building: a multipart text + HTML message with its headers, ready to go."""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage

from ..clock import PARIS
from ..settings.mail import MailSettings


class HeaderProblem(ValueError):
    """A name or an address cannot be put in a header; ``reason`` says why, in French."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text


@dataclass(frozen=True)
class Outgoing:
    """A message ready to go: envelope, bytes, and a file name for the outbox."""

    message_id: str
    sender: str
    recipient: str
    data: bytes
    name: str  # outbox file stem: 2026-11-23-M0001-renouvellement-j-30


_POLICY = email.policy.SMTP  # CRLF line ends, RFC 2047 encoded words, raises on defects


def new_message_id(domain: str) -> str:
    """A Message-ID made here, before sending, so that it is known even when the server
    does not echo it: ``<…@mila.fr>``."""
    return email.utils.make_msgid("mila", domain=domain)


def build_message(
    settings: MailSettings,
    *,
    to_name: str | None,
    to_address: str,
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    date: dt.datetime,
    name: str,
    attachments: Sequence[tuple[str, bytes]] = (),
) -> Outgoing:
    """A multipart/alternative message (text, then HTML), with ``attachments`` (file name,
    bytes: a receipt) after it. ``date`` is Paris time (naive or aware). Raises
    :class:`HeaderProblem` when the name or the address cannot be put in a header (a line
    break, a non-ASCII local part…)."""
    if to_name and _has_line_break(to_name):
        raise HeaderProblem(
            "le nom du contact contient un retour à la ligne : corrigez la case « Contact » "
            "de l'onglet Membres (une seule ligne)."
        )
    if _has_line_break(to_address):
        raise HeaderProblem(
            "l'adresse e-mail contient un retour à la ligne : corrigez la case « Email » de l'onglet Membres."
        )
    local, _, domain = to_address.strip().rpartition("@")
    if not local.isascii():
        raise HeaderProblem(
            f"l'adresse « {to_address} » contient des caractères accentués avant le @ : beaucoup de "
            "serveurs la refusent ; demandez au membre une adresse sans accents et corrigez « Email »."
        )
    try:
        domain = domain if domain.isascii() else domain.encode("idna").decode("ascii")
        recipient = Address(display_name=(to_name or "").strip(), addr_spec=f"{local}@{domain}")
    except (ValueError, IndexError, TypeError, UnicodeError) as exc:
        raise HeaderProblem(
            f"l'adresse « {to_address} » ne peut pas servir de destinataire ({exc}) : "
            "corrigez la case « Email »."
        ) from None
    when = date if date.tzinfo else date.replace(tzinfo=PARIS)
    message = EmailMessage(policy=_POLICY)
    message["From"] = Address(display_name=settings.sender_name, addr_spec=settings.sender)
    message["To"] = recipient
    if settings.reply_to:
        message["Reply-To"] = Address(display_name=settings.sender_name, addr_spec=settings.reply_to)
    message["Subject"] = one_line(subject)
    message["Date"] = email.utils.format_datetime(when)
    message["Message-ID"] = message_id
    message["Content-Language"] = "fr"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
        for part in message.iter_parts():
            del part["MIME-Version"]
    for file_name, content in attachments:
        kind = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        maintype, _, subtype = kind.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=file_name)
    if attachments:
        for part in message.walk():
            if part is not message:
                del part["MIME-Version"]
    try:
        data = message.as_bytes()
    except (ValueError, TypeError) as exc:  # header defects the policy refuses
        raise HeaderProblem(
            f"le message pour « {to_address} » ne peut pas être écrit ({exc}) : "
            "vérifiez les cases « Contact » et « Email »."
        ) from None
    return Outgoing(message_id, settings.sender, recipient.addr_spec, data, name)


def one_line(text: str) -> str:
    """A header value on one line: every run of spaces and line breaks becomes a space."""
    return " ".join(text.split())
