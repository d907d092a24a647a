"""The mail layer: settings, templates, message building, the SMTP and preview senders, the test message.

The SMTP tests talk to a real server: aiosmtpd on 127.0.0.1, started by the tests
(:class:`SmtpServer`, which ``test_renewals`` reuses).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from automations.config import build_settings
from automations.errors import ConfigError, MailError, TemplateError
from automations.mail import (
    DEFAULT_TEMPLATES,
    HeaderProblem,
    MailSettings,
    PreviewSender,
    RecipientRefused,
    SmtpSender,
    Templates,
    build_message,
    make_sender,
    new_message_id,
    send_test_message,
)

NOW = dt.datetime(2026, 11, 23, 9, 15)


# --------------------------------------------------------------------------- test server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """aiosmtpd on loopback: records what arrives, counts connections, refuses on demand.

    ``refuse``: {address: "550 5.1.1 reason"} refused at RCPT. ``tls``: an SSL context
    to offer STARTTLS with; ``users``: {login: password} to require AUTH. ``delay``: seconds
    the server waits, each message received, before saying it took it (a slow server).
    """

    def __init__(
        self,
        *,
        tls: ssl.SSLContext | None = None,
        users: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.delay = delay
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}
        self.connections = 0
        self.users = users
        self._lock = threading.Lock()
        self.port = 0
        self.controller: Controller | None = None
        server = self
        # aiosmtpd takes its SMTP parameters untyped, as **kwargs.
        self._kwargs: dict[str, Any] = {"server_hostname": "smtp.mila.test"}
        if tls is not None:
            self._kwargs["tls_context"] = tls
        if users is not None:
            self._kwargs["authenticator"] = self._authenticate
            self._kwargs["auth_require_tls"] = tls is not None

        class Counting(Controller):
            def factory(self) -> SMTP:
                with server._lock:
                    server.connections += 1
                return super().factory()

        self._controller_class = Counting

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            self.users is not None and self.users.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        """Listen on a free port; another process (a parallel test worker) may take the port
        between the probe and the bind, so a port found taken is replaced by another."""
        for attempt in range(5):
            self.port = free_port()
            self.controller = self._controller_class(
                self, hostname="127.0.0.1", port=self.port, **self._kwargs
            )
            try:
                self.controller.start()
                break
            except OSError:
                self.controller.loop.close()  # the failed bind leaves its event loop open
                if attempt == 4:
                    raise
        self.connections = 0  # the controller's own readiness probe
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
            )
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(data, policy=email.policy.default) for _, _, data in self.messages]


def smtp_settings(server: SmtpServer, **overrides: object) -> MailSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "security": "none",
        "timeout": 5.0,
        "sender": "adhesions@mila.fr",
        "sender_name": "MILA – Adhésions",
        "reply_to": "contact@mila.fr",
        "helo": "client.mila.test",
    }
    values.update(overrides)
    return MailSettings(**values)  # type: ignore[arg-type]


def message(settings: MailSettings, to: str = "lea@onde.fr", name: str = "Léa Morel", **kw: object):
    values: dict[str, object] = {
        "to_name": name,
        "to_address": to,
        "subject": "Votre adhésion arrive à échéance le 4 mars 2025",
        "text": "Bonjour Léa,\nMontant : 216 €\n",
        "html": "<p>Bonjour Léa,</p><p>216 €</p>",
        "message_id": new_message_id(settings.domain),
        "date": NOW,
        "name": "2026-11-23-M0001-renouvellement J-30",
    }
    values.update(kw)
    return build_message(settings, **values)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- settings


def mail_settings(section: dict, env: dict, *, base: Path | None = None) -> MailSettings:
    """The [mail] section ``section`` read as mila.toml would be, with the environment ``env``."""
    return build_settings({"mail": section}, env=env, base=base or Path.cwd()).mail


class TestSettings:
    def test_no_server_means_previews_only(self, tmp_path):
        """With nothing configured, messages are only written to a preview folder next to the configuration."""
        settings = mail_settings({}, {}, base=tmp_path)
        assert not settings.uses_smtp
        assert settings.preview == tmp_path / "apercus"
        sender = make_sender(settings)
        assert isinstance(sender, PreviewSender) and not sender.delivers
        assert "rien ne part" in settings.describe() and "envoyé" not in settings.describe()

    def test_the_preview_folder_is_configurable(self, tmp_path):
        """[mail] preview (or MILA_MAIL_PREVIEW, or the former name outbox) sets the preview folder."""
        assert mail_settings({"preview": "essais"}, {}, base=tmp_path).preview == tmp_path / "essais"
        assert mail_settings({"outbox": "ancien"}, {}, base=tmp_path).preview == tmp_path / "ancien"
        env = {"MILA_MAIL_PREVIEW": "/srv/mila/apercus"}
        assert mail_settings({"preview": "essais"}, env, base=tmp_path).preview == Path("/srv/mila/apercus")

    def test_a_dry_run_writes_previews_even_with_a_server(self, tmp_path):
        """make_sender(dry_run=True) never returns a sender that delivers."""
        settings = mail_settings({"host": "smtp.gmail.com", "from": "a@mila.fr"}, {}, base=tmp_path)
        assert make_sender(settings).delivers
        assert isinstance(make_sender(settings, dry_run=True), PreviewSender)

    def test_environment_overrides_the_file_and_gives_the_password(self, tmp_path):
        """MILA_SMTP_* win over [mail]; the password only comes from the environment, never shown."""
        env = {
            "MILA_SMTP_HOST": "smtp.gmail.com",
            "MILA_SMTP_USER": "contact@mila.fr",
            "MILA_SMTP_PASSWORD": "abcd efgh ijkl mnop",
        }
        settings = mail_settings({"host": "ancien.example.org", "port": 587}, env, base=tmp_path)
        assert (settings.host, settings.smtp_port, settings.security) == ("smtp.gmail.com", 587, "starttls")
        assert settings.sender == "contact@mila.fr" and settings.domain == "mila.fr"
        assert settings.password == "abcdefghijklmnop"
        assert "abcd" not in repr(settings) and "abcd" not in settings.describe()
        assert isinstance(make_sender(settings), SmtpSender)

    @pytest.mark.parametrize(
        ("typed", "used"),
        [
            ("abcd efgh ijkl mnop", "abcdefghijklmnop"),  # a Google app password, as Google shows it
            ("  abcd efgh ijkl mnop ", "abcdefghijklmnop"),
            ("mon mot de passe", "mon mot de passe"),  # any other password is kept as typed
            ("Abcd efgh ijkl mnop", "Abcd efgh ijkl mnop"),
        ],
    )
    def test_an_app_password_is_accepted_as_google_prints_it(self, tmp_path, typed, used):
        """Four groups of four lowercase letters lose their spaces; other passwords are kept whole."""
        env = {
            "MILA_SMTP_HOST": "smtp.gmail.com",
            "MILA_SMTP_USER": "contact@mila.fr",
            "MILA_SMTP_PASSWORD": typed,
        }
        assert mail_settings({}, env, base=tmp_path).password == used

    def test_ssl_uses_port_465_by_default(self):
        """security = ssl without a port connects on 465."""
        settings = mail_settings({"host": "smtp.gmail.com", "security": "ssl", "from": "a@mila.fr"}, {})
        assert settings.smtp_port == 465

    def test_password_in_the_file_is_refused(self):
        """A password written in mila.toml is refused with the way to give it instead."""
        with pytest.raises(ConfigError, match="MILA_SMTP_PASSWORD"):
            mail_settings({"host": "smtp.gmail.com", "password": "secret"}, {})

    def test_password_file_is_read(self, tmp_path):
        """[mail] password_file points to a file outside the repository."""
        (tmp_path / "smtp.txt").write_text("s3cret\n", encoding="utf-8")
        settings = mail_settings(
            {"host": "smtp.gmail.com", "user": "contact@mila.fr", "password_file": "smtp.txt"},
            {},
            base=tmp_path,
        )
        assert settings.password == "s3cret"

    def test_a_user_without_password_is_a_clear_error(self):
        """A login without any password says which variable to set."""
        with pytest.raises(ConfigError, match="MILA_SMTP_PASSWORD"):
            mail_settings({"host": "smtp.gmail.com", "user": "contact@mila.fr"}, {})

    @pytest.mark.parametrize(
        ("section", "match"),
        [
            ({"host": "smtp.gmail.com", "security": "tls13"}, "starttls"),
            (
                {"host": "smtp.gmail.com", "port": "abc", "from": "a@mila.fr"},
                "port : « abc ».*numéro de port",
            ),
            ({"host": "smtp.gmail.com"}, "adresse d'expédition"),
            ({"host": "smtp.gmail.com", "from": "MILA <a@mila.fr>"}, "adresse e-mail simple"),
            ({"hots": "smtp.gmail.com"}, "hots : clé inconnue"),
            ({"host": "mail.example.org", "security": "none", "user": "u@mila.fr"}, "en clair"),
        ],
    )
    def test_wrong_settings_are_explained(self, section, match):
        """Each mistake in [mail] is a French ConfigError saying what to write."""
        env = {"MILA_SMTP_PASSWORD": "x"} if "user" in section else {}
        with pytest.raises(ConfigError, match=match):
            mail_settings(section, env)


# --------------------------------------------------------------------------- templates


class TestTemplates:
    def test_html_is_escaped_and_text_is_not(self, tmp_path):
        """A « < » in a member's name is shown as text in HTML, unchanged in the text part."""
        (tmp_path / "a.html.j2").write_text("<p>{{ nom }}</p>", encoding="utf-8")
        (tmp_path / "a.txt.j2").write_text("{{ nom }}", encoding="utf-8")
        templates = Templates(tmp_path)
        assert templates.render("a.html.j2", {"nom": "A&B <Prod>"}) == "<p>A&amp;B &lt;Prod&gt;</p>"
        assert templates.render("a.txt.j2", {"nom": "A&B <Prod>"}) == "A&B <Prod>"

    def test_unknown_variable_names_template_and_line(self, tmp_path):
        """A misspelt variable is a French TemplateError naming the file and the line."""
        (tmp_path / "relance.txt.j2").write_text("Bonjour\n\n{{ membre.nom }}\n", encoding="utf-8")
        with pytest.raises(TemplateError, match=r"« relance\.txt\.j2 », ligne 3.*« nom » n'existe pas"):
            Templates(tmp_path).render("relance.txt.j2", {"membre": {"contact": "Léa"}})

    def test_syntax_error_names_template_and_line(self, tmp_path):
        """An unclosed tag is reported with its line, in French."""
        (tmp_path / "relance.html.j2").write_text("<p>\n{% if membre %}\n</p>\n", encoding="utf-8")
        with pytest.raises(TemplateError, match=r"« relance\.html\.j2 » est mal écrit, ligne \d"):
            Templates(tmp_path).render("relance.html.j2", {"membre": 1})

    def test_error_in_a_parent_template_names_the_parent(self, tmp_path):
        """An error in base.html.j2 is reported there, not in the child that extends it."""
        (tmp_path / "base.html.j2").write_text(
            "<html>\n{{ association.name }}\n{% block c %}{% endblock %}", encoding="utf-8"
        )
        (tmp_path / "child.html.j2").write_text(
            "{% extends 'base.html.j2' %}{% block c %}x{% endblock %}", encoding="utf-8"
        )
        with pytest.raises(TemplateError, match=r"« base\.html\.j2 », ligne 2"):
            Templates(tmp_path).render("child.html.j2", {"association": {"nom": "MILA"}})

    def test_a_template_is_compiled_once_per_folder(self, tmp_path):
        """Each job's Templates of one folder reuses the template compiled by the first."""
        (tmp_path / "a.txt.j2").write_text("{{ nom }}", encoding="utf-8")
        first, second = Templates(tmp_path), Templates(tmp_path)
        assert first.render("a.txt.j2", {"nom": "Léa"}) == second.render("a.txt.j2", {"nom": "Léa"}) == "Léa"
        assert first.env.get_template("a.txt.j2") is second.env.get_template("a.txt.j2")

    def test_an_edited_template_is_read_again(self, tmp_path):
        """A template the staff save again (even at once, even to the same length) is the one
        the next rendering uses, in a process that keeps running (the scheduler)."""
        template = tmp_path / "a.txt.j2"
        template.write_text("Bonjour {{ nom }}", encoding="utf-8")
        templates = Templates(tmp_path)
        assert templates.render("a.txt.j2", {"nom": "Léa"}) == "Bonjour Léa"
        template.write_text("Bonsoir {{ nom }}", encoding="utf-8")
        assert templates.render("a.txt.j2", {"nom": "Léa"}) == "Bonsoir Léa"
        template.write_text("Salut {{ nom }}", encoding="utf-8")
        assert Templates(tmp_path).render("a.txt.j2", {"nom": "Léa"}) == "Salut Léa"

    def test_missing_template(self, tmp_path):
        """A missing file says where it was looked for."""
        with pytest.raises(TemplateError, match="introuvable.*relance.txt.j2"):
            Templates(tmp_path).render("relance.txt.j2", {})

    def test_the_sandbox_refuses_unsafe_attributes(self, tmp_path):
        """A template cannot reach Python internals."""
        (tmp_path / "x.txt.j2").write_text("{{ nom.__class__.__mro__ }}", encoding="utf-8")
        with pytest.raises(TemplateError, match="« x.txt.j2 », ligne 1"):
            Templates(tmp_path).render("x.txt.j2", {"nom": "a"})

    def test_shipped_templates_exist(self):
        """The repository ships the templates the renewals job uses."""
        names = {p.name for p in DEFAULT_TEMPLATES.iterdir()}
        assert {
            "base.html.j2",
            "relance.html.j2",
            "relance.txt.j2",
            "sujet-avant.txt.j2",
            "sujet-apres.txt.j2",
            "sujet-premiere.txt.j2",
        } <= names


