"""SearchFiles: the files of a session's folder found by name, as Codex's
`@` file picker finds them (Codex `fuzzyFileSearch`), end to end with the
real, pinned codex; through the session's runtime while it is live, and
through a short-lived one once it is stopped."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Cli, Server
from test_real_codex import create_session

from codex_manager import Client, InvalidArgumentError, NotFoundError, SessionState


@pytest.fixture
def repository(project: Path) -> Path:
    """A git repository whose .gitignore leaves out build/."""
    (project / "server" / "core").mkdir(parents=True)
    (project / "server" / "core" / "session_manager.cc").write_text("// manager\n")
    (project / "server" / "core" / "sessions.h").write_text("// sessions\n")
    (project / "README.md").write_text("# readme\n")
    (project / "build").mkdir()
    (project / "build" / "session_manager.o").write_text("object\n")
    (project / ".gitignore").write_text("build/\n")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    return project


def test_a_live_sessions_files_are_found_by_name(cli: Cli, repository: Path) -> None:
    session_id = create_session(cli, repository, policy="never")
    found = cli("session", "files", session_id, "sessman")
    assert found.returncode == 0, found.stderr
    paths = found.stdout.splitlines()
    # Best first; what .gitignore excludes is not listed.
    assert paths[0] == "server/core/session_manager.cc", paths
    assert not any(p.startswith("build/") for p in paths), paths
    assert cli("session", "files", session_id, "zzqqxxj").stdout == ""
    one = cli.json("session", "files", session_id, "readme", "--limit", "1")
    assert one["files"] == [{"path": "README.md", "fileName": "README.md", "directory": False,
                             "score": one["files"][0]["score"],
                             "indices": [0, 1, 2, 3, 4, 5]}], one
    # Bad input names the field; an unknown session is NOT_FOUND.
    long = cli("session", "files", session_id, "q" * 257)
    assert long.returncode == 2 and "query" in long.stderr, long.stderr
    many = cli("session", "files", session_id, "x", "--limit", "101")
    assert many.returncode == 2 and "max_results" in many.stderr, many.stderr
    missing = cli("session", "files", "ses_nope", "x")
    assert missing.returncode == 4 and "ses_nope" in missing.stderr, missing.stderr


def test_a_stopped_sessions_files_are_found_too(server: Server, repository: Path) -> None:
    with Client(server.addr) as client:
        session = client.create_session(repository, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        live = client.search_files(session.session_id, "sessions")
        client.stop_session(session.session_id)
        assert client.get_session(session.session_id).state == SessionState.STOPPED
        stopped = client.search_files(session.session_id, "sessions")
        # The same answer, from a short-lived Codex: the session stays stopped.
        assert [m.path for m in stopped] == [m.path for m in live]
        assert "server/core/sessions.h" in [m.path for m in stopped]
        assert client.get_session(session.session_id).state == SessionState.STOPPED
        assert client.search_files(session.session_id, "") == []
        with pytest.raises(InvalidArgumentError, match="max_results"):
            client.search_files(session.session_id, "x", max_results=-1)
        with pytest.raises(NotFoundError, match="ses_nope"):
            client.search_files("ses_nope", "x")
