#!/usr/bin/env python3
"""A policy auto-approver: approves commands that match an allow-list of
prefixes, in every session, and leaves everything else for a person.

    python auto_approver.py --allow "git status" --allow "ls" --allow "pytest"

A prefix matches whole words ("ls" allows "ls -la", not "lsblk"). Commands
with shell control characters (; & | ` $ < > ( ) and newlines) are never
auto-approved, so "ls && rm -rf ~" stays for a person. File changes and other
requests are left alone. The cursor file makes a restarted approver continue
where it stopped; pending approvals are seen again on start.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from codex_manager import ApprovalKind, ApprovalState, Client
from codex_manager.extensions import Agent, decide_quietly

SHELL_CONTROL = set(";&|`$<>(){}\n\r\\")
SHELLS = {"sh", "bash", "zsh", "dash"}


def script_of(command: str) -> str:
    """The script of a ``/bin/bash -lc '<script>'`` wrapper, else `command`."""
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    if len(words) == 3 and words[0].rsplit("/", 1)[-1] in SHELLS and words[1] in ("-c", "-lc"):
        return words[2]
    return command


def allowed(command: str, prefixes: list[str]) -> bool:
    """Whether `command` starts with one of `prefixes`, word for word, and
    has no shell control characters."""
    script = script_of(command)
    if not script.strip() or any(c in SHELL_CONTROL for c in script):
        return False
    try:
        words = shlex.split(script)
    except ValueError:
        return False
    for prefix in prefixes:
        wanted = shlex.split(prefix)
        if wanted and words[: len(wanted)] == wanted:
            return True
    return False


def build_agent(client: Client, prefixes: list[str], cursor: str | None,
                session_id: str | None = None) -> Agent:
    agent = Agent(client, cursor=cursor, session_id=session_id)

    @agent.on_approval_requested
    def decide(approval, event) -> None:
        if approval.kind != ApprovalKind.COMMAND_EXECUTION:
            return
        if approval.state != ApprovalState.PENDING:
            return
        if allowed(approval.command, prefixes):
            if decide_quietly(client, approval.approval_id, approve=True):
                print(f"approved {approval.approval_id}: {approval.command}", flush=True)
        else:
            print(f"left for a person {approval.approval_id}: {approval.command}", flush=True)

    return agent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:50051")
    parser.add_argument("--allow", action="append", default=[], metavar="PREFIX",
                        help="an allowed command prefix (repeatable)")
    parser.add_argument("--cursor", default="auto_approver.cursor",
                        help="file keeping the last handled event id")
    parser.add_argument("--session", help="only this session")
    args = parser.parse_args(argv)
    if not args.allow:
        parser.error("give at least one --allow PREFIX")
    with Client(args.addr) as client:
        agent = build_agent(client, args.allow, args.cursor, args.session)
        try:
            agent.run()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
