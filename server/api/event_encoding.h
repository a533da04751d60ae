// An event's API encodings, made once per event whatever the number of
// streams it goes to (SharedEvent::Encoded), and shared by all of them: its
// v1::Event, and that message's wire bytes (StreamEventBatches writes a
// batch as the concatenation of its events' bytes; no event is serialized
// per stream).
#ifndef CODEX_MANAGER_SERVER_API_EVENT_ENCODING_H_
#define CODEX_MANAGER_SERVER_API_EVENT_ENCODING_H_

#include <string>
#include <vector>

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

// The wire bytes of the v1::EventBatch whose events are `event_wires`
// (serialized v1::Events, in order): each as a length-delimited field 1,
// so parsing the result gives exactly those events.
std::string SerializeBatch(const std::vector<const std::string*>& event_wires);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_EVENT_ENCODING_H_
