"""The durable core under an operator's mistakes and hard faults: one server
per data dir, hung turns ended by the watchdog, kill -9 mid-stream."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

from codex_manager import Client, SessionState, TurnState
from conftest import Server, make_server, processes_in, wait_for

from cm_testing import SERVER_BIN


def test_a_second_server_on_the_same_data_dir_exits_and_touches_nothing(
        fake_server: Server, tmp_path: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(str(tmp_path))
        client.wait_for_session(session.session_id, SessionState.IDLE)
    db = fake_server.data_dir / "codex-manager.db"
    before = {p.name: p.stat().st_mtime_ns for p in fake_server.data_dir.iterdir()}
    started = time.monotonic()
    second = subprocess.run([str(SERVER_BIN), "--listen", "127.0.0.1:0",
                             "--data-dir", str(fake_server.data_dir)],
                            capture_output=True, text=True, timeout=20)
    assert second.returncode == 1
    assert time.monotonic() - started < 5
    error = json.loads(second.stderr.strip().splitlines()[-1])
    assert error["msg"] == "data dir in use"
    assert str(fake_server.data_dir) in error["error"]
    assert f"pid {fake_server.proc.pid}" in error["error"]  # type: ignore[union-attr]
    # Nothing in the data dir changed, and the first server's session lives on.
    assert {p.name: p.stat().st_mtime_ns for p in fake_server.data_dir.iterdir()} == before
    assert db.exists()
    with Client(fake_server.addr) as client:
        assert client.get_session(session.session_id).state == SessionState.IDLE


def test_the_lock_dies_with_its_server(fake_server: Server) -> None:
    # kill -9 leaves LOCK behind with a dead pid; the kernel dropped the
    # lock itself, so a new server starts at once.
    fake_server.stop(signal.SIGKILL)
    assert (fake_server.data_dir / "LOCK").exists()
    fake_server.start()
    with Client(fake_server.addr) as client:
        assert client.health()


def watchdog_server(tmp_path: Path, *flags: str) -> Iterator[Server]:
    from cm_testing import FAKE_CODEX
    yield from make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms",
                                      *flags])


def test_a_turn_that_ignores_interrupt_is_ended_by_the_watchdog(tmp_path: Path) -> None:
    gen = watchdog_server(tmp_path, "--interrupt-grace", "1s")
    server = next(gen)
    try:
        project = tmp_path / "project"
        project.mkdir()
        with Client(server.addr) as client:
            session = client.create_session(str(project))
            client.wait_for_session(session.session_id, SessionState.IDLE)
            turn = client.start_turn(session.session_id, "hang")  # ignores turn/interrupt
            wait_for(lambda: processes_in(project))
            time.sleep(0.3)
            client.interrupt_turn(session.session_id)
            started = time.monotonic()
            stopped = client.wait_for_session(session.session_id, SessionState.STOPPED, timeout=10)
            assert time.monotonic() - started < 4
            assert "--interrupt-grace" in stopped.last_error
            ended = client.get_turn(turn.turn_id)
            assert ended.state == TurnState.INTERRUPTED and "turn/interrupt" in ended.error
            wait_for(lambda: not processes_in(project), timeout=5)
            # Resumable: the next turn runs in a new runtime.
            assert client.run_turn(session.session_id, "after").state == TurnState.COMPLETED
    finally:
        for _ in gen:
            pass


def test_a_stalled_turn_fails_but_one_waiting_for_a_person_does_not(tmp_path: Path) -> None:
    gen = watchdog_server(tmp_path, "--turn-stall-timeout", "2s")
    server = next(gen)
    try:
        with Client(server.addr) as client:
            waiting = client.create_session(str(tmp_path))
            client.wait_for_session(waiting.session_id, SessionState.IDLE)
            asking = client.start_turn(waiting.session_id, "approve")
            wait_for(lambda: list(client.list_approvals(waiting.session_id)))
            stalled = client.create_session(str(tmp_path))
            client.wait_for_session(stalled.session_id, SessionState.IDLE)
            hung = client.start_turn(stalled.session_id, "hang")
            session = client.wait_for_session(stalled.session_id, SessionState.STOPPED, timeout=10)
            assert "--turn-stall-timeout" in session.last_error
            turn = client.get_turn(hung.turn_id)
            assert turn.state == TurnState.FAILED and "no output from Codex" in turn.error
            # The approval still waits, its turn still runs.
            assert client.get_turn(asking.turn_id).state == TurnState.RUNNING
            approval = next(iter(client.list_approvals(waiting.session_id)))
            client.approve(approval.approval_id)
            wait_for(lambda: client.get_turn(asking.turn_id).state == TurnState.COMPLETED)
    finally:
        for _ in gen:
            pass
