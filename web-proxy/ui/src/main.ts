// The Codex Manager browser UI: the session list (with a create form) at
// #/, one session's live transcript, approvals and composer at
// #/s/<session id>, and the tokens and audit log at #/access (admins).
// Everything goes through the gRPC-Web proxy that served the page.
import { Code, ConnectError } from "@connectrpc/connect";
import { approvals, CALL_TIMEOUT_MS, CODEX_CALL_TIMEOUT_MS, codex, sessions } from "./api.js";
import { newRequestId, roleName, signIn, signInFromFragment, signOut, whoAmI } from "./auth.js";
import { showAccess } from "./access_view.js";
import { accountPanel } from "./account_view.js";
import { featuresPanel } from "./features_view.js";
import { Announcer, notifyButton, registerWorker, setTitle } from "./attention.js";
import { startBridge } from "./bridge.js";
import { errorText, SIGNED_OUT, toast } from "./feedback.js";
import { button, h, KeptViews, syncChildren } from "./dom.js";
import { Role, type WhoAmIResponse } from "./gen/codex_manager/v1/auth_pb.js";
import type { CodexHook, CodexThread } from "./gen/codex_manager/v1/codex_pb.js";
import { type Session, SessionState } from "./gen/codex_manager/v1/sessions_pb.js";
import { hookEventLabel, hookTrustLabel, sessionLabel, sessionName } from "./labels.js";
import {
  effortSelect, modelField, offerEfforts, offerTiers, policySelect, providerField, sandboxSelect, tierSelect,
} from "./session_fields.js";
import { showSession } from "./session_view.js";
import { GOAL_STATUS } from "./transcript.js";

const app = document.getElementById("app")!;
let leave: (() => void) | null = null;  // tears down the current view
let me: WhoAmIResponse | null = null;  // the signed-in token

// Operators and admins drive the agent; viewers only watch.
const canOperate = () => (me?.role ?? Role.UNSPECIFIED) >= Role.OPERATOR;
const isAdmin = () => me?.role === Role.ADMIN;

// "name (role) · Sign out", in every view's header.
function whoBox(): HTMLElement {
  return h("span", { class: "who muted small", "data-role": me ? roleName(me.role) : "" },
    h("span", { class: "who-name" }, me ? `${me.name} (${roleName(me.role)})` : ""),
    button("Sign out", async () => {
      await signOut();
      me = null;
      showSignIn("Signed out.");
    }));
}

const stateName = (s: SessionState) => SessionState[s] ?? "UNKNOWN";

// ---- the session list -----------------------------------------------------------

function sessionCard(s: Session): HTMLElement {
  const card = h("a", { class: "card session", href: `#/s/${s.sessionId}`, "data-session-id": s.sessionId },
    h("div", { class: "row" },
      // Untitled: the start of its first prompt, cut to two lines.
      h("strong", { class: !s.title && s.preview.trim() ? "preview" : "" }, sessionName(s)),
      h("span", { class: `badge state-${stateName(s.state).toLowerCase()}` }, sessionLabel(s.state)),
      s.pendingApprovals > 0 ? h("span", { class: "badge pending" }, `${s.pendingApprovals} pending`) : null),
    h("div", { class: "muted mono" }, s.cwd),
    // What Codex works toward by itself (Session.goal).
    s.goal ? h("div", { class: "muted small goal-line" },
               `Goal (${GOAL_STATUS[s.goal.status] ?? "unknown"}): ${s.goal.objective}`) : null);
  return card;
}

