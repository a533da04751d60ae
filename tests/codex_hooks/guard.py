#!/usr/bin/env python3
"""A Codex command hook for the tests (tests/support/cm_testing.add_guard_hooks).

Codex runs it with the hook's input as JSON on stdin and reads a decision
from stdout (https://developers.openai.com/codex/hooks):

- PreToolUse: a shell command containing ``rm `` is blocked, with the
  reason ``guard: no rm in this project``; any other runs.
- Stop: the first time a turn would stop, it is sent on with the prompt
  ``Now say goodbye.`` unless the agent's last message already says
  goodbye; the second time (``stop_hook_active``), it may stop.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    event = json.load(sys.stdin)
    name = event.get("hook_event_name")
    if name == "PreToolUse":
        command = str((event.get("tool_input") or {}).get("command", ""))
        if "rm " in command:
            print(json.dumps({"decision": "block", "reason": "guard: no rm in this project"}))
    elif name == "Stop":
        said = str(event.get("last_assistant_message") or "").lower()
        if not event.get("stop_hook_active") and "goodbye" not in said:
            print(json.dumps({"decision": "block", "reason": "Now say goodbye."}))


if __name__ == "__main__":
    main()
