#include "api/unparsed_request.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace codex_manager {
namespace {

// Whether a message of type `from` holds a `to`, itself or at any depth.
bool Holds(const google::protobuf::Descriptor* from,
           const google::protobuf::Descriptor* to) {
  std::vector<const google::protobuf::Descriptor*> pending = {from};
  absl::flat_hash_set<const google::protobuf::Descriptor*> seen = {from};
  while (!pending.empty()) {
    const google::protobuf::Descriptor* type = pending.back();
    pending.pop_back();
    if (type == to) return true;
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::Descriptor* held = type->field(i)->message_type();
      if (held != nullptr && seen.insert(held).second) pending.push_back(held);
    }
  }
  return false;
}

}  // namespace

absl::Status UnparsedRequestStatus(absl::string_view method,
                                   absl::string_view invalid_utf8_field) {
  const google::protobuf::DescriptorPool* pool =
      google::protobuf::DescriptorPool::generated_pool();
  // "/pkg.Service/Method" -> "pkg.Service.Method".
  std::string name(absl::StripPrefix(method, "/"));
  std::replace(name.begin(), name.end(), '/', '.');
  const google::protobuf::MethodDescriptor* rpc = pool->FindMethodByName(name);
  const google::protobuf::Descriptor* request =
      rpc == nullptr ? nullptr : rpc->input_type();
  if (request != nullptr && !invalid_utf8_field.empty()) {
    const google::protobuf::FieldDescriptor* field =
        pool->FindFieldByName(std::string(invalid_utf8_field));
    if (field != nullptr && Holds(request, field->containing_type())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field->name(), ": not valid UTF-8 (", field->full_name(),
          " is a Protobuf string, which must be UTF-8)"));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "request: not a valid ",
      request == nullptr ? "message" : request->full_name(),
      " (gRPC could not parse its Protobuf encoding)"));
}

}  // namespace codex_manager
