#!/usr/bin/env python3
"""auth_flood_bench: what a flood of refused calls costs the server — its
audit log, its data dir, and a legitimate caller meanwhile.

Starts the real codex-manager-server (build/bin) on a free 127.0.0.1 port
with a fresh data dir, then, for ``--seconds``, keeps ``--in-flight``
calls open that the server refuses:

- ``--kind bad-token``: ListSessions with a token the server never issued
  (UNAUTHENTICATED), as anyone who can reach the port can;
- ``--kind denied``: CreateSession with a viewer token (PERMISSION_DENIED).

Meanwhile an admin calls ListSessions in a loop; its p50 and p99 are
reported. After the flood the server is stopped (SIGTERM: its refusal
summaries are written then) and the bench counts the audit records the
flood left, the refusals those records account for (one each, or the
count a summary names), the data dir's size once stopped (a fresh one
holds about 130 KB), and the lines and bytes the server logged (its
access log: one line per call an admin made, and per refusal recorded one
by one).

    .venv/bin/python bench/auth_flood_bench.py [--seconds 5] [--in-flight 200]
        [--kind bad-token|denied] [--server-bin OTHER/codex-manager-server]
        [--server-arg=--audit-refusal-rate=0 ...]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

import cm_testing  # noqa: E402
from cm_testing import Server  # noqa: E402

import grpc  # noqa: E402
from codex_manager import Client, Role  # noqa: E402
from codex_manager.v1 import sessions_pb2, sessions_pb2_grpc  # noqa: E402

SUMMARY = re.compile(r"^(\d+) refusals? from ")


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, len(ordered) * p // 100)]


def data_bytes(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.iterdir() if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--in-flight", type=int, default=200)
    parser.add_argument("--kind", choices=["bad-token", "denied"], default="bad-token")
    parser.add_argument("--server-bin", type=Path, default=None)
    parser.add_argument("--server-arg", action="append", default=[])
    args = parser.parse_args()
    if args.server_bin is not None:
        cm_testing.SERVER_BIN = args.server_bin.resolve()

    with tempfile.TemporaryDirectory(prefix="cm-flood-") as tmp:
        data_dir = Path(tmp) / "data"
        server = Server(data_dir, Path(tmp), args.server_arg)
        server.start()
        project = Path(tmp) / "project"
        project.mkdir()
        with Client(server.addr, token=server.token) as admin:
            if args.kind == "denied":
                secret = admin.create_token("flood", Role.VIEWER).secret
                request = sessions_pb2.CreateSessionRequest(cwd=str(project))
                method = "CreateSession"
            else:
                secret = "cmt_" + "A" * 43
                request = sessions_pb2.ListSessionsRequest()
                method = "ListSessions"
            rows_before = len(list(admin.list_audit_events()))

            stop = threading.Event()
            admin_ms: list[float] = []

            def legitimate() -> None:
                while not stop.is_set():
                    start = time.perf_counter()
                    list(admin.list_sessions())
                    admin_ms.append((time.perf_counter() - start) * 1000)

            caller = threading.Thread(target=legitimate, daemon=True)
            channel = grpc.insecure_channel(server.addr)
            stub = sessions_pb2_grpc.SessionServiceStub(channel)
            call = getattr(stub, method)
            metadata = [("authorization", f"Bearer {secret}")]
            refused = 0
            codes: set[str] = set()
            start = time.monotonic()
            caller.start()
            while time.monotonic() - start < args.seconds:
                futures = [call.future(request, metadata=metadata, timeout=30)
                           for _ in range(args.in_flight)]
                for future in futures:
                    try:
                        future.result()
                    except grpc.RpcError as e:
                        refused += 1
                        codes.add(e.code().name)
            elapsed = time.monotonic() - start
            stop.set()
            caller.join()
            channel.close()
        server.stop()
        # After the stop's checkpoint: the WAL is folded into the database.
        bytes_after = data_bytes(data_dir)

        db = sqlite3.connect(str(data_dir / "codex-manager.db"))
        rows = db.execute("SELECT message FROM audit_log WHERE method LIKE ? ORDER BY audit_id",
                          (f"%/{method}",)).fetchall()
        db.close()
        # What the flood wrote to the access log (the server's stderr).
        log_text = "".join(p.read_text(errors="replace")
                           for p in sorted(Path(tmp).glob("server-*.log")))
        log_lines = log_text.count("\n")
        accounted = 0
        summaries = 0
        for (message,) in rows:
            m = SUMMARY.match(message)
            if m:
                summaries += 1
                accounted += int(m.group(1))
            else:
                accounted += 1
        print(json.dumps({
            "kind": args.kind, "server_args": args.server_arg,
            "refused_calls": refused, "codes": sorted(codes),
            "refused_per_s": round(refused / elapsed),
            "audit_rows": len(rows), "summary_rows": summaries,
            "refusals_accounted": accounted,
            "audit_rows_before": rows_before,
            "data_dir_bytes": bytes_after,
            "log_lines": log_lines, "log_bytes": len(log_text.encode()),
            "admin_list_calls": len(admin_ms),
            "admin_list_p50_ms": round(percentile(admin_ms, 50), 2),
            "admin_list_p99_ms": round(percentile(admin_ms, 99), 2),
        }))


if __name__ == "__main__":
    main()
