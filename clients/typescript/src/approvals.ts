// Deciding approvals: what is pending, and approve / deny with the
// idempotency key the API offers (ResolveApproval, approvals.proto).
import { type Approval, Decision } from "./gen/codex_manager/v1/approvals_pb.js";
import type { CodexManager } from "./client.js";

// Every PENDING approval (of one session, or all), oldest first, page by
// page.
export async function pendingApprovals(client: CodexManager, sessionId = ""): Promise<Approval[]> {
  const out: Approval[] = [];
  let pageToken = "";
  do {
    const page = await client.approvals.listApprovals({ sessionId, pageSize: 1000, pageToken });
    out.push(...page.approvals);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

// A random idempotency key: a retry with the same key returns the first
// call's result instead of FAILED_PRECONDITION.
export const newRequestId = () => `req-${crypto.randomUUID()}`;

// Codex "accept" (`forSession`: "acceptForSession").
export function approve(client: CodexManager, approvalId: string,
                        options: { forSession?: boolean; requestId?: string } = {}): Promise<Approval> {
  return client.approvals.resolveApproval({
    approvalId,
    decision: options.forSession ? Decision.APPROVE_FOR_SESSION : Decision.APPROVE,
    requestId: options.requestId ?? newRequestId(),
  });
}

// Codex "decline": the turn goes on without it (`abort`: "cancel", the turn
// stops too).
export function deny(client: CodexManager, approvalId: string,
                     options: { abort?: boolean; requestId?: string } = {}): Promise<Approval> {
  return client.approvals.resolveApproval({
    approvalId,
    decision: options.abort ? Decision.ABORT : Decision.DENY,
    requestId: options.requestId ?? newRequestId(),
  });
}

// Answers a user-input request (Codex item/tool/requestUserInput) by
// question id.
export function answer(client: CodexManager, approvalId: string,
                       answers: Record<string, string>, requestId = newRequestId()): Promise<Approval> {
  return client.approvals.resolveApproval({ approvalId, answers, requestId });
}
