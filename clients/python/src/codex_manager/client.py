"""The synchronous client: every RPC of the Codex Manager API as a method.

Example::

    from codex_manager import Client, Decision

    with Client() as client:  # $CODEX_MANAGER_ADDR, else 127.0.0.1:50051
        turn = client.run(".", "run the tests",
                          on_approval=lambda approval: Decision.APPROVE)
        print(turn.state, turn.final_message)   # COMPLETED …

Methods return typed, read-only views of the API's messages
(``codex_manager.Session``, ``Turn``, ``Approval``, ``Event``, …): enums as
``codex_manager.enums`` members, timestamps as ``datetime``, unset optional
fields as None; ``.proto`` is the protobuf message itself.
Failed calls raise :class:`codex_manager.errors.CodexManagerError` subclasses.
Every unary call has a deadline (``timeout`` seconds); event streams have
none and reconnect by themselves.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import grpc
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

#: Called with each approval of the turn :meth:`Client.run` follows; returns
#: the decision, the answers to a question or form (approving it as
#: :meth:`Client.answer` does), or None to leave it to someone else.
ApprovalCallback = Callable[[Approval], "Decision | Mapping[str, str] | None"]


class Client:
    """A connection to a Codex Manager server.

    Args:
        address: ``host:port`` of the server; default ``$CODEX_MANAGER_ADDR``,
            else ``127.0.0.1:50051``.
        token: the bearer token; default ``$CODEX_MANAGER_TOKEN``, else the
            file named by ``$CODEX_MANAGER_TOKEN_FILE``, else (loopback
            addresses only) the local server's default ``admin.token``.
            Without one every call but :meth:`health` fails with
            :class:`UnauthenticatedError`.
        ca_file: PEM CA bundle: connect with TLS and verify the server
            (default ``$CODEX_MANAGER_CA_FILE``); plaintext when unset.
        cert_file, key_file: PEM client certificate and key for mTLS.
            A file that is not what it should be (no certificate in
            `ca_file`, a key that is not the certificate's or is
            encrypted) raises ValueError naming it.
        timeout: deadline of every unary call, in seconds; None: none
            (ValueError for 0 or less).
        connect_timeout: how long one connection attempt to the server may
            take, in seconds; a call on a server that cannot be reached in
            that time raises UnavailableError naming the address (one that
            refuses connections fails at once). Not applied to `channel`.
        keepalive: while a call is open on a quiet connection, seconds
            between HTTP/2 pings (gRPC keepalive; 0 turns it off). A server
            that does not answer one within `keepalive_timeout` seconds ends
            the calls with UnavailableError, which :meth:`events` and the
            other followers resume from their cursor: a stream does not wait
            forever on a connection a NAT or a sleeping laptop dropped. The
            server accepts a ping every 10 s (``--keepalive-min-time``).
            Neither is applied to `channel`.
        channel: an existing channel to use instead; the client then does not
            close it.
        metadata: extra gRPC metadata sent with every call.

    Thread safety: one Client may be used from many threads.
    """

    def __init__(self, address: str | None = None, *,
                 token: str | None = None,
                 ca_file: str | None = None,
                 cert_file: str | None = None,
                 key_file: str | None = None,
                 timeout: float | None = _requests.DEFAULT_TIMEOUT_S,
                 connect_timeout: float = _requests.DEFAULT_CONNECT_TIMEOUT_S,
                 keepalive: float = _requests.DEFAULT_KEEPALIVE_S,
                 keepalive_timeout: float = _requests.DEFAULT_KEEPALIVE_TIMEOUT_S,
                 channel: grpc.Channel | None = None,
                 metadata: list[tuple[str, str]] | None = None) -> None:
        self.address = _requests.resolve_address(address)
        self.timeout = _requests.call_timeout(timeout)
        self.connect_timeout = connect_timeout
        self._owns_channel = channel is None
        if channel is None:
            credentials = _requests.channel_credentials(ca_file, cert_file, key_file)
            options = _requests.channel_options(connect_timeout, keepalive,
                                                 keepalive_timeout)
            channel = (grpc.secure_channel(self.address, credentials, options) if credentials
                       else grpc.insecure_channel(self.address, options))
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

    # -- lifecycle ---------------------------------------------------------------

    def __repr__(self) -> str:
        """The server's address; never the token."""
        return f"{type(self).__name__}({self.address!r})"

    def close(self) -> None:
        """Closes the channel (if the client created it)."""
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _call(self, method: Callable[..., Any], request: Any) -> Any:
        """One unary call with the deadline; failures become typed errors."""
        try:
            return method(request, timeout=self.timeout, metadata=self._metadata)
        except grpc.RpcError as error:
            raise from_rpc_error(error, self.address) from None

    def health(self) -> bool:
        """True when the server answers SERVING (``grpc.health.v1.Health/Check``)."""
        response = self._call(self._health.Check, health_pb2.HealthCheckRequest())
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

    # -- sessions ------------------------------------------------------------------

    def create_session(self, cwd: str | os.PathLike[str], *, model: str | None = None,
                       approval_policy: str | None = None, sandbox: str | None = None,
                       title: str | None = None, request_id: str | None = None,
                       developer_instructions: str | None = None,
                       model_provider: str | None = None, effort: str | None = None,
                       service_tier: str | None = None) -> Session:
        """Creates a session in `cwd` (an existing directory on the server's
        machine; a relative one is taken from this process's folder) and
        launches its Codex runtime; returns it STARTING.

        `approval_policy`: "untrusted", "on-request" or "never"; `sandbox`:
        "read-only", "workspace-write" or "danger-full-access".
        `developer_instructions`: instructions for the agent in this session
        (e.g. "Answer in French."), beside the project's AGENTS.md, in place
        of those of Codex's configuration (Codex `developerInstructions`); at
        most 4096 bytes. Codex keeps them with the thread: every turn sees
        them, after a resume too, and a fork carries them on.
        `model_provider`: a provider of Codex's configuration
        (:meth:`list_model_providers`) instead of its default; one it does
        not have fails the session with Codex's message. `effort` (e.g.
        "high", or one of the model's ``supported_efforts`` from
        :meth:`list_models`) and `service_tier` ("priority": Codex's Fast
        mode; "default": standard speed) are its turns', as
        :meth:`update_session` sets them. A retry with
        the same `request_id` (and the same arguments, by the same token)
        returns the first call's session; the key with other arguments
        raises InvalidArgumentError ("request_id: …") and creates nothing.

        Raises InvalidArgumentError (naming the field), UnavailableError at
        the server's live-session limit.
        """
        return Session(self._call(self._sessions.CreateSession, _requests.create_session(
            cwd, model, approval_policy, sandbox, title, request_id, developer_instructions,
            model_provider, effort, service_tier)))

    def get_session(self, session_id: str) -> Session:
        """Raises NotFoundError naming the id, InvalidArgumentError for one
        over 256 bytes."""
        return Session(self._call(self._sessions.GetSession,
                          sessions_pb2.GetSessionRequest(session_id=session_id)))

    def list_sessions(self, *, include_archived: bool = False, search: str = "",
                      cwd: str | os.PathLike[str] = "",
                      states: Sequence[SessionState] | SessionState = (),
                      page_size: int = 100) -> Iterator[Session]:
        """The sessions, newest first, fetched page by page as you iterate.

        Each filter given narrows the list: `search`, text the title, the
        folder or one of the session's prompts holds (ASCII letters in any
        case, at most 200 bytes); `cwd`,
        a folder whose sessions, and its subfolders', are listed (a relative
        one is taken from this process's folder); `states`, one state or
        several. ARCHIVED sessions are left out unless `include_archived`
        or `states` names ARCHIVED.

        Raises InvalidArgumentError naming the filter that is wrong.
        """
        token = ""
        while True:
            page = self._call(self._sessions.ListSessions, _requests.list_sessions(
                include_archived, page_size, search, cwd, states, token))
            yield from map(Session, page.sessions)
            token = page.next_page_token
            if not token:
                return

    def export_transcript(self, session_id: str, *,
                          format: TranscriptFormat = "jsonl") -> Iterator[bytes]:
        """The session's transcript up to now, as chunks of UTF-8 text
        (``SessionService.ExportTranscript``): ``"jsonl"``, the events as
        stored, one JSON object per line; or ``"markdown"``, the session as a
        conversation (prompts, replies, commands with their output, diffs,
        approvals and who decided).

        Raises NotFoundError for an unknown session, ValueError for another
        format.
        """
        request = _requests.export_transcript(session_id, format)
        call = self._sessions.ExportTranscript(request, metadata=self._metadata)
        try:
            for chunk in call:
                yield chunk.data
        except grpc.RpcError as error:
            raise from_rpc_error(error, self.address) from None
        finally:
            call.cancel()

    def save_transcript(self, session_id: str, path: str | os.PathLike[str], *,
                        format: TranscriptFormat = "markdown") -> Path:
        """Writes :meth:`export_transcript` to `path`, whole or not at all
        (a temporary file beside it is renamed into place); returns the path."""
        target, partial = _requests.partial_path(path)
        try:
            with open(partial, "wb") as f:
                for data in self.export_transcript(session_id, format=format):
                    f.write(data)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        return target

    # -- tokens and audit (docs/security.md) -----------------------------------------

    def whoami(self) -> WhoAmIResponse:
        """The token this client uses: its id, name and role (viewer)."""
        return WhoAmIResponse(self._call(self._auth.WhoAmI, auth_pb2.WhoAmIRequest()))

    def create_token(self, name: str, role: Role | int, *,
                     ttl_s: float | None = None) -> CreateTokenResponse:
        """Creates a token (admin); ``.secret`` is its secret, returned only
        here. `ttl_s`: lifetime in seconds (None: never expires)."""
        return CreateTokenResponse(self._call(self._auth.CreateToken,
                          _requests.create_token(name, role, ttl_s)))

    def list_tokens(self, *, include_revoked: bool = False,
                    page_size: int = 100) -> Iterator[Token]:
        """Every token, oldest first, never with its secret (admin)."""
        token = ""
        while True:
            page = self._call(self._auth.ListTokens, auth_pb2.ListTokensRequest(
                page_size=page_size, page_token=token, include_revoked=include_revoked))
            yield from map(Token, page.tokens)
            token = page.next_page_token
            if not token:
                return

    def revoke_token(self, token_id: str) -> Token:
        """Revokes a token (admin); refused from its next call on."""
        return Token(self._call(self._auth.RevokeToken,
                          auth_pb2.RevokeTokenRequest(token_id=token_id)))

    def list_audit_events(self, *, token_id: str | None = None, method: str | None = None,
                          since: datetime | None = None, until: datetime | None = None,
                          page_size: int = 100) -> Iterator[AuditEvent]:
        """The audit log, newest first (admin): every change and every
        refused call, with who, from where, and the outcome code. A flood
        of refusals from one source is folded into summary records whose
        message begins "N refusals from SOURCE" (docs/security.md).

        `token_id`, `method` (full, e.g.
        ``/codex_manager.v1.SessionService/CreateSession``): only those.
        `since` / `until`: only records at or after / before these times
        (aware datetimes; ValueError for a naive one; before 1970 is
        everything)."""
        token = ""
        while True:
            page = self._call(self._audit.ListAuditEvents, _requests.list_audit_events(
                page_size, token, token_id, method, since, until))
            yield from map(AuditEvent, page.audit_events)
            token = page.next_page_token
            if not token:
                return

    def backup(self, path: str | os.PathLike[str]) -> Backup:
        """Writes a copy of the server's database to `path` (admin;
        ``MaintenanceService.Backup``): sessions, transcripts, approvals,
        tokens (their hashes) and the audit log, consistent as of one
        moment, while the server goes on serving. The file is 0600 and
        written whole or not at all, checked against the server's SHA-256.
        Restoring it: docs/operations.md.

        Raises PermissionDeniedError below admin, ResourceExhaustedError
        while another backup is being made, UnavailableError when the server
        cannot write the copy (a full disk), DataLossError when the bytes
        received are not the server's.
        """
        out = _requests.BackupFile(path)
        call = self._maintenance.Backup(maintenance_pb2.BackupRequest(),
                                        metadata=self._metadata)
        try:
            for chunk in call:
                out.add(chunk)
            return out.commit()
        except grpc.RpcError as error:
            raise from_rpc_error(error, self.address) from None
        finally:
            call.cancel()
            out.close()

    def stop_session(self, session_id: str, *, force: bool = False) -> Session:
        """Stops the runtime (SIGTERM, or SIGKILL with `force`); the session
        becomes STOPPED and stays resumable."""
        return Session(self._call(self._sessions.StopSession,
                          sessions_pb2.StopSessionRequest(session_id=session_id, force=force)))

    def resume_session(self, session_id: str) -> Session:
        """Relaunches a STOPPED or FAILED session on the same Codex thread.
        Raises FailedPreconditionError in any other state."""
        return Session(self._call(self._sessions.ResumeSession,
                          sessions_pb2.ResumeSessionRequest(session_id=session_id)))

    def update_session(self, session_id: str, *, title: str | None = None,
                       model: str | None = None, effort: str | None = None,
                       approval_policy: str | None = None,
                       sandbox: str | None = None,
                       service_tier: str | None = None) -> Session:
        """Changes the given settings for the session's later turns (None:
        unchanged; "" for model, effort or service tier: Codex's default, or
        the thread's own). `service_tier`: "priority" is Codex's Fast mode
        (quicker, more usage; the tiers a model offers are its
        ``service_tiers``, :meth:`list_models`), "default" standard speed.
        A change of value is told to every follower as an
        ``EventType.SESSION_UPDATED`` event (``event.session_updated``: the
        fields changed and all the settings); the same values again change
        nothing. A new title also names the Codex thread
        (``thread/name/set``). Raises
        InvalidArgumentError naming a bad field, FailedPreconditionError when
        ARCHIVED, PermissionDeniedError for a sandbox over the limit."""
        return Session(self._call(self._sessions.UpdateSession, _requests.update_session(
            session_id, title=title, model=model, effort=effort,
            approval_policy=approval_policy, sandbox=sandbox, service_tier=service_tier)))

    def compact_session(self, session_id: str) -> Session:
        """Has Codex summarize the live session's conversation to free
        context (``thread/compact/start``); an ``EventType.CONTEXT_COMPACTED``
        event follows. FailedPreconditionError when the session is not live."""
        return Session(self._call(self._sessions.CompactSession,
                                  sessions_pb2.CompactSessionRequest(session_id=session_id)))

    def set_session_goal(self, session_id: str, objective: str | None = None, *,
                         status: GoalStatus | None = None,
                         token_budget: int | None = None) -> Session:
        """Sets or changes the goal Codex works toward by itself (Codex
        ``thread/goal/set``): while the goal is ``GoalStatus.ACTIVE``, Codex
        starts turns of its own toward it (:attr:`Turn.started_by_codex`)
        whenever none runs, until the agent marks it ``COMPLETE`` or it is
        paused, cleared or out of `token_budget` tokens.

        `objective` replaces the current one and, unless `status` says
        otherwise, makes the goal ACTIVE (Codex keeps the usage so far:
        :meth:`clear_session_goal` first to count from zero). `status`
        alone pauses (``PAUSED``), resumes (``ACTIVE``), or marks it
        ``BLOCKED`` or ``COMPLETE``. Returns the session with the goal
        (:attr:`Session.goal`); every change reaches followers as an
        ``EventType.GOAL_UPDATED`` event. Raises InvalidArgumentError naming
        the field (nothing to change, a blank or over 4000-byte objective, a
        status only Codex sets, a budget below 1), FailedPreconditionError
        when the session is not live, or Codex refused (e.g. a status for a
        thread without a goal). Audited."""
        return Session(self._call(self._sessions.SetSessionGoal, _requests.set_session_goal(
            session_id, objective, status, token_budget)))

    def clear_session_goal(self, session_id: str) -> Session:
        """Removes the session's goal (Codex ``thread/goal/clear``): Codex
        starts no more turns toward it (one running goes on until it ends:
        :meth:`interrupt_turn` stops it). A session without a goal is
        returned unchanged. FailedPreconditionError when it is not live.
        Audited."""
        return Session(self._call(self._sessions.ClearSessionGoal,
                                  sessions_pb2.ClearSessionGoalRequest(session_id=session_id)))

    def revert_session(self, session_id: str, before_turn_id: str) -> RevertSessionResponse:
        """Undoes turns in place (Codex ``thread/revert``): the turn
        `before_turn_id` and every later one leave the conversation, so the
        agent's next turn sees none of them. Their events stay in the log;
        the turns get :attr:`Turn.revert_time` and an
        ``EventType.SESSION_REVERTED`` event names them. Codex forgets only
        the conversation: files those turns changed stay changed. To keep
        the original, :meth:`fork_session` with `before_turn_id` instead.

        Returns the session and the reverted turn ids, oldest first.
        FailedPreconditionError when the session is not live or not idle, or
        the turn never reached Codex or is already reverted; NotFoundError
        when the session has no such turn. Audited."""
        return RevertSessionResponse(self._call(
            self._sessions.RevertSession,
            sessions_pb2.RevertSessionRequest(session_id=session_id,
                                              before_turn_id=before_turn_id)))

    def list_background_terminals(self, session_id: str) -> list[BackgroundTerminal]:
        """The processes the agent left running in the session (Codex
        ``thread/backgroundTerminals/list``): a command ``exec_command``
        returned from while it runs on, such as a dev server or a watcher.
        Empty when the session is not live: they end with its runtime (a
        stop, a server restart; idle reaping spares a session while its
        agent has one). At most 100."""
        response = self._call(self._sessions.ListBackgroundTerminals,
                              sessions_pb2.ListBackgroundTerminalsRequest(session_id=session_id))
        return [BackgroundTerminal(t) for t in response.terminals]

    def search_files(self, session_id: str, query: str, *,
                     max_results: int = 20) -> list[FileMatch]:
        """Files and directories under the session's folder whose paths
        match `query` fuzzily (its letters in order: ``"sessman"`` finds
        ``server/core/session_manager.cc``), best first, at most
        `max_results` (1 to 100). Codex ``fuzzyFileSearch``, as its TUI's
        ``@`` picker does: through the session's runtime when live (a few
        milliseconds), else a short-lived one (a few hundred). Each
        :class:`FileMatch` has ``path`` (relative to the folder),
        ``file_name``, ``directory``, ``score`` and ``indices`` (the
        matched code points of ``path``). An empty query finds nothing.
        InvalidArgumentError naming ``query`` (over 256 bytes) or
        ``max_results``; NotFoundError naming the session."""
        response = self._call(self._sessions.SearchFiles,
                              _requests.search_files(session_id, query, max_results))
        return [FileMatch(f) for f in response.files]

    def list_skills(self, session_id: str, *,
                    force_reload: bool = False) -> Skills:
        """The skills Codex offers for work in the session's folder (Codex
        ``skills/list``): ``.skills`` (each a :class:`Skill` with ``name``,
        ``description``, ``short_description``, ``display_name``, ``path``
        of its SKILL.md, ``scope`` "repo", "user", "system" or "admin", and
        ``enabled``) and ``.errors`` (SKILL.md files Codex could not load).
        A prompt uses a skill by naming it, ``$name``, as in Codex's TUI.
        `force_reload` has Codex read the skill folders again (after adding
        one to a live session's folder). Through the session's runtime when
        live, else a short-lived one. NotFoundError naming the session."""
        return _requests.skills(self._call(
            self._sessions.ListSkills,
            sessions_pb2.ListSkillsRequest(session_id=session_id,
                                           force_reload=force_reload)))

    def set_skill_enabled(self, session_id: str, skill: Skill | str | os.PathLike[str],
                          enabled: bool) -> Skill:
        """Enables or disables a skill for the whole server, as
        Codex's ``/skills`` menu does (admin; audited): `skill` is one
        :meth:`list_skills` gives for the session's folder, or its ``path``
        (SKILL.md). Codex writes the rule to the server's CODEX_HOME
        config.toml (``skills/config/write``); in sessions started or
        resumed afterwards a disabled skill is not offered to the model and
        a ``$name`` mention of it adds nothing (a live session's Codex keeps
        the skills its thread started with). Returns the skill, ``enabled``
        as Codex has it in effect now.
        NotFoundError naming the session, or the path when no skill of its
        folder has it; InvalidArgumentError for a relative path;
        PermissionDeniedError below admin."""
        return Skill(self._call(self._sessions.SetSkillEnabled,
                                _requests.set_skill_enabled(session_id, skill, enabled)))

    def list_mcp_servers(self, session_id: str) -> list[McpServer]:
        """The MCP servers of Codex's config (Codex
        ``mcpServerStatus/list``), each a :class:`McpServer` with ``name``,
        ``connection`` (the live session's connection to it:
        ``"connected"``, ``"failed"``, ``"disabled"``, ...; ``""`` when the
        session is not live), ``auth_status``, ``title``, ``version``,
        ``error`` (why its tools could not be listed) and ``tools`` (each
        with ``name``, ``title``, ``description``). Not live, a
        short-lived Codex starts each enabled server to list its tools.
        NotFoundError naming the session."""
        response = self._call(self._sessions.ListMcpServers,
                              sessions_pb2.ListMcpServersRequest(session_id=session_id))
        return [McpServer(s) for s in response.servers]

    def terminate_background_terminals(self, session_id: str,
                                       process_id: str | None = None, *,
                                       all: bool = False) -> None:
        """Ends the background terminal `process_id` (a
        :attr:`BackgroundTerminal.process_id`), or every one with
        ``all=True``; give exactly one. Codex kills the process and its
        command item completes; the session goes on. NotFoundError when the
        session has no such terminal (it may have ended). Audited."""
        self._call(self._sessions.TerminateBackgroundTerminals,
                   _requests.terminate_background_terminals(session_id, process_id, all))

    def archive_session(self, session_id: str) -> Session:
        """Stops the session if live and archives it: left out of
        :meth:`list_sessions` (unless asked for), takes no prompts, until
        :meth:`unarchive_session`. Audited. NotFoundError naming the id."""
        return Session(self._call(self._sessions.ArchiveSession,
                          sessions_pb2.ArchiveSessionRequest(session_id=session_id)))

    def unarchive_session(self, session_id: str) -> Session:
        """Undoes :meth:`archive_session`: the session is STOPPED again,
        listed, resumable (:meth:`resume_session`) and forkable; events
        ``--retain-archived-days`` deleted stay deleted
        (``purged_seq``). A session that is not ARCHIVED is returned
        unchanged. Audited. NotFoundError naming the id."""
        return Session(self._call(self._sessions.UnarchiveSession,
                          sessions_pb2.UnarchiveSessionRequest(session_id=session_id)))

    def wait_for_session(self, session_id: str, *states: int,
                         timeout: float = 60.0) -> Session:
        """Polls until the session is in one of `states` (e.g.
        ``SessionState.IDLE``); raises DeadlineExceededError after `timeout`
        seconds."""
        deadline = time.monotonic() + timeout
        while True:
            session = self.get_session(session_id)
            if session.state in states:
                return session
            if time.monotonic() > deadline:
                raise DeadlineExceededError(
                    f"session {session_id} still {session.state} after {timeout}s")
            time.sleep(0.05)

    # -- Codex outside a session ------------------------------------------------------

    def list_models(self, *, include_hidden: bool = False,
                    model_provider: str | None = None) -> list[Model]:
        """The models the server's Codex offers (``model/list``), in its
        order; each says its reasoning efforts and service tiers, and the
        one its configuration names (what a session that names no model
        runs) is ``configured``. `model_provider`: those of
        that provider (:meth:`list_model_providers`) instead of the Codex
        configuration's default. Runs a one-off Codex on the server (about
        0.12 s); ResourceExhaustedError when too many run."""
        response = self._call(self._codex.ListModels, codex_pb2.ListModelsRequest(
            include_hidden=include_hidden, model_provider=model_provider or ""))
        return [Model(m) for m in response.models]

    def list_model_providers(self) -> list[ModelProvider]:
        """The model providers of the server's Codex configuration
        (``modelProvider/list``): each one's ``id`` (what
        :meth:`create_session` takes as `model_provider`), ``name``, and
        whether it ``is_default``. Runs a one-off Codex on the server."""
        response = self._call(self._codex.ListModelProviders,
                              codex_pb2.ListModelProvidersRequest())
        return [ModelProvider(p) for p in response.providers]

    def get_account(self) -> Account:
        """The account the server's Codex is signed in with, and its rate
        limits when Codex can read them (else ``rate_limits_error`` says
        why). Needs an operator token."""
        return Account(self._call(self._codex.GetAccount, codex_pb2.GetAccountRequest()))

    def list_codex_threads(self, *, cwd: str | os.PathLike[str] | None = None,
                           search: str | None = None,
                           page_size: int = 25) -> Iterator[CodexThread]:
        """The Codex threads stored under the server's CODEX_HOME (made by
        sessions, the Codex TUI or ``codex exec``), most recently updated
        first, page by page; `cwd` (absolute) and `search` (title text)
        filter. ``session_id`` names the session already on a thread. Needs
        an operator token."""
        token = ""
        while True:
            page = self._call(self._codex.ListCodexThreads, codex_pb2.ListCodexThreadsRequest(
                page_size=page_size, page_token=token,
                cwd=os.fspath(cwd) if cwd is not None else "", search=search or ""))
            yield from map(CodexThread, page.threads)
            token = page.next_page_token
            if not token:
                return

    def list_codex_hooks(self, *, cwd: str | os.PathLike[str] | None = None) -> CodexHooks:
        """The hooks of the server's Codex config (Codex ``hooks/list``):
        its user and system layers, and `cwd`'s ``.codex/`` (absolute) when
        Codex trusts that project. Codex runs an enabled hook only once it is
        trusted; ``.skipped`` lists those it will not. Needs an admin token
        (a hook's command line may carry a secret)."""
        return _requests.codex_hooks(self._call(
            self._codex.ListCodexHooks,
            codex_pb2.ListCodexHooksRequest(cwd=os.fspath(cwd) if cwd is not None else "")))

    def trust_codex_hooks(self, hooks: Sequence[CodexHook], *,
                          cwd: str | os.PathLike[str] | None = None) -> list[CodexHook]:
        """Trusts `hooks` (as listed by :meth:`list_codex_hooks`, each with
        the ``current_hash`` you reviewed), as Codex's own /hooks review
        does: sessions started or resumed afterwards run them (a live
        session's Codex keeps what it loaded). Returns every hook as
        Codex lists it after. Nothing is written unless all are still as
        listed: NotFoundError naming a key Codex no longer lists,
        FailedPreconditionError naming one whose definition changed. Needs
        an admin token; audited."""
        response = self._call(self._codex.TrustCodexHooks,
                              _requests.trust_codex_hooks(hooks, cwd))
        return [CodexHook(h) for h in response.hooks]

    def list_codex_features(self, *, include_removed: bool = False) -> list[CodexFeature]:
        """Codex's feature flags (Codex ``experimentalFeature/list``), in its
        order: each one's ``name`` (its key under ``[features]`` in
        config.toml), ``stage`` ("beta", "underDevelopment", "stable",
        "deprecated"; "removed" ones only with `include_removed`), whether
        it is ``enabled`` for sessions started now and its
        ``default_enabled``. Runs a one-off Codex on the server."""
        response = self._call(self._codex.ListCodexFeatures,
                              _requests.list_codex_features(include_removed))
        return [CodexFeature(f) for f in response.features]

    def set_codex_feature(self, feature: CodexFeature | str,
                          enabled: bool | None) -> SetCodexFeatureResponse:
        """Turns a feature flag on (`enabled` True) or off (False), or back
        to Codex's default (None), as ``codex features enable`` does on the
        server's machine: ``[features]`` in its CODEX_HOME config.toml.
        Sessions started or resumed afterwards get it; a live session's
        Codex keeps what it loaded. Returns the ``feature`` as Codex lists
        it after, and ``overridden``: Codex's message when a managed or
        system configuration sets the feature too (what was written is then
        not what sessions get). NotFoundError for a feature Codex does not
        list, FailedPreconditionError turning a removed one on or off.
        Needs an admin token; audited."""
        return SetCodexFeatureResponse(self._call(
            self._codex.SetCodexFeature, _requests.set_codex_feature(feature, enabled)))

    def start_codex_login(self, *, api_key: str | None = None) -> CodexLogin:
        """Signs the server's Codex in, as ``codex login`` does on its
        machine (Codex ``account/login/start``), for every session started
        or resumed afterwards.

        With `api_key`, Codex stores the key and the login comes back
        ``SUCCEEDED``. Without, ChatGPT's device code flow: the login comes
        back ``PENDING`` with ``verification_url`` and ``user_code``; a
        person opens the page on any device, signs in and types the code,
        while Codex on the server waits (up to 15 minutes). Follow it with
        :meth:`wait_for_codex_login`. A new login, or :meth:`logout_codex`,
        cancels a pending one. The key goes to Codex only: the server never
        logs, audits or returns it. Needs an admin token; audited."""
        return CodexLogin(self._call(self._codex.StartCodexLogin,
                                     _requests.start_codex_login(api_key)))

    def get_codex_login(self, login_id: str) -> CodexLogin:
        """A login as it stands (the server remembers the last 16);
        NotFoundError otherwise. Needs an admin token."""
        return CodexLogin(self._call(self._codex.GetCodexLogin,
                                     codex_pb2.GetCodexLoginRequest(login_id=login_id)))

    def wait_for_codex_login(self, login_id: str, *, timeout: float | None = None,
                             poll_interval: float = 2.0) -> CodexLogin:
        """Polls a login until it is no longer ``PENDING`` and returns it
        (``SUCCEEDED``, ``FAILED`` with ``error``, ``CANCELLED``); raises
        DeadlineExceededError after `timeout` seconds (None: as long as the
        server waits for the code)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            login = self.get_codex_login(login_id)
            if login.state != CodexLoginState.PENDING:
                return login
            if deadline is not None and time.monotonic() > deadline:
                raise DeadlineExceededError(f"login {login_id} still pending after {timeout}s")
            time.sleep(poll_interval)

    def cancel_codex_login(self, login_id: str) -> CodexLogin:
        """Ends a pending login (Codex ``account/login/cancel``) and returns
        it ended: ``CANCELLED``, or ``SUCCEEDED``/``FAILED`` when Codex
        finished first; one already over comes back as it is. Needs an
        admin token; audited."""
        return CodexLogin(self._call(self._codex.CancelCodexLogin,
                                     codex_pb2.CancelCodexLoginRequest(login_id=login_id)))

    def logout_codex(self) -> None:
        """Signs the server's Codex out (Codex ``account/logout``: it removes
        the credentials it stored), after cancelling a pending login. Needs
        an admin token; audited."""
        self._call(self._codex.LogoutCodex, codex_pb2.LogoutCodexRequest())

    def import_thread(self, thread_id: str, *, title: str | None = None,
                      request_id: str | None = None) -> Session:
        """Makes a session of the stored Codex thread `thread_id` (see
        :meth:`list_codex_threads`), with its turns as the session's history,
        and starts it on that thread. Raises NotFoundError for an unknown
        thread, AlreadyExistsError naming the session already on it,
        PermissionDeniedError when its folder is outside the server's
        allowed roots."""
        return Session(self._call(self._sessions.ImportThread, sessions_pb2.ImportThreadRequest(
            thread_id=thread_id, title=title or "", request_id=request_id or "")))

    def fork_session(self, session_id: str, *, title: str | None = None,
                     request_id: str | None = None, through_turn_id: str | None = None,
                     before_turn_id: str | None = None) -> Session:
        """A new session on a copy of the session's Codex thread (``thread/
        fork``): same folder, model and policies, the history so far; the
        source goes on untouched.

        With `through_turn_id` the fork's history ends with that turn (it
        must have ended); with `before_turn_id` it ends just before that
        turn, which is how to edit and retry a prompt: fork before its turn,
        then :meth:`start_turn` on the fork with the new prompt. Codex
        forgets only the conversation; files the left-out turns changed stay
        changed.

        Raises ValueError for both turn ids, NotFoundError when the session
        has no such turn, FailedPreconditionError when the session has no
        Codex thread yet, the turn never reached Codex, or the through turn
        has not ended."""
        return Session(self._call(self._sessions.ForkSession, _requests.fork_session(
            session_id, title, request_id, through_turn_id, before_turn_id)))

    # -- turns ---------------------------------------------------------------------

    def start_turn(self, session_id: str, prompt: str, *,
                   request_id: str | None = None, model: str | None = None,
                   effort: str | None = None, reasoning_summary: str | None = None,
                   output_schema: Mapping[str, Any] | str | None = None,
                   images: Sequence[str | os.PathLike[str] | bytes] = (),
                   approval_policy: str | None = None,
                   sandbox: str | None = None,
                   collaboration_mode: str | None = None,
                   service_tier: str | None = None) -> Turn:
        """Queues `prompt`; it runs at once when the session is idle (a
        STOPPED session is resumed first).

        The keywords set this turn only (the session's settings otherwise):
        `model`, reasoning `effort` ("low", "medium", "high", …),
        `reasoning_summary` ("auto", "concise", "detailed", "none"), an
        `output_schema` (a JSON Schema dict) the final message must follow,
        `images` (paths of files inside the session's folder, relative to
        this process's directory, or PNG/JPEG/GIF/WebP bytes to upload; at
        most 8), `approval_policy` and `sandbox`; `collaboration_mode`
        "plan" runs it in Codex's Plan mode (the agent explores, may ask
        questions, changes nothing and ends with a proposed plan: an item of
        type "plan", its text the plan in Markdown; the turn after a planning
        one is back in the default mode unless it asks for "plan" again);
        `service_tier` "priority" runs it in Codex's Fast mode, "default" at
        standard speed.

        A retry with the same `request_id` (and the same arguments, by the
        same token) returns the first call's turn; the key with another
        session, prompt or setting raises InvalidArgumentError
        ("request_id: …") and starts nothing: use a new key (a UUID) for
        each new turn.

        Raises InvalidArgumentError for an empty prompt or a bad setting
        (naming it), NotFoundError, FailedPreconditionError when the session
        is FAILED or ARCHIVED, PermissionDeniedError for a sandbox over the
        server's limit, or for a turn that would run in
        ``danger-full-access`` when the token is not an admin's (pass a
        narrower `sandbox` to run it in that)."""
        settings = _requests.TurnSettings(
            model=model, effort=effort, reasoning_summary=reasoning_summary,
            output_schema=output_schema, images=images,
            approval_policy=approval_policy, sandbox=sandbox,
            collaboration_mode=collaboration_mode, service_tier=service_tier)
        return Turn(self._call(self._turns.StartTurn,
                          _requests.start_turn(session_id, prompt, request_id, settings)))

    def interrupt_turn(self, session_id: str, turn_id: str | None = None) -> Turn:
        """Interrupts the running turn (or drops the queued `turn_id`).
        Raises FailedPreconditionError when nothing runs."""
        return Turn(self._call(self._turns.InterruptTurn, turns_pb2.InterruptTurnRequest(
            session_id=session_id, turn_id=turn_id or "")))

    def steer_turn(self, session_id: str, prompt: str, *,
                   turn_id: str | None = None) -> Turn:
        """Adds `prompt` to the running turn without ending it (Codex
        ``turn/steer``); returns once Codex took it. ``start_turn`` queues a
        prompt for after the turn instead. FailedPreconditionError when no
        turn runs (or Codex refused), UnavailableError when Codex has not
        named the turn yet (retry)."""
        return Turn(self._call(self._turns.SteerTurn, turns_pb2.SteerTurnRequest(
            session_id=session_id, turn_id=turn_id or "", prompt=prompt)))

    def start_review(self, session_id: str, *, uncommitted: bool = False,
                     base_branch: str | None = None, commit: str | None = None,
                     commit_title: str | None = None, instructions: str | None = None,
                     request_id: str | None = None) -> Turn:
        """Queues a code review as a turn (Codex ``review/start``): of the
        `uncommitted` changes, the changes against `base_branch`, one
        `commit` (sha), or free-form `instructions` -- exactly one. It runs
        like any turn; its findings arrive as an ``exitedReviewMode`` item
        (``item.text``), which Codex repeats as the final message. ValueError
        for no or several targets; the server's errors as start_turn's."""
        target = _requests.review_target(
            uncommitted=uncommitted, base_branch=base_branch, commit=commit,
            commit_title=commit_title, instructions=instructions)
        return Turn(self._call(self._turns.StartReview, turns_pb2.StartReviewRequest(
            session_id=session_id, target=target, request_id=request_id or "")))

    def start_shell_command(self, session_id: str, command: str, *,
                            request_id: str | None = None) -> Turn:
        """Queues a shell command as a turn, as ``!`` does in Codex's TUI
        (Codex ``thread/shellCommand``): Codex runs `command` with the
        user's shell in the session's folder and records it in the thread,
        so the agent sees it and its output from the next turn on. Its
        output streams as a ``commandExecution`` item whose
        ``command_source`` is ``"userShell"``; ``Turn.prompt`` is ``"!"``
        and the command.

        Codex runs it unsandboxed, whatever the session's sandbox: the call
        needs an admin token and a server started with ``--max-sandbox
        danger-full-access`` (else PermissionDeniedError).
        InvalidArgumentError for a blank command, one over 64 KiB or with a
        NUL byte; the server's other errors as start_turn's."""
        return Turn(self._call(self._turns.RunShellCommand, turns_pb2.RunShellCommandRequest(
            session_id=session_id, command=command, request_id=request_id or "")))

    def get_turn(self, turn_id: str) -> Turn:
        return Turn(self._call(self._turns.GetTurn, turns_pb2.GetTurnRequest(turn_id=turn_id)))

    def list_turns(self, session_id: str, *, page_size: int = 100) -> Iterator[Turn]:
        """The session's turns, oldest first, page by page."""
        token = ""
        while True:
            page = self._call(self._turns.ListTurns, turns_pb2.ListTurnsRequest(
                session_id=session_id, page_size=page_size, page_token=token))
            yield from map(Turn, page.turns)
            token = page.next_page_token
            if not token:
                return

    # -- approvals -----------------------------------------------------------------

    def list_approvals(self, session_id: str | None = None, *,
                       include_resolved: bool = False,
                       page_size: int = 100) -> Iterator[Approval]:
        """PENDING approvals (all with `include_resolved`), oldest first."""
        token = ""
        while True:
            page = self._call(self._approvals.ListApprovals, approvals_pb2.ListApprovalsRequest(
                session_id=session_id or "", include_resolved=include_resolved,
                page_size=page_size, page_token=token))
            yield from map(Approval, page.approvals)
            token = page.next_page_token
            if not token:
                return

    def resolve_approval(self, approval_id: str, decision: Decision | int, *,
                         answers: Mapping[str, str] | None = None,
                         request_id: str | None = None) -> Approval:
        """Decides a PENDING approval. The first decision wins; a later one
        raises FailedPreconditionError naming it, unless it repeats the
        winning call (its `request_id`, decision and answers, from the same
        token), which returns the approval. The winner's key in any other
        call raises InvalidArgumentError."""
        return Approval(self._call(self._approvals.ResolveApproval, _requests.resolve_approval(
            approval_id, decision, answers, request_id)))

    def approve(self, approval_id: str, *, for_session: bool = False,
                remember: bool = False) -> Approval:
        """Codex ``accept``; ``acceptForSession`` with `for_session`;
        ``acceptWithExecpolicyAmendment`` with `remember` (commands starting
        with the approval's ``execpolicy_amendment`` are allowed from then
        on). InvalidArgumentError when Codex does not offer that decision
        (see ``approval.available_decisions``)."""
        return self.resolve_approval(approval_id, _requests.approve_decision(for_session, remember))

    def answer(self, approval_id: str, answers: Mapping[str, str]) -> Approval:
        """Answers a USER_INPUT approval (question id → text; a question
        with options and no ``isOther`` takes one of their labels) or fills
        an MCP_ELICITATION form (field → value, converted to the field's
        type by the server). InvalidArgumentError naming ``answers[NAME]``
        when a name is not one the request asks, a value does not fit, or
        one is over 65,536 bytes; nothing is decided then."""
        return self.resolve_approval(approval_id, Decision.APPROVE, answers=answers)

    def deny(self, approval_id: str, *, abort: bool = False) -> Approval:
        """Codex ``decline``: the turn goes on without it (``cancel`` with
        `abort`: the turn stops too)."""
        return self.resolve_approval(approval_id, Decision.ABORT if abort else Decision.DENY)

    # -- events --------------------------------------------------------------------

    def events(self, session_id: str | None = None, *, after: int = 0, follow: bool = True,
               reconnect: bool = True, max_backoff: float = 5.0,
               max_retries: int | None = _requests.DEFAULT_MAX_RETRIES,
               stop: threading.Event | None = None) -> Iterator[Event]:
        """Iterates over the event stream.

        With `session_id`, `after` is a ``session_seq``; without, a global
        ``event_id``. Yields exactly the events after it, in order. When the
        connection drops (server restart, network), it reconnects with
        exponential backoff (up to `max_backoff` seconds) and resumes after the
        last event it yielded — no gap, no duplicate — until the caller stops
        iterating, `stop` is set, or (``follow=False``) it has caught up.
        Pending approvals from before `after` come first, once, with
        ``redelivered`` set. It streams with StreamEventBatches, several
        events per message (StreamEvents with a server older than that RPC),
        and yields them one at a time.

        It reconnects only to a server it has reached: a server never reached
        raises UnavailableError at once, naming the address. After
        `max_retries` failed reconnects in a row (None: no limit; about a
        minute by default) it raises UnavailableError too.

        Raises NotFoundError for an unknown session, OutOfRangeError for a
        cursor ahead of the log, and any error when `reconnect` is False.
        """
        cursor = _requests.Cursor(session_id, after)
        current: list[Any] = [None]
        finished = threading.Event()
        if stop is not None:
            def cancel_on_stop() -> None:
                # Ends with the iteration too, so no thread outlives it.
                while not stop.wait(0.2):
                    if finished.is_set():
                        return
                if current[0] is not None:
                    current[0].cancel()
            threading.Thread(target=cancel_on_stop, daemon=True).start()
        try:
            yield from self._follow(session_id, cursor, follow,
                                    _requests.Reconnects(reconnect, max_retries),
                                    max_backoff, stop, current)
        finally:
            finished.set()

    def _follow(self, session_id: str | None, cursor: _requests.Cursor, follow: bool,
                reconnects: _requests.Reconnects, max_backoff: float,
                stop: threading.Event | None,
                current: list[Any]) -> Iterator[Event]:
        backoff = 0.1
        while stop is None or not stop.is_set():
            call = self._event_rpc.open(
                _requests.stream_events(session_id, cursor.position, follow),
                self._metadata)
            current[0] = call
            try:
                # The server sends a stream's metadata at once: an open
                # stream means it was reached.
                call.initial_metadata()
                if not call.done():
                    reconnects.progress()
                for message in call:
                    backoff = 0.1
                    reconnects.progress()
                    for event in _requests.events_of(message):
                        if cursor.accept(event):
                            yield Event(event)
                return  # a replay that caught up
            except grpc.RpcError as error:
                if stop is not None and stop.is_set():
                    return
                if self._event_rpc.fall_back(error.code()):
                    continue
                if not reconnects.retry(error.code()):
                    raise from_rpc_error(error, self.address) from None
            finally:
                call.cancel()
            time.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)

    # -- the common flow -------------------------------------------------------------

    def run_turn(self, session_id: str, prompt: str, *,
                 on_approval: ApprovalCallback | None = None,
                 on_event: Callable[[Event], None] | None = None,
                 request_id: str | None = None,
                 collaboration_mode: str | None = None,
                 service_tier: str | None = None) -> Turn:
        """Starts a turn in an existing session and follows it to its end.
        `collaboration_mode` and `service_tier` as :meth:`start_turn`'s.

        `on_event` sees every event of the turn; `on_approval` is called for
        each approval request and returns the decision, or for a question
        or a form (:func:`codex_manager.questions`) the answers, which
        approve it as :meth:`answer` does (None leaves it to someone else).
        A DENY where Codex offers no plain "no" (a command under approval
        policy ``untrusted``: ``available_decisions`` has ABORT but not DENY)
        is sent as ABORT, which also stops the turn, as the CLI's
        ``--on-approval deny`` does. Returns the finished turn (COMPLETED,
        INTERRUPTED or FAILED).
        """
        after = self.get_session(session_id).last_seq
        turn = self.start_turn(session_id, prompt, request_id=request_id,
                               collaboration_mode=collaboration_mode,
                               service_tier=service_tier)
        return self._follow_turn(turn, after, on_approval, on_event)

    def run_review(self, session_id: str, *, uncommitted: bool = False,
                   base_branch: str | None = None, commit: str | None = None,
                   instructions: str | None = None,
                   on_approval: ApprovalCallback | None = None,
                   on_event: Callable[[Event], None] | None = None) -> Turn:
        """:meth:`start_review`, followed to its end as :meth:`run_turn`
        follows a turn; the finished turn's ``final_message`` is the review."""
        after = self.get_session(session_id).last_seq
        turn = self.start_review(session_id, uncommitted=uncommitted, base_branch=base_branch,
                                 commit=commit, instructions=instructions)
        return self._follow_turn(turn, after, on_approval, on_event)

    def run_shell_command(self, session_id: str, command: str, *,
                          on_event: Callable[[Event], None] | None = None) -> Turn:
        """:meth:`start_shell_command`, followed to its end as
        :meth:`run_turn` follows a turn. The command's output and exit code
        are in its ``commandExecution`` item (``ITEM_COMPLETED``:
        ``aggregated_output``, ``exit_code``), which `on_event` sees."""
        after = self.get_session(session_id).last_seq
        turn = self.start_shell_command(session_id, command)
        return self._follow_turn(turn, after, None, on_event)

    def _follow_turn(self, turn: Turn, after: int, on_approval: ApprovalCallback | None,
                     on_event: Callable[[Event], None] | None) -> Turn:
        session_id = turn.session_id
        for event in self.events(session_id, after=after):
            if event.turn_id != turn.turn_id:
                continue
            if on_event is not None:
                on_event(event)
            if event.type is EventType.APPROVAL_REQUESTED and on_approval is not None:
                approval = Approval(event.proto.approval_requested.approval)
                decision = on_approval(approval)
                if decision is not None:
                    try:
                        if isinstance(decision, Mapping):
                            self.answer(approval.approval_id, decision)
                        else:
                            self.resolve_approval(
                                approval.approval_id,
                                _requests.callback_decision(approval.available_decisions, decision))
                    except FailedPreconditionError:
                        pass  # someone decided first, or the turn moved on
            elif (event.type is EventType.TURN_STATE_CHANGED
                  and TurnState(event.proto.turn_state_changed.state).is_final):
                return self.get_turn(turn.turn_id)
        raise CodexManagerError(f"event stream of session {session_id} ended early")

    def run(self, cwd: str | os.PathLike[str], prompt: str, *,
            on_approval: ApprovalCallback | None = None,
            on_event: Callable[[Event], None] | None = None,
            model: str | None = None, approval_policy: str | None = None,
            sandbox: str | None = None, title: str | None = None,
            developer_instructions: str | None = None,
            model_provider: str | None = None, effort: str | None = None,
            service_tier: str | None = None) -> Turn:
        """Creates a session in `cwd` (see :meth:`create_session`), sends
        `prompt`, follows the turn (see :meth:`run_turn`) and returns it
        finished."""
        session = self.create_session(cwd, model=model, approval_policy=approval_policy,
                                      sandbox=sandbox, title=title,
                                      developer_instructions=developer_instructions,
                                      model_provider=model_provider, effort=effort,
                                      service_tier=service_tier)
        return self.run_turn(session.session_id, prompt, on_approval=on_approval,
                             on_event=on_event)
