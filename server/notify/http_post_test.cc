// HttpPost against receivers on 127.0.0.1: one that answers, one that
// takes the connection and never answers (it must time out, or end when
// cancelled), and a closed port.
#include "notify/http_post.h"

#include <unistd.h>

#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/loopback_listener_testing.h"
#include "gtest/gtest.h"

namespace codex_manager {
namespace {

// A receiver at a LoopbackListener's port.
HttpUrl UrlOf(const LoopbackListener& listener) {
  HttpUrl url;
  url.host = "127.0.0.1";
  url.port = std::to_string(listener.port());
  url.target = "/hook";
  return url;
}

TEST(HttpPostTest, AnAnswerGivesItsStatusAndTheRequestArrivesWhole) {
  LoopbackListener listener;
  std::string received;
  std::thread receiver([&] {
    const int c = accept(listener.fd(), nullptr, nullptr);
    char buf[4096];
    while (!absl::StrContains(received, "\r\n\r\n{\"a\":1}")) {
      const ssize_t n = read(c, buf, sizeof(buf));
      if (n <= 0) break;
      received.append(buf, n);
    }
    const std::string answer = "HTTP/1.1 204 No Content\r\n\r\n";
    EXPECT_EQ(write(c, answer.data(), answer.size()),
              static_cast<ssize_t>(answer.size()));
    close(c);
  });
  absl::StatusOr<int> status =
      HttpPost(UrlOf(listener), {{"X-Test", "yes"}}, "{\"a\":1}");
  receiver.join();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(*status, 204);
  EXPECT_TRUE(absl::StartsWith(received, "POST /hook HTTP/1.1\r\n")) << received;
  EXPECT_TRUE(absl::StrContains(received, "X-Test: yes\r\n")) << received;
}

// Beast's timeouts hold only for its asynchronous operations: with the
// blocking ones a receiver that never answered held the notifier (and the
// server's exit) forever.
TEST(HttpPostTest, AReceiverThatNeverAnswersTimesOut) {
  LoopbackListener listener;  // never accepts, never answers
  HttpPostOptions options;
  options.answer_timeout = absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  absl::StatusOr<int> status = HttpPost(UrlOf(listener), {}, "{}", options);
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.status().message(), "read: timed out after 300ms");
  EXPECT_GE(took, absl::Milliseconds(250));
  EXPECT_LT(took, absl::Seconds(5));
}

TEST(HttpPostTest, CancelEndsThePostInFlightAndEveryLaterOne) {
  LoopbackListener listener;
  HttpCanceller canceller;
  HttpPostOptions options;
  options.answer_timeout = absl::Seconds(60);
  options.canceller = &canceller;
  std::thread stopper([&] {
    absl::SleepFor(absl::Milliseconds(300));
    canceller.Cancel();
  });
  const absl::Time start = absl::Now();
  absl::StatusOr<int> status = HttpPost(UrlOf(listener), {}, "{}", options);
  stopper.join();
  EXPECT_EQ(status.status().code(), absl::StatusCode::kCancelled);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_EQ(HttpPost(UrlOf(listener), {}, "{}", options).status().code(),
            absl::StatusCode::kCancelled);
}

TEST(HttpPostTest, AClosedPortIsUnavailableNamingTheStep) {
  HttpUrl url;
  {
    LoopbackListener listener;
    url = UrlOf(listener);
  }  // closed: nothing listens there now
  absl::StatusOr<int> status = HttpPost(url, {}, "{}");
  EXPECT_EQ(status.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StartsWith(status.status().message(), "connect: "))
      << status.status();
}

}  // namespace
}  // namespace codex_manager
