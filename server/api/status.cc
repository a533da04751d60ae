#include "api/status.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <string>

#include "absl/strings/cord.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using google::protobuf::internal::WireFormatLite;

constexpr char kRetryInfoType[] = "type.googleapis.com/google.rpc.RetryInfo";

}  // namespace

void SetRetryDelay(absl::Status& status, absl::Duration delay) {
  // google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
  google::protobuf::Duration d;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  d.set_seconds(nanos / 1000000000);
  d.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  std::string retry_info;
  {
    google::protobuf::io::StringOutputStream out(&retry_info);
    google::protobuf::io::CodedOutputStream coded(&out);
    WireFormatLite::WriteBytes(1, d.SerializeAsString(), &coded);
  }
  status.SetPayload(kRetryInfoType, absl::Cord(retry_info));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share the canonical numbering.
  const auto code = static_cast<grpc::StatusCode>(status.code());
  const std::string message =
      SafeText(status.message(), kMaxStatusMessageBytes);
  // google.rpc.Status { int32 code = 1; string message = 2;
  //                     repeated google.protobuf.Any details = 3; }
  std::string details;
  bool any = false;
  {
    google::protobuf::io::StringOutputStream out(&details);
    google::protobuf::io::CodedOutputStream coded(&out);
    WireFormatLite::WriteInt32(1, static_cast<int32_t>(status.code()), &coded);
    WireFormatLite::WriteString(2, message, &coded);
    status.ForEachPayload(
        [&](absl::string_view type_url, const absl::Cord& payload) {
          google::protobuf::Any detail;
          detail.set_type_url(std::string(type_url));
          detail.set_value(std::string(payload));
          WireFormatLite::WriteBytes(3, detail.SerializeAsString(), &coded);
          any = true;
        });
  }
  if (!any) return grpc::Status(code, message);
  return grpc::Status(code, message, details);
}

}  // namespace codex_manager
