"""An MCP server's question (MCP `elicitation/create`) reaches a person and
their answer goes back typed, end to end: the real, pinned codex on the
scripted model calls the `file_ticket` tool of tests/mcp_server (a tiny
stdio MCP server), which asks for a form; Codex forwards it as
`mcpServer/elicitation/request`; it is answered from the CLI and from the
SDK."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, Server
from cm_testing import (CODEX_BIN, MockModel, add_elicit_server, codex_home_dir, make_server,
                        write_codex_home)

from codex_manager import ApprovalKind, Client, Decision, EventType, SessionState, TurnState
from test_real_codex import create_session, pending_approval


@pytest.fixture
def mcp_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    with codex_home_dir() as home:
        add_elicit_server(write_codex_home(home, mock_model.port))
        yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def test_an_mcp_question_answered_from_the_cli(mcp_server: Server, project: Path) -> None:
    cli = Cli(mcp_server)
    session_id = create_session(cli, project)
    follow = cli.popen("turn", "start", session_id, "mcp: tickets file_ticket", "--follow")
    asked = pending_approval(cli, session_id)
    assert asked["kind"] == "APPROVAL_KIND_MCP_ELICITATION"
    assert asked["mcpServerName"] == "tickets"
    assert asked["reason"] == "Which priority should the ticket have?"
    listed = cli("approval", "list", "--session", session_id).stdout
    assert "tickets: Which priority should the ticket have?" in listed
    # A value outside the schema is refused and nothing is decided.
    bad = cli("approval", "answer", asked["approvalId"], "priority=urgent")
    assert bad.returncode == 2 and "answers[priority]" in bad.stderr, bad.stderr
    answered = cli("approval", "answer", asked["approvalId"], "priority=high", "count=3")
    assert answered.returncode == 0, answered.stderr
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    # The MCP server got the answers typed by its schema: count a number.
    assert 'ticket filed: action=accept count=3 priority="high"' in out
    # The call itself, its result and how it ended, as the CLI follows it.
    assert "tool tickets/file_ticket\n" in err
    assert re.search(r'  \| ticket filed: action=accept count=3 priority="high"\n'
                     r'  \[completed, \d+ ms\]', err), err


def test_an_mcp_question_answered_and_declined_from_the_sdk(mcp_server: Server,
                                                            project: Path) -> None:
    with Client(mcp_server.addr) as client:
        session = client.create_session(project, approval_policy="untrusted")
        client.wait_for_session(session.session_id, SessionState.IDLE)

        def answer(approval):  # type: ignore[no-untyped-def]
            assert approval.kind == ApprovalKind.MCP_ELICITATION
            assert Decision.APPROVE in approval.available_decisions
            client.answer(approval.approval_id, {"priority": "low"})
            return None

        turn = client.run_turn(session.session_id, "mcp: tickets file_ticket",
                               on_approval=answer)
        assert turn.state == TurnState.COMPLETED
        assert 'ticket filed: action=accept priority="low"' in turn.final_message

        turn = client.run_turn(session.session_id, "mcp: tickets file_ticket",
                               on_approval=lambda approval: Decision.DENY)
        assert "ticket not filed: action=decline" in turn.final_message
        # Each call is an item with its server, tool, arguments and result.
        calls = [e.proto.item for e in client.events(session.session_id, follow=False)
                 if e.type == EventType.ITEM_COMPLETED and e.proto.item.item_type == "mcpToolCall"]
        assert [(c.mcp_server, c.tool, c.arguments, c.status) for c in calls] == [
            ("tickets", "file_ticket", "{}", "completed")] * 2
        assert [c.tool_output for c in calls] == [
            'ticket filed: action=accept priority="low"', "ticket not filed: action=decline"]
        assert all(c.HasField("duration_ms") for c in calls)
