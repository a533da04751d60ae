"""Review, fork, import and discovery, end to end with the real, pinned
`codex` against the scripted mock model, driven with the CLI: what Codex
does outside a plain turn reaches the client."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import Cli, Server, wait_for
from cm_testing import CODEX_BIN, MockModel

from test_real_codex import create_session


def user_texts(mock_model: MockModel, after: int) -> list[str]:
    """The user messages of the model's requests after line `after`."""
    return [text for request in model_requests(mock_model, after)
            for text in request["user_texts"]]


def model_requests(mock_model: MockModel, after: int) -> list[dict]:
    lines = Path(mock_model.stderr.name).read_text().splitlines()[after:]
    return [json.loads(line) for line in lines if line.startswith("{")]


def log_length(mock_model: MockModel) -> int:
    return len(Path(mock_model.stderr.name).read_text().splitlines())


def wait_idle(cli: Cli, session_id: str) -> None:
    wait_for(lambda: cli.json("session", "show", session_id)["state"] == "SESSION_STATE_IDLE",
             timeout=30)


def test_a_review_runs_as_a_turn_and_says_its_findings(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project, policy="never")
    result = cli("turn", "review", session_id, "--instructions", "look for typos", "--follow")
    assert result.returncode == 0, result.stderr
    assert "reviewing: look for typos" in result.stderr
    assert "review finished" in result.stderr
    assert result.stdout.strip() == "You said: look for typos"
    turns = cli.json("turn", "list", session_id)["turns"]
    assert [(t["prompt"], t["state"]) for t in turns] == [
        ("Review: look for typos", "TURN_STATE_COMPLETED")]
    events = cli.lines("--json", "events", session_id, "--raw")
    findings = [e["item"] for e in events
                if e["type"] == "EVENT_TYPE_ITEM_COMPLETED"
                and e["item"]["itemType"] == "exitedReviewMode"]
    assert [f["text"] for f in findings] == ["You said: look for typos"]
    # A plain turn after the review goes on in the same thread.
    assert cli("turn", "start", session_id, "and now?", "--follow").returncode == 0


def test_a_review_of_uncommitted_changes(cli: Cli, project: Path,
                                         mock_model: MockModel) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(git + ["init", "-q"], cwd=project, check=True)
    (project / "a.txt").write_text("one\n")
    subprocess.run(git + ["add", "a.txt"], cwd=project, check=True)
    subprocess.run(git + ["commit", "-qm", "first"], cwd=project, check=True)
    (project / "a.txt").write_text("one\ntwo\n")
    session_id = create_session(cli, project, policy="never")
    before = log_length(mock_model)
    result = cli("turn", "review", session_id, "--uncommitted", "--follow")
    assert result.returncode == 0, result.stderr
    # Codex ran it in review mode, on the working tree.
    assert "Review guidelines" in json.dumps(model_requests(mock_model, before))
    assert "reviewing: " in result.stderr
    turns = cli.json("turn", "list", session_id)["turns"]
    assert [(t["prompt"], t["state"]) for t in turns] == [
        ("Review: uncommitted changes", "TURN_STATE_COMPLETED")]


def test_a_bad_review_target_names_the_field(cli: Cli, project: Path) -> None:
    session_id = create_session(cli, project, policy="never")
    refused = cli("turn", "review", session_id, "--base", "")
    assert refused.returncode == 2 and "target.base_branch: required" in refused.stderr, \
        refused.stderr


