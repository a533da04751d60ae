"""RevertSession end to end with the real, pinned `codex` against the
scripted mock model, driven with the CLI: turns taken out of the
conversation in place (Codex `thread/revert`) are gone from what the model
sees next, while the log keeps them and says they were reverted."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, wait_for
from cm_testing import MockModel

from test_codex_threads import log_length, user_texts, wait_idle
from test_real_codex import create_session


def test_revert_takes_turns_out_of_the_conversation(cli: Cli, project: Path,
                                                    mock_model: MockModel) -> None:
    session_id = create_session(cli, project, policy="never")
    for word in ("kiwi", "lime", "mango"):
        assert cli("turn", "start", session_id, f"remember {word}", "--follow").returncode == 0
    turns = cli.json("turn", "list", session_id)["turns"]
    ids = [t["turnId"] for t in turns]

    reverted = cli("session", "revert", session_id, "--before", ids[1])
    assert reverted.returncode == 0, reverted.stderr
    assert reverted.stdout.split() == ids[1:]

    listed = cli.json("turn", "list", session_id)["turns"]
    assert [bool(t.get("revertTime")) for t in listed] == [False, True, True]
    assert "(reverted)" in cli("turn", "list", session_id).stdout
    events = [e for e in cli.lines("--json", "events", session_id, "--raw")
              if e["type"] == "EVENT_TYPE_SESSION_REVERTED"]
    assert [e["sessionReverted"] for e in events] == [
        {"beforeTurnId": ids[1], "revertedTurnIds": ids[1:]}]

    # The agent's next turn sees the first prompt only.
    before = log_length(mock_model)
    assert cli("turn", "start", session_id, "remember lemon", "--follow").returncode == 0
    seen = user_texts(mock_model, before)
    assert "remember kiwi" in seen and "remember lemon" in seen, seen
    assert "remember lime" not in seen and "remember mango" not in seen, seen

    # Refusals name what is wrong.
    again = cli("session", "revert", session_id, "--before", ids[2])
    assert again.returncode == 1 and "was reverted" in again.stderr, again.stderr
    fork = cli("session", "fork", session_id, "--before", ids[1])
    assert fork.returncode == 1 and "was reverted" in fork.stderr, fork.stderr
    other = create_session(cli, project, policy="never")
    foreign = cli("session", "revert", other, "--before", ids[0])
    assert foreign.returncode == 4 and f"has no turn {ids[0]}" in foreign.stderr, foreign.stderr
    unknown = cli("session", "revert", session_id, "--before", "turn_00000000000000000000")
    assert unknown.returncode == 4, unknown.stderr
    started = cli.json("turn", "start", session_id, "slow: 300")
    wait_for(lambda: cli.json("turn", "show", started["turnId"])["state"]
             == "TURN_STATE_RUNNING", timeout=30)
    busy = cli("session", "revert", session_id, "--before", ids[0])
    assert busy.returncode == 1 and "running or queued" in busy.stderr, busy.stderr
    assert cli("turn", "interrupt", session_id).returncode == 0
    wait_idle(cli, session_id)
    assert cli("session", "stop", session_id).returncode == 0
    stopped = cli("session", "revert", session_id, "--before", ids[0])
    assert stopped.returncode == 1 and "ResumeSession first" in stopped.stderr, stopped.stderr

    # Every call is audited, refusals with their code.
    audit = cli.json("audit", "list", "--method",
                     "/codex_manager.v1.SessionService/RevertSession")["auditEvents"]
    assert sorted(e.get("code", 0) for e in audit) == [0, 5, 5, 9, 9, 9], audit
