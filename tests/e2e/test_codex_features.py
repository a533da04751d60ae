"""Codex's feature flags through the API, with the real, pinned codex:
listed as Codex lists them (`experimentalFeature/list`), and turned on, off
or back to the default in the server's CODEX_HOME config.toml
(`config/batchWrite`), as `codex features enable` does on the machine.
What a flag does is Codex's: `apply_patch_streaming_events` makes the
patch the model is still writing reach clients as ITEM_UPDATED events, in
the sessions whose Codex starts after the change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, Server
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, write_codex_home

from codex_manager import (Client, FailedPreconditionError, InvalidArgumentError, NotFoundError,
                           PermissionDeniedError, Role, SessionState, TurnState)
from codex_manager import EventType

STREAMING = "apply_patch_streaming_events"


@pytest.fixture
def home(mock_model: MockModel) -> Iterator[Path]:
    with codex_home_dir() as path:
        yield write_codex_home(path, mock_model.port)


@pytest.fixture
def features_server(tmp_path: Path, home: Path) -> Iterator[Server]:
    yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def patch_updates(client: Client, project: Path, file: str) -> int:
    """Runs a turn that writes `file` in a new session; the ITEM_UPDATED
    events it had."""
    session = client.create_session(project, approval_policy="never", sandbox="workspace-write")
    client.wait_for_session(session.session_id, SessionState.IDLE)
    return updates_of_turn(client, session.session_id, file)


def updates_of_turn(client: Client, session_id: str, file: str) -> int:
    turn = client.run_turn(session_id, f"please write: {file}: hello")
    assert turn.state == TurnState.COMPLETED, turn.error
    return sum(1 for e in client.events(session_id, follow=False)
               if e.type == EventType.ITEM_UPDATED and e.turn_id == turn.turn_id)


def test_a_feature_turned_on_reaches_the_sessions_started_after_it(
        features_server: Server, home: Path, project: Path) -> None:
    config = home / "config.toml"
    with Client(features_server.addr) as client:
        features = {f.name: f for f in client.list_codex_features()}
        streaming = features[STREAMING]
        assert (streaming.stage, streaming.enabled, streaming.default_enabled) == (
            "underDevelopment", False, False)
        assert "undo" not in features  # removed: only on request
        removed = {f.name: f for f in client.list_codex_features(include_removed=True)}
        assert removed["undo"].stage == "removed"
        assert patch_updates(client, project, "before.txt") == 0
        live = client.create_session(project, approval_policy="never", sandbox="workspace-write")
        client.wait_for_session(live.session_id, SessionState.IDLE)

        changed = client.set_codex_feature(STREAMING, True)
        assert changed.feature.name == STREAMING and changed.feature.enabled
        assert changed.overridden == ""
        assert f"{STREAMING} = true\n" in config.read_text()
        assert config.stat().st_mode & 0o777 == 0o600
        assert patch_updates(client, project, "on.txt") > 0
        # A session whose Codex started before keeps what it loaded.
        assert updates_of_turn(client, live.session_id, "live.txt") == 0

        back = client.set_codex_feature(streaming, None)
        assert not back.feature.enabled
        assert STREAMING not in config.read_text()
        assert patch_updates(client, project, "default.txt") == 0
        assert client.set_codex_feature(STREAMING, False).feature.enabled is False
        assert f"{STREAMING} = false\n" in config.read_text()
    assert (project / "default.txt").read_text() == "hello\n"


def test_refused_changes_write_nothing_and_need_an_admin(
        features_server: Server, home: Path) -> None:
    config = home / "config.toml"
    before = config.read_bytes()
    with Client(features_server.addr) as admin:
        with pytest.raises(NotFoundError, match="codex feature no_such_flag"):
            admin.set_codex_feature("no_such_flag", True)
        with pytest.raises(FailedPreconditionError, match="undo: Codex lists it as removed"):
            admin.set_codex_feature("undo", False)
        with pytest.raises(InvalidArgumentError, match="name: "):
            admin.set_codex_feature('x"] = 1\n[y', True)
        with pytest.raises(TypeError):
            admin.set_codex_feature(STREAMING, "yes")  # type: ignore[arg-type]
        assert config.read_bytes() == before
        operator = admin.create_token("bot", Role.OPERATOR)
        viewer = admin.create_token("peek", Role.VIEWER)
    with Client(features_server.addr, token=operator.secret) as bot:
        with pytest.raises(PermissionDeniedError):
            bot.set_codex_feature(STREAMING, True)
    with Client(features_server.addr, token=viewer.secret) as peek:
        assert any(f.name == STREAMING for f in peek.list_codex_features())
    assert config.read_bytes() == before


def test_the_cli_lists_sets_and_resets_a_feature(features_server: Server, home: Path) -> None:
    cli = Cli(features_server)
    listed = cli("codex", "features")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["FEATURE", "STAGE", "STATE", "DEFAULT"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == sorted(names)
    row = next(line for line in lines if line.startswith(STREAMING + " "))
    assert row.split() == [STREAMING, "under", "development", "off", "off"]
    assert "undo " not in listed.stdout
    assert "\nundo " in cli("codex", "features", "--include-removed").stdout

    enabled = cli("codex", "features", "enable", STREAMING)
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout == (f"{STREAMING}: on for sessions started or resumed from now on\n")
    assert f"{STREAMING} = true" in (home / "config.toml").read_text()
    shown = cli.json("codex", "features", "reset", STREAMING)
    assert shown["feature"]["name"] == STREAMING and not shown["feature"].get("enabled")
    unknown = cli("codex", "features", "disable", "no_such_flag")
    assert unknown.returncode != 0 and "NOT_FOUND" in unknown.stderr
    audit = cli.json("audit", "list", "--method",
                     "/codex_manager.v1.CodexService/SetCodexFeature")
    records = audit.get("events", audit.get("auditEvents", []))
    assert [(r.get("resourceId"), r.get("code", 0)) for r in records] == [
        ("no_such_flag=disabled", 5), (f"{STREAMING}=default", 0), (f"{STREAMING}=enabled", 0)]
