// The MCP servers of Codex's config as the session's Codex sees them
// (SessionService.ListMcpServers, Codex `mcpServerStatus/list`): each
// server's connection, why it failed when it did, and the tools it offers
// the agent. Opened from the session's More menu, over the transcript;
// Close hides it.
import { CODEX_CALL_TIMEOUT_MS, sessions } from "./api.js";
import { button, h } from "./dom.js";
import { errorText } from "./feedback.js";
import type { McpServer } from "./gen/codex_manager/v1/sessions_pb.js";
import { mcpSummary } from "./labels.js";

export interface McpPanel {
  element: HTMLElement;
  // Lists the servers (again) and shows the panel.
  open: () => void;
}

export function mcpPanel(sessionId: string): McpPanel {
  const call = { timeoutMs: CODEX_CALL_TIMEOUT_MS };
  const list = h("div", { class: "mcp-servers", "aria-live": "polite" });
  const close = button("Close", () => { element.hidden = true; });
  const element = h("section", { class: "mcp", hidden: "", "aria-label": "MCP servers" },
    h("div", { class: "row" }, h("h2", {}, "MCP servers"), close), list);

  const server = (s: McpServer) => h("details", { class: `mcp-server${s.error ? " failed" : ""}` },
    h("summary", {}, h("span", { class: "mono" }, s.name), " ",
      h("span", { class: "muted small" }, mcpSummary(s))),
    ...(s.error ? [h("p", { class: "error small" }, s.error)] : []),
    h("ul", { class: "tools" }, ...s.tools.map((t) => h("li", {},
      h("span", { class: "mono" }, t.name),
      ...(t.description || t.title ? [" ", h("span", { class: "muted small" }, t.description || t.title)] : [])))));
  let asked = 0;
  const open = () => {
    element.hidden = false;
    element.scrollIntoView({ block: "nearest" });
    list.replaceChildren(h("p", { class: "muted small" }, "Asking Codex…"));
    const mine = ++asked;
    void (async () => {
      try {
        const { servers } = await sessions.listMcpServers({ sessionId }, call);
        if (mine !== asked) return;
        list.replaceChildren(...(servers.length > 0 ? servers.map(server)
          : [h("p", { class: "muted small" }, "Codex's config has no MCP servers.")]));
      } catch (err) {
        if (mine === asked) list.replaceChildren(h("p", { class: "error small" }, errorText(err)));
      }
    })();
  };
  return { element, open };
}
