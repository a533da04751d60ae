"""Typed, read-only views of the API's messages (codex_manager._view.View).

Generated from protos/ by clients/python/scripts/generate_views.py; do not edit.
"""

from __future__ import annotations

import datetime

from codex_manager._view import View
from codex_manager.enums import ApprovalKind, ApprovalState, CodexLoginMethod, CodexLoginState, Decision, EventType, GoalStatus, Role, SessionState, TurnState
from codex_manager.v1 import approvals_pb2, auth_pb2, codex_pb2, events_pb2, maintenance_pb2, sessions_pb2, turns_pb2

__all__ = ['Account', 'Approval', 'ApprovalRequested', 'ApprovalResolved', 'AuditEvent', 'BackgroundTerminal', 'BackupChunk', 'CodexFeature', 'CodexHook', 'CodexHookError', 'CodexLogin', 'CodexSettings', 'CodexThread', 'CreateTokenResponse', 'Event', 'EventBatch', 'FileMatch', 'GoalUpdated', 'HookOutputEntry', 'HookRun', 'HookTrust', 'ImageUpload', 'Item', 'ItemDelta', 'LogoutCodexResponse', 'McpServer', 'McpServerStatus', 'McpTool', 'Model', 'ModelProvider', 'ModelRerouted', 'Notice', 'Plan', 'PlanStep', 'RateLimitWindow', 'RateLimits', 'RawNotification', 'RevertSessionResponse', 'ReviewTarget', 'SearchFilesResponse', 'ServiceTier', 'Session', 'SessionGoal', 'SessionReverted', 'SessionStateChanged', 'SessionUpdated', 'SetCodexFeatureResponse', 'Skill', 'SkillError', 'SubAgent', 'TerminalInput', 'TerminateBackgroundTerminalsResponse', 'ThreadStatus', 'Token', 'TokenUsage', 'TranscriptChunk', 'TrustCodexHooksResponse', 'Turn', 'TurnDiff', 'TurnStateChanged', 'WhoAmIResponse']


class Approval(View[approvals_pb2.Approval]):
    """The API's Approval message."""

    __slots__ = ()
    _FIELDS = ('approval_id', 'session_id', 'turn_id', 'kind', 'state', 'command', 'cwd', 'reason', 'diff', 'item_id', 'params_json', 'decision', 'create_time', 'resolve_time', 'method', 'available_decisions', 'execpolicy_amendment', 'mcp_server_name', 'elicitation_mode', 'elicitation_url', 'requested_schema_json', 'requested_permissions', 'changed_files', 'sub_agent', )

    @property
    def approval_id(self) -> str:
        """Server-assigned id, "apr_" followed by 20 lowercase hex characters."""
        return self._proto.approval_id

    @property
    def session_id(self) -> str:
        return self._proto.session_id

    @property
    def turn_id(self) -> str:
        return self._proto.turn_id

    @property
    def kind(self) -> ApprovalKind:
        return ApprovalKind(self._proto.kind)

    @property
    def state(self) -> ApprovalState:
        return ApprovalState(self._proto.state)

    @property
    def command(self) -> str:
        """The exact command Codex wants to run (COMMAND_EXECUTION), else empty."""
        return self._proto.command

    @property
    def cwd(self) -> str:
        """The working directory of the command, when Codex gave one."""
        return self._proto.cwd

    @property
    def reason(self) -> str:
        """Codex's explanation, when it gave one."""
        return self._proto.reason

    @property
    def diff(self) -> str:
        """The proposed changes of a FILE_CHANGE approval as a unified diff, when
        known from the `fileChange` item; else empty.
        """
        return self._proto.diff

    @property
    def item_id(self) -> str:
        """The Codex item this approval is about."""
        return self._proto.item_id

    @property
    def params_json(self) -> str:
        """The full request params as Codex sent them (JSON object text). `{}` once
        --retain-archived-days deleted the session's events, and command, reason
        and diff are empty.
        """
        return self._proto.params_json

    @property
    def decision(self) -> Decision:
        """The decision once decided; DECISION_UNSPECIFIED while PENDING/EXPIRED."""
        return Decision(self._proto.decision)

    @property
    def create_time(self) -> datetime.datetime | None:
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def resolve_time(self) -> datetime.datetime | None:
        return self._proto.resolve_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("resolve_time") else None

    @property
    def method(self) -> str:
        """The Codex request method, e.g. "item/commandExecution/requestApproval"."""
        return self._proto.method

    @property
    def available_decisions(self) -> tuple[Decision, ...]:
        """The decisions Codex offers for this approval, in its order (its
        `availableDecisions`, or the kind's defaults when it sends none).
        ResolveApproval refuses any other; clients offer exactly these.
        """
        return tuple(Decision(v) for v in self._proto.available_decisions)

    @property
    def execpolicy_amendment(self) -> tuple[str, ...]:
        """APPROVE_AND_REMEMBER: the command prefix (argv words) Codex will allow
        from then on.
        """
        return tuple(self._proto.execpolicy_amendment)

    @property
    def mcp_server_name(self) -> str:
        """MCP_ELICITATION: the MCP server that asks, its mode ("form", "url",
        "openai/userVerification", …), the URL to open in "url" mode, and the JSON
        schema of the form's fields in "form" mode (an object schema of flat
        properties: string, number, integer, boolean, enums). `reason` holds its
        message.
        """
        return self._proto.mcp_server_name

    @property
    def elicitation_mode(self) -> str:
        return self._proto.elicitation_mode

    @property
    def elicitation_url(self) -> str:
        return self._proto.elicitation_url

    @property
    def requested_schema_json(self) -> str:
        return self._proto.requested_schema_json

    @property
    def requested_permissions(self) -> tuple[str, ...]:
        """PERMISSIONS: what Codex asks to be granted, a line each, in the request's
        order (PermissionsRequestApprovalParams `permissions`): "network access",
        "read PLACE", "write PLACE", "deny PLACE", where PLACE is a path, a glob
        pattern, or one of Codex's special places in words ("the whole file
        system", "the project roots", "$TMPDIR", "/tmp", …). Each line at most
        1,024 bytes; past 100 lines, one more says how many were left out ("and N
        more"). An entry of a shape this server does not know is left out:
        `params_json` has the whole request. Empty for other kinds. APPROVE grants
        them all for the turn, APPROVE_FOR_SESSION for the session, DENY none.
        """
        return tuple(self._proto.requested_permissions)

    @property
    def changed_files(self) -> tuple[str, ...]:
        """FILE_CHANGE: the files the change writes or deletes (a moved file: its old
        path, then its new one), as Codex names them (absolute paths), in the
        order of `diff`, each once (read from its headers), the first 1,000
        (`diff` has them all). Empty for other kinds, or when the diff is not
        known.
        """
        return tuple(self._proto.changed_files)

    @property
    def sub_agent(self) -> SubAgent:
        """Set when a sub-agent of the session's agent asked (Codex's multi-agent
        tools, feature multi_agent_v2): which one. Unset when the session's own
        agent asked, and on approvals recorded before codex-manager kept it.
        """
        return SubAgent(self._proto.sub_agent)


class SubAgent(View[approvals_pb2.SubAgent]):
    """A sub-agent of the session's agent: who asked for an approval
    (Approval.sub_agent), whose work an event is (Event.sub_agent).
    """

    __slots__ = ()
    _FIELDS = ('thread_id', 'path', )

    @property
    def thread_id(self) -> str:
        """Its Codex thread id."""
        return self._proto.thread_id

    @property
    def path(self) -> str:
        """Where it sits in the agents' tree, as Codex names it (agentPath, e.g.
        "/root/helper": the session's agent is "/root"; the last part is the task
        name its spawner gave it). Empty when no subAgentActivity item named it
        before this event or request.
        """
        return self._proto.path


class Token(View[auth_pb2.Token]):
    """A token as listed: never its secret. The server stores only the SHA-256 of
    each secret.
    """

    __slots__ = ()
    _FIELDS = ('token_id', 'name', 'role', 'create_time', 'expire_time', 'last_used_time', 'revoke_time', 'bootstrap', )

    @property
    def token_id(self) -> str:
        """"tok_" followed by 20 lowercase hex characters."""
        return self._proto.token_id

    @property
    def name(self) -> str:
        """Free-form name for people (who or what holds it); 1..100 characters."""
        return self._proto.name

    @property
    def role(self) -> Role:
        return Role(self._proto.role)

    @property
    def create_time(self) -> datetime.datetime | None:
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def expire_time(self) -> datetime.datetime | None:
        """Unset when the token never expires."""
        return self._proto.expire_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("expire_time") else None

    @property
    def last_used_time(self) -> datetime.datetime | None:
        """Last successful authentication, to the second; unset when never used."""
        return self._proto.last_used_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("last_used_time") else None

    @property
    def revoke_time(self) -> datetime.datetime | None:
        """Set once revoked; a revoked token is refused from the next call on (within
        one second, no restart).
        """
        return self._proto.revoke_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("revoke_time") else None

    @property
    def bootstrap(self) -> bool:
        """The token whose secret is in DATA_DIR/admin.token (made at first start or
        by --rotate-admin-token).
        """
        return self._proto.bootstrap


