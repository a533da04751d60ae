// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-21T04:23:55.913Z","level":"info","msg":"rpc",
//    "method":"/codex_manager.v1.SessionService/CreateSession", ...}
// or, with LogFormat::kText, the same as a logfmt line for people:
//   2026-11-21T04:23:55.913Z INFO rpc code=0
//     method=/codex_manager.v1.SessionService/CreateSession ...
// "ts", "level" and "msg" come first, then the fields in key order. In a
// text line, a value that is empty or holds a space, "=", a quote, a
// backslash, a control character or non-ASCII text is a quoted JSON
// string. Every line is valid UTF-8 (invalid bytes become U+FFFD).
//
// A line is written straight from its fields, with no JSON object built
// for it: the access log writes one per RPC, and building one cost the
// server about as much CPU as the GetSession's store read
// (docs/performance.md).
//
// Thread safety: safe from any thread; lines never interleave.
#ifndef CODEX_MANAGER_SERVER_COMMON_LOG_H_
#define CODEX_MANAGER_SERVER_COMMON_LOG_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below `level` are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);

enum class LogFormat { kJson, kText };
// Default: kJson.
void SetLogFormat(LogFormat format);

// Writes one line with "ts", "level" and "msg", plus every member of
// `fields` (which must be a JSON object or null; members named "ts",
// "level" or "msg" are left out, the line's own come first).
void Log(LogLevel level, absl::string_view msg,
         const nlohmann::json& fields = nullptr);

// The line Log writes at `now` (without its newline), in `format`.
std::string FormatLogLine(LogFormat format, absl::Time now, LogLevel level,
                          absl::string_view msg,
                          const nlohmann::json& fields);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_LOG_H_
