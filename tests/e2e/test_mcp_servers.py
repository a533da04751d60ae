"""ListMcpServers: the MCP servers of Codex's config with the tools each
offers and the session's connection to each (Codex
`mcpServerStatus/list`), end to end with the real, pinned codex and
tests/mcp_server: in the live thread, and through a short-lived Codex once
the session is stopped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cm_testing import (CODEX_BIN, MockModel, add_elicit_server, codex_home_dir, make_server,
                        write_codex_home)
from conftest import Cli, Server, wait_for
from test_real_codex import create_session

from codex_manager import Client, NotFoundError, SessionState


@pytest.fixture
def mcp_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    """Codex configured with a working server (tickets), one whose command
    does not exist and one disabled."""
    with codex_home_dir() as home:
        add_elicit_server(write_codex_home(home, mock_model.port))
        with open(home / "config.toml", "a") as config:
            config.write('\n[mcp_servers.broken]\ncommand = "/nonexistent/mcp-server"\n'
                         '\n[mcp_servers.off]\ncommand = "/bin/true"\nenabled = false\n')
        yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def test_a_live_sessions_mcp_servers_and_their_tools(mcp_server: Server, project: Path) -> None:
    cli = Cli(mcp_server)
    session_id = create_session(cli, project, policy="never")
    # The thread connects to its servers as it starts: wait for tickets.
    def connected() -> dict | None:
        servers = {s["name"]: s for s in cli.json("session", "mcp", session_id)["servers"]}
        return servers if servers["tickets"]["connection"] == "connected" else None
    servers = wait_for(connected)
    assert list(servers) == ["broken", "off", "tickets"], servers
    assert servers["tickets"]["title"] == "tickets" and servers["tickets"]["version"] == "1.0.0"
    assert servers["tickets"]["authStatus"] == "unsupported"
    assert servers["tickets"]["tools"] == [{
        "name": "file_ticket", "title": "",
        "description": "Files a ticket; asks the user for its priority."}]
    assert servers["broken"]["connection"] == "failed"
    assert "No such file or directory" in servers["broken"]["error"], servers["broken"]
    assert servers["off"]["connection"] == "disabled" and servers["off"]["tools"] == []

    text = cli("session", "mcp", session_id)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[lines.index("tickets  connected  (tickets 1.0.0)") + 1] == (
        "  file_ticket  Files a ticket; asks the user for its priority."), lines
    assert lines[lines.index("broken  failed") + 1].startswith("  error: MCP startup failed"), lines
    assert "off  disabled" in lines, lines
    missing = cli("session", "mcp", "ses_nope")
    assert missing.returncode == 4 and "ses_nope" in missing.stderr, missing.stderr


def test_a_stopped_sessions_mcp_servers_are_listed_too(mcp_server: Server,
                                                       project: Path) -> None:
    with Client(mcp_server.addr) as client:
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        client.stop_session(session.session_id)
        servers = {s.name: s for s in client.list_mcp_servers(session.session_id)}
        # A short-lived Codex started the enabled servers to list their
        # tools; no thread, so no connection to say.
        assert [t.name for t in servers["tickets"].tools] == ["file_ticket"]
        assert {s.connection for s in servers.values()} == {""}
        assert "No such file or directory" in servers["broken"].error
        assert client.get_session(session.session_id).state == SessionState.STOPPED
        with pytest.raises(NotFoundError, match="ses_nope"):
            client.list_mcp_servers("ses_nope")
