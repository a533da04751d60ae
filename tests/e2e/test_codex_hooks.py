"""Codex hooks, with the real, pinned codex: a hook Codex will not run is
said; hooks are listed and trusted through the API (CLI and SDK) as Codex's
own /hooks review does; and the runs of trusted ones (a PreToolUse hook
that blocks a command, a Stop hook that sends the agent on) reach every
client typed (HOOK_RUN events and the hookPrompt item)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from conftest import Cli, Server, wait_for
from cm_testing import (CODEX_BIN, MockModel, add_guard_hooks, codex_home_dir, make_server,
                        write_codex_home)

from codex_manager import (Client, EventType, FailedPreconditionError, InvalidArgumentError,
                           NotFoundError)
from codex_manager.v1 import codex_pb2
from codex_manager.v1.views import CodexHook
from test_real_codex import create_session


@pytest.fixture
def hooks_home(mock_model: MockModel) -> Iterator[Path]:
    with codex_home_dir() as home:
        yield add_guard_hooks(write_codex_home(home, mock_model.port))


@pytest.fixture
def hooks_server(tmp_path: Path, hooks_home: Path) -> Iterator[Server]:
    yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN),
                                      "--codex-home", str(hooks_home)])


def hook_warnings(cli: Cli, session_id: str) -> list[dict]:
    return [e["notice"] for e in cli.lines("events", session_id)
            if e["type"] == "EVENT_TYPE_WARNING" and "hook" in e["notice"]["message"]]


def test_hooks_codex_skips_are_said_and_trusted_ones_run_typed(
        hooks_server: Server, hooks_home: Path, project: Path, tmp_path: Path) -> None:
    cli = Cli(hooks_server)
    # Untrusted, Codex skips both hooks without a word: the session says so.
    untrusted = create_session(cli, project, policy="never")
    warnings = wait_for(lambda: hook_warnings(cli, untrusted))
    assert warnings[0]["message"].startswith("Codex skips 2 hooks it was not told to trust")
    assert "/hooks" in warnings[0]["message"]
    details = warnings[0]["details"]
    assert "preToolUse hook in" in details and "stop hook in" in details
    assert "config.toml" in details and "guard.py" not in details  # never a command
    assert "not trusted" in details

    # Listed with their trust, through the CLI and the SDK.
    listed = cli("codex", "hooks")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[:2] for line in listed.stdout.splitlines()
            if line.startswith("untrusted")] == [["untrusted", "preToolUse"],
                                                  ["untrusted", "stop"]], listed.stdout
    assert "preToolUse" in listed.stdout and "guard.py" in listed.stdout
    assert "codex-manager codex hooks trust" in listed.stdout
    with Client(hooks_server.addr) as client:
        hooks = client.list_codex_hooks(cwd=project)
        assert [(h.event_name, h.trust_status) for h in hooks.skipped] == [
            ("preToolUse", "untrusted"), ("stop", "untrusted")]
        pre = hooks.skipped[0]
        assert pre.key.endswith("config.toml:pre_tool_use:0:0") and pre.command.endswith("guard.py")
        # Only a hook as it was reviewed is trusted; nothing is written otherwise.
        changed = CodexHook(codex_pb2.CodexHook(key=pre.key, current_hash="sha256:" + "0" * 64))
        with pytest.raises(FailedPreconditionError, match="changed since it was listed"):
            client.trust_codex_hooks([changed])
        unknown = CodexHook(codex_pb2.CodexHook(key="/nowhere.toml:stop:0:0",
                                                current_hash=pre.current_hash))
        with pytest.raises(NotFoundError, match="/nowhere.toml:stop:0:0"):
            client.trust_codex_hooks([pre, unknown])
        with pytest.raises(InvalidArgumentError, match=r"hooks\[0\].current_hash"):
            client.trust_codex_hooks([CodexHook(codex_pb2.CodexHook(key=pre.key,
                                                                   current_hash="x"))])
        assert len(client.list_codex_hooks().skipped) == 2
        # The SDK trusts one, the CLI the rest.
        after = client.trust_codex_hooks([pre])
        assert [h.trust_status for h in after if h.key == pre.key] == ["trusted"]
    trusted = cli("codex", "hooks", "trust", "--all-untrusted")
    assert trusted.returncode == 0, trusted.stderr
    assert trusted.stdout.startswith("trusted    stop"), trusted.stdout
    assert "untrusted" not in cli("codex", "hooks").stdout
    audit = cli.json("audit", "list", "--method", "/codex_manager.v1.CodexService/TrustCodexHooks")
    records = audit.get("events", audit.get("auditEvents", []))
    assert len(records) == 5  # three refused, two trusted
    ok = [r for r in records if r.get("code", 0) == 0]
    assert len(ok) == 2, records
    assert any(r.get("resourceId", "").endswith("config.toml:pre_tool_use:0:0") for r in ok), ok

    # Trusted, a new session's Codex runs them.
    (project / "notes.txt").write_text("keep me\n")
    session_id = create_session(cli, project, policy="never")
    follow = cli("turn", "start", session_id, "run: rm notes.txt", "--follow")
    assert follow.returncode == 0, follow.stderr
    # Live: the hook's status line, its verdict and what it said; then the
    # prompt the Stop hook gave the agent.
    assert "hook preToolUse checking the command..." in follow.stderr
    assert "hook preToolUse blocked (" in follow.stderr
    assert "feedback: guard: no rm in this project" in follow.stderr
    assert "hook stop blocked (" in follow.stderr
    assert "hook prompt: Now say goodbye." in follow.stderr
    assert (project / "notes.txt").read_text() == "keep me\n"  # the hook blocked rm
    assert hook_warnings(cli, session_id) == []

    with Client(hooks_server.addr) as client:
        events = list(client.events(session_id, follow=False))
    runs = [e.proto.hook_run for e in events if e.type == EventType.HOOK_RUN]
    assert [(r.event_name, r.status) for r in runs] == [
        ("preToolUse", "running"), ("preToolUse", "blocked"),
        ("stop", "running"), ("stop", "blocked"),
        ("stop", "running"), ("stop", "completed")]
    assert runs[0].run_id == runs[1].run_id and runs[0].status_message == "checking the command"
    assert [(x.kind, x.text) for x in runs[1].entries] == [
        ("feedback", "guard: no rm in this project")]
    assert runs[1].HasField("duration_ms") and not runs[0].HasField("duration_ms")
    assert runs[1].source == "user" and runs[1].source_path.endswith("config.toml")
    assert all(e.proto.turn_id for e in events if e.type == EventType.HOOK_RUN)
    items = [e.proto.item for e in events if e.type == EventType.ITEM_COMPLETED]
    assert [i.text for i in items if i.item_type == "hookPrompt"] == ["Now say goodbye."]
    assert "commandExecution" not in [i.item_type for i in items]  # blocked before it ran
    assert not [e for e in events if e.type == EventType.RAW
                and e.proto.raw.method.startswith("hook/")]

    # The Markdown export notes each run once, when it ended.
    md = cli("export", session_id, "--format", "markdown").stdout
    assert "> **Hook** `preToolUse` blocked (" in md
    assert "> - feedback: guard: no rm in this project" in md
    assert "**Hook prompt:**\n\n> Now say goodbye.\n" in md
