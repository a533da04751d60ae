"""Codex Manager for Python: a typed client for every RPC of the Codex
Manager API, an asyncio twin, and a small framework for extension agents.

    from codex_manager import Client, Decision

    with Client("127.0.0.1:50051") as client:
        turn = client.run("/srv/app", "run the tests",
                          on_approval=lambda approval: Decision.APPROVE)

See docs/python.md in the repository for a guide.
"""

from codex_manager.aio import AsyncClient
from codex_manager.client import Client
from codex_manager.enums import (
    ApprovalKind,
    ApprovalState,
    Decision,
    EventType,
    Role,
    SessionState,
    TurnState,
)
from codex_manager.errors import (
    AbortedError,
    AlreadyExistsError,
    CancelledError,
    CodexManagerError,
    DataLossError,
    DeadlineExceededError,
    FailedPreconditionError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    OutOfRangeError,
    PermissionDeniedError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
    UnimplementedError,
)
from codex_manager.v1.approvals_pb2 import Approval
from codex_manager.v1.events_pb2 import Event
from codex_manager.v1.sessions_pb2 import Session
from codex_manager.v1.turns_pb2 import Turn

__version__ = "0.1.0"

__all__ = [
    "AbortedError", "AlreadyExistsError", "Approval", "ApprovalKind", "ApprovalState",
    "AsyncClient", "CancelledError", "Client", "CodexManagerError", "DataLossError",
    "DeadlineExceededError", "Decision", "Event", "EventType", "FailedPreconditionError",
    "InternalError", "InvalidArgumentError", "NotFoundError", "OutOfRangeError",
    "PermissionDeniedError", "ResourceExhaustedError", "Role", "Session", "SessionState", "Turn",
    "TurnState", "UnauthenticatedError", "UnavailableError", "UnimplementedError",
]
