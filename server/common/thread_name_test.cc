#include "common/thread_name.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace codex_manager {
namespace {

// What the kernel shows for the calling thread (top -H, ps -L read it).
std::string CommOfThisThread() {
  std::ifstream comm("/proc/self/task/" +
                     std::to_string(syscall(SYS_gettid)) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

TEST(ThreadNameTest, TheKernelShowsTheName) {
  std::string seen, read_back;
  std::thread([&] {
    SetThreadName("cm-test");
    seen = CommOfThisThread();
    read_back = ThreadName();
  }).join();
  EXPECT_EQ(seen, "cm-test");
  EXPECT_EQ(read_back, "cm-test");
}

TEST(ThreadNameTest, ALongNameIsCutToWhatTheKernelKeeps) {
  std::string seen;
  std::thread([&] {
    SetThreadName("cm-a-very-long-thread-name");
    seen = CommOfThisThread();
  }).join();
  EXPECT_EQ(seen, std::string("cm-a-very-long-thread-name")
                      .substr(0, kMaxThreadNameBytes));
}

TEST(ThreadNameTest, ANamedThreadIsNamedBeforeItsWorkRuns) {
  std::string seen;
  auto only_movable = std::make_unique<int>(7);
  int got = 0;
  NamedThread("cm-named", [&, p = std::move(only_movable)] {
    seen = CommOfThisThread();
    got = *p;
  }).join();
  EXPECT_EQ(seen, "cm-named");
  EXPECT_EQ(got, 7);
}

}  // namespace
}  // namespace codex_manager
