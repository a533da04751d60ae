"""codex_manager.questions: what a question or a form asks, read from the
approval, and answers returned from on_approval (tests/fake_codex asks as
Codex 0.169 does)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from conftest import Server

from codex_manager import (
    Approval,
    ApprovalKind,
    AsyncClient,
    Client,
    Decision,
    Option,
    Question,
    TurnState,
    questions,
)
from codex_manager.v1 import approvals_pb2


def approval(kind: int, **fields: str) -> Approval:
    return Approval(approvals_pb2.Approval(kind=kind, **fields))  # type: ignore[arg-type]


def test_a_question_and_a_form_read_as_questions() -> None:
    asked = approval(approvals_pb2.APPROVAL_KIND_USER_INPUT, params_json=json.dumps({
        "questions": [
            {"id": "lang", "header": "Language", "question": "Which?", "isOther": True,
             "options": [{"label": "Python", "description": "the default"}, {"label": "Go"}]},
            {"id": "size", "question": "How big?", "isOther": False,
             "options": [{"label": "S"}, {"description": "no label: left out"}]},
            {"id": "key", "question": "The key", "isSecret": True, "options": None},
            {"header": "no id: left out"}, 7, "x"]}))
    assert questions(asked) == (
        Question("lang", "Language", "Which?", (Option("Python", "the default"), Option("Go")),
                 other=True),
        Question("size", "", "How big?", (Option("S"),), other=False),
        Question("key", "", "The key", (), other=True, secret=True),
    )
    form = approval(approvals_pb2.APPROVAL_KIND_MCP_ELICITATION, requested_schema_json=json.dumps({
        "type": "object", "required": ["title"],
        "properties": {"title": {"type": "string", "title": "Title"},
                       "urgent": {"type": "boolean"},
                       "tier": {"type": "string", "oneOf": [{"const": "pro", "title": "Pro"}]}}}))
    assert questions(form) == (
        Question("title", "Title", required=True),
        Question("urgent", options=(Option("true"), Option("false")), other=False),
        Question("tier", options=(Option("pro", "Pro"),), other=False),
    )
    # What a runtime sent that asks nothing readable asks nothing.
    for params in ("", "[1]", '{"questions": "?"}', '{"questions": [', "null"):
        assert questions(approval(approvals_pb2.APPROVAL_KIND_USER_INPUT,
                                  params_json=params)) == (), params
    assert questions(approval(approvals_pb2.APPROVAL_KIND_COMMAND_EXECUTION,
                              params_json=asked.params_json)) == ()


def pick(approval: Approval) -> dict[str, str] | Decision:
    """The last option of each question, "k" where there are none."""
    assert approval.kind == ApprovalKind.USER_INPUT
    return {q.id: q.options[-1].label if q.options else "k" for q in questions(approval)}


def test_run_turn_sends_the_answers_on_approval_returns(fake_server: Server,
                                                        project: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(project)
        turn = client.run_turn(session.session_id, "ask-user", on_approval=pick)
        assert turn.state == TurnState.COMPLETED
        assert turn.final_message == 'answers were {"key": ["k"], "lang": ["Go"]}'


def test_async_run_turn_sends_the_answers_on_approval_returns(fake_server: Server,
                                                              project: Path) -> None:
    async def answer(approval: Approval) -> dict[str, str] | Decision:
        return pick(approval)

    async def main() -> None:
        async with AsyncClient(fake_server.addr) as client:
            session = await client.create_session(project)
            turn = await client.run_turn(session.session_id, "ask-user", on_approval=answer)
            assert turn.state == TurnState.COMPLETED
            assert turn.final_message == 'answers were {"key": ["k"], "lang": ["Go"]}'

    asyncio.run(main())
