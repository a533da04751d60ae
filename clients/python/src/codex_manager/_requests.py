"""Request building and result handling shared by Client and AsyncClient, so
the two differ only in how they wait."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import grpc

from codex_manager.enums import Decision, Role, SessionState
from codex_manager.errors import DataLossError
from codex_manager.v1 import (
    approvals_pb2,
    auth_pb2,
    codex_pb2,
    events_pb2,
    maintenance_pb2,
    sessions_pb2,
    turns_pb2,
)
from codex_manager.v1.views import CodexFeature, CodexHook, CodexHookError, Skill, SkillError

DEFAULT_ADDRESS = "127.0.0.1:50051"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_KEEPALIVE_S = 30.0
DEFAULT_KEEPALIVE_TIMEOUT_S = 20.0


def channel_options(connect_timeout: float, keepalive: float,
                    keepalive_timeout: float) -> list[tuple[str, int]]:
    """Channel arguments: each connection attempt (TCP, TLS and the HTTP/2
    handshake) gives up after `connect_timeout` seconds. gRPC's default is
    20 s, during which a call to a server that accepts TCP but never answers
    just waits (gRPC core's min connect timeout,
    ``grpc.min_reconnect_backoff_ms``).

    While a call is open, an HTTP/2 ping every `keepalive` seconds the
    connection is quiet (gRPC's keepalive; 0 turns it off), with no limit
    on pings while no data flows (gRPC's default stops after two): a server
    that does not answer one within `keepalive_timeout` seconds has its
    calls end UNAVAILABLE, which followers resume from their cursor,
    instead of a stream waiting forever on a connection a NAT or a sleeping
    laptop dropped. The server accepts pings every 10 s (its
    ``--keepalive-min-time``)."""
    options = [("grpc.min_reconnect_backoff_ms", max(1, int(connect_timeout * 1000)))]
    if keepalive > 0:
        options += [("grpc.keepalive_time_ms", max(1, int(keepalive * 1000))),
                    ("grpc.keepalive_timeout_ms", max(1, int(keepalive_timeout * 1000))),
                    # gRPC core since about 1.57 waits this long for any ping's
                    # ack (default 60 s) whatever the keepalive timeout says.
                    ("grpc.http2.ping_timeout_ms", max(1, int(keepalive_timeout * 1000))),
                    ("grpc.http2.max_pings_without_data", 0)]
    return options


def call_timeout(timeout: float | None) -> float | None:
    """`timeout` checked: seconds above 0, or None for no deadline."""
    if timeout is not None and not timeout > 0:  # NaN included
        raise ValueError(f"timeout: seconds above 0, or None for no deadline; got {timeout}")
    return timeout


def resolve_address(address: str | None) -> str:
    """`address`, else $CODEX_MANAGER_ADDR, else 127.0.0.1:50051."""
    return address or os.environ.get("CODEX_MANAGER_ADDR") or DEFAULT_ADDRESS


def _is_loopback(address: str) -> bool:
    if address.startswith("unix:"):
        return True
    host = address[1:address.find("]")] if address.startswith("[") else address.rpartition(":")[0]
    return host in ("localhost", "::1") or host.startswith("127.")


def _first_line(path: str | os.PathLike[str]) -> str:
    with open(path) as f:
        return f.readline().strip()


def resolve_token(address: str, token: str | None) -> str | None:
    """The token to send: `token`, else $CODEX_MANAGER_TOKEN, else the file
    named by $CODEX_MANAGER_TOKEN_FILE, else — for a loopback address only —
    the local server's default admin.token
    (``${XDG_STATE_HOME:-~/.local/state}/codex-manager/admin.token``) when
    this user can read it. None when there is none."""
    if token:
        return token
    if env := os.environ.get("CODEX_MANAGER_TOKEN"):
        return env
    if path := os.environ.get("CODEX_MANAGER_TOKEN_FILE"):
        return _first_line(path)
    if not _is_loopback(address):
        return None
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and state.startswith("/") else Path.home() / ".local" / "state"
    try:
        return _first_line(base / "codex-manager" / "admin.token") or None
    except OSError:
        return None


def channel_credentials(ca_file: str | None, cert_file: str | None,
                        key_file: str | None) -> grpc.ChannelCredentials | None:
    """TLS credentials when `ca_file` (or $CODEX_MANAGER_CA_FILE) is set, with
    a client certificate for mTLS when `cert_file`/`key_file` are; None for
    plaintext."""
    ca_file = ca_file or os.environ.get("CODEX_MANAGER_CA_FILE")
    if not ca_file:
        if cert_file or key_file:
            raise ValueError("cert_file/key_file need ca_file (mTLS runs over TLS)")
        return None
    if bool(cert_file) != bool(key_file):
        raise ValueError("cert_file and key_file go together")
    _check_pem_files(ca_file, cert_file, key_file)
    return grpc.ssl_channel_credentials(
        root_certificates=Path(ca_file).read_bytes(),
        private_key=Path(key_file).read_bytes() if key_file else None,
        certificate_chain=Path(cert_file).read_bytes() if cert_file else None)


def _check_pem_files(ca_file: str, cert_file: str | None, key_file: str | None) -> None:
    """ValueError naming the file when it is not what TLS needs (the standard
    library's OpenSSL reads them), instead of every call failing
    UNAVAILABLE later."""
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cadata=Path(ca_file).read_text(errors="replace"))
    except ssl.SSLError:
        raise ValueError(f"ca_file {ca_file}: no PEM certificate in it "
                         f'(a "-----BEGIN CERTIFICATE-----" block)') from None
    if cert_file and key_file:
        try:
            context.load_cert_chain(cert_file, key_file, password=lambda: "")
        except ssl.SSLError as error:
            why = error.reason or str(error)
            raise ValueError(f"cert_file {cert_file} and key_file {key_file}: not a PEM "
                             f"certificate and its unencrypted private key ({why})") from None


def call_metadata(token: str | None,
                  metadata: list[tuple[str, str]] | None) -> list[tuple[str, str]]:
    out = list(metadata or [])
    if token:
        out.append(("authorization", f"Bearer {token}"))
    return out

# Stream errors after which events() reconnects and resumes: the connection
# dropped. Anything else is the server's answer and is raised.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE})

#: Failed reconnects in a row after which ``events()`` gives up (about a
#: minute with the default backoff).
DEFAULT_MAX_RETRIES = 20


class Reconnects:
    """When an event stream tries again after it failed: only on UNAVAILABLE,
    only once the server was reached (a server never reached fails at once),
    and at most `max_retries` times in a row without progress (None: no
    limit)."""

    def __init__(self, reconnect: bool, max_retries: int | None) -> None:
        self.reconnect = reconnect
        self.max_retries = max_retries
        self.reached = False
        self.failures = 0

    def progress(self) -> None:
        """The server answered: it sent the stream's metadata or an event."""
        self.reached = True
        self.failures = 0

    def retry(self, code: grpc.StatusCode) -> bool:
        if not self.reconnect or code not in RETRYABLE or not self.reached:
            return False
        self.failures += 1
        return self.max_retries is None or self.failures <= self.max_retries


def _absolute(folder: str | os.PathLike[str]) -> str:
    """A relative folder ("." too) from this process's folder, as the CLI
    takes it; "" stays "" (no folder)."""
    path = os.fspath(folder)
    return os.path.abspath(path) if path and not os.path.isabs(path) else path


def list_sessions(include_archived: bool, page_size: int, search: str,
                  cwd: str | os.PathLike[str], states: Sequence[SessionState] | SessionState,
                  page_token: str) -> sessions_pb2.ListSessionsRequest:
    if isinstance(states, SessionState):
        states = [states]
    return sessions_pb2.ListSessionsRequest(
        page_size=page_size, page_token=page_token, include_archived=include_archived,
        search=search, cwd=_absolute(cwd),
        states=[sessions_pb2.SessionState.ValueType(int(state)) for state in states])


def create_session(cwd: str | os.PathLike[str], model: str | None, approval_policy: str | None,
                   sandbox: str | None, title: str | None, request_id: str | None,
                   developer_instructions: str | None,
                   model_provider: str | None, effort: str | None = None,
                   service_tier: str | None = None) -> sessions_pb2.CreateSessionRequest:
    # The server checks that the folder exists.
    return sessions_pb2.CreateSessionRequest(
        cwd=_absolute(cwd), model=model or "", approval_policy=approval_policy or "",
        sandbox=sandbox or "", title=title or "", request_id=request_id or "",
        developer_instructions=developer_instructions or "",
        model_provider=model_provider or "", effort=effort or "",
        service_tier=service_tier or "")


#: ExportTranscript's formats.
TranscriptFormat = Literal["jsonl", "markdown"]
TRANSCRIPT_FORMATS = {"jsonl": sessions_pb2.TRANSCRIPT_FORMAT_JSONL,
                      "markdown": sessions_pb2.TRANSCRIPT_FORMAT_MARKDOWN}


def export_transcript(session_id: str, format: str) -> sessions_pb2.ExportTranscriptRequest:
    if format not in TRANSCRIPT_FORMATS:
        raise ValueError(f"format: {format!r} is not 'jsonl' or 'markdown'")
    return sessions_pb2.ExportTranscriptRequest(session_id=session_id,
                                                format=TRANSCRIPT_FORMATS[format])


def partial_path(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The file to write and the temporary one beside it."""
    target = Path(path)
    return target, target.with_name(target.name + ".partial")


def create_token(name: str, role: Role | int,
                 ttl_s: float | None) -> auth_pb2.CreateTokenRequest:
    request = auth_pb2.CreateTokenRequest(name=name, role=auth_pb2.Role.ValueType(int(role)))
    if ttl_s:
        if not 0 < ttl_s < 1e12:  # NaN included; the server's limit is 100 years
            raise ValueError(f"ttl_s: a number of seconds above 0, got {ttl_s}")
        request.ttl.FromNanoseconds(int(ttl_s * 1e9))
    return request


def list_audit_events(page_size: int, page_token: str, token_id: str | None,
                      method: str | None, since: datetime | None,
                      until: datetime | None) -> auth_pb2.ListAuditEventsRequest:
    request = auth_pb2.ListAuditEventsRequest(
        page_size=page_size, page_token=page_token, token_id=token_id or "",
        method=method or "")
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    for field, when, name in ((request.start_time, since, "since"),
                              (request.end_time, until, "until")):
        if when is None:
            continue
        if when.tzinfo is None:
            raise ValueError(f"{name}: an aware datetime, e.g. datetime.now(timezone.utc)")
        field.FromDatetime(max(when, epoch))  # before 1970 is everything
    return request


def approve_decision(for_session: bool, remember: bool) -> Decision:
    if for_session and remember:
        raise ValueError("approve: for_session and remember exclude each other")
    if remember:
        return Decision.APPROVE_AND_REMEMBER
    return Decision.APPROVE_FOR_SESSION if for_session else Decision.APPROVE


def callback_decision(offered: Sequence[Decision], decision: Decision | int) -> Decision | int:
    """What an `on_approval` callback's `decision` is sent as: DENY where
    Codex offers no plain "no" but ABORT (a command under approval policy
    ``untrusted``) becomes ABORT, which also stops the turn, as the CLI's
    ``--on-approval deny`` and the UI's "Deny and stop" do."""
    if decision == Decision.DENY and Decision.DENY not in offered and Decision.ABORT in offered:
        return Decision.ABORT
    return decision


def resolve_approval(approval_id: str, decision: Decision | int,
                     answers: Mapping[str, str] | None,
                     request_id: str | None) -> approvals_pb2.ResolveApprovalRequest:
    return approvals_pb2.ResolveApprovalRequest(
        approval_id=approval_id, decision=approvals_pb2.Decision.ValueType(int(decision)),
        answers=dict(answers or {}),
        request_id=request_id or "")


# Image formats an upload may have, by their first bytes.
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))


def _media_type(data: bytes) -> str:
    for magic, media_type in _IMAGE_MAGIC:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise ValueError("images: bytes that are not a PNG, JPEG, GIF or WebP image")


@dataclass(frozen=True)
class TurnSettings:
    """This turn's settings (``start_turn`` keywords); None keeps the
    session's."""

    model: str | None = None
    effort: str | None = None
    reasoning_summary: str | None = None
    output_schema: Mapping[str, Any] | str | None = None
    images: Sequence[str | os.PathLike[str] | bytes] = ()
    approval_policy: str | None = None
    sandbox: str | None = None
    collaboration_mode: str | None = None
    service_tier: str | None = None


def start_turn(session_id: str, prompt: str, request_id: str | None,
               settings: TurnSettings | None = None) -> turns_pb2.StartTurnRequest:
    settings = settings or TurnSettings()
    request = turns_pb2.StartTurnRequest(
        session_id=session_id, prompt=prompt, request_id=request_id or "",
        model=settings.model or "", effort=settings.effort or "",
        reasoning_summary=settings.reasoning_summary or "",
        approval_policy=settings.approval_policy or "", sandbox=settings.sandbox or "",
        collaboration_mode=settings.collaboration_mode or "",
        service_tier=settings.service_tier or "")
    schema = settings.output_schema
    if schema is not None:
        request.output_schema_json = schema if isinstance(schema, str) else json.dumps(schema)
    for image in settings.images:
        if isinstance(image, bytes):
            request.images.add(media_type=_media_type(image), data=image)
        else:  # a path, resolved here as a shell user expects
            request.image_paths.append(os.path.abspath(os.fspath(image)))
    return request


def review_target(*, uncommitted: bool, base_branch: str | None, commit: str | None,
                  commit_title: str | None,
                  instructions: str | None) -> turns_pb2.ReviewTarget:
    """The ReviewTarget of exactly one of the keywords; ValueError otherwise."""
    given = [name for name, value in (("uncommitted", uncommitted or None),
                                      ("base_branch", base_branch),
                                      ("commit", commit),
                                      ("instructions", instructions))
             if value is not None]
    if len(given) != 1:
        raise ValueError("give exactly one review target: uncommitted=True, base_branch, "
                         f"commit or instructions (got {', '.join(given) or 'none'})")
    if commit_title is not None and commit is None:
        raise ValueError("commit_title goes with commit")
    if uncommitted:
        return turns_pb2.ReviewTarget(uncommitted_changes=True)
    if base_branch is not None:
        return turns_pb2.ReviewTarget(base_branch=base_branch)
    if commit is not None:
        return turns_pb2.ReviewTarget(commit=commit, commit_title=commit_title or "")
    return turns_pb2.ReviewTarget(custom_instructions=instructions or "")


@dataclass(frozen=True)
class CodexHooks:
    """The hooks of the server's Codex config, as :meth:`Client.list_codex_hooks`
    returns them (Codex ``hooks/list``)."""

    #: Every hook, in Codex's order, with its ``trust_status``.
    hooks: list[CodexHook]
    #: Hook files Codex could not load (it skips their hooks).
    errors: list[CodexHookError]
    warnings: list[str]

    @property
    def skipped(self) -> list[CodexHook]:
        """The enabled hooks Codex will not run: never trusted, or changed
        since they were (``trust_status`` "untrusted" or "modified")."""
        return [h for h in self.hooks if h.skipped]


def codex_hooks(response: codex_pb2.ListCodexHooksResponse) -> CodexHooks:
    return CodexHooks(hooks=[CodexHook(h) for h in response.hooks],
                      errors=[CodexHookError(e) for e in response.errors],
                      warnings=list(response.warnings))


@dataclass(frozen=True)
class Skills:
    """The skills Codex offers for a session's folder, as
    :meth:`Client.list_skills` returns them (Codex ``skills/list``)."""

    #: In Codex's order (the repository's, the user's, then Codex's own).
    skills: list[Skill]
    #: SKILL.md files Codex could not load (e.g. no ``description``).
    errors: list[SkillError]


def skills(response: sessions_pb2.ListSkillsResponse) -> Skills:
    return Skills(skills=[Skill(s) for s in response.skills],
                  errors=[SkillError(e) for e in response.errors])


def set_skill_enabled(session_id: str, skill: Skill | str | os.PathLike[str],
                      enabled: bool) -> sessions_pb2.SetSkillEnabledRequest:
    path = skill.path if isinstance(skill, Skill) else os.fspath(skill)
    return sessions_pb2.SetSkillEnabledRequest(session_id=session_id, path=path,
                                               enabled=enabled)


def trust_codex_hooks(hooks: Sequence[CodexHook],
                      cwd: str | os.PathLike[str] | None) -> codex_pb2.TrustCodexHooksRequest:
    return codex_pb2.TrustCodexHooksRequest(
        cwd=os.fspath(cwd) if cwd is not None else "",
        hooks=[codex_pb2.HookTrust(key=h.key, current_hash=h.current_hash) for h in hooks])


def list_codex_features(include_removed: bool) -> codex_pb2.ListCodexFeaturesRequest:
    return codex_pb2.ListCodexFeaturesRequest(include_removed=include_removed)


def set_codex_feature(feature: CodexFeature | str,
                      enabled: bool | None) -> codex_pb2.SetCodexFeatureRequest:
    name = feature.name if isinstance(feature, CodexFeature) else feature
    if enabled is None:
        setting = codex_pb2.CODEX_FEATURE_SETTING_DEFAULT
    elif enabled is True:
        setting = codex_pb2.CODEX_FEATURE_SETTING_ENABLED
    elif enabled is False:
        setting = codex_pb2.CODEX_FEATURE_SETTING_DISABLED
    else:
        raise TypeError(f"enabled: True, False or None, not {enabled!r}")
    return codex_pb2.SetCodexFeatureRequest(name=name, setting=setting)


def terminate_background_terminals(
        session_id: str, process_id: str | None,
        all: bool) -> sessions_pb2.TerminateBackgroundTerminalsRequest:
    if bool(process_id) == all:
        raise ValueError("give a process_id or all=True, not both")
    return sessions_pb2.TerminateBackgroundTerminalsRequest(
        session_id=session_id, process_id=process_id or "", all=all)


def search_files(session_id: str, query: str,
                 max_results: int) -> sessions_pb2.SearchFilesRequest:
    # Bounds are the server's to check (InvalidArgumentError naming it).
    return sessions_pb2.SearchFilesRequest(session_id=session_id, query=query,
                                           max_results=max_results)


def fork_session(session_id: str, title: str | None, request_id: str | None,
                 through_turn_id: str | None,
                 before_turn_id: str | None) -> sessions_pb2.ForkSessionRequest:
    if through_turn_id and before_turn_id:
        raise ValueError("give through_turn_id or before_turn_id, not both")
    return sessions_pb2.ForkSessionRequest(
        session_id=session_id, title=title or "", request_id=request_id or "",
        through_turn_id=through_turn_id or "", before_turn_id=before_turn_id or "")


def update_session(session_id: str, **fields: str | None) -> sessions_pb2.UpdateSessionRequest:
    request = sessions_pb2.UpdateSessionRequest(session_id=session_id)
    for name, value in fields.items():
        if value is not None:
            setattr(request, name, value)
    return request


def set_session_goal(session_id: str, objective: str | None, status: int | None,
                     token_budget: int | None) -> sessions_pb2.SetSessionGoalRequest:
    request = sessions_pb2.SetSessionGoalRequest(
        session_id=session_id, status=sessions_pb2.GoalStatus.ValueType(int(status or 0)))
    if objective is not None:
        request.objective = objective
    if token_budget is not None:
        request.token_budget = token_budget
    return request


def stream_events(session_id: str | None, cursor: int,
                  follow: bool) -> events_pb2.StreamEventsRequest:
    """With a session: `cursor` is a session_seq; without: a global event_id."""
    if session_id:
        return events_pb2.StreamEventsRequest(session_id=session_id, after_seq=cursor,
                                              no_follow=not follow)
    return events_pb2.StreamEventsRequest(after_event_id=cursor, no_follow=not follow)


class EventRpc:
    """Which RPC a client streams events with: StreamEventBatches (several
    events per message, so a replay or a burst costs a fraction per event),
    until a server answers it UNIMPLEMENTED (one older than that RPC); then
    StreamEvents, the same stream one event per message, from then on."""

    def __init__(self, stub: Any) -> None:
        self._stub = stub
        self.batched = True

    def open(self, request: events_pb2.StreamEventsRequest, metadata: Any) -> Any:
        """Starts a call; iterate over it with :func:`events_of`."""
        if self.batched:
            return self._stub.StreamEventBatches(request, metadata=metadata)
        return self._stub.StreamEvents(request, metadata=metadata)

    def fall_back(self, code: grpc.StatusCode) -> bool:
        """True (once) when `code` says the server has no StreamEventBatches:
        call again, at once, with StreamEvents."""
        if self.batched and code == grpc.StatusCode.UNIMPLEMENTED:
            self.batched = False
            return True
        return False


def events_of(message: Any) -> Sequence[events_pb2.Event]:
    """The events a stream message carries: an EventBatch's, or the one
    Event StreamEvents sends."""
    if isinstance(message, events_pb2.EventBatch):
        return message.events
    return (message,)


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


def start_codex_login(api_key: str | None) -> codex_pb2.StartCodexLoginRequest:
    """An API key login when `api_key` is given, else ChatGPT's device code."""
    if api_key is None:
        return codex_pb2.StartCodexLoginRequest(
            method=codex_pb2.CODEX_LOGIN_METHOD_CHATGPT_DEVICE_CODE)
    return codex_pb2.StartCodexLoginRequest(
        method=codex_pb2.CODEX_LOGIN_METHOD_API_KEY, api_key=api_key)


@dataclass(frozen=True)
class Backup:
    """A backup of the server's database, as :meth:`Client.backup` wrote
    it (``MaintenanceService.Backup``)."""

    #: The file written.
    path: Path
    #: Its size, in bytes.
    size_bytes: int
    #: Sessions in it, archived ones included.
    sessions: int
    #: The newest event_id given as of its moment (0: none): events after
    #: it are not in it. After a restore, clients resume from the cursors
    #: they hold.
    last_event_id: int
    #: Lowercase hex SHA-256 of the file, as the server computed it and the
    #: client checked it.
    sha256: str


class BackupFile:
    """Writes a backup's chunks to PATH.partial (0600: it holds every
    transcript) and checks them; :meth:`commit` renames it onto PATH."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.target, self.partial = partial_path(path)
        fd = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._first: maintenance_pb2.BackupChunk | None = None
        self._server_sha256 = ""
        self._size = 0

    def add(self, chunk: maintenance_pb2.BackupChunk) -> None:
        if self._first is None:
            self._first = chunk
        self._file.write(chunk.data)
        self._hash.update(chunk.data)
        self._size += len(chunk.data)
        if chunk.sha256:
            self._server_sha256 = chunk.sha256

    def commit(self) -> Backup:
        """Puts the file in place once whole; raises DataLossError when the
        bytes received are not the server's (nothing is written then)."""
        first = self._first or maintenance_pb2.BackupChunk()
        sha256 = self._hash.hexdigest()
        if self._size != first.total_bytes or sha256 != self._server_sha256:
            raise DataLossError(
                f"the backup arrived damaged: {self._size} of {first.total_bytes} bytes, "
                f"SHA-256 {sha256} where the server's is {self._server_sha256!r}")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.partial, self.target)
        return Backup(path=self.target, size_bytes=self._size, sessions=first.sessions,
                      last_event_id=first.last_event_id, sha256=sha256)

    def close(self) -> None:
        """Removes what is left of a backup that was not committed."""
        self._file.close()
        self.partial.unlink(missing_ok=True)
