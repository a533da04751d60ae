// The iframe bridge: when the UI is embedded, it posts session status and
// transcript metadata to the parent window — only to the origins the proxy
// was configured with (--frame-ancestor, published at /ui-config.json) —
// and answers the parent's requests for them. Protocol in docs/web.md.
export interface BridgeStatus {
  sessionId: string;
  state: string;
  lastSeq: string;
  pendingApprovals: number;
  runningTurnId: string;
  entries: number;
}

let allowed: string[] = [];
let current: BridgeStatus | null = null;

export async function startBridge(): Promise<void> {
  if (window.parent === window) return;
  try {
    const config = (await (await fetch("/ui-config.json")).json()) as { parentOrigins?: string[] };
    allowed = config.parentOrigins ?? [];
  } catch {
    allowed = [];
  }
  window.addEventListener("message", (e: MessageEvent) => {
    if (!allowed.includes(e.origin)) return;
    const data = e.data as { type?: string } | null;
    if (data?.type === "codex-manager:get-status") {
      (e.source as Window | null)?.postMessage({ type: "codex-manager:status", status: current }, e.origin);
    }
  });
  post({ type: "codex-manager:ready" });
}

export function publish(status: BridgeStatus): void {
  current = status;
  post({ type: "codex-manager:status", status });
}

function post(message: unknown): void {
  if (window.parent === window) return;
  for (const origin of allowed) window.parent.postMessage(message, origin);
}
