#include "notify/notifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/server_metrics.h"
#include "common/sub_agent_name.h"
#include "common/thread_name.h"
#include "common/utf8.h"
#include "common/visible_text.h"
#include "core/codex_protocol.h"

namespace codex_manager {
namespace {

// Bounded: a receiver that is down must not make the server hold every
// notification since.
constexpr size_t kMaxQueued = 1000;
// Attempts kept in notification_deliveries.
constexpr int kKeptDeliveries = 10000;

// The first line of `text` as a person must see it (common/visible_text.h:
// what would hide or reorder part of it, by name), at most `width` bytes;
// "..." marks a cut, or more lines after it (a command's second line is
// not left out unsaid).
std::string FirstLine(const std::string& text, size_t width) {
  const size_t end = text.find('\n');
  const bool more = end != std::string::npos &&
                    text.find_first_not_of(" \t\r\n", end) != std::string::npos;
  const absl::string_view first =
      absl::StripSuffix(absl::string_view(text).substr(0, end), "\r");
  const std::string line = Visible({first.data(), first.size()});
  if (line.size() <= width && !more) return line;
  return std::string(TruncateUtf8(line, width - 3)) + "...";
}

// What an approval asks, in a line: the command, or what a question, a
// form or a permissions request says (never an answer: there is none yet);
// a sub-agent's ask names it ("Sub-agent helper wants to run: …").
std::string ApprovalSummary(const Approval& a) {
  const std::string who =
      a.sub_agent_thread_id.empty()
          ? "Codex"
          : FirstLine(SubAgentLabel(a.sub_agent_path, a.sub_agent_thread_id),
                      100);
  switch (a.kind) {
    case ApprovalKind::kFileChange: {
      const std::vector<std::string> files = ChangedFilesOf(a);
      if (files.empty()) return who + " wants to change files";
      std::string out = who + " wants to change " + FirstLine(files[0], 200);
      if (files.size() > 1) {
        absl::StrAppend(&out, " (+", files.size() - 1, " more)");
      }
      return out;
    }
    case ApprovalKind::kCommandExecution:
      return who + " wants to run: " + FirstLine(a.command, 200);
    case ApprovalKind::kUserInput: {
      const std::vector<UserInputQuestion> questions = UserInputQuestionsOf(a);
      if (questions.empty()) break;
      const std::string& first = questions[0].question.empty()
                                     ? questions[0].header
                                     : questions[0].question;
      if (first.empty()) break;
      std::string out = who + " asks: " + FirstLine(first, 200);
      if (questions.size() > 1) {
        absl::StrAppend(&out, " (+", questions.size() - 1, " more)");
      }
      return out;
    }
    case ApprovalKind::kMcpElicitation: {
      const std::string server = ElicitationOf(a).server_name;
      return absl::StrCat(server.empty() ? "An MCP server" : server,
                          " asks: ", FirstLine(a.reason, 200));
    }
    case ApprovalKind::kPermissions: {
      // What it would be granted, else why it asks.
      const std::string what = absl::StrJoin(RequestedPermissionsOf(a), ", ");
      const std::string& said = what.empty() ? a.reason : what;
      return said.empty()
                 ? who + " asks for permissions"
                 : who + " asks for permissions: " + FirstLine(said, 200);
    }
    case ApprovalKind::kUnspecified:
      break;
  }
  return who + " asks you something (" + a.method + ")";
}

}  // namespace

std::string WebhookSignature(const std::string& key, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac,
       &size);
  static const char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 15];
  }
  return out;
}