# --------------------------------------------------------------------------- messages


class TestMessage:
    def test_headers_and_parts(self):
        """Text then HTML, Message-ID, Date in Paris time, Reply-To, accented names encoded."""
        settings = MailSettings(
            sender="adhesions@mila.fr", sender_name="MILA – Adhésions", reply_to="contact@mila.fr"
        )
        out = message(settings)
        raw = out.data.decode("ascii")  # 7-bit clean: encoded words and quoted-printable
        assert "\r\n" in raw and "Léa" not in raw
        parsed = email.message_from_bytes(out.data, policy=email.policy.default)
        assert str(parsed["To"]) == "Léa Morel <lea@onde.fr>"
        assert parsed["To"].addresses[0].display_name == "Léa Morel"
        assert parsed["From"].addresses[0].display_name == "MILA – Adhésions"
        assert str(parsed["Reply-To"]).endswith("<contact@mila.fr>")
        assert parsed["Subject"] == "Votre adhésion arrive à échéance le 4 mars 2025"
        assert parsed["Message-ID"] == out.message_id and out.message_id.endswith("@mila.fr>")
        assert parsed["Date"].datetime == dt.datetime(
            2026, 11, 23, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=1))
        )
        assert parsed.get_content_type() == "multipart/alternative"
        text, html = parsed.iter_parts()
        assert text.get_content().replace("\r\n", "\n") == "Bonjour Léa,\nMontant : 216 €\n"
        assert html.get_content_type() == "text/html" and "216 €" in html.get_content()

    @pytest.mark.parametrize(
        ("name", "to"),
        [
            ("Léa\r\nBcc: espion@example.org", "lea@onde.fr"),
            ("Léa", "lea@onde.fr\nBcc: espion@example.org"),
            ("Léa\nMorel", "lea@onde.fr"),
        ],
    )
    def test_line_breaks_cannot_add_a_header(self, name, to):
        """A CR or LF in the name or address is refused with a French reason."""
        with pytest.raises(HeaderProblem, match="retour à la ligne"):
            message(MailSettings(), to=to, name=name)

    def test_subject_line_breaks_are_flattened(self):
        """A line break that reaches the subject (a structure typed on two lines) stays in the subject."""
        out = message(MailSettings(), subject="Adhésion\r\nBcc: espion@example.org")
        parsed = email.message_from_bytes(out.data, policy=email.policy.default)
        assert parsed["Subject"] == "Adhésion Bcc: espion@example.org" and parsed["Bcc"] is None

    def test_accented_local_part_is_refused(self):
        """An address with accents before the @ is refused (most servers would)."""
        with pytest.raises(HeaderProblem, match="accentués"):
            message(MailSettings(), to="léa@onde.fr")


