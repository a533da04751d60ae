"""Sub-agents, with the real, pinned codex: under `[features] multi_agent_v2`
the agent's `spawn_agent` tool runs a helper agent in a thread of its own,
whose notifications name that thread. Its items, output and approval
requests reach clients in the running turn, marked as its (Event.sub_agent);
its turns, thread status, token usage and settings arrive as RAW events and
change nothing of the session; the turn's answer stays the session's agent's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, Server, wait_for
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, write_codex_home

from codex_manager import Client, Decision, EventType, SessionState, TurnState


@pytest.fixture
def agents_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    with codex_home_dir() as home:
        write_codex_home(home, mock_model.port, features=("multi_agent_v2",))
        yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def test_a_sub_agents_work_reaches_clients_marked_as_its(agents_server: Server,
                                                         project: Path) -> None:
    asked = []

    def on_approval(approval):  # the helper's command, put to a person
        asked.append((approval.command, approval.sub_agent.path))
        return Decision.APPROVE

    with Client(agents_server.addr) as client:
        session = client.create_session(project, approval_policy="untrusted")
        ready = client.wait_for_session(session.session_id, SessionState.IDLE)
        turn = client.run_turn(session.session_id, "spawn: run: echo helper-was-here",
                               on_approval=on_approval)
        assert turn.state == TurnState.COMPLETED
        assert turn.final_message == "Helper finished."  # not the helper's reply
        events = list(client.events(session.session_id, follow=False))
        after = client.get_session(session.session_id)
        decided = list(client.list_approvals(session.session_id, include_resolved=True))
    # Its command was put to a person, naming the helper, approved, and ran.
    assert len(asked) == 1 and "echo helper-was-here" in asked[0][0]
    assert asked[0][1] == "/root/helper"
    # The approval keeps who asked: listed later, and in the CLI's list.
    assert [(a.sub_agent.path, a.sub_agent.thread_id != "") for a in decided] == [
        ("/root/helper", True)]
    listed = Cli(agents_server)("approval", "list", "--all", "--session", session.session_id)
    assert "APPROVED  [helper] " in listed.stdout and "helper-was-here" in listed.stdout, \
        listed.stdout
    # The session's thread and settings are its own agent's.
    assert after.thread_id == ready.thread_id
    assert after.codex_settings.approval_policy == "untrusted"

    helper = [e for e in events if e.proto.HasField("sub_agent")]
    assert helper, [e.type for e in events]
    thread_ids = {e.proto.sub_agent.thread_id for e in helper}
    assert len(thread_ids) == 1 and ready.thread_id not in thread_ids
    assert all(e.proto.turn_id == turn.turn_id for e in helper)
    typed = [e for e in helper if e.type != EventType.RAW]
    assert {e.proto.sub_agent.path for e in typed} == {"/root/helper"}
    kinds = {(e.type, e.proto.item.item_type) for e in typed}
    ran = [e.proto.item for e in typed if e.type == EventType.ITEM_COMPLETED
           and e.proto.item.item_type == "commandExecution"]
    assert len(ran) == 1 and "helper-was-here" in ran[0].aggregated_output, ran
    assert (EventType.ITEM_COMPLETED, "agentMessage") in kinds
    assert any(e.type == EventType.APPROVAL_REQUESTED for e in typed)
    # Its turns, status and usage are its thread's: RAW, never the
    # session's own events.
    raw = {e.proto.raw.method for e in helper if e.type == EventType.RAW}
    assert {"turn/started", "turn/completed", "thread/status/changed"} <= raw, raw
    assert not any(e.type in (EventType.TURN_STATE_CHANGED, EventType.THREAD_STATUS_CHANGED,
                              EventType.TOKEN_USAGE, EventType.CODEX_SETTINGS_CHANGED)
                   for e in helper)
    # The session's agent says when the helper started and ended.
    activity = [e.proto.item.item_json for e in events
                if e.type == EventType.ITEM_COMPLETED
                and e.proto.item.item_type == "subAgentActivity"]
    assert any('"kind":"started"' in a for a in activity)
    assert any('"kind":"completed"' in a for a in activity)


def test_the_cli_and_the_export_say_which_agent_did_what(agents_server: Server,
                                                         project: Path) -> None:
    cli = Cli(agents_server)
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--approval-policy", "never")["sessionId"]
    followed = cli("turn", "start", session_id, "spawn: run: echo from-helper", "--follow")
    assert followed.returncode == 0, followed.stderr
    # stdout is the session's agent's answer; the helper's is on stderr.
    assert followed.stdout == "Helper finished.\n", followed.stdout
    err = followed.stderr
    assert "sub-agent helper started (gpt-5.5)\n" in err, err
    assert "[helper] $ /bin/bash -lc 'echo from-helper'\n" in err, err
    assert "[helper] codex: Command output: from-helper\n" in err, err
    assert err.index("sub-agent helper started") < err.index("[helper] $") < err.index(
        "sub-agent helper completed"), err

    transcript = cli("events", session_id).stdout
    assert "  [helper] codex: Command output: from-helper\n" in transcript, transcript
    assert "  codex: Helper finished.\n" in transcript, transcript
    raw = cli("events", session_id, "--raw").stdout
    assert "[helper] commandExecution /bin/bash -lc 'echo from-helper'" in raw, raw

    markdown = cli("export", session_id, "--format", "markdown").stdout
    assert "*Sub-agent helper started (gpt-5.5).*" in markdown, markdown
    assert "**Sub-agent `helper`:**\n\nCommand output: from-helper\n" in markdown, markdown
    assert "*Sub-agent `helper`:*\n\n<details>\n<summary>Command <code>" in markdown, markdown
    assert markdown.index("Command output: from-helper") < markdown.index(
        "**Codex:**\n\nHelper finished.")


def test_interrupting_the_turn_stops_its_sub_agent(agents_server: Server, project: Path) -> None:
    """Codex goes on with a sub-agent whose spawner's turn was interrupted;
    InterruptTurn interrupts the sub-agent's turn too."""
    words = " ".join(f"w{i}" for i in range(60))
    with Client(agents_server.addr) as client:
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        turn = client.start_turn(session.session_id, f"spawn: slow: 200 {words}")
        for event in client.events(session.session_id):
            if event.has("sub_agent") and event.type == EventType.AGENT_MESSAGE_DELTA:
                break  # the helper is talking
        client.interrupt_turn(session.session_id, turn.turn_id)
        wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.INTERRUPTED,
                 timeout=30)

        def helper_ended() -> list:
            events = list(client.events(session.session_id, follow=False))
            done = [e for e in events if e.has("sub_agent") and e.type == EventType.RAW
                    and e.proto.raw.method == "turn/completed"]
            return events if done else []
        events = wait_for(helper_ended, timeout=30)
    # It stopped well before its 60 words (200 ms apart: 12 s).
    said = [e for e in events if e.has("sub_agent") and e.type == EventType.AGENT_MESSAGE_DELTA]
    assert 0 < len(said) < 40, len(said)
