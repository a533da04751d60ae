"""Pythonic names for the API's enums.

Each member's value is the proto enum number, so members compare equal to
the generated constants: ``SessionState.IDLE == sessions_pb2.SESSION_STATE_IDLE``
and ``session.state == SessionState.IDLE`` both hold. tests/test_parity.py
checks these stay in step with protos/.

Members print as their names (``print(turn.state)`` prints ``COMPLETED``).
A number this SDK does not know (from a newer server) becomes an
``UNKNOWN_<n>`` member instead of an error.
"""

from __future__ import annotations

import enum
from typing import Any


class _ApiEnum(enum.IntEnum):
    """An API enum: an int that prints as its name."""

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return format(self.name, spec)

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


class SessionState(_ApiEnum):
    """STARTING → IDLE ⇄ BUSY → STOPPED (resumable) | FAILED | ARCHIVED."""

    UNSPECIFIED = 0
    STARTING = 1
    IDLE = 2
    BUSY = 3
    STOPPED = 4
    FAILED = 5
    ARCHIVED = 6


class TurnState(_ApiEnum):
    """QUEUED → RUNNING → COMPLETED | INTERRUPTED | FAILED."""

    UNSPECIFIED = 0
    QUEUED = 1
    RUNNING = 2
    COMPLETED = 3
    INTERRUPTED = 4
    FAILED = 5

    @property
    def is_final(self) -> bool:
        return self in (TurnState.COMPLETED, TurnState.INTERRUPTED, TurnState.FAILED)


class ApprovalKind(_ApiEnum):
    UNSPECIFIED = 0
    COMMAND_EXECUTION = 1
    FILE_CHANGE = 2
    USER_INPUT = 3
    PERMISSIONS = 4
    MCP_ELICITATION = 5


class ApprovalState(_ApiEnum):
    """PENDING → APPROVED | DENIED | EXPIRED."""

    UNSPECIFIED = 0
    PENDING = 1
    APPROVED = 2
    DENIED = 3
    EXPIRED = 4


class Decision(_ApiEnum):
    """A person's decision; sent to Codex as accept / acceptForSession /
    decline / cancel / acceptWithExecpolicyAmendment. Only those in an
    approval's ``available_decisions`` are accepted."""

    UNSPECIFIED = 0
    APPROVE = 1
    APPROVE_FOR_SESSION = 2
    DENY = 3
    ABORT = 4
    APPROVE_AND_REMEMBER = 5


class GoalStatus(_ApiEnum):
    """Where a session's goal stands (Codex ``ThreadGoalStatus``): Codex
    works toward an ACTIVE goal in turns of its own."""

    UNSPECIFIED = 0
    ACTIVE = 1
    PAUSED = 2
    BLOCKED = 3
    USAGE_LIMITED = 4
    BUDGET_LIMITED = 5
    COMPLETE = 6


class EventType(_ApiEnum):
    UNSPECIFIED = 0
    SESSION_STATE_CHANGED = 1
    TURN_STATE_CHANGED = 2
    ITEM_STARTED = 3
    ITEM_COMPLETED = 4
    AGENT_MESSAGE_DELTA = 5
    COMMAND_OUTPUT_DELTA = 6
    REASONING_DELTA = 7
    APPROVAL_REQUESTED = 8
    APPROVAL_RESOLVED = 9
    TOKEN_USAGE = 10
    ERROR = 11
    WARNING = 12
    RAW = 13
    ITEM_DELTA = 14
    PLAN_UPDATED = 15
    TURN_DIFF_UPDATED = 16
    THREAD_STATUS_CHANGED = 17
    MODEL_REROUTED = 18
    RATE_LIMITS_UPDATED = 19
    CONTEXT_COMPACTED = 20
    MCP_SERVER_STATUS = 21
    SESSION_UPDATED = 22
    HOOK_RUN = 23
    TERMINAL_INPUT = 24
    SESSION_REVERTED = 25
    GOAL_UPDATED = 26
    ITEM_UPDATED = 27
    CODEX_SETTINGS_CHANGED = 28
    SKILLS_CHANGED = 29


class CodexLoginMethod(_ApiEnum):
    """How :meth:`Client.start_codex_login` signs the server's Codex in."""

    UNSPECIFIED = 0
    API_KEY = 1
    CHATGPT_DEVICE_CODE = 2


class CodexLoginState(_ApiEnum):
    """Where a sign-in of the server's Codex stands."""

    UNSPECIFIED = 0
    PENDING = 1
    SUCCEEDED = 2
    FAILED = 3
    CANCELLED = 4


class Role(_ApiEnum):
    """What a token may do; each role includes the ones below it."""

    UNSPECIFIED = 0
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3
