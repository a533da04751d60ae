"""client.run() and AsyncClient.run() with the real, pinned codex on the
scripted model: create, start, stream, approve, finish."""

from __future__ import annotations

import asyncio
from pathlib import Path

from conftest import Server

from codex_manager import Approval, AsyncClient, Client, Decision, EventType, TurnState


def test_run_approves_and_returns_the_finished_turn(codex_server: Server, project: Path) -> None:
    asked: list[str] = []
    output: list[str] = []

    def on_approval(approval):
        asked.append(approval.command)
        return Decision.APPROVE

    def on_event(event):
        # Codex streams a quick command's output as deltas, or only in the
        # completed item; either way the caller sees it.
        if event.type == EventType.COMMAND_OUTPUT_DELTA:
            output.append(event.delta.text)
        elif (event.type == EventType.ITEM_COMPLETED
              and event.item.item_type == "commandExecution"):
            output.append(event.item.aggregated_output)

    with Client(codex_server.addr) as client:
        turn = client.run(str(project), "please run: echo from-sdk",
                          approval_policy="untrusted", on_approval=on_approval,
                          on_event=on_event)
    assert turn.state == TurnState.COMPLETED
    assert turn.final_message == "Command output: from-sdk"
    assert len(asked) == 1 and "echo from-sdk" in asked[0]
    assert "from-sdk" in "".join(output)


def test_run_with_a_denial_goes_on_without_the_command(codex_server: Server, project: Path) -> None:
    # A file change under `on-request`: Codex offers a plain "decline" (under
    # `untrusted` a command's only "no" is ABORT, which stops the turn).
    offered = []

    def deny(approval: Approval) -> Decision:
        offered.append(approval.available_decisions)
        return Decision.DENY

    with Client(codex_server.addr) as client:
        turn = client.run(str(project), "please write: not-created.txt: x",
                          approval_policy="on-request", on_approval=deny)
    assert turn.state == TurnState.COMPLETED
    assert offered and Decision.DENY in offered[0]
    assert not (project / "not-created.txt").exists()


def test_a_denial_where_codex_offers_only_abort_stops_the_turn(codex_server: Server,
                                                                project: Path) -> None:
    # Under `untrusted` Codex offers no plain "no" for a command: the
    # callback's DENY is sent as ABORT (as the CLI's --on-approval deny),
    # not refused with the approval left pending and the turn waiting.
    offered = []

    def deny(approval: Approval) -> Decision:
        offered.append(approval.available_decisions)
        return Decision.DENY

    async def main():
        async with AsyncClient(codex_server.addr) as client:
            return await client.run(str(project), "please run: touch not-run.txt",
                                    approval_policy="untrusted", on_approval=deny)
    with Client(codex_server.addr) as client:
        turn = client.run(str(project), "please run: touch not-run.txt",
                          approval_policy="untrusted", on_approval=deny)
        asked = list(client.list_approvals(turn.session_id, include_resolved=True))
    assert turn.state == TurnState.INTERRUPTED
    assert [a.decision for a in asked] == [Decision.ABORT]
    assert asyncio.run(main()).state == TurnState.INTERRUPTED
    assert len(offered) == 2 and Decision.DENY not in offered[0] and Decision.ABORT in offered[0]
    assert not (project / "not-run.txt").exists()


def test_async_run(codex_server: Server, project: Path) -> None:
    async def main():
        async with AsyncClient(codex_server.addr) as client:
            return await client.run(str(project), "hello from asyncio")
    turn = asyncio.run(main())
    assert turn.state == TurnState.COMPLETED
    assert turn.final_message == "You said: hello from asyncio"


def test_run_gives_the_session_its_instructions(codex_server: Server, project: Path) -> None:
    """developer_instructions reach the model (the scripted model's
    ``recall:`` says whether they did), from both clients."""
    with Client(codex_server.addr) as client:
        turn = client.run(str(project), "recall: PAPAYA-2",
                          developer_instructions="Mention PAPAYA-2.")
        assert turn.final_message == "Instructed: PAPAYA-2."
        session = client.get_session(turn.session_id)
        assert session.developer_instructions == "Mention PAPAYA-2."
        plain = client.run(str(project), "recall: PAPAYA-2")
        assert plain.final_message == "Not instructed: PAPAYA-2."

    async def main():
        async with AsyncClient(codex_server.addr) as client:
            return await client.run(str(project), "recall: GUAVA-4",
                                    developer_instructions="Mention GUAVA-4.")
    assert asyncio.run(main()).final_message == "Instructed: GUAVA-4."
