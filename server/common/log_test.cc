#include "common/log.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/time.h"

namespace codex_manager {
namespace {

using nlohmann::json;

// 2026-12-01T02:43:55.913Z.
const absl::Time kNow = absl::FromUnixMillis(1796093035913);

json Parsed(const std::string& line) {
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  return json::parse(line);  // throws (fails the test) on invalid JSON or UTF-8
}

TEST(LogTest, JsonLineHasTsLevelMsgFirstThenTheFieldsInKeyOrder) {
  const std::string line =
      FormatLogLine(LogFormat::kJson, kNow, LogLevel::kInfo, "rpc",
                    {{"method", "/codex_manager.v1.SessionService/GetSession"},
                     {"code", 0},
                     {"ms", 0.25}});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-12-01T02:43:55.913Z\",\"level\":\"info\","
            "\"msg\":\"rpc\",\"code\":0,"
            "\"method\":\"/codex_manager.v1.SessionService/GetSession\","
            "\"ms\":0.25}");
  EXPECT_EQ(Parsed(line).size(), 6u);
}

TEST(LogTest, EveryValueRoundTrips) {
  const json fields = {
      {"negative", -42},
      {"big", std::numeric_limits<uint64_t>::max()},
      {"smallest", std::numeric_limits<int64_t>::min()},
      {"number", 1.5e-7},
      {"yes", true},
      {"none", nullptr},
      {"nested", {{"a", {1, "two", json::object()}}}},
      {"empty", ""},
      {"quoted", "say \"hi\"\\ \n\t\x01 \x7f"},
      {"accented", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80"}};
  for (const LogLevel level : {LogLevel::kDebug, LogLevel::kInfo,
                               LogLevel::kWarning, LogLevel::kError}) {
    json line = Parsed(FormatLogLine(LogFormat::kJson, kNow, level,
                                     "a \"message\"\n", fields));
    EXPECT_EQ(line["msg"], "a \"message\"\n");
    line.erase("ts");
    line.erase("level");
    line.erase("msg");
    EXPECT_EQ(line, fields);
  }
}

TEST(LogTest, InvalidUtf8BecomesReplacementCharacters) {
  const json line = Parsed(FormatLogLine(LogFormat::kJson, kNow,
                                         LogLevel::kWarning, "bad \xFF msg",
                                         {{"bad \xC3 key", "x\xC3(y"}}));
  EXPECT_EQ(line["msg"], "bad \xEF\xBF\xBD msg");
  EXPECT_EQ(line["bad \xEF\xBF\xBD key"], "x\xEF\xBF\xBD(y");
}

TEST(LogTest, FieldsNamedLikeTheLinesOwnAreLeftOut) {
  const json line = Parsed(FormatLogLine(
      LogFormat::kJson, kNow, LogLevel::kError, "real",
      {{"msg", "fake"}, {"level", "debug"}, {"ts", "then"}, {"kept", 1}}));
  EXPECT_EQ(line, json({{"ts", "2026-12-01T02:43:55.913Z"},
                        {"level", "error"},
                        {"msg", "real"},
                        {"kept", 1}}));
}

TEST(LogTest, NullOrNonObjectFieldsAddNothing) {
  for (const json& fields : {json(nullptr), json::array({1, 2}), json("x")}) {
    EXPECT_EQ(Parsed(FormatLogLine(LogFormat::kJson, kNow, LogLevel::kInfo,
                                   "m", fields))
                  .size(),
              3u);
  }
}

TEST(LogTest, TextLineIsLogfmtWithQuotedValuesWhereNeeded) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kNow, LogLevel::kWarning,
                          "runtime exited",
                          {{"session_id", "ses_1"},
                           {"code", 3},
                           {"message", "a b"},
                           {"eq", "k=v"},
                           {"empty", ""},
                           {"accented", "\xC3\xA9t\xC3\xA9"},
                           {"bad", "\xFF"},
                           {"list", {1, 2}}}),
            "2026-12-01T02:43:55.913Z WARNING \"runtime exited\" "
            "accented=\"\xC3\xA9t\xC3\xA9\" bad=\"\xEF\xBF\xBD\" code=3 "
            "empty=\"\" eq=\"k=v\" list=[1,2] message=\"a b\" "
            "session_id=ses_1");
}

}  // namespace
}  // namespace codex_manager
