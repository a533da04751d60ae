"""Faults (with tests/fake_codex as the runtime) and bad input, through the
real server binary and the CLI."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from cm_testing import FAKE_CODEX, SERVER_BIN
from conftest import CODEX_BIN, Cli, Server, make_server, processes_in, wait_for


def ready_session(cli: Cli, project: Path) -> str:
    session_id = cli.json("session", "create", "--cwd", str(project))["sessionId"]
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")
    return session_id


def test_crash_mid_turn_fails_the_turn_fast_and_stays_resumable(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    start = time.monotonic()
    result = fake_cli("turn", "start", session_id, "crash", "--follow")
    elapsed = time.monotonic() - start
    assert result.returncode == 1
    turn = fake_cli.json("turn", "list", session_id)["turns"][0]
    assert turn["state"] == "TURN_STATE_FAILED"
    assert "exited with status 3" in turn["error"]
    assert "crashing as asked" in turn["error"]
    assert elapsed < 3, elapsed  # includes CLI and stream setup; the detection itself is sub-second
    session = fake_cli.json("session", "show", session_id)
    assert session["state"] == "SESSION_STATE_STOPPED"
    # The server keeps serving and the session comes back.
    assert fake_cli("health").returncode == 0
    fake_cli.json("session", "resume", session_id)
    wait_for(lambda: fake_cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")
    assert fake_cli("turn", "start", session_id, "hello again", "--follow").returncode == 0


def test_garbage_output_is_survived(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    result = fake_cli("turn", "start", session_id, "garbage", "--follow")
    assert result.returncode == 0, result.stderr
    assert "fake: garbage" in result.stdout


def test_interrupt_a_running_turn(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "slow", "--follow")
    wait_for(lambda: fake_cli.json("session", "show", session_id)["state"] == "SESSION_STATE_BUSY")
    time.sleep(0.3)
    assert fake_cli("turn", "interrupt", session_id).returncode == 0
    follow.communicate(timeout=30)
    assert follow.returncode == 1
    turn = fake_cli.json("turn", "list", session_id)["turns"][0]
    assert turn["state"] == "TURN_STATE_INTERRUPTED"
    nothing = fake_cli("turn", "interrupt", session_id)
    assert nothing.returncode == 1 and "FAILED_PRECONDITION" in nothing.stderr


def test_hung_runtime_is_force_stopped(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    fake_cli("turn", "start", session_id, "hang")
    wait_for(lambda: processes_in(project))
    start = time.monotonic()
    stopped = fake_cli.json("session", "stop", session_id, "--force")
    assert stopped["state"] == "SESSION_STATE_STOPPED"
    wait_for(lambda: not processes_in(project), timeout=5)
    assert time.monotonic() - start < 5
    turn = fake_cli.json("turn", "list", session_id)["turns"][0]
    assert turn["state"] == "TURN_STATE_INTERRUPTED"


def test_graceful_stop_of_a_runtime_that_ignores_sigterm(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    fake_cli("turn", "start", session_id, "hang")
    wait_for(lambda: processes_in(project))
    time.sleep(0.2)  # let it install its SIGTERM handler
    fake_cli.json("session", "stop", session_id)
    # --stop-grace 500ms, then SIGKILL to the group.
    wait_for(lambda: not processes_in(project), timeout=5)


def test_missing_codex_binary_fails_the_session_not_the_server(tmp_path: Path, project: Path) -> None:
    gen = make_server(tmp_path, ["--codex-bin", "/nonexistent/codex"])
    server = next(gen)
    try:
        cli = Cli(server)
        session_id = cli.json("session", "create", "--cwd", str(project))["sessionId"]
        session = wait_for(lambda: (s := cli.json("session", "show", session_id))["state"]
                           == "SESSION_STATE_FAILED" and s)
        assert "not found" in session["lastError"]
        assert "/nonexistent/codex" in session["lastError"]
        assert cli("health").returncode == 0
        refused = cli("turn", "start", session_id, "hi")
        assert refused.returncode == 1 and "FAILED_PRECONDITION" in refused.stderr
    finally:
        next(gen, None)  # the fixture's teardown: clean exit, clean logs


def test_bad_input_gets_clear_errors(fake_cli: Cli, project: Path) -> None:
    missing = fake_cli("session", "create", "--cwd", str(project / "nope"))
    assert missing.returncode == 2
    assert "INVALID_ARGUMENT" in missing.stderr and "cwd" in missing.stderr

    policy = fake_cli("session", "create", "--cwd", str(project), "--approval-policy", "maybe")
    assert policy.returncode == 2 and "approval_policy" in policy.stderr

    unknown = fake_cli("session", "show", "ses_00000000000000000000")
    assert unknown.returncode == 4
    assert "ses_00000000000000000000" in unknown.stderr

    session_id = ready_session(fake_cli, project)
    empty = fake_cli("turn", "start", session_id, "   ")
    assert empty.returncode == 2 and "prompt" in empty.stderr

    approval = fake_cli("approval", "approve", "apr_nope")
    assert approval.returncode == 4 and "apr_nope" in approval.stderr

    ahead = fake_cli("events", session_id, "--after", "9999")
    assert ahead.returncode == 1 and "OUT_OF_RANGE" in ahead.stderr
    assert f"9999 is ahead of session {session_id}'s newest event (" in ahead.stderr

    usage = fake_cli("session", "frobnicate")
    assert usage.returncode == 2

    # None of that disturbed anything.
    assert [s["sessionId"] for s in fake_cli.json("session", "list")["sessions"]] == [session_id]


def test_unreachable_server_exit_code(project: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Server(project, project, [])
    server.port = port
    result = Cli(server)("session", "list", timeout=30)
    assert result.returncode == 3
    assert "UNAVAILABLE" in result.stderr


def test_approval_decided_exactly_once_across_clients(fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    follow = fake_cli.popen("turn", "start", session_id, "approve", "--follow")
    approval = wait_for(lambda: (fake_cli.json("approval", "list").get("approvals") or [None])[0])
    procs = [fake_cli.popen("approval", "approve" if i % 2 else "deny", approval["approvalId"])
             for i in range(6)]
    codes = [p.wait(timeout=30) for p in procs]
    assert codes.count(0) == 1, codes
    assert codes.count(1) == 5, codes
    follow.communicate(timeout=30)
    final = fake_cli.json("approval", "list", "--all")["approvals"][0]
    assert final["state"] in ("APPROVAL_STATE_APPROVED", "APPROVAL_STATE_DENIED")
    # Retrying the winning call with its request id is not an error.
    retry_id = "retry-key"
    session2 = ready_session(fake_cli, project)
    follow2 = fake_cli.popen("turn", "start", session2, "approve", "--follow")
    approval2 = wait_for(lambda: fake_cli.json("approval", "list", "--session", session2).get("approvals"))[0]
    assert fake_cli("approval", "approve", approval2["approvalId"], "--request-id", retry_id).returncode == 0
    assert fake_cli("approval", "approve", approval2["approvalId"], "--request-id", retry_id).returncode == 0
    out, _ = follow2.communicate(timeout=30)
    assert "decision was accept" in out


@pytest.mark.parametrize("service", [
    "codex_manager.v1.SessionService",
    "codex_manager.v1.TurnService",
    "codex_manager.v1.ApprovalService",
    "codex_manager.v1.StreamService",
    "codex_manager.v1.AuthService",
    "codex_manager.v1.AuditService",
    "codex_manager.v1.CodexService",
    "codex_manager.v1.MaintenanceService",
    "grpc.health.v1.Health",
])
def test_reflection_lists_every_service(fake_server: Server, service: str) -> None:
    import grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(fake_server.addr) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        response = next(stub.ServerReflectionInfo(
            iter([request]), timeout=10,
            metadata=[("authorization", f"Bearer {fake_server.token}")]))
        names = {s.name for s in response.list_services_response.service}
    assert service in names


def test_request_id_metadata_is_echoed_and_logged(fake_server: Server) -> None:
    import grpc

    with grpc.insecure_channel(fake_server.addr) as channel:
        health = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=lambda _: b"",
            response_deserializer=lambda b: b,
        )
        _, call = health.with_call(b"", metadata=[("x-request-id", "trace-abc-123")], timeout=10)
        assert dict(call.initial_metadata())["x-request-id"] == "trace-abc-123"
        _, call = health.with_call(b"", timeout=10)
        generated = dict(call.initial_metadata())["x-request-id"]
        assert generated.startswith("req_")
    def logged() -> list[dict]:
        return [line for line in fake_server.log_lines() if line.get("msg") == "rpc"
                and line.get("request_id") in ("trace-abc-123", generated)]
    # Each call's line is written as it ends: wait for both.
    rpc_lines = wait_for(lambda: len(logged()) >= 2 and logged())
    assert {line["request_id"] for line in rpc_lines} == {"trace-abc-123", generated}
    assert all(line["method"] == "/grpc.health.v1.Health/Check" and line["code"] == 0
               for line in rpc_lines)


def test_relative_codex_paths_mean_what_they_did_where_the_server_started(
        tmp_path: Path, codex_home: Path, project: Path) -> None:
    """--codex-bin and --codex-home as a person types them, relative to the
    folder the server starts in: Codex runs in each session's folder, so
    the server makes them absolute at start. The turn reaches the mock
    model, which only that CODEX_HOME's config.toml names."""
    here = tmp_path / "started"
    (here / "bin").mkdir(parents=True)
    (here / "bin" / "codex").symlink_to(CODEX_BIN)
    (here / "home").symlink_to(codex_home)
    args = ["--codex-bin", "bin/codex", "--codex-home", "home"]
    servers = make_server(tmp_path, args, cwd=here)
    server = next(servers)
    try:
        cli = Cli(server)
        session_id = ready_session(cli, project)
        turn = cli("turn", "start", session_id, "hello", "--follow")
        assert turn.returncode == 0, turn.stderr
        assert "You said: hello" in turn.stdout
        logged = server.log_lines()
        listening = next(e for e in logged if e.get("msg") == "listening")
        assert listening["codex_bin"] == str(here / "bin" / "codex")
        assert not [e for e in logged if e.get("msg") == "codex binary not found"]
    finally:
        next(servers, None)  # stops it, also when an assertion failed


