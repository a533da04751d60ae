// Tells people when they are needed: when an approval waits, and when a
// turn ends, it POSTs a JSON payload to --webhook-url, signed as GitHub
// signs its webhooks (X-Codex-Manager-Signature-256: sha256=<hex
// HMAC-SHA256 of the body> with the key in --webhook-secret-file), and/or
// a push to an ntfy topic (--ntfy-url) so a phone buzzes. Each delivery is
// tried up to 5 times with exponential backoff (1 s, 2 s, 4 s, 8 s), each
// attempt given 10 s to connect and 10 s for the answer, and every attempt
// is logged, counted (codex_manager_notifications_total) and recorded in
// the store's notification_deliveries table (the newest 10,000 attempts are
// kept). Each target has its own queue and thread, in event order: a
// webhook receiver that hangs or is down delays no push.
//
// It follows the event log from the newest event at start: what happened
// while the server was down is not sent again (pending approvals are
// redelivered to clients by the stream instead).
#ifndef CODEX_MANAGER_SERVER_NOTIFY_NOTIFIER_H_
#define CODEX_MANAGER_SERVER_NOTIFY_NOTIFIER_H_

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/event_log.h"
#include "notify/http_post.h"

namespace codex_manager {

struct NotifierOptions {
  std::string webhook_url;     // empty: no webhook
  std::string webhook_secret;  // the HMAC key; empty: unsigned
  std::string ntfy_url;        // an ntfy topic URL; empty: no push
  std::string public_url;      // the UI's address, for links; may be empty
  // Which events: "approval" (an approval waits), "turn_end" (a turn
  // completed, failed or was interrupted).
  std::set<std::string> kinds = {"approval", "turn_end"};
  int max_attempts = 5;
  absl::Duration first_backoff = absl::Seconds(1);
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration answer_timeout = absl::Seconds(10);
};

// What one event tells: the webhook's JSON body and the push's text.
struct Notification {
  std::string kind;  // "approval.requested", "turn.completed", …
  int64_t event_id = 0;
  std::string session_id;
  std::string body;  // the webhook payload (JSON)
  std::string title, summary, link;
  bool urgent = false;
  // One per notification, the same on each target's attempts
  // (X-Codex-Manager-Delivery); set when it is queued.
  std::string delivery_id;
};

// The notification of `event`, or nullopt when it is not one to send.
std::optional<Notification> NotificationFor(const Event& event,
                                            const NotifierOptions& options);

// "sha256=" and the lowercase hex HMAC-SHA256 of `body` under `key`.
std::string WebhookSignature(const std::string& key, const std::string& body);

class Notifier {
 public:
  // INVALID_ARGUMENT naming the flag for a bad URL or event kind.
  static absl::StatusOr<std::unique_ptr<Notifier>> Start(
      EventLog* log, Store* store, NotifierOptions options);
  ~Notifier();  // stops; deliveries still queued are dropped (logged)

 private:
  // A webhook or an ntfy topic, with what waits to go to it.
  struct Target {
    std::string name;  // "webhook" or "ntfy"
    HttpUrl url;
    std::deque<std::shared_ptr<const Notification>> queue;
    std::thread thread;
  };

  Notifier(Store* store, NotifierOptions options);
  void Enqueue(std::vector<EventPtr> batch, bool more);
  void Run(Target* target);
  // Tries one target until it answers 2xx, the attempts run out or the
  // notifier stops.
  void Deliver(const Notification& n, const Target& target,
               const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& body);

  Store* const store_;
  const NotifierOptions options_;
  std::shared_ptr<EventLog::Subscription> sub_;
  // Ends the attempts in flight when the notifier stops.
  HttpCanceller canceller_;
  absl::Mutex mu_;
  // Fixed once started; their queues are guarded by mu_.
  std::vector<std::unique_ptr<Target>> targets_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_NOTIFY_NOTIFIER_H_
