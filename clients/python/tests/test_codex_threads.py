"""Review, fork, import and discovery through the SDK, with the real pinned
codex against the scripted mock model."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from cm_testing import CODEX_BIN, make_server
from conftest import Server

from codex_manager import (
    AsyncClient,
    Client,
    Event,
    EventType,
    GoalStatus,
    SessionState,
    TurnState,
)
from codex_manager.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
)


def test_review_fork_and_import(codex_server: Server, project: Path, codex_home: Path) -> None:
    with Client(codex_server.addr) as client:
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        first = client.run_turn(session.session_id, "remember the word quince")
        assert first.state == TurnState.COMPLETED

        findings: list[str] = []

        def collect(event: Event) -> None:
            if event.type is EventType.ITEM_COMPLETED \
                    and event.proto.item.item_type == "exitedReviewMode":
                findings.append(event.proto.item.text)

        review = client.run_review(session.session_id, instructions="check naming",
                                   on_event=collect)
        assert review.prompt == "Review: check naming"
        assert review.state == TurnState.COMPLETED
        assert findings == ["You said: check naming"]
        assert review.final_message == "You said: check naming"

        fork = client.fork_session(session.session_id, title="other idea")
        assert fork.title == "other idea" and fork.cwd == session.cwd
        client.wait_for_session(fork.session_id, SessionState.IDLE)
        prompts = [t.prompt for t in client.list_turns(fork.session_id)]
        assert prompts[0] == "remember the word quince"

    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           "CODEX_HOME": str(codex_home)}
    subprocess.run([str(CODEX_BIN), "exec", "--skip-git-repo-check", "exec says fig"],
                   cwd=project, env=env, capture_output=True, check=True, timeout=120)
    with Client(codex_server.addr) as client:
        threads = [t for t in client.list_codex_threads(cwd=project) if t.source == "exec"]
        assert [t.preview for t in threads] == ["exec says fig"]
        imported = client.import_thread(threads[0].thread_id)
        assert imported.thread_id == threads[0].thread_id
        with pytest.raises(AlreadyExistsError, match=imported.session_id):
            client.import_thread(threads[0].thread_id)
        with pytest.raises(NotFoundError):
            client.import_thread("01a22eec-0000-7000-8000-000000000000")
        with pytest.raises(ValueError, match="exactly one"):
            client.start_review(imported.session_id)


def test_fork_through_or_before_a_turn_async(codex_server: Server, project: Path) -> None:
    async def main() -> None:
        async with AsyncClient(codex_server.addr) as client:
            session = await client.create_session(project, approval_policy="never")
            await client.wait_for_session(session.session_id, SessionState.IDLE)
            turns = [await client.run_turn(session.session_id, f"prompt {i}") for i in range(3)]
            assert [t.state for t in turns] == [TurnState.COMPLETED] * 3

            async def prompts(session_id: str) -> list[str]:
                return [t.prompt async for t in client.list_turns(session_id)]

            before = await client.fork_session(session.session_id,
                                               before_turn_id=turns[1].turn_id)
            assert await prompts(before.session_id) == ["prompt 0"]
            through = await client.fork_session(session.session_id,
                                                through_turn_id=turns[1].turn_id)
            assert await prompts(through.session_id) == ["prompt 0", "prompt 1"]
            empty = await client.fork_session(session.session_id,
                                              before_turn_id=turns[0].turn_id)
            assert await prompts(empty.session_id) == []
            await client.wait_for_session(before.session_id, SessionState.IDLE)
            retried = await client.run_turn(before.session_id, "prompt 1, changed")
            assert retried.final_message == "You said: prompt 1, changed"
            assert await prompts(session.session_id) == ["prompt 0", "prompt 1", "prompt 2"]

            with pytest.raises(ValueError, match="not both"):
                await client.fork_session(session.session_id, through_turn_id="a",
                                          before_turn_id="b")
            with pytest.raises(NotFoundError, match=f"has no turn {retried.turn_id}"):
                await client.fork_session(session.session_id, through_turn_id=retried.turn_id)

    asyncio.run(main())


def test_revert_sync_and_async(codex_server: Server, project: Path) -> None:
    with Client(codex_server.addr) as client:
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        turns = [client.run_turn(session.session_id, f"prompt {i}") for i in range(3)]
        undone = client.revert_session(session.session_id, turns[1].turn_id)
        assert undone.reverted_turn_ids == (turns[1].turn_id, turns[2].turn_id)
        assert undone.session.session_id == session.session_id
        listed = list(client.list_turns(session.session_id))
        assert [t.revert_time is not None for t in listed] == [False, True, True]
        reverts = [e.session_reverted for e in client.events(session.session_id, follow=False)
                   if e.type == EventType.SESSION_REVERTED]
        assert [r.reverted_turn_ids for r in reverts] == [undone.reverted_turn_ids]

        with pytest.raises(FailedPreconditionError, match="was reverted"):
            client.revert_session(session.session_id, turns[2].turn_id)
        with pytest.raises(NotFoundError, match="has no turn turn_nope"):
            client.revert_session(session.session_id, "turn_nope")

    async def main() -> None:
        async with AsyncClient(codex_server.addr) as client:
            again = await client.revert_session(session.session_id, turns[0].turn_id)
            assert again.reverted_turn_ids == (turns[0].turn_id,)
            after = await client.run_turn(session.session_id, "prompt 3")
            assert after.final_message == "You said: prompt 3"

    asyncio.run(main())


def test_shell_commands_sync_and_async(tmp_path: Path, codex_home: Path, codex_server: Server,
                                       project: Path) -> None:
    with Client(codex_server.addr) as client:  # --max-sandbox is the default's
        session = client.create_session(project, approval_policy="never")
        with pytest.raises(PermissionDeniedError, match="--max-sandbox"):
            client.start_shell_command(session.session_id, "id")

    (tmp_path / "full").mkdir()
    full = make_server(tmp_path / "full", ["--codex-bin", str(CODEX_BIN), "--codex-home",
                                           str(codex_home), "--max-sandbox", "danger-full-access"])
    server = next(full)
    try:
        with Client(server.addr, token=server.token) as client:
            session = client.create_session(project, approval_policy="never")
            client.wait_for_session(session.session_id, SessionState.IDLE)
            outputs: list[tuple[str, str, int]] = []

            def collect(event: Event) -> None:
                if event.type is EventType.ITEM_COMPLETED:
                    item = event.proto.item
                    outputs.append((item.command_source, item.aggregated_output, item.exit_code))

            turn = client.run_shell_command(session.session_id, "printf 'a\\nb\\n' | wc -l",
                                            on_event=collect)
            assert turn.state == TurnState.COMPLETED and turn.prompt == "!printf 'a\\nb\\n' | wc -l"
            # Codex runs the command in a login shell, whose profile may print
            # lines of its own (pyenv's rehash did on a CI machine).
            assert [(s, c) for s, _, c in outputs] == [("userShell", 0)]
            assert "2" in outputs[0][1].splitlines()
            with pytest.raises(InvalidArgumentError, match="command: required"):
                client.start_shell_command(session.session_id, "  ")

        async def main() -> None:
            async with AsyncClient(server.addr, token=server.token) as client:
                done = await client.run_shell_command(session.session_id, "exit 4")
                assert done.state == TurnState.COMPLETED

        asyncio.run(main())
    finally:
        for _ in full:
            pass


def test_models_and_account_async(codex_server: Server) -> None:
    async def main() -> None:
        async with AsyncClient(codex_server.addr) as client:
            models = await client.list_models()
            assert [m.model for m in models if m.is_default]
            account = await client.get_account()
            assert not account.proto.HasField("rate_limits") and account.rate_limits_error
            threads = [t async for t in client.list_codex_threads(page_size=5)]
            assert all(t.thread_id for t in threads)

    asyncio.run(main())


def test_goals_sync_and_async(codex_server: Server, project: Path) -> None:
    with Client(codex_server.addr) as client:
        session = client.create_session(project, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        paused = client.set_session_goal(session.session_id, "count to three",
                                         status=GoalStatus.PAUSED, token_budget=5000)
        assert paused.has("goal")
        assert (paused.goal.objective, paused.goal.status, paused.goal.token_budget,
                paused.goal.tokens_used) == ("count to three", GoalStatus.PAUSED, 5000, 0)
        assert paused.goal.create_time is not None
        with pytest.raises(InvalidArgumentError, match="objective: required"):
            client.set_session_goal(session.session_id)
        with pytest.raises(InvalidArgumentError, match="status: budgetLimited"):
            client.set_session_goal(session.session_id, status=GoalStatus.BUDGET_LIMITED)
        with pytest.raises(InvalidArgumentError, match="token_budget"):
            client.set_session_goal(session.session_id, token_budget=0)

    async def main() -> None:
        async with AsyncClient(codex_server.addr) as client:
            cleared = await client.clear_session_goal(session.session_id)
            assert not cleared.has("goal")
            with pytest.raises(FailedPreconditionError, match="no goal exists"):
                await client.set_session_goal(session.session_id, status=GoalStatus.ACTIVE)

    asyncio.run(main())
    with Client(codex_server.addr) as client:
        updates = [e.proto.goal_updated for e in client.events(session.session_id, follow=False)
                   if e.type == EventType.GOAL_UPDATED]
    assert [u.HasField("goal") for u in updates] == [True, False]
