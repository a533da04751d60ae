// The MCP servers of Codex's config as the session's Codex sees them
// (SessionService.ListMcpServers, Codex `mcpServerStatus/list`): each
// server's connection, why it failed when it did, and the tools it offers
// the agent. Opened from the session's More menu, over the transcript;
// Close hides it.
import { CODEX_CALL_TIMEOUT_MS, sessions } from "./api.js";
import { h } from "./dom.js";
import type { McpServer } from "./gen/codex_manager/v1/sessions_pb.js";
import { mcpSummary } from "./labels.js";
import { codexPanel, type CodexPanel } from "./panel.js";

export function mcpPanel(sessionId: string): CodexPanel {
  const call = { timeoutMs: CODEX_CALL_TIMEOUT_MS };
  const server = (s: McpServer) => h("details", { class: `mcp-server${s.error ? " failed" : ""}` },
    h("summary", {}, h("span", { class: "mono" }, s.name), " ",
      h("span", { class: "muted small" }, mcpSummary(s))),
    ...(s.error ? [h("p", { class: "error small" }, s.error)] : []),
    h("ul", { class: "tools" }, ...s.tools.map((t) => h("li", {},
      h("span", { class: "mono" }, t.name),
      ...(t.description || t.title ? [" ", h("span", { class: "muted small" }, t.description || t.title)] : [])))));
  return codexPanel("mcp", "MCP servers", "mcp-servers", async () => {
    const { servers } = await sessions.listMcpServers({ sessionId }, call);
    return servers.length > 0 ? servers.map(server)
      : [h("p", { class: "muted small" }, "Codex's config has no MCP servers.")];
  });
}
