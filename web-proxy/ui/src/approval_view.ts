// The card of a pending approval: what Codex asks to do and the decisions
// it offers (approve, approve for the session, approve and remember, deny,
// deny and stop the turn: the approval's `availableDecisions`), or a form:
// the questions of a user-input request (Codex `item/tool/requestUserInput`)
// or the fields an MCP server asks for (`mcpServer/elicitation/request`).
// Viewers see the card without the controls.
import { h, button } from "./dom.js";
import { type Approval, ApprovalKind, Decision } from "./gen/codex_manager/v1/approvals_pb.js";
import { subAgentLabel } from "./transcript.js";
import { pageLink, visible } from "./visible.js";

// One question of a user-input request, as Codex's ToolRequestUserInputParams
// carries it.
interface Question {
  id: string;
  header: string;
  question: string;
  isOther: boolean;
  isSecret: boolean;
  options: { label: string; description: string }[];
}

// The questions of a user-input request's params; anything malformed is
// skipped rather than trusted.
export function questionsOf(paramsJson: string): Question[] {
  let params: unknown;
  try { params = JSON.parse(paramsJson); } catch { return []; }
  const list = (params as { questions?: unknown })?.questions;
  if (!Array.isArray(list)) return [];
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return list.flatMap((q: Record<string, unknown>) => {
    if (typeof q !== "object" || q === null || !str(q.id)) return [];
    const options = Array.isArray(q.options) ? q.options : [];
    return [{
      id: str(q.id), header: str(q.header), question: str(q.question),
      isOther: q.isOther === true, isSecret: q.isSecret === true,
      options: options.filter((o) => typeof o === "object" && o !== null && str(o.label))
        .map((o: Record<string, unknown>) => ({ label: str(o.label), description: str(o.description) })),
    }];
  });
}

// The keys that decide the oldest pending approval (not while typing).
export const SHORTCUTS: Record<string, Decision> = {
  a: Decision.APPROVE,
  A: Decision.APPROVE_FOR_SESSION,
  r: Decision.APPROVE_AND_REMEMBER,
  d: Decision.DENY,
  D: Decision.ABORT,
};

// The decisions Codex offers (a server before they were listed: the four).
export function offered(a: Approval): Decision[] {
  return a.availableDecisions.length ? a.availableDecisions
    : [Decision.APPROVE, Decision.APPROVE_FOR_SESSION, Decision.DENY, Decision.ABORT];
}

// One field of an MCP elicitation form (a flat JSON-schema property).
interface FormField { name: string; type: string; title: string; description: string; options: string[]; required: boolean }

// The fields of an elicitation's requested schema; anything malformed is
// skipped rather than trusted.
export function formFieldsOf(schemaJson: string): FormField[] {
  let schema: unknown;
  try { schema = JSON.parse(schemaJson || "{}"); } catch { return []; }
  const s = schema as { properties?: unknown; required?: unknown };
  if (typeof s?.properties !== "object" || s.properties === null) return [];
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r) => typeof r === "string") : []);
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return Object.entries(s.properties as Record<string, Record<string, unknown>>).flatMap(([name, p]) => {
    if (typeof p !== "object" || p === null) return [];
    const options = Array.isArray(p.enum) ? p.enum.filter((o) => typeof o === "string")
      : Array.isArray(p.oneOf) ? p.oneOf.map((o: Record<string, unknown>) => str(o?.const)).filter(Boolean) : [];
    return [{ name, type: str(p.type) || "string", title: str(p.title) || name,
              description: str(p.description), options, required: required.has(name) }];
  });
}

