#include "common/log.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace codex_manager {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<int> g_format{static_cast<int>(LogFormat::kJson)};
absl::Mutex g_mu;

// A level as the JSON line ("info") and the text line ("INFO") name it.
struct LevelName {
  const char* json;
  const char* text;
};

LevelName NameOf(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return {"debug", "DEBUG"};
    case LogLevel::kInfo:
      return {"info", "INFO"};
    case LogLevel::kWarning:
      return {"warning", "WARNING"};
    case LogLevel::kError:
      return {"error", "ERROR"};
  }
  return {"info", "INFO"};
}

// Printable ASCII with no quote or backslash: text that goes between JSON
// quotes as it is. Ids, method names and status messages mostly are.
bool Plain(absl::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') return false;
  }
  return true;
}

std::string Dump(const nlohmann::json& value) {
  // Invalid UTF-8 (a child process's output) must not throw.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// `text` as a JSON string. Anything but plain text goes through
// nlohmann's serializer, which escapes it and replaces invalid UTF-8.
void AppendJsonString(std::string* out, absl::string_view text) {
  if (Plain(text)) {
    absl::StrAppend(out, "\"", text, "\"");
  } else {
    out->append(Dump(nlohmann::json(std::string(text))));
  }
}

void AppendJsonValue(std::string* out, const nlohmann::json& value) {
  if (value.is_string()) {
    AppendJsonString(out, value.get_ref<const std::string&>());
  } else if (value.is_number_unsigned()) {
    absl::StrAppend(out, value.get<uint64_t>());
  } else if (value.is_number_integer()) {
    absl::StrAppend(out, value.get<int64_t>());
  } else {
    out->append(Dump(value));
  }
}

// A logfmt value: bare when it is a simple token, else a JSON string
// (quoted, escaped).
void AppendTextValue(std::string* out, absl::string_view text) {
  const bool bare = !text.empty() && Plain(text) &&
                    text.find_first_of(" =") == absl::string_view::npos;
  if (bare) {
    out->append(text.data(), text.size());
  } else {
    AppendJsonString(out, text);
  }
}

void AppendTextJson(std::string* out, const nlohmann::json& value) {
  if (value.is_string()) {
    AppendTextValue(out, value.get_ref<const std::string&>());
  } else {
    AppendTextValue(out, Dump(value));
  }
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void SetLogFormat(LogFormat format) { g_format = static_cast<int>(format); }

std::string FormatLogLine(LogFormat format, absl::Time now, LogLevel level,
                          absl::string_view msg,
                          const nlohmann::json& fields) {
  const std::string ts =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone());
  const bool text = format == LogFormat::kText;
  std::string out;
  out.reserve(256);
  if (text) {
    absl::StrAppend(&out, ts, " ", NameOf(level).text, " ");
    AppendTextValue(&out, msg);
  } else {
    absl::StrAppend(&out, "{\"ts\":\"", ts, "\",\"level\":\"",
                    NameOf(level).json, "\",\"msg\":");
    AppendJsonString(&out, msg);
  }
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      const std::string& key = it.key();
      if (key == "ts" || key == "level" || key == "msg") continue;
      if (text) {
        out.push_back(' ');
        AppendTextValue(&out, key);
        out.push_back('=');
        AppendTextJson(&out, it.value());
      } else {
        out.push_back(',');
        AppendJsonString(&out, key);
        out.push_back(':');
        AppendJsonValue(&out, it.value());
      }
    }
  }
  if (!text) out.push_back('}');
  return out;
}

void Log(LogLevel level, absl::string_view msg, const nlohmann::json& fields) {
  if (static_cast<int>(level) < g_level.load()) return;
  std::string line =
      FormatLogLine(static_cast<LogFormat>(g_format.load()), absl::Now(),
                    level, msg, fields);
  line.push_back('\n');
  absl::MutexLock lock(&g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace codex_manager
