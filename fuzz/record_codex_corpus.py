#!/usr/bin/env python3
"""Records the seed corpus of the JSON-RPC fuzzer from real Codex traffic.

Runs the pinned `codex app-server` (tools/codex) against the scripted mock
model (tests/mock_model), with trusted hooks (tests/codex_hooks/guard.py:
a PreToolUse hook that blocks `rm`, a Stop hook that sends the agent on
once), drives a thread through a plain reply, a command that needs
approval, one the hook blocks, a file change, permissions the model asks
for (network, a path to write), an interrupt and a goal
(set, worked toward in a turn Codex starts itself, cleared), and writes
every line Codex prints on stdout to fuzz/corpus/json_rpc/ (one file per
distinct line shape, named by its SHA-1; `--out DIR` writes elsewhere).
Rerun after pinning a new Codex:

    .venv/bin/python fuzz/record_codex_corpus.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

from cm_testing import (CODEX_BIN, MockModel, add_guard_hooks, codex_home_dir,  # noqa: E402
                        trust_codex_hooks, write_codex_home)

OUT = REPO / "fuzz" / "corpus" / "json_rpc"


class AppServer:
    def __init__(self, home: Path, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [str(CODEX_BIN), "app-server"], cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={"CODEX_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home)})
        self.lines: list[str] = []
        self.answers: dict[int, Any] = {}
        self.notes: list[dict[str, Any]] = []
        self.cv = threading.Condition()
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            message = json.loads(line)
            with self.cv:
                if message.get("method") == "item/permissions/requestApproval":
                    # Granted as asked, for the turn.
                    self.send({"id": message["id"], "result": {
                        "permissions": message["params"]["permissions"]}})
                elif "method" in message and "id" in message:  # a request to us
                    self.send({"id": message["id"], "result": {"decision": "accept"}})
                elif "method" in message:
                    self.notes.append(message)
                else:
                    self.answers[message["id"]] = message
                self.cv.notify_all()

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def call(self, method: str, params: dict[str, Any]) -> Any:
        with self.cv:
            request_id = self.next_id
            self.next_id += 1
        self.send({"id": request_id, "method": method, "params": params})
        with self.cv:
            self.cv.wait_for(lambda: request_id in self.answers, timeout=60)
            return self.answers[request_id].get("result")

    def wait_note(self, method: str, count: int = 1) -> None:
        with self.cv:
            self.cv.wait_for(
                lambda: sum(n["method"] == method for n in self.notes) >= count, timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    with tempfile.TemporaryDirectory() as tmp, codex_home_dir() as codex_home:
        model = MockModel(Path(tmp))
        try:
            home = add_guard_hooks(write_codex_home(
                codex_home, model.port, features=("request_permissions_tool",)))
            cwd = Path(tmp) / "project"
            cwd.mkdir()
            trust_codex_hooks(home, cwd)
            server = AppServer(home, cwd)
            server.call("initialize", {"clientInfo": {"name": "corpus", "version": "0"}})
            server.send({"method": "initialized"})
            server.call("experimentalFeature/list", {})
            server.call("config/read", {})
            thread = server.call("thread/start", {"cwd": str(cwd), "approvalPolicy": "untrusted"})
            thread_id = thread["thread"]["id"]
            prompts = ["hello there", "please run: echo corpus", "write: notes.txt: hi",
                       "please run: rm notes.txt", "permit: network",
                       f"permit: write {cwd}/out", "slow: 200"]
            for n, prompt in enumerate(prompts, start=1):
                turn = server.call("turn/start", {"threadId": thread_id, "input": [
                    {"type": "text", "text": prompt, "text_elements": []}]})
                if prompt.startswith("slow"):
                    time.sleep(0.5)
                    server.call("turn/interrupt", {"threadId": thread_id,
                                                   "turnId": turn["turn"]["id"]})
                server.wait_note("turn/completed", n)
            # A goal a person sets: Codex goes on toward it by itself, the
            # agent marks it complete; then it is cleared.
            server.call("thread/goal/get", {"threadId": thread_id})
            server.call("thread/goal/set", {"threadId": thread_id, "objective": "count to three",
                                            "tokenBudget": 5000, "origin": "user"})
            server.wait_note("turn/completed", len(prompts) + 1)
            server.call("thread/goal/clear", {"threadId": thread_id, "origin": "user"})
            server.wait_note("thread/goal/cleared")
            server.proc.terminate()
            server.proc.wait(timeout=10)
        finally:
            model.stop()
    out.mkdir(parents=True, exist_ok=True)
    shapes: dict[str, str] = {}
    for line in server.lines:
        message = json.loads(line)
        params = message.get("params") or {}
        item = params.get("item") if isinstance(params, dict) else None
        shape = ":".join([message.get("method", "response"), str(sorted(params)),
                          str(item.get("type")) if isinstance(item, dict) else "",
                          str(sorted(message.get("result") or {}))])
        shapes.setdefault(shape, line)
    for line in shapes.values():
        (out / hashlib.sha1(line.encode()).hexdigest()).write_text(line)
    print(f"{len(server.lines)} lines, {len(shapes)} shapes written to {out}")


if __name__ == "__main__":
    main()
