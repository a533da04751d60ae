#!/usr/bin/env python3
"""A scripted, OpenAI-compatible Responses API for running the real Codex offline.

`POST /v1/responses` answers with a Server-Sent-Events stream
(`response.created`, output items, `response.completed`), chosen from the
prompt of the latest user message. The script, by what the prompt contains:

- ``run: CMD`` (up to the end of the line): first a ``function_call`` of
  ``exec_command`` with ``{"cmd": CMD}``; once the request carries its
  ``function_call_output``, a reply ``Command output: <last output line>``,
  or ``The command was not run.`` when Codex reports it declined.
- ``escalate: CMD``: as ``run:``, but the call asks to run outside the
  sandbox (``sandbox_permissions: require_escalated``, with a
  justification), which Codex puts to its approvals reviewer under
  ``on-request``.
- ``background: CMD``: an ``exec_command`` of CMD that yields after 500 ms,
  so a CMD still running then goes on as a background terminal; then
  ``Left it running.``.
- ``type: TEXT``: a ``write_stdin`` of TEXT and a newline to the background
  terminal the last yielded command left (by the session id its output
  named), then ``Typed it. Output: <last output line>``.
- ``write: PATH: TEXT``: an ``apply_patch`` custom tool call adding PATH with
  TEXT, its input streamed in pieces (which Codex turns into
  ``item/fileChange/patchUpdated`` under ``[features]
  apply_patch_streaming_events``), then ``File written.``.
- ``move: OLD: NEW``: an ``apply_patch`` custom tool call that moves the
  file OLD to NEW (``*** Move to:``), adding the line ``moved`` at its
  end, then ``File moved.``.
- ``mcp: SERVER TOOL``: Codex defers MCP tools behind its client-side
  ``tool_search``, so first a ``tool_search_call`` for TOOL; once Codex
  put the ``tool_search_output`` in the request, a ``function_call`` of
  TOOL in the namespace that output names (e.g. ``mcp__SERVER__``) with
  ``{}`` arguments; once its output is in the request, a reply ``Tool
  said: <the output's text>``.
- ``goal: OBJECTIVE``: a ``create_goal`` call of Codex's goal tool with
  OBJECTIVE, then ``Goal set.``; Codex then starts turns by itself to
  continue toward it. In such a turn (its user message is Codex's
  ``<codex_internal_context source="goal">``): an ``update_goal`` call
  marking the goal ``complete``, then ``Goal complete.``, which ends them.
- ``spawn: TASK``: with Codex's ``multi_agent_v2`` feature, a
  ``spawn_agent`` call (its ``collaboration`` namespace) of a sub-agent
  named ``helper`` given TASK (which this script then answers in the
  sub-agent's requests: their task is the prompt), then a ``wait_agent``
  call, then ``Helper finished.``.
- ``propose: TITLE``: in Codex's Plan mode (the last
  ``<collaboration_mode>`` block of Codex's developer instructions is the
  Plan one): ``In plan mode.`` and a ``<proposed_plan>`` block titled TITLE
  with two steps (which Codex turns into a ``plan`` item); otherwise ``In
  default mode: doing it.``.
- ``ask: QUESTION``: a ``request_user_input`` call of Codex's question
  tool (Plan mode only) asking QUESTION (id ``storage``, header
  ``Storage``, options ``Disk`` and ``Memory``); once its output is in the
  request, a reply ``You answered: <the output's text>``.
- ``permit: network`` or ``permit: write PATH``: a ``request_permissions``
  call of Codex's permissions tool (``[features]
  request_permissions_tool``) asking for network access or to write PATH
  (an absolute path), with the reason ``To fetch and save the data.``;
  once its output is in the request, a reply ``Granted: <the output's
  text>``.
- ``search: QUERY``: a ``web_search_call`` output item searching for QUERY
  (the provider's hosted web search, as the Responses API streams one),
  which Codex turns into a ``webSearch`` item, then ``Found it.``.
- ``recall: WORD``: ``Instructed: WORD.`` when the request's
  ``instructions`` or one of its messages holds WORD (Codex's developer
  instructions, a session's own among them, and the AGENTS.md it sends;
  messages asking ``recall:`` left out), otherwise ``Not instructed:
  WORD.`` (for tests of what a thread is told).
- ``tier?``: ``Service tier: X.``, X the request's ``service_tier``
  (Codex sends a turn's ``serviceTier``, e.g. ``priority``), or
  ``standard`` when it has none.
- ``effort?``: ``Effort: X.``, X the request's ``reasoning.effort`` (the
  turn's reasoning effort as Codex sent it), or ``none``.
- ``slow: N``: the reply streams word by word with N milliseconds between
  deltas (for interrupt and reload tests).
- ``deltas: N``: a reply of N small text deltas (for throughput tests).
- ``status: N``: no reply: the request fails with HTTP status N and an
  OpenAI-style error body (401: an invalid API key), as the provider would.
- anything else: ``You said: <prompt>``, streamed in a few deltas.

Usage: ``mock_model.py [--port 0] [--port-file F]``. It prints
``{"port": N}`` on stdout once listening (and writes N to --port-file), logs
each request's input to stderr, and serves ``GET /requests`` (the number of
model calls so far, and by request path: a provider's base URL shows) for
tests.
"""

