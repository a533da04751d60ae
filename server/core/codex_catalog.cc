#include "core/codex_catalog.h"

#include <memory>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/json_access.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/utf8.h"
#include "core/codex_protocol.h"
#include "core/one_off_runtime.h"
#include "core/request_validation.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// Most `model/list` pages read for one ListModels.
constexpr int kMaxModelPages = 20;
// Most `experimentalFeature/list` pages read for one listing (Codex 0.171
// answers all of them in one).
constexpr int kMaxFeaturePages = 20;
// Every source a person or a script makes threads from; `thread/list`
// without sourceKinds leaves out `codex exec` threads.
const char* const kThreadSources[] = {"cli", "vscode", "exec", "appServer"};

std::vector<std::string> Strings(const json& array, const char* key = nullptr) {
  std::vector<std::string> out;
  if (!array.is_array()) return out;
  for (const json& entry : array) {
    if (entry.is_string()) {
      out.push_back(SafeText(entry.get<std::string>(), 256));
    } else if (key != nullptr) {
      std::string value = StringMember(entry, key);
      if (!value.empty()) out.push_back(SafeText(value, 256));
    }
  }
  return out;
}

std::optional<absl::Time> SecondsMember(const json& obj, const char* key) {
  const int64_t s = IntMember(obj, key, -1);
  if (s <= 0 || s > 253402300799) return std::nullopt;
  return absl::FromUnixSeconds(s);
}

// The text of a userMessage item's text parts.
std::string UserText(const json& item) {
  std::string text;
  for (const json& part : ArrayMember(item, "content")) {
    if (StringMember(part, "type") != "text") continue;
    if (!text.empty()) text += "\n";
    text += StringMember(part, "text");
  }
  return text;
}

HistoryTurn HistoryTurnOf(const json& turn) {
  HistoryTurn h;
  h.codex_turn_id = StringMember(turn, "id");
  const std::string status = StringMember(turn, "status");
  h.state = status == "inProgress" ? TurnState::kInterrupted
                                   : TurnStateOfCodexStatus(status);
  h.error = StringMember(Member(turn, "error"), "message");
  h.start_time = SecondsMember(turn, "startedAt");
  h.end_time = SecondsMember(turn, "completedAt");
  bool begun_by_us = false;
  for (const json& item : ArrayMember(turn, "items")) {
    if (!item.is_object() || !Member(item, "type").is_string()) continue;
    const std::string type = StringMember(item, "type");
    if (type == "userMessage") {
      if (!h.prompt.empty()) h.prompt += "\n";
      h.prompt += UserText(item);
    } else if (type == "enteredReviewMode") {
      h.review = true;
      if (h.prompt.empty()) {
        h.prompt = absl::StrCat("Review: ", StringMember(item, "review"));
      }
    } else if (type == "agentMessage") {
      h.final_message = StringMember(item, "text");
    } else if (type == "contextCompaction" ||
               (type == "commandExecution" &&
                StringMember(item, "source") == "userShell")) {
      begun_by_us = true;  // CompactSession, RunShellCommand
    }
    h.items.push_back(item);
  }
  h.started_by_codex = h.prompt.empty() && !begun_by_us && !h.items.empty();
  return h;
}

absl::Status NotFoundIfMissing(const absl::Status& status,
                               const std::string& thread_id) {
  const std::string message(status.message());
  // A fork point Codex does not know (0.171: "turn not found: ID").
  if (absl::IsFailedPrecondition(status) &&
      absl::StrContains(message, "turn not found")) {
    return absl::NotFoundError(
        absl::StrCat("codex thread ", thread_id, ": ", message));
  }
  if (absl::IsFailedPrecondition(status) &&
      (absl::StrContains(message, "not found") ||
       absl::StrContains(message, "no rollout") ||
       absl::StrContains(message, "not loaded") ||
       absl::StrContains(message, "invalid thread id"))) {
    return absl::NotFoundError(
        absl::StrCat("codex thread ", thread_id, " not found: ", message));
  }
  return status;
}

}  // namespace

