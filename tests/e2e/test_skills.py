"""ListSkills: the skills Codex offers for a session's folder (Codex
`skills/list`), end to end with the real, pinned codex; and a prompt that
names one (`$name`) has Codex read its SKILL.md, as in Codex's TUI."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from cm_testing import CODEX_BIN, MockModel, codex_home_dir, make_server, write_codex_home
from conftest import Cli, Server, wait_for
from test_real_codex import create_session

from codex_manager import Client, NotFoundError, SessionState


def write_skill(folder: Path, name: str, description: str | None, body: str) -> None:
    folder.mkdir(parents=True)
    front = f"name: {name}\n" + (f"description: {description}\n" if description else "")
    (folder / "SKILL.md").write_text(f"---\n{front}---\n\n{body}\n")


@pytest.fixture
def skills_home(mock_model: MockModel) -> Iterator[Path]:
    """A CODEX_HOME with a user skill and a SKILL.md Codex cannot load."""
    with codex_home_dir() as home:
        write_codex_home(home, mock_model.port)
        write_skill(home / "skills" / "user-notes", "user-notes", "Keep notes tidy.",
                    "Write notes in the notes folder.")
        write_skill(home / "skills" / "broken", "broken", None, "No description.")
        # A description with an escape sequence a terminal would obey.
        write_skill(home / "skills" / "loud", "loud", '"Says \\e[31mred\\e[0m things"', "Loud.")
        yield home


@pytest.fixture
def skills_server(tmp_path: Path, skills_home: Path) -> Iterator[Server]:
    yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN),
                                      "--codex-home", str(skills_home)])


@pytest.fixture
def repository(project: Path) -> Path:
    """A git repository with a skill of its own."""
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    write_skill(project / ".agents" / "skills" / "repo-helper", "repo-helper",
                "Check the repository's notes before editing.",
                "SKILL-BODY-MARKER: read NOTES.md first.")
    return project


def test_a_sessions_skills_are_listed_and_a_prompt_uses_one_by_name(
        skills_server: Server, skills_home: Path, repository: Path) -> None:
    cli = Cli(skills_server)
    session_id = create_session(cli, repository, policy="never")
    listed = cli("session", "skills", session_id)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "SCOPE", "DESCRIPTION"], lines
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in lines[1:]
            if line.startswith("$")}
    assert rows["$repo-helper"] == ["repo", "Check the repository's notes before editing."], rows
    assert rows["$user-notes"] == ["user", "Keep notes tidy."], rows
    # Text from a SKILL.md reaches the terminal without its control bytes.
    assert "\x1b" not in listed.stdout
    assert rows["$loud"] == ["user", "Says [31mred [0m things"], rows
    # The skills Codex ships are listed too.
    assert rows["$skill-creator"][0] == "system", rows
    broken = skills_home / "skills" / "broken" / "SKILL.md"
    assert any(line.startswith(f"not loaded: {broken}: ") for line in lines), lines

    as_json = cli.json("session", "skills", session_id)
    repo = next(s for s in as_json["skills"] if s["name"] == "repo-helper")
    assert repo == {"name": "repo-helper",
                    "description": "Check the repository's notes before editing.",
                    "shortDescription": "", "displayName": "",
                    "path": str(repository / ".agents/skills/repo-helper/SKILL.md"),
                    "scope": "repo", "enabled": True}, repo
    assert [e["path"] for e in as_json["errors"]] == [str(broken)], as_json

    # Named in a prompt, Codex puts the skill's SKILL.md before it (the mock
    # model answers with the last user message it got: that one).
    followed = cli("turn", "start", session_id, "$repo-helper tidy up", "--follow")
    assert followed.returncode == 0, followed.stderr
    assert "<name>repo-helper</name>" in followed.stdout, followed.stdout
    assert "SKILL-BODY-MARKER: read NOTES.md first." in followed.stdout, followed.stdout

    # A skill added while the session is live: Codex's watcher says so
    # (SKILLS_CHANGED, of the session, no turn) and the list has it, no
    # reload asked.
    def skills_changed() -> list[dict[str, Any]]:
        return [e for e in cli.lines("events", session_id, "--raw")
                if e["type"] == "EVENT_TYPE_SKILLS_CHANGED"]

    assert skills_changed() == []
    write_skill(repository / ".agents" / "skills" / "late", "late", "Added later.", "Late.")
    changed = wait_for(skills_changed, timeout=30)
    assert changed[0]["turnId"] == "" and "raw" not in changed[0], changed
    listed_again = cli.json("session", "skills", session_id)
    assert "late" in [s["name"] for s in listed_again["skills"]], listed_again
    # --reload has Codex read the folders again whatever it watches.
    write_skill(skills_home / "skills" / "later", "later", "Added even later.", "Later.")
    reloaded = cli.json("session", "skills", session_id, "--reload")
    assert "later" in [s["name"] for s in reloaded["skills"]], reloaded

    missing = cli("session", "skills", "ses_nope")
    assert missing.returncode == 4 and "ses_nope" in missing.stderr, missing.stderr


def test_a_stopped_sessions_skills_are_listed_too(skills_server: Server,
                                                  repository: Path) -> None:
    with Client(skills_server.addr) as client:
        session = client.create_session(repository, approval_policy="never")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        live = client.list_skills(session.session_id)
        client.stop_session(session.session_id)
        stopped = client.list_skills(session.session_id)
        # The same answer, from a short-lived Codex: the session stays stopped.
        assert [s.name for s in stopped.skills] == [s.name for s in live.skills]
        assert "repo-helper" in [s.name for s in stopped.skills]
        assert client.get_session(session.session_id).state == SessionState.STOPPED
        with pytest.raises(NotFoundError, match="ses_nope"):
            client.list_skills("ses_nope")
