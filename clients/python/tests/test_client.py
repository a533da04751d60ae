"""Every RPC through the synchronous Client against the real server binary
(runtime: tests/fake_codex), with typed errors and deadlines."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cm_testing import server_without_batches
from conftest import ready_session, wait_for

from codex_manager import (
    ApprovalKind,
    ApprovalState,
    Client,
    CodexManagerError,
    DeadlineExceededError,
    Decision,
    EventType,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    SessionState,
    TurnState,
    UnavailableError,
)


def test_health(client: Client) -> None:
    assert client.health() is True


def test_a_client_shows_its_address_and_never_its_token() -> None:
    with Client("127.0.0.1:1", token="cmt_secret-value") as client:
        assert repr(client) == "Client('127.0.0.1:1')"
    import asyncio

    from codex_manager.aio import AsyncClient

    async def shown() -> str:
        async with AsyncClient("127.0.0.1:1", token="cmt_secret-value") as client:
            return repr(client)

    assert asyncio.run(shown()) == "AsyncClient('127.0.0.1:1')"


def test_session_lifecycle(client: Client, project: Path) -> None:
    created = client.create_session(str(project), title="sdk", approval_policy="untrusted",
                                    sandbox="workspace-write", model="m1", request_id="k-1")
    assert created.state == SessionState.STARTING
    assert client.create_session(str(project), title="sdk", approval_policy="untrusted",
                                 sandbox="workspace-write", model="m1",
                                 request_id="k-1").session_id == created.session_id
    with pytest.raises(InvalidArgumentError, match="request_id: k-1 was first used"):
        client.create_session(str(project), request_id="k-1")  # not a retry: other fields
    ready = client.wait_for_session(created.session_id, SessionState.IDLE)
    assert ready.thread_id and ready.title == "sdk" and ready.sandbox == "workspace-write"
    assert client.get_session(created.session_id).model == "m1"

    stopped = client.stop_session(created.session_id)
    assert stopped.state == SessionState.STOPPED
    assert client.resume_session(created.session_id).state == SessionState.STARTING
    client.wait_for_session(created.session_id, SessionState.IDLE)
    with pytest.raises(FailedPreconditionError):
        client.resume_session(created.session_id)
    assert client.stop_session(created.session_id, force=True).state == SessionState.STOPPED
    assert client.archive_session(created.session_id).state == SessionState.ARCHIVED
    assert [s.session_id for s in client.list_sessions()] == []
    assert [s.session_id for s in client.list_sessions(include_archived=True)] == [
        created.session_id]
    # Unarchived, it is listed again and resumes.
    assert client.unarchive_session(created.session_id).state == SessionState.STOPPED
    assert [s.session_id for s in client.list_sessions()] == [created.session_id]
    assert client.resume_session(created.session_id).state == SessionState.STARTING
    client.wait_for_session(created.session_id, SessionState.IDLE)


def test_list_sessions_pages_through_everything(client: Client, project: Path) -> None:
    ids = [client.create_session(str(project)).session_id for _ in range(5)]
    listed = [s.session_id for s in client.list_sessions(page_size=2)]
    assert listed == list(reversed(ids))  # newest first, across three pages


def test_list_sessions_filters(client: Client, project: Path, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    web = project / "web"
    web.mkdir()
    other = tmp_path / (project.name + "-other")  # a longer name, not below
    other.mkdir()
    app = client.create_session(project, title="Fix the LOGIN page")
    front = client.create_session(web, title="styles")
    elsewhere = client.create_session(other, title="login again")
    client.wait_for_session(front.session_id, SessionState.IDLE)
    client.stop_session(front.session_id)

    def ids(**filters: object) -> list[str]:
        return [s.session_id for s in client.list_sessions(page_size=1, **filters)]

    assert ids(search="login") == [elsewhere.session_id, app.session_id]
    assert ids(cwd=project) == [front.session_id, app.session_id]
    monkeypatch.chdir(project)  # a relative folder is taken from here
    assert ids(cwd="web") == [front.session_id]
    assert ids(states=SessionState.STOPPED) == [front.session_id]
    assert ids(cwd=project, states=[SessionState.STOPPED, SessionState.IDLE],
               search="styles") == [front.session_id]
    client.archive_session(front.session_id)
    assert ids(cwd=web) == []
    assert ids(cwd=web, states=[SessionState.ARCHIVED]) == [front.session_id]
    with pytest.raises(InvalidArgumentError, match="states\\[0\\]"):
        ids(states=[SessionState.UNSPECIFIED])
    with pytest.raises(InvalidArgumentError, match="search"):
        ids(search="x" * 201)


def test_turns(client: Client, project: Path) -> None:
    session_id = ready_session(client, project)
    assert client.get_session(session_id).preview == ""
    turn = client.start_turn(session_id, "hello", request_id="t-1")
    assert client.start_turn(session_id, "hello", request_id="t-1").turn_id == turn.turn_id
    # The start of its first prompt names an untitled session in lists.
    assert client.get_session(session_id).preview == "hello"
    wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    done = client.get_turn(turn.turn_id)
    assert done.final_message == "fake: hello"
    slow = client.start_turn(session_id, "slow")
    queued = client.start_turn(session_id, "after the slow one")
    assert client.get_turn(queued.turn_id).state == TurnState.QUEUED
    dropped = client.interrupt_turn(session_id, queued.turn_id)
    assert dropped.state == TurnState.INTERRUPTED
    wait_for(lambda: client.get_session(session_id).state == SessionState.BUSY)
    client.interrupt_turn(session_id)
    wait_for(lambda: client.get_turn(slow.turn_id).state == TurnState.INTERRUPTED)
    assert [t.turn_id for t in client.list_turns(session_id, page_size=1)] == [
        turn.turn_id, slow.turn_id, queued.turn_id]
    with pytest.raises(FailedPreconditionError):
        client.interrupt_turn(session_id)


def test_approvals_are_decided_once(client: Client, project: Path) -> None:
    session_id = ready_session(client, project)
    turn = client.start_turn(session_id, "approve")
    approval = wait_for(lambda: next(iter(client.list_approvals(session_id)), None))
    assert approval.kind == ApprovalKind.COMMAND_EXECUTION
    assert approval.command == "echo fake" and approval.turn_id == turn.turn_id
    decided = client.approve(approval.approval_id)
    assert decided.state == ApprovalState.APPROVED
    with pytest.raises(FailedPreconditionError) as info:
        client.deny(approval.approval_id)
    assert "APPROVED" in info.value.details
    wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    assert client.get_turn(turn.turn_id).final_message == "decision was accept"
    assert list(client.list_approvals(session_id)) == []
    history = list(client.list_approvals(session_id, include_resolved=True))
    assert [a.state for a in history] == [ApprovalState.APPROVED]

    # deny, abort and resolve_approval with a request id
    turn2 = client.start_turn(session_id, "approve")
    second = wait_for(lambda: next(iter(client.list_approvals(session_id)), None))
    client.resolve_approval(second.approval_id, Decision.ABORT, request_id="r-9")
    client.resolve_approval(second.approval_id, Decision.ABORT, request_id="r-9")  # a retry
    wait_for(lambda: client.get_turn(turn2.turn_id).state == TurnState.INTERRUPTED)


def test_errors_are_typed_and_carry_the_servers_message(client: Client, project: Path) -> None:
    with pytest.raises(InvalidArgumentError) as bad_cwd:
        client.create_session(str(project / "missing"))
    assert bad_cwd.value.details.startswith("cwd:")
    with pytest.raises(InvalidArgumentError, match="approval_policy"):
        client.create_session(str(project), approval_policy="sometimes")
    with pytest.raises(NotFoundError, match="ses_nope"):
        client.get_session("ses_nope")
    with pytest.raises(NotFoundError, match="turn_nope"):
        client.get_turn("turn_nope")
    with pytest.raises(NotFoundError, match="apr_nope"):
        client.approve("apr_nope")
    session_id = ready_session(client, project)
    with pytest.raises(InvalidArgumentError, match="prompt"):
        client.start_turn(session_id, "  ")
    with pytest.raises(OutOfRangeError):
        list(client.events(session_id, after=10_000, follow=False))
    with pytest.raises(NotFoundError):
        list(client.events("ses_nope", follow=False))
    error = CodexManagerError("x")
    assert isinstance(NotFoundError("y"), CodexManagerError) and str(error) == "UNKNOWN: x"


def test_audit_events_by_token_method_and_time(client: Client, fake_server) -> None:
    import asyncio
    from datetime import datetime, timedelta, timezone

    from codex_manager import AsyncClient, Role
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    made = client.create_token("audited", Role.VIEWER, ttl_s=3600)
    after = datetime.now(timezone.utc) + timedelta(seconds=2)
    create = "/codex_manager.v1.AuthService/CreateToken"
    mine = [a for a in client.list_audit_events(method=create, since=before)
            if a.resource_id == made.token.token_id]
    assert len(mine) == 1 and mine[0].method == create
    assert [a for a in client.list_audit_events(method=create, since=after)] == []
    assert made.token.token_id not in [a.resource_id for a in client.list_audit_events(
        method=create, until=before)]
    # Before 1970 is everything; a naive datetime is refused before any call.
    assert len(list(client.list_audit_events(
        since=datetime(1, 1, 1, tzinfo=timezone.utc)))) >= 1
    with pytest.raises(ValueError, match="since: an aware datetime"):
        next(client.list_audit_events(since=datetime(2026, 1, 1)))
    with pytest.raises(ValueError, match="ttl_s"):
        client.create_token("never", Role.VIEWER, ttl_s=float("nan"))

    async def main() -> list[str]:
        async with AsyncClient(fake_server.addr) as aio:
            return [a.resource_id async for a in aio.list_audit_events(method=create,
                                                                    since=before)]
    assert made.token.token_id in asyncio.run(main())


def test_timeout_none_is_no_deadline_and_zero_is_refused(fake_server) -> None:
    with Client(fake_server.addr, timeout=None) as client:
        assert client.health()
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="timeout: seconds above 0"):
            Client(fake_server.addr, timeout=bad)


def test_unreachable_server_raises_unavailable_fast() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Client(f"127.0.0.1:{port}", timeout=5) as client:
        start = time.monotonic()
        with pytest.raises(UnavailableError):
            client.list_sessions().__next__()
        assert time.monotonic() - start < 5


def test_a_server_that_never_answers_hits_the_deadline() -> None:
    # A TCP listener that accepts and then says nothing.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    with Client(f"127.0.0.1:{listener.getsockname()[1]}", timeout=0.5) as client:
        start = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            client.get_session("ses_x")
        assert 0.4 < time.monotonic() - start < 3
    listener.close()


def test_events_replay_filter_and_cursor(client: Client, project: Path) -> None:
    session_id = ready_session(client, project)
    other = ready_session(client, project)
    turn = client.start_turn(session_id, "hello")
    wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    replay = list(client.events(session_id, follow=False))
    assert [e.session_seq for e in replay] == list(range(1, len(replay) + 1))
    assert {e.session_id for e in replay} == {session_id}
    assert EventType.AGENT_MESSAGE_DELTA in {e.type for e in replay}
    tail = list(client.events(session_id, after=3, follow=False))
    assert [e.event_id for e in tail] == [e.event_id for e in replay[3:]]
    everything = list(client.events(follow=False))
    assert {e.session_id for e in everything} == {session_id, other}
    ids = [e.event_id for e in everything]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_events_follow_until_stopped(client: Client, project: Path) -> None:
    session_id = ready_session(client, project)
    stop = threading.Event()
    seen: list[int] = []

    def consume() -> None:
        for event in client.events(session_id, stop=stop):
            seen.append(event.type)
    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    try:
        turn = client.start_turn(session_id, "hello")
        wait_for(lambda: EventType.TURN_STATE_CHANGED in seen and client.get_turn(
            turn.turn_id).state == TurnState.COMPLETED)
    finally:
        stop.set()
        consumer.join(timeout=5)
    assert not consumer.is_alive()


def test_a_stop_event_ends_a_stream_the_server_never_answers() -> None:
    # A server that takes the call and then hangs before its response
    # headers (its handler stuck): `stop` still ends the iteration at once.
    # (gRPC Python's SingleThreadedUnaryStream, which reads a stream on the
    # iterating thread, holds the call's lock while it waits for headers,
    # so cancel() from the stop thread waited as long: not used, for this.)
    from concurrent import futures

    import grpc

    release = threading.Event()

    def hang(request: object, context: object) -> Iterator[object]:
        release.wait(30)
        yield from ()

    hung = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    hung.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "codex_manager.v1.StreamService",
        {"StreamEventBatches": grpc.unary_stream_rpc_method_handler(hang)})])
    port = hung.add_insecure_port("127.0.0.1:0")
    hung.start()
    stop = threading.Event()
    ended = threading.Event()
    try:
        with Client(f"127.0.0.1:{port}", token="t") as client:
            def follow() -> None:
                for _ in client.events("ses_hung", stop=stop):
                    pass
                ended.set()
            threading.Thread(target=follow, daemon=True).start()
            time.sleep(0.5)  # the call is open, waiting for headers
            stop.set()
            assert ended.wait(3), "events() went on waiting after stop was set"
    finally:
        release.set()
        hung.stop(None)


def test_a_stop_event_leaves_no_thread_behind(client: Client, project: Path) -> None:
    session_id = ready_session(client, project)
    before = threading.active_count()
    for _ in range(5):
        list(client.events(session_id, follow=False, stop=threading.Event()))
    wait_for(lambda: threading.active_count() <= before, timeout=5)


def test_export_transcript_as_jsonl_and_markdown(client: Client, project: Path,
                                                 tmp_path: Path) -> None:
    import json

    session_id = ready_session(client, project)
    turn = client.start_turn(session_id, "hello export")
    wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)

    lines = b"".join(client.export_transcript(session_id)).decode().splitlines()
    events = list(client.events(session_id, follow=False))
    assert [json.loads(line)["sessionSeq"] for line in lines] == \
        [str(e.session_seq) for e in events]

    path = client.save_transcript(session_id, tmp_path / "t.md")
    md = path.read_text()
    # Untitled: its first prompt heads it.
    assert md.startswith(f"# hello export\n\n- Session: `{session_id}`\n")
    assert "**You:**\n\n> hello export\n" in md
    assert "**Codex:**\n\nfake: hello export\n" in md
    assert not (tmp_path / "t.md.partial").exists()

    with pytest.raises(NotFoundError, match="ses_00000000000000000000"):
        client.save_transcript("ses_00000000000000000000", tmp_path / "none.md")
    assert list(tmp_path.glob("none.md*")) == []
    with pytest.raises(ValueError, match="format"):
        list(client.export_transcript(session_id, format="pdf"))  # type: ignore[arg-type]


def test_async_export_transcript(fake_server, project: Path, tmp_path: Path) -> None:
    import asyncio

    from codex_manager.aio import AsyncClient

    async def main() -> None:
        async with AsyncClient(fake_server.addr) as client:
            session = await client.create_session(str(project))
            chunks = [c async for c in client.export_transcript(session.session_id)]
            assert b"".join(chunks).count(b"\n") >= 1
            path = await client.save_transcript(session.session_id, tmp_path / "a.md")
            assert path.read_text().startswith(f"# {session.session_id}")
    asyncio.run(asyncio.wait_for(main(), timeout=30))


def test_events_fall_back_to_stream_events_on_a_server_without_batches(
        client: Client, project: Path) -> None:
    """A server older than StreamEventBatches answers it UNIMPLEMENTED: the
    SDK then streams with StreamEvents and yields the same events."""
    session_id = ready_session(client, project)
    turn = client.start_turn(session_id, "hello")
    wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    expected = [e.proto for e in client.events(session_id, follow=False)]

    with server_without_batches(client.address) as older, \
            Client(older, timeout=10) as old:
        got = [e.proto for e in old.events(session_id, follow=False)]
        assert old._event_rpc.batched is False
    assert client._event_rpc.batched is True
    assert got == expected and len(got) > 5
