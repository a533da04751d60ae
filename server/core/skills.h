// Codex skills (app-server 0.171): the skills Codex offers for work in a
// folder (`skills/list`), read from the folder's repository
// (`.agents/skills/`, `.codex/skills/`), CODEX_HOME's `skills/`, an
// administrator's, and the ones Codex ships (`skills/.system`).
//
// A prompt uses one by naming it as `$name` (as in Codex's TUI): Codex
// reads the mention and puts the skill's SKILL.md before the prompt; a
// name it does not know stays plain text.
#ifndef CODEX_MANAGER_SERVER_CORE_SKILLS_H_
#define CODEX_MANAGER_SERVER_CORE_SKILLS_H_

#include <optional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace codex_manager {

// One skill of `skills/list` (Codex `SkillMetadata`). `name` and `path` are
// whole (a skill whose name or path is not valid UTF-8, or longer than
// kMaxSkillNameBytes / kMaxSkillPathBytes, is left out: cut, it would
// name another skill); the other text is valid UTF-8 cut (SafeText: the
// cut marked "…") to kMaxSkillTextBytes (the description) or
// kMaxSkillLabelBytes (the rest).
struct Skill {
  std::string name;         // what a prompt mentions: `$name`
  std::string description;  // from SKILL.md's front matter
  // A shorter one for lists: the skill's `interface.shortDescription`, else
  // its legacy `shortDescription`; may be empty.
  std::string short_description;
  std::string display_name;  // `interface.displayName`; may be empty
  std::string path;          // the skill's SKILL.md, absolute
  std::string scope;         // "repo", "user", "system" or "admin"
  bool enabled = true;       // false: disabled in Codex's config

  bool operator==(const Skill&) const = default;
};

// A SKILL.md Codex could not load.
struct SkillError {
  std::string path;
  std::string message;

  bool operator==(const SkillError&) const = default;
};

struct SkillList {
  std::vector<Skill> skills;
  std::vector<SkillError> errors;
};

// Bounds of what SkillsOf keeps: the largest listing (every skill and
// error at its most) is under 2 MiB, so it fits a client's default 4 MiB
// message (convert_test checks it).
inline constexpr size_t kMaxListedSkills = 200;
inline constexpr size_t kMaxListedSkillErrors = 100;
inline constexpr size_t kMaxSkillNameBytes = 256;
inline constexpr size_t kMaxSkillPathBytes = 4096;
inline constexpr size_t kMaxSkillTextBytes = 2048;
inline constexpr size_t kMaxSkillLabelBytes = 256;

// The params of `skills/list` for work in `cwd`; `force_reload` has Codex
// read the folders again instead of its cache.
nlohmann::json SkillsListParams(const std::string& cwd, bool force_reload);

// `skills/list`'s result (`SkillsListResponse`: {data: [{cwd, skills,
// errors}]}), every entry's together, in Codex's order. Any shape is
// accepted (a mistyped member reads as absent); at most kMaxListedSkills
// skills and kMaxListedSkillErrors errors are kept.
SkillList SkillsOf(const nlohmann::json& result);

// The params of `skills/config/write` that enable or disable the skill
// whose SKILL.md is `path` (absolute). Codex then writes
// `[[skills.config]] path = "…" enabled = …` to CODEX_HOME's config.toml,
// for every runtime of that home. The path selector is the one used:
// 0.171 answers a name-based write with the name's rule alone, whatever a
// path rule says (seen: it reported a skill enabled that stayed disabled).
nlohmann::json SkillsConfigWriteParams(const std::string& path, bool enabled);

// `skills/config/write`'s result (`SkillsConfigWriteResponse`): whether the
// skill is enabled now (`effectiveEnabled`), or nullopt when the result
// has no such boolean.
std::optional<bool> EffectiveEnabledOf(const nlohmann::json& result);

// The listed skill whose SKILL.md is `path`, or nullptr.
const Skill* FindSkill(const SkillList& list, const std::string& path);

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_SKILLS_H_
