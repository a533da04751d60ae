#include "core/codex_catalog.h"

#include <map>
#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "core/table_runtime_for_test.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CodexCatalogParseTest, ModelsOfSkipsWhatIsNotAModel) {
  const json result = {
      {"data",
       {{{"id", "m1"}, {"model", "gpt-a"}, {"displayName", "A"},
         {"isDefault", true},
         {"supportedReasoningEfforts",
          {{{"reasoningEffort", "low"}}, {{"reasoningEffort", "high"}}}},
         {"defaultReasoningEffort", "low"},
         {"inputModalities", {"text", "image"}}},
        "not an object",
        {{"model", 7}},  // no usable name
        {{"id", "only-id"}, {"hidden", "yes"}}}}};
  std::vector<CodexModel> models = ModelsOf(result);
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].model, "gpt-a");
  EXPECT_TRUE(models[0].is_default);
  EXPECT_THAT(models[0].supported_efforts, ElementsAre("low", "high"));
  EXPECT_THAT(models[0].input_modalities, ElementsAre("text", "image"));
  EXPECT_EQ(models[1].model, "only-id");
  EXPECT_FALSE(models[1].hidden);  // a string is not a bool
  EXPECT_TRUE(ModelsOf(json("garbage")).empty());
}

TEST(CodexCatalogParseTest, ModelProvidersOfMarksTheDefault) {
  const json result = {
      {"data",
       {{{"id", "mock"}, {"name", "Mock"}, {"baseUrl", "http://h/v1"}},
        {{"id", "openai"}, {"name", "OpenAI"}},
        {{"name", "no id"}},
        "not an object"}},
      {"defaultProviderId", "mock"}};
  std::vector<CodexModelProvider> providers = ModelProvidersOf(result);
  ASSERT_EQ(providers.size(), 2u);
  EXPECT_EQ(providers[0].id, "mock");
  EXPECT_EQ(providers[0].name, "Mock");
  EXPECT_TRUE(providers[0].is_default);
  EXPECT_EQ(providers[1].id, "openai");
  EXPECT_FALSE(providers[1].is_default);
  EXPECT_TRUE(ModelProvidersOf(json::array()).empty());
}

TEST(CodexCatalogParseTest, ThreadOfFoldsSubTurnsAndNamesPrompts) {
  const json thread = {
      {"id", "thr"}, {"cwd", "/p"}, {"source", "exec"}, {"createdAt", 1700000000},
      {"turns",
       {{{"id", "t1"}, {"status", "completed"},
         {"items",
          {{{"type", "userMessage"}, {"content", {{{"type", "text"}, {"text", "hi"}}}}},
           {{"type", "agentMessage"}, {"text", "hello"}},
           {{"no", "type"}}}}},
        {{"id", "t2"}, {"rootTurnId", "t2"}, {"status", "completed"},
         {"items", {{{"type", "enteredReviewMode"}, {"review", "typos"}},
                    {{"type", "exitedReviewMode"}, {"review", "none found"}}}}},
        {{"id", "t3"}, {"rootTurnId", "t2"}, {"status", "interrupted"}},
        {{"id", "t4"}, {"status", "inProgress"}, {"error", {{"message", "x"}}}},
        // Turns no prompt began: Codex's own toward a goal, a person's
        // shell command, a compaction.
        // (Codex names the turn where the agent set the goal as its root.)
        {{"id", "t5"}, {"rootTurnId", "t1"}, {"status", "completed"},
         {"items", {{{"type", "agentMessage"}, {"text", "Goal complete."}}}}},
        {{"id", "t6"}, {"status", "completed"},
         {"items", {{{"type", "commandExecution"}, {"source", "userShell"},
                     {"command", "/bin/bash -lc ls"}}}}},
        {{"id", "t7"}, {"status", "completed"},
         {"items", {{{"type", "contextCompaction"}}}}},
        "junk"}}};
  CodexThread t = ThreadOf(thread);
  EXPECT_EQ(t.thread_id, "thr");
  EXPECT_EQ(t.source, "exec");
  EXPECT_EQ(t.create_time, absl::FromUnixSeconds(1700000000));
  ASSERT_EQ(t.history.size(), 6u);  // t3 is t2's inner turn
  EXPECT_EQ(t.history[0].prompt, "hi");
  EXPECT_EQ(t.history[0].final_message, "hello");
  EXPECT_EQ(t.history[0].items.size(), 2u);  // the typeless one is dropped
  EXPECT_EQ(t.history[1].prompt, "Review: typos");
  EXPECT_EQ(t.history[2].state, TurnState::kInterrupted);
  EXPECT_EQ(t.history[2].error, "x");
  std::vector<bool> by_codex;
  for (const HistoryTurn& h : t.history) by_codex.push_back(h.started_by_codex);
  EXPECT_EQ(by_codex,
            (std::vector<bool>{false, false, false, true, false, false}));
}

