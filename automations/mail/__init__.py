"""E-mail: settings, templates, message building and two senders behind one interface.

The package holds one module per part (:mod:`.templates`, :mod:`.message`, :mod:`.senders`,
:mod:`.smtp`, :mod:`.preview`, :mod:`.check`); the names the jobs use are importable from here.

- :class:`MailSettings`: the ``[mail]`` section and the ``MILA_SMTP_*`` variables, read and
  validated with the other settings (:mod:`automations.settings.mail`).
- :class:`Templates`: Jinja templates of ``templates/emails/`` that staff edit, rendered in
  a sandbox, HTML autoescaped, unknown variables refused (``StrictUndefined``); every
  failure becomes a :class:`~automations.errors.TemplateError` naming the file and line.
- :func:`build_message`: a multipart text + HTML message with Message-ID, Date, Reply-To
  and accented names encoded as RFC 2047 requires; a name or an address holding a line
  break cannot add a header: it is refused with a French reason (:class:`HeaderProblem`).
- Senders (:class:`Sender`): :class:`SmtpSender` (one connection for a whole batch,
  STARTTLS or SSL, login when a user is given) and :class:`PreviewSender` (``.eml`` files
  in the preview folder: nothing leaves; used when no server is configured and by
  ``--simulation``). ``Sender.delivers`` tells them apart: a job records in ``Relances`` only
  what a sender that delivers has handed over.
- :func:`send_test_message`: log in and send one message to a given address
  (``mila courriel-test``), to check the setup without writing to any member.

Errors a sender raises, all :class:`~automations.errors.MailError`::

    MailError               the batch cannot go on (server unreachable, login refused,
                            sender refused, connection lost between two messages):
                            the message being sent did not leave
    ├── RecipientRefused    the server refused this message (``code``, ``reason``);
    │                       the connection is still usable for the next one
    └── DeliveryUncertain   the connection broke while the message was being
                            handed over: it may or may not have left
"""

from ..errors import MailError
from ..settings.mail import DEFAULT_PORTS, DEFAULT_TEMPLATES, DEMO_SENDER, SECURITIES, MailSettings
from .check import MailCheck, checked_address, send_test_message
from .message import HeaderProblem, Outgoing, build_message, new_message_id, one_line
from .preview import NO_SERVER_HINT, SWITCH_HINT, SWITCHED_OFF, PreviewSender, preview_notice, switched_off
from .senders import Sender, make_sender
from .smtp import DeliveryUncertain, RecipientRefused, SmtpSender
from .templates import Templates

__all__ = [
    "DEFAULT_PORTS",
    "DEFAULT_TEMPLATES",
    "DEMO_SENDER",
    "NO_SERVER_HINT",
    "SECURITIES",
    "SWITCHED_OFF",
    "SWITCH_HINT",
    "DeliveryUncertain",
    "HeaderProblem",
    "MailCheck",
    "MailError",
    "MailSettings",
    "Outgoing",
    "PreviewSender",
    "RecipientRefused",
    "Sender",
    "SmtpSender",
    "Templates",
    "build_message",
    "checked_address",
    "make_sender",
    "new_message_id",
    "one_line",
    "preview_notice",
    "send_test_message",
    "switched_off",
]
