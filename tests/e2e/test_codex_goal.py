"""Turns Codex starts by itself, with the real, pinned codex: when the
agent sets a thread goal (its create_goal tool), Codex goes on toward it in
turns no client asked for. Each becomes a turn of the session
(started_by_codex), so its reply reaches every client under a turn id, it
can be interrupted, and a prompt sent meanwhile waits its turn."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, Server, wait_for
from cm_testing import MockModel

from codex_manager import Client, EventType, GoalStatus
from test_codex_threads import log_length, model_requests, wait_idle
from test_real_codex import create_session


def settled(cli: Cli, session_id: str, count: int) -> list[dict]:
    """The session's turns once there are `count`, all ended, and it is IDLE."""
    def done() -> list[dict] | None:
        turns = cli.json("turn", "list", session_id)["turns"]
        ended = len(turns) == count and all(t["state"] not in (
            "TURN_STATE_QUEUED", "TURN_STATE_RUNNING") for t in turns)
        idle = cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE"
        return turns if ended and idle else None
    return wait_for(done, timeout=60)


def test_codex_going_on_toward_a_goal_is_a_turn(cli: Cli, server: Server, project: Path,
                                                 mock_model: MockModel) -> None:
    session_id = create_session(cli, project, policy="never")
    before = log_length(mock_model)
    started = cli("turn", "start", session_id, "goal: count to three", "--follow")
    assert started.returncode == 0, started.stderr

    # The agent set the goal in our turn; Codex then went on by itself in a
    # second turn, where the agent marked the goal complete.
    turns = settled(cli, session_id, 2)
    assert [(t.get("startedByCodex", False), t["state"], t.get("finalMessage"))
            for t in turns] == [(False, "TURN_STATE_COMPLETED", "Goal set."),
                                (True, "TURN_STATE_COMPLETED", "Goal complete.")]
    assert turns[1]["prompt"] == "" and turns[1]["codexTurnId"]
    assert any('source="goal"' in text for request in model_requests(mock_model, before)
               for text in request["user_texts"])
    listed = cli("turn", "list", session_id).stdout
    assert "(started by Codex)" in listed, listed

    with Client(server.addr) as client:
        events = list(client.events(session_id, follow=False))
    states = [(e.proto.turn_id, e.proto.turn_state_changed.state,
               e.proto.turn_state_changed.started_by_codex)
              for e in events if e.type == EventType.TURN_STATE_CHANGED]
    codex_turn = turns[1]["turnId"]
    assert [s for s in states if s[0] == codex_turn] == [
        (codex_turn, 2, True), (codex_turn, 3, True)]  # RUNNING, COMPLETED
    replies = [(e.proto.turn_id, e.proto.item.text) for e in events
               if e.type == EventType.ITEM_COMPLETED and e.proto.item.item_type == "agentMessage"]
    assert replies == [(turns[0]["turnId"], "Goal set."), (codex_turn, "Goal complete.")]
    # The goal the agent set, and its end, are the session's: GOAL_UPDATED
    # events (Codex's thread/goal/updated) and Session.goal.
    goals = [(e.proto.turn_id, e.proto.goal_updated.goal.objective,
              GoalStatus(e.proto.goal_updated.goal.status))
             for e in events if e.type == EventType.GOAL_UPDATED]
    assert goals[0] == (turns[0]["turnId"], "count to three", GoalStatus.ACTIVE), goals
    assert goals[-1] == (codex_turn, "count to three", GoalStatus.COMPLETE), goals
    assert "thread/goal/updated" not in {e.proto.raw.method for e in events
                                         if e.type == EventType.RAW}
    goal = cli.json("session", "show", session_id)["goal"]
    assert (goal["objective"], goal["status"]) == ("count to three", "GOAL_STATUS_COMPLETE")

    md = cli("export", session_id, "--format", "markdown").stdout
    assert f"## Turn 2 · `{codex_turn}`" in md and "*Codex went on by itself.*" in md, md
    transcript = cli("events", session_id).stdout
    assert f"codex ({codex_turn}): went on by itself" in transcript, transcript
    raw_lines = cli("events", session_id, "--raw").stdout
    assert f"{codex_turn} RUNNING (started by Codex)" in raw_lines, raw_lines

    # A fork's history has it as Codex's own turn too (Codex's history says
    # so only by its having no prompt; it names the first turn its root).
    fork = cli.json("session", "fork", session_id)["sessionId"]
    forked = cli.json("turn", "list", fork)["turns"]
    assert [(t.get("startedByCodex", False), t["prompt"]) for t in forked] == [
        (False, "goal: count to three"), (True, "")], forked

    # The session goes on as usual afterwards.
    assert cli("turn", "start", session_id, "hello again", "--follow").returncode == 0
    assert len(settled(cli, session_id, 3)) == 3
    wait_idle(cli, session_id)


