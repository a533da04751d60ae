"""Codex's Plan mode (`turn/start` `collaborationMode`, the TUI's Plan mode),
end to end with the real, pinned codex on the scripted model: a turn asked
to plan reaches the model in Plan mode (the mock model reads Codex's
developer instructions for the mode), its proposed plan comes back as a
`plan` item, the session's Codex settings say so, and the next turn is back
in the default mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Cli, Server, wait_for
from test_real_codex import create_session

from codex_manager import Client, EventType, InvalidArgumentError, TurnState

PLAN = "# Tidy the notes\n\n- Read the notes\n- Tidy them\n"


def test_a_turn_plans_in_plan_mode_and_the_next_one_does_not(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project, policy="never")
    planned = cli("turn", "start", session_id, "propose: Tidy the notes", "--plan", "--follow")
    assert planned.returncode == 0, planned.stderr
    # The plan is what the turn was for: on stdout, after the agent's words.
    assert planned.stdout == "In plan mode.\n" + PLAN, planned.stdout
    assert "proposed plan:" in planned.stderr, planned.stderr
    assert ", plan mode" in cli("session", "show", session_id).stdout

    events = cli.lines("events", session_id, "--raw")
    plans = [e["item"] for e in events if e["type"] == "EVENT_TYPE_ITEM_COMPLETED"
             and e["item"]["itemType"] == "plan"]
    assert [p["text"] for p in plans] == [PLAN], plans
    modes = [e["codexSettings"].get("collaborationMode", "") for e in events
             if e["type"] == "EVENT_TYPE_CODEX_SETTINGS_CHANGED"]
    assert modes[-1] == "plan", modes

    # The mode was for that turn: the next one is Codex's default again.
    after = cli("turn", "start", session_id, "propose: Tidy the notes", "--follow")
    assert after.returncode == 0, after.stderr
    assert after.stdout == "In default mode: doing it.\n", after.stdout
    assert ", plan mode" not in cli("session", "show", session_id).stdout
    shown = cli.json("session", "show", session_id)["codexSettings"]
    assert shown["collaborationMode"] == "default", shown


def test_run_plans_in_a_new_session(cli: Cli, project: Path) -> None:
    # The agent's words and its plan on stdout, the rest on stderr.
    planned = cli("run", "--cwd", str(project), "--approval-policy", "never", "--plan",
                  "propose: Tidy the notes")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout == "In plan mode.\n" + PLAN, planned.stdout


def test_the_sdk_plans_and_refuses_an_unknown_mode(server: Server, project: Path) -> None:
    with Client(server.addr) as client:
        session = client.create_session(project, approval_policy="never")
        seen = []
        turn = client.run_turn(session.session_id, "propose: Ship it", collaboration_mode="plan",
                               on_event=seen.append)
        assert turn.state == TurnState.COMPLETED
        plans = [e.proto.item.text for e in seen if e.type == EventType.ITEM_COMPLETED
                 and e.proto.item.item_type == "plan"]
        assert plans == ["# Ship it\n\n- Read the notes\n- Tidy them\n"], plans
        assert client.get_session(session.session_id).codex_settings.collaboration_mode == "plan"
        with pytest.raises(InvalidArgumentError, match="collaboration_mode"):
            client.start_turn(session.session_id, "hi", collaboration_mode="pair")


def test_a_question_codex_asks_in_plan_mode_is_answered(cli: Cli, project: Path) -> None:
    # The model calls Codex's request_user_input tool; Codex asks us
    # (item/tool/requestUserInput) and hands our answer to the model as the
    # tool's output.
    session_id = create_session(cli, project, policy="never")
    follow = cli.popen("turn", "start", session_id, "ask: Where should the cache live?",
                       "--plan", "--follow")
    approval = wait_for(lambda: (a := cli.json("approval", "list", "--session", session_id)
                                 ["approvals"]) and a[0])
    assert approval["kind"] == "APPROVAL_KIND_USER_INPUT", approval
    [question] = json.loads(approval["paramsJson"])["questions"]
    # Codex lets every question take another answer than its options.
    assert question["id"] == "storage" and question["isOther"] is True, question
    assert [o["label"] for o in question["options"]] == ["Disk", "Memory"]
    assert question["question"] == "Where should the cache live?"
    typo = cli("approval", "answer", approval["approvalId"], "store=Disk")
    assert typo.returncode == 2
    assert "answers[store]: the request asks no such question (it asks storage)" in typo.stderr
    answered = cli("approval", "answer", approval["approvalId"], "storage=A Redis next door")
    assert answered.returncode == 0, answered.stderr
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    # How the CLI showed it while following: each question, its options,
    # and the command that answers it.
    assert "? approval " + approval["approvalId"] + " — Codex asks:" in err, err
    assert "storage (Storage): Where should the cache live?" in err, err
    assert "Disk — Kept across restarts." in err and "or another answer" in err, err
    assert f"answer: codex-manager approval answer {approval['approvalId']} storage=…" in err
    said = json.loads(out.strip().removeprefix("You answered: "))
    assert said == {"answers": {"storage": {"answers": ["A Redis next door"]}}}, out