# --------------------------------------------------------------------------- senders


class TestSmtp:
    def test_a_batch_uses_one_connection(self, smtp_server):
        """Three messages, one connection, all delivered as built."""
        settings = smtp_settings(smtp_server)
        sender = SmtpSender(settings)
        sender.open()
        try:
            for n in range(3):
                sender.send(message(settings, to=f"membre{n}@onde.fr"))
        finally:
            sender.close()
        assert smtp_server.connections == 1
        assert [rcpt for _, rcpt, _ in smtp_server.messages] == [[f"membre{n}@onde.fr"] for n in range(3)]
        assert smtp_server.messages[0][0] == "adhesions@mila.fr"
        assert smtp_server.parsed()[0]["To"].addresses[0].display_name == "Léa Morel"

    def test_a_refused_recipient_does_not_stop_the_batch(self, smtp_server):
        """A 550 raises RecipientRefused with the server's reason; the next message goes through."""
        smtp_server.refuse["inconnu@onde.fr"] = "550 5.1.1 Utilisateur inconnu"
        settings = smtp_settings(smtp_server)
        sender = SmtpSender(settings)
        sender.open()
        try:
            with pytest.raises(RecipientRefused) as refused:
                sender.send(message(settings, to="inconnu@onde.fr"))
            sender.send(message(settings, to="lea@onde.fr"))
        finally:
            sender.close()
        assert refused.value.code == 550 and refused.value.details == "550 5.1.1 Utilisateur inconnu"
        assert [rcpt for _, rcpt, _ in smtp_server.messages] == [["lea@onde.fr"]]
        assert smtp_server.connections == 1

    def test_unreachable_server_is_a_french_mail_error(self):
        """Nobody listening: MailError naming the server and saying what to check."""
        port = free_port()
        sender = SmtpSender(MailSettings(host="127.0.0.1", port=port, security="none", timeout=2))
        with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port} est injoignable.*Aucune relance"):
            sender.open()

    def test_starttls_and_login(self, tmp_path):
        """STARTTLS with the server's certificate, then login; the password never shows in errors."""
        server_ctx, client_ctx = tls_contexts(tmp_path)
        server = SmtpServer(tls=server_ctx, users={"contact@mila.fr": "bon-mot-de-passe"}).start()
        try:
            settings = smtp_settings(
                server, security="starttls", user="contact@mila.fr", password="bon-mot-de-passe"
            )
            sender = SmtpSender(settings, ssl_context=client_ctx)
            sender.open()
            sender.send(message(settings))
            sender.close()
            assert len(server.messages) == 1 and server.connections == 1

            wrong = smtp_settings(
                server, security="starttls", user="contact@mila.fr", password="mauvais-secret"
            )
            with pytest.raises(MailError, match="mot de passe d'application") as error:
                SmtpSender(wrong, ssl_context=client_ctx).open()
            assert "mauvais-secret" not in error.value.message
        finally:
            server.stop()

    def test_starttls_missing_is_explained(self, smtp_server):
        """A server without STARTTLS is refused when STARTTLS was asked for."""
        with pytest.raises(MailError, match="ne propose pas STARTTLS"):
            SmtpSender(smtp_settings(smtp_server, security="starttls")).open()