function createForm(): HTMLElement {
  const cwd = h("input", { name: "cwd", required: "", placeholder: "/path/to/project", autocomplete: "off" }) as HTMLInputElement;
  const title = h("input", { name: "title", placeholder: "optional" }) as HTMLInputElement;
  const [provider, providers] = providerField("model_provider", "model-providers");
  const [model, models] = modelField("model", "models", "default", provider);
  // A new session asks before running commands unless told otherwise.
  const policy = policySelect("approval_policy");
  policy.value = "untrusted";
  const sandbox = sandboxSelect("sandbox");
  // Its turns' effort and speed: those of the model typed, else of the
  // one it would run (the configuration's); asked for once the form is
  // first used, and again as the model or provider changes.
  const effort = effortSelect("effort", "Codex default");
  const tier = tierSelect("service_tier", "Codex default");
  const modelChanged = () => {
    void offerEfforts(effort, model.value.trim(), provider.value.trim());
    void offerTiers(tier, model.value.trim(), provider.value.trim());
  };
  model.addEventListener("change", modelChanged);
  provider.addEventListener("change", modelChanged);
  // Codex's developer instructions for this session's thread, beside the
  // project's AGENTS.md (CreateSessionRequest.developer_instructions).
  const instructions = h("textarea", { name: "developer_instructions", rows: "2",
    placeholder: "optional, e.g. Answer in French; never push to git" }) as HTMLTextAreaElement;
  const form = h("form", { class: "card create" },
    h("h2", {}, "New session"),
    h("label", {}, "Folder", cwd),
    h("label", {}, "Title", title),
    h("div", { class: "row wrap" },
      h("label", {}, "Approval policy", policy),
      h("label", {}, "Sandbox", sandbox)),
    h("div", { class: "row wrap" },
      h("label", {}, "Model", model, models),
      h("label", {}, "Provider", provider, providers)),
    h("div", { class: "row wrap" },
      h("label", {}, "Effort", effort),
      h("label", {}, "Speed", tier)),
    h("label", {}, "Instructions for the agent", instructions),
    h("button", { type: "submit", class: "primary" }, "Create session")) as HTMLFormElement;
  form.addEventListener("focusin", modelChanged, { once: true });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const s = await sessions.createSession({
        cwd: cwd.value.trim(), title: title.value.trim(), model: model.value.trim(),
        modelProvider: provider.value.trim(),
        approvalPolicy: policy.value, sandbox: sandbox.value, requestId: newRequestId(),
        effort: effort.value, serviceTier: tier.value,
        developerInstructions: instructions.value.trim(),
      }, { timeoutMs: CALL_TIMEOUT_MS });
      location.hash = `#/s/${s.sessionId}`;
    } catch (err) {
      toast(errorText(err));
    }
  });
  return form;
}

// A folded card whose body is loaded (a one-off Codex call on the server)
// each time it is opened; `load` returns the body's elements.
function codexPanel(cls: string, title: string, load: () => Promise<HTMLElement[]>): HTMLElement {
  const body = h("div", { class: "small" });
  const panel = h("details", { class: `card ${cls}` }, h("summary", {}, title), body) as HTMLDetailsElement;
  panel.addEventListener("toggle", async () => {
    if (!panel.open) return;
    body.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    try {
      body.replaceChildren(...await load());
    } catch (err) {
      body.replaceChildren(h("p", { class: "error" }, errorText(err)));
    }
  });
  return panel;
}

// The Codex threads stored under the server's CODEX_HOME (made by the Codex
// TUI or `codex exec`); each can become a session.
const threadsPanel = () => codexPanel("threads", "Import a Codex thread", async () => {
  const r = await codex.listCodexThreads({ pageSize: 50 }, { timeoutMs: CODEX_CALL_TIMEOUT_MS });
  return r.threads.length ? r.threads.map(threadRow) : [h("p", { class: "muted" }, "No Codex threads.")];
});

// The hooks of the server's Codex config (CodexService.ListCodexHooks,
// admins): Codex runs one only once it is trusted; a skipped one is
// trusted with two taps (TrustCodexHooks, with the hash listed here).
const hooksPanel = () => codexPanel("hooks", "Codex hooks", async () => {
  const r = await codex.listCodexHooks({}, { timeoutMs: CODEX_CALL_TIMEOUT_MS });
  return [
    ...(r.hooks.length ? r.hooks.map(hookRow) : [h("p", { class: "muted" }, "No hooks in Codex's config.")]),
    ...r.errors.map((e) => h("p", { class: "error" }, `Not loaded: ${e.path}: ${e.message}`)),
  ];
});

