// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-21T04:23:55.913Z","level":"info","msg":"rpc",
//    "method":"/codex_manager.v1.SessionService/CreateSession", ...}
// or, with LogFormat::kText, the same as a logfmt line for people:
//   2026-11-21T04:23:55.913Z INFO rpc
//     method=/codex_manager.v1.SessionService/CreateSession code=0 ...
// "ts", "level" and "msg" come first, then the fields in the order the
// caller gave them. In a text line, a value that is empty or holds a
// space, "=", a quote, a backslash, a control character or non-ASCII text
// is a quoted JSON string. Every line is valid UTF-8 (invalid bytes become
// U+FFFD).
//
// A line is written straight from its fields, which are views of the
// caller's values: no JSON object is built for it. The access log writes
// one line per RPC, and building a JSON object for it cost the server
// about as much CPU as a GetSession's store read (docs/performance.md).
//
// Thread safety: safe from any thread; lines never interleave.
#ifndef CODEX_MANAGER_SERVER_COMMON_LOG_H_
#define CODEX_MANAGER_SERVER_COMMON_LOG_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below `level` are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);

enum class LogFormat { kJson, kText };
// Default: kJson.
void SetLogFormat(LogFormat format);

// One field of a log line: a key and a view of its value, which is text,
// an integer, a floating-point number (written as the shortest text that
// reads back the same; infinities and NaN as null), a boolean, or any JSON
// value. It refers to the caller's key and value, so it is built in the
// Log call's argument list (or kept no longer than they live).
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value)
      : key_(key), value_(value) {}
  LogField(absl::string_view key, const char* value)
      : key_(key), value_(absl::string_view(value)) {}
  LogField(absl::string_view key, const std::string& value)
      : key_(key), value_(absl::string_view(value)) {}
  template <typename Int,
            std::enable_if_t<std::is_integral_v<Int> &&
                                 !std::is_same_v<Int, bool>,
                             int> = 0>
  LogField(absl::string_view key, Int value) : key_(key) {
    if constexpr (std::is_signed_v<Int>) {
      value_ = static_cast<int64_t>(value);
    } else {
      value_ = static_cast<uint64_t>(value);
    }
  }
  LogField(absl::string_view key, double value) : key_(key), value_(value) {}
  LogField(absl::string_view key, bool value) : key_(key), value_(value) {}
  // Anything else nlohmann::json holds or converts from (objects, arrays,
  // null, enums).
  LogField(absl::string_view key, const nlohmann::json& value)
      : key_(key), value_(&value) {}

  using Value = std::variant<absl::string_view, int64_t, uint64_t, double,
                             bool, const nlohmann::json*>;
  absl::string_view key() const { return key_; }
  const Value& value() const { return value_; }

 private:
  absl::string_view key_;
  Value value_;
};

// Writes one line with "ts", "level" and "msg", then `fields` in their
// order (fields named "ts", "level" or "msg" are left out; keys should be
// unique).
void Log(LogLevel level, absl::string_view msg,
         absl::Span<const LogField> fields = {});

// The line Log writes at `now` (without its newline), in `format`.
std::string FormatLogLine(LogFormat format, absl::Time now, LogLevel level,
                          absl::string_view msg,
                          absl::Span<const LogField> fields);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_LOG_H_
