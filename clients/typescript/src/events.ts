// The event stream as an async iterator that survives reconnects: it
// resumes after the last event it yielded (session_seq for one session,
// event_id for all), so nothing is missed or repeated (docs/api.md).
import { Code, ConnectError } from "@connectrpc/connect";
import type { Event, EventBatch } from "./gen/codex_manager/v1/events_pb.js";
import type { CodexManager } from "./client.js";

export interface FollowOptions {
  // One session's events (cursor: session_seq), or every session's (empty;
  // cursor: event_id).
  sessionId?: string;
  // Yield the events after this cursor (0: from the start).
  after?: bigint;
  // false: replay what exists and stop.
  follow?: boolean;
  // Stops the iteration (the pending read is cancelled).
  signal?: AbortSignal;
  // Reconnects in a row that may fail before the error is thrown (default
  // 20; Infinity: never give up). A stream never established is not
  // retried: an unreachable server fails at once.
  maxRetries?: number;
  // Backoff between reconnects, doubling from 100 ms up to this (default
  // 5000 ms).
  maxBackoffMs?: number;
}

// The events of each message of a stream: a batch's, or the one event.
async function* batchesOf(stream: AsyncIterable<EventBatch | Event>):
    AsyncGenerator<Event[], void, undefined> {
  for await (const message of stream) {
    yield message.$typeName === "codex_manager.v1.EventBatch" ? message.events : [message];
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

// Yields the events after `after`, in order, reconnecting when the
// connection drops (a server restart, the network) and resuming after the last
// event yielded. Pending approvals from before the cursor come first, once,
// with `redelivered` set; they do not move the cursor. Throws the
// ConnectError of any other failure (NOT_FOUND for an unknown session,
// OUT_OF_RANGE for a cursor ahead of the log).
export async function* followEvents(client: CodexManager, options: FollowOptions = {}):
    AsyncGenerator<Event, void, undefined> {
  const sessionId = options.sessionId ?? "";
  const maxRetries = options.maxRetries ?? 20;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  let cursor = options.after ?? 0n;
  let reached = false;
  let failures = 0;
  let backoff = 100;
  // StreamEventBatches (several events per message) until a server older
  // than it answers UNIMPLEMENTED; then StreamEvents, the same stream.
  let batched = true;
  while (!options.signal?.aborted) {
    try {
      const request = {
        sessionId,
        afterSeq: sessionId ? cursor : 0n,
        afterEventId: sessionId ? 0n : cursor,
        noFollow: options.follow === false,
      };
      const callOptions = {
        signal: options.signal,
        onHeader: () => { reached = true; failures = 0; },
      };
      for await (const events of batched
        ? batchesOf(client.streams.streamEventBatches(request, callOptions))
        : batchesOf(client.streams.streamEvents(request, callOptions))) {
        reached = true;
        failures = 0;
        backoff = 100;
        for (const event of events) {
          if (!event.redelivered) {
            const position = sessionId ? event.sessionSeq : event.eventId;
            if (position <= cursor) continue;  // already yielded
            cursor = position;
          }
          yield event;
        }
      }
      return;  // a replay that caught up
    } catch (err) {
      if (options.signal?.aborted) return;
      const error = ConnectError.from(err);
      if (batched && error.code === Code.Unimplemented) {
        batched = false;
        continue;
      }
      // A connection cut under the stream. gRPC says UNAVAILABLE; Node's
      // HTTP/2 client (connect-node) says CANCELED when the server's end
      // closes though nobody cancelled, and ABORTED when it is reset
      // (ECONNRESET, e.g. a server killed with unread bytes in its socket).
      // The server never answers ABORTED itself (docs/api.md), and resuming
      // a read from its cursor is always safe.
      const dropped = error.code === Code.Unavailable || error.code === Code.Canceled ||
        error.code === Code.Aborted;
      if (!dropped || !reached || ++failures > maxRetries) throw error;
    }
    await sleep(backoff, options.signal);
    backoff = Math.min(backoff * 2, maxBackoffMs);
  }
}
