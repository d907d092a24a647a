"""`mila` in a process of its own, forked from a process that has already imported it.

A fresh interpreter spends about 0.8 s importing before `mila` does anything. The tests that
need `mila` as a real process of its own — killed with SIGKILL mid-batch, or two started at once
on one workbook — start it here instead: multiprocessing's fork server imports the CLI and the
jobs once per test process, then forks each run, which starts in milliseconds. The child is what
the ``mila`` script is: ``automations.cli.main(args)`` in its own folder and environment, its
output in files, its exit code (or ``-9`` once killed) as the process's, the interpreter's exit
handlers run at its end.

The tests about the interpreter itself (what a command imports, that no traceback is printed,
the ``mila`` script and ``python -m automations.cli``) keep starting ``sys.executable``.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# What `mila relances`, `mila resume` and the backends import, imported once by the server.
PRELOAD = [
    "tests.support.processes",
    "automations.cli",
    "automations.jobs.registry",
    "automations.workbook.xlsx",
    "automations.workbook.google",
]

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(PRELOAD)


@dataclass(frozen=True)
class Finished:
    """A run that ended: its exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def _child(args: list[str], cwd: str, env: dict[str, str], out: str, err: str) -> None:
    """The child's body: `mila ARGS` in ``cwd`` with ``env``, stdout and stderr in files."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    for fd, path in ((1, out), (2, err)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    from automations.cli import main

    try:
        code = main(args)
    finally:
        atexit._run_exitfuncs()  # as the interpreter does on its way out
        sys.stdout.flush()
        sys.stderr.flush()
    sys.exit(code)


class MilaProcess:
    """A `mila` run in its own process (see the module's docstring)."""

    def __init__(self, args: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="mila-process-"))
        self._out, self._err = self._folder / "stdout", self._folder / "stderr"
        self._process = _CONTEXT.Process(
            target=_child, args=(list(args), str(cwd), dict(env), str(self._out), str(self._err))
        )
        self._process.start()

    @property
    def pid(self) -> int:
        pid = self._process.pid
        assert pid is not None  # started in __init__
        return pid

    def poll(self) -> int | None:
        """The exit code once the run ended, else None."""
        return self._process.exitcode

    def kill(self) -> None:
        """SIGKILL, as ``kill -9`` would."""
        self._process.kill()

    def wait(self, timeout: float) -> Finished:
        """Wait at most ``timeout`` seconds for the end of the run (AssertionError past it)."""
        self._process.join(timeout)
        code = self._process.exitcode
        assert code is not None, f"mila did not end within {timeout:.0f} s"
        try:
            return Finished(
                code,
                self._out.read_text(encoding="utf-8", errors="replace"),
                self._err.read_text(encoding="utf-8", errors="replace"),
            )
        finally:
            self._process.close()
            for path in (self._out, self._err):
                path.unlink(missing_ok=True)
            self._folder.rmdir()


def run_mila(args: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float = 120) -> Finished:
    """`mila ARGS` run to its end in a process of its own."""
    return MilaProcess(args, cwd=cwd, env=env).wait(timeout)
