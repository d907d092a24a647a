"""`mila onglets`: what the workbook holds, measured against the contract."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..schema import TABS, tab_schema
from ..workbook import Workbook


@dataclass(frozen=True)
class TabReport:
    title: str
    contract: str | None  # the contract's name for this tab, None for a staff tab
    rows: int
    recognised: list[str]
    unknown: list[str]
    missing_required: list[str]
    missing_calc: list[str]
    duplicates: list[str]
    copy_of: str | None = None  # a second tab matching a contract tab: ignored


@dataclass(frozen=True)
class TabsReport:
    description: str
    tabs: list[TabReport]
    absent: list[str] = field(default_factory=list)  # contract tabs not in the workbook

    @property
    def ok(self) -> bool:
        return not any(t.missing_required or t.duplicates for t in self.tabs if t.contract)

    def as_dict(self) -> dict[str, object]:
        return {
            "workbook": self.description,
            "ok": self.ok,
            "tabs": [t.__dict__ for t in self.tabs],
            "absent": self.absent,
        }


def describe_tabs(workbook: Workbook) -> TabsReport:
    """Read every tab once and compare its header with the contract."""
    tables = workbook.read(require=False)
    reports = []
    for table in tables.values():
        reports.append(
            TabReport(
                title=table.title,
                contract=table.schema.name if table.schema else None,
                rows=len(table),
                recognised=table.recognised,
                unknown=table.unknown if table.schema else [],
                missing_required=table.missing_required,
                missing_calc=table.missing_calc,
                duplicates=table.duplicates,
                copy_of=(found.name if (found := tab_schema(table.title)) and table.schema is None else None),
            )
        )
    present = {r.contract for r in reports if r.contract}
    absent = [t.name for t in TABS if t.name not in present]
    return TabsReport(workbook.description, reports, absent)
