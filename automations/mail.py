"""E-mail: settings, templates, message building and two senders behind one interface.

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
  ``--dry-run``). ``Sender.delivers`` tells them apart: a job records in ``Relances`` only
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

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import email.utils
import logging
import mimetypes
import os
import re
import smtplib
import socket
import ssl
import tempfile
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from .clock import PARIS
from .documents.french import FILTERS, typographic
from .errors import ConfigError, MailError, TemplateError
from .settings.mail import (  # noqa: F401 - the [mail] section, used by the senders and the jobs
    DEFAULT_PORTS,
    DEFAULT_TEMPLATES,
    DEMO_SENDER,
    SECURITIES,
    MailSettings,
    plain_address,
)
from .text import to_ascii

log = logging.getLogger(__name__)


class RecipientRefused(MailError):
    """The server refused this message; ``code`` 4xx is temporary, 5xx permanent."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"Message refusé par le serveur : {code} {reason}".strip())

    @property
    def details(self) -> str:
        return f"{self.code} {self.reason}".strip()


class DeliveryUncertain(MailError):
    """The connection broke while a message was being handed over: it may have left."""


class HeaderProblem(ValueError):
    """A name or an address cannot be put in a header; ``reason`` says why, in French."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text


# --------------------------------------------------------------------------- templates


def _typeset(value: Any) -> Any:
    """What a template prints, with typographic apostrophes (« L’Usine »)."""
    if isinstance(value, str) and not hasattr(value, "__html__"):  # Markup is already final
        return typographic(value)
    return value


class Templates:
    """The e-mail templates of a folder, rendered in a sandbox.

    ``*.html.j2`` (and ``*.html``) are autoescaped: a ``<`` typed in a member's name shows
    as text. A variable the template uses but the context lacks is an error, not a blank.
    """

    def __init__(self, folder: Path) -> None:
        from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
        from jinja2.sandbox import SandboxedEnvironment

        self.folder = Path(folder)
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(str(self.folder), encoding="utf-8"),
            autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            finalize=_typeset,
        )
        self.env.filters.update(FILTERS)  # {{ membre.structure|de }}: see documents/french.py

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render template ``name``; any failure is a French :class:`TemplateError`."""
        import jinja2

        try:
            template = self.env.get_template(name)
            return template.render(context)
        except jinja2.TemplateNotFound as exc:
            missing = exc.name or name
            raise TemplateError(
                f"Modèle d'e-mail introuvable : « {missing} » dans le dossier « {self.folder} ». "
                "Restaurez-le depuis le dépôt (templates/emails/) ou corrigez [mail] templates."
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            where = exc.name or exc.filename or name
            raise TemplateError(
                f"Le modèle d'e-mail « {where} » est mal écrit, ligne {exc.lineno} : {exc.message}. "
                "Corrigez les balises {{ … }} et {% … %} de cette ligne ; aucun message n'a été envoyé."
            ) from None
        except jinja2.UndefinedError as exc:
            where, line = _template_position(exc, name)
            raise TemplateError(
                f"Le modèle d'e-mail « {where} », ligne {line}, utilise une variable qui n'existe pas "
                f"({_undefined_french(exc.message)}). Corrigez son nom en vous aidant de la liste "
                "des variables de docs/mail.md ; aucun message n'a été envoyé."
            ) from None
        except jinja2.TemplateError as exc:  # SecurityError and the like
            where, line = _template_position(exc, name)
            raise TemplateError(
                f"Le modèle d'e-mail « {where} », ligne {line}, ne peut pas être rendu : {exc}. "
                "Corrigez cette ligne ; aucun message n'a été envoyé."
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(
                f"Le modèle d'e-mail « {name} » est illisible ({exc}). Enregistrez-le en UTF-8 "
                "dans le dossier des modèles ; aucun message n'a été envoyé."
            ) from None
        except Exception as exc:  # an error raised by an expression of the template
            where, line = _template_position(exc, name)
            raise TemplateError(
                f"Le modèle d'e-mail « {where} », ligne {line}, provoque une erreur : {exc}. "
                "Corrigez cette ligne ; aucun message n'a été envoyé."
            ) from None


def _template_position(exc: BaseException, name: str) -> tuple[str, str]:
    """The innermost template file and line of a rendering error."""
    found = (name, "?")
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".txt")):
            found = (Path(filename).name, str(line))
    return found


_UNDEFINED_ATTR = re.compile(r"'(.+?)' has no attribute '(.+?)'")
_UNDEFINED_NAME = re.compile(r"'(.+?)' is undefined")


def _undefined_french(message: str | None) -> str:
    message = message or ""
    if match := _UNDEFINED_ATTR.search(message):
        return f"« {match.group(2)} » n'existe pas à cet endroit"
    if match := _UNDEFINED_NAME.search(message):
        return f"« {match.group(1)} » est inconnue"
    return message


