#include "common/log.h"

#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <variant>

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

// The shortest text that reads back as `value` (at most 24 characters);
// null for infinities and NaN, which JSON cannot hold.
void AppendDouble(std::string* out, double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (!std::isfinite(value) || ec != std::errc()) {
    out->append("null");
    return;
  }
  out->append(buffer, end);
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

// A field's value as JSON, or (text) as a logfmt value.
void AppendValue(std::string* out, const LogField::Value& value, bool text) {
  struct Visitor {
    std::string* out;
    bool text;
    void operator()(absl::string_view v) const {
      if (text) {
        AppendTextValue(out, v);
      } else {
        AppendJsonString(out, v);
      }
    }
    void operator()(int64_t v) const { absl::StrAppend(out, v); }
    void operator()(uint64_t v) const { absl::StrAppend(out, v); }
    void operator()(double v) const { AppendDouble(out, v); }
    void operator()(bool v) const { out->append(v ? "true" : "false"); }
    void operator()(const nlohmann::json* v) const {
      if (v->is_string()) return (*this)(v->get_ref<const std::string&>());
      if (text) {
        AppendTextValue(out, Dump(*v));
      } else {
        out->append(Dump(*v));
      }
    }
  };
  std::visit(Visitor{out, text}, value);
}

// "2026-11-21T04:23:55.913Z". The part up to the seconds is formatted once
// a second per thread.
void AppendTimestamp(std::string* out, absl::Time now) {
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached;  // "2026-11-21T04:23:55"
  const int64_t millis = absl::ToUnixMillis(now);
  const int64_t second = millis >= 0 ? millis / 1000 : (millis - 999) / 1000;
  if (second != cached_second) {
    cached = absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second),
                              absl::UTCTimeZone());
    cached_second = second;
  }
  const int64_t ms = millis - second * 1000;
  const char fraction[] = {'.', static_cast<char>('0' + ms / 100),
                           static_cast<char>('0' + ms / 10 % 10),
                           static_cast<char>('0' + ms % 10), 'Z'};
  out->append(cached);
  out->append(fraction, sizeof fraction);
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

void SetLogFormat(LogFormat format) { g_format = static_cast<int>(format); }

std::string FormatLogLine(LogFormat format, absl::Time now, LogLevel level,
                          absl::string_view msg,
                          absl::Span<const LogField> fields) {
  const bool text = format == LogFormat::kText;
  std::string out;
  out.reserve(256);
  if (text) {
    AppendTimestamp(&out, now);
    absl::StrAppend(&out, " ", NameOf(level).text, " ");
    AppendTextValue(&out, msg);
  } else {
    out.append("{\"ts\":\"");
    AppendTimestamp(&out, now);
    absl::StrAppend(&out, "\",\"level\":\"", NameOf(level).json,
                    "\",\"msg\":");
    AppendJsonString(&out, msg);
  }
  for (const LogField& field : fields) {
    const absl::string_view key = field.key();
    if (key == "ts" || key == "level" || key == "msg") continue;
    if (text) {
      out.push_back(' ');
      AppendTextValue(&out, key);
      out.push_back('=');
    } else {
      out.push_back(',');
      AppendJsonString(&out, key);
      out.push_back(':');
    }
    AppendValue(&out, field.value(), text);
  }
  if (!text) out.push_back('}');
  return out;
}

void Log(LogLevel level, absl::string_view msg,
         absl::Span<const LogField> fields) {
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
