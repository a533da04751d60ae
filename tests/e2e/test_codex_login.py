"""Signing the server's Codex in and out from a client (CodexService
StartCodexLogin, GetCodexLogin, CancelCodexLogin, LogoutCodex), end to end
with the real, pinned codex: an API key, and ChatGPT's device code against
tests/support/mock_chatgpt.py (HTTPS, a test CA), where the test types the
code as a person would on another device."""

from __future__ import annotations

import os
import re
import signal
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, make_test_pki, write_codex_home
from conftest import Cli, Server, wait_for
from test_real_codex import create_session
from mock_chatgpt import EMAIL, USER_CODE, MockChatGPT

from codex_manager import (Client, CodexLoginMethod, CodexLoginState, InvalidArgumentError,
                           NotFoundError, PermissionDeniedError, Role)

KEY = "sk-test-never-shown-0123456789"


@pytest.fixture
def chatgpt(tmp_path: Path) -> Iterator[MockChatGPT]:
    service = MockChatGPT(make_test_pki(tmp_path / "pki"))
    yield service
    service.stop()


@pytest.fixture
def login_server(tmp_path: Path, mock_model: MockModel, chatgpt: MockChatGPT,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, Path]]:
    with codex_home_dir() as home:
        write_codex_home(home, mock_model.port)
        # The mock model's provider signs in as OpenAI's does, so Codex
        # reads and reports the account (account/read says none otherwise).
        with open(home / "config.toml", "a") as config:  # its last table
            config.write("requires_openai_auth = true\n")
        env = chatgpt.configure(home)
        pass_env: list[str] = []
        for name, value in env.items():
            monkeypatch.setenv(name, value)
            pass_env += ["--pass-env", name]
        for server in make_server(tmp_path, ["--codex-bin", str(CODEX_BIN),
                                             "--codex-home", str(home), *pass_env]):
            yield server, home


def test_a_device_code_login_is_typed_elsewhere_then_codex_is_signed_in(
        login_server: tuple[Server, Path], chatgpt: MockChatGPT) -> None:
    server, home = login_server
    with Client(server.addr) as client:
        assert client.get_account().type == ""
        login = client.start_codex_login()
        assert login.method == CodexLoginMethod.CHATGPT_DEVICE_CODE
        assert login.state == CodexLoginState.PENDING
        assert login.verification_url == f"{chatgpt.origin}/codex/device"
        assert login.user_code == USER_CODE
        assert 14 * 60 < (login.expire_time - login.start_time).total_seconds() <= 15 * 60
        # Codex asks ChatGPT for the code until someone types it.
        wait_for(lambda: chatgpt.polls >= 2, timeout=30)
        assert client.get_codex_login(login.login_id).state == CodexLoginState.PENDING
        chatgpt.enter_code()
        ended = client.wait_for_codex_login(login.login_id, timeout=60, poll_interval=0.2)
        assert ended.state == CodexLoginState.SUCCEEDED, ended.error
        assert ended.end_time >= ended.start_time
        account = client.get_account()
        assert (account.type, account.email, account.plan_type) == ("chatgpt", EMAIL, "plus")
        # Codex keeps the credentials itself, readable by its user only.
        assert stat.S_IMODE(os.stat(home / "auth.json").st_mode) == 0o600

        client.logout_codex()
        assert client.get_account().type == ""
        assert not (home / "auth.json").exists()
        audited = [(e.method.rsplit("/", 1)[-1], e.resource_id)
                   for e in client.list_audit_events() if "Codex" in e.method]
        assert ("StartCodexLogin", login.login_id) in audited
        assert ("LogoutCodex", "") in audited


def test_a_pending_login_is_cancelled_or_replaced(login_server: tuple[Server, Path],
                                                  chatgpt: MockChatGPT) -> None:
    server, _ = login_server
    with Client(server.addr) as client:
        first = client.start_codex_login()
        cancelled = client.cancel_codex_login(first.login_id)
        assert cancelled.state == CodexLoginState.CANCELLED
        assert cancelled.error == "cancelled"
        # Cancelling it again changes nothing.
        assert client.cancel_codex_login(first.login_id).state == CodexLoginState.CANCELLED
        second = client.start_codex_login()
        third = client.start_codex_login()
        replaced = client.get_codex_login(second.login_id)
        assert replaced.state == CodexLoginState.CANCELLED
        assert replaced.error == f"replaced by login {third.login_id}"
        chatgpt.enter_code()
        assert client.wait_for_codex_login(third.login_id, timeout=60,
                                           poll_interval=0.2).state == CodexLoginState.SUCCEEDED
        with pytest.raises(NotFoundError, match="login_nope"):
            client.get_codex_login("login_nope")