class CreateTokenResponse(View[auth_pb2.CreateTokenResponse]):
    """The API's CreateTokenResponse message."""

    __slots__ = ()
    _FIELDS = ('token', 'secret', )

    @property
    def token(self) -> Token:
        return Token(self._proto.token)

    @property
    def secret(self) -> str:
        """The secret, "cmt_" + 43 base64url characters (32 random bytes). It is
        returned only here, once; the server cannot show it again.
        """
        return self._proto.secret


class WhoAmIResponse(View[auth_pb2.WhoAmIResponse]):
    """The API's WhoAmIResponse message."""

    __slots__ = ()
    _FIELDS = ('token_id', 'name', 'role', 'expire_time', 'peer', )

    @property
    def token_id(self) -> str:
        return self._proto.token_id

    @property
    def name(self) -> str:
        return self._proto.name

    @property
    def role(self) -> Role:
        return Role(self._proto.role)

    @property
    def expire_time(self) -> datetime.datetime | None:
        """Unset when the token never expires."""
        return self._proto.expire_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("expire_time") else None

    @property
    def peer(self) -> str:
        """The caller's address as the server sees it, e.g. "ipv4:127.0.0.1:50312";
        through a proxy in the server's --trusted-proxies, the address it
        forwarded (x-forwarded-for) and the proxy's, e.g. "ipv4:198.51.100.9 via
        ipv4:127.0.0.1:40022" (docs/security.md, "Behind a proxy").
        """
        return self._proto.peer


class AuditEvent(View[auth_pb2.AuditEvent]):
    """One audit record: a mutation, or any refused call. Written in the same
    transaction as the change it describes. Past a burst, a source's refusals are
    counted instead and one record a minute stands for them; its message begins "N
    refusals from SOURCE between T1 and T2" (--audit-refusal-rate,
    docs/security.md).
    """

    __slots__ = ()
    _FIELDS = ('audit_id', 'time', 'token_id', 'token_name', 'role', 'peer', 'request_id', 'method', 'resource_id', 'code', 'message', )

    @property
    def audit_id(self) -> int:
        """Strictly increasing."""
        return self._proto.audit_id

    @property
    def time(self) -> datetime.datetime | None:
        return self._proto.time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("time") else None

    @property
    def token_id(self) -> str:
        """The caller's token; empty when the call was not authenticated."""
        return self._proto.token_id

    @property
    def token_name(self) -> str:
        return self._proto.token_name

    @property
    def role(self) -> Role:
        return Role(self._proto.role)

    @property
    def peer(self) -> str:
        """The caller's address, e.g. "ipv4:127.0.0.1:50312", or through a trusted
        proxy "ipv4:198.51.100.9 via ipv4:127.0.0.1:40022" (as
        WhoAmIResponse.peer).
        """
        return self._proto.peer

    @property
    def request_id(self) -> str:
        """The call's `x-request-id` (the client's, or the one the server made)."""
        return self._proto.request_id

    @property
    def method(self) -> str:
        """Full gRPC method, e.g. "/codex_manager.v1.SessionService/CreateSession";
        for what codex-manager-server did by itself (token_name
        "codex-manager-server") a name of its own: "startup/admin-token",
        "startup/rotate-admin-token", "retention/audit" or "restore" (see
        docs/security.md, "Audit").
        """
        return self._proto.method

    @property
    def resource_id(self) -> str:
        """The session, turn, approval or token the call acted on; empty when none."""
        return self._proto.resource_id

    @property
    def code(self) -> int:
        """The gRPC status code the call ended with (0 = OK)."""
        return self._proto.code

    @property
    def message(self) -> str:
        """The status message of a refused or failed call; empty on success, but for
        what a call or the server itself did that is worth keeping (a backup's
        size, what a restore put in place).
        """
        return self._proto.message


class Session(View[sessions_pb2.Session]):
    """A session as stored by the server."""

    __slots__ = ()
    _FIELDS = ('session_id', 'cwd', 'model', 'approval_policy', 'sandbox', 'title', 'state', 'thread_id', 'last_error', 'create_time', 'update_time', 'pending_approvals', 'last_seq', 'runtime_version', 'effort', 'goal', 'codex_settings', 'purged_seq', 'developer_instructions', 'model_provider', 'service_tier', 'preview', )

    @property
    def session_id(self) -> str:
        """Server-assigned id, "ses_" followed by 20 lowercase hex characters."""
        return self._proto.session_id

    @property
    def cwd(self) -> str:
        """Absolute path of the project folder Codex works in."""
        return self._proto.cwd

    @property
    def model(self) -> str:
        """Model name passed to Codex (`thread/start` `model`); empty means the
        default of the Codex configuration.
        """
        return self._proto.model

    @property
    def approval_policy(self) -> str:
        """Codex approval policy: "untrusted", "on-request" or "never"; empty means
        the Codex configuration's default.
        """
        return self._proto.approval_policy

    @property
    def sandbox(self) -> str:
        """Codex sandbox mode: "read-only", "workspace-write" or
        "danger-full-access"; empty means the Codex configuration's default.
        """
        return self._proto.sandbox

    @property
    def title(self) -> str:
        """Free-form title for people; at most 200 characters."""
        return self._proto.title

    @property
    def state(self) -> SessionState:
        return SessionState(self._proto.state)

    @property
    def thread_id(self) -> str:
        """The Codex thread id (from `thread/start`); empty until the first start
        succeeded. ResumeSession continues this thread.
        """
        return self._proto.thread_id

    @property
    def last_error(self) -> str:
        """Why the session last stopped or failed, for people; empty otherwise."""
        return self._proto.last_error

    @property
    def create_time(self) -> datetime.datetime | None:
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def update_time(self) -> datetime.datetime | None:
        return self._proto.update_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("update_time") else None

    @property
    def pending_approvals(self) -> int:
        """Number of approvals of this session still PENDING."""
        return self._proto.pending_approvals

    @property
    def last_seq(self) -> int:
        """`session_seq` of the newest event of this session (0 if none), or of the
        newest a restore lost when none came after them: pass it as `after_seq` to
        StreamEvents to follow only what comes next.
        """
        return self._proto.last_seq

    @property
    def runtime_version(self) -> str:
        """The Codex version its runtime reported when it last started (the version
        in `initialize`'s userAgent), e.g. "0.169.0"; empty until then. One
        outside the range this build was tested with also gets a WARNING event.
        """
        return self._proto.runtime_version

    @property
    def effort(self) -> str:
        """Reasoning effort of its turns ("" = Codex's default); UpdateSession."""
        return self._proto.effort

    @property
    def goal(self) -> SessionGoal:
        """The thread's goal, unset when it has none: what Codex keeps working
        toward, starting turns of its own (Turn.started_by_codex) while it is
        ACTIVE. Set by SetSessionGoal, or by the agent (its create_goal and
        update_goal tools); kept from Codex's `thread/goal/updated` and
        `thread/goal/cleared` (each also a GOAL_UPDATED event).
        """
        return SessionGoal(self._proto.goal)

    @property
    def codex_settings(self) -> CodexSettings:
        """What Codex reports it runs the thread with: the settings above with what
        they leave to Codex's configuration filled in (the model an empty `model`
        means, its provider, ...). From the answer to `thread/start` and
        `thread/resume` each time a runtime starts, and from
        `thread/settings/updated` when a turn changes them (that notification also
        reaches streams as a RAW event); unset until a runtime first started.
        """
        return CodexSettings(self._proto.codex_settings)

    @property
    def purged_seq(self) -> int:
        """`session_seq` of the newest event of this session that
        --retain-archived-days deleted (0 while none is): the session was archived
        longer ago than the server keeps events. Its events through this seq are
        gone, and its turns and approvals lost their text. StreamEvents from
        `after_seq` 0 starts after it; a cursor below it gets OUT_OF_RANGE.
        """
        return self._proto.purged_seq

    @property
    def developer_instructions(self) -> str:
        """Instructions Codex gives the model in this session's thread beside its own
        (CreateSessionRequest.developer_instructions); empty: none given here. A
        fork shows its source's, which its thread carries on; an imported thread
        (ImportThread) keeps whatever it was started with, which Codex does not
        report, and shows none.
        """
        return self._proto.developer_instructions

    @property
    def model_provider(self) -> str:
        """The model provider of the Codex configuration the session asked for
        (CreateSessionRequest.model_provider), e.g. "openai"; an imported thread's
        (ImportThread), a fork's source's; empty: the configuration's default.
        What Codex runs it with is codex_settings.model_provider.
        """
        return self._proto.model_provider

    @property
    def service_tier(self) -> str:
        """Service tier of its turns, e.g. "priority" (Codex's Fast mode) or
        "default" (standard speed); "" = the thread's own (Codex's configuration:
        `service_tier`). UpdateSession.
        """
        return self._proto.service_tier

    @property
    def preview(self) -> str:
        """The start of its first prompt, for lists (as Codex's `thread/list`
        `preview`): the first 200 characters (code points, not bytes) of the first
        turn's prompt that is not empty, as given (line breaks kept); a review's
        "Review: ...", a shell command's "!COMMAND", an imported thread's first
        message. Empty until a turn was started, and after --retain-archived-days
        deleted its turns' text. Read only: kept with the session as that turn is
        stored.
        """
        return self._proto.preview


