// One transcript entry as the page shows it: prompts as text, replies and
// reasoning as rendered Markdown, commands as a terminal block whose output
// folds, file changes as diffs. Elements are kept per entry and rebuilt only
// when the entry changed, so a folded or unfolded block stays as the person
// left it while the stream goes on.
import { h } from "./dom.js";
import { durationLabel, hookEventLabel, hookStatusLabel, itemStatusLabel, turnLabel } from "./labels.js";
import { ansiHtml, hasAnsi, markdownHtml } from "./render.js";
import { type Entry, subAgentLabel } from "./transcript.js";
import { visible } from "./visible.js";
import { TurnState } from "./gen/codex_manager/v1/turns_pb.js";

// Outputs longer than this many lines start folded once the command is done.
const FOLD_LINES = 20;

// Sets sanitized HTML (render.ts); its code blocks scroll sideways, so they
// take keyboard focus (WCAG 2.1.1).
function withHtml(el: HTMLElement, html: string): HTMLElement {
  el.innerHTML = html;
  for (const pre of el.querySelectorAll("pre")) pre.tabIndex = 0;
  return el;
}

function commandView(e: Extract<Entry, { kind: "command" }>, attrs: Record<string, string>): HTMLElement {
  const lines = e.output ? e.output.replace(/\n$/, "").split("\n").length : 0;
  const running = e.status === "inProgress";
  const pre = h("pre", { class: "output mono", tabindex: "0" });
  if (hasAnsi(e.output)) withHtml(pre, ansiHtml(e.output));
  else pre.textContent = e.output;
  let output: HTMLElement | null = null;
  if (e.output) {
    const summary = h("summary", { class: "small" }, `Output · ${lines} line${lines === 1 ? "" : "s"}`);
    output = h("details", { class: "fold", ...(running || lines <= FOLD_LINES ? { open: "" } : {}) },
      summary, pre);
    // From the reader's first click on, the fold is theirs.
    summary.addEventListener("click", () => { output!.dataset.chosen = "1"; });
  }
  const status = itemStatusLabel(e.status) + (e.exitCode !== undefined ? ` · exit ${e.exitCode}` : "");
  return h("div", attrs,
    e.byUser ? h("div", { class: "term-muted small" }, "You ran") : null,
    h("div", { class: "cmd mono" }, `$ ${visible(e.command)}`), output,
    h("div", { class: "term-muted small" }, status));
}

// " · 4 ms" after a status, when how long is known.
const took = (ms: number | undefined) => ms === undefined ? "" : ` · ${durationLabel(ms)}`;

// A hook's run: one muted line while it runs or when it let things be;
// a warning when it blocked, failed or stopped the turn, with what it said.
function hookView(e: Extract<Entry, { kind: "hook" }>, attrs: Record<string, string>): HTMLElement {
  const running = e.status === "running";
  return h("div", attrs,
    h("div", {}, `Hook ${hookEventLabel(e.event)} · ${hookStatusLabel(e.status)}${took(e.durationMs)}`,
      running && e.message ? h("span", { class: "muted" }, ` · ${e.message}…`) : null),
    e.output.length ? h("ul", { class: "hook-output" }, ...e.output.map((x) =>
      h("li", {}, h("span", { class: "muted" }, `${x.kind}: `), x.text))) : null);
}

// An MCP tool call: which tool, then its arguments and what it returned,
// folded as a command's output is.
function toolView(e: Extract<Entry, { kind: "tool" }>, attrs: Record<string, string>): HTMLElement {
  const parts: HTMLElement[] = [];
  if (e.arguments && e.arguments !== "{}") {
    parts.push(h("div", { class: "muted small" }, "Arguments"),
      h("pre", { class: "mono", tabindex: "0" }, e.arguments));
  }
  if (e.output) {
    parts.push(h("div", { class: "muted small" }, "Result"),
      h("pre", { class: "output mono", tabindex: "0" }, e.output));
  }
  const details = parts.length
    ? h("details", { class: "fold", ...(e.status === "inProgress" ? { open: "" } : {}) },
      h("summary", { class: "small" }, "Arguments and result"), ...parts)
    : null;
  return h("div", attrs,
    h("div", {}, h("span", { class: "muted" }, "Tool "), h("span", { class: "mono" }, `${e.server} · ${e.tool}`)),
    details,
    h("div", { class: "muted small" }, `${itemStatusLabel(e.status)}${took(e.durationMs)}${e.error ? `: ${e.error}` : ""}`));
}

function planStatus(status: string): string {
  return status === "completed" ? "done" : status === "inProgress" ? "in progress" : "to do";
}

export function entryView(e: Entry): HTMLElement {
  const el = kindView(e);
  if (e.agent !== undefined) {
    // A sub-agent's: its name first (in a <details>' summary, which must
    // stay its first child).
    el.classList.add("sub-agent");
    const label = h("div", { class: "agent-name small" }, subAgentLabel(e.agent));
    const summary = el.firstElementChild;
    (summary?.tagName === "SUMMARY" ? summary : el).prepend(label);
  }
  if (e.reverted) {
    el.classList.add("reverted");
    el.title = "Undone: no longer in the conversation";
  }
  return el;
}

