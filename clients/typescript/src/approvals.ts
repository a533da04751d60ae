// Deciding approvals: what is pending, and approve / deny with the
// idempotency key the API offers (ResolveApproval, approvals.proto).
import { type Approval, ApprovalKind, Decision } from "./gen/codex_manager/v1/approvals_pb.js";
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

// One question of a user-input request, or one field of an MCP server's
// form. `id` is the answer's key; an answer is one of `options`' labels
// unless `other` (any text answers it); a `secret` one should not be shown
// or logged; a `required` field cannot be left out.
export interface Question {
  id: string;
  header: string;
  text: string;
  options: { label: string; description: string }[];
  other: boolean;
  secret: boolean;
  required: boolean;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = text ? JSON.parse(text) : null;
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}
const str = (o: unknown, key: string): string => {
  const v = typeof o === "object" && o !== null ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === "string" ? v : "";
};
const list = (o: unknown, key: string): unknown[] => {
  const v = typeof o === "object" && o !== null ? (o as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v : [];
};

// What a USER_INPUT approval asks (its `paramsJson` questions, Codex
// ToolRequestUserInputParams) or the fields an MCP_ELICITATION form asks
// for (its `requestedSchemaJson` properties: title, description, enum or
// oneOf constants, boolean, required), in the request's order; none for
// other kinds. Both come from the runtime: anything of the wrong type
// reads as empty, and nothing here throws.
export function questions(approval: Approval): Question[] {
  if (approval.kind === ApprovalKind.USER_INPUT) {
    return list(parseObject(approval.paramsJson), "questions").flatMap((q) => {
      if (!str(q, "id")) return [];
      const options = list(q, "options").filter((o) => str(o, "label"))
        .map((o) => ({ label: str(o, "label"), description: str(o, "description") }));
      const flag = (key: string) => (q as Record<string, unknown>)[key] === true;
      return [{ id: str(q, "id"), header: str(q, "header"), text: str(q, "question"), options,
                other: !options.length || flag("isOther"), secret: flag("isSecret"), required: false }];
    });
  }
  if (approval.kind === ApprovalKind.MCP_ELICITATION) {
    const schema = parseObject(approval.requestedSchemaJson);
    const properties = schema.properties;
    if (typeof properties !== "object" || properties === null || Array.isArray(properties)) return [];
    const required = new Set(list(schema, "required").filter((n) => typeof n === "string"));
    return Object.entries(properties).map(([name, p]) => {
      let options = [
        ...list(p, "enum").filter((v): v is string => typeof v === "string")
          .map((label) => ({ label, description: "" })),
        ...list(p, "oneOf").filter((o) => str(o, "const"))
          .map((o) => ({ label: str(o, "const"), description: str(o, "title") })),
      ];
      if (str(p, "type") === "boolean") {
        options = [{ label: "true", description: "" }, { label: "false", description: "" }];
      }
      return { id: name, header: str(p, "title"), text: str(p, "description"), options,
               other: !options.length, secret: false, required: required.has(name) };
    });
  }
  return [];
}

// Answers a user-input request (Codex item/tool/requestUserInput) by
// question id, or fills an MCP server's form by field name (`questions`
// says which); INVALID_ARGUMENT naming `answers[NAME]` when one is not
// asked or does not fit.
export function answer(client: CodexManager, approvalId: string,
                       answers: Record<string, string>, requestId = newRequestId()): Promise<Approval> {
  return client.approvals.resolveApproval({ approvalId, answers, requestId });
}