def test_fork_copies_the_history_and_leaves_the_source_alone(
        cli: Cli, project: Path, mock_model: MockModel) -> None:
    source = create_session(cli, project, policy="never")
    assert cli("turn", "start", source, "remember the word kumquat", "--follow").returncode == 0
    fork = cli("session", "fork", source, "--title", "branch B")
    assert fork.returncode == 0, fork.stderr
    fork_id = fork.stdout.strip()
    assert fork_id.startswith("ses_") and fork_id != source
    shown = cli.json("session", "show", fork_id)
    assert shown["title"] == "branch B"
    assert shown["cwd"] == str(project)
    source_thread = cli.json("session", "show", source)["threadId"]
    wait_idle(cli, fork_id)
    assert cli.json("session", "show", fork_id)["threadId"] not in ("", source_thread)
    # The history came along, as turns and items.
    turns = cli.json("turn", "list", fork_id)["turns"]
    assert [(t["prompt"], t["state"], t["finalMessage"]) for t in turns] == [
        ("remember the word kumquat", "TURN_STATE_COMPLETED", "You said: remember the word kumquat")]
    transcript = cli("events", fork_id)
    assert "You said: remember the word kumquat" in transcript.stdout
    # The model sees the forked history in the fork's next turn.
    before = log_length(mock_model)
    assert cli("turn", "start", fork_id, "what was the word?", "--follow").returncode == 0
    assert "remember the word kumquat" in user_texts(mock_model, before)
    # The source has only its own turn.
    assert len(cli.json("turn", "list", source)["turns"]) == 1
    assert cli("turn", "start", source, "still mine", "--follow").returncode == 0


def test_edit_and_retry_forks_before_a_turn(cli: Cli, project: Path,
                                            mock_model: MockModel) -> None:
    source = create_session(cli, project, policy="never")
    for word in ("kiwi", "lime", "mango"):
        assert cli("turn", "start", source, f"remember {word}", "--follow").returncode == 0
    turns = cli.json("turn", "list", source)["turns"]
    # Edit the second prompt: a fork before its turn, then the new prompt.
    fork = cli("session", "fork", source, "--before", turns[1]["turnId"])
    assert fork.returncode == 0, fork.stderr
    fork_id = fork.stdout.strip()
    assert [t["prompt"] for t in cli.json("turn", "list", fork_id)["turns"]] == ["remember kiwi"]
    wait_idle(cli, fork_id)
    before = log_length(mock_model)
    assert cli("turn", "start", fork_id, "remember lemon", "--follow").returncode == 0
    seen = user_texts(mock_model, before)
    assert "remember kiwi" in seen and "remember lemon" in seen, seen
    assert "remember lime" not in seen and "remember mango" not in seen, seen
    # Through a turn: it and those before. A fork of the fork keeps Codex's
    # turn ids, so its history turns are fork points too.
    through = cli("session", "fork", source, "--through", turns[1]["turnId"])
    assert through.returncode == 0, through.stderr
    through_turns = cli.json("turn", "list", through.stdout.strip())["turns"]
    assert [t["prompt"] for t in through_turns] == ["remember kiwi", "remember lime"]
    again = cli("session", "fork", through.stdout.strip(), "--before", through_turns[1]["turnId"])
    assert again.returncode == 0, again.stderr
    assert [t["prompt"] for t in cli.json("turn", "list", again.stdout.strip())["turns"]] == [
        "remember kiwi"]
    # The source is untouched.
    assert len(cli.json("turn", "list", source)["turns"]) == 3

    # Refusals name what is wrong; a running turn can be forked before, not
    # through.
    both = cli("session", "fork", source, "--before", "a", "--through", "b")
    assert both.returncode == 2 and "excludes" in both.stderr, both.stderr
    other = cli("session", "fork", fork_id, "--through", turns[0]["turnId"])
    assert other.returncode == 4 and f"has no turn {turns[0]['turnId']}" in other.stderr, \
        other.stderr
    started = cli.json("turn", "start", source, "slow: 300")
    wait_for(lambda: cli.json("turn", "show", started["turnId"])["state"]
             == "TURN_STATE_RUNNING", timeout=30)
    running = cli("session", "fork", source, "--through", started["turnId"])
    assert running.returncode == 1 and "is RUNNING" in running.stderr, running.stderr
    mid = cli("session", "fork", source, "--before", started["turnId"])
    assert mid.returncode == 0, mid.stderr
    assert len(cli.json("turn", "list", mid.stdout.strip())["turns"]) == 3
    assert cli("turn", "interrupt", source).returncode == 0


def test_fork_of_a_session_that_never_started_a_thread_is_refused(
        cli: Cli, server: Server) -> None:
    refused = cli("session", "fork", "ses_00000000000000000000")
    assert refused.returncode == 4 and "not found" in refused.stderr, refused.stderr


