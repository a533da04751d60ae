"""Permissions Codex asks for reach every client as a list, and the grant
reaches Codex. With `[features] request_permissions_tool = true` in its
config.toml, the pinned Codex offers the model its `request_permissions`
tool; the mock model's `permit:` script calls it, and Codex asks us
(`item/permissions/requestApproval`, a PERMISSIONS approval whose
`requested_permissions` say what it asks in words). Codex hands the model
what was granted as the tool's output, which the model says back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, Server, wait_for
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, write_codex_home

from codex_manager import Approval, ApprovalKind, Client, Decision, TurnState


@pytest.fixture
def permissions_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    with codex_home_dir() as home:
        write_codex_home(home, mock_model.port, features=("request_permissions_tool",))
        yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def granted(final_message: str) -> dict:
    """What Codex told the model it was granted (its tool output)."""
    return json.loads(final_message.removeprefix("Granted: "))


def test_the_sdk_sees_what_is_asked_and_a_grant_for_the_session_reaches_codex(
        permissions_server: Server, project: Path) -> None:
    asked: list[Approval] = []

    def decide(approval: Approval) -> Decision:
        asked.append(approval)
        return Decision.APPROVE_FOR_SESSION

    with Client(permissions_server.addr) as client:
        session = client.create_session(project, approval_policy="on-request")
        turn = client.run_turn(session.session_id, "permit: network", on_approval=decide)
        assert turn.state == TurnState.COMPLETED, turn
        [approval] = asked
        assert approval.kind == ApprovalKind.PERMISSIONS
        assert approval.method == "item/permissions/requestApproval"
        assert approval.requested_permissions == ("network access",)
        assert approval.reason == "To fetch and save the data."
        assert Decision.APPROVE_FOR_SESSION in approval.available_decisions
        said = granted(turn.final_message)
        assert said["scope"] == "session", said
        assert said["permissions"]["network"] == {"enabled": True}, said
        # The resolved approval, listed again, still says what was asked.
        [listed] = client.list_approvals(session.session_id, include_resolved=True)
        assert listed.requested_permissions == ("network access",)


def test_the_cli_lists_what_is_asked_and_a_denial_grants_nothing(
        permissions_server: Server, project: Path) -> None:
    cli = Cli(permissions_server)
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--approval-policy", "on-request")["sessionId"]
    target = f"{project}/out"
    follow = cli.popen("turn", "start", session_id, f"permit: write {target}", "--follow")
    approval = wait_for(lambda: (a := cli.json("approval", "list", "--session", session_id)
                                 ["approvals"]) and a[0])
    assert approval["kind"] == "APPROVAL_KIND_PERMISSIONS", approval
    assert approval["requestedPermissions"] == [f"write {target}"], approval
    table = cli("approval", "list", "--session", session_id)
    assert "Codex asks for: write " in table.stdout, table.stdout
    denied = cli("approval", "deny", approval["approvalId"])
    assert denied.returncode == 0, denied.stderr
    out, err = follow.communicate(timeout=60)
    # The turn completed; exit 1 says an approval in it was denied.
    assert follow.returncode == 1 and "COMPLETED" in err, err
    # How the CLI showed it while following: a line for each permission.
    assert f"? approval {approval['approvalId']} — Codex asks for permissions:\n" in err, err
    assert f"    write {target}\n" in err, err
    assert "reason: To fetch and save the data." in err, err
    said = granted(out.strip())
    assert said["permissions"] == {"network": None, "file_system": None}, said
