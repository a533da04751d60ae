#!/usr/bin/env python3
"""live_latency_bench: how long a line Codex writes takes to reach a Python
client as an event, on an idle server and under the loads issue 9 names.

Starts the real codex-manager-server (build/bin) with tests/fake_codex as
the runtime on a free 127.0.0.1 port and a fresh data dir. The measured
session runs ``pace N MS``: the fake runtime writes N agent-message deltas
MS ms apart, each carrying the CLOCK_MONOTONIC time it was written at; the
Python SDK (``client.events``) follows the session, and each delta's
latency is the time it arrived less the time in it (one clock, one
machine). Scenarios, one after the other on the same server:

- idle: nothing else runs;
- others: ``--others`` more sessions stream paced deltas meanwhile (50 a
  second each, about what Codex streams);
- unary: 10 sessions stream, ``build/bin/load_client`` follows them with 200
  streams (``--load-rpc``: StreamEventBatches, as the project's clients
  call, or StreamEvents) and calls GetSession from 100 threads; its
  p50/p99 is reported, and the server's CPU time (user plus system) over
  the load divided by the GetSession calls made, the streams' share
  included (it moves with the machine too: compare two servers in
  alternating runs);
- catch_up: once the measured session's follower is open, ``load_client``
  opens ``--catch-up`` streams replaying a ``--history``-event session from
  cursor 0, all at once, and the measured turn starts half a second later
  (``--catch-up-start before``); or they open once the measured turn has
  streamed its 20th delta (``--catch-up-start during``), so their setup
  falls inside the turn. ``load_client`` is started and connected before
  the turn and only told when to open its streams (``--load-start
  ready``), so its process start and connections fall outside what is
  measured; ``--load-start spawn`` starts the process then, as before.

    .venv/bin/python bench/live_latency_bench.py [--deltas 1000] [--others 100]
        [--catch-up 2000] [--scenarios idle,others,unary,catch_up]
        [--server-bin OTHER/codex-manager-server] [--load-rpc StreamEvents]
        [--load-nice 19] [--catch-up-rate N] [--catch-up-start during]
        [--rounds N] [--latencies-out FILE]

Prints one JSON object per scenario and round. With ``--rounds N`` the
scenarios run N times in turn on the same server, and two last lines give
each scenario's p99 over the idle p99 of the same round (a paired figure,
so the machine's drift over an hour moves both sides of each ratio), and
each scenario's p50 and p99 over all its rounds' deltas pooled, with the
pooled p99 over idle's. One round's p99 is the 10th-worst of 1,000 deltas
and moves by a fifth from round to round on an unchanged server; the
pooled p99 of N rounds is the 10N-th worst of 1,000N. ``--latencies-out``
appends each scenario's and round's deltas, in the order written, to FILE
(JSON lines): each one's latency, and its part up to the event's
``create_time`` (the runtime's pipe and the server's reader: the rest is
the commit, the fan-out and the client), to find where the worst ones fall;
and the time in each delta with the clocks' offset when it arrived, with
which ``bench/wire_split.py`` splits the rest where the server's message
reached loopback (a packet capture taken meanwhile).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

import cm_testing  # noqa: E402
from cm_testing import FAKE_CODEX, Server  # noqa: E402

from codex_manager import Client, EventType, SessionState  # noqa: E402

LOAD_CLIENT = REPO / "build" / "bin" / "load_client"
# 50 deltas a second per background session.
BACKGROUND_INTERVAL_MS = 20


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * p // 100)]


# With --catch-up-start during, the load starts once this many deltas came.
DURING_TURN_AFTER_DELTAS = 20


def measure(client: Client, session_id: str, deltas: int, interval_ms: int,
            before_turn: Callable[[], None] | None = None,
            during_turn: Callable[[], None] | None = None) -> dict[str, Any]:
    """Runs one paced turn and returns its deltas' latency (ms).

    `before_turn` runs once the session's follower is open: a load that
    starts then meets the turn's subscriber already following (a stream
    opened behind 2,000 others waits for their setup, which is not delivery
    latency). `during_turn` runs on a thread of its own once
    DURING_TURN_AFTER_DELTAS deltas have arrived."""
    after = client.get_session(session_id).last_seq
    latencies: list[float] = []
    to_event: list[float] = []
    # Each delta's time in it (CLOCK_MONOTONIC, ns) and the wall clock's
    # offset from it when it arrived (ns), for bench/wire_split.py.
    written_at: list[tuple[int, int]] = []
    ready = threading.Event()
    done = threading.Event()

    def follow() -> None:
        stream = client.events(session_id, after=after)
        ready.set()
        for event in stream:
            if event.type == EventType.AGENT_MESSAGE_DELTA:
                now = time.monotonic_ns()
                written = int(event.delta.text)
                latencies.append((now - written) / 1e6)
                # create_time is wall-clock (µs here): moved onto the
                # monotonic clock by the two clocks' offset now.
                offset = time.time_ns() - now
                made = round(event.create_time.timestamp() * 1e6) * 1000 - offset
                to_event.append((made - written) / 1e6)
                written_at.append((written, offset))
                if len(latencies) == DURING_TURN_AFTER_DELTAS and during_turn is not None:
                    threading.Thread(target=during_turn, daemon=True).start()
            elif (event.type == EventType.TURN_STATE_CHANGED
                  and event.turn_state_changed.state >= 3):
                break
        done.set()

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    ready.wait()
    time.sleep(0.3)  # the stream is open before the first delta
    if before_turn is not None:
        before_turn()
    client.start_turn(session_id, f"pace {deltas} {interval_ms}")
    if not done.wait(deltas * interval_ms / 1000 + 60):
        raise RuntimeError("the measured turn did not end")
    if len(latencies) != deltas:
        raise RuntimeError(f"got {len(latencies)} deltas of {deltas}")
    return {"latencies": latencies, "to_event": to_event, "written": written_at,
            "deltas": deltas, "p50_ms": round(percentile(latencies, 50), 3),
            "p99_ms": round(percentile(latencies, 99), 3),
            "max_ms": round(max(latencies), 3)}


def idle_session(client: Client, cwd: Path) -> str:
    session = client.create_session(str(cwd))
    client.wait_for_session(session.session_id, SessionState.IDLE, timeout=60)
    return session.session_id


def stream_in(client: Client, sessions: list[str], seconds: float) -> None:
    """Starts a paced turn of about `seconds` in each of `sessions`."""
    n = int(seconds * 1000 / BACKGROUND_INTERVAL_MS)
    for s in sessions:
        client.start_turn(s, f"pace {n} {BACKGROUND_INTERVAL_MS}")


def wait_idle(client: Client, sessions: list[str]) -> None:
    for s in sessions:
        client.wait_for_session(s, SessionState.IDLE, timeout=120)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time `pid` has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_client(server: Server, rpc: str, nice: int, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(["nice", "-n", str(nice), str(LOAD_CLIENT), "--addr", server.addr,
                             "--token", server.token, "--rpc", rpc, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=1000)
    parser.add_argument("--interval-ms", type=int, default=5)
    parser.add_argument("--others", type=int, default=100)
    parser.add_argument("--catch-up", type=int, default=2000)
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--scenarios", default="idle,others,unary,catch_up")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the scenarios this many times, in turn, on one server")
    parser.add_argument("--load-rpc", default="StreamEventBatches",
                        choices=["StreamEventBatches", "StreamEvents"],
                        help="what load_client's streams call (StreamEvents for a server "
                             "older than StreamEventBatches)")
    parser.add_argument("--load-nice", type=int, default=0,
                        help="run load_client at this niceness (19: its own CPU use, on the "
                             "cores the server shares, no longer competes with the server)")
    parser.add_argument("--catch-up-rate", type=int,
                        help="the server's --catch-up-rate (default: the server's default)")
    parser.add_argument("--catch-up-start", choices=["before", "during"], default="before",
                        help="open the catch-up streams before the measured turn starts, or "
                             "during it (their setup inside the turn)")
    parser.add_argument("--load-start", choices=["ready", "spawn"], default="ready",
                        help="start load_client before the measured turn and only signal it "
                             "when its load is due (ready), or start the process then (spawn: "
                             "its start and connections fall where the bench measures)")
    parser.add_argument("--latencies-out", type=Path,
                        help="append each scenario's and round's per-delta latencies to this "
                             "file (JSON lines)")
    parser.add_argument("--server-bin", type=Path,
                        help="codex-manager-server to measure (default: build/bin)")
    args = parser.parse_args()
    if args.server_bin:
        cm_testing.SERVER_BIN = args.server_bin.resolve()
    scenarios = args.scenarios.split(",")
    turn_seconds = args.deltas * args.interval_ms / 1000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "project").mkdir()
        server = Server(root / "var", root, [
            "--codex-bin", str(FAKE_CODEX),
            "--max-live-sessions", str(args.others + 16),
            "--max-streams-per-principal", str(args.catch_up + 1000),
            "--rate-limit", "0",
            *([] if args.catch_up_rate is None else ["--catch-up-rate", str(args.catch_up_rate)])])
        server.start()
        assert server.proc is not None
        server_pid = server.proc.pid
        try:
            with Client(server.addr, token=server.token, timeout=60) as client:
                measured = idle_session(client, root / "project")
                others = [idle_session(client, root / "project") for _ in range(args.others)]

                p99s: dict[str, list[float]] = {}
                pooled: dict[str, list[float]] = {}

                def report(name: str, result: dict[str, Any], **extra: Any) -> None:
                    latencies, to_event = result.pop("latencies"), result.pop("to_event")
                    written = result.pop("written")
                    pooled.setdefault(name, []).extend(latencies)
                    if args.latencies_out:
                        with args.latencies_out.open("a") as out:
                            out.write(json.dumps({
                                "scenario": name, "round": round_no,
                                "latency_ms": [round(v, 3) for v in latencies],
                                "to_event_ms": [round(v, 3) for v in to_event],
                                "written": written}) + "\n")
                    p99s.setdefault(name, []).append(result["p99_ms"])
                    print(json.dumps({"scenario": name, "round": round_no, **result, **extra}),
                          flush=True)

                for round_no in range(1, args.rounds + 1):
                    if "idle" in scenarios:
                        report("idle", measure(client, measured, args.deltas, args.interval_ms))
                    if "others" in scenarios:
                        stream_in(client, others, turn_seconds + 3)
                        time.sleep(1)
                        result = measure(client, measured, args.deltas, args.interval_ms)
                        wait_idle(client, others)
                        report("others", result, streaming_sessions=len(others))
                    if "unary" in scenarios:
                        ten = others[:10]
                        stream_in(client, ten, turn_seconds + 4)
                        cpu_before = cpu_seconds(server_pid)
                        load = load_client(server, args.load_rpc, args.load_nice, "--seconds", str(turn_seconds + 2),
                                           "--follow", *ten, "--followers-per-session", "20",
                                           "--unary-callers", "100", "--unary-session", measured)
                        time.sleep(1)
                        result = measure(client, measured, args.deltas, args.interval_ms)
                        out, _ = load.communicate(timeout=120)
                        cpu = cpu_seconds(server_pid) - cpu_before
                        wait_idle(client, ten)
                        load_report = json.loads(out)
                        report("unary", result, load=load_report,
                               server_cpu_us_per_unary_call=round(
                                   cpu * 1e6 / max(1, load_report["unary_calls"]), 1))
                    if "catch_up" in scenarios:
                        history = idle_session(client, root / "project")
                        client.start_turn(history, f"burst {args.history}")
                        wait_idle(client, [history])
                        catch_up_args = ("--seconds", "0", "--catch-up", str(args.catch_up),
                                         "--catch-up-session", history)
                        loads: list[subprocess.Popen[str]] = []
                        if args.load_start == "ready":
                            # Started and connected now; its streams open
                            # when catch_up() says so.
                            loads.append(load_client(server, args.load_rpc, args.load_nice,
                                                     *catch_up_args, "--start-on-stdin"))
                            assert loads[0].stdout is not None
                            if loads[0].stdout.readline() != "ready\n":
                                raise RuntimeError("load_client did not get ready")

                        def catch_up() -> None:
                            if loads:
                                assert loads[0].stdin is not None
                                loads[0].stdin.write("go\n")
                                loads[0].stdin.flush()
                            else:
                                loads.append(load_client(server, args.load_rpc, args.load_nice,
                                                         *catch_up_args))
                            time.sleep(0.5)

                        if args.catch_up_start == "during":
                            result = measure(client, measured, args.deltas, args.interval_ms,
                                             during_turn=catch_up)
                        else:
                            result = measure(client, measured, args.deltas, args.interval_ms,
                                             before_turn=catch_up)
                        out, _ = loads[0].communicate(timeout=600)
                        report("catch_up", result, load=json.loads(out),
                               catch_up_start=args.catch_up_start)
                if "idle" in p99s and len(p99s) > 1:
                    # Each scenario's p99 over the idle p99 of the same round:
                    # rounds pair the two, so a slower or busier hour moves both.
                    idle = p99s["idle"]
                    print(json.dumps({"p99_over_idle": {
                        name: [round(v / i, 3) for v, i in zip(values, idle)]
                        for name, values in p99s.items() if name != "idle"}}), flush=True)
                if args.rounds > 1:
                    pooled_p99 = {name: percentile(v, 99) for name, v in pooled.items()}
                    print(json.dumps({"pooled": {
                        name: {"deltas": len(v), "p50_ms": round(percentile(v, 50), 3),
                               "p99_ms": round(pooled_p99[name], 3),
                               **({"p99_over_idle": round(pooled_p99[name] / pooled_p99["idle"], 3)}
                                  if "idle" in pooled and name != "idle" else {})}
                        for name, v in pooled.items()}}), flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
