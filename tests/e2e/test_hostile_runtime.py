"""A runtime that writes hostile output (tests/fake_codex prompts `hostile`,
`flood`, `bad-stderr`) while another session runs normally: the server stays
up, the other session's turn completes, every bad line becomes a warning
event, a runtime that writes nothing usable fails its session with a
readable error, an oversize event is stored cut down, and every string the
API returns is valid UTF-8 (the Python protobuf runtime refuses anything
else when it decodes a message)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

from codex_manager import Client, EventType, SessionState, TurnState
from conftest import Server, make_server

MAX_MESSAGE_BYTES = 131072
MAX_LINE_BYTES = 1 << 20


@pytest.fixture
def hostile_server(tmp_path: Path) -> Iterator[Server]:
    from cm_testing import FAKE_CODEX
    yield from make_server(tmp_path, [
        "--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms",
        "--max-message-bytes", str(MAX_MESSAGE_BYTES),
        "--max-runtime-line-bytes", str(MAX_LINE_BYTES)])


def idle_session(client: Client, cwd: Path) -> str:
    cwd.mkdir(exist_ok=True)
    session = client.create_session(str(cwd))
    client.wait_for_session(session.session_id, SessionState.IDLE)
    return session.session_id


def test_hostile_lines_become_warnings_and_the_server_stays_up(hostile_server: Server,
                                                              tmp_path: Path) -> None:
    with Client(hostile_server.addr) as client:
        calm = idle_session(client, tmp_path / "calm")
        hostile = idle_session(client, tmp_path / "hostile")
        # The calm session streams while the hostile one misbehaves.
        calm_turn: list[object] = []
        runner = threading.Thread(
            target=lambda: calm_turn.append(client.run_turn(calm, "slow")), daemon=True)
        runner.start()
        turn = client.run_turn(hostile, "hostile")
        assert turn.state == TurnState.COMPLETED, turn.error
        runner.join(timeout=60)
        assert calm_turn and calm_turn[0].state == TurnState.COMPLETED  # type: ignore[attr-defined]

        events = list(client.events(hostile, follow=False))
        warnings = [e.notice.message for e in events if e.type == EventType.WARNING]
        for problem in ("nested deeper than 128 levels", f"longer than {MAX_LINE_BYTES} bytes",
                        "not JSON", "neither a request, a notification nor a response"):
            assert any(problem in w for w in warnings), (problem, warnings)
        # The 300 KB command output was stored cut down to fit a message.
        big = [e for e in events if e.item.item_id == "call_big"]
        assert len(big) == 1 and big[0].original_payload_bytes > 300000
        assert big[0].proto.ByteSize() < MAX_MESSAGE_BYTES
        # The mistyped turn/completed lines did not end the turn early: the
        # turn ended once, with the fake's own reply.
        ends = [e for e in events if e.type == EventType.TURN_STATE_CHANGED
                and e.turn_state_changed.state == TurnState.COMPLETED]
        assert len(ends) == 1 and "fake: hostile" in ends[0].turn_state_changed.final_message
        assert client.health()


def test_a_runtime_that_writes_only_garbage_fails_its_session(hostile_server: Server,
                                                             tmp_path: Path) -> None:
    with Client(hostile_server.addr) as client:
        session_id = idle_session(client, tmp_path / "flood")
        client.start_turn(session_id, "flood")
        session = client.wait_for_session(session_id, SessionState.FAILED)
        assert "unusable lines in a row" in session.last_error
        turn = next(iter(client.list_turns(session_id)))
        assert turn.state == TurnState.FAILED and "unusable lines" in turn.error
        # Another session is unaffected.
        other = idle_session(client, tmp_path / "other")
        assert client.run_turn(other, "hello").state == TurnState.COMPLETED


def test_invalid_utf8_on_stderr_reaches_clients_as_valid_text(hostile_server: Server,
                                                              tmp_path: Path) -> None:
    with Client(hostile_server.addr) as client:
        session_id = idle_session(client, tmp_path / "stderr")
        turn = client.run_turn(session_id, "bad-stderr")
        # Decoding these messages at all proves the text is valid UTF-8.
        assert turn.state == TurnState.FAILED
        assert "\ufffd" in turn.error and "\u00e9" in turn.error
        session = client.get_session(session_id)
        assert "\u00e9" in session.last_error
        errors = [e.notice.message for e in client.events(session_id, follow=False)
                  if e.type == EventType.ERROR]
        assert errors and "\u00e9" in errors[-1]
