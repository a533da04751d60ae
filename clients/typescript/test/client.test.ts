// The package against the real server through the real proxy (gRPC-Web, as
// a browser would), and straight over gRPC.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport, connectNodeAdapter } from "@connectrpc/connect-node";
import { createServer, type ServerHttp2Session } from "node:http2";
import type { AddressInfo, Socket } from "node:net";

import {
  answer, ApprovalKind, ApprovalSchema, approve, bearerToken, type CodexManager, createCodexManager, deny, EventType,
  exportTranscript, followEvents, generatedImage, ItemSchema, pendingApprovals, questions, SessionState,
  StreamService, TurnState,
} from "@codex-manager/client";

import { halt, launch, type Stack, startStack } from "./stack.js";

let stack: Stack;
let web: CodexManager;
let grpc: CodexManager;

before(async () => {
  stack = await startStack();
  web = createCodexManager(createGrpcWebTransport({
    baseUrl: `http://127.0.0.1:${stack.proxy.port}`, httpVersion: "1.1",
    interceptors: [bearerToken(stack.token)],
  }));
  grpc = createCodexManager(createGrpcTransport({
    baseUrl: `http://127.0.0.1:${stack.server.port}`, interceptors: [bearerToken(stack.token)],
  }));
});

after(async () => {
  await halt(stack.proxy);
  await halt(stack.server);
});