std::optional<Notification> NotificationFor(const Event& e,
                                            const NotifierOptions& options) {
  Notification n;
  n.event_id = e.event_id;
  n.session_id = e.session_id;
  nlohmann::json payload = {{"event_id", e.event_id},
                            {"session_id", e.session_id},
                            {"turn_id", e.turn_id},
                            {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                                                      e.create_time,
                                                      absl::UTCTimeZone())}};
  if (e.type == EventType::kApprovalRequested &&
      options.kinds.contains("approval")) {
    const Approval a = ApprovalFromJson(Member(e.payload, "approval"));
    n.kind = "approval.requested";
    n.title = "Codex needs your approval";
    n.summary = ApprovalSummary(a);
    n.urgent = true;
    payload["approval_id"] = a.approval_id;
  } else if (e.type == EventType::kTurnStateChanged &&
             options.kinds.contains("turn_end")) {
    const TurnState state = static_cast<TurnState>(IntMember(e.payload, "state"));
    if (state == TurnState::kCompleted) {
      n.kind = "turn.completed";
      n.title = "Codex finished a turn";
      n.summary = "Turn completed: " + FirstLine(StringMember(e.payload, "final_message"), 200);
    } else if (state == TurnState::kFailed) {
      n.kind = "turn.failed";
      n.title = "A Codex turn failed";
      n.summary = "Turn failed: " + FirstLine(StringMember(e.payload, "error"), 200);
    } else if (state == TurnState::kInterrupted) {
      n.kind = "turn.interrupted";
      n.title = "A Codex turn was interrupted";
      n.summary = "Turn interrupted";
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (!options.public_url.empty()) {
    n.link = absl::StrCat(absl::StripSuffix(options.public_url, "/"), "/#/s/",
                          e.session_id);
    payload["url"] = n.link;
  }
  payload["event"] = n.kind;
  payload["summary"] = n.summary;
  n.body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return n;
}

absl::StatusOr<std::unique_ptr<Notifier>> Notifier::Start(
    EventLog* log, Store* store, NotifierOptions options) {
  for (const std::string& kind : options.kinds) {
    if (kind != "approval" && kind != "turn_end") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--webhook-events: \"", kind, "\" is not approval or turn_end"));
    }
  }
  std::vector<std::unique_ptr<Target>> targets;
  for (const auto& [name, url, flag] :
       {std::tuple{"webhook", options.webhook_url, "--webhook-url"},
        std::tuple{"ntfy", options.ntfy_url, "--ntfy-url"}}) {
    if (url.empty()) continue;
    absl::StatusOr<HttpUrl> parsed = ParseHttpUrl(url, flag);
    if (!parsed.ok()) return parsed.status();
    auto target = std::make_unique<Target>();
    target->name = name;
    target->url = *std::move(parsed);
    targets.push_back(std::move(target));
  }
  std::unique_ptr<Notifier> notifier(new Notifier(store, std::move(options)));
  notifier->targets_ = std::move(targets);
  EventLog::SubscribeOptions subscribe;
  subscribe.after_event_id = log->CommittedHead();
  Notifier* raw = notifier.get();
  notifier->sub_ = log->Subscribe(
      std::move(subscribe), [raw](std::vector<EventPtr> batch, EventLog::End end) {
        raw->Enqueue(std::move(batch), end == EventLog::End::kNone);
      });
  for (const std::unique_ptr<Target>& target : notifier->targets_) {
    Target* t = target.get();
    t->thread = NamedThread(absl::StrCat("cm-", t->name),
                            [raw, t] { raw->Run(t); });
  }
  notifier->sub_->Request();
  return notifier;
}

Notifier::Notifier(Store* store, NotifierOptions options)
    : store_(store), options_(std::move(options)) {}

Notifier::~Notifier() {
  if (sub_) sub_->Cancel();
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    for (const std::unique_ptr<Target>& t : targets_) {
      if (!t->queue.empty()) {
        Log(LogLevel::kWarning, "notifications dropped at shutdown",
            {{"target", t->name}, {"count", t->queue.size()}});
      }
    }
  }
  // An attempt in flight ends at once (a receiver that never answers must
  // not hold the server's exit).
  canceller_.Cancel();
  for (const std::unique_ptr<Target>& t : targets_) {
    if (t->thread.joinable()) t->thread.join();
  }
}

