"""HelloAsso exports of a membership, shop or event form (CSV or XLSX, as downloaded).

Columns matched like the workbook's headers: ``Référence commande``, ``Date de la
commande``, ``Statut de la commande`` (only ``Validé`` is a payment), ``Nom adhérent``,
``Prénom adhérent``, ``Nom payeur``, ``Prénom payeur``, ``Email payeur``, ``Tarif``,
``Montant tarif``, then the form's own questions (searched for a reference or a SIRET).

An order at ``Remboursé`` is read as a refund (``Incoming.refund``, negative amount, dated
the day of the import: the export does not say when the money went back); the plan turns
it into a refund row when its payment is in the ledger, never silently away.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..errors import PaymentsError
from ..model.values import ValueProblem, clean_text, parse_amount, parse_date
from ..rules.matching import Clue
from ..schema import normalize_header as key
from .records import FileRead, Incoming, purpose_from_text

KIND = "HelloAsso"
TEXT_LIMIT = 1_000  # characters kept of a name or an answer: the export is typed by the payers
REFERENCE = {key("Référence commande"), key("Numéro de commande"), key("Référence de la commande")}
DATE = {key("Date de la commande"), key("Date commande")}
STATUS = {key("Statut de la commande"), key("Statut commande"), key("Statut")}
AMOUNT = {key("Montant tarif"), key("Montant"), key("Montant payé")}
REQUIRED = (REFERENCE, DATE, AMOUNT)
PAID = key("Validé")
REFUNDED = {key("Remboursé"), key("Remboursée"), key("Remboursement")}
KNOWN = {
    "last": key("Nom adhérent"),
    "first": key("Prénom adhérent"),
    "payer_last": key("Nom payeur"),
    "payer_first": key("Prénom payeur"),
    "email": key("Email payeur"),
    "tarif": key("Tarif"),
}
COMPANY = {
    key("Raison sociale"),
    key("Société"),
    key("Structure"),
    key("Nom de la structure"),
    key("Entreprise"),
}
EMAIL_ALSO = {key("Email adhérent"), key("Email")}


def reference_of(order: object) -> str:
    """The ``Référence`` of a HelloAsso order in the ledger (the same from the API)."""
    return f"HelloAsso {str(order).strip()}"


def recognises(grid: list[list[object]]) -> bool:
    from .files import find_header

    return find_header(grid, REQUIRED) is not None


def other_kind(grid: list[list[object]]) -> str | None:
    """What a file that is no order export seems to be, in French, or None."""
    from .files import HEADER_SEARCH

    keys = {key(c) for row in grid[:HEADER_SEARCH] for c in row if key(c)}
    if {"id", "structure", "categorie"} <= keys:
        return "l'onglet « Membres » du classeur"
    if keys & {key("Date du don"), key("Montant du don")}:
        return "un export HelloAsso des dons"
    if keys & {key("Référence paiement"), key("Date du paiement"), key("Date de versement")}:
        return "un export HelloAsso des paiements ou des versements"
    if keys & {key("Email payeur"), key("Nom payeur"), key("Nom adhérent")}:
        return "un export HelloAsso d'un autre type"
    return None


def _value(row: Sequence[object], index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _text(row: Sequence[object], index: int | None) -> str:
    value = _value(row, index)
    return clean_text(value) if value is not None else ""


def _bounded(text: str, label: str, where: str, warnings: list[str]) -> str:
    """``text`` cut to :data:`TEXT_LIMIT` characters, with a French warning when it was longer."""
    if len(text) <= TEXT_LIMIT:
        return text
    count = f"{len(text):,}".replace(",", "\u202f")
    warnings.append(
        f"{where} : {label} compte {count} caractères ; seuls les {TEXT_LIMIT} premiers sont "
        "gardés. Vérifiez la ligne dans HelloAsso."
    )
    return text[:TEXT_LIMIT].rstrip()


def _first(columns: dict[str, int], names: set[str]) -> int | None:
    found = [columns[n] for n in names if n in columns]
    return min(found) if found else None


def read(grid: list[list[object]], name: str, today: dt.date) -> FileRead:
    from .files import find_header

    located = find_header(grid, REQUIRED)
    assert located is not None
    header_row, columns = located
    result = FileRead(name, "export HelloAsso")
    ref_col, date_col = _first(columns, REFERENCE), _first(columns, DATE)
    amount_col, status_col = _first(columns, AMOUNT), _first(columns, STATUS)
    company_col = _first(columns, COMPANY)
    email_also = _first(columns, EMAIL_ALSO)
    own = {i for i in columns.values()}
    standard = REFERENCE | DATE | STATUS | AMOUNT | set(KNOWN.values()) | COMPANY | EMAIL_ALSO
    questions = sorted(i for k, i in columns.items() if k not in standard)
    del own
    seen: dict[str, int] = {}
    for number, row in enumerate(grid[header_row + 1 :], start=header_row + 2):
        if not any(clean_text(c) if c is not None else "" for c in row):
            continue
        where = f"{name} ligne {number}"
        order = _text(row, ref_col)
        status = _text(row, status_col)
        refunded = status_col is not None and key(status) in REFUNDED
        if status_col is not None and key(status) != PAID and not refunded:
            result.ignored.append(
                f"{where} : commande {order or '?'} au statut « {status or 'vide'} » "
                "(seul « Validé » est un paiement, « Remboursé » un remboursement)"
            )
            continue
        if not order:
            raise PaymentsError(
                f"{where} : « Référence commande » vide. Téléchargez de nouveau l'export "
                "depuis HelloAsso ; rien n'a été importé."
            )
        try:
            raw_date = _value(row, date_col)
            if isinstance(raw_date, str):
                raw_date = raw_date.strip().split(" ")[0]
            day = parse_date(raw_date)
            if isinstance(day, dt.datetime):
                day = day.date()
        except ValueProblem as problem:
            raise PaymentsError(
                f"{where} : {problem.for_column('Date de la commande')} Rien n'a été importé."
            ) from None
        try:
            amount = parse_amount(_value(row, amount_col), allow_negative=True)
        except ValueProblem as problem:
            raise PaymentsError(
                f"{where} : {problem.for_column('Montant tarif')} Rien n'a été importé."
            ) from None
        if refunded:
            day, amount = today, -abs(amount)
        if amount == 0:
            result.ignored.append(f"{where} : commande {order} à 0 € (tarif gratuit), pas un paiement")
            continue
        reference = reference_of(order)
        if reference in seen:
            result.warnings.append(
                f"{where} : la référence de commande {order} figure déjà ligne {seen[reference]} ; "
                "cette ligne n'est pas importée. Si la commande compte plusieurs adhésions, "
                "saisissez la seconde à la main dans « Paiements »."
            )
            continue
        seen[reference] = number
        payer = " ".join(
            p
            for p in (
                _text(row, columns.get(KNOWN["payer_first"])),
                _text(row, columns.get(KNOWN["payer_last"])),
            )
            if p
        )
        adherent = " ".join(
            p for p in (_text(row, columns.get(KNOWN["first"])), _text(row, columns.get(KNOWN["last"]))) if p
        )
        company = _text(row, company_col)
        email = _text(row, columns.get(KNOWN["email"])) or _text(row, email_also) or None
        tarif = _text(row, columns.get(KNOWN["tarif"]))
        answers = " ".join(_text(row, i) for i in questions)
        payer, adherent, company, tarif, answers = (
            _bounded(text, label, where, result.warnings)
            for text, label in (
                (payer, "le nom du payeur"),
                (adherent, "le nom de l'adhérent"),
                (company, "le nom de la structure"),
                (tarif, "le tarif"),
                (answers, "les réponses aux questions"),
            )
        )
        if email is not None:
            email = _bounded(email, "l'adresse e-mail", where, result.warnings)
        shown = company or payer or adherent
        result.payments.append(
            Incoming(
                date=day,
                amount=amount,
                reference=reference,
                means="HelloAsso",
                kind=KIND,
                payer=f"{shown} ({email})" if email and shown else (shown or email or ""),
                purpose=purpose_from_text(f"{tarif} {answers}"),
                clue=Clue(
                    text=f"{tarif} {answers} {company}",
                    email=email,
                    names=tuple(n for n in (company, adherent, payer) if n),
                    amount=amount,
                ),
                origin=where,
                refund=refunded,
            )
        )
    return result
