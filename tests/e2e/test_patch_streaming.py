"""A patch the model is still writing reaches clients as it grows. With
`[features] apply_patch_streaming_events = true` in its config.toml, the
pinned Codex sends `item/fileChange/patchUpdated` while the mock model
streams an apply_patch call's input; each is an ITEM_UPDATED event with the
patch so far, before the item's ITEM_STARTED (events.proto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Cli, Server
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, write_codex_home

from codex_manager import Client, Decision, EventType, SessionState, TurnState


@pytest.fixture
def streaming_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    with codex_home_dir() as home:
        write_codex_home(home, mock_model.port, features=("apply_patch_streaming_events",))
        yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def test_a_patch_being_written_arrives_as_item_updated_before_it_starts(
        streaming_server: Server, project: Path) -> None:
    with Client(streaming_server.addr) as client:
        session = client.create_session(project, approval_policy="untrusted")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        turn = client.run_turn(session.session_id, "please write: notes.txt: hello file",
                               on_approval=lambda approval: Decision.APPROVE)
        assert turn.state == TurnState.COMPLETED
        items = [e for e in client.events(session.session_id, follow=False)
                 if e.type in (EventType.ITEM_UPDATED, EventType.ITEM_STARTED)
                 and e.proto.item.item_type == "fileChange"]
    assert (project / "notes.txt").read_text() == "hello file\n"
    updated = [e.proto.item for e in items if e.type == EventType.ITEM_UPDATED]
    started = [e.proto.item for e in items if e.type == EventType.ITEM_STARTED]
    assert updated and len(started) == 1
    # All of the same item, before it started.
    assert items[-1].type == EventType.ITEM_STARTED
    assert {u.item_id for u in updated} == {started[0].item_id}
    assert all(u.status == "inProgress" for u in updated)
    # The patch so far, its path as the model wrote it; then whole.
    assert updated[-1].diff == "--- /dev/null\n+++ b/notes.txt\n+hello file\n"
    assert started[0].diff == f"--- /dev/null\n+++ b{project}/notes.txt\n+hello file\n"


def test_the_cli_says_once_which_file_is_being_written(streaming_server: Server,
                                                      project: Path) -> None:
    cli = Cli(streaming_server)
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--approval-policy", "untrusted")["sessionId"]
    followed = cli("turn", "start", session_id, "please write: notes.txt: hello file",
                   "--follow", "--on-approval", "approve")
    assert followed.returncode == 0, followed.stderr
    err = followed.stderr
    assert err.count("~ writing notes.txt ...\n") == 1, err
    assert err.index("~ writing notes.txt ...\n") < err.index("~ file change ["), err


def test_the_cli_names_the_first_file_written_not_a_deleted_one(fake_cli: Cli,
                                                                project: Path) -> None:
    """A patch that deletes a file before it adds one ("+++ /dev/null"
    first): the line names the added file, once."""
    session_id = fake_cli.json("session", "create", "--cwd", str(project))["sessionId"]
    followed = fake_cli("turn", "start", session_id, "patch-stream", "--follow")
    assert followed.returncode == 0, followed.stderr
    assert followed.stderr.count("~ writing") == 1, followed.stderr
    assert "~ writing new.txt ...\n" in followed.stderr, followed.stderr
