"""A session's service tier, with the real, pinned codex on the scripted
model: `priority` (Codex's Fast mode) or `default` (standard speed), set
for the session (UpdateSession) or one turn (StartTurn), reaches the
model request as its `service_tier` (the mock model's `tier?` says what
it got), and the models Codex lists say which tiers they offer."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, Server

from codex_manager import Client, EventType, InvalidArgumentError, SessionState, TurnState

import pytest


def tier_of(client: Client, session_id: str, **turn: str) -> str:
    finished = client.run_turn(session_id, "tier?", **turn)
    assert finished.state == TurnState.COMPLETED, finished.error
    return finished.final_message


def test_a_session_and_a_turn_choose_their_service_tier(server: Server, project: Path) -> None:
    with Client(server.addr) as client:
        fast = [m for m in client.list_models() if m.model == "gpt-5.5"][0]
        assert [(t.id, t.name) for t in fast.service_tiers] == [("priority", "Fast")]
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        assert tier_of(client, session.session_id) == "Service tier: standard."
        # A turn's tier is for that turn: Codex would keep it for the next.
        assert tier_of(client, session.session_id,
                       service_tier="priority") == "Service tier: priority."
        assert tier_of(client, session.session_id) == "Service tier: standard."

        updated = client.update_session(session.session_id, service_tier="priority")
        assert updated.service_tier == "priority"
        assert tier_of(client, session.session_id) == "Service tier: priority."
        # One turn at standard speed; the next is the session's again.
        assert tier_of(client, session.session_id,
                       service_tier="default") == "Service tier: standard."
        assert tier_of(client, session.session_id) == "Service tier: priority."
        # Kept by a restart of its Codex.
        client.stop_session(session.session_id)
        client.wait_for_session(session.session_id, SessionState.STOPPED)
        assert tier_of(client, session.session_id) == "Service tier: priority."

        with pytest.raises(InvalidArgumentError, match="service_tier"):
            client.update_session(session.session_id, service_tier="fast lane")
        with pytest.raises(InvalidArgumentError, match="service_tier"):
            client.start_turn(session.session_id, "tier?", service_tier="a/b")
        back = client.update_session(session.session_id, service_tier="")
        assert back.service_tier == ""
        changes = [e.proto.session_updated for e in client.events(session.session_id, follow=False)
                   if e.type == EventType.SESSION_UPDATED]
        assert [(list(c.changed_fields), c.service_tier) for c in changes] == [
            (["service_tier"], "priority"), (["service_tier"], "")]
        markdown = b"".join(client.export_transcript(session.session_id,
                                                     format="markdown")).decode()
        assert "**Settings changed** (" in markdown
        assert "): service tier `priority`\n" in markdown  # UpdateSession
        assert "): service tier default\n" in markdown  # back to the thread's own
        # What Codex ran a priority turn with (CODEX_SETTINGS_CHANGED).
        assert "read-only`, service tier `priority`\n" in markdown


def test_the_cli_sets_and_shows_a_service_tier(cli: Cli, project: Path) -> None:
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--approval-policy", "never")["sessionId"]
    updated = cli("session", "update", session_id, "--service-tier", "priority")
    assert updated.returncode == 0, updated.stderr
    assert "service_tier:      priority\n" in cli("session", "show", session_id).stdout
    followed = cli("turn", "start", session_id, "tier?", "--follow")
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout.strip() == "Service tier: priority."
    one = cli("turn", "start", session_id, "tier?", "--follow", "--service-tier", "default")
    assert one.stdout.strip() == "Service tier: standard."
    models = cli("codex", "models")
    header = models.stdout.splitlines()[0].split()
    assert header == ["MODEL", "DEFAULT", "EFFORTS", "TIERS", "DESCRIPTION"]
    row = next(line for line in models.stdout.splitlines() if line.startswith("gpt-5.5 "))
    assert "priority" in row.split()
