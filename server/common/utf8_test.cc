#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

#include "common/json_access.h"

namespace codex_manager {
namespace {

TEST(Utf8Test, ValidTextIsUnchanged) {
  const std::string text = "plain, \xC3\xA9t\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80";
  EXPECT_EQ(ToValidUtf8(text), text);
}

TEST(Utf8Test, EachMaximalIllFormedSubpartBecomesOneReplacement) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a" + r + "b");
  EXPECT_EQ(ToValidUtf8("\x80\x80"), r + r);                // stray continuations
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), r + r);                // overlong
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), r + r + r);        // a surrogate
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80"), r + r + r + r);  // > U+10FFFF
  EXPECT_EQ(ToValidUtf8("\xE2\x82" "x"), r + "x");          // cut short
  EXPECT_EQ(ToValidUtf8("\xF0\x9F\x98"), r);                // cut at the end
}

TEST(Utf8Test, TruncationNeverSplitsACharacter) {
  const std::string text = "a\xC3\xA9\xC3\xA9";  // a é é: 5 bytes
  EXPECT_EQ(TruncateUtf8(text, 5), text);
  EXPECT_EQ(TruncateUtf8(text, 4), "a\xC3\xA9");
  EXPECT_EQ(TruncateUtf8(text, 2), "a");
  EXPECT_EQ(TruncateUtf8(text, 0), "");
  EXPECT_EQ(SafeText("\xFF" + text, 4), "\xEF\xBF\xBD" "a\xE2\x80\xA6");
  EXPECT_EQ(SafeText("short", 10), "short");
}

TEST(JsonAccessTest, MistypedMembersReadAsEmpty) {
  const nlohmann::json j = {{"s", "x"}, {"n", 5}, {"b", true}, {"o", {{"k", 1}}},
                            {"f", 1e300}, {"big", 18446744073709551615u}};
  EXPECT_EQ(StringMember(j, "s"), "x");
  EXPECT_EQ(StringMember(j, "n"), "");
  EXPECT_EQ(StringMember(nullptr, "s"), "");
  EXPECT_EQ(IntMember(j, "n"), 5);
  EXPECT_EQ(IntMember(j, "f", -1), -1);
  EXPECT_EQ(IntMember(j, "big", -1), -1);
  EXPECT_TRUE(BoolMember(j, "b"));
  EXPECT_FALSE(BoolMember(j, "s"));
  EXPECT_TRUE(ObjectMember(j, "s").is_object());
  EXPECT_EQ(ObjectMember(j, "o")["k"], 1);
  EXPECT_TRUE(Member(nlohmann::json::array({1}), "s").is_null());
}

TEST(JsonAccessTest, WholeStringsAreKeptWholeOrNotAtAll) {
  const nlohmann::json j = {{"ok", "a/é.txt"},
                            {"empty", ""},
                            {"n", 5},
                            {"bad", "a\xFF"},
                            {"long", std::string(9, 'x')}};
  EXPECT_EQ(WholeStringMember(j, "ok", 8), "a/é.txt");
  EXPECT_EQ(WholeStringMember(j, "ok", 7), std::nullopt);  // 8 bytes
  for (const char* key : {"empty", "n", "bad", "missing"}) {
    EXPECT_EQ(WholeStringMember(j, key, 100), std::nullopt) << key;
  }
  EXPECT_EQ(WholeStringMember(j, "long", 8), std::nullopt);
  EXPECT_EQ(WholeStringMember(nullptr, "ok", 100), std::nullopt);
}

}  // namespace
}  // namespace codex_manager
