"""Fixtures for the SDK tests: the real codex-manager-server binary (built by
scripts/test.sh) on a free 127.0.0.1 port, with the fake app-server for fast
and fault tests, or the real pinned codex against the scripted mock model."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "support"))

from cm_testing import (  # noqa: E402
    CLI_BIN,
    CODEX_BIN,
    FAKE_CODEX,
    SERVER_BIN,
    MockModel,
    Server,
    codex_home_dir,
    make_server,
    wait_for,
    write_codex_home,
)

from codex_manager import Client, SessionState  # noqa: E402

__all__ = ["CLI_BIN", "REPO", "Server", "wait_for"]


def pytest_configure(config: pytest.Config) -> None:
    if not SERVER_BIN.exists():
        raise pytest.UsageError(f"{SERVER_BIN} is missing: build first (scripts/test.sh)")


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
def fake_server(tmp_path: Path) -> Iterator[Server]:
    """A server whose runtime is tests/fake_codex (fast, scriptable faults)."""
    yield from make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms"])


@pytest.fixture
def codex_server(tmp_path: Path, codex_home: Path) -> Iterator[Server]:
    """A server running the real, pinned codex against the mock model."""
    yield from make_server(
        tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(codex_home)])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def client(fake_server: Server) -> Iterator[Client]:
    with Client(fake_server.addr, timeout=10) as c:
        yield c


def ready_session(client: Client, project: Path, **options: str) -> str:
    """A new session, once its runtime is IDLE."""
    session = client.create_session(str(project), **options)
    client.wait_for_session(session.session_id, SessionState.IDLE)
    return session.session_id
