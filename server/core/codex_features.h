// Codex feature flags (app-server 0.171): the keys of the `[features]`
// table of Codex's config.toml (`experimentalFeature/list`), and the edit
// that sets one (`config/batchWrite`), as `codex features enable|disable`
// does on the machine.
#ifndef CODEX_MANAGER_SERVER_CORE_CODEX_FEATURES_H_
#define CODEX_MANAGER_SERVER_CORE_CODEX_FEATURES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// One feature of `experimentalFeature/list` (Codex's `ExperimentalFeature`).
// Text is valid UTF-8, the name whole (at most kMaxFeatureNameBytes), the
// rest cut at kMaxFeatureTextBytes (SafeText, which marks a cut with "…").
struct CodexFeature {
  std::string name;
  // "beta", "underDevelopment", "stable", "deprecated" or "removed".
  std::string stage;
  bool enabled = false;
  bool default_enabled = false;
  // Beta features only.
  std::string display_name;
  std::string description;
  std::string announcement;
};

inline constexpr size_t kMaxFeatureNameBytes = 128;
inline constexpr size_t kMaxFeatureTextBytes = 1024;
// What FeaturesOf keeps of all pages together (0.171 lists 224).
inline constexpr size_t kMaxListedFeatures = 1000;

// One page of `experimentalFeature/list` ({data: [...], nextCursor}),
// appended to `features` up to kMaxListedFeatures. An entry without a
// valid name (IsFeatureName) is left out; a mistyped member reads as
// absent.
void AppendFeatures(const nlohmann::json& page,
                    std::vector<CodexFeature>& features);

// 1..kMaxFeatureNameBytes of [A-Za-z0-9_.-]: what Codex's names are made
// of (one, "guardianv2.thread_context", has a dot).
bool IsFeatureName(const std::string& name);

// The `config/batchWrite` edit that sets `[features] name` to `enabled`,
// or removes it (nullopt: Codex's default). The name is quoted in the key
// path, so a dotted name stays one key.
nlohmann::json FeatureEdit(const std::string& name,
                           std::optional<bool> enabled);

// The feature named `name` in `features`, or null.
const CodexFeature* FindFeature(const std::vector<CodexFeature>& features,
                                const std::string& name);

// Why `name` may not be set to `enabled` as Codex lists `features`, or
// OK: NOT_FOUND naming a feature Codex does not list, FAILED_PRECONDITION
// turning on or off one it lists as removed.
absl::Status CheckFeatureChange(const std::vector<CodexFeature>& features,
                                const std::string& name,
                                std::optional<bool> enabled);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_CODEX_FEATURES_H_
