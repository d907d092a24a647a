"""The daily HelloAsso pull in the scheduler: before the renewals, off until configured."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from automations.clock import FixedClock
from automations.config import load_settings
from automations.jobs.registry import JOBS
from automations.runner import NOTHING


def test_off_until_an_organisation_is_configured(tmp_path: Path) -> None:
    """Without ``[payments] organisation`` the job never runs by itself; with it, daily at 8:30."""
    config = tmp_path / "mila.toml"
    config.write_text("", encoding="utf-8")
    assert not load_settings(config=config, env={}).schedule.timings()["paiements"].enabled
    config.write_text('[payments]\norganisation = "mila-paris"\n', encoding="utf-8")
    timings = load_settings(config=config, env={}).schedule.timings()
    assert timings["paiements"].enabled and timings["paiements"].at == dt.time(8, 30)
    payments_at, renewals_at = timings["paiements"].at, timings["renewals"].at
    assert payments_at is not None and renewals_at is not None and payments_at < renewals_at
    assert list(timings).index("paiements") < list(timings).index("renewals")  # the start-up catch-up order


def test_run_without_organisation_says_it_is_off(tmp_path: Path) -> None:
    """Run anyway (``mila planifier`` with the timing forced on), it does nothing and says why."""
    config = tmp_path / "mila.toml"
    config.write_text("[schedule.paiements]\nenabled = true\n", encoding="utf-8")
    settings = load_settings(config=config, env={})
    assert settings.schedule.timings()["paiements"].enabled
    job = JOBS["paiements"]
    outcome = job.describe(job.work(settings, FixedClock(dt.datetime(2026, 11, 23, 8, 30))))
    assert outcome.result == NOTHING and "[payments] organisation" in outcome.summary
