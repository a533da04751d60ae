"""Idempotency keys (docs/api.md, "Idempotent mutations"): a retry of a
call with its request_id gets the first call's resource; another request
with the same key is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FAKE_CODEX, Server, make_server, wait_for

from codex_manager import (Approval, ApprovalState, Client, Decision, InvalidArgumentError,
                           Role, SessionState, Turn, TurnState)

REUSED = "request_id: {key} was first used by a different request"


def test_a_key_answers_only_the_request_that_first_used_it(fake_server: Server,
                                                           tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    with Client(fake_server.addr, token=fake_server.token) as admin:
        first = admin.create_session(str(a), request_id="create-1")
        assert admin.create_session(str(a), request_id="create-1").session_id \
            == first.session_id
        with pytest.raises(InvalidArgumentError, match=REUSED.format(key="create-1")):
            admin.create_session(str(b), request_id="create-1")
        other = admin.create_session(str(b))
        for s in (first, other):
            admin.wait_for_session(s.session_id, SessionState.IDLE)
        assert len(list(admin.list_sessions())) == 2

        turn = admin.start_turn(first.session_id, "hello", request_id="turn-1")
        assert admin.start_turn(first.session_id, "hello", request_id="turn-1").turn_id \
            == turn.turn_id
        # Before, each of these returned `turn`, a turn of another session or
        # prompt, and started nothing.
        with pytest.raises(InvalidArgumentError, match=REUSED.format(key="turn-1")):
            admin.start_turn(other.session_id, "hello", request_id="turn-1")
        with pytest.raises(InvalidArgumentError, match=REUSED.format(key="turn-1")):
            admin.start_turn(first.session_id, "goodbye", request_id="turn-1")
        with pytest.raises(InvalidArgumentError, match=REUSED.format(key="turn-1")):
            admin.start_review(first.session_id, uncommitted=True, request_id="turn-1")
        assert list(admin.list_turns(other.session_id)) == []
        assert [t.turn_id for t in admin.list_turns(first.session_id)] == [turn.turn_id]

        # Another token's call with the key is another request, even when
        # its fields are the same.
        bot = admin.create_token("bot", Role.OPERATOR)
        with Client(fake_server.addr, token=bot.secret) as operator:
            with pytest.raises(InvalidArgumentError, match=REUSED.format(key="turn-1")):
                operator.start_turn(first.session_id, "hello", request_id="turn-1")
        wait_for(lambda: admin.get_turn(turn.turn_id).state == TurnState.COMPLETED)
        assert [t.turn_id for t in admin.list_turns(first.session_id)] == [turn.turn_id]


def pending_approval(client: Client, project: Path, prompt: str) -> tuple[Turn, Approval]:
    """A turn of a new session that `prompt` makes ask for an approval,
    and the approval."""
    session = client.create_session(str(project))
    client.wait_for_session(session.session_id, SessionState.IDLE)
    turn = client.start_turn(session.session_id, prompt)
    wait_for(lambda: list(client.list_approvals(session.session_id)))
    return turn, next(client.list_approvals(session.session_id))


def test_an_approval_key_with_another_decision_is_refused(fake_server: Server,
                                                         project: Path) -> None:
    with Client(fake_server.addr, token=fake_server.token) as client:
        turn, approval = pending_approval(client, project, "approve")
        client.resolve_approval(approval.approval_id, Decision.DENY, request_id="decide-1")
        # The retry gets the approval; the key with APPROVE is refused.
        assert client.resolve_approval(approval.approval_id, Decision.DENY,
                                       request_id="decide-1").state == ApprovalState.DENIED
        with pytest.raises(InvalidArgumentError,
                           match=f"request_id: decide-1 decided approval "
                                 f"{approval.approval_id} as DENY; this call asks APPROVE"):
            client.resolve_approval(approval.approval_id, Decision.APPROVE,
                                    request_id="decide-1")
        wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
        assert client.get_turn(turn.turn_id).final_message == "decision was decline"


def test_an_approval_key_answers_only_the_call_that_decided(fake_server: Server,
                                                            project: Path) -> None:
    answers = {"lang": "Go", "key": "s3cret"}
    with Client(fake_server.addr, token=fake_server.token) as admin:
        turn, approval = pending_approval(admin, project, "ask-user")
        admin.resolve_approval(approval.approval_id, Decision.APPROVE, answers=answers,
                               request_id="answer-1")
        assert admin.resolve_approval(approval.approval_id, Decision.APPROVE, answers=answers,
                                      request_id="answer-1").state == ApprovalState.APPROVED
        # The same key and decision with other answers, or from another
        # token, is another request: before, each got OK and the approval
        # as if its answers had gone to Codex.
        other_call = (f"request_id: answer-1 decided approval {approval.approval_id} "
                      f"in a different request")
        with pytest.raises(InvalidArgumentError, match=other_call):
            admin.resolve_approval(approval.approval_id, Decision.APPROVE,
                                   answers={**answers, "lang": "Rust"}, request_id="answer-1")
        bot = admin.create_token("bot", Role.OPERATOR)
        with Client(fake_server.addr, token=bot.secret) as operator:
            with pytest.raises(InvalidArgumentError, match=other_call):
                operator.resolve_approval(approval.approval_id, Decision.APPROVE,
                                          answers=answers, request_id="answer-1")
        wait_for(lambda: admin.get_turn(turn.turn_id).state == TurnState.COMPLETED)
        assert admin.get_turn(turn.turn_id).final_message \
            == 'answers were {"key": ["s3cret"], "lang": ["Go"]}'


def test_a_key_past_its_retention_makes_a_new_resource(tmp_path: Path, project: Path) -> None:
    # --retain-request-keys-days of about 0.9 s: the server checks every
    # second, so the key is gone within about two.
    gen = make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX),
                                 "--retain-request-keys-days", "0.00001"])
    server = next(gen)
    try:
        with Client(server.addr, token=server.token) as client:
            first = client.create_session(str(project), request_id="create-1")
            assert client.create_session(str(project), request_id="create-1").session_id \
                == first.session_id
            wait_for(lambda: any(line.get("msg") == "retention deleted idempotency keys"
                                 for line in server.log_lines()))
            again = client.create_session(str(project), request_id="create-1")
            assert again.session_id != first.session_id
            assert len(list(client.list_sessions())) == 2
    finally:
        for _ in gen:
            pass