def test_a_codex_that_cannot_be_run_is_said_at_start_and_by_each_call(
        tmp_path: Path, project: Path) -> None:
    """The server starts and says which --codex-bin it cannot run; a call
    that needs Codex fails UNAVAILABLE with the server's reason, and the
    CLI does not blame the connection for it."""
    missing = "tools/no-such-codex/bin/codex"
    servers = make_server(tmp_path, ["--codex-bin", missing], cwd=tmp_path)
    server = next(servers)
    try:
        warned = [e for e in server.log_lines() if e.get("msg") == "codex binary not found"]
        assert [(e["level"], e["codex_bin"]) for e in warned] == [
            ("warning", str(tmp_path / missing))], warned
        assert "--codex-bin" in warned[0]["hint"]
        cli = Cli(server)
        account = cli("codex", "account")
        assert account.returncode == 3, account.stderr
        assert "codex binary not found" in account.stderr, account.stderr
        assert "could not reach" not in account.stderr, account.stderr
        session_id = cli.json("session", "create", "--cwd", str(project))["sessionId"]
        failed = wait_for(lambda: (s := cli.json("session", "show", session_id))["state"]
                          == "SESSION_STATE_FAILED" and s)
        assert "codex binary not found" in failed["lastError"], failed
    finally:
        next(servers, None)


