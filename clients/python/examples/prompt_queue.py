#!/usr/bin/env python3
"""A prompt queue runner: feeds prompts from a file to a session, one turn
at a time, and exits when the last one has finished.

    python prompt_queue.py --cwd /srv/app --prompts todo.txt --state todo.state

The prompts file has one prompt per line (blank lines and lines starting with
# are skipped). The state file remembers the session, which prompt is next
and the event cursor, so a restarted runner picks up exactly where it
stopped — it neither skips a prompt nor sends one twice. Exit status: 0 when
every turn COMPLETED, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from codex_manager import Client, TurnState
from codex_manager.extensions import Agent


class QueueState:
    """The runner's progress in one JSON file, written atomically; also the
    agent's cursor store."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {"session_id": "", "next": 0, "turn_id": "",
                                     "event_id": 0, "results": []}
        if path.exists():
            self.data.update(json.loads(path.read_text()))

    def write(self) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name + ".")
        with os.fdopen(fd, "w") as f:
            json.dump(self.data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    # CursorStore
    def load(self) -> int:
        return int(self.data["event_id"])

    def save(self, event_id: int) -> None:
        self.data["event_id"] = event_id
        self.write()


def read_prompts(path: Path) -> list[str]:
    lines = (line.strip() for line in path.read_text().splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def run_queue(client: Client, prompts: list[str], state: QueueState, *,
              session_id: str | None = None, cwd: str | None = None,
              approval_policy: str | None = None) -> int:
    if not state.data["session_id"]:
        if session_id is None:
            if cwd is None:
                raise SystemExit("give --session or --cwd")
            session_id = client.create_session(cwd, approval_policy=approval_policy,
                                               title="prompt queue").session_id
        state.data["session_id"] = session_id
        state.write()
    session = state.data["session_id"]
    agent = Agent(client, cursor=state, session_id=session)

    def send_next() -> None:
        if state.data["next"] >= len(prompts):
            agent.stop()
            return
        index = state.data["next"]
        # The request id makes a resend after a crash return the same turn.
        turn = client.start_turn(session, prompts[index],
                                 request_id=f"{state.path.name}:{session}:{index}")
        state.data["turn_id"] = turn.turn_id
        state.write()
        print(f"[{index + 1}/{len(prompts)}] {prompts[index]}", flush=True)

    @agent.on_turn_finished
    def finished(change, event) -> None:
        if change.turn_id != state.data["turn_id"]:
            return
        outcome = TurnState(change.state).name
        state.data["results"].append(outcome)
        state.data["next"] += 1
        state.data["turn_id"] = ""
        state.write()
        print(f"  -> {outcome}: {change.final_message or change.error}", flush=True)
        send_next()

    if not state.data["turn_id"]:
        send_next()
    if state.data["next"] < len(prompts):
        agent.run()
    failed = [r for r in state.data["results"] if r != TurnState.COMPLETED.name]
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:50051")
    parser.add_argument("--prompts", type=Path, required=True)
    parser.add_argument("--state", type=Path, required=True)
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--session", help="an existing session")
    target.add_argument("--cwd", help="create a session in this folder")
    parser.add_argument("--approval-policy", help="for a new session")
    args = parser.parse_args(argv)
    with Client(args.addr) as client:
        return run_queue(client, read_prompts(args.prompts), QueueState(args.state),
                         session_id=args.session, cwd=args.cwd,
                         approval_policy=args.approval_policy)


if __name__ == "__main__":
    sys.exit(main())
