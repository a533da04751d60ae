// `codex features`: Codex's feature flags, and turning one on, off or back
// to its default (CodexService.ListCodexFeatures, SetCodexFeature), as
// `codex features list|enable|disable` do on the server's machine.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "call.h"
#include "commands.h"
#include "render.h"

namespace codex_manager::cli {
namespace {

// Codex's stage as its own `codex features list` words it.
std::string StageWords(const std::string& stage) {
  if (stage == "underDevelopment") return "under development";
  if (stage == "beta") return "experimental";
  return stage;
}

const char* OnOff(bool on) { return on ? "on" : "off"; }

void PrintFeatureTable(const v1::ListCodexFeaturesResponse& list) {
  std::vector<const v1::CodexFeature*> features;
  for (const v1::CodexFeature& f : list.features()) features.push_back(&f);
  std::sort(features.begin(), features.end(),
            [](const auto* a, const auto* b) { return a->name() < b->name(); });
  std::printf("%-40s  %-17s  %-5s  %s\n", "FEATURE", "STAGE", "STATE",
              "DEFAULT");
  for (const v1::CodexFeature* f : features) {
    std::printf("%-40s  %-17s  %-5s  %s\n", f->name().c_str(),
                StageWords(f->stage()).c_str(), OnOff(f->enabled()),
                OnOff(f->default_enabled()));
  }
}

void PrintFeatureSet(const v1::SetCodexFeatureResponse& set) {
  const v1::CodexFeature& f = set.feature();
  std::printf("%s: %s for sessions started or resumed from now on",
              f.name().c_str(), OnOff(f.enabled()));
  if (f.enabled() == f.default_enabled()) std::printf(" (Codex's default)");
  std::printf("\n");
  if (!set.overridden().empty()) {
    std::cerr << "warning: another layer of Codex's configuration sets it: "
              << OneLine(set.overridden()) << "\n";
  }
}

}  // namespace

int CodexFeatures(Client& client, bool include_removed) {
  v1::ListCodexFeaturesRequest request;
  request.set_include_removed(include_removed);
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::ListCodexFeatures, request,
                     PrintFeatureTable);
}

int CodexFeatureSet(Client& client, const std::string& name,
                    v1::CodexFeatureSetting setting) {
  v1::SetCodexFeatureRequest request;
  request.set_name(name);
  request.set_setting(setting);
  return CallAndShow(client, client.codex(),
                     &v1::CodexService::Stub::SetCodexFeature, request,
                     PrintFeatureSet);
}

}  // namespace codex_manager::cli
