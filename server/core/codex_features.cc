#include "core/codex_features.h"

#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "common/utf8.h"
#include "core/request_validation.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

std::string Text(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxFeatureTextBytes);
}

}  // namespace

bool IsFeatureName(const std::string& name) {
  return !name.empty() && IsCodexId(name, kMaxFeatureNameBytes);
}

void AppendFeatures(const json& page, std::vector<CodexFeature>& features) {
  for (const json& f : ArrayMember(page, "data")) {
    if (features.size() >= kMaxListedFeatures) return;
    CodexFeature feature;
    feature.name = StringMember(f, "name");
    if (!IsFeatureName(feature.name)) continue;
    feature.stage = Text(f, "stage");
    feature.enabled = BoolMember(f, "enabled");
    feature.default_enabled = BoolMember(f, "defaultEnabled");
    feature.display_name = Text(f, "displayName");
    feature.description = Text(f, "description");
    feature.announcement = Text(f, "announcement");
    features.push_back(std::move(feature));
  }
}

json FeatureEdit(const std::string& name, std::optional<bool> enabled) {
  // Seen with 0.171: an upsert of {name: value} into `features` adds or
  // replaces that one key; `null` is refused there, but replacing the
  // quoted key path with null removes the key (and is OK when it is
  // absent).
  if (enabled.has_value()) {
    return {{"keyPath", "features"},
            {"mergeStrategy", "upsert"},
            {"value", {{name, *enabled}}}};
  }
  return {{"keyPath", absl::StrCat("features.\"", name, "\"")},
          {"mergeStrategy", "replace"},
          {"value", nullptr}};
}

const CodexFeature* FindFeature(const std::vector<CodexFeature>& features,
                                const std::string& name) {
  for (const CodexFeature& f : features) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

absl::Status CheckFeatureChange(const std::vector<CodexFeature>& features,
                                const std::string& name,
                                std::optional<bool> enabled) {
  const CodexFeature* found = FindFeature(features, name);
  if (found == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("codex feature ", name,
                     ": Codex lists no such feature (see ListCodexFeatures)"));
  }
  if (found->stage == "removed" && enabled.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "codex feature ", name,
        ": Codex lists it as removed, so turning it on or off does nothing; "
        "only setting it back to the default (removing it from config.toml) "
        "is taken"));
  }
  return absl::OkStatus();
}

}  // namespace codex_manager
