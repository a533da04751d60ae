"""scripts/demo.sh, as a newcomer runs it (README, Quick start): the real,
pinned Codex against the scripted model, one whole turn with its approval,
and a replay command that works from any shell."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from cm_testing import REPO, Server
from test_cli import free_port


def test_the_demo_runs_a_turn_and_prints_a_replay_that_works(tmp_path: Path) -> None:
    addr = f"127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CODEX_MANAGER_")}  # as a fresh shell has it
    env["HOME"] = str(tmp_path / "home")  # no admin token of another server
    demo = tmp_path / "demo"
    run = subprocess.run(
        ["scripts/demo.sh"], cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=240,
        env={**env, "CODEX_MANAGER_ADDR": addr, "CODEX_MANAGER_DEMO_DIR": str(demo),
             "CODEX_MANAGER_WEB_ADDR": f"127.0.0.1:{free_port()}",
             # Set up already (scripts/test.sh); setup would reinstall the
             # SDK and rebuild the UI under the tests running beside this.
             "CODEX_MANAGER_DEMO_SETUP": "0"})
    out = run.stdout + run.stderr  # the CLI's progress goes to stderr
    assert run.returncode == 0, out
    assert "approval apr_" in out and ": APPROVED" in out, out
    assert "COMPLETED" in out and "Command output: hello from codex manager" in out, out
    hint = [line for line in run.stdout.splitlines()
            if line.startswith("demo: replay it with:")]
    assert len(hint) == 1, run.stdout
    words = shlex.split(hint[0].removeprefix("demo: replay it with:"))
    # NAME=value words, then the command (as a shell reads the line).
    n = next(i for i, word in enumerate(words) if "=" not in word)
    assignments = dict(word.split("=", 1) for word in words[:n])
    command = words[n:]
    assert command[:2] == [str(REPO / "build" / "bin" / "codex-manager"), "events"], hint
    assert command[2].startswith("ses_") and len(command) == 3, hint
    assert assignments == {"CODEX_MANAGER_ADDR": addr,
                           "CODEX_MANAGER_TOKEN_FILE": str(demo / "var" / "admin.token")}

    # The demo stopped its server: start one on the same data dir and
    # address, and replay with exactly the printed command, from another
    # folder and a shell with nothing of the demo's set.
    server = Server(demo / "var", tmp_path, ["--codex-bin", "/bin/false"])
    server.port = int(addr.rsplit(":", 1)[1])
    server.start()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    try:
        replay = subprocess.run(command, cwd=elsewhere, capture_output=True, text=True,
                                timeout=60, env={**env, **assignments})
        assert replay.returncode == 0, replay.stdout + replay.stderr
        prompt = "please run: echo hello from codex manager"
        assert prompt in replay.stdout, replay.stdout
        assert "hello from codex manager" in replay.stdout.split(prompt, 1)[1]
        # Without the printed token file, the same command is refused: exit
        # code 5, not signed in (codex-manager --help).
        refused = subprocess.run(command, cwd=elsewhere, capture_output=True, text=True,
                                 timeout=60, env={**env, "CODEX_MANAGER_ADDR": addr})
        assert refused.returncode == 5, refused.stderr
    finally:
        assert server.stop() == 0
    server.assert_clean_logs()
