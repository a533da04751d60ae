#include "core/codex_hooks.h"

#include <string>
#include <vector>

#include "common/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

// Two hooks as the pinned codex 0.171 lists them (`hooks/list`) before
// anyone trusted them, one trusted, one disabled, one managed.
json Listed() {
  return json::parse(R"({"data":[{"cwd":"/w","hooks":[
    {"key":"/h/config.toml:pre_tool_use:0:0","eventName":"preToolUse",
     "handlerType":"command","command":"/h/check.sh","sourcePath":"/h/config.toml",
     "source":"user","enabled":true,"isManaged":false,"trustStatus":"untrusted"},
    {"key":"/h/config.toml:stop:0:0","eventName":"stop","handlerType":"mcpTool",
     "server":"policy","tool":"review","sourcePath":"/h/config.toml",
     "enabled":true,"trustStatus":"modified"},
    {"eventName":"userPromptSubmit","command":"echo ok","enabled":true,
     "trustStatus":"trusted"},
    {"eventName":"postToolUse","command":"off","enabled":false,
     "trustStatus":"untrusted"},
    {"eventName":"sessionStart","command":"mdm","enabled":true,
     "trustStatus":"managed"}],
    "warnings":[],"errors":[]}]})");
}

TEST(HooksOfTest, ReadsEveryHookWithItsTrust) {
  json result = Listed();
  result["data"][0]["errors"] = {{{"path", "/p/hooks.json"}, {"message", "bad"}}};
  result["data"][0]["warnings"] = {"merged two files", 7};
  const CodexHookList listed = HooksOf(result);
  ASSERT_EQ(listed.hooks.size(), 5u);
  const CodexHook& pre = listed.hooks[0];
  EXPECT_EQ(pre.key, "/h/config.toml:pre_tool_use:0:0");
  EXPECT_EQ(pre.event_name, "preToolUse");
  EXPECT_EQ(pre.command, "/h/check.sh");
  EXPECT_EQ(pre.source, "user");
  EXPECT_EQ(pre.trust_status, "untrusted");
  EXPECT_TRUE(HookSkipped(pre));
  EXPECT_EQ(listed.hooks[1].mcp_server, "policy");
  EXPECT_EQ(listed.hooks[1].mcp_tool, "review");
  EXPECT_TRUE(HookSkipped(listed.hooks[1]));   // modified
  EXPECT_FALSE(HookSkipped(listed.hooks[2]));   // trusted
  EXPECT_FALSE(HookSkipped(listed.hooks[3]));   // off: nothing to skip
  EXPECT_FALSE(HookSkipped(listed.hooks[4]));   // managed
  ASSERT_EQ(listed.errors.size(), 1u);
  EXPECT_EQ(listed.errors[0].path, "/p/hooks.json");
  EXPECT_EQ(listed.warnings, std::vector<std::string>{"merged two files"});
}

TEST(SkippedHooksTest, NamesEachEnabledHookCodexWillNotRun) {
  std::optional<SkippedHooks> skipped = SkippedHooksOf(Listed());
  ASSERT_TRUE(skipped.has_value());
  EXPECT_THAT(skipped->message, HasSubstr("Codex skips 2 hooks it was not told to trust"));
  EXPECT_THAT(skipped->message, HasSubstr("/hooks"));
  EXPECT_EQ(skipped->details,
            "preToolUse hook in /h/config.toml: not trusted\n"
            "stop hook in /h/config.toml: changed since it was trusted");
  // Not the command: every viewer of the session reads the warning.
  EXPECT_EQ(skipped->details.find("check.sh"), std::string::npos);
}

TEST(SkippedHooksTest, HookFilesCodexCouldNotLoadAreNamed) {
  json result = {{"data", {{{"hooks", json::array()},
                            {"errors", {{{"path", "/p/.codex/hooks.json"},
                                         {"message", "unknown field `$schema`"}}}}}}}};
  std::optional<SkippedHooks> skipped = SkippedHooksOf(result);
  ASSERT_TRUE(skipped.has_value());
  EXPECT_EQ(skipped->message, "Codex skips 1 hook file it could not load");
  EXPECT_EQ(skipped->details,
            "not loaded: /p/.codex/hooks.json: unknown field `$schema`");
}

TEST(SkippedHooksTest, NothingSkippedSaysNothing) {
  json result = Listed();
  for (json& hook : result["data"][0]["hooks"]) hook["trustStatus"] = "trusted";
  EXPECT_FALSE(SkippedHooksOf(result).has_value());
  EXPECT_FALSE(SkippedHooksOf(json::object()).has_value());
  EXPECT_FALSE(SkippedHooksOf({{"data", json::array()}}).has_value());
}

TEST(SkippedHooksTest, HostileShapesAreBounded) {
  // Mistyped members read as absent; no throw.
  EXPECT_FALSE(SkippedHooksOf(json::array({1, 2})).has_value());
  EXPECT_FALSE(SkippedHooksOf({{"data", {7, {{"hooks", "x"}}}}}).has_value());
  // Many hooks with long fields and invalid UTF-8: kept up to a bound,
  // each field cut and valid; the warning lists 20 and counts the rest.
  json hooks = json::array();
  for (int i = 0; i < 500; ++i) {
    hooks.push_back({{"eventName", "preToolUse"},
                     {"key", std::string(10'000, 'k')},
                     {"command", std::string(10'000, 'x') + "\xff"},
                     {"sourcePath", std::string(10'000, 'p') + "\xff"},
                     {"statusMessage", std::string(10'000, 's')},
                     {"trustStatus", "untrusted"}});
  }
  const json result = {{"data", {{{"hooks", hooks}}}}};
  const CodexHookList listed = HooksOf(result);
  ASSERT_EQ(listed.hooks.size(), kMaxListedHooks);
  const size_t mark = std::string("…").size();  // SafeText marks a cut
  EXPECT_EQ(listed.hooks[0].key.size(), kMaxHookPathBytes + mark);
  EXPECT_EQ(listed.hooks[0].command.size(), kMaxHookPathBytes + mark);
  EXPECT_EQ(listed.hooks[0].status_message.size(), kMaxHookTextBytes + mark);
  EXPECT_EQ(ToValidUtf8(listed.hooks[0].command), listed.hooks[0].command);
  std::optional<SkippedHooks> skipped = SkippedHooksOf(result);
  ASSERT_TRUE(skipped.has_value());
  EXPECT_THAT(skipped->message, HasSubstr("100 hooks"));
  EXPECT_LT(skipped->details.size(), 8'000u);
  EXPECT_THAT(skipped->details, HasSubstr("and 80 more"));
}

}  // namespace
}  // namespace codex_manager
