// Signing in to the proxy: the token lives in an HttpOnly, SameSite=Strict
// cookie that codex-manager-web sets (POST /auth/session) and turns into
// the bearer token upstream; page scripts never hold it after sign-in, and
// it is never put in localStorage. A link `…/#token=cmt_…` (from
// `codex-manager token create --link URL`) signs in too: a fragment never
// reaches a server log.
import { Code, ConnectError } from "@connectrpc/connect";
import { auth, CALL_TIMEOUT_MS } from "./api.js";
import { Role, type WhoAmIResponse } from "./gen/codex_manager/v1/auth_pb.js";

// Sends `token` to the proxy, which sets the cookie. Throws with the
// proxy's reason when it refuses.
export async function signIn(token: string): Promise<void> {
  const res = await fetch("/auth/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: token.trim() }),
  });
  if (!res.ok) throw new Error(res.status === 400 ? "That is not a Codex Manager token (cmt_…)." : `Sign-in failed (HTTP ${res.status}).`);
}

export async function signOut(): Promise<void> {
  await fetch("/auth/session", { method: "DELETE" });
}

// Signs in with a `#token=…` fragment, if the page was opened with one, and
// removes it from the address bar and history.
export async function signInFromFragment(): Promise<void> {
  const match = /(?:^#|&)token=([\w-]+)/.exec(location.hash);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  await signIn(match[1]!);
}

// Who the cookie's token is, or null when not signed in (UNAUTHENTICATED).
export async function whoAmI(): Promise<WhoAmIResponse | null> {
  try {
    return await auth.whoAmI({}, { timeoutMs: CALL_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.Unauthenticated) return null;
    throw err;
  }
}

export const roleName = (r: Role) => (Role[r] ?? "UNSPECIFIED").toLowerCase();

// A request id (UUID v4). crypto.randomUUID exists only in secure contexts
// (HTTPS or localhost); getRandomValues works on a plain-HTTP LAN address too.
export function newRequestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
