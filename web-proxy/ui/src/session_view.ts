// One session at #/s/<session id>: its live transcript, pending approvals,
// the session's controls (resume, stop, archive) and the composer. The
// event stream is followed from the last event shown and resumed from there
// after a drop.
import { Code, ConnectError } from "@connectrpc/connect";
import { approvals, CALL_TIMEOUT_MS, CODEX_CALL_TIMEOUT_MS, sessions, streams, turns } from "./api.js";
import { approvalCard, approvalDetail, approvalTitle, offered, SHORTCUTS } from "./approval_view.js";
import { Announcer, canAsk, notifyButton, setTitle } from "./attention.js";
import { newRequestId } from "./auth.js";
import { publish } from "./bridge.js";
import { backgroundPanel } from "./background_view.js";
import { button, h, KeptViews, syncChildren } from "./dom.js";
import { EntryViews } from "./entry_view.js";
import { errorText, SIGNED_OUT, sleep, toast } from "./feedback.js";
import { filePicker } from "./file_picker.js";
import { mcpPanel } from "./mcp_view.js";
import { skillPicker } from "./skill_picker.js";
import { skillsPanel } from "./skills_view.js";
import { ApprovalKind, Decision } from "./gen/codex_manager/v1/approvals_pb.js";
import { type Event, EventType } from "./gen/codex_manager/v1/events_pb.js";
import { SessionState, TranscriptFormat } from "./gen/codex_manager/v1/sessions_pb.js";
import { sessionLabel, sessionName } from "./labels.js";
import { goalPanel } from "./goal_view.js";
import { effortSelect, modelField, offerEfforts, offerTiers, sandboxSelect, tierSelect } from "./session_fields.js";
import { settingsForm } from "./settings_view.js";
import { Transcript } from "./transcript.js";

export interface SessionViewOptions {
  canOperate: boolean;
  // Admins' prompts that start with "!" run in the shell (RunShellCommand).
  isAdmin: boolean;
  who: () => HTMLElement;  // the signed-in box of the header
  // The server no longer takes the signed-in token (revoked, expired):
  // back to the sign-in form, saying so.
  signedOut: (note: string) => void;
}

const LIVE = new Set([SessionState.STARTING, SessionState.IDLE, SessionState.BUSY]);

// Why the composer is off in a state, or "" when prompts are accepted.
function composerBlocked(state: SessionState): string {
  if (state === SessionState.ARCHIVED) return "This session is archived; it takes no prompts until it is unarchived.";
  if (state === SessionState.FAILED) return "This session failed. Resume it to send prompts again.";
  return "";
}

// Whether a key press is for the page rather than a field being typed in.
const typing = (ev: KeyboardEvent) =>
  ev.ctrlKey || ev.metaKey || ev.altKey ||
  (ev.target instanceof HTMLElement && ev.target.closest("input, textarea, select, [contenteditable]") !== null);

// Where a fork made by a prompt's Edit finds that prompt (sessionStorage:
// this tab only).
const draftKey = (sessionId: string) => `codex-manager.draft.${sessionId}`;

// What "Implement this plan" sends, in the default mode.
const IMPLEMENT_PLAN = "Implement the plan.";

const nearBottom = () => window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;

