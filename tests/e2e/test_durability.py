"""The durable core under an operator's mistakes and hard faults: one server
per data dir, hung turns ended by the watchdog, kill -9 mid-stream."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from codex_manager import Client, SessionState
from conftest import Server

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