function hookRow(hook: CodexHook): HTMLElement {
  const what = hook.command || (hook.mcpTool ? `MCP tool ${hook.mcpServer}/${hook.mcpTool}` : hook.handlerType);
  let armed = 0;
  const trust = hook.skipped ? button("Trust", async () => {
    // Two taps: from then on the command runs in every new session.
    if (Date.now() - armed > 4000) {
      armed = Date.now();
      trust!.textContent = "Tap again to trust";
      setTimeout(() => { trust!.textContent = "Trust"; }, 4000);
      return;
    }
    try {
      const r = await codex.trustCodexHooks(
        { hooks: [{ key: hook.key, currentHash: hook.currentHash }] },
        { timeoutMs: CODEX_CALL_TIMEOUT_MS });
      const now = r.hooks.find((x) => x.key === hook.key);
      if (now) row.replaceWith(hookRow(now));
    } catch (err) {
      toast(errorText(err));
    }
  }) : null;
  const row = h("div", { class: "row hook", "data-hook-key": hook.key },
    h("div", {},
      h("div", {}, `${hookEventLabel(hook.eventName)} · `,
        h("span", { class: hook.skipped ? "warn" : "muted" }, hookTrustLabel(hook))),
      h("div", { class: "mono small" }, what),
      h("div", { class: "muted small mono" }, hook.sourcePath)),
    trust);
  return row;
}

function threadRow(t: CodexThread): HTMLElement {
  const open = t.sessionId
    ? h("a", { href: `#/s/${t.sessionId}` }, "Open session")
    : button("Import", async () => {
      try {
        const s = await sessions.importThread({ threadId: t.threadId, requestId: newRequestId() },
                                              { timeoutMs: CODEX_CALL_TIMEOUT_MS });
        location.hash = `#/s/${s.sessionId}`;
      } catch (err) {
        toast(errorText(err));
      }
    });
  return h("div", { class: "row thread", "data-thread-id": t.threadId },
    h("div", {}, h("div", {}, t.name || t.preview || t.threadId),
      h("div", { class: "muted small mono" }, `${t.source} · ${t.cwd}`)),
    open);
}

// Sessions listed, newest first: LIST_PAGE of them, and LIST_PAGE more each
// time "Show more" is pressed, up to what one ListSessions page holds.
const LIST_PAGE = 100;
const LIST_MAX = 1000;
// Sessions with approvals pending that are older than what is listed are
// read one by one (GetSession) and listed first: at most this many.
const WAITING_MAX = 20;
// How long typing in the search box pauses before the list is asked again.
const SEARCH_PAUSE_MS = 250;

