"""`mila verifier` reports every anomaly by tab and row, and never writes."""

from __future__ import annotations

import datetime as dt
import json

from test_sync import TODAY, workbook

from automations.jobs.check import run_check
from automations.rules.membership import MembershipPolicy


def check(book):
    return run_check(book.open(), today=TODAY, policy=MembershipPolicy())


class TestCheck:
    def test_anomalies_name_the_tab_row_id_and_column(self, make_book):
        """The bad address is reported on Membres row 5 (M0004), column Email, as an error."""
        result = check(make_book(workbook()))
        found = [a for a in result.anomalies if a.column == "Email"]
        assert [(a.tab, a.row, a.id, a.severity.value) for a in found] == [("Membres", 5, "M0004", "error")]
        assert result.errors == 1

    def test_check_writes_nothing(self, make_book):
        """A check leaves every tab as it was and creates no tab."""
        book = make_book(workbook())
        before = {t: book.grid(t) for t in ("Membres", "Tarifs")}
        if book.kind == "google":
            book.emulator.reset_requests()
        check(book)
        assert {t: book.grid(t) for t in before} == before
        assert book.open().tabs() == ["Membres", "Locaux", "Occupations", "Tarifs"]
        if book.kind == "google":
            assert all(r.method == "GET" for r in book.emulator.requests)

    def test_json_has_the_documented_shape(self, make_book):
        """--json gives errors, warnings and one object per anomaly with the six keys."""
        data = check(make_book(workbook())).as_dict()
        assert set(data) == {"errors", "warnings", "anomalies"}
        assert all(set(a) == {"tab", "row", "id", "column", "severity", "message"} for a in data["anomalies"])
        json.dumps(data, ensure_ascii=False)

    def test_the_date_decides_the_status_checks(self, make_book):
        """A forfait is only required for a period starting on or after 1 March 2024."""
        data = workbook()
        data["Membres"] = [
            data["Membres"][0],
            ["M0001", "Ancien", "Al", "a@a.fr", "bénéficiaire", None, None, "01/01/2023", "01/01/2023", None],
        ]
        book = make_book(data)
        early = run_check(book.open(), today=dt.date(2023, 6, 1), policy=MembershipPolicy())
        late = run_check(book.open(), today=TODAY, policy=MembershipPolicy())
        assert not [a for a in early.anomalies if a.column == "Forfait"]
        assert [a for a in late.anomalies if a.column == "Forfait"]
