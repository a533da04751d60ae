"""scripts/demo.sh, as a newcomer runs it (README, Quick start): the real,
pinned Codex against the scripted model, one whole turn with its approval,
and a replay command that works from any shell."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

from cm_testing import BUILD, REPO
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
    assignments = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
    command = [w for w in words if w not in {f"{k}={v}" for k, v in assignments.items()}]
    assert command[:2] == ["build/bin/codex-manager", "events"], hint
    assert command[2].startswith("ses_"), hint
    assert assignments["CODEX_MANAGER_TOKEN_FILE"] == str(demo / "var" / "admin.token")

    # The demo stopped its server: start one on the same data dir and
    # address, and replay with exactly the printed command, from a shell
    # with nothing of the demo's set.
    server = subprocess.Popen(
        [str(BUILD / "bin" / "codex-manager-server"), "--listen", addr,
         "--data-dir", str(demo / "var"), "--codex-bin", "/bin/false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(100):
            health = subprocess.run(
                [str(BUILD / "bin" / "codex-manager"), "--addr", addr, "health"],
                capture_output=True, timeout=30, env=env)
            if health.returncode == 0:
                break
            time.sleep(0.1)
        replay = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                                timeout=60, env={**env, **assignments})
        assert replay.returncode == 0, replay.stdout + replay.stderr
        assert "please run: echo hello from codex manager" in replay.stdout
        assert "hello from codex manager" in replay.stdout.split("please run:", 1)[1]
        # Without the printed token file, the same command is refused.
        refused = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                                 timeout=60, env={**env, "CODEX_MANAGER_ADDR": addr})
        assert refused.returncode != 0
    finally:
        server.terminate()
        server.wait(timeout=30)
