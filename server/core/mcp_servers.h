// The MCP servers of Codex's config as a session's Codex sees them (Codex
// `mcpServerStatus/list`, app-server 0.171): each server's connection in
// the session's thread, its sign-in, and the tools it offers. Asked in the
// live thread, Codex answers from the thread's connections; asked with no
// thread, it starts each enabled server for the call to list its tools.
#ifndef CODEX_MANAGER_SERVER_CORE_MCP_SERVERS_H_
#define CODEX_MANAGER_SERVER_CORE_MCP_SERVERS_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace codex_manager {

// One tool of an MCP server (MCP `Tool`).
struct McpTool {
  std::string name;
  std::string title;
  std::string description;

  bool operator==(const McpTool&) const = default;
};

// One server (Codex `McpServerStatus`). Text is valid UTF-8, cut
// (SafeText: the cut marked "…") to kMaxMcpTextBytes (an error, an
// origin) or kMaxMcpLabelBytes (names, statuses, a title, a version), a
// tool's description to kMaxMcpDescriptionBytes.
struct McpServer {
  std::string name;  // its key in Codex's config, `[mcp_servers.NAME]`
  // The thread's connection (`runtimeStatus`): "connected", "starting",
  // "failed", "authenticationRequired", "disabled", "notStarted",
  // "cancelled"; empty when asked with no thread.
  std::string connection;
  // `authStatus`: "unsupported", "notLoggedIn", "bearerToken", "oAuth",
  // "unknown".
  std::string auth_status;
  // What the server says it is (MCP `serverInfo`): its title (else its
  // name) and version; empty when it did not start.
  std::string title;
  std::string version;
  // Why Codex could not list its tools (`toolsError`).
  std::string error;
  // HTTP servers: the endpoint's origin, without credentials or path.
  std::string http_origin;
  std::vector<McpTool> tools;  // by name

  bool operator==(const McpServer&) const = default;
};

// Bounds of what McpServersOf keeps: the largest listing is under 2 MiB,
// so it fits a client's default 4 MiB message (convert_test checks it).
inline constexpr size_t kMaxListedMcpServers = 100;
// Tools in all, over every server.
inline constexpr size_t kMaxListedMcpTools = 1000;
inline constexpr size_t kMaxMcpTextBytes = 1024;
inline constexpr size_t kMaxMcpLabelBytes = 256;
inline constexpr size_t kMaxMcpDescriptionBytes = 1024;

// The params of `mcpServerStatus/list`: tools and sign-in only (Codex's
// `toolsAndAuthOnly`: no resources), one page of kMaxListedMcpServers.
nlohmann::json McpServersParams();

// `mcpServerStatus/list`'s result ({data: [McpServerStatus], nextCursor}),
// in Codex's order. Any shape is accepted (a mistyped member reads as
// absent); a server with no name is left out; at most kMaxListedMcpServers
// servers and kMaxListedMcpTools tools in all.
std::vector<McpServer> McpServersOf(const nlohmann::json& result);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_MCP_SERVERS_H_
