"""Killing and restarting the server in the middle of client.events(...)
yields every event exactly once, in order, across the restart."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
from conftest import Server, ready_session, wait_for

from codex_manager import Client, SessionState, TurnState, UnavailableError


def answers(client: Client, session_id: str) -> bool:
    """True once the restarted server answers on this client's channel; until
    the channel's reconnect backoff ends, calls fail fast with UNAVAILABLE."""
    try:
        client.get_session(session_id)
    except UnavailableError:
        return False
    return True


@pytest.mark.parametrize("per_session", [True, False])
def test_events_survive_a_server_kill_and_restart(fake_server: Server, project: Path,
                                                  per_session: bool) -> None:
    client = Client(fake_server.addr, timeout=5)
    session_id = ready_session(client, project)
    first = client.start_turn(session_id, "burst 300")
    wait_for(lambda: client.get_turn(first.turn_id).state == TurnState.COMPLETED)

    got: list = []
    stop = threading.Event()

    def consume() -> None:
        for event in client.events(session_id if per_session else None, stop=stop):
            got.append(event)
    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    try:
        wait_for(lambda: len(got) > 50)

        fake_server.stop(signal.SIGKILL)   # mid-stream, no goodbye
        fake_server.start()                # same port and data; recovery adds events
        wait_for(lambda: answers(client, session_id), timeout=10)
        client.wait_for_session(session_id, SessionState.STOPPED)
        client.resume_session(session_id)
        client.wait_for_session(session_id, SessionState.IDLE)
        second = client.start_turn(session_id, "burst 200")
        wait_for(lambda: client.get_turn(second.turn_id).state == TurnState.COMPLETED)

        replay = list(client.events(session_id if per_session else None, follow=False))
        wait_for(lambda: len(got) >= len(replay), timeout=30)
    finally:
        stop.set()  # the consumer thread must end even when the test fails
        consumer.join(timeout=10)
    assert not consumer.is_alive()

    assert [e.event_id for e in got] == [e.event_id for e in replay]
    assert got == replay  # same events, field for field
    if per_session:
        assert [e.session_seq for e in got] == list(range(1, len(got) + 1))
    client.close()
