// The Codex Manager browser UI: the session list (with a create form) at
// #/, and one session's live transcript, approvals and composer at
// #/s/<session id>. Everything goes through the gRPC-Web proxy that served
// the page.
import { Code, ConnectError } from "@connectrpc/connect";
import { approvals, CALL_TIMEOUT_MS, sessions, streams, turns } from "./api.js";
import { newRequestId, roleName, signIn, signInFromFragment, signOut, whoAmI } from "./auth.js";
import { publish, startBridge } from "./bridge.js";
import { button, h } from "./dom.js";
import { type Approval, ApprovalKind, Decision } from "./gen/codex_manager/v1/approvals_pb.js";
import { Role, type WhoAmIResponse } from "./gen/codex_manager/v1/auth_pb.js";
import { type Session, SessionState } from "./gen/codex_manager/v1/sessions_pb.js";
import { TurnState } from "./gen/codex_manager/v1/turns_pb.js";
import { type Entry, Transcript } from "./transcript.js";

const app = document.getElementById("app")!;
let leave: (() => void) | null = null;  // tears down the current view
let me: WhoAmIResponse | null = null;  // the signed-in token

// Operators and admins drive the agent; viewers only watch.
const canOperate = () => (me?.role ?? Role.UNSPECIFIED) >= Role.OPERATOR;

// "name (role) · Sign out", in every view's header.
function whoBox(): HTMLElement {
  return h("span", { class: "who muted small", "data-role": me ? roleName(me.role) : "" },
    me ? `${me.name} (${roleName(me.role)})` : "",
    button("Sign out", async () => {
      await signOut();
      me = null;
      showSignIn("Signed out.");
    }));
}

const stateName = (s: SessionState) => SessionState[s] ?? "UNKNOWN";
const turnStateName = (s: TurnState) => TurnState[s] ?? "UNKNOWN";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// What went wrong, for a person: for a server that cannot be reached,
// what to check rather than gRPC's transport text; otherwise the server's
// message, which names the field or the id.
function errorText(e: unknown): string {
  if (!(e instanceof ConnectError)) return String(e);
  if (e.code === Code.Unavailable) {
    return "Can't reach the Codex Manager server. Check that codex-manager-server " +
      "is running and that codex-manager-web's --upstream points at it.";
  }
  if (e.code === Code.Unknown && /fetch|network/i.test(e.rawMessage)) {
    return `Can't reach ${location.host}: the connection to codex-manager-web failed.`;
  }
  return `${Code[e.code]}: ${e.rawMessage}`;
}

function toast(text: string): void {
  const t = h("div", { class: "toast", role: "status" }, text);
  document.body.append(t);
  setTimeout(() => t.remove(), 4000);
}

// ---- the session list -----------------------------------------------------------

function sessionCard(s: Session): HTMLElement {
  const card = h("a", { class: "card session", href: `#/s/${s.sessionId}`, "data-session-id": s.sessionId },
    h("div", { class: "row" },
      h("strong", {}, s.title || s.sessionId),
      h("span", { class: `badge state-${stateName(s.state).toLowerCase()}` }, stateName(s.state)),
      s.pendingApprovals > 0 ? h("span", { class: "badge pending" }, `${s.pendingApprovals} pending`) : null),
    h("div", { class: "muted mono" }, s.cwd));
  return card;
}

function createForm(): HTMLElement {
  const cwd = h("input", { name: "cwd", required: "", placeholder: "/path/to/project", autocomplete: "off" }) as HTMLInputElement;
  const title = h("input", { name: "title", placeholder: "optional" }) as HTMLInputElement;
  const model = h("input", { name: "model", placeholder: "default" }) as HTMLInputElement;
  const policy = h("select", { name: "approval_policy" },
    h("option", { value: "untrusted" }, "untrusted (ask for commands)"),
    h("option", { value: "on-request" }, "on-request"),
    h("option", { value: "never" }, "never"),
    h("option", { value: "" }, "Codex default")) as HTMLSelectElement;
  const sandbox = h("select", { name: "sandbox" },
    h("option", { value: "" }, "Codex default"),
    h("option", { value: "read-only" }, "read-only"),
    h("option", { value: "workspace-write" }, "workspace-write"),
    h("option", { value: "danger-full-access" }, "danger-full-access")) as HTMLSelectElement;
  const form = h("form", { class: "card create" },
    h("h2", {}, "New session"),
    h("label", {}, "Folder", cwd),
    h("label", {}, "Title", title),
    h("div", { class: "row wrap" },
      h("label", {}, "Approval policy", policy),
      h("label", {}, "Sandbox", sandbox)),
    h("label", {}, "Model", model),
    h("button", { type: "submit", class: "primary" }, "Create session")) as HTMLFormElement;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const s = await sessions.createSession({
        cwd: cwd.value.trim(), title: title.value.trim(), model: model.value.trim(),
        approvalPolicy: policy.value, sandbox: sandbox.value, requestId: newRequestId(),
      }, { timeoutMs: CALL_TIMEOUT_MS });
      location.hash = `#/s/${s.sessionId}`;
    } catch (err) {
      toast(errorText(err));
    }
  });
  return form;
}