class CodexSettings(View[sessions_pb2.CodexSettings]):
    """A thread's settings as Codex reports them (Codex ThreadSettings)."""

    __slots__ = ()
    _FIELDS = ('model', 'model_provider', 'effort', 'approval_policy', 'sandbox', 'approvals_reviewer', 'collaboration_mode', 'service_tier', )

    @property
    def model(self) -> str:
        """The model, e.g. "gpt-5.5"."""
        return self._proto.model

    @property
    def model_provider(self) -> str:
        """The model provider's id in the Codex configuration, e.g. "openai"."""
        return self._proto.model_provider

    @property
    def effort(self) -> str:
        """Reasoning effort, e.g. "medium"; "" = the model's default."""
        return self._proto.effort

    @property
    def approval_policy(self) -> str:
        """"untrusted", "on-request", "never", or "granular" (a per-kind policy of
        the Codex configuration).
        """
        return self._proto.approval_policy

    @property
    def sandbox(self) -> str:
        """"read-only", "workspace-write", "danger-full-access" or
        "external-sandbox".
        """
        return self._proto.sandbox

    @property
    def approvals_reviewer(self) -> str:
        """Who decides approval requests: "user", always (a Codex that answers
        another reviewer is stopped; docs/security.md).
        """
        return self._proto.approvals_reviewer

    @property
    def collaboration_mode(self) -> str:
        """"plan" while the thread is in Codex's Plan mode
        (StartTurnRequest.collaboration_mode), "default" after it left it; ""
        while the thread has never been in Plan mode (Codex's default mode,
        whether or not Codex has named it).
        """
        return self._proto.collaboration_mode

    @property
    def service_tier(self) -> str:
        """The service tier, e.g. "default" (standard speed) or "priority" (Codex's
        Fast mode).
        """
        return self._proto.service_tier


class SessionGoal(View[sessions_pb2.SessionGoal]):
    """A thread's goal (Codex ThreadGoal)."""

    __slots__ = ()
    _FIELDS = ('objective', 'status', 'token_budget', 'tokens_used', 'time_used_seconds', 'create_time', 'update_time', )

    @property
    def objective(self) -> str:
        """What Codex works toward, as given; at most 4000 bytes of UTF-8."""
        return self._proto.objective

    @property
    def status(self) -> GoalStatus:
        return GoalStatus(self._proto.status)

    @property
    def token_budget(self) -> int | None:
        """Most tokens the turns toward it may use; unset: no limit."""
        return self._proto.token_budget if self._proto.HasField("token_budget") else None

    @property
    def tokens_used(self) -> int:
        """Tokens its turns used so far."""
        return self._proto.tokens_used

    @property
    def time_used_seconds(self) -> int:
        """Time its turns ran so far, in seconds."""
        return self._proto.time_used_seconds

    @property
    def create_time(self) -> datetime.datetime | None:
        """When it was set, and last changed (Codex's times, second precision)."""
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def update_time(self) -> datetime.datetime | None:
        return self._proto.update_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("update_time") else None


class RevertSessionResponse(View[sessions_pb2.RevertSessionResponse]):
    """The API's RevertSessionResponse message."""

    __slots__ = ()
    _FIELDS = ('session', 'reverted_turn_ids', )

    @property
    def session(self) -> Session:
        """The session after the revert."""
        return Session(self._proto.session)

    @property
    def reverted_turn_ids(self) -> tuple[str, ...]:
        """The turns that left the conversation, oldest first (the named one first);
        each now has Turn.revert_time.
        """
        return tuple(self._proto.reverted_turn_ids)


class BackgroundTerminal(View[sessions_pb2.BackgroundTerminal]):
    """A process the agent started that runs on after its command returned: Codex's
    unified exec lets `exec_command` yield while the process lives on (a dev
    server, a watcher, a REPL). It ends when terminated, when it exits, or with
    the session's runtime (StopSession, a restart, or room made at
    --max-live-sessions; --idle-timeout spares a session while its agent has one
    running). Codex `thread/backgroundTerminals/list` (experimental in Codex
    0.171).
    """

    __slots__ = ()
    _FIELDS = ('process_id', 'item_id', 'command', 'cwd', 'os_pid', 'cpu_percent', 'rss_kib', )

    @property
    def process_id(self) -> str:
        """Codex's id of the process in the thread (not an OS pid); the id
        TerminateBackgroundTerminals takes.
        """
        return self._proto.process_id

    @property
    def item_id(self) -> str:
        """The commandExecution item that started it (Event.item.item_id)."""
        return self._proto.item_id

    @property
    def command(self) -> str:
        """The command as the agent wrote it, at most 4096 bytes."""
        return self._proto.command

    @property
    def cwd(self) -> str:
        """Its working directory, at most 4096 bytes."""
        return self._proto.cwd

    @property
    def os_pid(self) -> int | None:
        """The OS process id, when Codex reports it."""
        return self._proto.os_pid if self._proto.HasField("os_pid") else None

    @property
    def cpu_percent(self) -> float | None:
        """Its CPU use in percent of one core, when Codex reports it."""
        return self._proto.cpu_percent if self._proto.HasField("cpu_percent") else None

    @property
    def rss_kib(self) -> int | None:
        """Its resident memory in KiB, when Codex reports it."""
        return self._proto.rss_kib if self._proto.HasField("rss_kib") else None


class TerminateBackgroundTerminalsResponse(View[sessions_pb2.TerminateBackgroundTerminalsResponse]):
    """The API's TerminateBackgroundTerminalsResponse message."""

    __slots__ = ()
    _FIELDS = ()


class FileMatch(View[sessions_pb2.FileMatch]):
    """A file or directory under a session's cwd (Codex `FuzzyFileSearchResult`)."""

    __slots__ = ()
    _FIELDS = ('path', 'file_name', 'directory', 'score', 'indices', )

    @property
    def path(self) -> str:
        """Relative to the session's cwd, "/"-separated, e.g.
        "server/core/session_manager.cc"; at most 4096 bytes.
        """
        return self._proto.path

    @property
    def file_name(self) -> str:
        """Its last component, e.g. "session_manager.cc"."""
        return self._proto.file_name

    @property
    def directory(self) -> bool:
        """A directory; else a file."""
        return self._proto.directory

    @property
    def score(self) -> int:
        """Codex's ranking score; higher is better."""
        return self._proto.score

    @property
    def indices(self) -> tuple[int, ...]:
        """Where the query's characters matched, as offsets in `path` counted in
        Unicode code points (for highlighting), ascending.
        """
        return tuple(self._proto.indices)


class SearchFilesResponse(View[sessions_pb2.SearchFilesResponse]):
    """The API's SearchFilesResponse message."""

    __slots__ = ()
    _FIELDS = ('files', )

    @property
    def files(self) -> tuple[FileMatch, ...]:
        """Best first, as Codex ranks them."""
        return tuple(FileMatch(m) for m in self._proto.files)


class Skill(View[sessions_pb2.Skill]):
    """A skill Codex offers for work in the session's cwd (Codex `SkillMetadata`). A
    prompt uses it by naming it: `$name` anywhere in the text (as in Codex's TUI);
    Codex then puts its SKILL.md before the prompt. Codex may also choose a skill
    by itself when a task matches its description.
    """

    __slots__ = ()
    _FIELDS = ('name', 'description', 'short_description', 'display_name', 'path', 'scope', 'enabled', )

    @property
    def name(self) -> str:
        """What a prompt mentions, e.g. "repo-helper" for `$repo-helper`; at most 256
        bytes.
        """
        return self._proto.name

    @property
    def description(self) -> str:
        """From its SKILL.md's front matter; at most about 2 KiB (cut, marked with
        "…").
        """
        return self._proto.description

    @property
    def short_description(self) -> str:
        """A shorter description for lists (Codex `interface.shortDescription`); may
        be empty; at most about 256 bytes (cut, as description is), as
        display_name and scope are.
        """
        return self._proto.short_description

    @property
    def display_name(self) -> str:
        """Codex `interface.displayName`, e.g. "Skill Creator"; may be empty."""
        return self._proto.display_name

    @property
    def path(self) -> str:
        """Its SKILL.md, an absolute path on the server's machine."""
        return self._proto.path

    @property
    def scope(self) -> str:
        """Where it comes from: "repo" (the cwd's repository: `.agents/skills/`,
        `.codex/skills/`), "user" (CODEX_HOME's `skills/`), "system" (shipped with
        Codex) or "admin".
        """
        return self._proto.scope

    @property
    def enabled(self) -> bool:
        """False when Codex's config disables it: a mention of it does nothing."""
        return self._proto.enabled


class SkillError(View[sessions_pb2.SkillError]):
    """A SKILL.md Codex could not load (e.g. its front matter lacks a field)."""

    __slots__ = ()
    _FIELDS = ('path', 'message', )

    @property
    def path(self) -> str:
        return self._proto.path

    @property
    def message(self) -> str:
        return self._proto.message


