// The API clients, over gRPC-Web to the proxy that served this page. The
// proxy adds the signed-in token (its HttpOnly cookie) to every call.
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ApprovalService } from "./gen/codex_manager/v1/approvals_pb.js";
import { AuditService, AuthService } from "./gen/codex_manager/v1/auth_pb.js";
import { CodexService } from "./gen/codex_manager/v1/codex_pb.js";
import { StreamService } from "./gen/codex_manager/v1/events_pb.js";
import { MaintenanceService } from "./gen/codex_manager/v1/maintenance_pb.js";
import { SessionService } from "./gen/codex_manager/v1/sessions_pb.js";
import { TurnService } from "./gen/codex_manager/v1/turns_pb.js";

const transport = createGrpcWebTransport({ baseUrl: location.origin });

export const sessions = createClient(SessionService, transport);
export const turns = createClient(TurnService, transport);
export const approvals = createClient(ApprovalService, transport);
export const streams = createClient(StreamService, transport);
export const auth = createClient(AuthService, transport);
export const audit = createClient(AuditService, transport);
export const codex = createClient(CodexService, transport);
export const maintenance = createClient(MaintenanceService, transport);

// Deadline of unary calls, in milliseconds.
export const CALL_TIMEOUT_MS = 10000;
// Deadline of a backup (the whole database, streamed), in milliseconds.
export const BACKUP_TIMEOUT_MS = 30 * 60 * 1000;
// Deadline of calls that start a one-off Codex on the server (models,
// stored threads, import, fork).
export const CODEX_CALL_TIMEOUT_MS = 60000;
