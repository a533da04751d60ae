"""The SDK's result types: enums that print and compare as people expect,
datetimes, None for unset optionals, payload access, and values from a
newer server that this SDK does not know."""

from __future__ import annotations

import datetime

from codex_manager import Approval, Event, EventType, Session, SessionState, Turn, TurnState
from codex_manager.v1 import approvals_pb2, events_pb2, sessions_pb2, turns_pb2
from codex_manager.v1.views import Item, ItemDelta


def test_enum_fields_are_enum_members_that_print_as_names() -> None:
    turn = Turn(turns_pb2.Turn(turn_id="turn_1", state=turns_pb2.TURN_STATE_COMPLETED))
    assert turn.state is TurnState.COMPLETED
    assert turn.state == TurnState.COMPLETED == 3
    assert turn.state.is_final
    assert str(turn.state) == "COMPLETED" and f"{turn.state:>10}" == " COMPLETED"
    assert repr(turn) == "Turn(turn_id='turn_1', state=<TurnState.COMPLETED: 3>)"


def test_a_value_from_a_newer_server_is_an_unknown_member_not_an_error() -> None:
    session = Session(sessions_pb2.Session(state=42))  # type: ignore[arg-type]
    assert session.state == 42
    assert str(session.state) == "UNKNOWN_42"
    assert not TurnState(42).is_final


def test_times_are_aware_datetimes_and_unset_is_none() -> None:
    proto = turns_pb2.Turn()
    proto.create_time.FromSeconds(1_700_000_000)
    turn = Turn(proto)
    assert turn.create_time == datetime.datetime(2023, 11, 14, 22, 13, 20,
                                                 tzinfo=datetime.timezone.utc)
    assert turn.end_time is None


def test_optionals_sub_messages_and_the_payload() -> None:
    item = Item(events_pb2.Item(item_type="commandExecution"))
    assert item.exit_code is None
    item = Item(events_pb2.Item(exit_code=0))
    assert item.exit_code == 0

    event = Event(events_pb2.Event(type=events_pb2.EVENT_TYPE_AGENT_MESSAGE_DELTA,
                                   delta=events_pb2.ItemDelta(text="hi")))
    assert event.type is EventType.AGENT_MESSAGE_DELTA
    assert event.delta.text == "hi"
    assert event.payload_case == "delta"
    assert isinstance(event.payload, ItemDelta)
    assert event.has("delta") and not event.has("item")
    assert event.item.text == ""  # unset: the defaults, as in protobuf
    assert Event(events_pb2.Event()).payload is None

    approval = Approval(approvals_pb2.Approval(approval_id="apr_1"))
    assert approval == Approval(approvals_pb2.Approval(approval_id="apr_1"))
    assert approval != Approval(approvals_pb2.Approval(approval_id="apr_2"))
    assert approval.to_dict() == {"approval_id": "apr_1"}
    assert approval.proto.approval_id == "apr_1"


def test_session_states_keep_their_order_and_names() -> None:
    assert [s.name for s in SessionState][:3] == ["UNSPECIFIED", "STARTING", "IDLE"]
