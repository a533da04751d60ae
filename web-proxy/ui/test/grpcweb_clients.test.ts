// The proxy through two grpc-web clients nobody here wrote:
// @connectrpc/connect-node's grpc-web transport (binary) and
// @protobuf-ts/grpcweb-transport (text mode), against the real server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { GrpcWebFetchTransport } from "@protobuf-ts/grpcweb-transport";
import { RpcError } from "@protobuf-ts/runtime-rpc";

import { EventType, StreamService } from "../src/gen/codex_manager/v1/events_pb.js";
import { SessionService, SessionState } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { TurnService, TurnState } from "../src/gen/codex_manager/v1/turns_pb.js";
import { StreamServiceClient } from "../test-gen/codex_manager/v1/events.client.js";
import { SessionServiceClient } from "../test-gen/codex_manager/v1/sessions.client.js";
import { TurnServiceClient } from "../test-gen/codex_manager/v1/turns.client.js";
import { type Stack, startStack, waitFor } from "./support.js";

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

function cancelledUpstream(): boolean {
  return stack.server.lines.some(
    (l) => l.msg === "rpc" && String(l.method).endsWith("/StreamEvents") && l.code === 1,
  );
}

describe("connect-node grpc-web transport (binary)", () => {
  const clients = () => {
    const transport = createGrpcWebTransport({
      baseUrl: stack.baseUrl, httpVersion: "1.1",
      interceptors: [(next) => (req) => {
        req.header.set("authorization", `Bearer ${stack.token}`);
        return next(req);
      }],
    });
    return {
      sessions: createClient(SessionService, transport),
      turns: createClient(TurnService, transport),
      streams: createClient(StreamService, transport),
    };
  };

  test("unary calls", async () => {
    const { sessions } = clients();
    const created = await sessions.createSession({ cwd: stack.project, title: "connect" });
    assert.equal(created.state, SessionState.STARTING);
    const got = await sessions.getSession({ sessionId: created.sessionId });
    assert.equal(got.title, "connect");
    const list = await sessions.listSessions({});
    assert.ok(list.sessions.some((s) => s.sessionId === created.sessionId));
  });

  test("errors carry code and message", async () => {
    const { sessions } = clients();
    await assert.rejects(sessions.getSession({ sessionId: "ses_missing" }), (e: unknown) => {
      assert.ok(e instanceof ConnectError);
      assert.equal(e.code, Code.NotFound);
      assert.match(e.rawMessage, /ses_missing/);
      return true;
    });
    await assert.rejects(sessions.createSession({ cwd: "relative" }), (e: unknown) => {
      assert.ok(e instanceof ConnectError && e.code === Code.InvalidArgument);
      assert.match((e as ConnectError).rawMessage, /^cwd:/);
      return true;
    });
  });

  test("a long server stream arrives whole and in order", async () => {
    const { sessions, turns, streams } = clients();
    const session = await sessions.createSession({ cwd: stack.project });
    await waitFor(async () =>
      (await sessions.getSession({ sessionId: session.sessionId })).state === SessionState.IDLE);
    const turn = await turns.startTurn({ sessionId: session.sessionId, prompt: "burst 3000" });
    let deltas = 0;
    let expectSeq = 1n;
    for await (const event of streams.streamEvents({ sessionId: session.sessionId })) {
      assert.equal(event.sessionSeq, expectSeq++);
      if (event.type === EventType.AGENT_MESSAGE_DELTA) deltas++;
      if (event.type === EventType.TURN_STATE_CHANGED && event.turnId === turn.turnId &&
          event.payload.case === "turnStateChanged" &&
          event.payload.value.state === TurnState.COMPLETED) break;
    }
    assert.equal(deltas, 3000);
  });

  test("a deadline ends an idle stream", async () => {
    const { streams } = clients();
    const start = Date.now();
    await assert.rejects(
      (async () => {
        for await (const _ of streams.streamEvents({}, { timeoutMs: 300 })) void _;
      })(),
      (e: unknown) => e instanceof ConnectError && e.code === Code.DeadlineExceeded,
    );
    assert.ok(Date.now() - start < 5000);
  });

  test("cancelling the call cancels it on the server", async () => {
    const { streams } = clients();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    await assert.rejects((async () => {
      for await (const _ of streams.streamEvents({}, { signal: abort.signal })) void _;
    })());
    await waitFor(async () => cancelledUpstream());
  });
});

