#include "runtime/json_rpc.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json_access.h"
#include "common/json_depth.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/utf8.h"

namespace codex_manager {

using json = nlohmann::json;

JsonRpcConnection::JsonRpcConnection(int read_fd, int write_fd, Handler handler,
                                     Options options)
    : read_fd_(read_fd),
      write_fd_(write_fd),
      handler_(std::move(handler)),
      options_(options) {}

absl::StatusOr<json> JsonRpcConnection::ParseMessage(absl::string_view line,
                                                     int max_depth) {
  if (JsonNestsDeeperThan(line, max_depth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("nested deeper than ", max_depth, " levels"));
  }
  json message;
  try {
    message = json::parse(line.begin(), line.end());
  } catch (const json::exception& e) {
    // The parser's message may quote the offending bytes.
    return absl::InvalidArgumentError(
        absl::StrCat("not JSON: ", SafeText(e.what(), 200)));
  }
  if (!message.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON-RPC object but a JSON ", message.type_name()));
  }
  return message;
}

JsonRpcConnection::~JsonRpcConnection() {
  Shutdown();
  if (reader_.joinable()) reader_.join();
  if (writer_.joinable()) writer_.join();
}

void JsonRpcConnection::Start() {
  reader_ = NamedThread("cm-rpc-read", [this] { ReaderLoop(); });
  writer_ = NamedThread("cm-rpc-write", [this] { WriterLoop(); });
}

void JsonRpcConnection::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

void JsonRpcConnection::JoinReader() {
  if (reader_.joinable()) reader_.join();
}

int64_t JsonRpcConnection::garbage_lines() {
  absl::MutexLock lock(&mu_);
  return garbage_;
}

void JsonRpcConnection::Enqueue(const json& message) {
  std::string line =
      message.dump(-1, ' ', false, json::error_handler_t::replace);
  line.push_back('\n');
  absl::MutexLock lock(&mu_);
  if (shutdown_) return;
  outgoing_.push_back(std::move(line));
}

void JsonRpcConnection::Call(const std::string& method, json params,
                             absl::Duration timeout, ResponseFn done) {
  int64_t id;
  {
    absl::MutexLock lock(&mu_);
    id = next_id_++;
    pending_[id] = Pending{std::move(done), absl::Now() + timeout};
  }
  Enqueue({{"jsonrpc", "2.0"},
           {"id", id},
           {"method", method},
           {"params", std::move(params)}});
}

void JsonRpcConnection::Notify(const std::string& method, json params) {
  json message = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  Enqueue(message);
}

void JsonRpcConnection::Respond(const json& id, json result) {
  Enqueue({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void JsonRpcConnection::RespondError(const json& id, int code,
                                     const std::string& message) {
  Enqueue({{"jsonrpc", "2.0"},
           {"id", id},
           {"error", {{"code", code}, {"message", message}}}});
}

void JsonRpcConnection::WriterLoop() {
  for (;;) {
    std::string line;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !outgoing_.empty() || shutdown_;
      };
      mu_.Await(absl::Condition(&ready));
      if (outgoing_.empty()) return;
      line = std::move(outgoing_.front());
      outgoing_.pop_front();
    }
    size_t off = 0;
    while (off < line.size()) {
      ssize_t n = write(write_fd_, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        // The peer is gone; the reader will see EOF and report it.
        absl::MutexLock lock(&mu_);
        outgoing_.clear();
        shutdown_ = true;
        return;
      }
      off += static_cast<size_t>(n);
    }
  }
}

void JsonRpcConnection::ReaderLoop() {
  std::string buffer;
  std::vector<char> chunk(64 * 1024);
  bool dropping = false;  // inside an over-long line
  std::string reason = "end of output";
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (shutdown_ && outgoing_.empty() && pending_.empty()) {
        reason = "connection shut down";
        break;
      }
    }
    ExpireDeadlines();
    pollfd pfd{read_fd_, POLLIN, 0};
    int ready = poll(&pfd, 1, 100);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      reason = absl::StrCat("poll: ", strerror(errno));
      break;
    }
    if (ready == 0) continue;
    ssize_t n = read(read_fd_, chunk.data(), chunk.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      reason = absl::StrCat("read: ", strerror(errno));
      break;
    }
    if (n == 0) break;  // EOF
    size_t start = 0;
    for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
      if (chunk[i] != '\n') continue;
      if (dropping) {
        dropping = false;
      } else {
        buffer.append(chunk.data() + start, i - start);
        HandleLine(buffer);
      }
      buffer.clear();
      start = i + 1;
    }
    if (!dropping) buffer.append(chunk.data() + start, n - start);
    if (buffer.size() > options_.max_line_bytes) {
      buffer.clear();
      dropping = true;
      BadLine(absl::StrCat("line longer than ", options_.max_line_bytes,
                           " bytes (--max-runtime-line-bytes)"));
    }
  }
  FailAll(absl::UnavailableError(absl::StrCat("runtime closed: ", reason)));
  if (handler_.on_closed) handler_.on_closed(reason);
}

