"""Approval requests reach a person whatever the Codex config says: a
CODEX_HOME with `approvals_reviewer = "auto_review"` has Codex 0.171 let a
model decide sandbox escalations (`item/autoApprovalReview/*`) and ask
nobody. codex-manager opens every thread with `approvalsReviewer: "user"`
(server/runtime/codex_runtime.cc), so the real, pinned codex on the
scripted model asks the client instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Server
from cm_testing import (CODEX_BIN, FAKE_CODEX, MockModel, codex_home_dir, make_server,
                        write_codex_home)

from codex_manager import (Approval, ApprovalKind, Client, Decision, EventType, SessionState,
                           TurnState)


@pytest.fixture
def auto_review_server(tmp_path: Path, mock_model: MockModel) -> Iterator[Server]:
    with codex_home_dir() as home:
        config = write_codex_home(home, mock_model.port) / "config.toml"
        # A top-level key: before the config's first table.
        config.write_text('approvals_reviewer = "auto_review"\n' + config.read_text())
        yield from make_server(tmp_path, ["--codex-bin", str(CODEX_BIN), "--codex-home", str(home)])


def test_an_escalation_reaches_a_person_under_an_auto_review_config(
        auto_review_server: Server, project: Path) -> None:
    asked: list[Approval] = []

    def refuse(approval: Approval) -> Decision:
        asked.append(approval)
        # An escalation offers no plain decline in 0.171: ABORT is the no.
        return Decision.ABORT

    with Client(auto_review_server.addr) as client:
        session = client.create_session(project, approval_policy="on-request")
        client.wait_for_session(session.session_id, SessionState.IDLE)
        turn = client.run_turn(session.session_id, "please escalate: touch escalated-file",
                               on_approval=refuse)
        raw = [e.proto.raw.method for e in client.events(session.session_id, follow=False)
               if e.type == EventType.RAW]
    assert [a.kind for a in asked] == [ApprovalKind.COMMAND_EXECUTION]
    assert "touch escalated-file" in asked[0].command
    assert turn.state == TurnState.INTERRUPTED  # what ABORT does
    assert not (project / "escalated-file").exists()
    assert not any(m.startswith("item/autoApprovalReview/") for m in raw), raw


def test_a_codex_that_keeps_another_reviewer_fails_the_session(
        tmp_path: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # tests/fake_codex answers auto_review whatever it is asked.
    monkeypatch.setenv("FAKE_CODEX_MODE", "auto-review")
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--pass-env", "FAKE_CODEX_MODE"])
    server = next(gen)
    try:
        with Client(server.addr) as client:
            session = client.create_session(project)
            failed = client.wait_for_session(session.session_id, SessionState.FAILED)
    finally:
        for _ in gen:
            pass
    assert 'answered approvals reviewer "auto_review", not "user"' in failed.last_error
    assert "would not reach a person" in failed.last_error
