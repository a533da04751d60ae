"""A person's shell command as a turn (RunShellCommand, Codex
`thread/shellCommand`, the TUI's `!`), end to end with the real, pinned
`codex` against the scripted mock model: its output reaches the CLI, the
agent sees it in the next turn, and only an admin of a server that allows
danger-full-access may run one."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from conftest import Cli, Server, wait_for
from cm_testing import CODEX_BIN, MockModel, make_server

from test_auth import cli_as
from test_codex_threads import log_length, model_requests
from test_real_codex import create_session


@pytest.fixture
def full_server(tmp_path: Path, codex_home: Path) -> Iterator[Server]:
    """A server whose --max-sandbox lets an admin run unsandboxed."""
    yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home",
                                      str(codex_home), "--max-sandbox", "danger-full-access"])


def test_a_shell_command_runs_as_a_turn_and_the_agent_sees_it(
        full_server: Server, project: Path, mock_model: MockModel) -> None:
    cli = Cli(full_server)
    session_id = create_session(cli, project, policy="never")
    (project / "notes.txt").write_text("fig\n")
    ran = cli("turn", "shell", session_id, "cat notes.txt | tr a-z A-Z; echo made > made.txt",
              "--follow")
    assert ran.returncode == 0, ran.stderr
    # The command's output is the turn's product, on stdout (with whatever
    # the login shell's profile prints: pyenv's rehash did on a CI machine).
    assert "FIG" in ran.stdout.splitlines(), ran.stdout
    assert "$ " in ran.stderr and "[completed, exit 0]" in ran.stderr, ran.stderr
    # Codex ran it in the session's folder.
    assert (project / "made.txt").read_text() == "made\n"
    turns = cli.json("turn", "list", session_id)["turns"]
    assert [(t["prompt"], t["state"]) for t in turns] == [
        ("!cat notes.txt | tr a-z A-Z; echo made > made.txt", "TURN_STATE_COMPLETED")]
    assert turns[0]["codexTurnId"]
    items = [e["item"] for e in cli.lines("--json", "events", session_id, "--raw")
             if e["type"] == "EVENT_TYPE_ITEM_COMPLETED" and e.get("turnId") == turns[0]["turnId"]]
    assert [(i["itemType"], i["commandSource"], i.get("exitCode")) for i in items] == [
        ("commandExecution", "userShell", 0)]

    # The agent sees the command and its output from the next turn on.
    before = log_length(mock_model)
    assert cli("turn", "start", session_id, "what did I run?", "--follow").returncode == 0
    assert "FIG" in str(model_requests(mock_model, before))

    # A failing command: the turn still completes; its exit code says.
    failed = cli("turn", "shell", session_id, "echo oops >&2; exit 3", "--follow")
    assert failed.returncode == 0, failed.stderr
    assert "exit 3" in failed.stderr and "oops" in failed.stdout, (failed.stdout, failed.stderr)

    # A long one is interrupted as any turn is.
    started = cli.json("turn", "shell", session_id, "sleep 60")
    wait_for(lambda: cli.json("turn", "show", started["turnId"])["state"] == "TURN_STATE_RUNNING"
             and cli.json("turn", "show", started["turnId"])["codexTurnId"], timeout=30)
    assert cli("turn", "interrupt", session_id).returncode == 0
    wait_for(lambda: cli.json("turn", "show", started["turnId"])["state"]
             == "TURN_STATE_INTERRUPTED", timeout=30)
    assert cli("turn", "start", session_id, "still here?", "--follow").returncode == 0

    # Bad input names the field; below admin is refused; all are audited.
    assert cli("turn", "shell", session_id, " ").returncode == 2
    operator = cli.json("token", "create", "--name", "op", "--role", "operator")
    denied = cli_as(full_server, operator["secret"], "turn", "shell", session_id, "id")
    assert denied.returncode == 5 and "needs role admin" in denied.stderr, denied.stderr
    audit = cli.json("audit", "list", "--method",
                     "/codex_manager.v1.TurnService/RunShellCommand")["auditEvents"]
    # OK three times, INVALID_ARGUMENT, PERMISSION_DENIED.
    assert sorted(e.get("code", 0) for e in audit) == [0, 0, 0, 3, 7], audit


def test_the_default_server_runs_no_shell_command(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project, policy="never")
    refused = cli("turn", "shell", session_id, "id")
    assert refused.returncode == 5, refused.stderr
    assert "unsandboxed" in refused.stderr and "--max-sandbox" in refused.stderr
    assert cli.json("turn", "list", session_id).get("turns", []) == []
