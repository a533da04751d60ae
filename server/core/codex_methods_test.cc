// Walks the checked-in schema of the pinned Codex: every server request and
// notification it lists has a rule in codex_methods.cc, every rule names a
// method it lists, and each rule says what the bridge really does.
#include "core/codex_methods.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "core/codex_protocol.h"
#include "nlohmann/json.hpp"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// The `method` of each variant of a ServerRequest/ServerNotification file.
std::set<std::string> MethodsIn(const std::string& file) {
  std::ifstream in(std::string(CODEX_SCHEMA_DIR) + "/" + file);
  EXPECT_TRUE(in) << "missing " << CODEX_SCHEMA_DIR << "/" << file
                  << " (scripts/update-codex-schema.sh writes it)";
  const json schema = json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::set<std::string> out;
  if (!schema.is_object() || !schema.contains("oneOf")) return out;
  for (const json& variant : schema["oneOf"]) {
    const json& method = variant["properties"]["method"]["enum"];
    if (method.is_array() && !method.empty()) {
      out.insert(method[0].get<std::string>());
    }
  }
  return out;
}

void ExpectSameMethods(const std::set<std::string>& schema,
                       const std::vector<MethodRule>& rules,
                       const char* what) {
  std::set<std::string> ruled;
  for (const MethodRule& r : rules) {
    EXPECT_TRUE(ruled.insert(r.method).second) << "two rules for " << r.method;
    EXPECT_TRUE(schema.contains(r.method))
        << r.method << " has a rule but the pinned Codex has no such " << what
        << " (a stale rule: remove it)";
  }
  for (const std::string& method : schema) {
    EXPECT_TRUE(ruled.contains(method))
        << "the pinned Codex has the " << what << " " << method
        << " and server/core/codex_methods.cc has no rule for it: decide";
  }
}

TEST(CodexMethodsTest, EveryServerRequestOfThePinnedCodexHasARule) {
  const std::set<std::string> schema = MethodsIn("ServerRequest.json");
  EXPECT_GE(schema.size(), 10u);
  ExpectSameMethods(schema, ServerRequestRules(), "server request");
}

TEST(CodexMethodsTest, EveryNotificationOfThePinnedCodexHasARule) {
  const std::set<std::string> schema = MethodsIn("ServerNotification.json");
  EXPECT_GE(schema.size(), 80u);
  ExpectSameMethods(schema, NotificationRules(), "notification");
}

TEST(CodexMethodsTest, ServerRequestRulesSayWhatTheBridgeDoes) {
  for (const MethodRule& r : ServerRequestRules()) {
    if (r.handling == MethodHandling::kApproval) {
      EXPECT_TRUE(ApprovalKindOf(r.method).has_value()) << r.method;
    } else {
      EXPECT_EQ(r.handling, MethodHandling::kRefused) << r.method;
      EXPECT_FALSE(ApprovalKindOf(r.method).has_value()) << r.method;
      EXPECT_NE(std::string(r.note), "") << r.method << ": say why";
    }
  }
}

TEST(CodexMethodsTest, NotificationRulesSayWhatTheBridgeDoes) {
  for (const MethodRule& r : NotificationRules()) {
    const EventType mapped =
        MapNotification(r.method, json::object()).type;
    switch (r.handling) {
      case MethodHandling::kTyped:
        EXPECT_NE(mapped, EventType::kRaw) << r.method;
        break;
      case MethodHandling::kRaw:
        EXPECT_EQ(mapped, EventType::kRaw) << r.method;
        EXPECT_NE(std::string(r.note), "") << r.method << ": say why";
        break;
      case MethodHandling::kConsumed:
        break;  // handled before mapping (session_manager.cc)
      default:
        ADD_FAILURE() << r.method << " is a notification";
    }
  }
}

TEST(CodexMethodsTest, UnknownMethodsHaveNoRule) {
  EXPECT_EQ(FindServerRequestRule("item/newThing/requestApproval"), nullptr);
  EXPECT_EQ(FindNotificationRule("thread/newThing"), nullptr);
  ASSERT_NE(FindServerRequestRule("item/tool/call"), nullptr);
  EXPECT_EQ(FindServerRequestRule("item/tool/call")->handling,
            MethodHandling::kRefused);
  EXPECT_EQ(FindNotificationRule("item/tool/call"), nullptr);
}

}  // namespace
}  // namespace codex_manager
