"""rules.conventions: which occupations get a convention, and the reason for each left out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from automations.model.dataset import Dataset
from automations.model.rows import Member, Occupation, Premises
from automations.rules.conventions import plan_conventions

TODAY = dt.date(2026, 12, 7)


def dataset(*occupations: Occupation, left_on: dt.date | None = None) -> Dataset:
    members = [Member(row=2, id="M0001", structure="Le Fair", left_on=left_on)]
    premises = [
        Premises(row=2, id="L01", name="Bureau 1", site="Campus", monthly_rent=Decimal(400)),
        Premises(row=3, id="L02", name="Boutique 2", site="Boutique", monthly_rent=Decimal(900)),
    ]
    return Dataset(members=members, premises=premises, occupations=list(occupations))


def occupation(
    row: int,
    id: str | None,
    *,
    member_id: str = "M0001",
    premises_id: str = "L01",
    start: dt.date | None = dt.date(2020, 1, 1),
    end: dt.date | None = None,
) -> Occupation:
    return Occupation(row, id, member_id=member_id, premises_id=premises_id, start=start, end=end)


def test_an_ongoing_occupation_gets_its_convention_with_the_premises_rent():
    plan = plan_conventions(dataset(occupation(2, "C001")), TODAY)
    assert [(d.occupation.id, d.rent, d.ongoing) for d in plan.due] == [("C001", Decimal(400), True)]
    assert plan.skipped == [] and plan.shops == []


def test_a_member_who_left_has_no_convention_to_sign_even_when_the_end_is_blank():
    plan = plan_conventions(dataset(occupation(2, "C001"), left_on=dt.date(2026, 6, 30)), TODAY)
    assert plan.due == [] and plan.skipped == []
    # Asked for the ended ones too (« --tous »), it is produced but not to be signed.
    plan = plan_conventions(
        dataset(occupation(2, "C001"), left_on=dt.date(2026, 6, 30)), TODAY, include_ended=True
    )
    assert [(d.occupation.id, d.ongoing) for d in plan.due] == [("C001", False)]


def test_a_member_leaving_later_still_signs():
    plan = plan_conventions(dataset(occupation(2, "C001"), left_on=dt.date(2027, 1, 31)), TODAY)
    assert [d.ongoing for d in plan.due] == [True]


def test_each_occupation_left_out_is_named_with_its_reason():
    plan = plan_conventions(
        dataset(
            occupation(2, None),
            occupation(3, "C002"),
            occupation(4, "C002"),
            occupation(5, "C003", start=None),
            occupation(6, "C004", member_id="M0099"),
            occupation(7, "C005", premises_id="L99"),
            occupation(8, "C006", premises_id="L02"),
            occupation(9, "C007", end=dt.date(2025, 12, 31)),
        ),
        TODAY,
    )
    assert plan.due == []
    assert plan.skipped == [
        "Occupations ligne 2 : pas d'ID ; lancez « mila synchroniser » pour en attribuer un.",
        "Convention C002 : cet ID figure sur plusieurs lignes ; corrigez-le (« mila verifier »).",
        "Convention C002 : cet ID figure sur plusieurs lignes ; corrigez-le (« mila verifier »).",
        "Convention C003 : date de début manquante ou illisible.",
        "Convention C004 : membre « M0099 » introuvable dans l'onglet Membres.",
        "Convention C005 : local « L99 » introuvable dans l'onglet Locaux.",
    ]
    assert plan.shops == ["C006"]  # a shop: commercial lease, unless shop conventions are asked for
    shop = dataset(occupation(8, "C006", premises_id="L02"))
    assert [d.occupation.id for d in plan_conventions(shop, TODAY, shop_conventions=True).due] == ["C006"]


def test_one_member_only():
    plan = plan_conventions(dataset(occupation(2, "C001")), TODAY, wanted="M0002")
    assert plan.due == [] and plan.skipped == []
