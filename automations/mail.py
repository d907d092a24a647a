"""E-mail: settings, templates, message building and two senders behind one interface.

- :class:`MailSettings`: the ``[mail]`` section and the ``MILA_SMTP_*`` variables.
- :class:`Templates`: Jinja templates of ``templates/emails/`` that staff edit, rendered in
  a sandbox, HTML autoescaped, unknown variables refused (``StrictUndefined``); every
  failure becomes a :class:`~automations.errors.TemplateError` naming the file and line.
- :func:`build_message`: a multipart text + HTML message with Message-ID, Date, Reply-To
  and accented names encoded as RFC 2047 requires; a name or an address holding a line
  break cannot add a header: it is refused with a French reason (:class:`HeaderProblem`).
- Senders (:class:`Sender`): :class:`SmtpSender` (one connection for a whole batch,
  STARTTLS or SSL, login when a user is given) and :class:`OutboxSender` (``.eml`` files
  in a folder: the default when no server is configured).

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
import ipaddress
import logging
import os
import re
import smtplib
import socket
import ssl
import tempfile
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .clock import PARIS
from .documents.french import FILTERS, typographic
from .errors import ConfigError, MailError, TemplateError

if TYPE_CHECKING:
    from .config import Settings

log = logging.getLogger(__name__)

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"
DEMO_SENDER = "adhesions@example.org"
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}

ENVIRONMENT = {
    "MILA_SMTP_HOST": "serveur d'envoi (smtp.gmail.com, smtp-relay.gmail.com…) ; absent : dossier d'envoi",
    "MILA_SMTP_PORT": "port du serveur (défaut : 587 en STARTTLS, 465 en SSL, 25 sans chiffrement)",
    "MILA_SMTP_SECURITY": "starttls, ssl ou none",
    "MILA_SMTP_USER": "identifiant de connexion au serveur (adresse du compte Google)",
    "MILA_SMTP_PASSWORD": "mot de passe (pour Gmail : mot de passe d'application) ; jamais dans le dépôt",
    "MILA_MAIL_FROM": "adresse d'expédition des messages",
    "MILA_MAIL_OUTBOX": "dossier où déposer les messages quand aucun serveur n'est configuré",
}

_KEYS = {
    "association", "host", "port", "security", "user", "password_file", "timeout", "from", "from_name",
    "reply_to", "message_id_domain", "outbox", "templates", "signature", "ca_file", "helo",
}


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


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class MailSettings:
    """How messages are written and sent. No ``host``: they go to the ``outbox`` folder."""

    host: str | None = None
    port: int | None = None  # None: the usual port for ``security``
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    sender: str = DEMO_SENDER  # From (and the envelope sender)
    sender_name: str = "MILA"  # the From display name
    association: str = "MILA"  # the association's name, as the e-mails write it
    reply_to: str | None = None
    message_id_domain: str | None = None  # None: the domain of ``sender``
    outbox: Path = Path("outbox")
    templates: Path = DEFAULT_TEMPLATES
    signature: str = "L'équipe du MILA"
    ca_file: Path | None = None
    helo: str | None = None  # the name given in EHLO; None: this machine's

    @property
    def uses_smtp(self) -> bool:
        return bool(self.host)

    @property
    def smtp_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def domain(self) -> str:
        return self.message_id_domain or self.sender.rpartition("@")[2] or "localhost"

    def describe(self) -> str:
        """Where messages go, in French, without any secret."""
        if self.uses_smtp:
            mode = {"starttls": "STARTTLS", "ssl": "SSL", "none": "sans chiffrement"}[self.security]
            who = f", compte {self.user}" if self.user else ""
            return f"serveur {self.host}:{self.smtp_port} ({mode}{who})"
        return f"dossier d'envoi « {self.outbox} » (aucun serveur configuré : rien ne part)"

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str] | None = None) -> MailSettings:
        """The ``[mail]`` section of the loaded configuration, with the environment."""
        return cls.from_section(settings.section("mail"), os.environ if env is None else env,
                                base=settings.base)

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any], env: Mapping[str, str], *, base: Path | None = None
    ) -> MailSettings:
        """The ``[mail]`` section, overridden by the ``MILA_SMTP_*``/``MILA_MAIL_*``
        variables. Relative paths are taken from ``base`` (the configuration's folder)."""
        unknown = set(section) - _KEYS
        if "password" in unknown:
            raise ConfigError(
                "Configuration : ne mettez pas le mot de passe SMTP dans [mail]. Donnez-le par la "
                "variable d'environnement MILA_SMTP_PASSWORD, ou par un fichier hors du dépôt "
                "désigné par [mail] password_file."
            )
        if unknown:
            raise ConfigError(
                f"Configuration : clé(s) inconnue(s) dans [mail] : {', '.join(sorted(unknown))}. "
                f"Clés possibles : {', '.join(sorted(_KEYS))}."
            )
        base = base or Path.cwd()

        def text(key: str, variable: str | None = None) -> str | None:
            value = env.get(variable) if variable else None
            if not value:
                value = section.get(key)
            if value is None:
                return None
            if not isinstance(value, str):
                raise ConfigError(f"Configuration : [mail] {key} doit être un texte entre guillemets.")
            return value.strip() or None

        def path(key: str, variable: str | None, default: Path) -> Path:
            value = text(key, variable)
            if value is None:
                return default
            found = Path(value).expanduser()
            return found if found.is_absolute() else base / found

        host = text("host", "MILA_SMTP_HOST")
        security = (text("security", "MILA_SMTP_SECURITY") or "starttls").casefold()
        security = {"tls": "ssl", "ssl/tls": "ssl", "start_tls": "starttls", "aucun": "none",
                    "aucune": "none"}.get(security, security)
        if security not in SECURITIES:
            raise ConfigError(
                f"Configuration : [mail] security « {security} » inconnu : choisissez « starttls » "
                "(port 587), « ssl » (port 465) ou « none » (serveur local sans chiffrement)."
            )
        port_value: object = env.get("MILA_SMTP_PORT") or section.get("port")
        port: int | None = None
        if port_value not in (None, ""):
            try:
                port = int(str(port_value).strip())
            except ValueError:
                port = -1
            if not 0 < port < 65536:
                raise ConfigError(
                    f"Configuration : port SMTP invalide « {port_value} » ([mail] port ou "
                    "MILA_SMTP_PORT) : donnez un nombre, par exemple 587."
                )
        timeout_value = section.get("timeout", 30)
        if isinstance(timeout_value, bool) or not isinstance(timeout_value, (int, float)) \
                or timeout_value <= 0:
            raise ConfigError(
                "Configuration : [mail] timeout doit être un nombre de secondes, par exemple 30."
            )

        user = text("user", "MILA_SMTP_USER")
        password = env.get("MILA_SMTP_PASSWORD") or None
        password_file = text("password_file")
        if password is None and password_file:
            secret = Path(password_file).expanduser()
            secret = secret if secret.is_absolute() else base / secret
            try:
                password = secret.read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                raise ConfigError(
                    f"Configuration : le fichier du mot de passe SMTP « {secret} » est illisible "
                    f"({exc.strerror or exc}). Vérifiez [mail] password_file."
                ) from None
        if host and user and not password:
            raise ConfigError(
                f"Mot de passe SMTP manquant pour le compte « {user} » : définissez la variable "
                "d'environnement MILA_SMTP_PASSWORD (pour Gmail, un mot de passe d'application), "
                "ou [mail] password_file."
            )
        if host and user and security == "none" and not _is_loopback(host):
            raise ConfigError(
                f"Configuration : le mot de passe ne peut pas être envoyé en clair à « {host} ». "
                "Choisissez [mail] security = « starttls » ou « ssl »."
            )

        sender = text("from", "MILA_MAIL_FROM") or (user if user and "@" in user else None)
        if sender is None:
            if host:
                raise ConfigError(
                    "Configuration : indiquez l'adresse d'expédition dans [mail] from "
                    "(ou MILA_MAIL_FROM), par exemple « adhesions@mila.fr »."
                )
            sender = DEMO_SENDER
        for key, value in (("from", sender), ("reply_to", text("reply_to"))):
            if value is not None and (_has_line_break(value) or not _plain_address(value)):
                raise ConfigError(
                    f"Configuration : [mail] {key} « {value} » n'est pas une adresse e-mail "
                    "simple : écrivez seulement l'adresse, par exemple « adhesions@mila.fr »."
                )
        association = text("association") or "MILA"
        sender_name = text("from_name") or association
        if _has_line_break(sender_name) or _has_line_break(association):
            raise ConfigError("Configuration : [mail] association et from_name doivent tenir sur une ligne.")
        signature_value = section.get("signature", "L'équipe du MILA")
        if not isinstance(signature_value, str):
            raise ConfigError("Configuration : [mail] signature doit être un texte entre guillemets.")
        ca = text("ca_file")
        return cls(
            host=host,
            port=port,
            security=security,
            user=user,
            password=password,
            timeout=float(timeout_value),
            sender=sender,
            sender_name=sender_name,
            association=association,
            reply_to=text("reply_to"),
            message_id_domain=text("message_id_domain"),
            outbox=path("outbox", "MILA_MAIL_OUTBOX", base / "outbox"),
            templates=path("templates", None, DEFAULT_TEMPLATES),
            signature=signature_value.strip(),
            ca_file=(Path(ca) if Path(ca).is_absolute() else base / ca) if ca else None,
            helo=text("helo"),
        )


def _is_loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _has_line_break(text: str) -> bool:
    return "\r" in text or "\n" in text


_PLAIN_ADDRESS = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+")


def _plain_address(text: str) -> bool:
    return bool(_PLAIN_ADDRESS.fullmatch(text)) and text.isascii()


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
) -> Outgoing:
    """A multipart/alternative message (text, then HTML). ``date`` is Paris time (naive
    or aware). Raises :class:`HeaderProblem` when the name or the address cannot be put
    in a header (a line break, a non-ASCII local part…)."""
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