from __future__ import annotations

import argparse
import http.server
import json
import re
import sys
import threading
import time
from typing import Any, Iterator

_lock = threading.Lock()
_requests = 0
# Model calls by request path (a provider's base_url, and /responses).
_paths: dict[str, int] = {}


def _last_user_text(items: list[dict[str, Any]]) -> tuple[str, int]:
    """The text of the last user message and its index in `items`."""
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if item.get("type") == "agent_message" and any(
                "NEW_TASK" in part.get("text", "") for part in item.get("content") or []):
            # A sub-agent's task, from the agent that spawned it: its
            # payload is meant for the model only (encrypted_content), which
            # Codex passes as the spawner wrote it.
            return "\n".join(part.get("encrypted_content", "") for part in item["content"]
                             if part.get("type") == "encrypted_content"), index
        if item.get("type", "message") == "message" and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, str):
                return content, index
            texts = [
                part.get("text", "")
                for part in content or []
                if part.get("type") in ("input_text", "text")
            ]
            return "\n".join(texts), index
    return "", -1


def _outputs_after(items: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    return [
        item
        for item in items[index + 1 :]
        if item.get("type") in ("function_call_output", "custom_tool_call_output",
                                "tool_search_output")
    ]


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, dict):
        return str(output.get("content") or output.get("output") or "")
    if isinstance(output, list):
        return "".join(
            part.get("text", "") for part in output if isinstance(part, dict)
        )
    return str(output)


def _message(text: str, pieces: list[str], delay_s: float) -> Iterator[tuple[str, dict[str, Any]]]:
    item_id = f"msg_{abs(hash(text)) % 10**8}_{time.monotonic_ns()}"
    yield "response.output_item.added", {
        "output_index": 0,
        "item": {"type": "message", "role": "assistant", "id": item_id, "content": []},
    }
    for piece in pieces:
        if delay_s:
            time.sleep(delay_s)
        yield "response.output_text.delta", {
            "delta": piece,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
        }
    yield "response.output_item.done", {
        "output_index": 0,
        "item": {
            "type": "message",
            "role": "assistant",
            "id": item_id,
            "content": [{"type": "output_text", "text": text}],
        },
    }


