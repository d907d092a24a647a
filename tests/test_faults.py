"""Jobs survive quota errors and outages of Google: retried, or failed cleanly and completed next time."""

from __future__ import annotations

import pytest
from conftest import GoogleBook
from test_sync import NOW, TODAY, workbook

from automations.clock import FixedClock
from automations.errors import WorkbookUnavailable
from automations.jobs.sync import run_sync
from automations.rules.membership import MembershipPolicy
from automations.workbook import Workbook
from automations.workbook.google import GoogleBackend, RetryPolicy

SHORT = RetryPolicy(attempts=3, timeout=5, wait_initial=0.01, wait_max=0.02, wait_jitter=0)


def sync(wb: Workbook):
    return run_sync(wb, today=TODAY, policy=MembershipPolicy(), clock=FixedClock(NOW))


class TestGoogleFaults:
    def test_five_quota_errors_then_success_the_sync_succeeds(self, emulator):
        """Five 429 answers on the read are waited out; the sync writes everything."""
        book = GoogleBook(emulator, workbook())
        wb = book.open()
        emulator.fail_next(429, count=5)
        result = sync(wb)
        assert result.cells_written > 0 and result.journal

    def test_an_outage_longer_than_the_budget_fails_cleanly_and_the_next_run_completes(self, emulator):
        """The write fails after its retries with nothing half-written; the next sync writes it all."""
        book = GoogleBook(emulator, workbook())
        before = {t: book.grid(t) for t in ("Membres", "Locaux", "Occupations", "Tarifs")}
        wb = Workbook(GoogleBackend(book.key, emulator_host=emulator.address, retry=SHORT))
        emulator.fail_next(503, count=10, match="values:batchUpdate")
        with pytest.raises(WorkbookUnavailable):
            sync(wb)
        emulator.clear_faults()
        assert {t: book.grid(t) for t in before} == before
        assert "Journal" not in book.open().tabs()
        result = sync(book.open())
        assert result.cells_written > 0 and [n.new_id for n in result.ids_assigned] == ["M0005"]
        assert sync(book.open()).cells_written == 0
