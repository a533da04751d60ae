#include "core/background_terminals.h"

#include <limits>
#include <string>

#include "common/utf8.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

TEST(BackgroundTerminalsOfTest, ReadsWhatCodexLists) {
  // As the pinned codex 0.171 listed a `sleep` the agent left running,
  // plus one with the figures Codex may add.
  const json result = json::parse(R"({"data":[
    {"itemId":"call_62077611163609","processId":"95110",
     "command":"echo started; sleep 300","cwd":"/w","osPid":null,
     "cpuPercent":null,"rssKb":null},
    {"itemId":"call_2","processId":"7","command":"npm run dev","cwd":"/w/app",
     "osPid":4242,"cpuPercent":12.5,"rssKb":20480}],"nextCursor":null})");
  const std::vector<BackgroundTerminal> terminals =
      BackgroundTerminalsOf(result);
  ASSERT_EQ(terminals.size(), 2u);
  EXPECT_EQ(terminals[0].process_id, "95110");
  EXPECT_EQ(terminals[0].item_id, "call_62077611163609");
  EXPECT_EQ(terminals[0].command, "echo started; sleep 300");
  EXPECT_EQ(terminals[0].cwd, "/w");
  EXPECT_FALSE(terminals[0].os_pid.has_value());
  EXPECT_FALSE(terminals[0].cpu_percent.has_value());
  EXPECT_FALSE(terminals[0].rss_kib.has_value());
  EXPECT_EQ(terminals[1].os_pid, 4242u);
  EXPECT_EQ(terminals[1].cpu_percent, 12.5);
  EXPECT_EQ(terminals[1].rss_kib, 20480u);
}

TEST(BackgroundTerminalsOfTest, HostileShapesReadAsUnsetOrAreDropped) {
  for (const char* text :
       {"null", "[]", R"({"data":7})", R"({"data":[1,"x",null]})"}) {
    EXPECT_TRUE(BackgroundTerminalsOf(json::parse(text)).empty()) << text;
  }
  json data = json::parse(R"({"data":[{"command":"no process id"},
    {"processId":"1","command":5,"osPid":-3,"cpuPercent":-1,"rssKb":"big"},
    {"processId":"2","osPid":4294967296}]})");
  data["data"][2]["cpuPercent"] = std::numeric_limits<double>::infinity();
  const std::vector<BackgroundTerminal> terminals = BackgroundTerminalsOf(data);
  ASSERT_EQ(terminals.size(), 2u);
  EXPECT_EQ(terminals[0].process_id, "1");
  EXPECT_EQ(terminals[0].command, "");
  EXPECT_FALSE(terminals[0].os_pid.has_value());
  EXPECT_FALSE(terminals[0].cpu_percent.has_value());
  EXPECT_FALSE(terminals[0].rss_kib.has_value());
  EXPECT_FALSE(terminals[1].os_pid.has_value());  // over uint32
  EXPECT_FALSE(terminals[1].cpu_percent.has_value());
}

TEST(BackgroundTerminalsOfTest, BoundsTheListingAndItsText) {
  json data = json::array();
  const std::string long_command(10000, 'x');
  for (int i = 0; i < 150; ++i) {
    data.push_back({{"processId", std::to_string(i)},
                    {"command", i == 0 ? long_command : "\xff\xfe bad"}});
  }
  const std::vector<BackgroundTerminal> terminals =
      BackgroundTerminalsOf({{"data", data}});
  ASSERT_EQ(terminals.size(), kMaxListedTerminals);
  // Cut to the bound, then marked (SafeText's "…", 3 bytes).
  EXPECT_EQ(terminals[0].command, std::string(kMaxTerminalTextBytes, 'x') + "…");
  EXPECT_EQ(ToValidUtf8(terminals[1].command), terminals[1].command);
  EXPECT_NE(terminals[1].command.find("bad"), std::string::npos);
}

}  // namespace
}  // namespace codex_manager
