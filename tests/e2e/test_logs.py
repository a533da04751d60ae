"""Structured logs (issue 11): every RPC logs one line at info with its
method, status code, duration, who called and what it was about; the same
lines as logfmt text with --log-format text."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from cm_testing import CLI_BIN, FAKE_CODEX, SERVER_BIN, Server, make_server, wait_for
from conftest import Cli
from test_faults_and_errors import ready_session


def rpc_lines(server: Server, method: str) -> list[dict]:
    return [e for e in server.log_lines()
            if e.get("msg") == "rpc" and e.get("method", "").endswith("/" + method)]


def test_every_rpc_logs_method_code_duration_principal_and_resource(
        fake_server: Server, fake_cli: Cli, project: Path) -> None:
    session_id = ready_session(fake_cli, project)
    assert fake_cli("session", "show", session_id).returncode == 0
    assert fake_cli("session", "show", "ses_00000000000000000000").returncode == 4
    refused = subprocess.run([str(CLI_BIN), "--addr", fake_server.addr, "--token", "cmt_bogus",
                              "session", "list"], capture_output=True, text=True, timeout=30)
    assert refused.returncode == 5

    shown = wait_for(lambda: [e for e in rpc_lines(fake_server, "GetSession")
                              if e.get("resource") == session_id])
    line = shown[-1]
    assert line["level"] == "info" and line["code"] == 0
    assert line["principal"] == "admin" and line["token_id"].startswith("tok_")
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    assert line["request_id"].startswith("req_")
    missing = wait_for(lambda: [e for e in rpc_lines(fake_server, "GetSession")
                                if e.get("resource") == "ses_00000000000000000000"])
    assert missing[-1]["level"] == "warning" and missing[-1]["code"] == 5
    denied = wait_for(lambda: [e for e in rpc_lines(fake_server, "ListSessions")
                               if e["code"] == 16])
    assert "principal" not in denied[-1]  # no token, no name
    # The stream (the CLI follows with StreamEventBatches) names its session too.
    follow = fake_cli.popen("events", session_id)
    follow.communicate(timeout=30)
    assert wait_for(lambda: [e for e in rpc_lines(fake_server, "StreamEventBatches")
                             if e.get("resource") == session_id])


def test_text_format_is_logfmt_for_people(tmp_path: Path) -> None:
    proc = subprocess.Popen([str(SERVER_BIN), "--listen", "127.0.0.1:0", "--data-dir",
                             str(tmp_path / "data"), "--codex-bin", str(FAKE_CODEX),
                             "--log-format", "text"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        lines = []
        port = 0
        deadline = time.monotonic() + 20
        while not port and time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if match := re.search(r" INFO listening .*\bport=(\d+)", line):
                port = int(match.group(1))
        assert port, lines
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO listening "
                        r"(\S+=\S+ )*listen=127\.0\.0\.1:0 ", lines[-1]), lines[-1]
        token = (tmp_path / "data" / "admin.token").read_text().strip()
        subprocess.run([str(CLI_BIN), "--addr", f"127.0.0.1:{port}", "--token", token,
                        "session", "list"], capture_output=True, timeout=30)
        rpc = ""
        while "ListSessions" not in rpc:
            rpc = proc.stderr.readline()
        assert re.search(r" INFO rpc .*method=/codex_manager\.v1\.SessionService/ListSessions"
                         r" .*principal=admin", rpc), rpc
        assert "{" not in rpc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_start_says_whether_codexs_sandbox_works(tmp_path: Path) -> None:
    import json
    import shutil

    runs = iter(range(10))

    def sandbox_line(env: dict[str, str], *args: str) -> dict:
        data_dir = tmp_path / f"d{next(runs)}"
        proc = subprocess.Popen([str(SERVER_BIN), "--listen", "127.0.0.1:0", "--data-dir",
                                 str(data_dir), "--codex-bin", str(FAKE_CODEX), *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=env)
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                entry = json.loads(line) if line.startswith("{") else {}
                if entry.get("msg") == "codex sandbox":
                    return entry
            raise AssertionError("no sandbox line")
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    if shutil.which("bwrap"):  # scripts/setup.sh installs bubblewrap
        assert sandbox_line({"PATH": "/usr/bin:/bin"})["functional"] is True
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = sandbox_line({"PATH": str(empty), "HOME": str(tmp_path)})
    assert missing["level"] == "warning" and missing["functional"] is False
    assert "install bubblewrap" in missing["reason"]
    # Codex puts no sandbox helper on PATH under the temporary directory.
    home = tmp_path / "codex-home"
    under_tmp = sandbox_line({"PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)},
                             "--codex-home", str(home))
    assert under_tmp["level"] == "warning" and under_tmp["functional"] is False
    assert f"CODEX_HOME {home} is under the temporary directory" in under_tmp["reason"]


@pytest.fixture
def codex_home_in_tmp_server(tmp_path: Path) -> Iterator[Server]:
    # pytest's tmp_path is under the temporary directory (TMPDIR, else
    # /tmp), which the server's children inherit.
    yield from make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX),
                                      "--codex-home", str(tmp_path / "codex-home")])


def test_each_session_is_told_when_codexs_sandbox_cannot_start(
        codex_home_in_tmp_server: Server, project: Path) -> None:
    cli = Cli(codex_home_in_tmp_server)
    session_id = ready_session(cli, project)
    transcript = cli("events", session_id).stdout
    assert "warning: Codex's sandbox cannot start on this server" in transcript
    assert "The operator can move --codex-home" in transcript
