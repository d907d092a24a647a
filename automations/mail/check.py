"""``mila courriel-test``: log in and send one message to check the setup."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..clock import PARIS
from ..errors import ConfigError, MailError
from ..settings.mail import (
    MailSettings,
    plain_address,
)
from .message import _has_line_break, build_message, new_message_id
from .preview import NO_SERVER_HINT
from .senders import Sender
from .smtp import RecipientRefused, SmtpSender


@dataclass(frozen=True)
class MailCheck:
    """What ``mila courriel-test`` did: the server, the recipient, the Message-ID, the reply."""

    server: str
    recipient: str
    message_id: str
    reply: str


def checked_address(to_address: str) -> str:
    """An address typed on the command line, stripped; a French error if it is not a plain one."""
    address = to_address.strip()
    if _has_line_break(address) or not plain_address(address):
        raise ConfigError(
            f"« {to_address} » n'est pas une adresse e-mail simple : écrivez seulement l'adresse, "
            "par exemple « vous@mila.fr »."
        )
    return address


def send_test_message(
    settings: MailSettings, to_address: str, now: dt.datetime, *, sender: Sender | None = None
) -> MailCheck:
    """Log in to the configured server and send one short message to ``to_address``;
    nothing else is read or written. Every failure is a French error saying what to check."""
    if not settings.uses_smtp:
        raise ConfigError(f"Aucun serveur d'envoi configuré : rien à vérifier. {NO_SERVER_HINT}")
    address = checked_address(to_address)
    when = now if now.tzinfo else now.replace(tzinfo=PARIS)
    text = (
        "Bonjour,\n\n"
        f"Ce message d'essai confirme que mila peut envoyer des courriels depuis {settings.sender} "
        f"par le {settings.describe()}.\n"
        "Aucun membre n'a reçu de message et rien n'a été noté dans le classeur.\n\n"
        f"{settings.signature}\n"
    )
    refused = (
        "Connexion et identification réussies, mais le serveur refuse le message d'essai pour "
        "« {address} » ({details}). Vérifiez l'adresse, et [mail] from : avec Gmail, ce doit "
        "être l'adresse du compte ou un alias vérifié."
    )
    return send_one(
        settings,
        address,
        subject=f"Message d'essai de mila ({settings.association})",
        text=text,
        now=when,
        name="essai",
        sender=sender,
        unsent="Le message d'essai n'est pas parti.",
        refused=refused,
    )


def send_one(
    settings: MailSettings,
    address: str,
    *,
    subject: str,
    text: str,
    now: dt.datetime,
    name: str,
    sender: Sender | None,
    unsent: str,
    refused: str,
) -> MailCheck:
    """One plain-text message to a person of the staff, on a connection of its own (the test
    message, an alert). ``unsent`` ends a connection error; ``refused`` (with ``{address}``
    and ``{details}``) explains a refused recipient."""
    message_id = new_message_id(settings.domain)
    outgoing = build_message(
        settings,
        to_name=None,
        to_address=address,
        subject=subject,
        text=text,
        html=None,
        message_id=message_id,
        date=now,
        name=name,
    )
    smtp = sender or SmtpSender(settings, unsent=unsent)
    smtp.open()
    try:
        reply = smtp.send(outgoing)
    except RecipientRefused as exc:
        raise MailError(refused.format(address=address, details=exc.details)) from None
    finally:
        smtp.close()
    return MailCheck(smtp.description, outgoing.recipient, message_id, reply)
