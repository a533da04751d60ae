"""The CLI as a newcomer types it: addresses, flags anywhere, --version,
usage errors that would otherwise lose an approval, relative --cwd, and
Ctrl-C while following a turn (issue 12)."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from cm_testing import server_without_batches

from conftest import CLI_BIN, Cli, Server, wait_for
from test_faults_and_errors import ready_session


def free_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_never_reached_fails_fast_naming_the_address() -> None:
    addr = f"127.0.0.1:{free_port()}"
    for args in (["events", "ses_x"], ["events", "ses_x", "--follow"], ["session", "list"]):
        start = time.monotonic()
        result = subprocess.run([str(CLI_BIN), "--addr", addr, *args],
                                capture_output=True, text=True, timeout=30)
        assert time.monotonic() - start < 5, args  # was a minute of retries
        assert result.returncode == 3, args
        assert f"could not reach codex-manager-server at {addr}" in result.stderr
        assert "CODEX_MANAGER_ADDR" in result.stderr


def test_an_http1_address_is_named_as_probably_the_web_proxy() -> None:
    # A newcomer points the CLI at the UI's address: gRPC says "Trying to
    # connect an http1.x server"; the hint names the likely mix-up.
    from cm_testing import http1_server
    with http1_server() as addr:
        result = subprocess.run([str(CLI_BIN), "--addr", addr, "session", "list"],
                                capture_output=True, text=True, timeout=30)
    assert result.returncode == 3
    assert (f"hint: {addr} answers HTTP/1.1, not gRPC: is it codex-manager-web"
            in result.stderr), result.stderr
    assert "could not reach" not in result.stderr


@pytest.mark.parametrize("addr,message", [
    ("a:b:c", "brackets"),
    ("127.0.0.1:0", "port must be"),
    ("127.0.0.1:99999", "port must be"),
    ("127.0.0.1:http", "port must be"),
    (":50051", "HOST:PORT"),
])
def test_bad_addresses_are_usage_errors(addr: str, message: str) -> None:
    result = subprocess.run([str(CLI_BIN), "--addr", addr, "session", "list"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert message in result.stderr


def test_timeout_ms_zero_is_no_deadline_and_a_negative_one_a_usage_error(fake_cli: Cli) -> None:
    assert fake_cli("--timeout-ms", "0", "session", "list").returncode == 0
    refused = fake_cli("--timeout-ms", "-5", "session", "list")
    assert refused.returncode == 2  # was DEADLINE_EXCEEDED, exit 3
    assert "--timeout-ms" in refused.stderr


def test_a_host_alone_dials_the_default_port() -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 50051)) == 0:
            pytest.skip("something listens on 50051 here")
    result = subprocess.run([str(CLI_BIN), "--addr", "127.0.0.1", "session", "list"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 3
    assert "at 127.0.0.1:50051" in result.stderr  # not port 0


def test_global_flags_anywhere_and_version(fake_cli: Cli, fake_server: Server) -> None:
    result = subprocess.run([str(CLI_BIN), "session", "list", "--json", "--addr", fake_server.addr],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("{")
    version = subprocess.run([str(CLI_BIN), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0
    assert version.stdout.startswith("codex-manager ")


def test_on_approval_without_follow_is_a_usage_error(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    result = fake_cli("turn", "start", session_id, "approve", "--on-approval", "approve")
    assert result.returncode == 2
    assert "--follow" in result.stderr
    assert fake_cli.json("turn", "list", session_id).get("turns", []) == []  # nothing queued


def test_a_relative_cwd_is_taken_from_the_shell(fake_cli: Cli, project: Path) -> None:
    import json
    result = subprocess.run(fake_cli.argv("--json", "session", "create", "--cwd", "."),
                            capture_output=True, text=True, timeout=30, cwd=project)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["cwd"] == str(project)
    nested = project / "sub"
    nested.mkdir()
    result = subprocess.run(fake_cli.argv("--json", "session", "create", "--cwd", "sub/../sub"),
                            capture_output=True, text=True, timeout=30, cwd=project)
    assert json.loads(result.stdout)["cwd"] == str(nested)


def wait_for_line(proc: subprocess.Popen[str], text: str, timeout: float = 20) -> None:
    """Reads the process's stderr until a line containing `text`."""
    assert proc.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if text in line:
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line with {text!r}")


