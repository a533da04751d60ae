#include "core/request_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/codex_login.h"

namespace codex_manager {
namespace {

using ::testing::HasSubstr;

// INVALID_ARGUMENT whose message starts with the field's name.
void ExpectInvalid(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::StartsWith(field + ":"));
}

class RequestValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cm_validation_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "cwd");
    std::ofstream(dir_ / "cwd" / "shot.png") << "png";
    std::ofstream(dir_ / "outside.png") << "png";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string cwd() const { return (dir_ / "cwd").string(); }

  std::filesystem::path dir_;
};

TEST_F(RequestValidationTest, PromptsAreNotBlankAndWithinTheLimit) {
  EXPECT_TRUE(ValidatePrompt("hi", 10).ok());
  ExpectInvalid(ValidatePrompt(" \n\t", 10), "prompt");
  const absl::Status big = ValidatePrompt(std::string(11, 'x'), 10);
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(big.message()), HasSubstr("--max-prompt-bytes"));
}

TEST_F(RequestValidationTest, SessionSettingsNameTheFieldThatIsWrong) {
  // The settings of a session in this test's folder, as CreateSession
  // gives them, with `change` made.
  struct Fields {
    std::string cwd, model, effort, approval_policy, sandbox, title,
        developer_instructions, model_provider, service_tier;
  };
  auto validate = [&](auto change) {
    Fields f;
    f.cwd = cwd();
    change(f);
    return ValidateSession({f.cwd, f.model, f.effort, f.approval_policy,
                            f.sandbox, f.title, f.developer_instructions,
                            f.model_provider, f.service_tier});
  };
  EXPECT_TRUE(validate([](Fields& f) {
                f.approval_policy = "never";
                f.sandbox = "read-only";
                f.title = "t";
              }).ok());
  for (const std::string dir : {"", "relative/dir", "/no/such/dir"}) {
    ExpectInvalid(validate([&](Fields& f) { f.cwd = dir; }), "cwd");
  }
  EXPECT_TRUE(
      validate([](Fields& f) { f.service_tier = "priority"; }).ok());
  ExpectInvalid(validate([](Fields& f) { f.service_tier = "fast lane"; }),
                "service_tier");
  ExpectInvalid(validate([](Fields& f) { f.approval_policy = "sometimes"; }),
                "approval_policy");
  ExpectInvalid(validate([](Fields& f) { f.sandbox = "sometimes"; }),
                "sandbox");
  ExpectInvalid(validate([](Fields& f) { f.effort = "HIGH"; }), "effort");
  ExpectInvalid(validate([](Fields& f) { f.title = std::string(201, 't'); }),
                "title");
  EXPECT_TRUE(validate([](Fields& f) {
                f.developer_instructions = std::string(4096, 'i');
              }).ok());
  ExpectInvalid(validate([](Fields& f) {
                  f.developer_instructions = std::string(4097, 'i');
                }),
                "developer_instructions");
  EXPECT_TRUE(validate([](Fields& f) { f.model_provider = "ollama"; }).ok());
  ExpectInvalid(validate([](Fields& f) { f.model_provider = "my provider"; }),
                "model_provider");
  ExpectInvalid(ValidateModelProvider(std::string(65, 'p')), "model_provider");
  EXPECT_TRUE(ValidateModelProvider("azure-openai_2.x").ok());
  ExpectInvalid(ValidateRequestId(std::string(129, 'r')), "request_id");
}

TEST_F(RequestValidationTest, CodexIdsAreWordsOfTheirOwnCharacters) {
  EXPECT_TRUE(IsCodexId("", 64));
  EXPECT_TRUE(IsCodexId("guardianv2.thread_context-1", 64));
  EXPECT_TRUE(IsCodexId(std::string(64, 'a'), 64));
  EXPECT_FALSE(IsCodexId(std::string(65, 'a'), 64));
  for (const char* bad : {"a b", "a/b", "a\"b", "caf\xc3\xa9", "a\nb"}) {
    EXPECT_FALSE(IsCodexId(bad, 64)) << bad;
  }
}

TEST_F(RequestValidationTest, AnUpdateChecksOnlyTheFieldsItSets) {
  EXPECT_TRUE(ValidateUpdate({}).ok());
  SessionUpdate update;
  update.model = std::string(201, 'm');
  ExpectInvalid(ValidateUpdate(update), "model");
  update.model.reset();
  update.sandbox = "anything";
  ExpectInvalid(ValidateUpdate(update), "sandbox");
}

