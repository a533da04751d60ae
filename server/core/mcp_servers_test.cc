#include "core/mcp_servers.h"

#include <gtest/gtest.h>

#include <string>

namespace codex_manager {
namespace {

using json = nlohmann::json;

TEST(McpServersTest, ReadsWhatCodexAnswers) {
  // As Codex 0.171 answered in a live thread for a config with a working
  // server, one whose command does not exist and one disabled.
  const json result = json::parse(R"json({"data": [
      {"name": "broken", "environmentId": null, "runtimeStatus": "failed",
       "serverInfo": null, "tools": {},
       "toolsError": "MCP startup failed: No such file or directory (os error 2)",
       "resources": [], "resourceTemplates": [], "authStatus": "unsupported"},
      {"name": "off", "runtimeStatus": "disabled", "serverInfo": null,
       "tools": {}, "toolsError": null, "authStatus": "unsupported"},
      {"name": "tickets", "runtimeStatus": "connected", "httpOrigin": null,
       "serverInfo": {"name": "tickets", "title": null, "version": "1.0.0"},
       "tools": {"file_ticket": {"name": "file_ticket",
           "description": "Files a ticket; asks the user for its priority.",
           "inputSchema": {"type": "object", "properties": {}}},
         "a_tool": {"name": "a_tool", "title": "A tool",
                    "inputSchema": {}}},
       "toolsError": null, "authStatus": "unsupported"}],
      "nextCursor": null})json");
  const std::vector<McpServer> servers = McpServersOf(result);
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(servers[0],
            (McpServer{"broken",
                       "failed",
                       "unsupported",
                       "",
                       "",
                       "MCP startup failed: No such file or directory (os "
                       "error 2)",
                       "",
                       {}}));
  EXPECT_EQ(servers[1].connection, "disabled");
  EXPECT_EQ(servers[2],
            (McpServer{"tickets",
                       "connected",
                       "unsupported",
                       "tickets",
                       "1.0.0",
                       "",
                       "",
                       {{"a_tool", "A tool", ""},
                        {"file_ticket", "",
                         "Files a ticket; asks the user for its priority."}}}));
}

TEST(McpServersTest, HostileAnswersAreReadSafely) {
  json tools = json::object();
  for (size_t i = 0; i < kMaxListedMcpTools + 5; ++i) {
    tools["t" + std::to_string(1000 + i)] = json::object();  // no name: the key
  }
  const json result = {
      {"data",
       {42, json::object(), json{{"name", 7}},
        json{{"name", "bad\xff"},
             {"runtimeStatus", 3},
             {"serverInfo", "x"},
             {"toolsError", std::string(kMaxMcpTextBytes * 2, 'e')},
             {"tools", tools}}}}};
  const std::vector<McpServer> servers = McpServersOf(result);
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].name, "bad\xEF\xBF\xBD");
  EXPECT_EQ(servers[0].connection, "");
  EXPECT_LE(servers[0].error.size(), kMaxMcpTextBytes + 3);
  ASSERT_EQ(servers[0].tools.size(), kMaxListedMcpTools);
  EXPECT_EQ(servers[0].tools[0].name, "t1000");
  // The bound counts the tools of every server together.
  const json two = {{"data",
                     {json{{"name", "a"}, {"tools", tools}},
                      json{{"name", "b"}, {"tools", tools}}}}};
  const std::vector<McpServer> both = McpServersOf(two);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].tools.size() + both[1].tools.size(), kMaxListedMcpTools);
  for (const json& not_a_result :
       {json(), json("data"), json{{"data", "x"}}, json::array()}) {
    EXPECT_TRUE(McpServersOf(not_a_result).empty()) << not_a_result;
  }
  EXPECT_EQ(McpServersParams(),
            json::parse(R"({"detail": "toolsAndAuthOnly", "limit": 100})"));
}

}  // namespace
}  // namespace codex_manager
