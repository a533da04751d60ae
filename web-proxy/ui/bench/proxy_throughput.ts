// The same load three ways in one run: directly over gRPC (HTTP/2), through
// codex-manager-web and through improbable-eng's grpcwebproxy (both
// gRPC-Web over HTTP/1.1), with the same client library
// (@connectrpc/connect-node) every way, against the real server:
//   - stream: replays of one session of EVENTS events, one at a time (best
//     of RUNS) and PARALLEL at once (events/s);
//   - unary: CALLS sequential GetSession calls (p50/p99 latency, calls/s);
//   - proxy CPU per message: the proxy process's user+system time over the
//     whole phase (/proc/PID/stat) divided by the messages it carried.
// Prints one JSON line per figure, then the ratios (codex-manager-web
// against grpcwebproxy and against direct gRPC). Run with
// bench/web_proxy_bench.sh, which installs the pinned grpcwebproxy.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

import { createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";

import { StreamService } from "../src/gen/codex_manager/v1/events_pb.js";
import { SessionService, SessionState } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { TurnService, TurnState } from "../src/gen/codex_manager/v1/turns_pb.js";
import { startStack, waitFor } from "../test/support.js";

const events = Number(process.env.EVENTS ?? 50000);
const runs = Number(process.env.RUNS ?? 3);
const parallel = Number(process.env.PARALLEL ?? 4);
const calls = Number(process.env.CALLS ?? 2000);
const grpcwebproxyBin = process.env.GRPCWEBPROXY ?? "";
// Extra codex-manager-web flags, e.g. PROXY_ARGS="--threads 1".
const proxyArgs = (process.env.PROXY_ARGS ?? "").split(" ").filter(Boolean);

// Clock ticks of user + system CPU a process has used (/proc/PID/stat
// fields 14 and 15; 100 ticks a second on Linux).
function cpuTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
const TICK_US = 10000;

async function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

async function startGrpcwebproxy(upstreamPort: number): Promise<[ChildProcess, number]> {
  const port = await freePort();
  const child = spawn(grpcwebproxyBin, [
    `--backend_addr=127.0.0.1:${upstreamPort}`, "--run_tls_server=false",
    "--server_bind_address=127.0.0.1", `--server_http_debug_port=${port}`,
    "--allow_all_origins", "--backend_max_call_recv_msg_size=16777216",
    "--server_http_max_write_timeout=10m", "--server_http_max_read_timeout=10m",
  ], { stdio: ["ignore", "ignore", "ignore"] });
  await waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    return res !== undefined;
  });
  return [child, port];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

interface Path {
  name: string;
  transport: Transport;
  pid?: number;  // the proxy's process, when there is one
}

interface StreamFigures { seconds: number; eventsPerSecond: number; parallelEventsPerSecond: number;
                          cpuUsPerMessage: number }
interface UnaryFigures { p50Ms: number; p99Ms: number; callsPerSecond: number; cpuUsPerCall: number }

async function replay(transport: Transport, sessionId: string): Promise<number> {
  const streams = createClient(StreamService, transport);
  let n = 0;
  for await (const _ of streams.streamEvents({ sessionId, noFollow: true })) n++;
  return n;
}

async function measureStream(path: Path, sessionId: string): Promise<StreamFigures> {
  await replay(path.transport, sessionId);  // warm up
  const cpuBefore = cpuTicks(path.pid);
  let best = Infinity;
  let carried = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const n = await replay(path.transport, sessionId);
    best = Math.min(best, (performance.now() - start) / 1000);
    if (n < events) throw new Error(`${path.name}: replay gave ${n} events`);
    carried += n;
  }
  const start = performance.now();
  const counts = await Promise.all(
    Array.from({ length: parallel }, () => replay(path.transport, sessionId)));
  const parallelSeconds = (performance.now() - start) / 1000;
  const parallelEvents = counts.reduce((a, b) => a + b, 0);
  carried += parallelEvents;
  const cpu = (cpuTicks(path.pid) - cpuBefore) * TICK_US;
  const perReplay = counts[0];
  return {
    seconds: +best.toFixed(3),
    eventsPerSecond: Math.round(perReplay / best),
    parallelEventsPerSecond: Math.round(parallelEvents / parallelSeconds),
    cpuUsPerMessage: +(cpu / carried).toFixed(2),
  };
}

