#!/usr/bin/env python3
"""A tiny MCP server on stdio (newline-delimited JSON-RPC 2.0, the MCP stdio
transport) for end-to-end tests of MCP elicitation.

It offers one tool, ``file_ticket``. Calling it asks the client for input
(``elicitation/create``, MCP 2025-06-18) with a form: a required ``priority``
("low" or "high") and an optional integer ``count``. The tool's result says
what came back: ``ticket filed: action=accept priority=high count=3``, or
``ticket not filed: action=decline``. Every message it reads is appended to
the file named by $ELICIT_SERVER_LOG, when set.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

SCHEMA = {
    "type": "object",
    "properties": {
        "priority": {"type": "string", "enum": ["low", "high"], "title": "Priority"},
        "count": {"type": "integer", "title": "How many"},
    },
    "required": ["priority"],
}


def send(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def log(message: dict[str, Any]) -> None:
    path = os.environ.get("ELICIT_SERVER_LOG")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(message) + "\n")


def main() -> None:
    waiting: dict[str, Any] = {}  # elicitation id -> the tools/call id
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        log(message)
        method = message.get("method")
        if method == "initialize":
            send({"jsonrpc": "2.0", "id": message["id"], "result": {
                "protocolVersion": message["params"].get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "tickets", "version": "1.0.0"}}})
        elif method == "tools/list":
            send({"jsonrpc": "2.0", "id": message["id"], "result": {"tools": [{
                "name": "file_ticket",
                "description": "Files a ticket; asks the user for its priority.",
                "inputSchema": {"type": "object", "properties": {}}}]}})
        elif method == "tools/call":
            ask_id = f"elicit-{message['id']}"
            waiting[ask_id] = message["id"]
            send({"jsonrpc": "2.0", "id": ask_id, "method": "elicitation/create", "params": {
                "message": "Which priority should the ticket have?",
                "requestedSchema": SCHEMA}})
        elif method is None and message.get("id") in waiting:
            call_id = waiting.pop(message["id"])
            result = message.get("result") or {}
            action = result.get("action", "error")
            content = result.get("content") or {}
            if action == "accept":
                text = "ticket filed: action=accept " + " ".join(
                    f"{k}={json.dumps(content[k])}" for k in sorted(content))
            else:
                text = f"ticket not filed: action={action}"
            send({"jsonrpc": "2.0", "id": call_id, "result": {
                "content": [{"type": "text", "text": text}], "isError": False}})
        elif "id" in message and method is not None:
            send({"jsonrpc": "2.0", "id": message["id"], "result": {}})


if __name__ == "__main__":
    main()
