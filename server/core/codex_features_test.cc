#include "core/codex_features.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

TEST(CodexFeaturesTest, AppendFeaturesKeepsNamedFeaturesAndReadsTypesSafely) {
  const json page = {
      {"data",
       {{{"name", "memories"},
         {"stage", "stable"},
         {"enabled", true},
         {"defaultEnabled", false},
         {"displayName", nullptr}},
        {{"name", "prevent_idle_sleep"},
         {"stage", "beta"},
         {"enabled", "yes"},  // not a boolean: off
         {"displayName", "Prevent sleep while running"},
         {"description", "Keep your computer awake."},
         {"announcement", ""}},
        {{"name", "has space"}, {"stage", "stable"}},
        {{"name", 7}},
        "not an object",
        {{"name", std::string(kMaxFeatureNameBytes + 1, 'a')}},
        {{"name", "guardianv2.thread_context"}, {"stage", "removed"}}}},
      {"nextCursor", nullptr}};
  std::vector<CodexFeature> features;
  AppendFeatures(page, features);
  ASSERT_EQ(features.size(), 3u);
  EXPECT_EQ(features[0].name, "memories");
  EXPECT_EQ(features[0].stage, "stable");
  EXPECT_TRUE(features[0].enabled);
  EXPECT_FALSE(features[0].default_enabled);
  EXPECT_EQ(features[0].display_name, "");
  EXPECT_FALSE(features[1].enabled);
  EXPECT_EQ(features[1].display_name, "Prevent sleep while running");
  EXPECT_EQ(features[1].description, "Keep your computer awake.");
  EXPECT_EQ(features[2].name, "guardianv2.thread_context");
  AppendFeatures(json("garbage"), features);
  EXPECT_EQ(features.size(), 3u);
}

TEST(CodexFeaturesTest, AppendFeaturesStopsAtTheLimitAndCutsText) {
  json data = json::array();
  for (size_t i = 0; i < kMaxListedFeatures + 5; ++i) {
    data.push_back({{"name", "f" + std::to_string(i)},
                    {"description", std::string(5000, 'x')}});
  }
  std::vector<CodexFeature> features;
  AppendFeatures({{"data", data}}, features);
  ASSERT_EQ(features.size(), kMaxListedFeatures);
  // Cut, marked with "…" (3 bytes).
  EXPECT_EQ(features[0].description.size(), kMaxFeatureTextBytes + 3);
  AppendFeatures({{"data", data}}, features);
  EXPECT_EQ(features.size(), kMaxListedFeatures);
}

TEST(CodexFeaturesTest, FeatureNames) {
  EXPECT_TRUE(IsFeatureName("multi_agent_v2"));
  EXPECT_TRUE(IsFeatureName("guardianv2.thread_context"));
  EXPECT_FALSE(IsFeatureName(""));
  EXPECT_FALSE(IsFeatureName("a\"b"));
  EXPECT_FALSE(IsFeatureName("a b"));
  EXPECT_FALSE(IsFeatureName("caf\xc3\xa9"));
  EXPECT_FALSE(IsFeatureName(std::string(kMaxFeatureNameBytes + 1, 'a')));
}

TEST(CodexFeaturesTest, EditsSetOneKeyOrRemoveIt) {
  EXPECT_EQ(FeatureEdit("memories", true).dump(),
            R"({"keyPath":"features","mergeStrategy":"upsert",)"
            R"("value":{"memories":true}})");
  EXPECT_EQ(FeatureEdit("memories", false).dump(),
            R"({"keyPath":"features","mergeStrategy":"upsert",)"
            R"("value":{"memories":false}})");
  EXPECT_EQ(FeatureEdit("guardianv2.thread_context", std::nullopt).dump(),
            R"({"keyPath":"features.\"guardianv2.thread_context\"",)"
            R"("mergeStrategy":"replace","value":null})");
}

TEST(CodexFeaturesTest, OnlyListedFeaturesChangeAndRemovedOnesOnlyReset) {
  std::vector<CodexFeature> features(2);
  features[0].name = "memories";
  features[0].stage = "stable";
  features[1].name = "undo";
  features[1].stage = "removed";
  EXPECT_TRUE(CheckFeatureChange(features, "memories", true).ok());
  EXPECT_TRUE(CheckFeatureChange(features, "memories", std::nullopt).ok());
  EXPECT_TRUE(CheckFeatureChange(features, "undo", std::nullopt).ok());
  absl::Status removed = CheckFeatureChange(features, "undo", false);
  EXPECT_EQ(removed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(removed.message(), HasSubstr("undo"));
  absl::Status unknown = CheckFeatureChange(features, "nope", true);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.message(), HasSubstr("codex feature nope"));
}

}  // namespace
}  // namespace codex_manager
