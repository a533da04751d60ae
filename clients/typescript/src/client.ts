// A Codex Manager client over any Connect transport: gRPC-Web to
// codex-manager-web (createGrpcWebTransport from @connectrpc/connect-web in
// a browser, or @connectrpc/connect-node's in Node), or gRPC straight to
// codex-manager-server (@connectrpc/connect-node's createGrpcTransport).
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { ApprovalService } from "./gen/codex_manager/v1/approvals_pb.js";
import { AuditService, AuthService } from "./gen/codex_manager/v1/auth_pb.js";
import { CodexService } from "./gen/codex_manager/v1/codex_pb.js";
import { StreamService } from "./gen/codex_manager/v1/events_pb.js";
import { MaintenanceService } from "./gen/codex_manager/v1/maintenance_pb.js";
import { SessionService } from "./gen/codex_manager/v1/sessions_pb.js";
import { TurnService } from "./gen/codex_manager/v1/turns_pb.js";

export interface CodexManager {
  sessions: Client<typeof SessionService>;
  turns: Client<typeof TurnService>;
  approvals: Client<typeof ApprovalService>;
  streams: Client<typeof StreamService>;
  auth: Client<typeof AuthService>;
  audit: Client<typeof AuditService>;
  // The server's Codex: models, account, stored threads, hooks, sign-in.
  codex: Client<typeof CodexService>;
  // Backup (admin): the server's database, in chunks.
  maintenance: Client<typeof MaintenanceService>;
}

// The interceptor that sends `authorization: Bearer <token>` on every call
// (docs/security.md). Give it to the transport's `interceptors`.
export function bearerToken(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
}

// One client per service, over `transport`. Behind codex-manager-web in a
// browser, the sign-in cookie carries the token; elsewhere add
// bearerToken(token) to the transport's interceptors.
export function createCodexManager(transport: Transport): CodexManager {
  return {
    sessions: createClient(SessionService, transport),
    turns: createClient(TurnService, transport),
    approvals: createClient(ApprovalService, transport),
    streams: createClient(StreamService, transport),
    auth: createClient(AuthService, transport),
    audit: createClient(AuditService, transport),
    codex: createClient(CodexService, transport),
    maintenance: createClient(MaintenanceService, transport),
  };
}
