"""Fixtures for end-to-end tests: the real codex-manager-server and
codex-manager binaries, the real pinned `codex` against the scripted mock
model, and the fake app-server for fault injection."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from cm_testing import (  # noqa: E402  (re-exported for the test modules)
    CLI_BIN,
    CODEX_BIN,
    FAKE_CODEX,
    SERVER_BIN,
    MockModel,
    Server,
    make_server,
    processes_in,
    wait_for,
    codex_home_dir,
    write_codex_home,
    zombies_of,
)

__all__ = ["Cli", "Server", "make_server", "processes_in", "wait_for", "zombies_of"]

# Servers start with a login shell's umask, whatever the runner's: under
# 077 the check that Codex writes project files with the server's starting
# umask, not the server's own 077 (test_real_codex.py), could not fail.
os.umask(0o022)


def pytest_configure(config: pytest.Config) -> None:
    for path in (SERVER_BIN, CLI_BIN):
        if not path.exists():
            raise pytest.UsageError(f"{path} is missing: build first (scripts/test.sh)")
    if not CODEX_BIN.exists():
        raise pytest.UsageError(f"{CODEX_BIN} is missing: npm ci in tools/codex")


@pytest.fixture(scope="session")
def mock_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockModel]:
    model = MockModel(tmp_path_factory.mktemp("mock"))
    yield model
    model.stop()


@pytest.fixture(scope="session")
def codex_home(mock_model: MockModel) -> Iterator[Path]:
    with codex_home_dir() as home:
        yield write_codex_home(home, mock_model.port)


@pytest.fixture
def server(tmp_path: Path, codex_home: Path) -> Iterator[Server]:
    """The server running the real, pinned codex against the mock model."""
    yield from make_server(
        tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(codex_home)]
    )


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[Server]:
    """The server running tests/fake_codex for fault injection."""
    yield from make_server(
        tmp_path, ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms"]
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


class Cli:
    """Runs the codex-manager binary against one server."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def argv(self, *args: str) -> list[str]:
        return [str(CLI_BIN), "--addr", self.server.addr, *args]

    def __call__(self, *args: str, timeout: float = 60, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args), capture_output=True, text=True, timeout=timeout, input=input
        )

    def json(self, *args: str, timeout: float = 60) -> Any:
        result = self("--json", *args, timeout=timeout)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def lines(self, *args: str, timeout: float = 60) -> list[Any]:
        result = self("--json", *args, timeout=timeout)
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def on_a_terminal(self, *args: str, reply_to: bytes, reply: bytes,
                      timeout: float = 60) -> tuple[int, bytes]:
        """Runs the CLI with a terminal (a pty) as its stdin, stdout and
        stderr, as a person would; types `reply` once it wrote `reply_to`.
        Returns its exit code and all it wrote (the pty's "\r\n" line ends)."""
        controller, terminal = pty.openpty()
        with subprocess.Popen(self.argv(*args), stdin=terminal, stdout=terminal,
                              stderr=terminal) as process:
            os.close(terminal)
            seen = b""
            while reply_to not in seen:
                seen += os.read(controller, 4096)
            os.write(controller, reply)
            code = process.wait(timeout=timeout)
            while True:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the terminal's other side is closed
                    break
                if not chunk:
                    break
                seen += chunk
        os.close(controller)
        return code, seen


@pytest.fixture
def cli(server: Server) -> Cli:
    return Cli(server)


@pytest.fixture
def fake_cli(fake_server: Server) -> Cli:
    return Cli(fake_server)