class McpTool(View[sessions_pb2.McpTool]):
    """A tool an MCP server offers (MCP `Tool`); the agent calls it as an
    `mcpToolCall` item.
    """

    __slots__ = ()
    _FIELDS = ('name', 'title', 'description', )

    @property
    def name(self) -> str:
        return self._proto.name

    @property
    def title(self) -> str:
        """May be empty."""
        return self._proto.title

    @property
    def description(self) -> str:
        """At most about 1 KiB (cut, marked with "…"); may be empty."""
        return self._proto.description


class McpServer(View[sessions_pb2.McpServer]):
    """An MCP server of Codex's config (`[mcp_servers.NAME]`, the user's or a trusted
    project's), as the session's Codex sees it (Codex `McpServerStatus`). Text is
    valid UTF-8, cut (marked with "…"): the error and the origin at about 1 KiB,
    the rest (names, statuses, the title, the version) at about 256 bytes.
    """

    __slots__ = ()
    _FIELDS = ('name', 'connection', 'auth_status', 'title', 'version', 'error', 'http_origin', 'tools', )

    @property
    def name(self) -> str:
        """Its name in Codex's config."""
        return self._proto.name

    @property
    def connection(self) -> str:
        """The session's connection to it while the session is live (Codex
        `runtimeStatus`): "connected", "starting", "failed",
        "authenticationRequired", "disabled", "notStarted" or "cancelled". Empty
        when the session is not live: Codex then starts each enabled server for
        the call, to list its tools.
        """
        return self._proto.connection

    @property
    def auth_status(self) -> str:
        """Its sign-in (Codex `authStatus`): "unsupported" (a stdio server),
        "notLoggedIn", "bearerToken", "oAuth" or "unknown".
        """
        return self._proto.auth_status

    @property
    def title(self) -> str:
        """What the server says it is (MCP `serverInfo`): its title (else its name)
        and version; empty when it did not start.
        """
        return self._proto.title

    @property
    def version(self) -> str:
        return self._proto.version

    @property
    def error(self) -> str:
        """Why Codex could not list its tools, e.g. "MCP startup failed: No such file
        or directory (os error 2)"; empty otherwise.
        """
        return self._proto.error

    @property
    def http_origin(self) -> str:
        """An HTTP server's endpoint origin (no credentials, path or query); empty
        for a stdio server.
        """
        return self._proto.http_origin

    @property
    def tools(self) -> tuple[McpTool, ...]:
        """By name; at most 1,000 over all the servers listed."""
        return tuple(McpTool(m) for m in self._proto.tools)


class TranscriptChunk(View[sessions_pb2.TranscriptChunk]):
    """One piece of an exported transcript; the `data` of all chunks, in order, is
    the file.
    """

    __slots__ = ()
    _FIELDS = ('data', 'content_type', 'file_name', )

    @property
    def data(self) -> bytes:
        """UTF-8 text, at most 64 KiB per chunk."""
        return self._proto.data

    @property
    def content_type(self) -> str:
        """First chunk only: the media type ("application/x-ndjson" or
        "text/markdown; charset=utf-8") and a file name for it ("<session
        id>.jsonl" or "<session id>.md").
        """
        return self._proto.content_type

    @property
    def file_name(self) -> str:
        return self._proto.file_name


class Turn(View[turns_pb2.Turn]):
    """The API's Turn message."""

    __slots__ = ()
    _FIELDS = ('turn_id', 'session_id', 'prompt', 'state', 'codex_turn_id', 'error', 'create_time', 'start_time', 'end_time', 'final_message', 'revert_time', 'started_by_codex', )

    @property
    def turn_id(self) -> str:
        """Server-assigned id, "turn_" followed by 20 lowercase hex characters."""
        return self._proto.turn_id

    @property
    def session_id(self) -> str:
        return self._proto.session_id

    @property
    def prompt(self) -> str:
        """The prompt text as sent; empty once --retain-archived-days deleted the
        session's events (so is final_message).
        """
        return self._proto.prompt

    @property
    def state(self) -> TurnState:
        return TurnState(self._proto.state)

    @property
    def codex_turn_id(self) -> str:
        """Codex's own turn id (UUIDv7) once `turn/start` answered; empty before."""
        return self._proto.codex_turn_id

    @property
    def error(self) -> str:
        """Why the turn failed or was interrupted; empty otherwise."""
        return self._proto.error

    @property
    def create_time(self) -> datetime.datetime | None:
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def start_time(self) -> datetime.datetime | None:
        """When the turn went RUNNING; unset before."""
        return self._proto.start_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("start_time") else None

    @property
    def end_time(self) -> datetime.datetime | None:
        """When the turn reached a final state; unset before."""
        return self._proto.end_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("end_time") else None

    @property
    def final_message(self) -> str:
        """The agent's last message text once COMPLETED (from the final
        `agentMessage` item); empty otherwise.
        """
        return self._proto.final_message

    @property
    def revert_time(self) -> datetime.datetime | None:
        """When SessionService.RevertSession took the turn out of the conversation
        (Codex no longer sees it; its events stay in the log); unset for a turn
        that was not reverted.
        """
        return self._proto.revert_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("revert_time") else None

    @property
    def started_by_codex(self) -> bool:
        """Codex started this turn by itself, not a StartTurn: it sends
        `turn/started` for a turn no client asked for when it goes on toward the
        thread's goal (Codex's `thread/goal/*`; the agent's create_goal tool sets
        one when a user asks it to keep working until something is done). Such a
        turn has no prompt and starts RUNNING; it streams, asks for approvals and
        is interrupted like any other, and a StartTurn meanwhile waits QUEUED
        behind it.
        """
        return self._proto.started_by_codex


class ImageUpload(View[turns_pb2.ImageUpload]):
    """The API's ImageUpload message."""

    __slots__ = ()
    _FIELDS = ('media_type', 'data', )

    @property
    def media_type(self) -> str:
        """"image/png", "image/jpeg", "image/gif" or "image/webp"."""
        return self._proto.media_type

    @property
    def data(self) -> bytes:
        """The image, at most 10 MiB."""
        return self._proto.data


class ReviewTarget(View[turns_pb2.ReviewTarget]):
    """What a review looks at (Codex `ReviewTarget`)."""

    __slots__ = ()
    _FIELDS = ('uncommitted_changes', 'base_branch', 'commit', 'custom_instructions', 'commit_title', )

    @property
    def uncommitted_changes(self) -> bool:
        """The working tree: staged, unstaged and untracked changes (must be true)."""
        return self._proto.uncommitted_changes

    @property
    def base_branch(self) -> str:
        """The changes between the current branch and this base branch."""
        return self._proto.base_branch

    @property
    def commit(self) -> str:
        """The changes of one commit (its sha)."""
        return self._proto.commit

    @property
    def custom_instructions(self) -> str:
        """Free-form review instructions."""
        return self._proto.custom_instructions

    @property
    def commit_title(self) -> str:
        """`commit` only: a label for it (e.g. its subject), for display."""
        return self._proto.commit_title

    @property
    def target_case(self) -> str | None:
        """Which field of `target` is set, or None."""
        return self._proto.WhichOneof("target")

    @property
    def target(self) -> bool | str | None:
        """The field of `target` that is set, or None."""
        case = self.target_case
        return None if case is None else getattr(self, case)  # type: ignore[no-any-return]


class SessionStateChanged(View[events_pb2.SessionStateChanged]):
    """The API's SessionStateChanged message."""

    __slots__ = ()
    _FIELDS = ('state', 'error', 'thread_id', )

    @property
    def state(self) -> SessionState:
        return SessionState(self._proto.state)

    @property
    def error(self) -> str:
        """Why, when the session stopped or failed."""
        return self._proto.error

    @property
    def thread_id(self) -> str:
        """The Codex thread id, once known."""
        return self._proto.thread_id


class GoalUpdated(View[events_pb2.GoalUpdated]):
    """The thread's goal after a change (Session.goal)."""

    __slots__ = ()
    _FIELDS = ('goal', )

    @property
    def goal(self) -> SessionGoal:
        """Unset: the goal was cleared."""
        return SessionGoal(self._proto.goal)


class SessionUpdated(View[events_pb2.SessionUpdated]):
    """What UpdateSession changed, committed with the session's row (an UpdateSession
    that changes nothing has no event).
    """

    __slots__ = ()
    _FIELDS = ('changed_fields', 'title', 'model', 'effort', 'approval_policy', 'sandbox', 'service_tier', )

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The fields whose value changed, as named in UpdateSessionRequest ("title",
        "model", "effort", "approval_policy", "sandbox", "service_tier"), in that
        order.
        """
        return tuple(self._proto.changed_fields)

    @property
    def title(self) -> str:
        """The session's settings after the change, all of them (as in Session)."""
        return self._proto.title

    @property
    def model(self) -> str:
        return self._proto.model

    @property
    def effort(self) -> str:
        return self._proto.effort

    @property
    def approval_policy(self) -> str:
        return self._proto.approval_policy

    @property
    def sandbox(self) -> str:
        return self._proto.sandbox

    @property
    def service_tier(self) -> str:
        return self._proto.service_tier


