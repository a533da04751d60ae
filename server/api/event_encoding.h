// An event's API encodings, made once per event whatever the number of
// streams it goes to (SharedEvent::Encoded), and shared by all of them: its
// v1::Event, and that message's wire bytes (StreamEventBatches writes a
// batch as the concatenation of its events' bytes; no event is serialized
// per stream).
#ifndef CODEX_MANAGER_SERVER_API_EVENT_ENCODING_H_
#define CODEX_MANAGER_SERVER_API_EVENT_ENCODING_H_

#include <string>

#include "absl/base/call_once.h"
#include "codex_manager/v1/events.pb.h"
#include "core/event_log.h"

namespace codex_manager {

class EncodedEvent {
 public:
  const v1::Event& proto() const { return proto_; }
  // proto() serialized, made by the first caller.
  const std::string& wire() const;

 private:
  friend const EncodedEvent& EncodingOf(const SharedEvent& event);
  v1::Event proto_;
  mutable absl::once_flag wire_once_;
  mutable std::string wire_;
};

// `event`'s encodings (ToProto once, on the first call for the event).
const EncodedEvent& EncodingOf(const SharedEvent& event);

// Appends `event_wire` (a serialized v1::Event) to `batch_wire` as one more
// element of v1::EventBatch.events (a length-delimited field 1): appending
// each event of a batch in order to an empty string gives the batch's wire
// bytes, which parse as exactly those events.
void AppendBatchElement(const std::string& event_wire, std::string* batch_wire);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_EVENT_ENCODING_H_