def test_a_person_sets_pauses_resumes_and_clears_a_goal(cli: Cli, server: Server, project: Path,
                                                        mock_model: MockModel) -> None:
    session_id = create_session(cli, project, policy="never")
    wait_idle(cli, session_id)

    # Set paused: Codex keeps it and starts nothing.
    shown = cli("session", "goal", session_id, "count to three", "--status", "paused",
                "--budget", "5000")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:3] == [
        "objective: count to three", "status:    PAUSED", "tokens:    0 of 5000"], shown.stdout
    assert cli.json("turn", "list", session_id)["turns"] == []

    # Resumed: Codex goes on toward it by itself, until the agent marks it
    # complete.
    resumed = cli("session", "goal", session_id, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    turns = settled(cli, session_id, 1)
    assert [(t.get("startedByCodex", False), t["finalMessage"]) for t in turns] == [
        (True, "Goal complete.")]
    def complete() -> str | None:
        out = cli("session", "goal", session_id).stdout
        return out if "COMPLETE" in out else None
    shown = wait_for(complete, timeout=30)
    assert shown.startswith("objective: count to three\nstatus:    COMPLETE\n"), shown
    assert "goal:              count to three [COMPLETE, " in cli("session", "show",
                                                                  session_id).stdout

    # Cleared: no goal, and every follower was told each change.
    cleared = cli("session", "goal", session_id, "--clear")
    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout == f"session {session_id} has no goal\n"
    assert "goal" not in cli.json("session", "show", session_id)
    events = cli.lines("events", session_id, "--raw")
    updates = [e.get("goalUpdated", {}).get("goal", {}).get("status")
               for e in events if e["type"] == "EVENT_TYPE_GOAL_UPDATED"]
    assert updates[0] == "GOAL_STATUS_PAUSED" and updates[1] == "GOAL_STATUS_ACTIVE", updates
    assert "GOAL_STATUS_COMPLETE" in updates and updates[-1] is None, updates
    transcript = cli("events", session_id).stdout
    assert "goal: count to three [PAUSED, 0 of 5000 tokens, 0 s]" in transcript, transcript
    assert "goal cleared" in transcript, transcript
    md = cli("export", session_id, "--format", "markdown").stdout
    assert "**Goal** (" in md and "): count to three (paused)" in md and "**Goal cleared**" in md, md

    # Mistakes are named; a stopped session has no thread to tell.
    blank = cli("session", "goal", session_id, " ")
    assert blank.returncode == 2 and "objective: must not be blank" in blank.stderr, blank.stderr
    no_goal = cli("session", "goal", session_id, "--pause")
    assert no_goal.returncode == 1 and "no goal exists" in no_goal.stderr, no_goal.stderr
    assert cli("session", "stop", session_id).returncode == 0
    stopped = cli("session", "goal", session_id, "again")
    assert stopped.returncode == 1 and "resume it first" in stopped.stderr, stopped.stderr
    # Who changed it is on record.
    audit = cli.json("audit", "list", "--method",
                     "/codex_manager.v1.SessionService/SetSessionGoal")["auditEvents"]
    assert [(a.get("resourceId"), a.get("code", 0)) for a in audit].count((session_id, 0)) == 2, audit
