// gRPC's and OpenSSL's texts for a call that reached no server, as seen
// from the CLI on 2026-12-07 (gRPC 1.51, OpenSSL 3).
#include "common/connect_failure.h"

#include <string>

#include "gtest/gtest.h"

namespace codex_manager {
namespace {

TEST(ClassifyConnectFailureTest, NamesWhatGrpcSaid) {
  constexpr const char* kLast =
      "failed to connect to all addresses; last error: ";
  EXPECT_EQ(ClassifyConnectFailure(std::string(kLast) +
                                   "INTERNAL: ipv4:127.0.0.1:8088: Trying to "
                                   "connect an http1.x server"),
            ConnectFailure::kHttp1);
  EXPECT_EQ(ClassifyConnectFailure(
                std::string(kLast) +
                "UNKNOWN: ipv4:127.0.0.1:50777: Ssl handshake failed: "
                "SSL_ERROR_SSL: error:0A00010B:SSL routines::wrong version "
                "number"),
            ConnectFailure::kNotTls);
  EXPECT_EQ(ClassifyConnectFailure(
                std::string(kLast) +
                "UNKNOWN: ipv4:127.0.0.1:50780: Ssl handshake failed: "
                "SSL_ERROR_SSL: error:0A000086:SSL routines::certificate "
                "verify failed"),
            ConnectFailure::kUntrustedCertificate);
  EXPECT_EQ(ClassifyConnectFailure(std::string(kLast) +
                                   "UNAVAILABLE: ipv4:127.0.0.1:50780: Socket "
                                   "closed"),
            ConnectFailure::kClosed);
  EXPECT_EQ(ClassifyConnectFailure(
                std::string(kLast) +
                "UNKNOWN: ipv4:127.0.0.1:1: Failed to connect to remote host: "
                "Connection refused"),
            ConnectFailure::kOther);
}

}  // namespace
}  // namespace codex_manager
