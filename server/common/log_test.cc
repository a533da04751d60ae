#include "common/log.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

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

TEST(LogTest, JsonLineHasTsLevelMsgFirstThenTheFieldsInTheirOrder) {
  const std::string line =
      FormatLogLine(LogFormat::kJson, kNow, LogLevel::kInfo, "rpc",
                    {{"method", "/codex_manager.v1.SessionService/GetSession"},
                     {"code", 0},
                     {"ms", 0.25}});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-12-01T02:43:55.913Z\",\"level\":\"info\","
            "\"msg\":\"rpc\","
            "\"method\":\"/codex_manager.v1.SessionService/GetSession\","
            "\"code\":0,\"ms\":0.25}");
  EXPECT_EQ(Parsed(line).size(), 6u);
}

TEST(LogTest, EveryValueRoundTrips) {
  const std::string text = "say \"hi\"\\ \n\t\x01 \x7f";
  const json nested = {{"a", {1, "two", json::object()}}};
  const json null;
  const json string_in_json = "in json";
  const std::vector<LogField> fields = {
      {"negative", -42},
      {"big", std::numeric_limits<uint64_t>::max()},
      {"smallest", std::numeric_limits<int64_t>::min()},
      {"size", size_t{7}},
      {"number", 1.5e-7},
      {"third", 1.0 / 3},
      {"yes", true},
      {"none", null},
      {"nested", nested},
      {"json_string", string_in_json},
      {"empty", ""},
      {"quoted", text},
      {"view", absl::string_view("a view")},
      {"accented", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80"}};
  const json expected = {{"negative", -42},
                         {"big", std::numeric_limits<uint64_t>::max()},
                         {"smallest", std::numeric_limits<int64_t>::min()},
                         {"size", 7},
                         {"number", 1.5e-7},
                         {"third", 1.0 / 3},
                         {"yes", true},
                         {"none", nullptr},
                         {"nested", nested},
                         {"json_string", "in json"},
                         {"empty", ""},
                         {"quoted", text},
                         {"view", "a view"},
                         {"accented", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80"}};
  for (const LogLevel level : {LogLevel::kDebug, LogLevel::kInfo,
                               LogLevel::kWarning, LogLevel::kError}) {
    json line = Parsed(FormatLogLine(LogFormat::kJson, kNow, level,
                                     "a \"message\"\n", fields));
    EXPECT_EQ(line["msg"], "a \"message\"\n");
    line.erase("ts");
    line.erase("level");
    line.erase("msg");
    EXPECT_EQ(line, expected);
  }
}

TEST(LogTest, DoublesAreShortestAndNonFiniteOnesNull) {
  const json line = Parsed(FormatLogLine(
      LogFormat::kJson, kNow, LogLevel::kInfo, "m",
      {{"ms", 0.1 + 0.2},
       {"huge", 1e300},
       {"inf", std::numeric_limits<double>::infinity()},
       {"nan", std::numeric_limits<double>::quiet_NaN()}}));
  EXPECT_EQ(line["ms"].get<double>(), 0.1 + 0.2);
  EXPECT_EQ(line["huge"].get<double>(), 1e300);
  EXPECT_TRUE(line["inf"].is_null());
  EXPECT_TRUE(line["nan"].is_null());
  EXPECT_NE(FormatLogLine(LogFormat::kJson, kNow, LogLevel::kInfo, "m",
                          {{"ms", 0.25}})
                .find("\"ms\":0.25}"),
            std::string::npos);
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

TEST(LogTest, NoFieldsWritesTsLevelAndMsg) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, kNow, LogLevel::kInfo, "m", {}),
            "{\"ts\":\"2026-12-01T02:43:55.913Z\",\"level\":\"info\","
            "\"msg\":\"m\"}");
}

TEST(LogTest, TimestampsKeepTheirMillisecondsAcrossSeconds) {
  // The part up to the seconds is kept between lines: each line must still
  // carry its own second and milliseconds.
  const std::vector<std::pair<absl::Time, std::string>> cases = {
      {absl::FromUnixMillis(1796093035913), "2026-12-01T02:43:55.913Z"},
      {absl::FromUnixMillis(1796093035007), "2026-12-01T02:43:55.007Z"},
      {absl::FromUnixMillis(1796093036000), "2026-12-01T02:43:56.000Z"},
      {absl::FromUnixMillis(1796093035999), "2026-12-01T02:43:55.999Z"},
      {absl::FromUnixMillis(1796093035999) + absl::Microseconds(900),
       "2026-12-01T02:43:55.999Z"},
      {absl::FromUnixMillis(0), "1970-01-01T00:00:00.000Z"}};
  for (const auto& [when, ts] : cases) {
    EXPECT_EQ(Parsed(FormatLogLine(LogFormat::kJson, when, LogLevel::kInfo,
                                   "m", {}))["ts"],
              ts);
    EXPECT_EQ(FormatLogLine(LogFormat::kText, when, LogLevel::kInfo, "m", {}),
              ts + " INFO m");
  }
}

TEST(LogTest, TextLineIsLogfmtWithQuotedValuesWhereNeeded) {
  const json list = {1, 2};
  EXPECT_EQ(FormatLogLine(LogFormat::kText, kNow, LogLevel::kWarning,
                          "runtime exited",
                          {{"session_id", "ses_1"},
                           {"code", 3},
                           {"message", "a b"},
                           {"eq", "k=v"},
                           {"empty", ""},
                           {"accented", "\xC3\xA9t\xC3\xA9"},
                           {"bad", "\xFF"},
                           {"list", list},
                           {"ok", false},
                           {"ms", 1.5}}),
            "2026-12-01T02:43:55.913Z WARNING \"runtime exited\" "
            "session_id=ses_1 code=3 message=\"a b\" eq=\"k=v\" empty=\"\" "
            "accented=\"\xC3\xA9t\xC3\xA9\" bad=\"\xEF\xBF\xBD\" "
            "list=[1,2] ok=false ms=1.5");
}

}  // namespace
}  // namespace codex_manager