def tls_contexts(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: the server's context and a client trusting it."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


class TestPreview:
    def test_messages_are_written_as_eml_files(self, tmp_path):
        """One .eml per message, named by date, member and reminder; the same message again replaces it."""
        sender = PreviewSender(tmp_path / "apercus")
        sender.open()
        first = message(MailSettings())
        again = message(MailSettings(), text="Bonjour Léa,\nMontant : 230 €\n")
        written = Path(sender.send(first))
        assert (
            written.name == "2026-11-23-M0001-renouvellement-J-30.eml" and written.read_bytes() == first.data
        )
        assert Path(sender.send(again)) == written and written.read_bytes() == again.data
        assert [p.name for p in (tmp_path / "apercus").iterdir()] == [written.name]

    def test_unwritable_folder_is_a_mail_error(self, tmp_path):
        """A folder that cannot be created is a French MailError naming the setting to correct."""
        (tmp_path / "fichier").write_text("x")
        with pytest.raises(MailError, match="dossier des aperçus.*\\[mail\\] preview"):
            PreviewSender(tmp_path / "fichier" / "apercus").open()


class TestMailCheck:
    def test_the_test_message_goes_to_the_given_address_only(self, smtp_server):
        """One message to the address given, on one connection, saying no member got anything."""
        check = send_test_message(smtp_settings(smtp_server), "moi@mila.fr", NOW)
        assert [rcpt for _, rcpt, _ in smtp_server.messages] == [["moi@mila.fr"]]
        assert smtp_server.connections == 1 and check.recipient == "moi@mila.fr"
        parsed = smtp_server.parsed()[0]
        assert parsed["Message-ID"] == check.message_id and "essai" in parsed["Subject"]
        assert "Aucun membre n'a reçu de message" in parsed.get_content()
        assert check.reply == "Message accepted for delivery"

    def test_without_server_there_is_nothing_to_check(self, tmp_path):
        """No [mail] host: a French ConfigError saying what to set."""
        with pytest.raises(
            ConfigError, match=r"Aucun serveur d'envoi configuré.*\[mail\] host.*MILA_SMTP_HOST"
        ):
            send_test_message(mail_settings({}, {}, base=tmp_path), "moi@mila.fr", NOW)

    @pytest.mark.parametrize("address", ["pas-une-adresse", "moi@mila.fr\nBcc: x@y.fr", "Moi <moi@mila.fr>"])
    def test_a_wrong_address_is_refused_before_connecting(self, smtp_server, address):
        """An address that is not a plain address is a French error; the server is not contacted."""
        with pytest.raises(ConfigError, match="adresse e-mail simple"):
            send_test_message(smtp_settings(smtp_server), address, NOW)
        assert smtp_server.connections == 0

    def test_a_refused_address_is_explained(self, smtp_server):
        """The server refuses the recipient: the login worked, the reason is given."""
        smtp_server.refuse["moi@mila.fr"] = "550 5.1.1 Utilisateur inconnu"
        with pytest.raises(MailError, match="identification réussies.*550 5.1.1 Utilisateur inconnu"):
            send_test_message(smtp_settings(smtp_server), "moi@mila.fr", NOW)
