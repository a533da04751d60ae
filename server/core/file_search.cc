#include "core/file_search.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// A non-negative integer, signed or not in the JSON; nullopt otherwise.
std::optional<uint64_t> Natural(const json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return std::nullopt;
}

size_t CodePoints(const std::string& utf8) {
  return std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

}  // namespace

absl::Status CheckFileSearch(const std::string& query, int max_results) {
  if (query.size() > kMaxFileQueryBytes || ToValidUtf8(query) != query) {
    return absl::InvalidArgumentError(
        absl::StrCat("query: at most ", kMaxFileQueryBytes, " bytes of UTF-8"));
  }
  if (max_results < 0 || max_results > kMaxFileMatches) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_results: 0 (", kDefaultFileMatches, ") to ",
                     kMaxFileMatches, ", not ", max_results));
  }
  return absl::OkStatus();
}

json FileSearchParams(const std::string& query, const std::string& root) {
  return {{"query", query}, {"roots", json::array({root})}};
}

std::vector<FileMatch> FileMatchesOf(const json& result, int max_results) {
  std::vector<FileMatch> out;
  const size_t limit = static_cast<size_t>(std::max(max_results, 0));
  for (const json& entry : ArrayMember(result, "files")) {
    if (out.size() >= limit) break;
    std::optional<std::string> path =
        WholeStringMember(entry, "path", kMaxFilePathBytes);
    if (!path) continue;
    FileMatch match;
    match.path = std::move(*path);
    match.file_name =
        WholeStringMember(entry, "file_name", kMaxFilePathBytes).value_or("");
    match.directory = StringMember(entry, "match_type") == "directory";
    if (std::optional<uint64_t> score = Natural(Member(entry, "score"));
        score && *score <= UINT32_MAX) {
      match.score = static_cast<uint32_t>(*score);
    }
    const size_t length = CodePoints(match.path);
    for (const json& index : ArrayMember(entry, "indices")) {
      if (match.indices.size() >= length) break;
      if (std::optional<uint64_t> at = Natural(index); at && *at < length) {
        match.indices.push_back(static_cast<uint32_t>(*at));
      }
    }
    // Ascending and each once, as the API says, whatever Codex sent.
    std::sort(match.indices.begin(), match.indices.end());
    match.indices.erase(std::unique(match.indices.begin(), match.indices.end()),
                        match.indices.end());
    out.push_back(std::move(match));
  }
  return out;
}

}  // namespace codex_manager
