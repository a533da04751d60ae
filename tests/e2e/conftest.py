"""Fixtures for end-to-end tests: the real codex-manager-server and
codex-manager binaries, the real pinned `codex` against the scripted mock
model, and the fake app-server for fault injection. Everything listens on
127.0.0.1 on ports chosen at run time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("CODEX_MANAGER_BUILD", REPO / "build"))
SERVER_BIN = BUILD / "bin" / "codex-manager-server"
CLI_BIN = BUILD / "bin" / "codex-manager"
CODEX_BIN = REPO / "tools" / "codex" / "node_modules" / ".bin" / "codex"
FAKE_CODEX = REPO / "tests" / "fake_codex" / "fake_codex.py"
MOCK_MODEL = REPO / "tests" / "mock_model" / "mock_model.py"


def pytest_configure(config: pytest.Config) -> None:
    for path in (SERVER_BIN, CLI_BIN):
        if not path.exists():
            raise pytest.UsageError(f"{path} is missing: build first (scripts/test.sh)")
    if not CODEX_BIN.exists():
        raise pytest.UsageError(f"{CODEX_BIN} is missing: npm ci in tools/codex")


class MockModel:
    def __init__(self, log_dir: Path) -> None:
        self.stderr = open(log_dir / "mock_model.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(MOCK_MODEL)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        line = self.proc.stdout.readline()  # {"port": N}
        self.port = json.loads(line)["port"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.stderr.close()


@pytest.fixture(scope="session")
def mock_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockModel]:
    model = MockModel(tmp_path_factory.mktemp("mock"))
    yield model
    model.stop()


@pytest.fixture(scope="session")
def codex_home(tmp_path_factory: pytest.TempPathFactory, mock_model: MockModel) -> Path:
    """A CODEX_HOME whose config points the real codex at the mock model.

    The model name is one Codex ships metadata for: Codex chooses the tools it
    offers (apply_patch among them) by model, and an unknown name gets none.
    Every request still goes to the mock provider."""
    home = tmp_path_factory.mktemp("codex-home")
    (home / "config.toml").write_text(
        'model = "gpt-5.5"\n'
        'model_provider = "mock"\n'
        "[model_providers.mock]\n"
        'name = "mock"\n'
        f'base_url = "http://127.0.0.1:{mock_model.port}/v1"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
    )
    return home


class Server:
    """One codex-manager-server process; restartable on the same data dir."""

    def __init__(self, data_dir: Path, log_dir: Path, args: list[str]) -> None:
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.args = args
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0
        self.starts = 0

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        self.log_path = self.log_dir / f"server-{self.starts}.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(SERVER_BIN), "--listen", "127.0.0.1:0", "--data-dir", str(self.data_dir), *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.write(line)
            self.log.flush()
            entry = json.loads(line)
            if entry.get("msg") == "listening":
                self.port = entry["port"]
                break
        if not self.port:
            raise RuntimeError(f"server did not start; see {self.log_path}")
        # Keep draining stderr into the log file.
        import threading

        def drain(proc: subprocess.Popen[str], log: Any) -> None:
            for line in proc.stderr:  # type: ignore[union-attr]
                log.write(line)
                log.flush()

        threading.Thread(target=drain, args=(self.proc, self.log), daemon=True).start()

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Stops the server; returns its exit status (None if not running)."""
        if self.proc is None:
            return None
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"server ignored signal {sig} for 15 s; see {self.log_path}")
        self.proc = None
        return code

    def assert_clean_logs(self) -> None:
        """No sanitizer report or crash in any of this server's logs."""
        for path in sorted(self.log_dir.glob("server-*.log")):
            text = path.read_text()
            for marker in ("Sanitizer", "runtime error:", "Segmentation fault"):
                assert marker not in text, f"{marker} in {path}"

    def log_lines(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted(self.log_dir.glob("server-*.log")):
            for line in path.read_text().splitlines():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        return out


def make_server(tmp_path: Path, args: list[str]) -> Iterator[Server]:
    server = Server(tmp_path / "var", tmp_path, args)
    server.start()
    yield server
    code = server.stop()
    assert code in (None, 0), f"server exited with {code}; see {server.log_path}"
    server.assert_clean_logs()


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


@pytest.fixture
def cli(server: Server) -> Cli:
    return Cli(server)


@pytest.fixture
def fake_cli(fake_server: Server) -> Cli:
    return Cli(fake_server)


def wait_for(predicate: Any, timeout: float = 20, interval: float = 0.05) -> Any:
    """Polls until `predicate()` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


def processes_in(cwd: Path) -> list[int]:
    """Pids of processes whose working directory is `cwd` (Codex children)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == cwd and _state(entry) != "Z":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def zombies_of(ppid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == str(ppid) and fields.get("State", "").startswith("Z"):
            out.append(int(entry.name))
    return out


def _state(proc_dir: Path) -> str:
    for line in (proc_dir / "status").read_text().splitlines():
        if line.startswith("State:"):
            return line.split()[1]
    return "?"
