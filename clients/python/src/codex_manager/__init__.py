"""Codex Manager for Python: a typed client for every RPC of the Codex
Manager API, an asyncio twin, and a small framework for extension agents.

    from codex_manager import Client, Decision

    with Client() as client:  # $CODEX_MANAGER_ADDR, else 127.0.0.1:50051
        turn = client.run(".", "run the tests",
                          on_approval=lambda approval: Decision.APPROVE)
        print(turn.state, turn.final_message)   # COMPLETED …

See docs/python.md in the repository for a guide.
"""

from codex_manager._requests import Backup, CodexHooks, Skills, TranscriptFormat
from codex_manager.aio import AsyncClient
from codex_manager.client import Client
from codex_manager.enums import (
    ApprovalKind,
    ApprovalState,
    CodexLoginMethod,
    CodexLoginState,
    Decision,
    EventType,
    GoalStatus,
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
from codex_manager.images import GeneratedImage, generated_image
from codex_manager.questions import Option, Question, questions
from codex_manager.v1.views import Approval, Event, Session, Turn

__version__ = "0.1.0"

__all__ = [
    "AbortedError", "AlreadyExistsError", "Approval", "ApprovalKind", "ApprovalState",
    "AsyncClient", "Backup", "CancelledError", "Client", "CodexHooks", "CodexLoginMethod",
    "CodexLoginState", "CodexManagerError", "DataLossError",
    "DeadlineExceededError", "Decision", "Event", "EventType", "FailedPreconditionError",
    "GeneratedImage", "GoalStatus",
    "InternalError", "InvalidArgumentError", "NotFoundError", "Option", "OutOfRangeError",
    "PermissionDeniedError", "Question", "ResourceExhaustedError", "Role", "Session",
    "SessionState", "Skills",
    "TranscriptFormat", "Turn", "TurnState", "UnauthenticatedError", "UnavailableError",
    "UnimplementedError", "generated_image", "questions",
]
