"""Request building and result handling shared by Client and AsyncClient, so
the two differ only in how they wait."""

from __future__ import annotations

from collections.abc import Mapping

import grpc

from codex_manager.enums import Decision
from codex_manager.v1 import approvals_pb2, events_pb2, sessions_pb2, turns_pb2

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_TIMEOUT_S = 10.0

# Stream errors after which events() reconnects and resumes: the connection
# dropped. Anything else is the server's answer and is raised.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE})


def create_session(cwd: str, model: str | None, approval_policy: str | None,
                   sandbox: str | None, title: str | None,
                   request_id: str | None) -> sessions_pb2.CreateSessionRequest:
    return sessions_pb2.CreateSessionRequest(
        cwd=str(cwd), model=model or "", approval_policy=approval_policy or "",
        sandbox=sandbox or "", title=title or "", request_id=request_id or "")


def resolve_approval(approval_id: str, decision: Decision | int,
                     answers: Mapping[str, str] | None,
                     request_id: str | None) -> approvals_pb2.ResolveApprovalRequest:
    return approvals_pb2.ResolveApprovalRequest(
        approval_id=approval_id, decision=approvals_pb2.Decision.ValueType(int(decision)),
        answers=dict(answers or {}),
        request_id=request_id or "")


def start_turn(session_id: str, prompt: str,
               request_id: str | None) -> turns_pb2.StartTurnRequest:
    return turns_pb2.StartTurnRequest(session_id=session_id, prompt=prompt,
                                      request_id=request_id or "")


def stream_events(session_id: str | None, cursor: int,
                  follow: bool) -> events_pb2.StreamEventsRequest:
    """With a session: `cursor` is a session_seq; without: a global event_id."""
    if session_id:
        return events_pb2.StreamEventsRequest(session_id=session_id, after_seq=cursor,
                                              no_follow=not follow)
    return events_pb2.StreamEventsRequest(after_event_id=cursor, no_follow=not follow)


class Cursor:
    """Tracks where an event stream is, so a reconnect resumes exactly after
    the last event delivered: no gap, no duplicate."""

    def __init__(self, session_id: str | None, after: int) -> None:
        self.session_id = session_id
        self.position = after
        self._redelivered: set[int] = set()

    def accept(self, event: events_pb2.Event) -> bool:
        """Whether to hand `event` to the caller; advances the cursor."""
        if event.redelivered:
            # Copies of pending approvals, sent at the start of every stream:
            # pass each on once, not again after a reconnect.
            if event.event_id in self._redelivered:
                return False
            self._redelivered.add(event.event_id)
            return True
        self.position = event.session_seq if self.session_id else event.event_id
        return True
