"""The SMTP sender: one connection for a whole batch, and the errors it raises per message."""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence

from ..errors import ConfigError, DeliveryUncertain, MailError, RecipientRefused
from ..settings.mail import MailSettings
from .message import Outgoing
from .preview import NO_SERVER_HINT

log = logging.getLogger(__name__)


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
        self._secrets = secret_forms(settings.user, settings.password)

    def _reply(self, raw: bytes | str) -> str:
        """A server's reply, fit for a message: one line, without any secret it echoed."""
        return self._clean(_reply(raw))

    def _clean(self, text: str) -> str:
        return redact(text, self._secrets)

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
                smtp = smtplib.SMTP_SSL(
                    s.host or "",
                    s.smtp_port,
                    local_hostname=s.helo,
                    timeout=s.timeout,
                    context=self._ssl_context(),
                )
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
                f"({exc.smtp_code} {self._reply(exc.smtp_error)}). Avec Gmail ou Google Workspace, "
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
                f"{self._reply(exc.smtp_error)}). {unsent}"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _close_quietly(smtp)
            raise MailError(
                f"Le serveur d'envoi {self.where} est injoignable ({self._clean(_os_reason(exc))}). Vérifiez "
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
            raise MailError(f"{lost} ({self._clean(_os_reason(exc))}).") from None
        if code != 250:
            self._reset()
            raise MailError(
                f"Le serveur {self.where} refuse l'expéditeur {message.sender} "
                f"({code} {self._reply(reply)}). "
                "Vérifiez [mail] from : avec Gmail, ce doit être l'adresse du compte ou un alias vérifié."
            )
        try:
            code, reply = smtp.rcpt(message.recipient)
        except OSError as exc:
            self._drop()
            raise MailError(f"{lost} ({self._clean(_os_reason(exc))}).") from None
        if code not in (250, 251):
            self._reset()
            if code == 421:
                raise MailError(f"Le serveur {self.where} ferme la connexion ({code} {self._reply(reply)}).")
            raise RecipientRefused(code, self._reply(reply))
        try:
            code, reply = smtp.data(message.data)
        except smtplib.SMTPDataError as exc:  # DATA itself refused: nothing was handed over
            self._reset()
            raise RecipientRefused(exc.smtp_code, self._reply(exc.smtp_error)) from None
        except OSError as exc:
            self._drop()
            raise DeliveryUncertain(
                f"La connexion au serveur {self.where} a été coupée pendant l'envoi du message à "
                f"{message.recipient} ({self._clean(_os_reason(exc))}) : il est peut-être parti."
            ) from None
        if code != 250:
            self._reset()
            raise RecipientRefused(code, self._reply(reply))
        return self._reply(reply)

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


REDACTED = "[secret masqué]"


def secret_forms(user: str | None, password: str | None) -> tuple[str, ...]:
    """Every form in which a mail server may echo the password back: as typed, and as the
    AUTH PLAIN and AUTH LOGIN exchanges carry it (base64), longest first."""
    if not password:
        return ()
    login = user or ""
    raw = [password, f"\0{login}\0{password}", f"{login}\0{password}", f"{login}:{password}"]
    forms = {password, *(base64.b64encode(r.encode("utf-8")).decode("ascii") for r in raw)}
    forms |= {f.rstrip("=") for f in forms if f.endswith("=")}
    return tuple(sorted((f for f in forms if len(f) >= 4), key=len, reverse=True))


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every one of ``secrets`` replaced by « [secret masqué] »: applied to what
    a mail server says before it reaches the screen, the log, the state or the Journal."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


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