def test_an_api_key_from_the_cli_never_shows(login_server: tuple[Server, Path]) -> None:
    server, home = login_server
    cli = Cli(server)
    signed_in = cli("codex", "login", "--with-api-key", input=KEY + "\n")
    assert signed_in.returncode == 0, signed_in.stderr
    assert signed_in.stdout == "Codex is signed in (API key).\n"
    assert cli.json("codex", "account")["type"] == "apiKey"
    assert KEY in (home / "auth.json").read_text()
    with Client(server.addr) as client:
        # Bad input is named, and the key is not echoed.
        with pytest.raises(InvalidArgumentError, match="api_key") as bad:
            client.start_codex_login(api_key="sk-has a space")
        assert "has a space" not in str(bad.value)
        secret = client.create_token("ops", Role.OPERATOR).secret
        with Client(server.addr, token=secret) as operator:
            with pytest.raises(PermissionDeniedError):
                operator.start_codex_login(api_key=KEY)
            with pytest.raises(PermissionDeniedError):
                operator.logout_codex()
        audit = repr([(e.method, e.resource_id, e.message) for e in client.list_audit_events()])
    assert KEY not in audit
    for log in server.log_dir.glob("server-*.log"):
        assert KEY not in log.read_text()
    out = cli("codex", "logout")
    assert (out.returncode, out.stdout) == (0, "Codex is signed out.\n"), out.stderr
    assert cli.json("codex", "account")["type"] == ""


def test_the_cli_waits_for_the_code_and_ctrl_c_cancels(login_server: tuple[Server, Path],
                                                       chatgpt: MockChatGPT) -> None:
    server, _ = login_server
    cli = Cli(server)
    waiting = cli.popen("codex", "login")
    assert waiting.stderr is not None
    said = ""
    while USER_CODE not in said:
        said += waiting.stderr.readline()
    assert f"Open {chatgpt.origin}/codex/device on any device" in said
    chatgpt.enter_code()
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert out == "Codex is signed in (ChatGPT).\n"

    chatgpt.reset()
    waiting = cli.popen("codex", "login")
    assert waiting.stderr is not None
    line = ""
    while "Waiting" not in line:
        line = waiting.stderr.readline()
    interrupted = re.search(r"\((login_[0-9a-f]+);", line)
    assert interrupted, line
    waiting.send_signal(signal.SIGINT)
    _, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 130, err
    assert "login cancelled" in err
    with Client(server.addr) as client:
        pending = client.start_codex_login()
        listed = cli.json("codex", "login", "--status", pending.login_id)
        assert listed["state"] == "CODEX_LOGIN_STATE_PENDING"
        assert listed["userCode"] == USER_CODE
        shown = cli("codex", "login", "--cancel", pending.login_id)
        assert shown.returncode == 0, shown.stderr
        assert "state:    cancelled" in shown.stdout
        # The login Ctrl-C left was cancelled, not left waiting.
        assert client.get_codex_login(interrupted.group(1)).state == CodexLoginState.CANCELLED


def test_a_refused_key_says_how_to_sign_codex_in(login_server: tuple[Server, Path],
                                                 project: Path) -> None:
    server, _ = login_server
    cli = Cli(server)
    session_id = create_session(cli, project, policy="never")
    # The provider answers 401, as OpenAI does to a key that is no longer
    # valid; Codex 0.171 reports {"httpConnectionFailed":{"httpStatusCode":401}}.
    out = cli("turn", "start", session_id, "status: 401", "--follow")
    assert out.returncode == 1, out.stderr
    assert "error: unexpected status 401 Unauthorized" in out.stderr
    assert ("hint: the model provider refused Codex's credentials; an admin signs the "
            "server's Codex in with `codex-manager codex login`") in out.stderr
    # Another failure gets no such hint.
    other = cli("turn", "start", session_id, "status: 500", "--follow")
    assert other.returncode == 1 and "hint:" not in other.stderr, other.stderr
