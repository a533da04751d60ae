"""Model providers: CodexService.ListModelProviders (Codex
`modelProvider/list`) and a session on a provider of its own
(CreateSessionRequest.model_provider, Codex `thread/start` and
`thread/resume` `modelProvider`), end to end with the real, pinned codex
and a configuration of two providers: the scripted model (the default),
and the same model under another id and path (`/backup/v1`), whose calls
the scripted model counts apart."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, write_codex_home
from conftest import Cli, Server, wait_for

from codex_manager import Client


@pytest.fixture
def providers_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    with codex_home_dir() as home:
        write_codex_home(home, mock_model.port)
        with open(home / "config.toml", "a") as config:
            config.write('\n[model_providers.backup]\nname = "Backup model"\n'
                         f'base_url = "http://127.0.0.1:{mock_model.port}/backup/v1"\n'
                         'wire_api = "responses"\nrequest_max_retries = 0\n'
                         'stream_max_retries = 0\n')
        for server in make_server(tmp_path, ["--codex-bin", str(CODEX_BIN),
                                             "--codex-home", str(home)]):
            server.codex_home = home  # type: ignore[attr-defined]
            yield server


def backup_calls(model: MockModel) -> int:
    """The scripted model's calls through the backup provider's base URL."""
    with urllib.request.urlopen(f"http://127.0.0.1:{model.port}/requests") as answer:
        return json.load(answer)["paths"].get("/backup/v1/responses", 0)


def state_of(cli: Cli, session_id: str, *states: str) -> dict:
    return wait_for(lambda: (s := cli.json("session", "show", session_id))["state"] in states and s)


def test_providers_are_listed_and_a_session_runs_on_the_one_it_names(
        providers_server: Server, mock_model: MockModel, project: Path) -> None:
    cli = Cli(providers_server)
    listed = cli.json("codex", "providers")["providers"]
    by_id = {p["id"]: p for p in listed}
    assert {"mock", "backup", "openai"} <= set(by_id), listed
    assert by_id["mock"]["isDefault"] and not by_id["backup"]["isDefault"]
    assert by_id["backup"]["name"] == "Backup model"
    table = cli("codex", "providers").stdout
    assert table.splitlines()[0].split() == ["PROVIDER", "DEFAULT", "NAME"]
    assert any(line.split()[:2] == ["mock", "yes"] for line in table.splitlines())
    models = cli.json("codex", "models", "--model-provider", "backup")["models"]
    assert models, "Codex lists the models of the named provider"

    on_backup = cli.json("session", "create", "--cwd", str(project),
                         "--model-provider", "backup")
    assert on_backup["modelProvider"] == "backup"
    session = state_of(cli, on_backup["sessionId"], "SESSION_STATE_IDLE")
    assert session["codexSettings"]["modelProvider"] == "backup"
    before = backup_calls(mock_model)
    turn = cli("turn", "start", session["sessionId"], "hello backup", "--follow")
    assert turn.returncode == 0, turn.stderr
    assert turn.stdout.strip() == "You said: hello backup"
    # The model was called where that provider says.
    assert backup_calls(mock_model) == before + 1
    assert "model_provider:    backup" in cli("session", "show", session["sessionId"]).stdout
    # Resumed, the thread keeps its provider.
    assert cli("session", "stop", session["sessionId"]).returncode == 0
    assert cli("session", "resume", session["sessionId"]).returncode == 0
    resumed = state_of(cli, session["sessionId"], "SESSION_STATE_IDLE")
    assert resumed["codexSettings"]["modelProvider"] == "backup"
    # A fork runs on its source's.
    fork = cli.json("session", "fork", session["sessionId"])
    assert fork["modelProvider"] == "backup"
    assert state_of(cli, fork["sessionId"], "SESSION_STATE_IDLE")[
        "codexSettings"]["modelProvider"] == "backup"
    assert cli("turn", "start", fork["sessionId"], "hello fork", "--follow").returncode == 0
    assert backup_calls(mock_model) == before + 2

    # A session on the default provider does not call through backup's URL.
    plain = cli.json("session", "create", "--cwd", str(project))
    assert plain["modelProvider"] == ""
    state_of(cli, plain["sessionId"], "SESSION_STATE_IDLE")
    assert cli("turn", "start", plain["sessionId"], "hello", "--follow").returncode == 0
    assert backup_calls(mock_model) == before + 2
    # Its fork stays on the provider its thread is on, even once the
    # configuration's default is another.
    config = providers_server.codex_home / "config.toml"  # type: ignore[attr-defined]
    config.write_text(config.read_text().replace('model_provider = "mock"',
                                                 'model_provider = "backup"', 1))
    plain_fork = cli.json("session", "fork", plain["sessionId"])
    assert state_of(cli, plain_fork["sessionId"], "SESSION_STATE_IDLE")[
        "codexSettings"]["modelProvider"] == "mock"
    assert cli("turn", "start", plain_fork["sessionId"], "hi", "--follow").returncode == 0
    assert backup_calls(mock_model) == before + 2


def test_a_provider_the_configuration_lacks_fails_the_session_saying_so(
        providers_server: Server, project: Path) -> None:
    cli = Cli(providers_server)
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--model-provider", "nosuch")["sessionId"]
    failed = state_of(cli, session_id, "SESSION_STATE_FAILED")
    assert "Model provider `nosuch` not found" in failed["lastError"], failed

    # A thread `codex exec` made on a provider is imported on it.
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           "CODEX_HOME": str(providers_server.codex_home)}  # type: ignore[attr-defined]
    made = subprocess.run([str(CODEX_BIN), "exec", "--skip-git-repo-check", "-c",
                           "model_provider=backup", "made on backup"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    thread = cli.json("codex", "threads", "--cwd", str(project))["threads"][0]
    imported = cli.json("session", "import", thread["threadId"])
    assert imported["modelProvider"] == "backup"
    assert state_of(cli, imported["sessionId"], "SESSION_STATE_IDLE")[
        "codexSettings"]["modelProvider"] == "backup"

    bad = cli("session", "create", "--cwd", str(project), "--model-provider", "no such")
    assert bad.returncode == 2
    assert "model_provider" in bad.stderr
    assert cli("codex", "models", "--model-provider", "no such").returncode == 2
    with Client(providers_server.addr) as client:
        ids = [p.id for p in client.list_model_providers()]
        assert "backup" in ids
        assert client.list_models(model_provider="backup")
