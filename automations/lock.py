"""One job at a time: file locks shared by the scheduler and manual commands.

Two locks guard a run. The state folder's ``mila.lock`` keeps one job at a time per
installation (and guards ``state.json``). The workbook's lock keeps one writer at a
time per workbook, wherever the command was started from: a cron job and a manual run
in another folder on the same .xlsx wait for each other. For a .xlsx the lock file
stands beside it (``.~mila-<name>.lock``), so that every user of the folder shares it;
for a Google sheet (or a .xlsx in a folder nobody may write in) it is in a per-user
folder, named after a hash of the spreadsheet key or of the file's full path.

The same process may take a workbook's lock again while holding it (the job holds it,
then each write takes it for the read-modify-write of the file).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import AlreadyRunning


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
            "tâche ne tourne vraiment, vérifiez qu'aucun « mila planifier » n'est lancé."
        ) from None
    try:
        yield
    finally:
        lock.release()


_LOCKS: dict[str, FileLock] = {}
_LOCKS_GUARD = threading.Lock()


def workbook_lock_path(*, path: Path | None = None, sheet: str | None = None) -> Path:
    """Where the lock of a workbook (a .xlsx ``path`` or a Google ``sheet`` key) lives."""
    if path is not None:
        resolved = Path(os.path.realpath(path))
        folder = resolved.parent
        if folder.is_dir() and os.access(folder, os.W_OK):
            return folder / f".~mila-{resolved.name}.lock"
        return _user_folder() / f"xlsx-{_digest(str(resolved))}.lock"
    if sheet is None:
        raise ValueError("a workbook path or a sheet key is needed")
    return _user_folder() / f"sheet-{_digest(sheet.strip())}.lock"


def workbook_lock(*, path: Path | None = None, sheet: str | None = None) -> FileLock:
    """The lock of one workbook; the same object every time in a process, so it is re-entrant."""
    lock_path = str(workbook_lock_path(path=path, sheet=sheet))
    with _LOCKS_GUARD:
        if lock_path not in _LOCKS:
            _LOCKS[lock_path] = FileLock(lock_path)
        return _LOCKS[lock_path]


@contextmanager
def holding_workbook(lock: FileLock, *, wait: float, what: str, workbook: str) -> Iterator[None]:
    """Hold a workbook's lock for the duration; wait at most ``wait`` seconds for it."""
    Path(lock.lock_file).parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise AlreadyRunning(
            f"Une autre tâche mila travaille sur {workbook} (verrou « {lock.lock_file} ») : {what} n'a "
            f"pas été lancée après {wait:.0f} s d'attente. Réessayez dans quelques minutes ; si aucune "
            "tâche ne tourne vraiment, vérifiez qu'aucun « mila planifier » ni aucune tâche planifiée "
            "(cron) n'est lancé sur ce classeur."
        ) from None
    try:
        yield
    finally:
        lock.release()


def same_workbook(
    *, path: Path | None, sheet: str | None, wait: float, what: str
) -> AbstractContextManager[None]:
    """The workbook lock of a run (nothing when no workbook is configured: the job will say so)."""
    if sheet:
        return holding_workbook(
            workbook_lock(sheet=sheet), wait=wait, what=what, workbook="la même feuille Google"
        )
    if path is not None:
        return holding_workbook(
            workbook_lock(path=path), wait=wait, what=what, workbook=f"le même classeur « {Path(path).name} »"
        )
    return nullcontext()


def _user_folder() -> Path:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "mila"
    folder = Path(tempfile.gettempdir()) / f"mila-locks-{_digest(user)[:12]}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
