#include "core/skills.h"

#include <gtest/gtest.h>

#include <string>

namespace codex_manager {
namespace {

using json = nlohmann::json;

TEST(SkillsTest, ReadsWhatCodexAnswers) {
  // As Codex 0.171 answered for a folder with a repository skill, under a
  // CODEX_HOME with a user skill (system skills cut to one).
  const json result = json::parse(R"({"data": [{"cwd": "/p", "skills": [
      {"name": "repo-helper", "description": "Check the notes.",
       "path": "/p/.agents/skills/repo-helper/SKILL.md", "scope": "repo",
       "enabled": true, "pluginId": null},
      {"name": "skill-creator", "description": "Create or update a skill.",
       "shortDescription": "Create or update a skill",
       "interface": {"displayName": "Skill Creator",
                     "shortDescription": "Create or update a skill",
                     "iconSmall": "/h/skills/.system/skill-creator/a.svg",
                     "defaultPrompt": null},
       "path": "/h/skills/.system/skill-creator/SKILL.md",
       "scope": "system", "enabled": true, "pluginId": null},
      {"name": "off", "description": "d", "path": "/h/skills/off/SKILL.md",
       "scope": "user", "enabled": false,
       "shortDescription": "legacy short"}],
     "errors": [{"path": "/p/.agents/skills/bad/SKILL.md",
                 "message": "missing field `description`"}]}]})");
  const SkillList list = SkillsOf(result);
  ASSERT_EQ(list.skills.size(), 3u);
  EXPECT_EQ(list.skills[0],
            (Skill{"repo-helper", "Check the notes.", "", "",
                   "/p/.agents/skills/repo-helper/SKILL.md", "repo", true}));
  EXPECT_EQ(list.skills[1], (Skill{"skill-creator", "Create or update a skill.",
                                   "Create or update a skill", "Skill Creator",
                                   "/h/skills/.system/skill-creator/SKILL.md",
                                   "system", true}));
  EXPECT_EQ(list.skills[2].short_description, "legacy short");
  EXPECT_FALSE(list.skills[2].enabled);
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0], (SkillError{"/p/.agents/skills/bad/SKILL.md",
                                        "missing field `description`"}));
}

TEST(SkillsTest, LeavesOutWhatCannotBeMentioned) {
  const std::string long_name(kMaxSkillNameBytes + 1, 'n');
  const std::string long_text(kMaxSkillTextBytes * 2, 'd');
  const json result = {
      {"data",
       {7,
        {{"skills",
          {42, json::object(), json{{"name", 7}, {"path", "/s"}},
           json{{"name", "no-path"}}, json{{"name", "bad\xff"}, {"path", "/s"}},
           json{{"name", long_name}, {"path", "/s"}},
           json{{"name", "ok"},
                {"path", "/s/SKILL.md"},
                {"description", long_text + "\xfe"},
                {"interface", "not an object"},
                {"scope", 3},
                {"enabled", "yes"}}}},
         {"errors", {json{{"path", "/e\xff"}, {"message", 9}}}}}}}};
  const SkillList list = SkillsOf(result);
  ASSERT_EQ(list.skills.size(), 1u);
  const Skill& skill = list.skills[0];
  EXPECT_EQ(skill.name, "ok");
  EXPECT_EQ(skill.path, "/s/SKILL.md");
  EXPECT_LE(skill.description.size(), kMaxSkillTextBytes + 3);
  EXPECT_EQ(skill.description.substr(skill.description.size() - 3), "…");
  EXPECT_EQ(skill.scope, "");
  EXPECT_TRUE(skill.enabled);  // a mistyped `enabled` reads as absent
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_EQ(list.errors[0], (SkillError{"/e\xEF\xBF\xBD", ""}));
  for (const json& not_a_result :
       {json(), json("data"), json{{"data", "x"}}, json::array()}) {
    EXPECT_TRUE(SkillsOf(not_a_result).skills.empty()) << not_a_result;
  }
}

TEST(SkillsTest, KeepsAtMostTheBound) {
  json skills = json::array();
  for (size_t i = 0; i < kMaxListedSkills + 5; ++i) {
    skills.push_back({{"name", "s" + std::to_string(i)}, {"path", "/s"}});
  }
  const json result = {{"data", {{{"skills", skills}}, {{"skills", skills}}}}};
  EXPECT_EQ(SkillsOf(result).skills.size(), kMaxListedSkills);
}

TEST(SkillsTest, AsksForTheFolder) {
  EXPECT_EQ(SkillsListParams("/p", false), json::parse(R"({"cwds": ["/p"]})"));
  EXPECT_EQ(SkillsListParams("/p", true),
            json::parse(R"({"cwds": ["/p"], "forceReload": true})"));
}

TEST(SkillsTest, WritesTheSkillsConfigByPath) {
  EXPECT_EQ(SkillsConfigWriteParams("/p/.agents/skills/a/SKILL.md", false),
            json::parse(R"({"path": "/p/.agents/skills/a/SKILL.md",
                            "enabled": false})"));
  // As Codex 0.171 answered.
  EXPECT_EQ(EffectiveEnabledOf(json::parse(R"({"effectiveEnabled": false})")),
            std::optional<bool>(false));
  EXPECT_EQ(EffectiveEnabledOf(json::parse(R"({"effectiveEnabled": true})")),
            std::optional<bool>(true));
  // Any other shape says nothing.
  for (const char* other :
       {R"({"effectiveEnabled": "true"})", R"({})", R"(null)", R"([true])",
        R"({"effectiveEnabled": 1})"}) {
    EXPECT_EQ(EffectiveEnabledOf(json::parse(other)), std::nullopt) << other;
  }
}

TEST(SkillsTest, FindsAListedSkillByItsPath) {
  SkillList list;
  for (const char* path : {"/p/a/SKILL.md", "/home/skills/a/SKILL.md"}) {
    Skill skill;
    skill.name = "a";  // the same name, two skills
    skill.path = path;
    list.skills.push_back(skill);
  }
  ASSERT_NE(FindSkill(list, "/home/skills/a/SKILL.md"), nullptr);
  EXPECT_EQ(FindSkill(list, "/home/skills/a/SKILL.md")->path,
            "/home/skills/a/SKILL.md");
  EXPECT_EQ(FindSkill(list, "/p/a"), nullptr);
  EXPECT_EQ(FindSkill(list, ""), nullptr);
}

}  // namespace
}  // namespace codex_manager
