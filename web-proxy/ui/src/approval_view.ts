// The card of a pending approval: what Codex asks to do and the decisions
// (approve, approve for the session, deny, deny and stop the turn), or, for
// a user-input request (Codex `item/tool/requestUserInput`), a form with
// its questions. Viewers see the card without the controls.
import { h, button } from "./dom.js";
import { type Approval, ApprovalKind, Decision } from "./gen/codex_manager/v1/approvals_pb.js";

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
  d: Decision.DENY,
  D: Decision.ABORT,
};

function userInputForm(a: Approval, answer: (answers: Record<string, string>) => void): HTMLElement {
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
        h("span", {}, h("strong", {}, o.label), o.description ? h("span", { class: "muted small" }, ` — ${o.description}`) : null)));
    return h("fieldset", { class: "question", "data-question-id": q.id },
      h("legend", {}, q.header || "Question"),
      q.question ? h("p", {}, q.question) : null,
      ...choices,
      q.isOther || !q.options.length ? other : null);
  });
  const form = h("form", { class: "user-input" }, ...fields,
    h("div", { class: "row actions" }, h("button", { type: "submit", class: "primary" }, "Send answers"))) as HTMLFormElement;
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

export function approvalCard(a: Approval, act: ApprovalActions): HTMLElement {
  const title = a.kind === ApprovalKind.FILE_CHANGE ? "Codex wants to change files"
    : a.kind === ApprovalKind.USER_INPUT ? "Codex asks you"
      : a.kind === ApprovalKind.PERMISSIONS ? "Codex asks for permissions" : "Codex wants to run";
  const what = a.kind === ApprovalKind.FILE_CHANGE ? h("pre", { class: "diff mono", tabindex: "0" }, a.diff || a.paramsJson)
    : a.kind === ApprovalKind.COMMAND_EXECUTION ? h("pre", { class: "mono", tabindex: "0" }, a.command)
      : a.kind === ApprovalKind.USER_INPUT ? null
        : h("pre", { class: "mono", tabindex: "0" }, a.paramsJson);
  let controls: HTMLElement;
  if (!act.canOperate) {
    controls = h("div", { class: "muted small" }, "Waiting for an operator to decide.");
  } else if (a.kind === ApprovalKind.USER_INPUT) {
    controls = userInputForm(a, act.answer);
  } else {
    const decision = (label: string, d: Decision, key: string, cls = "") => {
      const b = button(label, () => act.decide(d), cls);
      b.setAttribute("aria-keyshortcuts", key);
      b.title = `Shortcut: ${key}`;
      return b;
    };
    controls = h("div", {},
      h("div", { class: "row actions" },
        decision("Approve", Decision.APPROVE, "A", "primary"),
        decision("Approve for session", Decision.APPROVE_FOR_SESSION, "Shift+A"),
        decision("Deny", Decision.DENY, "D", "danger"),
        decision("Deny and stop", Decision.ABORT, "Shift+D", "danger")),
      h("div", { class: "muted small keys" },
        "Keys: A approve · Shift+A for the session · D deny · Shift+D deny and stop the turn"));
  }
  return h("div", { class: "card approval", "data-approval-id": a.approvalId, role: "group",
                    "aria-label": title },
    h("div", { class: "row" }, h("strong", {}, title)),
    what,
    a.cwd ? h("div", { class: "muted small mono" }, a.cwd) : null,
    a.reason ? h("div", { class: "muted small" }, a.reason) : null,
    controls);
}
