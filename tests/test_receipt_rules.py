"""Receipt numbering as a pure plan (rules.receipts): the sheet's numbers first, then the
manifest's, then the next of the year, never one given twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from automations.model.payments import Payment
from automations.model.rows import Member
from automations.rules.receipts import ReceiptChoice, number_receipts, receipt_label


def choice(row: int, pid: str, day: dt.date, member: str = "M0001") -> ReceiptChoice:
    return ReceiptChoice(Payment(row, pid, day, member, amount=Decimal(100)), Member(1, member))


def test_a_filled_number_is_kept_and_new_ones_follow_the_highest_of_their_year():
    first = choice(2, "P00001", dt.date(2025, 1, 5))
    second = choice(3, "P00002", dt.date(2025, 2, 5))
    third = choice(4, "P00003", dt.date(2026, 1, 5))
    plan = number_receipts([first, second, third], {2: "2025-007"}, ["2025-007", ""], {"2026": 3}, {})
    assert plan.numbers == {2: "2025-007", 3: "2025-008", 4: "2026-004"}
    assert [(c.payment.id, n) for c, n in plan.new] == [("P00002", "2025-008"), ("P00003", "2026-004")]
    assert plan.last[2025] == 8 and plan.last[2026] == 4


def test_a_number_once_given_in_the_manifest_is_reused_only_when_free():
    kept = choice(2, "P00001", dt.date(2025, 1, 5), "M0001")
    taken = choice(3, "P00002", dt.date(2025, 1, 6), "M0002")
    legacy = {"M0001|2025-01-05": "2025-002", "M0002|2025-01-06": "2025-001"}
    plan = number_receipts([kept, taken], {}, ["2025-001"], {}, legacy)
    assert plan.numbers == {2: "2025-002", 3: "2025-003"}


def test_the_label_of_a_receipt_in_relances():
    assert receipt_label("2025-014") == "reçu 2025-014"
