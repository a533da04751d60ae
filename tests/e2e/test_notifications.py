"""Notifications when a person is needed (issue 11): a signed webhook for a
waiting approval and for a turn's end, retried when the receiver fails,
and an ntfy push, to receivers on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cm_testing import FAKE_CODEX, Server, make_server
from conftest import Cli, wait_for
from test_faults_and_errors import ready_session

SECRET = b"s3cret-key"


class Receiver:
    """An HTTP server that records every POST; the first `fail` get 500."""

    def __init__(self, fail: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = fail
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                failing = receiver.fail > 0
                receiver.fail -= 1
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receivers() -> Iterator[tuple[Receiver, Receiver]]:
    webhook, ntfy = Receiver(fail=1), Receiver()
    yield webhook, ntfy
    webhook.close()
    ntfy.close()


@pytest.fixture
def notifying_server(tmp_path: Path, receivers: tuple[Receiver, Receiver]) -> Iterator[Server]:
    webhook, ntfy = receivers
    secret = tmp_path / "webhook.secret"
    secret.write_bytes(SECRET + b"\n")
    yield from make_server(tmp_path, [
        "--codex-bin", str(FAKE_CODEX), "--webhook-url", f"{webhook.url}/hooks/codex",
        "--webhook-secret-file", str(secret), "--ntfy-url", f"{ntfy.url}/codex-topic",
        "--public-url", "https://codex.example.com"])


def test_an_approval_and_a_turn_end_notify_signed_and_retried(
        notifying_server: Server, receivers: tuple[Receiver, Receiver], project: Path) -> None:
    webhook, ntfy = receivers
    cli = Cli(notifying_server)
    session_id = ready_session(cli, project)
    follow = cli.popen("turn", "start", session_id, "approve", "--follow")
    # The receiver fails the first delivery: the same one comes again, 1 s later.
    first = wait_for(lambda: len(webhook.requests) >= 2 and webhook.requests, timeout=30)
    assert first[0]["body"] == first[1]["body"]
    assert (first[0]["headers"]["X-Codex-Manager-Delivery"]
            == first[1]["headers"]["X-Codex-Manager-Delivery"])
    request = first[1]
    assert request["path"] == "/hooks/codex"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-Codex-Manager-Event"] == "approval.requested"
    expected = "sha256=" + hmac.new(SECRET, request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request["headers"]["X-Codex-Manager-Signature-256"], expected)
    payload = json.loads(request["body"])
    approval = json.loads(cli("--json", "approval", "list", "--session", session_id).stdout)
    approval_id = approval["approvals"][0]["approvalId"]
    assert payload["event"] == "approval.requested"
    assert payload["approval_id"] == approval_id and payload["session_id"] == session_id
    assert payload["summary"] == "Codex wants to run: echo fake"
    assert payload["url"] == f"https://codex.example.com/#/s/{session_id}"

    push = wait_for(lambda: ntfy.requests and ntfy.requests[0])
    assert push["path"] == "/codex-topic"
    assert push["body"] == b"Codex wants to run: echo fake"
    assert push["headers"]["Title"] == "Codex needs your approval"
    assert push["headers"]["Priority"] == "high"
    assert push["headers"]["Click"] == f"https://codex.example.com/#/s/{session_id}"

    assert cli("approval", "approve", approval_id).returncode == 0
    follow.communicate(timeout=30)
    ended = wait_for(lambda: [r for r in webhook.requests
                              if r["headers"]["X-Codex-Manager-Event"] == "turn.completed"])
    assert json.loads(ended[0]["body"])["summary"] == "Turn completed: decision was accept"
    lines = [e for e in notifying_server.log_lines() if e.get("msg", "").startswith("notification")]
    assert any(e["msg"] == "notification failed; retrying" and e["http_status"] == 500
               for e in lines)
    assert sum(e["msg"] == "notification delivered" for e in lines) >= 3
    # Every attempt is recorded in the data dir (docs/notifications.md's query).
    delivery = first[0]["headers"]["X-Codex-Manager-Delivery"]
    db = sqlite3.connect(f"file:{notifying_server.data_dir / 'codex-manager.db'}?mode=ro",
                         uri=True)
    rows = db.execute(
        "SELECT attempt, target, host, event, session_id, http_status, error "
        "FROM notification_deliveries WHERE delivery_id = ? AND target = 'webhook' "
        "ORDER BY attempt", (delivery,)).fetchall()
    db.close()
    assert rows == [
        (1, "webhook", "127.0.0.1", "approval.requested", session_id, 500, "HTTP 500"),
        (2, "webhook", "127.0.0.1", "approval.requested", session_id, 204, ""),
    ]


def test_a_webhook_receiver_that_never_answers_delays_no_push_nor_the_exit(
        tmp_path: Path, project: Path) -> None:
    # It takes the connection (the kernel does, from the listen backlog) and
    # never says a word. Each attempt gives up after its 10 s answer timeout;
    # meanwhile the pushes go out from their own queue, and stopping the
    # server ends the attempt in flight at once.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    ntfy = Receiver()
    servers = make_server(tmp_path, [
        "--codex-bin", str(FAKE_CODEX),
        "--webhook-url", f"http://127.0.0.1:{silent.getsockname()[1]}/hooks/codex",
        "--ntfy-url", f"{ntfy.url}/codex-topic", "--webhook-events", "turn_end"])
    server = next(servers)
    try:
        cli = Cli(server)
        session_id = ready_session(cli, project)
        for n in range(3):
            assert cli("turn", "start", session_id, f"hello {n}", "--follow").returncode == 0
        pushes = wait_for(lambda: len(ntfy.requests) >= 3 and ntfy.requests, timeout=10)
        assert [p["headers"]["Title"] for p in pushes] == ["Codex finished a turn"] * 3
        timed_out = wait_for(lambda: [e for e in server.log_lines()
                                      if e.get("msg") == "notification failed; retrying"],
                             timeout=30)
        assert timed_out[0]["target"] == "webhook"
        assert timed_out[0]["error"] == "read: timed out after 10s"
        started = time.monotonic()
        next(servers, None)  # SIGTERM, then the exit status and logs are checked
        assert time.monotonic() - started < 5
        dropped = [e for e in server.log_lines() if e.get("msg") == "notifications dropped at shutdown"]
        assert dropped and dropped[0]["target"] == "webhook" and dropped[0]["count"] >= 1
    finally:
        servers.close()
        silent.close()
        ntfy.close()


def test_bad_notification_flags_are_refused(tmp_path: Path) -> None:
    import subprocess

    from cm_testing import SERVER_BIN
    for args, message in ((["--webhook-url", "ftp://x"], "--webhook-url"),
                          (["--ntfy-url", "http://h/t", "--webhook-events", "approval,coffee"],
                           "--webhook-events"),
                          (["--webhook-url", "http://h/", "--webhook-secret-file",
                            str(tmp_path / "missing")], "--webhook-secret-file")):
        result = subprocess.run([str(SERVER_BIN), "--listen", "127.0.0.1:0", "--data-dir",
                                 str(tmp_path / "d"), "--codex-bin", str(FAKE_CODEX), *args],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
