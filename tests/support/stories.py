"""What the story tests share: a small workbook on either backend, `mila` run in-process against
it with a mail server on loopback, and ways to read and edit the sheet as a person would."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import json
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from automations.cli import main
from automations.workbook.xlsx_values import XlsxValues

Grid = list[list[Any]]

MEMBRES = [
    "ID",
    "Structure",
    "Contact",
    "Email",
    "Catégorie",
    "Forfait",
    "Adhésion le",
    "Sortie le",
    "Cotisation HT",
    "Cotisation TTC",
    "Échéance",
    "Statut",
    "Voix",
    "Anomalies",
]
PAIEMENTS = [
    "ID",
    "Date",
    "Membre",
    "Payeur",
    "Montant",
    "Moyen",
    "Objet",
    "Référence",
    "Source",
    "Période",
    "Reçu n°",
    "Reçu envoyé le",
    "Anomalies",
]
HELLOASSO_HEADER = (
    "Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;"
    "Nom payeur;Prénom payeur;Email payeur;Raison sociale;Tarif;Montant tarif;Numéro d'adhérent\n"
)


def member(
    mid: str | None,
    name: str,
    mail: str,
    *,
    category: str = "bénéficiaire",
    plan: str | None = "BASIC",
    joined: str = "10/01/2023",
    left: str | None = None,
) -> list[Any]:
    """A Membres row under :data:`MEMBRES` (the contact is the structure's name with « Contact »)."""
    return [mid, name, f"Contact {name}", mail, category, plan, joined, left]


def payment(pid: str | None, day: str, mid: str | None, amount: float, ref: str) -> list[Any]:
    """A Paiements row typed by hand: a membership fee paid by transfer."""
    return [pid, day, mid, None, amount, "virement", "cotisation", ref, "saisie"]


def helloasso(path: Path, *orders: tuple[str, str, str, str, str, str]) -> Path:
    """A HelloAsso export: (order, day, first name, last name, e-mail, member number) at 144 €."""
    lines = [
        f"{ref};{day}10:00;Validé;{last};{first};{last};{first};{mail};;Adhésion BASIC;144,00;{number}\n"
        for ref, day, first, last, mail, number in orders
    ]
    path.write_bytes((HELLOASSO_HEADER + "".join(lines)).encode("utf-8-sig"))
    return path


class Mila:
    """`mila` pointed at one workbook (``--classeur`` or ``--feuille``), from ``folder``, with a
    mila.toml whose [mail] is the test's SMTP server; and the sheet, read and edited by hand."""

    def __init__(self, book: Any, folder: Path, server: Any, today: dt.date) -> None:
        self.book = book
        self.folder = folder
        self.server = server
        self.today = today
        self.config = folder / "mila.toml"
        self.configure()

    def configure(self, *, port: int | None = None, extra: str = "") -> None:
        """Write mila.toml: the mail server (another ``port`` to make it unreachable), no LibreOffice."""
        self.config.write_text(
            f'[mail]\nhost = "127.0.0.1"\nport = {port or self.server.port}\nsecurity = "none"\n'
            'from = "adhesions@mila.fr"\nsending_starts_on = true\n\n[digest]\nto = ["equipe@mila.fr"]\n\n'
            '[documents]\nsoffice = "pas-de-libreoffice"\n' + extra,
            encoding="utf-8",
        )

    @property
    def where(self) -> list[str]:
        if self.book.kind == "xlsx":
            return ["--classeur", str(self.book.path)]
        return ["--feuille", self.book.key]

    def __call__(self, *argv: str, today: dt.date | None = None, dated: bool = True) -> tuple[int, str]:
        """Run ``mila argv`` on the workbook (``--date today`` unless ``dated`` is false)."""
        out = io.StringIO()
        when = ["--date", (today or self.today).isoformat()] if dated else []
        code = main([*argv, *self.where, "--config", str(self.config), *when], out=out)
        return code, out.getvalue()

    def json(self, *argv: str, today: dt.date | None = None, dated: bool = True) -> Any:
        """The JSON ``mila argv --json`` prints (whatever its exit code)."""
        _, text = self(*argv, "--json", today=today, dated=dated)
        return json.loads(text)

    # -- what the jobs say

    def reminded(self, today: dt.date | None = None) -> dict[str, dict[str, Any]]:
        """``mila relances --simulation``: {member: message} of the reminders due."""
        data = self.json("relances", "--simulation", today=today)
        return {m["member"]: m for m in data["messages"]}

    def summary(self, today: dt.date | None = None) -> list[dict[str, Any]]:
        """The items of ``mila resume --simulation``."""
        items: list[dict[str, Any]] = self.json("resume", "--simulation", today=today)["items"]
        return items

    def check(self, today: dt.date | None = None) -> dict[str, Any]:
        data: dict[str, Any] = self.json("verifier", today=today)
        return data

    # -- what the sheet holds

    def grids(self) -> dict[str, Grid]:
        """Every tab's cells as stored (blank as None)."""
        return {tab: self.grid(tab) for tab in self.tabs()}

    def grid(self, tab: str) -> Grid:
        """The cells of ``tab`` as stored (blank as None)."""
        if self.book.kind != "xlsx":
            grid: Grid = self.book.grid(tab)
            return grid
        with XlsxValues(self.book.path) as book:
            if not book.holds_formulas(tab):
                return [list(line) for line in book.rows(tab)]
        wb = load_workbook(self.book.path, read_only=True)  # formulas as formulas
        try:
            return [list(line) for line in wb[tab].iter_rows(values_only=True)]
        finally:
            wb.close()

    def rows(self, tab: str) -> list[dict[str, Any]]:
        """The non-blank rows of ``tab`` as {column: value}."""
        grid = self.grid(tab)
        header = [str(h) for h in grid[0]]
        return [
            dict(zip(header, line + [None] * (len(header) - len(line)), strict=False))
            for line in grid[1:]
            if any(v not in (None, "") for v in line)
        ]

    def row(self, tab: str, row_id: str) -> dict[str, Any]:
        found = [r for r in self.rows(tab) if r.get("ID") == row_id]
        assert len(found) == 1, (tab, row_id, found)
        return found[0]

    def tabs(self) -> list[str]:
        if self.book.kind == "xlsx":
            with XlsxValues(self.book.path) as book:
                return book.titles
        return list(self.book.emulator.tabs(self.book.key))

    def journal(self) -> list[dict[str, Any]]:
        return self.rows("Journal") if "Journal" in self.tabs() else []

    def log(self) -> list[dict[str, Any]]:
        """The rows of Relances (none when the tab is not there)."""
        return self.rows("Relances") if "Relances" in self.tabs() else []

    # -- a person at work

    def set(self, tab: str, row_id: str, column: str, value: Any) -> None:
        """Type ``value`` in ``column`` of the row whose ID is ``row_id``."""
        grid = self.grid(tab)
        number = next(i for i, line in enumerate(grid, start=1) if line and line[0] == row_id)
        self.book.edit(tab, {(number, [str(h) for h in grid[0]].index(column) + 1): value})

    def append(self, tab: str, values: dict[str, Any]) -> None:
        """Type a new row under the last one."""
        grid = self.book.grid(tab)  # trimmed: the first blank row comes next
        header = [str(h) for h in grid[0]]
        number = len(grid) + 1
        self.book.edit(tab, {(number, header.index(k) + 1): v for k, v in values.items()})

    def delete(self, tab: str, row_id: str) -> None:
        """Delete the row whose ID is ``row_id`` (the rows under it move up)."""
        grid = self.grid(tab)
        number = next(i for i, line in enumerate(grid, start=1) if line and line[0] == row_id)
        if self.book.kind == "xlsx":
            wb = load_workbook(self.book.path)
            wb[tab].delete_rows(number)
            wb.save(self.book.path)
        else:
            self.book.emulator.delete_rows(self.book.key, tab, number)

    # -- what reached the mail server

    def received(self) -> list[tuple[str, str]]:
        """(recipient, subject) of each message the SMTP server accepted, in order."""
        out = []
        for _, recipients, data in self.server.messages:
            message = email.message_from_bytes(data, policy=email.policy.default)
            out += [(r, str(message["Subject"])) for r in recipients]
        return out

    def to(self, address: str) -> list[str]:
        """The subjects of the messages ``address`` received."""
        return [subject for rcpt, subject in self.received() if rcpt == address]
