// StreamService on the gRPC callback API (events.proto).
//
// Each StreamEvents or StreamEventBatches call is a ServerWriteReactor with
// one write in flight: it subscribes to the EventLog, writes the batch it
// is handed one event per message (StreamEvents) or up to 256 per message
// (StreamEventBatches; OnWriteDone starts the next), and asks the log for
// the next batch only when the last one is written — so a slow client is
// paced by its own connection and served from the store, never buffered
// without bound.
// Nothing blocks inside a reaction: the call's setup (admission, the
// cursor's checks against the store, the approvals to redeliver) runs on
// the handler pool (Guard::RunHandler), and a replay far behind the head
// waits for one of the log's catch-up turns (EventLog::Options::
// max_catch_up_streams) so live streams keep their share of gRPC's
// threads. Each open stream holds one of its caller's stream slots
// (--max-streams-per-principal) until it ends.
#ifndef CODEX_MANAGER_SERVER_API_STREAM_SERVICE_H_
#define CODEX_MANAGER_SERVER_API_STREAM_SERVICE_H_

#include "codex_manager/v1/events.grpc.pb.h"
#include "api/guard.h"
#include "core/event_log.h"
#include "core/session_manager.h"

namespace codex_manager {

// StreamEventBatches is a raw method (its messages are written as bytes:
// the concatenation of each event's shared encoding, api/event_encoding.h).
class StreamServiceImpl final
    : public v1::StreamService::WithRawCallbackMethod_StreamEventBatches<
          v1::StreamService::CallbackService> {
 public:
  StreamServiceImpl(SessionManager* manager, EventLog* log, Store* store,
                    Guard* guard)
      : manager_(manager), log_(log), store_(store), guard_(guard) {}

  grpc::ServerWriteReactor<v1::Event>* StreamEvents(
      grpc::CallbackServerContext* context,
      const v1::StreamEventsRequest* request) override;
  // Parses its StreamEventsRequest itself (INVALID_ARGUMENT "request" when
  // it does not parse), then serves it as StreamEvents would.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* StreamEventBatches(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;

 private:
  SessionManager* const manager_;
  EventLog* const log_;
  Store* const store_;
  Guard* const guard_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_API_STREAM_SERVICE_H_