export function showSession(app: HTMLElement, sessionId: string, opts: SessionViewOptions): () => void {
  const transcript = new Transcript();
  const views = new EntryViews();
  const abort = new AbortController();
  let unknown = "";  // set when the server does not know the session
  const call = { timeoutMs: CALL_TIMEOUT_MS };
  const act = (what: () => Promise<unknown>) => async () => {
    try { await what(); } catch (err) { toast(errorText(err)); }
  };

  const title = h("h1", {}, sessionId);
  // What names the session (sessionName): its title, else the start of
  // its first prompt, else its id; each as last known.
  let name = sessionId;
  let titled = "";
  let preview = "";
  // Its model (GetSession's, or as last saved here; SESSION_UPDATED's
  // once one came), else the one Codex runs the thread with (the same,
  // from CODEX_SETTINGS_CHANGED); and its model provider.
  let sessionModel = "";
  let threadModel = "";
  let sessionProvider = "";
  const turnsModel = () => (transcript.model ?? sessionModel) || (transcript.codexModel ?? threadModel);
  const rename = () => {
    name = sessionName({ title: titled, preview: preview || transcript.firstPrompt, sessionId });
    if (title.textContent !== name) title.textContent = name;
  };
  // Pending approvals count in the tab's title and, while the page is
  // hidden, are announced (operators, once they allowed notifications).
  const announcer = new Announcer((id) =>
    document.querySelector(`[data-approval-id="${CSS.escape(id)}"]`)?.scrollIntoView({ block: "center" }));
  const attend = () => {
    setTitle(`${name} · Codex Manager`, transcript.approvals.size);
    if (!opts.canOperate) return;
    announcer.update(new Map([...transcript.approvals.values()].map((a) => [a.approvalId, {
      title: approvalTitle(a, transcript.approvalAgents.get(a.approvalId)),
      body: [name, approvalDetail(a)].filter(Boolean).join(": "),
    }])));
  };
  const badge = h("span", { class: "badge" }, "");
  const tokens = h("span", { class: "muted small tokens" }, "");
  const banner = h("div", { class: "banner", hidden: "", role: "status" }, "Disconnected — reconnecting…");
  const log = h("div", { class: "transcript", "aria-live": "polite" });
  const cards = h("div", { class: "approvals" });
  // Prompts queued behind the running turn (StartTurn while one runs),
  // under the transcript until their turn starts; Drop takes one out of the
  // queue (InterruptTurn naming it).
  const queued = h("ol", { class: "queued", "aria-label": "Queued prompts" });
  queued.addEventListener("click", (ev) => {
    const pressed = (ev.target as Element).closest<HTMLButtonElement>("button.drop-queued");
    const turnId = pressed?.dataset.turnId;
    if (!pressed || !turnId) return;
    pressed.disabled = true;
    void act(async () => {
      try {
        await turns.interruptTurn({ sessionId, turnId }, call);
      } finally {
        pressed.disabled = false;
      }
    })();
  });
  const jump = button("Jump to latest ↓", () => window.scrollTo({ top: document.body.scrollHeight }), "jump");
  jump.hidden = true;
  // What the agent left running; listed again when a turn or a command
  // ends, or the session's state changes.
  const background = backgroundPanel(sessionId, opts.canOperate, () => schedule());
  // Their count in the header, seen wherever the page is scrolled; a tap
  // shows the list.
  const running = button("", () => {
    background.element.scrollIntoView({ block: "center" });
    (background.element as HTMLDetailsElement).open = true;
  }, "badge running");
  running.hidden = true;
  const touchesBackground = (e: Event) => e.payload.case === "turnStateChanged" ||
    e.payload.case === "sessionStateChanged" ||
    (e.type === EventType.ITEM_COMPLETED && e.payload.case === "item" &&
     e.payload.value.itemType === "commandExecution");

  // The session's controls, shown by state.
  let archiveArmed = 0;
  const resume = button("Resume", act(() => sessions.resumeSession({ sessionId }, call)));
  const stop = button("Stop", act(() => sessions.stopSession({ sessionId }, call)));
  // Undoes Archive: STOPPED again, resumable (UnarchiveSession).
  const unarchive = button("Unarchive", act(() => sessions.unarchiveSession({ sessionId }, call)));
  const archive = button("Archive", () => {
    // Two taps: an archived session leaves the list and the conversation stops.
    if (Date.now() - archiveArmed > 4000) {
      archiveArmed = Date.now();
      archive.textContent = "Tap again to archive";
      setTimeout(() => { archive.textContent = "Archive"; }, 4000);
      return;
    }
    archiveArmed = 0;
    archive.textContent = "Archive";
    void act(() => sessions.archiveSession({ sessionId }, call))();
  }, "danger");
  // The transcript as a Markdown file (SessionService.ExportTranscript).
  const download = button("Download transcript", act(async () => {
    const parts: BlobPart[] = [];
    let name = `${sessionId}.md`;
    let type = "text/markdown";
    for await (const chunk of sessions.exportTranscript(
      { sessionId, format: TranscriptFormat.MARKDOWN }, { signal: abort.signal })) {
      if (chunk.fileName) name = chunk.fileName;
      if (chunk.contentType) type = chunk.contentType;
      parts.push(chunk.data.slice());
    }
    const url = URL.createObjectURL(new Blob(parts, { type }));
    const link = h("a", { href: url, download: name, hidden: "" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }));
  // A code review of the working tree, as a turn (TurnService.StartReview).
  const review = button("Review changes", act(() => turns.startReview(
    { sessionId, target: { target: { case: "uncommittedChanges", value: true } },
      requestId: newRequestId() }, call)));
  review.title = "Have Codex review the uncommitted changes in this folder";
  // A new session on a copy of this conversation (SessionService.ForkSession).
  const fork = button("Fork", act(async () => {
    const forked = await sessions.forkSession({ sessionId, requestId: newRequestId() },
                                              { timeoutMs: CODEX_CALL_TIMEOUT_MS });
    location.hash = `#/s/${forked.sessionId}`;
  }));
  fork.title = "Continue in a new session from a copy of this conversation";
  // A prompt's Edit: a fork of the conversation before its turn
  // (ForkSession before_turn_id), opened with the prompt in its composer.
  log.addEventListener("click", (ev) => {
    const pressed = (ev.target as Element).closest<HTMLButtonElement>("button.edit-prompt");
    const turnId = pressed?.dataset.turnId;
    if (!pressed || !turnId) return;
    const entry = transcript.entries.find((e) => e.kind === "prompt" && e.turnId === turnId);
    const text = entry && "text" in entry ? entry.text : "";
    pressed.disabled = true;
    void act(async () => {
      try {
        const forked = await sessions.forkSession(
          { sessionId, beforeTurnId: turnId, requestId: newRequestId() },
          { timeoutMs: CODEX_CALL_TIMEOUT_MS });
        sessionStorage.setItem(draftKey(forked.sessionId), text);
        location.hash = `#/s/${forked.sessionId}`;
      } finally {
        pressed.disabled = false;
      }
    })();
  });
  // A prompt's Undo: it and every later turn leave the conversation, in
  // place (SessionService.RevertSession); the transcript marks them when
  // SESSION_REVERTED arrives.
  log.addEventListener("click", (ev) => {
    const pressed = (ev.target as Element).closest<HTMLButtonElement>("button.revert-prompt");
    const turnId = pressed?.dataset.turnId;
    if (!pressed || !turnId) return;
    if (!confirm("Undo this prompt and everything after it? The agent forgets them; " +
                 "files they changed stay changed.")) return;
    pressed.disabled = true;
    void act(async () => {
      try {
        await sessions.revertSession({ sessionId, beforeTurnId: turnId },
                                     { timeoutMs: CODEX_CALL_TIMEOUT_MS });
      } finally {
        pressed.disabled = false;
      }
    })();
  });
  // The goal Codex works toward by itself (SessionService.SetSessionGoal).
  const goal = goalPanel(sessionId, opts.canOperate);
  const setGoal = button("Set a goal", () => goal.openForm());
  setGoal.title = "Have Codex keep working, turn after turn, until something is done";
  // Codex summarizes the conversation to free context
  // (SessionService.CompactSession); a notice follows in the transcript.
  const compact = button("Compact", act(() => sessions.compactSession({ sessionId }, call)));
  compact.title = "Have Codex summarize the conversation so far, to free context";
  // The MCP servers Codex is configured with and their tools
  // (ListMcpServers), in a panel over the transcript.
  const mcp = mcpPanel(sessionId);
  const mcpServers = button("MCP servers", () => mcp.open());
  mcpServers.title = "The MCP servers Codex is configured with, and the tools they offer";
  // The skills Codex offers here (ListSkills); an admin turns one off or
  // on (SetSkillEnabled). The "$" picker then asks for the list again.
  const skillList = skillsPanel(sessionId, opts.isAdmin, () => skills.forget());
  const skillsButton = button("Skills", () => skillList.open());
  skillsButton.title = "The skills Codex offers in this folder" +
    (opts.isAdmin ? "; turn one off or on for the whole server" : "");
  // The session's settings (UpdateSession), in a form under the controls.
  const edit = button("Settings", () => void openSettings(!form.open));
  edit.title = "This session's title, model, effort, approval policy and sandbox";
  edit.setAttribute("aria-controls", "session-settings");
  edit.setAttribute("aria-expanded", "false");
  // The rest under More, so that the controls take one row on a phone.
  const notify = notifyButton();
  const more = h("details", { class: "menu" }, h("summary", {}, "More"),
    h("div", { class: "menu-items" }, review, fork, setGoal, compact, mcpServers, skillsButton, download, notify,
      archive)) as HTMLDetailsElement;
  // A choice closes the menu; Archive's first tap (arming it) does not.
  more.addEventListener("click", (ev) => {
    if (ev.target instanceof HTMLButtonElement && !(ev.target === archive && archiveArmed)) more.open = false;
  });
  const controls = h("div", { class: "row controls" },
    ...(opts.canOperate ? [resume, unarchive, stop, edit, more] : [download]));
  const form = settingsForm(sessionId, {
    saved: (s) => {
      sessionModel = s.model;
      threadModel = s.codexSettings?.model ?? threadModel;
      titled = s.title;
      rename();
      attend();
      toast("Saved: the next turn uses these settings.");
    },
    closed: () => edit.setAttribute("aria-expanded", "false"),
  });
  const openSettings = async (open: boolean) => {
    if (open) await form.show();
    else form.hide();
    edit.setAttribute("aria-expanded", String(form.open));
  };

  const asking = opts.isAdmin ? "Ask Codex, or !command for the shell… (Ctrl+Enter to send)"
                               : "Ask Codex… (Ctrl+Enter to send)";
  const prompt = h("textarea", { rows: "2", placeholder: asking,
                                 "aria-label": "Prompt", "aria-keyshortcuts": "Control+Enter" }) as HTMLTextAreaElement;
  // Idle: Send starts a turn. While one runs: Steer (the default, Codex
  // `turn/steer`) adds to it; Queue starts another after it.
  const send = h("button", { type: "submit", class: "primary" }, "Send") as HTMLButtonElement;
  const queue = h("button", { type: "button", hidden: "" }, "Queue") as HTMLButtonElement;
  const interrupt = button("Interrupt", act(() => turns.interruptTurn({ sessionId }, call)));
  // Codex's Plan mode for the turns sent while it is pressed (StartTurn's
  // collaboration_mode "plan", the TUI's Shift+Tab): the agent explores,
  // asks and proposes a plan, changing nothing. Released, the next turn is
  // back in the default mode, to carry the plan out.
  const plan = h("button", { type: "button", class: "plan-toggle", "aria-pressed": "false",
                             title: "Plan mode: the agent proposes a plan and changes nothing" },
    "Plan") as HTMLButtonElement;
  const planning = () => plan.getAttribute("aria-pressed") === "true";
  const setPlanning = (on: boolean) => {
    plan.setAttribute("aria-pressed", String(on));
    prompt.placeholder = on ? "What should Codex plan? (Plan mode: nothing is changed)" : asking;
  };
  plan.addEventListener("click", () => setPlanning(!planning()));
  // A proposed plan's "Implement this plan", as Codex's TUI offers it after
  // one: Plan released, and a turn in the default mode that says so.
  log.addEventListener("click", (ev) => {
    const pressed = (ev.target as Element).closest<HTMLButtonElement>("button.implement-plan");
    if (!pressed) return;
    setPlanning(false);
    pressed.disabled = true;
    void act(async () => {
      try {
        await turns.startTurn({ sessionId, prompt: IMPLEMENT_PLAN, requestId: newRequestId() }, call);
      } finally {
        pressed.disabled = false;
      }
    })();
  });
  const blocked = h("p", { class: "muted small blocked", hidden: "" });
  // A session that runs the agent unsandboxed (its sandbox, else the one
  // Codex runs the thread with, is danger-full-access) takes turns from an
  // operator only in a narrower sandbox: the server refuses the rest
  // (PERMISSION_DENIED). Said, and workspace-write picked for the next turn.
  let sessionSandbox = "";
  let threadSandbox = "";
  const unsandboxed = () =>
    ((transcript.sandbox ?? sessionSandbox) || (transcript.codexSandbox ?? threadSandbox)) === "danger-full-access";
  const narrowed = h("p", { class: "small narrowed", hidden: "" },
    "This session runs the agent without a sandbox (danger-full-access), which only an admin may start. " +
    "Your turns run in the sandbox under Settings for the next turn: workspace-write unless you pick another.");
  const narrowForOperator = () => {
    const narrow = opts.canOperate && !opts.isAdmin && unsandboxed();
    narrowed.hidden = !narrow;
    if (narrow && (turnSandbox.value === "" || turnSandbox.value === "danger-full-access")) {
      turnSandbox.value = "workspace-write";
    }
  };
  // Settings for the next turn only (StartTurn's): model, reasoning effort,
  // sandbox, speed (service tier), images to upload. Empty: the session's.
  const [turnModel, turnModels] = modelField("turn_model", "turn-models", "session's");
  const turnEffort = effortSelect("turn_effort", "session's");
  const turnSandbox = sandboxSelect("turn_sandbox", "session's");
  const turnTier = tierSelect("turn_service_tier", "session's");
  const turnImages = h("input", { name: "turn_images", type: "file", multiple: "",
                                  accept: "image/png,image/jpeg,image/gif,image/webp" }) as HTMLInputElement;
  const settings = h("details", { class: "turn-settings" },
    h("summary", { class: "small" }, "Settings for the next turn"),
    h("div", { class: "row wrap" },
      h("label", {}, "Model", turnModel, turnModels),
      h("label", {}, "Effort", turnEffort),
      h("label", {}, "Sandbox", turnSandbox),
      h("label", {}, "Speed", turnTier),
      h("label", {}, "Images", turnImages))) as HTMLDetailsElement;
  // The efforts and speeds of the model the next turn will use: the one
  // typed, else the session's.
  const turnEfforts = () => {
    const named = turnModel.value.trim() || turnsModel();
    void offerEfforts(turnEffort, named, sessionProvider);
    void offerTiers(turnTier, named, sessionProvider);
  };
  settings.addEventListener("toggle", () => {
    if (settings.open) turnEfforts();
  });
  turnModel.addEventListener("change", turnEfforts);
  // A prompt to edit, left by the session this one was forked from.
  const draft = sessionStorage.getItem(draftKey(sessionId));
  if (draft !== null) {
    sessionStorage.removeItem(draftKey(sessionId));
    prompt.value = draft;
    toast("A copy of the conversation before this prompt: edit it and send.");
  }
  // "@" and letters of a path: the session's files that match.
  const files = filePicker(prompt, async (query, maxResults) =>
    (await sessions.searchFiles({ sessionId, query, maxResults }, call)).files);
  // "$" and letters of a name: the skills Codex offers here.
  const skills = skillPicker(prompt, async () =>
    (await sessions.listSkills({ sessionId }, call)).skills);
  const composer = h("form", { class: "composer" }, blocked, narrowed, files, skills.element, prompt, settings,
    h("div", { class: "row actions" }, plan, send, queue, interrupt)) as HTMLFormElement;
  // Steers the running turn. False when it ended before the steer reached
  // Codex (FAILED_PRECONDITION: the server's "is not running", or Codex
  // refusing `turn/steer`): the prompt then starts a turn of its own, as
  // Codex's TUI sends it when no turn is active, rather than coming back.
  const steered = async (turnId: string, text: string) => {
    try {
      await turns.steerTurn({ sessionId, turnId, prompt: text }, call);
      return true;
    } catch (err) {
      if (err instanceof ConnectError && err.code === Code.FailedPrecondition) return false;
      throw err;
    }
  };
  const submit = async (how: "send" | "queue") => {
    const text = prompt.value.trim();
    if (!text || prompt.disabled) return;
    // What a shell command's turn is sent meanwhile waits for it.
    const running = transcript.runningShell ? "" : transcript.runningTurnId;
    // Sent: what is typed while the call is in flight is the next prompt,
    // and must not be wiped when this one's call returns.
    prompt.value = "";
    try {
      if (opts.isAdmin && text.startsWith("!") && text.slice(1).trim()) {
        // As in Codex's TUI: a shell command, run as a turn of its own
        // (Codex `thread/shellCommand`).
        await turns.runShellCommand({ sessionId, command: text.slice(1).trim(),
                                      requestId: newRequestId() }, call);
      } else if (how === "send" && running && await steered(running, text)) {
        // Taken into the running turn.
      } else {
        const images = await Promise.all([...(turnImages.files ?? [])].map(async (f) =>
          ({ mediaType: f.type, data: new Uint8Array(await f.arrayBuffer()) })));
        await turns.startTurn({ sessionId, prompt: text, requestId: newRequestId(),
                                model: turnModel.value.trim(), effort: turnEffort.value, images,
                                sandbox: turnSandbox.value, serviceTier: turnTier.value,
                                collaborationMode: planning() ? "plan" : "" }, call);
        // They were for that turn.
        turnModel.value = "";
        turnEffort.value = "";
        turnSandbox.value = "";
        turnTier.value = "";
        narrowForOperator();
        turnImages.value = "";
      }
    } catch (err) {
      if (!prompt.value) prompt.value = text;  // not sent: give it back
      toast(errorText(err));
    }
  };
  composer.addEventListener("submit", (e) => {
    e.preventDefault();
    void submit("send");
  });
  queue.addEventListener("click", () => void submit("queue"));
  prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });

  app.replaceChildren(
    h("header", { class: "bar session-bar" }, h("a", { href: "#/", class: "back", "aria-label": "All sessions" }, "‹"),
      title, badge, running, tokens, opts.who()),
    banner,
    h("main", { class: "session" }, controls, ...(opts.canOperate ? [form.element] : []),
      goal.element, ...(opts.canOperate ? [mcp.element, skillList.element] : []), background.element, log, cards,
      queued),
    jump, ...(opts.canOperate ? [composer] : []));
  // The composer is fixed over the bottom of the page, and its height
  // changes (its settings unfolded, its box resized): --composer-room
  // keeps the page's end, the toasts and "Jump to latest" clear of it.
  const rootStyle = document.documentElement.style;
  const room = new ResizeObserver(() => {
    rootStyle.setProperty("--composer-room", `${composer.offsetHeight}px`);
  });
  if (opts.canOperate) room.observe(composer);

  const decide = (id: string, decision: Decision) =>
    act(() => approvals.resolveApproval({ approvalId: id, decision, requestId: newRequestId() }, call))();
  const answer = (id: string, answers: Record<string, string>) =>
    act(() => approvals.resolveApproval({ approvalId: id, decision: Decision.APPROVE, answers, requestId: newRequestId() }, call))();

  // Keyboard: decide the oldest pending approval that takes a decision.
  const onKey = (ev: KeyboardEvent) => {
    if (ev.key === "Escape" && more.open) {
      more.open = false;
      more.querySelector("summary")?.focus();
      return;
    }
    const decision = SHORTCUTS[ev.key];
    if (decision === undefined || typing(ev) || !opts.canOperate) return;
    const pending = [...transcript.approvals.values()].find((a) => a.kind !== ApprovalKind.USER_INPUT);
    if (!pending || !offered(pending).includes(decision)) return;
    ev.preventDefault();
    void decide(pending.approvalId, decision);
  };
  document.addEventListener("keydown", onKey);
  // The menu closes on a click elsewhere, or Escape.
  const onClick = (ev: MouseEvent) => {
    if (more.open && !more.contains(ev.target as Node)) more.open = false;
  };
  document.addEventListener("click", onClick);
  const onScroll = () => { if (nearBottom()) jump.hidden = true; };
  window.addEventListener("scroll", onScroll, { passive: true });

  const syncControls = () => {
    const state = transcript.sessionState;
    resume.hidden = !(state === SessionState.STOPPED || state === SessionState.FAILED);
    stop.hidden = !LIVE.has(state);
    compact.hidden = stop.hidden;
    setGoal.hidden = stop.hidden;
    archive.hidden = state === SessionState.ARCHIVED || state === SessionState.UNSPECIFIED;
    unarchive.hidden = state !== SessionState.ARCHIVED;
    fork.hidden = archive.hidden;
    mcpServers.hidden = archive.hidden;
    skillsButton.hidden = archive.hidden;
    log.classList.toggle("can-edit", opts.canOperate && !fork.hidden);
    // RevertSession needs the session live and idle.
    log.classList.toggle("can-revert", opts.canOperate && state === SessionState.IDLE &&
                                       transcript.runningTurnId === "");
    edit.hidden = archive.hidden;
    if (notify) notify.hidden = archive.hidden || !canAsk();
    if (edit.hidden && form.open) void openSettings(false);
    review.hidden = archive.hidden || state === SessionState.FAILED;
    const why = unknown || composerBlocked(state);
    blocked.textContent = why;
    blocked.hidden = !why;
    for (const el of [prompt, send, queue, interrupt, turnModel, turnEffort, turnSandbox, turnTier, turnImages]) el.disabled = why !== "";
    narrowForOperator();
    const running = transcript.runningTurnId !== "" && !transcript.runningShell;
    send.textContent = running ? "Steer" : "Send";
    send.title = running ? "Add this to the running turn (Ctrl+Enter)" : "Start a turn (Ctrl+Enter)";
    queue.hidden = !running;
    queue.title = "Run this as a new turn after the running one";
  };

  // The element of each pending approval's card and of each queued
  // prompt, by id, drawn once (what they show never changes).
  const cardViews = new KeptViews();
  const queuedViews = new KeptViews();

  let scheduled = false;
  const render = () => {
    scheduled = false;
    const stick = nearBottom();
    const before = log.childElementCount;
    syncChildren(log, views.render(transcript.entries, transcript.takeChanged()));
    // A card, once drawn, stays the same element until its approval is
    // decided: what is typed in its form, its focus and a tap under way
    // outlive the events that arrive meanwhile.
    syncChildren(cards, [...transcript.approvals.values()].map((a) => cardViews.get(a.approvalId, "", () =>
      approvalCard(a, {
        canOperate: opts.canOperate,
        decide: (d) => void decide(a.approvalId, d),
        answer: (answers) => void answer(a.approvalId, answers),
      }, transcript.approvalAgents.get(a.approvalId)))));
    cardViews.keepOnly(transcript.approvals.keys());
    syncChildren(queued, [...transcript.queued].map(([turnId, text]) => queuedViews.get(turnId, "", () =>
      h("li", { class: "queued-prompt", "data-turn-id": turnId },
        h("div", { class: "muted small" }, "Queued · runs after the current turn"),
        h("div", { class: "queued-text" }, text),
        opts.canOperate
          ? h("button", { type: "button", class: "drop-queued", "data-turn-id": turnId,
                          title: "Take this prompt out of the queue; it is not sent" }, "Drop")
          : null))));
    queuedViews.keepOnly(transcript.queued.keys());
    badge.textContent = sessionLabel(transcript.sessionState);
    badge.className = `badge state-${(SessionState[transcript.sessionState] ?? "unknown").toLowerCase()}`;
    if (transcript.goal !== undefined) goal.show(transcript.goal);
    running.hidden = background.count === 0;
    running.textContent = `${background.count} running`;
    running.title = `${background.count} running in the background: show them`;
    tokens.textContent = [transcript.threadStatus,
                          transcript.totalTokens > 0n ? `${transcript.totalTokens} tokens` : "",
                          transcript.rateLimits].filter(Boolean).join(" · ");
    syncControls();
    if (stick) window.scrollTo(0, document.body.scrollHeight);
    else if (log.childElementCount !== before || transcript.approvals.size) jump.hidden = false;
    publish({
      sessionId, state: SessionState[transcript.sessionState] ?? "UNKNOWN", lastSeq: String(transcript.lastSeq),
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

  sessions.getSession({ sessionId }, call)
    .then((s) => {
      sessionModel = s.model;
      threadModel = s.codexSettings?.model ?? "";
      sessionProvider = s.modelProvider;
      titled = s.title;
      preview = s.preview;
      rename();
      attend();
      title.title = s.runtimeVersion ? `Codex ${s.runtimeVersion}` : "";
      if (transcript.goal === undefined) goal.show(s.goal ?? null);
      if (s.purgedSeq > 0n) {
        transcript.purged(s.purgedSeq);
        schedule();
      }
      sessionSandbox = s.sandbox;
      threadSandbox = s.codexSettings?.sandbox ?? "";
      syncControls();
    })
    .catch((err) => {
      if (err instanceof ConnectError && err.code === Code.NotFound) {
        unknown = `There is no session ${sessionId} on this server.`;
        syncControls();
      } else {
        toast(errorText(err));
      }
    });

  // Follow the stream from the last event rendered; on a drop, show the
  // banner and resume from there with backoff.
  (async () => {
    let backoff = 250;
    let disconnected = false;
    let batched = true;
    while (!abort.signal.aborted) {
      try {
        if (disconnected) {
          await sessions.getSession({ sessionId }, { ...call, signal: abort.signal });
          disconnected = false;
          banner.hidden = true;
        }
        // Several events per message; StreamEvents (one each) from a
        // server older than StreamEventBatches.
        const request = { sessionId, afterSeq: transcript.lastSeq };
        const stream = batched
          ? streams.streamEventBatches(request, { signal: abort.signal })
          : streams.streamEvents(request, { signal: abort.signal });
        for await (const message of stream) {
          backoff = 250;
          const events = message.$typeName === "codex_manager.v1.EventBatch"
            ? message.events : [message];
          let changed = false;
          for (const event of events) {
            changed = transcript.apply(event) || changed;
            if (touchesBackground(event)) background.refresh();
            if (event.type === EventType.SKILLS_CHANGED) skills.forget();
          }
          if (changed) {
            // Renamed here or by another client (SESSION_UPDATED).
            // Untitled: the first prompt, once one was sent.
            if (transcript.title !== undefined) titled = transcript.title;
            rename();
            // Here, not in render: a hidden page renders no frames.
            attend();
            schedule();
          }
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if (batched && err instanceof ConnectError && err.code === Code.Unimplemented) {
          batched = false;
          continue;
        }
        if (err instanceof ConnectError && err.code === Code.Unauthenticated) {
          opts.signedOut(SIGNED_OUT);
          return;
        }
        if (err instanceof ConnectError && err.code === Code.NotFound) {
          unknown = `There is no session ${sessionId} on this server.`;
          banner.textContent = errorText(err);
          banner.hidden = false;
          syncControls();
          return;
        }
        if (err instanceof ConnectError && err.code === Code.OutOfRange) {
          // The events after the page's last were deleted (retention)
          // while it was away, or the server has fewer: asking again gets
          // the same answer. What the page shows stays.
          banner.textContent = /retained events/.test(err.rawMessage)
            ? "The server deleted this session's events after the ones shown here: it keeps " +
              "an archived session's events for a limited time (--retain-archived-days). " +
              "Reload the page to see what it kept."
            : `${errorText(err)}. Reload the page to see what the server has.`;
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
  syncControls();
  background.refresh();
  return () => {
    abort.abort();
    background.close();
    room.disconnect();
    announcer.close();
    setTitle("Codex Manager", 0);
    rootStyle.removeProperty("--composer-room");
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("click", onClick);
    window.removeEventListener("scroll", onScroll);
  };
}