# --------------------------------------------------------------------------- messages


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
            "l'adresse e-mail contient un retour à la ligne : corrigez la case « Email » "
            "de l'onglet Membres."
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


# --------------------------------------------------------------------------- senders


NO_SERVER_HINT = (
    "Pour envoyer, renseignez [mail] host dans mila.toml (ou la variable MILA_SMTP_HOST), avec "
    "from, user et le mot de passe (voir docs/mail.md), puis vérifiez avec « mila courriel-test "
    "VOTRE_ADRESSE »."
)


def preview_notice(count: int, folder: Path) -> str:
    """The French sentence of a run without server: how many previews, where, nothing left."""
    return (
        f"Aucun serveur d'envoi configuré : {count} message(s) écrit(s) en aperçu dans « {folder} » ; "
        f"rien n'est parti. {NO_SERVER_HINT}"
    )


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


class SmtpSender:
    """An SMTP server, one connection for the whole batch.

    ``unsent``: the sentence ending a connection error (what did not happen)."""

    delivers = True

    def __init__(
        self,
        settings: MailSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        unsent: str = "Aucune relance n'a été envoyée ni enregistrée.",
    ) -> None:
        if not settings.host:
            raise ConfigError(f"Aucun serveur d'envoi configuré. {NO_SERVER_HINT}")
        self.settings = settings
        self.unsent = unsent
        self.description = settings.describe()
        self._context = ssl_context
        self._smtp: smtplib.SMTP | None = None
        self.where = f"{settings.host}:{settings.smtp_port}"

    def _ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            cafile = str(self.settings.ca_file) if self.settings.ca_file else None
            try:
                self._context = ssl.create_default_context(cafile=cafile)
            except (OSError, ssl.SSLError) as exc:
                raise MailError(
                    f"Le certificat d'autorité « {cafile} » ([mail] ca_file) est illisible ({exc})."
                ) from None
        return self._context

    def open(self) -> None:
        s = self.settings
        smtp: smtplib.SMTP | None = None
        unsent = self.unsent
        try:
            if s.security == "ssl":
                smtp = smtplib.SMTP_SSL(s.host or "", s.smtp_port, local_hostname=s.helo,
                                        timeout=s.timeout, context=self._ssl_context())
            else:
                smtp = smtplib.SMTP(s.host or "", s.smtp_port, local_hostname=s.helo, timeout=s.timeout)
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"Le serveur {self.where} ne propose pas STARTTLS. Choisissez [mail] "
                        f"security = « ssl » (port 465) ou vérifiez le port. {unsent}"
                    )
                smtp.starttls(context=self._ssl_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except MailError:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(smtp)
            raise MailError(
                f"Le serveur {self.where} refuse l'identifiant « {s.user} » ou son mot de passe "
                f"({exc.smtp_code} {_reply(exc.smtp_error)}). Avec Gmail ou Google Workspace, "
                "utilisez un mot de passe d'application (compte Google > Sécurité > Mots de passe "
                f"des applications) dans MILA_SMTP_PASSWORD. {unsent}"
            ) from None
        except smtplib.SMTPNotSupportedError:
            _close_quietly(smtp)
            raise MailError(
                f"Le serveur {self.where} ne propose pas la connexion par identifiant. Retirez "
                f"[mail] user (relais autorisé par adresse IP) ou changez de port. {unsent}"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            _close_quietly(smtp)
            raise MailError(
                f"Le certificat du serveur {self.where} n'est pas reconnu ({exc.verify_message}). "
                f"Vérifiez [mail] host, ou donnez le certificat d'autorité dans [mail] ca_file. {unsent}"
            ) from None
        except ssl.SSLError as exc:
            _close_quietly(smtp)
            raise MailError(
                f"Échec de la connexion chiffrée avec {self.where} ({exc.reason or exc}). Vérifiez "
                f"que [mail] security correspond au port (587 : starttls, 465 : ssl). {unsent}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            _close_quietly(smtp)
            raise MailError(
                f"Le serveur {self.where} refuse la connexion ({exc.smtp_code} "
                f"{_reply(exc.smtp_error)}). {unsent}"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _close_quietly(smtp)
            raise MailError(
                f"Le serveur d'envoi {self.where} est injoignable ({_os_reason(exc)}). Vérifiez "
                "[mail] host et port (ou MILA_SMTP_HOST, MILA_SMTP_PORT) et la connexion réseau, "
                f"puis relancez. {unsent}"
            ) from None
        self._smtp = smtp
        log.info("smtp: connected to %s", self.where)

    def send(self, message: Outgoing) -> str:
        smtp = self._smtp
        if smtp is None:
            raise MailError(f"La connexion au serveur {self.where} n'est pas ouverte.")
        lost = (
            f"La connexion au serveur {self.where} a été coupée avant l'envoi du message à "
            f"{message.recipient}"
        )
        try:
            code, reply = smtp.mail(message.sender)
        except OSError as exc:
            self._drop()
            raise MailError(f"{lost} ({_os_reason(exc)}).") from None
        if code != 250:
            self._reset()
            raise MailError(
                f"Le serveur {self.where} refuse l'expéditeur {message.sender} ({code} {_reply(reply)}). "
                "Vérifiez [mail] from : avec Gmail, ce doit être l'adresse du compte ou un alias vérifié."
            )
        try:
            code, reply = smtp.rcpt(message.recipient)
        except OSError as exc:
            self._drop()
            raise MailError(f"{lost} ({_os_reason(exc)}).") from None
        if code not in (250, 251):
            self._reset()
            if code == 421:
                raise MailError(f"Le serveur {self.where} ferme la connexion ({code} {_reply(reply)}).")
            raise RecipientRefused(code, _reply(reply))
        try:
            code, reply = smtp.data(message.data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was handed over
            self._reset()
            raise RecipientRefused(exc.smtp_code, _reply(exc.smtp_error)) from None
        except OSError as exc:
            self._drop()
            raise DeliveryUncertain(
                f"La connexion au serveur {self.where} a été coupée pendant l'envoi du message à "
                f"{message.recipient} ({_os_reason(exc)}) : il est peut-être parti."
            ) from None
        if code != 250:
            self._reset()
            raise RecipientRefused(code, _reply(reply))
        return _reply(reply)

    def _reset(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except OSError:
            self._drop()

    def _drop(self) -> None:
        _close_quietly(self._smtp)
        self._smtp = None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except OSError:
            _close_quietly(smtp)


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    with contextlib.suppress(OSError):
        smtp.close()


def _reply(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "délai dépassé"
    if isinstance(exc, ConnectionRefusedError):
        return "connexion refusée"
    if isinstance(exc, socket.gaierror):
        return "nom de serveur inconnu"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connexion fermée par le serveur"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class PreviewSender:
    """The preview folder: one ``.eml`` file per message, nothing leaves the machine.

    A file is written under a temporary name then renamed, so a reader never sees half
    a message; the preview of the same message the same day (same file name) is replaced,
    so the folder shows each message once, as it would be sent now."""

    delivers = False

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.description = f"aperçus dans « {self.folder} » (rien ne part)"

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MailError(
                f"Le dossier des aperçus « {self.folder} » ne peut pas être créé ({exc.strerror or exc}). "
                "Corrigez [mail] preview (ou MILA_MAIL_PREVIEW). Rien n'est parti, rien n'a été noté."
            ) from None

    def send(self, message: Outgoing) -> str:
        target = self.folder / f"{_safe_stem(message.name)}.eml"
        try:
            fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(message.data)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise MailError(
                f"Impossible d'écrire dans le dossier des aperçus « {self.folder} » ({exc.strerror or exc})."
            ) from None
        return str(target)

    def close(self) -> None:
        """Nothing to close."""


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def _safe_stem(name: str) -> str:
    return _UNSAFE.sub("-", to_ascii(name)).strip("-.") or "message"


def make_sender(settings: MailSettings, *, dry_run: bool = False) -> Sender:
    """SMTP when a server is configured; the preview folder when none is, or for a dry run."""
    if settings.uses_smtp and not dry_run:
        return SmtpSender(settings)
    return PreviewSender(settings.preview)


# --------------------------------------------------------------------------- checking the setup


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


def send_test_message(settings: MailSettings, to_address: str, now: dt.datetime,
                      *, sender: Sender | None = None) -> MailCheck:
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
    message_id = new_message_id(settings.domain)
    outgoing = build_message(
        settings, to_name=None, to_address=address,
        subject=f"Message d'essai de mila ({settings.association})", text=text, html=None,
        message_id=message_id, date=when, name="essai",
    )
    smtp = sender or SmtpSender(settings, unsent="Le message d'essai n'est pas parti.")
    smtp.open()
    try:
        reply = smtp.send(outgoing)
    except RecipientRefused as refused:
        raise MailError(
            f"Connexion et identification réussies, mais le serveur refuse le message d'essai pour "
            f"« {address} » ({refused.details}). Vérifiez l'adresse, et [mail] from : avec Gmail, ce doit "
            "être l'adresse du compte ou un alias vérifié."
        ) from None
    finally:
        smtp.close()
    return MailCheck(smtp.description, outgoing.recipient, message_id, reply)
