#include "core/mcp_servers.h"

#include <algorithm>

#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

std::string Text(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxMcpTextBytes);
}

std::string Label(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxMcpLabelBytes);
}

}  // namespace

json McpServersParams() {
  return {{"detail", "toolsAndAuthOnly"},
          {"limit", static_cast<int>(kMaxListedMcpServers)}};
}

std::vector<McpServer> McpServersOf(const json& result) {
  std::vector<McpServer> out;
  size_t tools = 0;  // over every server
  for (const json& s : ArrayMember(result, "data")) {
    if (out.size() >= kMaxListedMcpServers) break;
    McpServer server;
    server.name = Label(s, "name");
    if (server.name.empty()) continue;
    server.connection = Label(s, "runtimeStatus");
    server.auth_status = Label(s, "authStatus");
    const json& info = ObjectMember(s, "serverInfo");
    server.title = Label(info, "title");
    if (server.title.empty()) server.title = Label(info, "name");
    server.version = Label(info, "version");
    server.error = Text(s, "toolsError");
    server.http_origin = Text(s, "httpOrigin");
    // A map of name to tool; nlohmann keeps an object's keys sorted.
    for (const auto& [key, tool] : ObjectMember(s, "tools").items()) {
      if (tools >= kMaxListedMcpTools) break;
      ++tools;
      McpTool t;
      t.name = Label(tool, "name");
      if (t.name.empty()) t.name = SafeText(key, kMaxMcpLabelBytes);
      t.title = Label(tool, "title");
      t.description =
          SafeText(StringMember(tool, "description"), kMaxMcpDescriptionBytes);
      server.tools.push_back(std::move(t));
    }
    std::sort(
        server.tools.begin(), server.tools.end(),
        [](const McpTool& a, const McpTool& b) { return a.name < b.name; });
    out.push_back(std::move(server));
  }
  return out;
}

}  // namespace codex_manager
