#!/usr/bin/env python3
"""A fake `codex app-server` for fault injection.

It speaks the same JSON-RPC lines on stdio as the real one (initialize,
thread/start, thread/resume, turn/start, turn/steer, turn/interrupt,
thread/compact/start, thread/name/set, hooks/list, thread/shellCommand)
and misbehaves on
command, so tests can show the server survives what a real Codex might
do.

Invoked as ``fake_codex.py app-server``. The environment variable
``FAKE_CODEX_MODE`` changes start-up:

- ``exit-at-start``: print a reason on stderr and exit 1 before answering.
- ``hang-initialize``: never answer ``initialize``.
- ``hang-turn-start``: start turns but never answer ``turn/start``.
- ``auto-review``: as a Codex whose config says ``approvals_reviewer =
  "auto_review"`` and that ignores the client's ``approvalsReviewer``:
  ``thread/start`` and ``thread/resume`` answer ``auto_review``. (Otherwise
  they answer the reviewer asked for, ``user`` when none is.)
- ``unsaved-thread``: ``thread/resume`` fails as Codex 0.171's does for a
  thread that never ran a turn ("no rollout found for thread id …").

The prompt of ``turn/start`` chooses what the turn does:

- ``crash``: start the turn, then exit with status 3 (stderr says why).
- ``hang``: start the turn, then ignore everything, SIGTERM included.
- ``garbage``: write lines that are not JSON-RPC, then finish normally.
- ``spawn``: start a grandchild ``sleep 600`` in the same process group,
  write its pid to ``$FAKE_CODEX_PIDFILE``, then finish normally.
- ``approve``: ask ``item/commandExecution/requestApproval`` for
  ``echo fake`` and report the decision in the reply text.
- ``ask-user``: ask ``item/tool/requestUserInput`` two questions (a
  choice with "other", a secret) and reply ``answers were {...}``.
- ``ask-permissions``: ask ``item/permissions/requestApproval`` for network
  access and to write ``/srv/out`` (as Codex 0.171 asks it: entries and
  the legacy ``write`` list) and reply ``permissions granted {...}`` with
  the response.
- ``elicit``: ask ``mcpServer/elicitation/request`` (server "tickets", a
  form: title required, priority integer, urgent boolean) and reply
  ``elicitation answered {...}`` with the response.
- ``elicit-url URL``: ask ``mcpServer/elicitation/request`` in URL mode
  (server "tickets": open URL) and reply ``elicitation answered {...}``.
- ``tool-call``: send ``item/tool/call`` (a request codex-manager refuses)
  and reply ``tool call answered {...}`` with the JSON-RPC error.
- ``plan``: send what Codex 0.169 sends around a planned edit — two
  ``turn/plan/updated``, ``turn/diff/updated``, ``account/rateLimits/updated``,
  ``model/rerouted``, ``thread/compacted``, a failed
  ``mcpServer/startupStatus/updated`` — then reply ``planned``.
- ``hooks``: what Codex 0.171 sends when a PreToolUse hook blocks a
  command and a Stop hook asks the agent to go on (hook/started and
  hook/completed of each run, a ``hookPrompt`` item), with two replies.
- ``tools``: an MCP tool call that returns a result and one that fails
  (Codex 0.171's ``mcpToolCall`` items), a web search, then ``Filed
  ticket 7.``.
- ``patch-stream``: ``item/fileChange/patchUpdated`` as Codex 0.171 sends
  it while the model writes a patch that deletes ``old.txt`` and adds
  ``new.txt`` (three updates, the second path arriving in the second),
  then reply ``patched``; the patch is never applied.
- ``show-settings``: reply ``settings {...}`` with the settings and images
  its ``turn/start`` carried.
- ``moderated``: stream a reply, then complete it with the
  ``moderation.display`` Codex 0.171 sends for a blocked one.
- ``slow``: stream 50 deltas 100 ms apart (stops early on turn/interrupt);
  text steered in meanwhile (``turn/steer``) makes the final reply
  ``steered: <text> | …``.
- ``burst N``: stream N deltas as fast as it can (throughput benchmarks).
- ``pace N MS``: stream N deltas MS milliseconds apart, each delta the
  CLOCK_MONOTONIC time (ns) it was written at (latency benchmarks; stops
  early on turn/interrupt).
- ``hostile``: write every kind of bad line (null and mistyped params,
  20k-deep nesting, a 1.2 MB line, invalid UTF-8, binary), one 300 KB
  command output, then finish normally.
- ``flood``: write 150 lines that are not JSON, in a row, then nothing.
- ``bad-stderr``: write 600 bytes of two-byte characters and a stray 0xFF
  byte on stderr, then exit 3.
- anything else: reply ``fake: <prompt>`` in two deltas.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

_write_lock = threading.Lock()
_answers: dict[Any, Any] = {}
_answer_ready = threading.Condition()
_interrupted: set[str] = set()
# Turns running now, and the text steered into each (turn/steer).
_running: set[str] = set()
# turn/start params of `show-settings` turns, by turn.
_turn_settings: dict[str, Any] = {}
_steered: dict[str, list[str]] = {}


def send(message: dict[str, Any]) -> None:
    with _write_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def notify(method: str, params: dict[str, Any]) -> None:
    send({"method": method, "params": params})


def item(thread_id: str, turn_id: str, kind: str, body: dict[str, Any]) -> None:
    notify(kind, {"threadId": thread_id, "turnId": turn_id, "item": body})


def agent_reply(thread_id: str, turn_id: str, text: str, pieces: list[str], delay: float = 0) -> bool:
    item_id = "msg_" + uuid.uuid4().hex[:8]
    body = {"type": "agentMessage", "id": item_id, "text": ""}
    item(thread_id, turn_id, "item/started", body)
    for piece in pieces:
        if turn_id in _interrupted:
            return False
        if delay:
            time.sleep(delay)
        notify(
            "item/agentMessage/delta",
            {"threadId": thread_id, "turnId": turn_id, "itemId": item_id, "delta": piece},
        )
    item(thread_id, turn_id, "item/completed", {**body, "text": text})
    return True


def paced(thread_id: str, turn_id: str, count: int, interval: float) -> None:
    """Streams `count` deltas `interval` seconds apart, each its send time."""
    item_id = "msg_" + uuid.uuid4().hex[:8]
    body = {"type": "agentMessage", "id": item_id, "text": ""}
    item(thread_id, turn_id, "item/started", body)
    next_at = time.monotonic()
    for _ in range(count):
        if turn_id in _interrupted:
            break
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))
        with _write_lock:
            stamp = str(time.monotonic_ns())
            sys.stdout.write(json.dumps({"method": "item/agentMessage/delta",
                                         "params": {"threadId": thread_id, "turnId": turn_id,
                                                    "itemId": item_id, "delta": stamp}}) + "\n")
            sys.stdout.flush()
    item(thread_id, turn_id, "item/completed", {**body, "text": "paced"})
    complete(thread_id, turn_id, "interrupted" if turn_id in _interrupted else "completed")


def run_shell_command(thread_id: str, command: str) -> None:
    """As Codex 0.171 answers `thread/shellCommand`: a turn of its own, named
    only by `turn/started`, with a userShell command item (not run: its
    output is the command's text)."""
    turn_id = str(uuid.uuid4())
    notify("turn/started", {"threadId": thread_id, "turn": {"id": turn_id, "items": [], "status": "inProgress"}})
    body = {"type": "commandExecution", "id": str(uuid.uuid4()), "command": f"/bin/bash -lc {command!r}",
            "source": "userShell", "status": "inProgress"}
    item(thread_id, turn_id, "item/started", body)
    item(thread_id, turn_id, "item/completed",
         {**body, "status": "completed", "aggregatedOutput": command + "\n", "exitCode": 0})
    complete(thread_id, turn_id)


def complete(thread_id: str, turn_id: str, status: str = "completed") -> None:
    notify(
        "turn/completed",
        {"threadId": thread_id, "turn": {"id": turn_id, "items": [], "status": status, "error": None}},
    )


def ask(method: str, params: dict[str, Any]) -> Any:
    request_id = int(time.monotonic_ns() % 10**9)
    send({"id": request_id, "method": method, "params": params})
    with _answer_ready:
        while request_id not in _answers:
            _answer_ready.wait()
        return _answers.pop(request_id)


def write_raw(lines: list[bytes]) -> None:
    """Writes bytes as they are (not necessarily UTF-8, JSON or lines)."""
    with _write_lock:
        sys.stdout.flush()
        for line in lines:
            sys.stdout.buffer.write(line + b"\n")
        sys.stdout.buffer.flush()


def hostile_lines(thread_id: str, turn_id: str) -> list[bytes]:
    """Lines a broken or hostile runtime might write, each a different way."""
    ids = {"threadId": thread_id, "turnId": turn_id}
    valid = [
        {"method": "turn/completed", "params": None},
        {"method": "turn/completed", "params": {"turn": "not an object"}},
        {"method": "turn/completed", "params": {"turn": {"id": 7, "status": ["x"]}}},
        {"method": "item/completed", "params": {**ids, "item": "not an object"}},
        {"method": "item/completed", "params": {"turnId": 5, "item": {"id": 1, "type": 2, "text": 3}}},
        {"method": "item/started", "params": {**ids, "item": {"type": "fileChange", "changes": "x"}}},
        {"method": "error", "params": {"error": {"message": 5}, "willRetry": "yes"}},
        {"method": "serverRequest/resolved", "params": [1, 2]},
        {"method": 5, "params": {}},
        {"id": "x", "result": {}},
        {"id": 999999, "error": "not an object"},
        {"id": 12, "method": "item/commandExecution/requestApproval", "params": None},
    ]
    lines = [json.dumps(m).encode() for m in valid]
    lines += [
        b"[" * 20000 + b"]" * 20000,
        b'{"method":"warning","params":{"message":"' + b"x" * 1200000 + b'"}}',
        b'{"method":"warning","params":{"message":"bad \xff\xfe utf-8"}}',
        b"\x00\x01\x02\xff binary garbage",
        b"not json at all",
    ]
    return lines


def hook_run(thread_id: str, turn_id: str, run_id: str, event: str, status: str,
             message: str | None, entries: list[dict[str, str]]) -> None:
    """hook/started, then hook/completed with `status`, as Codex 0.171 sends them."""
    run = {"id": run_id, "eventName": event, "handlerType": "command", "executionMode": "sync",
           "scope": "turn", "sourcePath": "/codex-home/config.toml", "source": "user",
           "displayOrder": 0, "status": "running", "statusMessage": message,
           "startedAt": int(time.time()), "completedAt": None, "durationMs": None, "entries": []}
    notify("hook/started", {"threadId": thread_id, "turnId": turn_id, "run": run})
    notify("hook/completed", {"threadId": thread_id, "turnId": turn_id, "run": {
        **run, "status": status, "completedAt": int(time.time()), "durationMs": 4, "entries": entries}})


def hook_runs(thread_id: str, turn_id: str) -> None:
    """What Codex 0.171 sends when a PreToolUse hook blocks the agent's command
    (no command item follows) and a Stop hook asks it to go on once."""
    hook_run(thread_id, turn_id, "pre-tool-use:0:/codex-home/config.toml:call_1", "preToolUse",
             "blocked", "checking the command", [{"kind": "feedback", "text": "no rm here"}])
    agent_reply(thread_id, turn_id, "The hook blocked rm.", ["The hook blocked rm."])
    stop = "stop:1:/codex-home/config.toml"
    hook_run(thread_id, turn_id, stop, "stop", "blocked", None,
             [{"kind": "feedback", "text": "Now say goodbye."}])
    prompt = {"type": "hookPrompt", "id": "msg_" + uuid.uuid4().hex[:8],
              "fragments": [{"text": "Now say goodbye.", "hookRunId": stop}]}
    item(thread_id, turn_id, "item/started", prompt)
    item(thread_id, turn_id, "item/completed", prompt)
    agent_reply(thread_id, turn_id, "Goodbye.", ["Goodbye."])
    hook_run(thread_id, turn_id, stop, "stop", "completed", None, [])
    complete(thread_id, turn_id)


# A 1x1 red PNG, base64: the image an imageGeneration item carries inline.
RED_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"


def tool_calls(thread_id: str, turn_id: str) -> None:
    """An MCP tool call as Codex 0.171 sends it (started, then completed
    with its result), one that failed, a web search, a generated image, one
    not generated and a wait (the schema's shapes), then a reply."""
    call = {"type": "mcpToolCall", "id": "call_" + uuid.uuid4().hex[:8], "server": "tickets",
            "environmentId": None, "tool": "file_ticket", "status": "inProgress",
            "arguments": {"title": "Disk full", "priority": 2}, "appContext": None,
            "mcpAppUi": None, "pluginId": None, "readOnlyHint": None, "result": None,
            "error": None, "durationMs": None}
    item(thread_id, turn_id, "item/started", call)
    item(thread_id, turn_id, "item/completed", {**call, "status": "completed", "durationMs": 3,
         "result": {"content": [{"type": "text", "text": "ticket 7 filed"}],
                    "structuredContent": None, "_meta": None}})
    failed = {**call, "id": "call_" + uuid.uuid4().hex[:8], "tool": "close_ticket",
              "arguments": {}}
    item(thread_id, turn_id, "item/started", failed)
    item(thread_id, turn_id, "item/completed", {**failed, "status": "failed", "durationMs": 60000,
         "error": {"message": "tool call timed out"}})
    search = {"type": "webSearch", "id": "ws_" + uuid.uuid4().hex[:8], "query": "",
              "action": None, "results": None}
    item(thread_id, turn_id, "item/started", search)
    item(thread_id, turn_id, "item/completed", {**search, "query": "disk full ext4",
         "action": {"type": "search", "query": "disk full ext4", "queries": None}})
    # Codex's image_gen tool and its clock.sleep tool, as the schema has
    # their items (neither is offered to a model of a custom provider).
    image = {"type": "imageGeneration", "id": "ig_" + uuid.uuid4().hex[:8],
             "status": "generating", "revisedPrompt": None, "savedPath": None}
    item(thread_id, turn_id, "item/started", image)
    item(thread_id, turn_id, "item/completed", {
        **image, "status": "completed", "revisedPrompt": "a chart of disk use",
        "result": RED_PIXEL_PNG, "savedPath": "/codex/generated_images/chart.png"})
    item(thread_id, turn_id, "item/completed", {
        **image, "id": "ig_" + uuid.uuid4().hex[:8], "status": "failed",
        "failure": {"type": "usageLimitExceeded", "limitId": "images"}})
    nap = {"type": "sleep", "id": "sl_" + uuid.uuid4().hex[:8], "durationMs": 1500}
    item(thread_id, turn_id, "item/started", nap)
    item(thread_id, turn_id, "item/completed", nap)
    agent_reply(thread_id, turn_id, "Filed ticket 7.", ["Filed ticket 7."])
    complete(thread_id, turn_id)


def run_turn(thread_id: str, turn_id: str, prompt: str) -> None:
    notify("turn/started", {"threadId": thread_id, "turn": {"id": turn_id, "items": [], "status": "inProgress"}})
    if "crash" in prompt:
        print("fake codex: crashing as asked", file=sys.stderr, flush=True)
        os._exit(3)
    if "hang" in prompt:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(3600)
    if "garbage" in prompt:
        with _write_lock:
            sys.stdout.write("this is not json\n")
            sys.stdout.write("{\"truncated\": \n")
            sys.stdout.write("[1, 2, 3]\n")
            sys.stdout.write("\x00\x01\x02 binary\n")
            sys.stdout.flush()
    if "hostile" in prompt:
        write_raw(hostile_lines(thread_id, turn_id))
        big = {"type": "commandExecution", "id": "call_big", "command": "yes",
               "aggregatedOutput": "y\n" * 150000, "status": "completed"}
        item(thread_id, turn_id, "item/completed", big)
    if "flood" in prompt:
        write_raw([b"flood %d: not json" % i for i in range(150)])
        while True:
            time.sleep(3600)
    if "bad-stderr" in prompt:
        sys.stderr.flush()
        sys.stderr.buffer.write(b"\xff" + "\u00e9".encode() * 300 + b" tail\n")
        sys.stderr.buffer.flush()
        os._exit(3)
    if "spawn" in prompt:
        child = subprocess.Popen(["sleep", "600"])
        pidfile = os.environ.get("FAKE_CODEX_PIDFILE")
        if pidfile:
            with open(pidfile, "w") as f:
                f.write(str(child.pid))
    if "approve" in prompt:
        item_id = "call_" + uuid.uuid4().hex[:8]
        cmd = {"type": "commandExecution", "id": item_id, "command": "echo fake", "status": "inProgress"}
        item(thread_id, turn_id, "item/started", cmd)
        answer = ask(
            "item/commandExecution/requestApproval",
            {"threadId": thread_id, "turnId": turn_id, "itemId": item_id, "command": "echo fake",
             "cwd": os.getcwd(), "startedAtMs": int(time.time() * 1000)},
        )
        decision = answer.get("decision") if isinstance(answer, dict) else None
        item(thread_id, turn_id, "item/completed", {**cmd, "status": "completed" if decision == "accept" else "declined"})
        text = f"decision was {decision}"
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id, "interrupted" if decision == "cancel" else "completed")
        return
    if "ask-permissions" in prompt:
        # item/permissions/requestApproval as Codex 0.171 sends it for the
        # model's request_permissions tool (PermissionsRequestApprovalParams).
        answer = ask("item/permissions/requestApproval", {
            "threadId": thread_id, "turnId": turn_id, "itemId": "call_" + uuid.uuid4().hex[:8],
            "cwd": os.getcwd(), "environmentId": "local", "reason": "To fetch and save the data.",
            "startedAtMs": int(time.time() * 1000),
            "permissions": {"network": {"enabled": True}, "fileSystem": {
                "entries": [{"access": "write", "path": {"type": "path", "path": "/srv/out"}}],
                "read": None, "write": ["/srv/out"]}}})
        text = "permissions granted " + json.dumps(answer, sort_keys=True)
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id)
        return
    if "ask-user" in prompt:
        # item/tool/requestUserInput as Codex 0.169 sends it
        # (ToolRequestUserInputParams): one choice with an "other" answer,
        # one secret.
        item_id = "call_" + uuid.uuid4().hex[:8]
        answer = ask("item/tool/requestUserInput", {
            "threadId": thread_id, "turnId": turn_id, "itemId": item_id, "isBlocking": True,
            "questions": [
                {"id": "lang", "header": "Language", "question": "Which language should the tool use?",
                 "isOther": True, "isSecret": False,
                 "options": [{"label": "Python", "description": "the default"},
                             {"label": "Go", "description": "a static binary"}]},
                {"id": "key", "header": "API key", "question": "The key for the test account",
                 "isOther": False, "isSecret": True, "options": None},
            ]})
        answers = answer.get("answers", {}) if isinstance(answer, dict) else {}
        text = "answers were " + json.dumps(
            {k: v.get("answers") for k, v in sorted(answers.items()) if isinstance(v, dict)})
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id)
        return
    if prompt.strip() == "show-settings":
        text = "settings " + json.dumps(_turn_settings.pop(turn_id, {}), sort_keys=True)
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id)
        return
    if prompt.strip() == "moderated":
        item_id = "msg_" + uuid.uuid4().hex[:8]
        body = {"type": "agentMessage", "id": item_id, "text": ""}
        item(thread_id, turn_id, "item/started", body)
        notify("item/agentMessage/delta", {"threadId": thread_id, "turnId": turn_id,
                                           "itemId": item_id, "delta": "how to "})
        item(thread_id, turn_id, "item/completed", {
            **body, "text": "how to do the blocked thing",
            "moderation": {"moderated": True, "display": {
                "mode": "block", "version": 1, "reason": {"kind": "cyber", "trustedAccess": None}}}})
        complete(thread_id, turn_id)
        return
    if prompt.strip() == "plan":
        ids = {"threadId": thread_id, "turnId": turn_id}
        steps = ["Read the failing test", "Fix the parser", "Run the suite"]
        notify("turn/plan/updated", {**ids, "explanation": "Tests first",
                                     "plan": [{"step": s, "status": "pending"} for s in steps]})
        notify("mcpServer/startupStatus/updated", {"name": "tickets", "status": "failed",
                                                   "error": "spawn tickets-mcp ENOENT",
                                                   "threadId": thread_id})
        notify("model/rerouted", {**ids, "fromModel": "gpt-5.1-codex", "toModel": "gpt-5.1-codex-mini",
                                  "reason": "highRiskCyberActivity"})
        notify("turn/diff/updated", {**ids, "diff": "--- a/parser.py\n+++ b/parser.py\n"
                                                    "@@ -1 +1 @@\n-old\n+new\n"})
        notify("account/rateLimits/updated", {"rateLimits": {
            "planType": "plus", "limitId": None, "limitName": None,
            "primary": {"usedPercent": 42, "windowDurationMins": 300, "resetsAt": 1800000000},
            "secondary": None, "credits": None}})
        notify("thread/compacted", ids)
        notify("turn/plan/updated", {**ids, "explanation": None, "plan": [
            {"step": steps[0], "status": "completed"}, {"step": steps[1], "status": "inProgress"},
            {"step": steps[2], "status": "pending"}]})
        agent_reply(thread_id, turn_id, "planned", ["planned"])
        complete(thread_id, turn_id)
        return
    if prompt.strip() == "patch-stream":
        ids = {"threadId": thread_id, "turnId": turn_id, "itemId": "call_patch"}
        deleted = {"path": "old.txt", "kind": {"type": "delete"}, "diff": "gone\n"}
        for added in (None, {"path": "new.txt", "kind": {"type": "add"}, "diff": ""},
                      {"path": "new.txt", "kind": {"type": "add"}, "diff": "hello\n"}):
            notify("item/fileChange/patchUpdated",
                   {**ids, "changes": [deleted] + ([added] if added else [])})
        agent_reply(thread_id, turn_id, "patched", ["patched"])
        complete(thread_id, turn_id)
        return
    if prompt.strip() == "hooks":
        hook_runs(thread_id, turn_id)
        return
    if prompt.strip() == "tools":
        tool_calls(thread_id, turn_id)
        return
    if prompt.startswith("elicit-url "):
        # URL mode (Codex 0.171's McpServerElicitationRequestParams): open
        # the page named after the prompt's first word.
        answer = ask("mcpServer/elicitation/request", {
            "threadId": thread_id, "turnId": turn_id, "serverName": "tickets",
            "mode": "url", "elicitationId": "e1", "message": "Sign in to the tracker",
            "url": prompt.split(None, 1)[1].strip(), "_meta": None})
        text = "elicitation answered " + json.dumps(answer, sort_keys=True)
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id)
        return
    if "elicit" in prompt:
        # mcpServer/elicitation/request as Codex 0.169 sends it
        # (McpServerElicitationRequestParams, form mode).
        answer = ask("mcpServer/elicitation/request", {
            "threadId": thread_id, "turnId": turn_id, "serverName": "tickets",
            "mode": "form", "message": "File a ticket for this?", "_meta": None,
            "requestedSchema": {
                "type": "object", "required": ["title"],
                "properties": {"title": {"type": "string", "title": "Title"},
                               "priority": {"type": "integer", "title": "Priority"},
                               "urgent": {"type": "boolean", "title": "Urgent"}}}})
        text = "elicitation answered " + json.dumps(answer, sort_keys=True)
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id)
        return
    if "tool-call" in prompt:
        answer = ask("item/tool/call", {"threadId": thread_id, "turnId": turn_id,
                                        "callId": "c1", "tool": "lookup", "arguments": {}})
        text = "tool call answered " + json.dumps(answer, sort_keys=True)
        agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id)
        return
    pace = re.search(r"pace (\d+) (\d+)", prompt)
    if pace:
        paced(thread_id, turn_id, int(pace.group(1)), int(pace.group(2)) / 1000)
        return
    burst = re.search(r"burst (\d+)", prompt)
    if burst:
        pieces = [f"t{i} " for i in range(int(burst.group(1)))]
        agent_reply(thread_id, turn_id, "".join(pieces), pieces)
        complete(thread_id, turn_id)
        return
    if "slow" in prompt:
        _running.add(turn_id)
        pieces = [f"w{i} " for i in range(50)]
        done = agent_reply(thread_id, turn_id, "".join(pieces), pieces, delay=0.1)
        _running.discard(turn_id)
        steered = _steered.pop(turn_id, [])
        if done and steered:  # the steer changes how the turn ends
            text = "steered: " + " | ".join(steered)
            agent_reply(thread_id, turn_id, text, [text])
        complete(thread_id, turn_id, "completed" if done else "interrupted")
        return
    text = f"fake: {prompt}"
    agent_reply(thread_id, turn_id, text, [text[: len(text) // 2], text[len(text) // 2 :]])
    complete(thread_id, turn_id)


def main() -> None:
    mode = os.environ.get("FAKE_CODEX_MODE", "")
    if mode == "exit-at-start":
        print("fake codex: refusing to start as asked", file=sys.stderr, flush=True)
        sys.exit(1)
    thread_id = str(uuid.uuid4())
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        method = message.get("method")
        params = message.get("params") or {}
        request_id = message.get("id")
        if method is None and request_id is not None:
            with _answer_ready:
                _answers[request_id] = message.get("result", message.get("error"))
                _answer_ready.notify_all()
            continue
        if method == "initialize":
            if mode == "hang-initialize":
                continue
            version = os.environ.get("FAKE_CODEX_VERSION", "0.169.0")
            send({"id": request_id, "result": {"userAgent": f"fake-codex/{version} (fake)"}})
        elif method == "thread/resume" and mode == "unsaved-thread":
            send({"id": request_id, "error": {
                "code": -32600,
                "message": f"no rollout found for thread id {params.get('threadId')}"}})
        elif method in ("thread/start", "thread/resume"):
            if method == "thread/resume":
                thread_id = params.get("threadId", thread_id)
            # The thread's own settings, as Codex 0.169 answers them.
            reviewer = ("auto_review" if mode == "auto-review"
                        else params.get("approvalsReviewer") or "user")
            send({"id": request_id, "result": {
                "thread": {"id": thread_id}, "model": "fake-model", "reasoningEffort": "medium",
                "approvalPolicy": params.get("approvalPolicy") or "on-request",
                "approvalsReviewer": reviewer, "sandbox": {"type": {
                    "read-only": "readOnly", "danger-full-access": "dangerFullAccess",
                }.get(params.get("sandbox") or "", "workspaceWrite")}}})
        elif method == "turn/start":
            turn_id = str(uuid.uuid4())
            prompt = "".join(part.get("text", "") for part in params.get("input", []))
            if prompt.strip() == "show-settings":  # the reply is what turn/start carried
                settings = {k: v for k, v in params.items() if k not in ("threadId", "input")}
                settings["images"] = [p for p in params.get("input", []) if p.get("type") != "text"]
                _turn_settings[turn_id] = settings
            if mode != "hang-turn-start":
                send({"id": request_id, "result": {"turn": {"id": turn_id, "items": [], "status": "inProgress"}}})
            threading.Thread(target=run_turn, args=(thread_id, turn_id, prompt), daemon=True).start()
        elif method == "turn/steer":
            expected = params.get("expectedTurnId", "")
            if expected in _running:
                text = "".join(part.get("text", "") for part in params.get("input", []))
                _steered.setdefault(expected, []).append(text)
                send({"id": request_id, "result": {"turnId": expected}})
            else:
                send({"id": request_id, "error": {"code": -32600,
                                                  "message": f"no active turn {expected}"}})
        elif method == "turn/interrupt":
            _interrupted.add(params.get("turnId", ""))
            send({"id": request_id, "result": {}})
        elif method == "thread/compact/start":
            # Accepted, then done, told with thread/compacted (the real
            # Codex may send a contextCompaction item instead; the server
            # maps both).
            send({"id": request_id, "result": {}})
            notify("thread/compacted", {"threadId": thread_id, "turnId": ""})
        elif method == "thread/name/set":
            # As Codex 0.171 does: answered, then told to every client.
            send({"id": request_id, "result": {}})
            notify("thread/name/updated", {"threadId": thread_id, "threadName": params.get("name")})
        elif method == "thread/shellCommand":
            if params.get("command") == "refuse":
                send({"id": request_id, "error": {"code": -32600, "message": "fake: refused"}})
            else:
                send({"id": request_id, "result": {}})
                threading.Thread(target=run_shell_command,
                                 args=(thread_id, params.get("command", "")), daemon=True).start()
        elif method == "hooks/list":  # no hooks
            send({"id": request_id, "result": {"data": [
                {"cwd": os.getcwd(), "hooks": [], "warnings": [], "errors": []}]}})
        elif request_id is not None:
            send({"id": request_id, "error": {"code": -32601, "message": f"fake: no {method}"}})


if __name__ == "__main__":
    main()
