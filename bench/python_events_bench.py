#!/usr/bin/env python3
"""python_events_bench: streaming throughput of the Python SDK's
``client.events`` (events per second), from a session emitting deltas.

Starts the real codex-manager-server (build/bin) with tests/fake_codex as the
runtime on a free 127.0.0.1 port and a fresh data dir, creates a session and
sends ``burst N``: the fake runtime streams N agent-message deltas as fast as
it can. Measures:

- live: ``client.events(session)`` following the turn as it happens, from
  the first delta to the turn's end (bounded by how fast the runtime writes
  and the server persists);
- replay: ``client.events(session, follow=False)`` over the whole session
  afterwards (the store and the stream alone);
- replay_async: the same with ``AsyncClient``.

    .venv/bin/python bench/python_events_bench.py [--events N] [--runs R]

Prints one JSON object per measurement (best of R runs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

from cm_testing import FAKE_CODEX, Server  # noqa: E402

from codex_manager import AsyncClient, Client, EventType, SessionState  # noqa: E402


def live(client: Client, session_id: str, n: int) -> tuple[float, int]:
    after = client.get_session(session_id).last_seq
    turn = client.start_turn(session_id, f"burst {n}")
    count = 0
    first = 0.0
    for event in client.events(session_id, after=after):
        if event.type == EventType.AGENT_MESSAGE_DELTA:
            if count == 0:
                first = time.perf_counter()
            count += 1
        elif (event.type == EventType.TURN_STATE_CHANGED
              and event.turn_state_changed.turn_id == turn.turn_id
              and event.turn_state_changed.state >= 3):
            return time.perf_counter() - first, count
    raise RuntimeError("stream ended early")


def replay(client: Client, session_id: str) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in client.events(session_id, follow=False))
    return time.perf_counter() - start, count


def replay_async(address: str, token: str, session_id: str) -> tuple[float, int]:
    async def main() -> tuple[float, int]:
        async with AsyncClient(address, token=token) as client:
            start = time.perf_counter()
            count = 0
            async for _ in client.events(session_id, follow=False):
                count += 1
            return time.perf_counter() - start, count
    return asyncio.run(main())


def report(name: str, results: list[tuple[float, int]]) -> None:
    seconds, count = min(results)
    print(json.dumps({"bench": f"python_events_{name}", "events": count,
                      "seconds": round(seconds, 3),
                      "events_per_second": round(count / seconds)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "project").mkdir()
        server = Server(root / "var", root, ["--codex-bin", str(FAKE_CODEX)])
        server.start()
        try:
            with Client(server.addr, token=server.token, timeout=30) as client:
                session = client.create_session(str(root / "project"))
                client.wait_for_session(session.session_id, SessionState.IDLE)
                live_runs = [live(client, session.session_id, args.events)
                             for _ in range(args.runs)]
                replay_runs = [replay(client, session.session_id) for _ in range(args.runs)]
                async_runs = [replay_async(server.addr, server.token, session.session_id)
                              for _ in range(args.runs)]
            report("live", live_runs)
            report("replay", replay_runs)
            report("replay_async", async_runs)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
