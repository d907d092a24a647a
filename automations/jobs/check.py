"""`mila verifier`: read the workbook, report every anomaly; never writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.anomalies import Anomalies
from ..rules.bookings import BookingPolicy
from ..rules.membership import MembershipPolicy
from ..schema import TABS
from ..workbook import Workbook
from .workbook_state import WorkbookState, read_state


@dataclass(frozen=True)
class CheckResult:
    description: str
    anomalies: Anomalies
    titles: dict[str, str]  # contract name -> workbook title

    @property
    def errors(self) -> int:
        return len(self.anomalies.errors)

    @property
    def warnings(self) -> int:
        return len(self.anomalies.warnings)

    def by_tab(self) -> list[tuple[str, list]]:
        """(tab, anomalies sorted by row) in the contract's tab order."""
        order = [t.name for t in TABS]
        groups: dict[str, list] = {}
        for anomaly in self.anomalies:
            groups.setdefault(anomaly.tab, []).append(anomaly)
        tabs = sorted(groups, key=lambda t: order.index(t) if t in order else len(order))
        return [(t, sorted(groups[t], key=lambda a: (a.row or 0, not a.is_error))) for t in tabs]

    def as_dict(self) -> dict[str, object]:
        return {
            "errors": self.errors,
            "warnings": self.warnings,
            "anomalies": [
                {
                    "tab": a.tab,
                    "row": a.row,
                    "id": a.id,
                    "column": a.column,
                    "severity": a.severity.value,
                    "message": a.message,
                }
                for _, group in self.by_tab()
                for a in group
            ],
        }


def run_check(
    workbook: Workbook,
    *,
    today: dt.date,
    policy: MembershipPolicy,
    booking_policy: BookingPolicy | None = None,
    state: WorkbookState | None = None,
) -> CheckResult:
    """Every anomaly of the workbook, errors and warnings, without writing anything: those
    of the run's one evaluation (``state``; read now when not given)."""
    evaluation = (state or read_state(workbook, today, policy, booking_policy)).evaluation
    return CheckResult(workbook.description, evaluation.anomalies, evaluation.dataset.titles)