TEST(CodexCatalogTest, ListModelsReadsEveryPageThenStopsItsRuntime) {
  TableFactory factory;
  factory.shared.answers["model/list"] = {
      json{{"data", {{{"model", "a"}}}}, {"nextCursor", "page2"}},
      json{{"data", {{{"model", "b"}}}}, {"nextCursor", nullptr}}};
  {
    CodexCatalog catalog(&factory, CodexCatalogOptions());
    auto models = Wait<std::vector<CodexModel>>(
        [&](auto done) { catalog.ListModels(true, "", done); });
    ASSERT_TRUE(models.ok()) << models.status();
    ASSERT_EQ(models->size(), 2u);
    EXPECT_EQ((*models)[1].model, "b");
    // The configuration could not say which model it names (config/read
    // failed): none is marked, the list stands.
    EXPECT_FALSE((*models)[0].configured || (*models)[1].configured);
  }  // waits for the runtime to stop
  absl::MutexLock lock(&factory.shared.mu);
  ASSERT_EQ(factory.shared.calls.size(), 3u);
  EXPECT_THAT(factory.shared.calls[1], HasSubstr("\"cursor\":\"page2\""));
  EXPECT_THAT(factory.shared.calls[0], HasSubstr("\"includeHidden\":true"));
  EXPECT_THAT(factory.shared.calls[2], HasSubstr("config/read"));
  EXPECT_EQ(factory.shared.stopped, 1);
}

TEST(CodexCatalogTest, TheModelTheConfigurationNamesIsMarked) {
  TableFactory factory;
  const json list = {{"data", {{{"model", "a"}, {"isDefault", true}},
                               {{"model", "b"}}}}};
  const json config = {
      {"config", {{"model", "b"}, {"model_provider", "mock"}}}};
  factory.shared.answers["model/list"] = {list, list, list};
  factory.shared.answers["config/read"] = {config, config, config};
  // Room for all three calls: each runtime stops after its answer came,
  // so one may still be stopping as the next call starts.
  CodexCatalogOptions options;
  options.max_concurrent = 3;
  CodexCatalog catalog(&factory, options);
  for (const char* provider : {"", "mock"}) {
    auto models = Wait<std::vector<CodexModel>>(
        [&](auto done) { catalog.ListModels(false, provider, done); });
    ASSERT_TRUE(models.ok()) << models.status();
    EXPECT_FALSE((*models)[0].configured) << provider;
    EXPECT_TRUE((*models)[1].configured) << provider;
  }
  // Another provider's list: the configuration's model is not its.
  auto other = Wait<std::vector<CodexModel>>(
      [&](auto done) { catalog.ListModels(false, "openai", done); });
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE((*other)[0].configured || (*other)[1].configured);
  EXPECT_EQ(ConfiguredModelOf(json{{"config", {{"model", nullptr}}}}, ""), "");
  EXPECT_EQ(ConfiguredModelOf(json::array(), ""), "");
}