class SessionReverted(View[events_pb2.SessionReverted]):
    """What RevertSession took out of the conversation (Codex `thread/revert`)."""

    __slots__ = ()
    _FIELDS = ('before_turn_id', 'reverted_turn_ids', )

    @property
    def before_turn_id(self) -> str:
        """The turn named by the call: it and every turn after it were reverted."""
        return self._proto.before_turn_id

    @property
    def reverted_turn_ids(self) -> tuple[str, ...]:
        """Every turn reverted, oldest first (before_turn_id first)."""
        return tuple(self._proto.reverted_turn_ids)


class TurnStateChanged(View[events_pb2.TurnStateChanged]):
    """The API's TurnStateChanged message."""

    __slots__ = ()
    _FIELDS = ('turn_id', 'state', 'error', 'prompt', 'final_message', 'codex_turn_id', 'started_by_codex', )

    @property
    def turn_id(self) -> str:
        return self._proto.turn_id

    @property
    def state(self) -> TurnState:
        return TurnState(self._proto.state)

    @property
    def error(self) -> str:
        """Why, when FAILED or INTERRUPTED."""
        return self._proto.error

    @property
    def prompt(self) -> str:
        """The prompt (set on QUEUED)."""
        return self._proto.prompt

    @property
    def final_message(self) -> str:
        """The agent's last message (set on COMPLETED)."""
        return self._proto.final_message

    @property
    def codex_turn_id(self) -> str:
        return self._proto.codex_turn_id

    @property
    def started_by_codex(self) -> bool:
        """Codex started the turn by itself (Turn.started_by_codex); set on each of
        its events, the first of which is RUNNING (no QUEUED before it).
        """
        return self._proto.started_by_codex


class Item(View[events_pb2.Item]):
    """A Codex thread item (`ThreadItem` of the app-server protocol), with the fields
    clients render most lifted out of `item_json`.
    """

    __slots__ = ()
    _FIELDS = ('item_id', 'item_type', 'status', 'text', 'command', 'cwd', 'exit_code', 'aggregated_output', 'diff', 'item_json', 'moderation', 'tool', 'mcp_server', 'arguments', 'tool_output', 'error', 'duration_ms', 'command_source', )

    @property
    def item_id(self) -> str:
        return self._proto.item_id

    @property
    def item_type(self) -> str:
        """Codex item type: "userMessage", "agentMessage", "reasoning",
        "commandExecution", "fileChange", "mcpToolCall", "webSearch",
        "hookPrompt", ...
        """
        return self._proto.item_type

    @property
    def status(self) -> str:
        """"inProgress", "completed", "failed", "declined" when the item has one."""
        return self._proto.status

    @property
    def text(self) -> str:
        """agentMessage / userMessage text; hookPrompt: the prompt a hook gave the
        agent (e.g. a Stop hook that asked it to go on); reasoning summary text; a
        review's target (enteredReviewMode) or its findings (exitedReviewMode);
        webSearch: what was searched (its query, else the page opened or searched
        in); imageView: the image's path; imageGeneration: where the generated
        image was saved (an absolute path on the server's machine; empty when none
        was made).
        """
        return self._proto.text

    @property
    def command(self) -> str:
        """commandExecution: the command line."""
        return self._proto.command

    @property
    def cwd(self) -> str:
        """commandExecution: its working directory."""
        return self._proto.cwd

    @property
    def exit_code(self) -> int | None:
        """commandExecution: exit code once finished."""
        return self._proto.exit_code if self._proto.HasField("exit_code") else None

    @property
    def aggregated_output(self) -> str:
        """commandExecution: all output once finished."""
        return self._proto.aggregated_output

    @property
    def diff(self) -> str:
        """fileChange: the changes as a unified diff."""
        return self._proto.diff

    @property
    def item_json(self) -> str:
        """The whole item as Codex sent it (JSON object text)."""
        return self._proto.item_json

    @property
    def moderation(self) -> str:
        """agentMessage: how Codex says to present it (its `moderation.display`
        mode): "" or "show" as is; "hide" and "block" mean `text` (and
        `item_json`'s text) was replaced by codex-manager with a short note saying
        so, as Codex asks. Deltas streamed before the item completed may still
        carry the original: clients show the completed item's text.
        """
        return self._proto.moderation

    @property
    def tool(self) -> str:
        """mcpToolCall: the tool called and the MCP server that offers it."""
        return self._proto.tool

    @property
    def mcp_server(self) -> str:
        return self._proto.mcp_server

    @property
    def arguments(self) -> str:
        """mcpToolCall: the arguments, as JSON text."""
        return self._proto.arguments

    @property
    def tool_output(self) -> str:
        """mcpToolCall, once finished: what the tool returned, its text content parts
        one after the other (a part of another kind as "[image]", "[resource]",
        …).
        """
        return self._proto.tool_output

    @property
    def error(self) -> str:
        """mcpToolCall: why the call failed (Codex's `error.message`);
        imageGeneration: why no image was made (the kind of Codex's `failure`,
        e.g. "usageLimitExceeded").
        """
        return self._proto.error

    @property
    def duration_ms(self) -> int | None:
        """commandExecution, mcpToolCall: how long it ran, in milliseconds, once
        finished; sleep (Codex's clock.sleep tool): how long the agent waited.
        """
        return self._proto.duration_ms if self._proto.HasField("duration_ms") else None

    @property
    def command_source(self) -> str:
        """commandExecution: who ran it (Codex's `source`): "agent", "userShell" (a
        person, RunShellCommand or the TUI's `!`), "unifiedExecStartup",
        "unifiedExecInteraction"; "" when Codex did not say.
        """
        return self._proto.command_source


class ItemDelta(View[events_pb2.ItemDelta]):
    """The API's ItemDelta message."""

    __slots__ = ()
    _FIELDS = ('item_id', 'text', 'method', )

    @property
    def item_id(self) -> str:
        return self._proto.item_id

    @property
    def text(self) -> str:
        """The next piece of text (agent text, command output bytes decoded as UTF-8,
        reasoning text).
        """
        return self._proto.text

    @property
    def method(self) -> str:
        """The Codex notification method it came from, e.g.
        "item/reasoning/summaryTextDelta".
        """
        return self._proto.method


class ApprovalRequested(View[events_pb2.ApprovalRequested]):
    """The API's ApprovalRequested message."""

    __slots__ = ()
    _FIELDS = ('approval', )

    @property
    def approval(self) -> Approval:
        return Approval(self._proto.approval)


class ApprovalResolved(View[events_pb2.ApprovalResolved]):
    """The API's ApprovalResolved message."""

    __slots__ = ()
    _FIELDS = ('approval_id', 'state', 'decision', )

    @property
    def approval_id(self) -> str:
        return self._proto.approval_id

    @property
    def state(self) -> ApprovalState:
        return ApprovalState(self._proto.state)

    @property
    def decision(self) -> Decision:
        return Decision(self._proto.decision)


class TokenUsage(View[events_pb2.TokenUsage]):
    """Token counts of `thread/tokenUsage/updated`."""

    __slots__ = ()
    _FIELDS = ('total_tokens', 'input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_output_tokens', 'last_total_tokens', )

    @property
    def total_tokens(self) -> int:
        """Totals for the whole thread."""
        return self._proto.total_tokens

    @property
    def input_tokens(self) -> int:
        return self._proto.input_tokens

    @property
    def cached_input_tokens(self) -> int:
        return self._proto.cached_input_tokens

    @property
    def output_tokens(self) -> int:
        return self._proto.output_tokens

    @property
    def reasoning_output_tokens(self) -> int:
        return self._proto.reasoning_output_tokens

    @property
    def last_total_tokens(self) -> int:
        """Of the last model call only."""
        return self._proto.last_total_tokens


class Notice(View[events_pb2.Notice]):
    """The API's Notice message."""

    __slots__ = ()
    _FIELDS = ('message', 'details', 'codex_error_info', 'will_retry', )

    @property
    def message(self) -> str:
        return self._proto.message

    @property
    def details(self) -> str:
        """Extra detail when Codex gave it (JSON text or plain text)."""
        return self._proto.details

    @property
    def codex_error_info(self) -> str:
        """ERROR from Codex: its `codexErrorInfo`, the kind of failure
        ("contextWindowExceeded", "usageLimitExceeded", "serverOverloaded", …;
        JSON text for the kinds that carry data), when it gave one.
        """
        return self._proto.codex_error_info

    @property
    def will_retry(self) -> bool:
        """ERROR from Codex: it retries by itself (`willRetry`); the turn goes on."""
        return self._proto.will_retry


class Plan(View[events_pb2.Plan]):
    """The agent's plan (`turn/plan/updated`)."""

    __slots__ = ()
    _FIELDS = ('explanation', 'steps', )

    @property
    def explanation(self) -> str:
        """Why the plan changed, when Codex said."""
        return self._proto.explanation

    @property
    def steps(self) -> tuple[PlanStep, ...]:
        return tuple(PlanStep(m) for m in self._proto.steps)


class PlanStep(View[events_pb2.PlanStep]):
    """The API's PlanStep message."""

    __slots__ = ()
    _FIELDS = ('step', 'status', )

    @property
    def step(self) -> str:
        return self._proto.step

    @property
    def status(self) -> str:
        """"pending", "inProgress" or "completed"."""
        return self._proto.status


