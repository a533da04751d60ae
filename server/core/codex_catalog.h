// CodexCatalog: requests to the server's Codex that belong to no session —
// its models (`model/list`), the account (`account/read`,
// `account/rateLimits/read`), the threads stored under CODEX_HOME
// (`thread/list`, `thread/read`), thread forks (`thread/fork`), the
// hooks of Codex's config (`hooks/list`, trusted with `config/batchWrite`)
// and its feature flags (`experimentalFeature/list`, set the same way).
//
// Each call runs in a one-off runtime of its own (RuntimeConfig.open_thread
// false): started for the call, stopped after it. So a call needs no live
// session and never queues behind or disturbs one, and a fork happens
// outside the source session's app-server (Codex allows one writer per
// loaded thread in an app-server: a fork loaded there could not be resumed
// by the new session's runtime).
//
// Thread safety: safe from any thread. `done` runs once, on a thread of the
// catalog, never on the caller's.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_CATALOG_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_CATALOG_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/codex_features.h"
#include "core/codex_hooks.h"
#include "core/fork_point.h"
#include "core/one_off_runtime.h"
#include "core/runtime.h"
#include "core/types.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// A service tier a model offers (Codex `ModelServiceTier`).
struct CodexServiceTier {
  std::string id;  // what a turn's `serviceTier` takes, e.g. "priority"
  std::string name;  // e.g. "Fast"
  std::string description;
};

// One model of `model/list`.
struct CodexModel {
  std::string model;
  std::string display_name;
  std::string description;
  bool is_default = false;
  bool hidden = false;
  std::vector<std::string> supported_efforts;
  std::string default_effort;
  std::vector<std::string> input_modalities;
  std::vector<CodexServiceTier> service_tiers;
  std::string default_service_tier;  // "" = standard
  // The model Codex's configuration names (`config/read` `model`), which
  // a thread that names none runs (Model.configured).
  bool configured = false;
};

// One entry of `modelProvider/list`.
struct CodexModelProvider {
  std::string id;
  std::string name;
  bool is_default = false;
};

// `account/read` with `account/rateLimits/read`.
struct CodexAccount {
  std::string type;  // "apiKey", "chatgpt", "" (not signed in)
  std::string email;
  std::string plan_type;
  bool requires_openai_auth = false;
  // `rateLimits` as Codex sent it (the shape of account/rateLimits/updated),
  // or unset with `rate_limits_error` saying why.
  std::optional<nlohmann::json> rate_limits;
  std::string rate_limits_error;
};

// One turn of a stored thread, ready to become a turn of ours.
struct HistoryTurn {
  std::string codex_turn_id;
  // COMPLETED, INTERRUPTED (also a turn left in progress) or FAILED.
  TurnState state = TurnState::kCompleted;
  // Its user message(s) text; the last agent message text.
  std::string prompt;
  std::string final_message;
  std::string error;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  // Codex's items, in order, each a JSON object with a string `type`.
  std::vector<nlohmann::json> items;
  // Items, but no prompt, review, person's shell command (`userShell`) or
  // compaction: a turn Codex started by itself, toward the thread's goal.
  // Codex's history has no field for it; this is how such turns look in
  // 0.171's `thread/read`.
  bool started_by_codex = false;
  // A code review (an enteredReviewMode item); its inner turns are not
  // history turns of their own.
  bool review = false;
};

// A thread of `thread/list`, `thread/read` or `thread/fork`.
struct CodexThread {
  std::string thread_id;
  std::string name;
  std::string preview;
  std::string cwd;
  std::string source;
  std::string model_provider;
  std::string model;
  std::string forked_from_thread_id;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
  // Read and fork only. A review's inner turns (whose rootTurnId names
  // the review's) are left out: their items are the review's. Other turns
  // naming a root are turns of their own (Codex's toward a goal name the
  // turn that set it).
  std::vector<HistoryTurn> history;
};

struct CodexThreadQuery {
  int limit = 25;
  std::string cursor;  // Codex's opaque cursor; empty: the first page
  std::string cwd;     // exact; empty: any
  std::string search;  // title substring; empty: any
};

struct CodexThreadPage {
  std::vector<CodexThread> threads;
  std::string next_cursor;  // empty on the last page
};

// Parsers of Codex answers (exposed for tests). Wrong types read as absent.
std::vector<CodexModel> ModelsOf(const nlohmann::json& model_list_result);
// The model the answer to `config/read` names for `model_provider` ("":
// the configuration's own): its `model` when the configuration's
// `model_provider` is that one; "" when it names none, or another
// provider's.
std::string ConfiguredModelOf(const nlohmann::json& config_read_result,
                              const std::string& model_provider);
// Its `defaultProviderId` marks the default.
std::vector<CodexModelProvider> ModelProvidersOf(
    const nlohmann::json& provider_list_result);
