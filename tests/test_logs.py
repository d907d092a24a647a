"""The local log: Paris times with their offset, as in Journal, whatever the machine's zone."""

from __future__ import annotations

import datetime as dt
import logging

from automations.clock import PARIS
from automations.logs import FORMAT, ParisFormatter, close_logging, setup_logging


def stamp(moment: dt.datetime) -> str:
    """The time part of a log line for a record made at ``moment``."""
    record = logging.makeLogRecord({"msg": "x", "created": moment.timestamp(), "msecs": 250.0})
    return ParisFormatter(FORMAT).formatTime(record)


class TestParisTime:
    def test_winter_times_are_utc_plus_one(self):
        """08:00 UTC on 23 November is 09:00 in Paris, written with +0100."""
        assert stamp(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)) == "2026-11-23 09:00:00,250 +0100"

    def test_summer_times_are_utc_plus_two(self):
        """22:30 UTC on 14 July is 00:30 the next day in Paris, written with +0200."""
        assert stamp(dt.datetime(2026, 7, 14, 22, 30, tzinfo=dt.UTC)) == "2026-07-15 00:30:00,250 +0200"

    def test_the_log_file_uses_paris_time(self, tmp_path):
        """A line written through setup_logging carries a Paris time with its offset."""
        path = setup_logging(tmp_path)
        try:
            logging.getLogger("automations.test").info("bonjour")
        finally:
            close_logging()
        line = path.read_text(encoding="utf-8").strip()
        now = dt.datetime.now(PARIS)
        assert line.endswith("INFO automations.test: bonjour")
        assert line.split(",")[0][:10] in {(now - dt.timedelta(days=d)).strftime("%Y-%m-%d") for d in (0, 1)}
        assert line.split(" ")[2] in ("+0100", "+0200")