async function idleSession(client: CodexManager): Promise<string> {
  const session = await client.sessions.createSession({ cwd: stack.project });
  for (const _ of Array(200)) {
    if ((await client.sessions.getSession({ sessionId: session.sessionId })).state === SessionState.IDLE) {
      return session.sessionId;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("session never became idle");
}

// A session whose turn streamed 50 deltas and completed, with the
// session_seq of each of its events, replayed over gRPC.
async function burstSession(): Promise<{ sessionId: string; expected: bigint[] }> {
  const sessionId = await idleSession(grpc);
  const turn = await grpc.turns.startTurn({ sessionId, prompt: "burst 50" });
  for (let i = 0; i < 400; i++) {
    if ((await grpc.turns.getTurn({ turnId: turn.turnId })).state === TurnState.COMPLETED) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const expected: bigint[] = [];
  for await (const event of followEvents(grpc, { sessionId, follow: false })) {
    expected.push(event.sessionSeq);
  }
  return { sessionId, expected };
}

test("a turn through the proxy: the stream, an approval decided, the transcript", async () => {
  const sessionId = await idleSession(web);
  const turn = await web.turns.startTurn({ sessionId, prompt: "approve" });
  const seen: string[] = [];
  for await (const event of followEvents(web, { sessionId })) {
    if (event.type === EventType.APPROVAL_REQUESTED) {
      const [pending] = await pendingApprovals(web, sessionId);
      assert.equal(pending?.approvalId, event.payload.case === "approvalRequested"
        ? event.payload.value.approval?.approvalId : undefined);
      await approve(web, pending!.approvalId);
    }
    if (event.payload.case === "delta") seen.push(event.payload.value.text);
    if (event.payload.case === "turnStateChanged" && event.payload.value.turnId === turn.turnId &&
        event.payload.value.state === TurnState.COMPLETED) break;
  }
  assert.equal(seen.join(""), "decision was accept");
  const markdown = await exportTranscript(web, sessionId);
  assert.match(markdown, /\*\*Approval\*\* `apr_\w+`: \*\*approved\*\* by `admin`/);

  // deny with abort: Codex "cancel", the turn stops.
  await web.turns.startTurn({ sessionId, prompt: "approve" });
  for await (const event of followEvents(web, { sessionId, after: (await web.sessions.getSession({ sessionId })).lastSeq })) {
    if (event.payload.case === "approvalRequested") {
      await deny(web, event.payload.value.approval!.approvalId, { abort: true });
    }
    if (event.payload.case === "turnStateChanged" && event.payload.value.state === TurnState.INTERRUPTED) break;
  }
});

test("followEvents resumes after a server restart with nothing missed or repeated", async () => {
  const sessionId = await idleSession(grpc);
  await grpc.turns.startTurn({ sessionId, prompt: "burst 50" });
  const seqs: bigint[] = [];
  const abort = new AbortController();
  const following = (async () => {
    for await (const event of followEvents(grpc, { sessionId, signal: abort.signal, maxBackoffMs: 200 })) {
      if (!event.redelivered) seqs.push(event.sessionSeq);
    }
  })();
  // Its failure is the test's, at the `await` below, after the server is
  // back (else the tests after this one would find no server).
  following.catch(() => {});
  while (seqs.length < 5) await new Promise((r) => setTimeout(r, 20));
  await halt(stack.server, "SIGKILL");
  stack.server = await launch("codex-manager-server", stack.serverArgs(stack.server.port));
  const turn = await grpc.turns.startTurn({ sessionId, prompt: "after the restart" });
  // The session back to IDLE after that turn is the last event: wait for
  // it, then for the stream to have it (comparing with a head that still
  // moves would race).
  for (let i = 0; i < 400; i++) {
    const state = (await grpc.turns.getTurn({ turnId: turn.turnId })).state;
    const idle = (await grpc.sessions.getSession({ sessionId })).state === SessionState.IDLE;
    if (idle && (state === TurnState.COMPLETED || state === TurnState.FAILED)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const last = async () => (await grpc.sessions.getSession({ sessionId })).lastSeq;
  for (let i = 0; i < 400 && (seqs.at(-1) ?? 0n) < await last(); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  abort.abort();
  await following;
  const expected = Array.from({ length: Number(await last()) }, (_, i) => BigInt(i + 1));
  assert.deepEqual(seqs, expected);
});

test("followEvents resumes when the connection is reset or closed under it", async () => {
  const { sessionId, expected } = await burstSession();
  // A server in front of the real one, one event per batch, that cuts its
  // connections after the fifth event of its first two calls: with a TCP
  // reset (connect-node: ABORTED), then with a plain close (CANCELED).
  // It cuts once the client has those events: a reset discards what is
  // still unsent, and a stream that never delivered anything is not
  // retried (by design).
  const sockets = new Set<Socket>();
  const got: bigint[] = [];
  let calls = 0;
  const cutting = createServer(connectNodeAdapter({
    routes: (router) => router.service(StreamService, {
      async *streamEventBatches(request, context) {
        const call = ++calls;
        let sent = 0;
        for await (const event of grpc.streams.streamEvents(request, { signal: context.signal })) {
          if (call <= 2 && ++sent > 5) {
            while (got.length < 5 * call && !context.signal.aborted) await new Promise((r) => setTimeout(r, 10));
            for (const socket of sockets) call === 1 ? socket.resetAndDestroy() : socket.destroy();
            await new Promise((r) => setTimeout(r, 1000));
            return;
          }
          yield { events: [event] };
        }
      },
    }),
  }));
  cutting.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => cutting.listen(0, "127.0.0.1", resolve));
  try {
    const client = createCodexManager(createGrpcTransport({
      baseUrl: `http://127.0.0.1:${(cutting.address() as AddressInfo).port}`,
    }));
    for await (const event of followEvents(client, { sessionId, follow: false, maxBackoffMs: 100 })) {
      got.push(event.sessionSeq);
    }
    assert.equal(calls, 3);
    assert.deepEqual(got, expected);
  } finally {
    for (const socket of sockets) socket.destroy();
    cutting.close();
  }
});

test("errors keep their gRPC codes; an unreachable server is not retried", async () => {
  await assert.rejects(grpc.sessions.getSession({ sessionId: "ses_00000000000000000000" }),
    (e: unknown) => e instanceof ConnectError && e.code === Code.NotFound &&
      e.rawMessage.includes("ses_00000000000000000000"));
  const nowhere = createCodexManager(createGrpcTransport({ baseUrl: "http://127.0.0.1:1" }));
  const started = Date.now();
  await assert.rejects(async () => {
    for await (const _ of followEvents(nowhere, {})) { /* never */ }
  }, (e: unknown) => e instanceof ConnectError && e.code === Code.Unavailable);
  assert.ok(Date.now() - started < 5000);
  const anonymous = createCodexManager(createGrpcTransport({
    baseUrl: `http://127.0.0.1:${stack.server.port}` }));
  await assert.rejects(anonymous.sessions.listSessions({}),
    (e: unknown) => e instanceof ConnectError && e.code === Code.Unauthenticated);
});

test("followEvents falls back to StreamEvents on a server without StreamEventBatches", async () => {
  const { sessionId, expected } = await burstSession();
  // The older server: serves StreamEvents only (by forwarding it to the
  // real one); Connect answers UNIMPLEMENTED for every other method.
  const older = createServer(connectNodeAdapter({
    routes: (router) => router.service(StreamService, {
      streamEvents: (request, context) => grpc.streams.streamEvents(request, { signal: context.signal }),
    }),
  }));
  const sessions = new Set<ServerHttp2Session>();
  older.on("session", (session) => sessions.add(session));
  await new Promise<void>((resolve) => older.listen(0, "127.0.0.1", resolve));
  try {
    const client = createCodexManager(createGrpcTransport({
      baseUrl: `http://127.0.0.1:${(older.address() as AddressInfo).port}`,
    }));
    const got: bigint[] = [];
    for await (const event of followEvents(client, { sessionId, follow: false })) {
      got.push(event.sessionSeq);
    }
    assert.deepEqual(got, expected);
    assert.ok(expected.length > 50);
  } finally {
    for (const session of sessions) session.destroy();
    older.close();
  }
});

test("a backup comes through the proxy whole, as the server's SHA-256 says", async () => {
  const { createHash } = await import("node:crypto");
  await idleSession(grpc);  // something to copy
  const hash = createHash("sha256");
  let total = -1n, size = 0n, sha256 = "", sessions = 0n;
  for await (const chunk of web.maintenance.backup({})) {
    if (total < 0n) ({ totalBytes: total, sessions } = chunk);
    hash.update(chunk.data);
    size += BigInt(chunk.data.length);
    if (chunk.sha256) sha256 = chunk.sha256;
  }
  assert.equal(size, total);
  assert.ok(sessions >= 1n);
  assert.equal(hash.digest("hex"), sha256);
});

test("the server's Codex is reachable through the package", async () => {
  // The stack's Codex is tests/fake_codex, which knows no model/list: the
  // call reaches it, and its refusal comes back with its code.
  await assert.rejects(web.codex.listModels({}), (err: unknown) =>
    err instanceof ConnectError && err.code === Code.FailedPrecondition &&
    err.message.includes("fake: no model/list"));
});

test("a question read with questions() and answered by id", async () => {
  const sessionId = await idleSession(web);
  const turn = await web.turns.startTurn({ sessionId, prompt: "ask-user" });
  for await (const event of followEvents(web, { sessionId })) {
    if (event.payload.case === "approvalRequested") {
      const approval = event.payload.value.approval!;
      const asked = questions(approval);
      assert.deepEqual(asked.map((q) => [q.id, q.header, q.other, q.secret]),
                       [["lang", "Language", true, false], ["key", "API key", true, true]]);
      assert.deepEqual(asked[0]!.options.map((o) => o.label), ["Python", "Go"]);
      await answer(web, approval.approvalId,
                   Object.fromEntries(asked.map((q) => [q.id, q.options.at(-1)?.label ?? "k"])));
    }
    if (event.payload.case === "turnStateChanged" && event.payload.value.turnId === turn.turnId &&
        event.payload.value.state === TurnState.COMPLETED) break;
  }
  assert.equal((await web.turns.getTurn({ turnId: turn.turnId })).finalMessage,
               'answers were {"key": ["k"], "lang": ["Go"]}');
});

test("questions() reads a form's fields and nothing from what is not one", () => {
  const form = create(ApprovalSchema, {
    kind: ApprovalKind.MCP_ELICITATION,
    requestedSchemaJson: JSON.stringify({
      type: "object", required: ["title"],
      properties: { title: { type: "string", title: "Title" }, urgent: { type: "boolean" },
                    tier: { type: "string", oneOf: [{ const: "pro", title: "Pro" }] } } }),
  });
  assert.deepEqual(questions(form).map((q) => [q.id, q.required, q.other, q.options.map((o) => o.label)]),
                   [["title", true, true, []], ["urgent", false, false, ["true", "false"]],
                    ["tier", false, false, ["pro"]]]);
  for (const paramsJson of ["", "[1]", '{"questions":"?"}', '{"questions":[7,{"header":"no id"}]}', "{"]) {
    assert.deepEqual(questions(create(ApprovalSchema, { kind: ApprovalKind.USER_INPUT, paramsJson })), []);
  }
  assert.deepEqual(questions(create(ApprovalSchema, {
    kind: ApprovalKind.COMMAND_EXECUTION, paramsJson: '{"questions":[{"id":"a"}]}' })), []);
});

// A 1x1 red PNG (tests/fake_codex RED_PIXEL_PNG).
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

test("generatedImage() reads an image item's path, error, prompt and bytes, and nothing else", () => {
  const item = (fields: object, text = "", error = "") => create(ItemSchema, {
    itemType: "imageGeneration", text, error, itemJson: JSON.stringify({ type: "imageGeneration", ...fields }) });
  const made = generatedImage(item({ result: PNG, revisedPrompt: "a red dot" }, "/c/red.png"))!;
  assert.deepEqual({ ...made, data: [...made.data!.slice(0, 4)] },
                   { path: "/c/red.png", error: "", prompt: "a red dot", data: [0x89, 0x50, 0x4e, 0x47],
                     mediaType: "image/png", extension: ".png" });
  assert.equal(made.data!.length, 69);
  const webp = btoa("RIFF\x24\x00\x00\x00WEBPVP8 ");
  assert.equal(generatedImage(item({ result: webp }, "/x.webp"))!.mediaType, "image/webp");
  assert.deepEqual(generatedImage(item({ failure: { type: "usageLimitExceeded" } }, "", "usageLimitExceeded")),
                   { path: "", error: "usageLimitExceeded", prompt: "", mediaType: "", extension: "" });
  for (const result of ["not base64!", "iVBORw0KGgo…", "abc", 7, null]) {
    assert.equal(generatedImage(item({ result }, "/a.png"))!.data, undefined, String(result));
  }
  assert.equal(generatedImage(create(ItemSchema, { itemType: "agentMessage", text: "hi" })), undefined);
  assert.equal(generatedImage(undefined), undefined);
  assert.equal(generatedImage(create(ItemSchema, { itemType: "imageGeneration", text: "/a.png",
                                                   itemJson: "{nope" }))!.path, "/a.png");
});

test("the image of a turn through the proxy", async () => {
  const sessionId = await idleSession(web);
  const turn = await web.turns.startTurn({ sessionId, prompt: "tools" });
  const images = [];
  for await (const event of followEvents(web, { sessionId })) {
    if (event.type === EventType.ITEM_COMPLETED && event.payload.case === "item") {
      const image = generatedImage(event.payload.value);
      if (image) images.push(image);
    }
    if (event.payload.case === "turnStateChanged" && event.payload.value.turnId === turn.turnId &&
        event.payload.value.state === TurnState.COMPLETED) break;
  }
  assert.deepEqual(images.map((i) => [i.path, i.error, i.prompt, i.mediaType, i.data?.length]),
                   [["/codex/generated_images/chart.png", "", "a chart of disk use", "image/png", 69],
                    ["", "usageLimitExceeded", "", "", undefined]]);
});
