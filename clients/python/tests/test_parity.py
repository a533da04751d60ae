"""Every RPC of protos/ has an SDK method (sync and async) and, where the CLI
has one, a CLI command; the SDK's enums match the protos."""

from __future__ import annotations

import enum
import inspect
import re
import subprocess
import typing

import pytest
from conftest import CLI_BIN

import codex_manager
from codex_manager import AsyncClient, Client
from codex_manager.v1 import (
    approvals_pb2,
    codex_pb2,
    events_pb2,
    maintenance_pb2,
    sessions_pb2,
    turns_pb2,
)

FILES = [sessions_pb2, turns_pb2, approvals_pb2, events_pb2, codex_pb2, maintenance_pb2]
RPCS = [(service.full_name, method.name)
        for module in FILES
        for service in module.DESCRIPTOR.services_by_name.values()
        for method in service.methods]

# Where the SDK name is not the snake_case of the RPC.
# StreamEventBatches is the same stream as StreamEvents, batched: events()
# and `codex-manager events` use it.
SDK_NAME = {"StreamEvents": "events", "StreamEventBatches": "events"}
CLI_COMMAND = {
    "CreateSession": ["session", "create"],
    "GetSession": ["session", "show"],
    "ListSessions": ["session", "list"],
    "StopSession": ["session", "stop"],
    "ResumeSession": ["session", "resume"],
    "ArchiveSession": ["session", "archive"],
    "UnarchiveSession": ["session", "unarchive"],
    "UpdateSession": ["session", "update"],
    "CompactSession": ["session", "compact"],
    "ListBackgroundTerminals": ["session", "terminals"],
    "SearchFiles": ["session", "files"],
    "ListSkills": ["session", "skills"],
    "SetSkillEnabled": ["session", "skills"],  # --enable / --disable
    "ListMcpServers": ["session", "mcp"],
    "TerminateBackgroundTerminals": ["session", "terminate"],
    "ImportThread": ["session", "import"],
    "ForkSession": ["session", "fork"],
    "RevertSession": ["session", "revert"],
    "SetSessionGoal": ["session", "goal"],
    "ClearSessionGoal": ["session", "goal"],
    "ExportTranscript": ["export"],
    "StartTurn": ["turn", "start"],
    "InterruptTurn": ["turn", "interrupt"],
    "SteerTurn": ["turn", "steer"],
    "StartReview": ["turn", "review"],
    "RunShellCommand": ["turn", "shell"],
    "GetTurn": ["turn", "show"],
    "ListTurns": ["turn", "list"],
    "ListApprovals": ["approval", "list"],
    "ResolveApproval": ["approval", "approve"],
    "StreamEvents": ["events"],
    "StreamEventBatches": ["events"],
    "ListModels": ["codex", "models"],
    "ListModelProviders": ["codex", "providers"],
    "GetAccount": ["codex", "account"],
    "ListCodexThreads": ["codex", "threads"],
    "ListCodexHooks": ["codex", "hooks"],
    "TrustCodexHooks": ["codex", "hooks", "trust"],
    "ListCodexFeatures": ["codex", "features"],
    "SetCodexFeature": ["codex", "features", "enable"],  # disable, reset
    "StartCodexLogin": ["codex", "login"],
    "GetCodexLogin": ["codex", "login"],  # --status
    "CancelCodexLogin": ["codex", "login"],  # --cancel
    "LogoutCodex": ["codex", "logout"],
    "Backup": ["backup"],
}


def public_types(hint: object) -> list[object]:
    """The classes a type hint names, generics taken apart."""
    args = typing.get_args(hint)
    if args:
        return [t for a in args for t in public_types(a)]
    origin = typing.get_origin(hint)
    return [origin or hint]


@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_what_the_sdk_returns_can_be_imported_by_its_users(cls: type) -> None:
    """A return type lives in `codex_manager` or its views, never only in a
    private module (a user annotating a variable must be able to name it)."""
    for name, method in inspect.getmembers(cls, inspect.isfunction):
        if name.startswith("_"):
            continue
        for t in public_types(typing.get_type_hints(method).get("return")):
            module = getattr(t, "__module__", "builtins")
            if not module.startswith("codex_manager"):
                continue
            public = (getattr(codex_manager, t.__name__, None) is t
                      or module == "codex_manager.v1.views")
            assert public, f"{cls.__name__}.{name} returns {module}.{t.__name__}"


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_the_protos_have_the_rpcs_we_expect() -> None:
    assert len(RPCS) == 45


@pytest.mark.parametrize(("service", "rpc"), RPCS)
def test_every_rpc_has_an_sdk_method(service: str, rpc: str) -> None:
    name = SDK_NAME.get(rpc, snake(rpc))
    assert callable(getattr(Client, name, None)), f"Client lacks {name} for {service}/{rpc}"
    assert callable(getattr(AsyncClient, name, None)), f"AsyncClient lacks {name}"


@pytest.mark.parametrize(("service", "rpc"), RPCS)
def test_every_rpc_has_a_cli_command(service: str, rpc: str) -> None:
    assert rpc in CLI_COMMAND, f"no CLI counterpart listed for {rpc}"
    result = subprocess.run([str(CLI_BIN), *CLI_COMMAND[rpc], "--help"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


ENUMS = [
    (codex_manager.SessionState, sessions_pb2.SessionState, "SESSION_STATE_"),
    (codex_manager.TurnState, turns_pb2.TurnState, "TURN_STATE_"),
    (codex_manager.ApprovalKind, approvals_pb2.ApprovalKind, "APPROVAL_KIND_"),
    (codex_manager.ApprovalState, approvals_pb2.ApprovalState, "APPROVAL_STATE_"),
    (codex_manager.Decision, approvals_pb2.Decision, "DECISION_"),
    (codex_manager.EventType, events_pb2.EventType, "EVENT_TYPE_"),
    (codex_manager.CodexLoginMethod, codex_pb2.CodexLoginMethod, "CODEX_LOGIN_METHOD_"),
    (codex_manager.CodexLoginState, codex_pb2.CodexLoginState, "CODEX_LOGIN_STATE_"),
]


@pytest.mark.parametrize(("ours", "proto", "prefix"), ENUMS)
def test_enums_match_the_protos(ours: type[enum.IntEnum], proto: object, prefix: str) -> None:
    expected = {name.removeprefix(prefix): number
                for name, number in proto.items()}  # type: ignore[attr-defined]
    assert {m.name: m.value for m in ours} == expected
