#include "api/event_encoding.h"

#include "api/convert.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

namespace codex_manager {

const std::string& EncodedEvent::wire() const {
  absl::call_once(wire_once_, [this] { proto_.SerializeToString(&wire_); });
  return wire_;
}

const EncodedEvent& EncodingOf(const SharedEvent& event) {
  return event.Encoded<EncodedEvent>(
      [](const Event& in, EncodedEvent* out) { ToProto(in, &out->proto_); });
}

std::string SerializeBatch(const std::vector<const std::string*>& event_wires) {
  using google::protobuf::internal::WireFormatLite;
  size_t size = 0;
  for (const std::string* wire : event_wires) size += wire->size() + 6;
  std::string batch;
  batch.reserve(size);
  {
    google::protobuf::io::StringOutputStream stream(&batch);
    google::protobuf::io::CodedOutputStream out(&stream);
    for (const std::string* wire : event_wires) {
      WireFormatLite::WriteBytes(v1::EventBatch::kEventsFieldNumber, *wire,
                                 &out);
    }
  }  // out, then stream, trim `batch` to what was written
  return batch;
}

}  // namespace codex_manager
