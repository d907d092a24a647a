"""Which occupations get a convention de mise à disposition, and why the others do not.

Pure: from the workbook's models and the day, a :class:`ConventionPlan` — the conventions
to produce (each with its holder, premises and rent) and, in French, the occupations left
out. `jobs.documents` renders and writes what the plan says.

An occupation gets no convention when it has no ID (or one standing twice), no start date,
no known member, premises or rent; when it is over (ended, or its member has left the
association), unless ended ones are asked for; a shop occupation (« Boutique », let under a
commercial lease with the landlord) only when the association asks for those too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from ..model.dataset import Dataset
from ..model.rows import Member, Occupation, Premises, id_key


@dataclass(frozen=True)
class ConventionDue:
    occupation: Occupation
    holder: Member
    premises: Premises
    rent: Decimal  # monthly, HT: the occupation's own, else the premises'
    ongoing: bool  # not over: sent to its member for signature when asked


@dataclass
class ConventionPlan:
    due: list[ConventionDue] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one French line per occupation left out
    shops: list[str] = field(default_factory=list)  # shop occupations without convention


def plan_conventions(
    dataset: Dataset,
    today: dt.date,
    *,
    wanted: str | None = None,
    include_ended: bool = False,
    shop_conventions: bool = False,
) -> ConventionPlan:
    """The conventions to produce today (``wanted``: one member's key only)."""
    plan = ConventionPlan()
    counts = Counter(id_key(o.id) for o in dataset.occupations if o.id)
    for occupation in dataset.occupations:
        if wanted is not None and id_key(occupation.member_id) != wanted:
            continue
        where = f"Occupations ligne {occupation.row}"
        if occupation.id is None:
            plan.skipped.append(f"{where} : pas d'ID ; lancez « mila synchroniser » pour en attribuer un.")
            continue
        where = f"Convention {occupation.id}"
        if counts[id_key(occupation.id)] > 1:
            plan.skipped.append(
                f"{where} : cet ID figure sur plusieurs lignes ; corrigez-le (« mila verifier »)."
            )
            continue
        if occupation.start is None:
            plan.skipped.append(f"{where} : date de début manquante ou illisible.")
            continue
        holder = dataset.member(occupation.member_id)
        ongoing = (occupation.end is None or occupation.end >= today) and not _left(holder, today)
        if not ongoing and not include_ended:
            continue  # over: nothing to sign any more
        premises = dataset.premises_item(occupation.premises_id)
        if holder is None or holder.id is None:
            plan.skipped.append(
                f"{where} : membre « {occupation.member_id} » introuvable dans l'onglet Membres."
            )
            continue
        if premises is None:
            plan.skipped.append(
                f"{where} : local « {occupation.premises_id} » introuvable dans l'onglet Locaux."
            )
            continue
        if premises.site == "Boutique" and not shop_conventions:
            plan.shops.append(occupation.id)
            continue
        rent = occupation.monthly_rent if occupation.monthly_rent is not None else premises.monthly_rent
        if rent is None:
            plan.skipped.append(
                f"{where} : loyer inconnu ; renseignez « Loyer mensuel HT » "
                "sur la convention ou sur le local."
            )
            continue
        plan.due.append(ConventionDue(occupation, holder, premises, rent, ongoing))
    return plan


def _left(member: Member | None, today: dt.date) -> bool:
    """The member has left the association (``Sortie le`` today or before)."""
    return member is not None and member.left_on is not None and member.left_on <= today
