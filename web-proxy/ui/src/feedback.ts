// Telling a person what happened: errors in words, and short notices.
import { Code, ConnectError } from "@connectrpc/connect";
import { h } from "./dom.js";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// What the sign-in form says when the server stopped taking the token it
// was signed in with (UNAUTHENTICATED on a call or a stream).
export const SIGNED_OUT = "The server no longer accepts the token this page was signed in " +
  "with (revoked or expired). Sign in again.";

// What went wrong, for a person: for a server that cannot be reached,
// what to check rather than gRPC's transport text; otherwise the server's
// message, which names the field or the id.
export function errorText(e: unknown): string {
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

// A notice at the bottom of the screen for four seconds.
export function toast(text: string): void {
  const t = h("div", { class: "toast", role: "status" }, text);
  document.body.append(t);
  setTimeout(() => t.remove(), 4000);
}
