"""The trust boundary end to end (docs/security.md): tokens on every call,
roles, the CLI's token commands, file modes, the exposure guard, TLS and
mTLS, allowed roots, limits, and the audit log — against the real server
binary and CLI."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, Server, make_server

from cm_testing import CLI_BIN, FAKE_CODEX, SERVER_BIN, make_test_pki, wait_for


def cli_as(server: Server, token: str, *args: str, extra: list[str] | None = None,
           timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CODEX_MANAGER_TOKEN"}
    if token:
        env["CODEX_MANAGER_TOKEN"] = token
    env["HOME"] = "/nonexistent"  # no default admin.token to fall back on
    return subprocess.run([str(CLI_BIN), "--addr", server.addr, *(extra or []), *args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_no_token_is_refused_and_health_stays_open(fake_server: Server) -> None:
    refused = cli_as(fake_server, "", "session", "list")
    assert refused.returncode == 5
    assert "UNAUTHENTICATED" in refused.stderr and "hint:" in refused.stderr
    bad = cli_as(fake_server, "cmt_" + "A" * 43, "session", "list")
    assert bad.returncode == 5
    # The same words for an unknown token as for none: nothing is revealed.
    assert refused.stderr.splitlines()[0] == bad.stderr.splitlines()[0]
    assert cli_as(fake_server, "", "health").returncode == 0


def test_token_lifecycle_and_roles(fake_cli: Cli, fake_server: Server, project: Path) -> None:
    viewer = fake_cli.json("token", "create", "--name", "dash", "--role", "viewer", "--ttl", "30d")
    assert viewer["secret"].startswith("cmt_") and viewer["role"] == "ROLE_VIEWER"
    assert viewer["expireTime"]
    listed = fake_cli("token", "list")
    assert "dash" in listed.stdout and viewer["secret"] not in listed.stdout
    whoami = cli_as(fake_server, viewer["secret"], "whoami")
    assert whoami.returncode == 0 and "dash" in whoami.stdout and "viewer" in whoami.stdout
    assert cli_as(fake_server, viewer["secret"], "session", "list").returncode == 0
    denied = cli_as(fake_server, viewer["secret"], "session", "create", "--cwd", str(project))
    assert denied.returncode == 5
    assert "PERMISSION_DENIED" in denied.stderr and "needs role operator" in denied.stderr
    operator = fake_cli.json("token", "create", "--name", "bot", "--role", "operator")
    made = cli_as(fake_server, operator["secret"], "session", "create", "--cwd", str(project))
    assert made.returncode == 0, made.stderr
    assert cli_as(fake_server, operator["secret"], "token", "list").returncode == 5

    assert fake_cli("token", "revoke", viewer["tokenId"]).returncode == 0
    gone = cli_as(fake_server, viewer["secret"], "session", "list")
    assert gone.returncode == 5 and "UNAUTHENTICATED" in gone.stderr

    audit = fake_cli.json("audit", "list")["auditEvents"]
    methods = [(a["method"].rsplit("/", 1)[1], a.get("code", 0)) for a in audit]
    assert ("RevokeToken", 0) in methods
    assert ("CreateSession", 7) in methods  # the viewer's refused attempt
    assert ("CreateSession", 0) in methods
    assert ("ListSessions", 16) in methods  # the revoked token
    refused = next(a for a in audit if a["method"].endswith("CreateSession") and a.get("code") == 7)
    assert refused["tokenName"] == "dash" and refused["peer"].startswith("ipv")
    # --since in days, and further back than a Timestamp reaches (the CLI
    # aborted on Protobuf's range check): everything.
    for since in ("7d", "99999999h", "1000000000d"):
        assert fake_cli.json("audit", "list", "--since", since)["auditEvents"] == audit, since
    assert fake_cli("audit", "list", "--since", "-1h").returncode == 2


def test_data_dir_is_private(fake_server: Server) -> None:
    data = fake_server.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("admin.token", "codex-manager.db"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
    assert (data / "admin.token").read_text().count("\n") == 1


def test_existing_loose_modes_are_tightened_and_admin_token_rotates(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir(mode=0o755)
    (data / "notes.txt").write_text("x")
    os.chmod(data / "notes.txt", 0o644)
    os.chmod(data, 0o755)
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX)])
    server = next(gen)
    try:
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE((data / "notes.txt").stat().st_mode) == 0o600
        first = server.token
        server.stop()
        server.start()
        assert server.token == first  # a later start leaves it alone
        server.stop()
        server.args.append("--rotate-admin-token")
        server.start()
        assert server.token != first
        assert cli_as(server, first, "session", "list").returncode == 5
        assert cli_as(server, server.token, "session", "list").returncode == 0
    finally:
        os.environ["CODEX_MANAGER_TOKEN"] = server.token
        for _ in gen:
            pass


@pytest.mark.parametrize("args,message", [
    (["--listen", "0.0.0.0:0"], "TLS is required"),
    (["--listen", "0.0.0.0:0", "--insecure-plaintext-remote"], "--allowed-root"),
    (["--allowed-root", "/nonexistent/dir"], "is not an existing directory"),
    (["--tls-cert", "/nonexistent.pem"], "go together"),
    (["--catch-up-rate", "-1"], "--catch-up-rate must be at least 0"),
    (["--retain-archived-days", "-0.5"], "--retain-archived-days must be at least 0"),
    (["--retain-archived-days", "nan"], "--retain-archived-days must be at least 0"),
    (["--audit-refusal-rate", "-1"], "--audit-refusal-rate must be at least 0"),
    (["--audit-refusal-burst", "0.5"], "--audit-refusal-burst must be at least 1"),
])
def test_unsafe_starts_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    result = subprocess.run([str(SERVER_BIN), "--data-dir", str(tmp_path / "var"), *args],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert not (tmp_path / "var").exists()  # refused before touching anything


def test_tls_files_that_are_not_what_they_should_be_are_named(tmp_path: Path) -> None:
    # The key given as the certificate, another certificate's key, a key as
    # the CA: each tool says which file is wrong, at once (exit 2), instead
    # of gRPC's "Handshaker factory creation failed" or calls failing
    # UNAVAILABLE later.
    pki = make_test_pki(tmp_path / "pki")
    cert, key, other_key = str(pki / "server.pem"), str(pki / "server.key"), str(pki / "client.key")
    holds_a_key = "no PEM certificate in it"
    for args, message in (
            (["--tls-cert", key, "--tls-key", cert], f"--tls-cert {key}: {holds_a_key}"),
            (["--tls-cert", cert, "--tls-key", other_key],
             f"--tls-key {other_key} is not the private key of --tls-cert {cert}"),
            (["--tls-cert", cert, "--tls-key", key, "--tls-client-ca", key],
             f"--tls-client-ca {key}: {holds_a_key}")):
        server = subprocess.run([str(SERVER_BIN), "--data-dir", str(tmp_path / "var"), *args],
                                capture_output=True, text=True, timeout=20)
        assert server.returncode == 2, server.stderr
        assert message in server.stderr
        assert not (tmp_path / "var").exists()  # refused before touching anything
    from cm_testing import WEB_BIN
    for args, message in (
            (["--tls-cert", key, "--tls-key", cert], f"--tls-cert {key}: {holds_a_key}"),
            (["--tls-cert", cert, "--tls-key", other_key], f"--tls-key {other_key} is not"),
            (["--upstream-ca-file", key], f"--upstream-ca-file {key}: {holds_a_key}")):
        web = subprocess.run([str(WEB_BIN), "--listen", "127.0.0.1:0", *args],
                             capture_output=True, text=True, timeout=20)
        assert web.returncode == 2, web.stderr
        assert message in web.stderr
    for args, message in (
            (["--ca-file", key], f"--ca-file {key}: {holds_a_key}"),
            (["--ca-file", str(pki / "ca.pem"), "--cert-file", str(pki / "client.pem"),
              "--key-file", key], f"--key-file {key} is not the private key of --cert-file")):
        cli = subprocess.run([str(CLI_BIN), "--addr", "127.0.0.1:1", *args, "session", "list"],
                             capture_output=True, text=True, timeout=20)
        assert cli.returncode == 2, cli.stderr
        assert message in cli.stderr
    from codex_manager import Client
    with pytest.raises(ValueError, match="ca_file .*: no PEM certificate in it"):
        Client("127.0.0.1:1", ca_file=key)
    with pytest.raises(ValueError, match="KEY_VALUES_MISMATCH"):
        Client("127.0.0.1:1", ca_file=str(pki / "ca.pem"), cert_file=str(pki / "client.pem"),
               key_file=key)


def test_tls_and_mtls_end_to_end(tmp_path: Path) -> None:
    pki = make_test_pki(tmp_path / "pki")
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX),
                                 "--tls-cert", str(pki / "server.pem"),
                                 "--tls-key", str(pki / "server.key"),
                                 "--tls-client-ca", str(pki / "ca.pem")])
    server = next(gen)
    try:
        tls = ["--ca-file", str(pki / "ca.pem")]
        mtls = [*tls, "--cert-file", str(pki / "client.pem"), "--key-file", str(pki / "client.key")]
        ok = cli_as(server, server.token, "whoami", extra=mtls)
        assert ok.returncode == 0, ok.stderr
        # No client certificate, or plaintext: the handshake fails.
        assert cli_as(server, server.token, "whoami", extra=[*tls, "--timeout-ms", "3000"]).returncode == 3
        plaintext = cli_as(server, server.token, "whoami", extra=["--timeout-ms", "3000"])
        assert plaintext.returncode == 3
        assert "if the server serves TLS (--tls-cert), pass --ca-file" in plaintext.stderr
        # A CA that did not sign the server's certificate: said, and only
        # once (gRPC core's own log lines are not printed).
        other_ca = make_test_pki(tmp_path / "other-pki") / "ca.pem"
        untrusted = cli_as(server, server.token, "whoami",
                           extra=["--ca-file", str(other_ca), "--timeout-ms", "3000"])
        assert untrusted.returncode == 3
        assert (f"hint: {server.addr}'s certificate is not signed by a CA in --ca-file"
                in untrusted.stderr), untrusted.stderr
        assert [line.split(":")[0] for line in untrusted.stderr.splitlines()] == ["error", "hint"]
        from codex_manager import Client as SdkClient
        from codex_manager import UnavailableError as SdkUnavailable
        with (SdkClient(server.addr, ca_file=str(other_ca)) as wrong_ca,
              pytest.raises(SdkUnavailable, match="is not signed by a CA in ca_file")):
            wrong_ca.whoami()
        # TLS still needs a token.
        assert cli_as(server, "", "session", "list", extra=mtls).returncode == 5
        from codex_manager import Client, UnavailableError
        with Client(server.addr) as plain, pytest.raises(UnavailableError,
                                                         match="pass ca_file or set"):
            plain.whoami()
        with Client(server.addr, ca_file=str(pki / "ca.pem"), cert_file=str(pki / "client.pem"),
                    key_file=str(pki / "client.key")) as client:
            assert client.whoami().name == "admin"
    finally:
        for _ in gen:
            pass


def test_tls_to_a_plaintext_server_is_told_to_drop_the_ca_file(fake_server: Server,
                                                                tmp_path: Path) -> None:
    pki = make_test_pki(tmp_path / "pki")
    result = cli_as(fake_server, fake_server.token, "whoami",
                    extra=["--ca-file", str(pki / "ca.pem"), "--timeout-ms", "3000"])
    assert result.returncode == 3
    assert f"hint: {fake_server.addr} does not serve TLS: drop --ca-file" in result.stderr
    from codex_manager import Client, UnavailableError
    with (Client(fake_server.addr, ca_file=str(pki / "ca.pem")) as client,
          pytest.raises(UnavailableError, match="does not serve TLS")):
        client.whoami()


def test_allowed_roots_and_sandbox_ceiling(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "escape").symlink_to(tmp_path / "outside")
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--allowed-root", str(root)])
    server = next(gen)
    try:
        cli = Cli(server)
        assert cli("session", "create", "--cwd", str(root / "app")).returncode == 0
        for cwd in (root / "escape", tmp_path / "outside", Path("/")):
            refused = cli("session", "create", "--cwd", str(cwd))
            assert refused.returncode == 5, cwd
            assert "outside the allowed roots" in refused.stderr
        full = cli("session", "create", "--cwd", str(root / "app"), "--sandbox", "danger-full-access")
        assert full.returncode == 5 and "--max-sandbox" in full.stderr
        assert cli.json("session", "list", timeout=30)  # still healthy
    finally:
        for _ in gen:
            pass


def test_only_an_admin_drives_an_unsandboxed_session(tmp_path: Path, project: Path) -> None:
    """danger-full-access is the admin's for whoever drives the agent, not
    only for whoever set it: an operator may not start, steer, resume or
    set a goal in an admin's unsandboxed session (each refusal audited),
    but may run a turn that asks for a narrower sandbox."""
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms",
                                 "--max-sandbox", "danger-full-access"])
    server = next(gen)
    try:
        from codex_manager import (Client, PermissionDeniedError, Role, SessionState,
                                   TurnState)
        with Client(server.addr, token=server.token) as admin:
            full = admin.create_session(str(project), sandbox="danger-full-access")
            admin.wait_for_session(full.session_id, SessionState.IDLE)
            bot = admin.create_token("bot", Role.OPERATOR)
            slow = admin.start_turn(full.session_id, "slow")
            wait_for(lambda: admin.get_turn(slow.turn_id).state == TurnState.RUNNING)
            refused = (f'session {full.session_id}: its sandbox "danger-full-access" '
                       "needs role admin")
            with Client(server.addr, token=bot.secret) as operator:
                with pytest.raises(PermissionDeniedError, match=refused):
                    operator.start_turn(full.session_id, "hello")
                with pytest.raises(PermissionDeniedError, match=refused):
                    operator.steer_turn(full.session_id, "and then")
                with pytest.raises(PermissionDeniedError, match=refused):
                    operator.set_session_goal(full.session_id, "keep going")
                narrowed = operator.start_turn(full.session_id, "hello",
                                               sandbox="workspace-write")
                wait_for(lambda: operator.get_turn(narrowed.turn_id).state
                         == TurnState.COMPLETED, timeout=30)
                assert admin.get_turn(slow.turn_id).state == TurnState.COMPLETED
                # Nothing the refused calls asked for happened.
                assert [t.turn_id for t in operator.list_turns(full.session_id)] \
                    == [slow.turn_id, narrowed.turn_id]
                assert "steered" not in admin.get_turn(slow.turn_id).final_message
                operator.stop_session(full.session_id)
                with pytest.raises(PermissionDeniedError, match=refused):
                    operator.resume_session(full.session_id)
            assert admin.resume_session(full.session_id).state != SessionState.STOPPED
            denied = [a.method.rsplit("/", 1)[1] for a in admin.list_audit_events(
                token_id=bot.token.token_id) if a.code == 7]
            assert sorted(denied) == ["ResumeSession", "SetSessionGoal", "StartTurn",
                                      "SteerTurn"]
    finally:
        for _ in gen:
            pass


def test_limits_answer_resource_exhausted_and_change_nothing(tmp_path: Path, project: Path) -> None:
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--rate-limit", "1",
                                 "--rate-burst", "2", "--max-streams-per-principal", "1",
                                 "--max-prompt-bytes", "100", "--max-queued-turns", "1"])
    server = next(gen)
    try:
        import grpc
        from codex_manager import Client, ResourceExhaustedError, SessionState
        with Client(server.addr) as client:
            s = client.create_session(str(project))
            client.wait_for_session(s.session_id, SessionState.IDLE)
            with pytest.raises(ResourceExhaustedError, match="--max-prompt-bytes"):
                client.start_turn(s.session_id, "x" * 101)
            with pytest.raises(ResourceExhaustedError, match="--rate-limit"):
                client.create_session(str(project))
            assert len(list(client.list_sessions())) == 1  # nothing else changed
            # One stream is open; a second is refused.
            channel = grpc.insecure_channel(server.addr)
            from codex_manager.v1 import events_pb2, events_pb2_grpc
            stub = events_pb2_grpc.StreamServiceStub(channel)
            md = [("authorization", f"Bearer {server.token}")]
            first = stub.StreamEvents(events_pb2.StreamEventsRequest(), metadata=md)
            next(first)
            second = stub.StreamEvents(events_pb2.StreamEventsRequest(), metadata=md, timeout=10)
            with pytest.raises(grpc.RpcError) as refused:
                next(second)
            assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "--max-streams-per-principal" in refused.value.details()
            first.cancel()
            channel.close()
            assert client.health()
    finally:
        for _ in gen:
            pass


def test_rate_limit_carries_retry_info(tmp_path: Path, project: Path) -> None:
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--rate-limit", "0.5",
                                 "--rate-burst", "1"])
    server = next(gen)
    try:
        import grpc
        from codex_manager.v1 import sessions_pb2, sessions_pb2_grpc
        with grpc.insecure_channel(server.addr) as channel:
            stub = sessions_pb2_grpc.SessionServiceStub(channel)
            md = [("authorization", f"Bearer {server.token}")]
            with pytest.raises(grpc.RpcError):
                stub.StopSession(sessions_pb2.StopSessionRequest(session_id="ses_x"), metadata=md,
                                 timeout=10)  # NOT_FOUND, but it took the one token
            with pytest.raises(grpc.RpcError) as limited:
                stub.StopSession(sessions_pb2.StopSessionRequest(session_id="ses_x"), metadata=md,
                                 timeout=10)
        assert limited.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        details = dict(limited.value.trailing_metadata())["grpc-status-details-bin"]
        from google.rpc import error_details_pb2, status_pb2
        status = status_pb2.Status.FromString(details)
        info = error_details_pb2.RetryInfo()
        assert status.details[0].Unpack(info)
        assert 0 < info.retry_delay.seconds + info.retry_delay.nanos / 1e9 <= 2
    finally:
        for _ in gen:
            pass


LIST = "/codex_manager.v1.SessionService/ListSessions"
CREATE = "/codex_manager.v1.SessionService/CreateSession"
# A summary record's message (auth/refusal_sampler.h).
SUMMARY = re.compile(r"^(\d+) refusals? from ")


def test_a_flood_of_refusals_is_audited_in_summaries_that_account_for_every_call(
        tmp_path: Path, project: Path) -> None:
    """Past --audit-refusal-burst, a source's refusals are counted, not
    recorded one by one; the summary written at shutdown (or once a minute)
    names how many. Every refused call is accounted for, per source. A
    caller on a trusted proxy's address that names a new address in
    x-forwarded-for each call is still one source."""
    import grpc
    from codex_manager import Client, Role
    from codex_manager.v1 import sessions_pb2, sessions_pb2_grpc

    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--audit-refusal-burst", "5",
                                 "--trusted-proxies", "127.0.0.1"])
    server = next(gen)
    try:
        with Client(server.addr) as admin:
            viewer = admin.create_token("peeker", Role.VIEWER)
        with grpc.insecure_channel(server.addr) as channel:
            stub = sessions_pb2_grpc.SessionServiceStub(channel)

            def flood(call: Any, request: Any, secret: str, n: int) -> None:
                futures = [call.future(request, metadata=[("authorization", f"Bearer {secret}"),
                                                          ("x-forwarded-for", f"198.51.{100 + i // 256}.{i % 256}")],
                                       timeout=30) for i in range(n)]
                for future in futures:
                    with pytest.raises(grpc.RpcError):
                        future.result()

            flood(stub.ListSessions, sessions_pb2.ListSessionsRequest(), "cmt_" + "B" * 43, 300)
            flood(stub.CreateSession, sessions_pb2.CreateSessionRequest(cwd=str(project)),
                  viewer.secret, 50)
        # The calls were answered as before; the admin is not held back.
        with Client(server.addr) as admin:
            before = list(admin.list_audit_events(method=LIST))
        assert 5 <= len(before) <= 7 and not any(SUMMARY.match(a.message) for a in before)
        assert all(re.fullmatch(r"ipv4:198\.51\.10[01]\.\d+ via ipv4:127\.0\.0\.1:\d+", a.peer)
                   for a in before)
        server.stop()
        server.start()
        with Client(server.addr, token=server.token) as admin:
            listed = list(admin.list_audit_events(method=LIST))
            denied = list(admin.list_audit_events(method=CREATE))
    finally:
        for _ in gen:
            pass

    def accounted(records: list[Any]) -> tuple[int, int]:
        total = summaries = 0
        for a in records:
            m = SUMMARY.match(a.message)
            summaries += bool(m)
            total += int(m.group(1)) if m else 1
        return total, summaries

    assert accounted(listed) == (300, 1)
    summary = next(a for a in listed if SUMMARY.match(a.message))
    assert re.match(r"\d+ refusals from ipv4:127\.0\.0\.1 between ", summary.message)
    assert "missing or invalid token" in summary.message and summary.code == 16
    assert summary.token_id == "" and summary.request_id == ""
    assert accounted([a for a in denied if a.code == 7]) == (50, 1)
    viewer_summary = next(a for a in denied if SUMMARY.match(a.message))
    assert viewer_summary.token_name == "peeker" and "needs role operator" in viewer_summary.message

    # The access log folds the same calls: a line for each refusal recorded
    # one by one, and a `refusals` line standing for the rest.
    lines = [json.loads(line) for path in sorted(tmp_path.glob("server-*.log"))
             for line in path.read_text().splitlines() if line.startswith("{")]
    for method, code, total in ((LIST, 16, 300), (CREATE, 7, 50)):
        one_by_one = [e for e in lines if e["msg"] == "rpc" and e["method"] == method
                      and e["code"] == code]
        folded = [e for e in lines if e["msg"] == "refusals" and e["method"] == method]
        assert len(folded) == 1 and folded[0]["code"] == code, folded
        assert len(one_by_one) + int(SUMMARY.match(folded[0]["message"]).group(1)) == total
        assert len(one_by_one) <= 7, len(one_by_one)


def test_audit_retention_deletes_old_records_and_says_so(tmp_path: Path) -> None:
    from codex_manager import Client, Role
    # 0.00003 days: 2.6 s.
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--retain-audit-days", "0.00003"])
    server = next(gen)
    try:
        with Client(server.addr) as admin:
            notes = wait_for(lambda: [a for a in admin.list_audit_events()
                                      if a.method == "retention/audit"], timeout=30)
            admin.create_token("fresh", Role.VIEWER)
            records = list(admin.list_audit_events())
    finally:
        for _ in gen:
            pass
    # The server's start record went; what retention did, and what came
    # since, stay.
    assert not any(a.method == "startup/admin-token" for a in records)
    assert re.match(r"--retain-audit-days 3e-05: deleted 1 audit record made before 20\d\d-",
                    notes[0].message), notes[0].message
    assert notes[0].token_name == "codex-manager-server" and notes[0].code == 0
    assert records[0].method.endswith("/CreateToken")


def test_docs_role_table_is_the_one_the_server_enforces() -> None:
    """docs/security.md carries the table --print-role-table prints from the
    rule table itself; a rule changed without the docs fails here."""
    table = subprocess.run([str(SERVER_BIN), "--print-role-table"], capture_output=True,
                           text=True, timeout=10, check=True).stdout
    docs = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert table in docs


def test_a_session_is_admitted_again_when_the_flags_narrowed(tmp_path: Path) -> None:
    """A session created under wider flags is not started again, nor its
    folder read by a one-off Codex, once the server runs with narrower
    ones: its cwd outside today's --allowed-root, its sandbox over today's
    --max-sandbox."""
    from codex_manager import Client, PermissionDeniedError, SessionState

    old, new = tmp_path / "old", tmp_path / "new"
    (old / "app").mkdir(parents=True)
    (new / "app").mkdir(parents=True)
    wide = ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms",
            "--allowed-root", str(old), "--allowed-root", str(new),
            "--max-sandbox", "danger-full-access"]
    server = Server(tmp_path / "var", tmp_path, wide)
    server.start()
    try:
        with Client(server.addr, token=server.token) as client:
            moved = client.create_session(old / "app")
            full = client.create_session(new / "app", sandbox="danger-full-access")
            kept = client.create_session(new / "app")
            for s in (moved, full, kept):
                client.wait_for_session(s.session_id, SessionState.IDLE)
    finally:
        assert server.stop() in (None, 0)
    server.args = ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms",
                   "--allowed-root", str(new)]
    server.start()
    try:
        with Client(server.addr, token=server.token) as client:
            for s in (moved, full, kept):
                assert client.get_session(s.session_id).state == SessionState.STOPPED
            with pytest.raises(PermissionDeniedError,
                               match=f"session {moved.session_id}: its cwd.*--allowed-root"):
                client.resume_session(moved.session_id)
            with pytest.raises(PermissionDeniedError, match="outside the allowed roots"):
                client.start_turn(moved.session_id, "hello")
            with pytest.raises(PermissionDeniedError, match="outside the allowed roots"):
                client.search_files(moved.session_id, "app")
            with pytest.raises(PermissionDeniedError,
                               match=f"session {full.session_id}: its sandbox.*--max-sandbox"):
                client.resume_session(full.session_id)
            with pytest.raises(PermissionDeniedError, match="--max-sandbox"):
                client.start_turn(full.session_id, "hello")
            # Nothing started; the sessions stay readable and archivable.
            assert client.get_session(moved.session_id).state == SessionState.STOPPED
            assert client.get_session(full.session_id).state == SessionState.STOPPED
            assert list(client.list_turns(moved.session_id)) == []
            client.archive_session(moved.session_id)
            # One inside today's flags starts as before.
            client.resume_session(kept.session_id)
            client.wait_for_session(kept.session_id, SessionState.IDLE)
    finally:
        assert server.stop() in (None, 0)
        server.assert_clean_logs()
