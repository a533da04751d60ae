// The server's tokens and audit log at #/access, for admins (every call
// here needs ROLE_ADMIN; the server refuses anyone else with
// PERMISSION_DENIED, which the page shows). Create a token: its secret
// and a sign-in link are shown once (AuthService.CreateToken); revoke one,
// two taps (RevokeToken; refused from the next call on); read who did
// what, newest first (AuditService.ListAuditEvents); and download a backup
// of the server's database (MaintenanceService.Backup), checked against
// the server's SHA-256 where the browser can compute one.
import { durationFromMs, timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { audit, auth, BACKUP_TIMEOUT_MS, CALL_TIMEOUT_MS, maintenance } from "./api.js";
import { roleName } from "./auth.js";
import { button, h } from "./dom.js";
import { errorText, toast } from "./feedback.js";
import { type AuditEvent, Role, type Token } from "./gen/codex_manager/v1/auth_pb.js";
import { statusName } from "./labels.js";

const call = { timeoutMs: CALL_TIMEOUT_MS };
const AUDIT_PAGE = 50;

// Overlapping loads of one list: only the newest one's answer is shown
// (a filter changed twice quickly must not end on the first's answer).
class Loads {
  private newest = 0;
  // A new load: every earlier one is stale from now on.
  begin(): number { return ++this.newest; }
  // The load now shown, for a continuation of it (a next page).
  current(): number { return this.newest; }
  isNewest(load: number): boolean { return load === this.newest; }
}
const HOUR = 3600 * 1000;
// Lifetimes offered for a new token; a token that expires is the default.
const LIFETIMES: [string, number][] = [
  ["30 days", 30 * 24 * HOUR], ["7 days", 7 * 24 * HOUR], ["1 day", 24 * HOUR], ["1 hour", HOUR],
  ["90 days", 90 * 24 * HOUR], ["never", 0],
];

const when = (t: Timestamp | undefined) => (t ? timestampDate(t).toLocaleString() : "");

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

// The backup card: one button; the file is saved by the browser once it
// has arrived whole (its SHA-256 checked where crypto.subtle exists: on
// HTTPS and localhost, not on a plain-HTTP LAN address).
function backupCard(afterwards: () => void): HTMLElement {
  const status = h("p", { class: "muted small", role: "status" },
    "A copy of everything the server holds, as of one moment: sessions, transcripts, approvals, " +
    "tokens (their hashes, never a secret) and this audit log. Restore it with " +
    "codex-manager-server --restore FILE on the stopped server.");
  const start = button("Download a backup", async () => {
    start.disabled = true;
    try {
      const parts: Uint8Array<ArrayBuffer>[] = [];
      let total = 0n, size = 0, sessions = 0n, lastEventId = 0n, sha256 = "";
      for await (const chunk of maintenance.backup({}, { timeoutMs: BACKUP_TIMEOUT_MS })) {
        if (!parts.length) ({ totalBytes: total, sessions, lastEventId } = chunk);
        parts.push(chunk.data as Uint8Array<ArrayBuffer>);
        size += chunk.data.length;
        if (chunk.sha256) sha256 = chunk.sha256;
        status.textContent = `Receiving the backup: ${size} of ${total} bytes`;
      }
      const blob = new Blob(parts, { type: "application/vnd.sqlite3" });
      let checked = "not checked here (no crypto.subtle on plain HTTP)";
      if (globalThis.crypto?.subtle) {
        const got = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
        if (BigInt(size) !== total || got !== sha256) {
          throw new Error(`The backup arrived damaged (${size} of ${total} bytes, SHA-256 ${got} ` +
                          `where the server's is ${sha256}); nothing was saved.`);
        }
        checked = "checked";
      }
      const file = `codex-manager-${new Date().toISOString().slice(0, 10)}.db`;
      const url = URL.createObjectURL(blob);
      h("a", { href: url, download: file }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      status.textContent = `Saved ${file}: ${size} bytes, ${sessions} ` +
        `${sessions === 1n ? "session" : "sessions"}, events through ` +
        `${lastEventId}; SHA-256 ${sha256} (${checked}).`;
      afterwards();
    } catch (err) {
      status.textContent = errorText(err);
      toast(errorText(err));
    } finally {
      start.disabled = false;
    }
  });
  return h("div", { class: "card backup" }, h("h2", {}, "Backup"), status, start);
}

// A secret shown once, with a button that copies it.
function secretField(label: string, value: string, name: string): HTMLElement {
  const input = h("input", { name, readonly: "", value, class: "mono", autocomplete: "off" }) as HTMLInputElement;
  const copy = button("Copy", async () => {
    try {
      await navigator.clipboard.writeText(value);
      copy.textContent = "Copied";
    } catch {
      // No clipboard here (a plain-HTTP LAN address): select it instead.
      input.select();
    }
  });
  return h("label", {}, label, h("div", { class: "row" }, input, copy));
}

export function showAccess(app: HTMLElement, opts: { who: () => HTMLElement; myTokenId: string }): () => void {
  let left = false;
  const tokens = h("div", { class: "tokens-list", "aria-live": "polite" });
  const events = h("div", { class: "audit-list" });
  const showRevoked = h("input", { type: "checkbox", name: "include_revoked" }) as HTMLInputElement;
  const who = h("select", { name: "audit_token" }, h("option", { value: "" }, "everyone")) as HTMLSelectElement;
  const older = button("Older", () => void loadAudit(false));
  older.hidden = true;
  let pageToken = "";

  // ---- creating a token
  const name = h("input", { name: "token_name", required: "", maxlength: "100", autocomplete: "off",
                            placeholder: "who or what holds it" }) as HTMLInputElement;
  const role = h("select", { name: "token_role" },
    ...[Role.VIEWER, Role.OPERATOR, Role.ADMIN].map((r) => h("option", { value: String(r) }, roleName(r)))) as HTMLSelectElement;
  const lifetime = h("select", { name: "token_ttl" },
    ...LIFETIMES.map(([label, ms]) => h("option", { value: String(ms) }, label))) as HTMLSelectElement;
  const created = h("div", { class: "secret", hidden: "", role: "status" });
  const form = h("form", { class: "card create" },
    h("h2", {}, "New token"),
    h("label", {}, "Name", name),
    h("div", { class: "row wrap" }, h("label", {}, "Role", role), h("label", {}, "Expires after", lifetime)),
    h("button", { type: "submit", class: "primary" }, "Create token"),
    created) as HTMLFormElement;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const ms = Number(lifetime.value);
      const r = await auth.createToken({ name: name.value.trim(), role: Number(role.value) as Role,
                                         ttl: ms ? durationFromMs(ms) : undefined }, call);
      const link = `${location.origin}${location.pathname}#token=${r.secret}`;
      created.replaceChildren(
        h("p", {}, h("strong", {}, `${r.token?.name} (${roleName(r.token?.role ?? Role.UNSPECIFIED)})`),
          " — copy its secret now: the server keeps only a hash and cannot show it again."),
        secretField("Secret", r.secret, "token_secret"),
        secretField("Sign-in link (opens this UI signed in; send it privately)", link, "token_link"));
      created.hidden = false;
      name.value = "";
      void loadTokens();
      void loadAudit(true);
    } catch (err) {
      toast(errorText(err));
    }
  });

  // ---- the tokens
  const tokenRow = (t: Token) => {
    const revoked = t.revokeTime !== undefined;
    let armed = 0;
    const revoke = button("Revoke", async () => {
      // Two taps: the holder is refused from its next call on.
      if (Date.now() - armed > 4000) {
        armed = Date.now();
        revoke.textContent = t.tokenId === opts.myTokenId ? "Tap again: this signs you out" : "Tap again to revoke";
        setTimeout(() => { revoke.textContent = "Revoke"; }, 4000);
        return;
      }
      try {
        await auth.revokeToken({ tokenId: t.tokenId }, call);
        // One's own: the page starts again, at the sign-in form.
        if (t.tokenId === opts.myTokenId) location.reload();
        else {
          void loadTokens();
          void loadAudit(true);
        }
      } catch (err) {
        toast(errorText(err));
      }
    }, "danger");
    revoke.hidden = revoked;
    const facts = [
      `created ${when(t.createTime)}`,
      t.expireTime ? `expires ${when(t.expireTime)}` : "never expires",
      t.lastUsedTime ? `last used ${when(t.lastUsedTime)}` : "never used",
      revoked ? `revoked ${when(t.revokeTime)}` : "",
    ].filter(Boolean).join(" · ");
    return h("div", { class: "row token", "data-token-id": t.tokenId },
      h("div", {},
        h("div", {}, h("strong", {}, t.name), h("span", { class: "muted" }, ` · ${roleName(t.role)}`),
          t.tokenId === opts.myTokenId ? h("span", { class: "badge" }, "you") : null,
          t.bootstrap ? h("span", { class: "badge", title: "Its secret is the data dir's admin.token" }, "admin.token") : null,
          revoked ? h("span", { class: "badge state-failed" }, "revoked") : null),
        h("div", { class: "muted small" }, facts),
        h("div", { class: "muted small mono" }, t.tokenId)),
      revoke);
  };
  const tokenLoads = new Loads();
  const loadTokens = async () => {
    const load = tokenLoads.begin();
    try {
      const all: Token[] = [];
      let next = "";
      do {
        const r = await auth.listTokens({ pageSize: 1000, pageToken: next, includeRevoked: showRevoked.checked }, call);
        all.push(...r.tokens);
        next = r.nextPageToken;
      } while (next && !left && tokenLoads.isNewest(load));
      if (left || !tokenLoads.isNewest(load)) return;
      tokens.replaceChildren(...all.map(tokenRow));
      const chosen = who.value;
      who.replaceChildren(h("option", { value: "" }, "everyone"),
        ...all.map((t) => h("option", { value: t.tokenId }, `${t.name} (${roleName(t.role)})`)));
      who.value = all.some((t) => t.tokenId === chosen) ? chosen : "";
    } catch (err) {
      if (!left && tokenLoads.isNewest(load)) tokens.replaceChildren(h("p", { class: "error" }, errorText(err)));
    }
  };
  showRevoked.addEventListener("change", () => void loadTokens());

  // ---- the audit log
  const auditRow = (e: AuditEvent) => {
    const method = e.method.split("/").pop() ?? e.method;
    const refused = e.code !== 0;
    return h("div", { class: "audit", "data-audit-id": String(e.auditId) },
      h("div", {}, h("strong", {}, method), " ",
        h("span", { class: refused ? "error" : "muted" }, statusName(e.code)),
        e.resourceId ? h("span", { class: "mono small" }, ` ${e.resourceId}`) : null),
      e.message ? h("div", { class: "small" }, e.message) : null,
      h("div", { class: "muted small" },
        [when(e.time), e.tokenName ? `${e.tokenName} (${roleName(e.role)})` : "no valid token", e.peer]
          .filter(Boolean).join(" · ")));
  };
  // A fresh load (another caller chosen) makes every answer still on its
  // way stale, an Older page's included; Older is off while it loads.
  const auditLoads = new Loads();
  const loadAudit = async (fresh: boolean) => {
    const load = fresh ? auditLoads.begin() : auditLoads.current();
    older.disabled = true;
    try {
      const r = await audit.listAuditEvents(
        { pageSize: AUDIT_PAGE, pageToken: fresh ? "" : pageToken, tokenId: who.value }, call);
      if (left || !auditLoads.isNewest(load)) return;
      const rows = r.auditEvents.map(auditRow);
      if (fresh) events.replaceChildren(...(rows.length ? rows : [h("p", { class: "muted" }, "Nothing recorded.")]));
      else events.append(...rows);
      pageToken = r.nextPageToken;
      older.hidden = !pageToken;
    } catch (err) {
      if (left || !auditLoads.isNewest(load)) return;
      events.replaceChildren(h("p", { class: "error" }, errorText(err)));
      older.hidden = true;
    } finally {
      if (auditLoads.isNewest(load)) older.disabled = false;
    }
  };
  who.addEventListener("change", () => void loadAudit(true));

  app.replaceChildren(
    h("header", { class: "bar" }, h("a", { href: "#/", class: "back", "aria-label": "All sessions" }, "‹"),
      h("h1", {}, "Tokens and audit log"), opts.who()),
    h("main", { class: "access" },
      form,
      h("div", { class: "row heading" }, h("h2", {}, "Tokens"),
        h("label", { class: "row small" }, showRevoked, "show revoked")),
      h("div", { class: "card" }, tokens),
      h("div", { class: "row heading" }, h("h2", {}, "Audit log"),
        h("label", { class: "row small" }, "Caller", who)),
      h("div", { class: "card" }, events, older),
      backupCard(() => void loadAudit(true))));
  void loadTokens();
  void loadAudit(true);
  return () => { left = true; };
}
