"""One job at a time: a file lock shared by the scheduler and manual commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import MilaError


class AlreadyRunning(MilaError):
    """Another mila job holds the lock."""

    exit_code = 3


@contextmanager
def single_instance(folder: Path, *, wait: float = 60.0, what: str = "une tâche") -> Iterator[None]:
    """Hold ``folder/mila.lock`` for the duration; wait at most ``wait`` seconds for it."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / "mila.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise AlreadyRunning(
            f"Une autre tâche mila est en cours (verrou « {folder / 'mila.lock'} ») : {what} n'a pas "
            f"été lancée après {wait:.0f} s d'attente. Réessayez dans quelques minutes ; si aucune "
            "tâche ne tourne vraiment, vérifiez qu'aucun « mila schedule » n'est lancé."
        ) from None
    try:
        yield
    finally:
        lock.release()
