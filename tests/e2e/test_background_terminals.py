"""Background terminals, with the real, pinned codex: a process the agent
left running after its turn (Codex's unified exec) is listed through the
CLI and the SDK and ended from either, while the session goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Cli, Server, wait_for
from test_real_codex import create_session

from codex_manager import Client, EventType, FailedPreconditionError, NotFoundError


def pids_running(*argv: str) -> list[int]:
    """Pids of live processes whose command line is exactly `argv`."""
    want = "\0".join(argv).encode() + b"\0"
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "cmdline").read_bytes() == want and \
                    "Z" not in (entry / "stat").read_text().split(")")[-1][:3]:
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def test_a_process_left_running_is_listed_and_ended(server: Server, cli: Cli,
                                                     project: Path) -> None:
    session_id = create_session(cli, project, policy="never")
    # Unique per test run: the sleeps of other tests are not ours.
    seconds = str(300 + os.getpid() % 500)
    started = cli("turn", "start", session_id, f"background: echo started; sleep {seconds}",
                  "--follow")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().endswith("Left it running."), started.stdout
    wait_for(lambda: pids_running("sleep", seconds))

    # The CLI's table, and the SDK's view of the same terminal.
    table = cli("session", "terminals", session_id)
    assert table.returncode == 0, table.stderr
    header, row = table.stdout.splitlines()
    assert header.split() == ["PROCESS", "PID", "CPU", "MEMORY", "COMMAND"]
    assert row.endswith(f"echo started; sleep {seconds}"), row
    with Client(server.addr) as client:
        [terminal] = client.list_background_terminals(session_id)
        assert terminal.command == f"echo started; sleep {seconds}"
        assert terminal.cwd == str(project)
        assert row.split()[0] == terminal.process_id
        # It is the command item the turn showed.
        started_items = [e.item for e in client.events(session_id, follow=False)
                         if e.type == EventType.ITEM_STARTED and e.item.item_type == "commandExecution"]
        assert [i.item_id for i in started_items] == [terminal.item_id]

        with pytest.raises(NotFoundError, match="no background terminal 999999"):
            client.terminate_background_terminals(session_id, "999999")
        # Codex 0.171's ids are numbers; it refuses others itself.
        with pytest.raises(FailedPreconditionError, match="invalid background terminal"):
            client.terminate_background_terminals(session_id, "nope")
        with pytest.raises(ValueError):
            client.terminate_background_terminals(session_id, terminal.process_id, all=True)
        with pytest.raises(NotFoundError, match="ses_00000000000000000000"):
            client.list_background_terminals("ses_00000000000000000000")

    # Ended from the CLI: the process is gone and its item completes after
    # its turn did; the session goes on.
    ended = cli("session", "terminate", session_id, terminal.process_id)
    assert ended.returncode == 0, ended.stderr
    assert ended.stdout.strip() == f"ended background terminal {terminal.process_id}"
    wait_for(lambda: not pids_running("sleep", seconds))
    assert cli("session", "terminals", session_id).stdout.strip() == \
        "No background terminals run in this session."

    def completed() -> list[dict]:
        return [e["item"] for e in cli.lines("events", session_id)
                if e["type"] == "EVENT_TYPE_ITEM_COMPLETED"
                and e["item"]["itemId"] == terminal.item_id]
    [item] = wait_for(completed)
    assert item["status"] == "failed"
    assert item["aggregatedOutput"].rstrip().endswith("started")  # after any login-shell noise
    assert cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE"
    audit = cli.json("audit", "list", "--method",
                     "/codex_manager.v1.SessionService/TerminateBackgroundTerminals")
    records = audit.get("events", audit.get("auditEvents", []))
    assert [r.get("resourceId") for r in records if r.get("code", 0) == 0] == [
        f"{session_id} {terminal.process_id}"]

    # --all ends every one (SDK: all=True); a stopped session has none.
    again = cli("turn", "start", session_id, f"background: sleep {seconds}", "--follow")
    assert again.returncode == 0, again.stderr
    wait_for(lambda: pids_running("sleep", seconds))
    both = cli("session", "terminate", session_id, "x", "--all")
    assert both.returncode == 2 and "not both" in both.stderr
    everything = cli("session", "terminate", session_id, "--all")
    assert everything.returncode == 0, everything.stderr
    wait_for(lambda: not pids_running("sleep", seconds))
    assert cli("session", "stop", session_id).returncode == 0
    with Client(server.addr) as client:
        assert client.list_background_terminals(session_id) == []
        client.terminate_background_terminals(session_id, all=True)


def test_what_the_agent_types_into_a_running_command_reaches_every_client(
        server: Server, cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project, policy="never")
    left = cli("turn", "start", session_id, "background: while read l; do echo got:$l; done",
               "--follow")
    assert left.returncode == 0, left.stderr
    typed = cli("turn", "start", session_id, "type: hello", "--follow")
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout.strip() == "Typed it. Output: got:hello", typed.stdout
    with Client(server.addr) as client:
        [terminal] = client.list_background_terminals(session_id)
        assert f"typed into background terminal {terminal.process_id}: hello" in typed.stderr
        events = list(client.events(session_id, follow=False))
        [input_event] = [e for e in events if e.type == EventType.TERMINAL_INPUT]
        assert input_event.terminal_input.item_id == terminal.item_id
        assert input_event.terminal_input.process_id == terminal.process_id
        assert input_event.terminal_input.stdin == "hello\n"
        # Typed from the second turn; the command's output stays its own turn's.
        turns = [t.turn_id for t in client.list_turns(session_id)]
        assert input_event.turn_id == turns[1]
        output = [e for e in events if e.type == EventType.COMMAND_OUTPUT_DELTA
                  and e.delta.item_id == terminal.item_id]
        assert "got:hello" in "".join(e.delta.text for e in output)
        assert {e.turn_id for e in output} == {turns[0]}
        client.terminate_background_terminals(session_id, all=True)
    md = cli("export", session_id, "--format", "markdown").stdout
    assert f"> **Typed into a running command** (process {terminal.process_id}): `hello`" in md