def _chunks(text: str, n: int = 3) -> list[str]:
    size = max(1, len(text) // n)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _function_call(name: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The SSE event of a call of Codex's tool `name` with `arguments`."""
    return "response.output_item.done", {
        "output_index": 0,
        "item": {
            "type": "function_call",
            "name": name,
            "call_id": f"call_{time.monotonic_ns()}",
            "arguments": json.dumps(arguments),
        },
    }


def _custom_tool_call(name: str, text: str) -> tuple[str, dict[str, Any]]:
    """The SSE event of a call of Codex's free-form tool `name` with input `text`."""
    call_id = f"call_{time.monotonic_ns()}"
    return "response.output_item.done", {
        "output_index": 0,
        "item": {"type": "custom_tool_call", "name": name, "call_id": call_id,
                 "id": f"ctc_{call_id}", "input": text},
    }


def script(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The SSE events (name, data) answering one request."""
    items = body.get("input") or []
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    prompt, index = _last_user_text(items)
    outputs = _outputs_after(items, index)

    background = re.search(r"background:\s*(.+)", prompt)
    typed = re.search(r"type:\s*(.+)", prompt)
    run = re.search(r"(?:run|escalate):\s*(.+)", prompt)
    escalate = re.search(r"escalate:\s*(.+)", prompt)
    write = re.search(r"write:\s*(\S+):\s*(.+)", prompt)
    move = re.search(r"move:\s*(\S+):\s*(\S+)", prompt)
    slow = re.search(r"slow:\s*(\d+)", prompt)
    mcp = re.search(r"mcp:\s*(\S+)\s+(\S+)", prompt)
    deltas = re.search(r"deltas:\s*(\d+)", prompt)
    goal = re.search(r"goal:\s*(.+)", prompt)
    spawn = re.search(r"spawn:\s*(.+)", prompt)
    propose = re.search(r"propose:\s*(.+)", prompt)
    ask = re.search(r"ask:\s*(.+)", prompt)
    permit = re.search(r"permit:\s*(network|write\s+\S+)", prompt)
    search = re.search(r"\bsearch:\s*(.+)", prompt)
    recall = re.search(r"recall:\s*(\S+)", prompt)
    tier = re.search(r"\btier\?", prompt)
    effort = re.search(r"\beffort\?", prompt)

    if 'source="goal"' in prompt:
        if not outputs:
            yield _function_call("update_goal", {"status": "complete"})
            return
        yield from _message("Goal complete.", ["Goal ", "complete."], 0)
        return
    if spawn and len(outputs) < 2:
        # Codex's multi-agent tools (feature multi_agent_v2), in their
        # namespace: a sub-agent named helper with the task, then a wait for it.
        call = (_function_call("spawn_agent", {"task_name": "helper", "fork_turns": "none",
                                               "message": spawn.group(1).strip()})
                if not outputs else _function_call("wait_agent", {"timeout_ms": 30000}))
        call[1]["item"]["namespace"] = "collaboration"
        yield call
        return
    if spawn:
        yield from _message("Helper finished.", ["Helper ", "finished."], 0)
        return
    if goal and not outputs:
        yield _function_call("create_goal", {"objective": goal.group(1).strip()})
        return
    if goal:
        yield from _message("Goal set.", ["Goal ", "set."], 0)
        return
    if ask and not outputs:
        yield _function_call("request_user_input", {"questions": [{
            "id": "storage", "header": "Storage", "question": ask.group(1).strip(),
            "options": [{"label": "Disk", "description": "Kept across restarts."},
                        {"label": "Memory", "description": "Faster, lost on restart."}]}]})
        return
    if ask:
        reply = f"You answered: {_output_text(outputs[-1].get('output')).strip()}"
        yield from _message(reply, _chunks(reply), 0)
        return
    if permit and not outputs:
        what = permit.group(1)
        permissions = ({"network": {"enabled": True}} if what == "network" else
                       {"file_system": {"write": [what.split(None, 1)[1]]}})
        yield _function_call("request_permissions", {
            "permissions": permissions, "reason": "To fetch and save the data."})
        return
    if permit:
        reply = f"Granted: {_output_text(outputs[-1].get('output')).strip()}"
        yield from _message(reply, _chunks(reply), 0)
        return
    if background and not outputs:
        yield _function_call("exec_command", {"cmd": background.group(1).strip(),
                                              "yield_time_ms": 500, "tty": True})
        return
    if background:
        reply = "Left it running."
        yield from _message(reply, _chunks(reply), 0)
        return
    if typed and not outputs:
        # The background terminal the last yielded command left, by the id
        # exec_command's output gave it.
        session_ids = [m.group(1) for o in items if o.get("type") == "function_call_output"
                       for m in re.finditer(r"session ID (\d+)", _output_text(o.get("output")))]
        yield _function_call("write_stdin", {
            "session_id": int(session_ids[-1]) if session_ids else 0,
            "chars": typed.group(1).strip() + "\n", "yield_time_ms": 500})
        return
    if typed:
        lines = [line for line in _output_text(outputs[-1].get("output")).splitlines()
                 if line.strip()]
        reply = f"Typed it. Output: {lines[-1].strip() if lines else ''}"
        yield from _message(reply, _chunks(reply), 0)
        return
    if run and not outputs:
        args = {"cmd": run.group(1).strip()}
        if escalate:
            args.update(sandbox_permissions="require_escalated",
                        justification="It writes outside the sandbox.")
        yield _function_call("exec_command", args)
        return
    if run:
        text = _output_text(outputs[-1].get("output"))
        lowered = text.lower()
        if "reject" in lowered or "declin" in lowered or "denied" in lowered:
            reply = "The command was not run."
        else:
            lines = [line for line in text.splitlines() if line.strip()]
            # exec_command output carries a header; the command's own output
            # follows "Output:".
            if "Output:" in lines:
                lines = lines[lines.index("Output:") + 1 :]
            # The last line: a login shell may print its own noise first.
            reply = f"Command output: {lines[-1].strip() if lines else ''}"
        yield from _message(reply, _chunks(reply), 0)
        return
    if mcp:
        searched = [o for o in outputs if o.get("type") == "tool_search_output"]
        called = [o for o in outputs if o.get("type") == "function_call_output"]
        if called:
            reply = f"Tool said: {_output_text(called[-1].get('output')).strip()}"
            yield from _message(reply, _chunks(reply), 0)
            return
        if not searched:
            yield "response.output_item.done", {
                "output_index": 0,
                "item": {
                    "type": "tool_search_call",
                    "call_id": f"search_{time.monotonic_ns()}",
                    "execution": "client",
                    "status": "completed",
                    "arguments": {"query": mcp.group(2), "limit": 8},
                },
            }
            return
        namespace = f"mcp__{mcp.group(1)}__"
        for tool in searched[-1].get("tools") or []:
            if isinstance(tool, dict) and tool.get("type") == "namespace" and any(
                    isinstance(t, dict) and t.get("name") == mcp.group(2)
                    for t in tool.get("tools") or []):
                namespace = tool.get("name", namespace)
        yield "response.output_item.done", {
            "output_index": 0,
            "item": {
                "type": "function_call",
                "namespace": namespace,
                "name": mcp.group(2),
                "call_id": f"call_{time.monotonic_ns()}",
                "arguments": "{}",
            },
        }
        return
    if move and not outputs:
        # A chunk of added lines only goes at the end of the file.
        patch = (f"*** Begin Patch\n*** Update File: {move.group(1)}\n"
                 f"*** Move to: {move.group(2)}\n@@\n+moved\n*** End Patch\n")
        yield _custom_tool_call("apply_patch", patch)
        return
    if move:
        yield from _message("File moved.", ["File ", "moved."], 0)
        return
    if write and not outputs:
        path, text = write.group(1), write.group(2)
        patch = f"*** Begin Patch\n*** Add File: {path}\n+{text}\n*** End Patch\n"
        # As the Responses API streams a custom tool call: its input in
        # pieces, then the whole call.
        call_id = f"call_{time.monotonic_ns()}"
        item = {"type": "custom_tool_call", "name": "apply_patch", "call_id": call_id,
                "id": f"ctc_{call_id}"}
        yield "response.output_item.added", {"output_index": 0, "item": {**item, "input": ""}}
        for piece in _chunks(patch, 4):
            yield "response.custom_tool_call_input.delta", {
                "output_index": 0, "item_id": item["id"], "delta": piece}
        yield "response.output_item.done", {"output_index": 0, "item": {**item, "input": patch}}
        return
    if write:
        yield from _message("File written.", ["File ", "written."], 0)
        return
    if deltas:
        n = int(deltas.group(1))
        pieces = [f"d{i} " for i in range(n)]
        yield from _message("".join(pieces), pieces, 0)
        return
    if effort:
        reasoning = body.get("reasoning") if isinstance(body.get("reasoning"), dict) else {}
        reply = f"Effort: {reasoning.get('effort') or 'none'}."
        yield from _message(reply, [reply], 0)
        return
    if tier:
        reply = f"Service tier: {body.get('service_tier') or 'standard'}."
        yield from _message(reply, [reply], 0)
        return
    if recall:
        word = recall.group(1)
        told = [json.dumps(item.get("content")) for item in items
                if isinstance(item, dict) and item.get("role") in ("developer", "system", "user")]
        told = [text for text in told if "recall:" not in text]
        told.append(str(body.get("instructions") or ""))
        reply = (f"Instructed: {word}." if any(word in text for text in told)
                 else f"Not instructed: {word}.")
        yield from _message(reply, [reply], 0)
        return
    if slow:
        delay = int(slow.group(1)) / 1000.0
        words = [f"word{i} " for i in range(20)]
        yield from _message("".join(words), words, delay)
        return
    if search:
        yield "response.output_item.done", {"output_index": 0, "item": {
            "type": "web_search_call", "id": f"ws_{time.monotonic_ns()}",
            "status": "completed",
            "action": {"type": "search", "query": search.group(1).strip()}}}
        yield from _message("Found it.", ["Found ", "it."], 0)
        return
    if propose:
        # What Codex's developer instructions say the mode is: the last
        # <collaboration_mode> block's heading ("# Plan Mode …",
        # "# Collaboration Mode: Default"), none when Codex sent none.
        blocks = re.findall(r"<collaboration_mode>#\s*([^\\\n]*)", json.dumps(items))
        mode = ("plan" if blocks and blocks[-1].startswith("Plan Mode")
                else "default")
        if mode == "plan":
            title = propose.group(1).strip()
            reply = (f"In plan mode.\n<proposed_plan>\n# {title}\n\n"
                     "- Read the notes\n- Tidy them\n</proposed_plan>\n")
        else:
            reply = "In default mode: doing it."
        yield from _message(reply, _chunks(reply), 0)
        return
    reply = f"You said: {prompt.strip()}"
    yield from _message(reply, _chunks(reply), 0)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/requests"):
            with _lock:
                payload = json.dumps({"requests": _requests, "paths": _paths}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_error(404)

    def do_POST(self) -> None:
        global _requests
        length = int(self.headers.get("content-length", "0"))
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/responses"):
            self.send_error(404)
            return
        with _lock:
            _requests += 1
            _paths[self.path] = _paths.get(self.path, 0) + 1
        tools = [t.get("name") or t.get("type") for t in body.get("tools") or []]
        # What the request asked of the model, one JSON line: its tools, its
        # output format (a turn's output schema), the kinds of content in
        # its input (e.g. "input_image"), the input's start, and the text of
        # every user message in it (the conversation the model sees).
        kinds = sorted({part.get("type", "") for message in body.get("input") or []
                        if isinstance(message, dict)
                        for part in (message.get("content") if isinstance(message.get("content"), list)
                                     else [])
                        if isinstance(part, dict)})
        user_texts = [_last_user_text([item])[0] for item in body.get("input") or []
                      if isinstance(item, dict) and item.get("role") == "user"]
        print(json.dumps({"tools": tools, "text": body.get("text"), "input_kinds": kinds,
                          "service_tier": body.get("service_tier"),
                          "reasoning": body.get("reasoning"),
                          "input": json.dumps(body.get("input"))[:2000],
                          "user_texts": user_texts}),
              file=sys.stderr, flush=True)
        failing = re.match(r"status:\s*(\d{3})", user_texts[-1] if user_texts else "")
        if failing:
            code = int(failing.group(1))
            error = json.dumps({"error": {
                "message": "Incorrect API key provided." if code == 401 else f"status {code}",
                "type": "invalid_request_error",
                "code": "invalid_api_key" if code == 401 else None}}).encode()
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("connection", "close")
        self.end_headers()
        response_id = f"resp_{time.monotonic_ns()}"

        def send(name: str, data: dict[str, Any]) -> None:
            data = {"type": name, **data}
            self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()

        try:
            send("response.created", {"response": {"id": response_id}})
            for name, data in script(body):
                send(name, data)
            send(
                "response.completed",
                {
                    "response": {
                        "id": response_id,
                        "usage": {
                            "input_tokens": 10,
                            "input_tokens_details": {"cached_tokens": 0},
                            "output_tokens": 5,
                            "output_tokens_details": {"reasoning_tokens": 0},
                            "total_tokens": 15,
                        },
                    }
                },
            )
        except (BrokenPipeError, ConnectionResetError):
            pass  # Codex went away (interrupt, stop)
        self.close_connection = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(str(port))
    print(json.dumps({"port": port}), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
