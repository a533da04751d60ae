"""A turn's settings are for that turn, with the real, pinned codex on the
scripted model (its `effort?` says the reasoning effort the request
carried). Codex keeps a turn's overrides for the turns after it, and a
thread whose effort was never set (the model's default) cannot be told
"none": the server sends the model's default effort again."""

from __future__ import annotations

from pathlib import Path

from conftest import Server

from codex_manager import Client, SessionState, TurnState


def effort_of(client: Client, session_id: str, **turn: str) -> str:
    finished = client.run_turn(session_id, "effort?", **turn)
    assert finished.state == TurnState.COMPLETED, finished.error
    return finished.final_message


def test_a_turns_effort_does_not_stick(server: Server, project: Path) -> None:
    with Client(server.addr) as client:
        default = [m for m in client.list_models() if m.model == "gpt-5.5"][0].default_effort
        assert default == "medium"
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        sid = session.session_id
        assert effort_of(client, sid) == "Effort: medium."
        high = client.start_turn(sid, "effort?", effort="high")
        assert client.run_turn(sid, "effort?").final_message == "Effort: medium."
        assert client.get_turn(high.turn_id).final_message == "Effort: high."
        # The session's effort, then back to Codex's default.
        client.update_session(sid, effort="low")
        assert effort_of(client, sid) == "Effort: low."
        client.update_session(sid, effort="")
        assert effort_of(client, sid) == "Effort: medium."