function showList(): () => void {
  const list = h("div", { class: "list", "aria-live": "polite" });
  app.replaceChildren(
    h("header", { class: "bar" }, h("h1", {}, "Codex Manager"), whoBox()),
    h("main", {}, canOperate() ? createForm() : null, h("h2", {}, "Sessions"), list));
  let stopped = false;
  (async () => {
    while (!stopped) {
      try {
        const r = await sessions.listSessions({ pageSize: 100 }, { timeoutMs: CALL_TIMEOUT_MS });
        list.replaceChildren(...(r.sessions.length ? r.sessions.map(sessionCard)
                                                   : [h("p", { class: "muted" }, "No sessions yet.")]));
      } catch (err) {
        list.replaceChildren(h("p", { class: "error" }, errorText(err)));
      }
      await sleep(3000);
    }
  })();
  return () => { stopped = true; };
}

// ---- one session ------------------------------------------------------------------

function entryView(e: Entry): HTMLElement {
  const attrs = (kind: string) => ({ class: `entry ${kind}`, "data-entry-id": e.id, "data-kind": kind });
  switch (e.kind) {
    case "prompt": return h("div", attrs("prompt"), e.text);
    case "agent": return h("div", attrs("agent"), e.text);
    case "reasoning": return h("details", attrs("reasoning"), h("summary", {}, "Reasoning"), e.text);
    case "command":
      return h("div", attrs("command"),
        h("div", { class: "cmd mono" }, `$ ${e.command}`),
        e.output ? h("pre", { class: "output mono" }, e.output) : null,
        h("div", { class: "muted small" }, e.status + (e.exitCode !== undefined ? ` · exit ${e.exitCode}` : "")));
    case "file":
      return h("div", attrs("file"), h("div", { class: "muted small" }, `file change · ${e.status}`),
        h("pre", { class: "diff mono" }, e.diff));
    case "notice": return h("div", attrs(`notice ${e.level}`), e.text);
    case "turn":
      return h("div", attrs(`turn turn-${turnStateName(e.state).toLowerCase()}`),
        `Turn ${turnStateName(e.state).toLowerCase()}${e.error ? `: ${e.error}` : ""}`);
  }
}

function approvalCard(a: Approval, decide: (d: Decision) => void): HTMLElement {
  const what = a.kind === ApprovalKind.FILE_CHANGE
    ? h("pre", { class: "diff mono" }, a.diff || a.paramsJson)
    : a.kind === ApprovalKind.COMMAND_EXECUTION
      ? h("pre", { class: "mono" }, a.command)
      : h("pre", { class: "mono" }, a.paramsJson);
  return h("div", { class: "card approval", "data-approval-id": a.approvalId, role: "alertdialog" },
    h("div", { class: "row" }, h("strong", {}, a.kind === ApprovalKind.FILE_CHANGE
      ? "Codex wants to change files" : "Codex wants to run")),
    what,
    a.cwd ? h("div", { class: "muted small mono" }, a.cwd) : null,
    a.reason ? h("div", { class: "muted small" }, a.reason) : null,
    canOperate()
      ? h("div", { class: "row actions" },
        button("Approve", () => decide(Decision.APPROVE), "primary"),
        button("Approve for session", () => decide(Decision.APPROVE_FOR_SESSION)),
        button("Deny", () => decide(Decision.DENY), "danger"))
      : h("div", { class: "muted small" }, "Waiting for an operator to decide."));
}