// Runs on the log's dispatcher thread: never blocks.
void Notifier::Enqueue(std::vector<EventPtr> batch, bool more) {
  {
    absl::MutexLock lock(&mu_);
    for (const EventPtr& e : batch) {
      std::optional<Notification> n = NotificationFor(e->event(), options_);
      if (!n) continue;
      n->delivery_id = NewId("dlv_");
      auto shared = std::make_shared<const Notification>(*std::move(n));
      for (const std::unique_ptr<Target>& t : targets_) {
        if (t->queue.size() >= kMaxQueued) {
          Log(LogLevel::kWarning,
              "notification queue full; dropped the oldest",
              {{"target", t->name}, {"event", t->queue.front()->kind}});
          t->queue.pop_front();
        }
        t->queue.push_back(shared);
      }
    }
  }
  if (more) sub_->Request();
}

void Notifier::Run(Target* target) {
  for (;;) {
    std::shared_ptr<const Notification> n;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !target->queue.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      n = std::move(target->queue.front());
      target->queue.pop_front();
    }
    if (target->name == "webhook") {
      std::vector<std::pair<std::string, std::string>> headers = {
          {"Content-Type", "application/json"},
          {"X-Codex-Manager-Event", n->kind},
          {"X-Codex-Manager-Delivery", n->delivery_id}};
      if (!options_.webhook_secret.empty()) {
        headers.emplace_back("X-Codex-Manager-Signature-256",
                             WebhookSignature(options_.webhook_secret, n->body));
      }
      Deliver(*n, *target, headers, n->body);
    } else {
      std::vector<std::pair<std::string, std::string>> headers = {
          {"Content-Type", "text/plain; charset=utf-8"},
          {"Title", n->title},
          {"Priority", n->urgent ? "high" : "default"},
          {"Tags", n->urgent ? "warning" : "robot"}};
      if (!n->link.empty()) headers.emplace_back("Click", n->link);
      Deliver(*n, *target, headers, n->summary);
    }
  }
}

void Notifier::Deliver(
    const Notification& n, const Target& target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body) {
  HttpPostOptions post;
  post.connect_timeout = options_.connect_timeout;
  post.answer_timeout = options_.answer_timeout;
  post.canceller = &canceller_;
  const HttpUrl& url = target.url;
  const std::string& delivery_id = n.delivery_id;
  absl::Duration backoff = options_.first_backoff;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    const absl::Time started = absl::Now();
    absl::StatusOr<int> status = HttpPost(url, headers, body, post);
    if (absl::IsCancelled(status.status())) return;  // stopping
    const bool ok = status.ok() && *status >= 200 && *status < 300;
    DeliveryRecord record;
    record.delivery_id = delivery_id;
    record.attempt = attempt;
    record.time = started;
    record.duration = absl::Now() - started;
    record.target = target.name;
    record.host = url.host;
    record.event = n.kind;
    record.event_id = n.event_id;
    record.session_id = n.session_id;
    if (status.ok()) {
      record.http_status = *status;
      if (!ok) record.error = absl::StrCat("HTTP ", *status);
    } else {
      record.error = std::string(status.status().message());
    }
    if (absl::Status saved = store_->AppendDelivery(record, kKeptDeliveries);
        !saved.ok()) {
      Log(LogLevel::kWarning, "notification attempt not recorded",
          {{"delivery", delivery_id}, {"error", saved.ToString()}});
    }
    std::vector<LogField> fields = {{"delivery", delivery_id},
                                    {"event", n.kind},
                                    {"target", target.name},
                                    {"attempt", attempt},
                                    {"host", url.host}};
    if (status.ok()) {
      fields.emplace_back("http_status", *status);
    } else {
      fields.emplace_back("error", status.status().message());
    }
    const bool last = attempt == options_.max_attempts;
    Log(ok ? LogLevel::kInfo : LogLevel::kWarning,
        ok ? "notification delivered"
           : (last ? "notification failed; giving up" : "notification failed; retrying"),
        fields);
    Metrics().notifications.With({target.name, ok ? "delivered" : "failed"}).Add();
    if (ok) return;
    absl::MutexLock lock(&mu_);
    if (last || mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff)) {
      return;
    }
    backoff *= 2;
  }
}

}  // namespace codex_manager
