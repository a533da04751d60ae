"""Extension agents: long-running programs that watch the event stream of
every session (or one) and react — approve safe commands by policy, queue
follow-up prompts, notify a person when an approval waits.

An :class:`Agent` subscribes to the stream after its durable cursor, calls
your handlers for each event in order, and saves the cursor after the
handlers return. A restarted agent therefore continues exactly where it
stopped: every event reaches the handlers at least once (exactly once unless
the agent dies between a handler and the cursor save), so handlers should be
idempotent — deciding an approval twice is harmless, the second decision is
refused by the server.

Example::

    from codex_manager import Client, Decision
    from codex_manager.extensions import Agent, FileCursor

    agent = Agent(Client(), cursor=FileCursor("approver.cursor"))

    @agent.on_approval_requested
    def approve_ls(approval, event):
        if approval.command == "ls":
            agent.client.approve(approval.approval_id)

    agent.run()  # until Ctrl-C, or agent.stop() from another thread
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from codex_manager.client import Client
from codex_manager.enums import EventType
from codex_manager.errors import FailedPreconditionError
from codex_manager.v1.views import Approval, Event, TurnStateChanged

log = logging.getLogger("codex_manager.extensions")

EventHandler = Callable[[Event], None]
ApprovalHandler = Callable[[Approval, Event], None]
TurnHandler = Callable[[TurnStateChanged, Event], None]


class CursorStore(Protocol):
    """Where an agent keeps the position (``event_id``, or ``session_seq``
    for a one-session agent) of the last event it handled."""

    def load(self) -> int: ...

    def save(self, event_id: int) -> None: ...


class MemoryCursor:
    """A cursor that lives as long as the process (for tests and one-offs)."""

    def __init__(self, event_id: int = 0) -> None:
        self.event_id = event_id

    def load(self) -> int:
        return self.event_id

    def save(self, event_id: int) -> None:
        self.event_id = event_id


class FileCursor:
    """A cursor in a small JSON file, ``{"event_id": N}``, replaced atomically
    (write, fsync, rename) so a crash leaves the old or the new value, never
    a torn one. A missing file means "from the beginning"."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def load(self) -> int:
        try:
            return int(json.loads(self.path.read_text())["event_id"])
        except FileNotFoundError:
            return 0

    def save(self, event_id: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"event_id": event_id}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class Agent:
    """Runs handlers over the event stream, with a durable cursor.

    Args:
        client: the connection to use; handlers may call it too
            (``agent.client``).
        cursor: a :class:`CursorStore`, or a path for a :class:`FileCursor`;
            default: in memory, starting from the beginning of history.
        session_id: watch only this session; the cursor then holds its
            ``session_seq``. Default: every session, and the cursor holds the
            global ``event_id``.

    Handlers run one at a time, in event order, on the thread that called
    :meth:`run`. An exception in a handler stops the agent without saving
    the cursor, so after a restart the event is handled again.
    """

    def __init__(self, client: Client, *,
                 cursor: CursorStore | str | os.PathLike[str] | None = None,
                 session_id: str | None = None) -> None:
        self.client = client
        if cursor is None:
            self.cursor: CursorStore = MemoryCursor()
        elif isinstance(cursor, str | os.PathLike):
            self.cursor = FileCursor(cursor)
        else:
            self.cursor = cursor
        self.session_id = session_id
        self._handlers: dict[int, list[EventHandler]] = {}
        self._any: list[EventHandler] = []
        self._stop = threading.Event()

    # -- registering handlers --------------------------------------------------------

    def on(self, event_type: EventType | int) -> Callable[[EventHandler], EventHandler]:
        """Decorator: call the function with every event of `event_type`."""
        def register(handler: EventHandler) -> EventHandler:
            self._handlers.setdefault(int(event_type), []).append(handler)
            return handler
        return register

    def on_event(self, handler: EventHandler) -> EventHandler:
        """Decorator: call the function with every event."""
        self._any.append(handler)
        return handler

    def on_approval_requested(self, handler: ApprovalHandler) -> ApprovalHandler:
        """Decorator: ``handler(approval, event)`` for each approval request,
        including pending ones redelivered when the agent (re)starts."""
        def adapter(event: Event) -> None:
            handler(Approval(event.proto.approval_requested.approval), event)
        self.on(EventType.APPROVAL_REQUESTED)(adapter)
        return handler

    def on_turn_finished(self, handler: TurnHandler) -> TurnHandler:
        """Decorator: ``handler(change, event)`` when a turn reaches COMPLETED,
        INTERRUPTED or FAILED."""
        def adapter(event: Event) -> None:
            change = TurnStateChanged(event.proto.turn_state_changed)
            if change.state.is_final:
                handler(change, event)
        self.on(EventType.TURN_STATE_CHANGED)(adapter)
        return handler

    # -- running -----------------------------------------------------------------------

    def stop(self) -> None:
        """Makes :meth:`run` return soon (safe from any thread or handler)."""
        self._stop.set()

    def handle(self, event: Event) -> None:
        """Calls the handlers for one event (what :meth:`run` does for each)."""
        for handler in self._any + self._handlers.get(event.type, []):
            handler(event)

    def run(self, *, follow: bool = True) -> None:
        """Handles events from the cursor on until :meth:`stop` (or, with
        ``follow=False``, until caught up). Reconnects by itself when the
        server restarts."""
        self._stop.clear()
        start = self.cursor.load()
        log.info("agent starting after %s %d",
                 "session_seq" if self.session_id else "event_id", start)
        for event in self.client.events(self.session_id, after=start, follow=follow,
                                        stop=self._stop):
            self.handle(event)
            if not event.redelivered:
                self.cursor.save(event.session_seq if self.session_id else event.event_id)
            if self._stop.is_set():
                break


def decide_quietly(client: Client, approval_id: str, approve: bool) -> bool:
    """Approves or denies; False (instead of an error) when someone else
    decided first or the approval expired."""
    try:
        if approve:
            client.approve(approval_id)
        else:
            client.deny(approval_id)
        return True
    except FailedPreconditionError:
        return False