class TurnDiff(View[events_pb2.TurnDiff]):
    """The API's TurnDiff message."""

    __slots__ = ()
    _FIELDS = ('diff', )

    @property
    def diff(self) -> str:
        """Unified diff of every file the turn changed so far."""
        return self._proto.diff


class ThreadStatus(View[events_pb2.ThreadStatus]):
    """The API's ThreadStatus message."""

    __slots__ = ()
    _FIELDS = ('status', 'active_flags', )

    @property
    def status(self) -> str:
        """"idle", "active", "notLoaded" or "systemError"."""
        return self._proto.status

    @property
    def active_flags(self) -> tuple[str, ...]:
        """While active: "waitingOnApproval", "waitingOnUserInput"."""
        return tuple(self._proto.active_flags)


class ModelRerouted(View[events_pb2.ModelRerouted]):
    """The API's ModelRerouted message."""

    __slots__ = ()
    _FIELDS = ('from_model', 'to_model', 'reason', )

    @property
    def from_model(self) -> str:
        return self._proto.from_model

    @property
    def to_model(self) -> str:
        return self._proto.to_model

    @property
    def reason(self) -> str:
        """Codex's reason, e.g. "highRiskCyberActivity"."""
        return self._proto.reason


class RateLimitWindow(View[events_pb2.RateLimitWindow]):
    """One usage window of the account's rate limits."""

    __slots__ = ()
    _FIELDS = ('used_percent', 'window_minutes', 'resets_at', )

    @property
    def used_percent(self) -> int:
        """0..100."""
        return self._proto.used_percent

    @property
    def window_minutes(self) -> int:
        """The window's length in minutes (0: unknown)."""
        return self._proto.window_minutes

    @property
    def resets_at(self) -> datetime.datetime | None:
        """When the window resets (unset: unknown)."""
        return self._proto.resets_at.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("resets_at") else None


class RateLimits(View[events_pb2.RateLimits]):
    """`account/rateLimits/updated`. Sparse: an unset window or empty string means
    "not in this update", not "none".
    """

    __slots__ = ()
    _FIELDS = ('primary', 'secondary', 'plan_type', 'limit_name', )

    @property
    def primary(self) -> RateLimitWindow:
        return RateLimitWindow(self._proto.primary)

    @property
    def secondary(self) -> RateLimitWindow:
        return RateLimitWindow(self._proto.secondary)

    @property
    def plan_type(self) -> str:
        """The ChatGPT plan, e.g. "plus", "pro"."""
        return self._proto.plan_type

    @property
    def limit_name(self) -> str:
        return self._proto.limit_name


class McpServerStatus(View[events_pb2.McpServerStatus]):
    """`mcpServer/startupStatus/updated`."""

    __slots__ = ()
    _FIELDS = ('name', 'status', 'error', )

    @property
    def name(self) -> str:
        return self._proto.name

    @property
    def status(self) -> str:
        """"starting", "ready", "failed" or "cancelled"."""
        return self._proto.status

    @property
    def error(self) -> str:
        """Why it failed, when it did."""
        return self._proto.error


class TerminalInput(View[events_pb2.TerminalInput]):
    """What the agent wrote to a running command's stdin
    (`TerminalInteractionNotification`).
    """

    __slots__ = ()
    _FIELDS = ('item_id', 'process_id', 'stdin', )

    @property
    def item_id(self) -> str:
        """The commandExecution item of the command (Item.item_id)."""
        return self._proto.item_id

    @property
    def process_id(self) -> str:
        """Codex's id of its process (BackgroundTerminal.process_id)."""
        return self._proto.process_id

    @property
    def stdin(self) -> str:
        """What was written, as UTF-8 text; often ends in "\\n"."""
        return self._proto.stdin


class HookRun(View[events_pb2.HookRun]):
    """One run of a Codex hook (`HookRunSummary` of the app-server protocol)."""

    __slots__ = ()
    _FIELDS = ('run_id', 'event_name', 'status', 'status_message', 'entries', 'handler_type', 'execution_mode', 'scope', 'source', 'source_path', 'duration_ms', )

    @property
    def run_id(self) -> str:
        """Codex's id of the run. The started and the completed event of one run
        share it; a hook that runs on every turn may reuse it in later turns.
        """
        return self._proto.run_id

    @property
    def event_name(self) -> str:
        """When it runs: "preToolUse", "permissionRequest", "postToolUse",
        "userPromptSubmit", "stop", "sessionStart", "preCompact", … (Codex's
        `HookEventName`).
        """
        return self._proto.event_name

    @property
    def status(self) -> str:
        """"running" (hook/started), then "completed", "failed", "blocked" (it
        refused what it was asked about) or "stopped" (it ended the turn).
        """
        return self._proto.status

    @property
    def status_message(self) -> str:
        """The hook's own status line from its config (`statusMessage`), if any."""
        return self._proto.status_message

    @property
    def entries(self) -> tuple[HookOutputEntry, ...]:
        """What the hook said, in order."""
        return tuple(HookOutputEntry(m) for m in self._proto.entries)

    @property
    def handler_type(self) -> str:
        """"command", "mcpTool", "prompt" or "agent"."""
        return self._proto.handler_type

    @property
    def execution_mode(self) -> str:
        """"sync" or "async"."""
        return self._proto.execution_mode

    @property
    def scope(self) -> str:
        """"turn" or "thread"."""
        return self._proto.scope

    @property
    def source(self) -> str:
        """Which config layer it came from: "user", "project", "system", "plugin", …
        (Codex's `HookSource`).
        """
        return self._proto.source

    @property
    def source_path(self) -> str:
        """The file that configures it."""
        return self._proto.source_path

    @property
    def duration_ms(self) -> int | None:
        """How long it ran, in milliseconds (set once it ended)."""
        return self._proto.duration_ms if self._proto.HasField("duration_ms") else None


class HookOutputEntry(View[events_pb2.HookOutputEntry]):
    """The API's HookOutputEntry message."""

    __slots__ = ()
    _FIELDS = ('kind', 'text', )

    @property
    def kind(self) -> str:
        """"warning", "stop", "feedback", "context" or "error"."""
        return self._proto.kind

    @property
    def text(self) -> str:
        return self._proto.text


class RawNotification(View[events_pb2.RawNotification]):
    """The API's RawNotification message."""

    __slots__ = ()
    _FIELDS = ('method', 'params_json', )

    @property
    def method(self) -> str:
        """The JSON-RPC method, e.g. "turn/plan/updated"."""
        return self._proto.method

    @property
    def params_json(self) -> str:
        """The params object as JSON text."""
        return self._proto.params_json


