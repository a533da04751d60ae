// The processes the agent left running in a session (a dev server, a
// watcher: Codex's background terminals, SessionService.
// ListBackgroundTerminals), shown over the transcript while there are any;
// operators end one, or all (TerminateBackgroundTerminals). Hidden when none
// run.
import { CALL_TIMEOUT_MS, sessions } from "./api.js";
import { button, h, KeptViews, syncChildren } from "./dom.js";
import { errorText, toast } from "./feedback.js";
import type { BackgroundTerminal } from "./gen/codex_manager/v1/sessions_pb.js";
import { visible } from "./visible.js";

export interface BackgroundPanel {
  element: HTMLElement;
  // How many run, as last listed.
  readonly count: number;
  // Lists them again, at most once per REFRESH_DELAY_MS however often asked.
  refresh: () => void;
  // Stops listing (the page is left).
  close: () => void;
}

const REFRESH_DELAY_MS = 300;

// "pid 4242 · 12% CPU · 20.0 MiB", from what Codex reported.
export function terminalFigures(t: BackgroundTerminal): string {
  return [
    t.osPid !== undefined ? `pid ${t.osPid}` : "",
    t.cpuPercent !== undefined ? `${Math.round(t.cpuPercent)}% CPU` : "",
    t.rssKib !== undefined ? `${(Number(t.rssKib) / 1024).toFixed(1)} MiB` : "",
  ].filter(Boolean).join(" · ");
}

// `changed` runs when the count changes.
export function backgroundPanel(sessionId: string, canOperate: boolean,
                                changed: () => void): BackgroundPanel {
  const call = { timeoutMs: CALL_TIMEOUT_MS };
  const summary = h("summary", {}, "");
  const list = h("div", { class: "terminals" });
  const element = h("details", { class: "background", hidden: "", open: "" }, summary, list);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const end = async (processId: string) => {
    try {
      await sessions.terminateBackgroundTerminals(
        processId ? { sessionId, processId } : { sessionId, all: true }, call);
    } catch (err) {
      toast(errorText(err));
    }
    refresh();
  };
  const row = (t: BackgroundTerminal) => h("div", { class: "row terminal", "data-process-id": t.processId },
    h("div", {},
      h("div", { class: "mono small" }, visible(t.command)),
      h("div", { class: "muted small" }, terminalFigures(t) || t.cwd)),
    canOperate ? button("End", () => void end(t.processId)) : null);
  // A row drawn once and kept while it says the same, so a refresh (each
  // time the agent's terminals change) leaves the End button a person is
  // on focused.
  const rows = new KeptViews();
  const endAll = button("End all", () => void end(""), "danger");
  let count = 0;
  const show = (terminals: BackgroundTerminal[]) => {
    element.hidden = terminals.length === 0;
    if (terminals.length !== count) {
      count = terminals.length;
      changed();
    }
    summary.textContent = `Running in the background (${terminals.length})`;
    const drawn = terminals.map((t) => rows.get(
      t.processId, JSON.stringify([t.command, t.cwd, terminalFigures(t)]), () => row(t)));
    rows.keepOnly(terminals.map((t) => t.processId));
    syncChildren(list, canOperate && terminals.length > 1 ? [...drawn, endAll] : drawn);
  };
  const load = async () => {
    timer = undefined;
    let terminals: BackgroundTerminal[] = [];
    try {
      terminals = (await sessions.listBackgroundTerminals({ sessionId }, call)).terminals;
    } catch {
      // Not worth a toast: the list says nothing about the conversation,
      // and an older server has no such call.
    }
    if (!closed) show(terminals);
  };
  const refresh = () => {
    if (!closed && timer === undefined) timer = setTimeout(() => void load(), REFRESH_DELAY_MS);
  };
  const close = () => {
    closed = true;
    clearTimeout(timer);
  };
  return { element, refresh, close, get count() { return count; } };
}
