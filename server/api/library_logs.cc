#include "api/library_logs.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"

namespace codex_manager {
namespace {

thread_local std::string invalid_utf8_field;

// What protobuf's wire_format_lite.cc writes, in 3.21, for a proto3 string
// that is not UTF-8: "String field 'PKG.Message.field' contains invalid
// UTF-8 data when parsing a protocol buffer. Use the 'bytes' type …".
// The field's full name, or nullopt for any other message.
std::optional<std::string> ParsedInvalidUtf8Field(absl::string_view message) {
  constexpr absl::string_view kPrefix = "String field '";
  constexpr absl::string_view kRest =
      "' contains invalid UTF-8 data when parsing";
  if (!absl::ConsumePrefix(&message, kPrefix)) return std::nullopt;
  const size_t end = message.find(kRest);
  if (end == absl::string_view::npos || end == 0) return std::nullopt;
  return std::string(message.substr(0, end));
}

void OnProtobufLog(google::protobuf::LogLevel level, const char* filename,
                   int line, const std::string& message) {
  HandleProtobufMessage(static_cast<int>(level),
                        absl::StrCat(filename == nullptr ? "" : filename, ":",
                                     line),
                        message);
}

void OnGrpcLog(gpr_log_func_args* args) {
  const LogLevel level = args->severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kError
                         : args->severity == GPR_LOG_SEVERITY_INFO
                             ? LogLevel::kInfo
                             : LogLevel::kDebug;
  const std::string source =
      absl::StrCat(args->file == nullptr ? "" : args->file, ":", args->line);
  Log(level, "grpc",
      {{"message", args->message == nullptr ? "" : args->message},
       {"source", source}});
}

}  // namespace

void HandleProtobufMessage(int level, absl::string_view source,
                           absl::string_view message) {
  if (std::optional<std::string> field = ParsedInvalidUtf8Field(message)) {
    invalid_utf8_field = *std::move(field);
    return;
  }
  const LogLevel ours = level <= google::protobuf::LOGLEVEL_INFO ? LogLevel::kInfo
                        : level == google::protobuf::LOGLEVEL_WARNING
                            ? LogLevel::kWarning
                            : LogLevel::kError;
  Log(ours, "protobuf",
      {{"message", absl::StripTrailingAsciiWhitespace(message)},
       {"source", source}});
}

std::string TakeInvalidUtf8Field() { return std::exchange(invalid_utf8_field, {}); }

void RouteLibraryLogs() {
  google::protobuf::SetLogHandler(&OnProtobufLog);
  gpr_set_log_function(&OnGrpcLog);
}

}  // namespace codex_manager