async function measureUnary(path: Path, sessionId: string): Promise<UnaryFigures> {
  const sessions = createClient(SessionService, path.transport);
  for (let i = 0; i < 100; i++) await sessions.getSession({ sessionId });  // warm up
  const cpuBefore = cpuTicks(path.pid);
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await sessions.getSession({ sessionId });
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  const cpu = (cpuTicks(path.pid) - cpuBefore) * TICK_US;
  latencies.sort((a, b) => a - b);
  return {
    p50Ms: +percentile(latencies, 50).toFixed(3),
    p99Ms: +percentile(latencies, 99).toFixed(3),
    callsPerSecond: Math.round(calls / seconds),
    cpuUsPerCall: +(cpu / calls).toFixed(1),
  };
}

const stack = await startStack({ proxyArgs });
const children: ChildProcess[] = [];
try {
  const auth: Interceptor = (next) => async (req) => {
    req.header.set("authorization", `Bearer ${stack.token}`);
    return next(req);
  };
  const paths: Path[] = [
    { name: "direct_grpc",
      transport: createGrpcTransport({ baseUrl: `http://127.0.0.1:${stack.server.port}`,
                                       interceptors: [auth] }) },
    { name: "codex_manager_web",
      transport: createGrpcWebTransport({ baseUrl: stack.baseUrl, httpVersion: "1.1",
                                          interceptors: [auth] }),
      pid: stack.proxy.child.pid },
  ];
  if (grpcwebproxyBin) {
    const [child, port] = await startGrpcwebproxy(stack.server.port);
    children.push(child);
    paths.push({ name: "grpcwebproxy",
                 transport: createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${port}`,
                                                     httpVersion: "1.1", interceptors: [auth] }),
                 pid: child.pid });
  }
  const sessions = createClient(SessionService, paths[0].transport);
  const turns = createClient(TurnService, paths[0].transport);
  const session = await sessions.createSession({ cwd: stack.project });
  await waitFor(async () =>
    (await sessions.getSession({ sessionId: session.sessionId })).state === SessionState.IDLE);
  const turn = await turns.startTurn({ sessionId: session.sessionId, prompt: `burst ${events}` });
  await waitFor(async () =>
    (await turns.getTurn({ turnId: turn.turnId })).state === TurnState.COMPLETED, 120000);

  const stream = new Map<string, StreamFigures>();
  const unary = new Map<string, UnaryFigures>();
  for (const path of paths) {
    const s = await measureStream(path, session.sessionId);
    stream.set(path.name, s);
    console.log(JSON.stringify({ bench: "stream", path: path.name, events_per_replay: events, runs,
                                 parallel, ...s }));
  }
  for (const path of paths) {
    const u = await measureUnary(path, session.sessionId);
    unary.set(path.name, u);
    console.log(JSON.stringify({ bench: "unary", path: path.name, calls, ...u }));
  }
  const ours = "codex_manager_web";
  const ratio = (a: number, b: number) => +(a / b).toFixed(3);
  const direct = stream.get("direct_grpc")!;
  console.log(JSON.stringify({
    bench: "ratios", against: "direct_grpc",
    stream_throughput: ratio(stream.get(ours)!.eventsPerSecond, direct.eventsPerSecond),
    parallel_stream_throughput: ratio(stream.get(ours)!.parallelEventsPerSecond,
                                      direct.parallelEventsPerSecond),
    unary_p50: ratio(unary.get(ours)!.p50Ms, unary.get("direct_grpc")!.p50Ms),
    target: "stream_throughput >= 0.95",
  }));
  const peer = stream.get("grpcwebproxy");
  if (peer) {
    console.log(JSON.stringify({
      bench: "ratios", against: "grpcwebproxy",
      stream_throughput: ratio(stream.get(ours)!.eventsPerSecond, peer.eventsPerSecond),
      parallel_stream_throughput: ratio(stream.get(ours)!.parallelEventsPerSecond,
                                        peer.parallelEventsPerSecond),
      proxy_cpu_per_message: ratio(stream.get(ours)!.cpuUsPerMessage, peer.cpuUsPerMessage),
      unary_p50: ratio(unary.get(ours)!.p50Ms, unary.get("grpcwebproxy")!.p50Ms),
      unary_p99: ratio(unary.get(ours)!.p99Ms, unary.get("grpcwebproxy")!.p99Ms),
      proxy_cpu_per_call: ratio(unary.get(ours)!.cpuUsPerCall, unary.get("grpcwebproxy")!.cpuUsPerCall),
      target: "stream_throughput >= 1.5",
    }));
  }
} finally {
  for (const child of children) child.kill("SIGTERM");
  await stack.stop();
}
