"""A session's and a turn's settings, with the real, pinned codex on the
scripted model, whose `tier?` and `effort?` say what the model request
carried.

The service tier: `priority` (Codex's Fast mode) or `default` (standard
speed), set for the session (UpdateSession) or one turn (StartTurn),
reaches the request as its `service_tier`, and the models Codex lists say
which tiers they offer. A turn's settings are for that turn: Codex keeps a
turn's overrides for the turns after it, and a thread whose effort was
never set (the model's default) cannot be told "none", so the server sends
the model's default effort, and the tier `default`, again."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import CLI_BIN, Cli, Server

from codex_manager import Client, EventType, InvalidArgumentError, SessionState, TurnState


def reply(client: Client, session_id: str, prompt: str, **turn: str) -> str:
    """Runs `prompt` as a turn of the session (`turn`: its settings); the
    agent's reply."""
    finished = client.run_turn(session_id, prompt, **turn)
    assert finished.state == TurnState.COMPLETED, finished.error
    return finished.final_message


def test_a_session_and_a_turn_choose_their_service_tier(server: Server, project: Path) -> None:
    with Client(server.addr) as client:
        listed = client.list_models()
        fast = [m for m in listed if m.model == "gpt-5.5"][0]
        assert [(t.id, t.name) for t in fast.service_tiers] == [("priority", "Fast")]
        # The one Codex's configuration names (config/read), not Codex's
        # own default (is_default), which it overrides.
        assert [m.model for m in listed if m.configured] == ["gpt-5.5"]
        assert not fast.is_default
        sid = client.create_session(project, approval_policy="never").session_id
        client.wait_for_session(sid, SessionState.IDLE)
        assert reply(client, sid, "tier?") == "Service tier: standard."
        # A turn's tier is for that turn: Codex would keep it for the next.
        assert reply(client, sid, "tier?", service_tier="priority") == "Service tier: priority."
        assert reply(client, sid, "tier?") == "Service tier: standard."

        updated = client.update_session(sid, service_tier="priority")
        assert updated.service_tier == "priority"
        assert reply(client, sid, "tier?") == "Service tier: priority."
        # One turn at standard speed; the next is the session's again.
        assert reply(client, sid, "tier?", service_tier="default") == "Service tier: standard."
        assert reply(client, sid, "tier?") == "Service tier: priority."
        # Kept by a restart of its Codex.
        client.stop_session(sid)
        client.wait_for_session(sid, SessionState.STOPPED)
        assert reply(client, sid, "tier?") == "Service tier: priority."

        with pytest.raises(InvalidArgumentError, match="service_tier"):
            client.update_session(sid, service_tier="fast lane")
        with pytest.raises(InvalidArgumentError, match="service_tier"):
            client.start_turn(sid, "tier?", service_tier="a/b")
        back = client.update_session(sid, service_tier="")
        assert back.service_tier == ""
        changes = [e.proto.session_updated for e in client.events(sid, follow=False)
                   if e.type == EventType.SESSION_UPDATED]
        assert [(list(c.changed_fields), c.service_tier) for c in changes] == [
            (["service_tier"], "priority"), (["service_tier"], "")]
        markdown = b"".join(client.export_transcript(sid, format="markdown")).decode()
        assert "**Settings changed** (" in markdown
        assert "): service tier `priority`\n" in markdown  # UpdateSession
        assert "): service tier default\n" in markdown  # back to the thread's own
        # What Codex ran a priority turn with (CODEX_SETTINGS_CHANGED).
        assert "read-only`, service tier `priority`\n" in markdown


def test_the_cli_sets_and_shows_a_service_tier(cli: Cli, project: Path) -> None:
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--approval-policy", "never")["sessionId"]
    updated = cli("session", "update", session_id, "--service-tier", "priority",
                  "--effort", "high")
    assert updated.returncode == 0, updated.stderr
    shown = cli("session", "show", session_id).stdout
    assert "effort:            high\nservice_tier:      priority\n" in shown, shown
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
    # DEFAULT is the model a session that names none runs: the one the
    # configuration names (Model.configured), over Codex's own default.
    assert row.split()[1] == "yes"
    assert [line.split()[0] for line in models.stdout.splitlines()[1:]
            if line.split()[1] == "yes"] == ["gpt-5.5"]


def test_a_turns_effort_does_not_stick(server: Server, project: Path) -> None:
    with Client(server.addr) as client:
        default = [m for m in client.list_models() if m.model == "gpt-5.5"][0].default_effort
        assert default == "medium"
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        sid = session.session_id
        assert reply(client, sid, "effort?") == "Effort: medium."
        high = client.start_turn(sid, "effort?", effort="high")
        assert client.run_turn(sid, "effort?").final_message == "Effort: medium."
        assert client.get_turn(high.turn_id).final_message == "Effort: high."
        # The session's effort, then back to Codex's default.
        client.update_session(sid, effort="low")
        assert reply(client, sid, "effort?") == "Effort: low."
        client.update_session(sid, effort="")
        assert reply(client, sid, "effort?") == "Effort: medium."  # known: not asked again


def test_completion_offers_the_models_and_their_efforts_and_tiers(server: Server,
                                                                  project: Path) -> None:
    def offered(*words: str) -> list[list[str]]:
        """What `codex-manager __complete` offers for the last word."""
        result = subprocess.run([str(CLI_BIN), "__complete", "--addr", server.addr, *words],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        return [line.split("\t") for line in result.stdout.splitlines()]

    with Client(server.addr) as client:
        sid = client.create_session(project, approval_policy="never").session_id
        client.wait_for_session(sid, SessionState.IDLE)
    assert ["gpt-5.5", "GPT-5.5"] in offered("session", "update", sid, "--model", "gpt-5.")
    # The session runs the configuration's gpt-5.5: its efforts, and its
    # speeds (standard, and its tiers by name).
    assert offered("turn", "start", sid, "--effort", "") == [
        ["low"], ["medium", "the model's default"], ["high"], ["xhigh"]]
    assert offered("session", "update", sid, "--service-tier", "") == [
        ["default", "standard speed"], ["priority", "Fast: 1.5x speed, increased usage"]]
    # No model named: those of the model a new session runs, the one
    # Codex's configuration names (gpt-5.5), not Codex's own default.
    assert offered("run", "--effort", "") == [
        ["low"], ["medium", "the model's default"], ["high"], ["xhigh"]]
    # A model named on the line: its efforts, which go past xhigh.
    assert offered("turn", "start", sid, "--model", "gpt-6-sol", "--effort", "m") == [
        ["medium", "the model's default"], ["max"]]


def test_a_session_is_created_with_its_effort_and_tier(server: Server, cli: Cli,
                                                       project: Path) -> None:
    with Client(server.addr) as client:
        sid = client.create_session(project, approval_policy="never", effort="high",
                                    service_tier="priority").session_id
        made = client.wait_for_session(sid, SessionState.IDLE)
        assert (made.effort, made.service_tier) == ("high", "priority")
        assert reply(client, sid, "effort?") == "Effort: high."
        assert reply(client, sid, "tier?") == "Service tier: priority."
        with pytest.raises(InvalidArgumentError, match="effort"):
            client.create_session(project, effort="Very High")
        with pytest.raises(InvalidArgumentError, match="service_tier"):
            client.create_session(project, service_tier="fast lane")
    # `run` takes them too.
    ran = cli("run", "--cwd", str(project), "--approval-policy", "never", "--effort", "low",
              "--service-tier", "priority", "effort?")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "Effort: low."
    newest = cli.json("session", "list")["sessions"][0]
    assert (newest["effort"], newest["serviceTier"]) == ("low", "priority")