TEST(CodexCatalogTest, ACodexThatCannotStartIsUnavailableWithItsReason) {
  TableFactory factory;
  factory.shared.fail_start = "codex binary not found";
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto account = Wait<CodexAccount>([&](auto done) { catalog.GetAccount(done); });
  EXPECT_EQ(account.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(account.status().message()),
              HasSubstr("codex binary not found"));
}

TEST(CodexCatalogTest, AnAccountWithoutRateLimitsSaysWhy) {
  TableFactory factory;
  factory.shared.answers["account/read"] = {
      json{{"account", {{"type", "chatgpt"}, {"email", "a@b.c"}, {"planType", "pro"}}},
           {"requiresOpenaiAuth", true}}};
  factory.shared.answers["account/rateLimits/read"] = {
      absl::FailedPreconditionError("authentication required")};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto account = Wait<CodexAccount>([&](auto done) { catalog.GetAccount(done); });
  ASSERT_TRUE(account.ok()) << account.status();
  EXPECT_EQ(account->email, "a@b.c");
  EXPECT_EQ(account->plan_type, "pro");
  EXPECT_TRUE(account->requires_openai_auth);
  EXPECT_FALSE(account->rate_limits.has_value());
  EXPECT_THAT(account->rate_limits_error, HasSubstr("authentication required"));
}

TEST(CodexCatalogTest, AnUnknownThreadIsNotFound) {
  TableFactory factory;
  factory.shared.answers["thread/read"] = {
      absl::FailedPreconditionError("Codex refused thread/read: thread not loaded: x")};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto thread = Wait<CodexThread>([&](auto done) { catalog.ReadThread("x", done); });
  EXPECT_EQ(thread.status().code(), absl::StatusCode::kNotFound);
}

TEST(CodexCatalogTest, AForkPointIsSentAsCodexsTurnIdAndAnUnknownOneIsNotFound) {
  TableFactory factory;
  json forked = {{"thread", {{"id", "t2"}, {"turns", json::array()}}}};
  factory.shared.answers["thread/fork"] = {
      forked, forked, forked,
      absl::FailedPreconditionError(
          "Codex refused thread/fork: turn not found: c9")};
  // Room for all four: a call's one-off runtime may still be stopping
  // when the next call starts.
  CodexCatalogOptions options;
  options.max_concurrent = 4;
  CodexCatalog catalog(&factory, options);
  ForkPoint whole, through, before;
  through.last_codex_turn_id = "c1";
  before.before_codex_turn_id = "c2";
  for (const ForkPoint& point : {whole, through, before}) {
    auto fork = Wait<CodexThread>(
        [&](auto done) { catalog.ForkThread("t1", point, "", done); });
    ASSERT_TRUE(fork.ok()) << fork.status();
    EXPECT_EQ(fork->thread_id, "t2");
  }
  auto unknown = Wait<CodexThread>(
      [&](auto done) { catalog.ForkThread("t1", through, "backup", done); });
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(unknown.status().message()),
              HasSubstr("codex thread t1: Codex refused thread/fork: turn not found"));
  absl::MutexLock lock(&factory.shared.mu);
  ASSERT_EQ(factory.shared.calls.size(), 4u);
  EXPECT_EQ(factory.shared.calls[0], R"(thread/fork {"threadId":"t1"})");
  EXPECT_EQ(factory.shared.calls[1],
            R"(thread/fork {"lastTurnId":"c1","threadId":"t1"})");
  EXPECT_EQ(factory.shared.calls[2],
            R"(thread/fork {"beforeTurnId":"c2","threadId":"t1"})");
  // The source's provider, which the fork's thread keeps.
  EXPECT_EQ(factory.shared.calls[3],
            R"(thread/fork {"lastTurnId":"c1","modelProvider":"backup",)"
            R"("threadId":"t1"})");
}

