// For tests: a TCP socket listening on 127.0.0.1 at a port the kernel
// chose. The kernel completes connections to it (up to its backlog)
// whether or not anyone accepts them, so it also stands for a peer that
// takes a connection and never answers.
#ifndef CODEX_MANAGER_SERVER_COMMON_LOOPBACK_LISTENER_TESTING_H_
#define CODEX_MANAGER_SERVER_COMMON_LOOPBACK_LISTENER_TESTING_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace codex_manager {

class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 16), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackListener() { Close(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_LOOPBACK_LISTENER_TESTING_H_
