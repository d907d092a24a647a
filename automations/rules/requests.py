"""The staff's requests (the ``Demandes`` tab): which rows to do, refuse or give up, pure.

A row is **pending** when its ``Demande`` is filled and its ``Statut`` blank or « en attente ».
A row « en cours » was claimed by a pass (``Traitée le`` = the claim time, ``Résultat``
naming the installation that claimed it): when that pass is this installation's, which holds
the run lock now, it died mid-way; so it did when the claim is older than :data:`STALE`,
whoever made it. Either way the row becomes « échec » « interrompue, refaites la demande »,
never done again blindly (a half-done sending is the outbox's to settle; the person decides).
Nothing here reads or writes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from ..model.dates import parse_datetime
from ..schema import normalize_header

PENDING = "en attente"
RUNNING = "en cours"
DONE = "faite"
REFUSED = "refusée"
FAILED = "échec"
INTERRUPTED = "interrompue, refaites la demande"
STALE = dt.timedelta(hours=1)  # a claim by another installation older than this is dead

# What a request applies to (``Cible``).
NO_TARGET = "aucune"
YEAR = "année"
SIGNABLE = "occupation ou membre"  # C012 (its convention) or M0034 (the charter)
PERSON = "membre ou adresse"  # M0034, or the e-mail address of someone who never joined

_YEAR = re.compile(r"\s*(\d{4})\s*")
_SIGNABLE = re.compile(r"\s*([CcMm])\s*0*(\d{1,6})\b.*")
_MEMBER = re.compile(r"\s*[Mm]\s*0*(\d{1,6})\b.*")
_ADDRESS = re.compile(r"\s*([^@\s]+@[^@\s]+\.[^@\s]+)\s*")


@dataclass(frozen=True)
class Request:
    """One row of ``Demandes`` as read."""

    row: int
    id: str | None
    kind: str  # as typed (the dropdown's wording)
    target: str | None
    by: str | None
    status: str  # normalised: "" for blank
    claimed_at: dt.datetime | None
    result: str | None

    @property
    def label(self) -> str:
        return f"{self.id or f'ligne {self.row}'} « {self.kind} »"


@dataclass(frozen=True)
class Target:
    """A valid ``Cible``: the year, or the occupation / member ID (``C012``, ``M0034``)."""

    text: str | None = None
    year: int | None = None
    occupation: str | None = None
    member: str | None = None
    email: str | None = None
    confirm: bool = False  # « M0034 confirmer »: an erasure the rules would refuse, confirmed


@dataclass(frozen=True)
class Plan:
    """What a pass does with the rows it read."""

    todo: list[Request]  # to claim and do, in sheet order
    refused: list[tuple[Request, str]]  # refused at once, with the French reason
    # Still being filled in (a request that takes a Cible, without one yet): left « en attente »
    # with what is missing, done once the Cible is typed.
    incomplete: list[tuple[Request, str]]
    interrupted: list[Request]  # claims of a dead pass: « échec »
    waiting: list[Request]  # claimed by a live pass of another installation: left alone

    @property
    def empty(self) -> bool:
        return not (self.todo or self.refused or self.interrupted or self.incomplete)


def text(value: object) -> str | None:
    """A cell as text: ``2025`` typed as a number reads « 2025 », not « 2025.0 »."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    found = str(value).strip()
    return found or None


def when(value: object) -> dt.datetime | None:
    """A ``Traitée le`` cell as a datetime; ``None`` when blank or unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        found = parse_datetime(value)
    except ValueError:
        return None
    return found if isinstance(found, dt.datetime) else dt.datetime.combine(found, dt.time())


def is_pending(status: str) -> bool:
    return status in ("", normalize_header(PENDING))


def plan(
    requests: Sequence[Request],
    kinds: Mapping[str, str],
    *,
    now: dt.datetime,
    installation: str,
) -> Plan:
    """``kinds``: each known request (normalised) and the target it takes."""
    todo: list[Request] = []
    refused: list[tuple[Request, str]] = []
    incomplete: list[tuple[Request, str]] = []
    interrupted: list[Request] = []
    waiting: list[Request] = []
    for request in requests:
        if request.status == normalize_header(RUNNING):
            ours = installation in (request.result or "")
            old = request.claimed_at is None or now - request.claimed_at >= STALE
            (interrupted if ours or old else waiting).append(request)
            continue
        if not is_pending(request.status) or not request.kind.strip():
            continue
        kind = normalize_header(request.kind)
        if kind not in kinds:
            refused.append((request, unknown_kind(request.kind, list(kinds.values()))))
            continue
        problem = target_problem(kinds[kind], request.target)
        if problem is not None and request.target is None:
            if not (request.status == normalize_header(PENDING) and request.result == problem):
                incomplete.append((request, problem))  # said once: nothing to write after
            continue
        if problem is not None:
            refused.append((request, problem))
            continue
        todo.append(request)
    return Plan(todo, refused, incomplete, interrupted, waiting)


def unknown_kind(kind: str, _known: Collection[str]) -> str:
    return (
        f"demande « {kind} » inconnue : choisissez-la dans la liste déroulante de la colonne Demande "
        "(une demande que mila ne sait pas encore faire n'y figure pas)."
    )


def target_problem(kind: str, target: str | None) -> str | None:
    """Why ``target`` does not fit a request taking ``kind``; ``None`` when it does."""
    if kind == NO_TARGET:
        return None
    if kind == YEAR:
        if target is None:
            return "indiquez l'année dans la colonne Cible, par exemple 2025."
        return (
            None
            if parse_target(kind, target) is not None
            else (f"cible « {target} » : une année est attendue (par exemple 2025).")
        )
    if kind == PERSON:
        if target is None:
            return (
                "indiquez dans la colonne Cible le membre (M0034) ou l'adresse e-mail de la "
                "personne qui n'a pas adhéré."
            )
        return (
            None
            if parse_target(kind, target) is not None
            else f"cible « {target} » : un membre (M0034) ou une adresse e-mail est attendu."
        )
    if target is None:
        return (
            "indiquez dans la colonne Cible l'occupation (C012 : sa convention) ou le membre "
            "(M0034 : la charte)."
        )
    if parse_target(kind, target) is None:
        return (
            f"cible « {target} » : une occupation (C012 : sa convention) ou un membre "
            "(M0034 : la charte) est attendu."
        )
    return None


def parse_target(kind: str, target: str | None) -> Target | None:
    """The target of a valid ``Cible`` for a request taking ``kind``; ``None`` when invalid."""
    if kind == NO_TARGET:
        return Target(target)
    if target is None:
        return None
    if kind == YEAR:
        match = _YEAR.fullmatch(target)
        if match is None or not 2000 <= int(match.group(1)) <= 2100:
            return None
        return Target(target, year=int(match.group(1)))
    if kind == PERSON:
        member = _MEMBER.fullmatch(target)
        if member is not None:
            confirm = "confirm" in target.lower()
            return Target(target, member=f"M{int(member.group(1)):04d}", confirm=confirm)
        address = _ADDRESS.fullmatch(target)
        return Target(target, email=address.group(1)) if address is not None else None
    match = _SIGNABLE.fullmatch(target)
    if match is None:
        return None
    letter, number = match.group(1).upper(), int(match.group(2))
    if letter == "C":
        return Target(target, occupation=f"C{number:03d}")
    return Target(target, member=f"M{number:04d}")
