#include "api/id_fields.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace codex_manager {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Deeper than any request of ours nests (a message that names itself could
// otherwise be walked as deep as the parser let it be).
constexpr int kMaxDepth = 8;

bool IsIdField(const FieldDescriptor& field) {
  const std::string& name = field.name();
  return name == "id" || absl::EndsWith(name, "_id") ||
         absl::EndsWith(name, "_ids");
}

absl::Status TooLong(const std::string& path, size_t size) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": at most ", kMaxIdBytes, " bytes, got ", size));
}

absl::Status Check(const Message& message, const std::string& prefix,
                   int depth) {
  if (depth > kMaxDepth) return absl::OkStatus();
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // only the set ones
  for (const FieldDescriptor* field : fields) {
    const std::string path = absl::StrCat(prefix, field->name());
    if (field->type() == FieldDescriptor::TYPE_STRING && IsIdField(*field)) {
      if (!field->is_repeated()) {
        std::string scratch;
        const std::string& value =
            reflection->GetStringReference(message, field, &scratch);
        if (value.size() > kMaxIdBytes) return TooLong(path, value.size());
        continue;
      }
      const int n = reflection->FieldSize(message, field);
      for (int i = 0; i < n; ++i) {
        std::string scratch;
        const std::string& value =
            reflection->GetRepeatedStringReference(message, field, i, &scratch);
        if (value.size() > kMaxIdBytes) {
          return TooLong(absl::StrCat(path, "[", i, "]"), value.size());
        }
      }
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_map()) {
      continue;
    }
    if (!field->is_repeated()) {
      absl::Status status = Check(reflection->GetMessage(message, field),
                                  absl::StrCat(path, "."), depth + 1);
      if (!status.ok()) return status;
      continue;
    }
    const int n = reflection->FieldSize(message, field);
    for (int i = 0; i < n; ++i) {
      absl::Status status =
          Check(reflection->GetRepeatedMessage(message, field, i),
                absl::StrCat(path, "[", i, "]."), depth + 1);
      if (!status.ok()) return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckIdFields(const Message& request) {
  return Check(request, "", 0);
}

}  // namespace codex_manager
