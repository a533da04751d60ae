#!/usr/bin/env python3
"""An approval notifier: tells a person when an approval waits.

    python approval_notifier.py
    python approval_notifier.py --command 'notify-send "Codex waits" "$CM_WHAT"'

Prints one line per waiting approval on stdout, and with --command runs it
through /bin/sh with CM_APPROVAL_ID, CM_SESSION_ID, CM_KIND and CM_WHAT (the
command, or the request method) in its environment — a desktop notification,
a chat webhook with curl, a page. Approvals decided before the notifier
reaches them are skipped; the cursor file makes a restart continue where it
stopped.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from codex_manager import ApprovalKind, Client
from codex_manager.extensions import Agent


def build_agent(client: Client, command: str | None, cursor: str | None) -> Agent:
    agent = Agent(client, cursor=cursor)

    @agent.on_approval_requested
    def notify(approval, event) -> None:
        pending = {a.approval_id for a in client.list_approvals(approval.session_id)}
        if approval.approval_id not in pending:
            return  # already decided or expired
        what = approval.command or approval.method
        kind = ApprovalKind(approval.kind).name
        print(f"approval waiting: {approval.approval_id} in {approval.session_id} "
              f"({kind}): {what}", flush=True)
        if command:
            env = dict(os.environ, CM_APPROVAL_ID=approval.approval_id,
                       CM_SESSION_ID=approval.session_id, CM_KIND=kind, CM_WHAT=what)
            subprocess.run(["/bin/sh", "-c", command], env=env, timeout=60, check=False)

    return agent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default="127.0.0.1:50051")
    parser.add_argument("--command", help="shell command to run for each waiting approval")
    parser.add_argument("--cursor", default="approval_notifier.cursor")
    args = parser.parse_args(argv)
    with Client(args.addr) as client:
        try:
            build_agent(client, args.command, args.cursor).run()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
