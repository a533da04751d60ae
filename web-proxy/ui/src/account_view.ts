// The "Codex account" card of the session list: how the server's Codex is
// signed in and its rate limits (CodexService.GetAccount, operators). An
// admin signs it in from here, as `codex login` does on the machine
// (StartCodexLogin): with ChatGPT's device code — the page and the code
// are shown, the code is typed on any device (this phone too), and the
// card follows the login (GetCodexLogin) until Codex says how it ended —
// or with an API key; and signs it out (LogoutCodex, two taps).
import { CODEX_CALL_TIMEOUT_MS, codex } from "./api.js";
import { button, h } from "./dom.js";
import { errorText } from "./feedback.js";
import { pageLink } from "./visible.js";
import { type Account, type CodexLogin, CodexLoginMethod, CodexLoginState } from "./gen/codex_manager/v1/codex_pb.js";

// How often a pending device code login is asked after.
const LOGIN_POLL_MS = 2000;

function describe(a: Account): HTMLElement[] {
  const who = a.type === "chatgpt" ? `Codex is signed in with ChatGPT as ${a.email}${a.planType ? ` (${a.planType})` : ""}`
    : a.type === "apiKey" ? "Codex uses an API key" : "Codex is not signed in";
  const windows = [a.rateLimits?.primary, a.rateLimits?.secondary].filter((w) => w !== undefined);
  return [
    h("p", {}, `${who}${a.requiresOpenaiAuth ? "; its model provider needs an OpenAI sign-in" : ""}.`),
    h("p", {}, windows.length
      ? `Rate limits: ${windows.map((w) => `${w!.usedPercent}% used of ${Math.round(Number(w!.windowMinutes) / 60)}h`).join(", ")}`
      : `Rate limits unknown: ${a.rateLimitsError}`),
  ];
}

export function accountPanel(isAdmin: boolean): HTMLElement {
  const call = { timeoutMs: CODEX_CALL_TIMEOUT_MS };
  const body = h("div", { class: "small" });
  const panel = h("details", { class: "card account" }, h("summary", {}, "Codex account"), body) as HTMLDetailsElement;
  // Bumped whenever the card is drawn again: a poll of an older drawing stops.
  let drawing = 0;

  const load = async (note?: HTMLElement) => {
    const mine = ++drawing;
    body.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    try {
      const account = await codex.getAccount({}, call);
      if (mine !== drawing) return;
      body.replaceChildren(...(note ? [note] : []), ...describe(account),
        ...(isAdmin ? [controls(account)] : []));
    } catch (err) {
      if (mine === drawing) body.replaceChildren(h("p", { class: "error" }, errorText(err)));
    }
  };

  const ended = (login: CodexLogin) => {
    const ok = login.state === CodexLoginState.SUCCEEDED;
    const what = login.state === CodexLoginState.CANCELLED ? "The sign-in was cancelled"
      : ok ? "Codex is signed in" : "The sign-in failed";
    void load(h("p", { class: ok ? "login-done" : "error login-done" },
      `${what}${login.error ? `: ${login.error}` : ""}.`));
  };

  // The page and the code of a pending login, until it ends.
  const follow = (login: CodexLogin) => {
    const mine = ++drawing;
    const cancel = button("Cancel", () => {
      cancel.disabled = true;
      void codex.cancelCodexLogin({ loginId: login.loginId }, call)
        .then(ended, (err) => { status.textContent = errorText(err); cancel.disabled = false; });
    });
    const status = h("p", { class: "muted" }, "Waiting for the code…");
    body.replaceChildren(h("div", { class: "login", "data-login-id": login.loginId },
      h("p", {}, "Open ",
        pageLink(login.verificationUrl),
        " on any device, sign in to ChatGPT and enter this code:"),
      h("p", { class: "mono login-code" }, login.userCode),
      status, cancel));
    const poll = async () => {
      if (mine !== drawing || !panel.open) return;
      try {
        const now = await codex.getCodexLogin({ loginId: login.loginId }, call);
        if (mine !== drawing) return;
        if (now.state !== CodexLoginState.PENDING) return ended(now);
      } catch (err) {
        status.textContent = errorText(err);
      }
      setTimeout(() => void poll(), LOGIN_POLL_MS);
    };
    setTimeout(() => void poll(), LOGIN_POLL_MS);
  };

  const start = async (apiKey: string | null, by: HTMLButtonElement, error: HTMLElement) => {
    by.disabled = true;
    try {
      const login = await codex.startCodexLogin(apiKey === null
        ? { method: CodexLoginMethod.CHATGPT_DEVICE_CODE }
        : { method: CodexLoginMethod.API_KEY, apiKey }, call);
      if (login.state === CodexLoginState.PENDING) follow(login); else ended(login);
    } catch (err) {
      error.textContent = errorText(err);
      by.disabled = false;
    }
  };

  const controls = (account: Account): HTMLElement => {
    const error = h("p", { class: "error", role: "alert" });
    const chatgpt = button("Sign in with ChatGPT", () => void start(null, chatgpt, error));
    const key = h("input", { type: "password", name: "api_key", autocomplete: "off",
                             placeholder: "OpenAI API key", "aria-label": "OpenAI API key" }) as HTMLInputElement;
    const useKey = button("Use this key", () => {
      const value = key.value.trim();
      key.value = "";
      void start(value, useKey, error);
    });
    let armed = 0;
    const signOut = account.type ? button("Sign out", () => {
      // Two taps: every new session then runs without a sign-in.
      if (Date.now() - armed > 4000) {
        armed = Date.now();
        signOut!.textContent = "Tap again to sign out";
        return;
      }
      signOut!.disabled = true;
      void codex.logoutCodex({}, call).then(
        () => load(h("p", { class: "login-done" }, "Codex is signed out.")),
        (err) => { error.textContent = errorText(err); signOut!.disabled = false; });
    }) : null;
    return h("div", { class: "login-controls" },
      h("div", { class: "row wrap" }, chatgpt, signOut),
      h("div", { class: "row" }, key, useKey),
      error);
  };

  panel.addEventListener("toggle", () => {
    if (panel.open) void load(); else drawing++;
  });
  return panel;
}
