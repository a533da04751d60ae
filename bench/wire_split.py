#!/usr/bin/env python3
"""wire_split: where each delta of live_latency_bench spent its time, split
at the moment the server's message carrying it reached loopback.

live_latency_bench measures a line the runtime writes until the Python
client has it as an event, and (``--latencies-out``) the part of that up
to the event's ``create_time``. A packet capture of loopback taken
meanwhile adds the time each message left the server, so every delta's
latency splits three ways:

- to event: the runtime's pipe and the server's reader (up to
  ``create_time``);
- server: the commit, the fan-out and the gRPC write (up to the packet);
- client: the kernel's delivery, gRPC Python and the SDK (up to the
  iterating thread having the event).

Each delta's text is the CLOCK_MONOTONIC time it was written, in decimal,
and the server sends it as it is: the packet carrying it is the first one
whose payload holds those digits. Packet times are wall-clock; the bench
records the wall clock's offset from the monotonic one as each delta
arrived, so no clock is compared across a drift. Prints, per scenario and
round, the median delta's split and the share of each part in the 20
worst deltas.

    tcpdump -i lo -s 0 -B 65536 --time-stamp-precision=nano -w /tmp/bench.pcap tcp &
    .venv/bin/python bench/live_latency_bench.py --scenarios idle,others \\
        --latencies-out /tmp/latencies.jsonl
    kill %1
    .venv/bin/python bench/wire_split.py /tmp/bench.pcap /tmp/latencies.jsonl

(tcpdump: Debian's package, run as root.)
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
from pathlib import Path

# pcap's magic numbers, little-endian: microsecond and nanosecond stamps.
PCAP_MICROS = 0xA1B2C3D4
PCAP_NANOS = 0xA1B23C4D
# A delta's text: CLOCK_MONOTONIC in ns, 10 digits or more once the machine
# has been up a second.
DIGITS = re.compile(rb"(?<![0-9])([0-9]{10,20})(?![0-9])")
WORST = 20


def first_seen(path: Path) -> dict[int, int]:
    """Each run of 10-20 digits in a packet of the capture, as a number,
    and the wall-clock time (ns) of the first packet that carried it."""
    data = path.read_bytes()
    if len(data) < 24:
        raise SystemExit(f"{path}: not a pcap file")
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (PCAP_MICROS, PCAP_NANOS):
        raise SystemExit(f"{path}: not a little-endian pcap file (magic {magic:#x})")
    scale = 1 if magic == PCAP_NANOS else 1000
    seen: dict[int, int] = {}
    pos = 24
    while pos + 16 <= len(data):
        seconds, fraction, length, _ = struct.unpack("<IIII", data[pos:pos + 16])
        packet = data[pos + 16:pos + 16 + length]
        pos += 16 + length
        at = seconds * 1_000_000_000 + fraction * scale
        for match in DIGITS.finditer(packet):
            seen.setdefault(int(match.group(1)), at)
    return seen


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pcap", type=Path, help="tcpdump -w of loopback during the bench")
    parser.add_argument("latencies", type=Path, help="the bench's --latencies-out file")
    args = parser.parse_args()
    seen = first_seen(args.pcap)
    for line in args.latencies.read_text().splitlines():
        run = json.loads(line)
        if "written" not in run:
            sys.exit(f"{args.latencies}: a run without `written` (a bench older than wire_split)")
        latency, to_event = run["latency_ms"], run["to_event_ms"]
        server, client = [], []
        for i, (written, offset) in enumerate(run["written"]):
            if written not in seen:
                sys.exit(f"{run['scenario']} round {run['round']}: delta {i} is in no packet "
                         "(was the capture running, on lo?)")
            on_wire = (seen[written] - offset - written) / 1e6
            server.append(on_wire - to_event[i])
            client.append(latency[i] - on_wire)
        worst = sorted(range(len(latency)), key=lambda i: -latency[i])[:WORST]
        total = sum(latency[i] for i in worst)

        def share(part: list[float]) -> float:
            return round(sum(part[i] for i in worst) / total, 2)

        print(json.dumps({
            "scenario": run["scenario"], "round": run["round"],
            "median_ms": {"to_event": round(median(to_event), 3),
                          "server": round(median(server), 3),
                          "client": round(median(client), 3)},
            f"worst_{WORST}_ms": round(total, 1),
            f"worst_{WORST}_share": {"to_event": share(to_event), "server": share(server),
                                     "client": share(client)}}))


if __name__ == "__main__":
    main()
