"""The durable core under an operator's mistakes and hard faults: one server
per data dir, hung turns ended by the watchdog, kill -9 mid-stream."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from codex_manager import Client, EventType, SessionState, TurnState
from conftest import Cli, Server, make_server, processes_in, wait_for

from cm_testing import SERVER_BIN


def test_a_second_server_on_the_same_data_dir_exits_and_touches_nothing(
        fake_server: Server, tmp_path: Path) -> None:
    with Client(fake_server.addr) as client:
        session = client.create_session(str(tmp_path))
        client.wait_for_session(session.session_id, SessionState.IDLE)
    db = fake_server.data_dir / "codex-manager.db"
    before = {p.name: p.stat().st_mtime_ns for p in fake_server.data_dir.iterdir()}
    started = time.monotonic()
    second = subprocess.run([str(SERVER_BIN), "--listen", "127.0.0.1:0",
                             "--data-dir", str(fake_server.data_dir)],
                            capture_output=True, text=True, timeout=20)
    assert second.returncode == 1
    assert time.monotonic() - started < 5
    error = json.loads(second.stderr.strip().splitlines()[-1])
    assert error["msg"] == "data dir in use"
    assert str(fake_server.data_dir) in error["error"]
    assert f"pid {fake_server.proc.pid}" in error["error"]  # type: ignore[union-attr]
    # Nothing in the data dir changed, and the first server's session lives on.
    assert {p.name: p.stat().st_mtime_ns for p in fake_server.data_dir.iterdir()} == before
    assert db.exists()
    with Client(fake_server.addr) as client:
        assert client.get_session(session.session_id).state == SessionState.IDLE


def test_the_lock_dies_with_its_server(fake_server: Server) -> None:
    # kill -9 leaves LOCK behind with a dead pid; the kernel dropped the
    # lock itself, so a new server starts at once.
    fake_server.stop(signal.SIGKILL)
    assert (fake_server.data_dir / "LOCK").exists()
    fake_server.start()
    with Client(fake_server.addr) as client:
        assert client.health()


def fake_server_with(tmp_path: Path, *flags: str) -> Iterator[Server]:
    """A server on tests/fake_codex with extra `flags` (a generator, as
    make_server)."""
    from cm_testing import FAKE_CODEX
    yield from make_server(tmp_path, ["--codex-bin", str(FAKE_CODEX), "--stop-grace", "500ms",
                                      *flags])


def test_a_turn_that_ignores_interrupt_is_ended_by_the_watchdog(tmp_path: Path) -> None:
    gen = fake_server_with(tmp_path, "--interrupt-grace", "1s")
    server = next(gen)
    try:
        project = tmp_path / "project"
        project.mkdir()
        with Client(server.addr) as client:
            session = client.create_session(str(project))
            client.wait_for_session(session.session_id, SessionState.IDLE)
            turn = client.start_turn(session.session_id, "hang")  # ignores turn/interrupt
            wait_for(lambda: processes_in(project))
            time.sleep(0.3)
            client.interrupt_turn(session.session_id)
            started = time.monotonic()
            stopped = client.wait_for_session(session.session_id, SessionState.STOPPED, timeout=10)
            assert time.monotonic() - started < 4
            assert "--interrupt-grace" in stopped.last_error
            ended = client.get_turn(turn.turn_id)
            assert ended.state == TurnState.INTERRUPTED and "turn/interrupt" in ended.error
            wait_for(lambda: not processes_in(project), timeout=5)
            # Resumable: the next turn runs in a new runtime.
            assert client.run_turn(session.session_id, "after").state == TurnState.COMPLETED
    finally:
        for _ in gen:
            pass


def test_a_stalled_turn_fails_but_one_waiting_for_a_person_does_not(tmp_path: Path) -> None:
    gen = fake_server_with(tmp_path, "--turn-stall-timeout", "2s")
    server = next(gen)
    try:
        with Client(server.addr) as client:
            waiting = client.create_session(str(tmp_path))
            client.wait_for_session(waiting.session_id, SessionState.IDLE)
            asking = client.start_turn(waiting.session_id, "approve")
            wait_for(lambda: list(client.list_approvals(waiting.session_id)))
            stalled = client.create_session(str(tmp_path))
            client.wait_for_session(stalled.session_id, SessionState.IDLE)
            hung = client.start_turn(stalled.session_id, "hang")
            session = client.wait_for_session(stalled.session_id, SessionState.STOPPED, timeout=10)
            assert "--turn-stall-timeout" in session.last_error
            turn = client.get_turn(hung.turn_id)
            assert turn.state == TurnState.FAILED and "no output from Codex" in turn.error
            # The approval still waits, its turn still runs.
            assert client.get_turn(asking.turn_id).state == TurnState.RUNNING
            approval = next(iter(client.list_approvals(waiting.session_id)))
            client.approve(approval.approval_id)
            wait_for(lambda: client.get_turn(asking.turn_id).state == TurnState.COMPLETED)
    finally:
        for _ in gen:
            pass


def check_store(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SERVER_BIN), "--check", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, timeout=60)


def run_kill_loop(server: Server, tmp_path: Path, kills: int, load_seconds: float) -> None:
    """Kills the server with SIGKILL `kills` times while sessions stream and
    approvals come and go; a follower that resumes by cursor must see every
    event exactly once and in order, and --check must pass after each kill."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    stop = threading.Event()
    stop_following = threading.Event()
    seen: list[tuple[int, str, int]] = []

    def follow() -> None:
        with Client(server.addr) as client:
            # Never gives up: the server is down often, and under load for long.
            for event in client.events(stop=stop_following, max_backoff=0.2,
                                       max_retries=None):
                if not event.redelivered:
                    seen.append((event.event_id, event.session_id, event.session_seq))

    def load() -> None:
        while not stop.is_set():
            try:
                with Client(server.addr) as client:
                    session = client.create_session(str(project))
                    client.wait_for_session(session.session_id, SessionState.IDLE, timeout=10)
                    for prompt in ("burst 300", "approve", "hello"):
                        turn = client.start_turn(session.session_id, prompt)
                        deadline = time.monotonic() + 10
                        while time.monotonic() < deadline and not stop.is_set():
                            for approval in client.list_approvals(session.session_id):
                                client.approve(approval.approval_id)
                            if client.get_turn(turn.turn_id).state >= TurnState.COMPLETED:
                                break
                            time.sleep(0.02)
            except Exception:  # the server is being killed: try again
                time.sleep(0.1)

    threads = [threading.Thread(target=follow, daemon=True)]
    threads += [threading.Thread(target=load, daemon=True) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for _ in range(kills):
            time.sleep(load_seconds)
            server.stop(signal.SIGKILL)
            result = check_store(server.data_dir)
            assert result.returncode == 0, result.stdout + result.stderr
            server.start()
        time.sleep(load_seconds)
    finally:
        stop.set()
    for t in threads[1:]:
        t.join(timeout=30)
    # Let the follower catch up with everything committed, then stop it.
    with Client(server.addr) as client:
        head = max((e.event_id for e in client.events(follow=False)), default=0)
    try:
        wait_for(lambda: seen and seen[-1][0] >= head, timeout=30)
    finally:
        stop_following.set()
        threads[0].join(timeout=10)
    ids = [event_id for event_id, _, _ in seen]
    assert ids == list(range(1, len(ids) + 1)), "a gap or a duplicate in event ids"
    last_seq: dict[str, int] = {}
    for _, session_id, seq in seen:
        assert seq == last_seq.get(session_id, 0) + 1, (session_id, seq)
        last_seq[session_id] = seq
    assert len(seen) > 1000, len(seen)  # the load did run


def test_kill_9_under_load_loses_and_duplicates_nothing(fake_server: Server,
                                                        tmp_path: Path) -> None:
    # scripts/soak.sh runs 200 (CODEX_MANAGER_SOAK_KILLS).
    kills = int(os.environ.get("CODEX_MANAGER_SOAK_KILLS", "10"))
    run_kill_loop(fake_server, tmp_path, kills=kills, load_seconds=2.0)
    fake_server.stop()
    result = check_store(fake_server.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every invariant holds" in result.stdout


def test_check_names_violations_and_refuses_a_locked_data_dir(fake_server: Server,
                                                             tmp_path: Path) -> None:
    locked = check_store(fake_server.data_dir)
    assert locked.returncode == 2 and "in use by another" in locked.stderr
    fake_server.stop()
    import sqlite3
    with sqlite3.connect(fake_server.data_dir / "codex-manager.db") as db:
        db.execute("INSERT INTO turns (turn_id, session_id, prompt, state, codex_turn_id, error, "
                   "final_message, create_us) VALUES ('turn_x', 'ses_x', 'p', 3, '', '', '', 0)")
    broken = check_store(fake_server.data_dir)
    assert broken.returncode == 1
    assert "turn row without its last TURN_STATE_CHANGED: turn_x" in broken.stdout


def purged_message(client: Client, session_id: str) -> str | None:
    """The OUT_OF_RANGE message a replay of the session from after_seq=1
    gets once retention deleted its events; None while they are kept."""
    from codex_manager import OutOfRangeError
    try:
        list(client.events(session_id, after=1, follow=False))
    except OutOfRangeError as e:
        return str(e)
    return None


def test_retention_never_lets_an_event_id_be_given_twice(tmp_path: Path) -> None:
    """Archiving is a session's last event, so retention can delete the
    newest events of the log; a restarted server must not give their ids
    again, or a follower holding one as its cursor would miss new events."""
    gen = fake_server_with(tmp_path, "--retain-archived-days", "0.00002")
    server = next(gen)
    try:
        with Client(server.addr) as client:
            old = client.create_session(str(tmp_path))
            client.wait_for_session(old.session_id, SessionState.IDLE)
            client.archive_session(old.session_id)
            newest = [e.event_id for e in client.events(follow=False)][-1]

            wait_for(lambda: purged_message(client, old.session_id), timeout=15)
        server.stop()
        server.start()
        with Client(server.addr) as client:
            new = client.create_session(str(tmp_path))
            client.wait_for_session(new.session_id, SessionState.IDLE)
            after = [(e.event_id, e.session_id) for e in client.events(after=newest, follow=False)]
            assert after and all(s == new.session_id for _, s in after), after
            assert after[0][0] == newest + 1
    finally:
        for _ in gen:
            pass


def test_retention_deletes_archived_events_and_old_cursors_get_out_of_range(
        tmp_path: Path) -> None:
    from codex_manager import OutOfRangeError
    # 0.00002 days: events of sessions archived more than ~1.7 s ago go.
    gen = fake_server_with(tmp_path, "--retain-archived-days", "0.00002")
    server = next(gen)
    try:
        with Client(server.addr) as client:
            old = client.create_session(str(tmp_path))
            client.wait_for_session(old.session_id, SessionState.IDLE)
            assert client.run_turn(old.session_id, "hello").state == TurnState.COMPLETED
            kept = client.create_session(str(tmp_path))
            client.wait_for_session(kept.session_id, SessionState.IDLE)
            assert client.run_turn(kept.session_id, "hi").state == TurnState.COMPLETED
            # The session's IDLE event follows the turn's end: in the replay
            # once the session reads IDLE.
            client.wait_for_session(kept.session_id, SessionState.IDLE)
            kept_events = [e.event_id for e in client.events(kept.session_id, follow=False)]
            client.archive_session(old.session_id)
            last_seq = client.get_session(old.session_id).last_seq

            message = wait_for(lambda: purged_message(client, old.session_id), timeout=15)
            assert f"the oldest available cursor is after_seq={last_seq}" in message
            assert client.get_session(old.session_id).purged_seq == last_seq
            assert client.get_session(kept.session_id).purged_seq == 0
            # The CLI's transcript says so rather than print nothing.
            cli = Cli(server)
            shown = cli("events", old.session_id)
            assert shown.returncode == 0, shown.stderr
            assert shown.stdout == (
                f"── events 1–{last_seq} of this session were deleted: it was archived "
                "longer ago than the server keeps events (--retain-archived-days) ──\n")
            assert f"purged_seq:        {last_seq}\n" in cli("session", "show", old.session_id).stdout
            # Its turns keep their ids, states and times, not the words.
            [gone] = client.list_turns(old.session_id)
            assert (gone.state, gone.prompt, gone.final_message) == (TurnState.COMPLETED, "", "")
            assert [t.prompt for t in client.list_turns(kept.session_id)] == ["hi"]
            # The session keeps its place in the log; nothing older is left.
            assert client.get_session(old.session_id).last_seq == last_seq
            assert list(client.events(old.session_id, after=last_seq, follow=False)) == []
            # All sessions: a cursor from before the deleted events is refused,
            # and a replay from the start has only what is kept.
            with pytest.raises(OutOfRangeError, match="oldest available cursor, after_event_id="):
                list(client.events(after=1, follow=False))
            everything = [e for e in client.events(follow=False)]
            assert {e.session_id for e in everything} == {kept.session_id}
            assert [e.event_id for e in client.events(kept.session_id, follow=False)] == kept_events
        server.stop()
        check = check_store(server.data_dir)
        assert check.returncode == 0, check.stdout
    finally:
        for _ in gen:
            pass


def test_a_full_disk_costs_unavailable_and_nothing_else(tmp_path: Path) -> None:
    from codex_manager import UnavailableError
    faults = tmp_path / "store-faults"  # what the fault VFS reads
    gen = fake_server_with(tmp_path, "--inject-store-faults-from", str(faults),
                          "--commit-timeout", "1s")
    server = next(gen)
    try:
        with Client(server.addr) as client:
            session = client.create_session(str(tmp_path))
            client.wait_for_session(session.session_id, SessionState.IDLE)
            faults.write_text("full")
            # The first change meets the fault: UNAVAILABLE after the commit
            # timeout; it stays queued, whole, until the disk has room.
            with pytest.raises(UnavailableError):
                client.start_turn(session.session_id, "hello", request_id="turn-1")
            # Further changes are refused at once, changing nothing.
            started = time.monotonic()
            with pytest.raises(UnavailableError, match="nothing was changed"):
                client.create_session(str(tmp_path))
            assert time.monotonic() - started < 0.5
            # Reads and health go on.
            assert client.health()
            assert client.get_session(session.session_id).session_id == session.session_id
            faults.unlink()
            # Commits resume: the queued turn is there, and a retry with the
            # same request_id returns it instead of starting another.
            turn = wait_for(lambda: _retry(client, session.session_id), timeout=15)
            wait_for(lambda: client.get_turn(turn.turn_id).state == TurnState.COMPLETED)
            assert len(list(client.list_turns(session.session_id))) == 1
            assert client.create_session(str(tmp_path)).session_id
        server.stop()
        check = check_store(server.data_dir)
        assert check.returncode == 0, check.stdout
    finally:
        for _ in gen:
            pass


def test_a_failing_store_holds_codex_back_and_loses_nothing(tmp_path: Path) -> None:
    """While the disk is full, a streaming runtime's output waits (it is read
    more slowly) once --max-uncommitted-events are queued, instead of
    filling memory; when the disk has room again every delta commits and
    reaches the stream once, in order."""
    from test_metrics import sample, scrape
    faults = tmp_path / "store-faults"
    gen = fake_server_with(tmp_path, "--inject-store-faults-from", str(faults),
                          "--max-uncommitted-events", "100",
                          "--metrics-listen", "127.0.0.1:0")
    server = next(gen)
    try:
        with Client(server.addr) as client:
            session = client.create_session(str(tmp_path))
            client.wait_for_session(session.session_id, SessionState.IDLE)
            after = client.get_session(session.session_id).last_seq
            turn = client.start_turn(session.session_id, "pace 3000 1")
            deltas: list[str] = []
            done = threading.Event()

            def follow() -> None:
                for event in client.events(session.session_id, after=after):
                    if event.type == EventType.AGENT_MESSAGE_DELTA:
                        deltas.append(event.delta.text)
                    elif (event.type == EventType.TURN_STATE_CHANGED
                          and event.turn_state_changed.state == TurnState.COMPLETED):
                        break
                done.set()
            reader = threading.Thread(target=follow, daemon=True)
            reader.start()
            wait_for(lambda: len(deltas) >= 50)
            faults.write_text("full")
            # Held back: the queue stops near the limit (each runtime may
            # add one line per 5 s wait), while Codex would have written
            # hundreds more lines meanwhile.
            wait_for(lambda: sample(scrape(server), "codex_manager_events_uncommitted") >= 100)
            time.sleep(2)
            queued = sample(scrape(server), "codex_manager_events_uncommitted")
            assert 100 <= queued <= 102, queued
            assert client.get_turn(turn.turn_id).state == TurnState.RUNNING
            faults.unlink()
            assert done.wait(60), f"{len(deltas)} deltas so far"
            assert len(deltas) == 3000
            stamps = [int(d) for d in deltas]
            assert stamps == sorted(stamps) and len(set(stamps)) == 3000
        server.stop()
        check = check_store(server.data_dir)
        assert check.returncode == 0, check.stdout
    finally:
        faults.unlink(missing_ok=True)
        for _ in gen:
            pass


def _retry(client: Client, session_id: str) -> object:
    from codex_manager import UnavailableError
    try:
        return client.start_turn(session_id, "hello", request_id="turn-1")
    except UnavailableError:
        return None


def test_an_idle_client_does_not_hold_the_stop_up(fake_server: Server, tmp_path: Path) -> None:
    """gRPC's graceful GOAWAY waits (up to 20 s) for each client to answer a
    PING, and a client with no call open may not read its socket: this one
    held the stop up for 5 s. Once its calls are done, the server closes its
    connections instead of waiting."""
    client = Client(fake_server.addr)
    try:
        session = client.create_session(str(tmp_path))
        client.get_session(session.session_id)
        started = time.monotonic()
        assert fake_server.stop(signal.SIGTERM) == 0
        assert time.monotonic() - started < 2
    finally:
        client.close()


def test_sigterm_drains_every_stream_then_exits(fake_server: Server, tmp_path: Path) -> None:
    """A graceful stop: each follower gets every committed event (the running
    turn INTERRUPTED and its session STOPPED included), then its stream ends
    UNAVAILABLE, which clients resume from; nothing committed goes unsent."""
    import grpc
    from codex_manager.v1 import events_pb2, events_pb2_grpc, sessions_pb2, turns_pb2
    with Client(fake_server.addr) as client:
        session = client.create_session(str(tmp_path))
        client.wait_for_session(session.session_id, SessionState.IDLE)
        turn = client.start_turn(session.session_id, "slow")
    channel = grpc.insecure_channel(fake_server.addr)
    stub = events_pb2_grpc.StreamServiceStub(channel)
    md = [("authorization", f"Bearer {fake_server.token}")]
    streams = {
        "session": stub.StreamEvents(
            events_pb2.StreamEventsRequest(session_id=session.session_id), metadata=md),
        "all": stub.StreamEvents(events_pb2.StreamEventsRequest(), metadata=md),
    }
    got: dict[str, list[events_pb2.Event]] = {name: [] for name in streams}
    ended: dict[str, grpc.RpcError] = {}

    def read(name: str) -> None:
        try:
            for event in streams[name]:
                got[name].append(event)
        except grpc.RpcError as error:
            ended[name] = error

    readers = [threading.Thread(target=read, args=(name,), daemon=True) for name in streams]
    for reader in readers:
        reader.start()
    wait_for(lambda: any(e.WhichOneof("payload") == "delta"
                         for e in got["session"]))  # the turn is streaming
    started = time.monotonic()
    assert fake_server.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 10
    for reader in readers:
        reader.join(timeout=10)
    channel.close()
    for name in streams:
        assert ended[name].code() == grpc.StatusCode.UNAVAILABLE, name
        assert "shutting down" in ended[name].details()
    states = [(e.turn_state_changed.state if e.WhichOneof("payload") == "turn_state_changed"
               else None) for e in got["session"]]
    assert turns_pb2.TURN_STATE_INTERRUPTED in states
    last = got["session"][-1]
    assert last.WhichOneof("payload") == "session_state_changed"
    assert last.session_state_changed.state == sessions_pb2.SESSION_STATE_STOPPED
    assert all(e.turn_id == turn.turn_id for e in got["session"] if e.turn_id)
    # Everything stored went out, once and in order, on both streams.
    fake_server.start()
    with Client(fake_server.addr) as client:
        stored = [e.event_id for e in client.events(follow=False)]
    assert [e.event_id for e in got["all"]] == stored
    assert [e.session_seq for e in got["session"]] == list(range(1, len(got["session"]) + 1))
    drained = [line for line in fake_server.log_lines() if line.get("msg") == "drained"]
    assert drained and drained[0]["subscribers_left"] == 0
