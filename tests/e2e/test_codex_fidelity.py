"""What Codex can ask reaches a person, through every client: MCP
elicitation forms, only the decisions Codex offers, and the requests we do
not handle refused out loud (tests/fake_codex speaks the 0.169 shapes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codex_manager import (ApprovalKind, Client, Decision, EventType, InvalidArgumentError,
                           SessionState)
from conftest import Cli, Server, wait_for
from test_faults_and_errors import ready_session


def pending(cli: Cli, session_id: str) -> dict:
    return wait_for(lambda: (a := cli.json("approval", "list", "--session", session_id)
                             ["approvals"]) and a[0])


def test_an_mcp_elicitation_is_a_form_filled_from_the_cli(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "elicit", "--follow")
    approval = pending(fake_cli, session_id)
    assert approval["kind"] == "APPROVAL_KIND_MCP_ELICITATION"
    assert approval["mcpServerName"] == "tickets"
    assert approval["elicitationMode"] == "form"
    assert approval["reason"] == "File a ticket for this?"
    assert json.loads(approval["requestedSchemaJson"])["required"] == ["title"]
    assert approval["availableDecisions"] == ["DECISION_APPROVE", "DECISION_DENY",
                                              "DECISION_ABORT"]
    shown = fake_cli("approval", "list", "--session", session_id)
    assert "tickets: File a ticket for this?" in shown.stdout
    # An answer that does not fit its field is refused, naming it; nothing is decided.
    bad = fake_cli("approval", "answer", approval["approvalId"], "title=Disk full",
                   "priority=high")
    assert bad.returncode == 2
    assert "answers[priority]: expected an integer" in bad.stderr
    missing = fake_cli("approval", "answer", approval["approvalId"], "priority=1")
    assert missing.returncode == 2 and "answers[title]: required" in missing.stderr
    ok = fake_cli("approval", "answer", approval["approvalId"], "title=Disk full",
                  "priority=2", "urgent=true")
    assert ok.returncode == 0, ok.stderr
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, err
    answered = json.loads(out.strip().removeprefix("elicitation answered "))
    assert answered == {"action": "accept",
                        "content": {"priority": 2, "title": "Disk full", "urgent": True}}


def test_an_mcp_elicitation_from_the_sdk(fake_server: Server, project: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(str(project))
        client.wait_for_session(session.session_id, SessionState.IDLE)
        for answer, expected in ((lambda a: client.answer(a, {"title": "From Python"}),
                                  {"action": "accept", "content": {"title": "From Python"}}),
                                 (lambda a: client.deny(a),
                                  {"action": "decline", "content": None}),
                                 (lambda a: client.deny(a, abort=True),
                                  {"action": "cancel", "content": None})):
            turn = client.start_turn(session.session_id, "elicit")
            approval = wait_for(lambda: next(iter(client.list_approvals(session.session_id)), None))
            assert approval.kind == ApprovalKind.MCP_ELICITATION
            assert approval.available_decisions == (Decision.APPROVE, Decision.DENY,
                                                    Decision.ABORT)
            with pytest.raises(InvalidArgumentError, match="APPROVE_FOR_SESSION is not offered"):
                client.approve(approval.approval_id, for_session=True)
            answer(approval.approval_id)
            done = wait_for(lambda: (t := client.get_turn(turn.turn_id)).state.is_final and t)
            assert json.loads(done.final_message.removeprefix("elicitation answered ")) == expected


def test_user_input_answers_go_to_the_questions_asked(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "ask-user", "--follow")
    approval = pending(fake_cli, session_id)
    assert approval["kind"] == "APPROVAL_KIND_USER_INPUT"
    # A name the request did not ask, or an answer too long to be one, is
    # refused naming it; before, Codex got it. Nothing is decided.
    typo = fake_cli("approval", "answer", approval["approvalId"], "language=Go", "key=s3cret")
    assert typo.returncode == 2
    assert ("answers[language]: the request asks no such question (it asks lang, key)"
            in typo.stderr), typo.stderr
    long = fake_cli("approval", "answer", approval["approvalId"], "lang=" + "x" * 70000)
    assert long.returncode == 2
    assert "answers[lang]: at most 65536 bytes, got 70000" in long.stderr, long.stderr
    assert "s3cret" not in typo.stderr
    assert pending(fake_cli, session_id)["state"] == "APPROVAL_STATE_PENDING"
    ok = fake_cli("approval", "answer", approval["approvalId"], "lang=Rust", "key=s3cret")
    assert ok.returncode == 0, ok.stderr
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, err
    assert 'answers were {"key": ["s3cret"], "lang": ["Rust"]}' in out


def test_questions_are_answered_on_the_terminal(fake_cli: Cli, project: Path) -> None:
    # --on-approval ask (the default on a terminal): each question is asked
    # in turn, an option by its number or label, a secret without echo.
    session_id = ready_session(fake_cli, project)
    asked = fake_cli("turn", "start", session_id, "ask-user", "--follow", "--on-approval",
                     "ask", input="y\n2\ns3cret\n")
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == 'answers were {"key": ["s3cret"], "lang": ["Go"]}\n', asked.stdout
    assert "lang (Language): Which language should the tool use?" in asked.stderr
    assert "lang [1 Python, 2 Go, or your own, empty to skip]: " in asked.stderr
    assert "key [secret, empty to skip]: " in asked.stderr
    assert "decide with" not in asked.stderr
    # A form's answer that does not fit is refused and the form asked again.
    form = fake_cli("turn", "start", session_id, "elicit", "--follow", "--on-approval", "ask",
                    input="y\nhigh\nDisk full\n1\ny\n2\n\nDisk full\n2\n")
    assert form.returncode == 0, form.stderr
    assert "note: answers[priority]: expected an integer" in form.stderr
    assert "title [required]: " in form.stderr and "  an answer is required" in form.stderr
    answered = json.loads(form.stdout.strip().removeprefix("elicitation answered "))
    assert answered == {"action": "accept",
                        "content": {"priority": 2, "title": "Disk full", "urgent": False}}


def test_on_approval_approve_answers_no_question_and_fills_no_form(
        fake_cli: Cli, project: Path) -> None:
    # A script's yes is not an answer: the questions go unanswered, the form
    # is cancelled (as `codex exec` does), and the turn goes on either way.
    session_id = ready_session(fake_cli, project)
    asked = fake_cli("turn", "start", session_id, "ask-user", "--follow",
                     "--on-approval", "approve", timeout=30)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout == "answers were {}\n", asked.stdout
    assert "left unanswered: --on-approval approve answers no questions" in asked.stderr
    form = fake_cli("turn", "start", session_id, "elicit", "--follow",
                    "--on-approval", "approve", timeout=30)
    assert form.returncode == 1, form.stderr  # something was not granted
    assert json.loads(form.stdout.strip().removeprefix("elicitation answered ")) == {
        "action": "cancel", "content": None}
    assert "cancelled: --on-approval approve fills in no form" in form.stderr, form.stderr
    assert "COMPLETED" in form.stderr


def test_permissions_are_granted_on_the_terminal(fake_cli: Cli, project: Path) -> None:
    # --on-approval ask: what Codex asks for, a line each, then "grant?"
    # with what Codex offers; "a" grants it for the session.
    session_id = ready_session(fake_cli, project)
    asked = fake_cli("turn", "start", session_id, "ask-permissions", "--follow",
                     "--on-approval", "ask", input="a\n")
    assert asked.returncode == 0, asked.stderr
    assert "Codex asks for permissions:\n    network access\n    write /srv/out\n" \
        in asked.stderr, asked.stderr
    assert "grant? [y]es / [a]lways in this session / [n]o / [x] no and stop the turn: " \
        in asked.stderr, asked.stderr
    granted = json.loads(asked.stdout.strip().removeprefix("permissions granted "))
    assert granted == {"scope": "session", "permissions": {
        "network": {"enabled": True},
        "fileSystem": {"entries": [{"access": "write", "path": {"type": "path",
                                                                "path": "/srv/out"}}],
                       "read": None, "write": ["/srv/out"]}}}, granted


def test_a_secret_answer_comes_from_standard_input(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "ask-user", "--follow")
    approval = pending(fake_cli, session_id)
    shown = fake_cli("approval", "list", "--session", session_id)
    assert "Codex asks: Which language should the tool use? (+1 more)" in shown.stdout
    missing = fake_cli("approval", "answer", approval["approvalId"], "--stdin", "key", input="")
    assert missing.returncode == 2 and "no line on standard input for --stdin key" \
        in missing.stderr
    ok = fake_cli("approval", "answer", approval["approvalId"], "lang=Python", "--stdin", "key",
                  input="s3cret\n")
    assert ok.returncode == 0, ok.stderr
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, err
    assert "answer: codex-manager approval answer " + approval["approvalId"] \
        + " lang=… --stdin key" in err
    assert out == 'answers were {"key": ["s3cret"], "lang": ["Python"]}\n'


def test_a_secret_typed_on_a_terminal_is_not_echoed(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    fake_cli("turn", "start", session_id, "ask-user")
    approval = pending(fake_cli, session_id)
    code, seen = fake_cli.on_a_terminal("approval", "answer", approval["approvalId"],
                                        "lang=Go", "--stdin", "key",
                                        reply_to=b"key: ", reply=b"tops3cret\n", timeout=30)
    assert code == 0, seen
    assert b"APPROVED" in seen and b"tops3cret" not in seen, seen
    final = wait_for(lambda: (t := fake_cli.json("turn", "list", session_id)["turns"][0])
                     ["state"] == "TURN_STATE_COMPLETED" and t)
    assert final["finalMessage"] == 'answers were {"key": ["tops3cret"], "lang": ["Go"]}'


def test_a_request_we_do_not_handle_is_refused_out_loud(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    result = fake_cli("turn", "start", session_id, "tool-call", "--follow")
    assert result.returncode == 0, result.stderr
    error = json.loads(result.stdout.strip().removeprefix("tool call answered "))
    assert error["code"] == -32601
    assert "does not handle item/tool/call: a dynamic client-side tool call" in error["message"]
    warnings = [e for e in fake_cli.lines("events", session_id, "--raw", "--after", "0")
                if e.get("type") == "EVENT_TYPE_WARNING"]
    assert warnings and "item/tool/call" in warnings[0]["notice"]["message"]


def test_the_runtime_version_is_recorded_and_an_untested_one_warned(
        tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cm_testing import FAKE_CODEX, make_server
    for version, warned in (("0.169.0", False), ("0.150.0", True)):
        monkeypatch.setenv("FAKE_CODEX_VERSION", version)  # the server passes it on
        (tmp_path / version).mkdir()
        gen = make_server(tmp_path / version, ["--codex-bin", str(FAKE_CODEX),
                                               "--pass-env", "FAKE_CODEX_VERSION"])
        server = next(gen)
        try:
            cli = Cli(server)
            session_id = ready_session(cli, project)
            assert cli.json("session", "show", session_id)["runtimeVersion"] == version
            assert f"runtime_version:   {version}" in cli("session", "show", session_id).stdout
            warnings = [e["notice"]["message"]
                        for e in cli.lines("events", session_id, "--raw", "--after", "0")
                        if e.get("type") == "EVENT_TYPE_WARNING"]
            assert bool(warnings) == warned, warnings
            if warned:
                assert "Codex 0.150.0 is outside the releases codex-manager was tested with" \
                    in warnings[0]
        finally:
            for _ in gen:
                pass


def test_a_steer_mid_turn_changes_its_outcome(fake_cli: Cli, fake_server: Server,
                                              project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    idle = fake_cli("turn", "steer", session_id, "too early")
    assert idle.returncode == 1 and "has no running turn to steer" in idle.stderr
    turn_id = fake_cli("turn", "start", session_id, "slow").stdout.strip()
    wait_for(lambda: fake_cli.json("turn", "show", turn_id).get("codexTurnId"))
    steered = fake_cli("turn", "steer", session_id, "use tabs")
    assert steered.returncode == 0, steered.stderr
    assert steered.stdout.strip() == f"steered turn {turn_id}"
    with Client(fake_server.addr) as client:
        assert client.steer_turn(session_id, "and spaces after", turn_id=turn_id).turn_id == turn_id
        done = wait_for(lambda: (t := client.get_turn(turn_id)).state.is_final and t, timeout=30)
    assert done.final_message == "steered: use tabs | and spaces after"
    # Each steer is audited against the turn.
    audit = fake_cli.json("audit", "list", "--method", "/codex_manager.v1.TurnService/SteerTurn")
    records = audit.get("events", audit.get("auditEvents", []))
    assert [r.get("resourceId") for r in records].count(turn_id) == 2


def test_plans_diffs_limits_and_reroutes_arrive_typed(fake_cli: Cli, fake_server: Server,
                                                      project: Path) -> None:
    from codex_manager import EventType
    session_id = ready_session(fake_cli, project)
    result = fake_cli("turn", "start", session_id, "plan", "--follow")
    assert result.returncode == 0, result.stderr
    # Live, the plan is a checklist and the reroute and a failed MCP server are said.
    assert "plan: Tests first\n  [ ] Read the failing test" in result.stderr
    assert "[x] Read the failing test\n  [>] Fix the parser\n  [ ] Run the suite" in result.stderr
    assert "model rerouted: gpt-5.1-codex -> gpt-5.1-codex-mini (highRiskCyberActivity)" \
        in result.stderr
    # Session-level (no turn): in the session's transcript.
    transcript = fake_cli("events", session_id)
    assert "MCP server tickets failed to start: spawn tickets-mcp ENOENT" in transcript.stderr \
        + transcript.stdout
    assert "Codex compacted the conversation" in transcript.stderr + transcript.stdout
    with Client(fake_server.addr) as client:
        events = {e.type: e for e in client.events(session_id, follow=False)}
    assert EventType.RAW not in events  # every notification of the turn is typed
    plan = events[EventType.PLAN_UPDATED].proto.plan
    assert [(s.step, s.status) for s in plan.steps][:2] == [
        ("Read the failing test", "completed"), ("Fix the parser", "inProgress")]
    assert events[EventType.TURN_DIFF_UPDATED].proto.turn_diff.diff.startswith("--- a/parser.py")
    limits = events[EventType.RATE_LIMITS_UPDATED].proto.rate_limits
    assert (limits.plan_type, limits.primary.used_percent, limits.primary.window_minutes) == (
        "plus", 42, 300)
    assert limits.primary.resets_at.seconds == 1800000000
    assert not limits.HasField("secondary")
    assert events[EventType.MODEL_REROUTED].proto.model_rerouted.to_model == "gpt-5.1-codex-mini"
    assert events[EventType.MCP_SERVER_STATUS].proto.mcp_server_status.status == "failed"
    assert "compacted" in events[EventType.CONTEXT_COMPACTED].proto.notice.message


def test_a_reply_codex_blocks_is_not_shown(fake_cli: Cli, fake_server: Server,
                                           project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    result = fake_cli("turn", "start", session_id, "moderated", "--follow")
    assert result.returncode == 0, result.stderr
    assert "[Codex blocked this reply (cyber).]" in result.stdout
    assert "blocked thing" not in result.stdout + result.stderr
    with Client(fake_server.addr) as client:
        turn = next(iter(client.list_turns(session_id)))
        assert turn.final_message == "[Codex blocked this reply (cyber).]"
        items = [e.proto.item for e in client.events(session_id, follow=False)
                 if e.proto.WhichOneof("payload") == "item" and e.proto.item.text]
    assert items[-1].moderation == "block"
    assert all("blocked thing" not in i.item_json for i in items)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_turn_and_session_settings_reach_codex(fake_cli: Cli, fake_server: Server,
                                               project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    (project / "shot.png").write_bytes(PNG)
    schema = project / "schema.json"
    schema.write_text('{"type": "object", "properties": {"ok": {"type": "boolean"}}}')

    def settings(result: str) -> dict:
        return json.loads(result.strip().removeprefix("settings "))

    # Nothing set: the thread's own settings, sent explicitly.
    plain = fake_cli("turn", "start", session_id, "show-settings", "--follow")
    assert settings(plain.stdout) == {
        "approvalPolicy": "on-request", "effort": "medium", "images": [],
        "model": "fake-model", "sandboxPolicy": {"type": "workspaceWrite"}}
    # One turn's overrides, from the CLI.
    one = fake_cli("turn", "start", session_id, "show-settings", "--follow",
                   "--model", "gpt-5.1-codex-mini", "--effort", "low", "--summary", "concise",
                   "--output-schema", str(schema), "--image", str(project / "shot.png"),
                   "--approval-policy", "untrusted", "--sandbox", "read-only")
    assert one.returncode == 0, one.stderr
    assert settings(one.stdout) == {
        "approvalPolicy": "untrusted", "effort": "low",
        "images": [{"path": str((project / "shot.png").resolve()), "type": "localImage"}],
        "model": "gpt-5.1-codex-mini", "outputSchema": json.loads(schema.read_text()),
        "sandboxPolicy": {"type": "readOnly"}, "summary": "concise"}
    # The session's, for every later turn; an override does not stick.
    updated = fake_cli.json("session", "update", session_id, "--model", "gpt-5.1-codex",
                            "--effort", "high", "--title", "tuned")
    assert (updated["model"], updated["effort"], updated["title"]) == (
        "gpt-5.1-codex", "high", "tuned")
    # Every follower hears of it: SESSION_UPDATED, in the CLI's transcript
    # and the Markdown export; the same values again are no change.
    again = fake_cli.json("session", "update", session_id, "--title", "tuned")
    assert again["updateTime"] == updated["updateTime"]
    shown = fake_cli("events", session_id)
    assert "settings: title=tuned model=gpt-5.1-codex effort=high\n" in shown.stdout, shown
    with Client(fake_server.addr) as client:
        turn = client.start_turn(session_id, "show-settings", images=[PNG])
        done = wait_for(lambda: (t := client.get_turn(turn.turn_id)).state.is_final and t)
        sent = settings(done.final_message)
        assert (sent["model"], sent["effort"], sent["summary"]) == (
            "gpt-5.1-codex", "high", "auto")
        import base64
        assert sent["images"] == [{"type": "image",
                                   "url": "data:image/png;base64," + base64.b64encode(PNG).decode()}]
        # Refused, naming the field, changing nothing.
        with pytest.raises(InvalidArgumentError, match="outside the session's cwd"):
            client.start_turn(session_id, "x", images=["/etc/hostname"])
        with pytest.raises(InvalidArgumentError, match="reasoning_summary"):
            client.start_turn(session_id, "x", reasoning_summary="verbose")
        from codex_manager import PermissionDeniedError
        with pytest.raises(PermissionDeniedError):
            client.start_turn(session_id, "x", sandbox="danger-full-access")
        with pytest.raises(ValueError, match="not a PNG"):
            client.start_turn(session_id, "x", images=[b"GIF?"])
        assert client.update_session(session_id, effort="").effort == ""
        changes = [e.session_updated for e in client.events(session_id, follow=False)
                   if e.type is EventType.SESSION_UPDATED]
        assert [(list(c.changed_fields), c.title, c.model, c.effort) for c in changes] == [
            (["title", "model", "effort"], "tuned", "gpt-5.1-codex", "high"),
            (["effort"], "tuned", "gpt-5.1-codex", "")]
        markdown = b"".join(client.export_transcript(session_id, format="markdown")).decode()
        assert "**Settings changed** (" in markdown
        assert "): effort default\n" in markdown, markdown
        assert len(list(client.list_turns(session_id))) == 3