function showList(): () => void {
  const list = h("div", { class: "list", "aria-live": "polite" });
  // Each session's card: the list is read again every few seconds, and a
  // card that shows the same keeps its element (the keyboard's focus on
  // it, a tap under way), as does its place.
  const cards = new KeptViews();
  const cardOf = (s: Session) => cards.get(s.sessionId, JSON.stringify(
    [s.title, s.preview, s.state, s.pendingApprovals, s.cwd, s.goal?.status, s.goal?.objective]),
  () => sessionCard(s));
  const archived = h("input", { type: "checkbox", name: "include_archived" }) as HTMLInputElement;
  const search = h("input", { type: "search", name: "search", class: "session-search", maxlength: "200",
                              autocomplete: "off",
                              placeholder: "Search title, folder or prompts",
                              "aria-label": "Search sessions by title, folder or prompt" }) as HTMLInputElement;
  let limit = LIST_PAGE;
  const more = button("Show more", () => {
    limit = Math.min(limit + LIST_PAGE, LIST_MAX);
    more.disabled = true;
    refresh();
  }, "show-more");
  more.hidden = true;
  const end = h("p", { class: "muted small", hidden: "" },
    `The newest ${LIST_MAX} are listed here; the CLI pages through the rest (`,
    h("code", {}, "codex-manager session list --page-token"), ").");
  app.replaceChildren(
    h("header", { class: "bar" }, h("h1", {}, "Codex Manager"), whoBox()),
    h("main", {}, canOperate() ? createForm() : null, canOperate() ? threadsPanel() : null,
      canOperate() ? accountPanel(isAdmin()) : null, isAdmin() ? hooksPanel() : null,
      isAdmin() ? featuresPanel() : null,
      isAdmin() ? h("a", { class: "card access-link", href: "#/access" }, "Tokens and audit log", h("span", {}, "›")) : null,
      h("div", { class: "row heading" }, h("h2", {}, "Sessions"),
        h("div", { class: "row" }, canOperate() ? notifyButton() : null,
          h("label", { class: "row small" }, archived, "archived"))),
      search, list, more, end));
  // Every approval pending (ListApprovals, all sessions) counts in the
  // tab's title and, while the page is hidden, is announced (operators),
  // whether or not its session is among those listed.
  const announcer = new Announcer((id) => { location.hash = `#/s/${id}`; });
  let stopped = false;
  // Read again every 3 s, or at once when what to list changes.
  let refresh = () => {};
  archived.addEventListener("change", () => refresh());
  // Asked again once typing pauses, not at each key.
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => refresh(), SEARCH_PAUSE_MS);
  });
  (async () => {
    while (!stopped) {
      let text = "";
      try {
        const call = { timeoutMs: CALL_TIMEOUT_MS };
        text = search.value.trim();
        const [r, pending] = await Promise.all([
          sessions.listSessions({ pageSize: limit, includeArchived: archived.checked, search: text }, call),
          approvals.listApprovals({ pageSize: 1000 }, call),
        ]);
        const waiting = new Map<string, number>();
        for (const a of pending.approvals) waiting.set(a.sessionId, (waiting.get(a.sessionId) ?? 0) + 1);
        const listed = new Set(r.sessions.map((s) => s.sessionId));
        const older = await Promise.all([...waiting.keys()].filter((id) => !listed.has(id))
          .slice(0, WAITING_MAX)
          .map((sessionId) => sessions.getSession({ sessionId }, call).catch(() => undefined)));
        const waitingOlder = older.filter((s): s is Session => s !== undefined);
        // While searching, the list is what matches and no more.
        const shown = text ? r.sessions : [...waitingOlder, ...r.sessions];
        syncChildren(list, shown.length ? shown.map(cardOf)
                                        : [h("p", { class: "muted" },
                                             text ? "No sessions match." : "No sessions yet.")]);
        cards.keepOnly(shown.map((s) => s.sessionId));
        more.hidden = !r.nextPageToken || limit >= LIST_MAX;
        more.disabled = false;
        end.hidden = !r.nextPageToken || limit < LIST_MAX;
        setTitle("Codex Manager", pending.approvals.length);
        if (canOperate() && !stopped) {
          const titles = new Map([...waitingOlder, ...r.sessions].map((s) => [s.sessionId, sessionName(s)]));
          announcer.update(new Map([...waiting].map(([id, count]) => [id, {
            title: "Codex waits for your approval",
            body: `${titles.get(id) ?? id}: ${count} pending`,
          }])));
        }
      } catch (err) {
        if (err instanceof ConnectError && err.code === Code.Unauthenticated) return signedOut(SIGNED_OUT);
        list.replaceChildren(h("p", { class: "error" }, errorText(err)));
      }
      if (search.value.trim() !== text) continue;  // typed during the call
      await new Promise<void>((wake) => {
        refresh = wake;
        setTimeout(wake, 3000);
      });
    }
  })();
  return () => {
    stopped = true;
    announcer.close();
    setTitle("Codex Manager", 0);
  };
}

// ---- routing ------------------------------------------------------------------------

function route(): void {
  leave?.();
  leave = null;
  if (!me) return;  // the sign-in view is up
  const match = /^#\/s\/([\w-]+)$/.exec(location.hash);
  leave = match ? showSession(app, match[1]!, { canOperate: canOperate(), isAdmin: isAdmin(), who: whoBox,
                                                signedOut })
    : location.hash === "#/access" ? showAccess(app, { who: whoBox, myTokenId: me.tokenId })
      : showList();
}

// The server stopped taking the signed-in token (revoked, expired).
function signedOut(note: string): void {
  me = null;
  showSignIn(note);
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
    // In the page's frame (header, margins), with a way to try again.
    const retry = h("button", { type: "button" }, "Try again");
    retry.addEventListener("click", () => void start());
    app.replaceChildren(h("header", { class: "bar" }, h("h1", {}, "Codex Manager")),
                        h("main", {}, h("p", { class: "error" }, errorText(err)), retry));
    return;
  }
  if (!me) return showSignIn();
  route();
}

window.addEventListener("hashchange", () => {
  if (/(?:^#|&)token=/.test(location.hash)) void start();
  else route();
});
registerWorker();
void startBridge();
void start();
