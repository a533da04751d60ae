"""HTTP/2 keepalive (the server's --keepalive-interval/--keepalive-timeout):
a client whose connection went silent, as one a NAT dropped or a laptop
that went to sleep, gives its open streams back instead of holding them
for ever."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cm_testing import FAKE_CODEX, Relay, make_server, wait_for
from codex_manager import Client, ResourceExhaustedError


def can_open_a_stream(client: Client, session_id: str) -> bool:
    try:
        next(iter(client.events(session_id, follow=False)))
    except ResourceExhaustedError:
        return False
    return True


@pytest.mark.parametrize("keepalive", ["1s", "0"])
def test_a_silent_connection_gives_its_stream_back(tmp_path: Path, project: Path,
                                                  keepalive: str) -> None:
    """A server allowing a token one open stream, with a ping after a
    second of silence answered within a second ("1s"), or none ("0")."""
    servers = make_server(tmp_path, [
        "--codex-bin", str(FAKE_CODEX), "--max-streams-per-principal", "1",
        "--keepalive-interval", keepalive, "--keepalive-timeout", "1s"])
    server = next(servers)
    direct = Client(server.addr, timeout=10)
    session_id = direct.create_session(project).session_id
    # The follower pings nothing itself: only the server can find out.
    relay = Relay(server.addr)
    follower = Client(relay.addr, timeout=10, keepalive=0)
    stop = threading.Event()
    first = threading.Event()

    def follow() -> None:
        try:
            for _ in follower.events(session_id, stop=stop):
                first.set()
        except Exception:  # noqa: BLE001 - the stream ends as it may
            pass
    threading.Thread(target=follow, daemon=True).start()
    try:
        assert first.wait(20)
        assert not can_open_a_stream(direct, session_id)  # the follower's slot is taken
        relay.freeze()
        if keepalive == "1s":
            # Within the ping, its timeout and the stream's end.
            started = time.monotonic()
            wait_for(lambda: can_open_a_stream(direct, session_id), timeout=15)
            assert time.monotonic() - started < 10
            ended = [e for e in server.log_lines() if e.get("msg") == "rpc"
                     and e["method"].endswith("/StreamEventBatches") and e["code"] != 0]
            assert ended, "the silent follower's stream was not logged as ended"
        else:  # without keepalive the slot stays taken
            time.sleep(4)
            assert not can_open_a_stream(direct, session_id)
    finally:
        stop.set()
        follower.close()
        relay.close()
        direct.close()
        next(servers, None)  # stops it