TEST_F(RequestValidationTest, ASessionQueryNamesTheFilterThatIsWrong) {
  SessionQuery q;
  EXPECT_TRUE(ValidateSessionQuery(q).ok());
  q.cwd = "/srv/app//";
  ASSERT_TRUE(ValidateSessionQuery(q).ok());
  EXPECT_EQ(q.cwd, "/srv/app");
  q.cwd = "/";  // every folder
  ASSERT_TRUE(ValidateSessionQuery(q).ok());
  EXPECT_EQ(q.cwd, "");
  q.cwd = "srv/app";
  ExpectInvalid(ValidateSessionQuery(q), "cwd");
  q.cwd = "/" + std::string(4096, 'd');
  ExpectInvalid(ValidateSessionQuery(q), "cwd");
  q.cwd.clear();
  q.search = std::string(201, 's');
  ExpectInvalid(ValidateSessionQuery(q), "search");
  q.search.clear();
  q.states = {SessionState::kIdle, SessionState::kUnspecified};
  ExpectInvalid(ValidateSessionQuery(q), "states[1]");
  q.states = {static_cast<SessionState>(7)};
  ExpectInvalid(ValidateSessionQuery(q), "states[0]");
  q.states = {SessionState::kStarting, SessionState::kArchived};
  EXPECT_TRUE(ValidateSessionQuery(q).ok());
}

TEST_F(RequestValidationTest, ASkillPathIsAnAbsoluteUtf8Path) {
  EXPECT_TRUE(ValidateSkillPath("/p/.agents/skills/a/SKILL.md").ok());
  ExpectInvalid(ValidateSkillPath(""), "path");
  ExpectInvalid(ValidateSkillPath("repo-helper"), "path");
  ExpectInvalid(ValidateSkillPath("/p/\xff/SKILL.md"), "path");
  ExpectInvalid(ValidateSkillPath("/" + std::string(4096, 'd')), "path");
  EXPECT_TRUE(ValidateSkillPath("/" + std::string(4095, 'd')).ok());
}

TEST_F(RequestValidationTest, ALoginNamesItsMethodAndAnApiKeyIsPrintable) {
  constexpr int kApiKey = static_cast<int>(CodexLoginMethod::kApiKey);
  constexpr int kDeviceCode =
      static_cast<int>(CodexLoginMethod::kChatgptDeviceCode);
  EXPECT_TRUE(ValidateCodexLogin(kApiKey, "sk-test-123").ok());
  EXPECT_TRUE(ValidateCodexLogin(kDeviceCode, "").ok());
  ExpectInvalid(ValidateCodexLogin(0, ""), "method");
  ExpectInvalid(ValidateCodexLogin(7, "sk-x"), "method");
  ExpectInvalid(ValidateCodexLogin(kApiKey, ""), "api_key");
  ExpectInvalid(ValidateCodexLogin(kDeviceCode, "sk-x"), "api_key");
  ExpectInvalid(ValidateCodexLogin(kApiKey, std::string(4097, 'k')), "api_key");
  const absl::Status spaced = ValidateCodexLogin(kApiKey, "sk-secret value\n");
  ExpectInvalid(spaced, "api_key");
  // The key is never echoed.
  EXPECT_EQ(std::string(spaced.message()).find("secret"), std::string::npos);
}

TEST_F(RequestValidationTest, ImagesMustBeFilesInsideTheCwd) {
  TurnSettings ok;
  ok.image_paths = {"shot.png"};
  ASSERT_TRUE(ValidateTurnSettings(ok, cwd()).ok());
  EXPECT_EQ(ok.image_paths[0],
            std::filesystem::canonical(dir_ / "cwd" / "shot.png").string())
      << "resolved in place";
  TurnSettings outside;
  outside.image_paths = {"../outside.png"};
  ExpectInvalid(ValidateTurnSettings(outside, cwd()), "image_paths");
  TurnSettings missing;
  missing.image_paths = {"nope.png"};
  ExpectInvalid(ValidateTurnSettings(missing, cwd()), "image_paths");
  TurnSettings many;
  many.image_urls.assign(9, "data:image/png;base64,AA==");
  ExpectInvalid(ValidateTurnSettings(many, cwd()), "images");
}

TEST_F(RequestValidationTest, AnOutputSchemaIsAJsonObject) {
  TurnSettings s;
  s.output_schema_json = R"({"type":"object"})";
  EXPECT_TRUE(ValidateTurnSettings(s, cwd()).ok());
  s.output_schema_json = "[1,2]";
  ExpectInvalid(ValidateTurnSettings(s, cwd()), "output_schema_json");
  s.output_schema_json = "{";
  ExpectInvalid(ValidateTurnSettings(s, cwd()), "output_schema_json");
  s.output_schema_json = std::string(64 << 10, ' ') + "{}";
  ExpectInvalid(ValidateTurnSettings(s, cwd()), "output_schema_json");
  // Nested past 64 levels: refused (Codex reads at most 128 around it).
  auto nested = [](int levels) {
    std::string out;
    for (int i = 0; i < levels; ++i) out += R"({"a":)";
    out += "1";
    for (int i = 0; i < levels; ++i) out += "}";
    return out;
  };
  s.output_schema_json = nested(64);
  EXPECT_TRUE(ValidateTurnSettings(s, cwd()).ok());
  s.output_schema_json = nested(65);
  ExpectInvalid(ValidateTurnSettings(s, cwd()), "output_schema_json");
  EXPECT_EQ(ValidateTurnSettings(s, cwd()).message(),
            "output_schema_json: nested deeper than 64 levels");
  s.output_schema_json.clear();
  s.summary = "verbose";
  ExpectInvalid(ValidateTurnSettings(s, cwd()), "reasoning_summary");
}

}  // namespace
}  // namespace codex_manager
