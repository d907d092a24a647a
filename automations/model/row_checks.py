"""The checks across the fields of one row, run by :func:`.parsing.parse_row` once each
field is read: dates in order (« Sortie le » after « Adhésion le », « Fin » after
« Début »), a revision within its occupation and with its index, a booking by a member or
an organisation, an implausible payment, and the defaults a blank cell takes. Each is an
``Emit``-taking function of the row's values by attribute; a problem becomes an anomaly of
the row, never an exception, and the tab specs in :mod:`.parsing` name the check of each tab.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from ..formatting import format_money
from .anomalies import Severity
from .fields import ERROR, WARNING
from .rows import _start_at

Emit = Callable[[str | None, Severity, str], None]


MAX_PLAUSIBLE_PAYMENT = Decimal(10_000)


def check_member(values: dict[str, object], emit: Emit) -> None:
    joined, left = values.get("joined_on"), values.get("left_on")
    if isinstance(joined, dt.date) and isinstance(left, dt.date) and left < joined:
        emit(
            "Sortie le",
            ERROR,
            "« Sortie le » est antérieure à « Adhésion le » : corrigez l'une des deux dates.",
        )
    paid = values.get("amount_paid")
    if isinstance(paid, Decimal) and paid > MAX_PLAUSIBLE_PAYMENT:
        # Google gives a date cell as its serial number (about 45 000): a date typed in
        # « Montant payé » would otherwise pass for an amount.
        emit(
            "Montant payé",
            WARNING,
            f"Montant inhabituel dans « Montant payé » : {format_money(paid)} "
            "(une cotisation dépasse rarement 1 000 €). Vérifiez qu'il ne s'agit pas d'une "
            "date ou d'une faute de frappe.",
        )


def check_premises(values: dict[str, object], emit: Emit) -> None:
    if (
        values.get("site") in ("Pépinière", "Boutique")
        and values.get("surface_m2") is None
        and not values.get("bookable")
        and "surface_m2" not in values.get("_unreadable", ())  # type: ignore[operator]  # a tuple of names
    ):
        emit(
            "Surface m²",
            WARNING,
            "Surface manquante dans « Surface m² » pour un bureau "
            "ou une boutique : saisissez-la en m², elle sert au calcul de la cotisation "
            "des membres hébergés.",
        )


def check_occupation(values: dict[str, object], emit: Emit) -> None:
    """``Fin`` after ``Début``; a revision within the occupation, with its index."""
    check_period("Début", "Fin")(values, emit)
    start, end, revised = values.get("start"), values.get("end"), values.get("revised_on")
    unreadable = values.get("_unreadable", ())
    if isinstance(revised, dt.date) and isinstance(start, dt.date) and revised < start:
        emit(
            "Révisée le",
            ERROR,
            "« Révisée le » est antérieure à « Début » : saisissez la date de la dernière révision "
            "du loyer de cette occupation, ou laissez vide si le loyer n'a jamais été révisé.",
        )
    elif isinstance(revised, dt.date) and isinstance(end, dt.date) and revised > end:
        emit(
            "Révisée le",
            ERROR,
            "« Révisée le » est postérieure à « Fin » : corrigez l'une des deux dates.",
        )
    has_index = values.get("index") is not None or "index" in unreadable  # type: ignore[operator]
    if isinstance(revised, dt.date) and not has_index:
        emit(
            "Indice de référence",
            WARNING,
            "« Indice de référence » manquant pour une révision : saisissez la valeur de l'indice "
            "ILAT retenue le jour de la révision, la convention la cite.",
        )
    if values.get("index") is not None and revised is None and "revised_on" not in unreadable:  # type: ignore[operator]
        emit(
            "Révisée le",
            WARNING,
            "« Révisée le » manquante : saisissez la date de la révision qui a retenu cet "
            "« Indice de référence » (ou la date de « Début » s'il s'agit de l'indice d'origine).",
        )


def check_period(start_column: str, end_column: str) -> Callable[[dict[str, object], Emit], None]:
    def check(values: dict[str, object], emit: Emit) -> None:
        start, end = values.get("start"), values.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            emit(
                end_column,
                ERROR,
                f"« {end_column} » est antérieure à « {start_column} » : corrigez l'une des deux dates.",
            )

    return check


def check_booking(values: dict[str, object], emit: Emit) -> None:
    start, end = _start_at(values.get("start")), values.get("end")  # type: ignore[arg-type]  # checked by the row's validation
    if start is not None and isinstance(end, dt.date):
        end_at = (
            end
            if isinstance(end, dt.datetime)
            else dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        )
        if end_at <= start:
            emit(
                "Fin",
                ERROR,
                "La fin de la réservation (« Fin ») n'est pas après son début "
                "(« Début ») : corrigez l'une des deux dates ou heures.",
            )
    if (
        values.get("member_id") is None
        and values.get("organisation") is None
        and "member_id" not in values.get("_unreadable", ())  # type: ignore[operator]  # a tuple of names
    ):
        emit(
            "Organisme",
            ERROR,
            "Ni « Membre » ni « Organisme » : saisissez l'ID du membre "
            "qui réserve, ou le nom de l'organisme extérieur dans « Organisme ».",
        )
    if values.get("formula") is None:
        values["formula"] = "jour"
    if values.get("status") is None:
        values["status"] = "demandée"


def check_registration(values: dict[str, object], emit: Emit) -> None:
    if values.get("status") is None:
        values["status"] = "inscrit"


def check_rate(values: dict[str, object], emit: Emit) -> None:
    start, end = values.get("valid_from"), values.get("valid_to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        emit("Au", ERROR, "« Au » est antérieure à « Du » : corrigez la période de validité de ce tarif.")
    if values.get("vat_percent") is None:
        values["vat_percent"] = Decimal(20)


def check_board(values: dict[str, object], emit: Emit) -> None:
    joined, left = values.get("joined_on"), values.get("left_on")
    if isinstance(joined, dt.date) and isinstance(left, dt.date) and left < joined:
        emit("Sortie", ERROR, "« Sortie » est antérieure à « Entrée » : corrigez l'une des deux dates.")