def test_an_id_too_long_to_be_one_is_invalid_argument(fake_server: Server) -> None:
    """An id over 256 bytes names nothing: every kind of call (a unary
    one, one Codex answers later, a stream, an export) refuses it as
    INVALID_ARGUMENT naming the field, without quoting it back (a 100 KB
    id in a NOT_FOUND's trailer was over grpcio's 16 KiB limit, and the
    SDK raised RESOURCE_EXHAUSTED instead). 256 bytes is still an id to
    look up."""
    from codex_manager import Client, InvalidArgumentError, NotFoundError
    long_id = "x" * 100_000
    with Client(fake_server.addr, token=fake_server.token) as client:
        calls = {
            "session_id": lambda: client.get_session(long_id),
            "before_turn_id": lambda: client.fork_session("ses_1", before_turn_id=long_id),
            "login_id": lambda: client.get_codex_login(long_id),
            "approval_id": lambda: client.approve(long_id),
        }
        for field, call in calls.items():
            with pytest.raises(InvalidArgumentError) as raised:
                call()
            assert raised.value.details == f"{field}: at most 256 bytes, got 100000"
        with pytest.raises(InvalidArgumentError, match="session_id: at most 256 bytes"):
            next(iter(client.events(long_id, follow=False)))
        with pytest.raises(InvalidArgumentError, match="session_id: at most 256 bytes"):
            b"".join(client.export_transcript(long_id))
        with pytest.raises(NotFoundError, match="^NOT_FOUND: session x{256} not found"):
            client.get_session("x" * 256)


