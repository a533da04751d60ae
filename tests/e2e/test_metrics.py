"""Prometheus metrics on --metrics-listen (issue 11): no token needed, the
text format promtool accepts, and figures that follow what the server did."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cm_testing import FAKE_CODEX, Server, make_server
from conftest import Cli, wait_for
from test_faults_and_errors import ready_session


@pytest.fixture
def metrics_server(tmp_path: Path) -> Iterator[Server]:
    yield from make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX),
                                      "--metrics-listen", "127.0.0.1:0"])


def scrape(server: Server) -> str:
    # The newest start's port (a restart picks another).
    line = [e for e in server.log_lines() if e.get("msg") == "metrics listening"][-1]
    with urllib.request.urlopen(f"http://127.0.0.1:{line['port']}/metrics", timeout=10) as r:
        assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        return r.read().decode()


def sample(text: str, series: str, missing: float | None = None) -> float:
    """The value of `series`; `missing` if given and the series is absent."""
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.M)
    if match is None and missing is not None:
        return missing
    assert match, f"no {series} in\n{text}"
    return float(match.group(1))


def test_metrics_follow_the_servers_work(metrics_server: Server, project: Path) -> None:
    cli = Cli(metrics_server)
    session_id = ready_session(cli, project)
    assert cli("turn", "start", session_id, "approve", "--follow",
               "--on-approval", "approve").returncode == 0
    assert cli("session", "show", "ses_00000000000000000000").returncode == 4
    follow = cli.popen("events", session_id, "--follow")
    try:
        wait_for(lambda: sample(scrape(metrics_server),
                                "codex_manager_stream_subscribers") >= 1)
        text = scrape(metrics_server)
    finally:
        follow.terminate()
        follow.communicate(timeout=10)

    assert sample(text, 'grpc_server_handled_total{grpc_type="unary",'
                        'grpc_service="codex_manager.v1.SessionService",'
                        'grpc_method="CreateSession",grpc_code="OK"}') == 1
    assert sample(text, 'grpc_server_handled_total{grpc_type="unary",'
                        'grpc_service="codex_manager.v1.SessionService",'
                        'grpc_method="GetSession",grpc_code="NotFound"}') == 1
    assert sample(text, 'grpc_server_handling_seconds_count{grpc_type="unary",'
                        'grpc_service="codex_manager.v1.TurnService",'
                        'grpc_method="StartTurn"}') == 1
    assert sample(text, 'grpc_server_started_total{grpc_type="server_stream",'
                        'grpc_service="codex_manager.v1.StreamService",'
                        'grpc_method="StreamEventBatches"}') >= 2  # the CLI's
    assert sample(text, 'codex_manager_sessions{state="idle"}') == 1
    assert sample(text, "codex_manager_runtime_starts_total") == 1
    assert sample(text, "codex_manager_events_persisted_total") >= 8
    assert sample(text, "codex_manager_events_delivered_total") >= 8
    assert sample(text, "codex_manager_store_commit_seconds_count") >= 1
    assert sample(text, "codex_manager_store_bytes") > 0
    assert sample(text, "codex_manager_approvals_pending") == 0


def test_the_last_backup_time_comes_from_the_audit_log(metrics_server: Server,
                                                      tmp_path: Path) -> None:
    import time

    cli = Cli(metrics_server)
    assert sample(scrape(metrics_server), "codex_manager_last_backup_timestamp_seconds") == 0
    before = time.time()
    assert cli("backup", str(tmp_path / "b.db")).returncode == 0
    made = sample(scrape(metrics_server), "codex_manager_last_backup_timestamp_seconds")
    assert before - 1 <= made <= time.time() + 1
    # A refused one does not count; a restart keeps the time.
    token = cli.json("token", "create", "--name", "ops", "--role", "operator")["secret"]
    assert cli("--token", token, "backup", str(tmp_path / "c.db")).returncode == 5
    metrics_server.stop()
    metrics_server.start()
    assert sample(scrape(metrics_server), "codex_manager_last_backup_timestamp_seconds") == made


def test_a_pending_approval_shows_with_its_age(metrics_server: Server, project: Path) -> None:
    cli = Cli(metrics_server)
    session_id = ready_session(cli, project)
    assert cli("turn", "start", session_id, "approve").returncode == 0
    wait_for(lambda: sample(scrape(metrics_server), "codex_manager_approvals_pending") == 1)
    wait_for(lambda: sample(scrape(metrics_server),
                            "codex_manager_approval_oldest_pending_seconds") > 0.5)
    assert sample(scrape(metrics_server), 'codex_manager_turns{state="running"}') == 1


def test_methods_nobody_serves_do_not_grow_the_labels(metrics_server: Server) -> None:
    import grpc

    channel = grpc.insecure_channel(metrics_server.addr)
    unimplemented = 0
    for i in range(3):
        with pytest.raises(grpc.RpcError) as refused:
            channel.unary_unary(f"/evil.Service/Method{i}")(b"", timeout=30)
        # gRPC answers UNIMPLEMENTED; the interceptor's refusal of a method
        # with no rule (a cancel) sometimes gets there first.
        assert refused.value.code() in (grpc.StatusCode.UNIMPLEMENTED,
                                        grpc.StatusCode.CANCELLED)
        unimplemented += refused.value.code() == grpc.StatusCode.UNIMPLEMENTED
    channel.close()
    # gRPC serves a method it does not know as a bidi stream.
    unknown = 'grpc_type="bidi_stream",grpc_service="unknown",grpc_method="unknown"'

    def handled(code: str) -> float:
        return sample(scrape(metrics_server),
                      f'grpc_server_handled_total{{{unknown},grpc_code="{code}"}}', missing=0)

    # The server refused each call (a cancel), and counts it so, once, when
    # it lets go of the call: that may be after the client saw it end.
    wait_for(lambda: handled("Canceled") == 3)
    text = scrape(metrics_server)
    assert "evil" not in text
    assert sample(text, f"grpc_server_started_total{{{unknown}}}") == 3
    assert handled("Unimplemented") == 0
    # The access log has each probe once, with what the server did and why.
    refusals = [e for e in metrics_server.log_lines()
                if e.get("msg") == "rpc" and e.get("method", "").startswith("/evil.")]
    assert sorted(e["method"] for e in refusals) == [f"/evil.Service/Method{i}"
                                                      for i in range(3)]
    assert all(e["code"] == 1 and e["level"] == "warning"
               and "no authorization rule" in e["message"] for e in refusals), refusals


@pytest.mark.skipif(shutil.which("promtool") is None, reason="prometheus is not installed")
def test_promtool_accepts_the_exposition(metrics_server: Server, project: Path) -> None:
    cli = Cli(metrics_server)
    ready_session(cli, project)
    result = subprocess.run(["promtool", "check", "metrics"], input=scrape(metrics_server),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_get_metrics(metrics_server: Server) -> None:
    line = next(e for e in metrics_server.log_lines() if e.get("msg") == "metrics listening")
    base = f"http://127.0.0.1:{line['port']}"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{base}/", timeout=10)
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as post:
        urllib.request.urlopen(urllib.request.Request(f"{base}/metrics", data=b"x"), timeout=10)
    assert post.value.code == 405


def test_the_grafana_dashboard_queries_metrics_the_server_has(metrics_server: Server,
                                                              tmp_path: Path) -> None:
    import json

    from cm_testing import REPO

    dashboard = json.loads((REPO / "docs" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(exprs) >= 10
    exposed = set(re.findall(r"^# TYPE (\S+) ", scrape(metrics_server), re.M))
    for expr in exprs:
        for name in re.findall(r"\b((?:grpc_server|codex_manager)_\w+)", expr):
            assert re.sub(r"_(bucket|sum|count)$", "", name) in exposed, (name, expr)
    if shutil.which("promtool") is None:
        return
    # Every query parses as PromQL: as recording rules, for promtool.
    rules = tmp_path / "rules.yml"
    rules.write_text("groups:\n- name: dashboard\n  rules:\n" + "".join(
        f"  - record: dashboard:query{i}\n    expr: {json.dumps(e.replace('$job', '.*'))}\n"
        for i, e in enumerate(exprs)))
    result = subprocess.run(["promtool", "check", "rules", str(rules)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bad_metrics_address_is_a_usage_error(tmp_path: Path) -> None:
    from cm_testing import SERVER_BIN

    result = subprocess.run([str(SERVER_BIN), "--listen", "127.0.0.1:0", "--data-dir",
                             str(tmp_path / "d"), "--codex-bin", str(FAKE_CODEX),
                             "--metrics-listen", "nowhere"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert '--metrics-listen: \\"nowhere\\" is not host:port' in result.stderr
