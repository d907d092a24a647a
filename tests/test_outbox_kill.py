"""`kill -9` in the middle of a batch: the outbox claims each message just before sending it,
so at most the one message in flight is left « à vérifier »; the others go exactly once.

Each test runs `mila` in a process of its own (``tests/support/processes.py``) against an
.xlsx (or the Sheets emulator), with a real SMTP server on loopback (aiosmtpd) that is slow to
answer, kills it with SIGKILL once some messages have reached the server, then runs it again
and counts what the server received.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import GoogleBook, XlsxBook
from test_mail import SmtpServer
from test_xlsx_backend import renewal_tabs

from tests.support.processes import MilaProcess, run_mila

DAY = "2026-11-23"  # the J-30 reminder of the members of renewal_tabs
DUE = {f"M{n:04d}": f"membre{n}@label.fr" for n in range(1, 11)}  # ten reminders due


@pytest.fixture
def slow_server():
    """An SMTP server that waits 0.15 s before accepting each message: long enough for the
    kill (polled every 20 ms) to land with the batch half done, short enough not to idle."""
    server = SmtpServer(delay=0.15).start()
    try:
        yield server
    finally:
        server.stop()


def environment(server: SmtpServer, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MILA_", "SHEETS_", "GOOGLE_"))}
    env.update(
        MILA_SMTP_HOST="127.0.0.1",
        MILA_SMTP_PORT=str(server.port),
        MILA_SMTP_SECURITY="none",
        MILA_MAIL_FROM="adhesions@mila.fr",
    )
    if (folder / "mila.toml").exists():
        env["MILA_CONFIG"] = str(folder / "mila.toml")
    return env


def sending_on(tabs: dict[str, list[list[object]]]) -> dict[str, list[list[object]]]:
    """The workbook of an installation whose staff switched sending on (a Journal line)."""
    tabs["Journal"].append(["01/11/2026 09:00", "envois", "activés", "par equipe@mila.fr"])
    return tabs


def kill_after(command: list[str], folder: Path, env: dict[str, str], server: SmtpServer, count: int) -> None:
    """Start `mila COMMAND` and SIGKILL it once the server has received ``count`` messages;
    the server then answers without delay."""
    run = MilaProcess(command, cwd=folder, env=env)
    try:
        # The run either reaches ``count`` messages or ends (then the test fails): no clock.
        while len(server.messages) < count:
            assert run.poll() is None, "the run ended before it could be killed"
            time.sleep(0.02)
        os.kill(run.pid, signal.SIGKILL)
    finally:
        finished = run.wait(timeout=30)
    assert finished.returncode == -signal.SIGKILL
    server.delay = 0.0  # slow only while a run is to be killed: the next run's messages go at once


def relances(book: Any) -> list[dict[str, object]]:
    grid = book.grid("Relances")
    return [dict(zip(grid[0], line, strict=False)) for line in grid[1:]]


def received(server: SmtpServer) -> Counter[str]:
    return Counter(rcpt for _, rcpts, _ in server.messages for rcpt in rcpts)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["xlsx", "google"])
def test_a_kill_mid_batch_leaves_at_most_one_message_to_check(tmp_path, slow_server, backend, request):
    """Ten reminders, the run killed once three reached the server: the next run sends every
    other reminder once; at most one (the one in flight) is « à vérifier », never resent.
    On an .xlsx and on the Sheets emulator."""
    env = environment(slow_server, tmp_path)
    if backend == "xlsx":
        book: Any = XlsxBook(tmp_path, sending_on(renewal_tabs(DUE)))
        where = ["--classeur", str(book.path)]
    else:
        emulator = request.getfixturevalue("emulator")
        book = GoogleBook(emulator, sending_on(renewal_tabs(DUE)))
        where = ["--feuille", book.key]
        env["SHEETS_EMULATOR_HOST"] = emulator.address
    command = ["relances", *where, "--date", DAY]
    kill_after(command, tmp_path, env, slow_server, 3)

    rows = relances(book)
    outcomes = {str(r["Message-ID"]) for r in rows if r["Statut"] != "en cours"}
    open_claims = [r for r in rows if r["Statut"] == "en cours" and str(r["Message-ID"]) not in outcomes]
    assert len(open_claims) <= 1

    done = run_mila(command, cwd=tmp_path, env=env)
    assert done.returncode in (0, 1), done.stderr  # 1: a reminder waits for a person

    rows = relances(book)
    to_check = {str(r["Membre"]) for r in rows if r["Statut"] == "à vérifier"}
    assert len(to_check) <= 1 and to_check == {str(r["Membre"]) for r in open_claims}
    counts = received(slow_server)
    assert all(n == 1 for n in counts.values()), counts
    expected = {address for member, address in DUE.items() if member not in to_check}
    assert expected <= set(counts) and set(counts) <= set(DUE.values())
    sent = sorted(str(r["Membre"]) for r in rows if r["Statut"] == "envoyée")
    assert sent == sorted(set(DUE) - to_check)
    assert len(slow_server.messages) >= len(DUE) - 1


@pytest.mark.slow
def test_a_summary_killed_once_the_server_has_it_is_never_sent_again(tmp_path, slow_server):
    """`mila resume` killed while the server holds the summary (its answer not yet given):
    the next run sends nothing and reports the summary « à vérifier » (later runs: see
    test_digest.TestSentOnce)."""
    tabs = sending_on(renewal_tabs({"M0001": "lea@onde.fr"}))
    tabs["Membres"].append(
        ["M0002", "Studio Nord", "Paul Roy", "paul@nord,fr", "bénéficiaire", "PREMIUM", "10/01/2023", None]
    )
    book = XlsxBook(tmp_path, tabs)
    (tmp_path / "mila.toml").write_text('[digest]\nto = ["equipe@mila.fr"]\n', encoding="utf-8")
    env = environment(slow_server, tmp_path)
    command = ["resume", "--classeur", str(book.path), "--date", DAY]
    kill_after(command, tmp_path, env, slow_server, 1)
    assert [r["Statut"] for r in relances(book) if r["Membre"] == "Résumé"] == ["en cours"]

    done = run_mila(command, cwd=tmp_path, env=env)
    assert "à vérifier" in done.stdout + done.stderr, done.stdout + done.stderr
    assert len(slow_server.messages) == 1
    statuses = [r["Statut"] for r in relances(book) if r["Membre"] == "Résumé"]
    assert statuses == ["en cours", "à vérifier"]
