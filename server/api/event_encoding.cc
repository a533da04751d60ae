#include "api/event_encoding.h"

#include "api/convert.h"
#include <cstdint>

#include "google/protobuf/io/coded_stream.h"
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

void AppendBatchElement(const std::string& event_wire,
                        std::string* batch_wire) {
  using google::protobuf::io::CodedOutputStream;
  using google::protobuf::internal::WireFormatLite;
  static constexpr uint32_t kTag = WireFormatLite::MakeTag(
      v1::EventBatch::kEventsFieldNumber,
      WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  // The tag and the length: a varint each, at most 5 bytes each.
  uint8_t header[10];
  uint8_t* end = CodedOutputStream::WriteTagToArray(kTag, header);
  end = CodedOutputStream::WriteVarint32ToArray(
      static_cast<uint32_t>(event_wire.size()), end);
  batch_wire->append(reinterpret_cast<const char*>(header), end - header);
  batch_wire->append(event_wire);
}

}  // namespace codex_manager
