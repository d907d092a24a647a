"""The local record of runs (state.json): what ran, when, how it ended.

The sheet's Journal holds what staff need to see; this file lets `mila etat` and
`mila planifier --une-fois` know the last run of each job without reading the sheet.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class JobRecord:
    last_run: str | None = None  # ISO local time
    last_result: str | None = None  # "succès" | "échec" | "rien à faire"
    last_message: str | None = None
    last_success: str | None = None
    failures_since_success: int = 0
    duration: float = 0.0


@dataclass
class State:
    jobs: dict[str, JobRecord] = field(default_factory=dict)

    def record(self, job: str, at: dt.datetime, result: str, message: str, duration: float) -> JobRecord:
        entry = self.jobs.setdefault(job, JobRecord())
        entry.last_run = at.isoformat(timespec="seconds")
        entry.last_result = result
        entry.last_message = message
        entry.duration = round(duration, 3)
        if result == "échec":
            entry.failures_since_success += 1
        elif result != "aperçu":  # a run without mail server succeeded at nothing
            entry.last_success = entry.last_run
            entry.failures_since_success = 0
        return entry

    def last_run(self, job: str) -> dt.datetime | None:
        entry = self.jobs.get(job)
        return dt.datetime.fromisoformat(entry.last_run) if entry and entry.last_run else None


def load_state(path: Path) -> State:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return State()
    except (OSError, ValueError):
        return State()  # a damaged record only costs the history, never a run
    jobs = {}
    for name, entry in raw.get("jobs", {}).items():
        known = {k: v for k, v in entry.items() if k in JobRecord.__dataclass_fields__}
        jobs[name] = JobRecord(**known)
    return State(jobs)


def save_state(path: Path, state: State) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        data = {"jobs": {name: asdict(record) for name, record in state.jobs.items()}}
        json.dump(data, handle, ensure_ascii=False, indent=2)
    os.replace(tmp, path)