function elicitationForm(a: Approval, answer: (answers: Record<string, string>) => void,
                         decline: (d: Decision) => void): HTMLElement {
  const fields = formFieldsOf(a.requestedSchemaJson);
  const inputs = fields.map((f) => {
    const attrs: Record<string, string> = { name: f.name, "aria-label": f.title, ...(f.required ? { required: "" } : {}) };
    const input = f.options.length
      ? h("select", attrs, ...f.options.map((o) => h("option", { value: o }, visible(o))))
      : f.type === "boolean" ? h("input", { ...attrs, type: "checkbox" })
        : h("input", { ...attrs, type: f.type === "number" || f.type === "integer" ? "number" : "text",
                       ...(f.type === "integer" ? { step: "1" } : {}), autocomplete: "off" });
    return h("label", { class: "field" }, h("span", {}, visible(f.title), f.required ? " *" : ""), input,
      f.description ? h("span", { class: "muted small" }, visible(f.description)) : null);
  });
  const form = h("form", { class: "user-input elicitation" },
    a.elicitationUrl ? h("p", {}, "Open: ", pageLink(a.elicitationUrl)) : null,
    ...inputs,
    h("div", { class: "row actions" },
      offered(a).includes(Decision.APPROVE) ? h("button", { type: "submit", class: "primary" }, fields.length ? "Send" : "Accept") : null,
      offered(a).includes(Decision.DENY) ? button("Decline", () => decline(Decision.DENY), "danger") : null,
      offered(a).includes(Decision.ABORT) ? button("Cancel", () => decline(Decision.ABORT)) : null)) as HTMLFormElement;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const answers: Record<string, string> = {};
    for (const f of fields) {
      const el = form.elements.namedItem(f.name) as HTMLInputElement | HTMLSelectElement | null;
      if (!el) continue;
      if (el instanceof HTMLInputElement && el.type === "checkbox") answers[f.name] = el.checked ? "true" : "false";
      else if (el.value !== "") answers[f.name] = el.value;
    }
    answer(answers);
  });
  return form;
}

function userInputForm(a: Approval, answer: (answers: Record<string, string>) => void,
                       decide: (decision: Decision) => void): HTMLElement {
  const questions = questionsOf(a.paramsJson);
  const fields = questions.map((q, i) => {
    const name = `q${i}`;
    const other = h("input", {
      name: `${name}-text`, type: q.isSecret ? "password" : "text", autocomplete: "off",
      "aria-label": q.options.length ? `${q.header || q.question}: other answer` : q.question || q.header,
      placeholder: q.options.length ? "Other…" : "Your answer",
    }) as HTMLInputElement;
    const choices = q.options.map((o, j) =>
      h("label", { class: "choice" },
        h("input", { type: "radio", name, value: o.label, ...(j === 0 ? { required: "" } : {}) }),
        h("span", {}, h("strong", {}, visible(o.label)),
          o.description ? h("span", { class: "muted small" }, ` — ${visible(o.description)}`) : null)));
    return h("fieldset", { class: "question", "data-question-id": q.id },
      h("legend", {}, visible(q.header) || "Question"),
      q.question ? h("p", {}, visible(q.question)) : null,
      ...choices,
      q.isOther || !q.options.length ? other : null);
  });
  const form = h("form", { class: "user-input" }, ...fields,
    h("div", { class: "row actions" }, h("button", { type: "submit", class: "primary" }, "Send answers"),
      // Codex's only "no" to a question (as Esc in its TUI): no answers, and
      // the turn stops.
      offered(a).includes(Decision.ABORT) ? button("Stop the turn", () => decide(Decision.ABORT), "danger") : null),
  ) as HTMLFormElement;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const answers: Record<string, string> = {};
    questions.forEach((q, i) => {
      const text = (form.elements.namedItem(`q${i}-text`) as HTMLInputElement | null)?.value.trim() ?? "";
      const picked = form.querySelector<HTMLInputElement>(`input[name=q${i}]:checked`)?.value ?? "";
      answers[q.id] = text || picked;
    });
    answer(answers);
  });
  // A typed "other" answer stands in for the choices.
  form.addEventListener("input", (ev) => {
    const t = ev.target as HTMLInputElement;
    if (!t.name.endsWith("-text")) return;
    const first = form.querySelector<HTMLInputElement>(`input[type=radio][name=${t.name.slice(0, -5)}]`);
    if (first) first.required = !t.value.trim();
  });
  return form;
}

export interface ApprovalActions {
  canOperate: boolean;
  decide: (decision: Decision) => void;
  answer: (answers: Record<string, string>) => void;
}