std::vector<CodexModel> ModelsOf(const json& result) {
  std::vector<CodexModel> models;
  for (const json& m : ArrayMember(result, "data")) {
    if (!m.is_object()) continue;
    CodexModel model;
    model.model = StringMember(m, "model");
    if (model.model.empty()) model.model = StringMember(m, "id");
    if (model.model.empty()) continue;
    model.display_name = StringMember(m, "displayName");
    model.description = StringMember(m, "description");
    model.is_default = BoolMember(m, "isDefault");
    model.hidden = BoolMember(m, "hidden");
    model.supported_efforts =
        Strings(Member(m, "supportedReasoningEfforts"), "reasoningEffort");
    model.default_effort = StringMember(m, "defaultReasoningEffort");
    model.input_modalities = Strings(Member(m, "inputModalities"));
    for (const json& t : ArrayMember(m, "serviceTiers")) {
      CodexServiceTier tier;
      // Kept only as a turn could ask for it again.
      tier.id = StringMember(t, "id");
      if (tier.id.empty() || !ValidateServiceTier(tier.id).ok() ||
          model.service_tiers.size() >= 16) {
        continue;
      }
      tier.name = SafeText(StringMember(t, "name"), 256);
      tier.description = SafeText(StringMember(t, "description"), 1024);
      model.service_tiers.push_back(std::move(tier));
    }
    model.default_service_tier = StringMember(m, "defaultServiceTier");
    if (!ValidateServiceTier(model.default_service_tier).ok()) {
      model.default_service_tier.clear();
    }
    models.push_back(std::move(model));
  }
  return models;
}

std::string ConfiguredModelOf(const json& result,
                              const std::string& model_provider) {
  const json& config = Member(result, "config");
  if (!model_provider.empty() &&
      StringMember(config, "model_provider") != model_provider) {
    return "";
  }
  return StringMember(config, "model");
}

std::vector<CodexModelProvider> ModelProvidersOf(const json& result) {
  std::vector<CodexModelProvider> providers;
  const std::string default_id = StringMember(result, "defaultProviderId");
  for (const json& p : ArrayMember(result, "data")) {
    CodexModelProvider provider;
    provider.id = SafeText(StringMember(p, "id"), 256);
    if (provider.id.empty()) continue;
    provider.name = SafeText(StringMember(p, "name"), 256);
    provider.is_default = provider.id == default_id;
    providers.push_back(std::move(provider));
  }
  return providers;
}

CodexThread ThreadOf(const json& thread) {
  CodexThread t;
  t.thread_id = StringMember(thread, "id");
  t.name = StringMember(thread, "name");
  t.preview = StringMember(thread, "preview");
  t.cwd = StringMember(thread, "cwd");
  t.source = StringMember(thread, "source");
  t.model_provider = StringMember(thread, "modelProvider");
  t.model = StringMember(thread, "model");
  t.forked_from_thread_id = StringMember(thread, "forkedFromId");
  t.create_time = SecondsMember(thread, "createdAt").value_or(absl::UnixEpoch());
  t.update_time = SecondsMember(thread, "updatedAt").value_or(t.create_time);
  // Reviews' ids: their inner turns are left out (their items are the
  // review's). Other turns naming a root are turns of their own: Codex 0.171
  // names the turn where the agent set a goal as the root of the turns it
  // then starts toward it, whose items the root does not have.
  std::set<std::string> reviews;
  for (const json& turn : ArrayMember(thread, "turns")) {
    if (!turn.is_object()) continue;
    const std::string id = StringMember(turn, "id");
    const std::string root = StringMember(turn, "rootTurnId");
    if (id.empty() || (!root.empty() && root != id && reviews.contains(root))) {
      continue;
    }
    HistoryTurn h = HistoryTurnOf(turn);
    if (h.review) reviews.insert(id);
    t.history.push_back(std::move(h));
  }
  return t;
}

CodexCatalog::CodexCatalog(RuntimeFactory* runtimes,
                           CodexCatalogOptions options)
    : runtimes_(runtimes), options_(std::move(options)) {}

CodexCatalog::~CodexCatalog() {
  InFlight& f = *in_flight_;
  absl::MutexLock lock(&f.mu);
  auto idle = [&f]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(f.mu) {
    return f.running == 0;
  };
  f.mu.Await(absl::Condition(&idle));
}