function showSession(sessionId: string): () => void {
  const transcript = new Transcript();
  const abort = new AbortController();
  const title = h("h1", {}, sessionId);
  const badge = h("span", { class: "badge" }, "");
  const tokens = h("span", { class: "muted small" }, "");
  const banner = h("div", { class: "banner", hidden: "" }, "Disconnected — reconnecting…");
  const log = h("div", { class: "transcript", "aria-live": "polite" });
  const cards = h("div", { class: "approvals" });
  const prompt = h("textarea", { rows: "2", placeholder: "Ask Codex…", "aria-label": "Prompt" }) as HTMLTextAreaElement;
  const send = h("button", { type: "submit", class: "primary" }, "Send");
  const composer = h("form", { class: "composer" }, prompt,
    h("div", { class: "row actions" }, send,
      button("Interrupt", async () => {
        try { await turns.interruptTurn({ sessionId }, { timeoutMs: CALL_TIMEOUT_MS }); }
        catch (err) { toast(errorText(err)); }
      }),
      button("Stop", async () => {
        try { await sessions.stopSession({ sessionId }, { timeoutMs: CALL_TIMEOUT_MS }); }
        catch (err) { toast(errorText(err)); }
      }, "danger"))) as HTMLFormElement;
  composer.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = prompt.value.trim();
    if (!text) return;
    try {
      await turns.startTurn({ sessionId, prompt: text, requestId: newRequestId() },
                            { timeoutMs: CALL_TIMEOUT_MS });
      prompt.value = "";
    } catch (err) {
      toast(errorText(err));
    }
  });
  app.replaceChildren(
    h("header", { class: "bar" }, h("a", { href: "#/", class: "back", "aria-label": "All sessions" }, "‹"),
      title, badge, tokens, whoBox()),
    banner, h("main", { class: "session" }, log, cards), ...(canOperate() ? [composer] : []));

  sessions.getSession({ sessionId }, { timeoutMs: CALL_TIMEOUT_MS })
    .then((s) => { title.textContent = s.title || s.sessionId; })
    .catch((err) => toast(errorText(err)));

  const decide = async (id: string, d: Decision) => {
    try {
      await approvals.resolveApproval({ approvalId: id, decision: d, requestId: newRequestId() },
                                      { timeoutMs: CALL_TIMEOUT_MS });
    } catch (err) {
      toast(errorText(err));
    }
  };

  let scheduled = false;
  const render = () => {
    scheduled = false;
    const stick = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    log.replaceChildren(...transcript.entries.map(entryView));
    cards.replaceChildren(...[...transcript.approvals.values()].map(
      (a) => approvalCard(a, (d) => decide(a.approvalId, d))));
    badge.textContent = stateName(transcript.sessionState);
    badge.className = `badge state-${stateName(transcript.sessionState).toLowerCase()}`;
    tokens.textContent = transcript.totalTokens > 0n ? `${transcript.totalTokens} tokens` : "";
    if (stick) window.scrollTo(0, document.body.scrollHeight);
    publish({
      sessionId, state: stateName(transcript.sessionState), lastSeq: String(transcript.lastSeq),
      pendingApprovals: transcript.approvals.size, runningTurnId: transcript.runningTurnId,
      entries: transcript.entries.length,
    });
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(render);
    }
  };

  // Follow the stream from the last event rendered; on a drop, show the
  // banner and resume from there with backoff.
  (async () => {
    let backoff = 250;
    let disconnected = false;
    while (!abort.signal.aborted) {
      try {
        if (disconnected) {
          await sessions.getSession({ sessionId }, { timeoutMs: CALL_TIMEOUT_MS, signal: abort.signal });
          disconnected = false;
          banner.hidden = true;
        }
        for await (const event of streams.streamEvents(
          { sessionId, afterSeq: transcript.lastSeq }, { signal: abort.signal })) {
          backoff = 250;
          if (transcript.apply(event)) schedule();
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err instanceof ConnectError && err.code === Code.NotFound) {
          banner.textContent = errorText(err);
          banner.hidden = false;
          return;
        }
        banner.textContent = `${errorText(err)} Reconnecting…`;
      }
      disconnected = true;
      banner.hidden = false;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 5000);
    }
  })();
  return () => abort.abort();
}

// ---- routing ------------------------------------------------------------------------

function route(): void {
  leave?.();
  leave = null;
  if (!me) return;  // the sign-in view is up
  const match = /^#\/s\/([\w-]+)$/.exec(location.hash);
  leave = match ? showSession(match[1]!) : showList();
}

// Paste a token (or open a #token= link) to sign in.
function showSignIn(note = ""): void {
  leave?.();
  leave = null;
  const input = h("input", { name: "token", type: "password", required: "", autocomplete: "off",
                             placeholder: "cmt_…", "aria-label": "Token" }) as HTMLInputElement;
  const error = h("p", { class: "error", role: "alert" }, note);
  const form = h("form", { class: "card signin" },
    h("h2", {}, "Sign in"),
    h("p", { class: "muted" }, "Paste a token from ", h("code", {}, "codex-manager token create"),
      " (the server's admin token is in its data dir, ", h("code", {}, "admin.token"), ")."),
    h("label", {}, "Token", input), error,
    h("button", { type: "submit", class: "primary" }, "Sign in")) as HTMLFormElement;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await signIn(input.value);
      me = await whoAmI();
      // Say so, rather than show the same empty form again.
      if (!me) return showSignIn("The server did not accept that token (unknown, expired or revoked).");
      route();
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  app.replaceChildren(h("header", { class: "bar" }, h("h1", {}, "Codex Manager")), h("main", {}, form));
}

// Signs in from a #token= link if there is one, asks who we are, routes.
async function start(): Promise<void> {
  try {
    await signInFromFragment();
    me = await whoAmI();
  } catch (err) {
    app.replaceChildren(h("p", { class: "error" }, errorText(err)));
    return;
  }
  if (!me) return showSignIn();
  route();
}

window.addEventListener("hashchange", () => {
  if (/(?:^#|&)token=/.test(location.hash)) void start();
  else route();
});
void startBridge();
void start();