// What an approval asks, in a few words ("Codex wants to run"); `agent`:
// the sub-agent that asks (Transcript.approvalAgents), named instead of
// Codex ("Sub-agent helper wants to run").
export const approvalTitle = (a: Approval, agent?: string) => {
  const who = agent === undefined ? "Codex" : subAgentLabel(agent);
  return a.kind === ApprovalKind.FILE_CHANGE ? `${who} wants to change files`
    : a.kind === ApprovalKind.USER_INPUT ? `${who} asks you`
      : a.kind === ApprovalKind.MCP_ELICITATION ? `${a.mcpServerName || "An MCP server"} asks you`
        : a.kind === ApprovalKind.PERMISSIONS ? `${who} asks for permissions` : `${who} wants to run`;
};

// What an approval asks, in a line: the command, a question's text, the
// files a change touches, the permissions asked for or the reason Codex
// gives ("" when it says none), with what would hide part of it shown.
export const approvalDetail = (a: Approval) => visible(
  a.command || (a.kind === ApprovalKind.USER_INPUT
    ? (questionsOf(a.paramsJson)[0]?.question ?? "") : "") || a.changedFiles.join(", ")
    || a.requestedPermissions.join(", ") || a.reason);

export function approvalCard(a: Approval, act: ApprovalActions, agent?: string): HTMLElement {
  const title = approvalTitle(a, agent);
  // What the decision is about, with what would hide part of it shown.
  const what = a.kind === ApprovalKind.FILE_CHANGE ? h("pre", { class: "diff mono", tabindex: "0" }, visible(a.diff || a.paramsJson))
    : a.kind === ApprovalKind.COMMAND_EXECUTION ? h("pre", { class: "mono", tabindex: "0" }, visible(a.command))
      : a.kind === ApprovalKind.USER_INPUT || a.kind === ApprovalKind.MCP_ELICITATION ? null
        : a.requestedPermissions.length > 0
          ? h("ul", { class: "permissions mono" }, ...a.requestedPermissions.map((line) => h("li", {}, visible(line))))
          : h("pre", { class: "mono", tabindex: "0" }, visible(a.paramsJson));
  let controls: HTMLElement;
  if (!act.canOperate) {
    controls = h("div", { class: "muted small" }, "Waiting for an operator to decide.");
  } else if (a.kind === ApprovalKind.USER_INPUT) {
    controls = userInputForm(a, act.answer, act.decide);
  } else if (a.kind === ApprovalKind.MCP_ELICITATION) {
    controls = elicitationForm(a, act.answer, act.decide);
  } else {
    const decision = (label: string, d: Decision, key: string, cls = "") => {
      const b = button(label, () => act.decide(d), cls);
      b.setAttribute("aria-keyshortcuts", key);
      b.title = `Shortcut: ${key}`;
      return b;
    };
    const remember = a.execpolicyAmendment.join(" ");
    const choices: [string, Decision, string, string, string][] = [
      ["Approve", Decision.APPROVE, "A", "primary", "A approve"],
      ["Approve for session", Decision.APPROVE_FOR_SESSION, "Shift+A", "", "Shift+A for the session"],
      [remember ? `Always allow “${remember}”` : "Approve and remember", Decision.APPROVE_AND_REMEMBER, "R", "", "R remember"],
      ["Deny", Decision.DENY, "D", "danger", "D deny"],
      ["Deny and stop", Decision.ABORT, "Shift+D", "danger", "Shift+D deny and stop the turn"],
    ];
    const shown = choices.filter(([, d]) => offered(a).includes(d));
    controls = h("div", {},
      h("div", { class: "row actions" }, ...shown.map(([label, d, key, cls]) => decision(label, d, key, cls))),
      h("div", { class: "muted small keys" }, `Keys: ${shown.map((c) => c[4]).join(" · ")}`));
  }
  return h("div", { class: "card approval", "data-approval-id": a.approvalId, role: "group",
                    "aria-label": title },
    h("div", { class: "row" }, h("strong", {}, title)),
    what,
    a.cwd ? h("div", { class: "muted small mono" }, visible(a.cwd)) : null,
    a.reason ? h("div", { class: "muted small" }, visible(a.reason)) : null,
    controls);
}