def test_import_a_thread_made_by_codex_exec(cli: Cli, project: Path, codex_home: Path,
                                            mock_model: MockModel) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"),
           "CODEX_HOME": str(codex_home)}
    made = subprocess.run([str(CODEX_BIN), "exec", "--skip-git-repo-check",
                           "made by exec: papaya"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    listed = cli.json("codex", "threads", "--cwd", str(project))["threads"]
    assert len(listed) == 1, listed
    thread = listed[0]
    assert thread["source"] == "exec"
    assert "papaya" in thread["preview"]
    assert thread["sessionId"] == ""

    imported = cli("session", "import", thread["threadId"])
    assert imported.returncode == 0, imported.stderr
    session_id = imported.stdout.strip()
    wait_idle(cli, session_id)
    shown = cli.json("session", "show", session_id)
    assert shown["threadId"] == thread["threadId"]
    assert shown["cwd"] == str(project)
    assert "papaya" in shown["title"]
    assert shown["preview"] == "made by exec: papaya"  # its first prompt
    turns = cli.json("turn", "list", session_id)["turns"]
    assert [(t["prompt"], t["state"]) for t in turns] == [
        ("made by exec: papaya", "TURN_STATE_COMPLETED")]
    assert "You said: made by exec: papaya" in cli("events", session_id).stdout
    # It goes on where exec left it.
    before = log_length(mock_model)
    assert cli("turn", "start", session_id, "and then?", "--follow").returncode == 0
    assert "made by exec: papaya" in user_texts(mock_model, before)
    # One session per thread; the listing names it.
    again = cli("session", "import", thread["threadId"])
    assert again.returncode == 1 and session_id in again.stderr \
        and "ALREADY_EXISTS" in again.stderr, again.stderr
    listed = cli.json("codex", "threads", "--cwd", str(project))["threads"]
    assert listed[0]["sessionId"] == session_id


def test_import_of_an_unknown_thread_is_not_found(cli: Cli, server: Server) -> None:
    missing = cli("session", "import", "01a22eec-0000-7000-8000-000000000000")
    assert missing.returncode == 4 and "not found" in missing.stderr, missing.stderr
    bad = cli("session", "import", "../../etc/passwd")
    assert bad.returncode == 2 and "thread_id" in bad.stderr, bad.stderr


def test_models_and_account(cli: Cli, server: Server) -> None:
    models = cli.json("codex", "models")["models"]
    assert models and sum(1 for m in models if m.get("isDefault")) == 1
    assert all(m["model"] and m["supportedEfforts"] for m in models)
    table = cli("codex", "models")
    assert table.returncode == 0 and models[0]["model"] in table.stdout
    account = cli.json("codex", "account")
    # The mock provider needs no sign-in, and without ChatGPT Codex reads
    # no rate limits: the reason is given.
    assert account["type"] == "" and account["requiresOpenaiAuth"] is False
    assert "rateLimits" not in account
    assert "authentication required" in account["rateLimitsError"]


def test_a_bad_thread_listing_names_the_field(cli: Cli, server: Server) -> None:
    big = cli("codex", "threads", "--page-size", "101")
    assert big.returncode == 2 and "page_size: 101 is not in 0..100" in big.stderr, big.stderr
    relative = cli("codex", "threads", "--cwd", "some/dir")
    assert relative.returncode == 2 and 'cwd: "some/dir" is not an absolute path' in relative.stderr


def test_a_sessions_title_names_its_codex_thread(cli: Cli, project: Path) -> None:
    # Codex's own lists (thread/list, its resume picker) show the title.
    session_id = create_session(cli, project, policy="never")  # titled "e2e"
    assert cli("turn", "start", session_id, "name me", "--follow").returncode == 0

    def names() -> list[tuple[str, str]]:
        listed = cli.json("codex", "threads", "--cwd", str(project))["threads"]
        return [(t.get("name", ""), t.get("sessionId", "")) for t in listed]

    assert names() == [("e2e", session_id)]
    cli.json("session", "update", session_id, "--title", "renamed here")
    wait_for(lambda: names() == [("renamed here", session_id)], timeout=15)
