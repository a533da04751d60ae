"""StreamEventBatches against the real server: the same stream as
StreamEvents (events, order, cursors, redelivered approvals, errors), fewer
messages."""

from __future__ import annotations

import threading
from pathlib import Path

import grpc
import pytest
from conftest import Server, wait_for

from codex_manager import ApprovalState, Client, SessionState, TurnState
from codex_manager.v1 import events_pb2, events_pb2_grpc

BATCHES = "/codex_manager.v1.StreamService/StreamEventBatches"


def both(stub: events_pb2_grpc.StreamServiceStub, md: list[tuple[str, str]],
         request: events_pb2.StreamEventsRequest,
         ) -> tuple[list[events_pb2.Event], list[events_pb2.EventBatch]]:
    """StreamEvents' events and StreamEventBatches' batches for `request`."""
    events = list(stub.StreamEvents(request, metadata=md, timeout=20))
    batches = list(stub.StreamEventBatches(request, metadata=md, timeout=20))
    return events, batches


def flat(batches: list[events_pb2.EventBatch]) -> list[events_pb2.Event]:
    return [event for batch in batches for event in batch.events]


def test_batches_carry_exactly_the_events_stream_events_sends(
        fake_server: Server, project: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(str(project))
        client.wait_for_session(session.session_id, SessionState.IDLE)
        other = client.create_session(str(project))
        client.wait_for_session(other.session_id, SessionState.IDLE)
        turn = client.start_turn(session.session_id, "burst 2000")
        wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
    with grpc.insecure_channel(fake_server.addr) as channel:
        stub = events_pb2_grpc.StreamServiceStub(channel)
        md = [("authorization", f"Bearer {fake_server.token}")]
        requests = [
            events_pb2.StreamEventsRequest(session_id=session.session_id, no_follow=True),
            events_pb2.StreamEventsRequest(session_id=session.session_id, after_seq=7,
                                           no_follow=True),
            events_pb2.StreamEventsRequest(no_follow=True),
            events_pb2.StreamEventsRequest(after_event_id=5, no_follow=True),
        ]
        for request in requests:
            events, batches = both(stub, md, request)
            assert flat(batches) == events, request
            assert all(batch.events for batch in batches)
        # The whole session: 2,000 deltas and more in a few messages.
        events, batches = both(stub, md, requests[0])
        assert len(events) > 2000
        assert len(batches) <= len(events) // 100
        assert [e.session_seq for e in flat(batches)] == list(range(1, len(events) + 1))


def test_a_follower_gets_live_events_in_batches_and_resumes_from_the_last(
        fake_server: Server, project: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(str(project))
        client.wait_for_session(session.session_id, SessionState.IDLE)
        channel = grpc.insecure_channel(fake_server.addr)
        stub = events_pb2_grpc.StreamServiceStub(channel)
        md = [("authorization", f"Bearer {fake_server.token}")]
        call = stub.StreamEventBatches(
            events_pb2.StreamEventsRequest(session_id=session.session_id), metadata=md)
        got: list[events_pb2.Event] = []

        def read() -> None:
            try:
                for batch in call:
                    got.extend(batch.events)
            except grpc.RpcError:
                pass  # cancelled below
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        turn = client.start_turn(session.session_id, "burst 500")
        wait_for(lambda: any(e.turn_state_changed.state == TurnState.COMPLETED
                             for e in got if e.WhichOneof("payload") == "turn_state_changed"))
        call.cancel()
        reader.join(timeout=5)
        followed = list(got)
        stored = list(stub.StreamEvents(events_pb2.StreamEventsRequest(
            session_id=session.session_id, no_follow=True), metadata=md, timeout=20))
        # What the follower got is a prefix of the log; resuming after its
        # last event gives the rest, with no gap and no duplicate.
        assert followed == stored[:len(followed)]
        rest = flat(list(stub.StreamEventBatches(events_pb2.StreamEventsRequest(
            session_id=session.session_id, after_seq=followed[-1].session_seq,
            no_follow=True), metadata=md, timeout=20)))
        assert followed + rest == stored
        assert any(e.turn_id == turn.turn_id for e in followed)
        channel.close()


def test_a_pending_approval_is_redelivered_first(fake_server: Server, project: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(str(project))
        client.wait_for_session(session.session_id, SessionState.IDLE)
        client.start_turn(session.session_id, "approve")
        approval = wait_for(lambda: next(iter(client.list_approvals(session.session_id)), None))
        last = client.get_session(session.session_id).last_seq
        with grpc.insecure_channel(fake_server.addr) as channel:
            stub = events_pb2_grpc.StreamServiceStub(channel)
            md = [("authorization", f"Bearer {fake_server.token}")]
            call = stub.StreamEventBatches(events_pb2.StreamEventsRequest(
                session_id=session.session_id, after_seq=last), metadata=md, timeout=20)
            first = next(iter(call)).events[0]
            call.cancel()
        assert first.redelivered
        assert first.approval_requested.approval.approval_id == approval.approval_id
        assert approval.state == ApprovalState.PENDING
        client.deny(approval.approval_id)


def test_bad_requests_get_the_errors_stream_events_gives(fake_server: Server) -> None:
    with grpc.insecure_channel(fake_server.addr) as channel:
        stub = events_pb2_grpc.StreamServiceStub(channel)
        md = [("authorization", f"Bearer {fake_server.token}")]
        cases = [
            (events_pb2.StreamEventsRequest(session_id="ses_nope"), grpc.StatusCode.NOT_FOUND),
            (events_pb2.StreamEventsRequest(after_seq=3), grpc.StatusCode.INVALID_ARGUMENT),
            (events_pb2.StreamEventsRequest(after_event_id=10**9), grpc.StatusCode.OUT_OF_RANGE),
        ]
        for request, code in cases:
            with pytest.raises(grpc.RpcError) as batched:
                list(stub.StreamEventBatches(request, metadata=md, timeout=10))
            with pytest.raises(grpc.RpcError) as single:
                list(stub.StreamEvents(request, metadata=md, timeout=10))
            assert batched.value.code() == single.value.code() == code
            assert batched.value.details() == single.value.details()
        # Bytes that are not a StreamEventsRequest (the method is raw on the
        # server, which parses the request itself).
        raw = channel.unary_stream(BATCHES)
        with pytest.raises(grpc.RpcError) as garbage:
            list(raw(b"\x0a\xff\xff", metadata=md, timeout=10))
        assert garbage.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "request" in garbage.value.details()
        # No token: refused before anything is read.
        with pytest.raises(grpc.RpcError) as anonymous:
            list(raw(b"\x0a\xff\xff", timeout=10))
        assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
