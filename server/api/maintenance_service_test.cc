// MaintenanceService.Backup over a real channel: the copy arrives whole and
// checked, one backup at a time, and a client that leaves in the middle
// frees the next one.
#include "api/maintenance_service.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "auth/rate_limiter.h"
#include "auth/secrets.h"
#include "auth/token_registry.h"
#include "common/worker_pool.h"
#include "core/clock.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

class MaintenanceServiceTest : public ::testing::Test {
 protected:
  static constexpr int kMaxMessageBytes = 64 << 10;

  void SetUp() override {
    dir_ = ::testing::TempDir() + "/maintenance-" + std::to_string(getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = *SqliteStore::Open(dir_ + "/codex-manager.db");
    tokens_ = std::make_unique<TokenRegistry>(store_.get(), &clock_);
    limiter_ = std::make_unique<RateLimiter>(&clock_, 1000, 1000);
    GuardOptions options;
    options.handler_pool = &pool_;  // as the server runs it
    guard_ = std::make_unique<Guard>(tokens_.get(), limiter_.get(),
                                     store_.get(), &clock_, options);
    // The smallest --max-message-bytes: chunks shrink to fit it.
    service_ = std::make_unique<MaintenanceServiceImpl>(
        store_.get(), guard_.get(), dir_, kMaxMessageBytes);
    grpc::ServerBuilder builder;
    builder.SetMaxSendMessageSize(kMaxMessageBytes);
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::MaintenanceService::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                            grpc::InsecureChannelCredentials()));
    secret_ =
        tokens_->Create("admin", Role::kAdmin, absl::ZeroDuration(), Caller())
            ->secret;
  }
  void TearDown() override {
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(1));
    store_.reset();
    fs::remove_all(dir_);
  }

  // Makes the database about `megabytes` MiB: more than the transport
  // buffers, so a backup nobody reads cannot end by itself.
  void Fill(int megabytes) {
    Session session;
    session.session_id = "ses_big";
    session.cwd = "/tmp";
    session.create_time = session.update_time = absl::Now();
    ASSERT_TRUE(store_->PutSession(session).ok());
    for (int i = 1; i <= megabytes; ++i) {
      Event e;
      e.event_id = i;
      e.session_id = "ses_big";
      e.session_seq = i;
      e.type = EventType::kAgentMessageDelta;
      e.create_time = absl::Now();
      // Random-looking text: nothing along the way compresses it away.
      std::string text;
      for (int k = 0; k < 16384; ++k) text += Sha256Hex(std::to_string(i * k));
      e.payload = {{"text", text.substr(0, 1 << 20)}};
      ASSERT_TRUE(store_->AppendEvents({e}).ok());
    }
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + secret_);
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(60));
    return context;
  }

  // Reads a whole backup; returns its status, and its bytes in `*data`.
  grpc::Status ReadAll(std::string* data, v1::BackupChunk* first,
                       std::string* sha256) {
    auto context = Context();
    auto reader = stub_->Backup(context.get(), v1::BackupRequest());
    v1::BackupChunk chunk;
    bool any = false;
    while (reader->Read(&chunk)) {
      if (!any) *first = chunk;
      any = true;
      EXPECT_LE(chunk.ByteSizeLong(), static_cast<size_t>(kMaxMessageBytes));
      *data += chunk.data();
      if (!chunk.sha256().empty()) *sha256 = chunk.sha256();
    }
    return reader->Finish();
  }

  std::vector<std::string> Leftovers() {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("backup-", 0) == 0) out.push_back(name);
    }
    return out;
  }

  std::string dir_;
  RealClock clock_;
  WorkerPool pool_{4, "test-handler"};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<TokenRegistry> tokens_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<Guard> guard_;
  std::unique_ptr<MaintenanceServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::MaintenanceService::Stub> stub_;
  std::string secret_;
};

TEST_F(MaintenanceServiceTest, TheCopyArrivesWholeWithItsChecksum) {
  Fill(2);
  std::string data, sha256;
  v1::BackupChunk first;
  grpc::Status status = ReadAll(&data, &first, &sha256);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(static_cast<int64_t>(data.size()), first.total_bytes());
  EXPECT_GT(data.size(), 2u << 20);
  EXPECT_EQ(sha256, Sha256Hex(data));
  EXPECT_EQ(first.sessions(), 1);
  EXPECT_EQ(first.last_event_id(), 2);
  EXPECT_EQ(data.substr(0, 16), std::string("SQLite format 3\0", 16));
  EXPECT_TRUE(Leftovers().empty());
  // One after another, as a script takes them: the next is never refused
  // for the one that has just ended.
  for (int i = 0; i < 20; ++i) {
    data.clear();
    status = ReadAll(&data, &first, &sha256);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
  }
}

TEST_F(MaintenanceServiceTest, OneAtATimeAndALeavingClientFreesTheNext) {
  Fill(40);
  // A client that reads one chunk and stops reading: its backup stays open.
  auto held_context = Context();
  auto held = stub_->Backup(held_context.get(), v1::BackupRequest());
  v1::BackupChunk chunk;
  ASSERT_TRUE(held->Read(&chunk));
  EXPECT_GT(chunk.total_bytes(), 40 << 20);

  std::string data, sha256;
  v1::BackupChunk first;
  grpc::Status second = ReadAll(&data, &first, &sha256);
  EXPECT_EQ(second.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(second.error_message().find("already"), std::string::npos);

  held_context->TryCancel();
  EXPECT_EQ(held->Finish().error_code(), grpc::StatusCode::CANCELLED);
  // The server lets go of it once its call is done: the next one goes
  // through, and nothing is left in the data dir.
  grpc::Status next;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    data.clear();
    next = ReadAll(&data, &first, &sha256);
  } while (next.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
           absl::Now() < deadline);
  ASSERT_TRUE(next.ok()) << next.error_message();
  EXPECT_EQ(sha256, Sha256Hex(data));
  EXPECT_TRUE(Leftovers().empty());
}

}  // namespace
}  // namespace codex_manager
