// The API clients, over gRPC-Web to the proxy that served this page.
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ApprovalService } from "./gen/codex_manager/v1/approvals_pb.js";
import { StreamService } from "./gen/codex_manager/v1/events_pb.js";
import { SessionService } from "./gen/codex_manager/v1/sessions_pb.js";
import { TurnService } from "./gen/codex_manager/v1/turns_pb.js";

const transport = createGrpcWebTransport({ baseUrl: location.origin });

export const sessions = createClient(SessionService, transport);
export const turns = createClient(TurnService, transport);
export const approvals = createClient(ApprovalService, transport);
export const streams = createClient(StreamService, transport);

// Deadline of unary calls, in milliseconds.
export const CALL_TIMEOUT_MS = 10000;
