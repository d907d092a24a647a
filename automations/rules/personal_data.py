"""Personal data: what each tab holds about people, and the pure rules of an access request
(export) and an erasure request (RGPD articles 15 and 17); the refusal of an erasure and
the retention period are in :mod:`automations.rules.retention`.

Every tab of the contract has one :class:`TabData` line in :data:`DECLARATIONS` (a test
fails when a tab of ``schema.TABS`` has none): which columns name a member by ID
(``links``), by address (``emails``) or by name (``names``), which hold personal data to
blank on erasure (``personal``), and which are accounting records kept ten years
(``kept``: never changed). Form responses tabs (``[formulaires]``) are declared once for
all (:data:`FORM_TAB`); a staff tab of the workbook's own is walked generically: its rows
naming the member's ID or address are theirs.

The plans are computed from grids read just before writing (:func:`plan_erasure`), so that
the cells written are the ones just read; nothing here reads or writes anything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .. import schema
from ..model.rows import id_key, strip_label
from ..model.values import parse_datetime
from ..schema import ERASED, normalize_header
from ..settings import FormsSettings
from ..text import fold
from ..workbook import Table
from ..workbook.table import Row, is_blank

# What replaces a piece of personal data inside a longer text (a Journal line, a label).
REDACTED = "[effacé]"
MASKED = "[autre personne]"  # another person's ID or address, in an exported free text


@dataclass(frozen=True)
class TabData:
    """What a tab holds about people (column names as the contract writes them)."""

    personal: tuple[str, ...] = ()  # blanked on erasure, in the person's rows
    kept: tuple[str, ...] = ()  # accounting records (10 years): never changed
    links: tuple[str, ...] = ("Membre",)  # name a member by ID
    emails: tuple[str, ...] = ()  # name the person by address
    names: tuple[str, ...] = ()  # name the person by name: pseudonymised on erasure
    export: bool = True  # False: derived from other tabs (Listes), not exported


# One line per tab of the contract: the register of processing (docs/donnees-personnelles.md)
# lists the same tabs and columns, and a test compares both.
DECLARATIONS: dict[str, TabData] = {
    "Membres": TabData(
        personal=("Contact", "Email", "Téléphone", "Adresse", "Civilité"),
        kept=(
            "Structure",
            "SIRET",
            "Forme juridique",
            "Adhésion le",
            "Cotisation payée le",
            "Montant payé",
            "Sortie le",
        ),
        links=("ID",),
        emails=("Email",),
    ),
    "Locaux": TabData(links=()),
    "Occupations": TabData(kept=("Membre", "Début", "Fin", "Loyer mensuel HT", "Dépôt de garantie")),
    "Réservations": TabData(kept=("Membre", "Montant HT")),
    "Événements": TabData(links=()),
    "Inscriptions": TabData(),
    "Tarifs": TabData(links=()),
    "Paiements": TabData(
        names=("Payeur",), kept=("Date", "Membre", "Montant", "Moyen", "Objet", "Référence", "Reçu n°")
    ),
    "Conseil": TabData(personal=("Civilité",), names=("Nom",)),
    "Chiffres": TabData(links=()),
    "Textes": TabData(links=()),
    "Demandes": TabData(links=("Cible",)),
    "Factures": TabData(
        kept=(
            "N°",
            "Date",
            "Membre",
            "Client",
            "Objet",
            "Période",
            "Montant HT",
            "TVA %",
            "TVA",
            "Montant TTC",
            "Échéance",
            "Payée le",
            "Reste dû",
            "Statut",
            "Avoir de",
            "Fichier",
        )
    ),
    "Relances": TabData(personal=("Adresse",), emails=("Adresse",)),
    "Journal": TabData(links=()),
    "Listes": TabData(links=(), export=False),
}
# Every form responses tab: the answers are personal, found by the respondent's address.
FORM_TAB = TabData(links=())
# Columns of a form tab that are not answers (kept: they say when the answer came and what
# became of it).
FORM_KEPT = ("Traitée le", "Anomalies")
# Headers that hold personal data in a staff tab of the workbook's own.
STAFF_PERSONAL = ("Email", "E-mail", "Courriel", "Téléphone", "Adresse", "Contact", "Nom", "Prénom")

LEGAL_FORM_PERSON = ("personne physique", "particulier", "artiste", "auto-entrepreneur", "micro-entrepreneur")


def declaration(title: str, forms: FormsSettings | None = None) -> TabData | None:
    """The declaration of a tab title: the contract's, a form tab's, or None (a staff tab)."""
    contract = schema.tab_schema(title)
    if contract is not None:
        return DECLARATIONS.get(contract.name, TabData(links=()))
    return FORM_TAB if is_form_tab(title, forms) else None


def form_titles(forms: FormsSettings | None) -> set[str]:
    forms = forms or FormsSettings()
    return {normalize_header(forms.onglet_inscriptions), normalize_header(forms.onglet_adhesions)}


def is_form_tab(title: str, forms: FormsSettings | None) -> bool:
    return schema.tab_schema(title) is None and normalize_header(title) in form_titles(forms)


# --------------------------------------------------------------------------- the person


@dataclass
class Person:
    """Whom a request is about: a member (``member_id``) or a form respondent (an address)."""

    member_id: str | None
    emails: set[str] = field(default_factory=set)  # folded
    names: set[str] = field(default_factory=set)  # as typed
    phones: set[str] = field(default_factory=set)  # as typed
    natural: bool = False  # a member who is a person: its Structure is a name too
    structure: str | None = None
    last_answer: dt.date | None = None

    def add_email(self, value: object) -> None:
        text = cell_text(value)
        if text and "@" in text and text != ERASED:
            self.emails.add(text.casefold())

    def add_name(self, value: object) -> None:
        text = cell_text(value)
        # A name is looked for in free text: too short a one would match other words.
        if text and text not in (ERASED, REDACTED) and len(fold(text)) >= 5:
            self.names.add(text)

    def add_phone(self, value: object) -> None:
        text = cell_text(value)
        if text and len(re.sub(r"\D", "", text)) >= 6:
            self.phones.add(text)

    def patterns(self) -> list[re.Pattern[str]]:
        """What stands for them in a free text: their addresses, phones and names."""
        found = [re.compile(re.escape(e), re.IGNORECASE) for e in sorted(self.emails)]
        for phone in sorted(self.phones):
            digits = re.sub(r"\D", "", phone)
            found.append(re.compile(r"[\s.\-]?".join(re.escape(d) for d in digits)))
        found += [
            re.compile(_name_pattern(n), re.IGNORECASE) for n in sorted(self.names, key=len, reverse=True)
        ]
        return found

    def id_pattern(self) -> re.Pattern[str] | None:
        if self.member_id is None:
            return None
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(self.member_id)}(?![0-9])", re.IGNORECASE)


def _name_pattern(name: str) -> str:
    """The name as typed, or its two words the other way round (« DUPONT JEANNE », as a
    bank writes a payer)."""
    words = [re.escape(w) for w in name.split()]
    orders = [words] if len(words) != 2 else [words, words[::-1]]
    return r"(?<!\w)(?:" + "|".join(r"\s+".join(o) for o in orders) + r")(?!\w)"


def pseudonym(member_id: str | None) -> str:
    """What replaces the name of a member who is a person in « Structure »."""
    return f"Membre {member_id}"


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class PersonNotFound(Exception):
    """The member or the address is nowhere in the workbook (``message``: French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def find_person(
    tables: Mapping[str, Table],
    *,
    member_id: str | None = None,
    email: str | None = None,
    forms: FormsSettings | None = None,
) -> Person:
    """The person of a request, with every address, phone and name the workbook holds for
    them (the member's row, their form answers, their Relances addresses)."""
    members = tables.get(schema.MEMBRES.name)
    row: Row | None = None
    if member_id is not None:
        wanted = id_key(member_id)
        row = next((r for r in (members or ()) if r.id and id_key(r.id) == wanted), None)
        if row is None:
            raise PersonNotFound(
                f"Le membre « {member_id} » est introuvable dans l'onglet Membres : vérifiez l'ID "
                "(colonne « ID »), par exemple M0003."
            )
    elif email is not None:
        folded = email.strip().casefold()
        row = next(
            (r for r in (members or ()) if (cell_text(r.get("Email")) or "").casefold() == folded), None
        )
    person = Person(row.id if row is not None else None)
    if row is not None:
        person.add_email(row.get("Email"))
        person.add_name(row.get("Contact"))
        person.add_phone(row.get("Téléphone"))
        person.structure = cell_text(row.get("Structure"))
        form = fold(cell_text(row.get("Forme juridique")) or "")
        contact = cell_text(row.get("Contact"))
        person.natural = form.startswith(LEGAL_FORM_PERSON) or (
            contact is not None and fold(contact) == fold(person.structure or "")
        )
        if person.natural and person.structure != pseudonym(person.member_id):
            person.add_name(person.structure)
    if email is not None:
        person.add_email(email)
    # Their form answers, and the addresses their reminders went to.
    answered = 0
    for title, table in tables.items():
        if is_form_tab(title, forms):
            for answer in _form_rows(table, person, forms):
                answered += 1
                _collect_answer(person, table, answer, forms)
    relances = tables.get(schema.RELANCES.name)
    if relances is not None and person.member_id is not None:
        for line in relances:
            if names_member(line.get("Membre"), person.member_id):
                person.add_email(line.get("Adresse"))
    if person.member_id is None and person.last_answer is None and not answered:
        raise PersonNotFound(
            "Aucun membre ni aucune réponse aux formulaires n'a l'adresse donnée : rien n'est "
            "enregistré à cette adresse. Vérifiez-la (colonne « Email » de Membres, ou la question "
            "de l'adresse dans les onglets des formulaires)."
        )
    return person


def question_key(table: Table, titles: Sequence[str]) -> str | None:
    """The key of the first of ``titles`` the form tab has."""
    return next((normalize_header(t) for t in titles if table.has(t)), None)


def _form_rows(table: Table, person: Person, forms: FormsSettings | None) -> list[Row]:
    forms = forms or FormsSettings()
    key = question_key(table, forms.email)
    if key is None:
        return []
    return [r for r in table if (cell_text(r.cells.get(key)) or "").casefold() in person.emails]


def _collect_answer(person: Person, table: Table, answer: Row, forms: FormsSettings | None) -> None:
    forms = forms or FormsSettings()
    for titles, add in ((forms.contact, person.add_name), (forms.telephone, person.add_phone)):
        if (key := question_key(table, titles)) is not None:
            add(answer.cells.get(key))
    if (key := question_key(table, forms.horodateur)) is not None:
        day = day_of(answer.cells.get(key))
        if day is not None and (person.last_answer is None or day > person.last_answer):
            person.last_answer = day


def day_of(value: object) -> dt.date | None:
    """The day of a date cell (a date, a serial number, a French date text), or None."""
    if is_blank(value):
        return None
    try:
        parsed = parse_datetime(value)
    except (ValueError, TypeError):
        return None
    return parsed.date() if isinstance(parsed, dt.datetime) else parsed


def names_member(value: object, member_id: str) -> bool:
    text = cell_text(value)
    return text is not None and id_key(strip_label(text)) == id_key(member_id)


# --------------------------------------------------------------------------- whose rows


@dataclass(frozen=True)
class Found:
    """A tab's rows about the person: ``own`` rows are theirs (linked by ID, address or
    name); ``mentions`` are rows of nobody in particular whose text names them."""

    title: str
    table: Table
    data: TabData | None  # None: a staff tab of the workbook's own
    own: tuple[Row, ...]
    mentions: tuple[Row, ...]
    form: bool = False

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(sorted((*self.own, *self.mentions), key=lambda r: r.number))


def rows_about(
    tables: Mapping[str, Table], person: Person, forms: FormsSettings | None = None
) -> list[Found]:
    """Every tab's rows about the person, tab by tab in the workbook's order."""
    found = []
    patterns = person.patterns()
    id_pattern = person.id_pattern()
    for title, table in tables.items():
        form = is_form_tab(title, forms)
        data = FORM_TAB if form else declaration(title, forms)
        own: list[Row] = []
        mentions: list[Row] = []
        own_rows = {r.number for r in _form_rows(table, person, forms)} if form else set()
        for row in table:
            if row.number in own_rows:
                own.append(row)
                continue
            if form:
                continue
            owner = _owner(row, data, person)
            if owner is True:
                own.append(row)
            elif owner is None and _mentions(row, patterns, id_pattern):
                mentions.append(row)
        if own or mentions:
            found.append(Found(table.title, table, data, tuple(own), tuple(mentions), form))
    return found


def _owner(row: Row, data: TabData | None, person: Person) -> bool | None:
    """True: the person's row; False: another member's or person's (never touched);
    None: nobody's in particular."""
    if data is None:  # a staff tab: any cell holding their ID or address
        for value in row.cells.values():
            text = cell_text(value)
            if text is None:
                continue
            if person.member_id is not None and names_member(text, person.member_id):
                return True
            if text.casefold() in person.emails:
                return True
        return None
    others = False
    for column in data.links:
        text = cell_text(row.get(column))
        if text is None:
            continue
        if person.member_id is not None and names_member(text, person.member_id):
            return True
        others = True
    for column in data.emails:
        text = cell_text(row.get(column))
        if text is None:
            continue
        if text.casefold() in person.emails:
            return True
        if data.links == ("ID",):  # a member row: its own address
            others = True
    if others:
        return False
    for column in data.names:
        text = cell_text(row.get(column))
        if text is not None and any(_same_name(text, n) for n in person.names):
            return True
    return None


def _same_name(text: str, name: str) -> bool:
    """« Jeanne Dupont » is « DUPONT Jeanne » too."""
    return fold(text) == fold(name) or sorted(fold(text).split()) == sorted(fold(name).split())


def _mentions(row: Row, patterns: Sequence[re.Pattern[str]], id_pattern: re.Pattern[str] | None) -> bool:
    for value in row.cells.values():
        if not isinstance(value, str):
            continue
        if id_pattern is not None and id_pattern.search(value):
            return True
        if any(p.search(value) for p in patterns):
            return True
    return False


# --------------------------------------------------------------------------- export


_ANY_ID = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{3,5}(?![0-9])")
_ANY_ADDRESS = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")


def others_of(tables: Mapping[str, Table], person: Person, forms: FormsSettings | None = None) -> Person:
    """Everyone else the workbook names (other members' contacts, addresses, phones and
    structures, other respondents, other board members), as one :class:`Person` whose
    patterns the export masks in free texts."""
    others = Person(None)
    mine = {fold(n) for n in person.names} | {fold(person.structure or "")}

    def add_name(value: object) -> None:
        text = cell_text(value)
        if text and fold(text) not in mine:
            others.add_name(text)

    members = tables.get(schema.MEMBRES.name)
    for row in members or ():
        if person.member_id is not None and row.id and id_key(row.id) == id_key(person.member_id):
            continue
        if (cell_text(row.get("Email")) or "").casefold() in person.emails:
            continue
        add_name(row.get("Contact"))
        add_name(row.get("Structure"))
        others.add_email(row.get("Email"))
        others.add_phone(row.get("Téléphone"))
    board = tables.get(schema.CONSEIL.name)
    for row in board or ():
        add_name(row.get("Nom"))
    forms = forms or FormsSettings()
    for title, table in tables.items():
        if not is_form_tab(title, forms):
            continue
        keys = {name: question_key(table, getattr(forms, name)) for name in ("email", "contact", "telephone")}
        for row in table:
            if (cell_text(row.cells.get(keys["email"] or "")) or "").casefold() in person.emails:
                continue
            others.add_email(row.cells.get(keys["email"] or ""))
            add_name(row.cells.get(keys["contact"] or ""))
            others.add_phone(row.cells.get(keys["telephone"] or ""))
    others.emails -= person.emails
    return others


def exported_value(value: object, person: Person, others: Sequence[re.Pattern[str]] = ()) -> object:
    """A cell as the export shows it: in a free text, another person's ID, address, phone or
    name masked (``others``: :meth:`Person.patterns` of :func:`others_of`)."""
    if not isinstance(value, str):
        return value

    def address(match: re.Match[str]) -> str:
        return match[0] if match[0].casefold() in person.emails else MASKED

    def ident(match: re.Match[str]) -> str:
        if person.member_id is not None and id_key(match[0]) == id_key(person.member_id):
            return match[0]
        return match[0] if not match[0].startswith("M") else MASKED

    text = _ANY_ID.sub(ident, _ANY_ADDRESS.sub(address, value))
    for pattern in others:
        text = pattern.sub(MASKED, text)
    return text


# --------------------------------------------------------------------------- erasure


@dataclass(frozen=True)
class Change:
    """One cell the erasure changes (``column``: the header as the tab writes it)."""

    title: str
    row: int
    column: str
    col: int  # 1-based
    before: object
    after: object  # None: blanked


def plan_erasure(
    tables: Mapping[str, Table], person: Person, forms: FormsSettings | None = None
) -> list[Change]:
    """The cells to change so that the person's e-mail, phone and name are in no cell, the
    accounting columns and every other person's rows untouched. Already erased: nothing."""
    changes: list[Change] = []
    patterns = person.patterns()
    form_kept = _keys(FORM_KEPT) | _keys((forms or FormsSettings()).horodateur)
    for found in rows_about(tables, person, forms):
        table = found.table
        data = found.data
        for row in found.rows:
            mine = row in found.own
            for key, col in table.columns.items():
                before = row.cells.get(key)
                after = _erased(found, data, key, before, person, patterns, mine, form_kept)
                if after is _SAME:
                    continue
                changes.append(Change(found.title, row.number, table.header[col - 1], col, before, after))
    return changes


_SAME = object()


def _erased(
    found: Found,
    data: TabData | None,
    key: str,
    value: object,
    person: Person,
    patterns: Sequence[re.Pattern[str]],
    mine: bool,
    form_kept: set[str],
) -> object:
    """The cell's value after the erasure, or ``_SAME``."""
    if is_blank(value):
        return _SAME
    member_row = data is not None and data.links == ("ID",)
    linked = data is not None and key in _keys(data.links) and isinstance(value, str)
    if linked and any(p.search(str(value)) for p in patterns):
        return _different(value, strip_label(str(value)))  # « M0003 – Jeanne Dupont »: the ID is enough
    if data is not None and key in _keys(data.kept):
        if member_row and mine and key == "structure" and person.natural:
            return _different(value, pseudonym(person.member_id))  # a person: its name
        return _SAME
    if mine:
        if found.form:
            return _SAME if key in form_kept else None
        if data is not None and (key in _keys(data.names) or (member_row and key == "contact")):
            return _different(value, ERASED)
        if data is not None and key in _keys(data.personal):
            return None
        if data is None and key in _keys(STAFF_PERSONAL):
            return None
    if not isinstance(value, str):
        return _SAME
    text = value
    for pattern in patterns:
        text = pattern.sub(REDACTED, text)
    return _different(value, text)


def _different(before: object, after: object) -> object:
    return _SAME if before == after else after


def _keys(names: Iterable[str]) -> set[str]:
    return {normalize_header(n) for n in names}
