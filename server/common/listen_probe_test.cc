// ProbeListenAddress against a port this test listens on, and a free one.
#include "common/listen_probe.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

// Listens on 127.0.0.1 at a port the kernel chose; returns the fd and sets
// `port`.
int ListenOnLoopback(int* port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  EXPECT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

TEST(ProbeListenAddressTest, ABusyPortIsNamedAndAFreeOneIsNot) {
  int port = 0;
  const int fd = ListenOnLoopback(&port);
  const std::string busy = absl::StrCat("127.0.0.1:", port);
  const absl::Status status = ProbeListenAddress(busy);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            absl::StrCat("--listen ", busy,
                         ": address already in use (another server, perhaps "
                         "another codex-manager-server, listens there); stop "
                         "it or choose another --listen"));
  EXPECT_FALSE(ProbeListenAddress(absl::StrCat("localhost:", port)).ok());
  close(fd);
  EXPECT_TRUE(ProbeListenAddress(busy).ok());  // free again
  EXPECT_TRUE(ProbeListenAddress("127.0.0.1:0").ok());
  EXPECT_TRUE(ProbeListenAddress("unix:/tmp/x.sock").ok());
}

}  // namespace
}  // namespace codex_manager
