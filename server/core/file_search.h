// Searching a session's folder by name, as Codex's `@` file picker does:
// Codex `fuzzyFileSearch` (app-server 0.171) with the session's cwd as its
// one root. Codex walks the folder (skipping what .gitignore and the like
// exclude in a git repository) and ranks paths by a fuzzy match of the
// query; it needs no thread.
#ifndef CODEX_MANAGER_SERVER_CORE_FILE_SEARCH_H_
#define CODEX_MANAGER_SERVER_CORE_FILE_SEARCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// A query is at most this many bytes of UTF-8.
inline constexpr size_t kMaxFileQueryBytes = 256;
// A search returns at most this many matches; kDefaultFileMatches unless
// asked for fewer or more.
inline constexpr int kMaxFileMatches = 100;
inline constexpr int kDefaultFileMatches = 20;
// A path (or file name) longer than this many bytes is left out: it could
// not be typed back into a prompt whole.
inline constexpr size_t kMaxFilePathBytes = 4096;

// One match of `fuzzyFileSearch` (Codex `FuzzyFileSearchResult`).
struct FileMatch {
  std::string path;       // relative to the root, as Codex gives it
  std::string file_name;  // its last component
  bool directory = false;
  uint32_t score = 0;  // Codex's; higher is better
  // Code point offsets in `path` where the query's characters matched.
  std::vector<uint32_t> indices;

  bool operator==(const FileMatch&) const = default;
};

// INVALID_ARGUMENT naming `query` or `max_results` when out of bounds
// (above); else OK. `max_results` 0 means kDefaultFileMatches.
absl::Status CheckFileSearch(const std::string& query, int max_results);

// The params of `fuzzyFileSearch` for `query` under `root`.
nlohmann::json FileSearchParams(const std::string& query,
                                const std::string& root);

// The matches of a `fuzzyFileSearch` result, best first as Codex ranks
// them, at most `max_results`. Entries that are not objects, lack a string
// path, or have a path or file name that is not valid UTF-8 or is longer
// than kMaxFilePathBytes are left out; an index past the path, or a
// mistyped score, reads as absent (0); indices come out ascending, each
// once.
std::vector<FileMatch> FileMatchesOf(const nlohmann::json& result,
                                     int max_results);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_FILE_SEARCH_H_