CodexThread ThreadOf(const nlohmann::json& thread);

struct CodexCatalogOptions {
  // Working directory of the one-off runtimes.
  std::string cwd = "/";
  // Most one-off runtimes at once (--max-codex-calls); one more call fails
  // RESOURCE_EXHAUSTED.
  int max_concurrent = 2;
};

class CodexCatalog {
 public:
  template <typename T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  CodexCatalog(RuntimeFactory* runtimes, CodexCatalogOptions options);
  // Waits for the calls in flight.
  ~CodexCatalog();
  CodexCatalog(const CodexCatalog&) = delete;
  CodexCatalog& operator=(const CodexCatalog&) = delete;

  // Every call fails UNAVAILABLE when Codex could not start or did not
  // answer, FAILED_PRECONDITION with Codex's message when it refused,
  // RESOURCE_EXHAUSTED at the limit.
  // `model_provider` empty: the configuration's default provider's.
  void ListModels(bool include_hidden, const std::string& model_provider,
                  Done<std::vector<CodexModel>> done);
  void ListModelProviders(Done<std::vector<CodexModelProvider>> done);
  // A failing rate-limit read is not an error: see CodexAccount.
  void GetAccount(Done<CodexAccount> done);
  // Threads of every source (cli, vscode, exec, appServer), most recently
  // updated first.
  void ListThreads(CodexThreadQuery query, Done<CodexThreadPage> done);
  // The thread with its history. NOT_FOUND naming the id when Codex has no
  // such thread.
  void ReadThread(const std::string& thread_id, Done<CodexThread> done);
  // A new thread copied from `thread_id`, with its history up to `point`
  // (Codex `thread/fork`), on `model_provider` ("" the configuration's
  // default: give the source's, which the fork cannot change later).
  // NOT_FOUND when Codex has no such thread, or no such turn in it.
  void ForkThread(const std::string& thread_id, const ForkPoint& point,
                  const std::string& model_provider, Done<CodexThread> done);
  // The hooks Codex's config defines for work in `cwd` (its user and
  // system layers, and the folder's `.codex/` when Codex trusts the
  // project; "" means the one-off runtime's folder), with their trust.
  void ListHooks(const std::string& cwd, Done<CodexHookList> done);
  // Any request that needs no thread (`fuzzyFileSearch`, `skills/list`):
  // Codex's result as it is, for the caller to read defensively.
  void Request(const std::string& method, nlohmann::json params,
               Done<nlohmann::json> done);
  // One hook to trust: its key and the hash the caller reviewed.
  struct HookTrust {
    std::string key;
    std::string current_hash;
  };
  // Trusts `hooks` as Codex's own /hooks review does: each reviewed hash
  // becomes `[hooks.state."<key>"] trusted_hash` in CODEX_HOME's
  // config.toml (`config/batchWrite`, upserted). Every hook is checked
  // against `hooks/list` for `cwd` first, and nothing is written unless
  // all pass: NOT_FOUND naming a key Codex does not list,
  // FAILED_PRECONDITION naming one whose definition changed since it was
  // reviewed (its hash is not `current_hash`). Done with the hooks as Codex
  // lists them afterwards.
  void TrustHooks(const std::string& cwd, std::vector<HookTrust> hooks,
                  Done<CodexHookList> done);
  // Codex's feature flags, every page of `experimentalFeature/list`, in
  // its order.
  void ListFeatures(Done<std::vector<CodexFeature>> done);
  struct FeatureChange {
    // The feature as Codex lists it after the write.
    CodexFeature feature;
    // Codex's message when a configuration layer above config.toml sets
    // the feature too (`overriddenMetadata`); else empty.
    std::string overridden;
  };
  // Sets `[features] name` in CODEX_HOME's config.toml to `enabled`, or
  // removes it (nullopt), with `config/batchWrite`, after checking it
  // against the listing (CheckFeatureChange: nothing is written unless it
  // passes). `name` must be IsFeatureName.
  void SetFeature(const std::string& name, std::optional<bool> enabled,
                  Done<FeatureChange> done);

 private:
  // Runs `job` on a thread of its own with a started one-off runtime, or
  // calls `failed` with why there is none.
  void Run(std::function<void(OneOffRuntime&)> job,
           std::function<void(absl::Status)> failed);
  // `method` (thread/read, thread/fork), whose answer carries a thread.
  void ThreadCall(const std::string& method, nlohmann::json params,
                  const std::string& thread_id, Done<CodexThread> done);

  // The calls in flight; shared with their threads, so the last of them
  // may unlock it while the catalog is being destroyed.
  struct InFlight {
    absl::Mutex mu;
    int running ABSL_GUARDED_BY(mu) = 0;
  };

  RuntimeFactory* const runtimes_;
  const CodexCatalogOptions options_;
  const std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_CATALOG_H_
