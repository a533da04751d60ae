"""The extension-agent framework: handlers, durable cursors, restarts."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import Server, ready_session, wait_for

from codex_manager import Client, EventType, TurnState
from codex_manager.extensions import Agent, FileCursor, MemoryCursor


def test_file_cursor_round_trips_atomically(tmp_path: Path) -> None:
    cursor = FileCursor(tmp_path / "sub" / "agent.cursor")
    assert cursor.load() == 0
    cursor.save(42)
    assert FileCursor(tmp_path / "sub" / "agent.cursor").load() == 42
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["agent.cursor"]  # no temp left


def test_agent_handles_in_order_and_a_restart_continues(fake_server: Server, project: Path,
                                                         tmp_path: Path) -> None:
    client = Client(fake_server.addr)
    session_id = ready_session(client, project)
    turn = client.start_turn(session_id, "hello")
    wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    cursor_path = tmp_path / "agent.cursor"

    seen: list[int] = []
    finished: list[str] = []
    agent = Agent(client, cursor=cursor_path)
    agent.on_event(lambda e: seen.append(e.event_id))

    @agent.on_turn_finished
    def on_finished(change, event) -> None:
        finished.append(change.turn_id)

    agent.run(follow=False)
    all_ids = [e.event_id for e in client.events(follow=False)]
    assert seen == all_ids
    assert finished == [turn.turn_id]
    assert FileCursor(cursor_path).load() == all_ids[-1]

    # New events; a fresh agent on the same cursor sees only those.
    turn2 = client.start_turn(session_id, "again")
    wait_for(lambda: client.get_turn(turn2.turn_id).state == TurnState.COMPLETED)
    seen2: list[int] = []
    again = Agent(client, cursor=cursor_path)
    again.on_event(lambda e: seen2.append(e.event_id))
    again.run(follow=False)
    assert seen2 == [e.event_id for e in client.events(after=all_ids[-1], follow=False)]
    assert seen2 and seen2[0] > all_ids[-1]
    client.close()


def test_a_failing_handler_keeps_the_event_for_the_next_run(fake_server: Server,
                                                             project: Path) -> None:
    client = Client(fake_server.addr)
    session_id = ready_session(client, project)
    cursor = MemoryCursor()
    agent = Agent(client, cursor=cursor, session_id=session_id)

    @agent.on(EventType.SESSION_STATE_CHANGED)
    def boom(event) -> None:
        if event.session_seq == 2:
            raise RuntimeError("handler bug")

    with pytest.raises(RuntimeError):
        agent.run(follow=False)
    assert cursor.load() == 1  # event 2 not acknowledged
    retried: list[int] = []
    fixed = Agent(client, cursor=cursor, session_id=session_id)
    fixed.on_event(lambda e: retried.append(e.session_seq))
    fixed.run(follow=False)
    assert retried[0] == 2
    client.close()


def test_agent_follows_live_and_stops_from_another_thread(fake_server: Server,
                                                          project: Path) -> None:
    client = Client(fake_server.addr)
    session_id = ready_session(client, project)
    agent = Agent(client, session_id=session_id)
    deltas: list[str] = []
    agent.on(EventType.AGENT_MESSAGE_DELTA)(lambda e: deltas.append(e.delta.text))
    runner = threading.Thread(target=agent.run, daemon=True)
    runner.start()
    try:
        client.start_turn(session_id, "live one")
        wait_for(lambda: "".join(deltas) == "fake: live one")
    finally:
        agent.stop()
        runner.join(timeout=5)
    assert not runner.is_alive()
    client.close()
