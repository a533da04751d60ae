#include "runtime/sandbox_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

namespace codex_manager {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using Env = std::map<std::string, std::string>;

TEST(CodexHomeUnderTempDirTest, AnExplicitCodexHomeUnderTmpIsNamed) {
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/tmp/x/codex-home"}}),
            "/tmp/x/codex-home");
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/tmp"}}), "/tmp");
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/tmp/./a/../b/"}}),
            "/tmp/./a/../b/");
}

TEST(CodexHomeUnderTempDirTest, ComparesWholeComponentsAsCodexDoes) {
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/tmpfoo/codex"}}), "");
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/var/lib/codex"}}), "");
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/tmp/../srv/codex"}}), "");
}

TEST(CodexHomeUnderTempDirTest, WithoutCodexHomeItIsHomesDotCodex) {
  EXPECT_EQ(CodexHomeUnderTempDir({{"HOME", "/tmp/h"}}), "/tmp/h/.codex");
  EXPECT_EQ(CodexHomeUnderTempDir({{"HOME", "/root"}}), "");
  // CODEX_HOME wins over HOME.
  EXPECT_EQ(CodexHomeUnderTempDir({{"HOME", "/tmp/h"}, {"CODEX_HOME", "/srv/c"}}),
            "");
  EXPECT_EQ(CodexHomeUnderTempDir({}), "");
}

TEST(CodexHomeUnderTempDirTest, TmpdirIsTheTemporaryDirectory) {
  const Env env = {{"CODEX_HOME", "/scratch/t/codex"}, {"TMPDIR", "/scratch/t/"}};
  EXPECT_EQ(CodexHomeUnderTempDir(env), "/scratch/t/codex");
  // With TMPDIR elsewhere, /tmp is an ordinary folder to Codex.
  EXPECT_EQ(CodexHomeUnderTempDir({{"CODEX_HOME", "/tmp/c"}, {"TMPDIR", "/scratch"}}),
            "");
}

TEST(CodexHomeUnderTempDirTest, SymlinksAreResolved) {
  char base_template[] = "/tmp/sandbox_check_test.XXXXXX";
  ASSERT_NE(mkdtemp(base_template), nullptr);
  const fs::path base = base_template;
  fs::create_directories(base / "temp" / "home");
  fs::create_directories(base / "elsewhere");
  fs::create_directory_symlink(base / "temp" / "home", base / "elsewhere" / "link");
  const Env env = {{"CODEX_HOME", (base / "elsewhere" / "link").string()},
                   {"TMPDIR", (base / "temp").string()}};
  EXPECT_EQ(CodexHomeUnderTempDir(env), env.at("CODEX_HOME"));
  const Env outside = {{"CODEX_HOME", (base / "elsewhere").string()},
                       {"TMPDIR", (base / "temp").string()}};
  EXPECT_EQ(CodexHomeUnderTempDir(outside), "");
  fs::remove_all(base);
}

TEST(CheckCodexSandboxTest, ACodexHomeUnderTmpMakesTheSandboxNotFunctional) {
  // Whether or not bwrap works here (the launcher looks it up on this
  // process's PATH), Codex's home alone makes the sandbox fail.
  PosixProcessLauncher launcher;
  const SandboxCheck check = CheckCodexSandbox(
      &launcher, {{"PATH", "/usr/bin:/bin"}, {"CODEX_HOME", "/tmp/c"}});
  EXPECT_FALSE(check.functional);
  EXPECT_THAT(check.session_warning,
              HasSubstr("Codex's sandbox cannot start on this server"));
  EXPECT_THAT(check.reason,
              HasSubstr("CODEX_HOME /tmp/c is under the temporary directory"));
  EXPECT_THAT(check.reason, HasSubstr("set --codex-home to a directory outside"));
}

TEST(CheckCodexSandboxTest, AHomeOutsideTheTemporaryDirectoryTellsSessionsNothing) {
  PosixProcessLauncher launcher;
  const SandboxCheck check = CheckCodexSandbox(
      &launcher, {{"PATH", "/usr/bin:/bin"}, {"CODEX_HOME", "/var/lib/codex"}});
  EXPECT_EQ(check.session_warning, "");
  EXPECT_THAT(check.reason, ::testing::Not(HasSubstr("CODEX_HOME")));
}

}  // namespace
}  // namespace codex_manager
