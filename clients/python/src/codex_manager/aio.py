"""The asyncio client (``grpc.aio``): the same methods as
:class:`codex_manager.Client`, as coroutines and async iterators.

Example::

    from codex_manager import AsyncClient

    async with AsyncClient("127.0.0.1:50051") as client:
        session = await client.create_session("/srv/app")
        async for event in client.events(session.session_id):
            print(event.type)
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import grpc
import grpc.aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from codex_manager import _requests
from codex_manager._requests import Backup, CodexHooks, Skills, TranscriptFormat
from codex_manager.enums import (
    CodexLoginState,
    Decision,
    EventType,
    GoalStatus,
    Role,
    SessionState,
    TurnState,
)
from codex_manager.errors import (
    CodexManagerError,
    DeadlineExceededError,
    FailedPreconditionError,
    from_rpc_error,
)
from codex_manager.v1 import (
    approvals_pb2,
    approvals_pb2_grpc,
    auth_pb2,
    auth_pb2_grpc,
    codex_pb2,
    codex_pb2_grpc,
    events_pb2_grpc,
    maintenance_pb2,
    maintenance_pb2_grpc,
    sessions_pb2,
    sessions_pb2_grpc,
    turns_pb2,
    turns_pb2_grpc,
)
from codex_manager.v1.views import (
    Account,
    Approval,
    AuditEvent,
    BackgroundTerminal,
    CodexFeature,
    CodexHook,
    CodexLogin,
    CodexThread,
    CreateTokenResponse,
    Event,
    FileMatch,
    McpServer,
    Model,
    ModelProvider,
    RevertSessionResponse,
    Session,
    SetCodexFeatureResponse,
    Skill,
    Token,
    Turn,
    WhoAmIResponse,
)

T = TypeVar("T")

#: Called (and awaited, if it returns an awaitable) with each approval of the
#: followed turn; returns the decision, the answers to a question or form
#: (approving it as ``answer`` does), or None.
AsyncApprovalCallback = Callable[
    [Approval],
    "Decision | Mapping[str, str] | None | Awaitable[Decision | Mapping[str, str] | None]"]


class AsyncClient:
    """An asyncio connection to a Codex Manager server; see
    :class:`codex_manager.Client` for the arguments and each method's
    meaning and errors. Use it from one event loop."""

    def __init__(self, address: str | None = None, *,
                 token: str | None = None,
                 ca_file: str | None = None,
                 cert_file: str | None = None,
                 key_file: str | None = None,
                 timeout: float | None = _requests.DEFAULT_TIMEOUT_S,
                 connect_timeout: float = _requests.DEFAULT_CONNECT_TIMEOUT_S,
                 keepalive: float = _requests.DEFAULT_KEEPALIVE_S,
                 keepalive_timeout: float = _requests.DEFAULT_KEEPALIVE_TIMEOUT_S,
                 channel: grpc.aio.Channel | None = None,
                 metadata: list[tuple[str, str]] | None = None) -> None:
        self.address = _requests.resolve_address(address)
        self.timeout = _requests.call_timeout(timeout)
        self.connect_timeout = connect_timeout
        self._owns_channel = channel is None
        if channel is None:
            credentials = _requests.channel_credentials(ca_file, cert_file, key_file)
            options = _requests.channel_options(connect_timeout, keepalive,
                                                 keepalive_timeout)
            channel = (grpc.aio.secure_channel(self.address, credentials, options) if credentials
                       else grpc.aio.insecure_channel(self.address, options))
        self._channel = channel
        self._metadata = _requests.call_metadata(
            _requests.resolve_token(self.address, token), metadata)
        self._sessions = sessions_pb2_grpc.SessionServiceStub(self._channel)
        self._turns = turns_pb2_grpc.TurnServiceStub(self._channel)
        self._approvals = approvals_pb2_grpc.ApprovalServiceStub(self._channel)
        self._streams = events_pb2_grpc.StreamServiceStub(self._channel)
        self._event_rpc = _requests.EventRpc(self._streams)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self._auth = auth_pb2_grpc.AuthServiceStub(self._channel)
        self._audit = auth_pb2_grpc.AuditServiceStub(self._channel)
        self._codex = codex_pb2_grpc.CodexServiceStub(self._channel)
        self._maintenance = maintenance_pb2_grpc.MaintenanceServiceStub(self._channel)

    def __repr__(self) -> str:
        """The server's address; never the token."""
        return f"{type(self).__name__}({self.address!r})"

    async def close(self) -> None:
        if self._owns_channel:
            await self._channel.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.close()

    async def _call(self, method: Callable[..., Any], request: Any) -> Any:
        try:
            return await method(request, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            raise from_rpc_error(error, self.address) from None

    async def health(self) -> bool:
        response = await self._call(self._health.Check, health_pb2.HealthCheckRequest())
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

    # -- sessions ------------------------------------------------------------------

    async def create_session(self, cwd: str | os.PathLike[str], *, model: str | None = None,
                             approval_policy: str | None = None, sandbox: str | None = None,
                             title: str | None = None, request_id: str | None = None,
                             developer_instructions: str | None = None,
                             model_provider: str | None = None, effort: str | None = None,
                             service_tier: str | None = None) -> Session:
        return Session(await self._call(
            self._sessions.CreateSession,
            _requests.create_session(cwd, model, approval_policy, sandbox, title, request_id,
                                     developer_instructions, model_provider, effort,
                                     service_tier)))

    async def get_session(self, session_id: str) -> Session:
        return Session(await self._call(
            self._sessions.GetSession, sessions_pb2.GetSessionRequest(session_id=session_id)))

    async def list_sessions(self, *, include_archived: bool = False, search: str = "",
                            cwd: str | os.PathLike[str] = "",
                            states: Sequence[SessionState] | SessionState = (),
                            page_size: int = 100) -> AsyncIterator[Session]:
        """As :meth:`codex_manager.Client.list_sessions`."""
        token = ""
        while True:
            page = await self._call(self._sessions.ListSessions, _requests.list_sessions(
                include_archived, page_size, search, cwd, states, token))
            for session in page.sessions:
                yield Session(session)
            token = page.next_page_token
            if not token:
                return

    async def export_transcript(self, session_id: str, *,
                                format: TranscriptFormat = "jsonl") -> AsyncIterator[bytes]:
        """As :meth:`codex_manager.Client.export_transcript`."""
        request = _requests.export_transcript(session_id, format)
        call = self._sessions.ExportTranscript(request, metadata=self._metadata)
        try:
            async for chunk in call:
                yield chunk.data
        except grpc.RpcError as error:
            raise from_rpc_error(error, self.address) from None
        finally:
            call.cancel()

    async def save_transcript(self, session_id: str, path: str | os.PathLike[str], *,
                              format: TranscriptFormat = "markdown") -> Path:
        """As :meth:`codex_manager.Client.save_transcript`."""
        target, partial = _requests.partial_path(path)
        try:
            with open(partial, "wb") as f:
                async for data in self.export_transcript(session_id, format=format):
                    f.write(data)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    async def whoami(self) -> WhoAmIResponse:
        return WhoAmIResponse(await self._call(self._auth.WhoAmI, auth_pb2.WhoAmIRequest()))

    async def create_token(self, name: str, role: Role | int, *,
                           ttl_s: float | None = None) -> CreateTokenResponse:
        return CreateTokenResponse(await self._call(
            self._auth.CreateToken, _requests.create_token(name, role, ttl_s)))

    async def list_tokens(self, *, include_revoked: bool = False,
                          page_size: int = 100) -> AsyncIterator[Token]:
        token = ""
        while True:
            page = await self._call(self._auth.ListTokens, auth_pb2.ListTokensRequest(
                page_size=page_size, page_token=token, include_revoked=include_revoked))
            for item in page.tokens:
                yield Token(item)
            token = page.next_page_token
            if not token:
                return

    async def revoke_token(self, token_id: str) -> Token:
        return Token(await self._call(
            self._auth.RevokeToken, auth_pb2.RevokeTokenRequest(token_id=token_id)))

    async def list_audit_events(self, *, token_id: str | None = None,
                                method: str | None = None,
                                since: datetime | None = None,
                                until: datetime | None = None,
                                page_size: int = 100) -> AsyncIterator[AuditEvent]:
        """As :meth:`codex_manager.Client.list_audit_events`."""
        token = ""
        while True:
            page = await self._call(self._audit.ListAuditEvents, _requests.list_audit_events(
                page_size, token, token_id, method, since, until))
            for item in page.audit_events:
                yield AuditEvent(item)
            token = page.next_page_token
            if not token:
                return

    async def backup(self, path: str | os.PathLike[str]) -> Backup:
        """As :meth:`codex_manager.Client.backup`."""
        out = _requests.BackupFile(path)
        call = self._maintenance.Backup(maintenance_pb2.BackupRequest(),
                                        metadata=self._metadata)
        try:
            async for chunk in call:
                out.add(chunk)
            return out.commit()
        except grpc.RpcError as error:
            raise from_rpc_error(error, self.address) from None
        finally:
            call.cancel()
            out.close()

    async def stop_session(self, session_id: str, *, force: bool = False) -> Session:
        return Session(await self._call(
            self._sessions.StopSession,
            sessions_pb2.StopSessionRequest(session_id=session_id, force=force)))

    async def resume_session(self, session_id: str) -> Session:
        return Session(await self._call(
            self._sessions.ResumeSession, sessions_pb2.ResumeSessionRequest(session_id=session_id)))

    async def update_session(self, session_id: str, *, title: str | None = None,
                             model: str | None = None, effort: str | None = None,
                             approval_policy: str | None = None,
                             sandbox: str | None = None,
                             service_tier: str | None = None) -> Session:
        return Session(await self._call(
            self._sessions.UpdateSession, _requests.update_session(
                session_id, title=title, model=model, effort=effort,
                approval_policy=approval_policy, sandbox=sandbox,
                service_tier=service_tier)))

    async def compact_session(self, session_id: str) -> Session:
        return Session(await self._call(
            self._sessions.CompactSession,
            sessions_pb2.CompactSessionRequest(session_id=session_id)))

    async def set_session_goal(self, session_id: str, objective: str | None = None, *,
                               status: GoalStatus | None = None,
                               token_budget: int | None = None) -> Session:
        return Session(await self._call(
            self._sessions.SetSessionGoal,
            _requests.set_session_goal(session_id, objective, status, token_budget)))

    async def clear_session_goal(self, session_id: str) -> Session:
        return Session(await self._call(
            self._sessions.ClearSessionGoal,
            sessions_pb2.ClearSessionGoalRequest(session_id=session_id)))

    async def revert_session(self, session_id: str, before_turn_id: str) -> RevertSessionResponse:
        return RevertSessionResponse(await self._call(
            self._sessions.RevertSession,
            sessions_pb2.RevertSessionRequest(session_id=session_id,
                                              before_turn_id=before_turn_id)))

    async def list_background_terminals(self, session_id: str) -> list[BackgroundTerminal]:
        response = await self._call(
            self._sessions.ListBackgroundTerminals,
            sessions_pb2.ListBackgroundTerminalsRequest(session_id=session_id))
        return [BackgroundTerminal(t) for t in response.terminals]

    async def search_files(self, session_id: str, query: str, *,
                           max_results: int = 20) -> list[FileMatch]:
        response = await self._call(self._sessions.SearchFiles,
                                    _requests.search_files(session_id, query, max_results))
        return [FileMatch(f) for f in response.files]

    async def list_skills(self, session_id: str, *,
                          force_reload: bool = False) -> Skills:
        return _requests.skills(await self._call(
            self._sessions.ListSkills,
            sessions_pb2.ListSkillsRequest(session_id=session_id,
                                           force_reload=force_reload)))

    async def set_skill_enabled(self, session_id: str,
                                skill: Skill | str | os.PathLike[str],
                                enabled: bool) -> Skill:
        """As :meth:`codex_manager.Client.set_skill_enabled`."""
        return Skill(await self._call(
            self._sessions.SetSkillEnabled,
            _requests.set_skill_enabled(session_id, skill, enabled)))

    async def list_mcp_servers(self, session_id: str) -> list[McpServer]:
        response = await self._call(self._sessions.ListMcpServers,
                                    sessions_pb2.ListMcpServersRequest(session_id=session_id))
        return [McpServer(s) for s in response.servers]

    async def terminate_background_terminals(self, session_id: str,
                                             process_id: str | None = None, *,
                                             all: bool = False) -> None:
        await self._call(self._sessions.TerminateBackgroundTerminals,
                         _requests.terminate_background_terminals(session_id, process_id, all))

    async def archive_session(self, session_id: str) -> Session:
        return Session(await self._call(
            self._sessions.ArchiveSession,
            sessions_pb2.ArchiveSessionRequest(session_id=session_id)))

    async def unarchive_session(self, session_id: str) -> Session:
        return Session(await self._call(
            self._sessions.UnarchiveSession,
            sessions_pb2.UnarchiveSessionRequest(session_id=session_id)))

    async def wait_for_session(self, session_id: str, *states: int,
                               timeout: float = 60.0) -> Session:
        deadline = time.monotonic() + timeout
        while True:
            session = await self.get_session(session_id)
            if session.state in states:
                return session
            if time.monotonic() > deadline:
                raise DeadlineExceededError(
                    f"session {session_id} still {session.state} after {timeout}s")
            await asyncio.sleep(0.05)

    # -- Codex outside a session ------------------------------------------------------

    async def list_models(self, *, include_hidden: bool = False,
                          model_provider: str | None = None) -> list[Model]:
        response = await self._call(self._codex.ListModels, codex_pb2.ListModelsRequest(
            include_hidden=include_hidden, model_provider=model_provider or ""))
        return [Model(m) for m in response.models]

    async def list_model_providers(self) -> list[ModelProvider]:
        response = await self._call(self._codex.ListModelProviders,
                                    codex_pb2.ListModelProvidersRequest())
        return [ModelProvider(p) for p in response.providers]

    async def get_account(self) -> Account:
        return Account(await self._call(self._codex.GetAccount, codex_pb2.GetAccountRequest()))

    async def list_codex_threads(self, *, cwd: str | os.PathLike[str] | None = None,
                                 search: str | None = None,
                                 page_size: int = 25) -> AsyncIterator[CodexThread]:
        token = ""
        while True:
            page = await self._call(self._codex.ListCodexThreads, codex_pb2.ListCodexThreadsRequest(
                page_size=page_size, page_token=token,
                cwd=os.fspath(cwd) if cwd is not None else "", search=search or ""))
            for thread in page.threads:
                yield CodexThread(thread)
            token = page.next_page_token
            if not token:
                return

    async def list_codex_hooks(self, *,
                               cwd: str | os.PathLike[str] | None = None) -> CodexHooks:
        return _requests.codex_hooks(await self._call(
            self._codex.ListCodexHooks,
            codex_pb2.ListCodexHooksRequest(cwd=os.fspath(cwd) if cwd is not None else "")))

    async def trust_codex_hooks(self, hooks: Sequence[CodexHook], *,
                                cwd: str | os.PathLike[str] | None = None) -> list[CodexHook]:
        response = await self._call(self._codex.TrustCodexHooks,
                                    _requests.trust_codex_hooks(hooks, cwd))
        return [CodexHook(h) for h in response.hooks]

    async def list_codex_features(self, *,
                                  include_removed: bool = False) -> list[CodexFeature]:
        response = await self._call(self._codex.ListCodexFeatures,
                                    _requests.list_codex_features(include_removed))
        return [CodexFeature(f) for f in response.features]

    async def set_codex_feature(self, feature: CodexFeature | str,
                                enabled: bool | None) -> SetCodexFeatureResponse:
        return SetCodexFeatureResponse(await self._call(
            self._codex.SetCodexFeature, _requests.set_codex_feature(feature, enabled)))

    async def start_codex_login(self, *, api_key: str | None = None) -> CodexLogin:
        return CodexLogin(await self._call(self._codex.StartCodexLogin,
                                           _requests.start_codex_login(api_key)))

    async def get_codex_login(self, login_id: str) -> CodexLogin:
        return CodexLogin(await self._call(self._codex.GetCodexLogin,
                                           codex_pb2.GetCodexLoginRequest(login_id=login_id)))

    async def wait_for_codex_login(self, login_id: str, *, timeout: float | None = None,
                                   poll_interval: float = 2.0) -> CodexLogin:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            login = await self.get_codex_login(login_id)
            if login.state != CodexLoginState.PENDING:
                return login
            if deadline is not None and time.monotonic() > deadline:
                raise DeadlineExceededError(f"login {login_id} still pending after {timeout}s")
            await asyncio.sleep(poll_interval)

    async def cancel_codex_login(self, login_id: str) -> CodexLogin:
        return CodexLogin(await self._call(
            self._codex.CancelCodexLogin, codex_pb2.CancelCodexLoginRequest(login_id=login_id)))

    async def logout_codex(self) -> None:
        await self._call(self._codex.LogoutCodex, codex_pb2.LogoutCodexRequest())

    async def import_thread(self, thread_id: str, *, title: str | None = None,
                      request_id: str | None = None) -> Session:
        return Session(await self._call(
            self._sessions.ImportThread, sessions_pb2.ImportThreadRequest(
                thread_id=thread_id, title=title or "", request_id=request_id or "")))

    async def fork_session(self, session_id: str, *, title: str | None = None,
                           request_id: str | None = None, through_turn_id: str | None = None,
                           before_turn_id: str | None = None) -> Session:
        return Session(await self._call(self._sessions.ForkSession, _requests.fork_session(
            session_id, title, request_id, through_turn_id, before_turn_id)))

    # -- turns ---------------------------------------------------------------------

    async def start_turn(self, session_id: str, prompt: str, *,
                         request_id: str | None = None, model: str | None = None,
                         effort: str | None = None, reasoning_summary: str | None = None,
                         output_schema: Mapping[str, Any] | str | None = None,
                         images: Sequence[str | os.PathLike[str] | bytes] = (),
                         approval_policy: str | None = None,
                         sandbox: str | None = None,
                         collaboration_mode: str | None = None,
                         service_tier: str | None = None) -> Turn:
        settings = _requests.TurnSettings(
            model=model, effort=effort, reasoning_summary=reasoning_summary,
            output_schema=output_schema, images=images,
            approval_policy=approval_policy, sandbox=sandbox,
            collaboration_mode=collaboration_mode, service_tier=service_tier)
        return Turn(await self._call(
            self._turns.StartTurn,
            _requests.start_turn(session_id, prompt, request_id, settings)))

    async def interrupt_turn(self, session_id: str,
                             turn_id: str | None = None) -> Turn:
        return Turn(await self._call(
            self._turns.InterruptTurn,
            turns_pb2.InterruptTurnRequest(session_id=session_id, turn_id=turn_id or "")))

    async def steer_turn(self, session_id: str, prompt: str, *,
                         turn_id: str | None = None) -> Turn:
        return Turn(await self._call(
            self._turns.SteerTurn,
            turns_pb2.SteerTurnRequest(session_id=session_id, turn_id=turn_id or "",
                                       prompt=prompt)))

    async def start_review(self, session_id: str, *, uncommitted: bool = False,
                           base_branch: str | None = None, commit: str | None = None,
                           commit_title: str | None = None, instructions: str | None = None,
                           request_id: str | None = None) -> Turn:
        target = _requests.review_target(
            uncommitted=uncommitted, base_branch=base_branch, commit=commit,
            commit_title=commit_title, instructions=instructions)
        return Turn(await self._call(self._turns.StartReview, turns_pb2.StartReviewRequest(
            session_id=session_id, target=target, request_id=request_id or "")))

    async def start_shell_command(self, session_id: str, command: str, *,
                                  request_id: str | None = None) -> Turn:
        return Turn(await self._call(self._turns.RunShellCommand, turns_pb2.RunShellCommandRequest(
            session_id=session_id, command=command, request_id=request_id or "")))

    async def get_turn(self, turn_id: str) -> Turn:
        return Turn(await self._call(
            self._turns.GetTurn, turns_pb2.GetTurnRequest(turn_id=turn_id)))

    async def list_turns(self, session_id: str, *,
                         page_size: int = 100) -> AsyncIterator[Turn]:
        token = ""
        while True:
            page = await self._call(self._turns.ListTurns, turns_pb2.ListTurnsRequest(
                session_id=session_id, page_size=page_size, page_token=token))
            for turn in page.turns:
                yield Turn(turn)
            token = page.next_page_token
            if not token:
                return

    # -- approvals -----------------------------------------------------------------

    async def list_approvals(self, session_id: str | None = None, *,
                             include_resolved: bool = False,
                             page_size: int = 100) -> AsyncIterator[Approval]:
        token = ""
        while True:
            page = await self._call(
                self._approvals.ListApprovals, approvals_pb2.ListApprovalsRequest(
                    session_id=session_id or "", include_resolved=include_resolved,
                    page_size=page_size, page_token=token))
            for approval in page.approvals:
                yield Approval(approval)
            token = page.next_page_token
            if not token:
                return

    async def resolve_approval(self, approval_id: str, decision: Decision | int, *,
                               answers: Mapping[str, str] | None = None,
                               request_id: str | None = None) -> Approval:
        return Approval(await self._call(
            self._approvals.ResolveApproval,
            _requests.resolve_approval(approval_id, decision, answers, request_id)))

    async def approve(self, approval_id: str, *, for_session: bool = False,
                      remember: bool = False) -> Approval:
        return await self.resolve_approval(
            approval_id, _requests.approve_decision(for_session, remember))

    async def answer(self, approval_id: str, answers: Mapping[str, str]) -> Approval:
        return await self.resolve_approval(approval_id, Decision.APPROVE, answers=answers)

    async def deny(self, approval_id: str, *, abort: bool = False) -> Approval:
        return await self.resolve_approval(
            approval_id, Decision.ABORT if abort else Decision.DENY)

    # -- events --------------------------------------------------------------------

    async def events(self, session_id: str | None = None, *, after: int = 0,
                     follow: bool = True, reconnect: bool = True,
                     max_backoff: float = 5.0,
                     max_retries: int | None = _requests.DEFAULT_MAX_RETRIES,
                     ) -> AsyncIterator[Event]:
        """Async iterator over the event stream; same semantics as
        :meth:`codex_manager.Client.events` (stop by breaking out of the loop
        or cancelling the task)."""
        cursor = _requests.Cursor(session_id, after)
        reconnects = _requests.Reconnects(reconnect, max_retries)
        backoff = 0.1
        while True:
            call = self._event_rpc.open(
                _requests.stream_events(session_id, cursor.position, follow),
                self._metadata)
            try:
                await call.initial_metadata()
                if not call.done():
                    reconnects.progress()
                async for message in call:
                    backoff = 0.1
                    reconnects.progress()
                    for event in _requests.events_of(message):
                        if cursor.accept(event):
                            yield Event(event)
                return
            except grpc.RpcError as error:
                if self._event_rpc.fall_back(error.code()):
                    continue
                if not reconnects.retry(error.code()):
                    raise from_rpc_error(error, self.address) from None
            finally:
                call.cancel()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)

    # -- the common flow -------------------------------------------------------------

    async def run_turn(self, session_id: str, prompt: str, *,
                       on_approval: AsyncApprovalCallback | None = None,
                       on_event: Callable[[Event], Any] | None = None,
                       request_id: str | None = None,
                       collaboration_mode: str | None = None,
                       service_tier: str | None = None) -> Turn:
        after = (await self.get_session(session_id)).last_seq
        turn = await self.start_turn(session_id, prompt, request_id=request_id,
                                     collaboration_mode=collaboration_mode,
                                     service_tier=service_tier)
        return await self._follow_turn(turn, after, on_approval, on_event)

    async def run_review(self, session_id: str, *, uncommitted: bool = False,
                         base_branch: str | None = None, commit: str | None = None,
                         instructions: str | None = None,
                         on_approval: AsyncApprovalCallback | None = None,
                         on_event: Callable[[Event], Any] | None = None) -> Turn:
        after = (await self.get_session(session_id)).last_seq
        turn = await self.start_review(session_id, uncommitted=uncommitted,
                                       base_branch=base_branch, commit=commit,
                                       instructions=instructions)
        return await self._follow_turn(turn, after, on_approval, on_event)

    async def run_shell_command(self, session_id: str, command: str, *,
                                on_event: Callable[[Event], Any] | None = None) -> Turn:
        after = (await self.get_session(session_id)).last_seq
        turn = await self.start_shell_command(session_id, command)
        return await self._follow_turn(turn, after, None, on_event)

    async def _follow_turn(self, turn: Turn, after: int,
                           on_approval: AsyncApprovalCallback | None,
                           on_event: Callable[[Event], Any] | None) -> Turn:
        session_id = turn.session_id
        async for event in self.events(session_id, after=after):
            if event.turn_id != turn.turn_id:
                continue
            if on_event is not None:
                maybe = on_event(event)
                if asyncio.iscoroutine(maybe):
                    await maybe
            if event.type is EventType.APPROVAL_REQUESTED and on_approval is not None:
                approval = Approval(event.proto.approval_requested.approval)
                decision = on_approval(approval)
                if asyncio.iscoroutine(decision) or isinstance(decision, asyncio.Future):
                    decision = await decision
                if decision is not None:
                    try:
                        if isinstance(decision, Mapping):
                            await self.answer(approval.approval_id, decision)
                        else:
                            await self.resolve_approval(
                                approval.approval_id,
                                _requests.callback_decision(approval.available_decisions, decision))  # type: ignore[arg-type]
                    except FailedPreconditionError:
                        pass
            elif (event.type is EventType.TURN_STATE_CHANGED
                  and TurnState(event.proto.turn_state_changed.state).is_final):
                return await self.get_turn(turn.turn_id)
        raise CodexManagerError(f"event stream of session {session_id} ended early")

    async def run(self, cwd: str | os.PathLike[str], prompt: str, *,
                  on_approval: AsyncApprovalCallback | None = None,
                  on_event: Callable[[Event], Any] | None = None,
                  model: str | None = None, approval_policy: str | None = None,
                  sandbox: str | None = None, title: str | None = None,
                  developer_instructions: str | None = None,
                  model_provider: str | None = None, effort: str | None = None,
                  service_tier: str | None = None) -> Turn:
        session = await self.create_session(cwd, model=model, approval_policy=approval_policy,
                                            sandbox=sandbox, title=title,
                                            developer_instructions=developer_instructions,
                                            model_provider=model_provider, effort=effort,
                                            service_tier=service_tier)
        return await self.run_turn(session.session_id, prompt, on_approval=on_approval,
                                   on_event=on_event)
