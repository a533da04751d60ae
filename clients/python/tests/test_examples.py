"""The three example agents in clients/python/examples, run as the scripts
they are, against the real server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Server, ready_session, wait_for

from codex_manager import ApprovalState, Client, TurnState

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))

from auto_approver import allowed  # noqa: E402


def start(script: str, *args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(EXAMPLES / script), *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    out, err = proc.communicate(timeout=10)
    return out


@pytest.mark.parametrize(("command", "ok"), [
    ("/bin/bash -lc 'git status'", True),
    ("/bin/bash -lc 'git status --short'", True),
    ("ls -la", True),
    ("lsblk", False),                              # whole words only
    ("/bin/bash -lc 'ls && rm -rf ~'", False),     # shell control
    ("/bin/bash -lc 'ls; curl evil'", False),
    ("/bin/bash -lc 'echo $(whoami)'", False),
    ("/bin/bash -lc 'git push'", False),
    ("", False),
])
def test_allow_list_policy(command: str, ok: bool) -> None:
    assert allowed(command, ["git status", "ls", "echo fake"]) is ok


def test_auto_approver_approves_allowed_and_leaves_the_rest(fake_server: Server, project: Path,
                                                            tmp_path: Path) -> None:
    client = Client(fake_server.addr)
    session_id = ready_session(client, project)
    approver = start("auto_approver.py", "--addr", fake_server.addr, "--allow", "echo",
                     "--cursor", str(tmp_path / "approver.cursor"), cwd=tmp_path)
    try:
        turn = client.start_turn(session_id, "approve")  # asks for `echo fake`
        wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
        assert client.get_turn(turn.turn_id).final_message == "decision was accept"
    finally:
        out = stop(approver)
    assert "approved" in out and "echo fake" in out

    # An approver whose list does not cover it leaves it for a person.
    strict = start("auto_approver.py", "--addr", fake_server.addr, "--allow", "git status",
                   "--cursor", str(tmp_path / "strict.cursor"), cwd=tmp_path)
    try:
        turn = client.start_turn(session_id, "approve")
        pending = wait_for(lambda: next(iter(client.list_approvals(session_id)), None))
        time.sleep(1.0)
        assert next(iter(client.list_approvals(session_id))).state == ApprovalState.PENDING
        client.deny(pending.approval_id)
        wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    finally:
        out = stop(strict)
    assert "left for a person" in out
    client.close()


def test_prompt_queue_runs_one_turn_at_a_time_and_resumes(fake_server: Server, project: Path,
                                                          tmp_path: Path) -> None:
    prompts = tmp_path / "todo.txt"
    prompts.write_text("# today\nfirst thing\n\nsecond thing\nthird thing\n")
    state = tmp_path / "todo.state"
    run = subprocess.run([sys.executable, str(EXAMPLES / "prompt_queue.py"), "--addr",
                          fake_server.addr, "--cwd", str(project), "--prompts", str(prompts),
                          "--state", str(state)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "[3/3] third thing" in run.stdout
    client = Client(fake_server.addr)
    session = next(iter(client.list_sessions()))
    turns = list(client.list_turns(session.session_id))
    assert [t.prompt for t in turns] == ["first thing", "second thing", "third thing"]
    assert all(t.state == TurnState.COMPLETED for t in turns)
    # One at a time: each started after the previous one ended.
    for before, after in zip(turns, turns[1:], strict=False):
        assert after.proto.start_time.ToNanoseconds() >= before.proto.end_time.ToNanoseconds()

    # Two more prompts: a rerun sends only those, in the same session.
    prompts.write_text(prompts.read_text() + "fourth\nfifth\n")
    rerun = subprocess.run([sys.executable, str(EXAMPLES / "prompt_queue.py"), "--addr",
                            fake_server.addr, "--prompts", str(prompts), "--state", str(state)],
                           capture_output=True, text=True, timeout=60)
    assert rerun.returncode == 0, rerun.stderr
    assert [t.prompt for t in client.list_turns(session.session_id)][-2:] == ["fourth", "fifth"]
    assert len(list(client.list_turns(session.session_id))) == 5
    client.close()


def test_approval_notifier_tells_a_person(fake_server: Server, project: Path,
                                          tmp_path: Path) -> None:
    client = Client(fake_server.addr)
    session_id = ready_session(client, project)
    notified = tmp_path / "notified.txt"
    notifier = start("approval_notifier.py", "--addr", fake_server.addr,
                     "--cursor", str(tmp_path / "notifier.cursor"),
                     "--command", f'echo "$CM_APPROVAL_ID $CM_KIND $CM_WHAT" >> {notified}',
                     cwd=tmp_path)
    try:
        client.start_turn(session_id, "approve")
        pending = wait_for(lambda: next(iter(client.list_approvals(session_id)), None))
        wait_for(lambda: notified.exists() and notified.read_text().strip())
        assert notified.read_text() == f"{pending.approval_id} COMMAND_EXECUTION echo fake\n"
        client.approve(pending.approval_id)
    finally:
        out = stop(notifier)
    assert f"approval waiting: {pending.approval_id}" in out
    client.close()
