"""The preview sender: ``.eml`` files in the preview folder, nothing leaves the machine."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ..errors import MailError
from ..text import to_ascii
from .message import Outgoing

NO_SERVER_HINT = (
    "Pour envoyer, renseignez [mail] host dans mila.toml (ou la variable MILA_SMTP_HOST), avec "
    "from, user et le mot de passe (voir docs/mail.md), puis vérifiez avec « mila courriel-test "
    "VOTRE_ADRESSE »."
)


# The preview folder's sub-folder while sending is not switched on (a server is configured,
# but no person has switched sending on in the sheet yet): its name tells the notices why.
SWITCHED_OFF = "envois-non-actives"
SWITCH_HINT = "Regardez les aperçus, puis demandez « activer les envois » dans l'onglet Demandes du classeur."


def switched_off(folder: Path | None) -> bool:
    """Whether previews in ``folder`` were written because sending is not switched on."""
    return folder is not None and Path(folder).name == SWITCHED_OFF


def preview_notice(count: int, folder: Path) -> str:
    """The French sentence of a run without server: how many previews, where, nothing left."""
    if switched_off(folder):
        return (
            f"Les envois ne sont pas encore activés : {count} message(s) écrit(s) en aperçu dans "
            f"« {folder} » ; rien n'est parti. {SWITCH_HINT}"
        )
    return (
        f"Aucun serveur d'envoi configuré : {count} message(s) écrit(s) en aperçu dans « {folder} » ; "
        f"rien n'est parti. {NO_SERVER_HINT}"
    )


class PreviewSender:
    """The preview folder: one ``.eml`` file per message, nothing leaves the machine.

    A file is written under a temporary name then renamed, so a reader never sees half
    a message; the preview of the same message the same day (same file name) is replaced,
    so the folder shows each message once, as it would be sent now."""

    delivers = False

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        why = " : les envois ne sont pas encore activés" if switched_off(self.folder) else ""
        self.description = f"aperçus dans « {self.folder} » (rien ne part{why})"

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
