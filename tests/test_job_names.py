"""Staff read every job under its French name, old English Journal names included."""

from __future__ import annotations

import pytest

from automations.jobs.registry import JOBS
from automations.runner import JOB_TITLES, job_name
from automations.schedule import DEFAULT_TIMINGS


class TestJobNames:
    @pytest.mark.parametrize(
        ("task", "name"),
        [
            ("sync", "synchronisation"),
            ("renewals", "relances"),
            ("promotions", "avis de place confirmée"),
            ("docs conventions", "documents : conventions"),
            ("docs recus", "documents : reçus"),
            (" Sync ", "synchronisation"),
        ],
    )
    def test_an_old_journal_name_reads_as_its_french_name(self, task, name):
        """A Journal line written before the French names is shown under the French one."""
        assert job_name(task) == name

    def test_a_french_name_reads_as_itself(self):
        """Reading a French name again changes nothing, so old and new lines compare equal."""
        for name in JOB_TITLES.values():
            assert job_name(name) == name

    def test_every_job_of_the_registry_and_of_the_schedule_has_a_french_name(self):
        """No job reaches staff under its command-line key."""
        for key in {*JOBS, *DEFAULT_TIMINGS}:
            assert key in JOB_TITLES

    def test_an_unknown_task_is_shown_as_written(self):
        """A task mila does not know (typed by hand) is not hidden."""
        assert job_name("import manuel") == "import manuel"
