// ProbeListenAddress against a port this test listens on, and a free one.
#include "common/listen_probe.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/loopback_listener_testing.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

TEST(ProbeListenAddressTest, ABusyPortIsNamedAndAFreeOneIsNot) {
  LoopbackListener listener;
  const std::string busy = absl::StrCat("127.0.0.1:", listener.port());
  const absl::Status status = ProbeListenAddress(busy);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            absl::StrCat("--listen ", busy,
                         ": address already in use (another server, perhaps "
                         "another codex-manager-server, listens there); stop "
                         "it or choose another --listen"));
  EXPECT_FALSE(
      ProbeListenAddress(absl::StrCat("localhost:", listener.port())).ok());
  listener.Close();
  EXPECT_TRUE(ProbeListenAddress(busy).ok());  // free again
  EXPECT_TRUE(ProbeListenAddress("127.0.0.1:0").ok());
  EXPECT_TRUE(ProbeListenAddress("unix:/tmp/x.sock").ok());
}

}  // namespace
}  // namespace codex_manager