// Every source, and every model provider.
TEST(CodexCatalogTest, ThreadsAreListedFromEverySource) {
  TableFactory factory;
  factory.shared.answers["thread/list"] = {
      json{{"data", {{{"id", "t1"}, {"source", "exec"}}, {{"no", "id"}}}},
           {"nextCursor", "c2"}}};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  CodexThreadQuery query;
  query.cwd = "/p";
  auto page = Wait<CodexThreadPage>(
      [&](auto done) { catalog.ListThreads(query, done); });
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->threads.size(), 1u);
  EXPECT_EQ(page->next_cursor, "c2");
  absl::MutexLock lock(&factory.shared.mu);
  EXPECT_THAT(factory.shared.calls[0], HasSubstr("\"exec\""));
  EXPECT_THAT(factory.shared.calls[0], HasSubstr("\"cwd\":\"/p\""));
  EXPECT_THAT(factory.shared.calls[0], HasSubstr("\"modelProviders\":[]"));
}

// hooks/list's answer with one hook, trusted or not.
json OneHook(const std::string& hash, const std::string& trust) {
  return {{"data", {{{"cwd", "/p"},
                     {"hooks", {{{"key", "/h/config.toml:stop:0:0"},
                                 {"eventName", "stop"},
                                 {"currentHash", hash},
                                 {"trustStatus", trust}}}}}}}};
}

TEST(CodexCatalogTest, TrustingAHookWritesTheReviewedHashOnly) {
  TableFactory factory;
  factory.shared.answers["hooks/list"] = {OneHook("sha256:aa", "untrusted"),
                                          OneHook("sha256:aa", "trusted")};
  factory.shared.answers["config/batchWrite"] = {json{{"status", "ok"}}};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto after = Wait<CodexHookList>([&](auto done) {
    catalog.TrustHooks("/p", {{"/h/config.toml:stop:0:0", "sha256:aa"}}, done);
  });
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->hooks.size(), 1u);
  EXPECT_EQ(after->hooks[0].trust_status, "trusted");
  absl::MutexLock lock(&factory.shared.mu);
  ASSERT_EQ(factory.shared.calls.size(), 3u);
  EXPECT_EQ(factory.shared.calls[0], R"(hooks/list {"cwds":["/p"]})");
  EXPECT_EQ(factory.shared.calls[1],
            R"(config/batchWrite {"edits":[{"keyPath":"hooks.state",)"
            R"("mergeStrategy":"upsert","value":{"/h/config.toml:stop:0:0":)"
            R"({"trusted_hash":"sha256:aa"}}}]})");
}

TEST(CodexCatalogTest, AHookChangedSinceItWasReviewedOrUnknownIsNotTrusted) {
  TableFactory factory;
  factory.shared.answers["hooks/list"] = {OneHook("sha256:bb", "modified"),
                                          OneHook("sha256:bb", "modified")};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto changed = Wait<CodexHookList>([&](auto done) {
    catalog.TrustHooks("/p", {{"/h/config.toml:stop:0:0", "sha256:aa"}}, done);
  });
  EXPECT_EQ(changed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(changed.status().message(), HasSubstr("/h/config.toml:stop:0:0"));
  auto unknown = Wait<CodexHookList>([&](auto done) {
    catalog.TrustHooks("", {{"/h/other.toml:stop:0:0", "sha256:bb"}}, done);
  });
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("/h/other.toml:stop:0:0"));
  absl::MutexLock lock(&factory.shared.mu);
  for (const std::string& call : factory.shared.calls) {
    EXPECT_THAT(call, ::testing::StartsWith("hooks/list"));  // nothing written
  }
  EXPECT_EQ(factory.shared.calls.back(), R"(hooks/list {"cwds":[]})");
}

// experimentalFeature/list's answer: memories, on or off, and a removed
// feature.
json Features(bool memories) {
  return {{"data",
           {{{"name", "memories"},
             {"stage", "stable"},
             {"enabled", memories},
             {"defaultEnabled", false}},
            {{"name", "undo"}, {"stage", "removed"}, {"enabled", false}}}}};
}

