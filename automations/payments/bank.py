"""French bank statements: CSV as the banks export them, and OFX (via ofxtools).

CSV: ``;``-separated (others recognised), amounts as ``1 234,56``, dates ``JJ/MM/AAAA``,
UTF-8 with BOM or Windows-1252, a few lines about the account above the header; one
``Montant`` column or ``Débit`` / ``Crédit`` columns. Only credits are payments; the
transfers HelloAsso makes of its own collections are set aside (those payments come from
the HelloAsso export or API).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from ..errors import PaymentsError
from ..formatting import format_money
from ..model.values import ValueProblem, clean_text, parse_amount, parse_date
from ..rules.matching import Clue
from ..schema import normalize_header as key
from .records import FileRead, Incoming, purpose_from_text

KIND = "banque"
DATE = [
    key(n)
    for n in (
        "Date opération",
        "Date d'opération",
        "Date de l'opération",
        "Date",
        "Date comptable",
        "Date de comptabilisation",
        "Date valeur",
        "Date de valeur",
    )
]
LABEL = [
    key(n)
    for n in (
        "Libellé",
        "Libellé opération",
        "Libellé de l'opération",
        "Libellé simplifié",
        "Libellé complet",
        "Description",
        "Détail",
        "Intitulé",
        "Nature de l'opération",
    )
]
AMOUNT = [
    key(n)
    for n in ("Montant", "Montant (EUR)", "Montant(EUR)", "Montant en euros", "Montant EUR", "Montant (€)")
]
DEBIT = [key(n) for n in ("Débit", "Débit (EUR)", "Débit euros", "Débit (€)")]
CREDIT = [key(n) for n in ("Crédit", "Crédit (EUR)", "Crédit euros", "Crédit (€)")]
REFERENCE = [key(n) for n in ("Référence", "Réf.", "Numéro d'opération", "Référence de l'opération")]
EXTRA = [key(n) for n in ("Informations complémentaires", "Motif", "Commentaire")]

_PAYER = (
    re.compile(r"/DE\s*:?\s*([^/]+)", re.IGNORECASE),
    re.compile(r"\bDE\s*:\s*(.+?)(?:\s+(?:MOTIF|REF|LIB)\b|/|$)", re.IGNORECASE),
    re.compile(
        r"^(?:VIR(?:EMENT)?\s*(?:SEPA)?\s*(?:INST(?:ANTANE)?)?\s*(?:RECU|REÇU)?\s*(?:DE)?)\s+"
        r"(.+?)(?:\s+(?:MOTIF|REF|LIB)\b|/|$)",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:REMISE\s+)?(?:CHQ|CHEQUE|CHÈQUE)\s*(?:N°?\s*\d+)?\s*(?:DE\s+)?(.+)$", re.IGNORECASE),
)
_MEANS = (
    (re.compile(r"\b(CHQ|CHEQUE|CHÈQUE)", re.IGNORECASE), "chèque"),
    (re.compile(r"\bPRLV|PRELEVEMENT|PRÉLÈVEMENT", re.IGNORECASE), "prélèvement"),
    (re.compile(r"\b(ESPECES|ESPÈCES|VERSEMENT ESP)", re.IGNORECASE), "espèces"),
    (re.compile(r"^(CB|CARTE)\b", re.IGNORECASE), "carte"),
)
HELLOASSO_PAYOUT = re.compile(r"hello\s*asso", re.IGNORECASE)


def recognises(grid: list[list[object]]) -> bool:
    from .files import find_header

    return _locate(grid) is not None if find_header(grid, [set(DATE)]) else False


def _locate(grid: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    from .files import find_header

    return find_header(grid, [set(DATE), set(LABEL), set(AMOUNT) | set(CREDIT)])


def _pick(columns: dict[str, int], names: Sequence[str]) -> int | None:
    return next((columns[n] for n in names if n in columns), None)


def payer_of(label: str) -> str:
    """The payer a bank label names: « VIR SEPA RECU /DE LE FAIR /MOTIF … » -> « LE FAIR »."""
    for pattern in _PAYER:
        found = pattern.search(label)
        if found and found.group(1).strip():
            return found.group(1).strip(" :-")
    return label.strip()


def means_of(label: str) -> str:
    for pattern, means in _MEANS:
        if pattern.search(label):
            return means
    return "virement"


def _reference(raw: str | None, day: dt.date, amount: Decimal, label: str, counts: dict[str, int]) -> str:
    if raw:
        return f"banque {raw}"
    digest = hashlib.sha1(f"{day.isoformat()}|{amount}|{label}".encode()).hexdigest()[:10]
    base = f"banque {day:%Y%m%d} {digest}"
    counts[base] = counts.get(base, 0) + 1
    return base if counts[base] == 1 else f"{base}-{counts[base]}"


def _cell(row: Sequence[object], index: int | None) -> object:
    return row[index] if index is not None and index < len(row) else None


def _incoming(
    day: dt.date,
    amount: Decimal,
    label: str,
    raw_ref: str | None,
    where: str,
    counts: dict[str, int],
    result: FileRead,
    today: dt.date,
) -> None:
    if amount <= 0:
        result.ignored.append(
            f"{where} : débit de {format_money(-amount)} (seuls les crédits sont des paiements)"
        )
        return
    if HELLOASSO_PAYOUT.search(label):
        result.ignored.append(
            f"{where} : versement de HelloAsso (ses paiements s'importent depuis "
            "l'export HelloAsso ou « mila paiements helloasso »)"
        )
        return
    reference = _reference(raw_ref, day, amount, label, counts)
    if raw_ref and reference in counts:
        result.warnings.append(
            f"{where} : la référence « {raw_ref} » figure déjà plus haut dans le "
            "fichier ; cette ligne n'est pas importée. Vérifiez le relevé."
        )
        return
    if raw_ref:
        counts[reference] = 1
    payer = payer_of(label)
    result.payments.append(
        Incoming(
            date=day,
            amount=amount,
            reference=reference,
            means=means_of(label),
            kind=KIND,
            payer=payer,
            purpose=purpose_from_text(label),
            clue=Clue(text=label, names=(payer,), amount=amount),
            origin=where,
        )
    )


def read_csv(grid: list[list[object]], name: str, today: dt.date) -> FileRead:
    located = _locate(grid)
    assert located is not None
    header_row, columns = located
    date_col, label_col = _pick(columns, DATE), _pick(columns, LABEL)
    amount_col, debit_col, credit_col = _pick(columns, AMOUNT), _pick(columns, DEBIT), _pick(columns, CREDIT)
    ref_col = _pick(columns, REFERENCE)
    extra = [columns[n] for n in EXTRA if n in columns]
    result = FileRead(name, "relevé bancaire (CSV)")
    counts: dict[str, int] = {}
    for number, row in enumerate(grid[header_row + 1 :], start=header_row + 2):
        cells = [clean_text(c) if c is not None else "" for c in row]
        if not any(cells):
            continue
        where = f"{name} ligne {number}"
        raw_date = _cell(row, date_col)
        if raw_date is None or not clean_text(raw_date):
            result.ignored.append(f"{where} : pas de date (ligne de total ou de solde)")
            continue
        try:
            day = parse_date(raw_date)
        except ValueProblem as problem:
            raise PaymentsError(f"{where} : {problem.for_column('Date')} Rien n'a été importé.") from None
        try:
            if amount_col is not None:
                amount = parse_amount(_cell(row, amount_col), allow_negative=True)
            else:
                credit = _cell(row, credit_col)
                if credit is not None and clean_text(credit):
                    amount = parse_amount(credit, allow_negative=True)
                else:
                    amount = -abs(parse_amount(_cell(row, debit_col), allow_negative=True))
        except ValueProblem as problem:
            column = "Montant" if amount_col is not None else "Crédit"
            raise PaymentsError(f"{where} : {problem.for_column(column)} Rien n'a été importé.") from None
        label = " ".join(
            p
            for p in [clean_text(_cell(row, label_col) or "")]
            + [clean_text(_cell(row, i) or "") for i in extra]
            if p
        )
        raw_ref = clean_text(_cell(row, ref_col) or "") or None
        _incoming(day, amount, label, raw_ref, where, counts, result, today)
    return result


def read_ofx(path: Path, today: dt.date) -> FileRead:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(str(path))
        ofx = tree.convert()
    except Exception as exc:  # ofxtools raises parse and validation errors of many kinds
        raise PaymentsError(
            f"Fichier « {path.name} » illisible comme relevé OFX ({exc}). "
            "Téléchargez-le de nouveau depuis la banque (format OFX ou CSV)."
        ) from None
    result = FileRead(path.name, "relevé bancaire (OFX)")
    counts: dict[str, int] = {}
    for statement in ofx.statements:
        for number, txn in enumerate(statement.transactions, start=1):
            label = " ".join(p for p in (txn.name or "", txn.memo or "") if p)
            posted = txn.dtposted.date() if isinstance(txn.dtposted, dt.datetime) else txn.dtposted
            _incoming(
                posted,
                Decimal(txn.trnamt),
                label,
                txn.fitid,
                f"{path.name} opération {number}",
                counts,
                result,
                today,
            )
    return result