def test_a_request_grpc_cannot_parse_is_invalid_argument_naming_the_field(
        fake_server: Server, fake_cli: Cli, project: Path) -> None:
    """A request whose bytes are not the method's message (a string field
    that is not UTF-8, as proto3 requires, or a broken encoding) gets what
    its handler would have answered: INVALID_ARGUMENT naming the field
    once the caller is admitted, UNAUTHENTICATED without a token. gRPC's
    callback API alone answered an empty UNIMPLEMENTED, as for a method
    that does not exist. Protobuf's own complaint does not reach the log
    as a bare line: every line stays JSON."""
    import grpc
    from codex_manager.v1 import events_pb2, sessions_pb2, turns_pb2

    session_id = ready_session(fake_cli, project)
    start_turn = turns_pb2.StartTurnRequest(session_id=session_id, prompt="PROMPT")
    not_utf8 = start_turn.SerializeToString().replace(b"PROMPT", b"PR\xffMPT")
    stream = events_pb2.StreamEventsRequest(session_id=session_id).SerializeToString()
    stream_not_utf8 = stream.replace(session_id.encode(), b"ses_\xff" + session_id[5:].encode())
    calls = [  # method, request bytes, the message with a token
        ("/codex_manager.v1.TurnService/StartTurn", not_utf8,
         "prompt: not valid UTF-8 (codex_manager.v1.StartTurnRequest.prompt is a Protobuf "
         "string, which must be UTF-8)"),
        ("/codex_manager.v1.SessionService/ListSessions", b"\x0a\x05ab",
         "request: not a valid codex_manager.v1.ListSessionsRequest (gRPC could not parse "
         "its Protobuf encoding)"),
    ] + [  # a stream: the interceptor answers one, the other parses its own request
        (f"/codex_manager.v1.StreamService/{method}", stream_not_utf8,
         "session_id: not valid UTF-8 (codex_manager.v1.StreamEventsRequest.session_id is a "
         "Protobuf string, which must be UTF-8)")
        for method in ("StreamEvents", "StreamEventBatches")
    ]
    authorized = [("authorization", f"Bearer {fake_server.token}")]
    with grpc.insecure_channel(fake_server.addr) as channel:
        for method, request, message in calls:
            unary = "Stream" not in method
            call = (channel.unary_unary if unary else channel.unary_stream)(
                method, request_serializer=lambda b: b, response_deserializer=lambda b: b)
            for metadata, code, details in ((authorized, grpc.StatusCode.INVALID_ARGUMENT, message),
                                            ([], grpc.StatusCode.UNAUTHENTICATED, None)):
                with pytest.raises(grpc.RpcError) as raised:
                    result = call(request, metadata=metadata, timeout=10)
                    if not unary:
                        list(result)
                assert raised.value.code() == code, (method, raised.value)
                if details is not None:
                    assert raised.value.details() == message
        # The well-formed request still works, and nothing was started.
        ok = channel.unary_unary("/codex_manager.v1.SessionService/GetSession",
                                 request_serializer=lambda b: b,
                                 response_deserializer=sessions_pb2.Session.FromString)
        got = ok(sessions_pb2.GetSessionRequest(session_id=session_id).SerializeToString(),
                 metadata=authorized, timeout=10)
        assert got.session_id == session_id
    assert fake_cli.json("turn", "list", session_id).get("turns", []) == []
    # The failed mutation is in the audit log, as a handler's is.
    audited = wait_for(lambda: [r for r in fake_cli.json("audit", "list", "--since", "1h")["auditEvents"]
                                if r["method"].endswith("/StartTurn") and r.get("code") == 3])
    assert "prompt: not valid UTF-8" in audited[0]["message"]
    logged = wait_for(lambda: [e for e in fake_server.log_lines()
                               if e.get("msg") == "rpc" and e.get("code") == 3
                               and e["method"].endswith("/StartTurn")])
    assert logged[0]["message"].startswith("prompt: not valid UTF-8")
    for line in fake_server.log_path.read_text().splitlines():
        json.loads(line)  # no bare "[libprotobuf ERROR …]" line


def test_a_prompt_that_is_not_utf8_is_a_usage_error_naming_the_field(
        fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    started = subprocess.run(fake_cli.argv("turn", "start", session_id, "-"),
                             input=b"caf\xe9 au lait", capture_output=True, timeout=30)
    assert started.returncode == 2, started.stderr
    assert started.stderr.decode() == (
        "error: INVALID_ARGUMENT: prompt: not valid UTF-8 (codex_manager.v1.StartTurnRequest"
        ".prompt is a Protobuf string, which must be UTF-8)\n")


def test_a_second_server_on_the_same_port_exits_and_leaves_the_first_serving(
        fake_server: Server, fake_cli: Cli, tmp_path: Path) -> None:
    """gRPC sets SO_REUSEPORT by default, so a second server on the same
    address used to start, and the kernel shared connections between the
    two. Now it exits 1 saying so, in JSON lines, before it touches its
    data dir (it used to write a store and an admin token there first)."""
    second = subprocess.run([str(SERVER_BIN), "--listen", fake_server.addr,
                             "--data-dir", str(tmp_path / "second"), "--codex-bin", str(FAKE_CODEX)],
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 1, second.stderr
    lines = [json.loads(line) for line in second.stderr.splitlines()]
    assert lines[-1]["msg"] == "cannot listen" and lines[-1]["listen"] == fake_server.addr
    assert lines[-1]["error"].startswith(f"--listen {fake_server.addr}: address already in use")
    assert not (tmp_path / "second").exists()
    for _ in range(20):  # every new connection still reaches the first
        assert fake_cli("health").returncode == 0