describe("@protobuf-ts grpc-web transport (text mode)", () => {
  const clients = () => {
    const transport = new GrpcWebFetchTransport({
      baseUrl: stack.baseUrl, format: "text",
      meta: { authorization: `Bearer ${stack.token}` },
    });
    return {
      sessions: new SessionServiceClient(transport),
      turns: new TurnServiceClient(transport),
      streams: new StreamServiceClient(transport),
    };
  };

  test("unary calls", async () => {
    const { sessions } = clients();
    const { response: created } = await sessions.createSession({
      cwd: stack.project, title: "protobuf-ts", model: "", approvalPolicy: "", sandbox: "",
      requestId: "", developerInstructions: "", modelProvider: "", effort: "", serviceTier: "",
    });
    const { response: got } = await sessions.getSession({ sessionId: created.sessionId });
    assert.equal(got.title, "protobuf-ts");
  });

  test("errors carry code and message", async () => {
    const { sessions } = clients();
    await assert.rejects(sessions.getSession({ sessionId: "ses_missing" }).response, (e: unknown) => {
      assert.ok(e instanceof RpcError);
      assert.equal(e.code, "NOT_FOUND");
      assert.match(e.message, /ses_missing/);
      return true;
    });
  });

  test("a long server stream arrives whole and in order", async () => {
    const { sessions, turns, streams } = clients();
    const { response: session } = await sessions.createSession({
      cwd: stack.project, title: "", model: "", approvalPolicy: "", sandbox: "", requestId: "",
      developerInstructions: "", modelProvider: "", effort: "", serviceTier: "",
    });
    await waitFor(async () =>
      (await sessions.getSession({ sessionId: session.sessionId }).response).state === 2);
    const { response: turn } = await turns.startTurn({
      sessionId: session.sessionId, prompt: "burst 3000", requestId: "", model: "", effort: "",
      reasoningSummary: "", outputSchemaJson: "", imagePaths: [], images: [], approvalPolicy: "", sandbox: "",
      collaborationMode: "", serviceTier: "",
    });
    let deltas = 0;
    let expectSeq = 1;
    const call = streams.streamEvents({
      sessionId: session.sessionId, afterSeq: "0", afterEventId: "0", noFollow: false,
    });
    for await (const event of call.responses) {
      assert.equal(Number(event.sessionSeq), expectSeq++);
      if (event.type === 5) deltas++;
      if (event.type === 2 && event.turnId === turn.turnId &&
          event.payload.oneofKind === "turnStateChanged" &&
          event.payload.turnStateChanged.state === 3) break;
    }
    assert.equal(deltas, 3000);
  });

  test("a deadline ends an idle stream", async () => {
    const { streams } = clients();
    const call = streams.streamEvents(
      { sessionId: "", afterSeq: "0", afterEventId: "0", noFollow: false }, { timeout: 300 });
    await assert.rejects((async () => {
      for await (const _ of call.responses) void _;
    })(), (e: unknown) => e instanceof RpcError && e.code === "DEADLINE_EXCEEDED");
  });

  test("cancelling the call cancels it on the server", async () => {
    const { streams } = clients();
    const abort = new AbortController();
    const call = streams.streamEvents(
      { sessionId: "", afterSeq: "0", afterEventId: "0", noFollow: false },
      { abort: abort.signal });
    setTimeout(() => abort.abort(), 300);
    await assert.rejects((async () => {
      for await (const _ of call.responses) void _;
    })());
    await waitFor(async () => cancelledUpstream());
  });
});
