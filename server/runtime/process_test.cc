#include "runtime/process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace codex_manager {
namespace {

// What a child wrote to `fd` until it closed it.
std::string ReadAll(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

TEST(ProcessLauncherTest, ChildInheritsOnlyStdio) {
  // An fd the server opened without O_CLOEXEC (as a library might).
  // Numbered high, so it cannot be confused with one ls opens itself.
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int leaky = fcntl(devnull, F_DUPFD, 100);
  close(devnull);
  ASSERT_GE(leaky, 100);
  PosixProcessLauncher launcher;
  LaunchSpec spec;
  spec.argv = {"/bin/sh", "-c", "ls /proc/self/fd"};
  auto process = launcher.Launch(spec);
  close(leaky);
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE((*process)->WaitExited(absl::Seconds(10)));
  const std::string out = ReadAll((*process)->stdout_fd());
  (*process)->KillGroupAndReap();
  // 0, 1, 2 and the directory ls itself opens to list them.
  std::vector<std::string> fds = absl::StrSplit(out, '\n', absl::SkipEmpty());
  EXPECT_EQ(fds.size(), 4u) << out;
  EXPECT_THAT(fds, ::testing::Not(::testing::Contains(std::to_string(leaky))));
}

// The child's umask is the spec's when set (Codex gets the one the server
// was started with), else the server's own.
TEST(ProcessLauncherTest, ChildGetsTheUmaskAsked) {
  const mode_t before = umask(077);
  auto umask_of = [](std::optional<mode_t> mask) {
    PosixProcessLauncher launcher;
    LaunchSpec spec;
    spec.argv = {"/bin/sh", "-c", "umask"};
    spec.umask = mask;
    auto process = launcher.Launch(spec);
    if (!process.ok()) return std::string(process.status().message());
    (*process)->WaitExited(absl::Seconds(10));
    const std::string out = ReadAll((*process)->stdout_fd());
    (*process)->KillGroupAndReap();
    return out;
  };
  EXPECT_EQ(umask_of(022), "0022\n");
  EXPECT_EQ(umask_of(002), "0002\n");
  EXPECT_EQ(umask_of(std::nullopt), "0077\n");
  umask(before);
}

}  // namespace
}  // namespace codex_manager