class Event(View[events_pb2.Event]):
    """The API's Event message."""

    __slots__ = ()
    _FIELDS = ('event_id', 'session_id', 'session_seq', 'type', 'create_time', 'turn_id', 'redelivered', 'original_payload_bytes', 'sub_agent', 'session_state_changed', 'turn_state_changed', 'item', 'delta', 'approval_requested', 'approval_resolved', 'token_usage', 'notice', 'raw', 'plan', 'turn_diff', 'thread_status', 'model_rerouted', 'rate_limits', 'mcp_server_status', 'session_updated', 'hook_run', 'terminal_input', 'session_reverted', 'goal_updated', 'codex_settings', )

    @property
    def event_id(self) -> int:
        """Global cursor: strictly increasing across all sessions, starts at 1."""
        return self._proto.event_id

    @property
    def session_id(self) -> str:
        return self._proto.session_id

    @property
    def session_seq(self) -> int:
        """Per-session cursor: gapless from 1 within the session, but where a restore
        from a backup lost events (docs/operations.md): the seqs the replaced
        database gave after the backup's are skipped, never reused.
        """
        return self._proto.session_seq

    @property
    def type(self) -> EventType:
        return EventType(self._proto.type)

    @property
    def create_time(self) -> datetime.datetime | None:
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def turn_id(self) -> str:
        """The turn this event belongs to; empty for session-level events."""
        return self._proto.turn_id

    @property
    def redelivered(self) -> bool:
        """True only for copies of an earlier APPROVAL_REQUESTED event, sent first on
        a new stream for approvals still PENDING whose request is at or before the
        stream's cursor (so a person always sees them). A redelivered event keeps
        its original ids and does not move the cursor.
        """
        return self._proto.redelivered

    @property
    def original_payload_bytes(self) -> int:
        """Non-zero when the payload Codex sent was larger than the server stores
        (--max-message-bytes less 64 KiB): its size in bytes of JSON. The
        payload's longest strings were then shortened (ending in "…") so the event
        fits in one gRPC message.
        """
        return self._proto.original_payload_bytes

    @property
    def sub_agent(self) -> SubAgent:
        """Set when the event is a sub-agent's, not the session's agent's: Codex's
        multi-agent tools (spawn_agent; its `multi_agent_v2` feature) run helper
        agents in threads of their own, whose notifications name that thread
        (`threadId`). Its items, deltas, errors, warnings and approval requests
        carry the turn that runs (whose agent spawned or waits on it); its turns,
        thread status, token usage, settings and goal are its thread's, and arrive
        as RAW events (the method and params as Codex sent them), changing nothing
        of the session. The session's agent says when a sub-agent starts and ends
        with `subAgentActivity` items (Item.item_json: agentPath, agentThreadId,
        kind, model).
        """
        return SubAgent(self._proto.sub_agent)

    @property
    def session_state_changed(self) -> SessionStateChanged:
        return SessionStateChanged(self._proto.session_state_changed)

    @property
    def turn_state_changed(self) -> TurnStateChanged:
        return TurnStateChanged(self._proto.turn_state_changed)

    @property
    def item(self) -> Item:
        return Item(self._proto.item)

    @property
    def delta(self) -> ItemDelta:
        return ItemDelta(self._proto.delta)

    @property
    def approval_requested(self) -> ApprovalRequested:
        return ApprovalRequested(self._proto.approval_requested)

    @property
    def approval_resolved(self) -> ApprovalResolved:
        return ApprovalResolved(self._proto.approval_resolved)

    @property
    def token_usage(self) -> TokenUsage:
        return TokenUsage(self._proto.token_usage)

    @property
    def notice(self) -> Notice:
        return Notice(self._proto.notice)

    @property
    def raw(self) -> RawNotification:
        return RawNotification(self._proto.raw)

    @property
    def plan(self) -> Plan:
        return Plan(self._proto.plan)

    @property
    def turn_diff(self) -> TurnDiff:
        return TurnDiff(self._proto.turn_diff)

    @property
    def thread_status(self) -> ThreadStatus:
        return ThreadStatus(self._proto.thread_status)

    @property
    def model_rerouted(self) -> ModelRerouted:
        return ModelRerouted(self._proto.model_rerouted)

    @property
    def rate_limits(self) -> RateLimits:
        return RateLimits(self._proto.rate_limits)

    @property
    def mcp_server_status(self) -> McpServerStatus:
        return McpServerStatus(self._proto.mcp_server_status)

    @property
    def session_updated(self) -> SessionUpdated:
        return SessionUpdated(self._proto.session_updated)

    @property
    def hook_run(self) -> HookRun:
        return HookRun(self._proto.hook_run)

    @property
    def terminal_input(self) -> TerminalInput:
        return TerminalInput(self._proto.terminal_input)

    @property
    def session_reverted(self) -> SessionReverted:
        return SessionReverted(self._proto.session_reverted)

    @property
    def goal_updated(self) -> GoalUpdated:
        return GoalUpdated(self._proto.goal_updated)

    @property
    def codex_settings(self) -> CodexSettings:
        return CodexSettings(self._proto.codex_settings)

    @property
    def payload_case(self) -> str | None:
        """Which field of `payload` is set, or None."""
        return self._proto.WhichOneof("payload")

    @property
    def payload(self) -> ApprovalRequested | ApprovalResolved | CodexSettings | GoalUpdated | HookRun | Item | ItemDelta | McpServerStatus | ModelRerouted | Notice | Plan | RateLimits | RawNotification | SessionReverted | SessionStateChanged | SessionUpdated | TerminalInput | ThreadStatus | TokenUsage | TurnDiff | TurnStateChanged | None:
        """The field of `payload` that is set, or None."""
        case = self.payload_case
        return None if case is None else getattr(self, case)  # type: ignore[no-any-return]


class EventBatch(View[events_pb2.EventBatch]):
    """Consecutive events of one stream, in stream order (StreamEventBatches)."""

    __slots__ = ()
    _FIELDS = ('events', )

    @property
    def events(self) -> tuple[Event, ...]:
        """Never empty."""
        return tuple(Event(m) for m in self._proto.events)


class ModelProvider(View[codex_pb2.ModelProvider]):
    """One model provider of the Codex configuration (Codex `modelProvider/list`):
    built in ("openai") or a `[model_providers.ID]` table of config.toml.
    """

    __slots__ = ()
    _FIELDS = ('id', 'name', 'is_default', )

    @property
    def id(self) -> str:
        """What to pass as `model_provider` (CreateSession, ListModels)."""
        return self._proto.id

    @property
    def name(self) -> str:
        """Its name for people, e.g. "OpenAI"."""
        return self._proto.name

    @property
    def is_default(self) -> bool:
        """The configuration's default (`model_provider`)."""
        return self._proto.is_default


class Model(View[codex_pb2.Model]):
    """One model of Codex `model/list`."""

    __slots__ = ()
    _FIELDS = ('model', 'display_name', 'description', 'is_default', 'hidden', 'supported_efforts', 'default_effort', 'input_modalities', 'service_tiers', 'default_service_tier', 'configured', )

    @property
    def model(self) -> str:
        """What to pass as `model` (CreateSession, StartTurn, UpdateSession)."""
        return self._proto.model

    @property
    def display_name(self) -> str:
        return self._proto.display_name

    @property
    def description(self) -> str:
        return self._proto.description

    @property
    def is_default(self) -> bool:
        """Codex's default model."""
        return self._proto.is_default

    @property
    def hidden(self) -> bool:
        """Hidden from Codex's default picker (listed with include_hidden only)."""
        return self._proto.hidden

    @property
    def supported_efforts(self) -> tuple[str, ...]:
        """The reasoning efforts it takes ("low", "medium", "high", ...), and the one
        it uses when none is set.
        """
        return tuple(self._proto.supported_efforts)

    @property
    def default_effort(self) -> str:
        return self._proto.default_effort

    @property
    def input_modalities(self) -> tuple[str, ...]:
        """"text", "image"."""
        return tuple(self._proto.input_modalities)

    @property
    def service_tiers(self) -> tuple[ServiceTier, ...]:
        """The service tiers it offers beside standard speed (Codex `serviceTiers`),
        e.g. {id: "priority", name: "Fast", description: "1.5x speed, increased
        usage"}, and the one it uses when none is set ("" = standard).
        """
        return tuple(ServiceTier(m) for m in self._proto.service_tiers)

    @property
    def default_service_tier(self) -> str:
        return self._proto.default_service_tier

    @property
    def configured(self) -> bool:
        """The model Codex's configuration names (`model` in its config.toml, as
        Codex `config/read` reads it, for the provider listed): the one a session
        that names no model runs. At most one model is; none when the
        configuration names no model (then the `is_default` one runs) or one Codex
        does not list. `is_default` is Codex's own default, which the
        configuration may override.
        """
        return self._proto.configured


class ServiceTier(View[codex_pb2.ServiceTier]):
    """A service tier of a model (Codex `ModelServiceTier`)."""

    __slots__ = ()
    _FIELDS = ('id', 'name', 'description', )

    @property
    def id(self) -> str:
        """What to pass as `service_tier` (StartTurn, UpdateSession)."""
        return self._proto.id

    @property
    def name(self) -> str:
        """For people, e.g. "Fast"."""
        return self._proto.name

    @property
    def description(self) -> str:
        return self._proto.description


class Account(View[codex_pb2.Account]):
    """Codex `account/read` and `account/rateLimits/read`."""

    __slots__ = ()
    _FIELDS = ('type', 'email', 'plan_type', 'requires_openai_auth', 'rate_limits', 'rate_limits_error', )

    @property
    def type(self) -> str:
        """"apiKey", "chatgpt", or "" when Codex is not signed in."""
        return self._proto.type

    @property
    def email(self) -> str:
        """ChatGPT accounts: the email and plan ("plus", "pro", ...)."""
        return self._proto.email

    @property
    def plan_type(self) -> str:
        return self._proto.plan_type

    @property
    def requires_openai_auth(self) -> bool:
        """The configured model provider needs an OpenAI sign-in."""
        return self._proto.requires_openai_auth

    @property
    def rate_limits(self) -> RateLimits:
        """The account's rate limits; unset when Codex could not read them, and
        `rate_limits_error` says why (e.g. not signed in with ChatGPT).
        """
        return RateLimits(self._proto.rate_limits)

    @property
    def rate_limits_error(self) -> str:
        return self._proto.rate_limits_error


class CodexThread(View[codex_pb2.CodexThread]):
    """A Codex thread stored under the server's CODEX_HOME (`thread/list`)."""

    __slots__ = ()
    _FIELDS = ('thread_id', 'name', 'preview', 'cwd', 'source', 'model_provider', 'model', 'forked_from_thread_id', 'create_time', 'update_time', 'session_id', )

    @property
    def thread_id(self) -> str:
        """Codex's thread id (UUIDv7): ImportThread takes it."""
        return self._proto.thread_id

    @property
    def name(self) -> str:
        """The thread's name, when it has one, and the start of its first prompt."""
        return self._proto.name

    @property
    def preview(self) -> str:
        return self._proto.preview

    @property
    def cwd(self) -> str:
        return self._proto.cwd

    @property
    def source(self) -> str:
        """Who made it: "cli", "vscode", "exec", "appServer"."""
        return self._proto.source

    @property
    def model_provider(self) -> str:
        return self._proto.model_provider

    @property
    def model(self) -> str:
        return self._proto.model

    @property
    def forked_from_thread_id(self) -> str:
        """The thread it was forked from, if any."""
        return self._proto.forked_from_thread_id

    @property
    def create_time(self) -> datetime.datetime | None:
        return self._proto.create_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("create_time") else None

    @property
    def update_time(self) -> datetime.datetime | None:
        return self._proto.update_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("update_time") else None

    @property
    def session_id(self) -> str:
        """The session of this server on this thread, when there is one (a thread is
        imported once).
        """
        return self._proto.session_id


