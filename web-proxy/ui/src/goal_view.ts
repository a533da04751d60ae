// The session's goal (Session.goal, Codex's thread goal): what Codex works
// toward by itself, in turns of its own, while it is active. Shown over
// the transcript while there is one, with its status and usage; operators
// pause, resume or clear it (SessionService.SetSessionGoal,
// ClearSessionGoal), and set one from the form the session's More menu
// opens.
import { CODEX_CALL_TIMEOUT_MS, sessions } from "./api.js";
import { button, h } from "./dom.js";
import { errorText, toast } from "./feedback.js";
import { GoalStatus, type SessionGoal } from "./gen/codex_manager/v1/sessions_pb.js";
import { GOAL_STATUS } from "./transcript.js";

export interface GoalPanel {
  element: HTMLElement;
  // Shows `goal` (none: the panel hides, unless its form is open).
  show: (goal: SessionGoal | null | undefined) => void;
  // Opens the form that sets a goal.
  openForm: () => void;
}

// "active · 1200 of 50000 tokens · 3 min", from what Codex reported.
export function goalFigures(goal: SessionGoal): string {
  const used = `${goal.tokensUsed}${goal.tokenBudget !== undefined ? ` of ${goal.tokenBudget}` : ""} tokens`;
  const seconds = Number(goal.timeUsedSeconds);
  const time = seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
  return [GOAL_STATUS[goal.status] ?? "unknown", used, time].join(" · ");
}

export function goalPanel(sessionId: string, canOperate: boolean): GoalPanel {
  const call = { timeoutMs: CODEX_CALL_TIMEOUT_MS };
  const run = (what: () => Promise<unknown>) => async () => {
    try { await what(); } catch (err) { toast(errorText(err)); }
  };
  const objective = h("p", { class: "objective" });
  const figures = h("p", { class: "muted small" });
  const pause = button("Pause", run(() => sessions.setSessionGoal({ sessionId, status: GoalStatus.PAUSED }, call)));
  pause.title = "Codex starts no more turns toward it until resumed";
  const resume = button("Resume", run(() => sessions.setSessionGoal({ sessionId, status: GoalStatus.ACTIVE }, call)));
  resume.title = "Codex goes on toward it, in turns of its own";
  const clear = button("Clear", run(() => sessions.clearSessionGoal({ sessionId }, call)));
  clear.title = "Remove the goal";
  const shown = h("div", { class: "goal-shown" }, h("h2", {}, "Goal"), objective, figures,
    ...(canOperate ? [h("div", { class: "row" }, pause, resume, clear)] : []));

  // One line (an input, not a textarea: the composer is the page's one).
  const text = h("input", { name: "goal_objective", type: "text",
                            placeholder: "What Codex should keep working on until it is done" }) as HTMLInputElement;
  const budget = h("input", { name: "goal_budget", type: "number", min: "1", inputmode: "numeric",
                              placeholder: "no limit" }) as HTMLInputElement;
  const form = h("form", { class: "goal-form", hidden: "" },
    h("label", {}, "Objective", text),
    h("label", {}, "Token budget", budget),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Set goal"),
      button("Cancel", () => { form.hidden = true; sync(); }))) as HTMLFormElement;
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const value = text.value.trim();
    if (!value) return;
    void run(async () => {
      await sessions.setSessionGoal({ sessionId, objective: value,
                                      tokenBudget: budget.value ? BigInt(budget.value) : undefined }, call);
      text.value = "";
      budget.value = "";
      form.hidden = true;
      sync();
    })();
  });
  const element = h("section", { class: "goal", hidden: "", "aria-label": "Goal" }, shown, form);

  let current: SessionGoal | null | undefined;
  const sync = () => {
    shown.hidden = !current;
    element.hidden = !current && form.hidden;
    if (!current) return;
    objective.textContent = current.objective;
    figures.textContent = goalFigures(current);
    pause.hidden = current.status !== GoalStatus.ACTIVE;
    resume.hidden = current.status === GoalStatus.ACTIVE;
  };
  return {
    element,
    show: (goal) => { current = goal; sync(); },
    openForm: () => {
      form.hidden = false;
      sync();
      text.focus();
    },
  };
}
