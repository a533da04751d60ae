#include "common/log.h"

#include <atomic>
#include <cctype>
#include <cstdio>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace codex_manager {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kJson)};
absl::Mutex g_mu;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// A logfmt value: bare when it is a simple token, else a JSON string
// (quoted, escaped).
std::string TextValue(const nlohmann::json& value) {
  std::string text =
      value.is_string()
          ? value.get<std::string>()
          : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const bool bare = !text.empty() &&
                    text.find_first_of(" \t\n\r\"=\\") == std::string::npos;
  if (bare) return text;
  return nlohmann::json(text).dump(-1, ' ', false,
                                   nlohmann::json::error_handler_t::replace);
}

std::string TextLine(const nlohmann::json& line) {
  std::string out = line["ts"].get<std::string>();
  std::string level = line["level"].get<std::string>();
  for (char& c : level) c = static_cast<char>(std::toupper(c));
  out += " " + level + " " + TextValue(line["msg"]);
  for (auto it = line.begin(); it != line.end(); ++it) {
    if (it.key() == "ts" || it.key() == "level" || it.key() == "msg") continue;
    out += " " + it.key() + "=" + TextValue(it.value());
  }
  return out;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void SetLogFormat(LogFormat format) { g_format = static_cast<int>(format); }

void Log(LogLevel level, absl::string_view msg, const nlohmann::json& fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  nlohmann::json line = {
      {"ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                              absl::UTCTimeZone())},
      {"level", LevelName(level)},
      {"msg", msg},
  };
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      line[it.key()] = it.value();
    }
  }
  // Invalid UTF-8 from a child process must not throw.
  std::string text =
      g_format.load() == static_cast<int>(LogFormat::kText)
          ? TextLine(line)
          : line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  absl::MutexLock lock(&g_mu);
  std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
}

}  // namespace codex_manager