def test_ctrl_c_interrupts_the_followed_turn_then_a_second_detaches(fake_cli: Cli,
                                                                    project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    # One Ctrl-C: the turn is interrupted, the CLI waits for it to end.
    follow = fake_cli.popen("turn", "start", session_id, "slow", "--follow")
    wait_for_line(follow, "turn ")
    time.sleep(0.5)  # some deltas are out
    follow.send_signal(signal.SIGINT)
    _, err = follow.communicate(timeout=30)
    assert follow.returncode == 130, err
    assert "interrupting turn" in err
    turns = fake_cli.json("turn", "list", session_id)["turns"]
    assert turns[0]["state"] == "TURN_STATE_INTERRUPTED"

    # Two Ctrl-C: the second leaves at once and says how to come back.
    follow = fake_cli.popen("turn", "start", session_id, "hang", "--follow")
    wait_for_line(follow, "turn ")
    follow.send_signal(signal.SIGINT)
    wait_for_line(follow, "interrupting turn")
    follow.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = follow.communicate(timeout=10)
    assert time.monotonic() - started < 5
    assert follow.returncode == 130
    assert f"codex-manager events {session_id} --follow" in err


def test_ctrl_c_with_detach_leaves_the_turn_running(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "slow", "--follow", "--detach")
    wait_for_line(follow, "turn ")
    follow.send_signal(signal.SIGINT)
    _, err = follow.communicate(timeout=10)
    assert follow.returncode == 130
    assert "detached" in err
    turn = fake_cli.json("turn", "list", session_id)["turns"][0]
    assert turn["state"] in ("TURN_STATE_RUNNING", "TURN_STATE_COMPLETED")
    wait_for(lambda: fake_cli.json("turn", "list", session_id)["turns"][0]["state"]
             == "TURN_STATE_COMPLETED", timeout=20)


def test_empty_lists_say_what_to_do(fake_cli: Cli, project: Path) -> None:
    assert fake_cli("session", "list").stdout.startswith("No sessions. Create one:")
    session_id = ready_session(fake_cli, project)
    assert fake_cli("turn", "list", session_id).stdout.startswith("No turns yet.")
    assert fake_cli("approval", "list").stdout.startswith("No approvals waiting.")
    assert fake_cli.json("session", "list")["sessions"][0]["sessionId"] == session_id


def test_session_list_filters_by_text_folder_and_state(fake_cli: Cli, project: Path) -> None:
    web = project / "web"
    web.mkdir()
    app = ready_session(fake_cli, project)
    front = ready_session(fake_cli, web)
    assert fake_cli("session", "update", app, "--title", "Fix \x1b[31mLOGIN\n").returncode == 0
    assert fake_cli("session", "stop", front).returncode == 0

    def listed(*flags: str, cwd: Path | None = None) -> str:
        result = subprocess.run(fake_cli.argv("session", "list", *flags), capture_output=True,
                                text=True, timeout=30, cwd=cwd)
        assert result.returncode == 0, result.stderr
        return result.stdout

    found = listed("--search", "login")
    assert app in found and front not in found
    assert "\x1b" not in found and "Fix [31mLOGIN " in found  # the title on its line, inert
    assert front in listed("--cwd", "web", cwd=project) and app not in listed("--cwd", str(web))
    assert [front] == [s["sessionId"] for s in fake_cli.json(
        "session", "list", "--state", "STOPPED", "--state", "failed")["sessions"]]
    assert listed("--search", "nothing like it") == "No sessions match.\n"
    # A prompt sent in a session finds it too (the stopped one, resumed by it).
    sent = fake_cli("turn", "start", front, "Migrate the Postgres schema", "--follow")
    assert sent.returncode == 0, sent.stderr
    found = listed("--search", "POSTGRES")
    assert front in found and app not in found
    # Untitled, it is listed by the start of its first prompt.
    row = [line for line in found.splitlines() if line.startswith(front)][0]
    assert "  Migrate the Postgres sc~  " in row, found
    assert fake_cli.json("session", "show", front)["preview"] == "Migrate the Postgres schema"
    assert "preview:           Migrate the Postgres schema\n" in fake_cli(
        "session", "show", front).stdout
    bad = fake_cli("session", "list", "--state", "asleep")
    assert bad.returncode == 2 and "--state" in bad.stderr, bad.stderr
    too_long = fake_cli("session", "list", "--search", "x" * 201)
    assert too_long.returncode == 2 and "search" in too_long.stderr, too_long.stderr
    assert values(complete("session", "list", "--state", "st")) == ["starting", "stopped"]


def test_session_archive_archives(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    result = fake_cli("session", "archive", session_id)
    assert result.returncode == 0, result.stderr
    assert "ARCHIVED" in result.stdout
    assert fake_cli.json("session", "show", session_id)["state"] == "SESSION_STATE_ARCHIVED"
    assert fake_cli("session", "archive").returncode == 2  # the id is required


def test_turn_interrupt_says_what_happens(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "slow", "--follow", "--detach")
    wait_for_line(follow, "turn ")
    result = fake_cli("turn", "interrupt", session_id)
    assert result.returncode == 0
    assert result.stdout.startswith("interrupting turn ")  # not "state: RUNNING"
    assert "INTERRUPTED" in result.stdout
    _, err = follow.communicate(timeout=20)
    assert follow.returncode == 1  # the followed turn ended INTERRUPTED, not by this CLI's Ctrl-C
    assert "INTERRUPTED" in err


def test_command_help_shows_global_flags_and_points_to_exit_codes() -> None:
    result = subprocess.run([str(CLI_BIN), "session", "list", "--help"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "--json" in result.stdout and "--addr" in result.stdout
    assert "Exit codes and environment: codex-manager --help" in result.stdout
    assert "UNAVAILABLE" not in result.stdout  # the table is in the main help only
    main = subprocess.run([str(CLI_BIN), "--help"], capture_output=True, text=True, timeout=30)
    assert "130" in main.stdout and "UNAVAILABLE" in main.stdout


@pytest.mark.parametrize("argv,expected", [
    (["sesion", "list"], ["unknown command \"sesion\" for \"codex-manager\"", "\tsession"]),
    (["session", "lst"], ["unknown command \"lst\" for \"codex-manager session\"", "\tlist"]),
    (["--addr", "127.0.0.1:1", "aproval", "list"], ["\tapproval"]),
    (["frobnicate"], ["unknown command \"frobnicate\"", "codex-manager --help"]),
    (["session"], ["\"codex-manager session\" needs a command: create list"]),
    # A flag before the command takes no value: the command is still read.
    (["--json", "sesion", "list"], ["unknown command \"sesion\" for \"codex-manager\""]),
    (["--json", "turn", "start", "S", "p", "--wait"],
     ["The following argument was not expected: --wait"]),
])
def test_typos_get_did_you_mean(argv: list[str], expected: list[str]) -> None:
    result = subprocess.run([str(CLI_BIN), *argv], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    for text in expected:
        assert text in result.stderr
    assert "A subcommand is required" not in result.stderr


def test_a_missing_review_target_is_said_as_such() -> None:
    # Not "unknown command" for the session id: CLI11 keeps the target's
    # option group as a nameless subcommand, which is not a command.
    result = subprocess.run([str(CLI_BIN), "turn", "review", "ses_x", "--follow"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "Exactly 1 option from [--uncommitted,--base,--commit,--instructions]" in result.stderr
    assert "unknown command" not in result.stderr, result.stderr


def complete(*words: str) -> list[tuple[str, str]]:
    """What `codex-manager __complete` offers for the last word."""
    result = subprocess.run([str(CLI_BIN), "__complete", *words], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return [tuple((line + "\t").split("\t")[:2]) for line in result.stdout.splitlines()]


def values(candidates: list[tuple[str, str]]) -> list[str]:
    return [value for value, _ in candidates]


def test_shell_completion_offers_commands_flags_values_and_ids(fake_cli: Cli, fake_server: Server,
                                                               project: Path) -> None:
    assert ("session", "Create, list and control sessions") in complete("ses")
    assert values(complete("session", "")) == ["create", "list", "show", "stop", "resume",
                                                "archive", "unarchive", "update", "compact",
                                                "goal", "files",
                                                "skills", "mcp", "terminals",
                                                "terminate", "import", "fork", "revert"]
    assert {"--all", "--page-size", "--addr", "--json"} <= set(values(complete("session", "list",
                                                                               "--")))
    assert values(complete("run", "--on-approval", "a")) == ["ask", "approve"]
    assert "__complete" not in values(complete(""))
    assert "completion" in values(complete(""))
    # `turn review`'s target is an option group (CLI11 keeps it as a
    # subcommand without a name): its flags are offered, each flag once.
    review_flags = values(complete("turn", "review", "S", "--"))
    assert {"--uncommitted", "--base", "--commit", "--instructions"} <= set(review_flags)
    assert len(review_flags) == len(set(review_flags)), review_flags

    # Ids come from the server the line points at.
    session_id = ready_session(fake_cli, project)
    assert fake_cli("turn", "start", session_id, "hello", "--follow").returncode == 0
    turn_id = fake_cli.json("turn", "list", session_id)["turns"][0]["turnId"]
    addr = ["--addr", fake_server.addr]
    sessions = complete(*addr, "session", "show", "")
    assert session_id in values(sessions)
    assert session_id in values(complete(*addr, "session", "files", ""))
    assert values(complete(*addr, "turn", "review", "")) == [session_id]
    assert session_id in values(complete(*addr, "session", "skills", ""))
    assert session_id in values(complete("--json", *addr, "session", "skills", ""))
    assert any(value == session_id and "IDLE" in description for value, description in sessions)
    # A title reaches the shell on one line, without its control bytes.
    assert fake_cli("session", "update", session_id, "--title", "a\x1b[31mb\nc").returncode == 0
    titled = dict(complete(*addr, "session", "show", ""))[session_id]
    assert "\x1b" not in titled and titled.endswith("a [31mb c"), titled
    assert values(complete(*addr, "events", session_id, "--turn", "")) == [turn_id]
    assert values(complete(*addr, "turn", "show", "turn_")) == [turn_id]
    assert values(complete(*addr, "session", "revert", session_id, "--before", "")) == [turn_id]
    assert complete(*addr, "session", "show", "ses_nope") == []
    # No server: no ids, no error, at once.
    started = time.monotonic()
    assert complete("--addr", f"127.0.0.1:{free_port()}", "session", "show", "") == []
    assert time.monotonic() - started < 5


def test_the_bash_completion_script_completes_as_a_user_types(fake_cli: Cli,
                                                              fake_server: Server,
                                                              project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    script = subprocess.run([str(CLI_BIN), "completion", "bash"], capture_output=True, text=True,
                            timeout=30).stdout
    assert "complete -o filenames -F _codex_manager codex-manager" in script

    def tab(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in (str(CLI_BIN), "--addr", fake_server.addr, *words))
        program = (f"source /dev/stdin; COMP_WORDS=({line}); COMP_CWORD={len(words) + 2}; "
                   "_codex_manager; printf '%s\\n' \"${COMPREPLY[@]}\"")
        result = subprocess.run(["bash", "-c", program], input=script, capture_output=True,
                                text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert tab("sess") == ["session"]
    assert tab("session", "show", "") == [session_id]
    assert tab("turn", "start", "--on-approval", "d") == ["deny"]
    for shell in ("zsh", "fish"):
        text = subprocess.run([str(CLI_BIN), "completion", shell], capture_output=True, text=True,
                              timeout=30).stdout
        assert "__complete" in text and "codex-manager" in text
    assert subprocess.run([str(CLI_BIN), "completion", "tcsh"], capture_output=True,
                          timeout=30).returncode == 2


def test_command_help_has_examples() -> None:
    result = subprocess.run([str(CLI_BIN), "events", "--help"], capture_output=True, text=True,
                            timeout=30)
    assert "Examples:\n  $ codex-manager events $S" in result.stdout


def test_a_server_that_accepts_but_never_answers_fails_in_seconds() -> None:
    listener = socket.socket()  # takes TCP connections, never speaks HTTP/2
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    addr = f"127.0.0.1:{listener.getsockname()[1]}"
    try:
        for args in (["session", "list"], ["events", "ses_x"]):
            started = time.monotonic()
            result = subprocess.run([str(CLI_BIN), "--addr", addr, *args], capture_output=True,
                                    text=True, timeout=60)
            assert time.monotonic() - started < 9  # gRPC alone: 10 s deadline, 20 s connect
            assert result.returncode == 3
            assert f"could not reach codex-manager-server at {addr}" in result.stderr
    finally:
        listener.close()


def test_events_fall_back_to_stream_events_on_a_server_without_batches(
        fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    followed = fake_cli("turn", "start", session_id, "hello", "--follow")
    assert followed.returncode == 0, followed.stderr
    expected = fake_cli("--json", "events", session_id)
    assert expected.returncode == 0, expected.stderr
    with server_without_batches(fake_cli.server.addr) as older:
        got = subprocess.run([str(CLI_BIN), "--addr", older, "--json", "events", session_id],
                             capture_output=True, text=True, timeout=60)
        # Following a turn through it, to its end (exit 0: COMPLETED).
        turn_id = fake_cli.json("turn", "start", session_id, "again")["turnId"]
        followed_there = subprocess.run(
            [str(CLI_BIN), "--addr", older, "events", session_id, "--turn", turn_id, "--follow"],
            capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected.stdout
    assert len(expected.stdout.splitlines()) > 3
    assert followed_there.returncode == 0, followed_there.stderr
    assert "COMPLETED" in followed_there.stdout + followed_there.stderr