void CodexCatalog::Run(std::function<void(OneOffRuntime&)> job,
                       std::function<void(absl::Status)> failed) {
  {
    absl::MutexLock lock(&in_flight_->mu);
    if (in_flight_->running >= options_.max_concurrent) {
      failed(absl::ResourceExhaustedError(absl::StrCat(
          options_.max_concurrent,
          " Codex calls are running (--max-codex-calls); retry shortly")));
      return;
    }
    ++in_flight_->running;
  }
  // Its own thread: starting Codex takes a while, and the runtime forks
  // its child from a thread that must outlive it (PR_SET_PDEATHSIG).
  // `this` is used only until the count goes down: the destructor waits
  // for that.
  NamedThread("cm-catalog", [this, in_flight = in_flight_, job = std::move(job),
                             failed = std::move(failed)] {
    {
      OneOffRuntime one_off(runtimes_, options_.cwd);
      absl::Status started = one_off.Start();
      if (started.ok()) {
        job(one_off);
      } else {
        failed(std::move(started));
      }
    }  // the runtime stops here
    absl::MutexLock lock(&in_flight->mu);
    --in_flight->running;
  }).detach();
}

void CodexCatalog::ListModels(bool include_hidden,
                              const std::string& model_provider,
                              Done<std::vector<CodexModel>> done) {
  auto shared = std::make_shared<Done<std::vector<CodexModel>>>(std::move(done));
  Run(
      [include_hidden, model_provider, shared](OneOffRuntime& codex) {
        std::vector<CodexModel> models;
        std::string cursor;
        for (int page = 0; page < kMaxModelPages; ++page) {
          json params = {{"includeHidden", include_hidden}};
          if (!model_provider.empty()) params["modelProvider"] = model_provider;
          if (!cursor.empty()) params["cursor"] = cursor;
          absl::StatusOr<json> result = codex.Request("model/list", params);
          if (!result.ok()) return (*shared)(result.status());
          for (CodexModel& m : ModelsOf(*result))
            models.push_back(std::move(m));
          cursor = StringMember(*result, "nextCursor");
          if (cursor.empty()) break;
        }
        // Which of them a thread that names no model runs. Only `model`
        // and `model_provider` are read from the configuration (its
        // other keys may hold secrets); without it none is marked.
        absl::StatusOr<json> config =
            codex.Request("config/read", json::object());
        if (config.ok()) {
          const std::string configured =
              ConfiguredModelOf(*config, model_provider);
          for (CodexModel& m : models) {
            m.configured = !configured.empty() && m.model == configured;
          }
        }
        (*shared)(std::move(models));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::ListModelProviders(
    Done<std::vector<CodexModelProvider>> done) {
  auto shared = std::make_shared<Done<std::vector<CodexModelProvider>>>(
      std::move(done));
  Run(
      [shared](OneOffRuntime& codex) {
        absl::StatusOr<json> result =
            codex.Request("modelProvider/list", json::object());
        if (!result.ok()) return (*shared)(result.status());
        (*shared)(ModelProvidersOf(*result));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::GetAccount(Done<CodexAccount> done) {
  auto shared = std::make_shared<Done<CodexAccount>>(std::move(done));
  Run(
      [shared](OneOffRuntime& codex) {
        absl::StatusOr<json> read = codex.Request("account/read", json::object());
        if (!read.ok()) return (*shared)(read.status());
        CodexAccount account;
        const json& a = Member(*read, "account");
        account.type = StringMember(a, "type");
        account.email = StringMember(a, "email");
        account.plan_type = StringMember(a, "planType");
        account.requires_openai_auth = BoolMember(*read, "requiresOpenaiAuth");
        absl::StatusOr<json> limits =
            codex.Request("account/rateLimits/read", nullptr);
        if (limits.ok() && Member(*limits, "rateLimits").is_object()) {
          account.rate_limits = Member(*limits, "rateLimits");
        } else {
          account.rate_limits_error =
              limits.ok() ? "Codex sent no rate limits"
                          : SafeText(std::string(limits.status().message()),
                                     1024);
        }
        (*shared)(std::move(account));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::ListThreads(CodexThreadQuery query,
                               Done<CodexThreadPage> done) {
  auto shared = std::make_shared<Done<CodexThreadPage>>(std::move(done));
  Run(
      [query = std::move(query), shared](OneOffRuntime& codex) {
        // An empty `modelProviders` is every provider's threads: without
        // it Codex lists only its default provider's (seen with 0.171).
        json params = {{"limit", query.limit},
                       {"sourceKinds", json::array()},
                       {"modelProviders", json::array()},
                       {"sortKey", "updated_at"}};
        for (const char* source : kThreadSources) {
          params["sourceKinds"].push_back(source);
        }
        if (!query.cursor.empty()) params["cursor"] = query.cursor;
        if (!query.cwd.empty()) params["cwd"] = query.cwd;
        if (!query.search.empty()) params["searchTerm"] = query.search;
        absl::StatusOr<json> result = codex.Request("thread/list", params);
        if (!result.ok()) return (*shared)(result.status());
        CodexThreadPage page;
        for (const json& thread : ArrayMember(*result, "data")) {
          CodexThread t = ThreadOf(thread);
          if (!t.thread_id.empty()) page.threads.push_back(std::move(t));
        }
        page.next_cursor = StringMember(*result, "nextCursor");
        (*shared)(std::move(page));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

namespace {

json HooksListParams(const std::string& cwd) {
  json cwds = json::array();
  if (!cwd.empty()) cwds.push_back(cwd);
  return {{"cwds", std::move(cwds)}};
}

// Why `wanted` may not be trusted as `listed` has it, or OK.
absl::Status CheckTrust(const CodexHookList& listed,
                        const std::vector<CodexCatalog::HookTrust>& wanted) {
  for (const CodexCatalog::HookTrust& want : wanted) {
    const CodexHook* found = nullptr;
    for (const CodexHook& hook : listed.hooks) {
      if (hook.key == want.key) found = &hook;
    }
    if (found == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("hook ", want.key, ": Codex lists no such hook"));
    }
    if (found->current_hash != want.current_hash) {
      return absl::FailedPreconditionError(absl::StrCat(
          "hook ", want.key, ": its definition changed since it was listed (",
          found->current_hash, " now); list the hooks again and review it"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

void CodexCatalog::ListHooks(const std::string& cwd, Done<CodexHookList> done) {
  auto shared = std::make_shared<Done<CodexHookList>>(std::move(done));
  Run(
      [cwd, shared](OneOffRuntime& codex) {
        absl::StatusOr<json> result =
            codex.Request("hooks/list", HooksListParams(cwd));
        if (!result.ok()) return (*shared)(result.status());
        (*shared)(HooksOf(*result));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::Request(const std::string& method, json params,
                           Done<json> done) {
  auto shared = std::make_shared<Done<json>>(std::move(done));
  Run([method, params = std::move(params), shared](
          OneOffRuntime& codex) { (*shared)(codex.Request(method, params)); },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::TrustHooks(const std::string& cwd,
                              std::vector<HookTrust> hooks,
                              Done<CodexHookList> done) {
  auto shared = std::make_shared<Done<CodexHookList>>(std::move(done));
  Run(
      [cwd, hooks = std::move(hooks), shared](OneOffRuntime& codex) {
        absl::StatusOr<json> before =
            codex.Request("hooks/list", HooksListParams(cwd));
        if (!before.ok()) return (*shared)(before.status());
        if (absl::Status ok = CheckTrust(HooksOf(*before), hooks); !ok.ok()) {
          return (*shared)(std::move(ok));
        }
        json state = json::object();
        for (const HookTrust& hook : hooks) {
          state[hook.key] = {{"trusted_hash", hook.current_hash}};
        }
        json edit = {{"keyPath", "hooks.state"},
                     {"mergeStrategy", "upsert"},
                     {"value", std::move(state)}};
        absl::StatusOr<json> written = codex.Request(
            "config/batchWrite", {{"edits", json::array({std::move(edit)})}});
        if (!written.ok()) return (*shared)(written.status());
        absl::StatusOr<json> after =
            codex.Request("hooks/list", HooksListParams(cwd));
        if (!after.ok()) return (*shared)(after.status());
        (*shared)(HooksOf(*after));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

namespace {

// Every feature Codex lists, or why not.
absl::StatusOr<std::vector<CodexFeature>> AllFeatures(OneOffRuntime& codex) {
  std::vector<CodexFeature> features;
  std::string cursor;
  for (int page = 0; page < kMaxFeaturePages; ++page) {
    json params = json::object();
    if (!cursor.empty()) params["cursor"] = cursor;
    absl::StatusOr<json> result =
        codex.Request("experimentalFeature/list", params);
    if (!result.ok()) return result.status();
    AppendFeatures(*result, features);
    cursor = StringMember(*result, "nextCursor");
    if (cursor.empty()) break;
  }
  return features;
}

}  // namespace

void CodexCatalog::ListFeatures(Done<std::vector<CodexFeature>> done) {
  auto shared =
      std::make_shared<Done<std::vector<CodexFeature>>>(std::move(done));
  Run([shared](OneOffRuntime& codex) { (*shared)(AllFeatures(codex)); },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::SetFeature(const std::string& name,
                              std::optional<bool> enabled,
                              Done<FeatureChange> done) {
  auto shared = std::make_shared<Done<FeatureChange>>(std::move(done));
  Run(
      [name, enabled, shared](OneOffRuntime& codex) {
        absl::StatusOr<std::vector<CodexFeature>> before = AllFeatures(codex);
        if (!before.ok()) return (*shared)(before.status());
        if (absl::Status ok = CheckFeatureChange(*before, name, enabled);
            !ok.ok()) {
          return (*shared)(std::move(ok));
        }
        absl::StatusOr<json> written = codex.Request(
            "config/batchWrite",
            {{"edits", json::array({FeatureEdit(name, enabled)})}});
        if (!written.ok()) return (*shared)(written.status());
        // Written: what follows reports it, and cannot fail the call.
        absl::StatusOr<std::vector<CodexFeature>> after = AllFeatures(codex);
        FeatureChange change;
        if (const CodexFeature* listed =
                after.ok() ? FindFeature(*after, name) : nullptr;
            listed != nullptr) {
          change.feature = *listed;
        } else {
          change.feature = *FindFeature(*before, name);
          change.feature.enabled =
              enabled.value_or(change.feature.default_enabled);
        }
        change.overridden = SafeText(
            StringMember(Member(*written, "overriddenMetadata"), "message"),
            kMaxFeatureTextBytes);
        (*shared)(std::move(change));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

void CodexCatalog::ReadThread(const std::string& thread_id,
                              Done<CodexThread> done) {
  ThreadCall("thread/read", {{"threadId", thread_id}, {"includeTurns", true}},
             thread_id, std::move(done));
}

void CodexCatalog::ForkThread(const std::string& thread_id,
                              const ForkPoint& point,
                              const std::string& model_provider,
                              Done<CodexThread> done) {
  json params = {{"threadId", thread_id}};
  // Codex forks onto its configuration's default provider otherwise, and
  // a thread's provider cannot change on resume.
  if (!model_provider.empty()) params["modelProvider"] = model_provider;
  if (!point.last_codex_turn_id.empty()) {
    params["lastTurnId"] = point.last_codex_turn_id;
  }
  if (!point.before_codex_turn_id.empty()) {
    params["beforeTurnId"] = point.before_codex_turn_id;
  }
  ThreadCall("thread/fork", std::move(params), thread_id, std::move(done));
}

void CodexCatalog::ThreadCall(const std::string& method, json params,
                              const std::string& thread_id,
                              Done<CodexThread> done) {
  auto shared = std::make_shared<Done<CodexThread>>(std::move(done));
  Run(
      [method, params = std::move(params), thread_id,
       shared](OneOffRuntime& codex) {
        absl::StatusOr<json> result = codex.Request(method, params);
        if (!result.ok()) {
          return (*shared)(NotFoundIfMissing(result.status(), thread_id));
        }
        CodexThread t = ThreadOf(Member(*result, "thread"));
        if (t.thread_id.empty()) {
          return (*shared)(absl::UnavailableError(
              absl::StrCat("Codex answered ", method, " without a thread")));
        }
        (*shared)(std::move(t));
      },
      [shared](absl::Status status) { (*shared)(std::move(status)); });
}

}  // namespace codex_manager
