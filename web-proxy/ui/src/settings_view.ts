// A session's settings: its title, and the model, reasoning effort,
// approval policy, sandbox and speed (service tier) of the turns that start after they are saved
// (SessionService.UpdateSession; a running turn keeps its own). Only what
// was changed is sent; the server admits a sandbox against --max-sandbox
// and refuses an ARCHIVED session, and its error is shown as a toast.
import { CALL_TIMEOUT_MS, sessions } from "./api.js";
import { button, h } from "./dom.js";
import { errorText, toast } from "./feedback.js";
import type { Session } from "./gen/codex_manager/v1/sessions_pb.js";
import { codexSettingsLabel } from "./labels.js";
import {
  choose, effortSelect, modelField, offerEfforts, offerTiers, policySelect, sandboxSelect, tierSelect,
} from "./session_fields.js";

export interface SettingsForm {
  element: HTMLElement;
  readonly open: boolean;
  // Loads the session's settings (GetSession) into the form and shows it;
  // a failed load is a toast and the form stays closed.
  show: () => Promise<void>;
  hide: () => void;
}

export function settingsForm(sessionId: string, on: { saved: (s: Session) => void; closed: () => void }):
    SettingsForm {
  const call = { timeoutMs: CALL_TIMEOUT_MS };
  const title = h("input", { name: "session_title", maxlength: "200", autocomplete: "off" }) as HTMLInputElement;
  const [model, models] = modelField("session_model", "session-models", "Codex default");
  const effort = effortSelect("session_effort", "Codex default");
  const policy = policySelect("session_approval_policy");
  const sandbox = sandboxSelect("session_sandbox");
  const tier = tierSelect("session_service_tier", "Codex default");
  // What Codex runs the thread with (Session.codex_settings): what the
  // "Codex default" choices mean for this session.
  const now = h("p", { class: "muted small codex-now", hidden: "" });
  // The session's own instructions for the agent, set when it was created
  // (Session.developer_instructions; Codex keeps a thread's first ones).
  const told = h("p", { class: "muted small session-instructions", hidden: "" });
  const cancel = button("Cancel", () => hide());
  const element = h("form", { class: "card create session-settings", id: "session-settings", hidden: "",
                              "aria-labelledby": "session-settings-title" },
    h("h2", { id: "session-settings-title" }, "Session settings"),
    h("p", { class: "muted small" }, "For the turns that start after you save; a running turn keeps its own."),
    now,
    told,
    h("label", {}, "Title", title),
    h("label", {}, "Model", model, models),
    h("div", { class: "row wrap" },
      h("label", {}, "Effort", effort),
      h("label", {}, "Approval policy", policy),
      h("label", {}, "Sandbox", sandbox),
      h("label", {}, "Speed", tier)),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save"), cancel)) as HTMLFormElement;

  // The settings as last read or saved: what "changed" is measured against.
  let shown: Session | undefined;
  const fields = () => ({
    title: title.value.trim(), model: model.value.trim(), effort: effort.value,
    approvalPolicy: policy.value, sandbox: sandbox.value, serviceTier: tier.value,
  });
  const fill = (s: Session) => {
    shown = s;
    title.value = s.title;
    model.value = s.model;
    choose(effort, s.effort);
    choose(policy, s.approvalPolicy);
    choose(sandbox, s.sandbox);
    choose(tier, s.serviceTier);
    const c = s.codexSettings;
    now.hidden = !c;
    now.textContent = c
      ? `Codex runs it with ${codexSettingsLabel(c)}.`
      : "";
    model.placeholder = c?.model ? `Codex default (${c.model})` : "Codex default";
    told.hidden = !s.developerInstructions;
    told.textContent = s.developerInstructions
      ? `Instructions for the agent, set at creation: ${s.developerInstructions}`
      : "";
  };
  const hide = () => {
    element.hidden = true;
    on.closed();
  };
  // The efforts and speeds of the model the turns will use: the one
  // typed, else the one Codex runs the thread with.
  const efforts = () => {
    const named = model.value.trim() || shown?.codexSettings?.model || "";
    void offerEfforts(effort, named, shown?.modelProvider ?? "");
    void offerTiers(tier, named, shown?.modelProvider ?? "");
  };
  model.addEventListener("change", efforts);

  element.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!shown) return;
    const before = shown;
    const changed = Object.fromEntries(Object.entries(fields()).filter(
      ([k, v]) => before[k as keyof ReturnType<typeof fields>] !== v));
    if (Object.keys(changed).length === 0) {
      hide();
      return;
    }
    try {
      const s = await sessions.updateSession({ sessionId, ...changed }, call);
      fill(s);
      hide();
      on.saved(s);
    } catch (err) {
      toast(errorText(err));
    }
  });
  element.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") hide();
  });

  return {
    element,
    get open() { return !element.hidden; },
    show: async () => {
      try {
        fill(await sessions.getSession({ sessionId }, call));
      } catch (err) {
        toast(errorText(err));
        return;
      }
      efforts();
      element.hidden = false;
      title.focus();
    },
    hide,
  };
}
