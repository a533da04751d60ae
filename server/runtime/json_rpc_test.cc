#include "runtime/json_rpc.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

// The test plays the peer: it writes into `to_conn` and reads `from_conn`.
class JsonRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pipe(to_conn_), 0);
    ASSERT_EQ(pipe(from_conn_), 0);
    JsonRpcConnection::Handler handler;
    handler.on_notification = [this](const std::string& method,
                                     const json& params) {
      absl::MutexLock lock(&mu_);
      notifications_.push_back({{"method", method}, {"params", params}});
      if (method == "throw") throw std::runtime_error("handler threw");
    };
    handler.on_request = [this](const json& id, const std::string& method,
                                const json&) {
      absl::MutexLock lock(&mu_);
      requests_.push_back({{"id", id}, {"method", method}});
    };
    handler.on_closed = [this](const std::string&) { closed_.Notify(); };
    handler.on_bad_line = [this](const std::string& problem, int64_t in_a_row) {
      absl::MutexLock lock(&mu_);
      bad_.push_back(problem);
      in_a_row_.push_back(in_a_row);
    };
    conn_ = std::make_unique<JsonRpcConnection>(to_conn_[0], from_conn_[1],
                                                std::move(handler));
    conn_->Start();
  }
  void TearDown() override {
    if (to_conn_[1] >= 0) close(to_conn_[1]);
    conn_.reset();
    close(to_conn_[0]);
    close(from_conn_[0]);
    close(from_conn_[1]);
  }
  void PeerWrite(const std::string& text) {
    ASSERT_EQ(write(to_conn_[1], text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
  }
  json PeerReadLine() {
    std::string line;
    char c;
    while (read(from_conn_[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    return json::parse(line);
  }
  bool WaitNotifications(size_t n) {
    absl::MutexLock lock(&mu_);
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return notifications_.size() >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(5));
  }

  int to_conn_[2];
  int from_conn_[2];
  std::unique_ptr<JsonRpcConnection> conn_;
  absl::Mutex mu_;
  std::vector<json> notifications_;
  std::vector<json> requests_;
  std::vector<std::string> bad_;
  std::vector<int64_t> in_a_row_;
  absl::Notification closed_;
};

TEST_F(JsonRpcTest, CorrelatesResponsesToCalls) {
  absl::Notification done;
  json result;
  conn_->Call("thread/start", {{"cwd", "/p"}}, absl::Seconds(5),
              [&](absl::StatusOr<json> r) {
                result = r.ok() ? *r : json("error");
                done.Notify();
              });
  json sent = PeerReadLine();
  EXPECT_EQ(sent["method"], "thread/start");
  EXPECT_EQ(sent["params"]["cwd"], "/p");
  // An unrelated notification first, then the answer (ids are integers).
  PeerWrite(R"({"method":"thread/started","params":{}})"
            "\n");
  PeerWrite(json({{"id", sent["id"]}, {"result", {{"thread", {{"id", "t1"}}}}}})
                .dump() +
            "\n");
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(result["thread"]["id"], "t1");
  ASSERT_TRUE(WaitNotifications(1));
}

TEST_F(JsonRpcTest, SkipsGarbageAndKeepsGoing) {
  PeerWrite("not json\n[1,2]\n{\"half\": \n\x01\x02\n");
  PeerWrite(R"({"method":"turn/started","params":{"x":1}})"
            "\n");
  // A message split across writes.
  PeerWrite(R"({"method":"item/agentMessage/del)");
  PeerWrite(R"(ta","params":{"delta":"hi"}})"
            "\n");
  ASSERT_TRUE(WaitNotifications(2));
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(notifications_[0]["method"], "turn/started");
  EXPECT_EQ(notifications_[1]["params"]["delta"], "hi");
  EXPECT_EQ(conn_->garbage_lines(), 4);
  ASSERT_EQ(bad_.size(), 4u);
  EXPECT_NE(bad_[0].find("not JSON"), std::string::npos);
  EXPECT_NE(bad_[1].find("not a JSON-RPC object but a JSON array"),
            std::string::npos);
}

TEST_F(JsonRpcTest, HostileLinesAreReportedNeverFatal) {
  // Deep nesting, invalid UTF-8, null and mistyped members, a handler that
  // throws: each is one bad line, and the next good line resets the count.
  PeerWrite(std::string(100000, '[') + std::string(100000, ']') + "\n");
  PeerWrite("{\"method\":\"warning\",\"params\":{\"m\":\"\xFF\"}}\n");
  PeerWrite("{\"method\":7}\n{\"id\":\"x\",\"result\":1}\n");
  PeerWrite(R"({"method":"throw","params":null})"
            "\n");
  PeerWrite(R"({"method":"ok"})"
            "\n");
  ASSERT_TRUE(WaitNotifications(2));
  absl::MutexLock lock(&mu_);
  EXPECT_EQ(notifications_[0]["method"], "throw");
  EXPECT_TRUE(notifications_[0]["params"].is_null());
  EXPECT_TRUE(notifications_[1]["params"].is_object());  // omitted: {}
  ASSERT_EQ(bad_.size(), 5u);
  EXPECT_NE(bad_[0].find("nested deeper than 128 levels"), std::string::npos);
  EXPECT_NE(bad_[1].find("not JSON"), std::string::npos);
  EXPECT_NE(bad_[2].find("neither a request"), std::string::npos);
  EXPECT_NE(bad_[4].find("could not be handled: handler threw"),
            std::string::npos);
  EXPECT_EQ(in_a_row_, (std::vector<int64_t>{1, 2, 3, 4, 1}));
  EXPECT_EQ(JsonRpcConnection::ParseMessage("[[[1]]]", 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(JsonRpcConnection::ParseMessage("{\"a\":\"[[[[\"}", 2).ok());
}

TEST_F(JsonRpcTest, ServerRequestsAreAnswered) {
  PeerWrite(
      R"({"id":0,"method":"item/commandExecution/requestApproval","params":{}})"
      "\n");
  for (int i = 0; i < 500; ++i) {
    {
      absl::MutexLock lock(&mu_);
      if (!requests_.empty()) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  {
    absl::MutexLock lock(&mu_);
    ASSERT_EQ(requests_.size(), 1u);
    EXPECT_EQ(requests_[0]["id"], 0);
  }
  conn_->Respond(0, {{"decision", "accept"}});
  json answer = PeerReadLine();
  EXPECT_EQ(answer["id"], 0);
  EXPECT_EQ(answer["result"]["decision"], "accept");
}

TEST_F(JsonRpcTest, UnansweredCallsHitTheirDeadline) {
  absl::Notification done;
  absl::Status status;
  conn_->Call("initialize", json::object(), absl::Milliseconds(200),
              [&](absl::StatusOr<json> r) {
                status = r.status();
                done.Notify();
              });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(JsonRpcTest, EofFailsPendingCallsAndReportsClosed) {
  absl::Notification done;
  absl::Status status;
  conn_->Call("turn/start", json::object(), absl::Seconds(30),
              [&](absl::StatusOr<json> r) {
                status = r.status();
                done.Notify();
              });
  close(to_conn_[1]);
  to_conn_[1] = -1;
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(closed_.WaitForNotificationWithTimeout(absl::Seconds(5)));
}

}  // namespace
}  // namespace codex_manager