class Sender(Protocol):
    """Where messages go. ``open`` once, ``send`` each message, ``close`` once."""

    description: str

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
    """An SMTP server, one connection for the whole batch."""

    def __init__(self, settings: MailSettings, *, ssl_context: ssl.SSLContext | None = None) -> None:
        if not settings.host:
            raise ConfigError("Aucun serveur SMTP configuré ([mail] host ou MILA_SMTP_HOST).")
        self.settings = settings
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
        unsent = "Aucune relance n'a été envoyée ni enregistrée."
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


class OutboxSender:
    """A folder of ``.eml`` files, one per message: nothing leaves the machine.

    A file is written under a temporary name then renamed, so a reader never sees half
    a message; an existing file is never overwritten (``-2``, ``-3``… are added)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.description = f"dossier d'envoi « {self.folder} » (aucun serveur configuré : rien ne part)"

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MailError(
                f"Le dossier d'envoi « {self.folder} » ne peut pas être créé ({exc.strerror or exc}). "
                "Corrigez [mail] outbox (ou MILA_MAIL_OUTBOX). Aucune relance n'a été enregistrée."
            ) from None

    def send(self, message: Outgoing) -> str:
        stem = _safe_stem(message.name)
        target = self.folder / f"{stem}.eml"
        number = 2
        while target.exists():
            target = self.folder / f"{stem}-{number}.eml"
            number += 1
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
                f"Impossible d'écrire dans le dossier d'envoi « {self.folder} » ({exc.strerror or exc})."
            ) from None
        return str(target)

    def close(self) -> None:
        """Nothing to close."""


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def _safe_stem(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _UNSAFE.sub("-", ascii_name).strip("-.") or "message"


def make_sender(settings: MailSettings) -> Sender:
    """SMTP when a server is configured, else the outbox folder."""
    if settings.uses_smtp:
        return SmtpSender(settings)
    return OutboxSender(settings.outbox)
