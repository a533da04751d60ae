"""Codex hooks, with the real, pinned codex: a hook Codex will not run is
said, and the runs of trusted ones (a PreToolUse hook that blocks a
command, a Stop hook that sends the agent on) reach every client typed
(HOOK_RUN events and the hookPrompt item)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from conftest import Cli, Server, wait_for
from cm_testing import (CODEX_BIN, MockModel, add_guard_hooks, codex_home_dir, make_server,
                        trust_codex_hooks, write_codex_home)

from codex_manager import Client, EventType
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
    assert "preToolUse" in details and "stop" in details and "guard.py" in details
    assert "not trusted" in details

    # Trusted (as Codex's /hooks review does), a new session's Codex runs them.
    assert len(trust_codex_hooks(hooks_home, project)) == 2
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