function kindView(e: Entry): HTMLElement {
  const attrs = (kind: string) => ({ class: `entry ${kind}`, "data-entry-id": e.id, "data-kind": kind });
  switch (e.kind) {
    case "prompt":
      return e.fromHook
        ? h("div", attrs("prompt hook-prompt"), h("div", { class: "small" }, "From a hook"), e.text)
        : h("div", attrs("prompt"), e.text, e.turnId && !e.reverted
          // Shown to operators (the transcript's class "can-edit"); the
          // session view handles the clicks.
          ? h("div", { class: "prompt-actions" },
              h("button", { type: "button", class: "revert-prompt", "data-turn-id": e.turnId,
                            title: "Undo this prompt and everything after it: the agent forgets them (files stay changed)" },
                "Undo"),
              h("button", { type: "button", class: "edit-prompt", "data-turn-id": e.turnId,
                            title: "Edit this prompt and send it again, in a new session forked before it" },
                "Edit"))
          : null);
    case "hook": return hookView(e, attrs(`hook hook-${e.status}`));
    case "tool": return toolView(e, attrs(`tool tool-${e.status}`));
    case "agent": return withHtml(h("div", attrs("agent markdown")), markdownHtml(e.text));
    case "reasoning":
      return h("details", attrs("reasoning"), h("summary", {}, "Reasoning"),
        withHtml(h("div", { class: "markdown" }), markdownHtml(e.text)));
    case "command": return commandView(e, attrs("command"));
    case "file":
      return h("div", attrs("file"), h("div", { class: "muted small" }, `File change · ${itemStatusLabel(e.status)}`),
        h("pre", { class: "diff mono", tabindex: "0" }, e.diff));
    case "image":
      return h("figure", attrs("image"), h("img", { src: e.src, alt: e.alt }),
        h("figcaption", { class: "muted small" }, `Generated an image: ${e.path}`));
    case "notice":
      return h("div", attrs(`notice ${e.level}`), e.text,
        e.signIn ? h("div", { class: "hint small" }, "Codex's credentials were refused. An admin signs Codex in from ",
          h("a", { href: "#/" }, "the Codex account card"), " of the session list, or with ",
          h("code", {}, "codex-manager codex login"), ".") : null);
    case "turn":
      return h("div", attrs(`turn turn-${TurnState[e.state]?.toLowerCase() ?? "unknown"}`),
        `Turn ${turnLabel(e.state)}${e.error ? `: ${e.error}` : ""}`,
        e.prompt !== undefined ? h("div", { class: "not-run small" }, `Not sent: ${e.prompt}`) : null);
    case "plan":
      return h("div", attrs("plan"), h("div", { class: "muted small" }, "Plan"),
        e.explanation ? h("p", { class: "small" }, e.explanation) : null,
        h("ul", { class: "checklist" }, ...e.steps.map((s) =>
          h("li", { class: `step step-${s.status || "pending"}` },
            h("input", { type: "checkbox", disabled: "", "aria-label": `${s.step}: ${planStatus(s.status)}`,
                         ...(s.status === "completed" ? { checked: "" } : {}) }),
            h("span", {}, s.step),
            s.status === "inProgress" ? h("span", { class: "muted small" }, " · in progress") : null))));
    case "proposedPlan":
      return h("div", attrs("proposed-plan"),
        h("div", { class: "muted small" }, e.done ? "Proposed plan" : "Writing a plan…"),
        withHtml(h("div", { class: "markdown" }), markdownHtml(e.text)),
        // Shown to operators, as a prompt's Undo and Edit; the session
        // view handles the click.
        e.done && !e.reverted
          ? h("div", { class: "plan-actions" },
              h("button", { type: "button", class: "implement-plan",
                            title: "Leave Plan mode and have Codex carry this plan out" },
                "Implement this plan"))
          : null);
    case "review":
      return h("div", attrs("review"),
        h("div", { class: "muted small" }, e.done ? "Review findings" : "Reviewing…"),
        e.target ? h("p", { class: "small" }, e.target) : null,
        e.findings ? withHtml(h("div", { class: "markdown" }), markdownHtml(e.findings)) : null);
    case "turnDiff": {
      const files = (e.diff.match(/^\+\+\+ /gm) ?? []).length;
      return h("details", attrs("turn-diff"),
        h("summary", { class: "small" }, `Changes in this turn · ${files} file${files === 1 ? "" : "s"}`),
        h("pre", { class: "diff mono", tabindex: "0" }, e.diff));
    }
  }
}

// Renders entries, reusing the element of every entry that has not changed
// since the last call.
export class EntryViews {
  private readonly cache = new Map<string, { signature: string; el: HTMLElement }>();

  // `changed`: the ids of the entries that may have changed since the last
  // call (Transcript.takeChanged); the others keep their element unseen,
  // which spares a long transcript (a megabyte of command output) being
  // compared whole on every frame. Without it, every entry is compared.
  render(entries: readonly Entry[], changed?: ReadonlySet<string>): HTMLElement[] {
    return entries.map((e) => {
      const hit = this.cache.get(e.id);
      if (hit && changed && !changed.has(e.id)) return hit.el;
      const signature = JSON.stringify(e);
      if (hit && hit.signature === signature) return hit.el;
      const el = entryView(e);
      // A rebuilt block keeps the fold its reader chose.
      const before = hit?.el.querySelector<HTMLDetailsElement>("details.fold[data-chosen]");
      const after = el.querySelector<HTMLDetailsElement>("details.fold");
      if (before && after) {
        after.open = before.open;
        after.dataset.chosen = "1";
      }
      if (hit?.el instanceof HTMLDetailsElement && el instanceof HTMLDetailsElement) el.open = hit.el.open;
      this.cache.set(e.id, { signature, el });
      return el;
    });
  }
}
