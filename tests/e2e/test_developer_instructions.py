"""A session's own instructions for the agent (CreateSessionRequest.
developer_instructions, Codex `thread/start` `developerInstructions`), end
to end with the real Codex on the scripted model: its `recall: WORD` says
whether the request Codex sent held WORD in its instructions or messages."""

from __future__ import annotations

import signal
from pathlib import Path

from conftest import Cli, Server, wait_for


def idle(cli: Cli, session_id: str) -> None:
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE")


def recall(cli: Cli, session_id: str, word: str) -> str:
    result = cli("turn", "start", session_id, f"recall: {word}", "--follow")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_every_turn_sees_the_instructions_after_a_resume_and_in_a_fork(
        cli: Cli, project: Path) -> None:
    (project / "AGENTS.md").write_text("Mention KIWI-3 when done.\n")
    session = cli.json("session", "create", "--cwd", str(project), "--title", "told",
                       "--instructions", "Answer in French.\nMention PINEAPPLE-7.")
    session_id = session["sessionId"]
    assert session["developerInstructions"] == "Answer in French.\nMention PINEAPPLE-7."
    idle(cli, session_id)
    assert recall(cli, session_id, "PINEAPPLE-7") == "Instructed: PINEAPPLE-7."
    # Beside the project's AGENTS.md, not in its place.
    assert recall(cli, session_id, "KIWI-3") == "Instructed: KIWI-3."
    shown = cli("session", "show", session_id)
    assert "instructions:      Answer in French.\n" in shown.stdout
    assert "\n                   Mention PINEAPPLE-7.\n" in shown.stdout

    # The Markdown transcript says what the agent was told.
    md = cli("export", session_id, "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert ("**Instructions for the agent:**\n\n> Answer in French.\n"
            "> Mention PINEAPPLE-7.\n") in md.stdout

    assert cli("session", "stop", session_id).returncode == 0
    assert recall(cli, session_id, "PINEAPPLE-7") == "Instructed: PINEAPPLE-7."

    fork = cli.json("session", "fork", session_id)
    assert fork["developerInstructions"] == session["developerInstructions"]
    idle(cli, fork["sessionId"])
    assert recall(cli, fork["sessionId"], "PINEAPPLE-7") == "Instructed: PINEAPPLE-7."

    plain = cli.json("session", "create", "--cwd", str(project))["sessionId"]
    idle(cli, plain)
    assert cli.json("session", "show", plain)["developerInstructions"] == ""
    assert recall(cli, plain, "PINEAPPLE-7") == "Not instructed: PINEAPPLE-7."


def test_a_thread_codex_never_saved_starts_again_with_them(server: Server, cli: Cli,
                                                           project: Path,
                                                           tmp_path: Path) -> None:
    """A session stopped before its first turn goes on in a new thread
    (Codex saved none); the new thread is given the instructions too."""
    told = tmp_path / "instructions.txt"
    told.write_text("Mention MANGO-5.")
    session_id = cli.json("session", "create", "--cwd", str(project),
                          "--instructions-file", str(told))["sessionId"]
    idle(cli, session_id)
    server.stop(signal.SIGKILL)
    server.start()
    assert cli.json("session", "show", session_id)["state"] == "SESSION_STATE_STOPPED"
    assert recall(cli, session_id, "MANGO-5") == "Instructed: MANGO-5."
    assert cli.json("session", "show", session_id)["developerInstructions"] == "Mention MANGO-5."


def test_instructions_over_the_limit_are_refused(cli: Cli, project: Path) -> None:
    result = cli("session", "create", "--cwd", str(project), "--instructions", "x" * 4097)
    assert result.returncode == 2, result.stderr
    assert "developer_instructions: at most 4096" in result.stderr
    listed = cli.json("session", "list", "--all").get("sessions", [])
    assert listed == []
    both = cli("session", "create", "--cwd", str(project), "--instructions", "a",
               "--instructions-file", __file__)
    assert both.returncode == 2
    assert "excludes" in both.stderr
