// Streams the same events directly over gRPC (HTTP/2) and through
// codex-manager-web (gRPC-Web over HTTP/1.1) in one run, with the same
// client library (@connectrpc/connect-node) both ways, and reports the
// ratio; then the same for sequential unary calls (GetSession), which
// measures the per-call cost of the proxy, connection reuse included.
// Run with bench/web_proxy_bench.sh.
import { createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";

import { StreamService } from "../src/gen/codex_manager/v1/events_pb.js";
import { SessionService, SessionState } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { TurnService, TurnState } from "../src/gen/codex_manager/v1/turns_pb.js";
import { startStack, waitFor } from "../test/support.js";

const events = Number(process.env.EVENTS ?? 50000);
const runs = Number(process.env.RUNS ?? 3);
const calls = Number(process.env.CALLS ?? 2000);

async function unary(transport: Transport, sessionId: string): Promise<[number, number]> {
  const sessions = createClient(SessionService, transport);
  const start = performance.now();
  for (let i = 0; i < calls; i++) await sessions.getSession({ sessionId });
  return [(performance.now() - start) / 1000, calls];
}

async function replay(transport: Transport, sessionId: string): Promise<[number, number]> {
  const streams = createClient(StreamService, transport);
  const start = performance.now();
  let n = 0;
  for await (const _ of streams.streamEvents({ sessionId, noFollow: true })) n++;
  return [(performance.now() - start) / 1000, n];
}

const stack = await startStack();
try {
  const direct = createGrpcTransport({ baseUrl: `http://127.0.0.1:${stack.server.port}` });
  const proxied = createGrpcWebTransport({ baseUrl: stack.baseUrl, httpVersion: "1.1" });
  const sessions = createClient(SessionService, direct);
  const turns = createClient(TurnService, direct);
  const session = await sessions.createSession({ cwd: stack.project });
  await waitFor(async () =>
    (await sessions.getSession({ sessionId: session.sessionId })).state === SessionState.IDLE);
  const turn = await turns.startTurn({ sessionId: session.sessionId, prompt: `burst ${events}` });
  await waitFor(async () =>
    (await turns.getTurn({ turnId: turn.turnId })).state === TurnState.COMPLETED, 120000);
  const best = async (
    measure: (t: Transport, id: string) => Promise<[number, number]>, t: Transport) => {
    const results: Array<[number, number]> = [];
    for (let i = 0; i < runs; i++) results.push(await measure(t, session.sessionId));
    return results.sort((a, b) => a[0] - b[0])[0];
  };
  await replay(direct, session.sessionId);  // warm up both paths
  await replay(proxied, session.sessionId);
  const [directS, n] = await best(replay, direct);
  const [proxyS] = await best(replay, proxied);
  const report = (name: string, s: number) =>
    console.log(JSON.stringify({ bench: `stream_${name}`, events: n, seconds: +s.toFixed(3),
                                 events_per_second: Math.round(n / s) }));
  report("direct_grpc", directS);
  report("via_web_proxy", proxyS);
  console.log(JSON.stringify({ bench: "web_proxy_ratio", ratio: +(directS / proxyS).toFixed(3),
                               target: 0.9 }));

  const [unaryDirectS] = await best(unary, direct);
  const [unaryProxyS] = await best(unary, proxied);
  const reportUnary = (name: string, s: number) =>
    console.log(JSON.stringify({ bench: `unary_${name}`, calls, seconds: +s.toFixed(3),
                                 calls_per_second: Math.round(calls / s),
                                 ms_per_call: +((s * 1000) / calls).toFixed(3) }));
  reportUnary("direct_grpc", unaryDirectS);
  reportUnary("via_web_proxy", unaryProxyS);
  console.log(JSON.stringify({ bench: "web_proxy_unary_ratio",
                               ratio: +(unaryDirectS / unaryProxyS).toFixed(3) }));
} finally {
  await stack.stop();
}