TEST(CodexCatalogTest, FeaturesAreListedOverEveryPage) {
  TableFactory factory;
  factory.shared.answers["experimentalFeature/list"] = {
      json{{"data", {{{"name", "a"}, {"stage", "beta"}}}}, {"nextCursor", "1"}},
      json{{"data", {{{"name", "b"}, {"stage", "stable"}}}},
           {"nextCursor", nullptr}}};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto listed = Wait<std::vector<CodexFeature>>(
      [&](auto done) { catalog.ListFeatures(done); });
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].name, "b");
  absl::MutexLock lock(&factory.shared.mu);
  EXPECT_THAT(factory.shared.calls,
              ElementsAre("experimentalFeature/list {}",
                          R"(experimentalFeature/list {"cursor":"1"})"));
}

TEST(CodexCatalogTest, SettingAFeatureWritesItAndReportsItAsListedAfter) {
  TableFactory factory;
  factory.shared.answers["experimentalFeature/list"] = {Features(false),
                                                        Features(true)};
  factory.shared.answers["config/batchWrite"] = {
      json{{"status", "okOverridden"},
           {"overriddenMetadata",
            {{"message", "set by /etc/codex/managed_config.toml"},
             {"effectiveValue", false}}}}};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto change = Wait<CodexCatalog::FeatureChange>(
      [&](auto done) { catalog.SetFeature("memories", true, done); });
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->feature.name, "memories");
  EXPECT_TRUE(change->feature.enabled);
  EXPECT_EQ(change->overridden, "set by /etc/codex/managed_config.toml");
  absl::MutexLock lock(&factory.shared.mu);
  ASSERT_EQ(factory.shared.calls.size(), 3u);
  EXPECT_EQ(factory.shared.calls[1],
            R"(config/batchWrite {"edits":[{"keyPath":"features",)"
            R"("mergeStrategy":"upsert","value":{"memories":true}}]})");
}

TEST(CodexCatalogTest, AFeatureWrittenIsReportedEvenWhenTheListAfterFails) {
  TableFactory factory;
  factory.shared.answers["experimentalFeature/list"] = {
      Features(true), absl::UnavailableError("gone")};
  factory.shared.answers["config/batchWrite"] = {json{{"status", "ok"}}};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto change = Wait<CodexCatalog::FeatureChange>(
      [&](auto done) { catalog.SetFeature("memories", std::nullopt, done); });
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_FALSE(change->feature.enabled);  // its default
  EXPECT_EQ(change->overridden, "");
}

TEST(CodexCatalogTest, NothingIsWrittenForAFeatureCodexDoesNotTake) {
  TableFactory factory;
  factory.shared.answers["experimentalFeature/list"] = {Features(false),
                                                        Features(false)};
  CodexCatalog catalog(&factory, CodexCatalogOptions());
  auto unknown = Wait<CodexCatalog::FeatureChange>(
      [&](auto done) { catalog.SetFeature("nope", true, done); });
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  auto removed = Wait<CodexCatalog::FeatureChange>(
      [&](auto done) { catalog.SetFeature("undo", true, done); });
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::MutexLock lock(&factory.shared.mu);
  for (const std::string& call : factory.shared.calls) {
    EXPECT_THAT(call, ::testing::StartsWith("experimentalFeature/list"));
  }
}

TEST(CodexCatalogTest, OneCallOverTheLimitIsRefusedAtOnce) {
  TableFactory factory;
  absl::Notification release;
  factory.shared.hold = &release;
  factory.shared.answers["model/list"] = {json{{"data", json::array()}}};
  CodexCatalogOptions options;
  options.max_concurrent = 1;
  CodexCatalog catalog(&factory, options);
  absl::Notification first_done;
  catalog.ListModels(false, "", [&](absl::StatusOr<std::vector<CodexModel>> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    first_done.Notify();
  });
  auto second = Wait<std::vector<CodexModel>>(
      [&](auto done) { catalog.ListModels(false, "", done); });
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("--max-codex-calls"));
  release.Notify();
  first_done.WaitForNotification();
}

}  // namespace
}  // namespace codex_manager
