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


def test_an_admin_turns_a_skill_off_and_on_for_every_session(
        skills_server: Server, skills_home: Path, repository: Path) -> None:
    """SetSkillEnabled: Codex's `skills/config/write` by path, in the
    server's CODEX_HOME config.toml; every session's list shows it, and in
    a session started or resumed afterwards a disabled skill's mention adds
    nothing."""
    from codex_manager import InvalidArgumentError, PermissionDeniedError, Role
    # A repository skill named as the user's is: a name the CLI refuses.
    write_skill(repository / ".agents" / "skills" / "user-notes", "user-notes",
                "The repository's notes.", "Repo notes.")
    cli = Cli(skills_server)
    session_id = create_session(cli, repository, policy="never")
    helper = repository / ".agents" / "skills" / "repo-helper" / "SKILL.md"

    off = cli("session", "skills", session_id, "--disable", "$repo-helper")
    assert off.returncode == 0, off.stderr
    assert f"$repo-helper ({helper}) is disabled for sessions started or resumed" in off.stderr
    row = next(line for line in off.stdout.splitlines() if line.startswith("$repo-helper "))
    assert "(disabled) Check the repository's notes" in row, row
    config = (skills_home / "config.toml").read_text()
    assert f'path = "{helper}"' in config and "enabled = false" in config, config
    # A session's Codex keeps the skills its thread started with (seen with
    # 0.171); resumed, named in a prompt, Codex adds nothing of it.
    assert cli("session", "stop", session_id).returncode == 0
    assert cli("session", "resume", session_id).returncode == 0
    followed = cli("turn", "start", session_id, "$repo-helper tidy up", "--follow")
    assert followed.returncode == 0, followed.stderr
    assert "SKILL-BODY-MARKER" not in followed.stdout, followed.stdout

    twin = cli("session", "skills", session_id, "--disable", "user-notes")
    assert twin.returncode == 2, twin.stderr
    assert "2 skills are named user-notes" in twin.stderr
    assert str(skills_home / "skills" / "user-notes" / "SKILL.md") in twin.stderr
    unknown = cli("session", "skills", session_id, "--enable", "nope")
    assert unknown.returncode == 4 and "no skill nope" in unknown.stderr, unknown.stderr

    with Client(skills_server.addr) as client:
        # Another session in the folder, stopped: its list says so too.
        other = client.create_session(repository, approval_policy="never")
        client.wait_for_session(other.session_id, SessionState.IDLE)
        client.stop_session(other.session_id)
        listed = {s.name: s for s in client.list_skills(other.session_id).skills}
        assert listed["repo-helper"].enabled is False
        # Turned on again through the stopped session (a short-lived Codex).
        on = client.set_skill_enabled(other.session_id, listed["repo-helper"], True)
        assert (on.name, on.path, on.enabled) == ("repo-helper", str(helper), True)
        assert client.get_session(other.session_id).state == SessionState.STOPPED
        with pytest.raises(NotFoundError, match=r"path: no skill .* /nope/SKILL\.md"):
            client.set_skill_enabled(session_id, "/nope/SKILL.md", False)
        with pytest.raises(InvalidArgumentError, match="path: not absolute"):
            client.set_skill_enabled(session_id, "repo-helper", False)
        secret = client.create_token("bot", Role.OPERATOR).secret
        with Client(skills_server.addr, token=secret) as operator:
            with pytest.raises(PermissionDeniedError, match="needs role admin"):
                operator.set_skill_enabled(session_id, helper, False)
        audited = [(a.resource_id, a.code) for a in client.list_audit_events(
            method="/codex_manager.v1.SessionService/SetSkillEnabled")]
        assert (str(helper), 0) in audited and ("/nope/SKILL.md", 5) in audited, audited
    # Enabled again, a new session's Codex has it.
    fresh = create_session(cli, repository, policy="never")
    again = cli("turn", "start", fresh, "$repo-helper tidy up", "--follow")
    assert again.returncode == 0, again.stderr
    assert "SKILL-BODY-MARKER: read NOTES.md first." in again.stdout, again.stdout
