#include "api/status.h"

#include <gtest/gtest.h>

#include <string>

#include "common/utf8.h"

namespace codex_manager {
namespace {

// A message quoting what a client sent is cut at kMaxStatusMessageBytes on
// a character boundary, so every client can read the trailer (grpcio
// refuses a grpc-message over 16 KiB).
TEST(StatusTest, ALongMessageIsCutOnACharacterBoundary) {
  std::string quoted;
  for (int i = 0; i < 50000; ++i) quoted += "\xC3\xA9";  // é, 100,000 bytes
  const grpc::Status status =
      ToGrpcStatus(absl::NotFoundError("skill " + quoted + " not found"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string& message = status.error_message();
  EXPECT_LE(message.size(), kMaxStatusMessageBytes + 3);
  EXPECT_GT(message.size(), kMaxStatusMessageBytes - 4);
  EXPECT_EQ(message.rfind("skill \xC3\xA9", 0), 0u);
  EXPECT_EQ(message.substr(message.size() - 3), "\xE2\x80\xA6");  // …
  EXPECT_EQ(ToValidUtf8(message), message);
}

TEST(StatusTest, AShortMessageIsKeptWhole) {
  const grpc::Status status =
      ToGrpcStatus(absl::InvalidArgumentError("cwd: required"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "cwd: required");
}

}  // namespace
}  // namespace codex_manager
