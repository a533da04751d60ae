#include "api/id_fields.h"

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

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

// `prefix` is the path of `message` ("" at the top, "target." below); the
// path of a field is built only for an error or a message to walk into.
absl::Status TooLong(absl::string_view prefix, const FieldDescriptor& field,
                     absl::string_view index, size_t size) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, field.name(), index,
                                                 ": at most ", kMaxIdBytes,
                                                 " bytes, got ", size));
}

absl::Status Check(const Message& message, const std::string& prefix,
                   int depth) {
  if (depth > kMaxDepth) return absl::OkStatus();
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);  // only the set ones
  for (const FieldDescriptor* field : fields) {
    const bool repeated = field->is_repeated();
    const int n = repeated ? reflection->FieldSize(message, field) : 1;
    if (field->type() == FieldDescriptor::TYPE_STRING && IsIdField(*field)) {
      for (int i = 0; i < n; ++i) {
        std::string scratch;
        const std::string& value =
            repeated ? reflection->GetRepeatedStringReference(message, field, i,
                                                              &scratch)
                     : reflection->GetStringReference(message, field, &scratch);
        if (value.size() > kMaxIdBytes) {
          return TooLong(prefix, *field,
                         repeated ? absl::StrCat("[", i, "]") : "",
                         value.size());
        }
      }
      continue;
    }
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE ||
        field->is_map()) {
      continue;
    }
    for (int i = 0; i < n; ++i) {
      const Message& inner =
          repeated ? reflection->GetRepeatedMessage(message, field, i)
                   : reflection->GetMessage(message, field);
      absl::Status status =
          Check(inner,
                absl::StrCat(prefix, field->name(),
                             repeated ? absl::StrCat("[", i, "]") : "", "."),
                depth + 1);
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
