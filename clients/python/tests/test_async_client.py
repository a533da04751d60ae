"""AsyncClient (grpc.aio): the same API as coroutines and async iterators."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import Server

from codex_manager import (
    AsyncClient,
    Decision,
    EventType,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    SessionState,
    TurnState,
)


def test_async_end_to_end(fake_server: Server, project: Path) -> None:
    async def main() -> None:
        async with AsyncClient(fake_server.addr, timeout=10) as client:
            assert await client.health()
            session = await client.create_session(str(project), title="async")
            await client.wait_for_session(session.session_id, SessionState.IDLE)
            assert [s.session_id async for s in client.list_sessions()] == [session.session_id]

            decided: list[str] = []

            async def on_approval(approval):  # an async callback is awaited
                decided.append(approval.command)
                return Decision.APPROVE

            turn = await client.run_turn(session.session_id, "approve", on_approval=on_approval)
            assert turn.state == TurnState.COMPLETED
            assert turn.final_message == "decision was accept"
            assert decided == ["echo fake"]
            approvals = [a async for a in client.list_approvals(include_resolved=True)]
            assert len(approvals) == 1
            with pytest.raises(FailedPreconditionError):
                await client.deny(approvals[0].approval_id)

            turns = [t async for t in client.list_turns(session.session_id)]
            assert [t.turn_id for t in turns] == [turn.turn_id]
            assert (await client.get_turn(turn.turn_id)).state == TurnState.COMPLETED

            events = [e async for e in client.events(session.session_id, follow=False)]
            assert [e.session_seq for e in events] == list(range(1, len(events) + 1))
            assert EventType.APPROVAL_RESOLVED in {e.type for e in events}

            slow = await client.start_turn(session.session_id, "slow")
            await client.wait_for_session(session.session_id, SessionState.BUSY)
            await client.interrupt_turn(session.session_id)
            for _ in range(200):
                if (await client.get_turn(slow.turn_id)).state == TurnState.INTERRUPTED:
                    break
                await asyncio.sleep(0.05)
            assert (await client.get_turn(slow.turn_id)).state == TurnState.INTERRUPTED

            assert (await client.stop_session(session.session_id)).state == SessionState.STOPPED
            await client.resume_session(session.session_id)
            await client.wait_for_session(session.session_id, SessionState.IDLE)
            archived = await client.archive_session(session.session_id)
            assert archived.state == SessionState.ARCHIVED
            unarchived = await client.unarchive_session(session.session_id)
            assert unarchived.state == SessionState.STOPPED

            with pytest.raises(InvalidArgumentError, match="cwd"):
                await client.create_session("relative/path")
            with pytest.raises(NotFoundError, match="ses_nope"):
                await client.get_session("ses_nope")
            with pytest.raises(NotFoundError):
                await client.approve("apr_nope")

    asyncio.run(main())


def test_async_follow_stops_when_the_task_is_cancelled(fake_server: Server, project: Path) -> None:
    async def main() -> None:
        async with AsyncClient(fake_server.addr) as client:
            session = await client.create_session(str(project))
            seen: list[int] = []

            async def follow() -> None:
                async for event in client.events(session.session_id):
                    seen.append(event.session_seq)

            task = asyncio.create_task(follow())
            await client.wait_for_session(session.session_id, SessionState.IDLE)
            await asyncio.sleep(0.2)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert seen[:2] == [1, 2]

    asyncio.run(main())
