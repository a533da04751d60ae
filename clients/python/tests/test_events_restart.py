"""Killing and restarting the server in the middle of client.events(...)
yields every event exactly once, in order, across the restart."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest
from conftest import Server, ready_session, wait_for

from codex_manager import Client, SessionState, TurnState, UnavailableError


def answers(client: Client, session_id: str) -> bool:
    """True once the restarted server answers on this client's channel; until
    the channel's reconnect backoff ends, calls fail fast with UNAVAILABLE."""
    try:
        client.get_session(session_id)
    except UnavailableError:
        return False
    return True


@pytest.mark.parametrize("per_session", [True, False])
def test_events_survive_a_server_kill_and_restart(fake_server: Server, project: Path,
                                                  per_session: bool) -> None:
    client = Client(fake_server.addr, timeout=5)
    session_id = ready_session(client, project)
    first = client.start_turn(session_id, "burst 300")
    wait_for(lambda: client.get_turn(first.turn_id).state == TurnState.COMPLETED)

    got: list = []
    stop = threading.Event()

    def consume() -> None:
        for event in client.events(session_id if per_session else None, stop=stop):
            got.append(event)
    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    try:
        wait_for(lambda: len(got) > 50)

        fake_server.stop(signal.SIGKILL)   # mid-stream, no goodbye
        fake_server.start()                # same port and data; recovery adds events
        wait_for(lambda: answers(client, session_id), timeout=10)
        client.wait_for_session(session_id, SessionState.STOPPED)
        client.resume_session(session_id)
        client.wait_for_session(session_id, SessionState.IDLE)
        second = client.start_turn(session_id, "burst 200")
        wait_for(lambda: client.get_turn(second.turn_id).state == TurnState.COMPLETED)

        replay = list(client.events(session_id if per_session else None, follow=False))
        wait_for(lambda: len(got) >= len(replay), timeout=30)
    finally:
        stop.set()  # the consumer thread must end even when the test fails
        consumer.join(timeout=10)
    assert not consumer.is_alive()

    assert [e.event_id for e in got] == [e.event_id for e in replay]
    assert got == replay  # same events, field for field
    if per_session:
        assert [e.session_seq for e in got] == list(range(1, len(got) + 1))
    client.close()


def test_events_from_a_server_never_reached_fail_at_once_naming_it() -> None:
    import socket
    import time
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    with Client(address, timeout=5) as client:
        start = time.monotonic()
        with pytest.raises(UnavailableError) as raised:
            next(client.events("ses_x"))
        assert time.monotonic() - start < 5  # was: retried forever
        assert f"could not reach codex-manager-server at {address}" in str(raised.value)
        with pytest.raises(UnavailableError, match="CODEX_MANAGER_ADDR"):
            client.get_session("ses_x")


def test_an_http1_address_is_named_as_probably_the_web_proxy() -> None:
    from cm_testing import http1_server
    with (http1_server() as address, Client(address, timeout=5) as client,
          pytest.raises(UnavailableError) as raised):
        client.get_session("ses_x")
    assert f"{address} answers HTTP/1.1, not gRPC (is it codex-manager-web" in str(raised.value)


def test_events_give_up_after_max_retries_once_the_server_is_gone(fake_server: Server,
                                                                  project: Path) -> None:
    client = Client(fake_server.addr, timeout=5)
    session_id = ready_session(client, project)
    events = client.events(session_id, max_retries=3, max_backoff=0.2)
    next(events)  # reached
    fake_server.stop(signal.SIGKILL)
    with pytest.raises(UnavailableError):
        for _ in events:  # the rest of the replay, then retries, then the error
            pass
    client.close()


def test_async_events_from_a_server_never_reached_fail_at_once() -> None:
    import asyncio
    import socket

    from codex_manager.aio import AsyncClient
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"

    async def main() -> None:
        async with AsyncClient(address, timeout=5) as client:
            with pytest.raises(UnavailableError, match=address):
                async for _ in client.events("ses_x"):
                    pass
    asyncio.run(asyncio.wait_for(main(), timeout=10))


def silent_server() -> tuple[str, object]:
    """A port that takes TCP connections (the kernel's backlog) and never
    says a word: no HTTP/2, so a gRPC channel stays CONNECTING."""
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    return f"127.0.0.1:{listener.getsockname()[1]}", listener


def test_a_server_that_never_answers_fails_after_connect_timeout_naming_it() -> None:
    import time
    address, listener = silent_server()
    try:
        with Client(address, timeout=30, connect_timeout=1) as client:
            for call in (lambda: client.get_session("ses_x"), lambda: next(client.events("ses_x"))):
                start = time.monotonic()
                with pytest.raises(UnavailableError) as raised:
                    call()
                assert time.monotonic() - start < 5  # not the 30 s deadline, not forever
                assert f"could not reach codex-manager-server at {address}" in str(raised.value)
    finally:
        listener.close()  # type: ignore[attr-defined]


def test_async_a_server_that_never_answers_fails_after_connect_timeout() -> None:
    import asyncio

    from codex_manager.aio import AsyncClient
    address, listener = silent_server()

    async def main() -> None:
        async with AsyncClient(address, timeout=30, connect_timeout=1) as client:
            with pytest.raises(UnavailableError, match=address):
                await client.get_session("ses_x")
            with pytest.raises(UnavailableError, match=address):
                async for _ in client.events("ses_x"):
                    pass
    try:
        asyncio.run(asyncio.wait_for(main(), timeout=10))
    finally:
        listener.close()  # type: ignore[attr-defined]


def test_a_follower_resumes_when_its_connection_goes_silent(tmp_path: Path,
                                                           project: Path) -> None:
    """A connection that goes quiet without closing (a NAT dropped it, the
    laptop slept): the client's keepalive ping goes unanswered, the stream
    ends UNAVAILABLE, and events() resumes from its cursor on a new
    connection, every event once and in order. The server pings nobody
    here (--keepalive-interval 0) and lets the client ping every second."""
    from cm_testing import FAKE_CODEX, Relay, make_server

    servers = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--keepalive-interval", "0",
                                     "--keepalive-min-time", "500ms"])
    server = next(servers)
    relay = Relay(server.addr)
    direct = Client(server.addr, timeout=10)
    follower = Client(relay.addr, timeout=10, keepalive=1, keepalive_timeout=1)
    got: list = []
    stop = threading.Event()

    def consume() -> None:
        for event in follower.events(session_id, stop=stop):
            got.append(event)
    try:
        session_id = ready_session(direct, project)
        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        first = direct.start_turn(session_id, "burst 50")
        wait_for(lambda: direct.get_turn(first.turn_id).state == TurnState.COMPLETED)
        wait_for(lambda: got and got[-1].event_id == list(
            direct.events(session_id, follow=False))[-1].event_id)
        relay.freeze()  # later connections through the relay pass
        second = direct.start_turn(session_id, "burst 50")
        wait_for(lambda: direct.get_turn(second.turn_id).state == TurnState.COMPLETED)
        replay = list(direct.events(session_id, follow=False))
        wait_for(lambda: len(got) >= len(replay), timeout=20)
    finally:
        stop.set()
        follower.close()
        direct.close()
        relay.close()
        next(servers, None)
    assert [e.event_id for e in got] == [e.event_id for e in replay]
    assert [e.session_seq for e in got] == list(range(1, len(got) + 1))
