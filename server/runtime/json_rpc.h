// JsonRpcConnection: JSON-RPC 2.0 messages as newline-delimited JSON over a
// pair of file descriptors — how `codex app-server` speaks on stdio (it
// omits the "jsonrpc" member; we accept either).
//
// A reader thread parses lines and dispatches them; a writer thread drains
// an outgoing queue, so sending never blocks the caller even when the peer
// stops reading. Requests we send carry a deadline; an unanswered one
// fails with DEADLINE_EXCEEDED.
//
// Every line is hostile until proven otherwise (ParseMessage): longer than
// Options::max_line_bytes, nested deeper than Options::max_depth, not JSON
// (including invalid UTF-8 in a string), or not a JSON-RPC object, it is
// skipped and reported to Handler::on_bad_line with the problem and how
// many bad lines came in a row. A handler that throws is caught and
// reported the same way; the reader thread never ends on a line.
//
// Thread safety: Call/Notify/Respond are safe from any thread. Handler
// callbacks run on the reader thread, one at a time.
#ifndef CODEX_MANAGER_SERVER_RUNTIME_JSON_RPC_H_
#define CODEX_MANAGER_SERVER_RUNTIME_JSON_RPC_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

class JsonRpcConnection {
 public:
  struct Handler {
    // A message with "method" and no "id".
    std::function<void(const std::string& method, const nlohmann::json& params)>
        on_notification;
    // A message with "method" and "id": answer with Respond/RespondError.
    std::function<void(const nlohmann::json& id, const std::string& method,
                       const nlohmann::json& params)>
        on_request;
    // The peer closed its output (EOF) or reading failed. Called once,
    // after every pending call has failed with UNAVAILABLE.
    std::function<void(const std::string& reason)> on_closed;
    // A line was skipped: `problem` says why (valid UTF-8, at most about
    // 300 bytes); `in_a_row` counts bad lines since the last good one.
    std::function<void(const std::string& problem, int64_t in_a_row)>
        on_bad_line;
  };
  struct Options {
    // Longest line accepted, in bytes; a longer one is skipped unread.
    size_t max_line_bytes = 64 << 20;
    // Deepest nesting of arrays and objects accepted.
    int max_depth = 128;
  };
  // The result of a call: the "result" member, or the error as a status
  // (the peer's "error" as UNKNOWN with its message, DEADLINE_EXCEEDED,
  // UNAVAILABLE when the connection closed).
  using ResponseFn = std::function<void(absl::StatusOr<nlohmann::json>)>;

  // Reads from `read_fd`, writes to `write_fd`; does not own them.
  JsonRpcConnection(int read_fd, int write_fd, Handler handler,
                    Options options);
  JsonRpcConnection(int read_fd, int write_fd, Handler handler)
      : JsonRpcConnection(read_fd, write_fd, std::move(handler), Options()) {}
  // Joins the threads (call Shutdown first if the peer may still be open).
  ~JsonRpcConnection();
  JsonRpcConnection(const JsonRpcConnection&) = delete;
  JsonRpcConnection& operator=(const JsonRpcConnection&) = delete;

  void Start();

  // Sends a request; `done` runs on the reader thread with the answer.
  void Call(const std::string& method, nlohmann::json params,
            absl::Duration timeout, ResponseFn done);
  void Notify(const std::string& method, nlohmann::json params);
  void Respond(const nlohmann::json& id, nlohmann::json result);
  void RespondError(const nlohmann::json& id, int code,
                    const std::string& message);

  // Stops writing (the writer thread ends after what is queued) and makes
  // the reader stop at its next poll. Idempotent.
  void Shutdown();
  // Waits for the reader thread to end (EOF, error or Shutdown).
  void JoinReader();

  // Lines skipped as bad (see on_bad_line).
  int64_t garbage_lines();

  // One line as a JSON object, or INVALID_ARGUMENT naming the problem
  // (too deep, not JSON, not an object). Never throws. The fuzz target
  // (runtime/json_rpc_fuzzer.cc) drives this and the Codex mapping.
  static absl::StatusOr<nlohmann::json> ParseMessage(absl::string_view line,
                                                     int max_depth);

 private:
  struct Pending {
    ResponseFn done;
    absl::Time deadline;
  };
  void ReaderLoop();
  void WriterLoop();
  void Enqueue(const nlohmann::json& message);
  void HandleLine(absl::string_view line);
  void Dispatch(nlohmann::json message);
  void BadLine(const std::string& problem);
  void ExpireDeadlines();
  void FailAll(const absl::Status& status);

  const int read_fd_;
  const int write_fd_;
  const Handler handler_;
  const Options options_;
  // Bad lines since the last good one (reader thread only).
  int64_t bad_in_a_row_ = 0;

  absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> outgoing_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  int64_t garbage_ ABSL_GUARDED_BY(mu_) = 0;

  std::thread reader_;
  std::thread writer_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_RUNTIME_JSON_RPC_H_
