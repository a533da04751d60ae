#include "core/file_search.h"

#include <gtest/gtest.h>

#include <string>

namespace codex_manager {
namespace {

using json = nlohmann::json;

TEST(FileSearchTest, ReadsWhatCodexAnswers) {
  // As Codex 0.171 answered "sessman" under a folder holding the file.
  const json result = json::parse(R"({"files": [
      {"root": "/p", "path": "src/server/session_manager.cc",
       "match_type": "file", "file_name": "session_manager.cc",
       "score": 65711, "indices": [11, 12, 13, 14, 19, 20, 21]},
      {"root": "/p", "path": "src/server", "match_type": "directory",
       "file_name": "server", "score": 12, "indices": null}]})");
  const std::vector<FileMatch> matches = FileMatchesOf(result, 20);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0], (FileMatch{"src/server/session_manager.cc",
                                   "session_manager.cc",
                                   false,
                                   65711,
                                   {11, 12, 13, 14, 19, 20, 21}}));
  EXPECT_EQ(matches[1], (FileMatch{"src/server", "server", true, 12, {}}));
  EXPECT_EQ(FileMatchesOf(result, 1).size(), 1u);
  EXPECT_EQ(FileMatchesOf(json::parse(R"({"files": []})"), 20).size(), 0u);
}

TEST(FileSearchTest, LeavesOutWhatCannotNameAFile) {
  const std::string long_path(kMaxFilePathBytes + 1, 'a');
  const json result = {
      {"files",
       {42, json::object(), json{{"path", 7}}, json{{"path", ""}},
        json{{"path", "bad\xff"}}, json{{"path", long_path}},
        json{{"path", "é/ok.txt"},
             {"file_name", "bad\xfe"},
             {"score", -3},
             {"indices", {7, 0, 8, "1", -1, 1u << 31, 7}}}}}};
  const std::vector<FileMatch> matches = FileMatchesOf(result, 20);
  ASSERT_EQ(matches.size(), 1u);
  // "é/ok.txt" is 8 code points (9 bytes): 8 is past it.
  EXPECT_EQ(matches[0], (FileMatch{"é/ok.txt", "", false, 0, {0, 7}}));
  for (const json& not_a_result :
       {json(), json("files"), json{{"files", "x"}}, json::array()}) {
    EXPECT_TRUE(FileMatchesOf(not_a_result, 20).empty()) << not_a_result;
  }
}

TEST(FileSearchTest, BoundsTheQueryAndTheCount) {
  EXPECT_TRUE(CheckFileSearch("", 0).ok());
  EXPECT_TRUE(CheckFileSearch(std::string(kMaxFileQueryBytes, 'q'), 100).ok());
  for (const auto& [query, max] :
       {std::pair<std::string, int>{std::string(kMaxFileQueryBytes + 1, 'q'),
                                    0},
        {"bad\xff", 0},
        {"ok", -1},
        {"ok", kMaxFileMatches + 1}}) {
    absl::Status status = CheckFileSearch(query, max);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(max == 0 ? "query" : "max_results"),
              std::string::npos)
        << status;
  }
  EXPECT_EQ(FileSearchParams("x", "/p"),
            json::parse(R"({"query": "x", "roots": ["/p"]})"));
}

}  // namespace
}  // namespace codex_manager
