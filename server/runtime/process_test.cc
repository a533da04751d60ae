#include "runtime/process.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace codex_manager {
namespace {

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
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read((*process)->stdout_fd(), buf, sizeof buf)) > 0) {
    out.append(buf, n);
  }
  (*process)->KillGroupAndReap();
  // 0, 1, 2 and the directory ls itself opens to list them.
  std::vector<std::string> fds = absl::StrSplit(out, '\n', absl::SkipEmpty());
  EXPECT_EQ(fds.size(), 4u) << out;
  EXPECT_THAT(fds, ::testing::Not(::testing::Contains(std::to_string(leaky))));
}

}  // namespace
}  // namespace codex_manager
