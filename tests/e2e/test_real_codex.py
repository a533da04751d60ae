"""End to end with the real, pinned `codex` binary against the scripted mock
model, driven through the real server with the CLI."""

from __future__ import annotations

import json
import re
import signal
import stat
import time
from pathlib import Path

import pytest
from conftest import Cli, Server, processes_in, wait_for, zombies_of
from cm_testing import MockModel


def create_session(cli: Cli, project: Path, policy: str = "untrusted") -> str:
    session = cli.json("session", "create", "--cwd", str(project), "--approval-policy", policy,
                       "--title", "e2e")
    assert session["state"] == "SESSION_STATE_STARTING"
    wait_for(lambda: cli.json("session", "show", session["sessionId"])["state"] == "SESSION_STATE_IDLE")
    return session["sessionId"]


def pending_approval(cli: Cli, session_id: str) -> dict:
    def find():
        approvals = cli.json("approval", "list", "--session", session_id).get("approvals", [])
        return approvals[0] if approvals else None

    return wait_for(find)


def test_turn_streams_text_and_completes(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    result = cli("turn", "start", session_id, "hello codex", "--follow")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "You said: hello codex"
    assert "COMPLETED" in result.stderr
    turns = cli.json("turn", "list", session_id)["turns"]
    assert [t["state"] for t in turns] == ["TURN_STATE_COMPLETED"]
    assert turns[0]["finalMessage"] == "You said: hello codex"


def test_approval_round_trip_from_a_second_shell(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    follow = cli.popen("turn", "start", session_id, "please run: echo e2e-approved", "--follow")
    approval = pending_approval(cli, session_id)
    assert "echo e2e-approved" in approval["command"]
    assert approval["kind"] == "APPROVAL_KIND_COMMAND_EXECUTION"
    assert cli.json("session", "show", session_id)["pendingApprovals"] == 1

    decided = cli("approval", "approve", approval["approvalId"])
    assert decided.returncode == 0, decided.stderr
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    assert approval["approvalId"] in err            # the request was shown with its id
    assert "echo e2e-approved" in err               # ... and the exact command
    assert "e2e-approved" in err                    # its output, shown apart
    # The agent's reply quotes the output, with whatever the login shell's
    # profile printed (as pyenv's rehash did on a CI machine).
    assert out.startswith("Command output: "), out
    assert "e2e-approved" in out.removeprefix("Command output: ").splitlines(), out

    # The first decision wins; a second one is refused and names it.
    again = cli("approval", "deny", approval["approvalId"])
    assert again.returncode == 1
    assert "FAILED_PRECONDITION" in again.stderr and "APPROVED" in again.stderr


def test_only_what_codex_offers_can_be_decided(cli: Cli, project: Path) -> None:
    # Under `untrusted` codex 0.169 offers accept, accept-and-remember and
    # cancel: no plain "decline".
    session_id = create_session(cli, project)
    marker = project / "should-not-exist"
    follow = cli.popen("turn", "start", session_id, f"please run: touch {marker}", "--follow")
    approval = pending_approval(cli, session_id)
    assert approval["availableDecisions"] == [
        "DECISION_APPROVE", "DECISION_APPROVE_AND_REMEMBER", "DECISION_ABORT"]
    assert approval["execpolicyAmendment"] == ["touch", str(marker)]
    refused = cli("approval", "deny", approval["approvalId"])
    assert refused.returncode == 2, refused.stderr  # INVALID_ARGUMENT, nothing decided
    assert "DENY is not offered; Codex offers APPROVE, APPROVE_AND_REMEMBER, ABORT" in refused.stderr
    assert pending_approval(cli, session_id)["approvalId"] == approval["approvalId"]
    assert cli("approval", "deny", approval["approvalId"], "--abort").returncode == 0
    follow.communicate(timeout=60)
    assert not marker.exists()
    turn = cli.json("turn", "list", session_id)["turns"][-1]
    assert turn["state"] == "TURN_STATE_INTERRUPTED"


def test_deny_lets_the_turn_go_on_without_the_change(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project, policy="on-request")
    follow = cli.popen("turn", "start", session_id, "please write: denied.txt: nope", "--follow")
    approval = pending_approval(cli, session_id)
    assert "DECISION_DENY" in approval["availableDecisions"]
    assert cli("approval", "deny", approval["approvalId"]).returncode == 0
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 1, err              # a denial is a non-zero outcome
    assert "DENIED" in err
    # Waiting (not a terminal), it said how to decide elsewhere.
    assert f"decide with: codex-manager approval approve|deny {approval['approvalId']}" in err
    assert not (project / "denied.txt").exists()
    turn = cli.json("turn", "list", session_id)["turns"][-1]
    assert turn["state"] == "TURN_STATE_COMPLETED"


def test_approve_and_remember_stops_asking_for_that_command(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    word = f"remembered-{session_id[-6:]}"  # Codex's rules outlive the test
    follow = cli.popen("turn", "start", session_id, f"please run: echo {word}", "--follow")
    approval = pending_approval(cli, session_id)
    decided = cli("approval", "approve", approval["approvalId"], "--remember")
    assert decided.returncode == 0, decided.stderr
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    # The same command again runs without asking.
    again = cli("turn", "start", session_id, f"please run: echo {word}", "--follow",
                "--on-approval", "deny")
    assert again.returncode == 0, again.stderr
    assert f"Command output: {word}" in again.stdout
    approvals = cli.json("approval", "list", "--session", session_id, "--all")["approvals"]
    assert [a["decision"] for a in approvals] == ["DECISION_APPROVE_AND_REMEMBER"]


def test_replay_is_exactly_what_was_seen_live(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    live = cli.popen("--json", "events", session_id, "--follow")
    result = cli("turn", "start", session_id, "please run: echo replay", "--follow",
                 "--on-approval", "approve")
    assert result.returncode == 0, result.stderr
    assert cli("turn", "start", session_id, "and once more", "--follow").returncode == 0
    replay = cli.lines("events", session_id, "--after", "0")
    time.sleep(0.5)
    live.terminate()  # SIGTERM: SIGINT may be ignored when run as a background job
    live_out, _ = live.communicate(timeout=10)
    live_events = [json.loads(line) for line in live_out.splitlines()]

    seqs = [int(e["sessionSeq"]) for e in replay]
    assert seqs == list(range(1, len(replay) + 1)), "session_seq must be 1..N with no gap"
    ids = [int(e["eventId"]) for e in replay]
    assert ids == sorted(set(ids)), "event_id strictly increasing"
    assert live_events == replay[: len(live_events)]
    assert len(live_events) == len(replay)

    k = len(replay) // 2
    tail = cli.lines("events", session_id, "--after", str(k))
    assert tail == replay[k:]
    types = {e["type"] for e in replay}
    assert {"EVENT_TYPE_APPROVAL_REQUESTED", "EVENT_TYPE_AGENT_MESSAGE_DELTA",
            "EVENT_TYPE_ITEM_COMPLETED", "EVENT_TYPE_TURN_STATE_CHANGED"} <= types


def test_kill_restart_and_resume_on_the_same_thread(server: Server, cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    assert cli("turn", "start", session_id, "remember the word kiwi", "--follow").returncode == 0
    before = cli.json("session", "show", session_id)
    history = cli.lines("events", session_id)
    assert processes_in(project), "a codex child runs in the project"

    server_pid = server.proc.pid
    server.stop(signal.SIGKILL)
    # No Codex child outlives the server.
    wait_for(lambda: not processes_in(project), timeout=10)

    server.start()
    after = cli.json("session", "show", session_id)
    assert after["state"] == "SESSION_STATE_STOPPED"
    assert after["lastError"] == "server restarted"
    assert cli.lines("events", session_id)[: len(history)] == history

    resumed = cli.json("session", "resume", session_id)
    assert resumed["state"] == "SESSION_STATE_STARTING"
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")
    assert cli.json("session", "show", session_id)["threadId"] == before["threadId"]
    second = cli("turn", "start", session_id, "what was the word?", "--follow")
    assert second.returncode == 0, second.stderr
    assert "what was the word?" in second.stdout
    # The model saw the first turn too: Codex resumed the same thread.
    assert len(cli.json("turn", "list", session_id)["turns"]) == 2

    # A clean stop leaves neither children nor zombies.
    assert not zombies_of(server.proc.pid)
    assert server.stop(signal.SIGTERM) == 0
    wait_for(lambda: not processes_in(project), timeout=10)
    assert server_pid != 0


def test_an_unarchived_session_goes_on_in_its_thread(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    assert cli("turn", "start", session_id, "remember the word fig", "--follow").returncode == 0
    thread_id = cli.json("session", "show", session_id)["threadId"]
    assert cli.json("session", "archive", session_id)["state"] == "SESSION_STATE_ARCHIVED"
    refused = cli("turn", "start", session_id, "still there?")
    assert refused.returncode == 1 and "ARCHIVED" in refused.stderr, refused.stderr
    assert cli.json("session", "list").get("sessions", []) == []

    back = cli.json("session", "unarchive", session_id)
    assert back["state"] == "SESSION_STATE_STOPPED"
    assert [s["sessionId"] for s in cli.json("session", "list")["sessions"]] == [session_id]
    assert cli.json("session", "unarchive", session_id)["state"] == "SESSION_STATE_STOPPED"
    turn = cli("turn", "start", session_id, "what was the word?", "--follow")
    assert turn.returncode == 0, turn.stderr
    assert cli.json("session", "show", session_id)["threadId"] == thread_id
    states = [e["sessionStateChanged"]["state"] for e in cli.lines("events", session_id, "--raw")
              if e["type"] == "EVENT_TYPE_SESSION_STATE_CHANGED"]
    assert "SESSION_STATE_ARCHIVED" in states
    assert states[states.index("SESSION_STATE_ARCHIVED") + 1] == "SESSION_STATE_STOPPED"
    # Audited once: the second call changed nothing.
    audit = cli.json("audit", "list", "--method",
                     "/codex_manager.v1.SessionService/UnarchiveSession")["auditEvents"]
    assert [(a["resourceId"], a["code"]) for a in audit] == [(session_id, 0)], audit


def test_a_session_that_never_ran_a_turn_resumes_on_a_new_thread(server: Server, cli: Cli,
                                                                project: Path) -> None:
    """Codex saves a thread (its rollout file) at the thread's first turn:
    a session stopped before any turn (by a restart, --idle-timeout or
    --max-live-sessions) had a thread Codex could no longer resume ("no
    rollout found"), and the session FAILED for good. It now goes on in a
    new thread, saying so; a session with a turn keeps its thread (above).
    Forking one is FAILED_PRECONDITION saying why, not a NOT_FOUND thread.
    (No title: naming the thread, thread/name/set, makes Codex save it.)"""
    session_id = cli.json("session", "create", "--cwd", str(project))["sessionId"]
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")
    before = cli.json("session", "show", session_id)["threadId"]
    fork = cli("session", "fork", session_id)  # nothing saved to copy
    assert fork.returncode == 1, fork.stderr
    assert "has no turn yet, and Codex saves a thread only at its first turn" in fork.stderr
    server.stop(signal.SIGKILL)
    server.start()
    assert cli.json("session", "show", session_id)["state"] == "SESSION_STATE_STOPPED"
    turn = cli("turn", "start", session_id, "hello again", "--follow")  # resumes it first
    assert turn.returncode == 0, turn.stderr
    assert "hello again" in turn.stdout
    after = cli.json("session", "show", session_id)
    assert after["state"] == "SESSION_STATE_IDLE" and after["threadId"] not in ("", before)
    warnings = [e["notice"]["message"] for e in cli.lines("events", session_id, "--raw")
                if e["type"] == "EVENT_TYPE_WARNING"]
    assert any(f"Codex had not saved thread {before}" in w and after["threadId"] in w
               for w in warnings), warnings


def test_run_creates_starts_and_follows(cli: Cli, project: Path) -> None:
    result = cli("run", "--cwd", str(project), "--approval-policy", "untrusted",
                 "--on-approval", "approve", "please run: echo via-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Command output: via-run"
    # It approved the command itself: no "decide with" for someone else.
    assert "? approval apr_" in result.stderr and "decide with" not in result.stderr
    sessions = cli.json("session", "list")["sessions"]
    assert len(sessions) == 1 and sessions[0]["cwd"] == str(project)


def test_a_command_codex_runs_unasked_is_confined_by_its_sandbox(cli: Cli, project: Path) -> None:
    # Under `never` Codex runs the command in its sandbox, read-only by
    # default, without asking. The sandbox needs Codex's helper on PATH,
    # which a CODEX_HOME under /tmp lacks: the output was then "bwrap:
    # execvp codex-linux-sandbox: No such file or directory" (docs/operations.md).
    session_id = create_session(cli, project, policy="never")
    result = cli("turn", "start", session_id, "please run: touch sandboxed-write", "--follow")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Command output: touch: cannot touch 'sandboxed-write': Read-only file system")
    # (Codex 0.171 reports the command's item in some runs and not in
    # others, so its lines on stderr are not checked.)
    assert not (project / "sandboxed-write").exists()


def test_pending_approval_is_redelivered_to_a_new_stream(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    follow = cli.popen("turn", "start", session_id, "please run: echo later", "--follow")
    approval = pending_approval(cli, session_id)
    last_seq = int(cli.json("session", "show", session_id)["lastSeq"])
    # A client that reconnects after the request still gets it first.
    events = cli.lines("events", session_id, "--after", str(last_seq))
    assert events and events[0]["redelivered"] is True
    assert events[0]["approvalRequested"]["approval"]["approvalId"] == approval["approvalId"]
    assert all(not e["redelivered"] for e in events[1:])
    assert cli("approval", "approve", approval["approvalId"]).returncode == 0
    follow.communicate(timeout=60)
    assert follow.returncode == 0


def test_file_change_approval_shows_the_diff_and_applies(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    follow = cli.popen("turn", "start", session_id, "please write: notes.txt: hello file", "--follow")
    approval = pending_approval(cli, session_id)
    assert approval["kind"] == "APPROVAL_KIND_FILE_CHANGE"
    assert approval["diff"] == f"--- /dev/null\n+++ b{project}/notes.txt\n+hello file\n"
    assert approval["changedFiles"] == [f"{project}/notes.txt"], approval
    assert not (project / "notes.txt").exists()  # nothing written before approval
    listed = cli("approval", "list", "--session", session_id).stdout
    assert "Codex wants to change: notes.txt\n" in listed, listed
    assert cli("approval", "approve", approval["approvalId"]).returncode == 0
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    assert "+hello file" in err
    assert out.strip() == "File written."
    assert (project / "notes.txt").read_text() == "hello file\n"
    # Written with the umask the server was started with (022, conftest.py),
    # not the server's own 077 for its data dir.
    assert stat.S_IMODE((project / "notes.txt").stat().st_mode) == 0o644


def test_a_moved_file_is_listed_by_both_its_paths(cli: Cli, project: Path) -> None:
    (project / "old.txt").write_text("hello\n")
    session_id = create_session(cli, project)
    follow = cli.popen("turn", "start", session_id, "please move: old.txt: new.txt", "--follow")
    approval = pending_approval(cli, session_id)
    assert approval["kind"] == "APPROVAL_KIND_FILE_CHANGE"
    assert approval["diff"].startswith(f"--- a{project}/old.txt\n+++ b{project}/new.txt\n"), approval
    assert approval["changedFiles"] == [f"{project}/old.txt", f"{project}/new.txt"], approval
    listed = cli("approval", "list", "--session", session_id).stdout
    assert "Codex wants to change: old.txt, new.txt\n" in listed, listed
    assert cli("approval", "approve", approval["approvalId"]).returncode == 0
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    assert out.strip() == "File moved."
    assert not (project / "old.txt").exists()
    assert (project / "new.txt").read_text() == "hello\nmoved\n"


def test_a_terminal_is_shown_control_characters_not_driven_by_them(
        cli: Cli, project: Path) -> None:
    # A command whose escape sequence would erase the line before it, and
    # whose right-to-left override would reverse what follows, as the person
    # deciding sees it on a terminal: shown, not obeyed, in the approval,
    # the command's output and the reply.
    session_id = create_session(cli, project)
    hostile = "echo safe \x1b[2K\u202eevil"
    code, seen = cli.on_a_terminal("turn", "start", session_id, f"please run: {hostile}",
                                   "--follow", "--on-approval", "ask",
                                   reply_to=b"approve? ", reply=b"y\n")
    assert code == 0, seen
    shown = seen.decode()
    assert "\x1b" not in shown and "\u202e" not in shown, shown
    assert "echo safe ^[[2K<U+202E>evil" in shown, shown                # the approval
    assert "Command output: safe ^[[2K<U+202E>evil" in shown, shown     # the reply
    # Piped, the same text is byte for byte what Codex said.
    turns = cli.json("turn", "list", session_id)["turns"]
    assert turns[0]["finalMessage"] == "Command output: safe \x1b[2K\u202eevil"


def test_events_reads_as_a_transcript(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    first = cli("turn", "start", session_id, "please run: echo transcript-ok", "--follow",
                "--on-approval", "approve")
    assert first.returncode == 0, first.stderr
    assert cli("turn", "start", session_id, "and once more", "--follow").returncode == 0
    turns = [t["turnId"] for t in cli.json("turn", "list", session_id)["turns"]]

    result = cli("events", session_id)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    clock = r"\d\d:\d\d:\d\d  "
    assert re.match(r"── \d{4}-\d\d-\d\d ──\n", out), out
    assert re.search(rf"^{clock}you \({turns[0]}\): please run: echo transcript-ok$", out, re.M), out
    assert re.search(rf"^{clock}\$ .*echo transcript-ok", out, re.M), out
    assert re.search(r"^ {10}transcript-ok$", out, re.M), out        # the output, indented
    assert re.search(r"^ {10}\[completed, exit 0\]$", out, re.M), out
    assert re.search(rf"^{clock}\? approval apr_\w+ — Codex wants to run:", out, re.M), out
    assert re.search(rf"^{clock}approval apr_\w+: APPROVED$", out, re.M), out
    assert re.search(rf"^{clock}codex: Command output: transcript-ok$", out, re.M), out
    assert re.search(rf"^{clock}turn {turns[1]} COMPLETED$", out, re.M), out
    # One block per reply, not one line per streamed chunk; no protocol chatter.
    assert out.count("codex: ") == 2
    for chatter in ("thread/", "account/", "rateLimits", "tokens", "RAW"):
        assert chatter not in out

    # --turn: that turn only; --raw: the event log, one line per event.
    second = cli("events", session_id, "--turn", turns[1]).stdout
    assert "and once more" in second and "transcript-ok" not in second
    raw = cli("events", session_id, "--raw").stdout.splitlines()
    assert len(raw) == len(cli.lines("events", session_id))
    assert any("AGENT_MESSAGE_DELTA" in line for line in raw)


def test_export_writes_the_events_and_a_markdown_conversation(cli: Cli, project: Path,
                                                              tmp_path: Path) -> None:
    session_id = create_session(cli, project)
    assert cli("turn", "start", session_id, "please run: echo export-ok", "--follow",
               "--on-approval", "approve").returncode == 0
    # `--follow` ends at the turn's end; the session's return to IDLE is the
    # next change, committed after it. Both reads below must see it.
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")

    # JSONL: the events, exactly as `events --json` prints them.
    jsonl = cli("export", session_id)
    assert jsonl.returncode == 0, jsonl.stderr
    assert jsonl.stdout == cli("--json", "events", session_id).stdout

    # Markdown: a conversation, written whole to the file.
    path = tmp_path / "session.md"
    result = cli("export", session_id, "--format", "markdown", "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert f"wrote {path}" in result.stderr
    md = path.read_text()
    assert md.startswith("# e2e\n")
    assert f"- Session: `{session_id}`" in md
    assert "**You:**\n\n> please run: echo export-ok\n" in md
    # (A login shell may print its own lines before the command's.)
    assert re.search(r"<summary>Command <code>[^<]*echo export-ok[^<]*</code> · completed · "
                     r"exit 0</summary>\n\n```text\n(?:.*\n)*?export-ok\n```", md), md
    assert re.search(r"\*\*Approval\*\* `apr_\w+`: \*\*approved\*\* by `admin`", md), md
    assert "**Codex:**\n\nCommand output: export-ok\n" in md
    assert "*Turn completed" in md
    assert not (tmp_path / "session.md.partial").exists()

    missing = cli("export", "ses_00000000000000000000", "-o", str(tmp_path / "none.md"))
    assert missing.returncode == 4
    assert "ses_00000000000000000000" in missing.stderr
    assert list(tmp_path.glob("none.md*")) == []


def test_a_web_search_reaches_every_transcript(server: Server, cli: Cli, project: Path) -> None:
    """The provider's hosted web search (a `web_search_call` output item)
    becomes Codex's webSearch item: the CLI, the Markdown export and the SDK
    each say what was searched."""
    from codex_manager import Client, EventType, TurnState
    session_id = create_session(cli, project)
    result = cli("turn", "start", session_id, "search: ext4 disk full", "--follow")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Found it."
    assert "searched the web: ext4 disk full\n" in result.stderr
    assert "searched the web: ext4 disk full\n" in cli("events", session_id).stdout
    md = cli("export", session_id, "--format", "markdown").stdout
    assert "*Searched the web:* ext4 disk full\n" in md, md
    with Client(server.addr) as client:
        turn = client.run_turn(session_id, "search: codex hooks")
        assert turn.state == TurnState.COMPLETED
        searches = [e.item for e in client.events(session_id, follow=False)
                    if e.type == EventType.ITEM_COMPLETED and e.item.item_type == "webSearch"]
    assert [s.text for s in searches] == ["ext4 disk full", "codex hooks"]
    assert json.loads(searches[1].item_json)["action"]["query"] == "codex hooks"


def test_a_prompt_queued_behind_a_running_turn_reads_where_its_turn_starts(
        cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project)
    first = cli.popen("turn", "start", session_id, "please run: echo held", "--follow")
    approval = pending_approval(cli, session_id)  # the first turn runs until decided
    queued = cli.popen("turn", "start", session_id, "queued behind", "--follow")
    wait_for(lambda: len(cli.json("turn", "list", session_id)["turns"]) == 2)
    dropped = cli("turn", "start", session_id, "never sent").stdout.strip()
    assert cli("turn", "interrupt", session_id, "--turn", dropped).returncode == 0
    assert cli("approval", "approve", approval["approvalId"]).returncode == 0
    assert first.wait(timeout=60) == 0
    out, err = queued.communicate(timeout=60)
    assert queued.returncode == 0, err
    assert out.strip() == "You said: queued behind"
    turns = [t["turnId"] for t in cli.json("turn", "list", session_id)["turns"]]
    assert err.splitlines()[0] == f"turn {turns[1]} in session {session_id} (queued)", err

    # The transcript says the prompt waited, and where its turn started.
    log = cli("events", session_id).stdout
    clock = r"\d\d:\d\d:\d\d  "
    assert re.search(rf"^{clock}you \({turns[1]}, queued\): queued behind$", log, re.M), log
    assert re.search(rf"^{clock}turn {dropped} INTERRUPTED: interrupted before it started$",
                     log, re.M), log
    assert re.search(rf"^{clock}turn {turns[0]} COMPLETED\n{clock}turn {turns[1]} started "
                     r"\(the prompt queued above\)$", log, re.M), log

    # The Markdown heads each turn where it started: the first turn's reply
    # is under its own heading, the dropped prompt has none.
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")
    md = cli("export", session_id, "--format", "markdown").stdout
    one, two = md.index(f"## Turn 1 · `{turns[0]}`"), md.index(f"## Turn 2 · `{turns[1]}`")
    assert one < md.index("Not sent: the prompt queued as turn") < md.index("> never sent") < two, md
    assert one < md.index("**Codex:**\n\nCommand output:") < two, md
    assert md.index("> queued behind") > two, md
    assert "## Turn 3" not in md, md


def test_export_refuses_an_unknown_format(server: Server, project: Path) -> None:
    import grpc

    from codex_manager.v1 import sessions_pb2, sessions_pb2_grpc

    with grpc.insecure_channel(server.addr) as channel:
        stub = sessions_pb2_grpc.SessionServiceStub(channel)
        request = sessions_pb2.ExportTranscriptRequest(session_id="ses_00000000000000000000",
                                                       format=7)  # type: ignore[arg-type]
        with pytest.raises(grpc.RpcError) as refused:
            list(stub.ExportTranscript(request, timeout=10,
                                       metadata=[("authorization", f"Bearer {server.token}")]))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details() == "format: unknown value 7"


def test_a_turn_with_an_output_schema_and_an_image(cli: Cli, project: Path,
                                                   mock_model: MockModel) -> None:
    """The real Codex passes one turn's output schema and image on to the
    model, and the next turn goes back to the session's settings."""
    import base64
    session_id = create_session(cli, project, policy="never")
    # A 1x1 PNG.
    (project / "dot.png").write_bytes(base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="))
    schema = project / "answer.schema.json"
    schema.write_text(json.dumps({"type": "object", "additionalProperties": False,
                                  "required": ["ok"], "properties": {"ok": {"type": "boolean"}}}))
    log = Path(mock_model.stderr.name)
    before = len(log.read_text().splitlines())
    result = cli("turn", "start", session_id, "describe the image", "--follow",
                 "--output-schema", str(schema), "--image", str(project / "dot.png"))
    assert result.returncode == 0, result.stderr
    asked = [json.loads(line) for line in log.read_text().splitlines()[before:]
             if line.startswith("{")]
    assert asked, "the model got no request"
    first = asked[0]
    assert first["text"]["format"]["type"] == "json_schema"
    assert first["text"]["format"]["schema"]["required"] == ["ok"]
    assert "input_image" in first["input_kinds"]
    # The next turn: no schema, no image.
    before = len(log.read_text().splitlines())
    assert cli("turn", "start", session_id, "plain", "--follow").returncode == 0
    nxt = [json.loads(line) for line in log.read_text().splitlines()[before:]
           if line.startswith("{")][0]
    assert (nxt.get("text") or {}).get("format", {}).get("type") != "json_schema"


def test_compact_a_session(cli: Cli, project: Path, server: Server) -> None:
    """CompactSession has the real Codex summarize the conversation
    (thread/compact/start); a session that is not live is refused."""
    from codex_manager import Client, EventType
    session_id = create_session(cli, project, policy="never")
    assert cli("turn", "start", session_id, "remember the word kumquat", "--follow").returncode == 0
    compact = cli("session", "compact", session_id)
    assert compact.returncode == 0, compact.stderr
    with Client(server.addr) as client:
        def compacted() -> bool:
            return any(e.type == EventType.CONTEXT_COMPACTED
                       or (e.type == EventType.ITEM_COMPLETED
                           and e.proto.item.item_type == "contextCompaction")
                       for e in client.events(session_id, follow=False))
        wait_for(compacted, timeout=30)
    # Codex compacts in a turn of its own (turn/started): the compaction's,
    # not a turn Codex went on in by itself.
    assert [t.get("startedByCodex", False)
            for t in cli.json("turn", "list", session_id)["turns"]] == [False]
    # The conversation goes on after it.
    assert cli("turn", "start", session_id, "still here", "--follow").returncode == 0
    # Every transcript says it once, between the two turns.
    said = "Codex compacted the conversation to free context"
    transcript = cli("events", session_id).stdout
    assert transcript.count(said) == 1, transcript
    assert transcript.index("kumquat") < transcript.index(said) < transcript.index("still here")
    markdown = cli("export", session_id, "--format", "markdown").stdout
    assert markdown.count(f"*{said}.*") == 1, markdown
    assert cli("session", "stop", session_id).returncode == 0
    refused = cli("session", "compact", session_id)
    assert refused.returncode == 1 and "not live" in refused.stderr, refused.stderr


def test_a_steer_mid_turn_changes_the_outcome(cli: Cli, project: Path) -> None:
    """Codex `turn/steer`: input added while the model streams is taken in
    the same turn, whose final answer then follows it."""
    session_id = create_session(cli, project, policy="never")
    follow = cli.popen("turn", "start", session_id, "slow: 150", "--follow")

    def streaming() -> bool:
        events = cli.lines("--json", "events", session_id, "--raw")
        return any(e["type"] == "EVENT_TYPE_AGENT_MESSAGE_DELTA" for e in events)

    wait_for(streaming, timeout=30)
    steered = cli("turn", "steer", session_id, "now say banana")
    assert steered.returncode == 0, steered.stderr
    out, err = follow.communicate(timeout=60)
    assert follow.returncode == 0, err
    turns = cli.json("turn", "list", session_id)["turns"]
    assert len(turns) == 1                      # the same turn, not a new one
    assert turns[0]["finalMessage"] == "You said: now say banana"
    assert "You said: now say banana" in out
    # The follower saw what was added, as the transcript and the Markdown
    # export say it: after the prompt, where Codex took it (the reply it
    # cut short, before).
    assert f"you (steering {turns[0]['turnId']}): now say banana" in err, err
    transcript = cli("events", session_id).stdout
    lines = [line.split("  ", 1)[-1] for line in transcript.splitlines()]
    said = [line for line in lines if line.startswith("you (")]
    assert said == [f"you ({turns[0]['turnId']}): slow: 150",
                    f"you (steering {turns[0]['turnId']}): now say banana"], transcript
    markdown = cli("export", session_id, "--format", "markdown").stdout
    assert markdown.count("**You") == 2, markdown
    steer = markdown.index("**You, while the turn ran:**\n\n> now say banana\n")
    assert markdown.index("**You:**\n\n> slow: 150\n") < steer
    assert steer < markdown.index("You said: now say banana")


def test_the_session_says_what_codex_runs_it_with(server: Server, project: Path) -> None:
    from codex_manager import Client, SessionState, TurnState
    with Client(server.addr) as client:
        session = client.create_session(project, approval_policy="on-request")
        ready = client.wait_for_session(session.session_id, SessionState.IDLE)
        # The model the session leaves to Codex's configuration, named.
        assert ready.model == ""
        c = ready.codex_settings
        assert (c.model, c.model_provider, c.approval_policy, c.approvals_reviewer) == (
            "gpt-5.5", "mock", "on-request", "user")
        assert c.sandbox in ("read-only", "workspace-write"), c.sandbox
        # A turn with other settings changes them (thread/settings/updated).
        client.update_session(session.session_id, model="gpt-5.4", effort="high")
        turn = client.run_turn(session.session_id, "hello")
        assert turn.state == TurnState.COMPLETED
        after = client.get_session(session.session_id).codex_settings
        assert (after.model, after.effort) == ("gpt-5.4", "high")
    show = Cli(server)("session", "show", session.session_id).stdout
    assert "codex_settings:    gpt-5.4 (mock), effort high, on-request, " in show, show


def test_a_turn_that_changes_no_setting_says_none(server: Server, project: Path) -> None:
    """Codex 0.171 sends thread/settings/updated with a thread's first turn,
    naming its default mode ("default") and nothing else new: the session's
    settings stay as they were, and the transcript says them once."""
    from codex_manager import Client, EventType, SessionState, TurnState
    with Client(server.addr) as client:
        session = client.create_session(project, approval_policy="on-request")
        ready = client.wait_for_session(session.session_id, SessionState.IDLE)
        assert client.run_turn(session.session_id, "hello").state == TurnState.COMPLETED
        assert client.run_turn(session.session_id, "again").state == TurnState.COMPLETED
        events = list(client.events(session.session_id, follow=False))
        after = client.get_session(session.session_id).codex_settings
    changes = [e.turn_id for e in events if e.type == EventType.CODEX_SETTINGS_CHANGED]
    assert changes == [""], changes
    assert after.proto == ready.codex_settings.proto
    assert after.collaboration_mode == ""
    assert "thread/settings/updated" not in [
        e.proto.raw.method for e in events if e.type == EventType.RAW]


def test_what_codex_runs_a_turn_with_is_said_as_the_turn_starts(server: Server,
                                                                 project: Path) -> None:
    """One turn's settings change the thread's from its start (Codex's
    thread/settings/updated), and the next turn's change them back: each
    change is a CODEX_SETTINGS_CHANGED event in that turn, committed with
    Session.codex_settings, and the CLI following the turn says it."""
    from codex_manager import Client, EventType, SessionState
    cli = Cli(server)
    with Client(server.addr) as client:
        session = client.create_session(project, approval_policy="on-request")
        ready = client.wait_for_session(session.session_id, SessionState.IDLE)
        one = cli("turn", "start", session.session_id, "hello", "--follow",
                  "--model", "gpt-5.4", "--effort", "high")
        assert one.returncode == 0, one.stderr
        assert "codex settings: gpt-5.4 (mock), effort high, on-request, " in one.stderr, one.stderr
        two = cli("turn", "start", session.session_id, "hello again", "--follow")
        assert two.returncode == 0, two.stderr
        turns = [t.turn_id for t in client.list_turns(session.session_id)]
        events = list(client.events(session.session_id, follow=False))
        changes = [(e.turn_id, e.proto.codex_settings) for e in events
                   if e.type == EventType.CODEX_SETTINGS_CHANGED]
        raw = [e.proto.raw.method for e in events if e.type == EventType.RAW]
        after = client.get_session(session.session_id).codex_settings
    assert "thread/settings/updated" not in raw
    # Ready (no turn), the first turn's, then the second's: back to the
    # thread's own model.
    assert [(turn, c.model) for turn, c in changes] == [
        ("", "gpt-5.5"), (turns[0], "gpt-5.4"), (turns[1], "gpt-5.5")], changes
    assert changes[0][1] == ready.codex_settings.proto
    assert changes[1][1].effort == "high"
    assert changes[-1][1] == after.proto
    # Each in its turn, before the turn's end.
    order = [(e.type, e.turn_id) for e in events]
    for turn in turns:
        said = order.index((EventType.CODEX_SETTINGS_CHANGED, turn))
        ended = max(i for i, (kind, t) in enumerate(order)
                    if kind == EventType.TURN_STATE_CHANGED and t == turn)
        assert said < ended
