#include "core/skills.h"

#include <optional>

#include "common/json_access.h"
#include "common/utf8.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

std::string Text(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxSkillTextBytes);
}

std::string Label(const json& obj, const char* key) {
  return SafeText(StringMember(obj, key), kMaxSkillLabelBytes);
}

}  // namespace

json SkillsListParams(const std::string& cwd, bool force_reload) {
  json params = {{"cwds", json::array({cwd})}};
  if (force_reload) params["forceReload"] = true;
  return params;
}

SkillList SkillsOf(const json& result) {
  SkillList out;
  for (const json& entry : ArrayMember(result, "data")) {
    for (const json& s : ArrayMember(entry, "skills")) {
      if (out.skills.size() >= kMaxListedSkills) break;
      std::optional<std::string> name =
          WholeStringMember(s, "name", kMaxSkillNameBytes);
      std::optional<std::string> path =
          WholeStringMember(s, "path", kMaxSkillPathBytes);
      if (!name || !path) continue;
      const json& interface = ObjectMember(s, "interface");
      Skill skill;
      skill.name = std::move(*name);
      skill.path = std::move(*path);
      skill.description = Text(s, "description");
      skill.short_description = Label(interface, "shortDescription");
      if (skill.short_description.empty()) {
        skill.short_description = Label(s, "shortDescription");
      }
      skill.display_name = Label(interface, "displayName");
      skill.scope = Label(s, "scope");
      skill.enabled = BoolMember(s, "enabled", true);
      out.skills.push_back(std::move(skill));
    }
    for (const json& e : ArrayMember(entry, "errors")) {
      if (out.errors.size() >= kMaxListedSkillErrors) break;
      out.errors.push_back(
          {SafeText(StringMember(e, "path"), kMaxSkillPathBytes),
           Text(e, "message")});
    }
  }
  return out;
}

json SkillsConfigWriteParams(const std::string& path, bool enabled) {
  return {{"path", path}, {"enabled", enabled}};
}

std::optional<bool> EffectiveEnabledOf(const json& result) {
  if (!result.is_object()) return std::nullopt;
  auto it = result.find("effectiveEnabled");
  if (it == result.end() || !it->is_boolean()) return std::nullopt;
  return it->get<bool>();
}

const Skill* FindSkill(const SkillList& list, const std::string& path) {
  for (const Skill& skill : list.skills) {
    if (skill.path == path) return &skill;
  }
  return nullptr;
}

}  // namespace codex_manager