class CodexHook(View[codex_pb2.CodexHook]):
    """One hook of Codex's config (`hooks/list`'s `HookMetadata`)."""

    __slots__ = ()
    _FIELDS = ('key', 'event_name', 'handler_type', 'command', 'mcp_server', 'mcp_tool', 'matcher', 'status_message', 'source', 'source_path', 'enabled', 'managed', 'current_hash', 'trust_status', 'skipped', )

    @property
    def key(self) -> str:
        """Codex's name for the definition ("<file>:<event>:<group>:<index>"): what
        TrustCodexHooks takes.
        """
        return self._proto.key

    @property
    def event_name(self) -> str:
        """When it runs: "preToolUse", "postToolUse", "permissionRequest",
        "userPromptSubmit", "stop", "sessionStart", … (Codex's `HookEventName`).
        """
        return self._proto.event_name

    @property
    def handler_type(self) -> str:
        """"command", "mcpTool", "prompt" or "agent"."""
        return self._proto.handler_type

    @property
    def command(self) -> str:
        """Command hooks: the command line."""
        return self._proto.command

    @property
    def mcp_server(self) -> str:
        """mcpTool hooks: the MCP server and tool."""
        return self._proto.mcp_server

    @property
    def mcp_tool(self) -> str:
        return self._proto.mcp_tool

    @property
    def matcher(self) -> str:
        """Which tools it applies to (a pattern), if it says."""
        return self._proto.matcher

    @property
    def status_message(self) -> str:
        """The status line Codex shows while it runs, if any."""
        return self._proto.status_message

    @property
    def source(self) -> str:
        """The config layer: "user", "project", "system", "plugin", … and file."""
        return self._proto.source

    @property
    def source_path(self) -> str:
        return self._proto.source_path

    @property
    def enabled(self) -> bool:
        return self._proto.enabled

    @property
    def managed(self) -> bool:
        """Trusted by policy (system, MDM, cloud): never reviewed here."""
        return self._proto.managed

    @property
    def current_hash(self) -> str:
        """"sha256:<64 hex>" of the definition as it is now."""
        return self._proto.current_hash

    @property
    def trust_status(self) -> str:
        """"managed", "trusted", "untrusted" or "modified" (changed since it was
        trusted). Codex runs an enabled hook only when managed or trusted.
        """
        return self._proto.trust_status

    @property
    def skipped(self) -> bool:
        """Codex will not run it: enabled, and "untrusted" or "modified". What
        TrustCodexHooks is for.
        """
        return self._proto.skipped


class CodexHookError(View[codex_pb2.CodexHookError]):
    """A hook file Codex could not load (it skips its hooks)."""

    __slots__ = ()
    _FIELDS = ('path', 'message', )

    @property
    def path(self) -> str:
        return self._proto.path

    @property
    def message(self) -> str:
        return self._proto.message


class HookTrust(View[codex_pb2.HookTrust]):
    """One hook to trust, as it was reviewed."""

    __slots__ = ()
    _FIELDS = ('key', 'current_hash', )

    @property
    def key(self) -> str:
        """CodexHook.key. Required, at most 4096 bytes."""
        return self._proto.key

    @property
    def current_hash(self) -> str:
        """CodexHook.current_hash as listed when it was reviewed: "sha256:<64
        lowercase hex>".
        """
        return self._proto.current_hash


class TrustCodexHooksResponse(View[codex_pb2.TrustCodexHooksResponse]):
    """The API's TrustCodexHooksResponse message."""

    __slots__ = ()
    _FIELDS = ('hooks', )

    @property
    def hooks(self) -> tuple[CodexHook, ...]:
        """Every hook as Codex lists it after the change."""
        return tuple(CodexHook(m) for m in self._proto.hooks)


class CodexLogin(View[codex_pb2.CodexLogin]):
    """A sign-in of the server's Codex (Codex `account/login/start` and
    `account/login/completed`). The server remembers the last 16.
    """

    __slots__ = ()
    _FIELDS = ('login_id', 'method', 'state', 'verification_url', 'user_code', 'error', 'start_time', 'expire_time', 'end_time', )

    @property
    def login_id(self) -> str:
        """"login_" and 20 hex digits."""
        return self._proto.login_id

    @property
    def method(self) -> CodexLoginMethod:
        return CodexLoginMethod(self._proto.method)

    @property
    def state(self) -> CodexLoginState:
        return CodexLoginState(self._proto.state)

    @property
    def verification_url(self) -> str:
        """CHATGPT_DEVICE_CODE: the page to open and the code to type there."""
        return self._proto.verification_url

    @property
    def user_code(self) -> str:
        return self._proto.user_code

    @property
    def error(self) -> str:
        return self._proto.error

    @property
    def start_time(self) -> datetime.datetime | None:
        return self._proto.start_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("start_time") else None

    @property
    def expire_time(self) -> datetime.datetime | None:
        """CHATGPT_DEVICE_CODE: when the server stops waiting for the code."""
        return self._proto.expire_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("expire_time") else None

    @property
    def end_time(self) -> datetime.datetime | None:
        """Unset while PENDING."""
        return self._proto.end_time.ToDatetime(tzinfo=datetime.timezone.utc) if self._proto.HasField("end_time") else None


class LogoutCodexResponse(View[codex_pb2.LogoutCodexResponse]):
    """The API's LogoutCodexResponse message."""

    __slots__ = ()
    _FIELDS = ()


class CodexFeature(View[codex_pb2.CodexFeature]):
    """One feature flag of Codex (Codex `experimentalFeature/list`): a key of the
    `[features]` table of its config.toml that turns a capability on or off, e.g.
    `multi_agent_v2` (sub-agents), `memories`, `apply_patch_streaming_events`
    (ITEM_UPDATED for patches being written).
    """

    __slots__ = ()
    _FIELDS = ('name', 'stage', 'enabled', 'default_enabled', 'display_name', 'description', 'announcement', )

    @property
    def name(self) -> str:
        """Its key under `[features]`: what SetCodexFeature takes."""
        return self._proto.name

    @property
    def stage(self) -> str:
        """Codex's stage for it: "beta", "underDevelopment", "stable", "deprecated"
        or "removed" (kept for old configs; it does nothing).
        """
        return self._proto.stage

    @property
    def enabled(self) -> bool:
        """Whether sessions started now get it (Codex's configuration as the server's
        one-off Codex reads it; a project's own .codex/config.toml may say
        otherwise for its sessions).
        """
        return self._proto.enabled

    @property
    def default_enabled(self) -> bool:
        """Whether Codex turns it on when its configuration says nothing."""
        return self._proto.default_enabled

    @property
    def display_name(self) -> str:
        """Its name for people, e.g. "Prevent sleep while running"; Codex 0.171 gives
        one for beta features only (else empty).
        """
        return self._proto.display_name

    @property
    def description(self) -> str:
        """What it does, in a sentence (beta features only)."""
        return self._proto.description

    @property
    def announcement(self) -> str:
        """Codex's note announcing it (beta features only; may be empty)."""
        return self._proto.announcement


class SetCodexFeatureResponse(View[codex_pb2.SetCodexFeatureResponse]):
    """The API's SetCodexFeatureResponse message."""

    __slots__ = ()
    _FIELDS = ('feature', 'overridden', )

    @property
    def feature(self) -> CodexFeature:
        """The feature as Codex lists it after the change."""
        return CodexFeature(self._proto.feature)

    @property
    def overridden(self) -> str:
        """Set when a layer of Codex's configuration above CODEX_HOME's config.toml
        (a managed or system config) sets the feature too, so what was written is
        not what sessions get: Codex's message.
        """
        return self._proto.overridden


class BackupChunk(View[maintenance_pb2.BackupChunk]):
    """One piece of a backup; the `data` of all chunks, in order, is the file."""

    __slots__ = ()
    _FIELDS = ('data', 'total_bytes', 'sessions', 'last_event_id', 'sha256', )

    @property
    def data(self) -> bytes:
        """The next bytes of the file, at most 256 KiB per chunk."""
        return self._proto.data

    @property
    def total_bytes(self) -> int:
        """First chunk only: the size of the whole file, in bytes."""
        return self._proto.total_bytes

    @property
    def sessions(self) -> int:
        """First chunk only: what the copy holds: its number of sessions (archived
        ones included) and the newest event_id given as of its moment (0: none),
        those retention deleted included. Events after it are not in the copy;
        after a restore, clients resume from the cursors they hold
        (docs/operations.md, "Cursors after a restore").
        """
        return self._proto.sessions

    @property
    def last_event_id(self) -> int:
        return self._proto.last_event_id

    @property
    def sha256(self) -> str:
        """Last chunk only: the lowercase hex SHA-256 of the whole file, to check the
        bytes received against.
        """
        return self._proto.sha256