void JsonRpcConnection::BadLine(const std::string& problem) {
  int64_t count;
  {
    absl::MutexLock lock(&mu_);
    count = ++garbage_;
  }
  ++bad_in_a_row_;
  if (count <= 10 || count % 1000 == 0) {
    Log(LogLevel::kWarning, "runtime wrote a bad line",
        {{"problem", problem}, {"count", count}});
  }
  if (!handler_.on_bad_line) return;
  try {
    handler_.on_bad_line(problem, bad_in_a_row_);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "bad-line handler failed",
        {{"error", SafeText(e.what(), 300)}});
  }
}

void JsonRpcConnection::HandleLine(absl::string_view line) {
  if (line.find_first_not_of(" \t\r") == absl::string_view::npos) return;
  absl::StatusOr<json> message = ParseMessage(line, options_.max_depth);
  if (!message.ok()) return BadLine(std::string(message.status().message()));
  // The handlers type-check what they read (common/json_access.h); this
  // catch is the backstop that keeps one line from ending the reader.
  try {
    Dispatch(*std::move(message));
  } catch (const std::exception& e) {
    return BadLine(
        absl::StrCat("message could not be handled: ", SafeText(e.what(), 200)));
  }
}

void JsonRpcConnection::Dispatch(json message) {
  const json& method = Member(message, "method");
  const json& id = Member(message, "id");
  // Codex omits "params" for some notifications; an explicit null (or any
  // other type) is passed on for the handlers to type-check.
  static const json* const kNoParams = new json(json::object());
  const json& params =
      message.contains("params") ? message["params"] : *kNoParams;
  if (method.is_string()) {
    bad_in_a_row_ = 0;
    const std::string& name = method.get_ref<const std::string&>();
    if (!id.is_null()) {
      if (handler_.on_request) handler_.on_request(id, name, params);
    } else if (handler_.on_notification) {
      handler_.on_notification(name, params);
    }
    return;
  }
  if (!id.is_number_integer()) {
    return BadLine("neither a request, a notification nor a response");
  }
  bad_in_a_row_ = 0;
  ResponseFn done;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(id.get<int64_t>());
    if (it == pending_.end()) return;  // late answer to an expired call
    done = std::move(it->second.done);
    pending_.erase(it);
  }
  if (message.contains("error")) {
    const json& err = message["error"];
    std::string text = StringMember(err, "message");
    if (text.empty()) {
      text = SafeText(err.dump(-1, ' ', false, json::error_handler_t::replace),
                      300);
    }
    done(absl::UnknownError(text));
  } else {
    done(Member(message, "result"));
  }
}

void JsonRpcConnection::ExpireDeadlines() {
  std::vector<ResponseFn> expired;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second.done));
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (ResponseFn& done : expired) {
    done(absl::DeadlineExceededError("no answer before the deadline"));
  }
}

void JsonRpcConnection::FailAll(const absl::Status& status) {
  std::map<int64_t, Pending> pending;
  {
    absl::MutexLock lock(&mu_);
    pending.swap(pending_);
    shutdown_ = true;
  }
  for (auto& [id, p] : pending) p.done(status);
}

}  // namespace codex_manager
